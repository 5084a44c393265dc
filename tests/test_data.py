"""Tests for minigrad.data: IDX files, MNIST / Fashion-MNIST, DataLoader, synthetic data.

No test touches the network: downloads go through a patched ``urllib.request.urlopen``.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
from minigrad.data import (
    MNIST,
    DataLoader,
    Dataset,
    DatasetNotFoundError,
    FashionMNIST,
    IDXError,
    Subset,
    TensorDataset,
    moons,
    random_split,
    read_idx,
    sine,
    spiral,
    write_idx,
    xor,
)

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
IDX_DTYPES = [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]
MNIST_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


def mnist_data_dir() -> Path | None:
    """The folder whose mnist/ subfolder holds the four MNIST files: $MINIGRAD_DATA, else
    ../shared/data beside the repository; None when neither has them."""
    repo_root = Path(__file__).resolve().parents[1]
    env = os.environ.get("MINIGRAD_DATA")
    candidate = Path(env) if env else repo_root.parent / "shared" / "data"
    if all((candidate / "mnist" / name).is_file() for name in MNIST_FILES):
        return candidate
    return None


# *** IDX files ***


@st.composite
def idx_arrays(draw: st.DrawFn) -> np.ndarray:
    dtype = draw(st.sampled_from(IDX_DTYPES))
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=5))
    return draw(hnp.arrays(dtype, shape))


@FAST
@given(array=idx_arrays(), gzipped=st.booleans())
def test_idx_round_trip(tmp_path_factory, array, gzipped):
    path = tmp_path_factory.mktemp("idx") / ("a.idx.gz" if gzipped else "a.idx")
    write_idx(path, array)
    back = read_idx(path)
    assert back.dtype == array.dtype and back.shape == array.shape
    assert back.dtype.isnative
    assert back.tobytes() == array.tobytes()  # bitwise, so NaNs and -0.0 count too


def test_idx_layout_matches_the_format(tmp_path):
    """Magic 0x00000803 for 3-D uint8, big-endian uint32 dims, then C-order values."""
    images = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "images.idx", images)
    raw = (tmp_path / "images.idx").read_bytes()
    assert raw[:16] == bytes.fromhex("00000803000000020000000300000004")
    assert raw[16:] == bytes(range(24))
    write_idx(tmp_path / "labels.idx.gz", np.array([7, 2], dtype=np.uint8))
    raw = gzip.decompress((tmp_path / "labels.idx.gz").read_bytes())
    assert raw == bytes.fromhex("00000801000000020702")


def test_read_idx_decodes_big_endian_floats(tmp_path):
    path = tmp_path / "floats.idx"
    path.write_bytes(bytes.fromhex("00000d0100000002") + np.array([1.5, -2.0], ">f4").tobytes())
    values = read_idx(path)
    assert values.dtype == np.float32 and values.tolist() == [1.5, -2.0]


VALID_LABELS = bytes.fromhex("0000080100000003010203")


@pytest.mark.parametrize(
    "raw, problem",
    [
        (b"", "too short"),
        (b"\x00\x00", "too short"),
        (b"\x01\x00\x08\x01" + VALID_LABELS[4:], "bad magic number 0x01000801"),
        (b"\x00\x00\x07\x01" + VALID_LABELS[4:], "unknown type code 0x07"),
        (b"\x00\x00\x08\x00", "zero dimensions"),
        (bytes.fromhex("0000080300000002"), "truncated header"),
        (bytes.fromhex("0000080100000000"), "zero-length dimension"),
        (VALID_LABELS[:-1], "truncated"),
        (VALID_LABELS + b"\x00", "trailing bytes"),
    ],
)
def test_read_idx_explains_what_is_wrong(tmp_path, raw, problem):
    path = tmp_path / "broken.idx"
    path.write_bytes(raw)
    with pytest.raises(IDXError) as info:
        read_idx(path)
    assert problem in str(info.value) and str(path) in str(info.value)


def _bad_deflate_block() -> bytes:
    compressed = bytearray(gzip.compress(VALID_LABELS, mtime=0))
    compressed[10] = 0xFF  # first deflate block header: block type 3 does not exist
    return bytes(compressed)


@pytest.mark.parametrize(
    "content, cause",
    [
        (VALID_LABELS, "Not a gzipped file"),  # not compressed although named .gz
        (gzip.compress(VALID_LABELS)[:-3], "end-of-stream"),  # cut short
        (_bad_deflate_block(), "invalid block type"),  # zlib.error
    ],
)
def test_read_idx_reports_bad_gzip_as_idx_error(tmp_path, content, cause):
    path = tmp_path / "labels.idx.gz"
    path.write_bytes(content)
    with pytest.raises(IDXError, match="not a valid gzip file") as info:
        read_idx(path)
    assert str(path) in str(info.value) and cause in str(info.value)
    assert isinstance(info.value, ValueError) and info.value.__cause__ is not None


CORRUPTIONS = ["truncate", "append junk", "bad magic", "cut gzip stream"]
BAD_MAGIC_BYTES = {0: range(1, 256), 1: range(1, 256), 2: (0, 1, 7, 10, 15, 255), 3: (0,)}


@FAST
@given(
    array=idx_arrays(), kind=st.sampled_from(CORRUPTIONS), gzipped=st.booleans(), data=st.data()
)
def test_broken_idx_files_raise_only_idx_error(tmp_path_factory, array, kind, gzipped, data):
    """Every corruption of a valid file is reported as IDXError naming the path."""
    folder = tmp_path_factory.mktemp("broken")
    write_idx(folder / "valid.idx", array)
    raw = bytearray((folder / "valid.idx").read_bytes())
    if kind == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw) - 1), label="cut at")]
    elif kind == "append junk":
        raw += data.draw(st.binary(min_size=1, max_size=16), label="junk")
    elif kind == "bad magic":
        position = data.draw(st.sampled_from(sorted(BAD_MAGIC_BYTES)), label="magic byte")
        raw[position] = data.draw(st.sampled_from(list(BAD_MAGIC_BYTES[position])))
    content = gzip.compress(bytes(raw), mtime=0) if gzipped else bytes(raw)
    if kind == "cut gzip stream":
        compressed = gzip.compress(bytes(raw), mtime=0)
        content = compressed[: data.draw(st.integers(1, len(compressed) - 1), label="cut at")]
        gzipped = True
    path = folder / ("broken.idx.gz" if gzipped else "broken.idx")
    path.write_bytes(content)
    with pytest.raises(IDXError) as info:
        read_idx(path)
    assert str(path) in str(info.value)


@FAST
@given(
    content=st.one_of(
        st.binary(max_size=40),
        st.binary(max_size=40).map(lambda tail: b"\x1f\x8b\x08" + tail),  # gzip header, junk
        st.binary(max_size=12).map(lambda tail: bytes.fromhex("0000080100000002") + tail),
    ),
    gzipped=st.booleans(),
    flip=st.integers(0, 10**6),
)
def test_arbitrary_bytes_give_an_array_or_idx_error(tmp_path_factory, content, gzipped, flip):
    """Random bytes (and valid gzip files with one flipped byte) never escape as another
    exception type: either they happen to be a valid IDX file or IDXError names the path."""
    path = tmp_path_factory.mktemp("random") / ("x.idx.gz" if gzipped else "x.idx")
    if gzipped and flip % 2:
        compressed = bytearray(gzip.compress(VALID_LABELS, mtime=0))
        compressed[flip % len(compressed)] ^= 1 + flip % 255
        content = bytes(compressed)
    path.write_bytes(content)
    try:
        result = read_idx(path)
    except IDXError as exc:
        assert str(path) in str(exc)
    else:
        assert isinstance(result, np.ndarray) and result.size > 0


def test_write_idx_rejects_what_idx_cannot_store(tmp_path):
    with pytest.raises(IDXError, match="int64"):
        write_idx(tmp_path / "a.idx", np.zeros(3, dtype=np.int64))
    with pytest.raises(IDXError, match=r"shape \(\)"):
        write_idx(tmp_path / "a.idx", np.float32(1.0))
    with pytest.raises(IDXError, match=r"shape \(2, 0\)"):
        write_idx(tmp_path / "a.idx", np.zeros((2, 0), dtype=np.uint8))


# *** MNIST and Fashion-MNIST on disk ***


@pytest.fixture(scope="module")
def mnist_splits() -> dict[str, MNIST]:
    data_dir = mnist_data_dir()
    if data_dir is None:
        pytest.skip(
            "MNIST not found: set MINIGRAD_DATA to a folder containing mnist/ with the four "
            "IDX .gz files (or put them in ../shared/data/mnist beside the repository)"
        )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MINIGRAD_DATA", str(data_dir))
        patch.setattr(urllib.request, "urlopen", _no_network)
        return {"train": MNIST(train=True), "test": MNIST(train=False)}


@pytest.mark.parametrize("split, n", [("train", 60000), ("test", 10000)])
def test_mnist_shapes_dtypes_and_ranges(mnist_splits, split, n):
    dataset = mnist_splits[split]
    assert len(dataset) == n
    assert dataset.data.shape == (n, 28, 28) and dataset.data.dtype == np.float32
    assert dataset.data.min() == 0.0 and dataset.data.max() == 1.0
    assert dataset.targets.shape == (n,) and dataset.targets.dtype == np.int64
    assert set(np.unique(dataset.targets)) == set(range(10))
    image, label = dataset[3]
    assert image.shape == (28, 28) and image.dtype == np.float32
    assert label.item() == dataset.targets[3].item() and label.dtype == np.int64


def test_mnist_train_statistics(mnist_splits):
    data = mnist_splits["train"].data.numpy()
    assert float(data.mean(dtype=np.float64)) == pytest.approx(0.1307, abs=5e-4)
    assert float(data.std(dtype=np.float64)) == pytest.approx(0.3081, abs=5e-4)


def test_fashion_mnist_from_the_debian_package(fashion_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("MINIGRAD_DATA", str(tmp_path))  # nothing there: the package is used
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(urllib.request, "urlopen", _no_network)
    test = FashionMNIST(train=False)
    assert test.data.shape == (10000, 28, 28) and test.data.dtype == np.float32
    assert test.data.min() == 0.0 and test.data.max() == 1.0
    assert test.targets.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(test.targets), [1000] * 10)  # balanced classes
    # clothes, not digits: more than twice as bright on average as MNIST (0.13)
    assert float(test.data.mean(dtype=np.float64)) == pytest.approx(0.2868, abs=2e-3)


def _write_split(folder: Path, prefix: str, n: int, gzipped: bool = True, seed: int = 0):
    """A tiny MNIST-format split: n random 28x28 uint8 images and labels 0-9."""
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    suffix = ".gz" if gzipped else ""
    folder.mkdir(parents=True, exist_ok=True)
    write_idx(folder / f"{prefix}-images-idx3-ubyte{suffix}", images)
    write_idx(folder / f"{prefix}-labels-idx1-ubyte{suffix}", labels)
    return images, labels


@pytest.mark.parametrize("gzipped", [True, False])
def test_mnist_reads_gzipped_or_raw_files_from_root(tmp_path, gzipped):
    images, labels = _write_split(tmp_path, "t10k", 7, gzipped)
    dataset = MNIST(tmp_path, train=False, download=False)
    np.testing.assert_allclose(dataset.data, images / 255.0, rtol=1e-6)
    assert dataset.targets.tolist() == labels.tolist()


def test_mnist_checks_that_files_agree(tmp_path):
    _write_split(tmp_path, "train", 5)
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(4, dtype=np.uint8))
    with pytest.raises(IDXError, match="5 images but .* 4 labels"):
        MNIST(tmp_path, download=False)
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", np.zeros((4, 784), dtype=np.uint8))
    with pytest.raises(IDXError, match=r"expected uint8 images with 3 dimensions.*\(4, 784\)"):
        MNIST(tmp_path, download=False)


def test_files_found_on_disk_are_not_checksummed(isolated_dirs):
    _write_split(isolated_dirs["env"] / "mnist", "train", 3)  # wrong SHA-256 on purpose
    assert len(MNIST(train=True)) == 3


# *** downloading (never over the network) ***


def _no_network(url, *args, **kwargs):
    raise urllib.error.URLError(f"no network in tests ({url})")


@pytest.fixture
def isolated_dirs(tmp_path, monkeypatch) -> dict[str, Path]:
    """Empty root, $MINIGRAD_DATA, home (cache) and system dirs; the network is down."""
    dirs = {name: tmp_path / name for name in ("root", "env", "home", "system")}
    dirs["root"].mkdir()
    dirs["env"].mkdir()
    monkeypatch.setenv("MINIGRAD_DATA", str(dirs["env"]))
    monkeypatch.setenv("HOME", str(dirs["home"]))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(FashionMNIST, "system_dirs", (str(dirs["system"]),))
    monkeypatch.setattr(urllib.request, "urlopen", _no_network)
    dirs["cache"] = dirs["home"] / ".cache" / "minigrad"
    return dirs


def test_offline_mnist_error_says_what_is_missing_and_how_to_fix(isolated_dirs):
    with pytest.raises(DatasetNotFoundError) as info:
        MNIST(train=True)
    message = str(info.value)
    assert isinstance(info.value, FileNotFoundError)
    for expected in (
        "train-images-idx3-ubyte.gz",
        "train-labels-idx1-ubyte.gz",
        str(isolated_dirs["env"] / "mnist"),
        str(isolated_dirs["cache"] / "mnist"),
        "MINIGRAD_DATA=",
        "no network in tests (https://ossci-datasets.s3.amazonaws.com/mnist/",
        "no network in tests (https://storage.googleapis.com/cvdf-datasets/mnist/",
    ):
        assert expected in message
    assert "t10k" not in message
    # no partial downloads left behind, and no folder made for them
    assert list(isolated_dirs["env"].iterdir()) == []
    assert not isolated_dirs["home"].exists()


def test_root_is_the_only_folder_searched_when_given(isolated_dirs, tmp_path):
    _write_split(isolated_dirs["env"] / "mnist", "train", 6, seed=1)
    assert len(MNIST(train=True)) == 6
    assert MNIST(train=True).folder == isolated_dirs["env"] / "mnist"
    root = isolated_dirs["root"]
    with pytest.raises(DatasetNotFoundError) as info:
        MNIST(root, train=True)
    message = str(info.value)
    assert str(root) in message and "only root is searched" in message
    assert str(isolated_dirs["env"]) not in message
    assert list(root.iterdir()) == []
    missing = tmp_path / "not" / "there"
    with pytest.raises(DatasetNotFoundError):
        MNIST(missing, train=True)
    assert not (tmp_path / "not").exists()  # the failed download created no folders


def test_offline_fashion_mnist_error_mentions_the_debian_package(isolated_dirs):
    with pytest.raises(DatasetNotFoundError) as info:
        FashionMNIST(train=False)
    message = str(info.value)
    assert "t10k-images-idx3-ubyte.gz" in message and "t10k-labels-idx1-ubyte.gz" in message
    assert str(isolated_dirs["system"]) in message
    assert str(isolated_dirs["cache"] / "fashion-mnist") in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert "fashion-mnist/ subfolder" in message


def test_download_false_never_touches_the_network(isolated_dirs, monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("urlopen called with download=False")

    monkeypatch.setattr(urllib.request, "urlopen", fail)
    with pytest.raises(DatasetNotFoundError, match="download=False") as info:
        MNIST(isolated_dirs["root"], download=False)
    assert "has none of them" in str(info.value)
    assert not isolated_dirs["cache"].exists()


class FakeServer:
    """Serves ``files`` (name -> bytes) in place of urllib.request.urlopen, in small chunks.

    ``corrupt`` names URL prefixes whose files come back with a flipped byte; ``fail_after``
    makes every transfer die with an OSError after that many bytes.
    """

    def __init__(self, files, corrupt=(), fail_after=None, watch=None):
        self.files, self.corrupt, self.fail_after = files, corrupt, fail_after
        self.watch = watch  # a folder in which no final file may appear during a transfer
        self.requests: list[str] = []

    def urlopen(self, url, timeout=None):
        assert timeout is not None and timeout > 0
        self.requests.append(url)
        payload = bytearray(self.files[url.rsplit("/", 1)[1]])
        if url.startswith(self.corrupt):
            payload[len(payload) // 2] ^= 0xFF
        return FakeResponse(self, url, bytes(payload))


class FakeResponse(io.BytesIO):
    def __init__(self, server, url, payload):
        super().__init__(payload)
        self.server, self.url = server, url
        self.headers = {"Content-Length": str(len(payload))}

    def read(self, size=-1):
        watch, name = self.server.watch, self.url.rsplit("/", 1)[1]
        if watch is not None:
            assert not (watch / name).exists(), "final file visible before it was verified"
        if self.server.fail_after is not None and self.tell() >= self.server.fail_after:
            raise ConnectionResetError("connection reset by fake server")
        return super().read(min(size, 64) if size > 0 else 64)


@pytest.fixture
def tiny_mnist(tmp_path, monkeypatch) -> dict[str, bytes]:
    """Gzip'd IDX bytes of a 6-example split, with their SHA-256 patched into MNIST."""
    source = tmp_path / "source"
    _write_split(source, "train", 6, seed=1)
    files = {path.name: path.read_bytes() for path in source.iterdir()}
    checksums = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    monkeypatch.setattr(MNIST, "sha256", checksums)
    return files


