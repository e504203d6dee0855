"""The ``depgraph`` command line: thin commands, errors translated to messages and exit codes once.

Each command lives in its own module under ``depgraph/cli/commands/`` and adds itself to the app
through ``register(app)``; this module finds them all. Shared pieces for commands:
``DescriptorsOption``, ``FormatOption``, :func:`load`, :func:`emit`, :func:`emit_json`, :func:`fail`.

Exit codes: 0 success; 1 ``check`` found blocking findings; 2 invalid input or usage;
3 an internal error (a bug in depgraph: please report it); 130 interrupted.

The command line's modules evaluate their annotations when they are defined (no ``from
__future__ import annotations``): typer reads every command's parameters on every run, and
string annotations would be compiled again each time (docs/benchmarks.md).
"""

import contextlib
import functools
import importlib
import inspect
import pkgutil
import sys
from typing import Annotated, NoReturn

import typer

from depgraph.cli.kit import (  # noqa: F401  (re-exported for callers of depgraph.cli)
    DescriptorsOption, emit, emit_json, fail, load, print_diagnostics, state, warn,
)
from depgraph.diagnostics import ERROR, DepgraphError, DescriptorError
from depgraph.load.files import collection_paused
from depgraph.load.limits import DEFAULT_LIMITS, Limits

app = typer.Typer(
    name="depgraph",
    help="Service dependency graph analyzer: load service descriptors, find single points of failure, "
    "cycles, unowned services and readiness gaps, and report them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        from depgraph import __version__

        typer.echo(f"depgraph {__version__}")
        raise typer.Exit()


@app.callback()
def _global_options(
    version: Annotated[bool, typer.Option("--version", "-V", callback=_print_version, is_eager=True,
                                          help="Print the version of depgraph and exit.")] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show a traceback on errors.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Only the result, for every command "
                                        "(the same as the command's own -q).")] = False,
    max_file_bytes: Annotated[int, typer.Option(help="Largest descriptor file read, in bytes.",
                                                envvar="DEPGRAPH_MAX_FILE_BYTES", min=1, max=1 << 62)] = DEFAULT_LIMITS.max_file_bytes,
    max_depth: Annotated[int, typer.Option(help="Deepest YAML nesting accepted.",
                                           envvar="DEPGRAPH_MAX_DEPTH", min=1, max=1 << 62)] = DEFAULT_LIMITS.max_depth,
    max_aliases: Annotated[int, typer.Option(help="Most YAML alias uses accepted per file.",
                                             envvar="DEPGRAPH_MAX_ALIASES", min=1, max=1 << 62)] = DEFAULT_LIMITS.max_aliases,
    max_entities: Annotated[int, typer.Option(help="Most entities accepted in one descriptor tree.",
                                              envvar="DEPGRAPH_MAX_ENTITIES", min=1, max=1 << 62)] = DEFAULT_LIMITS.max_entities,
    jobs: Annotated[int | None, typer.Option(help="Processes that parse the descriptor files (default: every "
                                             "core once the tree holds 2,000 files or 4 MB, else 1).",
                                             envvar="DEPGRAPH_JOBS", min=1, max=1024,
                                             show_default="auto")] = None,
) -> None:
    """Global options go before the command: ``depgraph --debug validate``."""
    state.debug = debug
    state.quiet = quiet
    state.limits = Limits(max_file_bytes=max_file_bytes, max_depth=max_depth, max_aliases=max_aliases,
                          max_entities=max_entities, jobs=jobs)


def _register_commands() -> None:
    import depgraph.cli.commands as package

    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if module.name.startswith("_"):
            continue
        importlib.import_module(f"depgraph.cli.commands.{module.name}").register(app)
    for info in app.registered_commands:
        if info.short_help is None:  # the command list keeps a docstring's line breaks otherwise
            info.short_help = " ".join(inspect.getdoc(info.callback).split("\n\n")[0].split())
        info.callback = _translating_errors(info.callback, pause=info.name not in LONG_RUNNING)


#: commands that run until stopped; they manage the cyclic collector themselves (serve's reload)
LONG_RUNNING = frozenset({"serve", "mcp"})


def _translating_errors(callback, pause: bool = True):
    """Wrap a command so that core errors become a message and exit code inside the app itself
    (the same behaviour under ``CliRunner`` in tests as from the console script).

    A command that ends runs with the cyclic collector paused (``collection_paused``): it builds
    a landscape's objects, keeps nearly all of them until it ends, and frees the rest by
    reference counting, so the collector's full passes over them find nothing (at 20,000
    services a fifth of the analysis and its JSON: benchmarks/results.md). The collector is back
    as it was when the command returns, so a Python caller of :func:`main` goes on as before."""

    @functools.wraps(callback)
    def command(*args, **kwargs):
        if state.quiet and "quiet" in kwargs:
            kwargs["quiet"] = True
        try:
            with collection_paused() if pause else contextlib.nullcontext():
                return callback(*args, **kwargs)
        except DescriptorError as exc:
            if state.debug:
                raise
            print_diagnostics(exc.diagnostics)
            fail(str(exc), exc.exit_code)
        except DepgraphError as exc:
            if state.debug:
                raise
            fail(str(exc), exc.exit_code)
        except KeyboardInterrupt as exc:  # typer turns it into a silent exit 130: say what happened
            warn(f"depgraph: {exc}" if str(exc) else "depgraph: interrupted")
            raise

    return command


def main(argv: list[str] | None = None) -> int:
    """Run one command (``argv``, by default the process's arguments) and return its exit code,
    every error turned into a message first. It never ends the process itself: the console
    script and ``python -m depgraph`` exit with the code it returns, and a Python caller goes on
    (``depgraph.cli.main(["validate", "-d", "descriptors"])``)."""
    try:
        _run(argv)
    except SystemExit as done:
        return _exit_code(done.code)
    return 0


def _exit_code(code) -> int:
    """A ``SystemExit`` code as a number, as the interpreter would turn it into one."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    warn(str(code))
    return 1


def _run(argv: list[str] | None) -> None:
    try:
        app(args=argv)
    except DescriptorError as exc:
        print_diagnostics(exc.diagnostics)
        _exit_error(exc, str(exc))
    except DepgraphError as exc:
        _exit_error(exc, str(exc))
    except KeyboardInterrupt:
        typer.echo("depgraph: interrupted; outputs from this run were not written", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: say so plainly, no traceback unless asked
        if state.debug:
            raise
        warn(f"depgraph: internal error: {type(exc).__name__}: {exc} (run with --debug for a "
             "traceback, and please report it)")
        sys.exit(3)


def _exit_error(exc: DepgraphError, message: str) -> NoReturn:
    if state.debug:
        raise exc
    warn(f"depgraph: error: {message}")
    sys.exit(exc.exit_code)


_register_commands()

__all__ = ["app", "main", "load", "emit", "emit_json", "warn", "fail", "DescriptorsOption", "state", "ERROR"]
