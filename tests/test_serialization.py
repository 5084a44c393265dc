"""Tests for minigrad.save / minigrad.load: round trips, atomic writes, refusing pickles and
corrupted files."""

from __future__ import annotations

import io
import math
import os
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
from minigrad import serialization
from minigrad.optim import SGD, Adam
from minigrad.optim.lr_scheduler import StepLR
from minigrad.serialization import STRUCTURE, load, save

# tmp_path is shared by a test's hypothesis examples; every example overwrites the one file
TMP_OK = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
DTYPES = [np.float16, np.float32, np.float64, np.complex128, np.int8, np.int32, np.int64,
          np.uint8, np.bool_, np.dtype(">i4"), np.dtype("<U3")]
arrays = hnp.arrays(st.sampled_from(DTYPES), hnp.array_shapes(min_dims=0, max_dims=3, min_side=0,
                                                              max_side=4))
keys = st.one_of(st.text(max_size=12), st.integers(-5, 2**40))
plain = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(),
                  st.text(max_size=8))
numpy_scalars = st.sampled_from([np.float32(1.5), np.int64(-3), np.bool_(True), np.float64(2)])
nested = st.recursive(
    st.one_of(plain, arrays, numpy_scalars),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.lists(inner, max_size=3).map(tuple),
                            st.dictionaries(keys, inner, max_size=3)),
    max_leaves=12,
)


