"""Pure layout decisions for a genogram: who is drawn, on which row, in which order.

Nothing here draws or runs Graphviz; `render.compose` turns a `Plan` into coordinates.
Decisions:

- Generations come from a cheapest walk from the subject over PARENT_OF (one row per step),
  PARTNER_OF and SIBLING_OF (same row), then made consistent (every child below its parents,
  partners on one row) where a family marries into itself. Carer links (step, foster,
  special guardian, kinship carer, guardian) count only when nothing else reaches a person,
  so a grandmother who is also a special guardian stays on the grandparents' row; household
  and emotional lines only for someone linked by nothing else.
- A child hangs from one "union": its two confirmed birth parents (or one, when the other is
  unknown; adoptive parents when no birth parent is recorded). Every other parent link
  (alleged or disputed parent, step-parent, carer, extra adoptive parent) is a direct line.
- Two co-parents with no recorded partnership stand side by side as a union whose
  `partnership` is None (drawn with a neutral line, never as partners).
- Row order: partners are kept together in a "group" (a person with several partners in the
  middle, the first partner on the left, later ones on the right; a single couple man on the
  left); groups are ordered by the position of their parents' union (or of their children),
  then neighbouring groups are swapped where that removes crossings; siblings always keep
  birth order, eldest on the left.
- Households are the groups joined by current LIVES_WITH links.
"""

from __future__ import annotations

import heapq
import itertools
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from genogram.errors import InputError
from genogram.model import Person, Relationship, RelType, Sex

#: Parent kinds drawn as a direct (dotted) carer line, never as the union a child hangs from.
CARER_KINDS = frozenset({"step", "foster", "special_guardian", "kinship_carer", "guardian"})
#: Partnership statuses that mean the relationship has ended.
ENDED_STATUSES = frozenset({"separated", "divorced", "widowed"})

_KIN_TYPES = (RelType.PARENT_OF, RelType.PARTNER_OF, RelType.SIBLING_OF)
_ASSOCIATION_TYPES = (RelType.LIVES_WITH, RelType.RELATES_TO)
_WEAK = 1000  # cost of walking a carer link in `generations_of`
_ASSOCIATION = 1_000_000  # cost of walking a household or emotional line


def _is_carer_link(rel: Relationship) -> bool:
    return rel.type is RelType.PARENT_OF and rel.kind in CARER_KINDS


def _walk(
    subject_id: str, persons: Mapping[str, Person], rels: Sequence[Relationship]
) -> tuple[dict[str, int], dict[str, str]]:
    """Cheapest walk from the subject: each reachable person's row and the person it was
    reached from (for `select`'s paths to included people)."""
    adjacency: dict[str, list[tuple[int, str, int]]] = defaultdict(list)
    for rel in rels:
        if rel.from_id not in persons or rel.to_id not in persons:
            continue
        if rel.type in _KIN_TYPES:
            cost = _WEAK if _is_carer_link(rel) else 1
        elif rel.type in _ASSOCIATION_TYPES:
            cost = _ASSOCIATION
        else:  # pragma: no cover - the vocabulary is closed
            continue
        if rel.type is RelType.PARENT_OF:
            adjacency[rel.from_id].append((cost, rel.to_id, +1))
            adjacency[rel.to_id].append((cost, rel.from_id, -1))
        else:
            adjacency[rel.from_id].append((cost, rel.to_id, 0))
            adjacency[rel.to_id].append((cost, rel.from_id, 0))
    for edges in adjacency.values():
        edges.sort(key=lambda e: (e[0], e[1], e[2]))

    generation: dict[str, int] = {}
    cost_of: dict[str, int] = {}
    came_from: dict[str, str] = {}
    heap: list[tuple[int, str, int, str]] = [(0, subject_id, 0, "")]
    while heap:
        cost, person_id, gen, previous = heapq.heappop(heap)
        if person_id in generation:
            continue
        generation[person_id] = gen
        cost_of[person_id] = cost
        if previous:
            came_from[person_id] = previous
        for step_cost, other, delta in adjacency.get(person_id, ()):
            if other not in generation:
                heapq.heappush(heap, (cost + step_cost, other, gen + delta, person_id))
    return _consistent(subject_id, generation, cost_of, rels), came_from


def _consistent(
    subject_id: str, walk: Mapping[str, int], cost: Mapping[str, int], rels: Sequence[Relationship]
) -> dict[str, int]:
    """Rows in which every child is below its parents and partners share a row, also when a
    family marries into itself (cousins, pedigree collapse), where the shortest walk alone
    can put a parent and child on one row.

    Partners and recorded siblings form groups that share a row; groups are layered along
    the parent links (longest path from the eldest), then each group with children is moved
    down to just above its nearest child, so lines stay short. A group that would have to be
    its own ancestor (someone partnered with a descendant) is split up, and its partners are
    drawn with a long partner line. Parts linked to the subject only by carer, household or
    emotional lines keep the row the walk gave them."""
    ids = sorted(walk)
    parent_links = [
        (r.from_id, r.to_id)
        for r in rels
        if r.type is RelType.PARENT_OF
        and not _is_carer_link(r)
        and r.from_id in walk
        and r.to_id in walk
    ]
    same_row = [
        (r.from_id, r.to_id)
        for r in rels
        if r.type in (RelType.PARTNER_OF, RelType.SIBLING_OF)
        and r.from_id in walk
        and r.to_id in walk
    ]
    split: set[str] = set()
    for _ in range(3):
        groups = _Disjoint()
        for pid in ids:
            groups.find(pid)
        for a, b in same_row:
            if a not in split and b not in split:
                groups.join(a, b)
        edges: dict[str, set[str]] = defaultdict(set)
        for p, c in parent_links:
            edges[groups.find(p)].add(groups.find(c))
        cyclic = _cyclic_nodes({groups.find(pid) for pid in ids}, edges)
        if not cyclic:
            break
        split |= {pid for pid in ids if groups.find(pid) in cyclic}
    nodes = sorted({groups.find(pid) for pid in ids})
    parents: dict[str, set[str]] = defaultdict(set)
    for p, c in parent_links:
        gp, gc = groups.find(p), groups.find(c)
        if gp != gc:
            parents[gc].add(gp)
    children: dict[str, set[str]] = defaultdict(set)
    for gc, gps in parents.items():
        for gp in gps:
            children[gp].add(gc)
    order = _topological(nodes, parents, children)
    layer: dict[str, int] = {}
    for n in order:
        layer[n] = max((layer[p] + 1 for p in parents[n] if p in layer), default=0)
    for n in reversed(order):
        below = [layer[c] for c in children[n] if c in layer]
        if below:
            layer[n] = max(layer[n], min(below) - 1)
    # Align each connected part with the walk, at its member reached first.
    part = _Disjoint()
    for n in nodes:
        part.find(n)
        for c in children[n]:
            part.join(n, c)
    anchor: dict[str, str] = {}
    for pid in ids:
        root = part.find(groups.find(pid))
        best = anchor.get(root)
        if best is None or (cost[pid], pid != subject_id, pid) < (
            cost[best],
            best != subject_id,
            best,
        ):
            anchor[root] = pid
    shift = {root: walk[pid] - layer[groups.find(pid)] for root, pid in anchor.items()}
    return {pid: layer[groups.find(pid)] + shift[part.find(groups.find(pid))] for pid in ids}


