"""The ``argument-reference`` directive: every ``learning_rate`` key.

Inserts :func:`deepmd_lr.describe.documentation.rst_reference` of the registered
schedules, each key declared in the ``dargs`` domain so that other pages can
link to it with ``:dargs:argument:`learning_rate/stop_lr```.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.util.docutils import SphinxDirective


class ArgumentReference(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        from deepmd_lr import learning_rate_args
        from deepmd_lr.describe.documentation import rst_reference

        text = rst_reference(learning_rate_args(), sphinx_domain=True)
        self.state_machine.insert_input(
            text.splitlines(), "deepmd_lr.describe.documentation"
        )
        return []


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("argument-reference", ArgumentReference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
