"""Train the tutorial's two-layer MLP on MNIST.

    python -m models.train_mnist                      # the tutorial's recipe, ends at 98%+
    python -m models.train_mnist --epochs 3 --optimizer adam --plot out/    # Adam's lr 1e-3
    python -m models.train_mnist --save ckpt.npz      # then --resume ckpt.npz --epochs 40
    python -m models.train_mnist --dataset fashion-mnist   # clothes instead of digits
    python -m models.train_mnist --recipe fast --epochs 14  # 98% sooner: PyTorch's init, lr 1

The default recipe: sigmoid hidden layer of 256, softmax output with cross-entropy, plain SGD
(lr 0.5), batch 64, weights ~ N(0, 0.01^2), biases 0. `--recipe fast` keeps nn.Linear's own
initialisation (uniform within +-1/sqrt(fan_in)) and takes lr 1.0. Each step is captured once
and replayed by `mg.compile` (the same numbers as eager, bit for bit); `--no-compile` runs it
eagerly.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import numpy as np

import minigrad as mg
from minigrad import optim
from minigrad.data import DataLoader, DatasetNotFoundError, TensorDataset
from minigrad.nn import functional as F
from models.cli import nonnegative_float, positive_float, positive_int
from models.lenet import RECIPES, make_model
from models.mlp import TwoLayerMLP
from models.mnist import CLOTHES, DATASETS, load_mnist, load_split
from models.threads import ThreadPicker, add_threads_option, plural

LEARNING_RATES = {"sgd": 0.5, "adam": 1e-3, "adamw": 1e-3}  # SGD's is the tutorial's
# settings a checkpoint must share with the run that resumes it: the model's shape, the optimizer
MUST_MATCH = ("model", "optimizer", "hidden", "activation", "norm")


def get_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Train the two-layer MLP on MNIST.")
    d = " (default: %(default)s)"
    p.add_argument("--model", choices=sorted(RECIPES), default="mlp",
                   help="lenet: the convolutional network, with its own default recipe" + d)
    p.add_argument("--dataset", choices=sorted(DATASETS), default="mnist",
                   help="fashion-mnist: the same format, clothes instead of digits" + d)
    p.add_argument("--hidden", type=positive_int, default=256, help="hidden units" + d)
    p.add_argument("--activation", choices=["sigmoid", "relu", "tanh"], default="sigmoid",
                   help="of the hidden layer" + d)
    p.add_argument("--norm", choices=["none", "layer", "batch"], default="none",
                   help="normalization before the activation" + d)
    p.add_argument("--init", choices=["tutorial", "pytorch"], default=None,
                   help="tutorial: weights ~ N(0, 0.01^2), biases 0; pytorch: nn.Linear's own, "
                        "uniform within +-1/sqrt(fan_in) (default: tutorial; pytorch with "
                        "--recipe fast)")
    p.add_argument("--optimizer", choices=["sgd", "adam", "adamw"], default="sgd", help=d[1:])
    # no default of their own (SUPPRESS): left out, they come from the optimizer or the checkpoint
    p.add_argument("--lr", type=positive_float, default=argparse.SUPPRESS,
                   help="learning rate (default: 0.5 for sgd, 1e-3 for adam and adamw; with "
                        "--resume, the checkpoint's)")
    p.add_argument("--momentum", type=nonnegative_float, default=argparse.SUPPRESS,
                   help="SGD only (default: 0; with --resume, the checkpoint's)")
    p.add_argument("--lr-schedule", choices=["constant", "cosine"], default="constant",
                   help="cosine: epoch e trains at lr (1 + cos(pi (e - 1) / epochs)) / 2" + d)
    p.add_argument("--batch-size", type=positive_int, default=64, help=d[1:])
    p.add_argument("--epochs", type=positive_int, default=30,
                   help="epochs in all, counting those of a resumed checkpoint" + d)
    p.add_argument("--seed", type=int, default=0, help="initial weights and shuffles" + d)
    p.add_argument("--dtype", choices=["float32", "float64"], default="float32", help=d[1:])
    p.add_argument("--data-dir", type=Path, default=None,
                   help="the only folder read for the IDX files when given (default: "
                        "$MINIGRAD_DATA/<dataset>, then the cache)")
    p.add_argument("--limit", type=positive_int, default=None,
                   help="train on the first N examples only (default: all 60,000)")
    p.add_argument("--save", type=Path, default=None,
                   help="checkpoint file, written after every epoch (default: none)")
    p.add_argument("--resume", type=Path, default=None,
                   help="continue from a checkpoint of the same optimizer and model shape")
    p.add_argument("--plot", type=Path, default=None, help="folder for curves and digit grid")
    p.add_argument("--quiet", action="store_true",
                   help="no progress bar (there is none either when stderr is not a terminal)")
    p.add_argument("--recipe", choices=["tutorial", "fast"], default="tutorial",
                   help="fast: --init pytorch and SGD's lr 1.0, unless --init or --lr say "
                        "otherwise" + d)
    p.add_argument("--compile", action=argparse.BooleanOptionalAction, default=True,
                   help="capture the training step once and replay it (mg.compile)" + d)
    add_threads_option(p)
    p.set_defaults(**RECIPES[p.parse_known_args(argv)[0].model])
    args = p.parse_args(argv)
    if args.init is None:
        args.init = "pytorch" if args.recipe == "fast" else "tutorial"
    if args.optimizer != "sgd" and "momentum" in args:
        p.error(f"argument --momentum: applies to --optimizer sgd only, not {args.optimizer}")
    return args


def make_optimizer(args: argparse.Namespace, params: list) -> optim.Optimizer:
    """The optimizer with the command line's lr and momentum, or the defaults."""
    fast = args.recipe == "fast" and args.optimizer == "sgd"
    lr = getattr(args, "lr", 1.0 if fast else LEARNING_RATES[args.optimizer])
    if args.optimizer == "sgd":
        return optim.SGD(params, lr=lr, momentum=getattr(args, "momentum", 0.0))
    return (optim.Adam if args.optimizer == "adam" else optim.AdamW)(params, lr=lr)


