"""Built-in and user templates."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import JourneyError

if TYPE_CHECKING:  # pragma: no cover
    from ..journey import Journey

__all__ = ["TemplateInfo", "templates", "load_template", "save_template"]

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "templates"
ENV_VAR = "JOURNEYWIDGET_TEMPLATES"


@dataclass(frozen=True)
class TemplateInfo:
    """A template: its ``name`` (what :meth:`Journey.from_template` takes), title, type and where it lives."""

    name: str
    title: str
    description: str
    journey_type: str
    stages: tuple[str, ...]
    source: str  # "built-in" or the folder it was found in
    path: Path

    def __str__(self) -> str:
        return f"{self.name}: {self.title} ({' → '.join(self.stages)})"


def _dirs(directory: str | os.PathLike | None) -> list[tuple[str, Path]]:
    out = [("built-in", BUILTIN_DIR)]
    extra = []
    if directory is not None:
        extra.append(Path(directory))
    env = os.environ.get(ENV_VAR)
    if env:
        extra.extend(Path(p) for p in env.split(os.pathsep) if p)
    for d in extra:
        out.append((str(d), d))
    return out


def templates(directory: str | os.PathLike | None = None) -> list[TemplateInfo]:
    """List the built-in templates, then those in ``directory`` (and in ``$JOURNEYWIDGET_TEMPLATES``).

    >>> import journeywidget as jw
    >>> "saas-onboarding" in [t.name for t in jw.templates()]
    True
    """
    out: list[TemplateInfo] = []
    seen: set[str] = set()
    for source, folder in _dirs(directory):
        if not folder.is_dir():
            if source != "built-in":
                raise JourneyError(f"template folder {folder} does not exist")
            continue
        for path in sorted(folder.glob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                title = str(data.get("title", path.stem))
                stages = tuple(str(s.get("name", "")) for s in data.get("stages", []) if isinstance(s, dict))
                info = TemplateInfo(path.stem, title, str(data.get("description", "")),
                                    str(data.get("journey_type", "custom")), stages, source, path)
            except (OSError, ValueError, AttributeError):
                continue  # unreadable user files are skipped in the listing; loading them explains why
            if info.name in seen and source == "built-in":
                continue
            seen.add(info.name)
            out.append(info)
    return out


def load_template(name: str, directory: str | os.PathLike | None = None) -> dict:
    """The canonical document of template ``name`` (user folders first, then built-ins)."""
    from .io import read_file

    for _source, folder in reversed(_dirs(directory)):
        path = folder / f"{name}.json"
        if path.is_file():
            return read_file(path)
    names = ", ".join(t.name for t in templates(directory))
    raise JourneyError(f"no template named {name!r}; templates: {names}")


def save_template(journey: Journey, directory: str | os.PathLike, name: str | None = None) -> Path:
    """Save ``journey`` as template ``name`` (default: its id) in ``directory``."""
    from ..core.ids import slugify

    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    stem = slugify(name or journey.id, fallback="template")
    path = folder / f"{stem}.json"
    journey.save(path)
    return path
