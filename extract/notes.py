"""Reading case notes: JSON Lines exports and single plain-text notes (DESIGN §4).

``.jsonl``: one JSON object a line, ``{"id", "subject", "date", "author", "text"}``; blank lines
are skipped and unknown keys ignored. ``.txt``: the whole file is one note about the subject
given by the caller; its id is the file name without extension. The note text is kept exactly
as written (extraction quotes character spans of it). Problems raise `InputError` with the
file, line and field, never with any of the note's content.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from extract.files import read_text
from genogram.assertions import Note
from genogram.dates import parse_date
from genogram.errors import InputError

JSONL_SUFFIXES = (".jsonl", ".ndjson")
TEXT_SUFFIXES = (".txt",)
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_MAX_ID_LENGTH = 200


def read_notes(
    path: Path,
    *,
    subject: str | None = None,
    today: date | None = None,
    max_bytes: int | None = None,
) -> list[Note]:
    """Read the case notes in a ``.jsonl`` or ``.txt`` file, checking all of them first.

    `subject` (the CLI's ``--subject``) is required for ``.txt`` and fills the subject of
    JSONL notes that have none.
    """
    suffix = path.suffix.casefold()
    if suffix not in JSONL_SUFFIXES + TEXT_SUFFIXES:
        raise InputError("unsupported note file type; use .jsonl or .txt", file=path)
    given = _clean_subject(subject, path) if subject is not None else None
    text = read_text(path, max_bytes=max_bytes)
    when = today or date.today()
    if suffix in TEXT_SUFFIXES:
        return [_text_note(path, text, given)]
    return _jsonl_notes(path, text, given, when)


def _clean_subject(subject: str, path: Path) -> str:
    cleaned = " ".join(subject.split())
    if not cleaned:
        raise InputError("--subject is empty", file=path, field="subject")
    return cleaned


def _text_note(path: Path, text: str, subject: str | None) -> Note:
    if subject is None:
        raise InputError(
            "a .txt note needs --subject (the child it is about)", file=path, field="subject"
        )
    if not text.strip():
        raise InputError("the note is empty", file=path, line=1, field="text")
    return Note(id=path.stem, subject=subject, text=text, file=str(path), line=1)


def _jsonl_notes(path: Path, text: str, subject: str | None, today: date) -> list[Note]:
    notes: list[Note] = []
    first_line: dict[str, int] = {}
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"not valid JSON (column {exc.colno}); each line must be one JSON object",
                file=path,
                line=number,
            ) from None
        except (ValueError, RecursionError):
            raise InputError(
                "not valid JSON; each line must be one JSON object", file=path, line=number
            ) from None
        if not isinstance(obj, dict):
            raise InputError("each line must be a JSON object ({...})", file=path, line=number)
        note_id = _required(obj, "id", path, number)
        if len(note_id) > _MAX_ID_LENGTH or _CONTROL_RE.search(note_id):
            raise InputError(
                f"a note id must be one line of at most {_MAX_ID_LENGTH} characters",
                file=path,
                line=number,
                field="id",
            )
        if note_id in first_line:
            raise InputError(
                f"duplicate note id (first on line {first_line[note_id]})",
                file=path,
                line=number,
                field="id",
            )
        first_line[note_id] = number
        own_subject = _optional(obj, "subject", path, number)
        note_subject = " ".join(own_subject.split()) if own_subject else subject
        if not note_subject:
            raise InputError(
                "the note has no subject; add one or give --subject",
                file=path,
                line=number,
                field="subject",
            )
        body = obj.get("text")
        if not isinstance(body, str):
            reason = "missing" if body is None else "must be a string"
            raise InputError(reason, file=path, line=number, field="text")
        if not body.strip():
            raise InputError("the note text is empty", file=path, line=number, field="text")
        notes.append(
            Note(
                id=note_id,
                subject=note_subject,
                text=body,
                date=_note_date(obj, path, number, today),
                author=_optional(obj, "author", path, number),
                file=str(path),
                line=number,
            )
        )
    if not notes:
        raise InputError("no notes in the file", file=path)
    return notes


def _optional(obj: dict[str, Any], key: str, path: Path, line: int) -> str | None:
    """A trimmed string value, None when absent, null or blank; other types are errors."""
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError("must be a string", file=path, line=line, field=key)
    cleaned = value.strip()
    return cleaned or None


def _required(obj: dict[str, Any], key: str, path: Path, line: int) -> str:
    value = _optional(obj, key, path, line)
    if value is None:
        reason = "missing" if key not in obj else "is empty"
        raise InputError(reason, file=path, line=line, field=key)
    return value


def _note_date(obj: dict[str, Any], path: Path, line: int, today: date) -> str | None:
    value = _optional(obj, "date", path, line)
    if value is None:
        return None
    try:
        return parse_date(value, today=today).value.iso()
    except ValueError as exc:
        raise InputError(f"not a date: {exc}", file=path, line=line, field="date") from None
