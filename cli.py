"""The `genogram` command line: parse, call the library, print, map errors to exit codes.

Exit codes (DESIGN §4): 0 ok; 1 failure; 2 bad input or usage. Errors are one line on stderr
and never carry personal data or a traceback (set GENOGRAM_DEBUG=1 to see one for a bug).
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from genogram.errors import GenogramError, InputError, PersonNotFoundError
from genogram.query import (
    DEFAULT_MAX_DEGREE,
    Relative,
    neutralise_cell,
    relatives,
    relatives_rows,
)
from genogram.resolve import IngestReport, ingest_notes, ingest_records, resolve_reference
from genogram.store import GraphStore

if TYPE_CHECKING:
    from render import RenderOptions

APP_HELP = """Build a child's family network (genogram) from case notes and council records.

Example:

    genogram ingest records --people csc_people.csv --relationships csc_relationships.csv

    genogram relatives CSC:1001
"""

app = typer.Typer(
    help=APP_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,
)
ingest_app = typer.Typer(
    help="Read council records and case notes into the store.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(ingest_app, name="ingest")
export_app = typer.Typer(
    help="Write people and relationships in standard formats (GEDCOM).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(export_app, name="export")
store_app = typer.Typer(
    help="Work on whole stores: copy a graph between SQLite and Neo4j.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(store_app, name="store")

err = Console(stderr=True, highlight=False, soft_wrap=True)
# Piped output keeps whole table rows on one line instead of wrapping at 80 columns.
out = Console(highlight=False, soft_wrap=True, width=None if sys.stdout.isatty() else 200)

DEFAULT_STORE = "genogram.db"
T = TypeVar("T")


class TableFormat(StrEnum):
    """Output formats for listing commands."""

    table = "table"
    json = "json"
    csv = "csv"


class ReportFormat(StrEnum):
    """Output formats for ingest summaries."""

    text = "text"
    json = "json"


class Notation(StrEnum):
    """Genogram notation profiles (DESIGN §6)."""

    uk = "uk"
    nsgc = "nsgc"


@dataclass
class State:
    """Options shared by every command."""

    store: str = DEFAULT_STORE
    quiet: bool = False
    database: str | None = None


@app.callback()
def main(
    ctx: typer.Context,
    store: Annotated[
        str,
        typer.Option(
            "--store",
            envvar="GENOGRAM_STORE",
            help="SQLite file path, or a bolt:// / neo4j:// URI.",
            show_default=True,
        ),
    ] = DEFAULT_STORE,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bars or summaries on stderr.")
    ] = False,
    database: Annotated[
        str | None,
        typer.Option(
            "--database",
            envvar="GENOGRAM_NEO4J_DATABASE",
            help="Database on a Neo4j server (default: the server's default database).",
        ),
    ] = None,
) -> None:
    """Genogram builder for children's social care."""
    ctx.obj = State(store=store, quiet=quiet, database=database or None)


# --------------------------------------------------------------------------- helpers


def _fail(exc: GenogramError) -> typer.Exit:
    err.print(f"genogram: error: {exc}", markup=False)
    return typer.Exit(exc.exit_code)


@contextmanager
def errors_to_exit() -> Iterator[None]:
    """Turn domain errors into a one-line message and their exit code."""
    try:
        yield
    except GenogramError as exc:
        raise _fail(exc) from None
    except (typer.Exit, typer.Abort, KeyboardInterrupt):
        raise
    except Exception as exc:  # a bug: say so without leaking data or locals
        if os.environ.get("GENOGRAM_DEBUG"):
            raise
        err.print(
            f"genogram: internal error ({type(exc).__name__}); "
            "rerun with GENOGRAM_DEBUG=1 for details and report it",
            markup=False,
        )
        raise typer.Exit(1) from None


@contextmanager
def opened_store(state: State) -> Iterator[GraphStore]:
    """Open the store named by --store and close it afterwards."""
    from graphstore import open_store

    store = open_store(state.store, database=state.database)
    try:
        yield store
    finally:
        store.close()


def _show_progress(state: State) -> bool:
    return not state.quiet and sys.stderr.isatty()


