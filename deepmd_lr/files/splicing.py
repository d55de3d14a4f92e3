"""Splicing an edit into a file's own text, keeping its layout.

What the JSON and YAML editors share: whether a value stays the same (and
so keeps its bytes), the layout of the text around a key (its line, its
indent, the line break the file uses), and :class:`SectionEdit`, the steps
of an edit of the section, which each format completes with how it writes
keys and values. An object written in braces, a JSON object or a YAML flow
mapping, is edited member by member, in the same way for both.
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from itertools import zip_longest
from typing import Any

from deepmd_lr.files.nodes import LINE_BREAK, MAPPING, SCALAR, Node
from deepmd_lr.files.reader import InputDocument
from deepmd_lr.files.storage import InputFileError
from deepmd_lr.section.keys import SECTION
from deepmd_lr.section.text import short_text

_INDENT = re.compile(r"[ \t]*")
_BREAK_CHARACTER = re.compile(r"[\r\n]")
_LAST_LINE = re.compile(r"(?:\r\n?|\n)[^\r\n]*\Z")

Pair = tuple[Node, Node]
"""A key of a mapping with its value."""


def same_value(first: Any, second: Any) -> bool:
    """Whether two read values are the same data, kind included.

    Unlike ``==``, ``True`` is not ``1`` and ``1`` is not ``1.0``, and NaN
    is the same as NaN.

    Examples
    --------
    >>> same_value({"a": [1.0]}, {"a": [1.0]}), same_value(1, 1.0), same_value(1, True)
    (True, False, False)
    """
    if isinstance(first, dict) and isinstance(second, dict):
        return first.keys() == second.keys() and all(
            same_value(value, second[key]) for key, value in first.items()
        )
    if isinstance(first, list) and isinstance(second, list):
        return len(first) == len(second) and all(map(same_value, first, second))
    if _kind(first) != _kind(second):
        return False
    if isinstance(first, float) and math.isnan(first):
        return math.isnan(second)
    return bool(first == second)


def _kind(value: Any) -> Any:
    for kind in (bool, int, float, str, dict, list):
        if isinstance(value, kind):
            return kind
    return type(value)


def refuse(reason: str) -> InputFileError:
    return InputFileError(
        f"the learning_rate section cannot be edited in place: {reason}; "
        "the file is left as it is"
    )


def line_start(text: str, index: int) -> int:
    """Where the line holding ``index`` starts, after a ``\\n``, ``\\r\\n`` or ``\\r``."""
    return max(text.rfind("\n", 0, index), text.rfind("\r", 0, index)) + 1


def line_end(text: str, index: int) -> int:
    """Where the line holding ``index`` ends, before its line break."""
    found = _BREAK_CHARACTER.search(text, index)
    return len(text) if found is None else found.start()


def next_line_start(text: str, index: int) -> int:
    """Where the line after the one holding ``index`` starts (or the text ends)."""
    found = LINE_BREAK.search(text, index)
    return len(text) if found is None else found.end()


def has_line_break(text: str) -> bool:
    return _BREAK_CHARACTER.search(text) is not None


def indent_of_line(text: str, index: int) -> str:
    match = _INDENT.match(text, line_start(text, index))
    assert match is not None
    return match.group()


def relative_indent(inner: str, outer: str, default: str) -> str:
    if inner.startswith(outer) and len(inner) > len(outer):
        return inner[len(outer) :]
    return default


def _written(node: Node) -> Iterator[Node]:
    """``node`` and every node written inside it (not those an alias repeats)."""
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.items)


class SectionEdit(ABC):
    """The edit of one document's section (or with ``bare``, of its whole
    mapping), in the document's own text.

    Every place the edit would change beyond the section is refused: a
    repeated section, a key merged in (``<<``), an anchor that an alias
    repeats elsewhere.
    """

    unit = "  "
    """The indent of one level, for an empty object written over lines."""

    def __init__(self, document: InputDocument) -> None:
        self.text = document.text
        self.data: dict[Any, Any] = document.data
        self.root = document.root
        first_break = LINE_BREAK.search(self.text)
        self.line_break = "\n" if first_break is None else first_break.group()
        self.aliased = {
            node.target.anchor
            for node in _written(document.root)
            if node.target is not None and node.target.anchor is not None
        }

    def edit(self, section: dict[str, Any], *, bare: bool) -> str:
        if bare:
            return self.edit_mapping(self.root, self.data, section)
        found = [pair for pair in self.root.pairs() if pair[0].key == SECTION]
        if len(found) > 1:
            raise refuse("the file has more than one learning_rate")
        if not found and SECTION in self.data:
            raise refuse(
                "learning_rate comes from a merge key (<<); write the "
                "section out under its own key"
            )
        if not found:
            return self.add_section(section)
        key, value = found[0]
        self.check_not_shared(value, "learning_rate")
        if value.kind == MAPPING and isinstance(self.data[SECTION], dict):
            return self.edit_mapping(value, self.data[SECTION], section)
        return self.replace_value(key, value, section)

    def check_not_shared(self, node: Node, what: str) -> None:
        anchors = {inner.anchor for inner in _written(node) if inner.anchor}
        used = sorted(anchor for anchor in self.aliased if anchor in anchors)
        if used:
            raise refuse(
                f"{what} holds the anchor &{used[0]}, which an alias (*{used[0]}) "
                "repeats elsewhere; editing it would change that place too"
            )

    def edit_mapping(
        self, mapping: Node, old: dict[Any, Any], new: dict[str, Any]
    ) -> str:
        """The text with ``mapping``, written in braces, holding ``new``."""
        self.check_members(mapping, old, new)
        text, line_break, pairs = self.text, self.line_break, mapping.pairs()
        opening, closing = text.index("{", mapping.start), mapping.end - 1
        interior = text[opening + 1 : closing]
        added = self.added_members(pairs, new, pairs[-1] if pairs else None)
        pieces: list[tuple[str, str | None]] = []
        next_starts = [key.start for key, _ in pairs[1:]]
        for (key, value), next_start in zip_longest(pairs, next_starts):
            if key.key not in new:
                continue
            if same_value(old[key.key], new[key.key]):
                value_text = text[value.start : value.end]
            else:
                value_text = self.replacing_text(value, new[key.key])
            following = None if next_start is None else text[value.end : next_start]
            pieces.append((text[key.start : value.start] + value_text, following))
        if pairs:
            lead = text[opening + 1 : pairs[0][0].start]
            trail = text[pairs[-1][1].end : closing]
            separator = self._added_separator(mapping)
        elif not has_line_break(interior):
            lead, trail, separator = "", interior, ", "
        else:
            indent = indent_of_line(text, closing) + self.unit
            lead = line_break + indent
            trail = interior[line_start(interior, len(interior)) - len(line_break) :]
            separator = "," + line_break + indent
        pieces.extend((member, None) for member in added)
        if not pieces:
            last_line = _LAST_LINE.search(trail)
            inside = "" if last_line is None else last_line.group()
            return text[: opening + 1] + inside + text[closing:]
        # Each member but the last is followed by the text that followed it,
        # or if it followed none, by the separator of added members.
        joined = "".join(
            piece + (separator if following is None else following)
            for piece, following in pieces[:-1]
        )
        inside = lead + joined + pieces[-1][0] + trail
        return text[: opening + 1] + inside + text[closing:]

    def check_members(
        self, mapping: Node, old: dict[Any, Any], new: dict[str, Any]
    ) -> None:
        """Refuse an edit of ``mapping`` that would change another place too."""
        pairs = mapping.pairs()
        for key, _ in pairs:
            if key.merge:
                raise refuse(
                    "it uses a merge key (<<); write the merged keys out in the section"
                )
            if key.kind != SCALAR or not isinstance(key.key, str):
                raise refuse("it has a key that is not a string")
        for key, value in pairs:
            if value.start == value.end and self.text[value.start - 1] != ":":
                name = short_text(key.key)
                raise refuse(
                    f"the key {name} is written with no ':' and no value; "
                    f"write it as '{name}:'"
                )
        seen = set()
        for key, _ in pairs:
            if key.key in seen:
                raise refuse(f"the key {short_text(key.key)} is given twice")
            seen.add(key.key)
        for key, value in pairs:
            if key.key not in new or not same_value(old[key.key], new[key.key]):
                self.check_not_shared(value, f"learning_rate/{key.key}")

    def add_section(self, section: dict[str, Any]) -> str:
        """The text with the section added to a top-level object in braces."""
        pairs = self.root.pairs()
        if not pairs:
            return self.edit_mapping(self.root, {}, {SECTION: section})
        place = pairs[-1][1].end
        separator = self._added_separator(self.root)
        member = self.section_member(section, pairs[-1])
        return self.text[:place] + separator + member + self.text[place:]

    def added_members(
        self, pairs: list[Pair], new: Mapping[Any, Any], like: Pair | None
    ) -> list[str]:
        """The members of ``new`` whose key none of ``pairs`` holds, written
        like ``like``."""
        present = {key.key for key, _ in pairs}
        return [
            self.member_text(key, value, like)
            for key, value in new.items()
            if key not in present
        ]

    def section_member(self, section: dict[str, Any], like: Pair) -> str:
        """The section as a new member of the top-level object, after ``like``."""
        return self.member_text(SECTION, section, like)

    @abstractmethod
    def replace_value(self, key: Node, value: Node, section: dict[str, Any]) -> str:
        """The text with ``value``, the section's value that is not a mapping,
        replaced by ``section``."""

    def replacing_text(self, value: Node, new: Any) -> str:
        """``new`` written where ``value`` stands: after the colon of an
        empty YAML value (``stop_lr:``), with a space before it."""
        rendered = self.value_text(new)
        return " " + rendered if value.start == value.end else rendered

    @abstractmethod
    def value_text(self, value: Any) -> str:
        """``value`` as the format writes it inside braces."""

    @abstractmethod
    def member_text(self, key: str, value: Any, like: Pair | None) -> str:
        """A new member of an object in braces, written like the member ``like``."""

    def _added_separator(self, mapping: Node) -> str:
        """The text between two members of ``mapping``, as it already writes it."""
        text, pairs = self.text, mapping.pairs()
        if len(pairs) >= 2:
            separator = text[pairs[-2][1].end : pairs[-1][0].start]
        else:
            ((key, value),) = pairs
            lead = text[text.index("{", mapping.start) + 1 : key.start]
            colon = text[key.end : value.start]
            separator = "," + (lead or ("" if colon == ":" else " "))
        if "#" in separator:
            # A comment belongs to the members it stands between.
            if not has_line_break(separator):
                return ", "
            return "," + self.line_break + indent_of_line(text, pairs[-1][0].start)
        return separator