def test_download_writes_verified_files_atomically(isolated_dirs, tiny_mnist, monkeypatch):
    cache = isolated_dirs["cache"] / "mnist"
    server = FakeServer(tiny_mnist, watch=cache)
    monkeypatch.setattr(urllib.request, "urlopen", server.urlopen)
    dataset = MNIST(train=True)
    assert len(dataset) == 6
    assert sorted(p.name for p in cache.iterdir()) == sorted(tiny_mnist)  # no .part files
    for name, data in tiny_mnist.items():
        assert (cache / name).read_bytes() == data
    assert [url.rsplit("/", 1)[1] for url in server.requests] == sorted(
        tiny_mnist, key=lambda name: "labels" in name
    )
    assert all(url.startswith(MNIST.mirrors[0]) for url in server.requests)
    monkeypatch.setattr(urllib.request, "urlopen", _no_network)
    assert MNIST(train=True).targets.tolist() == dataset.targets.tolist()  # from the cache


def test_download_goes_into_root_when_given(isolated_dirs, tiny_mnist, monkeypatch):
    monkeypatch.setattr(urllib.request, "urlopen", FakeServer(tiny_mnist).urlopen)
    MNIST(isolated_dirs["root"])
    assert sorted(p.name for p in isolated_dirs["root"].iterdir()) == sorted(tiny_mnist)
    assert not isolated_dirs["cache"].exists()