def settings_of(args: argparse.Namespace) -> dict[str, Any]:
    """What a checkpoint records of the run that wrote it."""
    return {"optimizer": args.optimizer, "hidden": args.hidden, "activation": args.activation,
            "norm": args.norm, "dataset": args.dataset, "dtype": args.dtype, "model": args.model}


def load_checkpoint(args: argparse.Namespace) -> dict[str, Any]:
    """The checkpoint to resume, refused (SystemExit) when it was written by another optimizer
    or model shape, or has already trained --epochs epochs."""
    try:
        checkpoint = mg.load(args.resume)
    except (OSError, ValueError) as e:
        raise SystemExit(f"--resume: {e}") from None
    saved = checkpoint.get("settings") or inferred_settings(checkpoint)
    wanted = settings_of(args)
    for key in MUST_MATCH:
        allowed = saved.get(key, wanted[key])
        allowed = allowed if isinstance(allowed, list) else [allowed]
        if wanted[key] not in allowed:
            was = " or ".join(map(str, allowed))
            raise SystemExit(f"--resume: {args.resume} was trained with --{key} {was}, "
                             f"this run has --{key} {wanted[key]}; pass --{key} {allowed[0]} "
                             "to continue it, or leave out --resume to start afresh")
    done = int(checkpoint["epoch"])
    if done >= args.epochs:
        raise SystemExit(f"--resume: {args.resume} has already trained {plural_epochs(done)}, "
                         f"and --epochs {args.epochs} asks for no more; pass --epochs "
                         f"{done + 1} or more to train further")
    return checkpoint


def inferred_settings(checkpoint: dict[str, Any]) -> dict[str, Any]:
    """The shape and optimizer kind of a checkpoint written before settings were recorded
    (Adam's and AdamW's states look alike: either is allowed)."""
    hidden = int(np.shape(checkpoint["model"]["fc1.weight"])[0])
    adam = "betas" in checkpoint["optimizer"]["param_groups"][0]
    return {"hidden": hidden, "optimizer": ["adam", "adamw"] if adam else "sgd"}


def check_save_folder(path: Path) -> None:
    """Refuse before training a checkpoint path whose folder is missing or read-only."""
    folder = path.parent
    if not (folder.is_dir() and os.access(folder, os.W_OK)):
        problem = "does not exist" if not folder.exists() else "is not a writable folder"
        raise SystemExit(f"--save: cannot write {path}: the folder {folder} {problem}")


def plural_epochs(n: int) -> str:
    return f"{n} epoch" + ("" if n == 1 else "s")


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


def progress(loader: DataLoader, epoch: int, quiet: bool) -> Iterable:
    """The loader behind a progress bar, when stderr is a terminal (a log gets none)."""
    if quiet or not sys.stderr.isatty():
        return loader
    try:
        from tqdm import tqdm
    except ImportError:
        return loader
    return tqdm(loader, desc=f"epoch {epoch}", leave=False, ncols=80)


def make_step(model: TwoLayerMLP, opt: optim.Optimizer, compiled: bool) -> Callable:
    """One training step on a batch, returning its loss; mg.compile captures and replays it."""

    def step(x: mg.Tensor, y: mg.Tensor) -> mg.Tensor:
        opt.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    return mg.compile(step) if compiled else step


def train_epoch(step_fn: Callable, opt: optim.Optimizer, batches: Iterable, epoch: int) -> float:
    """One pass over the training set; returns the mean loss. Stops on a non-finite loss."""
    total, count = 0.0, 0
    for step, (x, y) in enumerate(batches):
        value = step_fn(x, y).item()
        if not math.isfinite(value):
            raise SystemExit(f"training stopped: the loss became {value} at epoch {epoch}, step "
                             f"{step}. The learning rate ({opt.param_groups[0]['lr']}) is "
                             "probably too large: try a smaller --lr.")
        total += value * len(y)
        count += len(y)
    return total / count


