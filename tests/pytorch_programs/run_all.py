"""Run several PyTorch programs, each in a fresh process forked after one import of the library:
`python run_all.py torch|minigrad OUTDIR PROGRAM...`. Program NAME runs in OUTDIR/NAME/ and
leaves its output there in `stdout` and `stderr`, and its exit status in `status`.

With `minigrad`, `torch` is aliased to minigrad first (as_torch.py). Forking after the import
pays torch's slow import once, while every program still starts from a clean interpreter."""

import os
import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def run_one(program: Path, folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    pid = os.fork()
    if pid == 0:  # child: run the program with its output going to files, then exit
        os.chdir(folder)
        for fd, name in ((1, "stdout"), (2, "stderr")):
            os.dup2(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), fd)
        sys.stdout = open(1, "w", closefd=False, buffering=1)
        sys.stderr = open(2, "w", closefd=False, buffering=1)
        sys.argv = [str(program)]
        code = 0
        try:
            runpy.run_path(str(program), run_name="__main__")
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        except BaseException:
            import traceback
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def warm_up(torch) -> None:
    """Load what torch imports lazily on first use (an optimizer's step pulls in its compiler
    stack, about a second) once, before forking, instead of once per program."""
    model = torch.nn.Linear(2, 2)
    opt = torch.optim.Adam(model.parameters())
    model(torch.ones(1, 2)).sum().backward()
    opt.step()
    import torch.distributions  # noqa: F401
    import torch.func  # noqa: F401
    import torch.testing  # noqa: F401


def main() -> None:
    library, outdir, *programs = sys.argv[1:]
    if library == "minigrad":
        sys.path.insert(0, str(HERE))
        import as_torch  # noqa: F401  (aliases torch to minigrad)
    import torch
    if library == "torch":
        torch.set_num_threads(1)
        warm_up(torch)
    for program in map(Path, programs):
        code = run_one(program.resolve(), Path(outdir) / program.name)
        (Path(outdir) / program.name / "status").write_text(str(code))


if __name__ == "__main__":
    main()
