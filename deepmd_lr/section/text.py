"""How values and text appear in messages: short, on one line, and spelled
so that both JSON and YAML read them back."""

from __future__ import annotations

import json
import math
import numbers
import re
import sys
from typing import Any

MAX_LINE = 400
"""The longest line a message is printed on."""

_SHOWN_CHARACTERS = 40


def short_text(text: str) -> str:
    """``text``, or for a long one its start and its length."""
    if len(text) <= 2 * _SHOWN_CHARACTERS:
        return text
    return f"{text[:_SHOWN_CHARACTERS]}... ({len(text)} characters)"


class OutOfRangeFloat(float):
    """A number literal beyond the range of a float, as read from a file.

    Its value is the infinity the literal rounds to; :attr:`literal` keeps the
    text as written, so that messages can quote ``1e400`` instead of calling
    it Infinity.
    """

    literal: str

    def __new__(cls, literal: str) -> OutOfRangeFloat:
        number = super().__new__(cls, literal)
        number.literal = literal
        return number


_BUILT_IN_SCALARS = (int, float, bool, str, type(None))


def plain(value: Any) -> Any:
    """``value`` as the built-in Python scalar it stands for.

    NumPy scalars (``np.int64``, ``np.float32``, ``np.bool_``, ...) become
    the ``int``, ``float`` or ``bool`` of the same value; a float beyond the
    range of a Python float (a ``np.longdouble`` of 1e400) becomes an
    :class:`OutOfRangeFloat`. Anything else is returned as it is.
    """
    if type(value) in _BUILT_IN_SCALARS or isinstance(value, OutOfRangeFloat):
        return value
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        if math.isinf(number) and value != number:
            return OutOfRangeFloat(str(value))
        return number
    if isinstance(value, str):
        return str(value)
    return value


def describe(value: Any) -> str:
    """Render a value the way it would be written in a JSON input.

    Long strings and huge integers are abbreviated, so that a message stays
    one short line whatever the input holds.
    """
    value = plain(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        if len(value) <= 2 * _SHOWN_CHARACTERS:
            return f'"{value}"'
        return f'"{value[:_SHOWN_CHARACTERS]}..." ({len(value)} characters)'
    if isinstance(value, OutOfRangeFloat):
        return f"{short_text(value.literal)} (beyond the range of a float)"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, int):
        # str() of an integer with thousands of digits raises ValueError.
        if value.bit_length() > 192:
            sign = "a negative" if value < 0 else "an"
            digits = int(math.log10(abs(value))) + 1
            return f"{sign} integer of about {digits} digits"
        return str(value)
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def json_type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def did_you_mean(word: str, candidates: tuple[str, ...] | list[str]) -> str:
    """A suggestion of the candidate closest to ``word``, or ``""``."""
    import difflib

    # difflib cannot match a word more than 7/3 times as long as a candidate
    # (its cutoff is 0.6), and comparing a huge one would only take time.
    if len(word) > 3 * max((len(c) for c in candidates), default=0):
        return ""
    match = difflib.get_close_matches(word, list(candidates), n=1)
    return f'Did you mean "{match[0]}"?' if match else ""


def portable_float_text(number: float) -> str:
    """``number`` spelled so that JSON and YAML 1.1 both read the same float.

    YAML 1.1 (PyYAML, DeePMD-kit) reads a number with an exponent as a
    float only with a decimal point and a signed exponent; JSON accepts that
    spelling too, so a value shown in a message can be pasted into either.

    Examples
    --------
    >>> portable_float_text(1e-8), portable_float_text(1e22), portable_float_text(0.001)
    ('1.0e-08', '1.0e+22', '0.001')
    """
    mantissa, _, exponent = repr(number).partition("e")
    if "." not in mantissa:
        mantissa += ".0"
    if exponent and exponent[0] not in "+-":
        exponent = "+" + exponent
    return f"{mantissa}e{exponent}" if exponent else mantissa


def single_line(text: str) -> str:
    """``text`` as one line a terminal shows as it is: each run of white space
    (line breaks included) is one space, and any other control character is
    escaped.

    >>> single_line("a\\nb\\u2028c \\x1b[31m")
    'a b c \\\\x1b[31m'
    """
    return _CONTROL.sub(
        lambda found: f"\\x{ord(found.group()):02x}", " ".join(text.split())
    )


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def one_line(text: str, limit: int = MAX_LINE) -> str:
    """``text`` on one line (see :func:`single_line`), its middle cut out
    when longer than ``limit``.

    Examples
    --------
    >>> one_line("key " + "k" * 1000 + " is unknown", limit=40)
    'key kkkkkkkkkkkkkkkkkkkk [... 981 characters left out ...] is unknown'
    """
    text = single_line(text)
    if len(text) <= limit:
        return text
    head, tail = limit * 3 // 5, limit // 4
    cut = len(text) - head - tail
    return f"{text[:head]} [... {cut} characters left out ...] {text[-tail:]}"


def portable_json(value: Any) -> str:
    """``value`` as JSON that YAML 1.1 reads alike (``1.0e-08``, not ``1e-08``)."""
    if isinstance(value, float) and math.isfinite(value):
        return portable_float_text(value)
    return json.dumps(value, default=repr)
