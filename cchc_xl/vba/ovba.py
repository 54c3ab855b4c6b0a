"""[MS-OVBA] 2.4.1 compression: the container format of every VBA source and of the dir stream.

A container is the signature byte 0x01 followed by chunks; each chunk holds up to 4096 bytes of
input as literal bytes and copy tokens (offset, length) that point back into the same chunk.
"""

from __future__ import annotations

CHUNK_SIZE = 4096
_SIGNATURE = b"\x01"
_CHUNK_SIGNATURE = 0b011 << 12
_COMPRESSED_FLAG = 1 << 15
_MIN_MATCH = 3
_MAX_CANDIDATES = 256  # bounds the search on long runs of one byte; the longest match is kept


def compress(data: bytes) -> bytes:
    """The compressed container for `data` (deterministic: same input, same bytes)."""
    data = bytes(data)
    out = bytearray(_SIGNATURE)
    for start in range(0, len(data), CHUNK_SIZE):
        out += _compress_chunk(data[start:start + CHUNK_SIZE])
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    body = _tokens(chunk)
    if len(body) <= CHUNK_SIZE:
        return _header(len(body), compressed=True) + body
    if len(chunk) == CHUNK_SIZE:
        return _header(CHUNK_SIZE, compressed=False) + chunk
    # A short final chunk that does not shrink cannot be stored raw (a raw chunk is always
    # 4096 bytes); two compressed chunks decode to the same bytes.
    half = len(chunk) // 2
    return _compress_chunk(chunk[:half]) + _compress_chunk(chunk[half:])


def _header(body_size: int, *, compressed: bool) -> bytes:
    value = (body_size + 2 - 3) | _CHUNK_SIGNATURE | (_COMPRESSED_FLAG if compressed else 0)
    return value.to_bytes(2, "little")


def copy_token_layout(position: int) -> tuple[int, int]:
    """(bits for the offset, maximum length) of a copy token written at `position` in its chunk."""
    offset_bits = max((position - 1).bit_length(), 4)
    return offset_bits, (0xFFFF >> offset_bits) + _MIN_MATCH


def _tokens(chunk: bytes) -> bytes:
    out = bytearray()
    seen: dict[bytes, list[int]] = {}
    position, end = 0, len(chunk)
    while position < end:
        flag_index = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if position >= end:
                break
            offset_bits, max_length = copy_token_layout(position)
            match_at, length = _longest_match(chunk, position, min(max_length, end - position), seen)
            if length >= _MIN_MATCH:
                token = ((position - match_at - 1) << (16 - offset_bits)) | (length - _MIN_MATCH)
                out += token.to_bytes(2, "little")
                flags |= 1 << bit
                advance = length
            else:
                out.append(chunk[position])
                advance = 1
            for index in range(position, position + advance):
                seen.setdefault(chunk[index:index + _MIN_MATCH], []).append(index)
            position += advance
        out[flag_index] = flags
    return bytes(out)


def _longest_match(chunk: bytes, position: int, limit: int, seen: dict[bytes, list[int]]) -> tuple[int, int]:
    """The earliest start of the longest earlier run equal to chunk[position:] (overlap allowed),
    the choice the examples of [MS-OVBA] 3.2 make."""
    if limit < _MIN_MATCH:
        return 0, 0
    best_at, best_length = 0, 0
    for candidate in seen.get(chunk[position:position + _MIN_MATCH], ())[-_MAX_CANDIDATES:]:
        length = _MIN_MATCH
        while length < limit and chunk[candidate + length] == chunk[position + length]:
            length += 1
        if length > best_length:
            best_at, best_length = candidate, length
            if length == limit:
                break
    return best_at, best_length


def decompress(container: bytes) -> bytes:
    """Inverse of compress(), following [MS-OVBA] 2.4.1.3.1; raises ValueError on a malformed container."""
    if not container or container[0] != 1:
        raise ValueError("not an MS-OVBA compressed container (signature byte is not 0x01)")
    out = bytearray()
    index = 1
    while index < len(container):
        if index + 2 > len(container):
            raise ValueError("truncated chunk header")
        header = int.from_bytes(container[index:index + 2], "little")
        if header & 0x7000 != _CHUNK_SIGNATURE:
            raise ValueError(f"bad chunk signature at byte {index}")
        chunk_end = min(index + (header & 0x0FFF) + 3, len(container))
        index += 2
        if not header & _COMPRESSED_FLAG:
            out += container[index:index + CHUNK_SIZE]
            index += CHUNK_SIZE
            continue
        chunk_start = len(out)
        while index < chunk_end:
            flags = container[index]
            index += 1
            for bit in range(8):
                if index >= chunk_end:
                    break
                if not flags >> bit & 1:
                    out.append(container[index])
                    index += 1
                    continue
                token = int.from_bytes(container[index:index + 2], "little")
                index += 2
                offset_bits, _ = copy_token_layout(len(out) - chunk_start)
                offset = (token >> (16 - offset_bits)) + 1
                length = (token & (0xFFFF >> offset_bits)) + _MIN_MATCH
                if offset > len(out) - chunk_start:
                    raise ValueError(f"copy token points before its chunk at byte {index - 2}")
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)
