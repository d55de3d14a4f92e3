"""Schedules and error measures shared by the cross-backend tests.

Every backend is compared with the NumPy path, whose values are the ones
checked against DeePMD-kit. The configurations cover each built-in type with
and without warmup; the cosine ends at a positive stop_lr, because at
stop_lr = 0 the last steps of the cosine are a difference of nearly equal
numbers, where a last-bit change in ``u / D`` (XLA turns a division by a
constant into a multiplication by its reciprocal) becomes a relative error of
about ``3e-16 * D / (D - u)``. That case has its own test with an absolute
tolerance.
"""

from __future__ import annotations

import numpy as np

from deepmd_lr import BaseLR

NUM_STEPS = 20_000

TYPES = {
    "exp": {"type": "exp", "start_lr": 1e-3, "stop_lr": 1e-8, "decay_steps": 500},
    "exp_smooth": {
        "type": "exp",
        "start_lr": 1e-3,
        "stop_lr": 1e-8,
        "decay_steps": 500,
        "smooth": True,
    },
    "cosine": {"type": "cosine", "start_lr": 1e-3, "stop_lr_ratio": 1e-3},
    "wsd_inverse_linear": {"type": "wsd", "start_lr": 1e-3, "stop_lr": 1e-5},
    "wsd_cosine": {
        "type": "wsd",
        "start_lr": 1e-3,
        "stop_lr": 1e-5,
        "decay_type": "cosine",
    },
    "wsd_linear": {
        "type": "wsd",
        "start_lr": 1e-3,
        "stop_lr": 1e-5,
        "decay_type": "linear",
    },
}

WARMUPS = {
    "no_warmup": {},
    "warmup": {"warmup_steps": 1_500, "warmup_start_factor": 0.1},
    "warmup_from_zero": {"warmup_steps": 1_500},
}

CASES = [(t, w) for t in TYPES for w in WARMUPS]
CASE_IDS = [f"{t}-{w}" for t, w in CASES]

STEPS = np.arange(0, 2 * NUM_STEPS + 1, dtype=np.int64)
"""Every step from 0 to twice the length of training."""

TOLERANCE = 1e-12


def schedule(type_key: str, warmup_key: str) -> BaseLR:
    return BaseLR(**TYPES[type_key], **WARMUPS[warmup_key], num_steps=NUM_STEPS)


def max_relative_error(values, reference) -> float:
    """Largest ``|values - reference| / |reference|``; a reference of 0 must
    be matched exactly (the error is then infinite otherwise)."""
    values = np.asarray(values, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    assert values.shape == reference.shape
    zero = reference == 0
    if np.any(values[zero] != 0):
        return float("inf")
    if not np.any(~zero):
        return 0.0
    diff = np.abs(values[~zero] - reference[~zero])
    return float(np.max(diff / np.abs(reference[~zero])))


LONG_NUM_STEPS = 200_000_000
LONG_WARMUP = {"warmup_steps": 1_000, "warmup_start_factor": 0.1}
"""With this warmup a staircase step of every exp case falls exactly on 1e8."""


def long_schedule(type_key: str) -> BaseLR:
    return BaseLR(**TYPES[type_key], **LONG_WARMUP, num_steps=LONG_NUM_STEPS)


def float32_steps_near_1e8() -> np.ndarray:
    """Consecutive float32 values around 1e8 (they are 8 apart there)."""
    center = np.float32(1e8)
    below = [center]
    for _ in range(64):
        below.append(np.nextafter(below[-1], np.float32(0)))
    above = [center]
    for _ in range(64):
        above.append(np.nextafter(above[-1], np.float32(np.inf)))
    return np.array(sorted(set(below) | set(above)), dtype=np.float32)


HUGE = {
    "type": "exp",
    "start_lr": 1e-3,
    "stop_lr": 0.0,
    "decay_rate": 0.999,
    "decay_steps": 1 << 40,
    "warmup_steps": (1 << 52) + 1,
    "num_steps": 1 << 53,
}
"""A staircase whose levels still change near 2**53, after a warmup that
lasts past 2**52, so that the staircase index and the warmup fraction are
both checked where float64 has no integer to spare."""

HUGE_STEPS = np.array(
    [
        (1 << 51) + 3,
        (1 << 52) - 1,
        (1 << 52) + 1,
        (1 << 53) - (1 << 40),
        (1 << 53) - (1 << 40) + 1,
        1 << 53,
    ],
    dtype=np.int64,
)
"""Warmup steps, its end, and the last step of a staircase level next to
the first step of the following one (``u = k * decay_steps - 1`` and ``u = k
* decay_steps``)."""


def huge_reference() -> np.ndarray:
    """The values at HUGE_STEPS from the Python-integer path (exact ints)."""
    lr = BaseLR(**HUGE)
    return np.array([lr.value(int(t)) for t in HUGE_STEPS])


COSINE_TO_ZERO = {"type": "cosine", "start_lr": 1e-3, "stop_lr": 0.0}
ABSOLUTE_TOLERANCE = 1e-15
"""For the cosine to stop_lr = 0, in units of start_lr: a last-bit change
of ``u / D`` moves the rate by at most 3.3e-16 * start_lr (measured)."""


def check_against_numpy(lr: BaseLR, run, to_array, to_numpy) -> float:
    """Run ``run(to_array(STEPS))`` and return its error against NumPy."""
    out = run(to_array(STEPS))
    values = to_numpy(out)
    assert values.dtype == np.float64
    assert values.shape == STEPS.shape
    return max_relative_error(values, lr.value(STEPS))


EDGE_TYPES = {
    **TYPES,
    "exp_decay_rate": {
        "type": "exp",
        "start_lr": 1e-3,
        "stop_lr": 0.0,
        "decay_rate": 0.9,
        "decay_steps": 500,
    },
}
"""Every built-in type, plus an exp decay with its own rate and no floor."""


def edge_schedule(type_key: str, **changes) -> BaseLR:
    config = {**EDGE_TYPES[type_key], **WARMUPS["warmup"], **changes}
    if changes.get("stop_lr") is not None:
        config.pop("stop_lr_ratio", None)
    return BaseLR(**config, num_steps=NUM_STEPS)


def final_rate(lr: BaseLR) -> float:
    """The rate after training, from the Python-integer path."""
    return lr.value(10**400)


UINT64_STEPS = np.array(
    [0, 1, 1_499, 1_500, NUM_STEPS, 2**53, 2**63 - 1, 2**63, 2**64 - 2**11, 2**64 - 1],
    dtype=np.uint64,
)
"""Steps up to the largest uint64, across the signed limit 2**63."""

SUBNORMAL_STOP_LR = 1e-310
SUBNORMAL_TYPES = ["cosine", "wsd_inverse_linear", "wsd_cosine", "wsd_linear"]
"""The types that can decay to a subnormal stop_lr within training."""
