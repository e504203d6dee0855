"""A warm depgraph: the descriptors loaded once and kept in memory, answering questions.

:mod:`depgraph.serve.answers` holds the landscape (catalog, failure model, what was worked out
of them) and answers each question of ``depgraph mcp`` and ``depgraph serve`` as the same JSON
document the command line writes with ``--format json``. :mod:`depgraph.serve.mcp_tools`
offers them as Model Context Protocol tools; :mod:`depgraph.serve.http` serves them, the MCP
endpoint and the report page over HTTP. Both sit right under the command line: they read the
reporters' JSON writers, never the other way round.
"""
