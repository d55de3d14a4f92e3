"""Standard streams, signals and writing files for the command line.

A failure is one line on stderr; Ctrl-C and SIGTERM end the command with
one line and the status of the signal; files are written atomically.
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any, TextIO

from deepmd_lr.files.storage import (
    InputFileError,
    open_descriptor_named,
    write_atomically,
)
from deepmd_lr.section.text import one_line

PROG = "deepmd-lr"


class CommandError(Exception):
    """A failure to report as one line on stderr, with exit status 1."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that a write in progress is undone."""


INTERRUPTED_STATUS = 128 + signal.SIGINT


TERMINATED_STATUS = 128 + signal.SIGTERM


def open_missing_streams() -> None:
    # A closed standard stream is None, and the next file opened would take
    # its descriptor. Standard output is taken by a read-only null device,
    # so that writing to it fails like a closed one; stderr writes are lost.
    for number, flags in ((1, os.O_RDONLY), (2, os.O_WRONLY)):
        if getattr(sys, _STREAM_NAMES[number]) is not None:
            continue
        descriptor = os.open(os.devnull, flags)
        if descriptor != number:
            os.dup2(descriptor, number)
            os.close(descriptor)
        stream = open(number, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
        setattr(sys, _STREAM_NAMES[number], stream)


_STREAM_NAMES = {1: "stdout", 2: "stderr"}


def raise_on_sigterm() -> Any:
    def terminate(number: int, frame: Any) -> None:
        raise Terminated

    try:
        return signal.signal(signal.SIGTERM, terminate)
    except ValueError:
        # Signal handlers can only be set from the main thread.
        return None


def escape_unencodable_output() -> None:
    # A file name or key with a lone surrogate is printed as an escape: a
    # message that cannot be encoded must never fail after the work is done.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def detach_stdout() -> None:
    # Python flushes stdout once more at exit; with stdout on the null device,
    # that flush cannot fail and print "Exception ignored".
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError):
        pass


def print_error(message: str) -> None:
    print(one_line(message), file=sys.stderr)


def print_notes(prefix: str, notes: list[str], stream: TextIO) -> None:
    for note in notes:
        print(f"{prefix}note: {one_line(note)}", file=stream)


def write(path: str, text: str) -> None:
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: str, content: bytes) -> None:
    try:
        write_atomically(path, content)
    except InputFileError as error:
        raise CommandError(f"{path}: {error}") from None
    except KeyboardInterrupt as interruption:
        raise type(interruption)(_interrupted_write(path, content)) from None


def _interrupted_write(path: str, content: bytes) -> str:
    # The write is atomic: the file holds its old bytes or the new ones.
    if open_descriptor_named(path) is not None or not os.path.isfile(path):
        return "interrupted"
    try:
        with open(path, "rb") as written:
            done = written.read(len(content) + 1) == content
    except OSError:
        return "interrupted"
    return f"interrupted; {path} {'was written' if done else 'is unchanged'}"


def report_stream(output: str) -> TextIO:
    # Reports must not mix into content written to standard output.
    return sys.stderr if open_descriptor_named(output) == 1 else sys.stdout
