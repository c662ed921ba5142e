"""Reading the tables `genogram match` links, and writing the pairs it finds (DESIGN §4).

A match input is any CSV export with one id column (``--id``) and some of the fields of
`genogram.linkage.FIELDS`, read from columns of the same name or named with ``--map
FIELD=COLUMN``. ``address`` may be mapped several times: its columns are joined in the order
given (``--map address=street_number --map address=address_1``).

Reading is lenient about values and strict about structure. A messy value (a date nobody can
read, a sex of "x", a short row) becomes missing, because one bad cell should not stop a
comparison of a million rows; the engine counts what it could not read. A missing id column,
a mapped column that is not in the header, an empty or repeated id, or a file that is not
UTF-8 CSV is an `InputError` naming the file, the line and the field, never a value.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from extract.files import read_text
from genogram.errors import InputError
from genogram.linkage import FIELDS, Table
from genogram.query import neutralise_cell

#: Fields that may take several columns (joined with spaces, in the order given).
MULTI_COLUMN_FIELDS: frozenset[str] = frozenset({"address"})

#: The header of the pairs file.
PAIRS_HEADER: tuple[str, str, str] = ("left_id", "right_id", "score")

_MAX_ID_LENGTH = 200


def parse_match_mapping(items: Sequence[str]) -> dict[str, list[str]]:
    """Turn ``FIELD=COLUMN`` strings into ``{FIELD: [COLUMN, ...]}``.

    FIELD must be one of `FIELDS`; only ``address`` may be given more than once.
    """
    mapping: dict[str, list[str]] = {}
    for item in items:
        name, sep, column = item.partition("=")
        name, column = name.strip(), column.strip()
        if not sep or not name or not column:
            raise InputError("a mapping must be written FIELD=COLUMN", field="--map")
        if name not in FIELDS:
            raise InputError(
                f"unknown field in --map; fields are: {', '.join(FIELDS)}", field=name[:40]
            )
        if name in mapping and name not in MULTI_COLUMN_FIELDS:
            raise InputError("field given twice in --map", field=name)
        mapping.setdefault(name, []).append(column)
    return mapping


def _rows(text: str, path: Path) -> Iterable[tuple[int, list[str]]]:
    """CSV records with the physical line each starts on; broken quoting is an InputError."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 0
    while True:
        start = line + 1
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "unexpected end of data" in str(exc):
                reason = "malformed CSV: a quoted field is never closed (missing '\"')"
            elif "field larger than field limit" in str(exc):
                reason = "malformed CSV: a field is too long"
            else:
                reason = "malformed CSV quoting (a '\"' inside a field must be doubled)"
            raise InputError(reason, file=path, line=start) from None
        line = reader.line_num
        yield start, record


def read_table(
    path: Path,
    *,
    id_column: str,
    mapping: Mapping[str, Sequence[str]] | None = None,
    max_bytes: int | None = None,
) -> Table:
    """Read a match input CSV into a `Table` (ids and raw field text; empty cells are None).

    Fields come from the columns `mapping` names, else from a column named like the field
    (case-insensitive). Raises `InputError` for a missing id column, a mapped column that is
    not in the header, an empty, over-long or repeated id, or a file that cannot be read.
    """
    rows = iter(_rows(read_text(path, max_bytes=max_bytes), path))
    header_line, header = next(
        ((n, r) for n, r in rows if any(cell.strip() for cell in r)), (0, [])
    )
    if not header:
        raise InputError("file is empty (no header row)", file=path)
    columns = [name.strip() for name in header]
    position = {name: index for index, name in reversed(list(enumerate(columns))) if name}
    if id_column not in position:
        raise InputError(
            f"no column '{id_column[:60]}' in the header (the --id column)",
            file=path,
            line=header_line,
            field=id_column[:60],
        )
    sources: dict[str, list[int]] = {}
    for name, wanted in (mapping or {}).items():
        if name not in FIELDS:
            raise InputError(f"unknown field; fields are: {', '.join(FIELDS)}", field=name[:40])
        for column in wanted:
            if column not in position:
                raise InputError(
                    f"column '{column[:60]}' given in --map is not in the header",
                    file=path,
                    line=header_line,
                    field=name,
                )
            sources.setdefault(name, []).append(position[column])
    folded = {name.casefold(): index for name, index in position.items()}
    for name in FIELDS:
        if name not in sources and name in folded:
            sources[name] = [folded[name]]

    id_index = position[id_column]
    ids: list[str] = []
    values: dict[str, list[str | None]] = {name: [] for name in sources}
    pools: dict[str, dict[str, str]] = {name: {} for name in sources}
    seen: dict[str, int] = {}
    for line, record in rows:
        if not any(cell.strip() for cell in record):
            continue
        width = len(record)
        identifier = record[id_index].strip() if id_index < width else ""
        if not identifier:
            raise InputError("the id is empty", file=path, line=line, field=id_column[:60])
        if len(identifier) > _MAX_ID_LENGTH or not identifier.isprintable():
            raise InputError(
                f"an id must be one line of at most {_MAX_ID_LENGTH} printable characters",
                file=path,
                line=line,
                field=id_column[:60],
            )
        if identifier in seen:
            raise InputError(
                f"the id appears twice (first on line {seen[identifier]})",
                file=path,
                line=line,
                field=id_column[:60],
            )
        seen[identifier] = line
        ids.append(identifier)
        for name, indexes in sources.items():
            parts = [record[k].strip() for k in indexes if k < width and record[k].strip()]
            text = " ".join(parts) if parts else None
            # One string object per distinct value: a million rows repeat names and dates.
            values[name].append(pools[name].setdefault(text, text) if text else None)
    return Table(ids, values)


def write_pairs(path: Path, pairs: Iterable[tuple[str, str, float]]) -> int:
    """Write ``left_id,right_id,score`` rows (ids neutralised against spreadsheet formulas,
    scores with six decimals) and return how many pairs were written."""
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(PAIRS_HEADER)
        for left, right, score in pairs:
            writer.writerow([neutralise_cell(left), neutralise_cell(right), f"{score:.6f}"])
            count += 1
    return count
