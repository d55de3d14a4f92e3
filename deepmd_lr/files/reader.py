"""Parsing and rendering input files (JSON, or YAML when PyYAML is installed).

The format follows the file name: ``.yaml``/``.yml`` is YAML, anything else
JSON. Key order is kept in both directions, so a file that is read and
written back differs only in layout and where a value changed.

Reading has stated limits, each reported as its own one-line
:class:`InputFileError`: at most :data:`MAX_DEPTH` nested lists and objects,
integer literals no longer than Python converts (4300 digits by default), at
most :data:`MAX_ALIAS_VALUES` values added by YAML aliases, one YAML
document. These are checked before anything recursive touches the data.
"""

from __future__ import annotations

import json
import math
import re
import sys
from pathlib import Path
from typing import Any

from deepmd_lr.files.storage import InputFileError, read_text, write_atomically
from deepmd_lr.section.records import FrozenRecord, Record
from deepmd_lr.section.text import OutOfRangeFloat, describe, short_text

__all__ = [
    "MAX_ALIAS_VALUES",
    "MAX_DEPTH",
    "YAML_SUFFIXES",
    "DuplicateKey",
    "InputDocument",
    "InputFileError",
    "dumps",
    "file_format",
    "load_file",
    "parse_input",
    "read_input",
    "write_file",
]

YAML_SUFFIXES = (".yaml", ".yml")
MAX_DEPTH = 100
"""Deepest nesting of lists and objects that is read."""
MAX_ALIAS_VALUES = 100_000
"""Most values that the aliases of a YAML file may add when expanded."""


class DuplicateKey(FrozenRecord):
    """A key given more than once in the same object; the last value is kept."""

    __slots__ = ("line", "path")
    path: tuple[str, ...]
    """Keys (and list indices) from the top of the file to the repeated key."""
    line: int | None
    """The line of the repeated occurrence, where the parser tells it."""

    def __init__(self, path: tuple[str, ...], line: int | None = None) -> None:
        self._set(path=path, line=line)

    def __str__(self) -> str:
        where = f" (line {self.line})" if self.line is not None else ""
        return "/".join(self.path) + where


class InputDocument(Record):
    """The parsed content of an input file and what parsing noticed."""

    __slots__ = ("data", "duplicate_keys")
    data: Any
    duplicate_keys: list[DuplicateKey]

    def __init__(
        self, data: Any, duplicate_keys: list[DuplicateKey] | None = None
    ) -> None:
        self.data = data
        self.duplicate_keys = [] if duplicate_keys is None else duplicate_keys


def file_format(path: str | Path) -> str:
    """``"yaml"`` for ``.yaml``/``.yml`` files, ``"json"`` for anything else."""
    return "yaml" if Path(path).suffix.lower() in YAML_SUFFIXES else "json"


def load_file(path: str | Path) -> Any:
    """Parse a JSON or YAML file; see :func:`read_input`."""
    return read_input(path).data


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
        if fmt == "yaml":
            return _read_yaml(text)
        return _read_json(text)
    except MemoryError:
        raise InputFileError("out of memory while reading the file") from None


# -- JSON ----------------------------------------------------------------------

# A string (its brackets do not count) or a bracket. A string that is never
# closed runs to the end of the text, so that a quote always starts a match:
# were it retried from every later quote, the scan would take quadratic time.
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\[\s\S][^"\\]*)*(?:"|\\?\Z)|[\[\]{}]')


class _LongIntegerLiteralError(Exception):
    def __init__(self, digits: int) -> None:
        self.digits = digits


