"""Temporary files of atomic writes: named so that an orphan can be recognised and removed.

A save writes ``.<name>.mk<pid>-<12 hex>.tmp`` beside its target, holds an exclusive `flock`
on it until the rename, and renames it over the target. A process killed mid-save (SIGKILL,
power loss) leaves that file behind; `remove_stale` deletes such files when their writer is
gone: the pid in the name is not a live process (a zombie counts as gone) *and* no one holds
the lock (where the file system supports locks; the kernel drops a dead process's locks, also
across pid namespaces and on NFS). Only regular files of exactly this pattern, owned by the
current user, are ever touched: other files in the folder, a live writer's file (another
thread or process) and temporaries of older minikeras versions (no pid in the name) stay.
"""
from __future__ import annotations

import os
import re
import secrets
import stat

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; the pid alone decides
    fcntl = None

_TEMPORARY = re.compile(r"^\..+\.mk(?P<pid>\d{1,10})-[0-9a-f]{12}\.tmp$")


def is_temporary_name(name: str) -> bool:
    """True for a file name made by `create_temporary` (by any process)."""
    return _TEMPORARY.match(name) is not None


def create_temporary(path: str, folder: str) -> tuple[int, str]:
    """A new, uniquely named file beside ``path``, locked by this process.

    Its mode is ``path``'s when that exists, else what any new file gets (0666 less the
    umask; `tempfile.mkstemp` would give 0600). Returns ``(fd, temporary path)``.
    """
    while True:
        name = f".{os.path.basename(path)}.mk{os.getpid()}-{secrets.token_hex(6)}.tmp"
        tmp = os.path.join(folder, name)
        try:
            fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        try:
            _try_lock(fd)
            try:
                os.chmod(tmp, os.stat(path).st_mode & 0o777)
            except FileNotFoundError:
                pass
        except BaseException:
            os.close(fd)
            os.unlink(tmp)
            raise
        return fd, tmp


def _try_lock(fd: int) -> bool:
    """Takes an exclusive lock without waiting; False when another holder has it.

    A file system without lock support counts as unlocked (the pid then decides alone).
    """
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:  # ENOLCK and the like
        return True
    return True


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` names a running process on this machine (zombies are not running)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    except (OSError, OverflowError):  # e.g. a pid beyond the platform's range
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().rsplit(b")", 1)[1].split()[0]
        return state not in (b"Z", b"X")
    except (OSError, IndexError):
        return True


def remove_stale(folder: str) -> list[str]:
    """Deletes the orphaned temporary files of killed saves in ``folder``; returns their paths.

    Never raises: cleaning up is a courtesy and must not make a save fail.
    """
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        match = _TEMPORARY.match(name)
        if match is None or pid_alive(int(match["pid"])):
            continue
        path = os.path.join(folder, name)
        try:
            info = os.lstat(path)
            if not stat.S_ISREG(info.st_mode) or \
                    (hasattr(os, "getuid") and info.st_uid != os.getuid()):
                continue
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            if _try_lock(fd) and os.fstat(fd).st_ino == info.st_ino:
                os.unlink(path)
                removed.append(path)
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed
