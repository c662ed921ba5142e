"""File-level checks shared by every input reader: existence, size, binary data, encoding.

Inputs are text files exported from council systems. They must be UTF-8 (a byte-order mark is
accepted and dropped); UTF-16 and Latin-1/Windows-1252 exports are rejected with a message that
says how to fix them, rather than guessed at. Every problem is an `InputError` naming the file
(and the line where one is known), never the file's content.
"""

from __future__ import annotations

from pathlib import Path

from genogram.errors import InputError

#: Largest input file accepted, in bytes. Read at call time, so tests may monkeypatch it.
MAX_INPUT_BYTES = 256 * 1024 * 1024

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
_SAVE_AS = "save it as UTF-8 (in Excel: 'CSV UTF-8 (Comma delimited)')"


def _looks_like_utf16(data: bytes) -> bool:
    """True when NUL bytes sit at every other position, as in UTF-16 text without a BOM."""
    sample = data[:4096]
    if len(sample) < 4:
        return False
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    half = len(sample) // 2
    return max(even, odd) >= 0.6 * half and min(even, odd) <= 0.1 * half


def read_bytes(path: Path, *, max_bytes: int | None = None) -> bytes:
    """The raw bytes of a regular file no larger than `max_bytes` (default `MAX_INPUT_BYTES`)."""
    limit = MAX_INPUT_BYTES if max_bytes is None else max_bytes
    if not path.exists():
        raise InputError("file not found", file=path)
    if path.is_dir():
        raise InputError("is a directory, not a file", file=path)
    if not path.is_file():
        raise InputError("is not a regular file", file=path)
    try:
        size = path.stat().st_size
        if size > limit:
            raise InputError(f"file is larger than the limit of {limit} bytes", file=path)
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except PermissionError as exc:
        raise InputError("permission denied; check the file's permissions", file=path) from exc
    except OSError as exc:
        raise InputError(f"cannot be read ({exc.strerror or 'I/O error'})", file=path) from exc
    if len(data) > limit:
        raise InputError(f"file is larger than the limit of {limit} bytes", file=path)
    return data


def decode_text(data: bytes, path: Path) -> str:
    """Decode UTF-8 (BOM optional) text; reject binary, UTF-16/32 and other encodings."""
    if data.startswith(_UTF32_BOMS):
        raise InputError(f"file is UTF-32 text; {_SAVE_AS}", file=path)
    if data.startswith(_UTF16_BOMS) or (b"\x00" in data[:4096] and _looks_like_utf16(data)):
        raise InputError(f"file is UTF-16 text; {_SAVE_AS}", file=path)
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    nul = data.find(b"\x00")
    if nul >= 0:
        raise InputError(
            "file contains binary data (NUL bytes); expected a text file",
            file=path,
            line=data.count(b"\n", 0, nul) + 1,
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"text is not valid UTF-8 (perhaps Latin-1 or Windows-1252); {_SAVE_AS}",
            file=path,
            line=data.count(b"\n", 0, exc.start) + 1,
        ) from exc


def read_text(path: Path, *, max_bytes: int | None = None) -> str:
    """A checked UTF-8 text file's content, with any byte-order mark removed."""
    return decode_text(read_bytes(path, max_bytes=max_bytes), path)
