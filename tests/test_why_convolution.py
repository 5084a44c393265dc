"""The claim of models/experiments/why_convolution.py on a small run, through its own functions;
and LeNet on train_mnist's command line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models import train_mnist
from models.experiments import why_convolution as why
from models.lenet import RECIPES
from models.mnist import load_mnist


def test_shifted_moves_pixels_and_blanks_what_comes_in() -> None:
    image = np.arange(784, dtype=np.float32).reshape(1, 784)
    moved = why.shifted(image, 2, -3).reshape(28, 28)
    square = image.reshape(28, 28)
    np.testing.assert_array_equal(moved[2:, :25], square[:26, 3:])
    assert (moved[:2] == 0).all() and (moved[:, 25:] == 0).all()
    np.testing.assert_array_equal(why.shifted(image, 0, 0), image)


def test_cnn_with_fewer_parameters_beats_the_mlp_on_shifted_digits(mnist_dir: Path) -> None:
    """Trained briefly on the same 3000 images, the CNN has under a third of the MLP's
    parameters, is about as accurate on the digits as they are, and keeps more of its accuracy
    when they move by 2 to 4 pixels (on this small run: some 15 points more)."""
    train_x, train_y = load_mnist(mnist_dir, train=True, limit=3000)
    test_x, test_y = load_mnist(mnist_dir, train=False, limit=1000)
    result = why.run(train_x, train_y, test_x, test_y, epochs=3)
    mlp, cnn = result.accuracy["MLP"], result.accuracy["CNN"]
    assert 3 * result.parameters["CNN"] < result.parameters["MLP"]
    assert cnn[0] >= mlp[0] - 2.0
    for k in (2, 3, 4):
        assert cnn[k] > mlp[k] + 8.0, (k, cnn, mlp)
        assert cnn[0] - cnn[k] < mlp[0] - mlp[k]
    assert mlp[4] < mlp[0] - 30.0, "a dense network should lose much of its accuracy"


def test_train_mnist_takes_lenet_with_its_own_recipe(mnist_dir: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture) -> None:
    args = train_mnist.get_args(["--model", "lenet"])
    assert (args.optimizer, args.epochs) == (RECIPES["lenet"]["optimizer"],
                                             RECIPES["lenet"]["epochs"])
    assert train_mnist.get_args(["--model", "lenet", "--epochs", "2"]).epochs == 2
    assert train_mnist.get_args([]).optimizer == "sgd"  # the MLP's recipe is unchanged
    ckpt = tmp_path / "lenet.npz"
    history = train_mnist.main(["--model", "lenet", "--limit", "256", "--epochs", "1", "--quiet",
                                "--data-dir", str(mnist_dir), "--save", str(ckpt),
                                "--threads", "1"])
    assert len(history["test_acc"]) == 1 and "LeNet(" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="--model lenet"):
        train_mnist.main(["--resume", str(ckpt), "--epochs", "2", "--data-dir", str(mnist_dir),
                          "--optimizer", "adam", "--threads", "1"])
