"""Third-party schedules arrive through the ``deepmd_lr.schedules`` entry points."""

from __future__ import annotations

import sys
import textwrap
import warnings

import pytest
from registry_scope import scoped_schedules

from deepmd_lr import BaseLR, LearningRateConfigError
from deepmd_lr.section.registry import ENTRY_POINT_GROUP, PluginWarning


@pytest.fixture
def fresh_registry():
    """Forget loaded plugins; restore the registry afterwards."""
    with scoped_schedules(reload_plugins=True) as registry:
        yield registry


@pytest.fixture
def install_entry_points(tmp_path, monkeypatch):
    """Make a fake installed distribution declaring the given entry points."""

    def install(entries: dict[str, str], module_source: str = "") -> None:
        dist = tmp_path / "fake_plugin-1.0.dist-info"
        dist.mkdir()
        (dist / "METADATA").write_text(
            "Metadata-Version: 2.1\nName: fake-plugin\nVersion: 1.0\n"
        )
        lines = [f"[{ENTRY_POINT_GROUP}]"] + [f"{k} = {v}" for k, v in entries.items()]
        (dist / "entry_points.txt").write_text("\n".join(lines) + "\n")
        if module_source:
            (tmp_path / "fake_plugin_module.py").write_text(
                textwrap.dedent(module_source)
            )
        monkeypatch.syspath_prepend(str(tmp_path))
        monkeypatch.delitem(sys.modules, "fake_plugin_module", raising=False)

    return install


GOOD_MODULE = """
    from deepmd_lr import BaseLR

    class Constant(BaseLR):
        variant_doc = "Keeps start_lr."

        def _decay_xp(self, xp, decay_step):
            return xp.full_like(decay_step, self.start_lr)

    NOT_A_SCHEDULE = object()
"""


def test_plugin_type_is_loaded_on_first_lookup(fresh_registry, install_entry_points):
    install_entry_points({"constant": "fake_plugin_module:Constant"}, GOOD_MODULE)
    lr = BaseLR(type="constant", start_lr=1e-3, stop_lr=1e-5, num_steps=100)
    assert type(lr).__name__ == "Constant"
    assert lr.value(50) == 1e-3
    assert "constant" in BaseLR.registered_types()


def test_plugin_that_fails_to_import_is_skipped_with_a_warning(
    fresh_registry, install_entry_points
):
    install_entry_points({"ghost": "no_such_module_anywhere:Ghost"})
    with pytest.warns(PluginWarning, match="'ghost'.*failed to import"):
        types = BaseLR.registered_types()
    assert "ghost" not in types
    assert {"exp", "cosine", "wsd"} <= set(types)


def test_plugin_taking_a_builtin_name_is_skipped_with_a_warning(
    fresh_registry, install_entry_points
):
    install_entry_points({"exp": "fake_plugin_module:Constant"}, GOOD_MODULE)
    with pytest.warns(PluginWarning, match="'exp'.*already registered"):
        BaseLR.registered_types()
    assert BaseLR.get_class_by_type("exp").__name__ == "LearningRateExp"


def test_built_in_name_is_found_without_reading_entry_points(
    fresh_registry, install_entry_points
):
    install_entry_points({"ghost": "no_such_module_anywhere:Ghost"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert BaseLR.get_class_by_type("cosine").__name__ == "LearningRateCosine"
    with pytest.warns(PluginWarning, match="'ghost'"):
        BaseLR.registered_types()


def test_plugin_object_that_is_not_a_schedule_is_skipped_with_a_warning(
    fresh_registry, install_entry_points
):
    install_entry_points({"odd": "fake_plugin_module:NOT_A_SCHEDULE"}, GOOD_MODULE)
    with pytest.warns(PluginWarning, match="'odd'.*not a subclass of BaseLR"):
        types = BaseLR.registered_types()
    assert "odd" not in types


def test_unknown_type_error_still_lists_builtins_after_a_broken_plugin(
    fresh_registry, install_entry_points
):
    install_entry_points({"ghost": "no_such_module_anywhere:Ghost"})
    with (
        pytest.warns(PluginWarning),
        pytest.raises(LearningRateConfigError, match='"exp"'),
    ):
        BaseLR.get_class_by_type("ghost")


def test_plugin_schedule_without_kernels_matches_between_scalar_and_array(
    fresh_registry, install_entry_points
):
    np = pytest.importorskip("numpy")
    install_entry_points({"constant": "fake_plugin_module:Constant"}, GOOD_MODULE)
    lr = BaseLR(
        type="constant", start_lr=2e-3, stop_lr=1e-5, num_steps=100, warmup_steps=10
    )
    steps = np.arange(0, 200)
    expected = [lr.value(int(s)) for s in steps]
    np.testing.assert_array_equal(lr.value(steps), expected)
    assert lr.value(0) == 0.0
    assert lr.value(10) == 2e-3
