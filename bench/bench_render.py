"""`make bench`: genogram rendering time for a 60-person and a 500-person family.

Each family is generated (several generations, couples who separate and re-partner, so there
are half-siblings, some twins, deaths, a household and a few emotional lines) and drawn with
every generation in scope. Printed for each: the pure layout (scope, rows, geometry and DOT
text), the whole render to PDF (layout plus Graphviz), and Graphviz's `dot` alone on the same
DOT. Targets (issue 5): at most 0.5 s (60 people) and 5 s (500 people) to PDF. Figures are the
best of a few runs; the script prints, it does not pass or fail.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from genogram.model import PartialDate, Person, Relationship, RelType, Sex  # noqa: E402
from render import RenderOptions, build_dot, render_file  # noqa: E402

TARGETS = {60: 0.5, 500: 5.0}
_GIVEN_F = "Ada Bea Cara Dina Eva Faye Gina Hope Ida Jo Kim Lia Mia Nia Ola Pia Ria Sia Tia Una"
_GIVEN_M = "Abe Ben Cal Dan Eli Finn Gus Hal Ian Jay Ken Leo Max Ned Oli Pat Rex Sam Tom Vic"
_FAMILY = "Ash Birch Cedar Dale Elm Fern Glen Heath Ivy Lane Moss Oak Pine Reed Stone Wood"


def family(size: int, seed: int = 5) -> tuple[list[Person], list[Relationship], str]:
    """A connected family of `size` people over several generations; returns people,
    relationships and the subject (a child of the youngest generation)."""
    rng = random.Random(seed)
    people: list[Person] = []
    rels: list[Relationship] = []

    def person(sex: Sex, born: int, surname: str) -> str:
        pid = f"B{len(people):04d}"
        names = (_GIVEN_F if sex is Sex.FEMALE else _GIVEN_M).split()
        died = born + rng.randint(55, 90) if born < 1960 and rng.random() < 0.5 else None
        people.append(
            Person(
                pid,
                rng.choice(names),
                surname,
                sex=sex,
                birth_date=PartialDate(born, rng.randint(1, 12), rng.randint(1, 28)),
                death_date=PartialDate(died) if died and died < 2024 else None,
            )
        )
        return pid

    surnames = _FAMILY.split()
    founders = [(person(Sex.MALE, 1920, surnames[0]), person(Sex.FEMALE, 1922, surnames[1]))]
    rels.append(Relationship(RelType.PARTNER_OF, *founders[0], "married"))
    couples = list(founders)
    born_of: dict[str, int] = {pid: 1920 for pid in founders[0]}
    youngest = founders[0][0]
    while len(people) < size:
        father, mother = couples.pop(0)
        base = max(born_of[father], born_of[mother]) + rng.randint(22, 30)
        children = []
        for k in range(rng.randint(2, 4)):
            if len(people) >= size:
                break
            sex = rng.choice([Sex.FEMALE, Sex.MALE])
            surname = next(p.family_name for p in people if p.id == father) or "Ash"
            child = person(sex, base + 2 * k, surname)
            born_of[child] = base + 2 * k
            children.append(child)
            youngest = child
            for parent in (father, mother):
                rels.append(Relationship(RelType.PARENT_OF, parent, child, "birth"))
        if len(children) >= 2 and rng.random() < 0.15:
            a, b = children[-2:]
            twin = rng.choice(["identical", "fraternal"])
            rels.append(Relationship(RelType.SIBLING_OF, a, b, "full", twin=twin))
        for child in children:
            if len(people) >= size - 1 or rng.random() < 0.2:
                continue
            child_sex = next(p.sex for p in people if p.id == child)
            partners = 2 if rng.random() < 0.3 else 1
            for n in range(partners):
                if len(people) >= size:
                    break
                other_sex = Sex.MALE if child_sex is Sex.FEMALE else Sex.FEMALE
                spouse = person(
                    other_sex, born_of[child] + rng.randint(-3, 3), rng.choice(surnames)
                )
                born_of[spouse] = born_of[child]
                status = (
                    "divorced"
                    if n == 0 and partners == 2
                    else rng.choice(["married", "cohabiting", "separated"])
                )
                rels.append(Relationship(RelType.PARTNER_OF, child, spouse, status))
                pair = (child, spouse) if child_sex is Sex.MALE else (spouse, child)
                couples.append(pair)
        if not couples:
            break
    by_id = {p.id: p for p in people}
    subject = youngest
    mother = next(r.from_id for r in rels if r.type is RelType.PARENT_OF and r.to_id == subject)
    rels.append(Relationship(RelType.LIVES_WITH, subject, mother))
    for kind in ("conflict", "close", "domestic_abuse"):
        a, b = rng.sample(sorted(by_id), 2)
        rels.append(Relationship(RelType.RELATES_TO, a, b, kind))
    return people, rels, subject


def best_of(runs: int, fn: Callable[[], object]) -> float:
    """The shortest wall time of `runs` calls."""
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def measure(size: int, target: float, dot_exe: str, out: Path, runs: int) -> None:
    """Print the figures for one generated family."""
    people, rels, subject = family(size)
    options = RenderOptions(generations=12, drawn_on=date(2024, 5, 1), author="bench")
    source = build_dot(subject, people, rels, options)
    drawn = source.count('class="person')

    def layout() -> str:
        return build_dot(subject, people, rels, options)

    def to_pdf() -> Path:
        return render_file(build_dot(subject, people, rels, options), out)

    def dot_alone() -> None:
        subprocess.run([dot_exe, "-Tpdf", "-o", str(out)], input=source.encode(), check=True)

    pure, total, alone = (best_of(runs, fn) for fn in (layout, to_pdf, dot_alone))
    verdict = "ok" if total <= target else "OVER"
    print(
        f"{size:>4} people{drawn:>7}{pure:>11.3f}s{total:>9.3f}s{alone:>10.3f}s"
        f"{target:>7.1f}s {verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (best is shown)")
    args = parser.parse_args()
    dot_exe = shutil.which("dot")
    if dot_exe is None:
        print("Graphviz 'dot' is not installed: nothing to measure")
        return
    header = ("family", "drawn", "layout+DOT", "to PDF", "dot alone", "target")
    print(
        f"{header[0]:<12}{header[1]:>7}{header[2]:>12}{header[3]:>10}{header[4]:>11}{header[5]:>9}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for size, target in TARGETS.items():
            measure(size, target, dot_exe, Path(folder) / "g.pdf", args.runs)


if __name__ == "__main__":
    main()
