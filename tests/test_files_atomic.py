"""Writing files: at every instant the target holds its old or its new bytes.

The command runs as a real child process, killed with SIGKILL at random
moments and right at the rename, limited in file size, and given a full
disk; the target must never be half-written, and a failure the process
survives must leave no temporary file behind.
"""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from deepmd_lr.files.reader import read_input
from deepmd_lr.files.storage import InputFileError, write_atomically
from deepmd_lr.files.writer import dumps

ROOT = Path(__file__).resolve().parent.parent
# Warnings (such as one about a broken plugin installed next to the package)
# are not the command's output, whose every line these tests count.
CHILD_ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONWARNINGS": "ignore"}

# A pre-3.1.3 input (migrate adds keys) with a sibling section large enough
# that writing it takes a noticeable share of the run.
OLD_INPUT = {
    "model": {"type_map": ["O", "H"], "weights": list(range(5_000))},
    "learning_rate": {"type": "exp"},
    "training": {"numb_steps": 100_000},
}

# Runs the command with os.replace wrapped so that the process kills itself
# just before or just after the rename; nothing in the package is changed.
KILL_AT_RENAME = """\
import os, runpy, signal, sys

moment = sys.argv.pop(1)
rename = os.replace


def replace_then_die(source, target):
    if moment == "before":
        os.kill(os.getpid(), signal.SIGKILL)
    rename(source, target)
    os.kill(os.getpid(), signal.SIGKILL)


os.replace = replace_then_die
sys.argv[0] = "deepmd-lr"
runpy.run_module("deepmd_lr", run_name="__main__")
"""


# Runs the command with one os function wrapped so that the process sends
# itself a signal when the function is called.
SIGNAL_AT_CALL = """\
import os, runpy, signal, sys

number = getattr(signal, sys.argv.pop(1))
name = sys.argv.pop(1)
function = getattr(os, name)


def signal_then_call(*args):
    os.kill(os.getpid(), number)
    return function(*args)


setattr(os, name, signal_then_call)
sys.argv[0] = "deepmd-lr"
runpy.run_module("deepmd_lr", run_name="__main__")
"""


def migrate_in_place(path: Path) -> list[str]:
    return [sys.executable, "-m", "deepmd_lr", "migrate", "--in-place", str(path)]


def temporary_files(directory: Path) -> list[Path]:
    return sorted(directory.glob(".*.tmp"))


