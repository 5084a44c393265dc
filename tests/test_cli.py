"""The training CLI as a user runs it: `python -m models.train_mnist` (and models.compare) in a
subprocess, on small --limit runs of a second or two each."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg

REPO = Path(__file__).resolve().parents[1]
SMALL = ["--limit", "300", "--hidden", "16", "--threads", "1"]


def run(*args: str, module: str = "models.train_mnist", data: Path | None = None
        ) -> subprocess.CompletedProcess:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    if data is not None:
        env["MINIGRAD_DATA"] = str(data.parent)
    return subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def test_help_shows_every_default():
    out = run("--help").stdout
    for default in ("(default: 256)", "(default: 30)", "(default: 64)", "(default: sgd)",
                    "(default: sigmoid)", "(default: float32)", "(default: auto)",
                    "0.5 for sgd, 1e-3 for adam and adamw"):
        assert default in " ".join(out.split()), default
    assert "(default: 64)" in run("--help", module="models.compare").stdout


@pytest.mark.parametrize("args, message", [
    (["--limit", "0"], "argument --limit: expected a positive integer, got 0"),
    (["--limit", "-5"], "argument --limit: expected a positive integer, got -5"),
    (["--hidden", "0"], "argument --hidden: expected a positive integer, got 0"),
    (["--epochs", "0"], "argument --epochs: expected a positive integer, got 0"),
    (["--batch-size", "0"], "argument --batch-size: expected a positive integer, got 0"),
    (["--lr", "-0.1"], "argument --lr: expected a positive finite number, got -0.1"),
    (["--threads", "0"], "argument --threads: the number of threads must be at least 1, got 0"),
    (["--optimizer", "adam", "--momentum", "0.9"], "--momentum: applies to --optimizer sgd"),
])
def test_invalid_numbers_are_refused_by_the_parser(args, message):
    result = run(*args)
    assert result.returncode == 2 and message in result.stderr
    assert result.stdout == ""


def test_compare_refuses_an_empty_batch():
    result = run("--batch", "0", module="models.compare")
    assert result.returncode == 2
    assert "argument --batch: expected a positive integer, got 0" in result.stderr


def test_a_run_says_what_it_uses_and_logs_one_line_per_epoch(mnist_dir):
    result = run(*SMALL, "--epochs", "2", "--optimizer", "adam", data=mnist_dir)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert f"mnist from {mnist_dir}: 300 training / 10000 test images" in lines
    assert any(line.startswith("adam (lr 0.001), batch 64, epochs 1-2") for line in lines)
    assert [line.split()[:2] for line in lines if line.startswith("epoch")] == [
        ["epoch", "1"], ["epoch", "2"]]
    assert "after 2 epochs" in lines[-1]
    assert result.stderr == ""  # no progress bar written to a log


def test_data_dir_is_the_only_folder_read(mnist_dir, tmp_path):
    result = run(*SMALL, "--epochs", "1", "--data-dir", str(mnist_dir), data=tmp_path / "x")
    assert result.returncode == 0, result.stderr
    assert f"mnist from {mnist_dir}:" in result.stdout and "after 1 epoch " in result.stdout
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    missing = blocker / "mnist"  # cannot be created: nothing is downloaded or made
    result = run(*SMALL, "--data-dir", str(missing), data=mnist_dir)  # $MINIGRAD_DATA is valid
    assert result.returncode == 1
    assert str(missing) in result.stderr and "only root is searched" in result.stderr
    assert str(mnist_dir) not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_save_into_a_missing_folder_is_refused_before_training(mnist_dir, tmp_path):
    result = run(*SMALL, "--save", str(tmp_path / "no" / "ckpt.npz"), data=mnist_dir)
    assert result.returncode == 1
    assert f"--save: cannot write {tmp_path / 'no' / 'ckpt.npz'}" in result.stderr
    assert "epoch" not in result.stdout


def test_resume_takes_the_command_lines_options_and_refuses_a_mismatch(mnist_dir, tmp_path):
    checkpoint = tmp_path / "ckpt.npz"
    first = run(*SMALL, "--epochs", "1", "--momentum", "0.5", "--save", str(checkpoint),
                data=mnist_dir)
    assert first.returncode == 0, first.stderr

    # --lr given: it wins over the checkpoint's; --momentum left out: the checkpoint's stays
    resumed = run(*SMALL, "--epochs", "2", "--lr", "0.1", "--resume", str(checkpoint),
                  "--save", str(checkpoint), data=mnist_dir)
    assert resumed.returncode == 0, resumed.stderr
    assert "sgd (lr 0.1, momentum 0.5), batch 64, epochs 2-2" in resumed.stdout
    group = mg.load(checkpoint)["optimizer"]["param_groups"][0]
    assert (group["lr"], group["momentum"]) == (0.1, 0.5)

    for args, message in [
        (["--optimizer", "adam"], "was trained with --optimizer sgd, this run has --optimizer "
                                  "adam; pass --optimizer sgd"),
        (["--hidden", "32"], "was trained with --hidden 16, this run has --hidden 32"),
        (["--norm", "layer"], "was trained with --norm none, this run has --norm layer"),
    ]:
        refused = run(*SMALL, *args, "--epochs", "3", "--resume", str(checkpoint),
                      data=mnist_dir)
        assert refused.returncode == 1 and message in refused.stderr, refused.stderr
        assert "epoch" not in refused.stdout  # refused before any training

    done = run(*SMALL, "--epochs", "2", "--resume", str(checkpoint), data=mnist_dir)
    assert done.returncode == 1 and "final test accuracy" not in done.stdout
    assert "has already trained 2 epochs, and --epochs 2 asks for no more" in done.stderr


def test_threads_auto_says_what_it_picked(mnist_dir):
    result = run("--limit", "1000", "--hidden", "16", "--epochs", "1", "--threads", "auto",
                 data=mnist_dir)
    assert result.returncode == 0, result.stderr
    picked = [line for line in result.stdout.splitlines() if line.startswith("threads: ")]
    assert len(picked) == 1 and "(auto; ms per step: 1 thread " in picked[0]
    count = int(picked[0].split()[1])
    epoch_line = next(line for line in result.stdout.splitlines() if line.startswith("epoch"))
    assert epoch_line.endswith(f"{count} thread" + ("" if count == 1 else "s"))


def test_checkpoint_records_the_settings(mnist_dir, tmp_path):
    checkpoint = tmp_path / "ckpt.npz"
    run(*SMALL, "--epochs", "1", "--save", str(checkpoint), data=mnist_dir)
    saved = mg.load(checkpoint)
    assert saved["settings"]["hidden"] == 16 and saved["settings"]["optimizer"] == "sgd"
    assert np.shape(saved["model"]["fc1.weight"]) == (16, 784)


def test_experiments_take_threads_and_show_defaults(tmp_path):
    pytest.importorskip("matplotlib", reason="the experiments draw with matplotlib")
    result = run("--threads", "1", "--out", str(tmp_path),
                 module="models.experiments.worked_backprop")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("threads: 1 thread\n")
    bad = run("--threads", "none", module="models.experiments.worked_backprop")
    assert bad.returncode == 2 and "expected 'auto' or a number of threads" in bad.stderr
    helped = " ".join(run("--help", module="models.experiments.perceptron").stdout.split())
    assert "(default: auto)" in helped and "(default: out)" in helped


def test_a_checkpoint_without_recorded_settings_is_checked_by_its_contents(mnist_dir, tmp_path):
    from minigrad import optim
    from models.mlp import TwoLayerMLP

    model = TwoLayerMLP(hidden=16)
    opt = optim.Adam(model.parameters(), lr=1e-3)
    checkpoint = tmp_path / "old.npz"
    mg.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 1,
             "history": {"train_loss": [1.0], "test_acc": [50.0], "seconds": [1.0]}},
            checkpoint)
    refused = run(*SMALL, "--epochs", "2", "--resume", str(checkpoint), data=mnist_dir)
    assert refused.returncode == 1
    assert "was trained with --optimizer adam or adamw, this run has --optimizer sgd" in \
        refused.stderr
    resumed = run(*SMALL, "--epochs", "2", "--optimizer", "adamw", "--resume", str(checkpoint),
                  data=mnist_dir)
    assert resumed.returncode == 0, resumed.stderr
    assert "adamw (lr 0.001), batch 64, epochs 2-2" in resumed.stdout
