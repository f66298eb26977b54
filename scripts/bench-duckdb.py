#!/usr/bin/env python3
"""DuckDB's side of scripts/bench-analyses: the same numbers, computed by DuckDB in memory.

For one bench schema (bench_<customers>) of the PostgreSQL database at --url:
  1. export   the tables the queries in scripts/duckdb/ read, with `psql \\copy (...) TO` as
              CSV into --out/duckdb-<customers>/ (timed, reported, not counted);
  2. load     them into an in-memory DuckDB (timed and reported separately, not counted),
              then scripts/duckdb/macros.sql (data_horizon(), valid_purchases);
  3. run      each scripts/duckdb/<analysis>.sql --repeat times (default 3) in this process and
              keep the best wall-clock time of execute + fetch of the whole result;
  4. check    that its result equals Patron's CSV output of the same analysis,
              --out/<analysis>-<customers>.csv (written by scripts/bench-analyses): the same
              columns, the same rows in the same order; text, dates and booleans equal as
              text, integers (counts) exactly, other numbers to 1e-9 relative (|a − b| ≤
              1e-9 · max(|a|, |b|), or both within 1e-12 of 0); empty = NULL on both sides.
              The first differences are printed; any difference is a MISMATCH.

Writes --out/duckdb-<customers>.tsv (analysis, duckdb_seconds, rows, check), keeping the rows of
analyses not run this time (--only), with two rows more: export_csv and load_duckdb (seconds
of those steps); "-" fills a field with no value, so that every row has four. Each DuckDB result also goes to --out/<analysis>-<customers>.duckdb.csv.
Exit status 1 when any check is a MISMATCH or a query failed, 0 otherwise (a missing Patron
CSV is reported as `unchecked`, not a failure).

The queries mirror Patron's default options, in particular --tz UTC: every instant is exported
as a UTC timestamp without time zone. Amounts are loaded as DECIMAL(18,2) (the bench data
holds cents; a finer amount would show as a MISMATCH, not pass silently). DuckDB runs with its
default thread count (the machine's cores) unless --threads says otherwise.

Needs the duckdb package (scripts/install-deps duckdb makes bench-out/duckdb-venv with it);
DuckDB is a benchmark-only tool, never a dependency of Patron.
"""
import argparse
import csv
import math
import os
import re
import subprocess
import sys
import time
from decimal import Decimal, InvalidOperation

HERE = os.path.dirname(os.path.abspath(__file__))
QUERY_DIR = os.path.join(HERE, "duckdb")

# table: (the export's SELECT list, DuckDB column types). Instants as UTC timestamps; only
# the columns the queries read. tickets and mentions only feed data_horizon().
TABLES = {
    "purchases": (
        "source, order_id, customer_key, ordered_at AT TIME ZONE 'UTC' AS ordered_at, amount, currency, channel, status",
        {"source": "VARCHAR", "order_id": "VARCHAR", "customer_key": "BIGINT", "ordered_at": "TIMESTAMP",
         "amount": "DECIMAL(18,2)", "currency": "VARCHAR", "channel": "VARCHAR", "status": "VARCHAR"},
    ),
    "returns": (
        "source, order_id, returned_at AT TIME ZONE 'UTC' AS returned_at, amount, currency",
        {"source": "VARCHAR", "order_id": "VARCHAR", "returned_at": "TIMESTAMP", "amount": "DECIMAL(18,2)",
         "currency": "VARCHAR"},
    ),
    "surveys": (
        "source, response_id, customer_key, kind, score, responded_at AT TIME ZONE 'UTC' AS responded_at",
        {"source": "VARCHAR", "response_id": "VARCHAR", "customer_key": "BIGINT", "kind": "VARCHAR",
         "score": "INTEGER", "responded_at": "TIMESTAMP"},
    ),
    "tickets": (
        "created_at AT TIME ZONE 'UTC' AS created_at, first_response_at AT TIME ZONE 'UTC' AS first_response_at, "
        "resolved_at AT TIME ZONE 'UTC' AS resolved_at",
        {"created_at": "TIMESTAMP", "first_response_at": "TIMESTAMP", "resolved_at": "TIMESTAMP"},
    ),
    "mentions": (
        "posted_at AT TIME ZONE 'UTC' AS posted_at, responded_at AT TIME ZONE 'UTC' AS responded_at",
        {"posted_at": "TIMESTAMP", "responded_at": "TIMESTAMP"},
    ),
}

