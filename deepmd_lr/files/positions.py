"""Where each key of an input file is written: its line and column.

The parsers give values without positions, so positions come from a second
look at the text, taken only for a file that has something to report. JSON
is scanned token by token; YAML is composed into nodes by PyYAML, whose
nodes keep their marks. Lines and columns count from 1, and columns count
characters, as editors do.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from typing import Any, NamedTuple

__all__ = ["KeyPosition", "key_positions"]


class KeyPosition(NamedTuple):
    """The span of a key as written, from its first character to past its last."""

    line: int
    column: int
    end_line: int
    end_column: int


# A string, a bracket, or a separator; anything else is part of a scalar.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\[\s\S][^"\\]*)*"|[\[\]{},]')


def key_positions(text: str, fmt: str) -> dict[tuple[str, ...], KeyPosition]:
    """The position of every key of ``text``, by its path of keys.

    A list's items appear in paths as their index (``"0"``, ``"1"``, ...).
    A key written more than once has the position of its last occurrence,
    the one whose value a reader keeps. In YAML, keys that a merge key
    (``<<``) brings in are located where the merged mapping writes them.
    ``text`` must be valid JSON (``fmt="json"``) or YAML (``fmt="yaml"``).

    Examples
    --------
    >>> text = '{"learning_rate": {\\n  "start_lr": 0.001\\n}}'
    >>> key_positions(text, "json")[("learning_rate", "start_lr")]
    KeyPosition(line=2, column=3, end_line=2, end_column=13)
    >>> key_positions("training:\\n  numb_steps: 10\\n", "yaml")[
    ...     ("training", "numb_steps")][:2]
    (2, 3)
    """
    if fmt == "yaml":
        return _yaml_positions(text)
    return _json_positions(text)


def _json_positions(text: str) -> dict[tuple[str, ...], KeyPosition]:
    line_starts = [0, *(match.end() for match in re.finditer("\n", text))]

    def position(offset: int) -> tuple[int, int]:
        line = bisect_right(line_starts, offset)
        return line, offset - line_starts[line - 1] + 1

    found: dict[tuple[str, ...], KeyPosition] = {}
    # Per open container: its path, whether it is an object, and the name or
    # index of the member being read.
    path: list[str] = []
    in_object: list[bool] = []
    expects_key = False
    for token in _JSON_TOKEN.finditer(text):
        lexeme = token.group()
        if lexeme[0] == '"':
            if expects_key:
                name = json.loads(lexeme)
                path[-1] = name
                found[tuple(path)] = KeyPosition(
                    *position(token.start()), *position(token.end())
                )
                expects_key = False
        elif lexeme in "{[":
            path.append("" if lexeme == "{" else "0")
            in_object.append(lexeme == "{")
            expects_key = lexeme == "{"
        elif lexeme in "}]":
            path.pop()
            in_object.pop()
            expects_key = False
        elif in_object:
            if in_object[-1]:
                expects_key = True
            else:
                path[-1] = str(int(path[-1]) + 1)
    return found


def _yaml_positions(text: str) -> dict[tuple[str, ...], KeyPosition]:
    import yaml

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    found: dict[tuple[str, ...], KeyPosition] = {}
    if root is not None:
        _walk_yaml(yaml, root, (), found, set())
    return found


def _walk_yaml(
    yaml: Any,
    node: Any,
    path: tuple[str, ...],
    found: dict[tuple[str, ...], KeyPosition],
    open_nodes: set[int],
) -> None:
    # A node an alias repeats is walked again at each place it fills, but
    # never inside itself.
    if id(node) in open_nodes:
        return
    open_nodes.add(id(node))
    if isinstance(node, yaml.MappingNode):
        merged = [value for key, value in node.value if key.value == "<<"]
        for source in merged:
            parts = source.value if isinstance(source, yaml.SequenceNode) else [source]
            # Of several merged mappings, the first to give a key wins.
            for part in reversed(parts):
                _walk_yaml(yaml, part, path, found, open_nodes)
        for key, value in node.value:
            if key.value == "<<" or not isinstance(key, yaml.ScalarNode):
                continue
            child = (*path, key.value)
            start, end = key.start_mark, key.end_mark
            found[child] = KeyPosition(
                start.line + 1, start.column + 1, end.line + 1, end.column + 1
            )
            _walk_yaml(yaml, value, child, found, open_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk_yaml(yaml, item, (*path, str(index)), found, open_nodes)
    open_nodes.discard(id(node))
