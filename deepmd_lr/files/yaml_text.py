"""Reading YAML: one pass of PyYAML's safe loader that also places every value.

PyYAML composes the text into nodes, then constructs the data from them.
Composing is where the limits are checked, before anything recursive
touches the data: at most :data:`~.nodes.MAX_DEPTH` nested lists and
mappings (counted as they open, so that a deeper text never reaches
PyYAML's recursion), at most :data:`~.nodes.MAX_ALIAS_VALUES` values added
by aliases (counted on the nodes an alias repeats, never expanded), no alias
inside the node it names, and one document. The same pass records each
value as a :class:`~.nodes.Node`, an alias as a node of its own; the keys
are then built by the constructor that builds the data, so that keys are
compared as the data holds them (``0x10`` is ``16``).

This is the pure-Python loader: libyaml refuses the escapes of lone
surrogates that the dumper writes, so the C loader could not read them back.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any

from deepmd_lr.files import nodes
from deepmd_lr.files.nodes import Node
from deepmd_lr.files.storage import InputFileError
from deepmd_lr.section.text import OutOfRangeFloat

_TAG = "tag:yaml.org,2002:"
"""The start of YAML's standard tags, such as ``tag:yaml.org,2002:int``."""


def pyyaml() -> Any:
    """The :mod:`yaml` module (PyYAML).

    Raises
    ------
    InputFileError
        When PyYAML is not installed.
    """
    try:
        import yaml
    except ImportError:
        raise InputFileError(
            "YAML files need PyYAML, which is not installed; "
            "install it with `pip install pyyaml`, or use JSON"
        ) from None
    return yaml


def read_yaml(text: str) -> tuple[Any, Node]:
    """The data of the YAML ``text`` and its top node.

    Raises
    ------
    InputFileError
        When the text is beyond a reading limit, holds no document or more
        than one, or is not valid YAML (the error carries its line and
        column, where PyYAML tells them).
    """
    yaml = pyyaml()
    loader = None
    try:
        loader = _loader_class()(text)
        loader.get_event()
        if loader.check_event(yaml.StreamEndEvent):
            raise InputFileError("the file is empty (it holds no YAML document)")
        composed = loader.compose_document()
        if not loader.check_event(yaml.StreamEndEvent):
            line, _ = nodes.position(text, loader.peek_event().start_mark.index)
            raise InputFileError(
                f"holds more than one YAML document (another starts at line "
                f"{line}); put the input in a single document",
                line=line,
            )
        data = loader.construct_document(composed)
        # The keys as the data holds them, built by the same constructor.
        for node, composed_key in loader.composition.keys:
            if not node.merge:
                node.key = loader.construct_object(composed_key, deep=True)
        # Which of the keys merged in wins is the loader's to say (releases
        # of PyYAML differ); constructing flattened each such mapping's pairs
        # into the order it assigned them.
        key_nodes = {
            id(composed_key): node for node, composed_key in loader.composition.keys
        }
        for node, composed_mapping in loader.composition.merging:
            node.loaded = tuple(key_nodes[id(key)] for key, _ in composed_mapping.value)
        root = loader.composition.root
        # An empty document has a value too, an empty scalar.
        assert root is not None
        return data, root
    except yaml.YAMLError as error:
        raise _not_valid(text, error) from None
    finally:
        if loader is not None:
            loader.dispose()


def _not_valid(text: str, error: Any) -> InputFileError:
    where = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    if where is None:
        return InputFileError(f"not valid YAML: {problem}")
    return nodes.not_valid("YAML", problem, text, where.index)


@dataclass
class _Opened:
    """A list or mapping being composed, with what its items add up to."""

    node: Node
    items: list[Node] = field(default_factory=list)
    values: int = 0
    """The values inside it, an alias counting those it repeats."""
    height: int = 0
    """The levels of lists and mappings inside it."""


