"""Reading input files (JSON, or YAML when PyYAML is installed) in one pass.

The format follows the file name: ``.yaml``/``.yml`` is YAML, anything else
JSON. Each text is read once, into an :class:`InputDocument`: its data,
its nodes placed in the text (:mod:`.nodes`), from which come the position
of every key and the spans an edit replaces, and its repeated keys.

Reading has stated limits, each reported as its own one-line
:class:`InputFileError`: at most :data:`~.nodes.MAX_DEPTH` nested lists and objects,
integer literals no longer than Python converts (4300 digits by default), at
most :data:`~.nodes.MAX_ALIAS_VALUES` values added by YAML aliases, one YAML
document. These are checked before anything recursive touches the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from deepmd_lr.files.json_text import read_json
from deepmd_lr.files.nodes import MAPPING, SEQUENCE, Node, line_and_column, line_starts
from deepmd_lr.files.storage import InputFileError, read_text
from deepmd_lr.files.yaml_text import read_yaml

KeyPath = tuple[Any, ...]
"""Keys from the top of a file down to a value: a mapping's key as the
reader builds it (a string in JSON), a list's index as an ``int``."""


@dataclass(frozen=True)
class DuplicateKey:
    """A key given more than once in the same object; the last value is kept."""

    path: KeyPath
    """Keys (and list indices) from the top of the file to the repeated key."""
    line: int | None = None
    """The line of the repeated occurrence."""


class KeyPosition(NamedTuple):
    """The span of a key as written, from its first character to past its last."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class InputDocument:
    """An input file as read: its data, its written nodes and its repeated keys."""

    text: str = field(repr=False)
    """The text read, without a byte-order mark."""
    format: str
    """``"json"`` or ``"yaml"``."""
    data: Any
    root: Node = field(repr=False, compare=False)
    """The top value as written."""
    duplicate_keys: tuple[DuplicateKey, ...] = ()
    """Every repeated occurrence of a key, in the order of the text; a key
    repeated inside a YAML anchor is repeated wherever an alias or a merge
    key (``<<``) brings it."""

    @cached_property
    def key_positions(self) -> dict[KeyPath, KeyPosition]:
        """The position of every key, by its path.

        A key written more than once has the position of its last
        occurrence, the one whose value a reader keeps. In YAML, keys that
        a merge key (``<<``) brings in are located where the merged mapping
        writes them, and so are the keys an alias repeats.

        Examples
        --------
        >>> text = '{"learning_rate": {\\n  "start_lr": 0.001\\n}}'
        >>> parse_input(text, "json").key_positions[("learning_rate", "start_lr")]
        KeyPosition(line=2, column=3, end_line=2, end_column=13)
        >>> document = parse_input("training:\\n  numb_steps: 10\\n", "yaml")
        >>> document.key_positions[("training", "numb_steps")][:2]
        (2, 3)
        """
        keys: dict[KeyPath, Node] = {}
        _find_kept_keys(self.root, (), keys)
        starts = line_starts(self.text)
        return {
            path: KeyPosition(
                *line_and_column(starts, key.start), *line_and_column(starts, key.end)
            )
            for path, key in keys.items()
        }


def file_format(path: str | Path) -> str:
    """``"yaml"`` for ``.yaml``/``.yml`` files, ``"json"`` for anything else."""
    return "yaml" if Path(path).suffix.lower() in (".yaml", ".yml") else "json"


def read_input(path: str | Path) -> InputDocument:
    """Parse a JSON or YAML file within the reading limits.

    A UTF-8 byte-order mark is accepted; YAML is read with safe loading only.

    Raises
    ------
    InputFileError
        When the file is missing, not a regular file, empty, not valid
        JSON/YAML, beyond a reading limit, or YAML while PyYAML is not
        installed.
    """
    try:
        text = read_text(path)
    except MemoryError:
        raise InputFileError("out of memory while reading the file") from None
    return parse_input(text, file_format(path))


def parse_input(text: str, fmt: str) -> InputDocument:
    """Parse the text of a JSON or YAML input (``fmt``) within the reading limits.

    A leading byte-order mark is ignored, as in a file.

    Raises
    ------
    InputFileError
        When the text is empty, not valid JSON/YAML or beyond a reading limit,
        or is YAML while PyYAML is not installed; a syntax error carries its
        ``line`` and ``column``.
    """
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise InputFileError("the file is empty")
    try:
        data, root = read_yaml(text) if fmt == "yaml" else read_json(text)
        repeated: list[DuplicateKey] = []
        _find_repeated_keys(root, (), line_starts(text), repeated)
    except MemoryError:
        raise InputFileError("out of memory while reading the file") from None
    return InputDocument(text, fmt, data, root, tuple(repeated))


def _find_repeated_keys(
    node: Node, path: KeyPath, starts: list[int], repeated: list[DuplicateKey]
) -> None:
    """Add to ``repeated`` each key of ``node`` written again in its mapping,
    given the :func:`~.nodes.line_starts` of the text."""
    node = node.resolved
    if node.kind == SEQUENCE:
        for index, item in enumerate(node.items):
            _find_repeated_keys(item, (*path, index), starts, repeated)
    elif node.kind == MAPPING:
        seen = set()
        for key, value in node.pairs():
            if key.merge:
                # The merged mappings fill the mapping that merges them.
                for source in _merged_mappings(value):
                    _find_repeated_keys(source, path, starts, repeated)
                continue
            if key.key in seen:
                line, _ = line_and_column(starts, key.start)
                repeated.append(DuplicateKey((*path, key.key), line))
            seen.add(key.key)
            _find_repeated_keys(value, (*path, key.key), starts, repeated)


def _find_kept_keys(node: Node, path: KeyPath, keys: dict[KeyPath, Node]) -> None:
    """Add to ``keys`` each key below ``node`` whose value the reader keeps."""
    node = node.resolved
    if node.kind == SEQUENCE:
        for index, item in enumerate(node.items):
            _find_kept_keys(item, (*path, index), keys)
    elif node.kind == MAPPING:
        kept = {key.key: (key, value) for key, value in _loaded_pairs(node)}
        for name, (key, value) in kept.items():
            child = (*path, name)
            keys[child] = key
            _find_kept_keys(value, child, keys)


def _loaded_pairs(mapping: Node) -> list[tuple[Node, Node]]:
    """The pairs of ``mapping`` in the order the reader loads them, a later
    one winning: as written, or for a YAML mapping with a merge key, in the
    order the loader itself used (see :attr:`~.nodes.Node.loaded`)."""
    if mapping.loaded is None:
        return mapping.pairs()
    values: dict[Node, Node] = {}
    _collect_values(mapping, values)
    return [(key, values[key]) for key in mapping.loaded]


def _collect_values(mapping: Node, values: dict[Node, Node]) -> None:
    """Add to ``values`` the value of each key of ``mapping`` and of the
    mappings it merges."""
    for key, value in mapping.pairs():
        values[key] = value
        if key.merge:
            for source in _merged_mappings(value):
                _collect_values(source, values)


def _merged_mappings(value: Node) -> list[Node]:
    """The mappings that a merge key with the value ``value`` brings, in order."""
    value = value.resolved
    if value.kind == SEQUENCE:
        return [item.resolved for item in value.items]
    return [value]
