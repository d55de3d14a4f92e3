"""Warnings about what a DeePMD-kit release does with a section (LW2xx)."""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import subprocess
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deepmd_lr.deepmd.installed import (
    DEEPMD_DISTRIBUTIONS,
    DEFAULT_DEEPMD_VERSION,
    DeepmdVersion,
    default_deepmd_version,
    installed_deepmd_version,
)
from deepmd_lr.deepmd.releases import release_warnings
from deepmd_lr.section.codes import CODES
from deepmd_lr.section.errors import LearningRateWarning

ROOT = Path(__file__).resolve().parent.parent

VALID = {"start_lr": 1e-3, "stop_lr": 1e-6}


def found(section, version, num_steps=10_000):
    return {(w.code, w.path) for w in release_warnings(section, num_steps, version)}


def codes(section, version, num_steps=10_000):
    return {code for code, _ in found(section, version, num_steps)}


# -- versions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("3.1.3", "3.1.3"),
        ("3.2.0", "3.2.0"),
        ("v3.1.3", "3.1.3"),
        ("3.1.3rc1", "3.1.3rc1"),
        ("2.2.0.b0", "2.2.0b0"),
        ("3.2.0-beta.2", "3.2.0b2"),
        ("3.1.3.dev12+gabc", "3.1.3.dev12+gabc"),
        ("3.1.3.post1", "3.1.3.post1"),
        (" 3.1.3\n", "3.1.3"),
    ],
)
def test_a_version_is_parsed_and_shown_in_its_normal_form(text, shown):
    assert str(DeepmdVersion.parse(text)) == shown


@pytest.mark.parametrize(
    "ordered",
    [
        ["3.1.2", "3.1.3.dev12+gabc", "3.1.3a1", "3.1.3b0", "3.1.3rc1", "3.1.3"],
        ["3.1.3", "3.1.3.post1.dev0", "3.1.3.post1", "3.1.4", "3.2.0b0", "3.2.0"],
        ["2.2.11", "3.0.0a0", "3.0.0b0", "3.0.0", "10.0.0"],
    ],
)
def test_versions_compare_in_pep_440_order(ordered):
    versions = [DeepmdVersion.parse(text) for text in ordered]
    assert sorted(reversed(versions)) == versions
    assert all(a < b for a, b in itertools.pairwise(versions))


def test_the_local_part_takes_no_part_in_the_order():
    plain, built = DeepmdVersion.parse("3.1.3"), DeepmdVersion.parse("3.1.3+g1234")
    assert plain == built
    assert hash(plain) == hash(built)


@pytest.mark.parametrize(
    "text",
    ["", "3", "3.1", "3.1.3.4", "three", "3.1.x", "3.1.3 beta", "=3.1.3", "0!3.1.3"],
)
def test_text_that_is_not_x_y_z_is_refused_in_one_line(text):
    with pytest.raises(ValueError, match="is not a DeePMD-kit version") as caught:
        DeepmdVersion.parse(text)
    assert "\n" not in str(caught.value)
    assert "X.Y.Z" in str(caught.value)


def test_a_version_that_is_not_text_is_refused_as_well():
    with pytest.raises(ValueError, match="is not a DeePMD-kit version"):
        DeepmdVersion.parse(313)  # type: ignore[arg-type]


def test_release_warnings_refuses_a_bad_version_text():
    with pytest.raises(ValueError, match="not a DeePMD-kit version"):
        release_warnings(VALID, 100, "latest")


# -- the installed release ------------------------------------------------------


def _metadata_version():
    try:
        return version("deepmd-kit")
    except PackageNotFoundError:
        return None


@pytest.mark.parametrize(
    "marked", [pytest.param(True, marks=pytest.mark.parity), False]
)
def test_the_installed_version_is_the_one_importlib_metadata_finds(marked):
    # Marked once for CI's second run, against DeePMD-kit 3.1.3.
    assert installed_deepmd_version() == _metadata_version()


@pytest.mark.parity
def test_the_installed_version_is_the_one_deepmd_kit_reports():
    deepmd = pytest.importorskip("deepmd", reason="DeePMD-kit is not installed")
    installed = installed_deepmd_version()
    assert installed is not None
    assert DeepmdVersion.parse(installed) == DeepmdVersion.parse(deepmd.__version__)


