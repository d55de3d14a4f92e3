"""Editing the ``learning_rate`` section in a file's own text.

An edit changes the bytes of the section alone: every byte before and after
it stays as it was. Inside the section, a key whose value stays keeps its
bytes (``1e-3`` stays ``1e-3``, a YAML comment beside it stays), a changed
value is replaced where it stands, a removed key goes with its comma or its
line, and added keys follow the existing ones in the section's own layout.

The text is read once, with :func:`deepmd_lr.files.reader.parse_input`,
whose nodes give the spans to replace (:mod:`.json_editing`,
:mod:`.yaml_editing`). Every result is read back and compared with the
intended data; an edit that would read back differently is refused with an
:class:`~deepmd_lr.files.reader.InputFileError`, never returned.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from deepmd_lr.files.json_editing import JsonEdit
from deepmd_lr.files.reader import parse_input
from deepmd_lr.files.splicing import same_value
from deepmd_lr.files.storage import InputFileError
from deepmd_lr.files.writer import check_writable
from deepmd_lr.files.yaml_editing import YamlEdit
from deepmd_lr.section.keys import SECTION


def edit_section(
    text: str, fmt: str, new_section: Mapping[str, Any], *, bare: bool = False
) -> str:
    """``text`` with its ``learning_rate`` section holding ``new_section``.

    ``text`` is a whole training input, or with ``bare`` a file holding
    the section alone, in the format ``fmt`` (``"json"`` or ``"yaml"``).
    Only the section's bytes differ in the result; a missing section is
    added as the last top-level key. When nothing changes, ``text`` itself
    is returned.

    Raises
    ------
    InputFileError
        When ``text`` cannot be read, the section cannot be edited in place
        (a YAML merge key in it, an anchor of it used elsewhere, a repeated
        section), or the edited text would read back differently.

    Examples
    --------
    >>> text = '{"learning_rate": {"type": "exp", "start_lr": 1e-3},\\n "x": [1, 2]}'
    >>> print(edit_section(text, "json", {"type": "exp", "start_lr": 1e-3,
    ...                                   "stop_lr": 1e-8}))
    {"learning_rate": {"type": "exp", "start_lr": 1e-3, "stop_lr": 1e-08},
     "x": [1, 2]}
    """
    body = text.removeprefix("\ufeff")
    document = parse_input(body, fmt)
    original = document.data
    if not isinstance(original, dict):
        raise InputFileError(
            "expected an object of keys and values at the top level; "
            "the file is left as it is"
        )
    section = dict(new_section)
    # Only the section is compared: the rest of a large input stays as read.
    if same_value(original if bare else original.get(SECTION), section):
        return text
    intended = section if bare else {**original, SECTION: section}
    # What the reader accepts but the format cannot hold (JSON's Infinity)
    # is refused as when the whole input is written.
    check_writable(intended, json_only=fmt == "json")
    editor = JsonEdit if fmt == "json" else YamlEdit
    edited = editor(document).edit(section, bare=bare)
    # Whatever the editor wrote must read back as the intended input.
    try:
        result = parse_input(edited, fmt).data
    except InputFileError as error:
        raise InputFileError(
            f"the edited file would not read back ({error}); it is left as it is"
        ) from None
    if not same_value(result, intended):
        raise InputFileError(
            "the learning_rate section cannot be edited in place: the edited "
            "file would read back differently; it is left as it is"
        )
    return text[: len(text) - len(body)] + edited
