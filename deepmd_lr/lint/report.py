"""The output formats of ``deepmd-lr check``: text, JSON and GitHub annotations.

Text is one line per problem, ``FILE:LINE:COLUMN: CODE message``, where a
warning's message starts with ``warning:``, then a summary line. JSON is one
list of objects for tools. GitHub is one workflow command per problem, which
GitHub Actions shows as an annotation on the line. JSON and GitHub give each
code's place on the documentation's page of codes (``codes.html#lr204``),
for an editor or a CI annotation to link to.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict

from deepmd_lr.lint.check import Problem
from deepmd_lr.section.codes import CODES
from deepmd_lr.section.text import one_line, single_line

PROBLEM_LINE_LIMIT = 1000
"""Most characters of a problem's text line: every message of the rules
fits whole, and a hostile input (a megabyte of key name) still gives a line
that a terminal and an editor can show; longer ones keep start and end."""


def text_line(problem: Problem) -> str:
    """``FILE:LINE:COLUMN: CODE message. Fix``, on one line.

    Examples
    --------
    >>> from deepmd_lr.section import codes
    >>> text_line(Problem("in.json", 3, 5, codes.OUT_OF_RANGE, "error", "learning_rate/stop_lr",
    ...                   "learning_rate/stop_lr: got -1", "Fix: set it >= 0"))
    'in.json:3:5: LR204 learning_rate/stop_lr: got -1. Fix: set it >= 0'
    """
    code = f"{problem.code} " if problem.code else ""
    severity = "" if problem.is_error else "warning: "
    return one_line(
        f"{problem.file}:{problem.line}:{problem.column}: "
        f"{code}{severity}{_with_fix(problem)}",
        PROBLEM_LINE_LIMIT,
    )


def summary_line(problems: Sequence[Problem], checked: int) -> str:
    """The last line of the text output.

    Examples
    --------
    >>> summary_line([], 5)
    'no problems in 5 files'
    >>> from deepmd_lr.section import codes
    >>> error = Problem("a.json", 1, 1, codes.UNREADABLE_FILE, "error", "", "gone")
    >>> summary_line([error, error], 3)
    '2 problems (2 errors, 0 warnings) in 1 of 3 files'
    """
    files = _count(checked, "file")
    if not problems:
        return f"no problems in {files}"
    errors = sum(problem.is_error for problem in problems)
    with_problems = len({problem.file for problem in problems})
    return (
        f"{_count(len(problems), 'problem')} ({_count(errors, 'error')}, "
        f"{_count(len(problems) - errors, 'warning')}) in {with_problems} of {files}"
    )


def json_report(problems: Sequence[Problem]) -> str:
    """The problems as a JSON list of objects, one per problem; each message
    and fix on one line, as in the text format, and ``url`` the code's
    section of the documentation."""
    listed = [
        asdict(problem)
        | {"message": single_line(problem.message), "fix": single_line(problem.fix)}
        | {"url": _code_url(problem)}
        for problem in problems
    ]
    return json.dumps(listed, indent=2) + "\n"


def github_line(problem: Problem) -> str:
    """A GitHub Actions workflow command that annotates the problem's line.

    Examples
    --------
    >>> from deepmd_lr.section import codes
    >>> github_line(Problem("a,b.json", 2, 7, codes.NOT_FINITE, "error", "x", "50%\\noff"))
    '::error file=a%2Cb.json,line=2,col=7,title=LR203 (codes.html#lr203)::50%25 off'
    """
    properties = {"file": problem.file, "line": problem.line, "col": problem.column}
    if problem.end_line is not None and problem.end_column is not None:
        properties["endLine"] = problem.end_line
        properties["endColumn"] = problem.end_column
    properties["title"] = (
        f"{problem.code} ({_code_url(problem)})" if problem.code else "deepmd-lr"
    )
    listed = ",".join(f"{name}={_escape_property(v)}" for name, v in properties.items())
    # The workflow commands are named as the severities are.
    return f"::{problem.severity} {listed}::{_escape_data(single_line(_with_fix(problem)))}"


def _code_url(problem: Problem) -> str:
    return CODES[problem.code].url if problem.code in CODES else ""


def _with_fix(problem: Problem) -> str:
    return f"{problem.message}. {problem.fix}" if problem.fix else problem.message


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: object) -> str:
    return _escape_data(str(value)).replace(":", "%3A").replace(",", "%2C")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
