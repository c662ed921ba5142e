"""`make bench`: case-note extraction throughput, and its quality on the gold corpus.

Throughput: at least 10 MB of generated notes (the corpus notes' sentences with the people
renamed at random, cut into notes of a few hundred words) go through `extract_note` on one
core; spaCy's bare tokenizer runs on the same texts in the same run for comparison. Times are
the process's CPU time, so that other work on a shared machine does not distort them. Quality:
precision, recall and F1 on tests/notes_corpus (as `make eval` prints). Figures only: nothing
here passes or fails.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "notes_corpus"))

from corpus_eval import CORPUS, evaluate, load_corpus, print_report  # noqa: E402
from spacy.tokenizer import Tokenizer  # noqa: E402

from extract.nlp import build_pipeline, extract_note  # noqa: E402
from genogram.assertions import Note  # noqa: E402

GIVEN = [
    "Amelia",
    "Riley",
    "Kerry",
    "Dean",
    "Linda",
    "Mick",
    "Tom",
    "Craig",
    "Sue",
    "Zofia",
    "Kasia",
    "Gareth",
    "Jakub",
    "Peggy",
    "Shannon",
    "Ruby",
    "Janet",
    "Lee",
    "Tyler",
    "Gemma",
    "Liam",
    "Sandra",
    "Pete",
    "Ryan",
    "Jade",
    "Mia",
    "Chloe",
    "Kyle",
    "Denise",
    "Leanne",
    "Grace",
    "Samuel",
    "Tunde",
    "Abena",
    "Kwame",
    "Sian",
    "Dafydd",
    "Nia",
    "Osian",
    "Marek",
    "Halina",
    "Rebecca",
    "Alan",
    "Jean",
    "Tomasz",
    "Jason",
    "Kayleigh",
    "Connor",
    "Diane",
    "Stacey",
    "Kirsty",
    "Skye",
    "Wayne",
    "Karen",
    "Paul",
    "Ollie",
    "Freya",
    "Amy",
    "Keith",
    "Margaret",
    "Leo",
    "Max",
    "Chantelle",
    "Darren",
    "Lisa",
    "Natalie",
    "Mark",
    "Chelsea",
    "Poppy",
    "Scott",
    "Ava",
    "Ron",
    "Michelle",
    "Joanne",
    "Brenda",
    "Elsie",
    "Mason",
    "Daniel",
    "Lewis",
    "Tina",
    "Jake",
    "Holly",
    "Joan",
    "Maureen",
    "Trevor",
    "Jessica",
    "Kelly",
    "Bernadette",
    "Aaron",
    "Shauna",
    "Roisin",
    "Sophie",
    "Gavin",
    "Jack",
    "Pat",
    "Emma",
    "Imran",
    "Yasmin",
    "Tariq",
    "Nasreen",
    "Sana",
]
FAMILY = [
    "Hart",
    "Walsh",
    "Nowak",
    "Evans",
    "Brooks",
    "Carter",
    "Jones",
    "Rowe",
    "Okafor",
    "Mensah",
    "Adeyemi",
    "Pritchard",
    "Kowalski",
    "Shaw",
    "Fletcher",
    "Tate",
    "Webb",
    "Marsh",
    "Hurst",
    "Doyle",
    "Ashworth",
    "Grant",
    "Lowe",
    "Bennett",
    "Sutton",
    "Hale",
    "Reilly",
    "Cross",
    "Ward",
    "Dunn",
    "Platt",
    "Lamb",
    "Nolan",
    "Hammond",
    "Carr",
    "Hussain",
    "Ali",
    "Obi",
    "Robinson",
    "Hughes",
    "Pike",
]
_CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b")


def generated_notes(megabytes: float, seed: int = 7) -> list[Note]:
    """Notes built from the corpus sentences with every known name replaced at random."""
    rng = random.Random(seed)
    known = set(GIVEN) | set(FAMILY)
    for item in load_corpus(CORPUS):
        known |= {w for w in _CAPITALISED.findall(item.note.text) if w[0].isupper()}
    sentences = []
    for item in load_corpus(CORPUS):
        sentences += [s.strip() for s in re.split(r"(?<=[.!?])\s+", item.note.text) if s.strip()]
    names = {w for w in known if w in GIVEN or w in FAMILY}

    def rename(sentence: str) -> str:
        return _CAPITALISED.sub(
            lambda m: (
                rng.choice(FAMILY if m.group(0) in FAMILY else GIVEN)
                if m.group(0) in names
                else m.group(0)
            ),
            sentence,
        )

    target = int(megabytes * 1_000_000)
    notes: list[Note] = []
    size = 0
    while size < target:
        text = " ".join(rename(rng.choice(sentences)) for _ in range(rng.randint(8, 30)))
        notes.append(Note(id=f"G-{len(notes)}", subject="CSC:1", text=text, date="2024-01-01"))
        size += len(text.encode("utf-8"))
    return notes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0, help="megabytes of notes (10)")
    args = parser.parse_args()
    notes = generated_notes(args.mb)
    nlp = build_pipeline()
    texts = [n.text for n in notes]
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1_000_000
    words = sum(len(t.split()) for t in texts)  # words as a reader counts them
    start = time.process_time()
    tokenizer = nlp.tokenizer
    assert isinstance(tokenizer, Tokenizer)
    tokens = sum(len(doc) for doc in tokenizer.pipe(texts))
    bare = time.process_time() - start
    start = time.process_time()
    found = sum(len(extract_note(note, nlp)) for note in notes)
    full = time.process_time() - start
    print(
        f"generated notes: {len(notes)} notes, {megabytes:.1f} MB, {words:,} words "
        f"({tokens:,} tokens)"
    )
    print(f"spaCy bare tokenizer:   {words / bare:12,.0f} words/s  ({bare:6.1f} s)")
    print(f"extraction (one core):  {words / full:12,.0f} words/s  ({full:6.1f} s)")
    print(f"mentions found: {found:,}  (target: >= 100,000 words/s)")
    print()
    print("quality on tests/notes_corpus (relatives: make eval):")
    print_report(evaluate())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
