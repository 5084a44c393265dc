"""How a DataLoader turns a list of examples into a batch, as torch.utils.data does:
default_collate stacks field by field (recursing into tuples, lists, dicts and named tuples),
default_convert (batch_size=None) only turns numpy arrays into Tensors."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from minigrad.creation import from_numpy
from minigrad.tensor import Tensor


def default_collate(batch: Sequence[Any]) -> Any:
    """Tensors and numpy arrays are stacked along a new first dim; Python floats become a
    float64 tensor, ints an int64 tensor and bools a bool tensor; strings stay a list;
    tuples, lists, named tuples and dicts are collated field by field."""
    return collate(batch, list(range(len(batch))), "")


def collate(batch: Sequence[Any], items: Sequence[int], field: str) -> Any:
    """default_collate, with the dataset indices of the examples and the field being collated,
    for an error that names them."""
    if not len(batch):
        raise IndexError(f"default_collate: {field or 'the batch'} is empty")
    elem = batch[0]
    if isinstance(elem, Tensor):
        from minigrad.ops import stack

        _check_shapes([t.shape for t in batch], items, field)
        return stack(list(batch))
    if isinstance(elem, np.ndarray) and elem.dtype.kind not in "USO":
        _check_shapes([np.shape(a) for a in batch], items, field)
        return from_numpy(np.stack([np.asarray(a) for a in batch]))
    if isinstance(elem, np.generic) and elem.dtype.kind not in "USO":
        from minigrad.dtypes import promote_types  # torch's promotion, not numpy's

        dtype = functools.reduce(promote_types, [np.asarray(e).dtype for e in batch])
        return from_numpy(np.array(batch, dtype=dtype))
    if isinstance(elem, float):
        return from_numpy(np.array(batch, dtype=np.float64))
    if isinstance(elem, (bool, int)):  # the dtype torch.tensor(batch) infers: float32 if any
        from minigrad.creation import tensor  # float (default dtype), int64 if any int

        return tensor(list(batch))
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, Mapping):
        for item, d in zip(items, batch, strict=True):
            missing = [key for key in elem if key not in d]
            if missing:
                raise KeyError(f"default_collate: example {item} has no key {missing[0]!r} "
                               f"(the batch's first example has {list(elem)})")
        collated = {key: collate([d[key] for d in batch], items, f"{field}field {key!r} of ")
                    for key in elem}
        return collated if type(elem) is dict else type(elem)(collated)
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a named tuple
        return type(elem)(*(collate(list(values), items, f"{field}field {name} of ")
                            for name, values in zip(elem._fields, zip(*batch))))
    if isinstance(elem, Sequence):
        sizes = {len(example) for example in batch}
        if len(sizes) > 1:
            raise RuntimeError("each element in list of batch should be of equal size "
                               f"(got sizes {sorted(sizes)})")
        return [collate(list(values), items, f"{field}field {k} of ")
                for k, values in enumerate(zip(*batch))]
    raise TypeError(f"default_collate: batch must contain tensors, numpy arrays, numbers, "
                    f"dicts or lists; found {type(elem)}")


def default_convert(data: Any) -> Any:
    """numpy arrays and scalars (also inside tuples, lists, dicts) become Tensors; the rest
    stays."""
    if isinstance(data, (np.ndarray, np.generic)) and data.dtype.kind not in "USO":
        return from_numpy(np.asarray(data))
    if isinstance(data, Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (tuple, list)):
        return [default_convert(d) for d in data]
    return data


def _check_shapes(shapes: list[tuple[int, ...]], items: Sequence[int], field: str) -> None:
    for i, shape in enumerate(shapes):
        if tuple(shape) != tuple(shapes[0]):
            raise RuntimeError(
                f"DataLoader: cannot stack a batch of items of different shapes: {field}item "
                f"{items[0]} has shape {tuple(shapes[0])}, {field}item {items[i]} has shape "
                f"{tuple(shape)}; give the items one shape (pad them) or pass a collate_fn")