def _installed_in(*directories):
    """What the finder says with ``directories`` alone on ``sys.path``, in a
    child interpreter, and whether it imported the metadata library."""
    body = (
        "import json, sys\n"
        "from deepmd_lr.deepmd.installed import DEEPMD_DISTRIBUTIONS, installed_deepmd_version\n"
        # The standard library stays; installed packages, DeePMD-kit among
        # them, give way to the directories given.
        f"sys.path[:] = [*{[str(directory) for directory in directories]!r},\n"
        "    *(entry for entry in sys.path if 'site-packages' not in entry)]\n"
        "found = installed_deepmd_version()\n"
        "print(json.dumps([found, 'importlib.metadata' in sys.modules]))\n"
    )
    child = subprocess.run(
        [sys.executable, "-c", body],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert child.returncode == 0, child.stderr
    return json.loads(child.stdout)


def _site(directory, distribution, metadata_version, *, package=True):
    """A site directory holding a distribution and, with ``package``, the
    ``deepmd`` package it installs."""
    directory.mkdir()
    if package:
        (directory / "deepmd").mkdir()
        (directory / "deepmd" / "__init__.py").write_text("")
    info = directory / f"{distribution.replace('-', '_')}-{metadata_version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {distribution}\nVersion: {metadata_version}\n"
    )
    return directory


@pytest.mark.parametrize("distribution", DEEPMD_DISTRIBUTIONS)
def test_a_wheel_install_is_read_without_the_metadata_library(tmp_path, distribution):
    site = _site(tmp_path / "site", distribution, "3.1.3rc1")
    assert _installed_in(site) == ["3.1.3rc1", False]


def test_the_first_path_entry_with_deepmd_kit_wins(tmp_path):
    first = _site(tmp_path / "first", "deepmd-kit", "3.2.0")
    second = _site(tmp_path / "second", "deepmd-kit", "3.1.3")
    assert _installed_in(first, second) == ["3.2.0", False]


def test_the_package_s_own_directory_decides_over_an_earlier_one(tmp_path):
    # Metadata alone earlier on the path does not name the package imported.
    metadata_only = _site(tmp_path / "first", "deepmd-kit", "3.2.0", package=False)
    installed = _site(tmp_path / "second", "deepmd-kit", "3.1.3")
    assert _installed_in(metadata_only, installed) == ["3.1.3", False]


def test_two_distributions_beside_the_package_are_left_to_the_metadata_library(
    tmp_path,
):
    site = _site(tmp_path / "site", "deepmd-kit", "3.1.3")
    stale = site / "deepmd_kit-3.0.0.dist-info"
    stale.mkdir()
    (stale / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: deepmd-kit\nVersion: 3.0.0\n"
    )
    found, asked_the_library = _installed_in(site)
    assert asked_the_library
    assert found in {"3.1.3", "3.0.0"}


def test_an_egg_install_is_read_by_the_metadata_library(tmp_path):
    site = _site(tmp_path / "site", "deepmd-lr", "0.1.0")
    egg = site / "deepmd_kit.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text(
        "Metadata-Version: 2.1\nName: deepmd-kit\nVersion: 2.2.11\n"
    )
    assert _installed_in(site) == ["2.2.11", True]


def test_without_a_deepmd_package_no_metadata_is_read(tmp_path):
    site = _site(tmp_path / "site", "deepmd-kit", "3.1.3", package=False)
    assert _installed_in(site) == [None, False]


def test_a_deepmd_package_without_deepmd_kit_metadata_has_no_version(tmp_path):
    site = _site(tmp_path / "site", "deepmd-lr", "0.1.0")
    assert _installed_in(site) == [None, True]


def test_the_default_version_is_the_installed_one_or_3_1_3():
    installed = _metadata_version()
    expected = installed if installed is not None else DEFAULT_DEEPMD_VERSION
    assert default_deepmd_version() == DeepmdVersion.parse(expected)


# -- LW201: a warmup from 0 in 3.1.3's PyTorch trainer --------------------------

WARMUP = {**VALID, "warmup_steps": 100}


@pytest.mark.parametrize(
    ("release", "fires"),
    [("3.1.2", False), ("3.1.3", True), ("3.1.4", True), ("3.2.0b0", False)],
)
def test_lw201_fires_for_3_1_3_only(release, fires):
    assert (
        ("LW201", "learning_rate/warmup_start_factor") in found(WARMUP, release)
    ) is fires