@contextmanager
def progress_bar(state: State, label: str, total: int) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr when it is a terminal; silent when piped."""
    if not _show_progress(state) or total <= 0:
        yield lambda n: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)


def check_output_path(path: Path, *, force: bool) -> Path:
    """Refuse to write through a symlink, into a missing folder, over a folder, or over an
    existing file without --force."""
    if path.is_symlink():
        raise InputError("refusing to write through a symbolic link", file=path, field="-o")
    resolved = path.resolve()
    if not resolved.parent.is_dir():
        raise InputError("the output folder does not exist", file=path, field="-o")
    if resolved.is_dir():
        raise InputError("the output path is a folder; give a file name", file=path, field="-o")
    if resolved.exists() and not force:
        raise InputError("the file exists; pass --force to overwrite it", file=path, field="-o")
    return resolved


def _print_report(state: State, report: IngestReport, fmt: ReportFormat) -> None:
    if fmt is ReportFormat.json:
        out.print_json(json.dumps(report.as_dict()))
        return
    parts = [
        f"{report.records} records" if report.records else "",
        f"{report.notes} notes, {report.mentions} mentions" if report.notes else "",
        f"{report.people_created} people created",
        f"{report.people_linked} linked to known people",
        f"{report.people_known} already known",
        f"{report.implied_created} implied" if report.implied_created else "",
        f"{report.relationships} relationships",
        f"{report.review} waiting for review",
    ]
    out.print("ingested: " + ", ".join(p for p in parts if p), markup=False)
    if not state.quiet:
        for warning in report.warnings:
            err.print(f"genogram: warning: {warning}", markup=False)


# --------------------------------------------------------------------------- ingest


@ingest_app.command("records")
def ingest_records_cmd(
    ctx: typer.Context,
    people: Annotated[
        Path, typer.Option("--people", help="People CSV (DESIGN §4 columns).", show_default=False)
    ],
    relationships: Annotated[
        Path | None, typer.Option("--relationships", help="Relationships CSV.")
    ] = None,
    source: Annotated[
        str | None,
        typer.Option("--source", help="Source system name when the files have no source column."),
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="FIELD=COLUMN: read FIELD from a differently named column."),
    ] = None,
    map_file: Annotated[
        Path | None, typer.Option("--map-file", help="A file of FIELD=COLUMN lines.")
    ] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="Summary format.")] = (
        ReportFormat.text
    ),
) -> None:
    """Ingest a people CSV (and optionally a relationships CSV) from one council system.

    Re-running the same files changes nothing. Records that match a known person are linked to
    them; doubtful matches wait for review. --map applies to the people file.

    Example:

        genogram ingest records --people housing.csv --source HOUSING
            --map given_names=Forename --map birth_date=DOB
    """
    from extract.records import parse_mapping, read_mapping_file, read_people, read_relationships

    state: State = ctx.obj
    with errors_to_exit():
        fields = read_mapping_file(map_file) if map_file else {}
        fields.update(parse_mapping(mapping or []))
        person_records = read_people(people, source=source, mapping=fields or None)
        rel_records = (
            read_relationships(relationships, source=source) if relationships is not None else []
        )
        with (
            opened_store(state) as store,
            progress_bar(
                state, "ingesting records", len(person_records) + len(rel_records)
            ) as tick,
        ):
            report = ingest_records(store, person_records, rel_records, progress=tick)
        _print_report(state, report, fmt)


@ingest_app.command("notes")
def ingest_notes_cmd(
    ctx: typer.Context,
    notes: Annotated[Path, typer.Argument(help="Notes file: .jsonl, or .txt with --subject.")],
    subject: Annotated[
        str | None,
        typer.Option("--subject", help="The child a .txt note (or notes without one) is about."),
    ] = None,
    source: Annotated[str, typer.Option("--source", help="Source system of the notes.")] = "notes",
    fmt: Annotated[ReportFormat, typer.Option("--format", help="Summary format.")] = (
        ReportFormat.text
    ),
) -> None:
    """Extract relatives from case notes and add them, with the quoted sentence, to the graph.

    Each line of a .jsonl file is {"id", "subject", "date", "author", "text"}.

    Example:

        genogram ingest notes fixtures/notes.jsonl
    """
    from extract.nlp import build_pipeline, extract_note
    from extract.notes import read_notes

    state: State = ctx.obj
    with errors_to_exit():
        note_list = read_notes(notes, subject=subject)
        nlp = build_pipeline()
        mentions = {}
        with progress_bar(state, "reading notes", len(note_list)) as tick:
            for note in note_list:
                mentions[note.id] = extract_note(note, nlp)
                tick(1)
        with (
            opened_store(state) as store,
            progress_bar(state, "linking relatives", len(note_list)) as tick,
        ):
            report = ingest_notes(store, note_list, mentions, system=source, progress=tick)
        _print_report(state, report, fmt)


@ingest_app.command("gedcom")
def ingest_gedcom_cmd(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A GEDCOM 5.5, 5.5.1 or 7.0 file.")],
    source: Annotated[
        str | None,
        typer.Option("--source", help="Source name for the records (default: the file's name)."),
    ] = None,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="Summary format.")] = (
        ReportFormat.text
    ),
) -> None:
    """Ingest a family tree from genealogy software (GEDCOM), matched against known people.

    Each individual becomes a record SOURCE:XREF (for example royal92.ged:I1). The whole file
    is checked first: a malformed file is rejected and nothing is written.

    Example:

        genogram ingest gedcom family.ged --source FAMILYTREE
    """
    from extract.gedcom import ingest_gedcom, read_gedcom

    state: State = ctx.obj
    with errors_to_exit():
        batch = read_gedcom(file, source=source)
        total = len(batch.people) + len(batch.relationships)
        with opened_store(state) as store, progress_bar(state, "ingesting GEDCOM", total) as tick:
            report = ingest_gedcom(store, batch, progress=tick)
        _print_report(state, report, fmt)


class GedcomVersion(StrEnum):
    """GEDCOM versions `export gedcom` writes."""

    v551 = "5.5.1"
    v70 = "7.0"


@export_app.command("gedcom")
def export_gedcom_cmd(
    ctx: typer.Context,
    subject: Annotated[
        str | None, typer.Argument(help="Person id, SOURCE:RECORD_ID or a name (or --all).")
    ] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="The .ged file.")] = None,
    max_degree: Annotated[
        int, typer.Option("--max-degree", min=1, max=12, help="Furthest degree of kinship.")
    ] = DEFAULT_MAX_DEGREE,
    everyone: Annotated[bool, typer.Option("--all", help="Export every person.")] = False,
    version: Annotated[GedcomVersion, typer.Option("--version", help="GEDCOM version.")] = (
        GedcomVersion.v551
    ),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a person's family (or everyone) as a GEDCOM file for genealogy software.

    Addresses are never exported. Importing the file again gives the same people and
    relationships.

    Example:

        genogram export gedcom CSC:1001 --max-degree 4 -o amelia.ged --version 7.0
    """
    from extract.gedcom_write import select_people, write_gedcom

    state: State = ctx.obj
    with errors_to_exit():
        if output is None:
            raise InputError("give the output file with -o FILE.ged", field="-o")
        if (subject is None) == (not everyone):
            raise InputError("give either a SUBJECT or --all", field="SUBJECT")
        path = check_output_path(output, force=force)
        with opened_store(state) as store:
            subject_id = resolve_reference(store, subject).id if subject is not None else None
            people, rels = select_people(store, subject_id, max_degree)
            result = write_gedcom(path, people, rels, version=version.value)
            record_audit(
                store,
                "export-gedcom",
                subject_id,
                detail=f"version={result.version} people={result.people} addresses withheld",
            )
        note = f", {result.skipped} relationships GEDCOM cannot hold" if result.skipped else ""
        out.print(
            f"wrote: {path} (GEDCOM {result.version}, {result.people} people, "
            f"{result.families} families{note})",
            markup=False,
        )


