"""A read file as written: its values as nodes placed in the text, and its limits.

Each reader (:mod:`.json_text`, :mod:`.yaml_text`) builds the nodes in the
same pass that checks the reading limits, so that positions, the spans an
edit replaces and repeated keys all come from one reading of the text.
Offsets count characters from the start of the text read (after any
byte-order mark); lines break at ``\\n``, ``\\r\\n`` and ``\\r`` alone, as in
editors, and columns count characters from 1.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

from deepmd_lr.files.storage import InputFileError

MAX_DEPTH = 100
"""Deepest nesting of lists and objects that is read."""
MAX_ALIAS_VALUES = 100_000
"""Most values that the aliases of a YAML file may add when expanded."""

MAPPING = "mapping"
SEQUENCE = "sequence"
SCALAR = "scalar"
ALIAS = "alias"


@dataclass(eq=False, slots=True)
class Node:
    """One value as written: where its text is, and what it holds.

    Nodes are compared by identity: two nodes are the same only when they
    are one place in the text.
    """

    kind: str
    """:data:`MAPPING`, :data:`SEQUENCE`, :data:`SCALAR` or :data:`ALIAS` (YAML)."""
    start: int
    """Offset of the node's first character (a YAML anchor or tag included)."""
    end: int
    """Offset past the node's own text: a JSON closing bracket, or the last
    character of a YAML value, before the comment or blank lines after it."""
    items: tuple[Node, ...] = ()
    """A list's items; a mapping's keys and values, alternating."""
    flow: bool = True
    """Whether a list or mapping is written in brackets (always, in JSON)."""
    anchor: str | None = None
    """The YAML anchor (``&name``) the node defines."""
    target: Node | None = None
    """For a YAML alias (``*name``), the node it repeats."""
    key: Any = None
    """For a mapping's key, the key as the reader builds it (a YAML ``1``
    is the number 1); ``None`` for a YAML merge key and other nodes."""
    merge: bool = False
    """Whether the node is a YAML merge key (``<<``)."""
    loaded: tuple[Node, ...] | None = None
    """For a YAML mapping with a merge key: the keys, merged ones included,
    in the order the loader assigns their values, a later one winning;
    ``None`` for other nodes."""

    @property
    def resolved(self) -> Node:
        """The node itself, or for an alias the node it repeats."""
        return self if self.target is None else self.target

    def pairs(self) -> list[tuple[Node, Node]]:
        """A mapping's keys with their values, in written order."""
        return list(zip(self.items[::2], self.items[1::2], strict=True))


LINE_BREAK = re.compile(r"\r\n?|\n")
"""A line break as editors count them."""


def line_starts(text: str) -> list[int]:
    """The offset where each line of ``text`` starts."""
    return [0, *(found.end() for found in LINE_BREAK.finditer(text))]


def position(text: str, offset: int) -> tuple[int, int]:
    """The line and column (from 1) of ``offset`` in ``text``."""
    return line_and_column(line_starts(text), offset)


def line_and_column(starts: list[int], offset: int) -> tuple[int, int]:
    """The line and column (from 1) of ``offset``, given the :func:`line_starts`."""
    line = bisect_right(starts, offset)
    return line, offset - starts[line - 1] + 1


def not_valid(fmt: str, problem: str, text: str, offset: int) -> InputFileError:
    """The error of a ``text`` that is not valid ``fmt``, at ``offset``."""
    line, column = position(text, offset)
    return InputFileError(
        f"not valid {fmt}: {problem} at line {line}, column {column}",
        line=line,
        column=column,
    )


def depth_message(where: str) -> str:
    return f"nested deeper than {MAX_DEPTH} levels of lists and objects ({where})"


def int_digit_limit() -> int:
    """The most digits Python converts between an int and text (0: no limit)."""
    limit: int = getattr(sys, "get_int_max_str_digits", lambda: 0)()
    return limit


def long_integer_message(digits: int) -> str:
    return (
        f"an integer literal of {digits} digits is longer than Python reads "
        f"(at most {int_digit_limit()} digits)"
    )
