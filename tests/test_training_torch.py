"""The torch scheduler in a real training loop, stopped and resumed."""

from __future__ import annotations

import inspect
import io
import re
from pathlib import Path

import numpy as np
import pytest
from backend_cases import CASE_IDS, CASES, schedule

import deepmd_lr
from deepmd_lr import BaseLR

torch = pytest.importorskip("torch")
torch_lr = pytest.importorskip("deepmd_lr.schedules.torch_lr")
ScheduleLR, torch_lambda_lr = torch_lr.ScheduleLR, torch_lr.torch_lambda_lr

TOTAL = 600
STOP_AT = 257
"""Stop in the middle of a staircase level and after the warmup of 1500
steps scaled down below (see short_schedule)."""


def short_schedule(type_key: str, warmup_key: str) -> BaseLR:
    """The shared case, squeezed into TOTAL steps."""
    lr = schedule(type_key, warmup_key)
    data = lr.serialize()
    data["num_steps"] = TOTAL
    if "warmup_steps" in data:
        data["warmup_steps"] = 100
    if "decay_steps" in data:
        data["decay_steps"] = 40
    return BaseLR.deserialize(data)


def make_model(initial_lr: float):
    torch.manual_seed(0)
    weight = torch.nn.Parameter(torch.zeros(3, dtype=torch.float64))
    return weight, torch.optim.SGD([weight], lr=initial_lr, momentum=0.9)


def train(weight, optimizer, scheduler, lr, steps):
    """Run ``steps``, checking that each one runs at ``lr.value(step)``."""
    for step in steps:
        assert optimizer.param_groups[0]["lr"] == lr.value(step), step
        assert scheduler.get_last_lr() == [lr.value(step)], step
        optimizer.zero_grad()
        loss = (weight * torch.tensor([1.0, -2.0, 0.5], dtype=weight.dtype)).sum()
        loss = loss + (weight**2).sum()
        loss.backward()
        optimizer.step()
        scheduler.step()


def checkpoint(optimizer, scheduler, weight) -> dict:
    buffer = io.BytesIO()
    torch.save(
        {
            "optimizer": optimizer.state_dict(),
            "scheduler": scheduler.state_dict(),
            "weight": weight.detach().clone(),
        },
        buffer,
    )
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


def uninterrupted(lr):
    weight, optimizer = make_model(0.3)
    scheduler = torch_lambda_lr(optimizer, lr)
    train(weight, optimizer, scheduler, lr, range(TOTAL))
    return weight.detach()


def first_part(lr):
    weight, optimizer = make_model(0.3)
    scheduler = torch_lambda_lr(optimizer, lr)
    train(weight, optimizer, scheduler, lr, range(STOP_AT))
    return checkpoint(optimizer, scheduler, weight)


def restored_weight(saved):
    weight = torch.nn.Parameter(saved["weight"].clone())
    optimizer = torch.optim.SGD([weight], lr=0.77, momentum=0.9)
    return weight, optimizer


@pytest.mark.parametrize(("type_key", "warmup_key"), CASES, ids=CASE_IDS)
def test_resume_from_both_state_dicts_continues_the_schedule(type_key, warmup_key):
    lr = short_schedule(type_key, warmup_key)
    saved = first_part(lr)
    weight, optimizer = restored_weight(saved)
    optimizer.load_state_dict(saved["optimizer"])
    scheduler = torch_lambda_lr(optimizer, lr)
    scheduler.load_state_dict(saved["scheduler"])
    assert scheduler.last_epoch == STOP_AT
    train(weight, optimizer, scheduler, lr, range(STOP_AT, TOTAL))
    assert torch.equal(weight.detach(), uninterrupted(lr))


def test_resume_from_start_step_alone_continues_the_schedule():
    lr = short_schedule("exp", "warmup")
    saved = first_part(lr)
    weight, optimizer = restored_weight(saved)
    scheduler = torch_lambda_lr(optimizer, lr, start_step=STOP_AT)
    optimizer.load_state_dict(saved["optimizer"])
    train(weight, optimizer, scheduler, lr, range(STOP_AT, TOTAL))
    assert torch.equal(weight.detach(), uninterrupted(lr))


def test_start_step_is_counted_once():
    lr = short_schedule("exp", "no_warmup")
    _, optimizer = make_model(0.3)
    scheduler = torch_lambda_lr(optimizer, lr, start_step=STOP_AT)
    assert scheduler.last_epoch == STOP_AT
    assert optimizer.param_groups[0]["lr"] == lr.value(STOP_AT)
    optimizer.step()
    scheduler.step()
    assert optimizer.param_groups[0]["lr"] == lr.value(STOP_AT + 1)


def test_a_stale_base_rate_in_the_checkpoint_is_ignored():
    lr = short_schedule("cosine", "warmup")
    saved = first_part(lr)
    decayed = lr.value(STOP_AT)
    for group in saved["optimizer"]["param_groups"]:
        group["initial_lr"] = decayed
        group["lr"] = decayed * decayed
    saved["scheduler"]["base_lrs"] = [decayed]
    weight, optimizer = restored_weight(saved)
    optimizer.load_state_dict(saved["optimizer"])
    scheduler = torch_lambda_lr(optimizer, lr)
    scheduler.load_state_dict(saved["scheduler"])
    assert scheduler.base_lrs == [lr.start_lr]
    assert optimizer.param_groups[0]["initial_lr"] == lr.start_lr
    train(weight, optimizer, scheduler, lr, range(STOP_AT, TOTAL))
    assert torch.equal(weight.detach(), uninterrupted(lr))


