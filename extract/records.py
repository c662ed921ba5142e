"""Reading structured records: council people and relationships exports (CSV, DESIGN §4).

People columns: ``source,record_id,given_names,family_name,known_as,sex,birth_date,death_date,
address,postcode,address_confidential`` (plus an optional ``deceased`` flag). Relationship
columns: ``source,from_record,relationship,to_record,start_date,end_date,certainty``, read as
"from_record is the <relationship> of to_record".

A council export with other column names is read through a mapping ``FIELD=COLUMN`` (the
CLI's ``--map``, or a mapping file with one ``FIELD=COLUMN`` a line). Columns that are neither
fields nor mapped are ignored. The whole file is checked before anything is returned: the
first problem raises `InputError` naming the file, the physical line where the bad record
starts and the field, and never quoting a personal value.
"""

from __future__ import annotations

import calendar
import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from extract.files import read_text
from genogram.assertions import PersonRecord, RelationshipRecord
from genogram.dates import parse_date
from genogram.errors import InputError
from genogram.model import CERTAINTIES, PartialDate, Sex
from genogram.vocab import record_relation, record_words

PEOPLE_FIELDS: tuple[str, ...] = (
    "source",
    "record_id",
    "given_names",
    "family_name",
    "known_as",
    "sex",
    "birth_date",
    "death_date",
    "address",
    "postcode",
    "address_confidential",
    "deceased",
)
RELATIONSHIP_FIELDS: tuple[str, ...] = (
    "source",
    "from_record",
    "relationship",
    "to_record",
    "start_date",
    "end_date",
    "certainty",
)
PEOPLE_REQUIRED: tuple[str, ...] = ("record_id",)
RELATIONSHIP_REQUIRED: tuple[str, ...] = ("from_record", "relationship", "to_record")

_SEX_WORDS: dict[str, Sex] = {
    "female": Sex.FEMALE,
    "f": Sex.FEMALE,
    "woman": Sex.FEMALE,
    "girl": Sex.FEMALE,
    "male": Sex.MALE,
    "m": Sex.MALE,
    "man": Sex.MALE,
    "boy": Sex.MALE,
    "unknown": Sex.UNKNOWN,
    "u": Sex.UNKNOWN,
    "": Sex.UNKNOWN,
}
_TRUE = frozenset({"true", "yes", "y", "1"})
_FALSE = frozenset({"false", "no", "n", "0", ""})
_SOURCE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_ALIAS_SPLIT = re.compile(r"[;|]")
_POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
_MAX_ID_LENGTH = 100
_EXAMPLE_WORDS = (
    "mother",
    "father",
    "parent",
    "partner",
    "spouse",
    "ex-partner",
    "sibling",
    "half-sibling",
    "step-parent",
    "foster carer",
    "special guardian",
    "lives with",
)
_CANONICAL_WORD = {re.sub(r"[\s_\-]+", "", w.casefold()): w for w in record_words()}


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """Turn ``FIELD=COLUMN`` strings (the CLI's ``--map``) into ``{FIELD: COLUMN}``.

    FIELD must be a people or relationship field name; each FIELD may be given once.
    """
    mapping: dict[str, str] = {}
    for item in items:
        field, column = _split_mapping_item(item, file=None, line=None)
        if field in mapping:
            raise InputError("field given twice in --map", field=field)
        mapping[field] = column
    return mapping


def read_mapping_file(path: Path) -> dict[str, str]:
    """Read a mapping file: one ``FIELD=COLUMN`` a line; blank lines and ``#`` comments skipped."""
    text = read_text(path)
    mapping: dict[str, str] = {}
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        field, column = _split_mapping_item(line, file=path, line=number)
        if field in mapping:
            raise InputError(
                "field given twice in the mapping", file=path, line=number, field=field
            )
        mapping[field] = column
    return mapping


def _split_mapping_item(item: str, *, file: Path | None, line: int | None) -> tuple[str, str]:
    field, sep, column = item.partition("=")
    field, column = field.strip(), column.strip()
    if not sep or not field or not column:
        raise InputError("a mapping must be written FIELD=COLUMN", file=file, line=line)
    known = set(PEOPLE_FIELDS) | set(RELATIONSHIP_FIELDS)
    if field not in known:
        raise InputError(
            f"unknown field in the mapping; fields are: {', '.join(sorted(known))}",
            file=file,
            line=line,
            field=field[:40],
        )
    return field, column


