"""Edge cases of the shape, indexing and linear algebra ops against PyTorch: empty dims, zero
counts, negative dims and offsets, unusual einsum equations. Each case runs on both libraries
(`lib` is minigrad.ops or torch, `F` their functional module) and compares the value and the
gradient of a weighted sum."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn.functional as mF

RNG = np.random.default_rng(1)

CASES: list[tuple[str, tuple[tuple[int, ...], ...], Callable[..., Any]]] = [
    ("split_larger_than_dim", ((3, 2),), lambda lib, F, x: x.split(5)),
    ("split_empty_dim", ((0, 2),), lambda lib, F, x: x.split(2)),
    ("split_zero_sections", ((3, 2),), lambda lib, F, x: x.split([0, 3, 0])),
    ("chunk_uneven", ((6, 1),), lambda lib, F, x: x.chunk(4)),
    ("chunk_more_than_size", ((2, 3),), lambda lib, F, x: x.chunk(5, 1)),
    ("unbind_last", ((2, 3),), lambda lib, F, x: x.unbind(-1)),
    ("repeat_zero", ((2, 3),), lambda lib, F, x: x.repeat(0, 2)),
    ("repeat_new_dims", ((2,),), lambda lib, F, x: x.repeat(2, 1, 3)),
    ("tile_fewer_dims", ((2, 3),), lambda lib, F, x: x.tile((2,))),
    ("tile_more_dims", ((2,),), lambda lib, F, x: x.tile((2, 2))),
    ("flip_all", ((2, 3, 2),), lambda lib, F, x: x.flip([0, 1, 2])),
    ("roll_negative_multi", ((3, 4),), lambda lib, F, x: x.roll((-5, 2), (1, 0))),
    ("roll_empty", ((0, 2),), lambda lib, F, x: x.roll(1, 0)),
    ("tril_offset_batched", ((2, 3, 4),), lambda lib, F, x: x.tril(-1)),
    ("triu_wide_offset", ((3, 2),), lambda lib, F, x: x.triu(5)),
    ("diagonal_negative_offset", ((3, 4),), lambda lib, F, x: x.diagonal(-2)),
    ("diagonal_offset_past_end", ((3, 4),), lambda lib, F, x: x.diagonal(5)),
    ("diagonal_batched_dims", ((2, 3, 4),), lambda lib, F, x: x.diagonal(1, 2, 0)),
    ("diag_embed_offset", ((2, 3),), lambda lib, F, x: x.diag_embed(2)),
    ("diag_embed_dims", ((2, 3),), lambda lib, F, x: x.diag_embed(0, 0, 2)),
    ("diag_negative", ((3,),), lambda lib, F, x: x.diag(-2)),
    ("repeat_interleave_flat", ((2, 2),), lambda lib, F, x: x.repeat_interleave(3)),
    ("unflatten_negative", ((2, 6),), lambda lib, F, x: x.unflatten(-1, (-1, 3))),
    ("narrow_negative_start", ((4, 3),), lambda lib, F, x: x.narrow(0, -3, 2)),
    ("movedim_negative", ((2, 3, 4),), lambda lib, F, x: x.movedim(-1, 0)),
    ("unfold_window_equals_dim", ((2, 3),), lambda lib, F, x: x.unfold(1, 3, 2)),
    ("unfold_big_step", ((5,),), lambda lib, F, x: x.unfold(0, 2, 3)),
    ("meshgrid_three", ((2,), (3,), (1,)), lambda lib, F, *xs: lib.meshgrid(*xs, indexing="xy")),
    ("index_add_empty", ((2, 3), (0, 3)),
     lambda lib, F, x, s: x.index_add(0, _long(lib, []), s)),
    ("gather_empty_index", ((2, 3),), lambda lib, F, x: x.gather(1, _long(lib, [[], []]))),
    ("scatter_reduce_mean_repeats", ((4,), (5,)),
     lambda lib, F, x, s: x.scatter_reduce(0, _long(lib, [1, 1, 1, 3, 0]), s, "mean")),
    ("take_along_dim_broadcast", ((2, 3),),
     lambda lib, F, x: x.take_along_dim(_long(lib, [[0], [2]]).expand(2, 4), 1)),
    ("masked_fill_0d_value", ((2, 3),),
     lambda lib, F, x: x.masked_fill(_bool(lib, [True, False, True]), float("-inf")).exp()),
    ("einsum_trace_batched", ((2, 3, 3),), lambda lib, F, x: lib.einsum("bii->b", x)),
    ("einsum_diagonal_transposed", ((3, 3, 2),), lambda lib, F, x: lib.einsum("iij->ji", x)),
    ("einsum_ellipsis_middle", ((2, 4, 3, 2),), lambda lib, F, x: lib.einsum("i...j->ji...", x)),
    ("einsum_capitals", ((2, 3), (3,)), lambda lib, F, a, b: lib.einsum("Ab,b->A", a, b)),
    ("einsum_sum_all", ((2, 3),), lambda lib, F, x: lib.einsum("ij->", x)),
    ("einsum_broadcast_one", ((1, 3), (2, 3)), lambda lib, F, a, b: lib.einsum("ij,ij->ij", a, b)),
    ("einsum_bilinear", ((2, 3), (4, 3, 5), (2, 5)),
     lambda lib, F, a, w, b: lib.einsum("bi,kij,bj->bk", a, w, b)),
    ("tensordot_zero", ((2, 3), (4,)), lambda lib, F, a, b: lib.tensordot(a, b, 0)),
    ("addmm_beta_zero", ((2, 2), (2, 3), (3, 2)),
     lambda lib, F, c, a, b: lib.addmm(c * float("nan"), a, b, beta=0)),
    ("pad_reflect_3d", ((1, 2, 3, 3, 4),), lambda lib, F, x: F.pad(x, (1, 2, 2, 0, 1, 1),
                                                                    "reflect")),
    ("pad_circular_2d", ((2, 3, 4),), lambda lib, F, x: F.pad(x, (4, 1, 0, 3), "circular")),
    ("pad_replicate_unbatched", ((2, 3),), lambda lib, F, x: F.pad(x, (3, 0), "replicate")),
    ("pad_constant_all_dims", ((2, 3),), lambda lib, F, x: F.pad(x, (1, 0, 0, 2))),
]


def _long(lib: Any, values: list) -> Any:
    return lib.tensor(values, dtype=lib.int64) if lib is not mg.ops else mg.tensor(
        np.array(values, dtype=np.int64))


def _bool(lib: Any, values: list) -> Any:
    return lib.tensor(values) if lib is not mg.ops else mg.tensor(np.array(values, dtype=bool))


@pytest.mark.parametrize("name, shapes, fn", CASES, ids=[c[0] for c in CASES])
def test_edge_case_matches_torch(name: str, shapes: tuple, fn: Callable, torch: Any) -> None:
    arrays = [RNG.standard_normal(s) for s in shapes]
    mine = [mg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = fn(mg.ops, mF, *mine), fn(torch, torch.nn.functional, *theirs)
    outs = out if isinstance(out, tuple) else (out,)
    refs = ref if isinstance(ref, tuple) else (ref,)
    assert len(outs) == len(refs)
    for o, r in zip(outs, refs, strict=True):
        assert o.shape == tuple(r.shape)
        np.testing.assert_allclose(o.array, r.detach().numpy(), rtol=1e-10, atol=1e-12)
    weights = [RNG.standard_normal(o.shape) for o in outs]
    total = sum(((o * mg.tensor(w)).sum() for o, w in zip(outs, weights, strict=True)),
                mg.tensor(0.0))
    ref_total = sum((r * torch.tensor(w)).sum() for r, w in zip(refs, weights, strict=True))
    if not total.requires_grad:
        return
    grads = mg.grad(total, mine, allow_unused=True)
    ref_grads = torch.autograd.grad(ref_total, theirs, allow_unused=True)
    for g, r, t in zip(grads, ref_grads, mine, strict=True):
        g = np.zeros(t.shape) if g is None else g.array
        r = np.zeros(t.shape) if r is None else r.numpy()
        np.testing.assert_allclose(g, r, rtol=1e-10, atol=1e-12)
