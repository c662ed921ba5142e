"""What a genogram shows: the `--generations` window, `--include` / `--exclude` of people and
relation kinds, and `--hide-emotional`. Pure functions over people and relationships.

A term of `--include` / `--exclude` is a relation kind when it is one of `RELATION_KINDS`
(``emotional``, ``carers``, ``households``, ``domestic_abuse``...), otherwise a person id
(the command line resolves record keys and names to ids first). Precedence: an excluded kind
or person is never drawn; an included kind is drawn even under `--hide-emotional`; an
included person is drawn even outside the generations window, with the people who link
them to the subject.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from genogram.errors import InputError
from genogram.model import PARENT_KINDS, RELATES_KINDS, Person, Relationship, RelType
from render.layout import select

_EMOTIONAL = ("close", "distant", "conflict", "hostile", "cut_off")
_SAFEGUARDING = ("abuse_physical", "abuse_emotional", "abuse_sexual", "neglect", "domestic_abuse")
_CARER_KINDS = ("foster", "special_guardian", "kinship_carer", "guardian")

#: Relation kinds accepted by --include / --exclude, with what each covers.
RELATION_KINDS: dict[str, str] = {
    "emotional": "emotional lines: " + ", ".join(_EMOTIONAL),
    "safeguarding": "safeguarding lines: " + ", ".join(_SAFEGUARDING),
    "carers": "carer lines: foster, special guardian, kinship carer, guardian, caretaker",
    "step": "step-parent lines",
    "households": "household boundaries (people who live together)",
    "uncertain": "alleged or disputed relationships",
    "implied": "people not yet identified (implied)",
    **{kind: f"{kind.replace('_', ' ')} lines" for kind in RELATES_KINDS},
    **{kind: f"{kind.replace('_', ' ')} lines" for kind in _CARER_KINDS},
}
assert set(_EMOTIONAL + _SAFEGUARDING) | {"caretaker"} == set(RELATES_KINDS)
assert set(_CARER_KINDS) < set(PARENT_KINDS)


@dataclass(frozen=True)
class Scope:
    """Who and what to draw around the subject."""

    generations: int = 2
    include_people: frozenset[str] = frozenset()
    exclude_people: frozenset[str] = frozenset()
    include_kinds: frozenset[str] = frozenset()
    exclude_kinds: frozenset[str] = frozenset()
    hide_emotional: bool = False


def split_terms(terms: Iterable[str], option: str) -> tuple[frozenset[str], list[str]]:
    """Split --include/--exclude terms into relation kinds and person references (kept in
    order, for the caller to resolve); a term may hold several, separated by commas."""
    kinds: set[str] = set()
    people: list[str] = []
    for term in terms:
        for part in term.split(","):
            word = part.strip()
            if not word:
                continue
            key = word.lower().replace("-", "_")
            if key in RELATION_KINDS:
                kinds.add(key)
            elif key in ("partners", "parents", "children", "siblings"):
                raise InputError(
                    f"{word!r} cannot be left out: the family lines hold the drawing together; "
                    "relation kinds are " + ", ".join(sorted(RELATION_KINDS)),
                    field=option,
                )
            else:
                people.append(word)
    return frozenset(kinds), people


def relation_names(rel: Relationship) -> frozenset[str]:
    """The relation kinds a relationship answers to (``domestic_abuse`` is also
    ``safeguarding``; a foster link is also ``carers``; an alleged one ``uncertain``)."""
    names: set[str] = set()
    if rel.type is RelType.RELATES_TO and rel.kind is not None:
        names.add(rel.kind)
        if rel.kind in _EMOTIONAL:
            names.add("emotional")
        elif rel.kind in _SAFEGUARDING:
            names.add("safeguarding")
        else:
            names.add("carers")
    elif rel.type is RelType.PARENT_OF and rel.kind in _CARER_KINDS:
        names.update((rel.kind, "carers"))
    elif rel.type is RelType.PARENT_OF and rel.kind == "step":
        names.add("step")
    elif rel.type is RelType.LIVES_WITH:
        names.add("households")
    if rel.certainty != "confirmed":
        names.add("uncertain")
    return frozenset(names)


def visible(rel: Relationship, scope: Scope) -> bool:
    """Whether a relationship is drawn under `scope` (see the module docstring)."""
    names = relation_names(rel)
    if names & scope.exclude_kinds:
        return False
    if scope.hide_emotional and rel.type is RelType.RELATES_TO:
        return bool(names & scope.include_kinds)
    return True


def apply_scope(
    subject_id: str,
    persons: Sequence[Person],
    rels: Sequence[Relationship],
    scope: Scope,
) -> tuple[list[Person], list[Relationship]]:
    """The people and relationships to draw: kinds and people filtered, then the generations
    window (with included people and their links to the subject)."""
    known = {p.id for p in persons}
    missing = sorted(scope.include_people - known)
    if missing:
        raise InputError(
            f"{len(missing)} person(s) to include are not linked to the subject "
            f"(for example {missing[0]!r})",
            field="--include",
        )
    if subject_id in scope.exclude_people:
        raise InputError("the subject cannot be left out of their own genogram", field="--exclude")
    unknown = sorted((scope.include_kinds | scope.exclude_kinds) - set(RELATION_KINDS))
    if unknown:
        raise InputError(
            f"unknown relation kind {unknown[0]!r}; use one of "
            + ", ".join(sorted(RELATION_KINDS)),
            field="--include" if unknown[0] in scope.include_kinds else "--exclude",
        )
    drop_implied = "implied" in scope.exclude_kinds
    people = [
        p
        for p in persons
        if p.id not in scope.exclude_people
        and (p.id == subject_id or not (drop_implied and p.implied))
    ]
    kept = {p.id for p in people}
    edges = [r for r in rels if r.from_id in kept and r.to_id in kept and visible(r, scope)]
    return select(subject_id, people, edges, scope.generations, sorted(scope.include_people))
