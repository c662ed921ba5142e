"""Turn read inputs (records, note mentions) into people and relationships in a store.

This is where matching decides whether an incoming record or mention is someone already
known: clear matches are linked (the score kept), doubtful ones are kept apart and queued for
review, never silently merged. Every relationship written carries its evidence. All writes for
one batch happen inside one store transaction, after the whole batch has been validated, so a
rejected input leaves the store unchanged.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from genogram.assertions import KinMention, Note, PersonRecord, RelationshipRecord
from genogram.errors import AmbiguousPersonError, InputError, PersonNotFoundError
from genogram.kinship import Move, Step, decompose, name_relative
from genogram.matching import REVIEW_AT, blocking_keys, rank_candidates
from genogram.mentions import Party, RelationMention
from genogram.model import (
    PARTNER_STATUSES,
    TWIN_KINDS,
    Address,
    Document,
    Evidence,
    Fact,
    MatchDecision,
    PartialDate,
    Person,
    Relationship,
    RelType,
    Sex,
    SourceKey,
    person_id_for,
)
from genogram.names import normalise, split_full_name
from genogram.store import GraphStore
from genogram.vocab import record_relation

#: Called after each unit of work (a record, a note) so the CLI can advance a progress bar.
Progress = Callable[[int], None]


@dataclass
class IngestReport:
    """What an ingest did, in counts only (safe to print: no personal data)."""

    records: int = 0
    notes: int = 0
    mentions: int = 0
    people_created: int = 0
    people_linked: int = 0
    people_known: int = 0
    implied_created: int = 0
    review: int = 0
    relationships: int = 0
    skipped_mentions: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """Plain dict for `--format json`."""
        return {
            "records": self.records,
            "notes": self.notes,
            "mentions": self.mentions,
            "people_created": self.people_created,
            "people_linked": self.people_linked,
            "people_known": self.people_known,
            "implied_created": self.implied_created,
            "review": self.review,
            "relationships": self.relationships,
            "skipped_mentions": self.skipped_mentions,
            "warnings": list(self.warnings),
        }


# --------------------------------------------------------------------------- references


def resolve_reference(store: GraphStore, ref: str) -> Person:
    """Find the person a SUBJECT/PERSON argument means: id, SOURCE:RECORD_ID, or a name.

    A name that fits several people raises `AmbiguousPersonError` listing their ids (and
    record keys, which are not personal data), never their details.
    """
    text = ref.strip()
    if not text:
        raise PersonNotFoundError(ref)
    person = store.get_person(text)
    if person is not None:
        return person
    if ":" in text:
        system, _, record_id = text.partition(":")
        pid = store.find_by_source(SourceKey(system.strip(), record_id.strip()))
        if pid is not None:
            found = store.get_person(pid)
            if found is not None:
                return found
    found_people = [p for p in store.find_by_name(text) if not p.implied]
    if len(found_people) > 1:
        wanted = normalise(text)
        exact = [p for p in found_people if _full_names(p) & {wanted}]
        if exact:
            found_people = exact
    if not found_people:
        raise PersonNotFoundError(ref)
    if len(found_people) > 1:
        raise AmbiguousPersonError(
            ref,
            [
                (p.id, ", ".join(str(s) for s in p.sources) or "no record key")
                for p in sorted(found_people, key=lambda q: q.id)
            ],
        )
    return found_people[0]


def _full_names(person: Person) -> set[str]:
    names = {normalise(n) for n in person.known_as}
    if person.name:
        names.add(normalise(person.name))
    if person.given_names and person.family_name:
        first = person.given_names.split()[0]
        names.add(normalise(f"{first} {person.family_name}"))
    if person.given_names:
        names.add(normalise(person.given_names))
    return names


# --------------------------------------------------------------------------- records


def _person_from_record(rec: PersonRecord, pid: str) -> Person:
    evidence = Evidence(
        document=str(rec.key), system=rec.source, method="record", quote=None, confidence=1.0
    )
    facts: list[Fact] = []
    for name, value in (
        ("given_names", rec.given_names),
        ("family_name", rec.family_name),
        ("sex", rec.sex.value if rec.sex is not Sex.UNKNOWN else None),
        ("birth_date", rec.birth_date.iso() if rec.birth_date else None),
        ("death_date", rec.death_date.iso() if rec.death_date else None),
        ("address", rec.address),
        ("postcode", rec.postcode),
    ):
        if value:
            facts.append(Fact(name, value, evidence))
    for alias in rec.known_as:
        facts.append(Fact("known_as", alias, evidence))
    addresses = []
    if rec.address or rec.postcode:
        addresses.append(
            Address(
                text=rec.address or "",
                postcode=rec.postcode,
                confidential=rec.address_confidential,
            )
        )
    return Person(
        id=pid,
        given_names=rec.given_names,
        family_name=rec.family_name,
        known_as=list(rec.known_as),
        sex=rec.sex,
        birth_date=rec.birth_date,
        death_date=rec.death_date,
        deceased=rec.deceased or rec.death_date is not None,
        addresses=addresses,
        sources=[rec.key],
        facts=facts,
    )


def _combine(existing: Person, incoming: Person) -> Person:
    """Merge an incoming view of a person into the stored one: known values stay, gaps are
    filled, list fields are added to; every source's value stays in `facts`."""
    known_as = list(existing.known_as)
    for alias in incoming.known_as:
        if alias not in known_as:
            known_as.append(alias)
    # A name from a record replaces an implied person's missing name.
    return replace(
        existing,
        given_names=existing.given_names or incoming.given_names,
        family_name=existing.family_name or incoming.family_name,
        known_as=known_as,
        sex=existing.sex if existing.sex is not Sex.UNKNOWN else incoming.sex,
        birth_date=_better_date(existing.birth_date, incoming.birth_date),
        death_date=existing.death_date or incoming.death_date,
        deceased=existing.deceased or incoming.deceased,
        addresses=list(incoming.addresses),
        sources=list(incoming.sources),
        facts=list(incoming.facts),
        implied=existing.implied and incoming.implied,
        implied_label=existing.implied_label if existing.implied and incoming.implied else None,
    )


