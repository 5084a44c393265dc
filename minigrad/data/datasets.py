"""MNIST and Fashion-MNIST: find the IDX files on disk, or download and verify them.

Where the two files of a split (``train-*`` or ``t10k-*``, gzip'd or not, both in one
directory) are looked for: in ``root`` alone when it is given (as in torchvision); otherwise in
``$MINIGRAD_DATA/<name>``, ``~/.cache/minigrad/<name>`` (or under ``$XDG_CACHE_HOME``), then
system folders (Fashion-MNIST: Debian's package). Files found on disk are trusted as they are;
only downloaded files are checked against SHA-256 checksums. A failed look-up or download
leaves no new folder behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import sys
import tempfile
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from minigrad.data.idx import IDXError, read_idx
from minigrad.data.loader import TensorDataset
from minigrad.tensor import Tensor

DOWNLOAD_TIMEOUT = 30.0  # seconds per network operation


class DatasetNotFoundError(FileNotFoundError):
    """A dataset's files are in no searched directory and could not be downloaded."""


class _ChecksumMismatch(OSError):
    """A downloaded file does not have the published SHA-256."""


class MNIST(TensorDataset):
    """The MNIST handwritten digits, loaded into memory.

    ``data``: float32 images in [0, 1], shape (N, 28, 28); ``targets``: int64 labels 0-9,
    shape (N,); N = 60000 for ``train=True``, 10000 for the test split. ``dataset[i]`` is
    ``(image, label)`` as numpy. When the files are not found (see the module docstring)
    and ``download`` is true, they are fetched into ``root`` if given, else the cache folder.
    ``folder`` is the directory the files were read from.
    """

    name = "mnist"
    classes: tuple[str, ...] = tuple(str(digit) for digit in range(10))
    mirrors: tuple[str, ...] = (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    )
    # SHA-256 of the canonical files (as listed by TensorFlow Datasets; the t10k ones were
    # also checked against a byte-identical copy).
    sha256: dict[str, str] = {
        "train-images-idx3-ubyte.gz": (
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"
        ),
        "train-labels-idx1-ubyte.gz": (
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"
        ),
        "t10k-images-idx3-ubyte.gz": (
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"
        ),
        "t10k-labels-idx1-ubyte.gz": (
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"
        ),
    }
    system_dirs: tuple[str, ...] = ()
    install_hint = ""

    def __init__(
        self, root: str | os.PathLike | None = None, train: bool = True, *, download: bool = True
    ) -> None:
        self.root = root
        self.train = train
        prefix = "train" if train else "t10k"
        stems = (f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte")
        images_path, labels_path = self._locate(stems, download)
        self.folder = images_path.parent
        super().__init__(*_load_images_and_labels(images_path, labels_path))

    @property
    def data(self) -> Tensor:
        return self.tensors[0]

    @property
    def targets(self) -> Tensor:
        return self.tensors[1]

    def __repr__(self) -> str:
        split = "train" if self.train else "test"
        return f"{type(self).__name__}({split}, {len(self)} examples)"

    def search_dirs(self) -> list[tuple[Path, str]]:
        """The directories searched, in order, each with where it comes from: ``root`` alone
        when given."""
        if self.root is not None:
            return [(Path(self.root), "root argument")]
        dirs = []
        if os.environ.get("MINIGRAD_DATA"):
            dirs.append((Path(os.environ["MINIGRAD_DATA"]) / self.name, "$MINIGRAD_DATA"))
        dirs.append((_cache_dir() / self.name, "cache"))
        dirs += [(Path(d), "system") for d in self.system_dirs]
        return dirs

    def _locate(self, stems: tuple[str, ...], download: bool) -> list[Path]:
        """Paths of the files named by ``stems``, downloading the missing ones if allowed."""
        searched = self.search_dirs()
        for directory, _ in searched:
            found = [_find(directory, stem) for stem in stems]
            if all(found):
                return found
        failures: list[str] = []
        target = self._download_dir(searched) if download else None
        if target is not None:
            try:
                created = _make_dirs(target)
            except OSError as exc:
                created, failures = [], [f"cannot create {target}: {exc}"]
            for stem in stems:
                if not failures and _find(target, stem) is None:
                    failures = self._download(f"{stem}.gz", target)  # stop at the first failure
            if not failures:
                return [_find(target, stem) for stem in stems]
            for folder in reversed(created):  # only the folders made here, and only if empty
                with contextlib.suppress(OSError):
                    folder.rmdir()
        raise DatasetNotFoundError(self._not_found_message(stems, searched, download, failures))

    def _download_dir(self, searched: list[tuple[Path, str]]) -> Path | None:
        """``root`` if given, else the cache, else $MINIGRAD_DATA's folder: the first that is
        writable or could be created (nothing is created here)."""
        order = {"root argument": 0, "cache": 1, "$MINIGRAD_DATA": 2}
        candidates = sorted((d for d in searched if d[1] in order), key=lambda d: order[d[1]])
        for directory, _ in candidates:
            existing = next(p for p in (directory, *directory.parents) if p.exists())
            if existing.is_dir() and os.access(existing, os.W_OK):
                return directory
        return None

    def _download(self, filename: str, directory: Path) -> list[str]:
        """Try each mirror until one gives a verified file; return the failures as text."""
        failures = []
        for mirror in self.mirrors:
            url = mirror + filename
            try:
                _fetch_verified(url, directory / filename, self.sha256[filename])
                return []
            except (OSError, http.client.HTTPException) as exc:
                failures.append(f"{url}: {exc}")
        return failures

    def _not_found_message(
        self,
        stems: tuple[str, ...],
        searched: list[tuple[Path, str]],
        download: bool,
        failures: list[str],
    ) -> str:
        split = "train" if self.train else "test"
        wanted = ", ".join(f"{stem}.gz" for stem in stems)
        lines = [
            f"{type(self).__name__} {split} files not found: need {wanted} "
            f"(un-gzipped names accepted too), both in one directory.",
            "Searched:",
        ]
        lines += [f"  {d}  ({origin}; {_describe(d, stems)})" for d, origin in searched]
        if self.root is not None:
            lines.append("  (only root is searched when it is given)")
        elif not os.environ.get("MINIGRAD_DATA"):
            lines.append("  ($MINIGRAD_DATA is not set)")
        if not download:
            lines.append("Not downloaded: download=False.")
        elif failures:
            lines.append("Download failed:")
            lines += [f"  {failure}" for failure in failures]
        else:
            lines.append("Download impossible: none of the directories above is writable.")
        if self.root is not None:
            lines.append(f"To fix: put the files in {self.root}, or give no root to search "
                         "$MINIGRAD_DATA and the cache.")
        else:
            lines.append(
                f"To fix: put the files in {_cache_dir() / self.name}, or set "
                f"MINIGRAD_DATA=/path/to/data whose {self.name}/ subfolder holds "
                f"them{self.install_hint}."
            )
        return "\n".join(lines)


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: same format and shapes as MNIST, 10 kinds of clothing."""

    name = "fashion-mnist"
    classes = (
        "T-shirt/top",
        "Trouser",
        "Pullover",
        "Dress",
        "Coat",
        "Sandal",
        "Shirt",
        "Sneaker",
        "Bag",
        "Ankle boot",
    )
    mirrors = ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",)
    sha256 = {
        "train-images-idx3-ubyte.gz": (
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"
        ),
        "train-labels-idx1-ubyte.gz": (
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"
        ),
        "t10k-images-idx3-ubyte.gz": (
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"
        ),
        "t10k-labels-idx1-ubyte.gz": (
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"
        ),
    }
    system_dirs = ("/usr/share/datasets/fashion-mnist",)
    install_hint = (
        ", or install Debian's copy with `apt-get install dataset-fashion-mnist` "
        "(it goes to /usr/share/datasets/fashion-mnist)"
    )


def _load_images_and_labels(images_path: Path, labels_path: Path) -> tuple[np.ndarray, ...]:
    """uint8 IDX images and labels -> float32 images in [0, 1] and int64 labels."""
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise IDXError(
            f"{images_path}: expected uint8 images with 3 dimensions (magic 0x00000803), "
            f"got {images.dtype} of shape {images.shape}"
        )
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise IDXError(
            f"{labels_path}: expected uint8 labels with 1 dimension (magic 0x00000801), "
            f"got {labels.dtype} of shape {labels.shape}"
        )
    if len(images) != len(labels):
        raise IDXError(
            f"{images_path} holds {len(images)} images but {labels_path} holds "
            f"{len(labels)} labels"
        )
    data = np.true_divide(images, np.float32(255), dtype=np.float32)
    return data, labels.astype(np.int64)


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "minigrad"


def _make_dirs(directory: Path) -> list[Path]:
    """Create directory and its missing parents; return the ones created, outermost first."""
    missing = [p for p in (directory, *directory.parents) if not p.exists()][::-1]
    directory.mkdir(parents=True, exist_ok=True)
    return missing


def _find(directory: Path, stem: str) -> Path | None:
    """``directory/stem.gz`` or ``directory/stem``, whichever exists first."""
    for path in (directory / f"{stem}.gz", directory / stem):
        if path.is_file():
            return path
    return None


def _describe(directory: Path, stems: tuple[str, ...]) -> str:
    if not directory.is_dir():
        return "does not exist"
    present = [stem for stem in stems if _find(directory, stem)]
    return f"has only {', '.join(present)}" if present else "has none of them"


def _fetch_verified(url: str, dest: Path, sha256: str) -> None:
    """Download ``url`` to ``dest`` atomically: stream into a temporary file beside ``dest``,
    check its SHA-256, then rename it into place. On any failure nothing is left behind."""
    fd, partial = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    try:
        digest = hashlib.sha256()
        with (
            os.fdopen(fd, "wb") as out,
            urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response,
        ):
            total = int(response.headers.get("Content-Length") or 0)
            with _progress(dest.name, total) as advance:
                while chunk := response.read(1 << 16):
                    out.write(chunk)
                    digest.update(chunk)
                    advance(len(chunk))
        if digest.hexdigest() != sha256:
            raise _ChecksumMismatch(
                f"SHA-256 mismatch: expected {sha256}, got {digest.hexdigest()}"
            )
        os.replace(partial, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(partial)
        raise


@contextlib.contextmanager
def _progress(label: str, total: int) -> Iterator[Callable[[int], object]]:
    """A progress bar (tqdm when installed, else one line before and after), as ``advance(n)``."""
    try:
        from tqdm import tqdm
    except ImportError:
        received = 0

        def advance(n: int) -> None:
            nonlocal received
            received += n

        print(f"Downloading {label} ...", file=sys.stderr, flush=True)
        yield advance
        print(f"Downloaded {received} bytes.", file=sys.stderr, flush=True)
        return
    with tqdm(total=total or None, desc=label, unit="B", unit_scale=True) as bar:
        yield bar.update
