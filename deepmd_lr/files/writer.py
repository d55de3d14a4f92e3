"""Writing input files: JSON or YAML text that reads back as the data written.

Key order is kept, so that a file that is read and written back differs
only in layout and where a value changed. What a format cannot hold is
refused with an :class:`~deepmd_lr.files.storage.InputFileError` naming its
key path, before anything is written.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from deepmd_lr.files.storage import InputFileError
from deepmd_lr.files.yaml_text import pyyaml
from deepmd_lr.section.text import OutOfRangeFloat, describe, short_text


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
    check_writable(data, json_only=fmt != "yaml")
    if fmt == "yaml":
        return to_yaml(data)
    return to_json(data, indent=4) + "\n"


def to_json(value: Any, indent: int | None = None) -> str:
    """``value`` as JSON text, in which a lone surrogate is written as an escape.

    Raises :class:`TypeError` or :class:`ValueError` for what JSON cannot
    hold, as :func:`json.dumps`.
    """
    text = json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False)
    return _LONE_SURROGATE.sub(lambda char: f"\\u{ord(char.group()):04x}", text)


def to_yaml(value: Any, **layout: Any) -> str:
    """``value`` as YAML text that reads back as ``value``, in key order; the
    ``layout`` options go to :func:`yaml.dump`."""
    yaml = pyyaml()
    text: str = yaml.dump(
        value, Dumper=safe_dumper(yaml), sort_keys=False, allow_unicode=True, **layout
    )
    return text


_UNICODE_LINE_BREAK = re.compile("[\x85\u2028\u2029]")
# Outside JSON strings the output is ASCII, so every surrogate is inside one.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def check_writable(data: Any, *, json_only: bool) -> None:
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
            digits = value.bit_length() * 3 // 10
            _unwritable(path, f"an integer of about {digits} digits", "text by Python")
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


# Plain scalars that YAML 1.1 reads as text but the YAML 1.2 core schema reads
# as a number, boolean or null (1e-3, 0o10, 0E0, .5e3).
_YAML_1_2_NOT_TEXT = re.compile(
    r"null|Null|NULL|~|true|True|TRUE|false|False|FALSE"
    r"|[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+"
    r"|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"
)


def safe_dumper(yaml: Any) -> Any:
    class PortableDumper(yaml.SafeDumper):  # type: ignore[misc]
        """The safe dumper, with three kinds of scalar written so they read back.

        A number read as beyond the float range is written as it was read.
        A string with a Unicode line break (NEL, U+2028, U+2029) is
        double-quoted, where these are escaped; other styles fold them.
        Text that a YAML 1.2 reader (ruamel.yaml, editors) takes for a
        number, a boolean or null is single-quoted; YAML 1.1 readers
        (PyYAML, DeePMD-kit) read it as text either way.
        """

    def represent_text(dumper: Any, text: str) -> Any:
        style = None
        if _UNICODE_LINE_BREAK.search(text):
            style = '"'
        elif _YAML_1_2_NOT_TEXT.fullmatch(text):
            style = "'"
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)

    def represent_as_read(dumper: Any, number: OutOfRangeFloat) -> Any:
        return dumper.represent_scalar("tag:yaml.org,2002:float", number.literal)

    PortableDumper.add_representer(str, represent_text)
    PortableDumper.add_representer(OutOfRangeFloat, represent_as_read)
    return PortableDumper
