"""The ``problem-codes`` directive: the table of every code ``check`` reports.

    .. problem-codes::

(in a MyST page, inside an ``eval-rst`` block) is written from
:data:`deepmd_lr.section.codes.CODES`, so the table lists exactly the codes the
package gives, in its order, with their meanings.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.util.docutils import SphinxDirective


def _plain_text(text: str) -> str:
    """``text`` as reStructuredText that shows it as it is."""
    return re.sub(r"([\\`*_|])", r"\\\1", text)


class ProblemCodes(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        from deepmd_lr.section.codes import CODES

        lines = [
            ".. list-table::",
            "   :header-rows: 1",
            "   :widths: 12 12 76",
            "",
            "   * - code",
            "     - kind",
            "     - rule",
        ]
        for entry in CODES.values():
            lines += [
                f"   * - ``{entry}``",
                f"     - {'error' if entry.is_error else 'warning'}",
                f"     - {_plain_text(entry.meaning)}",
            ]
        self.state_machine.insert_input(lines, "deepmd_lr.section.codes")
        return []


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("problem-codes", ProblemCodes)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
