"""deepmd-lr's schedule types inside DeePMD-kit: deepmd_lr_dp and deepmd_bridge.

The adapter and the registration are tested against small stand-ins for
DeePMD-kit's two registries, so they run without DeePMD-kit. Importing
deepmd_lr_dp changes the imports of the whole interpreter, so it is tested in
child interpreters, on a package the test writes. The tests marked
``deepmd_bridge`` run a child interpreter against the installed DeePMD-kit:
3.1.x, which lacks ``wsd``, gets it from deepmd-lr; 3.2.x keeps its own.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import json
import logging
import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
from abc import ABC, abstractmethod
from importlib.metadata import PackageNotFoundError, entry_points, version
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
from dargs import Argument
from registry_scope import scoped_schedules

import deepmd_lr
from deepmd_lr import BaseLR, Key, LearningRateConfigError
from deepmd_lr.section.registry import SCHEDULES

ROOT = Path(__file__).resolve().parents[1]
SECTION = {
    "type": "wsd",
    "start_lr": 1e-3,
    "stop_lr": 1e-5,
    "warmup_steps": 5,
    "warmup_start_factor": 0.1,
    "decay_phase_ratio": 0.2,
    "decay_type": "cosine",
}
NUM_STEPS = 60


@pytest.fixture
def bridge():
    return importlib.import_module("deepmd_lr.deepmd.bridge")


class FakeArgsPlugin:
    """DeePMD-kit's ``lr_args_plugin``: argument functions by type name."""

    def __init__(self, names: tuple[str, ...] = ("exp", "cosine")) -> None:
        self.functions: dict[str, Any] = {name: list for name in names}
        self.docs: dict[str, str] = {}

    def register(self, name: str, alias: Any = None, doc: str = "") -> Any:
        def decorate(function: Any) -> Any:
            self.functions[name] = function
            self.docs[name] = doc
            return function

        return decorate

    def get_all_argument(self) -> list[Argument]:
        return [
            Argument(name, dict, sub_fields=function())
            for name, function in self.functions.items()
        ]


def fake_deepmd_base(names: tuple[str, ...] = ("exp", "cosine")) -> type:
    """A stand-in for DeePMD-kit's ``BaseLR``: abstract, with a registry."""

    class FakeBaseLR(ABC):
        plugins: ClassVar[dict[str, type]] = {}

        @classmethod
        def register(cls, name: str) -> Any:
            def decorate(klass: type) -> type:
                cls.plugins[name] = klass
                return klass

            return decorate

        @classmethod
        def get_plugins(cls) -> dict[str, type]:
            return cls.plugins

        @abstractmethod
        def _decay_value(self, step: Any) -> Any: ...

    for name in names:
        FakeBaseLR.plugins[name] = type(f"Own{name}", (FakeBaseLR,), {})
    return FakeBaseLR


# -- deepmd_lr_dp: what dp imports, in child interpreters -------------------


