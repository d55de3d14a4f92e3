"""The JSON Schema of the ``learning_rate`` section: what it states, and what it cannot.

:func:`json_schema` is written from the same table as
:func:`~deepmd_lr.learning_rate_args`: the :class:`~deepmd_lr.section.keys.Key`
declarations and the registry of schedule types. It states:

- the JSON type, default and description of every key, the ``type`` enum and
  one ``if``/``then`` branch per schedule type;
- the range of every number (``minimum``, ``exclusiveMinimum``, ``maximum``,
  ``exclusiveMaximum``) and the choices of every string key (``enum``);
- a largest finite ``maximum`` on numbers otherwise unbounded above, which
  rejects infinities (YAML's ``.inf``);
- integers versus numbers; JSON Schema never counts ``true``/``false`` as
  numbers, so booleans are rejected where a number is expected;
- ``null`` only for keys whose default is "not set";
- exactly one of ``stop_lr`` and ``stop_lr_ratio`` (``null`` counts as absent);
- not both a non-zero ``warmup_steps`` and a ``warmup_ratio``;
- a final rate above 0 where the schedule needs one (``exp`` without
  ``decay_rate``, ``wsd``);
- unknown keys rejected, keys starting with ``_`` (comments) allowed, and the
  keys of one schedule type rejected under another, ``type`` defaulting to
  ``"exp"``.

The schema accepts both a whole training input (an object with a
``learning_rate`` key; its other sections are not constrained) and a bare
``learning_rate`` section.

What JSON Schema cannot express, and only :func:`~deepmd_lr.normalize` checks:

- ``stop_lr <= start_lr`` (a comparison between two values of the instance);
- a schedule type's own rule across keys (its ``check_variant``), such as
  exp's ``start_lr >= 1e-10`` when ``decay_rate`` is not given;
- the warmup against ``training.numb_steps`` (warmup shorter than training,
  no warmup when it is 0), which compares values across sections;
- NaN: it compares false with every bound, so no range keyword rejects it;
- ``10.0`` where an integer is expected: JSON Schema's ``integer`` accepts
  any number with a zero fraction;
- the did-you-mean suggestion for a misspelt key, and the migration hint for
  a pre-3.1.3 section (the schema only says that the key is missing).
"""

from __future__ import annotations

import sys
from typing import Any

from deepmd_lr.section import keys
from deepmd_lr.section.registry import SCHEDULES

SCHEMA_ID = "urn:deepmd-lr:learning-rate"
"""The ``$id`` written into the generated schema."""

_STOP_KEYS = ("stop_lr", "stop_lr_ratio")


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a training input or a bare section.

    Examples
    --------
    >>> import jsonschema
    >>> validator = jsonschema.Draft202012Validator(json_schema())
    >>> validator.is_valid({"type": "cosine", "start_lr": 1e-3, "stop_lr": 1e-5})
    True
    >>> validator.is_valid({"type": "cosine", "start_lr": 1e-3, "stop_lr": 1e-5,
    ...                     "decay_steps": 100})
    False
    >>> validator.is_valid({"learning_rate": {"start_lr": 1e-3, "stop_lr": 1e-5},
    ...                     "model": {"type_map": ["O", "H"]}})
    True
    """
    section = section_schema()
    title = section.pop("title", keys.SECTION)
    reference = {"$ref": f"#/$defs/{keys.SECTION}"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": f"{title} (a whole training input or the section alone)",
        "description": (
            "An object with a learning_rate key is a whole training input, of "
            "which only learning_rate is constrained; any other object is the "
            "learning_rate section itself."
        ),
        "type": "object",
        "if": {"required": [keys.SECTION]},
        "then": {"properties": {keys.SECTION: reference}},
        "else": reference,
        "$defs": {keys.SECTION: section},
    }


def section_schema() -> dict[str, Any]:
    """The JSON Schema of the ``learning_rate`` section alone.

    Written from the key declarations and the registry, the same table that
    :func:`~deepmd_lr.learning_rate_args` builds the dargs ``Argument`` from.

    Examples
    --------
    >>> schema = section_schema()
    >>> schema["properties"]["stop_lr"]["type"]
    ['null', 'number']
    """
    schedules = SCHEDULES.classes()
    properties: dict[str, Any] = {key.name: key_schema(key) for key in keys.COMMON_KEYS}
    properties["type"] = {
        "type": "string",
        "enum": list(schedules),
        "default": keys.DEFAULT_TYPE,
        "description": keys.TYPE_DOC,
    }
    owned: dict[str, list[dict[str, Any]]] = {}
    for cls in schedules.values():
        for key in cls.variant_keys:
            owned.setdefault(key.name, []).append(key_schema(key))
    for name, schemas in owned.items():
        # Listed at the top as well, so that additionalProperties lets them
        # through; the branch of the selected type then accepts or rejects.
        same = all(schema == schemas[0] for schema in schemas)
        properties[name] = schemas[0] if same else True

    branches = []
    for type_name, cls in schedules.items():
        own = {key.name: key_schema(key) for key in cls.variant_keys}
        branch: dict[str, Any] = {
            "description": cls.variant_doc,
            "properties": {
                name: own.get(name, False)
                for name in [*own, *sorted(set(owned) - set(own))]
            },
        }
        required = [key.name for key in cls.variant_keys if key.required]
        if required:
            branch["required"] = required
        if cls.positive_stop_unless is not None:
            branch["allOf"] = [_positive_stop_rule(cls.positive_stop_unless)]
        selects: dict[str, Any] = {"properties": {"type": {"const": type_name}}}
        if type_name != keys.DEFAULT_TYPE:
            selects["required"] = ["type"]
        branches.append({"if": selects, "then": branch})

    return {
        "title": keys.SECTION,
        "description": keys.SECTION_DOC,
        "type": "object",
        "properties": properties,
        "required": [key.name for key in keys.COMMON_KEYS if key.required],
        "patternProperties": {"^_": True},
        "additionalProperties": False,
        "allOf": [*branches, _exactly_one_stop(), _not_both_warmups()],
    }


def key_schema(key: keys.Key) -> dict[str, Any]:
    """The JSON Schema of one key's value, from its declaration."""
    kind = _JSON_TYPES[key.kind]
    schema: dict[str, Any] = {
        "description": key.full_doc(),
        "type": ["null", kind] if key.nullable else kind,
    }
    if not key.required:
        schema["default"] = key.default
    if key.choices:
        schema["enum"] = [*key.choices, None] if key.nullable else list(key.choices)
    if key.minimum is not None:
        schema["exclusiveMinimum" if key.exclusive_minimum else "minimum"] = key.minimum
    if key.maximum is not None:
        schema["exclusiveMaximum" if key.exclusive_maximum else "maximum"] = key.maximum
    elif key.kind is float:
        # A finite bound is what keeps YAML's .inf out.
        schema["maximum"] = sys.float_info.max
    return schema


_JSON_TYPES = {float: "number", int: "integer", bool: "boolean", str: "string"}


def _given(name: str) -> dict[str, Any]:
    """Matches an instance in which ``name`` is present and not ``null``."""
    return {"required": [name], "not": {"properties": {name: {"type": "null"}}}}


def _exactly_one_stop() -> dict[str, Any]:
    return {
        "description": "Exactly one of " + " and ".join(_STOP_KEYS) + " is given.",
        "oneOf": [_given(name) for name in _STOP_KEYS],
    }


def _not_both_warmups() -> dict[str, Any]:
    return {
        "description": "A non-zero warmup_steps and warmup_ratio are not both given.",
        "not": {
            "allOf": [_given("warmup_steps"), _given("warmup_ratio")],
            "not": {"properties": {"warmup_steps": {"const": 0}}},
        },
    }


def _positive_stop_rule(escapes: tuple[str, ...]) -> dict[str, Any]:
    positive = {"properties": {name: {"not": {"const": 0}} for name in _STOP_KEYS}}
    if not escapes:
        return {"description": "The final rate is above 0.", **positive}
    unless = " or ".join(escapes)
    return {
        "description": f"The final rate is above 0 unless {unless} is given.",
        "if": {"not": {"anyOf": [_given(name) for name in escapes]}},
        "then": positive,
    }
