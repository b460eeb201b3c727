#!/usr/bin/env python3
"""The national benchmark (docs/BENCHMARKS.md), in one run.

    swift build -c release && swift build -c release --package-path Benchmarks
    python3 Benchmarks/national.py --record        # full national data set; writes docs/BENCHMARKS.md

On one generated data set it measures: import from JSON Lines (durable), a
full rebuild of the nightly pipeline, zlib's raw inflate of the same log, an
incremental run after one more day's events, `explain` for one unit and year,
peak memory, log bytes against gzip -9, and the same ranking computed by
DuckDB and by PostgreSQL from the same JSON Lines (Benchmarks/peers/*.sql),
checked equal to parledger's ranking snapshots before any time is compared.

Needs: python3, the duckdb package (`pip install duckdb`), PostgreSQL's
server binaries (initdb, pg_ctl, postgres, psql; Debian: `apt-get install
postgresql`), gzip. `--small` runs a tiny data set for correctness only (the
test suite does this, timings mean nothing there).

Exit status: 0 when every check passed; 1 when a check failed (rankings
differ, incremental != full, a command failed); 2 when a tool is missing.
"""
import argparse
import datetime
import filecmp
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from decimal import Decimal

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS = os.path.join(ROOT, "Benchmarks", "peers")
RECORD = os.path.join(ROOT, "docs", "BENCHMARKS.md")
BEGIN, END = "<!-- national.py: begin -->", "<!-- national.py: end -->"


class Failure(Exception):
    """A check failed or a command did not succeed: exit 1."""


class Missing(Exception):
    """A tool the benchmark needs is not on this machine: exit 2."""


def say(text):
    print(text, file=sys.stderr, flush=True)


def timed(cmd, stdout=subprocess.PIPE, stdin=None, user=None, env=None, cwd=None):
    """Runs a command; returns (seconds, peak RSS in MiB, stdout text). A
    non-zero exit raises Failure with the command's stderr."""
    if user is not None and os.geteuid() == 0:
        cmd = ["runuser", "-u", user, "--"] + cmd
    # The peak memory of the command itself: a child's ru_maxrss also counts
    # what it inherited from this script at fork (DuckDB's tables, for one),
    # so GNU time, started fresh, measures the command it starts.
    peak_file = None
    if os.access(GNU_TIME, os.X_OK):
        fd, peak_file = tempfile.mkstemp(prefix="national-peak-")
        os.close(fd)
        cmd = [GNU_TIME, "-f", "%M", "-o", peak_file, "--"] + cmd
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, stdin=stdin, env=env, cwd=cwd)
    out, err = b"", b""
    if stdout == subprocess.PIPE:
        out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss / 1024
    if peak_file:
        with open(peak_file) as f:
            text = f.read().strip().splitlines()
        os.unlink(peak_file)
        if text and text[-1].isdigit():
            peak = int(text[-1]) / 1024
    if proc.returncode != 0:
        raise Failure(f"{' '.join(cmd)} exited {proc.returncode}:\n{err.decode(errors='replace').strip()}")
    return seconds, peak, out.decode()


GNU_TIME = "/usr/bin/time"


def gzip9(path):
    """The size of gzip -9 of a file, compressed in pieces (this script stays small)."""
    z, size = zlib.compressobj(9, zlib.DEFLATED, 31), 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 24):
            size += len(z.compress(chunk))
    return size + len(z.flush())


def settled():
    """Flushes what earlier steps left dirty in the page cache (a 206 MB
    checkpoint saved without fsync, for one), so that a measured step does
    not pay for the writeback of the one before it: a nightly run comes a
    day after the last."""
    os.sync()


def require(tool):
    path = shutil.which(tool)
    if path is None:
        raise Missing(f"{tool} is not on PATH; see the header of Benchmarks/national.py for what to install")
    return path


# ---------------------------------------------------------------- rankings

def parledger_rankings(snapshot):
    """(index, year, block, unit) -> (rank, points, max, percent, band) from the ranking JSON files."""
    rows = {}
    folder = os.path.join(snapshot, "ranking")
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            doc = json.load(f, parse_float=Decimal, parse_int=Decimal)
        for r in doc["rows"]:
            rows[(doc["index"], int(doc["year"]), doc["block"], r["unit"])] = (
                None if r["rank"] is None else int(r["rank"]), Decimal(r["points"]), Decimal(r["max"]),
                None if r["percent"] is None else Decimal(r["percent"]).quantize(Decimal("0.01")), r["band"])
    return rows


