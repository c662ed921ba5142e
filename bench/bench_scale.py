"""`make bench`: deduplicate generated UK person records at scale with `genogram match`.

Generates `--n` records (default 1,000,000; `--quick` for 100,000) of fictional people in
households (parents and children share a surname, an address and a postcode; twins share a
birth date too), then copies some people into further records with the errors council systems
make: typing mistakes, nicknames (Becky for Rebecca), a middle name used as the first name,
given and family names swapped, a double-barrelled surname shortened or unhyphenated, a
surname changed by marriage, O'/Mc/Mac and letter-case variants, titles, day and month
transposed, a mistyped digit, a year-only date, a house move, abbreviations (Rd for Road),
and missing values. Dates are written in several formats.

`genogram match` then runs as a separate process on the CSV, end to end (read, block, fit,
score, write). Printed: records, true duplicate pairs, wall time, the process's peak memory
(``getrusage(RUSAGE_CHILDREN).ru_maxrss``), and precision, recall and F1 of the pairs at the
review (0.6) and merge (0.85) thresholds. Targets for 1,000,000 records on a 2-core machine:
at most 5 minutes and 4 GiB. With `--blocking` (sizes up to 200,000), also the blocking pairs
completeness and reduction ratio, from an in-process run.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _words(text: str) -> tuple[str, ...]:
    """The space-separated words of `text`."""
    return tuple(text.split())


# fmt: off
SURNAMES = _words(
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson "
    "Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen "
    "James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook "
    "Carter Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall "
    "Anderson Simpson Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb Rogers Gray "
    "Mason Ali Hunt Hussain Campbell Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd "
    "Butler Russell Barker Fisher Stevens Jenkins Murray Dixon Harvey Graham Pearson Ahmed "
    "Fletcher Walsh Kaur Gibson Howard Andrews Stewart Elliott Reynolds Saunders Payne Fox Ford "
    "Pearce Day Brooks West Lawrence Cole Atkinson Bradley Spencer Gill Dawson Ball Burton "
    "O'Brien Watts Rose Booth Perry Ryan Grant Wells Armstrong Francis Rees Hayes Hart Hudson "
    "Newman Barrett Webster Hunter Gregory Carr Lowe Page Marsh Riley Dunn Woods Parsons Berry "
    "Stone Reid Holland Hawkins Harding Porter Robertson Newton Oliver Reed Kennedy Williamson "
    "Bird Gardner Shah Dean Lane Cooke Bates Henderson Parry Burgess Bishop Walton Burns "
    "Nicholson Shepherd Ross Cross Long Freeman Warren Nicholls Hamilton Byrne Sutton MacDonald "
    "Yates Hodgson Robson Curtis Hopkins O'Connor Harper Coleman Watkins Moss McCarthy Chambers "
    "O'Neill Griffin Sharp Hardy Wheeler Potter Osborne Johnston Gordon Doyle Wallace George "
    "Jordan Hutchinson Nowak Kowalski Wiśniewski Wójcik Kowalczyk Lewandowski Zieliński "
    "Szymański Dąbrowski Kozłowski Jankowski Mazur Kwiatkowski Krawczyk Llewellyn Pritchard "
    "Vaughan Jenkins Bowen Howells Prosser Rowlands Meredith Powys Nowak-Evans Smith-Jones "
    "Taylor-Brown Hart-Davies Lloyd-Williams Ahmed-Khan Mensah Okafor Adeyemi Boateng Nguyen "
    "Chen Wang Silva Santos Costa Murphy Kelly O'Sullivan Gallagher McLaughlin MacKenzie "
    "McKenzie Fraser Duncan Cameron"
)
PREFIXES = _words(
    "Ash Black Brad Brook Church Cliff Craw Dal Elm Fair Green Hay Hol Kirk Lang Mar Mid Nor "
    "Oak Pen Rad Ray Ros Sal Shel Stan Thorn Wal West Whit Wind Wood Bar Cal Dun Fen Gar Har "
    "Kil Lind Mel Pem Ren Sid Tam Ux Wat Yar Bel Cor Dar Eas Glen Hart Lock Mor Pres Rich Sand"
)
SUFFIXES = _words(
    "worth ford ley ton field by ham well more wood dale son er ington hurst stead wick cott "
    "den ridge combe shaw bury thorpe ing man ock ard"
)
FEMALE = _words(
    "Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Willow Florence "
    "Emily Ella Poppy Evie Elsie Charlotte Evelyn Sienna Sofia Daisy Phoebe Sophie Alice "
    "Harper Matilda Ruby Emilia Maya Millie Isabelle Eva Luna Jessica Aria Layla Esme Margaret "
    "Susan Elizabeth Rebecca Katherine Catherine Victoria Jennifer Deborah Patricia Samantha "
    "Alexandra Joanne Nicola Christine Sandra Jacqueline Amanda Kimberley Natalie Abigail "
    "Eleanor Teresa Mary Frances Stephanie Danielle Kerry Louise Claire Emma Sarah Laura Lisa "
    "Karen Julie Helen Rachel Hannah Gemma Lauren Chloe Megan Bethany Leanne Kayleigh Zofia "
    "Katarzyna Krystyna Agnieszka Malgorzata Aleksandra Joanna Rhiannon Ffion Carys Seren "
    "Siobhan Aoife Niamh Fatima Aisha Maryam Zainab Priya Anjali Amira Nadia Zoë Chloé"
)
MALE = _words(
    "Oliver George Noah Arthur Muhammad Leo Harry Oscar Archie Henry Theodore Freddie Jack "
    "Charlie Theo Alfie Jacob Thomas Finley Arlo William Lucas Roman Tommy Isaac Teddy Alexander "
    "Luca Edward James Joshua Albie Elijah Max Mohammed Reggie Michael Robert David Christopher "
    "Samuel Daniel Andrew Richard Stephen Anthony Matthew Patrick Frederick Gerald Kenneth "
    "Peter Philip Timothy Joseph Nicholas Benjamin Jonathan John Ronald Terence Lawrence "
    "Raymond Gareth Dafydd Rhys Owain Tomasz Jakub Piotr Wojciech Krzysztof Kacper Mateusz "
    "Dean Wayne Lee Darren Craig Jamie Ryan Liam Connor Callum Kieran Declan Sean Ciaran "
    "Ibrahim Yusuf Omar Hassan Arjun Rohan Kwame Chinedu Riley Aaron"
)
STREETS = _words(
    "High Station Church Park Victoria Green Manor Mill School Queens Kings New Grange Albert "
    "Springfield Highfield Windsor Alexandra York Orchard Chapel Meadow Elm Oak Beech Larkspur "
    "Quarry Clarence Stanley Cromwell Nelson Trinity Mount Hill Market Bridge Castle Priory "
    "Holly Willow Cedar Ash Birch Maple Rowan Heather Primrose Bluebell Foxglove Lavender"
)
STREET_TYPES = (
    ("Road", "Rd"), ("Street", "St"), ("Lane", "Ln"), ("Close", "Cl"), ("Avenue", "Ave"),
    ("Drive", "Dr"), ("Crescent", "Cres"), ("Gardens", "Gdns"), ("Way", "Way"),
    ("Court", "Ct"), ("Place", "Pl"), ("Terrace", "Tce"),
)
TOWNS = _words(
    "Leeds Manchester Birmingham Cardiff Swansea Liverpool Newcastle Bristol Nottingham "
    "Sheffield Bradford Wakefield Wrexham Newport Bangor Luton Derby Leicester Coventry Hull"
)
AREAS = _words(
    "LS M B CF SA L NE BS NG S BD WF LL NP LU DE LE CV HU SK OL BL WN PR BB HD HX YO DN"
)
MONTHS = _words(
    "January February March April May June July August September October November December"
)
# fmt: on


@dataclass(frozen=True)
class Person:
    """A fictional person: the truth every record of them is copied from."""

    key: int
    given: str
    middle: str
    family: str
    sex: str
    year: int
    month: int
    day: int
    house: int
    street: str
    street_type: int
    town: str
    postcode: str


def _zipf(items: list[str], exponent: float) -> list[float]:
    """Cumulative Zipf weights by rank (the first item most common)."""
    weights = [1.0 / (rank + 1) ** exponent for rank in range(len(items))]
    return list(itertools.accumulate(weights))


class _Names:
    """Weighted pools of names: common names by rank, plus a long tail of rarer ones."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.common = SURNAMES
        self.common_cum = _zipf(list(SURNAMES), 0.7)
        tail = {p + s for p in PREFIXES for s in SUFFIXES}
        letters_c, letters_v = "bcdfghjklmnprstvwz", "aeiou"
        while len(tail) < 60_000:
            size = rng.choice((2, 2, 3))
            word = "".join(rng.choice(letters_c) + rng.choice(letters_v) for _ in range(size))
            tail.add(word.capitalize() + rng.choice(("", "s", "er", "ton", "ley", "son")))
        self.tail = sorted(tail)
        self.female_cum = _zipf(list(FEMALE), 0.7)
        self.male_cum = _zipf(list(MALE), 0.7)

    def surname(self) -> str:
        if self.rng.random() < 0.35:
            return self.rng.choices(self.common, cum_weights=self.common_cum)[0]
        return self.rng.choice(self.tail)

    def given(self, sex: str) -> str:
        if sex == "female":
            return self.rng.choices(FEMALE, cum_weights=self.female_cum)[0]
        return self.rng.choices(MALE, cum_weights=self.male_cum)[0]


