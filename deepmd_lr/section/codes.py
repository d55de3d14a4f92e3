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

Each code's explanation (what it means and why it matters, an input that
shows it, the fix) is written once, in ``explanations.md`` beside this
module, which both the documentation's page of codes and ``deepmd-lr
explain`` read; :attr:`Code.url` is the code's place on that page.

The package names each code by its constant here (``codes.OUT_OF_RANGE``),
never by its text; a code is a string, equal to its text, so that it can be
compared, printed and written as JSON as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CODES_PAGE = "codes.html"
"""The documentation's page of codes, relative to the documentation's root."""


class Code(str):
    """One rule: its code (the string itself) and what it means."""

    meaning: str
    """What the rule says, as a short phrase."""

    def __new__(cls, code: str, meaning: str) -> Code:
        entry = super().__new__(cls, code)
        entry.meaning = meaning
        return entry

    def __reduce__(self) -> tuple[object, ...]:
        return (Code, (str(self), self.meaning))

    @property
    def is_error(self) -> bool:
        return self.startswith("LR")

    @property
    def url(self) -> str:
        """The code's section on the documentation's page of codes.

        >>> OUT_OF_RANGE.url
        'codes.html#lr204'
        """
        return f"{CODES_PAGE}#{self.lower()}"


# -- reading the file
UNREADABLE_FILE = Code("LR001", "the file cannot be read")
NOT_JSON_OR_YAML = Code("LR002", "the file is not valid JSON or YAML")
TOP_LEVEL_NOT_OBJECT = Code("LR003", "the top level of the file is not an object")
REPEATED_SECTION_KEY = Code(
    "LR004", "a key is given twice in the learning_rate section"
)
NO_SECTION = Code("LR005", "the input has no learning_rate section")
VERSION_0_INPUT = Code(
    "LR006", "the input is in DeePMD-kit's 0.x form, which is not read"
)
WARMUP_KEY_IN_BOTH_PLACES = Code(
    "LR007", "a warmup key is given both under training and in learning_rate"
)
OLDER_FORM_NOT_NORMALIZED = Code(
    "LR008", "normalize needs an input in the current form"
)

# -- the shape of the section
SECTION_NOT_OBJECT = Code("LR101", "the learning_rate section is not an object")
KEY_NOT_STRING = Code("LR102", "a key is not a string")
UNKNOWN_KEY = Code("LR103", "a key is not a key of the learning_rate section")
KEY_OF_OTHER_TYPE = Code("LR104", "a key belongs to another schedule type")
UNKNOWN_TYPE = Code("LR105", "the schedule type is unknown")
START_LR_MISSING = Code("LR106", "start_lr is missing (alone or with the final rate)")
FINAL_RATE_MISSING = Code(
    "LR107", "the final rate is missing (neither stop_lr nor stop_lr_ratio)"
)
REQUIRED_KEY_MISSING = Code("LR108", "a key the schedule type requires is missing")

# -- the value of a single key
WRONG_TYPE = Code("LR201", "a value has the wrong JSON type")
NOT_A_CHOICE = Code("LR202", "a value is not one of the allowed choices")
NOT_FINITE = Code("LR203", "a value is not a finite number")
OUT_OF_RANGE = Code("LR204", "a value is out of its range")

# -- keys that contradict each other
BOTH_FINAL_RATES = Code("LR301", "stop_lr and stop_lr_ratio are both given")
STOP_ABOVE_START = Code("LR302", "stop_lr is larger than start_lr")
BOTH_WARMUP_LENGTHS = Code("LR303", "warmup_steps and warmup_ratio are both given")
ZERO_FINAL_RATE = Code(
    "LR304", "the final rate is 0 where the schedule cannot decay to 0"
)
TYPE_RULE_BROKEN = Code("LR305", "the schedule type's own rule across keys is broken")

# -- against the length of training
BAD_NUM_STEPS = Code("LR401", "training.numb_steps is not a valid number of steps")
WARMUP_WITHOUT_TRAINING = Code("LR402", "a warmup is asked for, but numb_steps is 0")
WARMUP_TOO_LONG = Code("LR403", "the warmup is not shorter than training")

