"""Run Graphviz's `dot` on DOT source to write a PDF, SVG or PNG (or write the DOT itself).

The only module in `render/` with side effects. The output is written to a temporary file
beside the target and moved into place, so a failed run never leaves a half-written file.
Graphviz's own messages are not passed on: they can quote label text (personal data).
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
import zlib
from pathlib import Path

from genogram.errors import InputError, RenderError

#: Output formats by file suffix (``.dot`` writes the source itself).
FORMATS = {".pdf": "pdf", ".svg": "svg", ".png": "png", ".dot": "dot"}
INSTALL_HINT = "install Graphviz: apt-get install graphviz (or brew install graphviz)"
TIMEOUT_SECONDS = 120
PNG_DPI = 150


def dot_executable() -> str | None:
    """Absolute path of Graphviz's `dot`, or None when it is not installed."""
    return shutil.which("dot")


def render_file(dot_source: str, out: Path, *, classification: str = "OFFICIAL-SENSITIVE") -> Path:
    """Write `dot_source` to `out` in the format its suffix names (.pdf .svg .png .dot);
    returns the path written. A PNG also carries the classification marking as a text chunk
    (the drawing shows it too). Raises InputError for other suffixes, RenderError when `dot`
    is missing or fails."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"unsupported output format {suffix or '(none)'!r}; use one of "
            + ", ".join(sorted(FORMATS)),
            file=out,
        )
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise InputError("the output folder does not exist", file=out)
    if suffix == ".dot":
        _atomic_write(out, dot_source.encode("utf-8"))
        return out

    dot = dot_executable()
    if dot is None:
        raise RenderError(f"Graphviz 'dot' was not found on PATH; {INSTALL_HINT}")
    command = [dot, f"-T{FORMATS[suffix]}"]
    if suffix == ".png":
        command.append(f"-Gdpi={PNG_DPI}")
    fd, tmp_name = tempfile.mkstemp(prefix=".genogram-", suffix=suffix, dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        command += ["-o", str(tmp)]
        try:
            result = subprocess.run(  # noqa: S603 - fixed argv, absolute path, no shell
                command,
                input=dot_source.encode("utf-8"),
                capture_output=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
            )
        except FileNotFoundError as exc:
            raise RenderError(f"Graphviz 'dot' could not be started; {INSTALL_HINT}") from exc
        except subprocess.TimeoutExpired as exc:
            raise RenderError(
                f"Graphviz 'dot' took longer than {TIMEOUT_SECONDS} s; try fewer generations"
            ) from exc
        if result.returncode != 0 or tmp.stat().st_size == 0:
            raise RenderError(
                f"Graphviz 'dot' failed (exit status {result.returncode}) writing {out.name}; "
                "write a .dot file to inspect the source"
            )
        if suffix == ".png" and classification:
            tmp.write_bytes(png_with_text(tmp.read_bytes(), "Classification", classification))
        os.replace(tmp, out)
    finally:
        if tmp.exists():
            tmp.unlink()
    return out


def _atomic_write(out: Path, data: bytes) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=".genogram-", suffix=out.suffix, dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp_name, out)
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)


_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_with_text(png: bytes, keyword: str, text: str) -> bytes:
    """The PNG with a tEXt chunk (`keyword`: `text`, Latin-1) inserted after its header, so
    that the classification travels with the file's metadata too."""
    if not png.startswith(_PNG_SIGNATURE) or png[12:16] != b"IHDR":
        raise RenderError("Graphviz wrote an unexpected PNG")
    header_end = 8 + 8 + struct.unpack(">I", png[8:12])[0] + 4
    data = keyword.encode("latin-1") + b"\x00" + text.encode("latin-1", "replace")
    chunk = b"tEXt" + data
    packed = struct.pack(">I", len(data)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    return png[:header_end] + packed + png[header_end:]