# --------------------------------------------------------------------------------- CSV layer


@dataclass(frozen=True)
class _Row:
    """One CSV record as {field: trimmed value}, with the physical line where it starts."""

    line: int
    values: dict[str, str]

    def get(self, field: str) -> str:
        return self.values.get(field, "")


def _read_rows(
    path: Path,
    *,
    fields: Sequence[str],
    required: Sequence[str],
    mapping: Mapping[str, str] | None,
    source: str | None,
    max_bytes: int | None,
) -> Iterator[_Row]:
    """Check the file and header, then yield the rows (in file order) as {field: value}."""
    text = read_text(path, max_bytes=max_bytes)
    records = _records(text, path)
    found = next((r for r in records if any(cell.strip() for cell in r[1])), None)
    if found is None:
        raise InputError("file is empty (no header row)", file=path)
    header_line, header = found
    columns = [name.strip() for name in header]
    column_of = _field_columns(columns, fields, mapping, path, header_line)
    if len(columns) == 1 and (";" in columns[0] or "\t" in columns[0]):
        raise InputError(
            "the header has a single column; the file seems to use ';' or tabs between "
            "columns: save it with commas",
            file=path,
            line=header_line,
        )
    if source is None and "source" in fields and "source" not in column_of:
        raise InputError(
            "no 'source' column; give --source NAME (for example --source CSC)",
            file=path,
            line=header_line,
            field="source",
        )
    missing = [f for f in required if f not in column_of]
    if missing:
        raise InputError(
            f"missing required column '{missing[0]}'; "
            "use --map FIELD=COLUMN to name a differently called column",
            file=path,
            line=header_line,
            field=missing[0],
        )
    for start, record in records:
        if not record or all(not cell.strip() for cell in record):
            continue
        if len(record) != len(columns):
            raise InputError(
                f"row has {len(record)} fields but the header has {len(columns)}; "
                "check for unquoted commas",
                file=path,
                line=start,
            )
        values = {field: record[index].strip() for field, index in column_of.items()}
        yield _Row(start, values)