# -- warnings about the input
REPEATED_KEY = Code("LW101", "a key is given twice outside the learning_rate section")
DECAY_STEPS_REPLACED = Code(
    "LW102", "decay_steps is not shorter than the decay phase and is replaced"
)
WARMUP_ROUNDS_TO_ZERO = Code("LW103", "warmup_ratio rounds down to no warmup at all")
CONVERTER_SETS_STOP_LR = Code(
    "LW104", "DeePMD-kit's converter replaces the stop_lr of a v1-era input"
)
WARMUP_KEY_UNDER_TRAINING = Code(
    "LW105", "a warmup key under training, which DeePMD-kit moves to learning_rate"
)

# -- warnings about a DeePMD-kit release
WARMUP_FROM_ZERO_DIVIDES = Code(
    "LW201", "the PyTorch trainer divides by a warmup start rate of 0"
)
TYPE_NEEDS_NEWER_RELEASE = Code("LW202", "the schedule type needs a newer DeePMD-kit")
FINAL_RATE_DEFAULT_DIFFERS = Code(
    "LW203", "the final rate relies on a default that differs by release"
)
KEY_UNKNOWN_TO_RELEASE = Code(
    "LW204", "a key is unknown to the DeePMD-kit release, which refuses it"
)
START_LR_DEFAULT_OF_RELEASE = Code(
    "LW205", "start_lr relies on the default of releases before 3.1.3"
)
TENSORFLOW_IGNORES_DECAY_RATE = Code(
    "LW206", "the TensorFlow trainer of the release ignores decay_rate"
)
DECAY_STEPS_REPLACED_DESPITE_RATE = Code(
    "LW207", "the release replaces decay_steps although decay_rate is given"
)
RELEASE_TOO_OLD = Code("LW208", "the release is older than any deepmd-lr describes")
TRAINER_IGNORES_SCALE_BY_WORKER = Code(
    "LW209", "the PyTorch, Paddle or PyTorch-exportable trainer ignores scale_by_worker"
)
TENSORFLOW_SCALES_BY_WORKERS = Code(
    "LW210", "the TensorFlow trainer multiplies every rate by its number of workers"
)
TRAINER_IGNORES_TYPE = Code(
    "LW211", "the PyTorch-exportable trainer of 3.1.3 trains exp whatever the type"
)
RELEASE_LACKS_TRAINER = Code("LW212", "the release has no trainer for the backend")
TENSORFLOW_IGNORES_TRAINING_WARMUP = Code(
    "LW213", "the TensorFlow trainer of 3.0.0 to 3.1.2 ignores a warmup under training"
)


CODES: dict[str, Code] = {
    entry: entry for entry in globals().values() if isinstance(entry, Code)
}
"""Every code, in the order of the documentation's table."""


@dataclass(frozen=True)
class Explanation:
    """A code explained: the sections of its entry in ``explanations.md``."""

    code: Code
    text: str
    """What the code means and why it matters (Markdown)."""
    command: str
    """The command that reports the code for :attr:`example`, such as
    ``deepmd-lr check input.json``; its last word names the file."""
    example: str
    """The text of an input file that breaks the rule."""
    encoding: str
    """The encoding the example file is written in."""
    fix: str
    """How to fix it (Markdown)."""

    @property
    def file_name(self) -> str:
        return self.command.split()[-1]


_ENTRY = re.compile(
    r"^## (?P<code>L[RW]\d{3})\n\n(?P<text>.*?)\n\nExample: `(?P<command>[^`]+)`\n\n"
    r"```\w+ ?(?P<encoding>\S*)\n(?P<example>.*?)```\n\n(?P<fix>Fix: .*?)\s*(?=^## |\Z)",
    re.MULTILINE | re.DOTALL,
)


def explanations() -> dict[str, Explanation]:
    """Every code's explanation, by code, in the order of ``explanations.md``.

    >>> explanations()["LR204"].command
    'deepmd-lr check input.json'
    """
    text = Path(__file__).with_name("explanations.md").read_text(encoding="utf-8")
    found = {}
    for entry in _ENTRY.finditer(text):
        fields: dict[str, Any] = entry.groupdict()
        fields |= {
            "code": CODES[entry["code"]],
            "encoding": entry["encoding"] or "utf-8",
        }
        found[entry["code"]] = Explanation(**fields)
    return found
