"""The ``cli-output`` directive: run a ``deepmd-lr`` command at build time.

    ```{cli-output} deepmd-lr show examples/input.json
    ```

shows the command and what it prints, so the pages never drift from the
program. A non-zero exit status is a build warning unless ``:returncode:``
names it.
"""

from __future__ import annotations

import contextlib
import io
import os
import shlex
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective


class CliOutput(SphinxDirective):
    required_arguments = 1
    final_argument_whitespace = True
    option_spec: ClassVar[dict[str, Any]] = {"returncode": directives.nonnegative_int}

    def run(self) -> list[nodes.Node]:
        command = self.arguments[0]
        words = shlex.split(command)
        if words[:1] != ["deepmd-lr"]:
            raise self.error(f"not a deepmd-lr command: {command}")
        status, output = run_command(words[1:], self.config.cli_output_cwd)
        expected = self.options.get("returncode", 0)
        if status != expected:
            raise self.error(
                f"`{command}` exited with {status}, expected {expected}:\n" + output
            )
        text = f"$ {command}\n{output.rstrip()}"
        block = nodes.literal_block(text, text, language="console")
        return [block]


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
