"""The tutorial's network: autograd equals the hand-derived backprop, matches PyTorch, and learns
MNIST; the training script checkpoints, resumes and stops on a diverging loss."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad import optim
from minigrad.nn import functional as F
from models import compare, train_mnist
from models.manual_mlp import ManualMLP
from models.mlp import TwoLayerMLP
from models.mnist import load_mnist


@given(batch=st.integers(1, 40), hidden=st.integers(1, 24), inputs=st.integers(1, 30),
       classes=st.integers(2, 12), seed=st.integers(0, 2**31 - 1),
       init_std=st.sampled_from([0.01, 0.3, 2.0]))
def test_autograd_equals_hand_derived_gradients(batch, hidden, inputs, classes, seed, init_std):
    rng = np.random.default_rng(seed)
    manual = ManualMLP(inputs, hidden, classes, init_std=init_std, seed=seed, dtype=np.float64)
    manual.params["b1"] += rng.standard_normal(manual.params["b1"].shape)
    model = TwoLayerMLP(inputs, hidden, classes, dtype=np.float64)
    model.load_state_dict(manual.state_dict())
    X, labels = rng.standard_normal((batch, inputs)), rng.integers(0, classes, batch)

    auto = compare.autograd_gradients(model, X, labels)
    hand = compare.manual_gradients(manual, X, labels)
    assert list(auto) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
    for name, _, gap, rel in compare.differences(auto, hand):
        assert auto[name].shape == hand[name].shape
        assert gap < 1e-12 and rel < 1e-10, (name, gap, rel)


def test_sgd_steps_keep_both_networks_identical():
    model, manual = compare.make_pair(hidden=16, dtype=np.float64, seed=3)
    X, labels, _ = compare.batch(32, np.float64, seed=3)
    for _, _, _, rel in compare.train_both(model, manual, X, labels, steps=20, lr=0.5):
        assert rel < 1e-10


def test_training_step_matches_pytorch(torch):
    model = TwoLayerMLP(20, 16, 5, dtype=np.float64)
    reference = torch.nn.Sequential()
    reference.fc1 = torch.nn.Linear(20, 16, dtype=torch.float64)
    reference.act = torch.nn.Sigmoid()
    reference.fc2 = torch.nn.Linear(16, 5, dtype=torch.float64)
    assert list(reference.state_dict()) == list(model.state_dict())
    reference.load_state_dict({k: torch.tensor(v.numpy()) for k, v in model.state_dict().items()})

    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((8, 20)), rng.integers(0, 5, 8)
    ours = optim.SGD(model.parameters(), lr=0.3)
    theirs = torch.optim.SGD(reference.parameters(), lr=0.3)
    for _ in range(3):
        loss = F.cross_entropy(model(mg.tensor(X)), mg.tensor(y))
        ours.zero_grad()
        loss.backward()
        ours.step()
        ref_loss = torch.nn.functional.cross_entropy(reference(torch.tensor(X)), torch.tensor(y))
        theirs.zero_grad()
        ref_loss.backward()
        theirs.step()
        assert loss.item() == pytest.approx(ref_loss.item(), rel=1e-12)
    for key, value in model.state_dict().items():
        np.testing.assert_allclose(value, reference.state_dict()[key].numpy(), rtol=1e-10,
                                   atol=1e-13)


def test_weights_move_from_pytorch_to_minigrad(torch):
    reference = torch.nn.Sequential()
    reference.fc1 = torch.nn.Linear(6, 4)
    reference.norm = torch.nn.BatchNorm1d(4)
    reference.act = torch.nn.Tanh()
    reference.fc2 = torch.nn.Linear(4, 3)
    model = TwoLayerMLP(6, 4, 3, activation="tanh", norm="batch")
    model.load_state_dict({k: v.numpy() for k, v in reference.state_dict().items()})
    x = np.random.default_rng(1).standard_normal((5, 6)).astype(np.float32)
    reference.eval()
    model.eval()
    np.testing.assert_allclose(model(mg.tensor(x)).detach().numpy(),
                               reference(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_bad_options_are_named():
    with pytest.raises(ValueError, match="activation"):
        TwoLayerMLP(activation="softplus")
    with pytest.raises(ValueError, match="norm"):
        TwoLayerMLP(norm="group")


def test_one_epoch_on_10000_images_reaches_90_percent(mnist_dir, capsys):
    # The tutorial's sigmoid/SGD recipe starts slowly from its N(0, 0.01^2) weights (about 78%
    # after this one epoch, as does PyTorch from the same start); ReLU with Adam gets to ~92%.
    history = train_mnist.main(["--data-dir", str(mnist_dir), "--limit", "10000", "--epochs",
                                "1", "--quiet", "--init", "pytorch", "--activation", "relu",
                                "--optimizer", "adam", "--lr", "0.002", "--batch-size", "32"])
    assert history["test_acc"][-1] >= 90.0
    assert "final test accuracy" in capsys.readouterr().out


def test_fashion_mnist_trains_with_the_same_script(fashion_dir):
    # the tutorial's recipe: 63-68% after this one epoch over seeds 0-2, 87.9% after 30 epochs
    history = train_mnist.main(["--dataset", "fashion-mnist", "--data-dir", str(fashion_dir),
                                "--limit", "10000", "--epochs", "1", "--quiet"])
    assert history["test_acc"][-1] >= 60.0


def test_resume_continues_exactly_as_an_uninterrupted_run(mnist_dir, tmp_path):
    common = ["--data-dir", str(mnist_dir), "--limit", "1500", "--hidden", "32", "--quiet",
              "--optimizer", "sgd", "--momentum", "0.9", "--lr", "0.1",
              "--threads", "1"]  # BLAS sums can round differently on 1 and 2 threads
    straight = train_mnist.main(common + ["--epochs", "2"])
    checkpoint = tmp_path / "ckpt.npz"
    train_mnist.main(common + ["--epochs", "1", "--save", str(checkpoint)])
    resumed = train_mnist.main(common + ["--epochs", "2", "--resume", str(checkpoint)])
    assert resumed["train_loss"] == straight["train_loss"]
    assert resumed["test_acc"] == straight["test_acc"]


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning",
                            "ignore:invalid value:RuntimeWarning")
def test_diverging_loss_stops_with_a_hint(mnist_dir):
    with pytest.raises(SystemExit, match="learning rate"):
        train_mnist.main(["--data-dir", str(mnist_dir), "--limit", "640", "--epochs", "3",
                          "--lr", "1e38", "--quiet"])


def test_plot_writes_curves_and_digits(mnist_dir, tmp_path):
    pytest.importorskip("matplotlib", reason="the plot extra (matplotlib) is not installed")
    train_mnist.main(["--data-dir", str(mnist_dir), "--limit", "640", "--epochs", "1",
                      "--hidden", "16", "--quiet", "--plot", str(tmp_path)])
    for name in ("curves.png", "digits.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_load_mnist_limits_and_flattens(mnist_dir):
    images, labels = load_mnist(mnist_dir, train=False, limit=100)
    assert images.shape == (100, 784) and images.dtype == np.float32
    assert labels.shape == (100,) and labels.dtype == np.int64
