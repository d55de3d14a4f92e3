"""The stable code of every problem ``deepmd-lr check`` reports.

One code per rule, in the style of a linter: ``LR`` codes are errors (the
input is refused), ``LW`` codes are warnings (the input is accepted, but is
likely not what was meant, or a DeePMD-kit release treats it differently).
The hundreds group them:

- ``LR0xx``: reading the file, and the input as a whole;
- ``LR1xx``: the shape of the section (keys, type, required keys);
- ``LR2xx``: the value of a single key;
- ``LR3xx``: keys that contradict each other;
- ``LR4xx``: the section against the length of training;
- ``LW1xx``: warnings about the input itself;
- ``LW2xx``: warnings about what a given DeePMD-kit release does with it.

A code, once published, keeps its meaning; a retired rule leaves its code
unused. The documentation's table of codes is written from :data:`CODES`.
"""

from __future__ import annotations

from typing import NamedTuple


class Code(NamedTuple):
    """One rule: its code, whether it is an error, and what it means."""

    code: str
    title: str
    """What the rule says, as a short phrase."""

    @property
    def is_error(self) -> bool:
        return self.code.startswith("LR")


_TABLE = (
    # -- reading the file
    Code("LR001", "the file cannot be read"),
    Code("LR002", "the file is not valid JSON or YAML"),
    Code("LR003", "the top level of the file is not an object"),
    Code("LR004", "a key is given twice in the learning_rate section"),
    Code("LR005", "the input has no learning_rate section"),
    Code("LR006", "the input is in DeePMD-kit's 0.x form, which is not read"),
    Code("LR007", "a warmup key is given both under training and in learning_rate"),
    Code("LR008", "normalize needs an input in the current form"),
    # -- the shape of the section
    Code("LR101", "the learning_rate section is not an object"),
    Code("LR102", "a key is not a string"),
    Code("LR103", "a key is not a key of the learning_rate section"),
    Code("LR104", "a key belongs to another schedule type"),
    Code("LR105", "the schedule type is unknown"),
    Code("LR106", "start_lr is missing (alone or with the final rate)"),
    Code("LR107", "the final rate is missing (neither stop_lr nor stop_lr_ratio)"),
    Code("LR108", "a key the schedule type requires is missing"),
    # -- the value of a single key
    Code("LR201", "a value has the wrong JSON type"),
    Code("LR202", "a value is not one of the allowed choices"),
    Code("LR203", "a value is not a finite number"),
    Code("LR204", "a value is out of its range"),
    # -- keys that contradict each other
    Code("LR301", "stop_lr and stop_lr_ratio are both given"),
    Code("LR302", "stop_lr is larger than start_lr"),
    Code("LR303", "warmup_steps and warmup_ratio are both given"),
    Code("LR304", "the final rate is 0 where the schedule cannot decay to 0"),
    Code("LR305", "the schedule type's own rule across keys is broken"),
    # -- against the length of training
    Code("LR401", "training.numb_steps is not a valid number of steps"),
    Code("LR402", "a warmup is asked for, but numb_steps is 0"),
    Code("LR403", "the warmup is not shorter than training"),
    # -- warnings about the input
    Code("LW101", "a key is given twice outside the learning_rate section"),
    Code("LW102", "decay_steps is not shorter than the decay phase and is replaced"),
    Code("LW103", "warmup_ratio rounds down to no warmup at all"),
    Code("LW104", "DeePMD-kit's converter replaces the stop_lr of a v1-era input"),
    Code(
        "LW105", "a warmup key under training, which DeePMD-kit moves to learning_rate"
    ),
    # -- warnings about a DeePMD-kit release
    Code("LW201", "the PyTorch trainer divides by a warmup start rate of 0"),
    Code("LW202", "the schedule type needs a newer DeePMD-kit"),
    Code("LW203", "the final rate relies on a default that differs by release"),
    Code("LW204", "a key is unknown to the DeePMD-kit release, which refuses it"),
    Code("LW205", "start_lr relies on the default of releases before 3.1.3"),
    Code("LW206", "the TensorFlow trainer of the release ignores decay_rate"),
    Code("LW207", "the release replaces decay_steps although decay_rate is given"),
    Code("LW208", "the release is older than any deepmd-lr describes"),
)

CODES: dict[str, Code] = {entry.code: entry for entry in _TABLE}
"""Every code, in the order of the documentation's table."""
