"""Durations as descriptors and the policy write them (SPEC §6): whole seconds, or a whole number
with one unit, ``90s``, ``15m``, ``2h``, ``1d``; and how output spells them back.

A duration is at least one second and at most a year: ``0``, negative numbers, fractions
(``1.5h``: write ``90m``), empty strings and anything above a year (a typo, or a unit slip) are
refused with the reason and an example.

>>> parse_duration("15m"), parse_duration(90), parse_duration("1d")
((900, None), (90, None), (86400, None))
>>> parse_duration("1.5h")[1]
"a duration is a whole number with one unit; write '90m' instead of '1.5h'"
>>> format_duration(5400), format_duration(45), format_duration(93784)
('1h 30m', '45s', '1d 2h 3m 4s')
"""

from __future__ import annotations

import re

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_SECONDS = 365 * 86400
EXAMPLE = "whole seconds (90) or a number with a unit s, m, h or d, like 90s, 15m, 2h or 1d"
_WHOLE = re.compile(r"([0-9]{1,12})([smhd])")
_FRACTION = re.compile(r"([0-9]*\.[0-9]+|[0-9]+\.[0-9]*)([smhd])")


def parse_duration(value) -> tuple[int | None, str | None]:
    """``(seconds, None)``, or ``(None, why)`` with ``why`` a sentence naming what to write."""
    if type(value) is int:
        return _bounded(value, str(value))
    if isinstance(value, str):
        text = value.strip()
        whole = _WHOLE.fullmatch(text)
        if whole and text == value:
            return _bounded(int(whole.group(1)) * UNITS[whole.group(2)], value)
        return None, _string_problem(value, text)
    if isinstance(value, float) and value > 0:  # not NaN, which compares false
        return None, f"a duration is {EXAMPLE}; not the fraction {value!r}"
    shown = ("a boolean" if isinstance(value, bool) else "null" if value is None
             else "a list or mapping" if isinstance(value, (list, dict)) else repr(value)[:40])
    return None, f"a duration is {EXAMPLE}; not {shown}"


def _bounded(seconds: int, written: str) -> tuple[int | None, str | None]:
    if seconds <= 0:
        return None, f"a duration is at least one second, like 30s; not {written!r}"
    if seconds > MAX_SECONDS:
        return None, f"a duration is at most a year (365d); not {written!r}: is the unit right?"
    return seconds, None


def _string_problem(value: str, text: str) -> str:
    shown = repr(value) if len(value) <= 40 else repr(value[:40]) + "…"
    if not text:
        return f"a duration is {EXAMPLE}; not an empty string"
    if text != value and _WHOLE.fullmatch(text):
        return f"a duration is written without spaces, like '{text}'"
    fraction = _FRACTION.fullmatch(text)
    if fraction:
        seconds = float(fraction.group(1)) * UNITS[fraction.group(2)]
        if seconds == int(seconds) and 0 < seconds:
            better = next(f"{int(seconds) // n}{u}" for u, n in sorted(UNITS.items(), key=lambda i: -i[1])
                          if int(seconds) % n == 0)
            return f"a duration is a whole number with one unit; write '{better}' instead of {shown}"
        return f"a duration is a whole number with one unit, like 90s; not {shown}"
    if text.startswith("-"):
        return f"a duration is at least one second, like 30s; not {shown}"
    lower = text.lower()
    if lower != text and _WHOLE.fullmatch(lower):
        return f"units are lower-case; did you mean '{lower}'?"
    if re.fullmatch(r"[0-9]+", text):
        return f"a duration is {EXAMPLE}; {shown} is a string: write {text} or {text}s"
    return f"a duration is {EXAMPLE}; not {shown}"


def format_duration(seconds: float) -> str:
    """``seconds`` in the largest units, at most four of them: ``1h 30m``, ``45s``, ``0s``."""
    seconds = round(seconds)
    if seconds <= 0:
        return "0s"
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count}{unit}")
    return " ".join(parts)
