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
from typing import Annotated, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from genogram.errors import GenogramError, InputError
from genogram.query import DEFAULT_MAX_DEGREE, Relative, family_of, relatives, relatives_rows
from genogram.resolve import IngestReport, ingest_notes, ingest_records, resolve_reference
from genogram.store import GraphStore

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
) -> None:
    """Genogram builder for children's social care."""
    ctx.obj = State(store=store, quiet=quiet)


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

    store = open_store(state.store)
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
    from extract.nlp import build_pipeline, extract_mentions
    from extract.notes import read_notes

    state: State = ctx.obj
    with errors_to_exit():
        note_list = read_notes(notes, subject=subject)
        nlp = build_pipeline()
        mentions = {}
        with progress_bar(state, "reading notes", len(note_list)) as tick:
            for note in note_list:
                mentions[note.id] = extract_mentions(note, nlp)
                tick(1)
        with (
            opened_store(state) as store,
            progress_bar(state, "linking relatives", len(note_list)) as tick,
        ):
            report = ingest_notes(store, note_list, mentions, system=source, progress=tick)
        _print_report(state, report, fmt)


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
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Draw a child's genogram in standard notation.

    Example:

        genogram render CSC:1001 -o amelia.pdf --generations 2
    """
    state: State = ctx.obj
    with errors_to_exit():
        path = check_output_path(output, force=force)
        with opened_store(state) as store:
            written = _render(store, subject, path, generations, notation.value, author)
        out.print(str(written), markup=False)


def _render(
    store: GraphStore,
    subject: str,
    path: Path,
    generations: int,
    notation: str,
    author: str | None,
) -> Path:
    from render import RenderOptions, build_dot, render_file, select

    person = resolve_reference(store, subject)
    people, rels = family_of(store, person.id, 2 * generations + 2)
    chosen, chosen_rels = select(person.id, list(people.values()), rels, generations)
    options = RenderOptions(generations=generations, notation=notation, author=author)
    return render_file(build_dot(person.id, chosen, chosen_rels, options), path)


# --------------------------------------------------------------------------- demo


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
    from extract.nlp import build_pipeline, extract_mentions
    from extract.notes import read_notes
    from extract.records import read_mapping_file, read_people, read_relationships

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
            mentions = {note.id: extract_mentions(note, nlp) for note in note_list}
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
                written.append(_render(store, person.id, path, 2, "uk", "genogram demo"))
        out.print(f"store: {demo_state.store}", markup=False)
        for path in written:
            out.print(f"wrote: {path}", markup=False)


if __name__ == "__main__":  # pragma: no cover
    app()
