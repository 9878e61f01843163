"""Which branch a git working tree has checked out, read from its HEAD file (no git binary).

A normal repository has a ``.git`` directory with ``HEAD`` in it. A linked worktree (or a
submodule) has a ``.git`` *file* saying ``gitdir: <path>``, and its HEAD is in that directory.
HEAD holds ``ref: refs/heads/<branch>`` on a branch, or a bare commit id when detached.

These files are in folders the user chose to watch, so they are read defensively: only a
regular file, opened without blocking (a FIFO in its place would wait for a writer for ever),
and at most ``MAX_HEAD_BYTES`` of it (a link to ``/dev/zero`` would never end).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from clockwork_desktop.core.logs import get_logger

log = get_logger(__name__)

_REF_PREFIX = "ref: refs/heads/"
# A HEAD or a ``.git`` file is one short line; git's own limit on a ref name is far below this.
MAX_HEAD_BYTES = 4096


def read_small_file(path: Path) -> tuple[tuple[int, int], str] | None:
    """(modification time, size) and the text of ``path``, when it is a regular file of at
    most ``MAX_HEAD_BYTES``; None for anything else. Never blocks, never reads more."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)  # of what was opened, not of what the name pointed to before
        if not stat.S_ISREG(info.st_mode):
            log.info("%s is not a regular file: not read", path)
            return None
        if info.st_size > MAX_HEAD_BYTES:
            log.info("%s is %d bytes long: not read", path, info.st_size)
            return None
        data = os.read(fd, MAX_HEAD_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_HEAD_BYTES:  # grew after the size was read
        return None
    return (info.st_mtime_ns, info.st_size), data.decode("utf-8", errors="replace")


def head_file(repo: Path) -> Path | None:
    dot_git = repo / ".git"
    if dot_git.is_dir():
        return dot_git / "HEAD"
    if dot_git.is_file():
        found = read_small_file(dot_git)
        text = found[1].strip() if found else ""
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
            info = head.stat()
            if not stat.S_ISREG(info.st_mode):
                log.info("the HEAD of %s is not a regular file: not read", repo)
                return None
            cached = self._cache.get(repo)
            if cached is not None and cached[0] == (info.st_mtime_ns, info.st_size):
                return cached[1]
            found = read_small_file(head)
        except OSError as exc:
            log.info("cannot read the HEAD of %s: %s", repo, exc)
            return None
        if found is None:
            return None
        stamp, text = found
        text = text.strip()
        branch = text.removeprefix(_REF_PREFIX) if text.startswith(_REF_PREFIX) else None
        self._cache[repo] = (stamp, branch)
        return branch
