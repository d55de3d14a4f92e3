"""Editing the ``learning_rate`` section in a file's own text.

An edit changes the bytes of the section alone: every byte before and after
it stays as it was. Inside the section, a key whose value stays keeps its
bytes (``1e-3`` stays ``1e-3``, a YAML comment beside it stays), a changed
value is replaced where it stands, a removed key goes with its comma or its
line, and added keys follow the existing ones in the section's own layout.

YAML is located and read with PyYAML, the YAML 1.1 reader DeePMD-kit uses,
and new YAML values are spelled so that YAML 1.1 reads them back as meant
(``1.0e-08``, not ``1e-08``, which YAML 1.1 reads as text). The edit is made
by splicing at the positions PyYAML reports rather than by dumping the
section again, because a round-trip dump respells unchanged values (spaces
after a colon, ``~``, the spacing of a flow list).

Every result is read back with :func:`deepmd_lr.files.reader.parse_input` and
compared with the intended data; an edit that would read back differently
is refused with an :class:`~deepmd_lr.files.reader.InputFileError`, never returned.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from deepmd_lr.files.reader import (
    InputFileError,
    _check_writable_values,
    _safe_dumper,
    _yaml,
    parse_input,
)
from deepmd_lr.section.keys import SECTION
from deepmd_lr.section.text import OutOfRangeFloat, describe, short_text

__all__ = ["edit_section", "same_value"]

_BYTE_ORDER_MARK = "\ufeff"


def edit_section(
    text: str, fmt: str, new_section: Mapping[str, Any], *, bare: bool = False
) -> str:
    """``text`` with its ``learning_rate`` section holding ``new_section``.

    ``text`` is a whole training input, or with ``bare`` a file holding
    the section alone, in the format ``fmt`` (``"json"`` or ``"yaml"``).
    Only the section's bytes differ in the result; a missing section is
    added as the last top-level key. When nothing changes, ``text`` itself
    is returned.

    Raises
    ------
    InputFileError
        When ``text`` cannot be read, the section cannot be edited in place
        (a YAML merge key in it, an anchor of it used elsewhere, a repeated
        section), or the edited text would read back differently.

    Examples
    --------
    >>> text = '{"learning_rate": {"type": "exp", "start_lr": 1e-3},\\n "x": [1, 2]}'
    >>> print(edit_section(text, "json", {"type": "exp", "start_lr": 1e-3,
    ...                                   "stop_lr": 1e-8}))
    {"learning_rate": {"type": "exp", "start_lr": 1e-3, "stop_lr": 1e-08},
     "x": [1, 2]}
    """
    body = text.removeprefix(_BYTE_ORDER_MARK)
    original = parse_input(body, fmt).data
    if not isinstance(original, dict):
        raise InputFileError(
            "expected an object of keys and values at the top level; "
            "the file is left as it is"
        )
    section = dict(new_section)
    if bare:
        if same_value(original, section):
            return text
        intended = section
    else:
        if SECTION in original and same_value(original[SECTION], section):
            return text
        intended = {**original, SECTION: section}
    # What the reader accepts but the format cannot hold (JSON's Infinity)
    # is refused as when the whole input is written.
    _check_writable_values(intended, json_only=fmt == "json")
    editor = _JsonEdit(body) if fmt == "json" else _YamlEdit(body)
    edited = editor.edit(original, section, bare=bare)
    _check_reads_back(edited, fmt, intended)
    return text[: len(text) - len(body)] + edited


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


def _check_reads_back(edited: str, fmt: str, intended: dict[str, Any]) -> None:
    try:
        result = parse_input(edited, fmt).data
    except InputFileError as error:
        raise InputFileError(
            f"the edited file would not read back ({error}); it is left as it is"
        ) from None
    if not same_value(result, intended):
        raise InputFileError(
            "the learning_rate section cannot be edited in place: the edited "
            "file would read back differently; it is left as it is"
        )


def _refuse(reason: str) -> InputFileError:
    return InputFileError(
        f"the learning_rate section cannot be edited in place: {reason}; "
        "the file is left as it is"
    )


# -- layout shared by JSON and YAML ---------------------------------------------


@dataclass
class _Member:
    """One key and its value, by position in the text."""

    key: Any
    key_start: int
    key_end: int
    value_start: int
    value_end: int
    """Where the value's own text ends (a YAML comment after it is outside)."""


@dataclass
class _Braces:
    """An object in braces: a JSON object or a YAML flow mapping."""

    open: int
    close: int
    members: list[_Member]


