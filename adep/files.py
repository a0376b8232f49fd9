"""Writing a file so that no reader ever sees half of it, and fingerprinting a file's bytes."""
from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path


def temporary_beside(target: str | Path) -> Path:
    """The temporary name a file is written under before it replaces target: hidden, beside it, this process's own."""
    target = Path(target)
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def stale_temporaries(target: str | Path) -> list[Path]:
    """Temporaries of target that a killed run left behind (any process's)."""
    target = Path(target)
    return sorted(target.parent.glob(f".{target.name}.*.tmp"))


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """A path to write instead of target; when the block ends it replaces target at once, on an error it is removed.

    The temporary file stands beside the target (same file system), so the rename is atomic: a reader sees the
    old file or the new one, never a half-written one.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_beside(target)
    try:
        yield tmp
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_text_atomic(target: str | Path, text: str) -> Path:
    """Write text (UTF-8) to target through a temporary file beside it."""
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(target)


def sha256_of(path: str | Path) -> str | None:
    """The bytes' fingerprint of a regular file; None for links, pipes and anything that is not one (never followed)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        h = hashlib.sha256()
        with os.fdopen(fd, "rb", closefd=False) as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None
    finally:
        os.close(fd)
