"""Cài đặt cho Excel (`cchc-xl excel-setup`): the xlwings add-in and its configuration for this Python.

The buttons of the .xlsm workbooks call the xlwings add-in, which starts the interpreter named in
xlwings' own user configuration. This does what `xlwings addin install` and `xlwings config create`
do (xlwings 0.37.8, cli.py), so it can be repeated and checked without Excel running:

- the add-in xlwings.xlam of the installed xlwings package is copied into Excel's start-up folder
  XLSTART (%APPDATA%\\Microsoft\\Excel\\XLSTART), which Excel opens at start;
- "INTERPRETER_WIN" (INTERPRETER_MAC on a Mac) in xlwings.conf (~/.xlwings/xlwings.conf, the file
  xlwings.USER_CONFIG_FILE names) is set to this Python, other entries kept;
- that interpreter is started the way the add-in starts it and must import xlwings and cchc_xl.excel
  and see the same configuration.

Nothing is imported from xlwings here (cchc_xl/excel.py is the only module that does): its files are
found through importlib, and the last check runs in the configured interpreter itself.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .writing.atomic import atomic_output

ADDIN_NAME = "xlwings.xlam"
PROBE_TIMEOUT_SECONDS = 120
# Run by the configured interpreter: what the add-in needs there, and the configuration xlwings reads.
_PROBE = ("import json, xlwings, xlwings.utils, cchc_xl.excel; "
          "print(json.dumps({'version': xlwings.__version__, 'config': xlwings.USER_CONFIG_FILE, "
          "'interpreter': xlwings.utils.read_user_config().get(%r)}))")


@dataclass(frozen=True)
class Step:
    ok: bool
    text: str  # Vietnamese: what was found or done
    changed: bool = False


def interpreter_key() -> str:
    """The key of xlwings.conf the add-in reads the interpreter from (as `xlwings config create` writes it)."""
    return "INTERPRETER_MAC" if sys.platform.startswith("darwin") else "INTERPRETER_WIN"


def user_config_file() -> Path:
    """xlwings.USER_CONFIG_FILE, computed as xlwings computes it."""
    home = Path(os.path.expanduser("~"))
    if sys.platform.startswith("darwin"):
        return home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / "xlwings.conf"
    return home / ".xlwings" / "xlwings.conf"


def xlstart_folder() -> Path:
    """Excel's per-user start-up folder."""
    if sys.platform.startswith("darwin"):
        return (Path(os.path.expanduser("~")) / "Library" / "Group Containers" / "UBF8T346G9.Office"
                / "User Content" / "Startup" / "Excel")
    roaming = os.environ.get("APPDATA") or str(Path(os.path.expanduser("~")) / "AppData" / "Roaming")
    return Path(roaming) / "Microsoft" / "Excel" / "XLSTART"


def addin_source() -> Path | None:
    """xlwings.xlam of the xlwings installed for this Python, or None when xlwings is not installed."""
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.origin:
        return None
    path = Path(spec.origin).parent / "addin" / ADDIN_NAME
    return path if path.is_file() else None


def read_config(path: Path) -> list[tuple[str, str]]:
    """The entries of an xlwings.conf ("KEY","value" per line), in order, as xlwings reads them."""
    if not path.is_file():
        return []
    entries = []
    for line in path.read_text("utf-8", errors="replace").splitlines():
        values = re.findall(r'"[^"]*"', line)
        if len(values) >= 2:
            entries.append((values[0].strip('"'), values[1].strip('"')))
    return entries


def _config_text(entries: list[tuple[str, str]]) -> str:
    return "".join(f'"{key}","{value}"\n' for key, value in entries)


def install_addin(check_only: bool) -> Step:
    source = addin_source()
    if source is None:
        return Step(False, "Chưa cài xlwings cho Python này: gõ «pip install cchc-xl» (xlwings đi kèm) rồi chạy lại.")
    target = xlstart_folder() / ADDIN_NAME
    if target.is_file() and target.read_bytes() == source.read_bytes():
        return Step(True, f"Phần bổ trợ xlwings đã có trong thư mục khởi động của Excel: {target}")
    state = "khác phiên bản xlwings của Python này" if target.is_file() else "chưa có"
    if check_only:
        return Step(False, f"Phần bổ trợ xlwings {state} ở {target}. Chạy «cchc-xl excel-setup» để cài.")
    try:
        with atomic_output(target, force=True) as temp:
            shutil.copyfile(source, temp)
    except OSError as exc:
        return Step(False, f"Không chép được phần bổ trợ vào {target} ({exc.strerror or exc}). "
                           "Đóng hẳn Excel rồi chạy lại lệnh.")
    return Step(True, f"Đã chép phần bổ trợ xlwings vào thư mục khởi động của Excel: {target}", changed=True)


def configure_interpreter(check_only: bool, python: str) -> Step:
    path, key = user_config_file(), interpreter_key()
    entries = read_config(path)
    current = dict((name.upper(), value) for name, value in entries).get(key)
    if current == python:
        return Step(True, f"Tệp cấu hình xlwings {path} đã chỉ đến Python này: {python}")
    if check_only:
        found = f"đang ghi «{current}»" if current else "chưa ghi Python nào"
        return Step(False, f"Tệp cấu hình xlwings {path} {found}. Chạy «cchc-xl excel-setup» để ghi {python}.")
    entries = [(name, value) for name, value in entries if name.upper() != key] + [(key, python)]
    try:
        with atomic_output(path, force=True) as temp:
            temp.write_text(_config_text(entries), "utf-8")
    except OSError as exc:
        return Step(False, f"Không ghi được tệp cấu hình {path} ({exc.strerror or exc}).")
    before = f" (trước đây: {current})" if current else ""
    return Step(True, f"Đã ghi vào {path}: Excel dùng Python {python}{before}", changed=True)


def probe_interpreter(python: str) -> Step:
    """Start the configured Python as the add-in does and ask it what the add-in will need."""
    if not python:
        return Step(False, "Cấu hình xlwings chưa ghi Python nào, nên Excel chưa gọi được Python.")
    if not Path(python).is_file():
        return Step(False, f"Không tìm thấy Python «{python}» mà Excel sẽ gọi.")
    try:
        result = subprocess.run([python, "-c", _PROBE % interpreter_key().lower()], capture_output=True,
                                text=True, timeout=PROBE_TIMEOUT_SECONDS)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Step(False, f"Không chạy được {python} ({exc}).")
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["?"])[-1]
        return Step(False, f"Python {python} chạy nhưng không nạp được cchc_xl hoặc xlwings ({last}). "
                           "Gõ «pip install cchc-xl» bằng chính Python này.")
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    if seen["interpreter"] != python:
        return Step(False, f"xlwings trong {python} đọc cấu hình {seen['config']} và thấy Python "
                           f"«{seen['interpreter']}», không phải {python}.")
    return Step(True, f"Python mà Excel sẽ gọi chạy được: {python} nạp được cchc_xl và xlwings {seen['version']}, "
                      f"đọc đúng cấu hình {seen['config']}.")


def run_setup(check_only: bool, python: str | None = None) -> list[Step]:
    python = python or sys.executable
    steps = [install_addin(check_only), configure_interpreter(check_only, python)]
    configured = dict((name.upper(), value) for name, value in read_config(user_config_file()))
    steps.append(probe_interpreter(configured.get(interpreter_key(), "")))
    return steps
