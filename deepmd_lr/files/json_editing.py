"""Editing the ``learning_rate`` section of a JSON text, in place.

The section's object is edited member by member within its braces; a
section written as another value is replaced by an object in the layout of
the file (on one line, or one member per line with the file's indent).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deepmd_lr.files.nodes import MAPPING
from deepmd_lr.files.reader import InputDocument
from deepmd_lr.files.splicing import (
    Braces,
    Member,
    added_separator,
    braces_of,
    edit_braces,
    indent_of_line,
    line_break_of,
    line_start,
    refuse,
    relative_indent,
)
from deepmd_lr.files.storage import InputFileError
from deepmd_lr.files.writer import to_json
from deepmd_lr.section.keys import SECTION
from deepmd_lr.section.text import OutOfRangeFloat, describe, short_text

__all__ = ["edit_json"]


def edit_json(document: InputDocument, section: dict[str, Any], *, bare: bool) -> str:
    """The text of ``document`` with its section (or with ``bare``, its whole
    object) holding ``section``; ``document.data`` must be an object."""
    return _JsonEdit(document).edit(section, bare=bare)


class _JsonEdit:
    def __init__(self, document: InputDocument) -> None:
        self.text = document.text
        self.data: dict[str, Any] = document.data
        self.root = braces_of(document.text, document.root)
        self.values = [value for _, value in document.root.pairs()]
        """The top-level values, in the order of ``self.root.members``."""
        self.line_break = line_break_of(document.text)

    def edit(self, section: dict[str, Any], *, bare: bool) -> str:
        text, root = self.text, self.root
        unit = self._unit(root)
        if bare:
            return self._splice(root, section, self.data, unit)
        found = [
            index for index, member in enumerate(root.members) if member.key == SECTION
        ]
        if len(found) > 1:
            raise refuse("the file has more than one learning_rate")
        multiline = "\n" in text[root.open : root.close]
        if not found:
            like = root.members[-1] if root.members else None
            indent = indent_of_line(text, like.key_start) if like else unit
            value = self._object_text(section, indent, unit, multiline, like)
            if like is None:
                return self._splice(root, {SECTION: section}, {}, unit)
            return (
                text[: like.value_end]
                + added_separator(text, root, self.line_break)
                + _json_text(SECTION)
                + self._colon(like)
                + value
                + text[like.value_end :]
            )
        (index,) = found
        member, value_node = root.members[index], self.values[index]
        if value_node.kind == MAPPING:
            braces = braces_of(text, value_node)
            return self._splice(braces, section, self.data[SECTION], unit)
        indent = indent_of_line(text, member.key_start)
        value = self._object_text(section, indent, unit, multiline, member)
        return text[: member.value_start] + value + text[member.value_end :]

    def _splice(
        self, braces: Braces, new: dict[str, Any], old: Mapping[str, Any], unit: str
    ) -> str:
        text = self.text
        for index, member in enumerate(braces.members):
            if any(other.key == member.key for other in braces.members[:index]):
                raise refuse(f"the key {short_text(member.key)} is given twice")
        replacement = edit_braces(
            text, braces, old, new, _json_text, self._member_text, unit
        )
        return text[: braces.open] + replacement + text[braces.close + 1 :]

    def _member_text(self, key: str, value: Any, like: Member | None) -> str:
        return _json_text(key) + self._colon(like) + _json_text(value)

    def _colon(self, like: Member | None) -> str:
        return ": " if like is None else self.text[like.key_end : like.value_start]

    def _object_text(
        self,
        section: dict[str, Any],
        indent: str,
        unit: str,
        multiline: bool,
        like: Member | None,
    ) -> str:
        if not section:
            return "{}"
        colon = self._colon(like)
        items = [_json_text(key) + colon + _json_text(v) for key, v in section.items()]
        if not multiline:
            return "{" + ", ".join(items) + "}"
        inner = self.line_break + indent + unit
        return "{" + inner + ("," + inner).join(items) + self.line_break + indent + "}"

    def _unit(self, root: Braces) -> str:
        if not root.members:
            return "    "
        first = root.members[0].key_start
        if line_start(self.text, first) <= root.open:
            return "    "
        return relative_indent(
            indent_of_line(self.text, first),
            indent_of_line(self.text, root.open),
            "    ",
        )


def _json_text(value: Any) -> str:
    if isinstance(value, OutOfRangeFloat):
        return value.literal
    try:
        return to_json(value)
    except (TypeError, ValueError):
        raise InputFileError(
            f"learning_rate: {describe(value)} cannot be written as JSON"
        ) from None