@pytest.fixture(scope="module")
def old_and_new(tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    """The input's bytes, and its bytes after an undisturbed migration."""
    path = tmp_path_factory.mktemp("reference") / "input.json"
    path.write_text(json.dumps(OLD_INPUT, indent=1))
    old = path.read_bytes()
    subprocess.run(migrate_in_place(path), env=CHILD_ENV, check=True, timeout=60)
    new = path.read_bytes()
    assert new != old
    return old, new


# -- kill -9 -------------------------------------------------------------------


@pytest.mark.parametrize("moment", ["before", "after"])
def test_a_kill_at_the_rename_leaves_old_or_new_bytes(
    tmp_path: Path, old_and_new: tuple[bytes, bytes], moment: str
) -> None:
    old, new = old_and_new
    wrapper = tmp_path / "kill_at_rename.py"
    wrapper.write_text(KILL_AT_RENAME)
    children = []
    for trial in range(5):
        path = tmp_path / f"input{trial}.json"
        path.write_bytes(old)
        command = [sys.executable, str(wrapper), moment, "migrate", "--in-place"]
        children.append((path, subprocess.Popen([*command, str(path)], env=CHILD_ENV)))
    for path, child in children:
        assert child.wait(timeout=60) == -signal.SIGKILL
        assert path.read_bytes() == (old if moment == "before" else new)


def test_kills_at_random_moments_leave_old_or_new_bytes(
    tmp_path: Path, old_and_new: tuple[bytes, bytes]
) -> None:
    old, new = old_and_new
    started = time.monotonic()
    subprocess.run(
        migrate_in_place(_copy(old, tmp_path / "timing.json")),
        env=CHILD_ENV,
        check=True,
        timeout=60,
    )
    run_time = time.monotonic() - started
    chance = random.Random(20240917)
    kills, trial = 0, 0
    while kills < 90:
        assert trial < 400, f"only {kills} of {trial} children were killed in time"
        batch = []
        for _ in range(8):
            path = _copy(old, tmp_path / f"input{trial}.json")
            child = subprocess.Popen(migrate_in_place(path), env=CHILD_ENV)
            batch.append((chance.uniform(0, run_time), path, child))
            trial += 1
        launched = time.monotonic()
        for delay, _, child in sorted(batch, key=lambda entry: entry[0]):
            time.sleep(max(0.0, launched + delay - time.monotonic()))
            child.send_signal(signal.SIGKILL)
        for _, path, child in batch:
            status = child.wait(timeout=60)
            assert status in (0, -signal.SIGKILL)
            kills += status == -signal.SIGKILL
            content = path.read_bytes()
            assert content in (old, new), f"{path.name} is half-written"
    # 90 random kills here and 10 at the rename above: 100 in all.
    assert kills >= 90


def _copy(content: bytes, path: Path) -> Path:
    path.write_bytes(content)
    return path


# -- limits the process survives -------------------------------------------


# The limit is set by the child itself before it runs the command: a
# preexec_fn would make subprocess fork a parent that may hold JAX's threads.
# Ignored, SIGXFSZ no longer kills the child; write() fails with EFBIG.
LIMITED = (
    "import resource, runpy, signal, sys; "
    "signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
    "resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096)); "
    "sys.argv = ['deepmd-lr', *sys.argv[1:]]; "
    "runpy.run_module('deepmd_lr', run_name='__main__')"
)


def test_a_file_size_limit_leaves_the_input_untouched(
    tmp_path: Path, old_and_new: tuple[bytes, bytes]
) -> None:
    old, _ = old_and_new
    path = _copy(old, tmp_path / "input.json")
    done = subprocess.run(
        [sys.executable, "-c", LIMITED, "migrate", "--in-place", str(path)],
        env=CHILD_ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"{path}: cannot write the file: File too large")
    assert "Traceback" not in done.stderr
    assert path.read_bytes() == old
    assert temporary_files(tmp_path) == []


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs, where this process may mount one."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = shutil.which("mount")
    if mount is None:
        pytest.skip("no mount command")
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=True)


def test_a_full_disk_leaves_the_input_untouched(small_disk: Path) -> None:
    # 40 KB of input leaves no room on the 64 KiB disk for a second copy.
    data = {**OLD_INPUT, "model": {"weights": list(range(7_000))}}
    path = small_disk / "input.json"
    path.write_text(json.dumps(data))
    old = path.read_bytes()
    assert 32_000 < len(old) < 60_000
    done = subprocess.run(
        migrate_in_place(path), env=CHILD_ENV, capture_output=True, text=True
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.count("\n") == 1
    assert "No space left on device; it is unchanged" in done.stderr
    assert path.read_bytes() == old
    assert temporary_files(small_disk) == []


def _fail_with(code: int) -> Any:
    def fail(*args: Any) -> Any:
        raise OSError(code, os.strerror(code))

    return fail


@pytest.mark.parametrize(
    ("step", "code", "message"),
    [
        ("write", errno.ENOSPC, "No space left on device; it is unchanged"),
        ("fsync", errno.EIO, "Input/output error; it is unchanged"),
        ("replace", errno.EACCES, "Permission denied; it is unchanged"),
    ],
)
def test_a_failed_step_removes_its_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, code: int, message: str
) -> None:
    path = tmp_path / "out.json"
    path.write_bytes(b"old")
    monkeypatch.setattr(os, step, _fail_with(code))
    with pytest.raises(InputFileError, match=message):
        write_atomically(path, b"new content")
    assert path.read_bytes() == b"old"
    assert temporary_files(tmp_path) == []


