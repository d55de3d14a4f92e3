"""The ``argument-reference`` directive: every ``learning_rate`` key.

Inserts :func:`deepmd_lr.describe.documentation.rst_reference` of the registered
schedules, each key declared in the ``dargs`` domain so that other pages can
link to it with ``:dargs:argument:`learning_rate/stop_lr```, after an index
of the keys that links to each.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_LABEL = re.compile(r"^\s*\.\. _`(?P<section>learning_rate[^/`]*)/(?P<key>[^`]+)`:$")


def readable_powers(text: str) -> str:
    """``text`` with a power of two written out, ``2**53 (9007199254740992)``,
    as the reader writes it: ``2⁵³``."""
    return re.sub(
        r"2\*\*(\d+) \(\d+\)",
        lambda match: "2" + match.group(1).translate(_SUPERSCRIPTS),
        text,
    )


def _key_index(lines: list[str]) -> list[str]:
    """A list of the keys, those of every type first, then each type's own."""
    keys: dict[str, list[str]] = {}
    for line in lines:
        match = _LABEL.match(line)
        if match:
            label = f"{match['section']}/{match['key']}"
            link = f":ref:`{match['key']} <{label}>`"
            keys.setdefault(match["section"], []).append(link)
    index = []
    for section, links in keys.items():
        kind = section.removeprefix("learning_rate")
        title = "every type" if not kind else f'``type: "{kind.strip("[]")}"``'
        index.append(f"- {title}: {', '.join(links)}")
    return [*index, ""]


class ArgumentReference(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        from deepmd_lr import learning_rate_args
        from deepmd_lr.describe.documentation import rst_reference

        text = rst_reference(learning_rate_args(), sphinx_domain=True)
        lines = readable_powers(text).splitlines()
        self.state_machine.insert_input(
            [*_key_index(lines), *lines], "deepmd_lr.describe.documentation"
        )
        return []


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("argument-reference", ArgumentReference)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
