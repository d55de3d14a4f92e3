"""dargs' own check of a ``learning_rate`` section, through dargs' public API.

:func:`dargs_check` does what ``dargs check`` does with
:func:`~deepmd_lr.learning_rate_args`: ``normalize_value`` with comments
trimmed (:func:`dargs_normalized`), then a strict ``check_value``. dargs exports no error class, so
:func:`dargs_rejection` takes any exception as its refusal, except the kinds
that mean it broke rather than refused.
"""

from __future__ import annotations

from typing import Any

import pytest

from deepmd_lr import learning_rate_args

CRASHES = (TypeError, KeyError, AttributeError)


def dargs_normalized(section: Any) -> Any:
    """The section with dargs' defaults filled in and comments trimmed: what
    dargs then checks, and hands to the section's ``extra_check``."""
    return learning_rate_args().normalize_value(section, trim_pattern="_*")


def dargs_check(section: Any) -> dict[str, Any]:
    """The section normalized and checked by dargs alone."""
    normalized = dargs_normalized(section)
    learning_rate_args().check_value(normalized, strict=True)
    return normalized  # type: ignore[no-any-return]


def dargs_rejection(section: Any) -> Exception:
    """The error with which dargs refuses ``section``; fails if it accepts it."""
    try:
        dargs_check(section)
    except CRASHES:
        raise
    except Exception as error:  # dargs raises its own error types
        return error
    pytest.fail(f"dargs accepted {section!r}")
