"""The report page as ``depgraph serve`` shows it at ``/``: drawn in memory from the current load.

The same page ``depgraph report`` writes (:func:`~depgraph.reporters.html.render_html`), worked
out once per load of the descriptors, with its live what-if switched on: the page may then ask
the server's ``/api/`` (its Content Security Policy allows that origin and no other).
"""

from __future__ import annotations

from depgraph.serve.answers import Answers


def live_page(answers: Answers) -> str:
    """The page of the landscape ``answers`` serves now."""
    from depgraph.analysis import analyze
    from depgraph.reporters.html import render_html

    land = answers.landscape
    notices = () if answers.problem is None else (
        f"The descriptors on disk did not load ({answers.problem}); this page shows the last good load.",)
    return land.once(("page", notices), lambda: render_html(analyze(land.catalog, for_page=True), notices=notices,
                                                            live=True))
