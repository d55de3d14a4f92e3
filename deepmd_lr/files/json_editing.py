"""Editing the ``learning_rate`` section of a JSON text, in place.

The section's object is edited member by member within its braces; a
section written as another value, or a missing one, becomes an object in
the layout of the file (on one line, or one member per line with the
file's indent).
"""

from __future__ import annotations

from typing import Any

from deepmd_lr.files import splicing
from deepmd_lr.files.nodes import Node
from deepmd_lr.files.reader import InputDocument
from deepmd_lr.files.splicing import Pair, SectionEdit
from deepmd_lr.files.writer import to_json
from deepmd_lr.section.keys import SECTION


class JsonEdit(SectionEdit):
    """An edit of a JSON document, whose data is an object."""

    def __init__(self, document: InputDocument) -> None:
        super().__init__(document)
        self.unit = "    "
        pairs = self.root.pairs()
        first = pairs[0][0].start if pairs else self.root.start
        if splicing.line_start(self.text, first) > self.root.start:
            self.unit = splicing.relative_indent(
                splicing.indent_of_line(self.text, first),
                splicing.indent_of_line(self.text, self.root.start),
                self.unit,
            )

    def replace_value(self, key: Node, value: Node, section: dict[str, Any]) -> str:
        replacement = self._object_text(section, (key, value))
        return self.text[: value.start] + replacement + self.text[value.end :]

    def section_member(self, section: dict[str, Any], like: Pair) -> str:
        return to_json(SECTION) + self._colon(like) + self._object_text(section, like)

    def value_text(self, value: Any) -> str:
        return to_json(value)

    def member_text(self, key: str, value: Any, like: Pair | None) -> str:
        return to_json(key) + self._colon(like) + to_json(value)

    def _colon(self, like: Pair | None) -> str:
        return ": " if like is None else self.text[like[0].end : like[1].start]

    def _object_text(self, section: dict[str, Any], like: Pair) -> str:
        """``section`` as an object in the file's layout, its members like ``like``."""
        if not section:
            return "{}"
        items = [self.member_text(key, value, like) for key, value in section.items()]
        if not splicing.has_line_break(self.text[self.root.start : self.root.end]):
            return "{" + ", ".join(items) + "}"
        indent = splicing.indent_of_line(self.text, like[0].start)
        inner = self.line_break + indent + self.unit
        return "{" + inner + ("," + inner).join(items) + self.line_break + indent + "}"
