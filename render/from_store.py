"""A subject's genogram from a store: resolve the references the user gave, fetch the family
around the subject, and build the DOT source (what `genogram render` runs)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from genogram.query import family_of
from genogram.resolve import resolve_reference
from genogram.store import GraphStore
from render.compose import RenderOptions
from render.dot import build_dot
from render.scope import RELATION_KINDS, split_terms

#: Neighbourhood radius (edges) fetched when --include names people: far enough for a
#: second cousin or a great-great-grandparent.
_INCLUDE_HOPS = 12


def resolve_terms(store: GraphStore, terms: Iterable[str], option: str) -> frozenset[str]:
    """--include/--exclude terms with every person reference (id, SOURCE:RECORD_ID or name)
    replaced by the person id it names; relation kinds are kept as they are."""
    kinds, references = split_terms(terms, option)
    ids = {resolve_reference(store, ref).id for ref in references}
    return kinds | frozenset(ids)


def dot_for_subject(
    store: GraphStore,
    subject: str,
    options: RenderOptions,
    *,
    include: Iterable[str] = (),
    exclude: Iterable[str] = (),
) -> str:
    """DOT source of the genogram of `subject` (a person id, record key or name) with the
    --include/--exclude terms given as the user typed them."""
    person = resolve_reference(store, subject)
    wanted = resolve_terms(store, include, "--include")
    unwanted = resolve_terms(store, exclude, "--exclude")
    hops = 2 * options.generations + 2
    if wanted - RELATION_KINDS.keys():
        hops = max(hops, _INCLUDE_HOPS)
    people, rels = family_of(store, person.id, hops)
    opts = replace(options, include=options.include | wanted, exclude=options.exclude | unwanted)
    return build_dot(person.id, list(people.values()), rels, opts)