@pytest.mark.parametrize(
    "section",
    [
        WARMUP,
        {**WARMUP, "warmup_start_factor": 0},
        {**WARMUP, "warmup_start_factor": 0.0},
        {**VALID, "warmup_ratio": 0.05},
    ],
)
def test_lw201_fires_for_every_warmup_from_0(section):
    assert "LW201" in codes(section, "3.1.3")


@pytest.mark.parametrize(
    ("section", "num_steps"),
    [
        (VALID, 10_000),
        ({**WARMUP, "warmup_start_factor": 0.01}, 10_000),
        ({**VALID, "warmup_steps": 0}, 10_000),
        ({**VALID, "warmup_ratio": 0.05}, 10),  # rounds down to no warmup
        ({**VALID, "warmup_ratio": 0.0}, 10_000),
        ({**WARMUP, "warmup_start_factor": "0"}, 10_000),  # cannot be judged
    ],
)
def test_lw201_stays_quiet_without_a_warmup_from_0(section, num_steps):
    assert "LW201" not in codes(section, "3.1.3", num_steps)


def test_lw201_takes_a_positive_warmup_ratio_as_a_warmup_without_numb_steps():
    assert "LW201" in codes({**VALID, "warmup_ratio": 0.05}, "3.1.3", None)


def test_lw201_names_the_release_the_error_and_the_fix():
    (warning,) = [
        w for w in release_warnings(WARMUP, 10_000, "3.1.3") if w.code == "LW201"
    ]
    message = str(warning)
    assert "DeePMD-kit 3.1.3" in message
    assert "ZeroDivisionError" in message
    assert "warmup_start_factor: 0.01" in message


# -- LW202: schedule types a release lacks --------------------------------------


@pytest.mark.parametrize(
    ("kind", "release", "fires", "says"),
    [
        ("cosine", "3.1.2", True, "DeePMD-kit 2.0.0 to 3.1.2"),
        ("cosine", "3.1.3", False, ""),
        ("wsd", "3.1.2", True, "DeePMD-kit 2.0.0 to 3.1.2"),
        ("wsd", "3.1.3", True, "bridge"),
        ("wsd", "3.2.0.dev4", True, "deepmd_lr_dp"),
        ("wsd", "3.2.0b0", False, ""),
        ("wsd", "3.2.0", False, ""),
        ("exp", "2.0.0", False, ""),
    ],
)
def test_lw202_fires_where_the_type_is_missing(kind, release, fires, says):
    warnings = [
        w
        for w in release_warnings({**VALID, "type": kind}, 1000, release)
        if w.code == "LW202"
    ]
    assert bool(warnings) is fires
    for warning in warnings:
        assert warning.path == "learning_rate/type"
        assert says in str(warning)


# -- LW203 and LW205: defaults that differ by release ---------------------------


@pytest.mark.parametrize(
    ("release", "value"),
    [
        ("2.0.0", "1.0e-08"),
        ("3.1.2", "1.0e-08"),
        ("3.1.3", "5.0e-08"),
        ("3.2.0", "5.0e-08"),
    ],
)
def test_lw203_says_which_final_rate_the_release_fills(release, value):
    (warning,) = [
        w
        for w in release_warnings({"start_lr": 1e-3}, 1000, release)
        if w.code == "LW203"
    ]
    assert warning.path == "learning_rate/stop_lr"
    assert f"stop_lr: {value}" in str(warning)


@pytest.mark.parametrize("release", ["2.0.0", "3.1.2", "3.1.3", "3.2.0"])
@pytest.mark.parametrize("key", ["stop_lr", "stop_lr_ratio"])
def test_lw203_stays_quiet_when_the_final_rate_is_given(release, key):
    assert "LW203" not in codes({"start_lr": 1e-3, key: 0.01}, release)


def test_lw203_takes_a_null_final_rate_as_missing_from_3_1_3_on():
    assert "LW203" in codes({"start_lr": 1e-3, "stop_lr": None}, "3.1.3")
    assert "LW203" not in codes({"start_lr": 1e-3, "stop_lr": None}, "3.1.2")


@pytest.mark.parametrize(
    ("release", "fires"), [("2.0.0", True), ("3.1.2", True), ("3.1.3", False)]
)
def test_lw205_fires_where_start_lr_has_a_default(release, fires):
    assert (
        ("LW205", "learning_rate/start_lr") in found({"stop_lr": 1e-8}, release)
    ) is fires


# -- LW204: keys a release refuses ----------------------------------------------


