"""The example plugin in examples/plugin, installed, shows up everywhere."""

from __future__ import annotations

import pytest

from deepmd_lr import (
    BaseLR,
    LearningRateConfigError,
    learning_rate_args,
    normalize_learning_rate,
)

poly = pytest.importorskip("deepmd_lr_poly", reason="examples/plugin is not installed")

SECTION = {"type": "poly", "start_lr": 1e-3, "stop_lr": 1e-5, "power": 2.0}


def test_installed_plugin_is_a_registered_type():
    assert BaseLR.get_class_by_type("poly") is poly.LearningRatePoly


def test_installed_plugin_builds_and_computes_its_curve():
    lr = BaseLR(**SECTION, num_steps=1000)
    assert lr.value(0) == pytest.approx(1e-3, rel=1e-15)
    assert lr.value(500) == pytest.approx(1e-5 + (1e-3 - 1e-5) * 0.25, rel=1e-12)
    assert lr.value(1000) == pytest.approx(1e-5, rel=1e-15)
    assert lr.value(5000) == pytest.approx(1e-5, rel=1e-15)


def test_installed_plugin_section_normalizes_with_its_own_default():
    normalized = normalize_learning_rate(
        {"type": "poly", "start_lr": 1e-3, "stop_lr": 0}
    )
    assert normalized["type"] == "poly"
    assert normalized["power"] == 1.0


def test_installed_plugin_keys_are_checked_by_their_declaration():
    with pytest.raises(LearningRateConfigError, match="power") as caught:
        normalize_learning_rate({**SECTION, "power": -1.0})
    assert caught.value.path == "learning_rate/power"


def test_installed_plugin_key_under_another_type_names_the_plugin_type():
    with pytest.raises(LearningRateConfigError, match='"poly"'):
        normalize_learning_rate(
            {"type": "cosine", "start_lr": 1e-3, "stop_lr": 0, "power": 2}
        )


def test_installed_plugin_appears_in_the_argument_declaration():
    variant = learning_rate_args().sub_variants["type"]
    assert "poly" in variant.choice_dict
    assert "power" in variant.choice_dict["poly"].sub_fields


def test_installed_plugin_is_documented_in_both_formats():
    from deepmd_lr.describe.documentation import argument_reference

    for fmt in ("md", "rst"):
        text = argument_reference(fmt)
        assert "poly" in text
        assert "power" in text


def test_installed_plugin_is_accepted_and_checked_by_the_json_schema():
    jsonschema = pytest.importorskip("jsonschema")
    from deepmd_lr.describe.schema import json_schema

    validator = jsonschema.Draft202012Validator(json_schema())
    assert validator.is_valid({"learning_rate": SECTION})
    assert not validator.is_valid({"learning_rate": {**SECTION, "power": 0}})
    assert not validator.is_valid({"learning_rate": {**SECTION, "type": "cosine"}})


def test_installed_plugin_section_is_shown_by_the_command(tmp_path, capsys):
    import json

    from deepmd_lr.cli.main import main

    path = tmp_path / "poly.json"
    path.write_text(json.dumps({"learning_rate": SECTION}))
    assert main(["show", str(path), "--num-steps", "1000"]) == 0
    out = capsys.readouterr().out
    assert "type: poly" in out
    assert main(["check", str(path)]) == 0