def run_child(code: str, cwd: Path) -> Any:
    """Run ``code`` in a child interpreter in ``cwd``; return its JSON output."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(cwd), str(ROOT)])}
    child = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
    )
    assert child.returncode == 0, child.stderr
    return json.loads(child.stdout.splitlines()[-1])


@pytest.fixture
def watched_package(tmp_path):
    """A package ``watched`` with a module ``registry`` holding a list."""
    package = tmp_path / "watched"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "registry.py").write_text("TYPES = ['exp']\n")
    return tmp_path


def test_importing_deepmd_lr_does_not_import_deepmd_kit():
    code = (
        "import sys, deepmd_lr; deepmd_lr.BaseLR; print(int('deepmd' in sys.modules))"
    )
    assert run_child(code, ROOT) == 0


def test_the_module_dp_imports_loads_neither_deepmd_lr_nor_deepmd_kit(tmp_path):
    assert (
        run_child(
            """
        import json, sys
        import deepmd_lr_dp
        print(json.dumps(sorted(
            name for name in ("deepmd_lr", "numpy", "deepmd") if name in sys.modules
        )))
        """,
            tmp_path,
        )
        == []
    )


def test_an_action_runs_once_its_module_is_imported(watched_package):
    result = run_child(
        """
        import inspect, json, sys
        from deepmd_lr_dp import AfterImport

        def add(module):
            module.TYPES.append("wsd")

        finder = AfterImport({"watched.registry": add})
        finder.install()
        before = "watched" in sys.modules
        import watched.registry
        print(json.dumps({
            "before": before,
            "types": watched.registry.TYPES,
            "source": inspect.getsource(watched.registry),
            "still_watching": finder in sys.meta_path,
        }))
        """,
        watched_package,
    )
    assert result == {
        "before": False,
        "types": ["exp", "wsd"],
        "source": "TYPES = ['exp']\n",
        "still_watching": False,
    }


def test_an_action_on_a_module_already_imported_runs_at_once(watched_package):
    result = run_child(
        """
        import json, sys
        import watched.registry
        from deepmd_lr_dp import AfterImport

        finder = AfterImport({"watched.registry": lambda m: m.TYPES.append("wsd")})
        finder.install()
        print(json.dumps([watched.registry.TYPES, finder in sys.meta_path]))
        """,
        watched_package,
    )
    assert result == [["exp", "wsd"], False]


@pytest.mark.parametrize(
    ("error", "level"),
    [("AttributeError", "DEBUG"), ("TypeError", "DEBUG"), ("RuntimeError", "WARNING")],
)
def test_a_failing_action_is_logged_and_the_import_goes_on(
    watched_package, error, level
):
    result = run_child(
        f"""
        import json, logging
        records = []
        class Keep(logging.Handler):
            def emit(self, record):
                records.append(record.levelname)
        logging.getLogger("deepmd_lr_dp").addHandler(Keep())
        logging.getLogger("deepmd_lr_dp").setLevel(logging.DEBUG)
        from deepmd_lr_dp import AfterImport

        def add(module):
            raise {error}("an unexpected DeePMD-kit")

        AfterImport({{"watched.registry": add}}).install()
        import watched.registry
        print(json.dumps([watched.registry.TYPES, records]))
        """,
        watched_package,
    )
    assert result == [["exp"], [level]]


# -- deepmd_bridge against stand-in registries ---------------------------------


def test_every_type_deepmd_kit_lacks_is_registered_in_both_registries(bridge):
    base, arguments = fake_deepmd_base(), FakeArgsPlugin()
    missing = tuple(n for n in SCHEDULES.classes() if n not in ("exp", "cosine"))
    assert "wsd" in missing
    assert bridge.register_schedules(base) == missing
    assert bridge.register_arguments(arguments) == missing
    assert tuple(base.get_plugins())[2:] == missing
    assert tuple(arguments.functions)[2:] == missing
    assert arguments.docs["wsd"] == deepmd_lr.LearningRateWSD.variant_doc


def test_a_type_deepmd_kit_has_is_never_replaced(bridge):
    base = fake_deepmd_base(("exp", "cosine", "wsd"))
    own = dict(base.get_plugins())
    arguments = FakeArgsPlugin(("exp", "cosine", "wsd"))
    own_wsd_arguments = arguments.functions["wsd"]
    assert "wsd" not in bridge.register_schedules(base)
    assert "wsd" not in bridge.register_arguments(arguments)
    assert {name: base.get_plugins()[name] for name in own} == own
    assert arguments.functions["wsd"] is own_wsd_arguments


def test_the_arguments_are_the_types_own_keys_fresh_on_every_call(bridge):
    arguments = FakeArgsPlugin()
    bridge.register_arguments(arguments)
    first, second = arguments.functions["wsd"](), arguments.functions["wsd"]()
    names = [key.name for key in deepmd_lr.LearningRateWSD.variant_keys]
    assert [argument.name for argument in first] == names
    assert all(a is not b for a, b in zip(first, second, strict=True))
    wsd = next(a for a in arguments.get_all_argument() if a.name == "wsd")
    wsd.check_value(wsd.normalize_value({"decay_phase_ratio": 0.2}), strict=True)
    with pytest.raises(Exception, match="decay_phase_ration"):
        wsd.check_value({"decay_phase_ration": 0.2}, strict=True)


def test_a_type_whose_arguments_fail_is_skipped_with_a_warning(bridge, caplog):
    with scoped_schedules():

        @BaseLR.register("broken")
        class Broken(BaseLR):
            def _decay_xp(self, xp, decay_step):
                return xp.full_like(decay_step, self.start_lr)

        Broken.variant_keys = (None,)  # type: ignore[assignment]
        arguments = FakeArgsPlugin()
        with caplog.at_level(logging.WARNING, logger="deepmd_lr.deepmd.bridge"):
            registered = bridge.register_arguments(arguments)
    assert "broken" not in registered
    assert "wsd" in registered
    assert "broken" not in arguments.functions
    [record] = caplog.records
    assert "'broken'" in record.getMessage()


def test_a_registry_of_another_shape_raises_before_registering(bridge):
    with pytest.raises(AttributeError):
        bridge.register_schedules(type("BaseLR", (), {}))
    with pytest.raises(AttributeError):
        bridge.register_arguments(object())


@pytest.fixture
def wsd_adapter(bridge):
    base = fake_deepmd_base()
    bridge.register_schedules(base)
    return base, base.get_plugins()["wsd"]


def test_the_adapter_is_a_deepmd_kit_schedule_built_as_the_trainer_builds_it(
    wsd_adapter,
):
    base, adapter = wsd_adapter
    schedule = adapter(**SECTION, num_steps=NUM_STEPS, scale_by_worker="linear")
    assert isinstance(schedule, base)
    reference = BaseLR(**SECTION, num_steps=NUM_STEPS)
    assert schedule.schedule == reference
    assert (schedule.start_lr, schedule.stop_lr) == (1e-3, 1e-5)
    assert (schedule.num_steps, schedule.warmup_steps) == (NUM_STEPS, 5)
    assert schedule.decay_num_steps == NUM_STEPS - 5
    assert schedule.warmup_start_lr == reference.warmup_start_lr


def test_the_adapter_gives_deepmd_lrs_rates_for_ints_0d_and_nd_arrays(wsd_adapter):
    _, adapter = wsd_adapter
    schedule = adapter(**SECTION, num_steps=NUM_STEPS)
    reference = BaseLR(**SECTION, num_steps=NUM_STEPS)
    steps = list(range(2 * NUM_STEPS + 1))
    for step in steps:
        rate = schedule.value(step)
        assert type(rate) is float
        assert rate == reference.value(step)
        assert schedule.value(np.asarray(step)) == reference.value(step)
    np.testing.assert_array_equal(
        schedule.value(np.asarray(steps)), reference.value(np.asarray(steps))
    )
    decay = np.asarray(steps[5:]) - 5
    np.testing.assert_array_equal(
        schedule._decay_value(decay), reference.value(np.asarray(steps[5:]))
    )


def test_the_adapter_rejects_a_bad_section_with_deepmd_lrs_message(wsd_adapter):
    _, adapter = wsd_adapter
    with pytest.raises(LearningRateConfigError, match="decay_phase_ratio"):
        adapter(**{**SECTION, "decay_phase_ratio": 2.0}, num_steps=NUM_STEPS)


def test_a_plugin_type_is_registered_and_computed_as_well(bridge):
    with scoped_schedules():

        @BaseLR.register("halving")
        class Halving(BaseLR):
            variant_keys = (Key("every", int, "Steps per halving.", default=10),)

            def _decay_xp(self, xp, decay_step):
                return self.start_lr * 0.5 ** xp.floor(decay_step / self.every)

        base, arguments = fake_deepmd_base(), FakeArgsPlugin()
        assert "halving" in bridge.register_schedules(base)
        assert "halving" in bridge.register_arguments(arguments)
        schedule = base.get_plugins()["halving"](
            start_lr=1.0, stop_lr=0.0, num_steps=100, every=10
        )
        assert [schedule.value(s) for s in (0, 9, 10, 25)] == [1.0, 1.0, 0.5, 0.25]
        assert [a.name for a in arguments.functions["halving"]()] == ["every"]


# -- with DeePMD-kit, in a child interpreter -----------------------------------


def _deepmd_kit_release() -> str | None:
    try:
        return version("deepmd-kit")
    except PackageNotFoundError:
        return None


RELEASE = _deepmd_kit_release()
ENTRY_POINT = any(
    entry.value == "deepmd_lr_dp" for entry in entry_points(group="deepmd.backend")
)
needs_3_1 = pytest.mark.skipif(
    RELEASE is None or not RELEASE.startswith("3.1."),
    reason=f"needs DeePMD-kit 3.1.x (installed: {RELEASE})",
)
needs_entry_point = pytest.mark.skipif(
    not ENTRY_POINT,
    reason="deepmd-lr is installed without its deepmd.backend entry point; "
    "reinstall it (pip install -e .)",
)
needs_deepmd_kit = pytest.mark.skipif(
    RELEASE is None,
    reason="DeePMD-kit is not installed (the parity runs install 3.1.3 and 3.2.0)",
)
WHOLE_INPUT = {
    "model": {
        "type_map": ["O", "H"],
        "descriptor": {
            "type": "se_e2_a",
            "sel": [46, 92],
            "rcut_smth": 0.5,
            "rcut": 6.0,
            "neuron": [4, 8],
        },
        "fitting_net": {"neuron": [8]},
    },
    "learning_rate": SECTION,
    "loss": {"type": "ener"},
    "training": {"training_data": {"systems": ["data"]}, "numb_steps": NUM_STEPS},
}


def in_deepmd_kit(body: str, **values: Any) -> Any:
    """Run ``body`` after ``import deepmd.backend`` in a child interpreter.

    ``values`` are given to it as JSON-decoded globals; it prints one JSON
    document, which is returned.
    """
    prelude = "import json\nimport deepmd.backend\n" + "".join(
        f"{name} = json.loads({json.dumps(value)!r})\n"
        for name, value in values.items()
    )
    child = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(body)],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert child.returncode == 0, child.stderr
    return json.loads(child.stdout)


def sample_steps(num_steps: int) -> list[int]:
    return sorted({round(s) for s in np.linspace(0, 2 * num_steps, 500)})


RATES_IN_DEEPMD_KIT = """
    import numpy as np
    from deepmd.dpmodel.utils.learning_rate import BaseLR
    from deepmd.utils.argcheck import normalize

    lr_params = normalize(whole_input)["learning_rate"]
    lr_params["num_steps"] = num_steps
    schedule = BaseLR(**lr_params)
    as_ints = [schedule.value(step) for step in steps]
    as_0d = [schedule.value(np.asarray(step)) for step in steps]
    print(json.dumps({
        "class": type(schedule).__name__,
        "int_types": sorted({type(rate).__name__ for rate in as_ints}),
        "as_ints": as_ints,
        "as_0d": [float(rate) for rate in as_0d],
        "shapes_0d": sorted({np.shape(rate) for rate in as_0d}),
    }))
