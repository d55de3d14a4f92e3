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
from collections.abc import Iterator
from typing import Any

from deepmd_lr.files.nodes import MAPPING, SCALAR, SEQUENCE, Node
from deepmd_lr.files.reader import InputDocument
from deepmd_lr.files.splicing import (
    added_separator,
    braces_of,
    edit_braces,
    indent_of_line,
    line_break_of,
    line_end,
    line_start,
    refuse,
    relative_indent,
    same_value,
)
from deepmd_lr.files.storage import InputFileError
from deepmd_lr.files.writer import safe_dumper
from deepmd_lr.files.yaml_text import pyyaml
from deepmd_lr.section.keys import SECTION

__all__ = ["edit_yaml"]

_MAPPING_KEY_SPACE = re.compile(r"[ \t]*:[ \t]*")


def edit_yaml(document: InputDocument, section: dict[str, Any], *, bare: bool) -> str:
    """The text of ``document`` with its section (or with ``bare``, its whole
    mapping) holding ``section``; ``document.data`` must be a mapping."""
    return _YamlEdit(document).edit(section, bare=bare)


def _written(node: Node) -> Iterator[Node]:
    """``node`` and every node written inside it (not those an alias repeats)."""
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.items)


def _content_end(node: Node) -> int:
    """Where the node's text ends, before any comment or blank line after it."""
    while node.kind in (MAPPING, SEQUENCE) and not node.flow and node.items:
        node = node.items[-1]
    return node.end


class _YamlEdit:
    def __init__(self, document: InputDocument) -> None:
        self.text = document.text
        self.data: dict[Any, Any] = document.data
        self.root = document.root
        self.line_break = line_break_of(document.text)
        self.yaml = pyyaml()
        self.aliased = {
            node.target.anchor
            for node in _written(document.root)
            if node.target is not None and node.target.anchor is not None
        }

    def edit(self, section: dict[str, Any], *, bare: bool) -> str:
        root, original = self.root, self.data
        if root.kind != MAPPING:
            raise refuse("the top level is not a mapping")
        if bare:
            return self._edit_mapping(root, original, section)
        found = [(key, value) for key, value in root.pairs() if key.key == SECTION]
        if len(found) > 1:
            raise refuse("the file has more than one learning_rate")
        if not found:
            if SECTION in original:
                raise refuse(
                    "learning_rate comes from a merge key (<<); write the "
                    "section out under its own key"
                )
            return self._add_section(section)
        key, value = found[0]
        self._check_not_shared(value, "learning_rate")
        if value.kind == MAPPING and isinstance(original[SECTION], dict):
            return self._edit_mapping(value, original[SECTION], section)
        return self._replace_value(key, value, section)

    def _check_not_shared(self, node: Node, what: str) -> None:
        anchors = {inner.anchor for inner in _written(node) if inner.anchor}
        used = sorted(anchor for anchor in self.aliased if anchor in anchors)
        if used:
            raise refuse(
                f"{what} holds the anchor &{used[0]}, which an alias (*{used[0]}) "
                "repeats elsewhere; editing it would change that place too"
            )

    def _edit_mapping(
        self, mapping: Node, old: dict[Any, Any], new: dict[str, Any]
    ) -> str:
        text = self.text
        pairs = mapping.pairs()
        for key, _ in pairs:
            if key.merge:
                raise refuse(
                    "it uses a merge key (<<); write the merged keys out in the section"
                )
            if key.kind != SCALAR or not isinstance(key.key, str):
                raise refuse("it has a key that is not a string")
        names = [key.key for key, _ in pairs]
        if len(set(names)) < len(names):
            raise refuse("a key is given twice in it")
        for key, value in pairs:
            if key.key not in new or not same_value(old[key.key], new[key.key]):
                self._check_not_shared(value, f"learning_rate/{key.key}")
        if mapping.flow:
            braces = braces_of(text, mapping)
            replacement = edit_braces(
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
        self, pairs: list[tuple[Node, Node]], old: dict[Any, Any], new: dict[str, Any]
    ) -> str:
        text = self.text
        first_key = pairs[0][0]
        indent = text[line_start(text, first_key.start) : first_key.start]
        if indent.strip():
            raise refuse("its first key shares a line with other text")
        edits: list[tuple[int, int, str]] = []
        kept_end: int | None = None
        for key, value in pairs:
            if key.key not in new:
                end = text.find("\n", _content_end(value))
                end = len(text) if end < 0 else end + 1
                edits.append((line_start(text, key.start), end, ""))
                continue
            kept_end = _content_end(value)
            if same_value(old[key.key], new[key.key]):
                continue
            rendered = self._value_text(new[key.key])
            if value.start == value.end:
                rendered = " " + rendered
            edits.append((value.start, _content_end(value), rendered))
        added = [
            self._member_text(name, item)
            for name, item in new.items()
            if name not in {key.key for key, _ in pairs}
        ]
        if added and kept_end is None:
            place = line_start(text, first_key.start)
            lines = "".join(indent + member + self.line_break for member in added)
            edits.append((place, place, lines))
        elif added and kept_end is not None:
            place = line_end(text, kept_end)
            lines = "".join(self.line_break + indent + member for member in added)
            edits.append((place, place, lines))
        if not added and kept_end is None:
            raise refuse("it would have no key left")
        edited = text
        for start, end, replacement in sorted(edits, reverse=True):
            edited = edited[:start] + replacement + edited[end:]
        return edited

    def _add_section(self, section: dict[str, Any]) -> str:
        text, root = self.text, self.root
        if root.flow:
            braces = braces_of(text, root)
            member = self._member_text(SECTION, section)
            separator = added_separator(text, braces, self.line_break)
            if not braces.members:
                return text[: braces.open + 1] + member + text[braces.close :]
            place = braces.members[-1].value_end
            return text[:place] + separator + member + text[place:]
        place = root.end
        block = self._block_section(section, indent_of_line(text, root.start))
        if place > 0 and text[place - 1] != "\n":
            return text[:place] + self.line_break + block.rstrip("\r\n") + text[place:]
        return text[:place] + block + text[place:]

    def _replace_value(self, key: Node, value: Node, section: dict[str, Any]) -> str:
        text = self.text
        between = text[key.end : value.start]
        if not self.root.flow and section and _MAPPING_KEY_SPACE.fullmatch(between):
            indent = indent_of_line(text, key.start)
            block = self._block_members(section, indent).rstrip("\r\n")
            return (
                text[: key.end]
                + ":"
                + self.line_break
                + block
                + text[_content_end(value) :]
            )
        rendered = self._value_text(section)
        if value.start == value.end:
            rendered = " " + rendered
        return text[: value.start] + rendered + text[_content_end(value) :]

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
            if value.kind in (MAPPING, SEQUENCE) and not value.flow and value.items:
                inner = indent_of_line(self.text, value.items[0].start)
                return relative_indent(inner, indent, "  ")
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
    base = safe_dumper(yaml)

    class PortableDumper(base):  # type: ignore[misc,valid-type]
        pass

    def represent_text(dumper: Any, text: str) -> Any:
        if _YAML_1_2_NOT_TEXT.fullmatch(text):
            return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="'")
        return base.yaml_representers[str](dumper, text)

    PortableDumper.add_representer(str, represent_text)
    return PortableDumper