REL_TOL = 1e-9
ABS_TOL = 1e-12


def queries():
    """The mirrored analyses: name → Patron arguments, from the `-- patron:` first line of each
    scripts/duckdb/<name>.sql (macros.sql and check-edge-rows.sql have none)."""
    found = {}
    for file in os.listdir(QUERY_DIR):
        if file.endswith(".sql"):
            with open(os.path.join(QUERY_DIR, file)) as f:
                first = f.readline()
            if first.startswith("-- patron: "):
                found[file[:-4]] = first[len("-- patron: "):].strip()
    return found


def log(message):
    print(f"bench-duckdb: {message}", file=sys.stderr, flush=True)


def export(url, schema, directory):
    os.makedirs(directory, exist_ok=True)
    for table, (columns, _) in TABLES.items():
        path = os.path.join(directory, f"{table}.csv")
        # \copy takes its statement on one line; the path is quoted for psql.
        command = (f"\\copy (SELECT {columns} FROM {schema}.{table}) TO '{path}' "
                   "WITH (FORMAT csv, HEADER)")
        subprocess.run(["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", command], check=True)


def load(con, directory):
    for table, (_, types) in TABLES.items():
        path = os.path.join(directory, f"{table}.csv")
        con.execute(f"CREATE TABLE {table} AS SELECT * FROM read_csv(?, header = true, auto_detect = false, "
                    f"columns = {duckdb_struct(types)})", [path])
    with open(os.path.join(QUERY_DIR, "macros.sql")) as f:
        con.execute(f.read())
    # Patron stops on a second currency (exit 4); these queries add amounts as they are.
    currencies = con.execute("SELECT count(DISTINCT currency) FROM (SELECT currency FROM valid_purchases "
                             "UNION ALL SELECT currency FROM returns)").fetchone()[0]
    if currencies > 1:
        raise SystemExit("bench-duckdb: the data holds several currencies; the DuckDB queries assume one")


def duckdb_struct(types):
    return "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in types.items()) + "}"


def as_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def number(text):
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def same(patron, duck):
    """Whether two fields agree, by the rule in the header."""
    if patron == duck:
        return True
    a, b = number(patron), number(duck)
    if a is None or b is None or not a.is_finite() or not b.is_finite():
        return False
    if a == b:
        return True
    integral = all(re.fullmatch(r"-?\d+", t) for t in (patron, duck))
    if integral:
        return False
    x, y = float(a), float(b)
    return abs(x - y) <= max(REL_TOL * max(abs(x), abs(y)), ABS_TOL)


