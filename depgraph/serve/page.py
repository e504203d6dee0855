"""The report page as ``depgraph serve`` shows it at ``/``: drawn in memory from the current load.

The same page ``depgraph report`` writes (:func:`~depgraph.reporters.html.render_html`), worked
out once per load of the descriptors, with its live what-if switched on: the page may then ask
the server's ``/api/`` (its Content Security Policy allows that origin and no other).
"""

from __future__ import annotations

from depgraph.diagnostics import DepgraphError
from depgraph.serve.answers import Answers

#: services and clients up to which the services diagram is drawn into the page (as
#: ``depgraph report`` inlines it), so the what-if lights up what fails
MAX_DRAWN = 150


def live_page(answers: Answers) -> str:
    """The page of the landscape ``answers`` serves now."""
    from depgraph.analysis import analyze
    from depgraph.reporters.html import render_html

    land = answers.landscape
    notices = () if answers.problem is None else (
        f"The descriptors on disk did not load ({answers.problem}); this page shows the last good load.",)

    def page() -> str:
        report = analyze(land.catalog, for_page=True)
        return render_html(report, svg=_services_svg(report), notices=notices, live=True)

    return land.once(("page", notices), page)


def _services_svg(report) -> str | None:
    """The services diagram as SVG for a small landscape, or None (too big, or no Graphviz)."""
    if len(report.catalog.services) + len(report.catalog.clients) > MAX_DRAWN:
        return None
    from depgraph.diagrams.marks import marks_of
    from depgraph.diagrams.render import graphviz_available, to_svg
    from depgraph.diagrams.services import services_dot

    if not graphviz_available():
        return None
    try:
        svg = to_svg(services_dot(marks_of(report)))
    except (DepgraphError, OSError):
        return None
    return svg.decode("utf-8") if isinstance(svg, bytes) else svg