def _line_break(text: str) -> str:
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _line_end(text: str, index: int) -> int:
    """Where the line holding ``index`` ends, before its line break."""
    end = text.find("\n", index)
    if end < 0:
        return len(text)
    return end - 1 if end > index and text[end - 1] == "\r" else end


def _indent_of_line(text: str, index: int) -> str:
    start = _line_start(text, index)
    match = re.compile(r"[ \t]*").match(text, start)
    assert match is not None
    return match.group()


def _relative_indent(inner: str, outer: str, default: str) -> str:
    if inner.startswith(outer) and len(inner) > len(outer):
        return inner[len(outer) :]
    return default


def _added_separator(text: str, braces: _Braces, line_break: str) -> str:
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
        return "," + line_break + _indent_of_line(text, members[-1].key_start)
    return separator


def _edit_braces(
    text: str,
    braces: _Braces,
    old: Mapping[Any, Any],
    new: Mapping[Any, Any],
    render_value: Callable[[Any], str],
    render_member: Callable[[Any, Any, _Member | None], str],
    unit: str,
) -> str:
    """The new text of ``braces``, from its ``{`` to its ``}``."""
    members = braces.members
    line_break = _line_break(text)
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
        separator = _added_separator(text, braces, line_break)
    elif "\n" not in interior:
        lead, trail, separator = "", interior, ", "
    else:
        indent = _indent_of_line(text, braces.close) + unit
        lead = line_break + indent
        trail = interior[_line_start(interior, len(interior)) - len(line_break) :]
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


