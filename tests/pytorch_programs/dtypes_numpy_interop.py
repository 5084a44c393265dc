# ruff: noqa: E501
# dtypes and numpy interop as programs meet them: promotion rules, integer division, casting,
# from_numpy's shared memory, .numpy()/.tolist()/.item(), comparisons and bool arithmetic.
import numpy as np
import torch

i = torch.tensor([7, -7, 5])
f = torch.tensor([2.0, 2.0, -2.0])
print((i + f).dtype, (i * 2).dtype, (i / 2).dtype, (i // 2), i % 3, torch.div(i, 2, rounding_mode="floor"), torch.div(i, 2, rounding_mode="trunc"))
print((i + 1.5).dtype, (i.int() + i).dtype, (i.float() + f.double()).dtype, (f + torch.tensor(1.0, dtype=torch.float64)).dtype)
print(torch.tensor([1, 2], dtype=torch.uint8) + 255, (torch.tensor([True, False]) + 1).dtype, torch.tensor([True, True]).sum(), (i > 0).float().mean())
print(torch.result_type(i, 1.0), torch.promote_types(torch.int32, torch.float32), torch.can_cast(torch.float32, torch.int32), i.to(torch.float16).dtype)
print(torch.tensor(3.7).int(), torch.tensor([-1.5, 2.5, 0.5]).round(), torch.tensor([2.7, -2.7]).long())
print(i ** 2, 2 ** i.abs(), torch.tensor([4.0]) ** 0.5, i.abs().sqrt(), i.float().pow(2).dtype, torch.pow(2, torch.tensor([1.0, 3.0])))
a = np.arange(6, dtype=np.float32).reshape(2, 3)
t = torch.from_numpy(a)
a[0, 0] = 100.0
t[1, 2] = -1.0
print(t[0, 0].item(), a[1, 2], t.dtype, torch.from_numpy(np.arange(3)).dtype, torch.as_tensor(a).sum(), torch.tensor(a).data_ptr() != t.data_ptr())
c = torch.tensor(a)
a[0, 1] = 50.0
print(c[0, 1].item(), t.numpy() is not None, t.numpy()[0, 1], type(t.tolist()), t.tolist(), type(t[0, 0].item()), type(i[0].item()))
print(torch.tensor(np.float64(2.5)).dtype, torch.tensor([np.int32(1)]).dtype, torch.tensor(3).dtype, torch.tensor([1, 2.0]).dtype, torch.tensor([True]).dtype)
print(torch.zeros(2, dtype=torch.int64).dtype, torch.ones(2).long().float().dtype, torch.arange(3).dtype, torch.arange(3.0).dtype, torch.arange(0, 1, 0.25))
print(torch.full((2,), 7).dtype, torch.full((2,), 7.0).dtype, torch.zeros_like(i, dtype=torch.float32), torch.empty(0).shape, torch.linspace(0, 1, 5))
print(torch.eq(i, 5), i.eq(7).any(), torch.equal(i, i.clone()), torch.isclose(f, f + 1e-9), torch.allclose(f, f * (1 + 1e-7)), (i == 7) | (i == 5), ~(i > 0), (i > 0) ^ (i < 6))
print(torch.tensor([1.0, float("nan"), float("inf")]).isnan(), torch.isinf(torch.tensor([1.0, -float("inf")])), torch.nan_to_num(torch.tensor([float("nan"), float("inf")]), posinf=9.0), torch.isfinite(torch.tensor([1.0, float("nan")])))
print(torch.finfo(torch.float32).eps, torch.finfo(torch.float64).max > 1e300, torch.iinfo(torch.int32).max, torch.finfo(torch.float16).tiny > 0, torch.tensor(1e-8).float().item() > 0)
print(float(torch.tensor(2.5)), int(torch.tensor(7)), bool(torch.tensor([1])), torch.tensor(2) * 3.5, np.asarray(torch.ones(2)) + 1, torch.tensor([1.0, 2.0]) * np.float32(2.0), 3 - torch.tensor([1, 2]))
x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
y = (x.float() * 3).sum()
y.backward()
print(x.grad, x.grad.dtype, y.dtype, x.detach().numpy().dtype, x.type(torch.float32).dtype, x.type(), torch.tensor([1]).type())
print(torch.get_default_dtype(), torch.is_floating_point(i), i.is_floating_point(), f.is_signed(), i.element_size(), f.double().element_size(), torch.tensor([1, 2]).nbytes)
torch.set_default_dtype(torch.float64)
print(torch.tensor([1.5]).dtype, torch.ones(1).dtype, torch.arange(2.0).dtype, torch.tensor([1]).dtype)
torch.set_default_dtype(torch.float32)