"""


def assert_rates_in_deepmd_kit(section: dict[str, Any], num_steps: int) -> None:
    whole_input = {
        **WHOLE_INPUT,
        "learning_rate": section,
        "training": {**WHOLE_INPUT["training"], "numb_steps": num_steps},
    }
    steps = sample_steps(num_steps)
    result = in_deepmd_kit(
        RATES_IN_DEEPMD_KIT, whole_input=whole_input, num_steps=num_steps, steps=steps
    )
    expected = BaseLR(**section, num_steps=num_steps)
    assert result["class"] == f"DeepmdLR{type(expected).__name__}"
    assert result["int_types"] == ["float"]
    assert result["shapes_0d"] == [[]]
    want = [expected.value(step) for step in steps]
    assert result["as_ints"] == want
    assert result["as_0d"] == want


@pytest.mark.deepmd_bridge
@needs_deepmd_kit
def test_the_private_name_the_adapter_defines_is_still_abstract_in_deepmd_kit():
    # _decay_value is the one private name of DeePMD-kit the bridge touches;
    # should a release rename it or add another abstract method, the adapter
    # could not be built, and this says so.
    result = in_deepmd_kit("""
        from deepmd.dpmodel.utils.learning_rate import BaseLR
        from deepmd_lr.deepmd.bridge import adapter_class
        from deepmd_lr.schedules import LearningRateWSD
        adapter = adapter_class("wsd", LearningRateWSD, BaseLR)
        print(json.dumps({
            "deepmd-kit": sorted(BaseLR.__abstractmethods__),
            "adapter": sorted(adapter.__abstractmethods__),
        }))
    """)
    assert result == {"deepmd-kit": ["_decay_value"], "adapter": []}


@pytest.mark.deepmd_bridge
@needs_3_1
@needs_entry_point
def test_import_deepmd_backend_loads_the_bridge_which_adds_wsd_to_3_1():
    result = in_deepmd_kit("""
        import sys
        loaded = [name for name in ("deepmd_lr_dp", "deepmd_lr") if name in sys.modules]
        from deepmd.dpmodel.utils.learning_rate import BaseLR
        from deepmd.utils.argcheck import learning_rate_args
        plugins = BaseLR.get_plugins()
        variants = learning_rate_args().sub_variants["type"].choice_dict
        print(json.dumps({
            "loaded_at_start": loaded,
            "modules": {name: plugins[name].__module__ for name in plugins},
            "variants": list(variants),
        }))
    """)
    assert result["loaded_at_start"] == ["deepmd_lr_dp"]
    assert result["modules"]["exp"] == "deepmd.dpmodel.utils.learning_rate"
    assert result["modules"]["cosine"] == "deepmd.dpmodel.utils.learning_rate"
    assert result["modules"]["wsd"] == "deepmd_lr.deepmd.bridge"
    assert result["variants"][:3] == ["exp", "cosine", "wsd"]


@pytest.mark.deepmd_bridge
@needs_3_1
@needs_entry_point
def test_deepmd_kit_3_1_normalizes_a_whole_input_with_wsd():
    result = in_deepmd_kit(
        """
        from deepmd.utils.argcheck import normalize
        section = normalize(whole_input)["learning_rate"]
        try:
            normalize({**whole_input, "learning_rate": {**section, "decay_phase": 1}})
            rejected = None
        except Exception as error:
            rejected = str(error)
        print(json.dumps({"section": section, "rejected": rejected}))
        """,
        whole_input=WHOLE_INPUT,
    )
    assert result["section"] == {
        **SECTION,
        "stop_lr_ratio": None,
        "warmup_ratio": None,
        "scale_by_worker": "linear",
    }
    assert "decay_phase" in result["rejected"]


@pytest.mark.deepmd_bridge
@needs_3_1
@needs_entry_point
def test_deepmd_kit_3_1_normalizes_the_documented_wsd_input():
    documented = json.loads((ROOT / "examples" / "input_wsd.json").read_text())
    result = in_deepmd_kit(
        """
        from deepmd.utils.argcheck import normalize
        print(json.dumps(normalize(whole_input)["learning_rate"]))
        """,
        whole_input=documented,
    )
    assert result["type"] == "wsd"
    assert result["decay_type"] == documented["learning_rate"]["decay_type"]


@pytest.mark.deepmd_bridge
@needs_3_1
@needs_entry_point
@pytest.mark.parametrize(
    ("section", "num_steps"),
    [
        pytest.param(SECTION, NUM_STEPS, id="wsd-cosine-warmup"),
        pytest.param(
            {"type": "wsd", "start_lr": 2e-3, "stop_lr_ratio": 1e-3}, 10_000, id="wsd"
        ),
        pytest.param(
            {
                "type": "wsd",
                "start_lr": 1e-3,
                "stop_lr": 1e-7,
                "decay_type": "linear",
                "warmup_ratio": 0.05,
                "warmup_start_factor": 0.001,
            },
            997,
            id="wsd-linear-warmup-ratio",
        ),
    ],
)
def test_deepmd_kit_3_1_builds_wsd_with_deepmd_lrs_rates(section, num_steps):
    assert_rates_in_deepmd_kit(section, num_steps)


@pytest.mark.deepmd_bridge
@needs_3_1
@needs_entry_point
def test_deepmd_kit_3_1_builds_the_example_plugins_type():
    pytest.importorskip("deepmd_lr_poly", reason="the example plugin is not installed")
    section = {
        "type": "poly",
        "start_lr": 1e-3,
        "stop_lr": 1e-6,
        "power": 2.0,
        "warmup_ratio": 0.1,
        "warmup_start_factor": 0.01,
    }
    assert_rates_in_deepmd_kit(section, 2000)


def dp_command() -> list[str]:
    """The ``dp`` script of this interpreter's environment, or the ``main()``
    it runs when there is none (an environment layered on another)."""
    dp = Path(sys.executable).with_name("dp")
    return [str(dp)] if dp.exists() else [sys.executable, "-m", "deepmd"]


@pytest.mark.deepmd_bridge
@needs_3_1
@needs_entry_point
def test_dp_doc_train_input_lists_wsd():
    child = subprocess.run(
        [*dp_command(), "doc-train-input"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert child.returncode == 0, child.stderr
    assert "``wsd``" in child.stdout
    assert "decay_phase_ratio" in child.stdout
    assert deepmd_lr.LearningRateWSD.variant_doc in child.stdout


@pytest.mark.deepmd_bridge
@pytest.mark.skipif(
    RELEASE is None or not RELEASE.startswith("3.2."),
    reason=f"needs DeePMD-kit 3.2.x (installed: {RELEASE})",
)
def test_deepmd_kit_3_2_keeps_its_own_types():
    result = in_deepmd_kit("""
        import deepmd_lr_dp
        from deepmd.dpmodel.utils.learning_rate import BaseLR
        from deepmd.utils.argcheck import learning_rate_args
        plugins = BaseLR.get_plugins()
        variants = learning_rate_args().sub_variants["type"].choice_dict
        print(json.dumps({
            "modules": {name: plugins[name].__module__ for name in plugins},
            "variants": list(variants),
        }))
    """)
    built_in = ("exp", "cosine", "wsd")
    plugin_types = [name for name in SCHEDULES.classes() if name not in built_in]
    assert set(result["modules"]) == {*built_in, *plugin_types}
    for name in built_in:
        assert result["modules"][name] == "deepmd.dpmodel.utils.learning_rate"
    for name in plugin_types:
        assert result["modules"][name] == "deepmd_lr.deepmd.bridge"
    assert set(result["variants"]) == {*built_in, *plugin_types}


# -- a real training run --------------------------------------------------------

WATER_SOURCE = os.environ.get("DEEPMD_KIT_SOURCE")
"""A DeePMD-kit git repository (bare or not) holding tag v3.1.3, or a DeePMD-kit
source tree, from which the training test takes the water example data."""
MODEL = WHOLE_INPUT["model"]
TRAINING_INPUT = {
    "model": {
        **MODEL,
        # Seeded, so that every run of the test trains the same model.
        "descriptor": {
            **MODEL["descriptor"],
            "axis_neuron": 4,
            "type_one_side": True,
            "seed": 1,
        },
        "fitting_net": {**MODEL["fitting_net"], "seed": 1},
        "data_stat_nbatch": 1,
    },
    "learning_rate": {
        "type": "wsd",
        "start_lr": 1e-3,
        "stop_lr": 1e-5,
        "warmup_steps": 5,
        "warmup_start_factor": 0.1,
        "decay_phase_ratio": 0.5,
        "decay_type": "linear",
    },
    "loss": {"type": "ener"},
    "training": {
        "training_data": {"systems": ["water/data_0"], "batch_size": 1},
        "validation_data": {"systems": ["water/data_3"], "batch_size": 1},
        "numb_steps": NUM_STEPS,
        "seed": 10,
        "disp_file": "lcurve.out",
        "disp_freq": 1,
        "save_freq": 20,
    },
}


def copy_water_data(source: Path, into: Path) -> None:
    """DeePMD-kit's examples/water/data, as ``into/water``."""
    tree = source / "examples" / "water" / "data"
    if tree.is_dir():
        shutil.copytree(tree, into / "water")
        return
    archive = subprocess.run(
        ["git", "-C", str(source), "archive", "v3.1.3", "examples/water/data"],
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into / "archive", filter="data")
    (into / "archive" / "examples" / "water" / "data").rename(into / "water")


