"""Outputs appear whole or not at all, never over an existing file unless asked, readable like any file."""

from __future__ import annotations

import os
import stat

import pytest

from cchc_xl.writing.atomic import OutputExists, atomic_output


def test_written_file_appears_with_ordinary_permissions(tmp_path):
    target = tmp_path / "sub" / "tong-hop.xlsx"
    with atomic_output(target) as temp:
        temp.write_bytes(b"data")
        assert not target.exists()
    assert target.read_bytes() == b"data"
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~mask
    assert [path.name for path in target.parent.iterdir()] == ["tong-hop.xlsx"]


def test_existing_file_is_kept_without_force_and_replaced_with_it(tmp_path):
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")
    with pytest.raises(OutputExists, match="--force"):
        with atomic_output(target):
            pass
    assert target.read_bytes() == b"old"
    with atomic_output(target, force=True) as temp:
        temp.write_bytes(b"new")
    assert target.read_bytes() == b"new"


def test_failure_while_writing_leaves_no_file_and_no_temporary(tmp_path):
    target = tmp_path / "out.xlsx"
    with pytest.raises(RuntimeError):
        with atomic_output(target) as temp:
            temp.write_bytes(b"half")
            raise RuntimeError("writer crashed")
    assert list(tmp_path.iterdir()) == []
