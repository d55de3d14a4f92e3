"""Splicing an edit into a file's own text, keeping its layout.

What the JSON and YAML editors share: whether a value stays the same (and
so keeps its bytes), the layout of the text around a key (its line, its
indent, the line break the file uses) and the edit of an object written in
braces, a JSON object or a YAML flow mapping.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from deepmd_lr.files.nodes import Node
from deepmd_lr.files.storage import InputFileError

__all__ = [
    "Braces",
    "Member",
    "added_separator",
    "braces_of",
    "edit_braces",
    "indent_of_line",
    "line_break_of",
    "line_end",
    "line_start",
    "refuse",
    "relative_indent",
    "same_value",
]


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


@dataclass
class Member:
    """One key and its value, by position in the text."""

    key: Any
    key_start: int
    key_end: int
    value_start: int
    value_end: int
    """Where the value's own text ends (a YAML comment after it is outside)."""


@dataclass
class Braces:
    """An object in braces: a JSON object or a YAML flow mapping."""

    open: int
    close: int
    members: list[Member]


def line_break_of(text: str) -> str:
    """The line break the text uses: ``\\r\\n`` or ``\\n``."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def line_end(text: str, index: int) -> int:
    """Where the line holding ``index`` ends, before its line break."""
    end = text.find("\n", index)
    if end < 0:
        return len(text)
    return end - 1 if end > index and text[end - 1] == "\r" else end


def indent_of_line(text: str, index: int) -> str:
    start = line_start(text, index)
    match = re.compile(r"[ \t]*").match(text, start)
    assert match is not None
    return match.group()


def relative_indent(inner: str, outer: str, default: str) -> str:
    if inner.startswith(outer) and len(inner) > len(outer):
        return inner[len(outer) :]
    return default


def added_separator(text: str, braces: Braces, line_break: str) -> str:
    """The text between two members, as the object already writes it."""
    members = braces.members
    if len(members) >= 2:
        separator = text[members[-2].value_end : members[-1].key_start]
    else:
        lead = text[braces.open + 1 : members[0].key_start]
        colon = text[members[0].key_end : members[0].value_start]
        separator = "," + (lead or ("" if colon == ":" else " "))
    if "#" in separator:
        # A comment belongs to the members it stands between.
        if "\n" not in separator:
            return ", "
        return "," + line_break + indent_of_line(text, members[-1].key_start)
    return separator


def edit_braces(
    text: str,
    braces: Braces,
    old: Mapping[Any, Any],
    new: Mapping[Any, Any],
    render_value: Callable[[Any], str],
    render_member: Callable[[Any, Any, Member | None], str],
    unit: str,
) -> str:
    """The new text of ``braces``, from its ``{`` to its ``}``."""
    members = braces.members
    line_break = line_break_of(text)
    interior = text[braces.open + 1 : braces.close]
    present = {member.key for member in members}
    like = members[-1] if members else None
    added = [
        render_member(key, value, like)
        for key, value in new.items()
        if key not in present
    ]
    pieces: list[tuple[str, str | None]] = []
    for index, member in enumerate(members):
        if member.key not in new:
            continue
        if same_value(old[member.key], new[member.key]):
            value = text[member.value_start : member.value_end]
        else:
            value = render_value(new[member.key])
        following = (
            text[member.value_end : members[index + 1].key_start]
            if index + 1 < len(members)
            else None
        )
        pieces.append((text[member.key_start : member.value_start] + value, following))
    if members:
        lead = text[braces.open + 1 : members[0].key_start]
        trail = text[members[-1].value_end : braces.close]
        separator = added_separator(text, braces, line_break)
    elif "\n" not in interior:
        lead, trail, separator = "", interior, ", "
    else:
        indent = indent_of_line(text, braces.close) + unit
        lead = line_break + indent
        trail = interior[line_start(interior, len(interior)) - len(line_break) :]
        separator = "," + line_break + indent
    pieces.extend((member, None) for member in added)
    if not pieces:
        return "{" + (trail[trail.rfind("\n") :] if "\n" in trail else "") + "}"
    parts = [lead]
    for index, (piece, following) in enumerate(pieces):
        parts.append(piece)
        if index + 1 < len(pieces):
            parts.append(separator if following is None else following)
    parts.append(trail)
    return "{" + "".join(parts) + "}"


def braces_of(text: str, mapping: Node) -> Braces:
    """A mapping written in braces (a JSON object, a YAML flow mapping), by position."""
    return Braces(
        text.index("{", mapping.start),
        mapping.end - 1,
        [
            Member(key.key, key.start, key.end, value.start, value.end)
            for key, value in mapping.pairs()
        ],
    )
