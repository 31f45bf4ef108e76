"""README.md stays true: its Python blocks run, in order, and its commands exist."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_python_blocks_run(tmp_path, monkeypatch, capsys):
    blocks = re.findall(r"```python\n(.*?)```", README, flags=re.S)
    assert len(blocks) >= 2
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    out = capsys.readouterr().out
    assert "moved touchpoint 'Checkout page' from Decision to Purchase" in out
    assert (tmp_path / "online-store.json").exists() and (tmp_path / "online-store.html").exists()


def test_commands_in_readme_exist():
    assert "pip install . && journeywidget demo" in README
    assert "bash scripts/test.sh" in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert "scripts/test.sh" in ci
    out = subprocess.run([sys.executable, "-m", "journeywidget", "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for sub in ("validate", "render", "templates", "new", "demo", "merge", "git-setup", "diff", "outline"):
        assert sub in out.stdout