class _Composition:
    """The nodes of a YAML text, built as PyYAML composes it, within the limits.

    :meth:`open` sees each event that starts a node before PyYAML composes
    the node, and refuses what goes beyond a limit; :meth:`close` records
    the node PyYAML composed.
    """

    def __init__(self, yaml: Any, text: str) -> None:
        self.yaml = yaml
        self.text = text
        self.root: Node | None = None
        self.keys: list[tuple[Node, Any]] = []
        """Each mapping's key, with the node PyYAML composed for it."""
        self.merging: list[tuple[Node, Any]] = []
        """Each mapping with a merge key, with the node PyYAML composed for it."""
        self.opened: list[_Opened] = []
        self.anchored: dict[str, tuple[Node, int, int]] = {}
        """Per anchor: its node, the values in it and its height."""
        self.alias_values = 0

    def open(self, event: Any) -> None:
        if isinstance(event, self.yaml.AliasEvent):
            self._check_alias(event)
        elif isinstance(event, self.yaml.CollectionStartEvent):
            if len(self.opened) >= nodes.MAX_DEPTH:
                line = self._line(event)
                raise InputFileError(nodes.depth_message(f"at line {line}"), line=line)
            is_mapping = isinstance(event, self.yaml.MappingStartEvent)
            kind = nodes.MAPPING if is_mapping else nodes.SEQUENCE
            node = Node(kind, event.start_mark.index, 0, anchor=event.anchor)
            self.opened.append(_Opened(node))

    def close(self, event: Any, composed: Any, *, is_key: bool) -> None:
        if isinstance(event, self.yaml.AliasEvent):
            target, size, height = self.anchored[event.anchor]
            start, end = event.start_mark.index, event.end_mark.index
            node = Node(nodes.ALIAS, start, end, target=target)
        elif isinstance(event, self.yaml.CollectionStartEvent):
            opened = self.opened.pop()
            node, size, height = opened.node, opened.values + 1, opened.height + 1
            node.end, node.flow = composed.end_mark.index, bool(composed.flow_style)
            node.items = tuple(opened.items)
            if any(item.merge for item in node.items[::2]):
                self.merging.append((node, composed))
        else:
            node, size, height = self._scalar(composed, event.anchor), 1, 0
        if node.anchor is not None:
            self.anchored[node.anchor] = (node, size, height)
        if is_key:
            node.merge = composed.tag == _TAG + "merge"
            self.keys.append((node, composed))
        if self.opened:
            parent = self.opened[-1]
            parent.items.append(node)
            parent.values += size
            parent.height = max(parent.height, height)
        else:
            self.root = node

    def _check_alias(self, event: Any) -> None:
        name = event.anchor
        if any(opened.node.anchor == name for opened in self.opened):
            raise InputFileError(
                f"the alias *{name} at line {self._line(event)} refers to a node "
                "that contains it; recursive aliases are not read"
            )
        if name not in self.anchored:
            raise InputFileError(
                f"not valid YAML: the alias *{name} at line {self._line(event)} "
                "comes before any anchor of that name"
            )
        _, size, height = self.anchored[name]
        self.alias_values += size
        if self.alias_values > nodes.MAX_ALIAS_VALUES:
            raise InputFileError(
                f"its aliases expand to more than {nodes.MAX_ALIAS_VALUES} values (at "
                f"*{name}, line {self._line(event)}); the limit guards against "
                "alias bombs"
            )
        if len(self.opened) + height > nodes.MAX_DEPTH:
            where = f"through the alias *{name} at line {self._line(event)}"
            raise InputFileError(nodes.depth_message(where))

    def _line(self, event: Any) -> int:
        return nodes.position(self.text, event.start_mark.index)[0]

    def _scalar(self, composed: Any, anchor: str | None) -> Node:
        start, end = composed.start_mark.index, composed.end_mark.index
        if composed.style in ("|", ">"):
            # A block scalar's text includes its last line breaks.
            end = start + len(self.text[start:end].rstrip())
        return Node(nodes.SCALAR, start, end, anchor=anchor)


@functools.cache
def _loader_class() -> Any:
    yaml = pyyaml()

    class ReadingLoader(yaml.SafeLoader):  # type: ignore[misc,name-defined]
        """The safe loader, recording a :class:`_Composition` as it composes,
        with the integer and float limits of JSON reading."""

        def __init__(self, text: str) -> None:
            super().__init__(text)
            self.composition = _Composition(yaml, text)

        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.peek_event()
            self.composition.open(event)
            composed = super().compose_node(parent, index)
            # PyYAML composes a mapping's key with no index, its value with
            # the key as index.
            is_key = isinstance(parent, yaml.MappingNode) and index is None
            self.composition.close(event, composed, is_key=is_key)
            return composed

        def construct_yaml_int(self, node: Any) -> int:
            try:
                return super().construct_yaml_int(node)  # type: ignore[no-any-return]
            except ValueError:
                digits = sum(ch.isdigit() for ch in node.value)
                line, _ = nodes.position(self.composition.text, node.start_mark.index)
                raise InputFileError(
                    f"{nodes.long_integer_message(digits)} (line {line})"
                ) from None

        def construct_yaml_float(self, node: Any) -> float:
            number: float = super().construct_yaml_float(node)
            if math.isinf(number) and "inf" not in node.value.lower():
                return OutOfRangeFloat(node.value.replace("_", ""))
            return number

    ReadingLoader.add_constructor(_TAG + "int", ReadingLoader.construct_yaml_int)
    ReadingLoader.add_constructor(_TAG + "float", ReadingLoader.construct_yaml_float)
    return ReadingLoader
