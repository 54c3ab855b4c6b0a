"""MS-OVBA compression: our compressor against the spec's examples and oletools' decompressor."""

from __future__ import annotations

import os
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import decompress_stream

from cchc_xl.vba import ovba
from profiles import examples

# [MS-OVBA] 3.2.1-3.2.3: (decompressed input, compressed container as printed in the spec).
SPEC_NO_COMPRESSION = (b"abcdefghijklmnopqrstuv.",
                       "01 19 B0 00 61 62 63 64 65 66 67 68 00 69 6A 6B 6C 6D 6E 6F 70 00 71 72 73 74 75 76 2E")
SPEC_NORMAL = (b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa",
               "01 2F B0 00 23 61 61 61 62 63 64 65 82 66 00 70 61 67 68 69 6A 01 38 08 61 6B 6C 00 30 6D 6E 6F "
               "70 06 71 02 70 04 10 72 73 74 75 76 10 77 78 79 7A 00 3C")
SPEC_MAXIMUM = (b"a" * 73, "01 03 B0 02 61 45 00")
SPEC_VECTORS = [SPEC_NO_COMPRESSION, SPEC_NORMAL, SPEC_MAXIMUM]


def oletools_decompress(container: bytes) -> bytes:
    return bytes(decompress_stream(bytearray(container)))


def chunks(container: bytes) -> list[tuple[bool, int]]:
    """(compressed flag, body size) of every chunk of a container."""
    found, index = [], 1
    while index < len(container):
        header = int.from_bytes(container[index:index + 2], "little")
        size = (header & 0x0FFF) + 3
        found.append((bool(header & 0x8000), size - 2))
        index += size
    return found


@pytest.mark.parametrize("plain, printed", SPEC_VECTORS)
def test_spec_containers_decompress_to_the_spec_input(plain, printed):
    container = bytes.fromhex(printed)
    assert oletools_decompress(container) == plain
    assert ovba.decompress(container) == plain


@pytest.mark.parametrize("plain, printed", [SPEC_NO_COMPRESSION, SPEC_MAXIMUM])
def test_compressor_reproduces_the_spec_bytes(plain, printed):
    assert ovba.compress(plain) == bytes.fromhex(printed)


def test_normal_example_is_as_small_as_the_spec_and_round_trips():
    # Equally long matches may be taken from different places; the spec's tie-break is not normative.
    plain, printed = SPEC_NORMAL
    ours = ovba.compress(plain)
    assert len(ours) == len(bytes.fromhex(printed))
    assert oletools_decompress(ours) == plain


@pytest.mark.parametrize("position, bits, maximum", [(1, 4, 4098), (16, 4, 4098), (17, 5, 2050),
                                                     (2048, 11, 34), (2049, 12, 18), (4095, 12, 18)])
def test_copy_token_layout_follows_the_position_in_the_chunk(position, bits, maximum):
    assert ovba.copy_token_layout(position) == (bits, maximum)


SIZES = [0, 1, 2, 3, 17, 4095, 4096, 4097, 8191, 8192, 8193, 12_345]


@pytest.mark.parametrize("size", SIZES)
def test_random_bytes_round_trip(size):
    data = random.Random(size).randbytes(size)
    container = ovba.compress(data)
    assert oletools_decompress(container) == data
    assert ovba.decompress(container) == data


def test_incompressible_full_chunks_are_stored_raw():
    data = random.Random(7).randbytes(4096 * 3)
    container = ovba.compress(data)
    assert chunks(container) == [(False, 4096)] * 3
    assert len(container) == 1 + 3 * 4098


def test_incompressible_short_last_chunk_is_split_not_padded():
    data = random.Random(8).randbytes(4096 + 3900)  # 3900 random bytes do not fit in 4096 compressed
    container = ovba.compress(data)
    layout = chunks(container)
    assert layout[0] == (False, 4096)
    assert all(compressed and size <= 4096 for compressed, size in layout[1:])
    assert oletools_decompress(container) == data


def test_every_chunk_respects_the_size_limits():
    data = (b"Sub A()\r\n    Range(\"A1\").Value = 1\r\nEnd Sub\r\n" * 400) + os.urandom(5000)
    for _, size in chunks(ovba.compress(data)):
        assert 1 <= size <= 4096


def test_repetitive_source_compresses_well():
    source = b"    ws.Cells(i, 1).Value = ws.Cells(i, 2).Value\r\n" * 1000
    container = ovba.compress(source)
    assert len(container) < len(source) // 10
    assert oletools_decompress(container) == source


def test_installed_xlwings_module_round_trips():
    import xlwings
    from pathlib import Path

    source = (Path(xlwings.__file__).parent / "addin" / "Main.bas").read_bytes()
    assert len(source) > 4096
    assert oletools_decompress(ovba.compress(source)) == source


@pytest.mark.parametrize("container", [b"", b"\x02\x00\x00", b"\x01\x00\x00"])
def test_decompress_rejects_malformed_containers(container):
    with pytest.raises(ValueError):
        ovba.decompress(container)


vba_text = st.text(alphabet=st.sampled_from(list("abcdeSubEnd ()=\"\r\n.,'_1234")), max_size=12_000)


@settings(max_examples=examples(150), deadline=None)
@given(st.binary(max_size=10_000))
def test_any_bytes_round_trip_through_oletools(data):
    assert oletools_decompress(ovba.compress(data)) == data


@settings(max_examples=examples(100), deadline=None)
@given(vba_text)
def test_text_like_input_round_trips_through_oletools(text):
    data = text.encode("ascii")
    assert oletools_decompress(ovba.compress(data)) == data


@settings(max_examples=examples(60), deadline=None)
@given(st.binary(min_size=1, max_size=40), st.integers(min_value=1, max_value=700))
def test_repeated_runs_round_trip(unit, times):
    data = unit * times
    container = ovba.compress(data)
    assert oletools_decompress(container) == data
    assert ovba.decompress(container) == data