def peer_rows(records):
    """The same shape from the peers' result rows."""
    rows = {}
    for idx, year, block, unit, rnk, points_th, max_th, pct, band in records:
        rows[(idx, int(year), block, unit)] = (
            None if rnk is None else int(rnk), Decimal(int(points_th)) / 1000, Decimal(int(max_th)) / 1000,
            None if pct is None else Decimal(int(pct)) / 100, band)
    return rows


def compare(name, mine, theirs):
    if mine == theirs:
        return
    missing = sorted(set(mine) - set(theirs))[:3]
    extra = sorted(set(theirs) - set(mine))[:3]
    differ = [k for k in sorted(set(mine) & set(theirs)) if mine[k] != theirs[k]][:3]
    lines = [f"{name}'s ranking differs from parledger's ({len(mine)} rows against {len(theirs)}):"]
    lines += [f"  only in parledger: {k} {mine[k]}" for k in missing]
    lines += [f"  only in {name}: {k} {theirs[k]}" for k in extra]
    lines += [f"  {k}: parledger {mine[k]}, {name} {theirs[k]}" for k in differ]
    raise Failure("\n".join(lines))


def sql(name, events):
    with open(os.path.join(PEERS, name), encoding="utf-8") as f:
        return f.read().replace("{events}", events)


def run_duckdb(events, threads):
    try:
        import duckdb
    except ImportError:
        raise Missing("the duckdb Python package is missing: pip install duckdb")
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {threads}")
    start = time.monotonic()
    con.execute(sql("duckdb-load.sql", events))
    load = time.monotonic() - start
    start = time.monotonic()
    con.execute(sql("ranking-duckdb.sql", events))
    query = time.monotonic() - start
    rows = con.execute("SELECT * FROM result").fetchall()
    return load, query, peer_rows(rows), duckdb.__version__


def run_postgres(work, events, threads):
    for tool in ("initdb", "pg_ctl", "psql"):
        require(tool)
    user = "postgres" if os.geteuid() == 0 else None
    if user:
        import pwd
        try:
            pwd.getpwnam(user)
        except KeyError:
            raise Missing("running as root, the PostgreSQL server needs a postgres account (Debian's postgresql package makes it)")
    home = os.path.join(work, "postgres")
    data, sock = os.path.join(home, "data"), os.path.join(home, "sock")
    os.makedirs(sock, exist_ok=True)
    if user:   # the server refuses to run as root: its folders belong to the postgres account
        for path in (home, sock):
            shutil.chown(path, user)
        os.chmod(work, 0o755)
        os.chmod(events, 0o644)
    timed(["initdb", "-D", data, "-A", "trust", "-U", "bench", "--no-sync"], user=user)
    opts = (f"-k {sock} -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            f"-c shared_buffers=2GB -c work_mem=512MB -c maintenance_work_mem=1GB -c max_wal_size=8GB "
            f"-c max_parallel_workers_per_gather={threads} -c jit=off")
    timed(["pg_ctl", "-D", data, "-w", "-s", "-o", opts, "-l", os.path.join(home, "server.log"), "start"], user=user)
    try:
        version = re.search(r"\d+(\.\d+)*", timed(["postgres", "--version"])[2]).group(0)
        psql = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", sock, "-U", "bench", "-d", "postgres"]

        def script(text):
            path = os.path.join(home, "script.sql")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            os.chmod(path, 0o644)
            return timed(psql + ["-f", path])

        load = script(sql("postgres-load.sql", events))[0]
        query = script(sql("ranking-postgres.sql", events))[0]
        _, _, text = timed(psql + ["-A", "-t", "-F", "\t", "-c", "SELECT * FROM result"])
        rows = []
        for line in text.splitlines():
            cells = [None if c == "" else c for c in line.split("\t")]
            rows.append(cells)
        return load, query, peer_rows(rows), version
    finally:
        subprocess.run((["runuser", "-u", user, "--"] if user else []) + ["pg_ctl", "-D", data, "-s", "-m", "fast", "stop"], check=False)


# ---------------------------------------------------------------- the run

