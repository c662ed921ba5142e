"""Score case-note extraction against the gold corpus in this folder (`make eval`).

Each ``notes/*.txt`` file is one synthetic note: a header (``id``, ``case``, ``child``,
``date``, ``author``, ``style``), a blank line, the note text, then ``=== gold`` and one
annotation a line (see README.md here). Three scores:

- mentions: the (term, name, anchor) triples the extractor finds in each note, with the
  anchor and term composed onto the subject where the note lets a reader do so ("Grace's
  daughter" where Grace is the maternal aunt is the subject's "cousin");
- relatives: the named relatives (name + canonical term) that `genogram relatives` lists for
  each case after ingesting its notes into a fresh store (the end-to-end product figure);
- relations: the household (LIVES_WITH) and emotional/safeguarding (RELATES_TO) edges among
  the people of each case after ingest.

Run ``python tests/notes_corpus/corpus_eval.py [--errors] [DIR ...]``; another folder in the same
format (for example notes nobody tuned the rules on) can be scored the same way.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from extract.nlp import build_pipeline, extract_note  # noqa: E402
from genogram.assertions import KinMention, Note, PersonRecord  # noqa: E402
from genogram.kinship import normalise_term  # noqa: E402
from genogram.mentions import RelationMention  # noqa: E402
from genogram.model import PartialDate, RelType, Sex  # noqa: E402
from genogram.query import Relative, relatives  # noqa: E402
from genogram.resolve import ingest_notes, ingest_records, resolve_reference  # noqa: E402
from genogram.store import GraphStore  # noqa: E402
from graphstore import open_store  # noqa: E402

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "notes"
SOURCE = "CORPUS"
SUBJECT = "subject"
#: Relatives are listed up to this degree when scoring (beyond the CLI default of 4, so that
#: "maternal great-aunt's husband" and second cousins count).
MAX_DEGREE = 8
ATTRIBUTES = ("certainty", "deceased", "age", "status")
#: RELATES_TO kinds whose direction a note seldom states: scored either way round.
UNDIRECTED = frozenset({"close", "distant", "conflict", "hostile", "cut_off"})
_TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr"}


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class GoldMention:
    """One expected kin mention: `name` (None = unnamed) is the `term` of `anchor`."""

    term: str
    name: str | None
    anchor: str  # SUBJECT or a name as written
    attrs: tuple[tuple[str, str], ...] = ()


@dataclass
class CorpusNote:
    """A note with its expected annotations."""

    note: Note
    case: str
    child: tuple[str, str, str, str]  # given names, family name, sex, birth date
    style: str
    mentions: list[GoldMention] = field(default_factory=list)
    relatives: list[tuple[str, str]] = field(default_factory=list)
    households: list[tuple[str, str]] = field(default_factory=list)
    relations: list[tuple[str, str, str]] = field(default_factory=list)
    path: Path = field(default_factory=Path)


def _none(value: str) -> str | None:
    value = value.strip()
    return None if value in {"", "-"} else value


def _attrs(text: str) -> tuple[tuple[str, str], ...]:
    out = []
    for item in text.split():
        key, _, value = item.partition("=")
        out.append((key, value or "yes"))
    return tuple(sorted(out))


def read_note_file(path: Path) -> CorpusNote:
    """Parse one corpus file (raises ValueError naming the file and line on a bad line)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    header: dict[str, str] = {}
    i = 0
    while i < len(lines) and lines[i].strip():
        key, _, value = lines[i].partition(":")
        header[key.strip()] = value.strip()
        i += 1
    body: list[str] = []
    i += 1
    while i < len(lines) and lines[i].strip() != "=== gold":
        body.append(lines[i])
        i += 1
    text = "\n".join(body).strip()
    name, sex, born = (part.strip() for part in header["child"].split(";"))
    given, _, family = name.rpartition(" ")
    case = header["case"]
    note = Note(
        id=header["id"],
        subject=f"{SOURCE}:{case}",
        text=text,
        date=header.get("date"),
        author=header.get("author"),
        file=str(path),
    )
    full = " ".join([*given.split()[:1], family])
    item = CorpusNote(note, case, (given, family, sex, born), header.get("style", ""), path=path)
    for number, line in enumerate(lines[i + 1 :], start=i + 2):
        if not line.strip() or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        kind = parts[0]
        try:
            if kind == "m":
                term, who, anchor = parts[1], _none(parts[2]), parts[3]
                attrs = _attrs(parts[4]) if len(parts) > 4 else ()
                item.mentions.append(GoldMention(term, who, anchor, attrs))
            elif kind == "r":
                item.relatives.append((parts[1], parts[2]))
            elif kind == "h":
                item.households.append((_party(parts[1], full), _party(parts[2], full)))
            elif kind == "e":
                item.relations.append((parts[1], _party(parts[2], full), _party(parts[3], full)))
            else:
                raise ValueError(kind)
        except (IndexError, ValueError):
            raise ValueError(f"{path}, line {number}: bad gold annotation") from None
    return item