def test_a_corrupt_mirror_falls_back_to_the_next(isolated_dirs, tiny_mnist, monkeypatch):
    server = FakeServer(tiny_mnist, corrupt=MNIST.mirrors[0])
    monkeypatch.setattr(urllib.request, "urlopen", server.urlopen)
    assert len(MNIST(train=True)) == 6
    assert len(server.requests) == 4


def test_checksum_mismatch_leaves_no_file_and_says_so(isolated_dirs, tiny_mnist, monkeypatch):
    server = FakeServer(tiny_mnist, corrupt=MNIST.mirrors)
    monkeypatch.setattr(urllib.request, "urlopen", server.urlopen)
    with pytest.raises(DatasetNotFoundError, match="SHA-256 mismatch") as info:
        MNIST(train=True)
    assert MNIST.sha256["train-images-idx3-ubyte.gz"] in str(info.value)
    assert not isolated_dirs["cache"].exists()


def test_failed_download_keeps_existing_files(isolated_dirs, tiny_mnist, monkeypatch):
    cache = isolated_dirs["cache"] / "mnist"
    cache.mkdir(parents=True)
    existing = cache / "train-images-idx3-ubyte.gz"
    existing.write_bytes(b"already here")
    server = FakeServer(tiny_mnist, fail_after=10)
    monkeypatch.setattr(urllib.request, "urlopen", server.urlopen)
    with pytest.raises(DatasetNotFoundError, match="connection reset") as info:
        MNIST(train=True)
    assert "has only train-images-idx3-ubyte" in str(info.value)
    assert [url.rsplit("/", 1)[1] for url in server.requests] == ["train-labels-idx1-ubyte.gz"] * 2
    assert existing.read_bytes() == b"already here"
    assert [p.name for p in cache.iterdir()] == [existing.name]


