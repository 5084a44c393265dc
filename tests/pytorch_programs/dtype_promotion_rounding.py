# ruff: noqa: E501
# Integer and float semantics people trip over, checked the way forum answers do: true and
# floor division of ints (negative operands), div's rounding_mode, remainder vs fmod, integer
# overflow of uint8/int8 arithmetic, type promotion between int/float/bool tensors and Python
# scalars, in-place ops that cannot change dtype, round half to even and round(decimals=),
# float->int casts truncating toward zero, clamp on ints, bool sums, argmax ties, and mean of
# an int tensor (refused).
import torch

a = torch.tensor([7, -7, 7, -7])
b = torch.tensor([2, 2, -2, -2])
print("true div", a / b, (a / b).dtype)
print("floor div", a // b, torch.div(a, b, rounding_mode="floor"), torch.floor_divide(a, b))
print("trunc div", torch.div(a, b, rounding_mode="trunc"), torch.div(a.float(), b, rounding_mode="trunc"))
print("remainder", a % b, torch.remainder(a, b), "fmod", torch.fmod(a, b))
print("float remainder", torch.tensor([5.5, -5.5]) % 2, torch.fmod(torch.tensor([5.5, -5.5]), 2))
print("int // float", (a // 2.5), (a // 2.5).dtype, (a * 1.5).dtype, (a + True).dtype)
u = torch.tensor([250, 10], dtype=torch.uint8)
print("uint8 wraps", u + 10, (u * 2).tolist(), (u - 20).tolist(), u.dtype)
i8 = torch.tensor([127, -128], dtype=torch.int8)
print("int8 wraps", (i8 + 1).tolist(), (i8 - 1).tolist())
print("promotion", (torch.tensor([1], dtype=torch.int32) + torch.tensor([1], dtype=torch.int64)).dtype, (torch.tensor([1], dtype=torch.uint8) + torch.tensor([1], dtype=torch.int8)).dtype, (torch.tensor([1.0]) + torch.tensor([1.0], dtype=torch.float64)).dtype)
print("scalar promotion", (torch.tensor([1], dtype=torch.int32) * 2).dtype, (torch.tensor([1], dtype=torch.int32) * 2.0).dtype, (torch.tensor([1.0], dtype=torch.float16) * 2.0).dtype, (torch.tensor([True]) + 1).dtype, (torch.tensor([True]) & torch.tensor([False])).dtype)
print("0-d does not promote", (torch.tensor([1.0]) + torch.tensor(2.0, dtype=torch.float64)).dtype, (torch.tensor([1]) + torch.tensor(2.5)).dtype, torch.result_type(torch.tensor([1]), 1.0), torch.promote_types(torch.int32, torch.float16))
t = torch.tensor([1, 2, 3])
t += 1
print("in-place int", t, t.dtype)
try:
    t *= 1.5
except RuntimeError as e:
    print("int *= float refused:", "can't be cast" in str(e) or "cast" in str(e))
f = torch.tensor([1.0, 2.0])
f += torch.tensor([1, 1])
print("float += int", f, f.dtype)
print("round half even", torch.round(torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5])), torch.tensor([2.675, 1.005]).round(decimals=2), torch.round(torch.tensor([1234.5678]), decimals=-2))
print("casts", torch.tensor([2.9, -2.9, 0.5]).to(torch.int64), torch.tensor([2.9, -2.9]).int(), torch.tensor([1.7]).long().item(), torch.tensor([300.0]).to(torch.uint8).tolist() if False else "")
print("ceil floor trunc frac", torch.ceil(torch.tensor([-1.5, 1.2])), torch.floor(torch.tensor([-1.5, 1.2])), torch.trunc(torch.tensor([-1.5, 1.7])), torch.frac(torch.tensor([-1.5, 1.75])))
print("int clamp", torch.tensor([-5, 0, 5]).clamp(-2, 3), torch.tensor([-5, 0, 5]).clamp(min=0.5).dtype, torch.clamp(torch.tensor([1.0, 5.0]), max=torch.tensor([2.0, 3.0])))
m = torch.tensor([True, False, True, True])
print("bool sums", m.sum(), m.sum().dtype, m.float().mean(), m.int().cumsum(0), (~m).any(), m.all(), torch.count_nonzero(m))
print("argmax ties", torch.tensor([1, 3, 3, 2]).argmax(), torch.tensor([[2.0, 2.0], [1.0, 1.0]]).argmax(dim=1), torch.tensor([1, 3, 3]).max(dim=0))
try:
    torch.tensor([1, 2]).mean()
except RuntimeError as e:
    print("mean of int refused:", "Long" in str(e) or "int" in str(e) or "dtype" in str(e))
print("mean with dtype", torch.tensor([1, 2]).mean(dtype=torch.float32), torch.tensor([1, 2]).float().mean(), torch.tensor([1, 2]).sum() / 2)
print("int pow", torch.tensor([2, 3]) ** 2, (torch.tensor([2, 3]) ** 2).dtype, torch.tensor([2, 3]) ** 0.5, torch.tensor([4]).sqrt(), torch.tensor([4]).sqrt().dtype)
print("exp of int", torch.tensor([0, 1]).exp(), torch.tensor([1, 2]).sigmoid().dtype, torch.tensor([1, 4]).log2())
print("division by zero", torch.tensor([1.0, -1.0, 0.0]) / 0, torch.tensor([1, -1]) / 0)
try:
    torch.tensor([1, 2]) // 0
except RuntimeError as e:
    print("int // 0 refused:", "ZeroDivision" in str(e) or "zero" in str(e).lower())
print("bitwise", torch.tensor([12]) & 10, torch.tensor([12]) | 3, torch.tensor([12]) ^ 5, ~torch.tensor([0, 1]), torch.tensor([1]) << 3, torch.tensor([-16]) >> 2)
print("comparisons int/float", torch.tensor([1, 2]) == torch.tensor([1.0, 2.5]), torch.tensor([1, 2]) < 1.5, torch.eq(torch.tensor([1]), 1.0))
print("float16 sums", torch.tensor([1000.0, 0.1], dtype=torch.float16).sum().item(), torch.tensor([0.1], dtype=torch.float16).item(), torch.tensor(1 / 3, dtype=torch.float16).float().item())
print("float64 vs float32", torch.tensor(0.1).item(), torch.tensor(0.1, dtype=torch.float64).item(), torch.tensor(0.1).double().item())
print("tolist types", [type(v).__name__ for v in (torch.tensor([1]).tolist()[0], torch.tensor([1.0]).tolist()[0], torch.tensor([True]).tolist()[0], torch.tensor(2).item())])
print("sign and abs of int", torch.tensor([-3, 0, 3]).sign(), torch.tensor([-3]).abs(), torch.tensor([-3, 3]).neg())
print("lerp/where dtype", torch.where(torch.tensor([True, False]), torch.tensor([1, 2]), 0.5), torch.where(torch.tensor([True, False]), 1, 0).dtype)
print("arange dtypes", torch.arange(3).dtype, torch.arange(3.0).dtype, torch.arange(0, 1, 0.25), torch.arange(1, 2.5, 0.5, dtype=torch.float64))
print("linspace int", torch.linspace(0, 10, 5, dtype=torch.int64) if True else "", torch.full((2,), 7).dtype, torch.full((2,), 7.0).dtype, torch.full((1,), True).dtype)
