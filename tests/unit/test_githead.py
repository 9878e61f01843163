"""Reading a repository's HEAD never blocks, never reads more than a few KB, never follows
a HEAD that is not a regular file (a FIFO, a device)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from clockwork_desktop.infra.githead import MAX_HEAD_BYTES, GitHeadReader

pytestmark = pytest.mark.skipif(os.name != "posix", reason="FIFOs and /dev/zero are POSIX")


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    return repo


def _read_in_thread(repo: Path) -> list[str | None]:
    """The branch, read on a thread the test can give up on (today's code blocked for ever)."""
    found: list[str | None] = []
    reader = threading.Thread(target=lambda: found.append(GitHeadReader().branch(str(repo))))
    reader.daemon = True
    reader.start()
    reader.join(timeout=10)
    assert not reader.is_alive(), "reading HEAD blocked"
    return found


def test_a_regular_head_names_its_branch(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/PROJ-7-fix\n")
    assert GitHeadReader().branch(str(repo)) == "PROJ-7-fix"


def test_a_fifo_as_head_is_not_read(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    os.mkfifo(repo / ".git" / "HEAD")
    assert _read_in_thread(repo) == [None]


def test_a_fifo_as_the_dot_git_file_is_not_read(tmp_path: Path) -> None:
    repo = tmp_path / "wt"
    repo.mkdir()
    os.mkfifo(repo / ".git")
    assert _read_in_thread(repo) == [None]


def test_head_linked_to_dev_zero_is_not_read(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / ".git" / "HEAD").symlink_to("/dev/zero")
    assert _read_in_thread(repo) == [None]


def test_a_huge_head_is_read_only_to_its_first_few_kilobytes(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/" + "x" * (4 * 1024 * 1024))
    assert MAX_HEAD_BYTES <= 8192
    assert GitHeadReader().branch(str(repo)) is None  # no branch name is megabytes long
