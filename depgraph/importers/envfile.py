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
    (defaults may nest); ``$$`` is a literal ``$``. ``depth``: how deep ``text`` itself is
    nested (its defaults nest at most :data:`MAX_DEPTH` below the top).

    Iterative: a nested default is a frame on an explicit stack (its span of ``text`` and
    the ``${…}`` it fills in), so no input comes near the interpreter's recursion limit, and
    every brace is matched once, up front.

    >>> interpolate("${A:-x}-${B}-${C:-${A}}-$$", {"B": "b"})
    'x-b--$'
    >>> interpolate("http://${H:-db}:${P}", {"P": "80"})
    'http://db:80'
    """
    if depth > MAX_DEPTH:
        raise ExpansionError(f"variables nest more than {MAX_DEPTH} deep")
    budget = budget if budget is not None else Budget()
    closing = _matching_braces(text)
    frames = [_Frame(0, len(text))]
    while True:
        frame = frames[-1]
        default = _scan(text, frame, closing, env, missing, budget)
        if default is not None:  # a ${VAR<op>…}: its argument is expanded first, one level down
            if depth + len(frames) > MAX_DEPTH:
                raise ExpansionError(f"variables nest more than {MAX_DEPTH} deep")
            frames.append(default)
            continue
        frames.pop()
        value = "".join(frame.out)
        if not frames:
            return value
        parent = frames[-1]
        parent.out.append(frame.fill(value))
        budget.spend(len(parent.out[-1]))


class _Frame:
    """A span ``text[at:stop]`` being expanded into ``out``; for a default, the ``${…}`` it
    fills in: the variable's ``value`` (None: unset), the operator, and where that ends."""

    __slots__ = ("at", "stop", "out", "value", "op", "after")

    def __init__(self, at: int, stop: int, value: str | None = None, op: str = "", after: int = 0):
        self.at, self.stop, self.out = at, stop, []
        self.value, self.op, self.after = value, op, after

    def fill(self, arg: str) -> str:
        """What the ``${VAR<op>arg}`` becomes, ``arg`` expanded (an expanded default is worked
        out, and its budget spent, even when the variable is set)."""
        op, value = self.op, self.value
        empty = value is None or (op.startswith(":") and value == "")
        if op in (":-", "-"):
            return arg if empty else value or ""
        if op in (":+", "+"):
            return "" if empty else arg
        return "" if empty else value or ""


_OPERATORS = (":-", "-", ":+", "+", ":?", "?")


def _scan(text: str, frame: _Frame, closing: dict[int, int], env: dict[str, str],
          missing: set[str] | None, budget: Budget) -> _Frame | None:
    """Expand ``frame``'s span from where it stopped up to its end (None), or up to a
    ``${VAR<op>…}`` whose argument must be expanded first: that argument's frame (this one
    resumes past the closing brace once it is filled in)."""
    out, i, stop = frame.out, frame.at, frame.stop
    while i < stop:
        dollar = text.find("$", i, stop)
        if dollar < 0 or dollar + 1 == stop:
            out.append(text[i:stop])
            break
        out.append(text[i:dollar])
        i, nxt = dollar, text[dollar + 1]
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "{":
            end = closing.get(i + 1, stop)
            if end >= stop:  # no closing brace inside this span
                out.append(text[i:stop])
                break
            match = _NAME.match(text, i + 2, end)
            if not match:
                i = end + 1
                continue
            name, rest = match.group(), match.end()
            op = next((op for op in _OPERATORS if text.startswith(op, rest, end)), None)
            if op is not None:
                frame.at = end + 1
                return _Frame(rest + len(op), end, env.get(name), op)
            out.append(_lookup(name, env, missing))
            budget.spend(len(out[-1]))
            i = end + 1
        else:
            match = _NAME.match(text, i + 1, stop)
            if not match:
                out.append("$")
                i += 1
                continue
            out.append(_lookup(match.group(), env, missing))
            budget.spend(len(out[-1]))
            i = match.end()
    frame.at = stop
    return None


def _matching_braces(text: str) -> dict[int, int]:
    """The position of each ``{`` -> that of the ``}`` closing it (unclosed ones left out)."""
    closing: dict[int, int] = {}
    if "${" not in text:
        return closing
    opened: list[int] = []
    for at in re.finditer(r"[{}]", text):
        if at.group() == "{":
            opened.append(at.start())
        elif opened:
            closing[opened.pop()] = at.start()
    return closing


def _lookup(name: str, env: dict[str, str], missing: set[str] | None) -> str:
    if name in env:
        return env[name]
    if missing is not None:
        missing.add(name)
    return ""


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
