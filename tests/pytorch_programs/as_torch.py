"""Run a PyTorch program on minigrad: `python as_torch.py program.py [args]`.

Nothing but module aliases: `torch` is `minigrad`, `torch.nn` is `minigrad.nn`, and so on for
every minigrad package, with `torch.utils.data` as `minigrad.data`; the program is not edited."""

import importlib
import runpy
import sys

import minigrad

for package in ("nn", "nn.functional", "nn.init", "optim", "optim.lr_scheduler", "data",
                "utils", "autograd", "testing", "distributions", "special"):
    importlib.import_module(f"minigrad.{package}")
for name, module in list(sys.modules.items()):
    if name == "minigrad" or name.startswith("minigrad."):
        sys.modules["torch" + name[len("minigrad"):]] = module
sys.modules["torch.utils.data"] = minigrad.data

if __name__ == "__main__":
    sys.argv = sys.argv[1:]
    runpy.run_path(sys.argv[0], run_name="__main__")
