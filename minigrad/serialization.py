"""save / load: state dicts (nested dicts, lists and tuples of tensors, arrays and numbers) as
.npz files, under any file name, as torch.save / torch.load.

Arrays are stored as the npz entries arr_0, arr_1, ...; the nesting, the keys and the plain
numbers live in a JSON description stored as one more entry. No pickle: loading never runs code.
Tensors come back as Tensors (with their requires_grad) and numpy arrays as numpy arrays.
"""

from __future__ import annotations

import json
import os
import uuid
import zipfile
from typing import Any

import numpy as np

from minigrad.device import as_device
from minigrad.tensor import Tensor

STRUCTURE = "__minigrad_structure__"
_PLAIN = (type(None), bool, int, float, str)
PathLike = str | os.PathLike


def _path(path: Any, what: str) -> str:
    """path as a str, or a TypeError naming what was given instead."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{what}: expected a file name (str or os.PathLike) or a binary file "
                        f"object, got {type(path).__name__}")
    path = os.fspath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"{what}: {path!r} is a directory, not a file")
    return path


def _is_file(f: Any) -> bool:
    """A file object (io.BytesIO, open(..., "wb")) rather than a path."""
    return not isinstance(f, (str, os.PathLike)) and (hasattr(f, "write") or hasattr(f, "read"))


def save(obj: Any, path: PathLike | Any, pickle_module: Any = None,
         pickle_protocol: Any = None) -> None:
    """Write obj to path as an .npz, atomically: a crash or error mid-write leaves any previous
    file at path as it was. Tensors are saved as their numpy data. path may also be a binary
    file object (io.BytesIO), written from its current position. The pickle arguments of
    torch.save are accepted and have nothing to do: nothing is pickled."""
    arrays: list[np.ndarray] = []
    structure = _describe(obj, arrays, "obj")
    encoded = np.frombuffer(json.dumps(structure).encode(), dtype=np.uint8)
    if _is_file(path):
        np.savez(path, *arrays, allow_pickle=False, **{STRUCTURE: encoded})
        return
    path = _path(path, "save")
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"save: cannot write {path!r}: no folder {folder!r}")
    tmp = f"{path}.{uuid.uuid4().hex[:12]}.tmp"
    f = open(tmp, "xb")  # "x": never someone else's file; unlike mkstemp, honours the umask
    try:
        with f:
            np.savez(f, *arrays, allow_pickle=False, **{STRUCTURE: encoded})
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.remove(tmp)
        raise


def load(path: PathLike | Any, map_location: Any = None, pickle_module: Any = None, *,
         weights_only: bool | None = None, mmap: bool | None = None) -> Any:
    """Read what `save` wrote, from a path or a binary file object. Object (pickled) arrays
    are refused, so loading runs no code, whatever weights_only says. map_location may name
    the CPU (a device, a string, or a dict or function of torch.load's kinds that maps to it);
    pickle_module must be None (nothing is unpickled); mmap is accepted and reads into memory."""
    _check_map_location(map_location)
    if pickle_module is not None:
        raise ValueError("load: pickle_module must be None: minigrad's files hold no pickled "
                         "objects")
    if _is_file(path):
        start = path.tell()
        is_zip = zipfile.is_zipfile(path)
        path.seek(start)
    else:
        path = _path(path, "load")
        try:
            with open(path, "rb") as f:
                is_zip = zipfile.is_zipfile(f)
        except FileNotFoundError:
            raise FileNotFoundError(f"load: no such file {path!r}") from None
    if not is_zip:
        raise ValueError(f"load: {path!r} is not an .npz file (no zip archive found: "
                         "truncated, corrupted or another format)")
    try:
        with np.load(path, allow_pickle=False) as npz:
            if STRUCTURE not in npz.files:
                raise KeyError(f"it has no {STRUCTURE!r} entry")
            arrays = {name: npz[name] for name in npz.files}
        structure = json.loads(arrays.pop(STRUCTURE).tobytes().decode())
        return _rebuild(structure, arrays)
    except Exception as e:  # zipfile, numpy and json raise a dozen types for a damaged file
        if isinstance(e, ValueError) and "allow_pickle" in str(e):
            raise ValueError(f"load: {path!r} holds an object array (pickled Python objects); "
                             "refusing to unpickle it, as that could run code") from e
        raise ValueError(f"load: {path!r} is corrupted or was not written by minigrad.save "
                         f"({type(e).__name__}: {e})") from e


def _check_map_location(map_location: Any) -> None:
    """torch.load's map_location, when it can only mean the CPU; anything else is refused."""
    if map_location is None or callable(map_location) and not isinstance(map_location, str):
        return  # a function is called per storage in PyTorch; here everything is on the CPU
    targets = map_location.values() if isinstance(map_location, dict) else [map_location]
    for target in targets:
        as_device(target)  # raises for a device other than the CPU


def _describe(obj: Any, arrays: list[np.ndarray], where: str) -> dict[str, Any]:
    """A JSON-able description of obj; its arrays are appended to `arrays` and named by index."""
    if isinstance(obj, dict):
        for key in obj:
            if not isinstance(key, (str, int)):
                raise TypeError(f"save: {where} has a key {key!r} of type {type(key).__name__}; "
                                "keys must be str or int")
        return {"dict": [[key, _describe(value, arrays, f"{where}[{key!r}]")]
                         for key, value in obj.items()]}
    if isinstance(obj, (list, tuple)):
        kind = "list" if isinstance(obj, list) else "tuple"
        return {kind: [_describe(value, arrays, f"{where}[{i}]") for i, value in enumerate(obj)]}
    if isinstance(obj, (Tensor, np.ndarray, np.generic)):
        array = np.asarray(obj.array if isinstance(obj, Tensor) else obj)
        if array.dtype.hasobject:
            raise TypeError(f"save: {where} is an object array, which cannot be saved without "
                            "pickle")
        arrays.append(array)
        name = f"arr_{len(arrays) - 1}"
        if isinstance(obj, Tensor):
            return {"tensor": [name, bool(obj.requires_grad and obj.is_leaf)]}
        return {"scalar" if isinstance(obj, np.generic) else "array": name}
    if isinstance(obj, _PLAIN):
        return {"value": obj}
    raise TypeError(f"save: cannot save {where} of type {type(obj).__name__} (expected dicts, "
                    "lists, tuples, Tensors, numpy arrays, numbers, strings or None)")


def _rebuild(node: dict[str, Any], arrays: dict[str, np.ndarray]) -> Any:
    """The inverse of `_describe`."""
    (kind, content), = node.items()
    if kind == "dict":
        return {key: _rebuild(value, arrays) for key, value in content}
    if kind == "list":
        return [_rebuild(value, arrays) for value in content]
    if kind == "tuple":
        return tuple(_rebuild(value, arrays) for value in content)
    if kind == "value":
        return content
    if kind == "array":
        return arrays[content]
    if kind == "scalar":
        return arrays[content][()]
    if kind == "tensor":
        name, requires_grad = content
        return Tensor(arrays[name], requires_grad=requires_grad)
    raise ValueError(f"unknown entry kind {kind!r} in the structure")
