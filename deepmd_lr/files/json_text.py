"""Reading JSON: the data from :func:`json.loads`, the nodes from one token scan.

:func:`json.loads` builds the data at C speed, with JSON's own number
rules; the scan finds where each value is written, checks the nesting limit
before :func:`json.loads` recurses into the text, and reads the keys.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from deepmd_lr.files import nodes
from deepmd_lr.files.nodes import Node
from deepmd_lr.files.storage import InputFileError
from deepmd_lr.section.text import OutOfRangeFloat

# A string, a bracket or a literal (a number, true, false, null); commas
# and colons are skipped. A string followed by a colon is a key. A string
# that is never closed runs to the end of the text, so that a quote always
# starts a match: were it retried from every later quote, the scan would
# take quadratic time.
_TOKEN = re.compile(
    r'"[^"\\]*(?:\\[\s\S][^"\\]*)*(?:"(?P<colon>[ \t\r\n]*:)?|\\?\Z)'
    r'|[\[\]{}]|[^\s\[\]{},:"]+'
)


def read_json(text: str) -> tuple[Any, Node]:
    """The data of the JSON ``text`` and its top node.

    Raises
    ------
    InputFileError
        When the text is nested too deep, is not valid JSON (the error
        carries its line and column) or holds an integer literal longer
        than Python reads (:func:`json.loads` lets the error of
        :func:`_integer` through).
    """
    root, keys = _scan(text)
    try:
        data = json.loads(text, parse_int=_integer, parse_float=_float)
    except json.JSONDecodeError as error:
        raise nodes.not_valid("JSON", error.msg, text, error.pos) from None
    # The text is valid JSON now: it has a top value, and every key is a
    # whole string.
    assert root is not None
    for key in keys:
        key.key = json.loads(text[key.start : key.end])
    return data, root


def _scan(text: str) -> tuple[Node | None, list[Node]]:
    """The top node of ``text`` and its keys, as far as the text is JSON.

    Text that is not JSON gives some nodes and no error but one of depth:
    :func:`json.loads` reports the rest.
    """
    root: Node | None = None
    keys: list[Node] = []
    # The lists and objects not yet closed, each with its items so far.
    open_nodes: list[tuple[Node, list[Node]]] = []
    for token in _TOKEN.finditer(text):
        if root is not None and not open_nodes:
            # Anything after the top value is an error that json.loads
            # reports without reading it.
            break
        start, end = token.span()
        first = text[start]
        if first in "]}":
            if open_nodes:
                node, items = open_nodes.pop()
                node.end, node.items = end, tuple(items)
            continue
        if first in "[{":
            if len(open_nodes) >= nodes.MAX_DEPTH:
                line, _ = nodes.position(text, start)
                raise InputFileError(nodes.depth_message(f"at line {line}"), line=line)
            node = Node(nodes.MAPPING if first == "{" else nodes.SEQUENCE, start, end)
        else:
            colon = token.start("colon")
            node = Node(nodes.SCALAR, start, end if colon < 0 else colon)
            if colon >= 0:
                keys.append(node)
        if open_nodes:
            open_nodes[-1][1].append(node)
        elif root is None:
            root = node
        if first in "[{":
            open_nodes.append((node, []))
    return root, keys


def _integer(literal: str) -> int:
    digits = len(literal.lstrip("-"))
    if 0 < nodes.int_digit_limit() < digits:
        raise InputFileError(nodes.long_integer_message(digits))
    return int(literal)


def _float(literal: str) -> float:
    number = float(literal)
    return OutOfRangeFloat(literal) if math.isinf(number) else number