# --------------------------------------------------------------------------- queries


@app.command("relatives")
def relatives_cmd(
    ctx: typer.Context,
    subject: Annotated[str, typer.Argument(help="Person id, SOURCE:RECORD_ID, or a name.")],
    max_degree: Annotated[
        int, typer.Option("--max-degree", min=1, max=12, help="Furthest degree of kinship.")
    ] = DEFAULT_MAX_DEGREE,
    fmt: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = (
        TableFormat.table
    ),
) -> None:
    """List a child's relatives: how each is related, and the sources that say so.

    Example:

        genogram relatives CSC:1001 --format json
    """
    state: State = ctx.obj
    with errors_to_exit(), opened_store(state) as store:
        person = resolve_reference(store, subject)
        rows = relatives(store, person.id, max_degree)
        record_audit(store, "view-relatives", person.id, detail=f"format={fmt.value}")
    print_relatives(rows, fmt, f"Relatives of {person.name or person.id}")


def print_relatives(rows: list[Relative], fmt: TableFormat, title: str) -> None:
    """Write relatives to stdout as a table, JSON (DESIGN §4) or neutralised CSV."""
    if fmt is TableFormat.json:
        sys.stdout.write(json.dumps([r.as_json() for r in rows], indent=2, ensure_ascii=False))
        sys.stdout.write("\n")
        return
    if fmt is TableFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\r\n")
        writer.writerows(relatives_rows(rows))
        return
    table = Table(title=title, title_justify="left")
    for column in ("Name", "Relationship", "Degree", "Born", "Status", "Certainty", "Sources"):
        table.add_column(column)
    for r in rows:
        name = r.name or ("(name unknown)" if r.implied else "(no name)")
        table.add_row(
            name,
            r.relationship + (f" ({', '.join(r.roles)})" if r.roles else ""),
            str(r.degree),
            r.birth_date or "",
            "deceased" if r.deceased else "",
            r.certainty,
            str(len(r.sources)),
        )
    out.print(table)