def save_checkpoint(path: Path, model: TwoLayerMLP, opt: optim.Optimizer, epoch: int,
                    history: dict[str, list[float]], settings: dict[str, Any]) -> None:
    mg.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": epoch,
             "history": history, "settings": settings}, path)


def plot(out: Path, history: dict[str, list[float]], model: TwoLayerMLP, images: np.ndarray,
         labels: np.ndarray, dataset: str = "mnist") -> None:
    """Loss and accuracy curves, and a grid of test images titled with the predicted label."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    from matplotlib.ticker import MaxNLocator

    epochs = np.arange(1, len(history["train_loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    for ax in (ax_loss, ax_acc):
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
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
    if args.save:
        check_save_folder(args.save)
    checkpoint = load_checkpoint(args) if args.resume else None
    dtype = np.dtype(args.dtype).type
    mg.manual_seed(args.seed)
    try:
        train_x, train_y, folder = load_split(args.data_dir, train=True, limit=args.limit,
                                              name=args.dataset)
        test_x, test_y = load_mnist(folder, train=False, name=args.dataset)
    except DatasetNotFoundError as e:
        raise SystemExit(str(e)) from None
    train_x, test_x = train_x.astype(dtype), test_x.astype(dtype)

    model = make_model(args, dtype)
    opt = make_optimizer(args, list(model.parameters()))
    history: dict[str, list[float]] = {"train_loss": [], "test_acc": [], "seconds": []}
    start = 0
    if checkpoint is not None:
        try:
            model.load_state_dict(checkpoint["model"])
            opt.load_state_dict(checkpoint["optimizer"])
        except (KeyError, ValueError, RuntimeError) as e:
            raise SystemExit(f"--resume: {args.resume} does not fit this model: {e}") from None
        for key in ("lr", "momentum"):  # given on the command line: wins over the checkpoint's
            if key in args:
                for group in opt.param_groups:
                    group[key] = getattr(args, key)
        history = {k: list(v) for k, v in checkpoint["history"].items()}
        start = int(checkpoint["epoch"])
        print(f"resumed from {args.resume} after epoch {start}")
    threads = ThreadPicker(args.threads)

    group = opt.param_groups[0]
    momentum = f", momentum {group['momentum']:g}" if args.optimizer == "sgd" else ""
    print(f"{args.dataset} from {folder}: {len(train_x)} training / {len(test_x)} test images")
    print(f"{model}\n{args.optimizer} (lr {group['lr']:g}{momentum}), batch {args.batch_size}, "
          f"epochs {start + 1}-{args.epochs}, seed {args.seed}, {args.dtype}, init {args.init}, "
          f"threads {'auto' if threads.auto else args.threads}, recipe {args.recipe}, "
          f"{'compiled' if args.compile else 'eager'}")
    step = make_step(model, opt, args.compile)
    for epoch in range(start + 1, args.epochs + 1):
        began = time.perf_counter()
        if args.lr_schedule == "cosine":  # from the run's lr, so a resumed run continues it
            for group in opt.param_groups:
                group["lr"] = getattr(args, "lr", LEARNING_RATES[args.optimizer]) * (
                    1 + math.cos(math.pi * (epoch - 1) / args.epochs)) / 2
        # a seed per epoch: the same shuffles whether or not training was resumed
        loader = DataLoader(TensorDataset(train_x, train_y), batch_size=args.batch_size,
                            shuffle=True, seed=args.seed * 100_003 + epoch)
        batches = threads.tune(progress(loader, epoch, args.quiet))
        loss = train_epoch(step, opt, batches, epoch)
        seconds = time.perf_counter() - began
        accuracy = evaluate(model, test_x, test_y)
        history["train_loss"].append(loss)
        history["test_acc"].append(accuracy)
        history["seconds"].append(seconds)
        if threads.auto and threads.changed:
            print(f"threads: {threads.describe()}")
        print(f"epoch {epoch:3d}  train loss {loss:.4f}  test accuracy {accuracy:6.2f}%  "
              f"{seconds:5.2f} s  {plural(threads.threads)}", flush=True)
        if args.save:
            save_checkpoint(args.save, model, opt, epoch, history, settings_of(args))

    accuracies = history["test_acc"]
    best = int(np.argmax(accuracies))
    print(f"final test accuracy {accuracies[-1]:.2f}% after {plural_epochs(len(accuracies))} "
          f"(best {accuracies[best]:.2f}% at epoch {best + 1}); training time "
          f"{sum(history['seconds']):.1f} s")
    if args.plot:
        plot(args.plot, history, model, test_x, test_y, args.dataset)
    return history


if __name__ == "__main__":
    main()
