"""vbaProject.bin from module source text ([MS-OVBA] 2.2-2.3).

The project is stored as source only: _VBA_PROJECT has version 0xFFFF and there is no
performance cache, so the host compiles the modules when it opens the file ([MS-OVBA] 1.6,
2.3.4.1). Module streams are the compressed source; the dir stream describes the project.
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass
from typing import Iterable, Sequence

from . import cfb, ovba

CODE_PAGE = 1252
ENCODING = "cp1252"
LCID_EN_US = 0x0409
SYSKIND_WIN64 = 3
WORKBOOK_BASE = "0{00020819-0000-0000-C000-000000000046}"
WORKSHEET_BASE = "0{00020820-0000-0000-C000-000000000046}"
_HOST_EXTENDER = "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000"
_VISIBLE = bytes([0xFF])
_ENCRYPTION_SEED = 0x0B  # any seed is valid; a fixed one keeps the file reproducible

STANDARD_REFERENCES = (
    ("stdole", "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\\Windows\\System32\\stdole2.tlb#OLE Automation"),
    ("Office", "*\\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#"
               "C:\\Program Files\\Common Files\\Microsoft Shared\\OFFICE16\\MSO.DLL#Microsoft Office 16.0 Object Library"),
)


class VbaSourceError(ValueError):
    """A module text that cannot go into a project; the message names the module."""


@dataclass(frozen=True)
class Module:
    """One VBA module: `source` is the full text as VBE exports it, Attribute lines included."""
    name: str
    source: str
    document: bool = False

    @property
    def stream_bytes(self) -> bytes:
        return ovba.compress(_module_text(self))


def standard_module(source: str) -> Module:
    """A standard module from exported .bas text; its name is the `Attribute VB_Name` value."""
    return Module(module_name(source), source)


def document_module(name: str, *, workbook: bool = False) -> Module:
    """The empty class module Excel keeps for the workbook (ThisWorkbook) or for one sheet."""
    lines = [
        f'Attribute VB_Name = "{name}"',
        f'Attribute VB_Base = "{WORKBOOK_BASE if workbook else WORKSHEET_BASE}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]
    return Module(name, "\r\n".join(lines) + "\r\n", document=True)


def module_name(source: str) -> str:
    first = source.lstrip("\ufeff").splitlines()[0] if source.strip() else ""
    prefix = 'Attribute VB_Name = "'
    if not (first.startswith(prefix) and first.endswith('"')):
        raise VbaSourceError(f'the first line must be Attribute VB_Name = "<name>", found {first[:60]!r}')
    name = first[len(prefix):-1]
    if not name.isidentifier() or not name.isascii() or len(name) > 31:
        raise VbaSourceError(f"{name!r} is not a valid VBA module name")
    return name


def _module_text(module: Module) -> bytes:
    text = module.source.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():
        bad = next(index for index, ch in enumerate(text) if not ch.isascii())
        line = text.count("\n", 0, bad) + 1
        raise VbaSourceError(f"{module.name}: line {line} has a non-ASCII character; build Vietnamese text with ChrW")
    if not text.endswith("\n"):
        text += "\n"
    return text.replace("\n", "\r\n").encode("ascii")


def build_vba_project(modules: Sequence[Module], *, project_name: str = "VBAProject",
                      references: Iterable[tuple[str, str]] = STANDARD_REFERENCES) -> bytes:
    """The bytes of xl/vbaProject.bin holding `modules` (document modules first, as Excel writes them)."""
    names = [module.name.upper() for module in modules]
    if len(set(names)) != len(names):
        raise VbaSourceError("two modules have the same name")
    project_id = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "cchc-xl/" + project_name + "/" + ",".join(names))).upper() + "}"
    streams = {
        "PROJECT": _project_stream(project_id, project_name, modules),
        "PROJECTwm": _project_wm(modules),
        # Reserved3 is "undefined" in [MS-OVBA] 2.3.4.1; Excel writes 0x0001, as the example in 3.1.1 shows.
        "VBA/_VBA_PROJECT": struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0001),
        "VBA/dir": ovba.compress(_dir_stream(project_name, modules, tuple(references))),
    }
    for module in modules:
        streams["VBA/" + module.name] = module.stream_bytes
    return cfb.write_compound_file(streams)


def _record(record_id: int, payload: bytes) -> bytes:
    return struct.pack("<HI", record_id, len(payload)) + payload


def _text_record(record_id: int, text: str) -> bytes:
    return _record(record_id, text.encode(ENCODING))


def _unicode_record(record_id: int, text: str) -> bytes:
    return _record(record_id, text.encode("utf-16-le"))


def _dir_stream(project_name: str, modules: Sequence[Module], references: tuple[tuple[str, str], ...]) -> bytes:
    out = bytearray()
    out += _record(0x0001, struct.pack("<I", SYSKIND_WIN64))
    out += _record(0x0002, struct.pack("<I", LCID_EN_US))
    out += _record(0x0014, struct.pack("<I", LCID_EN_US))
    out += _record(0x0003, struct.pack("<H", CODE_PAGE))
    out += _text_record(0x0004, project_name)
    out += _text_record(0x0005, "") + _unicode_record(0x0040, "")  # doc string
    out += _text_record(0x0006, "") + _text_record(0x003D, "")  # help file
    out += _record(0x0007, struct.pack("<I", 0))  # help context
    out += _record(0x0008, struct.pack("<I", 0))  # lib flags
    out += struct.pack("<HIIH", 0x0009, 4, 1, 0)  # version: reserved size 4, major, minor
    out += _text_record(0x000C, "") + _unicode_record(0x003C, "")  # conditional constants
    for name, libid in references:
        out += _text_record(0x0016, name) + _unicode_record(0x003E, name)
        libid_bytes = libid.encode(ENCODING)
        out += _record(0x000D, struct.pack("<I", len(libid_bytes)) + libid_bytes + struct.pack("<IH", 0, 0))
    out += _record(0x000F, struct.pack("<H", len(modules)))
    out += _record(0x0013, struct.pack("<H", 0xFFFF))
    for module in modules:
        out += _text_record(0x0019, module.name) + _unicode_record(0x0047, module.name)
        out += _text_record(0x001A, module.name) + _unicode_record(0x0032, module.name)
        out += _text_record(0x001C, "") + _unicode_record(0x0048, "")
        out += _record(0x0031, struct.pack("<I", 0))  # source starts at offset 0: no p-code
        out += _record(0x001E, struct.pack("<I", 0))
        out += _record(0x002C, struct.pack("<H", 0xFFFF))
        out += _record(0x0022 if module.document else 0x0021, b"")
        out += _record(0x002B, b"")
    out += _record(0x0010, b"")
    return bytes(out)


def _project_wm(modules: Sequence[Module]) -> bytes:
    out = bytearray()
    for module in modules:
        out += module.name.encode(ENCODING) + b"\0" + module.name.encode("utf-16-le") + b"\0\0"
    return bytes(out + b"\0\0")


def _project_stream(project_id: str, project_name: str, modules: Sequence[Module]) -> bytes:
    lines = [f'ID="{project_id}"']
    lines += [f"Document={m.name}/&H00000000" if m.document else f"Module={m.name}" for m in modules]
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{encrypt(project_id, bytes(4)).hex().upper()}"',  # not protected
        f'DPB="{encrypt(project_id, bytes(1)).hex().upper()}"',  # no password
        f'GC="{encrypt(project_id, _VISIBLE).hex().upper()}"',
        "",
        "[Host Extender Info]",
        _HOST_EXTENDER,
        "",
        "[Workspace]",
    ]
    lines += [f"{m.name}=0, 0, 0, 0, C" for m in modules]
    return ("\r\n".join(lines) + "\r\n").encode(ENCODING)


def encrypt(project_id: str, data: bytes, seed: int = _ENCRYPTION_SEED) -> bytes:
    """[MS-OVBA] 2.4.3.2 data encryption, used for the CMG, DPB and GC values of the PROJECT stream."""
    project_key = sum(project_id.encode(ENCODING)) & 0xFF
    version = 2
    out = bytearray([seed, version ^ seed, project_key ^ seed])
    plain_prev, cipher_prev, cipher_prev2 = project_key, project_key ^ seed, version ^ seed
    ignored = bytes([0] * ((seed & 6) // 2))
    for byte in ignored + struct.pack("<I", len(data)) + data:
        encrypted = byte ^ ((cipher_prev2 + plain_prev) & 0xFF)
        out.append(encrypted)
        cipher_prev2, cipher_prev, plain_prev = cipher_prev, encrypted, byte
    return bytes(out)


def decrypt(data: bytes) -> bytes:
    """Inverse of encrypt(): the plain data of a CMG, DPB or GC value."""
    seed, _version_enc, project_key_enc = data[:3]
    project_key = project_key_enc ^ seed
    plain_prev, cipher_prev, cipher_prev2 = project_key, project_key_enc, data[1]
    plain = bytearray()
    for encrypted in data[3:]:
        byte = encrypted ^ ((cipher_prev2 + plain_prev) & 0xFF)
        plain.append(byte)
        cipher_prev2, cipher_prev, plain_prev = cipher_prev, encrypted, byte
    body = plain[(seed & 6) // 2:]
    length = struct.unpack("<I", body[:4])[0]
    return bytes(body[4:4 + length])