def _better_date(a: PartialDate | None, b: PartialDate | None) -> PartialDate | None:
    """Keep the more precise of two dates (an exact date beats an approximate year)."""
    if a is None:
        return b
    if b is None:
        return a

    def precision(d: PartialDate) -> tuple[int, int]:
        return (0 if d.approximate else 1, (d.month is not None) + (d.day is not None))

    return b if precision(b) > precision(a) else a


class _Session:
    """One ingest batch: an in-memory view of the people, with a blocking index, so that
    matching neither re-reads the store nor scores every pair."""

    def __init__(self, store: GraphStore, report: IngestReport) -> None:
        self.store = store
        self.report = report
        self._people: dict[str, Person] | None = None
        self._blocks: dict[str, set[str]] = {}
        self._keys: dict[str, frozenset[str]] = {}
        self._parents: dict[str, set[str]] = {}

    @property
    def people(self) -> dict[str, Person]:
        if self._people is None:
            self._people = {}
            for person in self.store.persons():
                self._remember(person)
        return self._people

    def _remember(self, person: Person) -> None:
        assert self._people is not None
        self._people[person.id] = person
        for key in self._keys.get(person.id, frozenset()):
            self._blocks.get(key, set()).discard(person.id)
        keys = frozenset() if person.implied else blocking_keys(person)
        self._keys[person.id] = keys
        for key in keys:
            self._blocks.setdefault(key, set()).add(person.id)

    def put(self, person: Person) -> None:
        self.store.put_person(person)
        stored = self.store.get_person(person.id)
        _ = self.people
        self._remember(stored if stored is not None else person)

    def merge_into(self, pid: str, incoming: Person) -> None:
        existing = self.people.get(pid) or self.store.get_person(pid)
        if existing is None:  # pragma: no cover - store and cache disagree
            self.put(replace(incoming, id=pid))
            return
        self.put(_combine(existing, incoming))

    def parents(self, person_id: str) -> set[str]:
        """Everyone recorded as any kind of parent of `person_id` (cached for the batch)."""
        found = self._parents.get(person_id)
        if found is None:
            found = {
                r.from_id
                for r in self.store.relationships_of(person_id)
                if r.type is RelType.PARENT_OF and r.to_id == person_id
            }
            self._parents[person_id] = found
        return found

    def add_parent(self, child: str, parent: str) -> None:
        """Keep the parent cache in step with a PARENT_OF edge just written."""
        self.parents(child).add(parent)

    def is_ancestor(self, person_id: str, of: str) -> bool:
        """Whether `person_id` is a parent, grandparent, ... of `of` (any kind)."""
        seen = {of}
        todo = [of]
        while todo:
            for parent in self.parents(todo.pop()):
                if parent == person_id:
                    return True
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return False

    def candidates(self, query: Person, context: Mapping[str, float] | None) -> set[str]:
        """Ids of the people sharing a blocking key with `query`, plus its context."""
        people = self.people
        found: set[str] = set(context or ())
        for key in blocking_keys(query):
            if key.startswith("v:") and query.family_name:
                continue
            found |= self._blocks.get(key, set())
        return {pid for pid in found if pid in people}

    def match(
        self, query: Person, *, context: Mapping[str, float] | None = None, exclude: str = ""
    ) -> tuple[Person, float, str, tuple[tuple[str, float], ...]] | None:
        candidates = [
            p
            for p in (self.people[pid] for pid in sorted(self.candidates(query, context)))
            if not p.implied and p.id != query.id and not _same_system(p, query, exclude)
        ]
        ranked = rank_candidates(query, candidates, context)
        if not ranked:
            return None
        best, score = ranked[0]
        return best, score.score, score.decision(), score.components


def _same_system(candidate: Person, query: Person, system: str) -> bool:
    """Two records of one system are taken to be different people (systems de-duplicate their
    own records); they are never auto-merged with each other."""
    return bool(system) and any(s.system == system for s in candidate.sources)