def _party(text: str, child: str) -> str:
    return child if text == SUBJECT else text


def load_corpus(directory: Path = CORPUS) -> list[CorpusNote]:
    """Every note of a corpus folder, in file-name order."""
    return [read_note_file(p) for p in sorted(directory.glob("*.txt"))]


# --------------------------------------------------------------------------- scoring


@dataclass
class Score:
    """Counts behind precision and recall, with the misses and false hits for reading."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: Score) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.missed += other.missed
        self.spurious += other.spurious

    def line(self, label: str) -> str:
        return (
            f"{label:<28} precision {self.precision:6.3f}  recall {self.recall:6.3f}  "
            f"F1 {self.f1:6.3f}   (tp {self.tp}, fp {self.fp}, fn {self.fn})"
        )


def name_words(name: str | None) -> tuple[str, ...]:
    """A name as comparable words: case-folded, titles and punctuation left out."""
    if name is None:
        return ()
    words = name.replace("’", "'").replace(".", " ").casefold().split()
    return tuple(w for w in words if w not in _TITLES)


def same_name(a: str | None, b: str | None) -> bool:
    """Names agree when equal, or when one is the other's first words ("Kerry" / "Kerry Hart")
    or they share the first and the last word ("Kerry Hart" / "Kerry Louise Hart")."""
    wa, wb = name_words(a), name_words(b)
    if not wa or not wb:
        return wa == wb
    if wa == wb:
        return True
    short, long = sorted((wa, wb), key=len)
    if long[: len(short)] == short:
        return True
    return wa[0] == wb[0] and wa[-1] == wb[-1]


def _norm(term: str) -> str:
    try:
        return normalise_term(term)
    except ValueError:
        return term


Key = tuple[str, str | None, str]  # term, name, anchor
RawKey = tuple[str, str | None, str | None]  # anchor None = the subject


def _subject_terms(keys: Iterable[Key], child: Sequence[str]) -> dict[tuple[str, ...], str]:
    """Names the note gives a subject-relative term: name words -> term."""
    found: dict[tuple[str, ...], str] = {}
    for term, name, anchor in keys:
        if name is not None and anchor == SUBJECT:
            found.setdefault(name_words(name), term)
    return found


def _anchor_of(anchor: str | None, child: Sequence[str]) -> str:
    if anchor is None:
        return SUBJECT
    given, family = child[0], child[1]
    if same_name(anchor, f"{given} {family}") or same_name(anchor, given.split()[0]):
        return SUBJECT
    return anchor


def normalise_keys(keys: Iterable[RawKey], child: Sequence[str]) -> set[Key]:
    """Mentions in a comparable form: anchors that are the child become SUBJECT, and a term
    relative to a person the note places relative to the child is composed onto the child
    (repeatedly, so that chains such as "Sharon's brother" with Sharon the grandmother work)."""
    current = {(_norm(t), n, _anchor_of(a, child)) for t, n, a in keys}
    for _ in range(4):
        terms = _subject_terms(current, child)
        changed: set[Key] = set()
        for term, name, anchor in current:
            if anchor != SUBJECT:
                via = terms.get(name_words(anchor))
                if via is None:
                    matches = {t for w, t in terms.items() if same_name(" ".join(w), anchor)}
                    via = matches.pop() if len(matches) == 1 else None
                if via is not None:
                    term, anchor = _norm(f"{via}'s {term}"), SUBJECT
            changed.add((term, name, anchor))
        if changed == current:
            break
        current = changed
    return current


def _match(
    gold: Iterable[Key], found: Iterable[Key], label: str
) -> tuple[Score, list[tuple[Key, Key]]]:
    score = Score()
    left = sorted(found, key=str)
    pairs = []
    for g in sorted(gold, key=str):
        hit = next(
            (f for f in left if f[0] == g[0] and same_name(f[2], g[2]) and same_name(f[1], g[1])),
            None,
        )
        if hit is None:
            score.fn += 1
            score.missed.append(f"{label}: {g}")
        else:
            left.remove(hit)
            score.tp += 1
            pairs.append((g, hit))
    score.fp += len(left)
    score.spurious += [f"{label}: {f}" for f in left]
    return score, pairs


@dataclass
class Report:
    """All scores of one run."""

    mentions: Score = field(default_factory=Score)
    by_style: dict[str, Score] = field(default_factory=lambda: defaultdict(Score))
    attributes: Counter[str] = field(default_factory=Counter)
    attributes_right: Counter[str] = field(default_factory=Counter)
    attribute_errors: list[str] = field(default_factory=list)
    relatives: Score = field(default_factory=Score)
    relations: Score = field(default_factory=Score)
    notes: int = 0
    cases: int = 0
    gold_relatives: int = 0


def _predicted_attrs(m: KinMention) -> dict[str, str]:
    attrs = {}
    if m.certainty != "confirmed":
        attrs["certainty"] = m.certainty
    if m.deceased:
        attrs["deceased"] = "yes"
    if m.age is not None:
        attrs["age"] = str(m.age)
    if m.status is not None:
        attrs["status"] = m.status
    return attrs


def score_mentions(
    corpus: Sequence[CorpusNote], extracted: dict[str, list[KinMention | RelationMention]]
) -> Report:
    """Mention-level scores and attribute accuracy (attributes of matched mentions)."""
    report = Report(notes=len(corpus))
    for item in corpus:
        found = [m for m in extracted[item.note.id] if isinstance(m, KinMention)]
        gold_keys = normalise_keys(((g.term, g.name, g.anchor) for g in item.mentions), item.child)
        raw = [(m.term, m.name, m.anchor) for m in found]
        found_keys = normalise_keys(raw, item.child)
        score, _pairs = _match(gold_keys, found_keys, item.note.id)
        report.mentions.add(score)
        report.by_style[item.style.split(",")[0]].add(score)
        # Attributes, per person: everything the gold says about one name (or one unnamed
        # term) against everything the extractor says about it.
        people: dict[tuple[str, ...] | str, dict[str, str]] = defaultdict(dict)
        for g in item.mentions:
            who = name_words(g.name) if g.name is not None else _norm(g.term)
            people[who].update(dict(g.attrs))
        for who, gold_attrs in people.items():
            same = [
                m
                for m in found
                if (isinstance(who, tuple) and same_name(m.name, " ".join(who)))
                or (isinstance(who, str) and m.name is None and _norm(m.term) == who)
            ]
            if not same:
                continue
            predicted: dict[str, str] = {}
            for m in same:
                for key, value in _predicted_attrs(m).items():
                    predicted.setdefault(key, value)
            for key in ATTRIBUTES:
                if key not in gold_attrs and key not in predicted:
                    continue
                report.attributes[key] += 1
                if gold_attrs.get(key) == predicted.get(key):
                    report.attributes_right[key] += 1
                else:
                    label = " ".join(who) if isinstance(who, tuple) else who
                    report.attribute_errors.append(
                        f"{item.note.id}: {label}: {key} gold "
                        f"{gold_attrs.get(key)} found {predicted.get(key)}"
                    )
    return report


def score_graph(
    corpus: Sequence[CorpusNote],
    extracted: dict[str, list[KinMention | RelationMention]],
    report: Report,
    workdir: Path,
) -> None:
    """Ingest every case into a fresh store and score its relatives and relation edges."""
    cases: dict[str, list[CorpusNote]] = defaultdict(list)
    for item in corpus:
        cases[item.case].append(item)
    report.cases = len(cases)
    store = open_store(workdir / "corpus.db")
    try:
        people = []
        for case, items in sorted(cases.items()):
            given, family, sex, born = items[0].child
            people.append(
                PersonRecord(
                    source=SOURCE,
                    record_id=case,
                    given_names=given,
                    family_name=family,
                    sex=Sex(sex),
                    birth_date=PartialDate.from_iso(born),
                )
            )
        ingest_records(store, people)
        notes = [item.note for item in corpus]
        ingest_notes(store, notes, {n.id: extracted[n.id] for n in notes})
        for case, items in sorted(cases.items()):
            subject = resolve_reference(store, f"{SOURCE}:{case}")
            rows = relatives(store, subject.id, MAX_DEGREE)
            gold = {(n, _norm(t)) for item in items for n, t in item.relatives}
            report.gold_relatives += len(gold)
            found = {(r.relationship, r.name, SUBJECT) for r in rows if r.name is not None}
            score, _ = _match({(t, n, SUBJECT) for n, t in gold}, found, case)
            report.relatives.add(score)
            report.relations.add(_score_relations(store, subject.id, items, rows))
    finally:
        store.close()


def _score_relations(
    store: GraphStore, subject_id: str, items: list[CorpusNote], rows: list[Relative]
) -> Score:
    people, rels = store.neighbourhood(subject_id, 3)
    label: dict[str, str] = {}
    kin_terms = {r.person_id: r.relationship for r in rows}
    for person in people:
        if person.id == subject_id:
            label[person.id] = SUBJECT
        elif person.name is not None:
            label[person.id] = person.name
        else:
            label[person.id] = f"term:{kin_terms.get(person.id, '?')}"
    given, family = items[0].child[0], items[0].child[1]
    child = " ".join([*given.split()[:1], family])

    def party(text: str) -> str:
        return SUBJECT if same_name(text, child) else text

    gold: set[Key] = set()
    for item in items:
        for a, b in item.households:
            x, y = sorted((party(a), party(b)))
            gold.add(("LIVES_WITH", x, y))
        for kind, a, b in item.relations:
            gold.add((f"RELATES_TO:{kind}", party(a), party(b)))
    found: set[Key] = set()
    for rel in rels:
        if rel.type is RelType.LIVES_WITH:
            x, y = sorted((label.get(rel.from_id, "?"), label.get(rel.to_id, "?")))
            found.add(("LIVES_WITH", x, y))
        elif rel.type is RelType.RELATES_TO:
            found.add(
                (
                    f"RELATES_TO:{rel.kind}",
                    label.get(rel.from_id, "?"),
                    label.get(rel.to_id, "?"),
                )
            )
    score = Score()
    left = sorted(found, key=str)
    for g in sorted(gold, key=str):
        hit = next((f for f in left if f[0] == g[0] and _party_eq(f, g)), None)
        if hit is None:
            score.fn += 1
            score.missed.append(f"{items[0].case}: {g}")
        else:
            left.remove(hit)
            score.tp += 1
    score.fp += len(left)
    score.spurious += [f"{items[0].case}: {f}" for f in left]
    return score


def _party_eq(found: Key, gold: Key) -> bool:
    def eq(a: str | None, b: str | None) -> bool:
        if a is None or b is None:
            return a == b
        if a.startswith("term:") or b.startswith("term:"):
            return a.startswith("term:") and b.startswith("term:") and _norm(a[5:]) == _norm(b[5:])
        return a == b == SUBJECT or (SUBJECT not in (a, b) and same_name(a, b))

    if eq(found[1], gold[1]) and eq(found[2], gold[2]):
        return True
    either_way = found[0] == "LIVES_WITH" or found[0].split(":")[-1] in UNDIRECTED
    return either_way and eq(found[1], gold[2]) and eq(found[2], gold[1])


# --------------------------------------------------------------------------- running


def evaluate(directories: Sequence[Path] = (CORPUS,)) -> Report:
    """Extract every note of the corpus folders and score mentions, relatives and relations."""
    corpus = [item for d in directories for item in load_corpus(d)]
    nlp = build_pipeline()
    extracted = {item.note.id: extract_note(item.note, nlp) for item in corpus}
    report = score_mentions(corpus, extracted)
    with tempfile.TemporaryDirectory() as tmp:
        score_graph(corpus, extracted, report, Path(tmp))
    return report


def print_report(report: Report, errors: bool = False) -> None:
    """The figures `make eval` prints."""
    print(
        f"{report.notes} notes, {report.cases} cases, {report.gold_relatives} gold relatives, "
        f"{report.mentions.tp + report.mentions.fn} gold mentions"
    )
    print(report.relatives.line("relatives (name + term)"))
    print(report.mentions.line("mentions (term, name, anchor)"))
    print(report.relations.line("households and relations"))
    for style, score in sorted(report.by_style.items()):
        print(score.line(f"  mentions: {style[:24]}"))
    for key in ATTRIBUTES:
        total = report.attributes[key]
        if total:
            right = report.attributes_right[key]
            print(f"attribute {key:<18} {right}/{total} right ({right / total:.3f})")
    if errors:
        for title, lines in (
            ("missed relatives", report.relatives.missed),
            ("spurious relatives", report.relatives.spurious),
            ("missed mentions", report.mentions.missed),
            ("spurious mentions", report.mentions.spurious),
            ("missed relations", report.relations.missed),
            ("spurious relations", report.relations.spurious),
            ("attribute errors", report.attribute_errors),
        ):
            if lines:
                print(f"\n{title}:")
                for line in lines:
                    print(f"  {line}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=[CORPUS])
    parser.add_argument("--errors", action="store_true", help="list every miss and false hit")
    args = parser.parse_args(argv)
    print_report(evaluate(args.folders), errors=args.errors)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
