"""Writing output files (`--out`, `--tlog-proof`, report tables, a witness's state) safely.

`write_file` never follows a symlink and never silently replaces a file:

- the bytes go to a new temporary file in the target's directory (created exclusively, mode
  0644 less the umask), are flushed to disk, and only then take the target's name, so a reader
  or a crash never sees half a file;
- a target that is a symlink is refused (even with `replace`): writing through it would put
  ledger output wherever the link points (another user's file, a key);
- a target that exists is refused unless `replace` is given (the user's ``--force``, or a file
  the program owns, like a witness's state); even then only a regular file is replaced;
- without `replace` the new file takes its name with ``link`` (fails if the name was taken in
  the meantime) rather than ``rename`` (which would replace it).

Errors: UsageError (exit 2) for a symlink, an existing target or a directory that does not
exist, StorageError (exit 5) when the file system refuses.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from domain.errors import StorageError, UsageError


def check_target(path: Path, replace: bool) -> None:
    """Refuse `path` as an output file: a symlink always; an existing non-regular file always;
    an existing regular file unless `replace`; a new file in a missing directory. Raises
    UsageError."""
    try:
        info = path.lstat()
    except (FileNotFoundError, NotADirectoryError):
        _check_directory(path)
        return
    except OSError as exc:
        raise StorageError(f"cannot write '{path}': {exc.strerror}") from exc
    if stat.S_ISLNK(info.st_mode):
        raise UsageError(f"'{path}' is a symbolic link: refusing to write through it")
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"'{path}' exists and is not a regular file: refusing to replace it")
    if not replace:
        raise UsageError(f"'{path}' already exists: give --force to replace it")


def _check_directory(path: Path) -> None:
    """A new output file's directory must exist: a missing one is the user's slip (a usage
    error naming it), not a storage failure; it is never created behind their back."""
    directory = path.parent
    if not directory.is_dir():
        what = "is not a directory" if directory.exists() else "does not exist"
        raise UsageError(f"cannot write '{path}': directory '{directory}' {what}")


def write_file(
    path: Path,
    chunks: Iterable[bytes],
    replace: bool = False,
    unless: Callable[[], bool] | None = None,
) -> bool:
    """Write `chunks` to `path` through a temporary file in the same directory, then rename
    it into place (see the module docstring). Nothing is left behind on failure. `unless`,
    asked once every chunk is written, may keep the file as it was (the temporary file is
    dropped): True when the file was written."""
    check_target(path, replace)
    directory = path.parent
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise StorageError(f"cannot write '{path}': {exc.strerror}") from exc
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if unless is not None and unless():
            return False
        os.chmod(tmp, 0o666 & ~_umask())
        _place(tmp, path, replace)
        return True
    except OSError as exc:
        raise StorageError(f"cannot write '{path}': {exc.strerror}") from exc
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: Path, text: str, replace: bool = False) -> None:
    """`write_file` for one UTF-8 text (written as is: no newline translation)."""
    write_file(path, [text.encode("utf-8")], replace)


def _place(tmp: Path, path: Path, replace: bool) -> None:
    if replace:
        check_target(path, replace)  # still not a symlink just before the rename
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # atomic, and fails if the name was taken meanwhile
    except FileExistsError:
        check_target(path, replace)  # raises: it exists now
        raise
    except OSError:  # a file system without hard links: check, then rename
        check_target(path, replace)
        os.rename(tmp, path)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