def main():
    global PEERS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release"), help="folder with parledger (default .build/release)")
    ap.add_argument("--bench", default=os.path.join(ROOT, "Benchmarks", ".build", "release", "parledger-bench"),
                    help="the parledger-bench executable of the Benchmarks package, for zlib's raw inflate "
                         "(default Benchmarks/.build/release/parledger-bench: swift build -c release --package-path Benchmarks)")
    ap.add_argument("--work", help="scratch folder (default: a new one under /tmp, removed afterwards)")
    ap.add_argument("--shapes", default="national,heavy",
                    help="comma-separated national shapes, measured one after the other in one run: " + "; ".join(
                        f"{name}: {describe_shape(shape)}" for name, shape in SHAPES.items()))
    ap.add_argument("--provinces", type=int, help="instead of --shapes: one data set of this shape (with --units, --items, --years, --revisions)")
    ap.add_argument("--units", type=int)
    ap.add_argument("--items", type=int)
    ap.add_argument("--years", help="first-last")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--revisions", type=int, help="corrections and appeals: about 2×N and N per 1,000 unit-items (50: a heavy share)")
    ap.add_argument("--threads", type=int, default=2, help="threads for DuckDB and PostgreSQL's parallel workers")
    ap.add_argument("--small", action="store_true", help="2 provinces × 12 units × 20 items × 2 years: correctness only")
    ap.add_argument("--demo", action="store_true", help="the demo province (events/demo/*.jsonl) instead of a generated set: correctness only; "
                    "it has every rule (corrections by id and #seq, round 2, upheld, partial and rejected appeals, not applicable)")
    ap.add_argument("--examples", action="store_true", help="the bundled published rankings (events/examples/*.jsonl): the peers "
                    "must follow each framework's ranking rule (Thanh Hóa ranks on the exact ratio); correctness only, no timings")
    ap.add_argument("--peers", default=PEERS, help="folder of the peers' SQL (default Benchmarks/peers)")
    ap.add_argument("--record", action="store_true", help=f"write the table into {os.path.relpath(RECORD, ROOT)}")
    args = ap.parse_args()
    PEERS = args.peers
    if args.small:
        shapes = [("small", dict(SHAPES["national"], provinces=2, units=12, items=20, years="2022-2023"))]
    elif any(v is not None for v in (args.provinces, args.units, args.items, args.years, args.revisions)):
        custom = dict(SHAPES["national"])
        for k in ("provinces", "units", "items", "years", "revisions"):
            if getattr(args, k) is not None:
                custom[k] = getattr(args, k)
        shapes = [("custom", custom)]
    else:
        shapes = []
        for name in args.shapes.split(","):
            if name not in SHAPES:
                raise Failure(f"--shapes: unknown shape {name!r} (known: {', '.join(SHAPES)})")
            shapes.append((name, SHAPES[name]))
    parledger = os.path.join(args.bin, "parledger")
    if not os.access(parledger, os.X_OK):
        raise Missing(f"{parledger} is missing: build first (swift build -c release)")
    bench = args.bench
    if not os.access(bench, os.X_OK):
        build = "swift build -c release --package-path Benchmarks"
        if not (args.small or args.demo or args.examples):
            raise Missing(f"{bench} is missing: build the benchmarks first ({build})")
        # The correctness runs of the test suite need no timing baseline, and
        # the test suite does not build the Benchmarks package.
        say(f"raw inflate: not measured ({bench} is not built: {build})")
        bench = None
    require("gzip")
    work = args.work or tempfile.mkdtemp(prefix="parledger-national-")
    os.makedirs(work, exist_ok=True)
    os.chmod(work, 0o755)   # each shape's folder is inside: the PostgreSQL server's account must reach it
    try:
        if args.examples:
            return check_examples(args, parledger, work)
        if args.demo:
            shapes = shapes[:1]
        tables = []
        for name, shape in shapes:
            folder = os.path.join(work, name)
            os.makedirs(folder, exist_ok=True)
            tables.append(measure(args, name, shape, parledger, bench, folder))
            if not args.work:   # the next shape needs the disk more than this one's files
                shutil.rmtree(folder, ignore_errors=True)
        text = heading(args) + "\n\n" + "\n\n".join(tables)
        print(text)
        if args.record:
            record(text)
            say(f"written to {os.path.relpath(RECORD, ROOT)}")
        return 0
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