@app.command("render")
def render_cmd(
    ctx: typer.Context,
    subject: Annotated[str, typer.Argument(help="Person id, SOURCE:RECORD_ID, or a name.")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Output file: .pdf, .svg, .png or .dot.")
    ],
    generations: Annotated[
        int, typer.Option("--generations", min=1, max=6, help="Generations up and down.")
    ] = 2,
    notation: Annotated[Notation, typer.Option("--notation", help="Notation profile.")] = (
        Notation.uk
    ),
    author: Annotated[
        str | None,
        typer.Option("--author", envvar="GENOGRAM_AUTHOR", help="Author for the title block."),
    ] = None,
    include: Annotated[
        list[str] | None,
        typer.Option(
            "--include",
            help="Also draw this person (id or SOURCE:RECORD_ID) or relation kind "
            "(emotional, safeguarding, carers, households, ...); repeatable.",
        ),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option("--exclude", help="Leave out this person or relation kind; repeatable."),
    ] = None,
    hide_emotional: Annotated[
        bool,
        typer.Option("--hide-emotional", help="No emotional or safeguarding lines."),
    ] = False,
    anonymise: Annotated[
        bool,
        typer.Option("--anonymise", help="Initials and ages only: no names, no dates."),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Draw a child's genogram in standard notation.

    Example:

        genogram render CSC:1001 -o amelia.pdf --generations 2 --exclude households
    """
    from render import RenderOptions

    state: State = ctx.obj
    with errors_to_exit():
        path = check_output_path(output, force=force)
        options = RenderOptions(
            generations=generations,
            notation=notation.value,
            author=author,
            hide_emotional=hide_emotional,
            anonymise=anonymise,
        )
        with opened_store(state) as store:
            written = _render(store, subject, path, options, include or [], exclude or [])
            record_audit(
                store,
                "export-genogram",
                resolve_reference(store, subject).id,
                detail=f"{path.suffix.lstrip('.')}{';anonymised' if anonymise else ''}",
            )
        out.print(str(written), markup=False)


def _render(
    store: GraphStore,
    subject: str,
    path: Path,
    options: RenderOptions,
    include: list[str] | None = None,
    exclude: list[str] | None = None,
) -> Path:
    from render import render_file
    from render.from_store import dot_for_subject

    dot = dot_for_subject(store, subject, options, include=include or (), exclude=exclude or ())
    return render_file(dot, path)


class RedactField(StrEnum):
    """Fields `bundle --redact` can withhold."""

    addresses = "addresses"
    dob = "dob"
    names = "names"


@app.command("bundle")
def bundle_cmd(
    ctx: typer.Context,
    subject: Annotated[str, typer.Argument(help="Person id, SOURCE:RECORD_ID, or a name.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The bundle PDF to write.")],
    case_ref: Annotated[
        str | None, typer.Option("--case-ref", help="Court case reference for every page.")
    ] = None,
    author: Annotated[
        str | None,
        typer.Option("--author", envvar="GENOGRAM_AUTHOR", help="Who prepared the bundle."),
    ] = None,
    redact: Annotated[
        list[RedactField] | None,
        typer.Option("--redact", help="Withhold addresses, dob or names; repeatable."),
    ] = None,
    include_confidential: Annotated[
        bool,
        typer.Option("--include-confidential", help="Show addresses flagged confidential."),
    ] = False,
    generations: Annotated[
        int, typer.Option("--generations", min=1, max=6, help="Generations drawn up and down.")
    ] = 2,
    max_degree: Annotated[
        int, typer.Option("--max-degree", min=1, max=12, help="Furthest relative scheduled.")
    ] = DEFAULT_MAX_DEGREE,
    notation: Annotated[Notation, typer.Option("--notation", help="Notation profile.")] = (
        Notation.uk
    ),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a child's family court bundle: front sheet, contents, genogram with key, schedule
    of relatives and evidence appendix, marked OFFICIAL-SENSITIVE on every page.

    Confidential addresses are always withheld unless --include-confidential.

    Example:

        genogram bundle CSC:3005 -o ruby-bundle.pdf --case-ref ZZ24C00123 --redact dob
    """
    from render.bundle import BundleOptions, write_bundle

    state: State = ctx.obj
    with errors_to_exit():
        path = check_output_path(output, force=force)
        options = BundleOptions(
            case_ref=case_ref,
            author=author,
            redact=frozenset(r.value for r in redact or []),
            include_confidential=include_confidential,
            generations=generations,
            max_degree=max_degree,
            notation=notation.value,
        )
        with opened_store(state) as store:
            result = write_bundle(store, subject, path, options)
            withheld = ",".join(result.redactions) or "none"
            record_audit(
                store, "export-bundle", result.person_id, detail=f"pdf;withheld={withheld}"
            )
        out.print(str(result.path), markup=False)


# --------------------------------------------------------------------------- match


@app.command("match")
def match_cmd(
    ctx: typer.Context,
    left: Annotated[Path, typer.Argument(help="People CSV (the left side of every pair).")],
    right: Annotated[
        Path | None, typer.Argument(help="Second CSV to link to; omit to find duplicates.")
    ] = None,
    id_column: Annotated[
        str, typer.Option("--id", help="The column holding each row's id.", show_default=False)
    ] = "",
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="FIELD=COLUMN (fields: identifier, given_names, family_name, birth_date, "
            "sex, postcode, address; address may be given several times).",
        ),
    ] = None,
    output: Annotated[
        Path, typer.Option("-o", "--output", help="Pairs CSV to write.", show_default=False)
    ] = Path(),
    threshold: Annotated[
        float,
        typer.Option("--threshold", min=0.0, max=1.0, help="Lowest match probability written."),
    ] = 0.6,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Link two people CSV files, or find the duplicates in one, writing left_id,right_id,score.

    The score is the match probability of a Fellegi-Sunter model whose weights are estimated
    from the files themselves (no labels needed). Pairs at or above --threshold are written.

    Example:

        genogram match csc.csv housing.csv --id record_id --map given_names=Forename
            --map birth_date=DOB -o pairs.csv
    """
    from extract.tables import parse_match_mapping, read_table, write_pairs
    from genogram.linkage import STEPS, LinkOptions, link

    state: State = ctx.obj
    with errors_to_exit():
        if not id_column:
            raise InputError("give the id column with --id COLUMN", field="--id")
        if output == Path():
            raise InputError("give the pairs file with -o PAIRS.csv", field="-o")
        path = check_output_path(output, force=force)
        fields = parse_match_mapping(mapping or [])
        tables = [read_table(p, id_column=id_column, mapping=fields) for p in (left, right) if p]
        with progress_bar(state, "matching", STEPS) as tick:
            result = link(
                tables[0],
                tables[1] if len(tables) > 1 else None,
                options=LinkOptions(threshold=threshold),
                progress=tick,
            )
        written = write_pairs(path, result.pairs)
        out.print(f"wrote {written} pairs to {path}", markup=False)
        if not state.quiet:
            stats = result.blocking
            err.print(
                f"genogram: compared {stats.candidate_pairs} of {stats.total_pairs} possible "
                f"pairs (blocking skipped {stats.reduction_ratio:.4%})",
                markup=False,
            )
            for name, count in sorted(result.unreadable.items()):
                err.print(
                    f"genogram: warning: {count} {name} values could not be read "
                    "and were treated as missing",
                    markup=False,
                )


# --------------------------------------------------------------------------- demo


# --------------------------------------------------------------------------- curation


def record_audit(
    store: GraphStore, action: str, subject: str | None, detail: str | None = None
) -> None:
    """Append a view or an export to the audit log."""
    from genogram.curation import audit

    audit(store, action, subject, detail=detail)


review_app = typer.Typer(
    pretty_exceptions_show_locals=False,
    invoke_without_command=True,
)
app.add_typer(review_app, name="review")


@review_app.callback()
def review_list_cmd(
    ctx: typer.Context,
    fmt: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = (
        TableFormat.table
    ),
) -> None:
    """List pending pairs with the evidence for and against (or accept/reject one).

    Example:

        genogram review

        genogram review accept RV1a2b3c4d
    """
    if ctx.invoked_subcommand is not None:
        return
    from genogram.curation import pending_reviews

    state: State = ctx.obj
    with errors_to_exit(), opened_store(state) as store:
        items = pending_reviews(store)
        if fmt is TableFormat.json:
            sys.stdout.write(json.dumps([i.as_json() for i in items], indent=2) + "\n")
            return
        if fmt is TableFormat.csv:
            writer = csv.writer(sys.stdout, lineterminator="\r\n")
            writer.writerow(["id", "person_id", "other_person_id", "candidate", "score"])
            for i in items:
                writer.writerow(
                    [
                        neutralise_cell(v)
                        for v in (i.id, i.person_id, i.other_person_id, i.candidate, i.score)
                    ]
                )
            return
        table = Table(title=f"{len(items)} pairs waiting for review", title_justify="left")
        for column in ("Review", "Person", "May be", "Record/mention", "Score", "For", "Against"):
            table.add_column(column)
        for i in items:
            table.add_row(
                i.id,
                _label(store, i.person_id),
                _label(store, i.other_person_id),
                i.candidate,
                f"{i.score:.2f}",
                ", ".join(k for k, _ in i.evidence_for),
                ", ".join(k for k, _ in i.evidence_against),
            )
        out.print(table)


def _label(store: GraphStore, person_id: str) -> str:
    person = store.get_person(person_id)
    if person is None:
        return person_id
    born = f" b. {person.birth_date.year}" if person.birth_date else ""
    return f"{person.name or '(no name)'}{born} [{person_id}]"


@review_app.command("accept")
def review_accept_cmd(
    ctx: typer.Context,
    review_id: Annotated[str, typer.Argument(help="A review id from 'genogram review'.")],
) -> None:
    """They are the same person: merge them (undo with 'genogram split').

    Example:

        genogram review accept RV1a2b3c4d
    """
    from genogram.curation import accept_review

    state: State = ctx.obj
    with errors_to_exit(), opened_store(state) as store:
        decision = accept_review(store, review_id)
    out.print(f"merged: decision {decision.id}", markup=False)


@review_app.command("reject")
def review_reject_cmd(
    ctx: typer.Context,
    review_id: Annotated[str, typer.Argument(help="A review id from 'genogram review'.")],
) -> None:
    """They are different people: keep them apart.

    Example:

        genogram review reject RV1a2b3c4d
    """
    from genogram.curation import reject_review

    state: State = ctx.obj
    with errors_to_exit(), opened_store(state) as store:
        decision = reject_review(store, review_id)
    out.print(f"kept apart: decision {decision.id}", markup=False)


@app.command("merge")
def merge_cmd(
    ctx: typer.Context,
    keep: Annotated[str, typer.Argument(help="The person to keep (id or SOURCE:RECORD_ID).")],
    drop: Annotated[str, typer.Argument(help="The person merged into KEEP.")],
) -> None:
    """Correct a missed match: make two people one (undo with 'genogram split').

    Example:

        genogram merge CSC:1002 HOUSING:H-201
    """
    from genogram.curation import merge_people

    state: State = ctx.obj
    with errors_to_exit(), opened_store(state) as store:
        kept = resolve_reference(store, keep)
        dropped = resolve_reference(store, drop)
        decision = merge_people(store, kept.id, dropped.id)
    out.print(f"merged {dropped.id} into {kept.id}: decision {decision.id}", markup=False)


@app.command("split")
def split_cmd(
    ctx: typer.Context,
    decision: Annotated[
        str, typer.Argument(help="A merge decision id, or the id of a merged person.")
    ],
) -> None:
    """Undo a merge: both people as they were before it.

    Example:

        genogram split D1a2b3c4d5e
    """
    from genogram.curation import split

    state: State = ctx.obj
    with errors_to_exit(), opened_store(state) as store:
        try:  # a person reference means that person's latest merge
            reference = resolve_reference(store, decision).id
        except PersonNotFoundError:
            reference = decision
        done = split(store, reference)
    out.print(f"split: decision {done.id}", markup=False)


@app.command("audit")
def audit_cmd(
    ctx: typer.Context,
    fmt: Annotated[TableFormat, typer.Option("--format", help="Output format.")] = (
        TableFormat.table
    ),
) -> None:
    """Show the append-only audit log: who viewed, exported, merged or erased what, when.

    Example:

        genogram audit --format json
    """
    state: State = ctx.obj
    with errors_to_exit(), opened_store(state) as store:
        entries = store.audit_entries()
    rows = [
        {
            "time": e.time,
            "actor": e.actor,
            "action": e.action,
            "subject": e.subject,
            "outcome": e.outcome,
            "detail": e.detail,
        }
        for e in entries
    ]
    if fmt is TableFormat.json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
    elif fmt is TableFormat.csv:
        writer = csv.writer(sys.stdout, lineterminator="\r\n")
        writer.writerow(["time", "actor", "action", "subject", "outcome", "detail"])
        writer.writerows([[neutralise_cell(v) for v in row.values()] for row in rows])
    else:
        table = Table(title="Audit log", title_justify="left")
        for column in ("Time", "Who", "Action", "Person", "Outcome", "Detail"):
            table.add_column(column)
        for row in rows:
            table.add_row(*(str(v or "") for v in row.values()))
        out.print(table)


@app.command("erase")
def erase_cmd(
    ctx: typer.Context,
    person: Annotated[str, typer.Argument(help="Person id or SOURCE:RECORD_ID to erase.")],
    yes: Annotated[bool, typer.Option("--yes", help="Confirm: erasure cannot be undone.")] = False,
) -> None:
    """Erase a person, their relationships and the quotes that name them (right to erasure).

    The audit log records that an erasure happened, by id, without the erased content.

    Example:

        genogram erase HOUSING:H-203 --yes
    """
    from genogram.curation import erase_person

    state: State = ctx.obj
    with errors_to_exit():
        if not yes:
            raise InputError("erasure cannot be undone: add --yes to confirm", field="--yes")
        with opened_store(state) as store:
            target = resolve_reference(store, person)
            withdrawn = erase_person(store, target.id)
    out.print(f"erased {target.id}; {withdrawn} other quotes withdrawn", markup=False)


def _fixtures_dir(given: Path | None) -> Path:
    candidates = [given] if given else []
    env = os.environ.get("GENOGRAM_FIXTURES")
    if env:
        candidates.append(Path(env))
    candidates += [Path(__file__).resolve().parent / "fixtures", Path.cwd() / "fixtures"]
    for candidate in candidates:
        if candidate is not None and (candidate / "csc_people.csv").is_file():
            return candidate
    raise InputError(
        "the shipped fixtures were not found; run from the repository or pass --fixtures",
        field="--fixtures",
    )


@app.command("demo")
def demo_cmd(
    ctx: typer.Context,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Folder for the demo's store and drawings.")
    ] = Path("genogram-demo"),
    fixtures: Annotated[
        Path | None, typer.Option("--fixtures", help="Folder holding the fixtures.")
    ] = None,
    subject: Annotated[str, typer.Option("--subject", help="The child to show.")] = "CSC:1001",
) -> None:
    """Run the whole pipeline on the shipped fictional fixtures and draw one child's genogram.

    Uses its own store in the --out folder unless --store is given.

    Example:

        genogram demo --out /tmp/genogram-demo
    """
    from extract.nlp import build_pipeline, extract_note
    from extract.notes import read_notes
    from extract.records import read_mapping_file, read_people, read_relationships
    from render import RenderOptions

    state: State = ctx.obj
    with errors_to_exit():
        src = _fixtures_dir(fixtures)
        out_dir.mkdir(parents=True, exist_ok=True)
        source = ctx.parent.get_parameter_source("store") if ctx.parent else None
        explicit = source is not None and source.name in ("COMMANDLINE", "ENVIRONMENT")
        demo_state = State(
            store=state.store if explicit else str(out_dir / "genogram.db"), quiet=state.quiet
        )
        with opened_store(demo_state) as store:
            steps: list[IngestReport] = []
            steps.append(
                ingest_records(
                    store,
                    read_people(src / "csc_people.csv"),
                    read_relationships(src / "csc_relationships.csv"),
                )
            )
            steps.append(
                ingest_records(
                    store,
                    read_people(
                        src / "housing_people.csv",
                        source="HOUSING",
                        mapping=read_mapping_file(src / "housing.map"),
                    ),
                    read_relationships(src / "housing_relationships.csv"),
                )
            )
            note_list = read_notes(src / "notes.jsonl")
            nlp = build_pipeline()
            mentions = {note.id: extract_note(note, nlp) for note in note_list}
            steps.append(ingest_notes(store, note_list, mentions))
            for report in steps:
                _print_report(demo_state, report, ReportFormat.text)
            person = resolve_reference(store, subject)
            print_relatives(
                relatives(store, person.id, DEFAULT_MAX_DEGREE),
                TableFormat.table,
                f"Relatives of {person.name or person.id}",
            )
            stem = "genogram-" + "".join(c if c.isalnum() else "-" for c in subject)
            written = []
            for suffix in (".pdf", ".svg"):
                path = check_output_path(out_dir / f"{stem}{suffix}", force=True)
                demo_options = RenderOptions(generations=2, author="genogram demo")
                written.append(_render(store, person.id, path, demo_options))
        out.print(f"store: {demo_state.store}", markup=False)
        for path in written:
            out.print(f"wrote: {path}", markup=False)


# --------------------------------------------------------------------------- store


@store_app.command("copy")
def store_copy_cmd(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Option("--from", help="Store to read: SQLite file path or bolt:// / neo4j:// URI."),
    ],
    target: Annotated[
        str,
        typer.Option("--to", help="Store to write: SQLite file path or bolt:// / neo4j:// URI."),
    ],
    merge: Annotated[
        bool, typer.Option("--merge", help="Add to a target that already holds a graph.")
    ] = False,
    fmt: Annotated[ReportFormat, typer.Option("--format", help="Summary format.")] = (
        ReportFormat.text
    ),
) -> None:
    """Copy a whole graph (people, relationships with their evidence, documents, match and
    identity decisions, the audit log) from one store to another, e.g. SQLite to Neo4j when a
    team outgrows one machine.

    Neo4j credentials come from GENOGRAM_NEO4J_USER / GENOGRAM_NEO4J_PASSWORD and the database
    from GENOGRAM_NEO4J_DATABASE. The target must be empty unless --merge is given; re-running
    a copy with --merge changes nothing.

    Example:

        genogram store copy --from genogram.db --to bolt://graph.council.example:7687
    """
    from graphstore.copy import copy_store

    state: State = ctx.obj
    with errors_to_exit():
        if os.path.abspath(source) == os.path.abspath(target):
            raise InputError("--from and --to name the same store", field="--to")
        if "://" not in source and not Path(source).is_file():
            raise InputError("there is no store file here", file=source, field="--from")
        with (
            opened_store(State(store=source, database=state.database)) as src,
            opened_store(State(store=target, database=state.database)) as dst,
        ):
            counts = src.counts()
            total = sum(counts.get(k, 0) for k in ("persons", "relationships", "documents"))
            total += counts.get("matches", 0)
            total += len(src.decisions()) + len(src.audit_entries())
            with progress_bar(state, "copying", total) as tick:
                report = copy_store(src, dst, merge=merge, progress=tick)
        if fmt is ReportFormat.json:
            out.print_json(json.dumps(report.as_dict()))
        else:
            out.print(
                f"copied: {report.persons} people, {report.relationships} relationships "
                f"({report.evidence} pieces of evidence), {report.documents} documents, "
                f"{report.matches} match decisions, {report.decisions} identity decisions, "
                f"{report.audit_entries} audit entries",
                markup=False,
            )


if __name__ == "__main__":  # pragma: no cover
    app()
