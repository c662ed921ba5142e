"""Coverage-guided fuzzing (atheris) of every input parser, for a bounded time.

    python fuzz/run.py TARGET SECONDS

Targets: people, relationships, notes, dates, names, extract. A parser may reject input only
with the tool's own errors (InputError, or ValueError from the date parser); anything else is a
crash, which atheris reports with the input that caused it (saved as crash-*).
"""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

with atheris.instrument_imports():
    from extract.nlp import extract_note
    from extract.notes import read_notes
    from extract.records import read_people, read_relationships
    from genogram.assertions import Note
    from genogram.dates import parse_date
    from genogram.errors import GenogramError
    from genogram.matching import blocking_keys, score_people
    from genogram.model import Person
    from genogram.names import given_variants, normalise, split_full_name, surname_key

WORK = Path(tempfile.mkdtemp(prefix="genogram-fuzz-"))


def _file_target(reader: Callable[[Path], object], suffix: str) -> Callable[[bytes], None]:
    path = WORK / f"input{suffix}"

    def run(data: bytes) -> None:
        path.write_bytes(data)
        with contextlib.suppress(GenogramError):
            reader(path)

    return run


def _dates(data: bytes) -> None:
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(80)
    with contextlib.suppress(ValueError):
        parse_date(text)


def _names(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    a, b = fdp.ConsumeUnicodeNoSurrogates(40), fdp.ConsumeUnicodeNoSurrogates(40)
    normalise(a)
    given, family = split_full_name(a)
    given_variants(a)
    surname_key(b)
    left = Person("a", given, family, known_as=[b] if b.strip() else [])
    right = Person("b", b or None, a or None)
    blocking_keys(left)
    score = score_people(left, right)
    assert 0.0 <= score.score <= 1.0


def _extract(data: bytes) -> None:
    text = atheris.FuzzedDataProvider(data).ConsumeUnicodeNoSurrogates(2000)
    for mention in extract_note(Note(id="f", subject="s", text=text)):
        assert 0 <= mention.span[0] <= mention.span[1] <= len(text)


TARGETS: dict[str, tuple[Callable[[bytes], None], list[str]]] = {
    "people": (_file_target(read_people, ".csv"), ["*people*.csv"]),
    "relationships": (_file_target(read_relationships, ".csv"), ["*rel*.csv"]),
    "notes": (_file_target(read_notes, ".jsonl"), ["*.jsonl"]),
    "dates": (_dates, []),
    "names": (_names, []),
    "extract": (_extract, ["*.txt"]),
}


def main() -> None:
    """Seed a corpus from the fixtures and malformed inputs, then fuzz one target."""
    if len(sys.argv) != 3 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: run.py {{{','.join(TARGETS)}}} SECONDS")
    target, seconds = sys.argv[1], int(sys.argv[2])
    run, patterns = TARGETS[target]
    corpus = WORK / "corpus"
    corpus.mkdir()
    for folder in (ROOT / "fixtures", ROOT / "tests" / "bad_inputs"):
        for pattern in patterns:
            for seed in folder.glob(pattern):
                shutil.copy(seed, corpus / f"{folder.name}-{seed.name}")
    print(f"fuzzing {target} for {seconds} s with {len(list(corpus.iterdir()))} seeds")
    atheris.Setup(
        [sys.argv[0], f"-max_total_time={seconds}", "-rss_limit_mb=4096", str(corpus)], run
    )
    atheris.Fuzz()


if __name__ == "__main__":
    main()
