"""Editing the ``learning_rate`` section of a YAML text, in place.

YAML is read with PyYAML, the YAML 1.1 reader DeePMD-kit uses, and new
YAML values are spelled so that YAML 1.1 reads them back as meant
(``1.0e-08``, not ``1e-08``, which YAML 1.1 reads as text). The edit is made
by splicing at the positions the reader records rather than by dumping the
section again, because a round-trip dump respells unchanged values (spaces
after a colon, ``~``, the spacing of a flow list). A section that a merge
key brings, or whose anchors an alias repeats elsewhere, is not edited:
the edit would change another place too.
"""

from __future__ import annotations

import math
import re
from typing import Any

from deepmd_lr.files import splicing
from deepmd_lr.files.nodes import MAPPING, SEQUENCE, Node
from deepmd_lr.files.splicing import Pair, SectionEdit
from deepmd_lr.files.writer import to_yaml
from deepmd_lr.section.keys import SECTION

_MAPPING_KEY_SPACE = re.compile(r"[ \t]*:[ \t]*")
_EXPLICIT_KEY = re.compile(r"([ \t]*)\?[ \t]+")
"""The start of a line holding a key written with ``?``, its indent kept."""


def _content_end(node: Node) -> int:
    """Where the node's text ends, before any comment or blank line after it."""
    while node.kind in (MAPPING, SEQUENCE) and not node.flow and node.items:
        node = node.items[-1]
    return node.end


class YamlEdit(SectionEdit):
    """An edit of a YAML document, whose data is a mapping."""

    def edit_mapping(
        self, mapping: Node, old: dict[Any, Any], new: dict[str, Any]
    ) -> str:
        if mapping.flow:
            return super().edit_mapping(mapping, old, new)
        self.check_members(mapping, old, new)
        text, pairs = self.text, mapping.pairs()
        first_key = pairs[0][0]
        indent = text[splicing.line_start(text, first_key.start) : first_key.start]
        explicit_key = _EXPLICIT_KEY.fullmatch(indent)
        if explicit_key is not None:
            # Added keys are written plainly, level with the "?".
            indent = explicit_key.group(1)
        if indent.strip():
            raise splicing.refuse("its first key shares a line with other text")
        edits: list[tuple[int, int, str]] = []
        kept_end: int | None = None
        for key, value in pairs:
            if key.key not in new:
                end = splicing.next_line_start(text, _content_end(value))
                edits.append((splicing.line_start(text, key.start), end, ""))
                continue
            kept_end = _content_end(value)
            if not splicing.same_value(old[key.key], new[key.key]):
                edits.append(self._value_edit(value, new[key.key]))
        added = self.added_members(pairs, new, None)
        if not added and kept_end is None:
            raise splicing.refuse("it would have no key left")
        if kept_end is None:
            place = splicing.line_start(text, first_key.start)
            lines = "".join(indent + member + self.line_break for member in added)
        else:
            place = splicing.line_end(text, kept_end)
            lines = "".join(self.line_break + indent + member for member in added)
        edits.append((place, place, lines))
        # Sorted by place alone, so that at one place (an empty value that
        # is the last kept) the new value comes before the added lines.
        pieces, done = [], 0
        for start, end, replacement in sorted(edits, key=lambda edit: edit[:2]):
            pieces += [text[done:start], replacement]
            done = end
        return "".join(pieces) + text[done:]

    def add_section(self, section: dict[str, Any]) -> str:
        if self.root.flow:
            return super().add_section(section)
        text, place = self.text, self.root.end
        indent = splicing.indent_of_line(text, self.root.start)
        if section:
            heading = indent + self.value_text(SECTION) + ":" + self.line_break
            block = heading + self._block_members(section, indent)
        else:
            block = indent + self.member_text(SECTION, {}, None) + self.line_break
        if place > 0 and text[place - 1] not in "\r\n":
            return text[:place] + self.line_break + block.rstrip("\r\n") + text[place:]
        return text[:place] + block + text[place:]

    def replace_value(self, key: Node, value: Node, section: dict[str, Any]) -> str:
        text = self.text
        between = text[key.end : value.start]
        if not self.root.flow and section and _MAPPING_KEY_SPACE.fullmatch(between):
            indent = splicing.indent_of_line(text, key.start)
            block = self._block_members(section, indent).rstrip("\r\n")
            rest = text[_content_end(value) :]
            return text[: key.end] + ":" + self.line_break + block + rest
        start, end, replacement = self._value_edit(value, section)
        return text[:start] + replacement + text[end:]

    def _value_edit(self, value: Node, new: Any) -> tuple[int, int, str]:
        """The span of ``value`` and the text that writes ``new`` there."""
        return value.start, _content_end(value), self.replacing_text(value, new)

    def _block_members(self, section: dict[str, Any], indent: str) -> str:
        inner = indent + self._block_unit(indent)
        return "".join(
            inner + self.member_text(name, value, None) + self.line_break
            for name, value in section.items()
        )

    def _block_unit(self, indent: str) -> str:
        for _, value in self.root.pairs():
            if value.kind in (MAPPING, SEQUENCE) and not value.flow and value.items:
                inner = splicing.indent_of_line(self.text, value.items[0].start)
                return splicing.relative_indent(inner, indent, "  ")
        return "  "

    def member_text(self, key: str, value: Any, like: Pair | None) -> str:
        return self._flow_text({key: value})[1:-1]

    def value_text(self, value: Any) -> str:
        return self._flow_text([value])[1:-1]

    def _flow_text(self, data: Any) -> str:
        return to_yaml(data, default_flow_style=True, width=math.inf).rstrip("\n")
