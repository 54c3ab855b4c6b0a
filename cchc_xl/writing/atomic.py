"""Outputs are written to a temporary file beside the target and renamed into place, so a
crash never leaves half a workbook, and an existing file is replaced only when asked."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


class OutputExists(FileExistsError):
    def __init__(self, path: Path):
        super().__init__(f"{path}: tệp đã có. Hãy chọn tên khác, hoặc thêm --force để ghi đè.")


@contextmanager
def atomic_output(path: str | os.PathLike, *, force: bool = False) -> Iterator[Path]:
    """Yield a temporary path to write; on success it replaces `path`, on error it is removed."""
    target = Path(path)
    if target.exists() and not force:
        raise OutputExists(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    os.close(handle)
    temp = Path(temp_name)
    try:
        yield temp
        if target.exists() and not force:  # appeared while we were writing
            raise OutputExists(target)
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes the file private; the output is an ordinary file
        os.replace(temp, target)
    finally:
        temp.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
