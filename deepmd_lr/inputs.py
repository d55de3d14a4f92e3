"""Reading and writing input files (JSON, or YAML when PyYAML is installed).

The format follows the file name: ``.yaml``/``.yml`` is YAML, anything else
JSON. Key order is kept in both directions, so a file that is read and
written back differs only in layout and where a value changed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

YAML_SUFFIXES = (".yaml", ".yml")


class InputFileError(Exception):
    """A file could not be read, parsed or written; the message says why."""


def file_format(path: str | Path) -> str:
    """``"yaml"`` for ``.yaml``/``.yml`` files, ``"json"`` for anything else."""
    return "yaml" if Path(path).suffix.lower() in YAML_SUFFIXES else "json"


def load_file(path: str | Path) -> Any:
    """Parse a JSON or YAML file; YAML is read with ``yaml.safe_load``.

    Raises
    ------
    InputFileError
        When the file is missing or unreadable, is not valid JSON/YAML, or
        is YAML while PyYAML is not installed.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputFileError("no such file") from None
    except IsADirectoryError:
        raise InputFileError("is a directory, not a file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputFileError(f"cannot read the file: {error}") from None
    if file_format(path) == "yaml":
        return _load_yaml(text)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputFileError(
            f"not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None


def _load_yaml(text: str) -> Any:
    yaml = _yaml()
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        where = getattr(error, "problem_mark", None)
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        if where is not None:
            problem += f" at line {where.line + 1}, column {where.column + 1}"
        raise InputFileError(f"not valid YAML: {problem}") from None


def dumps(data: Any, fmt: str = "json") -> str:
    """Render ``data`` as JSON (indented by 4) or YAML, keeping key order."""
    if fmt == "yaml":
        return _yaml().safe_dump(data, sort_keys=False, allow_unicode=True)
    return json.dumps(data, indent=4, ensure_ascii=False) + "\n"


def write_file(path: str | Path, data: Any, fmt: str | None = None) -> None:
    """Write ``data`` to ``path``, by default in the format its suffix names."""
    text = dumps(data, fmt or file_format(path))
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputFileError(f"cannot write the file: {error}") from None


def _yaml() -> Any:
    try:
        import yaml
    except ImportError:
        raise InputFileError(
            "YAML files need PyYAML, which is not installed; "
            "install it with `pip install pyyaml`, or use JSON"
        ) from None
    return yaml