def ingest_records(
    store: GraphStore,
    people: Sequence[PersonRecord],
    relationships: Sequence[RelationshipRecord] = (),
    *,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest one batch of structured records (people then relationships) atomically."""
    report = IngestReport(records=len(people) + len(relationships))
    in_batch = {rec.key for rec in people}
    # Validate everything before writing anything.
    for rel in relationships:
        spec = record_relation(rel.relationship)
        if spec is None:
            raise InputError(
                f"unknown relationship word {rel.relationship!r}",
                file=rel.file,
                line=rel.line,
                field="relationship",
            )
        for key, fname in ((rel.from_key, "from_record"), (rel.to_key, "to_record")):
            if key not in in_batch and store.find_by_source(key) is None:
                raise InputError(
                    f"record {key} is not in the people file nor in the store; "
                    "ingest its people file first or together",
                    file=rel.file,
                    line=rel.line,
                    field=fname,
                )
    with store.transaction():
        session = _Session(store, report)
        stand_ins = implied_stand_ins(store, people, relationships)
        for rec in people:
            _ingest_person_record(session, rec, stand_ins)
            if progress:
                progress(1)
        for rel in relationships:
            _ingest_relationship_record(session, rel)
            if progress:
                progress(1)
    return report


def _ingest_person_record(
    session: _Session, rec: PersonRecord, stand_ins: Mapping[SourceKey, str]
) -> None:
    store, report = session.store, session.report
    for field_name, warning in rec.warnings:
        report.warnings.append(f"{rec.file}, line {rec.line}, field '{field_name}': {warning}")
    pid = store.find_by_source(rec.key)
    if pid is not None:
        session.merge_into(pid, _person_from_record(rec, pid))
        report.people_known += 1
        return
    if rec.key in stand_ins:  # the record names someone a note implied
        pid = stand_ins[rec.key]
        session.merge_into(pid, _person_from_record(rec, pid))
        report.people_linked += 1
        return
    incoming = _person_from_record(rec, person_id_for(rec.key))
    found = session.match(incoming, exclude=rec.source)
    if found is not None:
        best, score, decision, components = found
        if decision == "merge":
            session.merge_into(best.id, replace(incoming, id=best.id))
            store.record_match(
                MatchDecision(best.id, str(rec.key), score, "merge", "record", components)
            )
            report.people_linked += 1
            return
        session.put(incoming)
        report.people_created += 1
        if decision == "review":
            store.record_match(
                MatchDecision(
                    incoming.id, str(rec.key), score, "review", "record", components, best.id
                )
            )
            report.review += 1
        return
    session.put(incoming)
    report.people_created += 1


def _ingest_relationship_record(session: _Session, rel: RelationshipRecord) -> None:
    store = session.store
    spec = record_relation(rel.relationship)
    assert spec is not None  # validated above
    from_pid = store.find_by_source(rel.from_key)
    to_pid = store.find_by_source(rel.to_key)
    if from_pid is None or to_pid is None:  # pragma: no cover - validated above
        raise InputError("record not found", file=rel.file, line=rel.line, field="from_record")
    if from_pid == to_pid:
        raise InputError(
            "both records are the same person (after matching)",
            file=rel.file,
            line=rel.line,
            field="to_record",
        )
    if spec.from_sex is not None:
        person = session.people.get(from_pid)
        if person is not None and person.sex is Sex.UNKNOWN:
            session.put(replace(person, sex=spec.from_sex, facts=[], sources=[], addresses=[]))
    source, target = (to_pid, from_pid) if spec.reverse else (from_pid, to_pid)
    evidence = Evidence(
        document=f"{rel.source}:{rel.from_record}",
        system=rel.source,
        method="record",
        quote=f"{rel.from_key} is the {rel.relationship.strip().lower()} of {rel.to_key}",
        confidence=1.0,
        asserted=(("relationship", rel.relationship.strip().lower()), ("certainty", rel.certainty)),
    )
    edge = Relationship(
        type=spec.type,
        from_id=source,
        to_id=target,
        kind=spec.kind,
        certainty=rel.certainty,
        start_date=rel.start_date,
        end_date=rel.end_date,
        twin=spec.twin,
        evidence=[evidence],
    )
    is_new = store.get_relationship(edge.id) is None
    store.put_relationship(edge)
    if edge.type is not RelType.PARENT_OF or not is_new:
        session.report.relationships += 1
        return
    session.add_parent(edge.to_id, edge.from_id)
    if session.is_ancestor(edge.to_id, edge.from_id):
        raise InputError(
            "this makes a person their own ancestor (a cycle of parenthood)",
            file=rel.file,
            line=rel.line,
            field="to_record",
        )
    session.report.relationships += 1


# --------------------------------------------------------------------------- notes


def ingest_notes(
    store: GraphStore,
    notes: Sequence[Note],
    mentions: Mapping[str, Sequence[KinMention | RelationMention]],
    *,
    system: str = "notes",
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest case notes whose mentions were already extracted, atomically.

    Each kin mention's term is decomposed into primitive steps from its anchor (the subject
    unless the note names another person); each step reuses a person already in the graph when
    the relationship context and the name agree, and otherwise creates a named or an implied
    person (an implied person named later becomes that person). Relation mentions then add
    ``LIVES_WITH`` and ``RELATES_TO`` edges between the people found. Every edge touched gets
    the mention's sentence as evidence.
    """
    report = IngestReport(notes=len(notes))
    subjects: dict[str, str] = {}
    for note in notes:
        try:
            subjects[note.id] = resolve_reference(store, note.subject).id
        except (PersonNotFoundError, AmbiguousPersonError) as exc:
            raise InputError(exc.reason, file=note.file, line=note.line, field="subject") from None
        for mention in mentions.get(note.id, ()):
            if isinstance(mention, RelationMention):
                continue
            try:
                decompose(mention.term)
            except ValueError:
                raise InputError(
                    f"extraction produced an unknown kin term {mention.term!r}",
                    file=note.file,
                    line=note.line,
                    field="text",
                ) from None
    with store.transaction():
        session = _Session(store, report)
        for note in notes:
            _ingest_note(session, note, subjects[note.id], mentions.get(note.id, ()), system)
            if progress:
                progress(1)
        unlabelled = [p for p in session.people.values() if p.implied and not p.implied_label]
        for subject_id in sorted(set(subjects.values())):
            if unlabelled:
                label_implied(store, subject_id, unlabelled)
    return report


def implied_stand_ins(
    store: GraphStore,
    people: Sequence[PersonRecord],
    relationships: Sequence[RelationshipRecord],
) -> dict[SourceKey, str]:
    """Implied people that incoming records name: record key -> the implied person's id.

    A note may have implied someone ("her maternal grandfather", nobody named); when a records
    batch then says a new record is that relative of someone already stored ("CSC:1007 is the
    father of CSC:1002" and CSC:1002 has one implied birth father), the record should become
    that implied person rather than a second father. The records path calls this before
    creating people and merges each planned record into the implied id it is given (the
    relationship row then lands on the implied person's existing edge). Only unambiguous
    cases are planned: one implied person of the same sex in that place, claimed by one
    record.
    """
    incoming = {rec.key for rec in people}
    planned: dict[SourceKey, str] = {}
    for row in relationships:
        spec = record_relation(row.relationship)
        if spec is None or spec.type not in (RelType.PARENT_OF, RelType.PARTNER_OF):
            continue
        new, known = row.from_key, row.to_key
        if new not in incoming or store.find_by_source(new) is not None:
            continue
        known_id = store.find_by_source(known)
        if known_id is None:
            continue
        wanted = spec.from_sex or Sex.UNKNOWN
        if spec.type is RelType.PARTNER_OF:
            ends = [
                r.other(known_id)
                for r in store.relationships_of(known_id)
                if r.type is RelType.PARTNER_OF
            ]
        elif spec.reverse:  # "son", "daughter": the new record is the known person's child
            ends = [
                r.to_id
                for r in store.relationships_of(known_id)
                if r.type is RelType.PARENT_OF
                and r.from_id == known_id
                and (r.kind or "birth") == (spec.kind or "birth")
            ]
        else:
            ends = [
                r.from_id
                for r in store.relationships_of(known_id)
                if r.type is RelType.PARENT_OF
                and r.to_id == known_id
                and (r.kind or "birth") == (spec.kind or "birth")
            ]
        stand_ins = [
            p.id
            for p in (store.get_person(pid) for pid in ends)
            if p is not None and p.implied and p.sex is wanted
        ]
        if len(stand_ins) == 1 and planned.get(new, stand_ins[0]) == stand_ins[0]:
            planned[new] = stand_ins[0]
    taken: dict[str, list[SourceKey]] = {}
    for key, pid in planned.items():
        taken.setdefault(pid, []).append(key)
    return {key: pid for key, pid in planned.items() if len(taken[pid]) == 1}


@dataclass
class _NoteContext:
    note: Note
    subject_id: str
    system: str
    named: dict[str, str] = field(default_factory=dict)  # normalised name -> person id
    found: dict[tuple[int, int], str] = field(default_factory=dict)  # mention span -> person id
    #: While set, mentions that cannot be placed wait here for a second try (later mentions
    #: of the same note may place the people they need) instead of being reported.
    deferred: list[KinMention] | None = None


def _ingest_note(
    session: _Session,
    note: Note,
    subject_id: str,
    mentions: Sequence[KinMention | RelationMention],
    system: str,
) -> None:
    session.store.put_document(
        Document(
            id=note.id,
            system=system,
            subject=subject_id,
            date=note.date,
            author=note.author,
            sha256=hashlib.sha256(note.text.encode("utf-8")).hexdigest(),
        )
    )
    ctx = _NoteContext(note, subject_id, system)
    subject = session.people.get(subject_id)
    if subject is not None:
        for name in _full_names(subject):
            ctx.named[name] = subject_id
        if subject.first_name:
            ctx.named.setdefault(normalise(subject.first_name), subject_id)
    kin = [m for m in mentions if isinstance(m, KinMention)]
    # Resolve close relatives first so that "maternal grandmother" can build on "Mum (Kerry)";
    # a mention that cannot be placed yet gets a second try once the others are in.
    # A mention anchored on someone ("Patrick's mother") waits until a mention has said who
    # that person is ("her daddy, Patrick Ward").
    pending = sorted(kin, key=lambda m: len(decompose(m.term)))
    ctx.deferred = []
    while pending:
        ready = [m for m in pending if m.anchor is None or _named(ctx, normalise(m.anchor))]
        for mention in ready or pending[:1]:
            pending.remove(mention)
            session.report.mentions += 1
            _found(ctx, mention, _ingest_mention(session, ctx, mention))
    retry, ctx.deferred = ctx.deferred, None
    for mention in retry:
        _found(ctx, mention, _ingest_mention(session, ctx, mention))
    for relation in mentions:
        if isinstance(relation, RelationMention):
            session.report.mentions += 1
            _ingest_relation(session, ctx, relation)


def _named(ctx: _NoteContext, key: str) -> str | None:
    """The person this note already calls `key` (a normalised name): by the full name, or a
    first name alone ("Lisa" after "Lisa Marsden") when it fits one person of the note."""
    if key in ctx.named:
        return ctx.named[key]
    if " " in key:
        return None
    found = {pid for name, pid in ctx.named.items() if name.split(" ", 1)[0] == key}
    return found.pop() if len(found) == 1 else None


def _found(ctx: _NoteContext, mention: KinMention, target: str | None) -> None:
    """Remember who a mention turned out to be, for relation mentions and later mentions."""
    if target is not None:
        ctx.found.setdefault(mention.span, target)
        if mention.name is not None:
            ctx.named.setdefault(normalise(mention.name), target)


def _ingest_mention(
    session: _Session, ctx: _NoteContext, mention: KinMention, via: str | None = None
) -> str | None:
    """Follow the term's steps through people already in the graph; reuse the person the
    context and name point to, otherwise create the missing people, then link every step.
    Returns the person the mention describes (None when it was skipped).

    `via` restricts the first step to one person (the parent whose family shares the
    relative's family name, see `_family_side`); the edges this adds are ``alleged``."""
    anchor_id = _anchor(session, ctx, mention)
    steps = decompose(mention.term)
    if via is None and ctx.deferred is None:
        side = _family_side(session, anchor_id, mention, steps)
        if side is not None and _placeable(session, ctx, mention) is None:
            # The side is unclear from the graph, but one parent's family shares the
            # relative's family name: place them there, as alleged, and say so.
            target = _ingest_mention(session, ctx, replace(mention, certainty="alleged"), side)
            if target is not None:
                session.report.warnings.append(
                    f"note {ctx.note.id}, characters {mention.span[0]}-{mention.span[1]}: "
                    "side of the family taken from the family name (alleged); review the note"
                )
            return target
    evidence = Evidence(
        document=ctx.note.id,
        system=ctx.system,
        method=mention.method,
        quote=mention.quote,
        span=mention.span,
        date=ctx.note.date,
        author=ctx.note.author,
        confidence=mention.confidence,
        asserted=(("term", mention.term), ("certainty", mention.certainty)),
    )
    # Every way the intermediate steps can be walked through people already known, and
    # whether some other way, through people nobody has recorded, is also open.
    frontier: list[list[str]] = [[anchor_id]]
    open_elsewhere = False
    depth = 0
    for step in steps[:-1]:
        extended: list[list[str]] = []
        dead_ends = 0
        for path in frontier:
            found = [n for n in _neighbours(session, path[-1], step) if n not in path]
            extended += [[*path, n] for n in found]
            dead_ends += not found
            open_elsewhere |= _unrecorded_parent(step, found)
        if via is not None and depth == 0:
            extended = [p for p in extended if p[1] == via]
            open_elsewhere, dead_ends = False, 0
        if not extended:
            break
        open_elsewhere |= dead_ends > 0
        frontier = extended
        depth += 1
    if depth < len(steps) - 1:
        # Some intermediate person is missing: create them only if there is one way to go.
        if len(frontier) != 1 or open_elsewhere:
            _skip(session, ctx, mention, "the side of the family is unclear")
            return None
        path = list(frontier[0])
        for i in range(depth, len(steps) - 1):
            path.append(_implied(session, path[-1], steps[: i + 1], steps[i], anchor_id))
        frontier = [path]
    last = steps[-1]
    context: dict[str, list[str]] = {}
    for path in frontier:
        for n in _neighbours(session, path[-1], last):
            if n not in path:
                context.setdefault(n, path)
    single = len(frontier) == 1 and not open_elsewhere
    target = _resolve_target(session, ctx, mention, last, list(context), single=single)
    if target is None:
        _skip(session, ctx, mention, "the side of the family is unclear")
        return None
    chosen = context.get(target) or (frontier[0] if single else None)
    if chosen is None or target in chosen:
        _skip(session, ctx, mention, "the relative could not be placed")
        return None
    full = [*chosen, target]
    for i, step in enumerate(steps):
        _link(session, full[i], full[i + 1], step, mention, evidence)
    _learn(session, ctx, full, steps, mention)
    return target


def _learn(
    session: _Session,
    ctx: _NoteContext,
    path: Sequence[str],
    steps: Sequence[Step],
    mention: KinMention,
) -> None:
    """What a mention says about people already known: the sex its words give each person on
    the path ("her nan Jean" for a Jean first met as a parent), the anchor's sex when a
    pronoun gave it, death, and an approximate birth year from an age."""
    hinted = mention.extra.get("sex")
    for i, (pid, step) in enumerate(zip(path[1:], steps, strict=True)):
        person = session.people.get(pid)
        sex = step.sex
        if sex is None and i == len(steps) - 1 and hinted in ("female", "male"):
            sex = Sex(hinted)  # a title on the name: "Mr Paul Doyle"
        if person is not None and person.sex is Sex.UNKNOWN and sex is not None:
            session.put(replace(person, sex=sex, facts=[], sources=[], addresses=[]))
    anchor_sex = mention.extra.get("anchor_sex")
    anchor = session.people.get(path[0])
    if anchor is not None and anchor.sex is Sex.UNKNOWN and anchor_sex in ("female", "male"):
        session.put(replace(anchor, sex=Sex(anchor_sex), facts=[], sources=[], addresses=[]))
    target = session.people.get(path[-1])
    if target is None or mention.name is None:
        return
    born = _mention_person(ctx, mention, steps[-1], target.id).birth_date
    deceased = mention.deceased and not target.deceased
    if deceased or (born is not None and target.birth_date is None):
        session.put(
            replace(
                target,
                deceased=target.deceased or mention.deceased,
                birth_date=target.birth_date or born,
                facts=[],
                sources=[],
                addresses=[],
            )
        )


def _ingest_relation(session: _Session, ctx: _NoteContext, relation: RelationMention) -> None:
    """Write a household or emotional/safeguarding edge between the two people a relation
    mention names, with the sentence as evidence; skipped (with a warning) when either end
    cannot be found."""
    ends = [_party(session, ctx, relation.source), _party(session, ctx, relation.target)]
    source, target = ends
    if source is None or target is None or source == target:
        session.report.skipped_mentions += 1
        session.report.warnings.append(
            f"note {ctx.note.id}, characters {relation.span[0]}-{relation.span[1]}: "
            "relation not linked: one of the people could not be found; review the note"
        )
        return
    evidence = Evidence(
        document=ctx.note.id,
        system=ctx.system,
        method=relation.method,
        quote=relation.quote,
        span=relation.span,
        date=ctx.note.date,
        author=ctx.note.author,
        confidence=relation.confidence,
        asserted=(("relation", relation.kind or relation.type.value.lower()),),
    )
    edge = Relationship(relation.type, source, target, relation.kind, relation.certainty)
    existing = session.store.get_relationship(edge.id)
    if existing is not None:
        session.store.put_relationship(replace(existing, evidence=[evidence]))
        return
    session.store.put_relationship(replace(edge, evidence=[evidence]))
    session.report.relationships += 1


def _party(session: _Session, ctx: _NoteContext, party: Party) -> str | None:
    """The person one end of a relation mention stands for, or None if unknown."""
    if party.is_subject:
        return ctx.subject_id
    if party.mention_span is not None and party.mention_span in ctx.found:
        return ctx.found[party.mention_span]
    if party.name is None:
        return None
    return _note_person(session, ctx, party.name, role="party", only_connected=True)


def _placeable(session: _Session, ctx: _NoteContext, mention: KinMention) -> str | None:
    """A dry run of `_ingest_mention`'s placement that writes nothing: "ok" when the graph
    alone says where the relative goes (or who they are), None when the side is unclear."""
    anchor_id = ctx.subject_id if mention.anchor is None else _named(ctx, normalise(mention.anchor))
    if anchor_id is None:
        return "ok"
    steps = decompose(mention.term)
    frontier: list[list[str]] = [[anchor_id]]
    open_elsewhere = False
    for step in steps[:-1]:
        extended: list[list[str]] = []
        dead_ends = 0
        for path in frontier:
            found = [n for n in _neighbours(session, path[-1], step) if n not in path]
            extended += [[*path, n] for n in found]
            dead_ends += not found
            open_elsewhere |= _unrecorded_parent(step, found)
        if not extended:
            break
        open_elsewhere |= dead_ends > 0
        frontier = extended
    if len(frontier) == 1 and not open_elsewhere:
        return "ok"
    if mention.name is not None:
        known = _named(ctx, normalise(mention.name))
        last = steps[-1]
        for path in frontier:
            if known is not None and known in _neighbours(session, path[-1], last):
                return "ok"
    return None


def _family_side(
    session: _Session, anchor_id: str, mention: KinMention, steps: Sequence[Step]
) -> str | None:
    """The one parent of the anchor whose family shares the named relative's family name
    ("Nanna Pauline Marsh" when the mother is Stacey Marsh and the father Wayne Hurst), for
    a term whose side is not said; None when no parent's, or both parents', family does."""
    if mention.name is None or not steps or steps[0].move is not Move.UP or steps[0].sex:
        return None
    if len(steps) < 2:
        return None
    _, family = split_full_name(mention.name)
    if not family:
        return None
    wanted = normalise(family)
    parents = _neighbours(session, anchor_id, steps[0])
    sides = [pid for pid in parents if wanted in _family_names(session, pid)]
    return sides[0] if len(sides) == 1 else None


def _family_names(session: _Session, person_id: str) -> set[str]:
    """Family names on one side: the person's, their parents' and their siblings'."""
    people = {person_id}
    for r in session.store.relationships_of(person_id):
        if r.type is RelType.PARENT_OF and r.to_id == person_id:
            people.add(r.from_id)
        elif r.type is RelType.SIBLING_OF:
            people.add(r.other(person_id))
    for parent in [p for p in people if p != person_id]:
        for r in session.store.relationships_of(parent):
            if r.type is RelType.PARENT_OF and r.from_id == parent:
                people.add(r.to_id)
    names = set()
    for pid in people:
        person = session.people.get(pid)
        if person is not None and person.family_name:
            names.add(normalise(person.family_name))
    return names


def _unrecorded_parent(step: Step, found: list[str]) -> bool:
    """A step up to a parent of either sex with only one recorded birth parent could also go
    through the parent nobody recorded ("grandmother" when the father is unknown). With none
    recorded there is no choice to make: one implied parent of unknown sex stands in."""
    return (
        step.move is Move.UP
        and step.sex is None
        and (step.kind or "birth") == "birth"
        and len(found) == 1
    )


def _skip(session: _Session, ctx: _NoteContext, mention: KinMention, why: str) -> None:
    if ctx.deferred is not None:
        ctx.deferred.append(mention)
        return
    session.report.skipped_mentions += 1
    session.report.warnings.append(
        f"note {ctx.note.id}, characters {mention.span[0]}-{mention.span[1]}: "
        f"relative not linked: {why}; add it to the records or review the note"
    )


def _anchor(session: _Session, ctx: _NoteContext, mention: KinMention) -> str:
    """The person the mention's term is relative to: the subject, or a named person."""
    if mention.anchor is None:
        return ctx.subject_id
    return _note_person(session, ctx, mention.anchor, role="anchor", only_connected=False)


def _note_person(
    session: _Session, ctx: _NoteContext, name: str, *, role: str, only_connected: bool
) -> str:
    """The person a note names outside a kin term (an anchor such as "Liam" in "Liam's
    brother", or one end of a relation): someone already named in the note, a confident match
    preferring people connected to the subject (required when `only_connected`), or a new
    person of their own (a lodger, a friend) keyed by the note and the name."""
    key = normalise(name)
    known = _named(ctx, key)
    if known is not None:
        return known
    given, family = split_full_name(name)
    query = Person(id="?", given_names=given, family_name=family)
    context = {pid: 1.0 for pid in _connected(session, ctx.subject_id)}
    found = session.match(query, context=context)
    if found is not None and found[2] == "merge" and (not only_connected or found[0].id in context):
        ctx.named[key] = found[0].id
        return found[0].id
    mention_key = SourceKey(ctx.system, f"{ctx.note.id}#{role}:{key}")
    pid = session.store.find_by_source(mention_key) or person_id_for(mention_key)
    if pid not in session.people:
        session.put(Person(id=pid, given_names=given, family_name=family, sources=[mention_key]))
        session.report.people_created += 1
    ctx.named[key] = pid
    return pid


def _connected(session: _Session, person_id: str) -> set[str]:
    people, _ = session.store.neighbourhood(person_id, 2)
    return {p.id for p in people}


def _sex_ok(person: Person, step: Step) -> bool:
    return step.sex is None or person.sex is Sex.UNKNOWN or person.sex is step.sex


def _neighbours(session: _Session, person_id: str, step: Step) -> list[str]:
    """People already linked to `person_id` the way `step` describes (sex-compatible)."""
    rels = session.store.relationships_of(person_id)
    found: list[str] = []
    if step.move is Move.UP:
        kind = step.kind or "birth"
        found = [
            r.from_id
            for r in rels
            if r.type is RelType.PARENT_OF and r.to_id == person_id and (r.kind or "birth") == kind
        ]
    elif step.move is Move.DOWN:
        kind = step.kind or "birth"
        found = [
            r.to_id
            for r in rels
            if r.type is RelType.PARENT_OF
            and r.from_id == person_id
            and (r.kind or "birth") == kind
        ]
    elif step.move is Move.PARTNER:
        found = [r.other(person_id) for r in rels if r.type is RelType.PARTNER_OF]
    elif step.move is Move.SIB:
        found = [r.other(person_id) for r in rels if r.type is RelType.SIBLING_OF]
        parents = [
            r.from_id
            for r in rels
            if r.type is RelType.PARENT_OF
            and r.to_id == person_id
            and (r.kind or "birth") == "birth"
        ]
        for parent in parents:
            for r in session.store.relationships_of(parent):
                if (
                    r.type is RelType.PARENT_OF
                    and r.from_id == parent
                    and r.to_id != person_id
                    and (r.kind or "birth") == "birth"
                ):
                    found.append(r.to_id)
    result: list[str] = []
    for pid in found:
        person = session.people.get(pid)
        if pid not in result and person is not None and _sex_ok(person, step):
            result.append(pid)
    return result


def _mention_person(ctx: _NoteContext, mention: KinMention, step: Step, pid: str) -> Person:
    given, family = split_full_name(mention.name) if mention.name else (None, None)
    birth = None
    if mention.age is not None and ctx.note.date and len(ctx.note.date) >= 4:
        year = int(ctx.note.date[:4]) - mention.age
        if year >= 1850:
            birth = PartialDate(year, approximate=True)
    hinted = mention.extra.get("sex")
    sex = step.sex or (Sex(hinted) if hinted in ("female", "male") else Sex.UNKNOWN)
    return Person(
        id=pid,
        given_names=given,
        family_name=family,
        sex=sex,
        birth_date=birth,
        deceased=mention.deceased,
    )


def _resolve_target(
    session: _Session,
    ctx: _NoteContext,
    mention: KinMention,
    step: Step,
    existing: list[str],
    *,
    single: bool,
) -> str | None:
    """The person a mention's last step reaches: known by this mention's key, the one
    candidate the context allows, a name match, or a new (named or implied) person."""
    store, report = session.store, session.report
    mention_key = SourceKey(ctx.system, f"{ctx.note.id}#{mention.span[0]}-{mention.span[1]}")
    known = store.find_by_source(mention_key)
    if known is not None:
        return known
    if mention.name is None:
        if single and len(existing) == 1:
            return existing[0]
        if not single or existing:
            return None
        return _implied_for(session, ctx, mention, step, mention.term)
    name_key = normalise(mention.name)
    known_id = _named(ctx, name_key)
    if known_id is not None:
        return known_id
    stand_in = _implied_stand_in(session, existing, step)
    pid = stand_in.id if stand_in is not None else person_id_for(mention_key)
    incoming = _mention_person(ctx, mention, step, pid)
    context = dict.fromkeys(existing, 1.0)
    found = session.match(incoming, context=context)
    if found is not None:
        best, score, decision, components = found
        if decision == "merge" and stand_in is not None and best.id not in context:
            decision = "review"  # the implied person in place is likelier; a person decides
        if decision == "merge":
            session.merge_into(
                best.id,
                replace(
                    incoming, id=best.id, given_names=None, family_name=None, sources=[mention_key]
                ),
            )
            store.record_match(
                MatchDecision(best.id, str(mention_key), score, "merge", mention.method, components)
            )
            report.people_linked += 1
            ctx.named[name_key] = best.id
            return best.id
        if decision == "review" and score >= REVIEW_AT:
            store.record_match(
                MatchDecision(
                    incoming.id,
                    str(mention_key),
                    score,
                    "review",
                    mention.method,
                    components,
                    best.id,
                )
            )
            report.review += 1
    if stand_in is not None:
        # The person an earlier note could only imply ("her maternal grandfather") is named
        # now: the implied person becomes this one, keeping every edge and its evidence.
        _name_implied(session, stand_in, incoming, [mention_key])
        report.people_linked += 1
        ctx.named[name_key] = stand_in.id
        return stand_in.id
    if not single:
        return None
    session.put(replace(incoming, sources=[mention_key]))
    report.people_created += 1
    ctx.named[name_key] = incoming.id
    return incoming.id


def _implied_stand_in(session: _Session, candidates: Sequence[str], step: Step) -> Person | None:
    """The one implied person among `candidates` that a named person reached by `step` can
    be: same sex (an implied person of unknown sex may be either parent, so it is not named
    after one of them), or None."""
    wanted = step.sex or Sex.UNKNOWN
    found = [
        p
        for p in (session.people.get(pid) for pid in candidates)
        if p is not None and p.implied and p.sex is wanted
    ]
    return found[0] if len(found) == 1 else None


def _name_implied(
    session: _Session, implied: Person, named: Person, sources: Sequence[SourceKey]
) -> None:
    """Turn an implied person into the named one (names, sex, dates), keeping the id."""
    session.put(
        replace(
            implied,
            given_names=named.given_names,
            family_name=named.family_name,
            known_as=list(named.known_as),
            sex=named.sex if named.sex is not Sex.UNKNOWN else implied.sex,
            birth_date=_better_date(implied.birth_date, named.birth_date),
            death_date=implied.death_date or named.death_date,
            deceased=implied.deceased or named.deceased,
            implied=False,
            implied_label=None,
            sources=list(sources),
            facts=list(named.facts),
            addresses=list(named.addresses),
        )
    )


def _implied_key(anchor_id: str, steps: Sequence[Step]) -> SourceKey:
    path = "/".join(
        f"{s.move.value}:{(s.sex.value if s.sex else '')}:{s.kind or ''}" for s in steps
    )
    return SourceKey("implied", f"{anchor_id}/{path}")


def _implied(
    session: _Session, current: str, steps: Sequence[Step], step: Step, anchor_id: str
) -> str:
    """A person the term needs but the graph lacks ("maternal grandmother" with no mother on
    record): created once per anchor and path, so every note reuses the same one."""
    key = _implied_key(anchor_id, steps)
    pid = session.store.find_by_source(key) or person_id_for(key)
    if pid not in session.people:
        session.put(Person(id=pid, sex=step.sex or Sex.UNKNOWN, implied=True, sources=[key]))
        session.report.implied_created += 1
    return pid


def _implied_for(
    session: _Session, ctx: _NoteContext, mention: KinMention, step: Step, label: str
) -> str:
    anchor = mention.anchor or ""
    key = SourceKey("implied", f"{ctx.subject_id}/{anchor}/{label}")
    pid = session.store.find_by_source(key) or person_id_for(key)
    if pid not in session.people:
        session.put(
            Person(
                id=pid,
                sex=step.sex or Sex.UNKNOWN,
                implied=True,
                implied_label=label,
                deceased=mention.deceased,
                sources=[key],
            )
        )
        session.report.implied_created += 1
    return pid


def _link(
    session: _Session,
    current: str,
    target: str,
    step: Step,
    mention: KinMention,
    evidence: Evidence,
) -> None:
    """Write (or add evidence to) the edge that `step` from `current` to `target` stands for."""
    store = session.store
    if step.move is Move.SIB and not step.twin:
        supporting = _shared_parent_edges(store, current, target) + [
            r
            for r in store.relationships_of(current)
            if r.type is RelType.SIBLING_OF and r.other(current) == target
        ]
        if supporting:
            for edge in supporting:
                store.put_relationship(replace(edge, evidence=[evidence]))
            return
    if step.move is Move.PARTNER and step.kind is None and mention.status in PARTNER_STATUSES:
        step = replace(step, kind=mention.status)
    edge = _edge_for(current, target, step, mention.certainty, mention.extra.get("twin"))
    existing = store.get_relationship(edge.id)
    if existing is not None:
        kind = existing.kind
        if edge.type is RelType.PARTNER_OF and _later_status(existing.kind, edge.kind):
            kind = edge.kind  # "began a relationship with Carl" ... "Dawn and Carl separated"
        store.put_relationship(replace(existing, kind=kind, evidence=[evidence]))
        return
    store.put_relationship(replace(edge, evidence=[evidence]))
    session.report.relationships += 1


_STATUS_ORDER = {
    None: 0,
    "dating": 1,
    "cohabiting": 2,
    "engaged": 3,
    "married": 4,
    "civil_partnership": 4,
    "separated": 5,
    "divorced": 6,
    "widowed": 6,
}


def _later_status(old: str | None, new: str | None) -> bool:
    """Whether a partner status from a note moves the story on from the one recorded
    (dating -> married -> separated -> divorced), so that it replaces it."""
    return _STATUS_ORDER.get(new, 0) > _STATUS_ORDER.get(old, 0)


def _edge_for(
    current: str, target: str, step: Step, certainty: str, twin: str | None = None
) -> Relationship:
    """The edge a step stands for. A twin step is a full-sibling edge marked ``fraternal``
    unless the note says ``identical`` (the model has no "twin, kind unknown")."""
    if step.move is Move.UP:
        return Relationship(RelType.PARENT_OF, target, current, step.kind or "birth", certainty)
    if step.move is Move.DOWN:
        return Relationship(RelType.PARENT_OF, current, target, step.kind or "birth", certainty)
    if step.move is Move.PARTNER:
        return Relationship(RelType.PARTNER_OF, current, target, step.kind, certainty)
    twin_kind = (twin if twin in TWIN_KINDS else "fraternal") if step.twin else None
    return Relationship(RelType.SIBLING_OF, current, target, step.kind, certainty, twin=twin_kind)


def _shared_parent_edges(store: GraphStore, a: str, b: str) -> list[Relationship]:
    """Birth-parent edges down to `b` from parents that `a` and `b` share."""
    parents_a = {
        r.from_id for r in store.relationships_of(a) if r.type is RelType.PARENT_OF and r.to_id == a
    }
    return [
        r
        for r in store.relationships_of(b)
        if r.type is RelType.PARENT_OF and r.to_id == b and r.from_id in parents_a
    ]


def label_implied(store: GraphStore, subject_id: str, people: Iterable[Person]) -> None:
    """Give implied people a label relative to the subject ("maternal grandfather")."""
    persons, rels = store.neighbourhood(subject_id, 6)
    by_id = {p.id: p for p in persons}
    for person in people:
        if person.implied and person.implied_label is None and person.id in by_id:
            kin = name_relative(subject_id, person.id, by_id, rels)
            if kin is not None:
                store.put_person(
                    replace(by_id[person.id], implied_label=kin.term, facts=[], sources=[])
                )
