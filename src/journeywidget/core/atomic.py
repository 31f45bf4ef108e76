"""Writing files so that nothing is lost: every save and export goes through :func:`atomic_write`.

The promise: after a write the file holds either its previous content or the
complete new content, never a mix and never a truncated file, and it keeps what
makes it *that* file.

* The new bytes go to a temporary file in the target's folder, are flushed and
  fsynced, and only then replace the target with ``os.replace`` (atomic on POSIX
  and Windows); the folder is fsynced afterwards. A failing disk leaves the old
  file byte-identical and no temporary file behind.
* A **symbolic link** is written through: its target gets the new content and
  the link stays a link (replacing the link with a plain file would leave the
  real file stale).
* A file with several **hard links** cannot be replaced without cutting the
  other names off, so its inode is rewritten in place - but only after the new
  content is safely on disk in the temporary file, with the space reserved first
  and the old bytes put back if the copy fails. Should the machine die during
  those few milliseconds of copying, the complete new content is still beside
  the file as ``.<name>.<random>.tmp`` (and if a failed copy cannot be undone,
  the error names that file).
* A **read-only** file (no write permission bit, or not writable by this user)
  is refused with :class:`~journeywidget.errors.FileWriteError`; so is a folder
  in the way. The mode (and, when allowed, the owner) of an existing file is kept;
  a new file gets the usual ``0o666`` minus the umask.
* Devices and pipes (``/dev/stdout``) are written directly: they have no old
  content to protect. So is a writable file in a folder that takes no new files
  (no temporary file can be made there): in place, with the old bytes put back
  if the write fails.

>>> import os, tempfile
>>> p = os.path.join(tempfile.mkdtemp(), "notes.txt")
>>> _ = atomic_write(p, "first")
>>> _ = atomic_write(p, "second")
>>> open(p).read()
'second'
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import FileWriteError

__all__ = ["atomic_write", "digest", "file_digest"]


def digest(data: bytes) -> str:
    """The content hash used to notice changes on disk (sha256, hex).

    >>> digest(b"")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(data).hexdigest()


def file_digest(path: str | os.PathLike) -> str | None:
    """:func:`digest` of a file's bytes, or ``None`` when there is no such file."""
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    return h.hexdigest()


def _umask() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def _resolve(p: Path) -> Path:
    """The file a write to ``p`` must change: the end of a symlink chain, else ``p`` itself."""
    if not os.path.islink(p):
        return p
    target = Path(os.path.realpath(p))
    if os.path.islink(target):
        raise FileWriteError(f"{p} is a symbolic link that loops; nothing was written. Fix or remove the link.", str(p))
    return target


def _refuse_if_unwritable(p: Path, target: Path, st: os.stat_result) -> None:
    if stat.S_ISDIR(st.st_mode):
        raise FileWriteError(f"{p} is a folder; nothing was written. Give a file name, such as {p / 'map.json'}.",
                             str(p))
    if not (st.st_mode & 0o222) or not os.access(target, os.W_OK):
        raise FileWriteError(
            f"{p} is read-only; nothing was written. Make it writable first (chmod u+w '{target}') "
            "or write to another path.", str(p),
        )


def atomic_write(
    path: str | os.PathLike,
    data: bytes | str,
    *,
    check: Callable[[Path], None] | None = None,
) -> Path:
    """Write ``data`` (text is written as UTF-8) to ``path`` atomically; returns the path written.

    ``check(target)`` runs after the new content is safely in the temporary file
    and just before it takes the target's place; if it raises, nothing changes.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    p = Path(path)
    if not str(path):
        raise FileWriteError("no file name given; pass a path such as 'map.json'")
    target = _resolve(p)
    try:
        st: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        raise FileWriteError(f"{p}: a part of this path is a file, not a folder; nothing was written.",
                             str(p)) from None
    if st is not None:
        _refuse_if_unwritable(p, target, st)
        if not stat.S_ISREG(st.st_mode):  # a device or a pipe: nothing to keep, nothing to rename over
            with open(target, "wb") as fh:
                fh.write(data)
            return p
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise FileWriteError(
            f"the folder {folder} does not exist; nothing was written. Create it first "
            f"(Path({str(folder)!r}).mkdir(parents=True)) or write to another path.", str(p),
        )
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except PermissionError:
        if st is None:
            raise
        # The folder takes no new files but the file may be written (a shared folder): rewrite it
        # in place, with the old bytes put back if that fails.
        if check is not None:
            check(target)
        _overwrite_in_place(target, data, None)
        return p
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if check is not None:
            check(target)
        if st is not None and st.st_nlink > 1:
            _overwrite_in_place(target, data, tmp)
            os.unlink(tmp)
        else:
            os.chmod(tmp, (st.st_mode & 0o7777) if st is not None else (0o666 & ~_umask()))
            if st is not None:
                _keep_owner(tmp, st)
            os.replace(tmp, target)
    except _Unrestored:
        raise  # the temporary file holds the only complete copy of the new content: keep it
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_folder(folder)
    return p


def _keep_owner(tmp: str, st: os.stat_result) -> None:
    """Give the new file the old one's owner when this process may (root saving a user's file)."""
    if not hasattr(os, "chown") or (st.st_uid, st.st_gid) == (os.getuid(), os.getgid()):
        return
    try:
        os.chown(tmp, st.st_uid, st.st_gid)
    except OSError:
        pass


class _Unrestored(FileWriteError):
    """An in-place rewrite failed and the old bytes could not be put back either."""


def _overwrite_in_place(target: Path, data: bytes, tmp: str | None) -> None:
    """Rewrite a hard-linked file through its inode; on failure put the old bytes back."""
    fd = os.open(target, os.O_RDWR)
    try:
        old = b""
        while True:
            block = os.read(fd, 1 << 20)
            if not block:
                break
            old += block
        try:
            if len(data) > len(old) and hasattr(os, "posix_fallocate"):
                try:  # reserve the space first: a full disk then fails before a byte changes
                    os.posix_fallocate(fd, 0, len(data))
                except OSError as e:
                    if e.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
                        raise
            _pwrite_all(fd, data)
            os.ftruncate(fd, len(data))
            os.fsync(fd)
        except BaseException as failure:
            try:
                _pwrite_all(fd, old)
                os.ftruncate(fd, len(old))
                os.fsync(fd)
            except OSError as e:
                kept = f"the complete new content is in {tmp}" if tmp else "the new content was not saved"
                raise _Unrestored(
                    f"writing {target} failed ({failure}) and its old content could not be put back ({e}); {kept}",
                    str(target),
                ) from failure
            raise
    finally:
        os.close(fd)


def _pwrite_all(fd: int, data: bytes) -> None:
    os.lseek(fd, 0, os.SEEK_SET)
    view = memoryview(data)
    done = 0
    while done < len(view):
        done += os.write(fd, view[done:])


def _fsync_folder(folder: Path) -> None:
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)
