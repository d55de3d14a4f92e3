"""A JSON Schema of the ``learning_rate`` section, for editors and validators.

:func:`json_schema` starts from what ``dargs.json_schema`` derives from
:func:`~deepmd_lr.learning_rate_args` (key types, defaults, descriptions, the
``type`` enum and one ``if``/``then`` branch per schedule type) and completes
it from the :class:`~deepmd_lr.keys.Key` declarations and the registry:

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
- the warmup against ``training.numb_steps`` (warmup shorter than training,
  no warmup when it is 0), which compares values across sections;
- NaN: it compares false with every bound, so no range keyword rejects it;
- ``10.0`` where an integer is expected: JSON Schema's ``integer`` accepts
  any number with a zero fraction;
- the did-you-mean suggestion for a misspelt key, and the migration hint for
  a pre-3.1.3 section (the schema only says that the key is missing).
"""

from __future__ import annotations

import copy
import sys
from typing import Any

from deepmd_lr.keys import COMMON_KEYS, SECTION, Key
from deepmd_lr.registry import SCHEDULES

SCHEMA_ID = "urn:deepmd-lr:learning-rate"
"""The ``$id`` written into the generated schema."""

_STOP_KEYS = ("stop_lr", "stop_lr_ratio")
_WARMUP_KEYS = ("warmup_steps", "warmup_ratio")


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
    title = section.pop("title", SECTION)
    reference = {"$ref": f"#/$defs/{SECTION}"}
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
        "if": {"required": [SECTION]},
        "then": {"properties": {SECTION: reference}},
        "else": reference,
        "$defs": {SECTION: section},
    }


def section_schema() -> dict[str, Any]:
    """The JSON Schema of the ``learning_rate`` section alone."""
    from dargs.json_schema import generate_json_schema

    from deepmd_lr.arguments import learning_rate_args

    schema = generate_json_schema(learning_rate_args())
    for name in ("$schema", "$id"):
        schema.pop(name, None)
    _tidy(schema)
    schedules = SCHEDULES.classes()
    common = {key.name: key for key in COMMON_KEYS}
    properties = schema["properties"]
    for name, key in common.items():
        _complete(properties[name], key)

    owners: dict[str, list[str]] = {}
    branch_of = _variant_branches(schema, schedules)
    for type_name, cls in schedules.items():
        branch = branch_of[type_name]
        for key in cls.variant_keys:
            _complete(branch["properties"][key.name], key)
            owners.setdefault(key.name, []).append(type_name)
    for type_name, cls in schedules.items():
        branch = branch_of[type_name]
        own = {key.name for key in cls.variant_keys}
        for name in owners:
            if name not in own:
                branch["properties"][name] = False
        positive = _positive_stop_rule(type_name, common)
        if positive is not None:
            branch.setdefault("allOf", []).append(positive)

    for name, types in owners.items():
        # Listed at the top as well, so that additionalProperties lets them
        # through; the branch of the selected type then accepts or rejects.
        first = branch_of[types[0]]["properties"][name]
        same = all(branch_of[t]["properties"][name] == first for t in types)
        properties[name] = copy.deepcopy(first) if same else True
    schema["patternProperties"] = {"^_": True}
    schema["additionalProperties"] = False
    schema["type"] = "object"
    schema.setdefault("allOf", []).extend(
        [_exactly_one_stop(common), _not_both_warmups(common)]
    )
    return schema


def _variant_branches(
    schema: dict[str, Any], schedules: dict[str, type]
) -> dict[str, dict[str, Any]]:
    """The ``then`` schema dargs wrote for each schedule type, by type name."""
    branches: dict[str, dict[str, Any]] = {}
    for rule in schema.get("allOf", []):
        condition = rule.get("if", {})
        for option in condition.get("oneOf", []):
            flag = option.get("properties", {}).get("type", {})
            if "const" in flag:
                branches[flag["const"]] = rule["then"]
    missing = set(schedules) - set(branches)
    if missing:
        raise RuntimeError(
            "dargs.json_schema wrote no branch for schedule type(s) "
            + ", ".join(sorted(missing))
        )
    return branches


def _tidy(node: Any) -> None:
    """Drop dargs' empty object keywords on leaves and order ``type`` lists.

    dargs builds ``type`` from a set, whose order changes between runs; a
    sorted list keeps the generated file stable.
    """
    if isinstance(node, list):
        for item in node:
            _tidy(item)
        return
    if not isinstance(node, dict):
        return
    types = node.get("type")
    if isinstance(types, list):
        node["type"] = sorted(types) if len(types) > 1 else types[0]
        if "object" not in types:
            for name, empty in (("properties", {}), ("required", [])):
                if node.get(name) == empty:
                    del node[name]
    for value in node.values():
        _tidy(value)


def _complete(node: dict[str, Any], key: Key) -> None:
    """Add what the key declares beyond its JSON type."""
    if key.choices:
        node["enum"] = [*key.choices, None] if key.nullable else list(key.choices)
    if key.kind not in (int, float):
        return
    if key.minimum is not None:
        node["exclusiveMinimum" if key.exclusive_minimum else "minimum"] = key.minimum
    if key.maximum is not None:
        node["exclusiveMaximum" if key.exclusive_maximum else "maximum"] = key.maximum
    elif key.kind is float:
        node["maximum"] = sys.float_info.max


def _given(name: str) -> dict[str, Any]:
    """Matches an instance in which ``name`` is present and not ``null``."""
    return {"required": [name], "not": {"properties": {name: {"type": "null"}}}}


def _exactly_one_stop(common: dict[str, Key]) -> dict[str, Any]:
    return {
        "description": "Exactly one of " + " and ".join(_STOP_KEYS) + " is given.",
        "oneOf": [_given(common[name].name) for name in _STOP_KEYS],
    }


def _not_both_warmups(common: dict[str, Key]) -> dict[str, Any]:
    steps, ratio = (common[name].name for name in _WARMUP_KEYS)
    both = {
        "allOf": [_given(steps), _given(ratio)],
        "not": {"properties": {steps: {"const": 0}}},
    }
    return {
        "description": f"A non-zero {steps} and {ratio} are not both given.",
        "not": both,
    }


def _positive_stop_rule(
    type_name: str, common: dict[str, Key]
) -> dict[str, Any] | None:
    escapes = SCHEDULES.get(type_name).positive_stop_unless
    if escapes is None:
        return None
    positive = {
        "properties": {common[name].name: {"not": {"const": 0}} for name in _STOP_KEYS}
    }
    if not escapes:
        return {"description": "The final rate is above 0.", **positive}
    return {
        "description": "The final rate is above 0 unless "
        + " or ".join(escapes)
        + " is given.",
        "if": {"not": {"anyOf": [_given(name) for name in escapes]}},
        "then": positive,
    }
