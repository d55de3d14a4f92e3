"""``learning_rate`` sections for the argument-layer tests, one per rule on the keys.

Each invalid case records where the error must point (``path``) and the words
its message must contain: the offending key(s) and value(s) as a JSON input
shows them.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import pytest

BASE: dict[str, Any] = {"start_lr": 1e-3, "stop_lr": 1e-5}

DROP: Any = object()
"""Marks a key of :data:`BASE` to leave out."""


def section(**changes: Any) -> dict[str, Any]:
    """:data:`BASE` with ``changes`` applied (a value of :data:`DROP` removes the key)."""
    merged = {**BASE, **changes}
    return {name: value for name, value in merged.items() if value is not DROP}


class Invalid(NamedTuple):
    section: Any
    path: str
    mentions: tuple[str, ...]


VALID: dict[str, dict[str, Any]] = {
    "type defaults to exp": section(),
    "type exp": section(type="exp"),
    "type cosine": section(type="cosine"),
    "type wsd": section(type="wsd"),
    "start_lr given as an integer": section(start_lr=1, stop_lr=0.01),
    "stop_lr equal to start_lr": section(stop_lr=1e-3),
    "stop_lr 0 under cosine": section(type="cosine", stop_lr=0.0),
    "stop_lr 0 under exp with decay_rate": section(stop_lr=0.0, decay_rate=0.9),
    "stop_lr null beside stop_lr_ratio": section(stop_lr=None, stop_lr_ratio=0.01),
    "stop_lr_ratio 1": section(stop_lr=DROP, stop_lr_ratio=1.0),
    "stop_lr_ratio 0 under cosine": section(
        type="cosine", stop_lr=DROP, stop_lr_ratio=0.0
    ),
    "stop_lr_ratio null beside stop_lr": section(stop_lr_ratio=None),
    "warmup_steps positive": section(warmup_steps=100),
    "warmup_ratio 0": section(warmup_ratio=0.0),
    "warmup_ratio just below 1": section(warmup_ratio=0.999),
    "warmup_steps 0 beside warmup_ratio": section(warmup_steps=0, warmup_ratio=0.1),
    "warmup_start_factor 0": section(warmup_start_factor=0.0),
    "warmup_start_factor 1": section(warmup_start_factor=1.0),
    "scale_by_worker sqrt": section(scale_by_worker="sqrt"),
    "scale_by_worker none": section(scale_by_worker="none"),
    "decay_steps 1": section(decay_steps=1),
    "decay_rate 1": section(decay_rate=1.0),
    "decay_rate null": section(decay_rate=None),
    "smooth true": section(smooth=True),
    "comment keys": section(_comment="tuned by hand", __note={"a": [1]}),
}

INVALID: dict[str, Invalid] = {
    "unknown type": Invalid(
        section(type="cosin"),
        "learning_rate/type",
        ('"cosin"', '"exp"', '"cosine"', 'Did you mean "cosine"?'),
    ),
    "type not a string": Invalid(
        section(type=1), "learning_rate/type", ("type", "1", '"exp"')
    ),
    "start_lr zero": Invalid(
        section(start_lr=0.0, stop_lr=0.0),
        "learning_rate/start_lr",
        ("start_lr", "0.0", "0 < value"),
    ),
    "start_lr negative": Invalid(
        section(start_lr=-1e-3), "learning_rate/start_lr", ("start_lr", "-0.001")
    ),
    "start_lr a string": Invalid(
        section(start_lr="1e-3"), "learning_rate/start_lr", ("start_lr", '"1e-3"')
    ),
    "stop_lr negative": Invalid(
        section(stop_lr=-1e-8), "learning_rate/stop_lr", ("stop_lr", "-1e-08")
    ),
    "stop_lr above start_lr": Invalid(
        section(stop_lr=1e-2),
        "learning_rate/stop_lr",
        ("stop_lr", "0.01", "start_lr", "0.001"),
    ),
    "stop_lr 0 under exp without decay_rate": Invalid(
        section(stop_lr=0.0), "learning_rate/stop_lr", ("stop_lr", "0.0", "decay_rate")
    ),
    "stop_lr 0 under wsd": Invalid(
        section(type="wsd", stop_lr=0.0), "learning_rate/stop_lr", ("stop_lr", "0.0")
    ),
    "stop_lr_ratio above 1": Invalid(
        section(stop_lr=DROP, stop_lr_ratio=1.5),
        "learning_rate/stop_lr_ratio",
        ("stop_lr_ratio", "1.5", "<= 1"),
    ),
    "stop_lr_ratio negative": Invalid(
        section(stop_lr=DROP, stop_lr_ratio=-0.1),
        "learning_rate/stop_lr_ratio",
        ("stop_lr_ratio", "-0.1"),
    ),
    "stop_lr_ratio 0 under exp without decay_rate": Invalid(
        section(stop_lr=DROP, stop_lr_ratio=0),
        "learning_rate/stop_lr_ratio",
        ("stop_lr_ratio", "0", "decay_rate"),
    ),
    "stop_lr and stop_lr_ratio both given": Invalid(
        section(stop_lr_ratio=0.01),
        "learning_rate/stop_lr",
        ("stop_lr", "1e-05", "stop_lr_ratio", "0.01"),
    ),
    "warmup_steps negative": Invalid(
        section(warmup_steps=-1), "learning_rate/warmup_steps", ("warmup_steps", "-1")
    ),
    "warmup_steps not whole": Invalid(
        section(warmup_steps=10.5),
        "learning_rate/warmup_steps",
        ("warmup_steps", "10.5", "integer"),
    ),
    "warmup_steps and warmup_ratio both given": Invalid(
        section(warmup_steps=10, warmup_ratio=0.1),
        "learning_rate/warmup_steps",
        ("warmup_steps", "10", "warmup_ratio", "0.1"),
    ),
    "warmup_ratio 1": Invalid(
        section(warmup_ratio=1.0),
        "learning_rate/warmup_ratio",
        ("warmup_ratio", "1.0", "< 1"),
    ),
    "warmup_ratio negative": Invalid(
        section(warmup_ratio=-0.1),
        "learning_rate/warmup_ratio",
        ("warmup_ratio", "-0.1"),
    ),
    "warmup_start_factor above 1": Invalid(
        section(warmup_start_factor=1.5),
        "learning_rate/warmup_start_factor",
        ("warmup_start_factor", "1.5"),
    ),
    "warmup_start_factor negative": Invalid(
        section(warmup_start_factor=-0.5),
        "learning_rate/warmup_start_factor",
        ("warmup_start_factor", "-0.5"),
    ),
    "scale_by_worker unknown": Invalid(
        section(scale_by_worker="lin"),
        "learning_rate/scale_by_worker",
        ("scale_by_worker", '"lin"', 'Did you mean "linear"?'),
    ),
    "decay_steps 0": Invalid(
        section(decay_steps=0),
        "learning_rate/decay_steps",
        ("decay_steps", "0", "1 <="),
    ),
    "decay_steps not whole": Invalid(
        section(decay_steps=100.0),
        "learning_rate/decay_steps",
        ("decay_steps", "100.0", "integer"),
    ),
    "decay_rate 0": Invalid(
        section(decay_rate=0.0), "learning_rate/decay_rate", ("decay_rate", "0.0")
    ),
    "decay_rate above 1": Invalid(
        section(decay_rate=1.5), "learning_rate/decay_rate", ("decay_rate", "1.5")
    ),
    "smooth a number": Invalid(
        section(smooth=1), "learning_rate/smooth", ("smooth", "1", "true or false")
    ),
    "smooth a string": Invalid(
        section(smooth="true"), "learning_rate/smooth", ("smooth", '"true"')
    ),
    "decay_steps under cosine": Invalid(
        section(type="cosine", decay_steps=100),
        "learning_rate/decay_steps",
        ("decay_steps", 'type "exp"', '"cosine"'),
    ),
    "smooth under wsd": Invalid(
        section(type="wsd", smooth=True),
        "learning_rate/smooth",
        ("smooth", 'type "exp"', '"wsd"'),
    ),
    "decay_type under exp": Invalid(
        section(decay_type="linear"),
        "learning_rate/decay_type",
        ("decay_type", 'type "wsd"', '"exp"'),
    ),
    "misspelt key": Invalid(
        section(stop_lr_ration=0.1),
        "learning_rate/stop_lr_ration",
        ("stop_lr_ration", 'Did you mean "stop_lr_ratio"?'),
    ),
    "unknown key without a close match": Invalid(
        section(momentum=0.9),
        "learning_rate/momentum",
        ("momentum", "start_lr", "warmup_steps"),
    ),
    "start_lr true": Invalid(
        section(start_lr=True),
        "learning_rate/start_lr",
        ("start_lr", "true", "boolean"),
    ),
    "stop_lr false": Invalid(
        section(stop_lr=False), "learning_rate/stop_lr", ("stop_lr", "false")
    ),
    "warmup_steps false": Invalid(
        section(warmup_steps=False),
        "learning_rate/warmup_steps",
        ("warmup_steps", "false", "boolean"),
    ),
    "decay_steps true": Invalid(
        section(decay_steps=True), "learning_rate/decay_steps", ("decay_steps", "true")
    ),
    "start_lr NaN": Invalid(
        section(start_lr=math.nan), "learning_rate/start_lr", ("start_lr", "NaN")
    ),
    "stop_lr infinite": Invalid(
        section(stop_lr=math.inf), "learning_rate/stop_lr", ("stop_lr", "Infinity")
    ),
    "warmup_ratio minus infinity": Invalid(
        section(warmup_ratio=-math.inf),
        "learning_rate/warmup_ratio",
        ("warmup_ratio", "-Infinity"),
    ),
    "decay_rate NaN": Invalid(
        section(decay_rate=math.nan), "learning_rate/decay_rate", ("decay_rate", "NaN")
    ),
    "start_lr null": Invalid(
        section(start_lr=None), "learning_rate/start_lr", ("start_lr", "null")
    ),
    "section not an object": Invalid(
        [1e-3, 1e-5], "learning_rate", ("learning_rate", "[0.001, 1e-05]")
    ),
}

LEGACY: dict[str, Invalid] = {
    "no start_lr": Invalid(
        section(start_lr=DROP), "learning_rate/start_lr", ("start_lr",)
    ),
    "no stop value": Invalid(
        section(stop_lr=DROP), "learning_rate/stop_lr", ("stop_lr", "stop_lr_ratio")
    ),
    "stop_lr null": Invalid(
        section(stop_lr=None), "learning_rate/stop_lr", ("stop_lr", "stop_lr_ratio")
    ),
    "empty section": Invalid({}, "learning_rate/start_lr", ("start_lr", "stop_lr")),
}


def params(cases: dict[str, Any]) -> list[Any]:
    """``pytest.param`` per case, with the case name as its id."""
    return [pytest.param(case, id=name) for name, case in cases.items()]


def has_fix(message: str) -> bool:
    return "Fix:" in message or "Did you mean" in message
