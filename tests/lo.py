"""LibreOffice (headless) for tests: recalculate workbooks, convert them, render them to pictures.

XlsxWriter stores 0 (or what it is given) as every formula's cached result, and LibreOffice by
default keeps cached results of .xlsx files it did not write. `profile(recalc=True)` makes a
private profile whose settings force a recalculation on load, so converted files hold the values
LibreOffice computed.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

# Formula/Load recalculation modes: 0 = always recalculate, 1 = never, 2 = ask.
_RECALC_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">\
<value>{mode}</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">\
<value>{mode}</value></prop></item>
</oor:items>
"""

FILTERS = {
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "ods": "ods",
    "xls": "xls:MS Excel 97",
    "pdf": "pdf:calc_pdf_Export",
    "docx-pdf": "pdf:writer_pdf_Export",  # a Word document printed to PDF by Writer
    "docx": "docx:MS Word 2007 XML",  # a Word document opened and saved again by Writer
    # UTF-8, comma-separated, first sheet, values as shown (number formats applied).
    "csv": "csv:Text - txt - csv (StarCalc):44,34,76,1",
    "html": "html:HTML (StarCalc)",  # a sheet saved as a web page
    "htm": "htm:HTML (StarWriter)",  # a Word document saved as a web page
}


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def require_soffice() -> str:
    """The LibreOffice binary, or skip the calling test when it is not installed."""
    import pytest

    binary = soffice()
    if binary is None:
        pytest.skip("LibreOffice (soffice) is not installed; CI installs it (apt-get install libreoffice-calc)")
    return binary


@contextmanager
def profile(*, recalc: bool = True) -> Iterator[Path]:
    """A throw-away LibreOffice user profile; with `recalc`, formulas are recalculated on load."""
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as folder:
        user = Path(folder) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_RECALC_SETTINGS.format(mode=0 if recalc else 1), "utf-8")
        yield Path(folder)


def convert(source: Path, fmt: str, outdir: Path, *, recalc: bool = True, timeout: int = 180) -> Path:
    """Open `source` in LibreOffice and save it as `fmt` (xlsx, ods, xls, pdf, csv) into `outdir`."""
    binary = require_soffice()
    source, outdir = Path(source), Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    if outdir.resolve() == source.parent.resolve() and source.suffix.lower() == f".{fmt}":
        raise ValueError("converting into the source's own folder would overwrite it")
    with profile(recalc=recalc) as folder:
        result = subprocess.run(
            [binary, f"-env:UserInstallation={folder.as_uri()}", "--headless", "--norestore",
             "--convert-to", FILTERS["docx-pdf" if fmt == "pdf" and source.suffix.lower() == ".docx" else fmt], "--outdir", str(outdir), str(source)],
            capture_output=True, timeout=timeout, text=True)
    target = outdir / f"{source.stem}.{fmt}"
    if result.returncode != 0 or not target.exists():
        raise RuntimeError(f"LibreOffice did not produce {target}: {result.stdout} {result.stderr}")
    return target


def convert_many(sources: list[Path], fmt: str, outdir: Path, *, recalc: bool = True, timeout: int = 600) -> list[Path]:
    """`convert` for many files in one LibreOffice start (most of a conversion's time is the start)."""
    binary = require_soffice()
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    if any(Path(source).parent.resolve() == outdir.resolve() for source in sources):
        raise ValueError("converting into a source's own folder could overwrite it")
    with profile(recalc=recalc) as folder:
        result = subprocess.run(
            [binary, f"-env:UserInstallation={folder.as_uri()}", "--headless", "--norestore",
             "--convert-to", FILTERS[fmt], "--outdir", str(outdir), *map(str, sources)],
            capture_output=True, timeout=timeout, text=True)
    targets = [outdir / f"{Path(source).stem}.{fmt}" for source in sources]
    missing = [target.name for target in targets if not target.exists()]
    if result.returncode != 0 or missing:
        raise RuntimeError(f"LibreOffice did not produce {missing}: {result.stdout} {result.stderr}")
    return targets


def render_pdf_png(source: Path, outdir: Path, *, dpi: int = 80) -> list[Path]:
    """Print `source` to PDF with LibreOffice, then each page to PNG with pdftoppm; the PNG paths."""
    pdf = convert(source, "pdf", outdir)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        import pytest

        pytest.skip("pdftoppm (poppler-utils) is not installed")
    prefix = Path(outdir) / source.stem
    subprocess.run([pdftoppm, "-png", "-r", str(dpi), str(pdf), str(prefix)], check=True, timeout=120)
    return sorted(Path(outdir).glob(f"{source.stem}-*.png"))


def pdf_text(pdf: Path, page: int) -> str:
    """One page's text in the order it was printed (pdftotext -raw: a table row by row, cell by cell)."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        import pytest

        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run([pdftotext, "-raw", "-f", str(page), "-l", str(page), str(pdf), "-"], check=True,
                          capture_output=True, text=True, timeout=60).stdout
