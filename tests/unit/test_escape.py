"""The JSON channel's escaping (``escape.json_text``) answers as its plain definition does, on
any text, whichever of its two paths (the quick look at the non-ASCII characters, or the
character-by-character pass) it takes."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from depgraph.output.escape import json_text, printable
from tests.helpers import examples

DANGEROUS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e"
                       "\u2066-\u2069\ufeff]")
ANY = st.text(alphabet=st.characters(blacklist_categories=()), max_size=30)
PLAIN = st.text(alphabet=st.characters(max_codepoint=0x7e, min_codepoint=0x20), max_size=30)


def definition(document: str) -> str:
    without_surrogates = "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in document)
    return "".join(f"\\u{ord(c):04x}" if DANGEROUS.fullmatch(c) else c for c in without_surrogates)


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.one_of(ANY, PLAIN), max_size=4).map("".join))
def test_json_text_is_its_definition(document):
    assert json_text(document) == definition(document)


def test_a_document_with_nothing_to_escape_comes_back_as_it_is():
    document = '{"message": "cut or soften a → b", "ids": ["service:ä"]}\n\t'
    assert json_text(document) is document
    assert printable("plain") == "plain" and printable("caf\udce9") == "caf\ufffd"


def test_markdown_text_folds_lines_into_one_as_a_pull_request_comment_shows_them():
    from depgraph.output.escape import markdown_code, markdown_text

    assert markdown_text("Handles payments.\nAlso refunds.\n") == "Handles payments. Also refunds."
    assert markdown_code("a\n\tb") == "`a b`"
    assert markdown_text("x\x1b]0;t\x07") == "x\\\\e\\]0;t\\\\x07"  # controls still made visible
