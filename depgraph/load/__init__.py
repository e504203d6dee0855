"""Loading descriptor trees: YAML with positions, the schema, validation, parallel parsing, git trees as a source, the model cache.

This package is also the API's ``depgraph.load(path)`` (docs/api.md): the attribute
``depgraph.load`` is this package as soon as any of its modules is imported, so the package
itself is callable (a module may set its ``__class__``: "Customizing module attribute access"
in the Python reference).
"""

import sys
import types


class _LoadPackage(types.ModuleType):
    def __call__(self, path, limits=None):
        """The validated catalog of the descriptor tree at ``path`` (a folder, or one file):
        :func:`depgraph.load.loader.load_catalog`. Loading warnings are kept in
        ``catalog.diagnostics``; errors raise ``DescriptorError`` with every problem found.
        ``limits`` (a :class:`depgraph.load.limits.Limits`) bounds what an untrusted tree may
        cost, as the command line's global options do."""
        from depgraph.load.limits import DEFAULT_LIMITS
        from depgraph.load.loader import load_catalog

        return load_catalog(path, DEFAULT_LIMITS if limits is None else limits)


sys.modules[__name__].__class__ = _LoadPackage
