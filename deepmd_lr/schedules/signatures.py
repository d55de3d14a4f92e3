"""What ``help()``, :func:`inspect.signature` and the API reference show of a
schedule type: a constructor signature and a numpydoc Parameters section,
both written from the type's keys.

A type's constructor takes its keys as keywords (through ``**keys``), so
without these its signature would say nothing. Both are built when the
class is defined.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Container, Sequence
from typing import Any

from deepmd_lr.section.keys import COMMON_KEYS, DEFAULT_TYPE, REQUIRED, Key

POSITIONAL = ("start_lr", "num_steps", "stop_lr", "stop_lr_ratio")
"""Constructor arguments that may be given by position, as in DeePMD-kit."""

_NUM_STEPS_DOC = (
    "The number of training steps, ``training/numb_steps`` of the input: "
    "the schedule reaches its final rate at this step."
)


def base_signature() -> inspect.Signature:
    """``BaseLR(...)``: its own ``__new__`` takes anything, so spell it out."""
    kind = inspect.Parameter
    positional = list(type_signature(()).parameters.values())[: len(POSITIONAL)]
    return inspect.Signature(
        [
            *positional,
            kind("type", kind.KEYWORD_ONLY, default=DEFAULT_TYPE, annotation=str),
            kind("keys", kind.VAR_KEYWORD, annotation=Any),
        ]
    )


def type_signature(variant_keys: Sequence[Key]) -> inspect.Signature:
    """The constructor signature of a type with these keys of its own."""
    kind = inspect.Parameter
    parameters = []
    for key in (*COMMON_KEYS, *variant_keys):
        style = (
            kind.POSITIONAL_OR_KEYWORD if key.name in POSITIONAL else kind.KEYWORD_ONLY
        )
        annotation: Any = (
            key.kind if not key.nullable else f"{key.kind.__name__} | None"
        )
        default = kind.empty if key.default is REQUIRED else key.default
        parameters.append(kind(key.name, style, default=default, annotation=annotation))
        if key.name == "start_lr":
            parameters.append(
                kind("num_steps", kind.POSITIONAL_OR_KEYWORD, annotation=int)
            )
    return inspect.Signature(parameters)


def with_parameters(doc: str, variant_keys: Sequence[Key]) -> str:
    """``doc`` with a numpydoc Parameters section written from the keys,
    placed before its Examples; unchanged if it has one already."""
    text = inspect.cleandoc(doc)
    if "\nParameters\n----------\n" in text:
        return doc
    section = "\n".join(["Parameters", "----------", *_parameter_entries(variant_keys)])
    head, examples, tail = text.partition("\nExamples\n--------\n")
    if not examples:
        return f"{text}\n\n{section}\n"
    return f"{head.rstrip()}\n\n{section}\n{examples}{tail}\n"


def _parameter_entries(variant_keys: Sequence[Key]) -> list[str]:
    keys = {key.name: key for key in (*COMMON_KEYS, *variant_keys)}
    entries = []
    for name in type_signature(variant_keys).parameters:
        key = keys.get(name)
        if key is None:
            entries += [f"{name} : int", f"    {_NUM_STEPS_DOC}"]
            continue
        if key.required:
            kind = key.kind.__name__
        elif key.nullable:
            kind = f"{key.kind.__name__}, optional"
        else:
            kind = f"{key.kind.__name__}, default {key.default!r}"
        entries += [
            f"{key.name} : {kind}",
            f"    {_literal_key_names(key.reference_doc(), [*keys, 'numb_steps'])}",
        ]
    return entries


def _literal_key_names(text: str, names: Container[str]) -> str:
    """``text`` with each of the key ``names`` in it set as a literal."""
    # One pattern for every word, so that it is compiled once.
    return _WORD.sub(
        lambda word: f"``{word[0]}``" if word[0] in names else word[0], text
    )


_WORD = re.compile(r"(?<![\w`])\w+(?![\w`])")
"""A word that is not already part of a literal."""
