"""Reading and writing the bytes of users' files, safely.

Reading takes regular files only, so that a FIFO or a device can never make
the command wait: ``deepmd-lr check -`` reads a pipe. Writing is atomic: the
new content goes to a temporary file
beside the target, is flushed to disk and then renamed over the target, so
that at every instant the target holds all of its old bytes or all of its
new ones.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
# Names of a descriptor already open in this process; ``/dev/stdout`` is a
# symbolic link to one of them.
_DESCRIPTOR_NAME = re.compile(r"(?:/dev|/proc/self)/fd/(\d+)")
_MAX_SYMBOLIC_LINKS = 40
_NAME_MAX = 255
"""Longest file name, in bytes, on the usual file systems."""


class InputFileError(Exception):
    """A file could not be read, parsed or written; the message says why.

    ``line`` and ``column`` (from 1) locate the problem in the file's text,
    where the parser tells it.
    """

    def __init__(
        self, message: str = "", *, line: int | None = None, column: int | None = None
    ) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


def read_text(path: str | Path, *, keep_byte_order_mark: bool = False) -> str:
    """The text of a regular UTF-8 file, without its byte-order mark if any.

    With ``keep_byte_order_mark``, a byte-order mark is kept as the text's
    first character, so that an edit of the text can write it back.

    Raises
    ------
    InputFileError
        When the file is missing, is not a regular file, cannot be read or
        is not UTF-8.
    """
    with _opened(path) as stream:
        content = stream.read()
    return decode_text(content, keep_byte_order_mark=keep_byte_order_mark)


def read_lines(path: str | Path) -> Iterator[str]:
    """The lines of a regular UTF-8 file, one at a time, without its byte-order mark.

    A line ends at ``\n`` alone, which it keeps (``\r\n`` too): a form
    feed, a lone ``\r`` or U+2028 inside a line does not end it. Only the
    last line may lack the ``\n``. The file is not held whole.

    Raises
    ------
    InputFileError
        As :func:`read_text`, once the lines before the fault are read.
    """
    with _opened(path) as stream:
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="\n")
        try:
            yield from text
        except UnicodeDecodeError:
            # Read again, whole, for the offset of the fault in the file.
            stream.seek(0)
            decode_text(stream.read())
            raise InputFileError("not UTF-8 text, and changed while read") from None


@contextlib.contextmanager
def _opened(path: str | Path) -> Iterator[BinaryIO]:
    """The regular file ``path``, opened for reading in binary; an error of
    the system while it is read is an :class:`InputFileError`."""
    try:
        # Checked before opening: opening a FIFO with no writer waits.
        _require_regular(os.stat(path).st_mode)
        descriptor = os.open(path, os.O_RDONLY | _O_NONBLOCK | _O_CLOEXEC)
        try:
            # The name may have been swapped for something else since the stat.
            _require_regular(os.fstat(descriptor).st_mode)
            with open(descriptor, "rb", closefd=False) as stream:
                yield stream
        finally:
            os.close(descriptor)
    except FileNotFoundError:
        raise InputFileError("no such file") from None
    except OSError as error:
        raise InputFileError(f"cannot read the file: {_reason(error)}") from None


def decode_text(content: bytes, *, keep_byte_order_mark: bool = False) -> str:
    """``content`` read as UTF-8, without its byte-order mark unless
    ``keep_byte_order_mark``.

    Raises
    ------
    InputFileError
        When it is not UTF-8.
    """
    if not keep_byte_order_mark:
        content = content.removeprefix(b"\xef\xbb\xbf")
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputFileError(
            f"not UTF-8 text: byte 0x{content[error.start]:02x} at offset "
            f"{error.start} cannot be decoded"
        ) from None


def _require_regular(mode: int) -> None:
    if stat.S_ISDIR(mode):
        raise InputFileError("is a directory, not a file")
    if not stat.S_ISREG(mode):
        raise InputFileError(
            "is not a regular file (a FIFO, a device or a socket): only regular "
            "files are read, so that a stream never makes the command wait; "
            "save it to a file first (check reads a pipe as -)"
        )


def write_atomically(path: str | Path, content: bytes) -> None:
    """Replace the content of ``path`` by ``content`` in one step.

    The bytes go to a temporary file in the target's directory, are flushed
    and fsynced, and the temporary file is renamed over the target. An
    existing target keeps its owner (where this process may give it) and its
    permission bits; a new one gets the usual mode for new files (0o666 less
    the umask). A symbolic link is followed, and the file it points to is
    replaced. A name of an open descriptor (``/dev/stdout``, ``/dev/fd/3``,
    ``/proc/self/fd/3``) gets the bytes written to that descriptor, so that
    what the shell opened (``>> log``) is appended to, not replaced. A
    character device or a FIFO (``/dev/null``) has no content to replace
    and is written directly; no other file under ``/dev`` or ``/proc`` is
    written. When this returns, the new content is in place; when it
    raises, the target is as it was and no temporary file is left.

    Raises
    ------
    InputFileError
        When the target's directory is missing, the target is a directory,
        is read-only or lies under ``/dev`` or ``/proc``, its name ends in
        a slash, or the content cannot be written (disk full, file-size
        limit, permissions).
    """
    descriptor_number = open_descriptor_named(path)
    if descriptor_number is not None:
        _write_descriptor(descriptor_number, content)
        return
    if os.path.basename(os.fspath(path)) in ("", ".", ".."):
        # realpath drops a trailing slash, which would make "new.json/" a file.
        raise _cannot_write(
            f"{os.strerror(errno.ENOTDIR)} (the name ends like a directory)"
        )
    target = os.path.realpath(path)
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        raise _cannot_write(f"the directory {directory} does not exist")
    try:
        existing: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        existing = None
    except OSError as error:
        raise _cannot_write(_reason(error)) from None
    if existing is not None and (
        stat.S_ISCHR(existing.st_mode) or stat.S_ISFIFO(existing.st_mode)
    ):
        _write_stream(target, content)
        return
    _check_replaceable(path, target, existing)
    _replace(target, content, existing)
    _sync_directory(directory)


def _check_replaceable(
    path: str | Path, target: str, existing: os.stat_result | None
) -> None:
    """Refuse a ``target`` (``path`` resolved) that a new file must not replace."""
    for name in (os.path.abspath(path), target):
        if name.startswith(("/dev/", "/proc/")):
            # Whatever is found there is a device or a view of a process,
            # never a file that a rename may replace.
            raise _cannot_write(
                "it lies under /dev or /proc, where nothing is replaced; "
                "write to a file elsewhere"
            )
    if existing is None:
        return
    if not stat.S_ISREG(existing.st_mode):
        raise _cannot_write(
            "it exists and is not a regular file "
            "(a directory, a socket or a block device)"
        )
    no_write_bits = not existing.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    if no_write_bits or not os.access(target, os.W_OK):
        # A rename needs only the directory's permission; the file's own
        # mode says whether it may be changed.
        mode = stat.S_IMODE(existing.st_mode)
        raise _cannot_write(f"it is read-only (mode {mode:04o}); it is unchanged")


def _replace(target: str, content: bytes, existing: os.stat_result | None) -> None:
    """Write ``content`` to a file beside ``target``, then rename it over ``target``."""
    temporary, descriptor = _create_beside(target)
    try:
        try:
            if existing is not None:
                # Only a privileged process may give a file away; others keep theirs.
                with contextlib.suppress(OSError):
                    os.fchown(descriptor, existing.st_uid, existing.st_gid)
                os.fchmod(descriptor, stat.S_IMODE(existing.st_mode))
            _write_all(descriptor, content)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, target)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        if isinstance(error, OSError):
            raise _cannot_write(f"{_reason(error)}; it is unchanged") from None
        raise


def open_descriptor_named(path: str | Path) -> int | None:
    """The descriptor of this process that ``path`` names, if it names one.

    ``/dev/stdout``, ``/dev/fd/N`` and ``/proc/self/fd/N`` (also reached
    through symbolic links) name a stream that is already open, which may
    be a file the shell opened for appending or a pipe.
    """
    name = os.path.abspath(path)
    for _ in range(_MAX_SYMBOLIC_LINKS):
        match = _DESCRIPTOR_NAME.fullmatch(name)
        if match is not None:
            return int(match[1])
        try:
            link = os.readlink(name)
        except OSError:
            return None
        name = os.path.abspath(os.path.join(os.path.dirname(name), link))
    return None


def _write_descriptor(number: int, content: bytes) -> None:
    """Write to an open descriptor, after what Python's own stream holds for it."""
    stream = {1: sys.stdout, 2: sys.stderr}.get(number)
    try:
        if stream is not None:
            stream.flush()
        _write_all(number, content)
    except BrokenPipeError:
        raise
    except OSError as error:
        raise _cannot_write(_reason(error)) from None