def _records(text: str, path: Path) -> Iterator[tuple[int, list[str]]]:
    """CSV records with the physical line each starts on; csv errors become InputErrors."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line_num = 0
    while True:
        start = line_num + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            message = str(exc)
            if "field larger than field limit" in message:
                reason = "a field is too long"
            elif "unexpected end of data" in message:
                reason = "a quoted field is never closed (missing '\"')"
            else:
                reason = "malformed CSV quoting (a '\"' inside a field must be doubled)"
            raise InputError(reason, file=path, line=start) from None
        line_num = reader.line_num
        yield start, record


def _field_columns(
    columns: list[str],
    fields: Sequence[str],
    mapping: Mapping[str, str] | None,
    path: Path,
    line: int,
) -> dict[str, int]:
    """Which column index feeds each field, after applying the mapping."""
    seen: dict[str, int] = {}
    for index, name in enumerate(columns):
        if not name:
            continue
        if name in seen:
            raise InputError(
                "column appears twice in the header", file=path, line=line, field=name[:60]
            )
        seen[name] = index
    column_of: dict[str, int] = {}
    mapped_columns: set[str] = set()
    for field, column in (mapping or {}).items():
        if field not in fields:
            raise InputError(
                f"the mapping names a field this file does not have; fields: {', '.join(fields)}",
                file=path,
                field=field[:40],
            )
        if column not in seen:
            raise InputError(
                f"column '{column[:60]}' given in the mapping is not in the header",
                file=path,
                line=line,
                field=field,
            )
        column_of[field] = seen[column]
        mapped_columns.add(column)
    for name, index in seen.items():
        field = name.casefold()
        if field not in fields or name in mapped_columns:
            continue
        if field not in column_of:
            column_of[field] = index
        elif column_of[field] != index:
            raise InputError(
                "field comes from two columns (check the header and the mapping)",
                file=path,
                line=line,
                field=field,
            )
    return column_of


# ----------------------------------------------------------------------------- value parsing


def _source(row: _Row, source: str | None, path: Path) -> str:
    value = source if source is not None else row.get("source")
    if not value:
        raise InputError(
            "source is empty; fill the 'source' column or give --source",
            file=path,
            line=row.line,
            field="source",
        )
    if not _SOURCE_RE.match(value) or len(value) > 40:
        raise InputError(
            "a source must be letters, digits, '-' or '_' (for example CSC)",
            file=path,
            line=row.line,
            field="source",
        )
    return value


def _identifier(row: _Row, field: str, path: Path) -> str:
    value = row.get(field)
    if not value:
        raise InputError("required value is empty", file=path, line=row.line, field=field)
    if len(value) > _MAX_ID_LENGTH or _CONTROL_RE.search(value):
        raise InputError(
            f"an id must be one line of at most {_MAX_ID_LENGTH} characters",
            file=path,
            line=row.line,
            field=field,
        )
    return value


def _text(value: str) -> str | None:
    """Trimmed single-line text (runs of whitespace, newlines included, become one space)."""
    cleaned = " ".join(value.split())
    return cleaned or None


def _address(value: str) -> str | None:
    """An address whose embedded line breaks become ', '."""
    parts = [" ".join(part.split()) for part in re.split(r"[\r\n]+", value)]
    joined = ", ".join(part.strip(" ,") for part in parts if part.strip(" ,"))
    return joined or None


def _postcode(value: str) -> str | None:
    """Upper case with the standard single space, when the text looks like a UK postcode."""
    squashed = "".join(value.split()).upper()
    if not squashed:
        return None
    if _POSTCODE_RE.match(squashed):
        return f"{squashed[:-3]} {squashed[-3:]}"
    return " ".join(value.upper().split())


def _flag(row: _Row, field: str, path: Path) -> bool:
    value = row.get(field).casefold()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InputError(
        "not a yes/no value (use true/false, yes/no, y/n or 1/0)",
        file=path,
        line=row.line,
        field=field,
    )


def _sex(row: _Row, path: Path) -> Sex:
    sex = _SEX_WORDS.get(row.get("sex").casefold())
    if sex is None:
        raise InputError(
            "unknown sex value (use female, male, unknown, F, M or U)",
            file=path,
            line=row.line,
            field="sex",
        )
    return sex


def _date(
    row: _Row, field: str, path: Path, today: date, warnings: list[tuple[str, str]] | None = None
) -> PartialDate | None:
    value = row.get(field)
    if not value:
        return None
    try:
        parsed = parse_date(value, today=today)
    except ValueError as exc:
        raise InputError(f"not a date: {exc}", file=path, line=row.line, field=field) from None
    if parsed.warning and warnings is not None:
        warnings.append((field, parsed.warning))
    return parsed.value


def _aliases(value: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for part in _ALIAS_SPLIT.split(value):
        alias = _text(part)
        if alias and alias not in seen:
            seen[alias] = None
    return tuple(seen)


def _check_order(
    first: PartialDate | None,
    second: PartialDate | None,
    *,
    row: _Row,
    field: str,
    reason: str,
    path: Path,
) -> None:
    """Raise when `second` certainly lies before `first` (partial dates compared leniently)."""
    if first is None or second is None:
        return
    latest_second = PartialDate(
        second.year,
        second.month if second.month is not None else 12,
        second.day if second.day is not None else _last_day(second),
    )
    if latest_second.earliest() < first.earliest() and not (
        first.approximate or second.approximate
    ):
        raise InputError(reason, file=path, line=row.line, field=field)


def _last_day(value: PartialDate) -> int:
    return calendar.monthrange(value.year, value.month or 12)[1]


# ----------------------------------------------------------------------------------- readers


def read_people(
    path: Path,
    *,
    source: str | None = None,
    mapping: Mapping[str, str] | None = None,
    today: date | None = None,
    max_bytes: int | None = None,
) -> list[PersonRecord]:
    """Read a people export into `PersonRecord`s, checking every row before returning.

    `source` names the source system for every row (overriding a source column);
    `mapping` maps DESIGN field names to this file's column names.
    """
    rows = _read_rows(
        path,
        fields=PEOPLE_FIELDS,
        required=PEOPLE_REQUIRED,
        mapping=mapping,
        source=source,
        max_bytes=max_bytes,
    )
    when = today or date.today()
    first_line: dict[tuple[str, str], int] = {}
    people: list[PersonRecord] = []
    for row in rows:
        src = _source(row, source, path)
        record_id = _identifier(row, "record_id", path)
        key = (src, record_id)
        if key in first_line:
            raise InputError(
                f"duplicate record_id (first on line {first_line[key]})",
                file=path,
                line=row.line,
                field="record_id",
            )
        first_line[key] = row.line
        warnings: list[tuple[str, str]] = []
        birth = _date(row, "birth_date", path, when, warnings)
        death = _date(row, "death_date", path, when, warnings)
        _check_order(
            birth,
            death,
            row=row,
            field="death_date",
            reason="death date is before the birth date",
            path=path,
        )
        people.append(
            PersonRecord(
                source=src,
                record_id=record_id,
                given_names=_text(row.get("given_names")),
                family_name=_text(row.get("family_name")),
                known_as=_aliases(row.get("known_as")),
                sex=_sex(row, path),
                birth_date=birth,
                death_date=death,
                deceased=death is not None or _flag(row, "deceased", path),
                address=_address(row.get("address")),
                postcode=_postcode(row.get("postcode")),
                address_confidential=_flag(row, "address_confidential", path),
                file=str(path),
                line=row.line,
                warnings=tuple(warnings),
            )
        )
    return people


def read_relationships(
    path: Path,
    *,
    source: str | None = None,
    mapping: Mapping[str, str] | None = None,
    today: date | None = None,
    max_bytes: int | None = None,
) -> list[RelationshipRecord]:
    """Read a relationships export into `RelationshipRecord`s ("from is the <word> of to").

    The relationship word is checked against `genogram.vocab` and stored in its canonical
    spelling; records may refer to people of the same source that are not in this file.
    """
    rows = _read_rows(
        path,
        fields=RELATIONSHIP_FIELDS,
        required=RELATIONSHIP_REQUIRED,
        mapping=mapping,
        source=source,
        max_bytes=max_bytes,
    )
    when = today or date.today()
    result: list[RelationshipRecord] = []
    for row in rows:
        src = _source(row, source, path)
        from_record = _identifier(row, "from_record", path)
        word = _relationship_word(row, path)
        to_record = _identifier(row, "to_record", path)
        if from_record == to_record:
            raise InputError(
                "a record cannot be related to itself (from_record equals to_record)",
                file=path,
                line=row.line,
                field="to_record",
            )
        start = _date(row, "start_date", path, when)
        end = _date(row, "end_date", path, when)
        _check_order(
            start,
            end,
            row=row,
            field="end_date",
            reason="end date is before the start date",
            path=path,
        )
        result.append(
            RelationshipRecord(
                source=src,
                from_record=from_record,
                relationship=word,
                to_record=to_record,
                start_date=start,
                end_date=end,
                certainty=_certainty(row, path),
                file=str(path),
                line=row.line,
            )
        )
    return result


def _relationship_word(row: _Row, path: Path) -> str:
    value = " ".join(row.get("relationship").split())
    if not value:
        raise InputError("required value is empty", file=path, line=row.line, field="relationship")
    if record_relation(value) is None:
        examples = ", ".join(_EXAMPLE_WORDS)
        raise InputError(
            f"unknown relationship '{value[:40]}'; use one of: {examples}, ...",
            file=path,
            line=row.line,
            field="relationship",
        )
    return _CANONICAL_WORD.get(re.sub(r"[\s_\-]+", "", value.casefold()), value)


def _certainty(row: _Row, path: Path) -> str:
    value = row.get("certainty").casefold()
    if not value:
        return "confirmed"
    if value not in CERTAINTIES:
        raise InputError(
            f"unknown certainty (use {', '.join(CERTAINTIES)})",
            file=path,
            line=row.line,
            field="certainty",
        )
    return value
