"""Every ```python block of README.md and docs/*.md runs as written.

README blocks run standalone, each in a fresh namespace, as a reader pastes one. A guide in
docs/ runs as one session: its blocks in order, in one namespace. A ```text block that follows
"It prints" holds output of the python block before it: each of its lines must appear in what
that block printed. A block whose first line is `# needs MNIST` is skipped, saying why, when
MNIST is not found.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

import minigrad as mg

REPO = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```\s*$", re.S | re.M)


@dataclass
class Block:
    path: Path
    line: int
    code: str
    expected: list[str]  # lines of the "It prints" block after it

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(REPO)}:{self.line}"


def python_blocks(path: Path) -> list[Block]:
    text = path.read_text()
    blocks: list[Block] = []
    for match in FENCE.finditer(text):
        language, body = match.group(1), match.group(2)
        if language == "python":
            line = text.count("\n", 0, match.start()) + 2  # the block's first line of code
            blocks.append(Block(path, line, body, []))
        elif language == "text" and blocks:
            between = text[text.rfind("```", 0, match.start() - 1):match.start()]
            if "It prints" in between:
                blocks[-1].expected = [ln for ln in body.splitlines() if ln.strip()]
    return blocks


def run_block(block: Block, namespace: dict, monkeypatch: pytest.MonkeyPatch) -> str:
    """exec the block in namespace, from an empty folder; returns what it printed."""
    if block.code.startswith("# needs MNIST") and not mnist_found():
        pytest.skip(f"{block.where} needs MNIST: set MINIGRAD_DATA to a folder with mnist/")
    out = io.StringIO()
    threads = mg.get_num_threads()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(block.code, block.where, "exec"), namespace)
    finally:
        mg.set_num_threads(threads)  # a block may set it; later tests get it back
    printed = out.getvalue()
    for line in block.expected:
        assert line in printed, f"{block.where}: the text after it says {line!r}; printed:\n" \
                                f"{printed}"
    return printed


def mnist_found() -> bool:
    root = os.environ.get("MINIGRAD_DATA")
    return root is not None and (Path(root) / "mnist").is_dir()


README_BLOCKS = python_blocks(REPO / "README.md")
GUIDES = sorted((REPO / "docs").glob("*.md"))


def test_the_readme_and_the_custom_layers_guide_have_python_blocks():
    assert len(README_BLOCKS) >= 2
    assert len(python_blocks(REPO / "docs" / "custom_layers.md")) >= 5


@pytest.mark.parametrize("block", README_BLOCKS, ids=lambda b: f"README.md:{b.line}")
def test_readme_block_runs_standalone(block, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    run_block(block, {"__name__": "__main__"}, monkeypatch)


@pytest.mark.parametrize("guide", GUIDES, ids=lambda p: p.name)
def test_guide_runs_as_one_session(guide, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__main__"}
    for block in python_blocks(guide):
        run_block(block, namespace, monkeypatch)


def test_readme_links_the_custom_layers_guide():
    assert "(docs/custom_layers.md)" in (REPO / "README.md").read_text()


def test_a_wrong_expected_line_fails(tmp_path, monkeypatch):
    """The output check can fail: a block whose shown output is not what it prints."""
    block = Block(tmp_path / "x.md", 1, "print('a')\n", ["b"])
    block.path = REPO / "x.md"
    with pytest.raises(AssertionError, match="says 'b'"):
        run_block(block, {}, monkeypatch)