@pytest.mark.slow
@needs_3_1
@needs_entry_point
@pytest.mark.skipif(
    importlib.util.find_spec("torch") is None, reason="dp --pt train needs torch"
)
@pytest.mark.skipif(
    WATER_SOURCE is None,
    reason="set DEEPMD_KIT_SOURCE to a DeePMD-kit git repository or source tree "
    "(for its water example data)",
)
def test_dp_pt_train_runs_wsd_at_deepmd_lrs_rates(tmp_path):
    assert WATER_SOURCE is not None
    copy_water_data(Path(WATER_SOURCE), tmp_path)
    (tmp_path / "input.json").write_text(json.dumps(TRAINING_INPUT))
    train = ["--pt", "train", "input.json", "--skip-neighbor-stat"]
    child = subprocess.run(
        [*dp_command(), *train],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "CUDA_VISIBLE_DEVICES": "", "OMP_NUM_THREADS": "1"},
        timeout=600,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    schedule = BaseLR(**TRAINING_INPUT["learning_rate"], num_steps=NUM_STEPS)

    # Row N of lcurve.out shows the rate of step N - 1, printed as %8.1e.
    rows = [
        line.split()
        for line in (tmp_path / "lcurve.out").read_text().splitlines()
        if not line.startswith("#")
    ]
    assert [int(row[0]) for row in rows] == list(range(1, NUM_STEPS + 1))
    for row in rows:
        assert row[-1] == f"{schedule.value(int(row[0]) - 1):.1e}", row

    torch = pytest.importorskip("torch")
    for saved in (20, 40, 60):
        checkpoint = torch.load(
            tmp_path / f"model.ckpt-{saved}.pt", weights_only=True, map_location="cpu"
        )
        train_infos = checkpoint["model"]["_extra_state"]["train_infos"]
        assert train_infos == {"lr": schedule.value(saved - 1), "step": saved - 1}

    # The audit reads the same run and finds it followed its schedule.
    command = ["audit", str(tmp_path), "--input", str(tmp_path / "input.json")]
    audit = subprocess.run(
        [sys.executable, "-m", "deepmd_lr", *command],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (audit.returncode, audit.stderr) == (0, ""), audit.stdout
    assert "followed its schedule" in audit.stdout
    assert "checkpoint" in audit.stdout
