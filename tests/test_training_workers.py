"""scale_by_worker: start_lr for N workers, and what the stop value does."""

from __future__ import annotations

import math
import socket

import pytest

from deepmd_lr import BaseLR, LearningRateConfigError
from deepmd_lr.schedules.workers import scale_by_worker, torch_world_size


def cosine(**keys) -> BaseLR:
    return BaseLR(
        **{"type": "cosine", "start_lr": 1e-3, "num_steps": 1000, **keys},
    )


@pytest.mark.parametrize(
    ("method", "factor"), [("linear", 8.0), ("sqrt", math.sqrt(8)), ("none", 1.0)]
)
def test_start_lr_is_multiplied_by_the_method_factor(method, factor):
    lr = cosine(stop_lr=1e-5, scale_by_worker=method)
    assert scale_by_worker(lr, 8).start_lr == 1e-3 * factor


def test_the_method_defaults_to_linear():
    assert scale_by_worker(cosine(stop_lr=1e-5), 3).start_lr == 3e-3


def test_an_explicit_method_overrides_the_schedule_key():
    lr = cosine(stop_lr=1e-5, scale_by_worker="none")
    assert scale_by_worker(lr, 4, method="sqrt").start_lr == 2e-3


def test_stop_lr_ratio_scales_along():
    scaled = scale_by_worker(cosine(stop_lr_ratio=0.01), 4)
    assert scaled.stop_lr == scaled.start_lr * 0.01


def test_an_absolute_stop_lr_stays_absolute():
    scaled = scale_by_worker(cosine(stop_lr=1e-5), 4)
    assert scaled.stop_lr == 1e-5
    assert scaled.value(1000) == 1e-5


def test_warmup_starts_from_the_same_fraction_of_the_scaled_start_lr():
    lr = cosine(stop_lr=1e-5, warmup_steps=10, warmup_start_factor=0.1)
    scaled = scale_by_worker(lr, 4)
    assert scaled.value(0) == pytest.approx(4 * lr.value(0), rel=1e-15)
    assert scaled.value(10) == 4e-3


def test_exp_recomputes_its_rate_to_reach_an_absolute_stop_lr():
    lr = BaseLR(
        type="exp", start_lr=1e-3, stop_lr=1e-6, decay_steps=100, num_steps=1000
    )
    scaled = scale_by_worker(lr, 10)
    assert scaled.decay_rate < lr.decay_rate
    assert scaled.value(1000) == pytest.approx(1e-6, rel=1e-12)


def test_a_given_decay_rate_is_kept():
    lr = BaseLR(
        type="exp",
        start_lr=1e-3,
        stop_lr=1e-6,
        decay_rate=0.9,
        decay_steps=100,
        num_steps=1000,
    )
    assert scale_by_worker(lr, 10).decay_rate == 0.9


def test_the_result_is_marked_as_scaled_so_scaling_again_is_a_no_op():
    once = scale_by_worker(cosine(stop_lr=1e-5), 4)
    assert once.scale_by_worker == "none"
    assert scale_by_worker(once, 4) == once
    assert scale_by_worker(BaseLR.deserialize(once.serialize()), 4) == once


def test_one_worker_changes_only_the_marker():
    lr = cosine(stop_lr=1e-5, warmup_steps=5)
    scaled = scale_by_worker(lr, 1)
    assert scaled.start_lr == lr.start_lr
    assert [scaled.value(t) for t in range(0, 1001, 50)] == [
        lr.value(t) for t in range(0, 1001, 50)
    ]


@pytest.mark.parametrize("num_workers", [0, -2, 2.0, True, None, "4"])
def test_bad_worker_count_is_refused(num_workers):
    with pytest.raises(ValueError, match="num_workers"):
        scale_by_worker(cosine(stop_lr=1e-5), num_workers)


def test_bad_method_is_a_config_error_naming_the_key():
    with pytest.raises(LearningRateConfigError, match="scale_by_worker"):
        scale_by_worker(cosine(stop_lr=1e-5), 2, method="quadratic")


def test_world_size_is_one_without_an_initialized_process_group():
    pytest.importorskip("torch")
    assert torch_world_size() == 1
    assert scale_by_worker(cosine(stop_lr=1e-5), "torch.distributed").start_lr == 1e-3


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _scaled_start_lr_in_worker(rank, world_size, port, folder):
    import torch.distributed as dist

    dist.init_process_group(
        "gloo",
        init_method=f"tcp://127.0.0.1:{port}",
        rank=rank,
        world_size=world_size,
    )
    try:
        lr = cosine(stop_lr_ratio=0.01, scale_by_worker="sqrt")
        start_lr = scale_by_worker(lr, "torch.distributed").start_lr
        (folder / f"rank{rank}").write_text(repr(start_lr))
    finally:
        dist.destroy_process_group()


def test_world_size_is_read_from_an_initialized_process_group(tmp_path):
    torch = pytest.importorskip("torch")
    if not torch.distributed.is_available():
        pytest.skip("torch.distributed is not built in")
    import torch.multiprocessing as mp

    # spawn, not fork: the test process may hold threads (JAX's, for one).
    mp.spawn(
        _scaled_start_lr_in_worker,
        args=(2, _free_port(), tmp_path),
        nprocs=2,
    )
    for rank in range(2):
        assert float((tmp_path / f"rank{rank}").read_text()) == 1e-3 * math.sqrt(2)
