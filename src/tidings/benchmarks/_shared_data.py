"""Where the project's shared data sets live: ``../shared/data`` beside the repository."""

from __future__ import annotations

from pathlib import Path

import tidings


def shared_data_dir(name: str) -> Path:
    """``../shared/data/NAME`` beside the repository, else beside the working directory."""
    repo = Path(tidings.__file__).resolve().parents[2]
    for base in (repo, Path.cwd()):
        candidate = base.parent / "shared" / "data" / name
        if candidate.is_dir():
            return candidate
    return repo.parent / "shared" / "data" / name
