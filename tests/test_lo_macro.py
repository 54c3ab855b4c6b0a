"""LibreOffice opens the built .xlsm files, imports our VBA and runs our own procedures.

LibreOffice cannot run the xlwings add-in (RunPython) or Windows' MessageBoxW: what it checks
is that the project we compile on Linux is read as Excel would read it (every module, with
source that compiles and runs), that the Vietnamese text decoding works in a VBA runtime,
that the folder cell of the Tổng hợp button is written, and that the buttons are there.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

from cchc_xl.vba import workbooks

pytestmark = pytest.mark.libreoffice

HERE = Path(__file__).resolve().parent
SYSTEM_PYTHON = "/usr/bin/python3"
PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" \
oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Filter/Import/VBA"><prop oor:name="Load" oor:op="fuse">\
<value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Filter/Import/VBA"><prop oor:name="Executable" oor:op="fuse">\
<value>true</value></prop></item>
</oor:items>
"""

VIETNAMESE = ("Kiểm tra, Tổng hợp: ăắằẳẵặ âấầẩẫậ đĐ êếềểễệ ôốồổỗộ ơớờởỡợ ưứừửữự ýỳỷỹỵ "
              "ẠẶẬẸỆỊỌỘỢỤỰỴ Phụ lục")
MISSING_ADDIN = "\n".join([
    "Chưa cài Python / xlwings trên máy này, nên nút bấm chưa chạy được.",
    "",
    "Cách cài (làm một lần):",
    '1. Cài Python 3.11 trở lên từ https://www.python.org (chọn "Add python.exe to PATH").',
    "2. Mở Command Prompt (cmd), gõ: pip install cchc-xl",
    "3. Gõ tiếp: cchc-xl excel-setup",
    '4. Đóng hẳn Excel, mở lại tệp này, bấm "Enable Content" (Bật nội dung) nếu Excel hỏi.',
    "",
    "Chưa cài được thì gửi tệp cho cán bộ phụ trách CCHC để kiểm tra bằng lệnh cchc-xl.",
])
FOLDER = "D:\\CCHC\\Quý I năm 2024"


def escaped(text: str) -> str:
    return "".join(ch if ch.isascii() else f"\\u{ord(ch):04X}" for ch in text)