def _street(rng: random.Random) -> str:
    if rng.random() < 0.4:
        return rng.choice(STREETS)
    return rng.choice(PREFIXES) + rng.choice(SUFFIXES)


def _postcode(rng: random.Random) -> str:
    area = rng.choice(AREAS)
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return (
        f"{area}{rng.randint(1, 29)} {rng.randint(0, 9)}{rng.choice(letters)}{rng.choice(letters)}"
    )


def _day(rng: random.Random, month: int) -> int:
    return rng.randint(1, 28 if month == 2 else 30)


def people(count: int, rng: random.Random) -> Iterator[Person]:
    """`count` fictional people in households of one to six."""
    names = _Names(rng)
    key = 0
    while key < count:
        family = names.surname()
        house, street, street_type = rng.randint(1, 220), _street(rng), rng.randrange(12)
        town, postcode = rng.choice(TOWNS), _postcode(rng)
        adults = rng.choice((1, 2, 2, 2))
        children = rng.choice((0, 0, 1, 1, 2, 2, 3, 4))
        members: list[tuple[str, int, int, int]] = []
        base = rng.randint(1950, 2000)
        for a in range(adults):
            sex = "female" if a == 0 else "male"
            y = base + rng.randint(-4, 4)
            m = rng.randint(1, 12)
            members.append((sex, y, m, _day(rng, m)))
        twin = children >= 2 and rng.random() < 0.03
        for c in range(children):
            sex = rng.choice(("female", "male"))
            if twin and c == 1:
                y, m, d = members[-1][1:]
            else:
                y = min(base + rng.randint(18, 40), 2024)
                m = rng.randint(1, 12)
                d = _day(rng, m)
            members.append((sex, y, m, d))
        used: set[str] = set()
        for sex, y, m, d in members:
            if key >= count:
                return
            first = names.given(sex)
            # Brothers and sisters have different first names; a few sons are named after
            # their father.
            while first in used and rng.random() > 0.02:
                first = names.given(sex)
            used.add(first)
            middle = names.given(sex) if rng.random() < 0.5 else ""
            yield Person(
                key,
                first,
                middle,
                family,
                sex,
                y,
                m,
                d,
                house,
                street,
                street_type,
                town,
                postcode,
            )
            key += 1


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 3:
        return word
    k = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    if kind == 0:
        return word[:k] + word[k + 1 :]
    if kind == 1:
        return word[:k] + letter + word[k:]
    if kind == 2:
        return word[:k] + letter + word[k + 1 :]
    return word[: k - 1] + word[k] + word[k - 1] + word[k + 1 :]


