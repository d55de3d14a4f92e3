"""Hypothesis strategies for ``learning_rate`` sections."""

from __future__ import annotations

import math

from hypothesis import strategies as st

from deepmd_lr import learning_rate_args

KNOWN_KEYS = sorted(
    {"type", "decay_type", "decay_phase_ratio"}
    | set(learning_rate_args().sub_fields)
    | {"decay_steps", "decay_rate", "smooth"}
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["exp", "cosine", "wsd", "linear", "sqrt", "none", "cosin"]),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
plausible_numbers = st.one_of(
    st.floats(min_value=-0.5, max_value=2.0),
    st.integers(min_value=-2, max_value=20_000),
    st.sampled_from([0, 0.0, 1, 1.0, 1e-3, 1e-8, math.nan, math.inf, True, False]),
)
any_key = st.one_of(
    st.sampled_from(KNOWN_KEYS),
    st.sampled_from(["_comment", "__note", "stop_lr_ration", "warmup"]),
    st.text(max_size=12),
)
any_section = st.dictionaries(
    any_key, st.one_of(plausible_numbers, json_values), max_size=8
)


# -- valid sections ----------------------------------------------------------

ratios = st.floats(min_value=0.0, max_value=1.0)


@st.composite
def valid_sections(draw, types=None, min_start_lr=1e-10):
    """Valid sections of the built-in types, with random optional keys.

    By default start_lr stays at or above 1e-10: below it DeePMD-kit's exp
    formula (which clamps stop_lr to 1e-10 before the logarithm) makes the
    rate rise above start_lr, so the schedule bounds no longer hold.
    """
    kind = draw(st.sampled_from(types or ["exp", "cosine", "wsd"]))
    start_lr = draw(st.floats(min_value=min_start_lr, max_value=10.0))
    section = {"start_lr": start_lr}
    if kind != "exp" or draw(st.booleans()):
        section["type"] = kind
    # exp (without decay_rate) and wsd need a final rate above 0; a factor
    # this far from 0 keeps start_lr * factor from underflowing to 0.
    lowest = 0.0 if kind == "cosine" else 1e-6
    factor = draw(st.floats(min_value=lowest, max_value=1.0))
    if draw(st.booleans()):
        section["stop_lr"] = start_lr * factor
    else:
        section["stop_lr_ratio"] = factor
    warmup = draw(st.sampled_from(["none", "steps", "ratio"]))
    if warmup == "steps":
        section["warmup_steps"] = draw(st.integers(0, 500))
    elif warmup == "ratio":
        section["warmup_ratio"] = draw(st.floats(min_value=0.0, max_value=0.9))
    if draw(st.booleans()):
        section["warmup_start_factor"] = draw(ratios)
    if draw(st.booleans()):
        section["scale_by_worker"] = draw(st.sampled_from(["linear", "sqrt", "none"]))
    if draw(st.booleans()):
        section["_comment"] = draw(json_values)
    if kind == "exp":
        if draw(st.booleans()):
            section["decay_steps"] = draw(st.integers(1, 20_000))
        if draw(st.booleans()):
            section["decay_rate"] = draw(st.floats(min_value=1e-3, max_value=1.0))
        if draw(st.booleans()):
            section["smooth"] = draw(st.booleans())
    if kind == "wsd":
        if draw(st.booleans()):
            section["decay_phase_ratio"] = draw(
                st.floats(min_value=1e-3, max_value=1.0)
            )
        if draw(st.booleans()):
            section["decay_type"] = draw(
                st.sampled_from(["inverse_linear", "cosine", "linear"])
            )
    return section