@pytest.mark.parametrize(
    ("key", "last_without", "first_with"),
    [
        ("scale_by_worker", "2.0.1", "2.0.2"),
        ("decay_rate", "3.0.0a0", "3.0.0b0"),
        ("stop_lr_ratio", "3.1.2", "3.1.3"),
        ("warmup_steps", "3.1.2", "3.1.3"),
        ("warmup_ratio", "3.1.2", "3.1.3"),
        ("warmup_start_factor", "3.1.2", "3.1.3"),
        ("smooth", "3.1.2", "3.1.3"),
    ],
)
def test_lw204_fires_before_the_first_release_with_the_key(
    key, last_without, first_with
):
    section = {"start_lr": 1e-3, key: 0.5}
    assert ("LW204", f"learning_rate/{key}") in found(section, last_without)
    assert "LW204" not in codes(section, first_with)


def test_lw204_gives_the_final_rate_a_ratio_stands_for():
    section = {"start_lr": 2e-3, "stop_lr_ratio": 0.01}
    (warning,) = [
        w for w in release_warnings(section, 1000, "3.1.2") if w.code == "LW204"
    ]
    assert "stop_lr: 2.0e-05" in str(warning)


def test_lw204_ignores_comment_keys():
    assert "LW204" not in codes({**VALID, "_warmup_steps": 10}, "2.0.0")


# -- LW206 and LW207: decay_rate in 3.0.0 to 3.1.2 ------------------------------


@pytest.mark.parametrize(
    ("release", "fires"),
    [("2.2.11", False), ("3.0.0b0", True), ("3.1.2", True), ("3.1.3", False)],
)
def test_lw206_fires_where_tensorflow_ignores_decay_rate(release, fires):
    section = {**VALID, "decay_rate": 0.95}
    assert (("LW206", "learning_rate/decay_rate") in found(section, release)) is fires


@pytest.mark.parametrize(
    ("release", "fires"),
    [("2.2.11", False), ("3.0.0b0", True), ("3.1.2", True), ("3.1.3", False)],
)
def test_lw207_fires_where_decay_steps_is_replaced_despite_decay_rate(release, fires):
    section = {**VALID, "decay_rate": 0.95}
    assert (
        ("LW207", "learning_rate/decay_steps") in found(section, release, 1000)
    ) is fires


@pytest.mark.parametrize(
    ("section", "num_steps"),
    [
        ({**VALID, "decay_rate": 0.95}, 10_000),  # 5000 < 10000
        ({**VALID, "decay_rate": 0.95, "decay_steps": 10}, 1000),
        ({**VALID, "decay_steps": 5000}, 1000),  # no decay_rate: replaced anyway
        ({**VALID, "decay_rate": 0.95}, None),
        ({**VALID, "decay_rate": 0.95, "type": "cosine"}, 1000),
    ],
)
def test_lw207_stays_quiet_where_no_release_differs(section, num_steps):
    assert "LW207" not in codes(section, "3.1.2", num_steps)


def test_lw207_gives_the_replacement_3_1_2_uses():
    section = {**VALID, "decay_rate": 0.95, "decay_steps": 5000}
    (warning,) = [
        w for w in release_warnings(section, 3000, "3.1.2") if w.code == "LW207"
    ]
    assert "replaces it with 100 " in str(warning)
    (warning,) = [
        w for w in release_warnings(section, 1000, "3.1.2") if w.code == "LW207"
    ]
    assert "replaces it with 11 " in str(warning)


# -- releases before 2.0.0 ------------------------------------------------------


def test_a_release_before_2_0_0_gets_one_warning_that_it_is_not_described():
    warnings = release_warnings({}, None, "1.3.3")
    assert [(w.code, w.path) for w in warnings] == [("LW208", "learning_rate")]


# -- all rules ------------------------------------------------------------------


def test_a_fully_written_section_gets_no_warning_on_3_2_0():
    section = {
        "type": "exp",
        "start_lr": 1e-3,
        "stop_lr": 1e-6,
        "warmup_steps": 10,
        "warmup_start_factor": 0.1,
        "decay_steps": 500,
    }
    assert release_warnings(section, 10_000, "3.2.0") == []
    assert release_warnings(section, 10_000, DeepmdVersion.parse("3.1.3")) == []