def _nickname(given: str, rng: random.Random) -> str:
    from genogram.names import NICKNAMES, normalise

    short = NICKNAMES.get(normalise(given))
    return rng.choice(short).capitalize() if short else given


def _date_text(year: int, month: int, day: int, rng: random.Random) -> str:
    style = rng.randrange(4)
    if style == 0:
        return f"{day:02d}/{month:02d}/{year}"
    if style == 1:
        return f"{year}-{month:02d}-{day:02d}"
    if style == 2:
        return f"{day} {MONTHS[month - 1]} {year}"
    return f"{day:02d}-{MONTHS[month - 1][:3]}-{year}"


def record(p: Person, copy: int, rng: random.Random) -> dict[str, str]:
    """One record of `p`; every copy after the first carries some typical errors."""
    given, middle, family = p.given, p.middle, p.family
    year, month, day = p.year, p.month, p.day
    house, street, street_type, town, postcode = (
        p.house,
        p.street,
        p.street_type,
        p.town,
        p.postcode,
    )
    partial = missing_date = False
    abbreviate = False
    sex = p.sex
    if copy:
        r = rng.random
        if r() < 0.12:
            given = _nickname(given, rng)
        if r() < 0.04 and middle:
            given, middle = middle, ""
        if r() < 0.12:
            given = _typo(given, rng)
        if r() < 0.12:
            family = _typo(family, rng)
        if r() < 0.04:
            family = rng.choice(SURNAMES)  # married, or a wrong surname
        if "-" in family and r() < 0.5:
            parts = family.split("-")
            family = rng.choice((parts[0], parts[1], " ".join(parts)))
        if r() < 0.05:
            family = family.replace("Mac", "Mc") if "Mac" in family else family.replace("'", "")
        if r() < 0.15:
            middle = ""
        if r() < 0.06:
            day, month = (month, day) if day <= 12 else (day, month)
        if r() < 0.05:
            digits = list(f"{day:02d}")
            digits[rng.randrange(2)] = str(rng.randrange(10))
            day = min(max(int("".join(digits)), 1), 28)
        if r() < 0.03:
            year += rng.choice((-1, 1))
        partial = r() < 0.03
        missing_date = r() < 0.05
        if r() < 0.08:  # moved house
            house, street, street_type = rng.randint(1, 220), _street(rng), rng.randrange(12)
            postcode = _postcode(rng)
        abbreviate = r() < 0.3
        if r() < 0.05:
            sex = ""
    text_given = " ".join(x for x in (given, middle) if x)
    text_family = family
    if copy and rng.random() < 0.02:
        text_given, text_family = text_family, text_given
    if copy and rng.random() < 0.1:
        text_given, text_family = text_given.upper(), text_family.upper()
    if copy and rng.random() < 0.02:
        text_given = ("Mrs " if p.sex == "female" else "Mr ") + text_given
    birth = ""
    if not missing_date:
        birth = str(year) if partial else _date_text(year, month, day, rng)
    kind = STREET_TYPES[street_type][1 if abbreviate else 0]
    address = f"{house} {street} {kind}, {town}"
    if copy and rng.random() < 0.07:
        address = ""
    code = postcode if not (copy and rng.random() < 0.08) else ""
    if copy and code and rng.random() < 0.2:
        code = code.replace(" ", "").lower()
    return {
        "given_names": text_given,
        "family_name": text_family,
        "sex": sex,
        "birth_date": birth,
        "address": address,
        "postcode": code,
    }


