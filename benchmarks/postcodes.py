"""The postcode directory at full size: import time and lookup latency.

Run on demand (not a test):

    .venv/bin/python benchmarks/postcodes.py [--rows 2700000] [--lookups 5000] [--keep-csv]
                                             [--database-url postgres://.../bench_postcodes]

1. (Re)creates the database (default postgres://postgres@127.0.0.1:5432/bench_postcodes) and
   migrates it.
2. Writes a synthetic ONS Postcode Directory of --rows unique postcodes in ONSPD's own column
   layout (all 53 columns, ~270 bytes a row as in the real file; Bromley's BR and Bexley's DA
   districts carry their real GSS codes) to benchmarks/results/ (kept with --keep-csv and
   reused when it is already there with the same row count).
3. Times `manage.py import_postcodes` as an operator runs it (a process of its own: start-up,
   CSV parsing, COPY, index, VACUUM, swap), then times it again as a refresh, while another
   connection keeps looking postcodes up: the refresh must never block or fail a lookup.
4. Times --lookups lookups of random known postcodes in-process (contacts.postcodes
   .councils_of, the one indexed query the home page runs), and the home page's whole answer
   (contacts.postcodes.place, with the served boroughs), p50/p95/p99; prints the query plan.

PASS when the import takes under 120 s and the lookup p95 is under 5 ms. Exit status 0 on PASS,
1 on FAIL. Results go to benchmarks/results/ (ignored by git).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, Python puts benchmarks/ first on sys.path, where a sibling module (queue.py)
# would shadow the standard library's: put the project root there instead.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
RESULTS = ROOT / "benchmarks" / "results"
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/bench_postcodes"
IMPORT_TARGET_S = 120.0
LOOKUP_P95_TARGET_MS = 5.0

# Postcode areas (the outward code's letters), as in the real directory.
AREAS = (  # noqa: SIM905 (as people read them)
    "AB AL BA BB BD BH BL BN BR BS CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY "
    "EH EN EX FK FY GL GU HA HD HG HP HR HS HU HX IG IP IV KA KT KW KY LA LD LE LL LN LS LU "
    "ME MK ML NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM SA SE SG SK SL SM SN SO SP "
    "SR SS ST SW SY TA TD TF TN TQ TR TS TW UB WA WC WD WF WN WR WS WV YO ZE"
).split()
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # never C, I, K, M, O or V
SERVED = {"BR": "E09000006", "DA": "E09000004"}


def postcodes(count: int):
    """`count` unique postcodes in the directory's form, area by district by sector, with a
    local authority per district (BR and DA: Bromley and Bexley)."""
    units = [a + b for a in INWARD_LETTERS for b in INWARD_LETTERS]  # 400 a sector
    made = 0
    authority = 0
    for area in AREAS:
        for district in range(1, 30):
            authority += 1
            code = SERVED.get(area) or f"E0{6 + authority % 4}{authority % 1000000:06d}"
            for sector in range(10):
                for unit in units[:95]:
                    yield f"{area}{district} {sector}{unit}", code
                    made += 1
                    if made == count:
                        return


def write_csv(path: Path, rows: int) -> float:
    """The synthetic ONSPD, written fast: every row from one template of ONS's columns."""
    from tests.contacts.ons_csv import ONSPD_COLUMNS, ons_row

    started = time.monotonic()
    sample = ons_row("BR1 3UH", "E09000006")
    authority_at = ONSPD_COLUMNS.index("oslaua")
    middle = ",".join(sample[3:authority_at])
    rest = ",".join(sample[authority_at + 1 :])
    with open(path, "w", encoding="utf-8-sig", newline="") as file:
        file.write(",".join(ONSPD_COLUMNS) + "\n")
        batch = []
        for postcode, code in postcodes(rows):
            outward, inward = postcode.split(" ")
            batch.append(
                f"{outward:<4}{inward},{outward:<5}{inward},{postcode},{middle},{code},{rest}\n"
            )
            if len(batch) == 50_000:
                file.write("".join(batch))
                batch = []
        file.write("".join(batch))
    return time.monotonic() - started


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def pick(q):
        return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]

    return {
        "n": len(ordered),
        "p50_ms": statistics.median(ordered) * 1000,
        "p95_ms": pick(0.95) * 1000,
        "p99_ms": pick(0.99) * 1000,
        "max_ms": ordered[-1] * 1000,
    }


def fmt(stats: dict) -> str:
    return "  ".join(
        f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in stats.items()
    )


def recreate_database(url: str, env: dict) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [PYTHON, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True, text=True
    )


def timed_import(csv_path: Path, env: dict) -> tuple[float, str]:
    started = time.monotonic()
    done = subprocess.run(
        [PYTHON, "manage.py", "import_postcodes", str(csv_path)],
        env=env,
        cwd=ROOT,
        check=True,
        text=True,
        capture_output=True,
    )
    return time.monotonic() - started, done.stdout.strip()