def check_examples(args, parledger, work):
    """The peers' rankings of the bundled examples equal parledger's: one log of all of them, one full run."""
    folder = os.path.join(ROOT, "events", "examples")
    data, log = os.path.join(work, "examples.jsonl"), os.path.join(work, "log")
    with open(data, "wb") as out:
        for name in sorted(n for n in os.listdir(folder) if n.endswith(".jsonl")):
            with open(os.path.join(folder, name), "rb") as f:
                out.write(f.read())
    timed([parledger, "init", "--log", log])
    timed([parledger, "import", "--log", log, data])
    snapshot = os.path.join(work, "full")
    timed([parledger, "run", "--log", log, os.path.join(ROOT, "pipelines", "examples.yaml"), "--out", snapshot, "--full"])
    export = os.path.join(work, "export.jsonl")
    with open(export, "wb") as f:
        timed([parledger, "export", "--log", log], stdout=f)
    mine = parledger_rankings(snapshot)
    compare("DuckDB", mine, run_duckdb(export, args.threads)[2])
    compare("PostgreSQL", mine, run_postgres(work, export, args.threads)[2])
    say(f"rankings equal: parledger, DuckDB and PostgreSQL agree on {len(mine):,} rows of {len({k[:3] for k in mine})} partitions")
    return 0


SHAPES = {
    # The project's default national set, in the realistic order (events interleaved across units in time order).
    "national": dict(provinces=63, units=130, items=80, years="2019-2023", revisions=1),
    # Longer frameworks, ten years and a heavy share of corrections and appeals (50× the usual).
    "heavy": dict(provinces=21, units=130, items=120, years="2014-2023", revisions=50),
}


def describe_shape(shape):
    first, last = shape["years"].split("-")
    text = f"{shape['provinces']} provinces × {shape['units']} units × {shape['items']} items × {first}–{last}"
    return text + (f", revisions × {shape['revisions']}" if shape["revisions"] != 1 else "")