def generate(n: int, seed: int = 7) -> tuple[list[dict[str, str]], set[tuple[str, str]]]:
    """`n` records with ids ``R0000001``..., and the true duplicate pairs (sorted ids)."""
    rng = random.Random(seed)
    rows: list[dict[str, str]] = []
    clusters: list[list[str]] = []
    # About 1.6 records per person: 60% one, 25% two, 10% three, 5% four.
    copies_cum = list(itertools.accumulate((0.60, 0.25, 0.10, 0.05)))
    order = list(range(n))
    rng.shuffle(order)
    for p in people(n, rng):
        copies = rng.choices((1, 2, 3, 4), cum_weights=copies_cum)[0]
        ids = []
        for copy in range(copies):
            if len(rows) >= n:
                break
            row = record(p, copy, rng)
            row["id"] = f"R{order[len(rows)]:07d}"
            rows.append(row)
            ids.append(row["id"])
        clusters.append(ids)
        if len(rows) >= n:
            break
    truth = {
        (a, b) if a < b else (b, a) for ids in clusters for a, b in itertools.combinations(ids, 2)
    }
    return rows, truth


def write_csv(rows: list[dict[str, str]], path: Path) -> None:
    """The records as a CSV with the DESIGN field names and an ``id`` column."""
    fields = ["id", "given_names", "family_name", "sex", "birth_date", "address", "postcode"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def read_found(path: Path) -> dict[tuple[str, str], float]:
    """Pairs and scores from a pairs CSV."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            (r["left_id"], r["right_id"])
            if r["left_id"] < r["right_id"]
            else (r["right_id"], r["left_id"]): float(r["score"])
            for r in csv.DictReader(handle)
        }


def prf(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> tuple[float, float, float]:
    """Precision, recall, F1."""
    hits = len(found & truth)
    p = hits / len(found) if found else 1.0
    r = hits / len(truth) if truth else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> None:
    """Generate, run `genogram match` as a child process, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="number of records")
    parser.add_argument("--quick", action="store_true", help="100,000 records")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--blocking", action="store_true", help="also blocking completeness")
    args = parser.parse_args()
    n = 100_000 if args.quick else args.n
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        start = time.perf_counter()
        rows, truth = generate(n, args.seed)
        source = folder / "people.csv"
        write_csv(rows, source)
        print(
            f"generated {len(rows)} records ({len(truth)} true duplicate pairs) in "
            f"{time.perf_counter() - start:.1f} s"
        )
        del rows
        out = folder / "pairs.csv"
        script = Path(sys.executable).with_name("genogram")
        launcher = [str(script)] if script.exists() else [sys.executable, "-m", "cli"]
        command = [*launcher, "--quiet", "match", str(source), "--id", "id", "-o", str(out)]
        start = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024
        print(
            f"genogram match, {n} records: {elapsed:.1f} s wall, peak memory {peak:.2f} GiB "
            f"(targets for 1,000,000: 300 s, 4 GiB)"
        )
        found = read_found(out)
        for threshold in (0.6, 0.85):
            chosen = {pair for pair, score in found.items() if score >= threshold}
            p, r, f1 = prf(chosen, truth)
            print(
                f"  at p >= {threshold}: precision {p:.4f}, recall {r:.4f}, F1 {f1:.4f} "
                f"({len(chosen)} pairs)"
            )
        if args.blocking and n <= 200_000:
            blocking(source, truth)


def blocking(source: Path, truth: set[tuple[str, str]]) -> None:
    """Pairs completeness and reduction ratio of genogram's blocking on the generated file."""
    from extract.tables import read_table
    from genogram.linkage import LinkOptions, link

    result = link(read_table(source, id_column="id"), options=LinkOptions(threshold=0.0))
    kept = {(a, b) if a < b else (b, a) for a, b, _ in result.pairs}
    stats = result.blocking
    print(
        f"  blocking: {stats.candidate_pairs} candidate pairs, pairs completeness "
        f"{len(kept & truth) / len(truth):.4f}, reduction ratio {stats.reduction_ratio:.6f}, "
        f"{stats.skipped_blocks} oversized blocks skipped"
    )
    for name, count in stats.per_pass:
        print(f"    {name:<44} {count:>10} pairs")


if __name__ == "__main__":
    main()
