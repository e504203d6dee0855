"""The one adapter to Graphviz: DOT text in, SVG or PNG bytes out.

Layout runs in the Graphviz binary named by the engine (``dot``, ``sfdp``, ``neato``, ``fdp``,
…), found on PATH, with a timeout: a layout that would run for an hour on a huge graph, or a
Graphviz crash, becomes a :class:`RenderError` with a clear message instead of a hung CI job.
A missing binary is a :class:`GraphvizMissing` that says how to install Graphviz.

The ``graphviz`` Python package's ``pipe()`` has no timeout, so the binary is run here with
``subprocess`` directly, and the package is no dependency (``docs/diagrams.md``). Nothing here
writes files.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

from depgraph.diagnostics import DepgraphError

# Above this many nodes a services diagram collapses to teams or tribes: dot's layout time grows
# steeply with the nodes (measured in docs/diagrams.md).
MAX_NODES = 200

ENGINES = ("dot", "sfdp", "neato", "fdp", "circo", "twopi", "osage", "patchwork")
FORMATS = ("svg", "png")
DEFAULT_TIMEOUT = 60.0
INSTALL_HINT = ("install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install "
                "graphviz; Windows: choco install graphviz) or use --format dot")


class RenderError(DepgraphError):
    """Graphviz could not turn the DOT text into an image (timeout, crash, bad engine)."""


class GraphvizMissing(RenderError):
    """The Graphviz binary for the engine is not on PATH."""


def find_engine(engine: str = "dot") -> str:
    """The path of the Graphviz binary ``engine``; GraphvizMissing when it is not installed."""
    if engine not in ENGINES:
        raise RenderError(f"unknown layout engine '{engine}' (one of {', '.join(ENGINES)})")
    path = shutil.which(engine)
    if path is None:
        raise GraphvizMissing(f"Graphviz '{engine}' was not found on PATH: {INSTALL_HINT}")
    return path


def graphviz_available(engine: str = "dot") -> bool:
    """True when the Graphviz binary ``engine`` is on PATH."""
    return engine in ENGINES and shutil.which(engine) is not None


@dataclass(frozen=True)
class Image:
    """What Graphviz drew, and what it warned about (e.g. that it scaled a too-large image
    down: the user must hear that, the text may be unreadable)."""

    data: bytes
    warnings: tuple[str, ...] = ()


def render(dot_text: str, format: str = "svg", engine: str = "dot", timeout: float | None = DEFAULT_TIMEOUT,
           dpi: float | None = None) -> Image:
    """Lay out ``dot_text`` with ``engine`` and return the image in ``format`` (svg or png),
    with Graphviz's warnings.

    ``timeout`` seconds (None: no limit) bound the layout; ``dpi`` scales PNG output.
    """
    if format not in FORMATS:
        raise RenderError(f"unknown image format '{format}' (one of {', '.join(FORMATS)})")
    command = [find_engine(engine), f"-T{format}"]
    if dpi is not None:
        command.append(f"-Gdpi={dpi:g}")
    try:
        done = subprocess.run(command, input=dot_text.encode("utf-8"), capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise RenderError(f"Graphviz '{engine}' did not finish within {timeout:g} s; the graph is too "
                          "big for this layout: use --focus, a coarser --cluster or --view teams, "
                          "--engine sfdp, or a longer --timeout") from None
    except OSError as exc:
        raise GraphvizMissing(f"cannot run Graphviz '{engine}': {exc.strerror or exc}: {INSTALL_HINT}") from None
    if done.returncode != 0 or not done.stdout:
        raise RenderError(f"Graphviz '{engine}' failed ({_exit_reason(done.returncode)}): "
                          f"{_first_lines(done.stderr)}")
    warnings = tuple(line.strip() for line in done.stderr.decode("utf-8", "replace").splitlines() if line.strip())
    return Image(done.stdout, warnings)


def to_svg(dot_text: str, engine: str = "dot", timeout: float | None = DEFAULT_TIMEOUT) -> bytes:
    """SVG bytes of ``dot_text`` (see :func:`render`)."""
    return render(dot_text, "svg", engine, timeout).data


def _exit_reason(code: int) -> str:
    return f"killed by signal {-code}" if code < 0 else f"exit status {code}"


def _first_lines(stderr: bytes, lines: int = 3) -> str:
    text = stderr.decode("utf-8", "replace").strip().splitlines()
    return " / ".join(text[:lines]) or "no message"
