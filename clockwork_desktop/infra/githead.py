"""Which branch a git working tree has checked out, read from its HEAD file (no git binary).

A normal repository has a ``.git`` directory with ``HEAD`` in it. A linked worktree (or a
submodule) has a ``.git`` *file* saying ``gitdir: <path>``, and its HEAD is in that directory.
HEAD holds ``ref: refs/heads/<branch>`` on a branch, or a bare commit id when detached.
"""

from __future__ import annotations

from pathlib import Path

from clockwork_desktop.core.logs import get_logger

log = get_logger(__name__)

_REF_PREFIX = "ref: refs/heads/"


def head_file(repo: Path) -> Path | None:
    dot_git = repo / ".git"
    if dot_git.is_dir():
        return dot_git / "HEAD"
    if dot_git.is_file():
        text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            gitdir = Path(text.removeprefix("gitdir:").strip())
            if not gitdir.is_absolute():
                gitdir = repo / gitdir
            return gitdir / "HEAD"
    if (repo / "HEAD").is_file():  # a bare repository, or the gitdir itself
        return repo / "HEAD"
    return None


class GitHeadReader:
    """Reads HEAD files, re-reading one only when its modification time or size changed."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[tuple[int, int], str | None]] = {}

    def branch(self, repo: str) -> str | None:
        try:
            head = head_file(Path(repo).expanduser())
            if head is None:
                return None
            stat = head.stat()
            stamp = (stat.st_mtime_ns, stat.st_size)
            cached = self._cache.get(repo)
            if cached is not None and cached[0] == stamp:
                return cached[1]
            text = head.read_text(encoding="utf-8", errors="replace").strip()
        except OSError as exc:
            log.info("cannot read the HEAD of %s: %s", repo, exc)
            return None
        branch = text.removeprefix(_REF_PREFIX) if text.startswith(_REF_PREFIX) else None
        self._cache[repo] = (stamp, branch)
        return branch
