"""Gaps found by a third batch of PyTorch programs (tests/pytorch_programs/, nanoGPT-, DQN-,
GCN-style and more): each fix checked against PyTorch on the calls those programs make."""

from __future__ import annotations

import pytest

import minigrad as mg


# *** f-strings of tensors ***
@pytest.mark.parametrize("value, spec", [(2.5, ".3f"), (3, "d"), (True, ""), (-1.25, ">9.2e"),
                                         (7, "04d")])
def test_format_of_a_0d_tensor_formats_its_value(torch, value, spec):
    assert format(mg.tensor(value), spec) == format(torch.tensor(value), spec)
    x, y = mg.tensor(value, dtype=mg.float64), torch.tensor(value, dtype=torch.float64)
    assert f"{x:.2f}" == f"{y:.2f}"


def test_format_of_a_larger_tensor_takes_no_spec(torch):
    for lib in (mg, torch):
        with pytest.raises(TypeError):
            format(lib.tensor([1.5]), ".3f")
    assert format(mg.tensor([1.5]), "") == repr(mg.tensor([1.5]))


# *** torch.backends switches ***
def test_backends_switches_set_in_training_scripts(torch):
    for lib in (mg, torch):
        lib.backends.cuda.matmul.allow_tf32 = True
        lib.backends.cudnn.allow_tf32 = True
        assert lib.backends.cuda.matmul.allow_tf32 and lib.backends.cudnn.allow_tf32
        lib.backends.cuda.matmul.allow_tf32 = False
        assert lib.backends.cuda.flash_sdp_enabled() is True
        lib.backends.cuda.enable_flash_sdp(False)
        assert lib.backends.cuda.flash_sdp_enabled() is False
        lib.backends.cuda.enable_flash_sdp(True)
    assert mg.backends.cudnn.version() is torch.backends.cudnn.version() is None


# *** repeat_interleave(counts) and output_size ***
def test_repeat_interleave_of_counts_alone_gives_segment_ids(torch):
    counts = [2, 0, 3, 1]
    assert (mg.repeat_interleave(mg.tensor(counts)).tolist()
            == torch.repeat_interleave(torch.tensor(counts)).tolist() == [0, 0, 2, 2, 2, 3])
    assert mg.repeat_interleave(mg.tensor(counts)).dtype == mg.int64
    got = mg.tensor([1, 2]).repeat_interleave(2, output_size=4)
    assert got.tolist() == torch.tensor([1, 2]).repeat_interleave(2, output_size=4).tolist()
    with pytest.raises(ValueError, match="output_size=3"):
        mg.repeat_interleave(mg.tensor([1, 2]), 2, output_size=3)
    for bad in (mg.tensor([1.0, 2.0]), mg.tensor([[1, 2]])):
        with pytest.raises(ValueError, match="1-D integer"):
            mg.repeat_interleave(bad)


# *** convolutions and PReLU follow set_default_dtype and take device= ***
def test_conv_and_prelu_parameters_follow_the_default_dtype(torch):
    from minigrad import nn
    makers = [lambda lib, **kw: lib.nn.Conv2d(3, 4, 3, **kw),
              lambda lib, **kw: lib.nn.Conv1d(2, 2, 1, **kw),
              lambda lib, **kw: lib.nn.ConvTranspose2d(3, 4, 2, stride=2, **kw),
              lambda lib, **kw: lib.nn.PReLU(**kw)]
    previous = mg.get_default_dtype()
    try:
        for lib in (mg, torch):
            lib.set_default_dtype(lib.float64)
        for make in makers:
            for kw in ({}, {"device": "cpu"}, {"dtype": mg.float32}):
                ours = make(mg, **kw)
                theirs = make(torch, **{k: torch.float32 if k == "dtype" else v
                                        for k, v in kw.items()})
                assert [str(p.dtype).split(".")[-1] for p in ours.parameters()] == [
                    str(p.dtype).split(".")[-1] for p in theirs.parameters()]
    finally:
        mg.set_default_dtype(previous)
        torch.set_default_dtype(torch.float32)
    assert nn.Conv2d(1, 1, 1).weight.dtype == mg.float32
    with pytest.raises(RuntimeError, match="cuda"):
        nn.Conv2d(1, 1, 1, device="cuda")


# *** Sequential slices keep names; a module held twice is one child ***
def test_sequential_slice_keeps_the_names_as_torch(torch):
    from collections import OrderedDict

    def build(lib):
        return lib.nn.Sequential(OrderedDict(norm=lib.nn.Identity(), conv_1=lib.nn.ReLU(),
                                             style_loss_1=lib.nn.Tanh(), relu_1=lib.nn.ReLU()))
    ours, theirs = build(mg), build(torch)
    for index in (slice(None, 3), slice(1, None), slice(None, None, 2), slice(-1, None)):
        assert ([n for n, _ in ours[index].named_children()]
                == [n for n, _ in theirs[index].named_children()])
    assert type(ours[:2]) is mg.nn.Sequential and len(ours[:2]) == 2
    listed = mg.nn.ModuleList([mg.nn.ReLU(), mg.nn.Tanh(), mg.nn.ReLU()])
    assert type(listed[1:]) is mg.nn.ModuleList
    assert [n for n, _ in listed[1:].named_children()] == ["0", "1"]


def test_a_module_held_twice_is_one_child_but_every_entry_of_the_container(torch):
    for lib in (mg, torch):
        relu = lib.nn.ReLU()
        seq = lib.nn.Sequential(relu, lib.nn.Linear(2, 2), relu)
        assert len(seq) == len(list(seq)) == 3 and len(list(seq.children())) == 2
        assert [n for n, _ in seq.named_children()] == ["0", "1"]
        assert [n for n, _ in seq.named_modules()] == ["", "0", "1"]
        assert [n for n, _ in seq.named_modules(remove_duplicate=False)] == ["", "0", "1", "2"]
        assert repr(seq).count("ReLU()") == 2
        calls: list[str] = []
        seq.apply(lambda m, calls=calls: calls.append(type(m).__name__))
        assert calls == ["ReLU", "Linear", "Sequential"]
        both = lib.nn.ModuleDict({"a": relu, "b": relu})
        assert list(both.keys()) == ["a", "b"] and len(list(both.children())) == 1
