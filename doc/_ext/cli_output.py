"""The ``cli-output`` directive: run a ``deepmd-lr`` command at build time.

    ```{cli-output} deepmd-lr show examples/input.json
    ```

shows the command and what it prints, so the pages never drift from the
program. A non-zero exit status is a build warning unless ``:returncode:``
names it. ``:nowrap:`` keeps each line of the output whole, scrolling, where
a line is one record that a break would misread (GitHub's workflow
commands). With ``:file: NAME``, the directive's content is written to a file
of that name in an empty directory, the command runs there, and the page
shows the file before the command:

    ```{cli-output} deepmd-lr check input.json
    :file: input.json

    {"learning_rate": {"type": "cosine", "decay_steps": 5000}}
    ```
"""

from __future__ import annotations

import contextlib
import io
import os
import shlex
import tempfile
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective


class CliOutput(SphinxDirective):
    required_arguments = 1
    final_argument_whitespace = True
    has_content = True
    option_spec: ClassVar[dict[str, Any]] = {
        "returncode": directives.nonnegative_int,
        "file": directives.unchanged_required,
        "nowrap": directives.flag,
    }

    def run(self) -> list[nodes.Node]:
        command = self.arguments[0]
        words = shlex.split(command)
        if words[:1] != ["deepmd-lr"]:
            raise self.error(f"not a deepmd-lr command: {command}")
        name = self.options.get("file")
        if name is None:
            if self.content:
                raise self.error("content without :file: to write it to")
            status, output = run_command(words[1:], self.config.cli_output_cwd)
            shown: list[nodes.Node] = []
        else:
            content = "\n".join(self.content) + "\n"
            with tempfile.TemporaryDirectory() as directory:
                (Path(directory) / name).write_text(content, encoding="utf-8")
                status, output = run_command(words[1:], directory)
            language = "yaml" if name.endswith((".yaml", ".yml")) else "json"
            shown = [nodes.literal_block(content, content, language=language)]
        expected = self.options.get("returncode", 0)
        if status != expected:
            raise self.error(
                f"`{command}` exited with {status}, expected {expected}:\n" + output
            )
        text = f"$ {command}\n{output.rstrip()}"
        block = nodes.literal_block(text, text, language="console")
        if "nowrap" in self.options:
            block["classes"].append("nowrap")
        return [*shown, block]


def run_command(words: list[str], cwd: str) -> tuple[int, str]:
    """Run ``deepmd-lr WORDS`` in ``cwd``: its exit status and what it printed."""
    from deepmd_lr.cli.main import main

    captured = io.StringIO()
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
            status = main(words)
    finally:
        os.chdir(previous)
    return status, captured.getvalue()


def setup(app: Any) -> dict[str, Any]:
    app.add_config_value("cli_output_cwd", ".", "env")
    app.add_directive("cli-output", CliOutput)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
