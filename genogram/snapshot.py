"""Plain-JSON forms of people and relationships: for undoing merges, copying stores and
exports. Round-trips exactly (`person_from_dict(person_to_dict(p)) == p`)."""

from __future__ import annotations

from typing import Any

from genogram.model import (
    Address,
    Evidence,
    Fact,
    PartialDate,
    Person,
    Relationship,
    RelType,
    Sex,
    SourceKey,
)


def _date(value: PartialDate | None) -> str | None:
    return value.iso() if value is not None else None


def _undate(value: Any) -> PartialDate | None:
    return PartialDate.from_iso(value) if value else None


def evidence_to_dict(ev: Evidence) -> dict[str, Any]:
    """An Evidence as a JSON-able dict."""
    return {
        "document": ev.document,
        "system": ev.system,
        "method": ev.method,
        "quote": ev.quote,
        "span": list(ev.span) if ev.span is not None else None,
        "date": ev.date,
        "author": ev.author,
        "confidence": ev.confidence,
        "asserted": [list(pair) for pair in ev.asserted],
    }


def evidence_from_dict(data: dict[str, Any]) -> Evidence:
    """The inverse of `evidence_to_dict`."""
    span = data.get("span")
    return Evidence(
        document=data["document"],
        system=data["system"],
        method=data["method"],
        quote=data.get("quote"),
        span=(int(span[0]), int(span[1])) if span else None,
        date=data.get("date"),
        author=data.get("author"),
        confidence=float(data.get("confidence", 1.0)),
        asserted=tuple((str(k), str(v)) for k, v in data.get("asserted", [])),
    )


def person_to_dict(p: Person) -> dict[str, Any]:
    """A Person as a JSON-able dict, every field included."""
    return {
        "id": p.id,
        "given_names": p.given_names,
        "family_name": p.family_name,
        "known_as": list(p.known_as),
        "sex": p.sex.value,
        "birth_date": _date(p.birth_date),
        "death_date": _date(p.death_date),
        "deceased": p.deceased,
        "addresses": [
            {
                "text": a.text,
                "postcode": a.postcode,
                "confidential": a.confidential,
                "start": _date(a.start),
                "end": _date(a.end),
            }
            for a in p.addresses
        ],
        "sources": [[s.system, s.record_id] for s in p.sources],
        "implied": p.implied,
        "implied_label": p.implied_label,
        "facts": [
            {"field": f.field, "value": f.value, "evidence": evidence_to_dict(f.evidence)}
            for f in p.facts
        ],
    }


def person_from_dict(data: dict[str, Any]) -> Person:
    """The inverse of `person_to_dict`."""
    return Person(
        id=data["id"],
        given_names=data.get("given_names"),
        family_name=data.get("family_name"),
        known_as=list(data.get("known_as", [])),
        sex=Sex(data.get("sex", "unknown")),
        birth_date=_undate(data.get("birth_date")),
        death_date=_undate(data.get("death_date")),
        deceased=bool(data.get("deceased", False)),
        addresses=[
            Address(
                text=a["text"],
                postcode=a.get("postcode"),
                confidential=bool(a.get("confidential", False)),
                start=_undate(a.get("start")),
                end=_undate(a.get("end")),
            )
            for a in data.get("addresses", [])
        ],
        sources=[SourceKey(s, r) for s, r in data.get("sources", [])],
        implied=bool(data.get("implied", False)),
        implied_label=data.get("implied_label"),
        facts=[
            Fact(f["field"], f["value"], evidence_from_dict(f["evidence"]))
            for f in data.get("facts", [])
        ],
    )


def relationship_to_dict(r: Relationship) -> dict[str, Any]:
    """A Relationship as a JSON-able dict, evidence included."""
    return {
        "type": r.type.value,
        "from_id": r.from_id,
        "to_id": r.to_id,
        "kind": r.kind,
        "certainty": r.certainty,
        "start_date": _date(r.start_date),
        "end_date": _date(r.end_date),
        "twin": r.twin,
        "evidence": [evidence_to_dict(e) for e in r.evidence],
    }


def relationship_from_dict(data: dict[str, Any]) -> Relationship:
    """The inverse of `relationship_to_dict`."""
    return Relationship(
        type=RelType(data["type"]),
        from_id=data["from_id"],
        to_id=data["to_id"],
        kind=data.get("kind"),
        certainty=data.get("certainty", "confirmed"),
        start_date=_undate(data.get("start_date")),
        end_date=_undate(data.get("end_date")),
        twin=data.get("twin"),
        evidence=[evidence_from_dict(e) for e in data.get("evidence", [])],
    )
