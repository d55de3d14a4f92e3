"""Standard streams, signals and writing files for the command line.

A failure is one line on stderr; Ctrl-C and SIGTERM end the command with
one line and the status of the signal; files are written atomically.
"""

from __future__ import annotations

import errno
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, TextIO

from deepmd_lr.files import storage
from deepmd_lr.section.text import one_line

PROG = "deepmd-lr"


class CommandError(Exception):
    """A failure to report as one line on stderr, with exit status 1."""


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that a write in progress is undone."""


def run_guarded(command: Callable[[], int]) -> int:
    """Run ``command`` and return its exit status, with a failure of the
    standard streams, Ctrl-C, SIGTERM or running out of memory turned into
    one line on stderr and the status it calls for."""
    _prepare_standard_streams()
    try:
        previous_handler = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:
        # Signal handlers can only be set from the main thread.
        previous_handler = None
    status = 0
    try:
        status = command()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (e.g. `| head`) left early; that is not an error, and
        # what was done before keeps its status.
        detach_stdout()
        return status
    except OSError as error:
        # Files have messages of their own, so this is an output stream failing.
        detach_stdout()
        reason = error.strerror or str(error)
        if error.errno == errno.EBADF:
            reason = "standard output is closed"
        print_error(f"{PROG}: cannot write the output: {reason}")
        return 1
    except KeyboardInterrupt as interruption:
        detach_stdout()
        print_error(str(interruption) or "interrupted")
        if isinstance(interruption, Terminated):
            return 128 + signal.SIGTERM
        return 128 + signal.SIGINT
    except MemoryError:
        detach_stdout()
        print_error(f"{PROG}: out of memory")
        return 1
    finally:
        if previous_handler is not None:
            signal.signal(signal.SIGTERM, previous_handler)
    return status


def _prepare_standard_streams() -> None:
    # A closed standard stream is None, and the next file opened would take
    # its descriptor. Standard output is taken by a read-only null device,
    # so that writing to it fails like a closed one; stderr writes are lost.
    # A file name or key with a lone surrogate is printed as an escape: a
    # message that cannot be encoded must never fail after the work is done.
    for number, name, flags in ((1, "stdout", os.O_RDONLY), (2, "stderr", os.O_WRONLY)):
        if getattr(sys, name) is None:
            descriptor = os.open(os.devnull, flags)
            if descriptor != number:
                os.dup2(descriptor, number)
                os.close(descriptor)
            setattr(sys, name, open(number, "w", encoding="utf-8", closefd=False))  # noqa: SIM115
        reconfigure = getattr(getattr(sys, name), "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def _terminate(number: int, frame: Any) -> None:
    raise Terminated


def detach_stdout() -> None:
    # Python flushes stdout once more at exit; with stdout on the null device,
    # that flush cannot fail and print "Exception ignored".
    with suppress(OSError, ValueError):
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)


def print_error(message: str) -> None:
    print(one_line(message), file=sys.stderr)


def print_notes(prefix: str, notes: list[str], stream: TextIO) -> None:
    for note in notes:
        print(f"{prefix}note: {one_line(note)}", file=stream)


@contextmanager
def file_errors(name: str | None = None) -> Iterator[None]:
    """Turn an error of reading or writing a file into a one-line
    :class:`CommandError`, its message after ``name`` when given (without,
    the message names the file already)."""
    try:
        yield
    except storage.InputFileError as error:
        raise CommandError(str(error) if name is None else f"{name}: {error}") from None


def write(path: str, content: str | bytes) -> None:
    """Write ``content`` (text as UTF-8) to ``path`` atomically."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        with file_errors(path):
            storage.write_atomically(path, data)
    except KeyboardInterrupt as interruption:
        raise type(interruption)(_interrupted_write(path, data)) from None


def _interrupted_write(path: str, content: bytes) -> str:
    # The write is atomic: the file holds its old bytes or the new ones.
    if storage.open_descriptor_named(path) is not None or not os.path.isfile(path):
        return "interrupted"
    try:
        with open(path, "rb") as written:
            done = written.read(len(content) + 1) == content
    except OSError:
        return "interrupted"
    return f"interrupted; {path} {'was written' if done else 'is unchanged'}"


def report_stream(output: str) -> TextIO:
    # Reports must not mix into content written to standard output.
    return sys.stderr if storage.open_descriptor_named(output) == 1 else sys.stdout