def compare(patron_csv, columns, rows):
    """Differences between Patron's CSV and DuckDB's rows, as readable lines (empty: equal)."""
    with open(patron_csv, newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        patron_rows = list(reader)
    problems = []
    if header != columns:
        problems.append(f"columns differ: patron {header}, duckdb {columns}")
        return problems
    if len(patron_rows) != len(rows):
        problems.append(f"row counts differ: patron {len(patron_rows)}, duckdb {len(rows)}")
    for i, (p, d) in enumerate(zip(patron_rows, rows)):
        for column, a, b in zip(columns, p, d):
            if not same(a, b):
                problems.append(f"row {i + 1} {column}: patron {a!r}, duckdb {b!r}")
    return problems


def read_tsv(path):
    rows = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f.read().splitlines()[1:]:
                fields = line.split("\t")
                rows[fields[0]] = fields[1:]
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="PostgreSQL connection URL")
    parser.add_argument("--customers", type=int, help="the scale: schema bench_<customers>")
    parser.add_argument("--schema", help="another schema to read (default: bench_<customers>); file names still "
                                         "carry <customers>, e.g. to check the queries on other data")
    parser.add_argument("--out", default="bench-out", help="Patron's CSV outputs and this script's results")
    parser.add_argument("--repeat", type=int, default=3, help="runs per query; the best counts")
    parser.add_argument("--only", default="", help="space-separated analyses to run (default: every query)")
    parser.add_argument("--list", action="store_true", help="print each query's name and Patron arguments, and stop")
    parser.add_argument("--threads", type=int, help="DuckDB threads (default: DuckDB's, the machine's cores)")
    args = parser.parse_args()

    if args.list:
        for name, arguments in sorted(queries().items()):
            print(f"{name}|{arguments}")
        return 0
    if not args.url or args.customers is None:
        parser.error("--url and --customers are required")
    import duckdb  # late: --help and --list work without it

    n = args.customers
    schema = args.schema or f"bench_{n}"
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", schema):
        raise SystemExit(f"bench-duckdb: unexpected schema name {schema!r}")
    names = sorted(queries())
    if args.only.split():
        names = [name for name in names if name in args.only.split()]
    if not names:
        log("no query to run")
        return 0

    start = time.perf_counter()
    export(args.url, schema, os.path.join(args.out, f"duckdb-{n}"))
    export_seconds = time.perf_counter() - start
    log(f"{schema}: exported to CSV in {export_seconds:.2f} s (not counted)")

    con = duckdb.connect(":memory:")
    if args.threads:
        con.execute(f"SET threads = {int(args.threads)}")
    start = time.perf_counter()
    load(con, os.path.join(args.out, f"duckdb-{n}"))
    load_seconds = time.perf_counter() - start
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
    log(f"{schema}: loaded into DuckDB {duckdb.__version__} in {load_seconds:.2f} s (not counted), {threads} threads")

    tsv = os.path.join(args.out, f"duckdb-{n}.tsv")
    results = read_tsv(tsv)
    failed = False
    for name in names:
        with open(os.path.join(QUERY_DIR, f"{name}.sql")) as f:
            sql = f.read()
        best = math.inf
        try:
            for _ in range(args.repeat):
                start = time.perf_counter()
                cursor = con.execute(sql)
                fetched = cursor.fetchall()
                best = min(best, time.perf_counter() - start)
        except duckdb.Error as error:
            log(f"{name}: FAILED: {error}")
            results[name] = ["n/a", "-", "FAILED"]
            failed = True
            continue
        columns = [d[0] for d in cursor.description]
        rows = [[as_text(v) for v in row] for row in fetched]
        with open(os.path.join(args.out, f"{name}-{n}.duckdb.csv"), "w", newline="") as f:
            writer = csv.writer(f, lineterminator="\n")
            writer.writerow(columns)
            writer.writerows(rows)
        patron_csv = os.path.join(args.out, f"{name}-{n}.csv")
        if not os.path.exists(patron_csv) or os.path.getsize(patron_csv) == 0:
            check = "unchecked"
            log(f"{name}: {best:.3f} s, {len(rows)} rows; no Patron output {patron_csv} to check against")
        else:
            problems = compare(patron_csv, columns, rows)
            check = "MISMATCH" if problems else "ok"
            if problems:
                failed = True
                log(f"{name}: MISMATCH against {patron_csv} ({len(problems)} differences):")
                for line in problems[:10]:
                    log(f"  {line}")
            else:
                log(f"{name}: {best:.3f} s, {len(rows)} rows, equal to Patron's")
        results[name] = [f"{best:.3f}", str(len(rows)), check]

    results["export_csv"] = [f"{export_seconds:.2f}", "-", "-"]
    results["load_duckdb"] = [f"{load_seconds:.2f}", "-", "-"]
    with open(tsv + ".new", "w") as f:
        f.write("analysis\tduckdb_seconds\trows\tcheck\n")
        for name, fields in results.items():
            f.write("\t".join([name] + fields) + "\n")
    os.replace(tsv + ".new", tsv)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
