"""Compose-style variables: ``.env`` files and ``${VAR}``, ``${VAR:-default}`` interpolation.

Only the ``.env`` file is consulted (never the importing shell's environment), so the same
sources always import the same way. Unset variables become empty strings and are remembered.

Expansion is bounded like YAML aliases: defaults nest at most :data:`MAX_DEPTH` deep, and one
:class:`Budget` (one per file) caps the characters expansion may produce in all, so variables
that double each other (``B=$A$A``, ``C=$B$B``, …) or ``${A:-${A:-…}}`` nested thousands deep
are an :class:`ExpansionError`, never a MemoryError or RecursionError.
"""

from __future__ import annotations

import re

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
MAX_DEPTH = 32  # ${A:-${B:-…}} nested at most this deep
MAX_EXPANDED = 4_000_000  # characters one file's expansion may produce in all


class ExpansionError(ValueError):
    """Interpolation went past its bounds; the message says which."""


class Budget:
    """Characters an expansion may still produce (shared by every value of one file)."""

    def __init__(self, left: int = MAX_EXPANDED):
        self.left = left

    def spend(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise ExpansionError(f"variables expand to more than {MAX_EXPANDED:,} characters "
                                 "(variables that repeat each other?)")


def interpolate(text: str, env: dict[str, str], missing: set[str] | None = None,
                budget: Budget | None = None, depth: int = 0) -> str:
    """Substitute ``$VAR``, ``${VAR}``, ``${VAR:-d}``, ``${VAR-d}``, ``${VAR:+a}``, ``${VAR:?e}``
    (defaults may nest); ``$$`` is a literal ``$``.

    >>> interpolate("${A:-x}-${B}-${C:-${A}}-$$", {"B": "b"})
    'x-b--$'
    >>> interpolate("http://${H:-db}:${P}", {"P": "80"})
    'http://db:80'
    """
    if depth > MAX_DEPTH:
        raise ExpansionError(f"variables nest more than {MAX_DEPTH} deep")
    budget = budget if budget is not None else Budget()
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch != "$" or i + 1 == len(text):
            out.append(ch)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "{":
            end = _closing_brace(text, i + 2)
            if end < 0:
                out.append(text[i:])
                break
            out.append(_expand(text[i + 2 : end], env, missing, budget, depth))
            budget.spend(len(out[-1]))
            i = end + 1
        else:
            match = _NAME.match(text, i + 1)
            if not match:
                out.append(ch)
                i += 1
                continue
            out.append(_lookup(match.group(), env, missing))
            budget.spend(len(out[-1]))
            i = match.end()
    return "".join(out)


def _closing_brace(text: str, start: int) -> int:
    depth = 1
    for j in range(start, len(text)):
        if text[j] == "{":
            depth += 1
        elif text[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return -1


def _lookup(name: str, env: dict[str, str], missing: set[str] | None) -> str:
    if name in env:
        return env[name]
    if missing is not None:
        missing.add(name)
    return ""


def _expand(body: str, env: dict[str, str], missing: set[str] | None, budget: Budget, depth: int) -> str:
    match = _NAME.match(body)
    if not match:
        return ""
    name, rest = match.group(), body[match.end() :]
    value = env.get(name)
    for op in (":-", "-", ":+", "+", ":?", "?"):
        if rest.startswith(op):
            arg = interpolate(rest[len(op) :], env, missing, budget, depth + 1)
            empty = value is None or (op.startswith(":") and value == "")
            if op in (":-", "-"):
                return arg if empty else value
            if op in (":+", "+"):
                return "" if empty else arg
            return "" if empty else value
    return _lookup(name, env, missing)


def parse_env_file(text: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """``KEY=VALUE`` lines (comments, ``export``, quotes, inline `` #`` comments); values may
    use the variables defined above them (one :class:`Budget` for the file).

    >>> parse_env_file("A=1\\n# c\\nB=x:${A}  # note\\nexport C='q # r'\\n")
    {'A': '1', 'B': 'x:1', 'C': 'q # r'}
    """
    env: dict[str, str] = dict(base or {})
    budget = Budget()
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[7:].lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep or not _NAME.fullmatch(key):
            continue
        value = value.strip()
        if value[:1] in ("'", '"') and value.find(value[0], 1) > 0:
            quote = value[0]
            value = value[1 : value.find(quote, 1)]
            env[key] = value if quote == "'" else interpolate(value, env, budget=budget)
            continue
        value = re.split(r"\s+#", value, maxsplit=1)[0].strip()
        env[key] = interpolate(value, env, budget=budget)
    return env
