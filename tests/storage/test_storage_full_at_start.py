"""A disk already full when the bot starts: the full-disk message (not SQLite's «disk I/O
error»), and nothing left behind, least of all an empty file where the database should be
(which the next start would refuse)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import REPO_ROOT

# Run apart: the file size limit that makes every write fail is the whole process's.
CHILD = """
import asyncio, resource, signal, sys
sys.path.insert(0, sys.argv[1])
from bot.runtime.db_errors import explain
import storage.fileprobe
from storage import Database, StorageError
from pathlib import Path

if sys.argv[3] == "full":
    storage.fileprobe.free_bytes = lambda folder: 0  # what statvfs says on a full disk
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))  # writes fail
path = Path(sys.argv[2])
try:
    asyncio.run(Database.open(path))
except StorageError as error:
    print(type(error).__name__)
    print(explain(error, path))
"""


def _open_on_a_full_disk(folder: Path, space: str) -> list[str]:
    path = folder / "baocao.sqlite3"
    run = [sys.executable, "-c", CHILD, str(REPO_ROOT), str(path), space]
    done = subprocess.run(run, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.splitlines()


@pytest.mark.slow
def test_a_full_disk_at_start_says_so_and_leaves_no_files(tmp_path: Path) -> None:
    said = _open_on_a_full_disk(tmp_path, "full")
    assert said[0] == "DiskFullError"
    assert "đã đầy" in said[1] and "disk I/O error" not in "\n".join(said)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_a_write_failure_with_space_left_is_not_called_a_full_disk(tmp_path: Path) -> None:
    said = _open_on_a_full_disk(tmp_path, "space")
    assert said[0] == "StorageError"
