"""The ``schedule-keys`` directive: a table of one schedule type's own keys.

    .. schedule-keys:: wsd

(in a MyST page, inside an ``eval-rst`` block) is written from the ``Key`` declarations of the class registered under
``wsd``, so the page lists exactly the keys that are checked; each name
links to its entry in the argument reference.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes
from sphinx.util.docutils import SphinxDirective


def _cell(text: str) -> str:
    return " ".join(text.split())


class ScheduleKeys(SphinxDirective):
    required_arguments = 1

    def run(self) -> list[nodes.Node]:
        from deepmd_lr import BaseLR
        from deepmd_lr.section.text import describe

        type_name = self.arguments[0]
        cls = BaseLR.get_class_by_type(type_name)
        if not cls.variant_keys:
            raise self.error(f'type "{type_name}" declares no keys of its own')
        lines = [
            ".. list-table::",
            "   :header-rows: 1",
            "   :widths: 20 12 14 54",
            "",
            "   * - key",
            "     - type",
            "     - default",
            "     - meaning",
        ]
        for key in cls.variant_keys:
            kind = key.kind.__name__ + (" or null" if key.nullable else "")
            default = "required" if key.required else f"``{describe(key.default)}``"
            path = f"learning_rate[{type_name}]/{key.name}"
            lines += [
                f"   * - :dargs:argument:`{key.name} <{path}>`",
                f"     - {kind}",
                f"     - {default}",
                f"     - {_cell(key.reference_doc())}",
            ]
        self.state_machine.insert_input(lines, f"deepmd_lr {type_name} keys")
        return []


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("schedule-keys", ScheduleKeys)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