def _read_json(text: str) -> InputDocument:
    _check_json_depth(text)
    repeated: list[tuple[dict[str, Any], list[str]]] = []

    def mapping(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        result = dict(pairs)
        if len(result) < len(pairs):
            names = [name for name, _ in pairs]
            repeated.append(
                (result, [n for n in result if names.count(n) > 1]),
            )
        return result

    try:
        data = json.loads(
            text,
            object_pairs_hook=mapping,
            parse_int=_json_int,
            parse_float=_json_float,
        )
    except json.JSONDecodeError as error:
        raise InputFileError(
            f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
            line=error.lineno,
            column=error.colno,
        ) from None
    except _LongIntegerLiteralError as error:
        raise InputFileError(_long_integer_message(error.digits)) from None
    return InputDocument(data, _locate(data, repeated))


def _check_json_depth(text: str) -> None:
    depth = 0
    for token in _JSON_TOKEN.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                line = text.count("\n", 0, token.start()) + 1
                raise InputFileError(_depth_message(f"at line {line}"), line=line)
        elif bracket in "]}":
            depth -= 1


def _json_int(literal: str) -> int:
    digits = len(literal.lstrip("-"))
    if 0 < _int_digit_limit() < digits:
        raise _LongIntegerLiteralError(digits)
    return int(literal)


def _json_float(literal: str) -> float:
    number = float(literal)
    return OutOfRangeFloat(literal) if math.isinf(number) else number


def _locate(
    data: Any, repeated: list[tuple[dict[str, Any], list[str]]]
) -> list[DuplicateKey]:
    if not repeated:
        return []
    wanted = {id(mapping): names for mapping, names in repeated}
    found = []
    stack: list[tuple[tuple[str, ...], Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            for name in wanted.get(id(value), ()):
                found.append(DuplicateKey((*path, name)))
            stack.extend(((*path, key), item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, str(i)), item) for i, item in enumerate(value))
    return sorted(found, key=lambda duplicate: duplicate.path)


# -- YAML ----------------------------------------------------------------------


def _read_yaml(text: str) -> InputDocument:
    yaml = _yaml()
    try:
        duplicates = _scan_yaml(yaml, text)
        data = yaml.load(text, Loader=_safe_loader(yaml))
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        if where is None:
            raise InputFileError(f"not valid YAML: {problem}") from None
        line, column = where.line + 1, where.column + 1
        raise InputFileError(
            f"not valid YAML: {problem} at line {line}, column {column}",
            line=line,
            column=column,
        ) from None
    return InputDocument(data, duplicates)


class _Collection:
    """An open YAML list or mapping while the event stream is scanned."""

    __slots__ = (
        "anchor",
        "first_duplicate",
        "height",
        "is_mapping",
        "key",
        "keys",
        "next_is_key",
        "values",
    )

    def __init__(
        self, is_mapping: bool, anchor: str | None, first_duplicate: int
    ) -> None:
        self.is_mapping = is_mapping
        self.anchor = anchor
        # How many repeated keys were found before this collection opened.
        self.first_duplicate = first_duplicate
        self.values = 0
        self.height = 0
        self.next_is_key = True
        self.key = ""
        self.keys: set[str] = set()


def _scan_yaml(yaml: Any, text: str) -> list[DuplicateKey]:
    """Check the limits on the event stream, before any node is built.

    The parser is a state machine, so this walk cannot exhaust the stack,
    and it sees aliases before they are expanded: each alias adds the size
    of the node it repeats to a running total. A key repeated inside an
    anchored node is repeated again wherever an alias or a merge key
    (``<<``) brings that node.
    """
    # Not libyaml, whose scanner stops at a depth limit of its own first.
    events = yaml.parse(text, Loader=yaml.SafeLoader)
    open_collections: list[_Collection] = []
    anchored: dict[str, tuple[int, int]] = {}
    # Per anchor: repeated keys inside its node, as paths from that node.
    anchored_duplicates: dict[str, list[DuplicateKey]] = {}
    alias_values = 0
    documents = 0
    duplicates: list[DuplicateKey] = []

    def add_node(size: int, height: int, key_text: str | None, line: int) -> None:
        if not open_collections:
            return
        parent = open_collections[-1]
        parent.values += size
        parent.height = max(parent.height, height)
        if not parent.is_mapping:
            parent.key = str(int(parent.key or "-1") + 1)
        elif parent.next_is_key:
            parent.key = key_text if key_text is not None else "?"
            if key_text is not None and key_text != "<<":
                if key_text in parent.keys:
                    path = tuple(c.key for c in open_collections)
                    duplicates.append(DuplicateKey(path, line))
                parent.keys.add(key_text)
            parent.next_is_key = False
        else:
            parent.next_is_key = True

    for event in events:
        line = event.start_mark.line + 1
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise InputFileError(
                    f"holds more than one YAML document (another starts at line "
                    f"{line}); put the input in a single document",
                    line=line,
                )
        elif isinstance(event, yaml.ScalarEvent):
            if event.anchor is not None:
                anchored[event.anchor] = (1, 0)
            add_node(1, 0, event.value, line)
        elif isinstance(event, yaml.AliasEvent):
            if any(c.anchor == event.anchor for c in open_collections):
                raise InputFileError(
                    f"the alias *{event.anchor} at line {line} refers to a node "
                    "that contains it; recursive aliases are not read"
                )
            if event.anchor not in anchored:
                raise InputFileError(
                    f"not valid YAML: the alias *{event.anchor} at line {line} "
                    "comes before any anchor of that name"
                )
            size, height = anchored[event.anchor]
            alias_values += size
            if alias_values > MAX_ALIAS_VALUES:
                raise InputFileError(
                    f"its aliases expand to more than {MAX_ALIAS_VALUES} values "
                    f"(at *{event.anchor}, line {line}); the limit guards "
                    "against alias bombs"
                )
            if len(open_collections) + height > MAX_DEPTH:
                raise InputFileError(
                    _depth_message(f"through the alias *{event.anchor} at line {line}")
                )
            is_key = bool(
                open_collections
                and open_collections[-1].is_mapping
                and open_collections[-1].next_is_key
            )
            add_node(size, height, None, line)
            if not is_key:
                place = _alias_place(open_collections)
                duplicates.extend(
                    DuplicateKey((*place, *inner.path), inner.line)
                    for inner in anchored_duplicates.get(event.anchor, ())
                )
        elif isinstance(event, yaml.CollectionStartEvent):
            if len(open_collections) >= MAX_DEPTH:
                raise InputFileError(_depth_message(f"at line {line}"), line=line)
            open_collections.append(
                _Collection(
                    isinstance(event, yaml.MappingStartEvent),
                    event.anchor,
                    len(duplicates),
                )
            )
        elif isinstance(event, yaml.CollectionEndEvent):
            closed = open_collections.pop()
            size, height = closed.values + 1, closed.height + 1
            if closed.anchor is not None:
                anchored[closed.anchor] = (size, height)
                depth = len(open_collections)
                anchored_duplicates[closed.anchor] = [
                    DuplicateKey(inner.path[depth:], inner.line)
                    for inner in duplicates[closed.first_duplicate :]
                ]
            add_node(size, height, None, line)
    if documents == 0:
        raise InputFileError("the file is empty (it holds no YAML document)")
    return duplicates


def _alias_place(open_collections: list[_Collection]) -> tuple[str, ...]:
    """The path of the mapping or value that an alias just added fills.

    An alias under a merge key (``<<: *a`` or ``<<: [*a, *b]``) fills the
    mapping that holds the merge key; any other alias fills its own place.
    """
    path = tuple(c.key for c in open_collections)
    if path[-1:] == ("<<",) and open_collections[-1].is_mapping:
        return path[:-1]
    if (
        len(open_collections) >= 2
        and not open_collections[-1].is_mapping
        and open_collections[-2].is_mapping
        and path[-2] == "<<"
    ):
        return path[:-2]
    return path


def _safe_loader(yaml: Any) -> Any:
    # The pure-Python loader: libyaml refuses the escapes of lone surrogates
    # that the dumper writes, so the C loader could not read them back.
    class LimitedSafeLoader(yaml.SafeLoader):  # type: ignore[misc]
        """The safe loader, with the integer and float limits of JSON reading."""

        def construct_yaml_int(self, node: Any) -> int:
            try:
                return super().construct_yaml_int(node)  # type: ignore[no-any-return]
            except ValueError:
                digits = sum(ch.isdigit() for ch in node.value)
                raise InputFileError(
                    f"{_long_integer_message(digits)} (line {node.start_mark.line + 1})"
                ) from None

        def construct_yaml_float(self, node: Any) -> float:
            number: float = super().construct_yaml_float(node)
            if math.isinf(number) and "inf" not in node.value.lower():
                return OutOfRangeFloat(node.value.replace("_", ""))
            return number

    LimitedSafeLoader.add_constructor(
        "tag:yaml.org,2002:int", LimitedSafeLoader.construct_yaml_int
    )
    LimitedSafeLoader.add_constructor(
        "tag:yaml.org,2002:float", LimitedSafeLoader.construct_yaml_float
    )
    return LimitedSafeLoader


# -- writing -------------------------------------------------------------------


def dumps(data: Any, fmt: str = "json") -> str:
    """Render ``data`` as JSON (indented by 4) or YAML, keeping key order.

    Characters that UTF-8 cannot encode (lone surrogates such as
    ``"\\ud800"``) are written as escapes, so that reading the text back
    gives the same string.

    Raises
    ------
    InputFileError
        When a value cannot be written in that format (a YAML date, binary
        data or set, NaN or an infinity written as JSON, an integer too long
        to print); the
        message names its key path.
    """
    _check_writable_values(data, json_only=fmt != "yaml")
    if fmt == "yaml":
        yaml = _yaml()
        return yaml.dump(  # type: ignore[no-any-return]
            data, Dumper=_safe_dumper(yaml), sort_keys=False, allow_unicode=True
        )
    text = json.dumps(data, indent=4, ensure_ascii=False, allow_nan=False) + "\n"
    return _LONE_SURROGATE.sub(lambda char: f"\\u{ord(char.group()):04x}", text)


_UNICODE_LINE_BREAK = re.compile("[\x85\u2028\u2029]")
# Outside JSON strings the output is ASCII, so every surrogate is inside one.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def write_file(path: str | Path, data: Any, fmt: str | None = None) -> None:
    """Write ``data`` to ``path`` atomically, by default in the format of its suffix."""
    text = dumps(data, fmt or file_format(path))
    write_atomically(path, text.encode("utf-8"))


def _check_writable_values(data: Any, *, json_only: bool) -> None:
    stack: list[tuple[tuple[str, ...], Any]] = [((), data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            _check_keys(path, value, json_only=json_only)
            stack.extend(
                ((*path, _path_part(key)), item)
                for key, item in reversed(value.items())
            )
        elif isinstance(value, (list, tuple)):
            items = [((*path, str(i)), item) for i, item in enumerate(value)]
            stack.extend(reversed(items))
        elif isinstance(value, int) and not _fits_in_text(value):
            _unwritable(
                path,
                f"an integer of about {value.bit_length() * 3 // 10} digits",
                "text by Python",
            )
        elif json_only and not _is_json_scalar(value):
            _unwritable(path, _kind(value), "JSON")


def _check_keys(
    path: tuple[str, ...], mapping: dict[Any, Any], *, json_only: bool
) -> None:
    as_json: dict[str, Any] = {}
    for key in mapping:
        if isinstance(key, int) and not _fits_in_text(key):
            _unwritable(path, f"the key {describe(key)}", "text by Python")
        if not json_only:
            continue
        if not _is_json_scalar(key):
            _unwritable(path, f"the key {describe(key)}", "JSON")
        # JSON keys are strings: json.dumps writes 1 and True as "1" and "true".
        name = key if isinstance(key, str) else describe(key)
        if name in as_json:
            where = "/".join(path) or "the top level"
            raise InputFileError(
                f"{where}: the keys {describe(as_json[name])} and {describe(key)} "
                f'would both be written as the JSON key "{short_text(name)}", '
                "losing one value; rename one of them"
            )
        as_json[name] = key


def _path_part(key: Any) -> str:
    return short_text(key) if isinstance(key, str) else describe(key)


def _fits_in_text(number: int) -> bool:
    if number.bit_length() <= _PRINTABLE_BITS:
        return True
    try:
        str(number)
    except ValueError:
        return False
    return True


def _is_json_scalar(value: Any) -> bool:
    if isinstance(value, float):
        # NaN and Infinity are not JSON, whatever Python's json module writes.
        return math.isfinite(value)
    return value is None or isinstance(value, (str, int, bool))


def _unwritable(path: tuple[str, ...], what: str, fmt: str) -> None:
    where = "/".join(path) or "the top level"
    raise InputFileError(
        f"{where}: {what} cannot be written as {fmt}; "
        "quote it in the input to make it a string"
    )


def _kind(value: Any) -> str:
    if isinstance(value, float):
        return describe(value)
    import datetime  # only to describe what cannot be written

    if isinstance(value, datetime.datetime):
        return f"a date and time ({value.isoformat()})"
    if isinstance(value, datetime.date):
        return f"a date ({value.isoformat()})"
    if isinstance(value, (bytes, bytearray)):
        return f"binary data ({len(value)} bytes)"
    if isinstance(value, (set, frozenset)):
        return "a set"
    return f"a value of type {type(value).__name__}"


def _safe_dumper(yaml: Any) -> Any:
    class LiteralKeepingDumper(yaml.SafeDumper):  # type: ignore[misc]
        """The safe dumper, with two kinds of scalar written so they read back.

        A number read as beyond the float range is written as it was read.
        A string with a Unicode line break (NEL, U+2028, U+2029) is
        double-quoted, where these are escaped; other styles fold them.
        """

    def represent_text(dumper: Any, text: str) -> Any:
        style = '"' if _UNICODE_LINE_BREAK.search(text) else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)

    LiteralKeepingDumper.add_representer(str, represent_text)
    LiteralKeepingDumper.add_representer(
        OutOfRangeFloat,
        lambda dumper, number: dumper.represent_scalar(
            "tag:yaml.org,2002:float", number.literal
        ),
    )
    return LiteralKeepingDumper


# -- shared --------------------------------------------------------------------


def _int_digit_limit() -> int:
    limit: int = getattr(sys, "get_int_max_str_digits", lambda: 0)()
    return limit


# Integers below this many bits always print, whatever the digit limit.
_PRINTABLE_BITS = 640 * 3


def _long_integer_message(digits: int) -> str:
    return (
        f"an integer literal of {digits} digits is longer than Python reads "
        f"(at most {_int_digit_limit()} digits)"
    )


def _depth_message(where: str) -> str:
    return f"nested deeper than {MAX_DEPTH} levels of lists and objects ({where})"


def _yaml() -> Any:
    try:
        import yaml
    except ImportError:
        raise InputFileError(
            "YAML files need PyYAML, which is not installed; "
            "install it with `pip install pyyaml`, or use JSON"
        ) from None
    return yaml
