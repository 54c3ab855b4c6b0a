"""`cchc-xl excel-setup` on Linux, HOME pointed at a temporary folder: the add-in copied where Excel
loads it, the interpreter written into xlwings' own configuration file (read back by xlwings
itself), idempotent, and --check only reporting."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cchc_xl import excel_setup

pytestmark = pytest.mark.slow  # each test starts Python (and xlwings) several times


def _env(home: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("APPDATA", "USERPROFILE")}
    env["HOME"] = str(home)
    return env


def setup(home: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cchc_xl", "excel-setup", *args], env=_env(home),
                          capture_output=True, text=True, timeout=300)


def xlwings_sees(home: Path) -> dict:
    """What xlwings itself reads from the configuration under `home`."""
    code = ("import json, xlwings, xlwings.utils; "
            "print(json.dumps({'file': xlwings.USER_CONFIG_FILE, 'config': xlwings.utils.read_user_config()}))")
    result = subprocess.run([sys.executable, "-c", code], env=_env(home), capture_output=True, text=True,
                            timeout=120, check=True)
    return json.loads(result.stdout)


def _state(home: Path) -> dict:
    return {str(path.relative_to(home)): path.read_bytes() for path in sorted(home.rglob("*")) if path.is_file()}


@pytest.fixture()
def home(tmp_path):
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


def test_check_on_a_fresh_machine_reports_and_changes_nothing(home):
    result = setup(home, "--check")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "chỉ kiểm tra, không thay đổi gì" in result.stdout
    assert result.stdout.count("  [cần sửa] ") == 3 and "Excel chưa gọi được Python" in result.stdout
    assert "Phần bổ trợ xlwings chưa có" in result.stdout and "chưa ghi Python nào" in result.stdout
    assert _state(home) == {}


def test_setup_installs_configures_and_is_idempotent(home):
    first = setup(home)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Đã chép phần bổ trợ xlwings" in first.stdout and "Đóng hẳn Excel rồi mở lại" in first.stdout
    addin = home / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART" / "xlwings.xlam"
    assert addin.read_bytes() == excel_setup.addin_source().read_bytes()
    seen = xlwings_sees(home)
    assert seen["file"] == str(home / ".xlwings" / "xlwings.conf") == str(excel_setup.user_config_file()).replace(
        os.path.expanduser("~"), str(home))
    assert seen["config"] == {"interpreter_win": sys.executable}
    assert "Python mà Excel sẽ gọi chạy được" in first.stdout
    written = _state(home)

    again = setup(home)
    assert again.returncode == 0 and "không cần thay đổi gì" in again.stdout, again.stdout
    assert "Đã chép" not in again.stdout and "Đã ghi" not in again.stdout
    assert _state(home) == written

    checked = setup(home, "--check")
    assert checked.returncode == 0 and checked.stdout.count("  [đúng] ") == 3, checked.stdout


def test_setup_keeps_other_settings_and_replaces_an_old_interpreter(home):
    config = home / ".xlwings" / "xlwings.conf"
    config.parent.mkdir()
    config.write_text('"LICENSE_KEY","noncommercial"\n"INTERPRETER_WIN","C:\\Python39\\pythonw.exe"\n', "utf-8")
    before = setup(home, "--check")
    assert before.returncode == 1 and "C:\\Python39\\pythonw.exe" in before.stdout
    assert "Không tìm thấy Python «C:\\Python39\\pythonw.exe»" in before.stdout
    result = setup(home)
    assert result.returncode == 0, result.stdout
    assert "trước đây: C:\\Python39\\pythonw.exe" in result.stdout
    assert xlwings_sees(home)["config"] == {"license_key": "noncommercial", "interpreter_win": sys.executable}


def test_an_addin_of_another_xlwings_version_is_replaced(home):
    addin = home / "AppData" / "Roaming" / "Microsoft" / "Excel" / "XLSTART" / "xlwings.xlam"
    addin.parent.mkdir(parents=True)
    addin.write_bytes(b"an older add-in")
    assert "khác phiên bản xlwings" in setup(home, "--check").stdout
    assert setup(home).returncode == 0
    assert addin.read_bytes() == excel_setup.addin_source().read_bytes()


def test_a_configured_python_without_cchc_xl_is_named(home, tmp_path):
    """The interpreter Excel would start cannot import cchc_xl: the step says so and what to type."""
    bare = tmp_path / "bare-python"
    bare.write_text(f"#!/bin/sh\nexec {sys.executable} -I -S \"$@\"\n")
    bare.chmod(0o755)
    config = home / ".xlwings" / "xlwings.conf"
    config.parent.mkdir()
    config.write_text(f'"INTERPRETER_WIN","{bare}"\n', "utf-8")
    step = subprocess.run([sys.executable, "-c", "from cchc_xl import excel_setup; import sys; "
                           f"s = excel_setup.probe_interpreter({str(bare)!r}); print(s.ok); print(s.text)"],
                          env=_env(home), capture_output=True, text=True, timeout=120, check=True).stdout
    assert step.startswith("False") and "không nạp được cchc_xl hoặc xlwings" in step and "pip install cchc-xl" in step