def test_every_warning_code_is_in_the_table_and_a_warning():
    sections = (
        {"type": "wsd", "warmup_ratio": 0.1},
        {"decay_rate": 0.9, "decay_steps": 5000},
    )
    releases = ("1.0.0", "2.0.0", "3.0.0", "3.1.2", "3.1.3", "3.2.0")
    warnings = [
        warning
        for section in sections
        for release in releases
        for warning in release_warnings(section, 100, release)
    ]
    assert {w.code for w in warnings} == {f"LW20{n}" for n in range(1, 9)}
    for warning in warnings:
        assert isinstance(warning, LearningRateWarning)
        assert warning.code in CODES
        assert not CODES[warning.code].is_error
        assert "\n" not in str(warning)
        assert "Fix: " in str(warning)
        assert "DeePMD-kit " in str(warning)


values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=5)
    | st.sampled_from(["exp", "cosine", "wsd", "0", ""]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=5,
)
keys = (
    st.sampled_from(
        [
            "type",
            "start_lr",
            "stop_lr",
            "stop_lr_ratio",
            "warmup_steps",
            "warmup_ratio",
            "warmup_start_factor",
            "scale_by_worker",
            "decay_steps",
            "decay_rate",
            "smooth",
            "_comment",
        ]
    )
    | st.text(max_size=4)
    | st.integers()
)


@settings(max_examples=300, deadline=None)
@given(
    section=st.dictionaries(keys, values, max_size=8) | values,
    num_steps=values,
    release=st.sampled_from(["1.3.3", "2.0.0", "3.0.0b0", "3.1.2", "3.1.3", "3.2.0"]),
)
def test_no_section_makes_it_crash(section, num_steps, release):
    for warning in release_warnings(section, num_steps, release):
        assert warning.code in CODES
        assert warning.path.startswith("learning_rate")


# -- the claim of LW201, in a real run ------------------------------------------

SOURCE = os.environ.get("DEEPMD_KIT_SOURCE")
"""A DeePMD-kit git repository or source tree, for its water example data."""


@pytest.mark.slow
@pytest.mark.skipif(
    _metadata_version() != "3.1.3",
    reason=f"needs DeePMD-kit 3.1.3 (installed: {_metadata_version()})",
)
@pytest.mark.skipif(
    importlib.util.find_spec("torch") is None, reason="dp --pt train needs torch"
)
@pytest.mark.skipif(
    SOURCE is None,
    reason="set DEEPMD_KIT_SOURCE to a DeePMD-kit git repository or source tree "
    "(for its water example data)",
)
def test_dp_3_1_3_pt_train_stops_on_a_warmup_from_0(tmp_path):
    from test_deepmd_bridge import TRAINING_INPUT, copy_water_data, dp_command

    assert SOURCE is not None
    copy_water_data(Path(SOURCE), tmp_path)
    section = {"type": "exp", "start_lr": 1e-3, "stop_lr": 1e-5, "warmup_steps": 5}
    assert "LW201" in codes(section, "3.1.3", 20)
    training = {**TRAINING_INPUT["training"], "numb_steps": 20}
    whole = {**TRAINING_INPUT, "learning_rate": section, "training": training}
    (tmp_path / "input.json").write_text(json.dumps(whole))
    train = ["--pt", "train", "input.json", "--skip-neighbor-stat"]
    child = subprocess.run(
        [*dp_command(), *train],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1"},
        timeout=600,
    )
    assert child.returncode != 0
    assert "ZeroDivisionError" in child.stderr
    assert "/ initial_lr" in child.stderr  # in the trainer's scheduler
    assert not (tmp_path / "lcurve.out").exists()

    # The fix the warning gives lets the same run train.
    section["warmup_start_factor"] = 0.01
    assert "LW201" not in codes(section, "3.1.3", 20)
    (tmp_path / "input.json").write_text(json.dumps(whole))
    child = subprocess.run(
        [*dp_command(), *train],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1"},
        timeout=600,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    assert (tmp_path / "lcurve.out").exists()


def test_lw203_with_decay_rate_speaks_of_a_floor() -> None:
    section = {"type": "exp", "start_lr": 1e-3, "decay_rate": 0.95}
    [warning] = [
        w
        for w in release_warnings(section, 1000, DeepmdVersion.parse("3.1.3"))
        if w.code == "LW203"
    ]
    assert "floor the rate at 5.0e-08" in str(warning)
    [warning] = [
        w
        for w in release_warnings(
            {"start_lr": 1e-3}, 1000, DeepmdVersion.parse("3.1.3")
        )
        if w.code == "LW203"
    ]
    assert "train to a final rate of 5.0e-08" in str(warning)
