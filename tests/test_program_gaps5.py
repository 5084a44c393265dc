"""Gaps found by a fifth batch of PyTorch programs (tests/pytorch_programs/: flows, diffusion,
neural ODEs, HNNs, Gaussian processes, recommenders and more): each fix checked against PyTorch
on the calls those programs make."""

from __future__ import annotations

import inspect

import pytest

import minigrad as mg


# *** nn.init keyword names ***
@pytest.mark.parametrize("name", ["uniform_", "normal_", "constant_", "zeros_", "ones_",
                                  "xavier_uniform_", "xavier_normal_", "kaiming_uniform_",
                                  "kaiming_normal_", "trunc_normal_", "orthogonal_", "eye_",
                                  "dirac_"])
def test_init_functions_take_torch_keyword_names(torch, name):
    ours = list(inspect.signature(getattr(mg.nn.init, name)).parameters)
    assert ours == list(inspect.signature(getattr(torch.nn.init, name)).parameters)


def test_constant_by_keywords(torch):
    for lib in (mg, torch):
        w = lib.nn.Parameter(lib.zeros(2, 3))
        lib.nn.init.constant_(tensor=w, val=0.25)
        assert w.tolist() == [[0.25] * 3] * 2