def assert_same(a: object, b: object) -> None:
    """Equal values of the same types, all the way down (NaN equals NaN)."""
    assert type(a) is type(b), (a, b)
    if isinstance(a, dict):
        assert list(a) == list(b)  # the same keys, of the same types, in the same order
        assert [type(k) for k in a] == [type(k) for k in b]
        for key in a:
            assert_same(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            assert_same(x, y)
    elif isinstance(a, (np.ndarray, np.generic)):
        assert a.dtype == b.dtype and a.shape == b.shape
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b


# *** round trips ***
@TMP_OK
@given(state=st.dictionaries(st.text(max_size=20), arrays, max_size=6))
def test_model_state_round_trip(tmp_path: Path, state: dict) -> None:
    save(state, tmp_path / "model.npz")
    assert_same(load(tmp_path / "model.npz"), state)


@TMP_OK
@given(obj=nested)
def test_nested_round_trip(tmp_path: Path, obj: object) -> None:
    save(obj, str(tmp_path / "anything.bin"))
    assert_same(load(str(tmp_path / "anything.bin")), obj)


def test_tensors_come_back_as_tensors(tmp_path: Path) -> None:
    """As torch.load: values, dtype and requires_grad; arrays stay arrays."""
    w = mg.Tensor(np.arange(6, dtype=np.float32).reshape(2, 3), requires_grad=True)
    save({"w": w, "b": mg.zeros(3, dtype=np.float64), "a": np.ones(2)}, tmp_path / "m.npz")
    loaded = load(tmp_path / "m.npz")
    assert isinstance(loaded["w"], mg.Tensor) and isinstance(loaded["b"], mg.Tensor)
    assert loaded["w"].requires_grad and not loaded["b"].requires_grad
    assert loaded["w"].dtype == np.float32 and loaded["b"].dtype == np.float64
    np.testing.assert_array_equal(loaded["w"].array, w.array)
    assert_same(loaded["a"], np.ones(2))


@pytest.mark.parametrize("name", ["x-file", "mlp.params", "mydict"])
def test_any_file_name_as_torch_save(tmp_path: Path, name: str) -> None:
    x = mg.arange(4)
    save([x, {"y": mg.zeros(4)}], tmp_path / name)
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
    x2, d = load(tmp_path / name)
    assert x2.dtype == np.int64 and x2.tolist() == [0, 1, 2, 3]
    assert d["y"].tolist() == [0.0] * 4


def test_the_file_is_a_plain_npz(tmp_path: Path) -> None:
    save({"w": np.ones(2), "step": 3}, tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz", allow_pickle=False) as npz:
        assert sorted(npz.files) == [STRUCTURE, "arr_0"]
        np.testing.assert_array_equal(npz["arr_0"], np.ones(2))


def test_checkpoint_resumes_training(tmp_path: Path) -> None:
    """Model, optimizer and scheduler state through a file give the uninterrupted trajectory."""
    rng = np.random.default_rng(0)
    start = {"w": rng.standard_normal((3, 2)).astype(np.float32), "b": np.zeros(2, np.float32)}
    grads = [{k: rng.standard_normal(v.shape).astype(np.float32) for k, v in start.items()}
             for _ in range(8)]

    def fresh(values: dict) -> tuple[dict, Adam, StepLR]:
        params = {k: mg.Tensor(v, requires_grad=True) for k, v in values.items()}
        optimizer = Adam(list(params.values()), lr=0.1, weight_decay=0.01)
        return params, optimizer, StepLR(optimizer, step_size=2, gamma=0.5)

    def train(params: dict, optimizer: Adam, scheduler: StepLR, steps: list) -> None:
        for step in steps:
            for k, p in params.items():
                p.grad = mg.Tensor(step[k])
            optimizer.step()
            scheduler.step()

    uninterrupted = fresh(start)
    train(*uninterrupted, grads)
    first = fresh(start)
    train(*first, grads[:3])
    params, optimizer, scheduler = first
    save({"model": params, "optimizer": optimizer.state_dict(),
          "scheduler": scheduler.state_dict(), "epoch": 3}, tmp_path / "ckpt.npz")

    checkpoint = load(tmp_path / "ckpt.npz")
    assert checkpoint["epoch"] == 3
    params, optimizer, scheduler = resumed = fresh(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    scheduler.load_state_dict(checkpoint["scheduler"])
    train(*resumed, grads[3:])
    for k, p in uninterrupted[0].items():
        np.testing.assert_array_equal(params[k].array, p.array)
    assert scheduler.get_last_lr() == uninterrupted[2].get_last_lr()


def test_optimizer_state_round_trip(tmp_path: Path) -> None:
    a, b = mg.Tensor([1.0, 2.0], requires_grad=True), mg.Tensor([[3.0]], requires_grad=True)
    optimizer = SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1, momentum=0.9)
    a.grad, b.grad = mg.Tensor([1.0, -1.0]), mg.Tensor([[2.0]])
    optimizer.step()
    state = optimizer.state_dict()
    save(state, tmp_path / "opt.npz")
    assert_same(load(tmp_path / "opt.npz"), state)


# *** errors when saving ***
@pytest.mark.parametrize(("obj", "message"), [
    ({"model": {"w": {1, 2}}}, r"cannot save obj\['model'\]\['w'\] of type set"),
    ({"layers": [np.ones(2), object()]}, r"obj\['layers'\]\[1\] of type object"),
    ({"w": np.array([None, 1], dtype=object)}, r"obj\['w'\] is an object array"),
    ({"a": {2.5: np.ones(1)}}, r"obj\['a'\] has a key 2.5 of type float"),
    ({("a", 1): 1}, r"obj has a key \('a', 1\) of type tuple"),
])
def test_unsupported_values_are_refused(tmp_path: Path, obj: object, message: str) -> None:
    target = tmp_path / "ckpt.npz"
    target.write_bytes(b"previous")
    with pytest.raises(TypeError, match=message):
        save(obj, target)
    assert target.read_bytes() == b"previous"
    assert os.listdir(tmp_path) == ["ckpt.npz"]


def test_saved_file_permissions_follow_the_umask(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        save({"w": np.ones(1)}, tmp_path / "ckpt.npz")
    finally:
        os.umask(umask)
    assert (tmp_path / "ckpt.npz").stat().st_mode & 0o777 == 0o644


def test_save_into_a_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no folder"):
        save({"w": np.ones(1)}, tmp_path / "missing" / "ckpt.npz")


# *** atomic writes ***
def failing_savez(file, *args, **kwargs) -> None:
    file.write(b"PK\x03\x04 half a zip")
    raise OSError("disk full")


def failing_replace(src, dst) -> None:
    raise OSError("rename failed")


def interrupted_fsync(fd) -> None:
    raise KeyboardInterrupt


@pytest.mark.parametrize(("target", "patch", "error"), [
    ("np.savez", failing_savez, OSError),
    ("os.replace", failing_replace, OSError),
    ("os.fsync", interrupted_fsync, KeyboardInterrupt),
])
def test_failed_save_keeps_the_previous_file(tmp_path: Path, monkeypatch, target: str, patch,
                                             error: type) -> None:
    path = tmp_path / "ckpt.npz"
    save({"w": np.arange(4.0), "epoch": 1}, path)
    before = path.read_bytes()
    module, name = target.split(".")
    monkeypatch.setattr(getattr(serialization, module), name, patch)
    with pytest.raises(error):
        save({"w": np.zeros(1000), "epoch": 2}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.npz"]
    assert_same(load(path), {"w": np.arange(4.0), "epoch": 1})


def test_failed_first_save_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(serialization.np, "savez", failing_savez)
    with pytest.raises(OSError, match="disk full"):
        save({"w": np.ones(3)}, tmp_path / "ckpt.npz")
    assert os.listdir(tmp_path) == []


# *** refusing pickles ***
UNPICKLED = []


def record(event: str) -> None:
    UNPICKLED.append(event)


class Payload:
    """Unpickling it calls record(): code that loading must never run."""

    def __reduce__(self):
        return record, ("unpickled!",)


def test_pickled_object_array_is_refused_without_unpickling(tmp_path: Path) -> None:
    path = tmp_path / "evil.npz"
    structure = np.frombuffer(b'{"dict": [["w", {"array": "arr_0"}]]}', dtype=np.uint8)
    np.savez(path, np.array([Payload()], dtype=object), allow_pickle=True,
             **{STRUCTURE: structure})
    UNPICKLED.clear()
    with pytest.raises(ValueError, match=re.escape(str(path)) + ".*object array"):
        load(path)
    assert UNPICKLED == []
    with np.load(path, allow_pickle=True) as npz:  # the check is real: pickle would run it
        npz["arr_0"]
    assert UNPICKLED == ["unpickled!"]


def test_pickle_file_is_refused(tmp_path: Path) -> None:
    import pickle

    path = tmp_path / "evil.npz"
    path.write_bytes(pickle.dumps(Payload()))
    UNPICKLED.clear()
    with pytest.raises(ValueError, match="not an .npz file"):
        load(path)
    assert UNPICKLED == []


# *** missing and corrupted files ***
def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such file .*nothing.npz"):
        load(tmp_path / "nothing.npz")


def saved_bytes() -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, np.arange(10.0), np.ones((2, 2), np.float32),
             **{STRUCTURE: np.frombuffer(b'{"list": [{"array": "arr_0"}, {"array": "arr_1"}]}',
                                         dtype=np.uint8)})
    return buffer.getvalue()


@TMP_OK
@given(st.data())
def test_truncated_file_names_the_path(tmp_path: Path, data) -> None:
    content = saved_bytes()
    length = data.draw(st.integers(0, len(content) - 1))
    path = tmp_path / "truncated.npz"
    path.write_bytes(content[:length])
    with pytest.raises(ValueError, match="truncated.npz"):
        load(path)


@TMP_OK
@given(st.data())
def test_corrupted_byte_gives_the_data_or_a_clear_error(tmp_path: Path, data) -> None:
    """A changed byte is caught (CRC, zip or npy structure), or lies where it changes nothing
    that is read (timestamps, for instance)."""
    content = bytearray(saved_bytes())
    position = data.draw(st.integers(0, len(content) - 1))
    content[position] ^= data.draw(st.integers(1, 255))
    path = tmp_path / "corrupted.npz"
    path.write_bytes(bytes(content))
    try:
        loaded = load(path)
    except ValueError as e:
        assert "corrupted.npz" in str(e)
    else:
        assert_same(loaded, [np.arange(10.0), np.ones((2, 2), np.float32)])


@pytest.mark.parametrize(("content", "message"), [
    (b"", "not an .npz file"),
    (b"hello, world", "not an .npz file"),
    (None, f"no '{STRUCTURE}' entry"),
    ("npy", "not an .npz file"),
    ("bad json", "corrupted or was not written by minigrad.save .JSONDecodeError"),
    ("bad structure", "corrupted or was not written by minigrad.save .KeyError: 'arr_7'"),
])
def test_not_a_minigrad_file(tmp_path: Path, content: bytes | str | None,
                             message: str) -> None:
    path = tmp_path / "other.npz"
    if content is None:
        np.savez(path, np.ones(2))
    elif content == "npy":
        with open(path, "wb") as f:
            np.save(f, np.ones(2))
    elif content in ("bad json", "bad structure"):
        text = b"{not json" if content == "bad json" else b'{"array": "arr_7"}'
        np.savez(path, **{STRUCTURE: np.frombuffer(text, dtype=np.uint8)})
    else:
        path.write_bytes(content)
    with pytest.raises(ValueError, match=re.escape(str(path)) + ".*" + message):
        load(path)


def test_zip_without_npy_entries(tmp_path: Path) -> None:
    path = tmp_path / "plain.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "not arrays")
    with pytest.raises(ValueError, match="plain.zip"):
        load(path)


def test_exported_at_top_level() -> None:
    assert mg.save is save and mg.load is load


def test_file_objects_and_torch_load_arguments(tmp_path: Path) -> None:
    state = {"w": mg.arange(6.0).reshape(2, 3), "step": 3}
    buffer = io.BytesIO()
    save(state, buffer)  # a file object, as torch.save(obj, io.BytesIO()) takes
    for kwargs in ({}, {"map_location": "cpu"},
                   {"map_location": mg.device("cpu")}, {"map_location": {"cuda:0": "cpu"}},
                   {"map_location": lambda storage, loc: storage}, {"weights_only": True},
                   {"weights_only": False, "mmap": True}):
        buffer.seek(0)
        loaded = load(buffer, **kwargs)
        np.testing.assert_array_equal(loaded["w"].numpy(), state["w"].numpy())
        assert loaded["step"] == 3
    save(state, tmp_path / "model.pth")
    assert load(tmp_path / "model.pth", "cpu", weights_only=True)["step"] == 3
    with pytest.raises(RuntimeError, match="minigrad computes on the CPU"):
        load(tmp_path / "model.pth", map_location="cuda:0")
    with pytest.raises(ValueError, match="pickle_module must be None"):
        load(tmp_path / "model.pth", pickle_module=object())
