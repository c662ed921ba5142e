"""Questions a kinship assessor asks of the graph: who are this child's relatives, and how do
we know? Pure functions over a store; the CLI only formats what these return."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from genogram.kinship import name_relatives
from genogram.model import Person, Relationship
from genogram.store import GraphStore

DEFAULT_MAX_DEGREE = 4


@dataclass(frozen=True)
class Source:
    """One piece of evidence behind a relative: a document or record, and its quote."""

    document: str
    quote: str | None
    system: str
    method: str
    date: str | None
    confidence: float


@dataclass(frozen=True)
class Relative:
    """One relative of a subject, as the `relatives` command reports it (DESIGN §4)."""

    person_id: str
    name: str | None
    relationship: str
    degree: int
    sex: str
    birth_date: str | None
    deceased: bool
    implied: bool
    certainty: str
    confidence: float
    sources: tuple[Source, ...]
    roles: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The DESIGN §4 JSON object for this relative."""
        return {
            "person_id": self.person_id,
            "name": self.name,
            "relationship": self.relationship,
            "degree": self.degree,
            "sex": self.sex,
            "birth_date": self.birth_date,
            "deceased": self.deceased,
            "implied": self.implied,
            "certainty": self.certainty,
            "confidence": round(self.confidence, 3),
            "sources": [{"document": s.document, "quote": s.quote} for s in self.sources],
            "roles": list(self.roles),
        }


def family_of(
    store: GraphStore, subject_id: str, hops: int
) -> tuple[dict[str, Person], list[Relationship]]:
    """The subject's neighbourhood as a person map and relationship list."""
    people, rels = store.neighbourhood(subject_id, hops)
    return {p.id: p for p in people}, rels


def relatives(
    store: GraphStore, subject_id: str, max_degree: int = DEFAULT_MAX_DEGREE
) -> list[Relative]:
    """Every relative of the subject up to `max_degree`, named with canonical kin terms, each
    with the certainty of its weakest link and the sources of every link on its path."""
    people, rels = family_of(store, subject_id, max(1, max_degree))
    by_rel = {r.id: r for r in rels}
    result = []
    for kin in name_relatives(subject_id, people, rels, max_degree):
        person = people[kin.person_id]
        sources: dict[tuple[str, str | None], Source] = {}
        confidence = 1.0
        for rel_id in kin.rel_ids:
            rel = by_rel.get(rel_id)
            if rel is None:
                continue
            best = 0.0
            for ev in rel.evidence:
                best = max(best, ev.confidence)
                sources.setdefault(
                    (ev.document, ev.quote),
                    Source(ev.document, ev.quote, ev.system, ev.method, ev.date, ev.confidence),
                )
            confidence *= best if rel.evidence else 0.5
        result.append(
            Relative(
                person_id=person.id,
                name=person.name,
                relationship=kin.term,
                degree=kin.degree,
                sex=person.sex.value,
                birth_date=person.birth_date.iso() if person.birth_date else None,
                deceased=person.deceased or person.death_date is not None,
                implied=person.implied,
                certainty=kin.certainty,
                confidence=confidence,
                sources=tuple(sources.values()),
                roles=kin.roles,
            )
        )
    return result


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: object) -> str:
    """Text for a CSV cell that no spreadsheet will run as a formula (OWASP CSV injection):
    a leading = + - @ tab or CR gets a single quote in front."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


RELATIVES_CSV_HEADER = (
    "person_id",
    "name",
    "relationship",
    "degree",
    "sex",
    "birth_date",
    "deceased",
    "implied",
    "certainty",
    "confidence",
    "sources",
    "roles",
)


def relatives_rows(rows: list[Relative]) -> list[list[str]]:
    """Relatives as neutralised CSV rows (header first); sources joined by ' | '."""
    out = [list(RELATIVES_CSV_HEADER)]
    for r in rows:
        data = r.as_json()
        data["sources"] = " | ".join(
            f"{s.document}: {s.quote}" if s.quote else s.document for s in r.sources
        )
        data["roles"] = "; ".join(r.roles)
        out.append([neutralise_cell(_csv_value(data[col])) for col in RELATIVES_CSV_HEADER])
    return out


def _csv_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)