# *** Dataset, TensorDataset, DataLoader ***


def _ids(batch) -> list[int]:
    return batch[0].numpy().tolist()


class PerExampleDataset(Dataset):
    """Same examples as a TensorDataset, but only through __getitem__ (the slow path)."""

    def __init__(self, *arrays):
        self.arrays = arrays

    def __getitem__(self, index):
        return tuple(a[index] for a in self.arrays)

    def __len__(self):
        return len(self.arrays[0])


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 50),
    batch_size=st.integers(1, 20),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_each_example_once_per_epoch(n, batch_size, shuffle, drop_last, seed):
    ids = np.arange(n, dtype=np.int64)
    loader = DataLoader(TensorDataset(ids), batch_size, shuffle, drop_last=drop_last, seed=seed)
    for _ in range(2):
        batches = [_ids(batch) for batch in loader]
        expected_batches = n // batch_size if drop_last else -(-n // batch_size)
        assert len(batches) == len(loader) == expected_batches
        assert all(len(b) == batch_size for b in batches[: n // batch_size])
        seen = [i for b in batches for i in b]
        assert len(seen) == len(set(seen))
        if drop_last:
            assert len(seen) == n - n % batch_size
        else:
            assert sorted(seen) == list(range(n))
        if not shuffle:
            assert seen == list(range(len(seen)))


def test_seeded_shuffle_is_reproducible_and_changes_every_epoch():
    dataset = TensorDataset(np.arange(100))
    first, second = (
        DataLoader(dataset, 10, shuffle=True, seed=7),
        DataLoader(dataset, 10, shuffle=True, seed=7),
    )
    epochs_a = [[_ids(b) for b in first] for _ in range(3)]
    epochs_b = [[_ids(b) for b in second] for _ in range(3)]
    assert epochs_a == epochs_b
    assert epochs_a[0] != epochs_a[1] != epochs_a[2]
    other = [_ids(b) for b in DataLoader(dataset, 10, shuffle=True, seed=8)]
    assert other != epochs_a[0]


def test_batches_are_tensors_with_dtypes_kept():
    from minigrad.tensor import Tensor

    images = np.random.default_rng(0).random((10, 28, 28), dtype=np.float32)
    labels = np.arange(10, dtype=np.int64)
    x, y = next(iter(DataLoader(TensorDataset(images, labels), batch_size=4)))
    assert isinstance(x, Tensor) and isinstance(y, Tensor)
    assert x.shape == (4, 28, 28) and x.dtype == np.float32
    assert y.shape == (4,) and y.dtype == np.int64
    np.testing.assert_array_equal(x.numpy(), images[:4])


def test_per_example_path_matches_whole_array_path():
    images = np.random.default_rng(1).random((23, 3, 2), dtype=np.float32)
    labels = np.arange(23, dtype=np.int64)
    fast = DataLoader(TensorDataset(images, labels), 5, shuffle=True, seed=3)
    slow = DataLoader(PerExampleDataset(images, labels), 5, shuffle=True, seed=3)
    for (fx, fy), (sx, sy) in zip(fast, slow, strict=True):
        np.testing.assert_array_equal(fx.numpy(), sx.numpy())
        assert fy.numpy().tolist() == sy.numpy().tolist() and sy.dtype == np.int64


def test_whole_arrays_are_sliced_without_per_example_calls(monkeypatch):
    dataset = TensorDataset(np.arange(10), np.arange(10) * 2)

    def per_example(self, index):
        raise AssertionError("DataLoader called __getitem__ on a TensorDataset")

    monkeypatch.setattr(TensorDataset, "__getitem__", per_example)
    batches = [(x.numpy().tolist(), y.numpy().tolist()) for x, y in DataLoader(dataset, 4)]
    assert batches[-1] == ([8, 9], [16, 18])


# *** Subset and random_split ***
def test_subset_picks_examples_in_the_given_order():
    base = TensorDataset(np.arange(10) * 10, np.arange(10))
    subset = Subset(Subset(base, [9, 2, 5, 7]), [3, 0, 1])
    assert len(subset) == 3
    assert [int(subset[i][0]) for i in range(3)] == [70, 90, 20]


@given(st.lists(st.integers(0, 19), max_size=30), st.integers(1, 7), st.booleans())
def test_subset_batches_match_per_example_loading(indices, batch_size, nested):
    images = np.arange(20 * 3, dtype=np.float32).reshape(20, 3)
    labels = np.arange(20, dtype=np.int64)
    fast, slow = Subset(TensorDataset(images, labels), indices), Subset(
        PerExampleDataset(images, labels), indices)
    if nested:  # a Subset of a Subset: every other example, reversed
        fast, slow = (Subset(d, list(range(len(indices)))[::-2]) for d in (fast, slow))
    got = [(x.numpy(), y.numpy()) for x, y in DataLoader(fast, batch_size)]
    want = [(x.numpy(), y.numpy()) for x, y in DataLoader(slow, batch_size)]
    assert len(got) == len(want)
    for (gx, gy), (wx, wy) in zip(got, want, strict=True):
        np.testing.assert_array_equal(gx, wx)
        np.testing.assert_array_equal(gy, wy)


def test_subset_of_whole_arrays_is_cut_without_per_example_calls(monkeypatch):
    dataset = Subset(TensorDataset(np.arange(10)), [8, 1, 4])

    def per_example(self, index):
        raise AssertionError("DataLoader went example by example through a Subset")

    monkeypatch.setattr(Subset, "__getitem__", per_example)
    assert [x.numpy().tolist() for (x,) in DataLoader(dataset, 2)] == [[8, 1], [4]]


@pytest.mark.parametrize(("indices", "error", "text"), [
    ([0, 10], IndexError, r"indices \[10\] are outside the dataset's range -10..9"),
    ([-11], IndexError, r"indices \[-11\]"),  # -1 is the last, as torch indexes
    ([0.5], TypeError, "1-D sequence of ints, got float64"),
    ([[0, 1]], TypeError, r"shape \(1, 2\)"),
])
def test_subset_rejects_bad_indices(indices, error, text):
    with pytest.raises(error, match=text):
        Subset(TensorDataset(np.arange(10)), indices)


@pytest.mark.parametrize(("lengths", "sizes"), [
    ([7, 3], [7, 3]), ([0, 10], [0, 10]), ([0.5, 0.5], [5, 5]), ([0.34, 0.33, 0.33], [4, 3, 3]),
    ([0.25, 0.25, 0.25, 0.25], [3, 3, 2, 2]),
])
def test_random_split_sizes_cover_the_dataset_once(lengths, sizes):
    parts = random_split(TensorDataset(np.arange(10)), lengths, seed=0)
    assert [len(p) for p in parts] == sizes
    seen = sorted(int(p[i][0]) for p in parts for i in range(len(p)))
    assert seen == list(range(10))


def test_random_split_follows_its_seed():
    dataset = TensorDataset(np.arange(50))

    def split(seed):
        return [list(p.indices) for p in random_split(dataset, [30, 20], seed=seed)]

    assert split(3) == split(3) and split(3) != split(4)


def test_random_split_indices_are_a_list_as_in_pytorch(torch):
    """Subset.indices from random_split is a list of ints (PyTorch's), and a loader over the
    Subset batches the examples at those indices, also after they are replaced."""
    data = TensorDataset(np.arange(10.0))
    parts = random_split(data, [6, 4], seed=0)
    assert all(type(p.indices) is list and type(p.indices[0]) is int for p in parts)
    assert type(torch.utils.data.random_split(range(10), [6, 4])[0].indices) is list
    assert sorted(parts[0].indices + parts[1].indices) == list(range(10))
    batch = next(iter(DataLoader(parts[1], batch_size=4)))[0]
    assert batch.tolist() == [float(i) for i in parts[1].indices]
    parts[1].indices = [9, 0]
    assert next(iter(DataLoader(parts[1], batch_size=4)))[0].tolist() == [9.0, 0.0]


@pytest.mark.parametrize(("lengths", "text"), [
    ([6, 3], "sum to 9, but the dataset has 10 examples"),
    ([11, -1], "ints >= 0"),
    ([0.5, 0.4], "fractions must lie in"),
    ([1.5, -0.5], "fractions must lie in"),
])
def test_random_split_rejects_bad_lengths(lengths, text):
    with pytest.raises(ValueError, match=text):
        random_split(TensorDataset(np.arange(10)), lengths)


def test_bare_examples_give_bare_tensors():
    class Squares(Dataset):
        def __getitem__(self, i):
            return np.array([i * i], dtype=np.float32)

        def __len__(self):
            return 5

    batches = list(DataLoader(Squares(), batch_size=2))
    assert [b.shape for b in batches] == [(2, 1), (2, 1), (1, 1)]
    assert batches[1].numpy().ravel().tolist() == [4.0, 9.0]


def test_tensor_dataset_accepts_tensors_and_checks_lengths():
    from minigrad.tensor import Tensor

    dataset = TensorDataset(Tensor(np.arange(3.0, dtype=np.float32)), np.arange(3))
    assert len(dataset) == 3 and dataset[2][0] == 2.0
    with pytest.raises(ValueError, match=r"lengths \[3, 4\]"):
        TensorDataset(np.zeros(3), np.zeros((4, 2)))
    with pytest.raises(ValueError, match="at least one"):
        TensorDataset()


@pytest.mark.parametrize(
    "kwargs, error, text",
    [
        ({"batch_size": 0}, ValueError, "batch_size must be a positive int, got 0"),
        ({"batch_size": -3}, ValueError, "got -3"),
        ({"batch_size": 2.5}, ValueError, "got 2.5"),  # as torch
        ({"batch_size": True}, ValueError, "got True"),
        ({"shuffle": "yes"}, TypeError, "shuffle must be a bool"),
        ({"drop_last": 1}, TypeError, "drop_last must be a bool"),
        ({"seed": 1.5}, TypeError, "seed must be an int or None"),
    ],
)
def test_dataloader_rejects_bad_arguments(kwargs, error, text):
    with pytest.raises(error, match=text):
        DataLoader(TensorDataset(np.arange(4)), **kwargs)


def test_dataloader_rejects_non_datasets():
    with pytest.raises(TypeError, match="must have __getitem__ and __len__, got int"):
        DataLoader(5)


# *** synthetic datasets ***


SYNTHETIC = {
    "xor": (lambda seed: xor(40, seed=seed), (40, 2), np.int64),
    "spiral": (lambda seed: spiral(30, 4, seed=seed), (120, 2), np.int64),
    "moons": (lambda seed: moons(51, seed=seed), (51, 2), np.int64),
    "sine": (lambda seed: sine(25, noise=0.1, seed=seed), (25, 1), np.float32),
}


@pytest.mark.parametrize("name", SYNTHETIC)
def test_synthetic_shapes_dtypes_and_determinism(name):
    make, x_shape, y_dtype = SYNTHETIC[name]
    X, y = make(0)
    assert X.shape == x_shape and X.dtype == np.float32
    assert y.dtype == y_dtype and len(y) == len(X)
    X_again, y_again = make(0)
    np.testing.assert_array_equal(X, X_again)
    np.testing.assert_array_equal(y, y_again)
    assert not np.array_equal(X, make(1)[0])


def test_xor_exact_points_and_noisy_labels():
    X, y = xor()
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and y.tolist() == [0, 1, 1, 0]
    X, y = xor(200, noise=0.05, seed=3)
    corners = np.rint(X).astype(np.int64)
    assert (y == corners[:, 0] ^ corners[:, 1]).all() and 0 < y.mean() < 1


def test_spiral_is_balanced_and_bounded():
    X, y = spiral(n_per_class=50, n_classes=3)
    assert np.bincount(y).tolist() == [50, 50, 50]
    assert np.abs(X).max() <= 1.0


def test_moons_without_noise_lie_on_their_circles():
    X, y = moons(31, noise=0.0)
    assert np.bincount(y).tolist() == [16, 15]
    upper, lower = X[y == 0], X[y == 1]
    np.testing.assert_allclose(np.hypot(*upper.T), 1.0, rtol=1e-6)
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, rtol=1e-6)


def test_sine_without_noise_is_the_sine():
    X, y = sine(50, low=-1.0, high=2.0)
    assert y.shape == (50, 1) and y.dtype == np.float32
    assert X.min() >= -1.0 and X.max() < 2.0 and (np.diff(X[:, 0]) >= 0).all()
    np.testing.assert_allclose(y, np.sin(X), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(
    "call, text",
    [
        (lambda: xor(0), "xor: n must be a positive int, got 0"),
        (lambda: spiral(10, n_classes=0), "spiral: n_classes"),
        (lambda: moons(10, noise=-0.1), "moons: noise must be >= 0"),
        (lambda: sine(10, low=1.0, high=1.0), "low must be < high"),
    ],
)
def test_synthetic_arguments_are_checked(call, text):
    with pytest.raises(ValueError, match=text):
        call()


# *** samplers, collation and dataset kinds, next to torch.utils.data ***
def test_default_collate_matches_pytorch(torch):
    import collections

    from minigrad.data import default_collate

    Pair = collections.namedtuple("Pair", "a b")
    batches = [[(1, 2.0, True), (3, 4.0, False)],
               [{"x": np.float32(1), "s": "a"}, {"x": np.float32(2), "s": "b"}],
               [Pair(np.ones(2), 1), Pair(np.zeros(2), 2)],
               [np.arange(3), np.arange(3) * 2]]
    for batch in batches:
        ours = default_collate(batch)
        theirs = torch.utils.data.default_collate(batch)
        flat_ours = ours.values() if isinstance(ours, dict) else (
            [ours] if isinstance(ours, mg.Tensor) else ours)
        flat_theirs = theirs.values() if isinstance(theirs, dict) else (
            [theirs] if isinstance(theirs, torch.Tensor) else theirs)
        assert type(ours).__name__ == type(theirs).__name__
        for o, t in zip(flat_ours, flat_theirs, strict=True):
            if isinstance(t, torch.Tensor):
                assert o.dtype == t.numpy().dtype
                np.testing.assert_array_equal(o.numpy(), t.numpy())
            else:
                assert o == t
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([(1, 2), (3,)])


def test_samplers_and_loader_options_as_in_pytorch():
    from minigrad.data import (
        BatchSampler,
        ConcatDataset,
        IterableDataset,
        RandomSampler,
        SequentialSampler,
        StackDataset,
        SubsetRandomSampler,
        WeightedRandomSampler,
    )

    g = mg.Generator().manual_seed(0)
    assert sorted(RandomSampler(range(6), generator=g)) == list(range(6))
    assert len(list(RandomSampler(range(3), num_samples=7, generator=g))) == 7
    assert sorted(set(RandomSampler(range(3), num_samples=9, generator=g))) == [0, 1, 2]
    assert sorted(SubsetRandomSampler([5, 7, 9], generator=g)) == [5, 7, 9]
    assert set(WeightedRandomSampler([0.0, 1.0, 0.0], 5, generator=g)) == {1}
    assert sorted(WeightedRandomSampler([1, 1, 1], 3, replacement=False, generator=g)) == [0, 1, 2]
    assert list(BatchSampler(SequentialSampler(range(5)), 2, drop_last=True)) == [[0, 1], [2, 3]]
    data = TensorDataset(np.arange(6.0))
    by_sampler = DataLoader(data, batch_size=4, sampler=SubsetRandomSampler([0, 2, 4]))
    assert sorted(by_sampler.__iter__().__next__()[0].tolist()) == [0.0, 2.0, 4.0]
    assert [b[0].tolist() for b in DataLoader(data, batch_sampler=[[5, 0], [1]])] == [
        [5.0, 0.0], [1.0]]
    assert [x[0].item() for x in DataLoader(data, batch_size=None)][:2] == [0.0, 1.0]
    both = ConcatDataset([data, TensorDataset(np.arange(10.0, 12.0))])
    assert len(both) == 8 and both[6][0].item() == 10.0 and both[-1][0].item() == 11.0
    stacked = StackDataset(a=data, b=data)
    assert stacked[2]["b"][0].item() == 2.0

    class Stream(IterableDataset):
        def __iter__(self):
            return iter(range(5))

    assert [b.tolist() for b in DataLoader(Stream(), batch_size=2, drop_last=True)] == [
        [0, 1], [2, 3]]
    for kwargs, text in (({"sampler": [0], "shuffle": True}, "mutually exclusive with shuffle"),
                         ({"batch_sampler": [[0]], "batch_size": 2}, "batch_sampler option"),
                         ({"batch_size": None, "drop_last": True}, "disables auto-batching")):
        with pytest.raises(ValueError, match=text):
            DataLoader(data, **kwargs)
    with pytest.raises(ValueError, match="IterableDataset"):
        DataLoader(Stream(), shuffle=True)
    with pytest.raises(ValueError, match="num_samples should be a positive integer"):
        WeightedRandomSampler([1.0], 0)