def test_an_interrupted_write_removes_its_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupt(descriptor: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomically(tmp_path / "out.json", b"new content")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("signal_name", "at", "status", "message"),
    [
        ("SIGINT", "replace", 130, "interrupted; {} is unchanged"),
        ("SIGTERM", "fsync", 143, "interrupted; {} is unchanged"),
        ("SIGINT", "fstat", 130, "interrupted"),
    ],
)
def test_a_signal_is_one_line_and_leaves_the_file_unchanged(
    tmp_path: Path, signal_name: str, at: str, status: int, message: str
) -> None:
    wrapper = tmp_path / "signal_at_call.py"
    wrapper.write_text(SIGNAL_AT_CALL)
    path = tmp_path / "input.json"
    path.write_text(json.dumps(OLD_INPUT))
    old = path.read_bytes()
    done = subprocess.run(
        [sys.executable, wrapper, signal_name, at, "migrate", "--in-place", path],
        env=CHILD_ENV,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (status, "")
    assert done.stderr == message.format(path) + "\n"
    assert path.read_bytes() == old
    assert temporary_files(tmp_path) == []


# -- what a write keeps ------------------------------------------------------


def test_a_rewritten_file_keeps_its_permission_bits(tmp_path: Path) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(b"old")
    path.chmod(0o640)
    write_atomically(path, b"new")
    assert path.read_bytes() == b"new"
    assert path.stat().st_mode & 0o7777 == 0o640


def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path: Path) -> None:
    previous = os.umask(0o027)
    try:
        write_atomically(tmp_path / "new.json", b"{}")
    finally:
        os.umask(previous)
    assert (tmp_path / "new.json").stat().st_mode & 0o7777 == 0o640


def test_a_symbolic_link_is_followed_and_kept(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_bytes(b"old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_atomically(link, b"new")
    assert link.is_symlink()
    assert real.read_bytes() == b"new"


@pytest.mark.parametrize("name", ["a" * 250 + ".json", "é" * 125 + ".json"])
def test_a_name_of_up_to_255_bytes_can_be_written(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"old")
    write_atomically(path, b"new")
    assert path.read_bytes() == b"new"
    assert temporary_files(tmp_path) == []


@pytest.mark.parametrize("name", ["new.json/", "new.json/."])
def test_a_name_ending_like_a_directory_is_not_a_file(
    tmp_path: Path, name: str
) -> None:
    with pytest.raises(InputFileError, match="Not a directory"):
        write_atomically(f"{tmp_path}/{name}", b"{}")
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_file_is_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(b"old")
    path.chmod(0o444)
    with pytest.raises(
        InputFileError, match=r"read-only \(mode 0444\); it is unchanged"
    ):
        write_atomically(path, b"new")
    assert path.read_bytes() == b"old"
    assert temporary_files(tmp_path) == []


def test_a_file_the_caller_may_not_write_is_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "input.json"
    path.write_bytes(b"old")
    # As for another user's file with mode 0644.
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)
    with pytest.raises(InputFileError, match="read-only"):
        write_atomically(path, b"new")
    assert path.read_bytes() == b"old"


def test_a_missing_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="missing/dir does not exist"):
        write_atomically(tmp_path / "missing" / "dir" / "x.json", b"{}")
    assert list(tmp_path.iterdir()) == []


def test_a_device_is_written_directly(tmp_path: Path) -> None:
    write_atomically(os.devnull, b"{}")
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    with pytest.raises(InputFileError, match="No space left on device"):
        write_atomically("/dev/full", b"{}")