def test_loading_the_optimizer_after_the_scheduler_repins_the_rate():
    lr = short_schedule("wsd_linear", "warmup")
    saved = first_part(lr)
    for group in saved["optimizer"]["param_groups"]:
        group["initial_lr"] = group["lr"] = 123.0
    weight, optimizer = restored_weight(saved)
    scheduler = torch_lambda_lr(optimizer, lr, start_step=STOP_AT)
    optimizer.load_state_dict(saved["optimizer"])
    assert optimizer.param_groups[0]["lr"] == lr.value(STOP_AT)
    assert optimizer.param_groups[0]["initial_lr"] == lr.start_lr
    train(weight, optimizer, scheduler, lr, range(STOP_AT, TOTAL))


def test_every_parameter_group_follows_the_schedule():
    lr = short_schedule("exp_smooth", "warmup")
    first = torch.nn.Parameter(torch.zeros(2))
    second = torch.nn.Parameter(torch.zeros(2))
    optimizer = torch.optim.Adam([{"params": [first]}, {"params": [second], "lr": 5.0}])
    scheduler = torch_lambda_lr(optimizer, lr)
    for step in range(50):
        assert [g["lr"] for g in optimizer.param_groups] == [lr.value(step)] * 2
        optimizer.step()
        scheduler.step()


def test_scheduler_state_dict_holds_plain_numbers_only():
    lr = short_schedule("exp", "warmup")
    _, optimizer = make_model(0.3)
    state = torch_lambda_lr(optimizer, lr, start_step=5).state_dict()
    assert state["last_epoch"] == 5
    assert state["base_lrs"] == [lr.start_lr]
    assert state["_last_lr"] == [lr.value(5)]
    assert all(isinstance(v, (bool, int, float, list)) for v in state.values())
    assert all(
        isinstance(x, float) for name in ("base_lrs", "_last_lr") for x in state[name]
    )


def test_state_dict_round_trips_through_a_weights_only_load():
    lr = short_schedule("wsd_cosine", "warmup")
    saved = first_part(lr)
    _, optimizer = make_model(0.3)
    scheduler = ScheduleLR(optimizer, lr)
    scheduler.load_state_dict(saved["scheduler"])
    assert scheduler.state_dict() == saved["scheduler"]
    assert scheduler.get_last_lr() == [lr.value(STOP_AT)]


def test_a_first_release_lambda_lr_checkpoint_resumes():
    lr = short_schedule("exp", "warmup")
    saved = first_part(lr)
    saved["scheduler"]["lr_lambdas"] = [None]
    weight, optimizer = restored_weight(saved)
    optimizer.load_state_dict(saved["optimizer"])
    scheduler = torch_lambda_lr(optimizer, lr)
    scheduler.load_state_dict(saved["scheduler"])
    assert "lr_lambdas" not in scheduler.state_dict()
    train(weight, optimizer, scheduler, lr, range(STOP_AT, TOTAL))
    assert torch.equal(weight.detach(), uninterrupted(lr))


def test_the_scheduler_is_a_torch_lr_scheduler_of_a_public_class():
    _, optimizer = make_model(0.3)
    scheduler = torch_lambda_lr(optimizer, short_schedule("cosine", "no_warmup"))
    assert type(scheduler) is ScheduleLR
    assert deepmd_lr.ScheduleLR is ScheduleLR
    assert isinstance(scheduler, torch.optim.lr_scheduler.LRScheduler)
    assert not isinstance(scheduler, torch.optim.lr_scheduler.LambdaLR)


def test_scheduler_built_directly_runs_the_schedule():
    lr = short_schedule("exp_smooth", "no_warmup")
    weight, optimizer = make_model(0.3)
    scheduler = ScheduleLR(optimizer, lr, start_step=STOP_AT)
    assert scheduler.schedule is lr
    train(weight, optimizer, scheduler, lr, range(STOP_AT, STOP_AT + 20))


@pytest.mark.parametrize("start_step", [-1, 1.5, True, "3"])
def test_bad_start_step_is_refused(start_step):
    _, optimizer = make_model(0.3)
    with pytest.raises((TypeError, ValueError), match="start_step"):
        torch_lambda_lr(optimizer, short_schedule("exp", "warmup"), start_step)


@pytest.mark.parametrize("start_step", [np.int64(5), np.uint32(5)])
def test_a_numpy_start_step_is_the_step_it_is(start_step):
    schedule = short_schedule("exp", "warmup")
    _, optimizer = make_model(0.3)
    torch_lambda_lr(optimizer, schedule, start_step)
    assert optimizer.param_groups[0]["lr"] == schedule.value(5)


def test_a_start_step_beyond_any_float_runs_at_the_final_rate():
    schedule = short_schedule("cosine", "warmup")
    _, optimizer = make_model(0.3)
    scheduler = torch_lambda_lr(optimizer, schedule, 10**400)
    optimizer.step()
    scheduler.step()
    assert optimizer.param_groups[0]["lr"] == schedule.stop_lr


def test_the_signature_written_in_the_api_page_is_the_constructor_s():
    # The page writes it out, as autodoc cannot read it where torch is absent.
    page = Path(__file__).parent.parent / "doc" / "api" / "training.rst"
    written = re.search(r"autoclass:: deepmd_lr\.ScheduleLR(\(.*\))", page.read_text())
    assert written is not None
    parameters = [
        parameter.replace(annotation=inspect.Parameter.empty)
        for parameter in inspect.signature(ScheduleLR).parameters.values()
    ]
    assert written.group(1) == str(inspect.Signature(parameters))