class Prober(threading.Thread):
    """Looks postcodes up on a connection of its own, as the home page does, until stopped."""

    def __init__(self, url: str, sample: list[str]):
        super().__init__(daemon=True)
        self.url, self.sample = url, sample
        self.samples: list[float] = []
        self.errors: list[str] = []
        self.stop = threading.Event()

    def run(self):
        import psycopg

        from contacts.postcodes import TABLE

        with psycopg.connect(self.url, autocommit=True) as conn:
            sql = f"SELECT DISTINCT gss_code FROM {TABLE} WHERE postcode = %s"  # noqa: S608
            while not self.stop.is_set():
                postcode = random.choice(self.sample)
                started = time.perf_counter()
                try:
                    found = conn.execute(sql, [postcode]).fetchall()
                    if not found:
                        self.errors.append(f"{postcode} not found")
                except psycopg.Error as exc:
                    self.errors.append(str(exc).splitlines()[0])
                self.samples.append(time.perf_counter() - started)
                time.sleep(0.005)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2_700_000)
    parser.add_argument("--lookups", type=int, default=5000)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--keep-csv", action="store_true", help="keep the CSV for another run")
    args = parser.parse_args()

    RESULTS.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": args.database_url, "DEBUG": "0"}
    env.pop("REDIS_URL", None)
    print(f"database {args.database_url}")
    recreate_database(args.database_url, env)

    csv_path = RESULTS / f"onspd_synthetic_{args.rows}.csv"
    if csv_path.exists():
        print(f"reusing {csv_path.name} ({csv_path.stat().st_size / 1e6:.0f} MB)")
    else:
        seconds = write_csv(csv_path, args.rows)
        size = csv_path.stat().st_size / 1e6
        print(f"wrote {csv_path.name}: {args.rows:,} rows, {size:.0f} MB, in {seconds:.1f} s")

    import_s, output = timed_import(csv_path, env)
    print(f"import:  {import_s:.1f} s wall (the command's own process)  | {output}")

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db import connection

    from contacts import postcodes as directory
    from contacts.models import Borough

    rng = random.Random(2026)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT postcode FROM {directory.TABLE} TABLESAMPLE SYSTEM (1)")  # noqa: S608
        known = [row[0] for row in cursor.fetchall()]
    sample = rng.sample(known, min(args.lookups, len(known)))

    prober = Prober(args.database_url, sample)
    prober.start()
    time.sleep(0.5)
    refresh_s, output = timed_import(csv_path, env)
    prober.stop.set()
    prober.join()
    during = percentiles(prober.samples) if prober.samples else {}
    print(f"refresh: {refresh_s:.1f} s wall, with lookups running on another connection")
    print(f"  lookups during the refresh: {fmt(during)}  errors={len(prober.errors)}")

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {directory.TABLE}")  # noqa: S608
        rows = cursor.fetchone()[0]
        cursor.execute(
            f"EXPLAIN (ANALYZE, BUFFERS) SELECT DISTINCT gss_code FROM {directory.TABLE} "  # noqa: S608
            "WHERE postcode = %s",
            [sample[0]],
        )
        plan = "\n".join("    " + row[0] for row in cursor.fetchall())
    print(f"directory: {rows:,} rows\n  plan:\n{plan}")

    for postcode in sample[:200]:  # warm the connection and the cache as a live server is
        directory.councils_of(postcode)
    timings = []
    for postcode in sample:
        started = time.perf_counter()
        directory.councils_of(postcode)
        timings.append(time.perf_counter() - started)
    lookup = percentiles(timings)
    print(f"lookup (one indexed query):       {fmt(lookup)}")

    boroughs = list(Borough.objects.filter(is_active=True))
    served = [p for p in known if p[:2] in SERVED][:1000]
    mixed = sample[: len(sample) // 2] + served
    rng.shuffle(mixed)
    timings = []
    routed = 0
    for postcode in mixed:
        started = time.perf_counter()
        place = directory.place(postcode=postcode, boroughs=boroughs)
        timings.append(time.perf_counter() - started)
        routed += place.borough is not None
    answer = percentiles(timings)
    print(f"home page's answer (place()):     {fmt(answer)}  (routed to a borough: {routed})")

    checks = {
        f"import under {IMPORT_TARGET_S:.0f} s": import_s < IMPORT_TARGET_S,
        f"refresh under {IMPORT_TARGET_S:.0f} s": refresh_s < IMPORT_TARGET_S,
        f"lookup p95 under {LOOKUP_P95_TARGET_MS:.0f} ms": lookup["p95_ms"] < LOOKUP_P95_TARGET_MS,
        "no lookup failed during the refresh": not prober.errors,
        f"{args.rows:,} rows loaded": rows == args.rows,
        "served postcodes route to their borough": bool(served) and routed >= len(served),
    }
    for name, ok in checks.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {name}")
    passed = all(checks.values())
    print("PASS" if passed else "FAIL")

    (RESULTS / "postcodes.json").write_text(
        json.dumps(
            {
                "rows": rows,
                "import_s": import_s,
                "refresh_s": refresh_s,
                "lookup": lookup,
                "answer": answer,
                "during_refresh": during,
                "errors_during_refresh": prober.errors[:20],
                "checks": checks,
            },
            indent=2,
        )
    )
    if not args.keep_csv:
        csv_path.unlink()
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