@pytest.mark.parametrize("name", ["/dev/fd/{}", "/proc/self/fd/{}", "link"])
def test_a_named_descriptor_is_appended_to_not_replaced(
    tmp_path: Path, name: str
) -> None:
    log = tmp_path / "log.txt"
    log.write_bytes(b"IMPORTANT\n")
    inode = log.stat().st_ino
    descriptor = os.open(log, os.O_WRONLY | os.O_APPEND)
    try:
        target = name.format(descriptor)
        if name == "link":
            target = str(tmp_path / "out.json")
            os.symlink(f"/dev/fd/{descriptor}", target)
        write_atomically(target, b"new\n")
    finally:
        os.close(descriptor)
    assert log.read_bytes() == b"IMPORTANT\nnew\n"
    assert log.stat().st_ino == inode
    assert temporary_files(tmp_path) == []


def test_a_named_pipe_descriptor_is_written() -> None:
    reader, writer = os.pipe()
    try:
        write_atomically(f"/dev/fd/{writer}", b"through the pipe")
        os.close(writer)
        assert os.read(reader, 100) == b"through the pipe"
    finally:
        os.close(reader)


def test_a_closed_descriptor_is_one_message(tmp_path: Path) -> None:
    descriptor = os.open(tmp_path, os.O_RDONLY)
    os.close(descriptor)
    with pytest.raises(InputFileError, match="Bad file descriptor"):
        write_atomically(f"/proc/self/fd/{descriptor}", b"{}")


@pytest.mark.parametrize("through_a_link", [False, True])
def test_nothing_under_proc_is_replaced(tmp_path: Path, through_a_link: bool) -> None:
    target = Path(f"/proc/{os.getpid()}/environ")
    old = target.read_bytes()
    if through_a_link:
        (tmp_path / "out.json").symlink_to(target)
        target = tmp_path / "out.json"
    with pytest.raises(InputFileError, match="lies under /dev or /proc"):
        write_atomically(target, b"{}")
    assert target.read_bytes() == old


def test_a_fifo_without_a_reader_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    with pytest.raises(InputFileError, match="No such device or address"):
        write_atomically(fifo, b"{}")


def test_a_directory_is_never_replaced(tmp_path: Path) -> None:
    (tmp_path / "out.json").mkdir()
    with pytest.raises(InputFileError, match="is not a regular file"):
        write_atomically(tmp_path / "out.json", b"{}")
    assert (tmp_path / "out.json").is_dir()
    assert temporary_files(tmp_path) == []


# -- text that UTF-8 cannot encode -------------------------------------------


LONE_SURROGATE = "x\ud800y"


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_lone_surrogate_round_trips(tmp_path: Path, suffix: str) -> None:
    if suffix == ".yaml":
        pytest.importorskip("yaml")
    data = {"model": {"name": LONE_SURROGATE}, "learning_rate": {"type": "exp"}}
    path = tmp_path / f"input{suffix}"
    path.write_text(dumps(data, suffix[1:]), encoding="utf-8")
    assert read_input(path).data == data
    done = subprocess.run(
        migrate_in_place(path), env=CHILD_ENV, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    migrated = read_input(path).data
    assert migrated["model"]["name"] == LONE_SURROGATE
    assert migrated["learning_rate"]["start_lr"] == 1e-3


def test_json_escapes_only_what_utf8_cannot_encode() -> None:
    text = dumps({"name": "é\ud800"}, "json")
    assert text == '{\n    "name": "é\\ud800"\n}\n'
    assert json.loads(text) == {"name": "é\ud800"}


def test_a_surrogate_in_a_failing_migration_leaves_the_input_untouched(
    tmp_path: Path,
) -> None:
    path = tmp_path / "input.json"
    path.write_text(
        '{"learning_rate": {"type": "exp", "\\ud800": 1}, "training": {}}',
        encoding="utf-8",
    )
    old = path.read_bytes()
    done = subprocess.run(
        migrate_in_place(path), env=CHILD_ENV, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert "nothing was written" in done.stderr
    assert path.read_bytes() == old
    assert read_input(path).data["learning_rate"]["\ud800"] == 1
