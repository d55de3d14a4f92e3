"""The ``problem-codes`` directive: a section for every code ``check`` reports.

    .. problem-codes::

(in a MyST page, inside an ``eval-rst`` block) writes, for each code of
:data:`deepmd_lr.section.codes.CODES` in its order, a section with the
anchor ``lr204`` (the code in lower case): what the code means and why it
matters, its example input, what the example's command prints (run at build
time on the example, written to a temporary directory), and the fix. The
texts are those of ``deepmd_lr/section/explanations.md``, which ``deepmd-lr
explain`` prints; a code without an entry there stops the build.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from deepmd_lr.cli.explain import example_output
from deepmd_lr.cli.main import main
from deepmd_lr.section.codes import CODES, Explanation, explanations


def _rst(markdown: str) -> str:
    """The explanations' Markdown (paragraphs, lists, ``code``) as reStructuredText."""
    return re.sub(r"`([^`]+)`", r"``\1``", markdown)


def _block(language: str, text: str) -> list[str]:
    indented = [f"   {line}" for line in text.rstrip("\n").splitlines()]
    return [f".. code-block:: {language}", "", *indented, ""]


@contextmanager
def _plugin_type() -> Iterator[None]:
    """A plugin's schedule type with a required key, as the LR108 example
    assumes, registered for the length of the block."""
    from deepmd_lr import BaseLR, Key
    from deepmd_lr.section.registry import SCHEDULES

    @BaseLR.register("cyclic")
    class LearningRateCyclic(BaseLR):
        variant_keys = (Key("cycles", int, "Number of cycles.", minimum=1),)

    try:
        yield
    finally:
        del SCHEDULES._classes["cyclic"]


def _printed(entry: Explanation) -> str:
    """What the example's command prints, run on the example file."""
    with _plugin_type() if entry.code == "LR108" else nullcontext():
        output = example_output(entry, main)
    return f"$ {entry.command}\n{output}"


def _entry_lines(entry: Explanation) -> list[str]:
    code = entry.code
    title = f"{code}: {code.meaning}"
    kind = "Error" if code.is_error else "Warning"
    written = "" if entry.encoding == "utf-8" else f", written in {entry.encoding}"
    lines = [f".. _{code.lower()}:", "", title, "-" * len(title), ""]
    lines += [f"*{kind}.* {_rst(entry.text)}", ""]
    lines += [f"Example, ``{entry.file_name}``{written}:", ""]
    lines += _block(Path(entry.file_name).suffix[1:], entry.example)
    lines += _block("console", _printed(entry))
    lines += [*_rst(entry.fix).splitlines(), ""]
    return lines


class ProblemCodes(SphinxDirective):
    def run(self) -> list[nodes.Node]:
        explained = explanations()
        lines = [".. rubric:: Index", ""]
        lines += [f"- `{code} <#{code.lower()}>`__ {code.meaning}" for code in CODES]
        lines.append("")
        for code in CODES:
            if code not in explained:
                raise self.error(f"{code} has no entry in explanations.md")
            lines += _entry_lines(explained[code])
        self.state_machine.insert_input(lines, "deepmd_lr/section/explanations.md")
        return []


def _short_anchors_first(app: Any, doctree: nodes.document) -> None:
    """Make a code's own anchor (``lr204``) the one its heading links to."""
    for section in doctree.findall(nodes.section):
        short = [name for name in section["ids"] if re.fullmatch(r"l[rw]\d{3}", name)]
        if short:
            others = [name for name in section["ids"] if name not in short]
            section["ids"] = short + others


def setup(app: Any) -> dict[str, Any]:
    app.add_directive("problem-codes", ProblemCodes)
    app.connect("doctree-read", _short_anchors_first)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
