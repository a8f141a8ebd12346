"""The per-install key that signs approval buttons: made once, atomically, kept private.

A key read while another process is still writing it (or left empty by a crash) would
sign buttons with ``HMAC(b"")``, which anyone can forge. So the key is written to a
temporary file, flushed to disk, then linked into place (a link never replaces a key
another process made first), and a key is used only if it is exactly the right length,
belongs to this process's user and is readable by nobody else.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import tempfile
from pathlib import Path

KEY_BYTES = 32


class KeyFileError(ValueError):
    """The key file exists but must not be trusted (wrong size, owner or permissions)."""


def load_secret(path: str | Path) -> bytes:
    """The key at ``path``, created on first use (mode 0600, in a 0700 folder)."""
    target = Path(path)
    try:
        return read_key(target)
    except FileNotFoundError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")  # 0600
    try:
        try:
            os.write(fd, secrets.token_bytes(KEY_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
        with contextlib.suppress(FileExistsError):  # another process was first: use its key
            os.link(temporary, target)
    finally:
        os.unlink(temporary)
    _sync_folder(target.parent)
    return read_key(target)


def read_key(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise KeyFileError(f"cannot read the approvals key {path} ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise KeyFileError(f"the approvals key {path} is not a regular file")
        if info.st_uid != os.geteuid():
            raise KeyFileError(
                f"the approvals key {path} belongs to user {info.st_uid}, not to this "
                f"process's user {os.geteuid()}; run as its owner, or move it away to make a "
                "new key"
            )
        mode = stat.S_IMODE(info.st_mode)
        if mode != 0o600:
            raise KeyFileError(
                f"the approvals key {path} has mode {mode:04o}; others may read it. If nobody "
                f"did, `chmod 600 {path}`; else delete it (a new key is made; open requests "
                "become invalid)"
            )
        key = os.read(fd, KEY_BYTES + 1) if info.st_size == KEY_BYTES else b""
    finally:
        os.close(fd)
    if len(key) != KEY_BYTES:
        raise KeyFileError(
            f"the approvals key {path} is {info.st_size} bytes, not {KEY_BYTES}: it is damaged; "
            "delete it to make a new one (open requests become invalid)"
        )
    return key


def _sync_folder(folder: Path) -> None:
    """Make the new name itself durable (the link is an entry in the folder)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