def _uno_available() -> bool:
    if not Path(SYSTEM_PYTHON).exists():
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode == 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_probe(files: list[dict]) -> list[dict]:
    """Start a private headless LibreOffice, run tests/lo_vba_probe.py against it, stop it."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed; CI installs libreoffice-calc and python3-uno")
    if not _uno_available():
        pytest.skip(f"{SYSTEM_PYTHON} cannot import uno; install python3-uno")
    with tempfile.TemporaryDirectory(prefix="lo-vba-") as folder:
        user = Path(folder) / "profile" / "user"
        user.mkdir(parents=True)
        (user / "registrymodifications.xcu").write_text(PROFILE_SETTINGS, "utf-8")
        request = Path(folder) / "request.json"
        request.write_text(json.dumps({"files": files}, ensure_ascii=False), "utf-8")
        port = _free_port()
        office = subprocess.Popen(
            [soffice, "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
             f"-env:UserInstallation={(Path(folder) / 'profile').as_uri()}",
             f"--accept=socket,host=127.0.0.1,port={port};urp;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            done = subprocess.run([SYSTEM_PYTHON, str(HERE / "lo_vba_probe.py"), str(port), str(request)],
                                  capture_output=True, text=True, timeout=240, env={**os.environ, "PYTHONPATH": ""})
            assert done.returncode == 0, f"probe failed:\n{done.stdout}\n{done.stderr}"
            office.wait(timeout=60)
        finally:
            if office.poll() is None:
                os.killpg(office.pid, 15)
                office.wait(timeout=30)
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def probed(tmp_path_factory):
    built = workbooks.build_all(tmp_path_factory.mktemp("workbook"))
    common_calls = [["Helpers.Viet", [escaped(VIETNAMESE)]], ["Helpers.MissingAddinMessage", []],
                    ["Helpers.AddinReady", []], ["Helpers.PythonCall", ["kiem_tra"]],
                    ["Messages.ShowMessage", ["Kiểm tra", "CCHC", 16]],
                    ["Helpers.RunPythonButton", ["kiem_tra", "CCHC"]], ["Helpers.ChooseFolder", ["CCHC"]]]
    files = [
        {"path": str(built["CCHC-TongHop.xlsm"]), "calls": common_calls + [["Helpers.WriteFolder", [FOLDER]]],
         "resolve": ["CCHC.TongHop", "CCHC.BaoCao", "CCHC.KiemTra", "CCHC.NoSuchMacro"],
         "named_cell": workbooks.FOLDER_NAME},
        {"path": str(built["CCHC-PhuLuc-II.xlsm"]), "calls": common_calls + [["Helpers.WriteFolder", [FOLDER]]],
         "resolve": ["CCHC.KiemTra"], "named_cell": workbooks.FOLDER_NAME},
    ]
    tong_hop, phu_luc = run_probe(files)
    return {"CCHC-TongHop.xlsm": tong_hop, "CCHC-PhuLuc-II.xlsm": phu_luc}


def results(probe: dict) -> dict:
    return {call["script"]: call.get("result", call.get("error")) for call in probe["calls"]}


@pytest.mark.parametrize("name", ["CCHC-TongHop.xlsm", "CCHC-PhuLuc-II.xlsm"])
def test_libreoffice_imports_every_module(probed, name):
    modules = set(probed[name]["modules"])
    assert {"ThisWorkbook", "Sheet1", "CCHC", "Helpers", "Messages", "XlwingsBridge", "xlwings_udfs"} <= modules
    macro_files = {path.stem for path in workbooks.MACROS_DIR.glob("*.bas")}
    assert macro_files <= modules


@pytest.mark.parametrize("name", ["CCHC-TongHop.xlsm", "CCHC-PhuLuc-II.xlsm"])
def test_our_functions_run_in_a_vba_runtime(probed, name):
    got = results(probed[name])
    assert got["Helpers.Viet"] == VIETNAMESE
    assert got["Helpers.MissingAddinMessage"] == MISSING_ADDIN
    assert got["Helpers.AddinReady"] is False  # no xlwings add-in here: the buttons say what to install
    assert got["Helpers.PythonCall"] == "import cchc_xl.excel; cchc_xl.excel.kiem_tra()"


@pytest.mark.parametrize("name", ["CCHC-TongHop.xlsm", "CCHC-PhuLuc-II.xlsm"])
def test_buttons_without_the_addin_stop_after_saying_what_to_install(probed, name):
    """A module that does not compile returns None from every function: these values show that
    the message module (Declare, #If) compiles and the no-add-in path runs to its end."""
    got = results(probed[name])
    assert isinstance(got["Messages.ShowMessage"], int)
    assert got["Helpers.RunPythonButton"] is False
    assert got["Helpers.ChooseFolder"] is False


def test_tong_hop_writes_the_chosen_folder_where_python_reads_it(probed):
    probe = probed["CCHC-TongHop.xlsm"]
    assert results(probe)["Helpers.WriteFolder"] is True
    assert probe["named_cell"] == FOLDER


def test_template_has_no_folder_cell_and_says_so(probed):
    probe = probed["CCHC-PhuLuc-II.xlsm"]
    assert results(probe)["Helpers.WriteFolder"] is False
    assert probe["named_cell"] is None


@pytest.mark.parametrize("name, captions", [("CCHC-TongHop.xlsm", ["Tổng hợp", "Báo cáo", "Kiểm tra"]),
                                            ("CCHC-PhuLuc-II.xlsm", ["Kiểm tra"])])
def test_buttons_are_on_the_form_sheet_with_their_macros(probed, name, captions):
    probe = probed[name]
    assert [control["label"] for control in probe["controls"]] == captions
    button_macros = {"Tổng hợp": "TongHop", "Báo cáo": "BaoCao", "Kiểm tra": "KiemTra"}
    for control in probe["controls"]:
        macro = button_macros[control["label"]]
        assert probe["resolved"][f"CCHC.{macro}"] is True
        # LibreOffice binds a button only when its VBA macro resolver finds the Sub on import.
        assert control["events"] == [["XActionListener", "actionPerformed",
                                       f"vnd.sun.star.script:VBAProject.CCHC.{macro}?language=Basic&location=document"]]


def test_a_missing_macro_does_not_resolve(probed):
    """The lookup above can fail: a name with no Sub behind it is reported as missing."""
    assert probed["CCHC-TongHop.xlsm"]["resolved"]["CCHC.NoSuchMacro"] is False
