"""Train the tutorial's two-layer MLP on MNIST.

    python -m models.train_mnist                      # the tutorial's recipe, ends at 98%+
    python -m models.train_mnist --epochs 3 --optimizer adam --lr 1e-3 --plot out/
    python -m models.train_mnist --save ckpt.npz      # then --resume ckpt.npz --epochs 40
    python -m models.train_mnist --dataset fashion-mnist   # clothes instead of digits

The default recipe: sigmoid hidden layer of 256, softmax output with cross-entropy, plain SGD
(lr 0.5), batch 64, weights ~ N(0, 0.01^2), biases 0.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np

import minigrad as mg
from minigrad import optim
from minigrad.data import DataLoader, DatasetNotFoundError, TensorDataset
from minigrad.nn import functional as F
from models.lenet import RECIPES, make_model
from models.mlp import TwoLayerMLP
from models.mnist import CLOTHES, DATASETS, load_mnist


def get_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Train the two-layer MLP on MNIST.")
    p.add_argument("--model", choices=sorted(RECIPES), default="mlp",
                   help="lenet: the convolutional network, with its own default recipe")
    p.add_argument("--dataset", choices=sorted(DATASETS), default="mnist",
                   help="fashion-mnist: the same format, clothes instead of digits")
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--activation", choices=["sigmoid", "relu", "tanh"], default="sigmoid")
    p.add_argument("--norm", choices=["none", "layer", "batch"], default="none")
    p.add_argument("--init", choices=["tutorial", "pytorch"], default="tutorial",
                   help="tutorial: weights ~ N(0, 0.01^2), biases 0; pytorch: nn.Linear's own")
    p.add_argument("--optimizer", choices=["sgd", "adam", "adamw"], default="sgd")
    p.add_argument("--lr", type=float, default=0.5)
    p.add_argument("--momentum", type=float, default=0.0, help="SGD only")
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="folder with the IDX files (default: $MINIGRAD_DATA/<dataset>)")
    p.add_argument("--limit", type=int, default=None, help="train on the first N examples only")
    p.add_argument("--save", type=Path, default=None, help="checkpoint after every epoch")
    p.add_argument("--resume", type=Path, default=None, help="continue from a checkpoint")
    p.add_argument("--plot", type=Path, default=None, help="folder for curves and digit grid")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(**RECIPES[p.parse_known_args(argv)[0].model])
    return p.parse_args(argv)


def make_optimizer(args: argparse.Namespace, params: list) -> optim.Optimizer:
    if args.optimizer == "sgd":
        return optim.SGD(params, lr=args.lr, momentum=args.momentum)
    return (optim.Adam if args.optimizer == "adam" else optim.AdamW)(params, lr=args.lr)


@mg.no_grad()
def predict(model: TwoLayerMLP, images: np.ndarray, batch: int = 2000) -> np.ndarray:
    model.eval()
    labels = [model(mg.tensor(images[i:i + batch])).argmax(1).numpy()
              for i in range(0, len(images), batch)]
    model.train()
    return np.concatenate(labels)


def evaluate(model: TwoLayerMLP, images: np.ndarray, labels: np.ndarray) -> float:
    """Accuracy in percent."""
    return 100.0 * float(np.mean(predict(model, images) == labels))


def progress(loader: DataLoader, epoch: int, quiet: bool):
    if quiet:
        return loader
    try:
        from tqdm import tqdm
    except ImportError:
        return loader
    return tqdm(loader, desc=f"epoch {epoch}", leave=False, ncols=80)


def train_epoch(model: TwoLayerMLP, opt: optim.Optimizer, loader: DataLoader, epoch: int,
                quiet: bool) -> float:
    """One pass over the training set; returns the mean loss. Stops on a non-finite loss."""
    total, count = 0.0, 0
    for step, (x, y) in enumerate(progress(loader, epoch, quiet)):
        loss = F.cross_entropy(model(x), y)
        value = loss.item()
        if not math.isfinite(value):
            raise SystemExit(f"training stopped: the loss became {value} at epoch {epoch}, step "
                             f"{step}. The learning rate ({opt.param_groups[0]['lr']}) is "
                             "probably too large: try a smaller --lr.")
        opt.zero_grad()
        loss.backward()
        opt.step()
        total += value * len(y)
        count += len(y)
    return total / count


def save_checkpoint(path: Path, model: TwoLayerMLP, opt: optim.Optimizer, epoch: int,
                    history: dict[str, list[float]]) -> None:
    mg.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": epoch,
             "history": history}, path)


def plot(out: Path, history: dict[str, list[float]], model: TwoLayerMLP, images: np.ndarray,
         labels: np.ndarray, dataset: str = "mnist") -> None:
    """Loss and accuracy curves, and a grid of test images titled with the predicted label."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    epochs = np.arange(1, len(history["train_loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(epochs, history["train_loss"], marker="o")
    ax_loss.set(xlabel="epoch", ylabel="train loss", yscale="log", title="training loss")
    ax_acc.plot(epochs, history["test_acc"], marker="o", color="tab:green")
    if dataset == "mnist":
        ax_acc.axhline(98.0, color="gray", linestyle="--", label="98%")
        ax_acc.legend()
    ax_acc.set(xlabel="epoch", ylabel="test accuracy (%)", title="test accuracy")
    fig.savefig(out / "curves.png", dpi=110, bbox_inches="tight")
    plt.close(fig)

    shown = images[:36]
    predicted = predict(model, shown)
    fig, axes = plt.subplots(6, 6, figsize=(7, 7.5))
    for ax, image, guess, truth in zip(axes.flat, shown, predicted, labels[:36], strict=True):
        ax.imshow(image.reshape(28, 28), cmap="gray_r")
        name = CLOTHES[guess] if dataset == "fashion-mnist" else str(guess)
        ax.set_title(name, color="black" if guess == truth else "red", fontsize=10)
        ax.axis("off")
    fig.suptitle(f"{dataset} test images, predicted label (red = wrong)")
    fig.savefig(out / "digits.png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    print(f"wrote {out / 'curves.png'} and {out / 'digits.png'}")


def main(argv: list[str] | None = None) -> dict[str, list[float]]:
    args = get_args(argv)
    dtype = np.dtype(args.dtype).type
    mg.manual_seed(args.seed)
    try:
        train_x, train_y = load_mnist(args.data_dir, train=True, limit=args.limit,
                                      name=args.dataset)
        test_x, test_y = load_mnist(args.data_dir, train=False, name=args.dataset)
    except DatasetNotFoundError as e:
        raise SystemExit(str(e)) from None
    train_x, test_x = train_x.astype(dtype), test_x.astype(dtype)

    model = make_model(args, dtype)
    opt = make_optimizer(args, list(model.parameters()))
    history: dict[str, list[float]] = {"train_loss": [], "test_acc": [], "seconds": []}
    start = 0
    if args.resume:
        checkpoint = mg.load(args.resume)
        model.load_state_dict(checkpoint["model"])
        opt.load_state_dict(checkpoint["optimizer"])
        history = {k: list(v) for k, v in checkpoint["history"].items()}
        start = int(checkpoint["epoch"])
        print(f"resumed from {args.resume} after epoch {start}")

    print(f"{len(train_x)} training / {len(test_x)} test images; {model}")
    for epoch in range(start + 1, args.epochs + 1):
        began = time.perf_counter()
        # a seed per epoch: the same shuffles whether or not training was resumed
        loader = DataLoader(TensorDataset(train_x, train_y), batch_size=args.batch_size,
                            shuffle=True, seed=args.seed * 100_003 + epoch)
        loss = train_epoch(model, opt, loader, epoch, args.quiet)
        seconds = time.perf_counter() - began
        accuracy = evaluate(model, test_x, test_y)
        history["train_loss"].append(loss)
        history["test_acc"].append(accuracy)
        history["seconds"].append(seconds)
        print(f"epoch {epoch:3d}  train loss {loss:.4f}  test accuracy {accuracy:6.2f}%  "
              f"{seconds:5.1f} s")
        if args.save:
            save_checkpoint(args.save, model, opt, epoch, history)

    if history["test_acc"]:
        accuracies = history["test_acc"]
        best = int(np.argmax(accuracies))
        print(f"final test accuracy {accuracies[-1]:.2f}% after {len(accuracies)} epochs (best "
              f"{accuracies[best]:.2f}% at epoch {best + 1}); training time "
              f"{sum(history['seconds']):.1f} s")
    if args.plot:
        plot(args.plot, history, model, test_x, test_y, args.dataset)
    return history


if __name__ == "__main__":
    main()