def _write_all(descriptor: int, content: bytes) -> None:
    """Write every byte: ``os.write`` may write fewer than it is given."""
    view = memoryview(content)
    while view:
        view = view[os.write(descriptor, view) :]


def _write_stream(target: str, content: bytes) -> None:
    """Write to a character device or FIFO (``-o /dev/null``): nothing to replace."""
    try:
        # Without a reader, a FIFO then fails at once instead of blocking.
        descriptor = os.open(target, os.O_WRONLY | _O_NONBLOCK | _O_CLOEXEC)
    except OSError as error:
        raise _cannot_write(_reason(error)) from None
    try:
        os.set_blocking(descriptor, True)
        _write_descriptor(descriptor, content)
    finally:
        os.close(descriptor)


def _create_beside(target: str) -> tuple[str, int]:
    import secrets  # only on writing: reading a file stays quick to start

    directory, name = os.path.split(target)
    # The temporary name adds 14 bytes, so a long name keeps only its start.
    start = os.fsdecode(os.fsencode(name)[: _NAME_MAX - len(".-12345678.tmp")])
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_CLOEXEC
    while True:
        temporary = os.path.join(directory, f".{start}.{secrets.token_hex(4)}.tmp")
        try:
            # 0o666 lets the umask decide, as for any new file.
            return temporary, os.open(temporary, flags, 0o666)
        except FileExistsError:
            continue
        except OSError as error:
            raise _cannot_write(
                f"no temporary file can be created in {directory}: {_reason(error)}"
            ) from None


def _sync_directory(directory: str) -> None:
    # Makes the rename itself durable; some file systems cannot sync a directory.
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY | _O_CLOEXEC)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _cannot_write(reason: str) -> InputFileError:
    return InputFileError(f"cannot write the file: {reason}")


def _reason(error: OSError) -> str:
    return error.strerror or str(error)