def measure(args, shape_name, shape, parledger, bench, work):
    first, last = (int(y) for y in shape["years"].split("-"))
    nightly = os.path.join(ROOT, "pipelines", "nightly.yaml")
    data = os.path.join(work, "national.jsonl")
    log = os.path.join(work, "log")
    figures = {}

    if args.demo:
        folder = os.path.join(ROOT, "events", "demo")
        with open(data, "wb") as out:
            for name in sorted(n for n in os.listdir(folder) if n.endswith(".jsonl")):
                with open(os.path.join(folder, name), "rb") as f:
                    out.write(f.read())
        first, last = 2022, 2023
    else:
        say(f"{shape_name}: generating {describe_shape(shape)} …")
        timed([parledger, "generate", "national", "--provinces", str(shape["provinces"]), "--units", str(shape["units"]),
               "--items", str(shape["items"]), "--from", str(first), "--to", str(last), "--seed", str(args.seed),
               "--revisions", str(shape["revisions"]), "--out", data])

    # One more day: the events of the last business day go in after the first
    # nightly run. Split in one streaming pass, so that this script stays
    # small: a child's peak RSS (wait4) counts what it inherited at fork.
    history, day = os.path.join(work, "history.jsonl"), os.path.join(work, "day.jsonl")
    events, run_start, run_count, previous_day, offset = 0, 0, 0, None, 0
    with open(data, "rb") as f:
        for line in f:
            if line.strip():
                at = line.find(b'"at":"')
                this_day = line[at + 6:at + 16] if at >= 0 else None
                if this_day != previous_day:
                    run_start, run_count, previous_day = offset, 0, this_day
                run_count += 1
                events += 1
            offset += len(line)
    last_day, day_events, cut = previous_day.decode(), run_count, events - run_count
    with open(data, "rb") as f, open(history, "wb") as h, open(day, "wb") as d:
        remaining = run_start
        while remaining > 0:
            chunk = f.read(min(remaining, 1 << 24))
            h.write(chunk)
            remaining -= len(chunk)
        shutil.copyfileobj(f, d)

    # The runner's checkpoint key, here and not the user's: with it the
    # import saves the validation state, and the day's import starts from it.
    key = os.path.join(work, "checkpoint.key")
    if not os.path.exists(key):
        with open(os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as k:
            k.write(os.urandom(32).hex() + "\n")
    os.environ["PARLEDGER_CHECKPOINT_KEY"] = key

    timed([parledger, "init", "--log", log])
    say(f"importing {cut:,} events …")
    settled()
    seconds, rss, _ = timed([parledger, "import", "--log", log, history])
    figures["import"] = (seconds, rss, cut)
    say(f"  import: {seconds:.1f} s, {rss:,.0f} MiB peak")

    snap_full, snap_inc = os.path.join(work, "full"), os.path.join(work, "incremental")
    say("first nightly run (full replay, saves a checkpoint) …")
    settled()
    seconds, rss, _ = timed([parledger, "run", "--log", log, nightly, "--out", snap_inc])
    figures["first"] = (seconds, rss)

    settled()
    seconds, rss, _ = timed([parledger, "import", "--log", log, day])
    figures["day"] = (seconds, rss)
    say(f"  the day's import from the saved validation state: {seconds * 1000:.0f} ms, {rss:,.0f} MiB peak")
    say(f"incremental run after {day_events:,} more events ({last_day}) …")
    settled()
    seconds, rss, out = timed([parledger, "run", "--log", log, nightly, "--out", snap_inc])
    if "incremental from the checkpoint" not in out:
        raise Failure(f"the second run did not go on from the checkpoint:\n{out}")
    kept = re.search(r"(\d+) partitions rendered, (\d+) files kept", out)
    figures["incremental"] = (seconds, rss, int(kept.group(1)) if kept else None, int(kept.group(2)) if kept else 0)
    say(f"  incremental: {seconds:.2f} s, {rss:,.0f} MiB peak" + (f"; {kept.group(1)} partitions rendered, {kept.group(2)} files kept" if kept else ""))

    say("full rebuild of the whole log …")
    settled()
    seconds, rss, _ = timed([parledger, "run", "--log", log, nightly, "--out", snap_full, "--full"])
    figures["full"] = (seconds, rss)
    say(f"  full rebuild: {seconds:.2f} s, {rss:,.0f} MiB peak")
    with open(os.path.join(snap_full, "manifest.json"), "rb") as a, open(os.path.join(snap_inc, "manifest.json"), "rb") as b:
        if a.read() != b.read():
            raise Failure("the incremental run's snapshot differs from the full rebuild's (manifest.json)")
    # The manifest lists hashes; the files kept by link must also hold those bytes.
    for folder, _, names in os.walk(snap_full):
        for name in names:
            path = os.path.join(folder, name)
            other = os.path.join(snap_inc, os.path.relpath(path, snap_full))
            if not os.path.exists(other) or not filecmp.cmp(path, other, shallow=False):
                raise Failure(f"the incremental run's {os.path.relpath(other, work)} differs from the full rebuild's")

    figures["inflate"] = None
    if bench:
        _, _, text = timed([bench, "inflate", "--log", log])
        figures["inflate"] = json.loads(text)
        say(f"  raw inflate: {figures['inflate']['inflateSeconds']:.3f} s, record decode {figures['inflate']['decodeSeconds']:.3f} s")

    unit = "SKHDT" if args.demo else f"P{max(1, shape['provinces'] // 2):02d}-S01"
    block = "department" if args.demo else f"P{max(1, shape['provinces'] // 2):02d}-department"
    # One block's ranking from the log alone: a replay of the whole log into the book.
    settled()
    seconds, rss, _ = timed([parledger, "rank", "--log", os.path.abspath(log), "--year", str(last), "--block", block, "--no-checkpoint"], cwd=work)
    figures["rank"] = (seconds, rss)
    say(f"  rank of one block from the log alone: {seconds:.2f} s, {rss:,.0f} MiB peak")

    # An auditor after the nightly run. Three ways to the same explanation:
    # the run's checkpoint (loaded whole, its seal checked), the partition
    # index beside the log (the first read builds it; later reads catch it
    # up), and the log alone (--no-checkpoint: a replay). All must agree.
    checkpoint = os.path.join(work, ".incremental.checkpoint")
    explain = [parledger, "explain", "--log", os.path.abspath(log), "--unit", unit, "--year", str(last)]
    settled()
    seconds, rss, warm = timed(explain + ["--checkpoint", checkpoint])
    build_seconds, _, first_indexed = timed(explain, cwd=work)
    settled()
    indexed_seconds, indexed_rss, indexed = timed(explain, cwd=work)
    cold_seconds, _, cold = timed(explain + ["--no-checkpoint"], cwd=work)
    if not (warm == cold == indexed == first_indexed):
        raise Failure("explain from the checkpoint, from the partition index and over the whole log differ")
    history = [parledger, "history", "--log", os.path.abspath(log), "--unit", unit, "--year", str(last), "--item", "1.1.1"]
    history_seconds, history_rss, h_indexed = timed(history, cwd=work)
    if h_indexed != timed(history + ["--no-checkpoint"], cwd=work)[2]:
        raise Failure("history from the partition index and over the whole log differ")
    figures["explain"] = (seconds, rss, unit, cold_seconds, build_seconds, indexed_seconds, indexed_rss, history_seconds, history_rss)
    say(f"  explain: {seconds * 1000:,.0f} ms from the nightly checkpoint, {indexed_seconds * 1000:,.0f} ms from the partition index "
        f"({build_seconds:.2f} s the first time, building it), {cold_seconds * 1000:,.0f} ms replaying the whole log; history {history_seconds * 1000:,.0f} ms")

    export = os.path.join(work, "export.jsonl")
    with open(export, "wb") as f:
        timed([parledger, "export", "--log", log], stdout=f)
    figures["gzip_export"] = gzip9(export)
    figures["gzip_input"] = gzip9(data)
    figures["jsonl_bytes"] = os.path.getsize(data)
    figures["log_bytes"] = sum(os.path.getsize(os.path.join(log, n)) for n in os.listdir(log) if n not in ("partitions.index", "merkle.tree", "validation.state"))

    mine = parledger_rankings(snap_full)
    say(f"DuckDB: loading {events:,} events and ranking …")
    settled()
    d_load, d_query, d_rows, d_version = run_duckdb(export, args.threads)
    compare("DuckDB", mine, d_rows)
    say(f"  DuckDB: load {d_load:.2f} s, ranking {d_query:.2f} s; rankings equal")
    say("PostgreSQL: initdb, COPY, ranking …")
    settled()
    p_load, p_query, p_rows, p_version = run_postgres(work, export, args.threads)
    compare("PostgreSQL", mine, p_rows)
    partitions = len({k[:3] for k in mine})
    say(f"rankings equal: parledger, DuckDB and PostgreSQL agree on {len(mine):,} rows of {partitions} partitions")

    return report(args, shape_name, shape, first, last, events, day_events, last_day, figures, (d_load, d_query, d_version), (p_load, p_query, p_version),
                  len(mine), partitions)


def heading(args):
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as c:
            cpu = next(l.split(":", 1)[1].strip() for l in c if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return "\n".join([
        f"### {datetime.date.today().isoformat()} — {os.cpu_count()} × {cpu}, {mem:.0f} GiB, {platform.system()}",
        "",
        f"`python3 Benchmarks/national.py --record` (release build), one run, the shapes one after the other. "
        f"Every figure of a table comes from the same run on the same data; rankings are checked equal, row by row "
        f"(rank, points, max, percent, band), between parledger's snapshot and both peers before any time is compared.",
    ])


def report(args, name, shape, first, last, events, day_events, last_day, f, duck, pg, rows, partitions):
    inflate = f["inflate"]
    full_s, full_rss = f["full"]
    imp_s, imp_rss, imp_n = f["import"]
    inc_s, inc_rss, inc_rendered, inc_kept = f["incremental"]
    rank_s, rank_rss = f["rank"]
    exp_s, exp_rss, exp_unit, exp_cold, exp_build, exp_idx, exp_idx_rss, hist_s, hist_rss = f["explain"]
    raw = inflate["inflateSeconds"] if inflate else None

    def goal(ok):
        return "met" if ok else "**not met**"

    def times_raw(seconds):
        return f" = {seconds / raw:.1f}× raw inflate" if raw else ""

    mib = lambda v: f"{v:,.0f} MiB"
    what = "the demo province (events/demo/)" if args.demo else f"{describe_shape(shape)}, seed {args.seed}"
    lines = [
        f"#### Shape `{name}`: {what}",
        "",
        f"{events:,} events in business time order (interleaved across units); {partitions} partitions, {rows:,} ranking rows. "
        f"The last business day ({last_day}, {day_events:,} events) is imported after the first run.",
        "",
        "| measure | figure | peak memory | goal | |",
        "|---|---|---|---|---|",
        f"| import from JSON Lines ({imp_n:,} events, one durable all-or-nothing batch) | {imp_s:.1f} s = {imp_n / imp_s:,.0f} events/s | {mib(imp_rss)} | ≥ 500,000 events/s, ≤ 512 MiB | {goal(imp_n / imp_s >= 500_000 and imp_rss <= 512)} |",
        f"| import of the last business day ({day_events:,} events, durable) from the validation state the first import saved | {f['day'][0] * 1000:,.0f} ms | {mib(f['day'][1])} | < 100 ms for one event | {goal(f['day'][0] < 0.1)} |",
        (f"| raw inflate of the log (zlib alone, best of 3) | {raw:.3f} s ({inflate['plainBytes'] / 1e6:,.0f} MB plain) | | | |" if raw else
         "| raw inflate of the log (zlib alone) | not measured: parledger-bench not built | | | |"),
        (f"| decode every record of the log (best of 3) | {inflate['decodeSeconds']:.3f} s | | | |" if raw else
         "| decode every record of the log | not measured | | | |"),
        f"| one block's ranking from the log alone (`rank --no-checkpoint`: replay) | {rank_s:.2f} s{times_raw(rank_s)} | {mib(rank_rss)} | ≤ 2× raw inflate | {goal(rank_s <= 2 * raw) if raw else 'not measured'} |",
        f"| full rebuild: `run nightly.yaml --full` ({partitions} partitions × ranking, trend, awards × JSON, CSV) | {full_s:.2f} s{times_raw(full_s)} | {mib(full_rss)} | ≤ DuckDB's ranking below; ≤ 512 MiB | {goal(full_s <= duck[1] and full_rss <= 512)} |",
        f"| first nightly run (full replay, then saves the checkpoint) | {f['first'][0]:.2f} s | {mib(f['first'][1])} | | |",
        f"| incremental run after one more day ({inc_rendered} partitions rendered, {inc_kept:,} files kept) | {inc_s:.2f} s = {100 * inc_s / full_s:.1f}% of the full rebuild | {mib(inc_rss)} | ≤ 5% | {goal(inc_s <= 0.05 * full_s)} |",
        f"| `explain --unit {exp_unit} --year {last}` from the partition index | {exp_idx * 1000:,.0f} ms | {mib(exp_idx_rss)} | < 200 ms | {goal(exp_idx < 0.2)} |",
        f"| the first such `explain` (builds the index from the whole log) | {exp_build:.2f} s | | | |",
        f"| `history` of one item of it, from the index | {hist_s * 1000:,.0f} ms | {mib(hist_rss)} | < 200 ms | {goal(hist_s < 0.2)} |",
        f"| the same `explain` from the nightly checkpoint (`--checkpoint`: loaded whole, seal checked) | {exp_s * 1000:,.0f} ms | {mib(exp_rss)} | | |",
        f"| the same `explain` from the log alone (`--no-checkpoint`: replay) | {exp_cold * 1000:,.0f} ms | | | |",
        f"| log on disk | {f['log_bytes']:,} B | | ≤ gzip -9 of the JSON Lines export | {goal(f['log_bytes'] <= f['gzip_export'])} ({f['log_bytes'] / f['gzip_export']:.2f}×) |",
        f"| gzip -9 of `parledger export` (the same events with seq and recordedAt) | {f['gzip_export']:,} B | | | |",
        f"| gzip -9 of the generated JSON Lines ({f['jsonl_bytes']:,} B; no seq, no recordedAt) | {f['gzip_input']:,} B | | | the log is {f['log_bytes'] / f['gzip_input']:.2f}× this |",
        f"| DuckDB {duck[2]} ({args.threads} threads): load the export | {duck[0]:.2f} s | | | |",
        f"| DuckDB: the ranking (`peers/ranking-duckdb.sql`, `arg_max`) on its loaded tables | {duck[1]:.2f} s; parledger's full rebuild takes {full_s / duck[1]:.2f}× as long | | the full rebuild ≤ this | {goal(full_s <= duck[1])} |",
        f"| PostgreSQL {pg[2]} ({args.threads} parallel workers): COPY and typed tables | {pg[0]:.2f} s | | | |",
        f"| PostgreSQL: the ranking (`peers/ranking-postgres.sql`, `DISTINCT ON`) | {pg[1]:.2f} s; parledger's full rebuild is {pg[1] / full_s:.2f}× as fast | | ≥ 5× | {goal(pg[1] >= 5 * full_s)} |",
    ]
    return "\n".join(lines)


def record(table):
    with open(RECORD, encoding="utf-8") as f:
        text = f.read()
    block = f"{BEGIN}\n{table}\n{END}"
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n## National benchmark (`Benchmarks/national.py`)\n\n" + block + "\n"
    tmp = RECORD + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, RECORD)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Missing as e:
        say(f"national.py: {e}")
        sys.exit(2)
    except Failure as e:
        say(f"national.py: {e}")
        sys.exit(1)