# -- JSON ------------------------------------------------------------------------

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\[\s\S][^"\\]*)*"')
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\[\s\S][^"\\]*)*"|[\[\]{}]')
_JSON_LITERAL = re.compile(r'[^\s,:\[\]{}"]+')
_JSON_SPACE = re.compile(r"[ \t\r\n]*")
# Outside JSON strings the rendering is ASCII, so every surrogate is inside one.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class _JsonEdit:
    """A position-aware scan of JSON text that the reader has accepted."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_break = _line_break(text)

    def edit(
        self, original: dict[str, Any], section: dict[str, Any], *, bare: bool
    ) -> str:
        text = self.text
        root = self._object(self._skip(0))
        unit = self._unit(root)
        if bare:
            return self._splice(root, section, original, unit)
        found = [member for member in root.members if member.key == SECTION]
        if len(found) > 1:
            raise _refuse("the file has more than one learning_rate")
        multiline = "\n" in text[root.open : root.close]
        if not found:
            like = root.members[-1] if root.members else None
            indent = _indent_of_line(text, like.key_start) if like else unit
            value = self._object_text(section, indent, unit, multiline, like)
            if like is None:
                return self._splice(root, {SECTION: section}, {}, unit)
            return (
                text[: like.value_end]
                + _added_separator(text, root, self.line_break)
                + _json_string(SECTION)
                + self._colon(like)
                + value
                + text[like.value_end :]
            )
        (member,) = found
        if text[member.value_start] == "{":
            braces = self._object(member.value_start)
            return self._splice(braces, section, original[SECTION], unit)
        indent = _indent_of_line(text, member.key_start)
        value = self._object_text(section, indent, unit, multiline, member)
        return text[: member.value_start] + value + text[member.value_end :]

    def _splice(
        self, braces: _Braces, new: dict[str, Any], old: Mapping[str, Any], unit: str
    ) -> str:
        text = self.text
        for index, member in enumerate(braces.members):
            if any(other.key == member.key for other in braces.members[:index]):
                raise _refuse(f"the key {short_text(member.key)} is given twice")
        replacement = _edit_braces(
            text, braces, old, new, _json_text, self._member_text, unit
        )
        return text[: braces.open] + replacement + text[braces.close + 1 :]

    def _member_text(self, key: str, value: Any, like: _Member | None) -> str:
        return _json_string(key) + self._colon(like) + _json_text(value)

    def _colon(self, like: _Member | None) -> str:
        return ": " if like is None else self.text[like.key_end : like.value_start]

    def _object_text(
        self,
        section: dict[str, Any],
        indent: str,
        unit: str,
        multiline: bool,
        like: _Member | None,
    ) -> str:
        if not section:
            return "{}"
        colon = self._colon(like)
        items = [
            _json_string(key) + colon + _json_text(v) for key, v in section.items()
        ]
        if not multiline:
            return "{" + ", ".join(items) + "}"
        inner = self.line_break + indent + unit
        return "{" + inner + ("," + inner).join(items) + self.line_break + indent + "}"

    def _unit(self, root: _Braces) -> str:
        if not root.members:
            return "    "
        first = root.members[0].key_start
        if _line_start(self.text, first) <= root.open:
            return "    "
        return _relative_indent(
            _indent_of_line(self.text, first),
            _indent_of_line(self.text, root.open),
            "    ",
        )

    def _skip(self, index: int) -> int:
        match = _JSON_SPACE.match(self.text, index)
        assert match is not None
        return match.end()

    def _expect(self, index: int, characters: str) -> str:
        found = self.text[index : index + 1]
        if not found or found not in characters:
            raise InputFileError(f"not valid JSON at offset {index}")
        return found

    def _object(self, start: int) -> _Braces:
        text = self.text
        self._expect(start, "{")
        members: list[_Member] = []
        index = self._skip(start + 1)
        if text.startswith("}", index):
            return _Braces(start, index, members)
        while True:
            key = _JSON_STRING.match(text, index)
            if key is None:
                raise InputFileError(f"not valid JSON at offset {index}")
            colon = self._skip(key.end())
            self._expect(colon, ":")
            value_start = self._skip(colon + 1)
            value_end = self._value_end(value_start)
            members.append(
                _Member(
                    json.loads(key.group()),
                    key.start(),
                    key.end(),
                    value_start,
                    value_end,
                )
            )
            index = self._skip(value_end)
            if self._expect(index, ",}") == "}":
                return _Braces(start, index, members)
            index = self._skip(index + 1)

    def _value_end(self, start: int) -> int:
        text = self.text
        first = text[start : start + 1]
        if first in ("[", "{"):
            depth = 0
            for token in _JSON_TOKEN.finditer(text, start):
                bracket = token.group()
                if bracket in ("[", "{"):
                    depth += 1
                elif bracket in ("]", "}"):
                    depth -= 1
                    if depth == 0:
                        return token.end()
        else:
            match = (_JSON_STRING if first == '"' else _JSON_LITERAL).match(text, start)
            if match is not None:
                return match.end()
        raise InputFileError(f"not valid JSON at offset {start}")


def _json_string(key: str) -> str:
    return _json_text(key)


def _json_text(value: Any) -> str:
    if isinstance(value, OutOfRangeFloat):
        return value.literal
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        raise InputFileError(
            f"learning_rate: {describe(value)} cannot be written as JSON"
        ) from None
    return _LONE_SURROGATE.sub(lambda char: f"\\u{ord(char.group()):04x}", text)


# -- YAML ------------------------------------------------------------------------


@dataclass
class _Node:
    """A YAML node by position: a scalar, an alias, a list or a mapping."""

    kind: str
    start: int
    end: int
    flow: bool = False
    anchor: str | None = None
    key: Any = None
    """For a scalar that reads as a string, that string; else ``None``."""
    merge: bool = False
    children: list[_Node] = field(default_factory=list)

    def pairs(self) -> list[tuple[_Node, _Node]]:
        return list(zip(self.children[::2], self.children[1::2], strict=True))

    def content_end(self) -> int:
        """Where the node's text ends, before any comment or blank line after it."""
        node = self
        while node.kind in ("mapping", "sequence") and not node.flow and node.children:
            node = node.children[-1]
        return node.end

    def anchors(self) -> set[str]:
        found, stack = set(), [self]
        while stack:
            node = stack.pop()
            if node.anchor is not None:
                found.add(node.anchor)
            stack.extend(node.children)
        return found


_MAPPING_KEY_SPACE = re.compile(r"[ \t]*:[ \t]*")


class _YamlEdit:
    def __init__(self, text: str) -> None:
        self.text = text
        self.line_break = _line_break(text)
        self.yaml = _yaml()
        self.root, self.aliases = self._tree()

    def edit(
        self, original: dict[str, Any], section: dict[str, Any], *, bare: bool
    ) -> str:
        root = self.root
        if root.kind != "mapping":
            raise _refuse("the top level is not a mapping")
        if bare:
            return self._edit_mapping(root, original, section)
        found = [(key, value) for key, value in root.pairs() if key.key == SECTION]
        if len(found) > 1:
            raise _refuse("the file has more than one learning_rate")
        if not found:
            if SECTION in original:
                raise _refuse(
                    "learning_rate comes from a merge key (<<); write the "
                    "section out under its own key"
                )
            return self._add_section(section)
        key, value = found[0]
        self._check_not_shared(value, "learning_rate")
        if value.kind == "mapping" and isinstance(original[SECTION], dict):
            return self._edit_mapping(value, original[SECTION], section)
        return self._replace_value(key, value, section)

    def _tree(self) -> tuple[_Node, set[str]]:
        yaml = self.yaml
        resolver = yaml.resolver.Resolver()
        aliases: set[str] = set()
        open_nodes: list[_Node] = []
        root: _Node | None = None
        for event in yaml.parse(self.text, Loader=yaml.SafeLoader):
            start, end = event.start_mark.index, event.end_mark.index
            if isinstance(event, yaml.ScalarEvent):
                tag = event.tag
                if tag is None or tag == "!":
                    tag = resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
                node = _Node("scalar", start, end, anchor=event.anchor)
                if tag == "tag:yaml.org,2002:str":
                    node.key = event.value
                node.merge = tag == "tag:yaml.org,2002:merge"
                if event.style in ("|", ">"):
                    # A block scalar's text includes its last line breaks.
                    node.end = start + len(self.text[start:end].rstrip())
            elif isinstance(event, yaml.AliasEvent):
                aliases.add(event.anchor)
                node = _Node("alias", start, end)
            elif isinstance(event, yaml.CollectionStartEvent):
                kind = (
                    "mapping"
                    if isinstance(event, yaml.MappingStartEvent)
                    else "sequence"
                )
                open_nodes.append(
                    _Node(kind, start, end, bool(event.flow_style), event.anchor)
                )
                continue
            elif isinstance(event, yaml.CollectionEndEvent):
                node = open_nodes.pop()
                node.end = end
            else:
                continue
            if open_nodes:
                open_nodes[-1].children.append(node)
            else:
                root = node
        assert root is not None
        return root, aliases

    def _check_not_shared(self, node: _Node, what: str) -> None:
        used = sorted(node.anchors() & self.aliases)
        if used:
            raise _refuse(
                f"{what} holds the anchor &{used[0]}, which an alias (*{used[0]}) "
                "repeats elsewhere; editing it would change that place too"
            )

    def _edit_mapping(
        self, mapping: _Node, old: dict[Any, Any], new: dict[str, Any]
    ) -> str:
        text = self.text
        pairs = mapping.pairs()
        for key, _ in pairs:
            if key.merge:
                raise _refuse(
                    "it uses a merge key (<<); write the merged keys out in the section"
                )
            if key.kind != "scalar" or key.key is None:
                raise _refuse("it has a key that is not a string")
        names = [key.key for key, _ in pairs]
        if len(set(names)) < len(names):
            raise _refuse("a key is given twice in it")
        for key, value in pairs:
            if key.key not in new or not same_value(old[key.key], new[key.key]):
                self._check_not_shared(value, f"learning_rate/{key.key}")
        if mapping.flow:
            braces = _Braces(
                text.index("{", mapping.start),
                mapping.end - 1,
                [
                    _Member(key.key, key.start, key.end, value.start, value.end)
                    for key, value in pairs
                ],
            )
            replacement = _edit_braces(
                text,
                braces,
                old,
                new,
                self._value_text,
                lambda name, value, like: self._member_text(name, value),
                "  ",
            )
            return text[: braces.open] + replacement + text[braces.close + 1 :]
        return self._edit_block(pairs, old, new)

    def _edit_block(
        self, pairs: list[tuple[_Node, _Node]], old: dict[Any, Any], new: dict[str, Any]
    ) -> str:
        text = self.text
        first_key = pairs[0][0]
        indent = text[_line_start(text, first_key.start) : first_key.start]
        if indent.strip():
            raise _refuse("its first key shares a line with other text")
        edits: list[tuple[int, int, str]] = []
        kept_end: int | None = None
        for key, value in pairs:
            if key.key not in new:
                end = text.find("\n", value.content_end())
                end = len(text) if end < 0 else end + 1
                edits.append((_line_start(text, key.start), end, ""))
                continue
            kept_end = value.content_end()
            if same_value(old[key.key], new[key.key]):
                continue
            rendered = self._value_text(new[key.key])
            if value.start == value.end:
                rendered = " " + rendered
            edits.append((value.start, value.content_end(), rendered))
        added = [
            self._member_text(name, item)
            for name, item in new.items()
            if name not in {key.key for key, _ in pairs}
        ]
        if added and kept_end is None:
            place = _line_start(text, first_key.start)
            lines = "".join(indent + member + self.line_break for member in added)
            edits.append((place, place, lines))
        elif added and kept_end is not None:
            place = _line_end(text, kept_end)
            lines = "".join(self.line_break + indent + member for member in added)
            edits.append((place, place, lines))
        if not added and kept_end is None:
            raise _refuse("it would have no key left")
        edited = text
        for start, end, replacement in sorted(edits, reverse=True):
            edited = edited[:start] + replacement + edited[end:]
        return edited

    def _add_section(self, section: dict[str, Any]) -> str:
        text, root = self.text, self.root
        if root.flow:
            braces = _Braces(
                text.index("{", root.start),
                root.end - 1,
                [
                    _Member(key.key, key.start, key.end, value.start, value.end)
                    for key, value in root.pairs()
                ],
            )
            member = self._member_text(SECTION, section)
            separator = _added_separator(text, braces, self.line_break)
            if not braces.members:
                return text[: braces.open + 1] + member + text[braces.close :]
            place = braces.members[-1].value_end
            return text[:place] + separator + member + text[place:]
        place = root.end
        block = self._block_section(section, _indent_of_line(text, root.start))
        if place > 0 and text[place - 1] != "\n":
            return text[:place] + self.line_break + block.rstrip("\r\n") + text[place:]
        return text[:place] + block + text[place:]

    def _replace_value(self, key: _Node, value: _Node, section: dict[str, Any]) -> str:
        text = self.text
        between = text[key.end : value.start]
        if not self.root.flow and section and _MAPPING_KEY_SPACE.fullmatch(between):
            indent = _indent_of_line(text, key.start)
            block = self._block_members(section, indent).rstrip("\r\n")
            return (
                text[: key.end]
                + ":"
                + self.line_break
                + block
                + text[value.content_end() :]
            )
        rendered = self._value_text(section)
        if value.start == value.end:
            rendered = " " + rendered
        return text[: value.start] + rendered + text[value.content_end() :]

    def _block_section(self, section: dict[str, Any], indent: str) -> str:
        if not section:
            return indent + self._member_text(SECTION, section) + self.line_break
        heading = indent + self._value_text(SECTION) + ":" + self.line_break
        return heading + self._block_members(section, indent)

    def _block_members(self, section: dict[str, Any], indent: str) -> str:
        inner = indent + self._unit(indent)
        return "".join(
            inner + self._member_text(name, value) + self.line_break
            for name, value in section.items()
        )

    def _unit(self, indent: str) -> str:
        for _, value in self.root.pairs():
            if (
                value.kind in ("mapping", "sequence")
                and not value.flow
                and value.children
            ):
                inner = _indent_of_line(self.text, value.children[0].start)
                return _relative_indent(inner, indent, "  ")
        return "  "

    def _member_text(self, key: str, value: Any) -> str:
        return self._flow_text({key: value})[1:-1]

    def _value_text(self, value: Any) -> str:
        return self._flow_text([value])[1:-1]

    def _flow_text(self, data: Any) -> str:
        yaml = self.yaml
        try:
            text: str = yaml.dump(
                data,
                Dumper=_portable_dumper(yaml),
                default_flow_style=True,
                sort_keys=False,
                allow_unicode=True,
                width=math.inf,
            )
        except (yaml.YAMLError, ValueError) as error:
            raise InputFileError(
                f"learning_rate: a value cannot be written as YAML ({error})"
            ) from None
        return text.rstrip("\n")


# Plain scalars that YAML 1.1 reads as text but the YAML 1.2 core schema reads
# as a number, boolean or null (1e-3, 0o10, 0E0, .5e3).
_YAML_1_2_NOT_TEXT = re.compile(
    r"null|Null|NULL|~|true|True|TRUE|false|False|FALSE"
    r"|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)


def _portable_dumper(yaml: Any) -> Any:
    """The project's dumper, quoting text that a YAML 1.2 reader takes for a number.

    YAML 1.1 readers (PyYAML, DeePMD-kit) read such text as text either way;
    the quotes keep YAML 1.2 readers (ruamel.yaml, editors) from reading
    another value.
    """
    base = _safe_dumper(yaml)

    class PortableDumper(base):  # type: ignore[misc,valid-type]
        pass

    def represent_text(dumper: Any, text: str) -> Any:
        if _YAML_1_2_NOT_TEXT.fullmatch(text):
            return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="'")
        return base.yaml_representers[str](dumper, text)

    PortableDumper.add_representer(str, represent_text)
    return PortableDumper