def _cyclic_nodes(nodes: set[str], edges: Mapping[str, set[str]]) -> set[str]:
    """Nodes on a cycle (in a strongly connected part of more than one node, or with an edge
    to themselves): Tarjan's algorithm, iterative."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: set[str] = set()
    counter = 0
    for start in sorted(nodes):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, it = work[-1]
            advanced = False
            for nxt in it:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(edges.get(nxt, ())))))
                    advanced = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                members = []
                while True:
                    top = stack.pop()
                    on_stack.discard(top)
                    members.append(top)
                    if top == node:
                        break
                if len(members) > 1 or node in edges.get(node, ()):
                    result.update(members)
    return result


def _topological(
    nodes: Sequence[str], parents: Mapping[str, set[str]], children: Mapping[str, set[str]]
) -> list[str]:
    """Nodes with every parent before its children (Kahn's algorithm, ties by name); nodes
    left on a cycle of bad data come last."""
    waiting = {n: len(parents.get(n, ())) for n in nodes}
    ready = [n for n in nodes if waiting[n] == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        n = heapq.heappop(ready)
        order.append(n)
        for c in children.get(n, ()):
            waiting[c] -= 1
            if waiting[c] == 0:
                heapq.heappush(ready, c)
    done = set(order)
    return order + [n for n in nodes if n not in done]


def generations_of(
    subject_id: str, persons: Mapping[str, Person], rels: Sequence[Relationship]
) -> dict[str, int]:
    """Row number of every person reachable from the subject (0 the subject, -1 parents,
    -2 grandparents, +1 children; partners and siblings share a row); others are left out.

    Kinship links decide; carer links count only when nothing else reaches a person, and a
    household or emotional line only for someone linked by nothing else (a lodger, a
    neighbour who harms the child), who is then drawn on that person's row."""
    if subject_id not in persons:
        return {}
    return _walk(subject_id, persons, rels)[0]


def select(
    subject_id: str,
    persons: Sequence[Person],
    rels: Sequence[Relationship],
    generations: int,
    include: Iterable[str] = (),
) -> tuple[list[Person], list[Relationship]]:
    """The people within `generations` rows above and below the subject (plus their partners)
    who stay connected to the subject inside that window, and the edges among them.

    `include` names people to draw even outside the window: each comes with the people on
    the walk that links them to the subject."""
    if generations < 0:
        raise InputError("must be 0 or more", field="generations")
    by_id = {p.id: p for p in persons}
    if subject_id not in by_id:
        raise InputError(f"subject {subject_id} is not among the people given", field="subject")
    gens, came_from = _walk(subject_id, by_id, rels)
    window = {pid for pid, g in gens.items() if abs(g) <= generations}
    for rel in rels:
        if rel.type is RelType.PARTNER_OF and rel.from_id in gens and rel.to_id in gens:
            if rel.from_id in window:
                window.add(rel.to_id)
            elif rel.to_id in window:
                window.add(rel.from_id)
    for person_id in include:
        while person_id in gens and person_id not in window:
            window.add(person_id)
            person_id = came_from.get(person_id, subject_id)
    # Keep only people still connected to the subject without leaving the window, so that no
    # one floats unattached (an uncle whose parents are out of scope is left out).
    neighbours: dict[str, set[str]] = defaultdict(set)
    for rel in rels:
        if rel.from_id in window and rel.to_id in window:
            neighbours[rel.from_id].add(rel.to_id)
            neighbours[rel.to_id].add(rel.from_id)
    kept = {subject_id}
    frontier = [subject_id]
    while frontier:
        current = frontier.pop()
        for other in neighbours[current]:
            if other not in kept:
                kept.add(other)
                frontier.append(other)
    people = [p for p in persons if p.id in kept]
    edges = [r for r in rels if r.from_id in kept and r.to_id in kept]
    return people, edges


# --------------------------------------------------------------------------- plan


@dataclass(frozen=True)
class Union:
    """A couple (or a lone parent, or no recorded parent) from which a sibship hangs.

    `parents` has 2 people (left to right), 1 (the other parent unknown) or 0 (siblings whose
    parents are not recorded); `children` are eldest first, twins together.
    """

    id: str
    parents: tuple[str, ...]
    children: tuple[str, ...]
    partnership: Relationship | None = None
    adoptive: bool = False


@dataclass(frozen=True)
class DirectLink:
    """A parent line drawn straight from parent to child (carers, alleged, step, extra)."""

    parent: str
    child: str
    rel: Relationship


@dataclass(frozen=True)
class TwinSet:
    """Twins of one sibship, drawn from a single point (identical twins with a bar)."""

    union_id: str
    members: tuple[str, ...]
    identical: bool


@dataclass(frozen=True)
class Plan:
    """Every layout decision `render.dot` needs, computed without Graphviz."""

    subject_id: str
    persons: dict[str, Person]
    generations: dict[str, int]
    rows: dict[int, tuple[str, ...]]
    unions: tuple[Union, ...]
    direct_links: tuple[DirectLink, ...]
    twins: tuple[TwinSet, ...]
    other_partnerships: tuple[Relationship, ...]
    households: tuple[tuple[str, ...], ...] = ()
    relations: tuple[Relationship, ...] = ()

    def union_of_child(self) -> dict[str, Union]:
        """The union each child hangs from."""
        return {c: u for u in self.unions for c in u.children}


def birth_key(person: Person | None) -> tuple[date, str]:
    """Sort key putting the eldest first; unknown birth dates go last, ties by id."""
    if person is None:
        return (date.max, "")
    born = person.birth_date.earliest() if person.birth_date else date.max
    return (born, person.id)


def order_siblings(
    children: Iterable[str],
    persons: Mapping[str, Person],
    twin_groups: Sequence[Sequence[str]] = (),
) -> list[str]:
    """Children eldest first (unknown birth dates last), each twin set kept together at the
    place of its eldest member."""
    ordered = sorted(set(children), key=lambda c: birth_key(persons.get(c)))
    group_of: dict[str, Sequence[str]] = {}
    for group in twin_groups:
        for member in group:
            group_of[member] = group
    result: list[str] = []
    placed: set[str] = set()
    for child in ordered:
        if child in placed:
            continue
        members = [m for m in ordered if m in group_of.get(child, (child,))]
        if child not in members:
            members = [child]
        for m in members:
            result.append(m)
            placed.add(m)
    return result


def union_id(parents: Sequence[str]) -> str:
    """Node id of the union of these parents, derived from their person ids."""
    return "u_" + "+".join(sorted(parents))


def _sex_rank(person: Person | None) -> int:
    if person is None:
        return 1
    return {Sex.MALE: 0, Sex.UNKNOWN: 1, Sex.FEMALE: 2}[person.sex]


class _Disjoint:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            low, high = sorted((ra, rb))
            self.parent[high] = low


def _primary_links(
    child: str,
    links: Sequence[Relationship],
    gens: Mapping[str, int],
    partners: Mapping[str, set[str]],
) -> tuple[list[Relationship], bool]:
    """The parent links a child hangs by (at most two parents, one row up: confirmed birth
    parents, else confirmed adoptive parents) and whether that is by adoption."""
    row_above = gens[child] - 1
    usable = [r for r in links if r.certainty == "confirmed" and gens[r.from_id] == row_above]
    for kinds, adoptive in (((None, "birth"), False), (("adoptive",), True)):
        chosen: dict[str, Relationship] = {}
        for r in usable:
            if r.kind in kinds:
                chosen.setdefault(r.from_id, r)
        if chosen:
            ids = sorted(chosen)
            if len(ids) > 2:
                # Prefer a pair recorded as partners; otherwise the first two by id.
                pairs = [(a, b) for a in ids for b in ids if a < b and b in partners[a]]
                ids = list(pairs[0]) if pairs else ids[:2]
            return [chosen[i] for i in ids], adoptive
    return [], False


def _partner_order_key(
    person_id: str,
    partner_id: str,
    rel: Relationship | None,
    children_with: Mapping[frozenset[str], Sequence[str]],
    persons: Mapping[str, Person],
) -> tuple[date, int, str]:
    """Chronological key of one partnership: start date, else eldest child's birth."""
    when = date.max
    if rel is not None and rel.start_date is not None:
        when = rel.start_date.earliest()
    else:
        kids = children_with.get(frozenset((person_id, partner_id)), ())
        births = [birth_key(persons.get(k))[0] for k in kids]
        if births:
            when = min(births)
    ended = 0 if rel is not None and rel.kind in ENDED_STATUSES else 1
    return (when, ended, partner_id)


def arrange_group(
    members: Sequence[str],
    partners: Mapping[str, set[str]],
    partnership: Mapping[frozenset[str], Relationship],
    children_with: Mapping[frozenset[str], Sequence[str]],
    persons: Mapping[str, Person],
) -> list[str]:
    """Left-to-right order of one group of partners: a lone couple man-left; a person with
    several partners in the middle, the earliest partner on the left and later ones on the
    right; partners of partners next to them on the outer side."""
    if len(members) == 1:
        return list(members)
    member_set = set(members)
    if len(members) == 2:
        return sorted(members, key=lambda m: (_sex_rank(persons.get(m)), birth_key(persons.get(m))))
    hub = min(
        members,
        key=lambda m: (-len(partners[m] & member_set), birth_key(persons.get(m))),
    )

    def by_time(person_id: str, others: Iterable[str]) -> list[str]:
        return sorted(
            others,
            key=lambda o: _partner_order_key(
                person_id,
                o,
                partnership.get(frozenset((person_id, o))),
                children_with,
                persons,
            ),
        )

    order = [hub]
    placed = {hub}
    hub_partners = by_time(hub, partners[hub] & member_set)
    queue: list[tuple[str, int]] = []
    for i, p in enumerate(hub_partners):
        if i == 0:
            order.insert(0, p)
            queue.append((p, -1))
        else:
            order.append(p)
            queue.append((p, +1))
        placed.add(p)
    while queue:
        person_id, side = queue.pop(0)
        for other in by_time(person_id, (partners[person_id] & member_set) - placed):
            at = order.index(person_id)
            order.insert(at if side < 0 else at + 1, other)
            placed.add(other)
            queue.append((other, side))
    # Anything left (not reachable through partners inside the group) goes to the right.
    order.extend(sorted(member_set - placed, key=lambda m: birth_key(persons.get(m))))
    return order


def _topological_by_key(
    items: Sequence[int], key: Mapping[int, tuple[float, date, str]], before: set[tuple[int, int]]
) -> list[int]:
    """Items sorted by key, except that (a, b) in `before` puts a before b (cycles ignored)."""
    incoming: dict[int, set[int]] = {i: set() for i in items}
    for a, b in before:
        if a in incoming and b in incoming and a != b:
            incoming[b].add(a)
    result: list[int] = []
    remaining = set(items)
    while remaining:
        free = [i for i in remaining if not (incoming[i] & remaining)]
        if not free:  # a cycle of constraints: fall back to the key
            free = list(remaining)
        pick = min(free, key=lambda i: key[i])
        result.append(pick)
        remaining.discard(pick)
    return result


def plan_layout(subject_id: str, persons: Sequence[Person], rels: Sequence[Relationship]) -> Plan:
    """Compute rows, unions, direct links and left-to-right order for the people given (who
    are not reachable from the subject are left out)."""
    by_id = {p.id: p for p in persons}
    if subject_id not in by_id:
        raise InputError(f"subject {subject_id} is not among the people given", field="subject")
    gens = generations_of(subject_id, by_id, rels)
    people = {pid: by_id[pid] for pid in gens}
    rels = sorted(
        (r for r in rels if r.from_id in people and r.to_id in people),
        key=lambda r: (r.id, r.from_id, r.to_id),
    )

    partners: dict[str, set[str]] = defaultdict(set)
    partnership: dict[frozenset[str], Relationship] = {}
    other_partnerships: list[Relationship] = []
    for rel in rels:
        if rel.type is not RelType.PARTNER_OF:
            continue
        if gens[rel.from_id] != gens[rel.to_id]:
            other_partnerships.append(rel)  # inconsistent rows: a loose line, no union
            continue
        pair = frozenset((rel.from_id, rel.to_id))
        partnership.setdefault(pair, rel)
        partners[rel.from_id].add(rel.to_id)
        partners[rel.to_id].add(rel.from_id)

    # Parent links per child; choose the union each child hangs from.
    links_to: dict[str, list[Relationship]] = defaultdict(list)
    for rel in rels:
        if rel.type is RelType.PARENT_OF:
            links_to[rel.to_id].append(rel)
    union_children: dict[tuple[str, ...], list[str]] = defaultdict(list)
    union_adoptive: dict[tuple[str, ...], bool] = {}
    direct: list[DirectLink] = []
    for child in sorted(links_to):
        links = sorted(links_to[child], key=lambda r: (r.from_id, r.kind or ""))
        primary, adoptive = _primary_links(child, links, gens, partners)
        if primary:
            key = tuple(r.from_id for r in primary)
            union_children[key].append(child)
            union_adoptive[key] = union_adoptive.get(key, False) or adoptive
        for rel in links:
            if not any(rel is p for p in primary):
                direct.append(DirectLink(rel.from_id, child, rel))
    for key in union_children:
        if len(key) == 2 and key[1] not in partners[key[0]]:
            partners[key[0]].add(key[1])  # co-parents with no recorded partnership
            partners[key[1]].add(key[0])

    # Siblings with no recorded common parent.
    parents_of: dict[str, set[str]] = defaultdict(set)
    for rel in rels:
        if rel.type is RelType.PARENT_OF:
            parents_of[rel.to_id].add(rel.from_id)
    hung = {c: key for key, kids in union_children.items() for c in kids}
    loose = _Disjoint()
    loose_members: set[str] = set()
    twin_edges: list[Relationship] = []
    for rel in rels:
        if rel.type is not RelType.SIBLING_OF:
            continue
        if rel.twin is not None:
            twin_edges.append(rel)
        a, b = rel.from_id, rel.to_id
        if parents_of[a] & parents_of[b] or gens[a] != gens[b]:
            continue
        if a in hung and b in hung:
            continue
        if a in hung or b in hung:
            inside, outside = (a, b) if a in hung else (b, a)
            if rel.kind in (None, "full") and outside not in loose_members:
                union_children[hung[inside]].append(outside)
                hung[outside] = hung[inside]
            continue
        loose.join(a, b)
        loose_members.update((a, b))
    loose_groups: dict[str, list[str]] = defaultdict(list)
    for member in sorted(loose_members):
        if member not in hung:
            loose_groups[loose.find(member)].append(member)
    loose_groups = {root: kids for root, kids in loose_groups.items() if len(kids) > 1}

    # Twin sets within one sibship.
    sibship_of: dict[str, str] = {}
    raw_unions: list[tuple[tuple[str, ...], list[str], bool]] = []
    for key, kids in union_children.items():
        raw_unions.append((key, kids, union_adoptive.get(key, False)))
    for kids in loose_groups.values():
        raw_unions.append(((), kids, False))
    for key, kids, _ in raw_unions:
        uid = union_id(key) if key else "u_siblings_" + min(kids)
        for k in kids:
            sibship_of[k] = uid
    twins_dj = _Disjoint()
    identical: set[str] = set()
    twin_members: set[str] = set()
    for rel in twin_edges:
        a, b = rel.from_id, rel.to_id
        if sibship_of.get(a) is not None and sibship_of.get(a) == sibship_of.get(b):
            twins_dj.join(a, b)
            twin_members.update((a, b))
            if rel.twin == "identical":
                identical.add(twins_dj.find(a))
    twin_groups: dict[str, list[str]] = defaultdict(list)
    for member in sorted(twin_members):
        twin_groups[twins_dj.find(member)].append(member)
    identical_roots = {twins_dj.find(x) for x in identical}

    unions: list[Union] = []
    twins: list[TwinSet] = []
    for key, kids, adoptive in raw_unions:
        uid = union_id(key) if key else "u_siblings_" + min(kids)
        groups = [g for root, g in twin_groups.items() if sibship_of[g[0]] == uid]
        ordered = order_siblings(kids, people, groups)
        for root, group in sorted(twin_groups.items()):
            if sibship_of[group[0]] == uid:
                members = tuple(m for m in ordered if m in group)
                twins.append(TwinSet(uid, members, root in identical_roots))
        unions.append(Union(uid, key, tuple(ordered), partnership.get(frozenset(key)), adoptive))
    # Childless partnerships are unions too (they carry the partner line).
    with_children = {frozenset(u.parents) for u in unions if len(u.parents) == 2}
    for pair, rel in sorted(partnership.items(), key=lambda kv: sorted(kv[0])):
        if pair not in with_children:
            unions.append(Union(union_id(sorted(pair)), tuple(sorted(pair)), (), rel))

    children_with: dict[frozenset[str], Sequence[str]] = {
        frozenset(u.parents): u.children for u in unions if len(u.parents) == 2
    }
    # An alleged or disputed parent of a child with one known parent stands next to that
    # parent (without a partner line), so the dashed line to the child stays short.
    neighbours = {pid: set(others) for pid, others in partners.items()}
    neighbours = defaultdict(set, neighbours)
    lone = {c: u.parents[0] for u in unions if len(u.parents) == 1 for c in u.children}
    for link in direct:
        known = lone.get(link.child)
        if (
            known is not None
            and link.rel.kind in (None, "birth")
            and link.rel.certainty != "confirmed"
            and gens[link.parent] == gens[known]
            and link.parent != known
        ):
            neighbours[known].add(link.parent)
            neighbours[link.parent].add(known)
    rows = _order_rows(people, gens, neighbours, partnership, children_with, unions, direct, rels)
    households = households_of(people, rels)
    # Put each two-parent union's parents in row order.
    position = {pid: i for row in rows.values() for i, pid in enumerate(row)}
    final_unions = tuple(
        Union(
            u.id,
            tuple(sorted(u.parents, key=lambda p: position[p])),
            u.children,
            u.partnership,
            u.adoptive,
        )
        for u in sorted(unions, key=lambda u: u.id)
    )
    return Plan(
        subject_id=subject_id,
        persons=people,
        generations=gens,
        rows=rows,
        unions=final_unions,
        direct_links=tuple(sorted(direct, key=lambda d: (d.child, d.parent, d.rel.id))),
        twins=tuple(twins),
        other_partnerships=tuple(other_partnerships),
        households=households,
        relations=tuple(r for r in rels if r.type is RelType.RELATES_TO),
    )


def households_of(
    persons: Mapping[str, Person], rels: Sequence[Relationship]
) -> tuple[tuple[str, ...], ...]:
    """People who live together: groups joined by current LIVES_WITH links (those with no end
    date), each sorted by id, groups ordered by their first member; lone people are not a
    household of their own."""
    joined = _Disjoint()
    members: set[str] = set()
    for rel in rels:
        if (
            rel.type is RelType.LIVES_WITH
            and rel.end_date is None
            and rel.from_id in persons
            and rel.to_id in persons
        ):
            joined.join(rel.from_id, rel.to_id)
            members.update((rel.from_id, rel.to_id))
    groups: dict[str, list[str]] = defaultdict(list)
    for member in sorted(members):
        groups[joined.find(member)].append(member)
    return tuple(sorted(tuple(g) for g in groups.values()))


def _order_rows(
    people: Mapping[str, Person],
    gens: Mapping[str, int],
    partners: Mapping[str, set[str]],
    partnership: Mapping[frozenset[str], Relationship],
    children_with: Mapping[frozenset[str], Sequence[str]],
    unions: Sequence[Union],
    direct: Sequence[DirectLink],
    rels: Sequence[Relationship],
) -> dict[int, tuple[str, ...]]:
    """Left-to-right order of each row (a few up and down sweeps of barycentre ordering, with
    partners kept in their group and the children of one union in birth order)."""
    rows_members: dict[int, list[str]] = defaultdict(list)
    for pid in sorted(people):
        rows_members[gens[pid]].append(pid)

    # Groups of partners per row, each already arranged left to right.
    groups: dict[int, list[list[str]]] = {}
    for g, members in rows_members.items():
        dj = _Disjoint()
        for m in members:
            dj.find(m)
            for other in partners[m]:
                if gens[other] == g:
                    dj.join(m, other)
        by_root: dict[str, list[str]] = defaultdict(list)
        for m in members:
            by_root[dj.find(m)].append(m)
        groups[g] = [
            arrange_group(ms, partners, partnership, children_with, people)
            for _, ms in sorted(by_root.items())
        ]

    union_by_child = {c: u for u in unions for c in u.children}
    # Sibships kept in birth order wherever they stand: each union's children, and the
    # children of the same birth parents (who may hang from different rows).
    by_parents: dict[frozenset[str], list[str]] = defaultdict(list)
    parent_sets: dict[str, set[str]] = defaultdict(set)
    for rel in rels:
        birth = rel.type is RelType.PARENT_OF and rel.kind in (None, "birth")
        if birth and rel.certainty == "confirmed":
            parent_sets[rel.to_id].add(rel.from_id)
    for child, ps in parent_sets.items():
        by_parents[frozenset(ps)].append(child)
    sibships = [list(u.children) for u in unions] + [
        sorted(kids, key=lambda c: birth_key(people.get(c)))
        for kids in by_parents.values()
        if len(kids) > 1
    ]
    kids_of: dict[str, list[str]] = defaultdict(list)  # person -> children one row down
    for u in unions:
        for p in u.parents:
            kids_of[p].extend(u.children)
    for d in direct:
        if gens[d.child] == gens[d.parent] + 1:
            kids_of[d.parent].append(d.child)
    siblings: dict[str, set[str]] = defaultdict(set)
    associates: dict[str, set[str]] = defaultdict(set)
    for rel in rels:
        if gens[rel.from_id] != gens[rel.to_id]:
            continue
        if rel.type is RelType.SIBLING_OF:
            siblings[rel.from_id].add(rel.to_id)
            siblings[rel.to_id].add(rel.from_id)
        elif rel.type in _ASSOCIATION_TYPES:
            associates[rel.from_id].add(rel.to_id)
            associates[rel.to_id].add(rel.from_id)

    order: dict[int, list[list[str]]] = {g: list(gs) for g, gs in groups.items()}

    def positions(g: int) -> dict[str, float]:
        flat = [pid for grp in order.get(g, []) for pid in grp]
        n = max(len(flat), 1)
        return {pid: (i + 0.5) / n for i, pid in enumerate(flat)}

    def anchor(group: Sequence[str], g: int) -> str | None:
        """The member whose parents' union (one row up) positions the group."""
        hung = [m for m in group if m in union_by_child and union_by_child[m].parents]
        hung = [m for m in hung if all(gens[p] == g - 1 for p in union_by_child[m].parents)]
        if not hung:
            return None
        return min(hung, key=lambda m: (-len(partners[m]), birth_key(people.get(m))))

    def sort_row(g: int, downward: bool) -> None:
        current = order.get(g)
        if not current:
            return
        here = positions(g)
        above = positions(g - 1)
        below = positions(g + 1)
        keys: dict[int, tuple[float, date, str]] = {}
        for i, grp in enumerate(current):
            own = sum(here[m] for m in grp) / len(grp)
            value: float | None = None
            lead = anchor(grp, g)
            if downward and lead is not None:
                parents = union_by_child[lead].parents
                value = sum(above[p] for p in parents) / len(parents)
            if value is None:
                kids = [k for m in grp for k in kids_of[m] if k in below]
                if kids:
                    value = sum(below[k] for k in kids) / len(kids)
            if value is None and lead is not None:
                parents = union_by_child[lead].parents
                value = sum(above[p] for p in parents) / len(parents)
            for near in (siblings, associates):
                if value is None:
                    sibs = [s for m in grp for s in near[m] if s in here and s not in grp]
                    if sibs:
                        value = sum(here[s] for s in sibs) / len(sibs)
            if value is None:
                value = own
            ref = lead if lead is not None else min(grp, key=lambda m: birth_key(people.get(m)))
            keys[i] = (value, *birth_key(people.get(ref)))
        # Children of one union keep birth order across groups.
        group_index = {pid: i for i, grp in enumerate(current) for pid in grp}
        before: set[tuple[int, int]] = set()
        for sibship in sibships:
            kids = [c for c in sibship if gens[c] == g]
            for a, b in itertools.pairwise(kids):
                ga, gb = group_index[a], group_index[b]
                if ga != gb:
                    before.add((ga, gb))
        ranked = _topological_by_key(list(range(len(current))), keys, before)
        order[g] = [current[i] for i in ranked]

    rows_sorted = sorted(order)
    for _ in range(3):
        for g in rows_sorted:
            sort_row(g, downward=True)
        for g in reversed(rows_sorted):
            sort_row(g, downward=False)
    for g in rows_sorted:
        sort_row(g, downward=True)

    parents_above: dict[str, list[str]] = defaultdict(list)
    for pid, kids in kids_of.items():
        for kid in kids:
            parents_above[kid].append(pid)

    def swap_pass(g: int) -> bool:
        """Swap neighbouring groups of row g wherever that removes line crossings (with the
        rows above and below), keeping each union's children in birth order."""
        current = order[g]
        above, below = positions(g - 1), positions(g + 1)
        changed = False
        for i in range(len(current) - 1):
            a, b = current[i], current[i + 1]
            if _must_precede(a, b, sibships, gens, g):
                continue
            delta = 0
            for links, where in ((parents_above, above), (kids_of, below)):
                ta = [where[t] for m in a for t in links.get(m, ()) if t in where]
                tb = [where[t] for m in b for t in links.get(m, ()) if t in where]
                for x in ta:
                    for y in tb:
                        delta += (x < y) - (x > y)
            if delta < 0:
                current[i], current[i + 1] = b, a
                changed = True
        return changed

    for _ in range(6):
        if not any([swap_pass(g) for g in rows_sorted]):
            break
    return {g: tuple(pid for grp in order[g] for pid in grp) for g in rows_sorted}


def _must_precede(
    left: Sequence[str],
    right: Sequence[str],
    sibships: Sequence[Sequence[str]],
    gens: Mapping[str, int],
    g: int,
) -> bool:
    """Whether group `left` holds an elder sibling of someone in group `right` (siblings
    stay in birth order)."""
    left_set, right_set = set(left), set(right)
    for sibship in sibships:
        seen_left = False
        for kid in sibship:
            if gens[kid] != g:
                continue
            if kid in left_set:
                seen_left = True
            elif kid in right_set and seen_left:
                return True
    return False


def sibship_points(
    union: Union, twins: Sequence[TwinSet] = ()
) -> tuple[list[tuple[str, ...]], int]:
    """The points of a sibship line, left to right, and the index of the point the parents'
    line drops onto. Each point holds the children hanging from it (one child, or a whole
    twin set: twins hang from one point); an empty tuple is a junction with no child of its
    own, added in the middle when the number of points is even."""
    twin_of = {m: t.members for t in twins if t.union_id == union.id for m in t.members}
    points: list[tuple[str, ...]] = []
    for child in union.children:
        members = twin_of.get(child, (child,))
        if members not in points:
            points.append(members)
    if len(points) % 2 == 1:
        return points, len(points) // 2
    middle = len(points) // 2
    return [*points[:middle], (), *points[middle:]], middle
