"""Git plumbing: committed versions of a map, and the merge and diff drivers' settings.

Git runs as a subprocess (``git`` on ``PATH``); nothing here changes global git settings.

>>> import subprocess, tempfile, pathlib
>>> repo = pathlib.Path(tempfile.mkdtemp())
>>> _ = subprocess.run(["git", "init", "-q", str(repo)], check=True)
>>> changes = setup_repo(repo, "*.journey.json", "journeywidget")
>>> (repo / ".gitattributes").read_text()
'*.journey.json merge=journeywidget diff=journeywidget\\n'
>>> setup_repo(repo, "*.journey.json", "journeywidget")  # a second run adds nothing
[]
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ..core.errors import JourneyError
from .io import parse_json, validate_document, write_file

__all__ = ["DRIVER", "driver_settings", "read_revision", "read_revision_document", "repo_root", "setup_repo"]

#: The name of the merge and diff drivers in git's settings and in ``.gitattributes``.
DRIVER = "journeywidget"


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, env=env, check=False)
    except FileNotFoundError:
        raise JourneyError("git is not installed (or not on PATH); install git to use versions and merges") from None


def repo_root(folder: str | os.PathLike) -> Path:
    """The top folder of the git work tree holding ``folder``; :class:`JourneyError` if there is none."""
    where = Path(folder)
    if not where.is_dir():
        raise JourneyError(f"no folder {where}; give a folder inside a git repository")
    out = _git(["rev-parse", "--show-toplevel"], where)
    if out.returncode != 0:
        raise JourneyError(f"{where.resolve()} is not in a git repository (run `git init` there, or give another path)")
    return Path(out.stdout.decode().strip())


def read_revision(path: str | os.PathLike, revision: str) -> bytes:
    """The bytes of the file at ``path`` as committed in ``revision`` (``HEAD~3``, a branch, a hash).

    The repository is the one holding the file's folder; the file itself may be gone from disk.
    """
    p = Path(path)
    if not isinstance(revision, str) or not revision.strip() or revision.startswith("-"):
        raise JourneyError(f"revision: expected a git revision such as 'HEAD~3', a branch or a commit, got {revision!r}")
    folder = p.parent if str(p.parent) else Path(".")
    repo_root(folder)
    if _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], folder).returncode != 0:
        raise JourneyError(f"revision: unknown revision {revision!r} in the repository of {p}; see `git log` for its commits")
    spec = f"{revision}:./{p.name}"
    out = _git(["cat-file", "blob", spec], folder)
    if out.returncode != 0:
        raise JourneyError(f"{p.name} is not in revision {revision!r} (it was added later, or under another name)")
    return out.stdout


def read_revision_document(path: str | os.PathLike, revision: str, max_bytes: int) -> dict:
    """The map at ``path`` as committed in ``revision``, validated (:func:`read_revision`)."""
    data = read_revision(path, revision)
    source = f"{path} at {revision}"
    if len(data) > max_bytes:
        raise JourneyError(f"{source}: {len(data) / 1e6:.1f} MB, over the {max_bytes / 1e6:.0f} MB limit; "
                           "pass max_bytes= to load it")
    return validate_document(parse_json(data, source), source)


def driver_settings(command: str) -> dict[str, str]:
    """The git settings of the merge and diff drivers, for ``command`` (how to run journeywidget).

    >>> driver_settings("journeywidget")["merge.journeywidget.driver"]
    'journeywidget merge %O %A %B --name %P'
    """
    return {
        f"merge.{DRIVER}.name": "journeywidget: merge journey maps item by item",
        f"merge.{DRIVER}.driver": f"{command} merge %O %A %B --name %P",
        f"diff.{DRIVER}.command": f"{command} diff",
        f"diff.{DRIVER}.textconv": f"{command} outline",
    }


def setup_repo(repo: str | os.PathLike, pattern: str, command: str) -> list[str]:
    """Set the drivers in the repository's ``.git/config`` and ``pattern`` in ``.gitattributes``.

    Idempotent: returns what it changed (nothing on a second run).
    """
    if not pattern or any(ch.isspace() for ch in pattern):
        raise JourneyError(f"pattern: {pattern!r} is not a .gitattributes pattern; use e.g. '*.journey.json'")
    root = repo_root(repo)
    changed = []
    for key, value in driver_settings(command).items():
        current = _git(["config", "--local", "--get", key], root)
        if current.returncode == 0 and current.stdout.decode().rstrip("\n") == value:
            continue
        out = _git(["config", "--local", key, value], root)
        if out.returncode != 0:
            raise JourneyError(f"git config {key} failed: {out.stderr.decode().strip()}")
        changed.append(f"git config {key} {value!r}")
    attributes = root / ".gitattributes"
    text = attributes.read_text(encoding="utf-8") if attributes.exists() else ""
    lines = text.splitlines()
    wanted = [f"merge={DRIVER}", f"diff={DRIVER}"]
    for i, line in enumerate(lines):
        parts = line.split()
        if parts and parts[0] == pattern:
            missing = [w for w in wanted if w not in parts[1:]]
            if not missing:
                return changed
            kept = [p for p in parts[1:] if not p.startswith(("merge=", "diff=", "-merge", "-diff"))]
            lines[i] = " ".join([pattern, *kept, *wanted])
            break
    else:
        lines.append(" ".join([pattern, *wanted]))
    write_file(attributes, "\n".join(lines) + "\n")
    changed.append(f"{attributes}: {pattern} {' '.join(wanted)}")
    return changed
