#!/usr/bin/env python3
"""Signed vs unsigned import of a national-scale submission (docs/BENCHMARKS.md).

    swift build -c release --product parledger
    python3 Benchmarks/signed_import.py --work /tmp/signed-bench --runs 5 [--callgrind] [--nice -10]

The data set: `generate national --provinces N` (the corrections that name
their target by `#seq` left out: signing reorders events by signer), signed
by `generate signed` (one batch per signer and phase: a unit's year, a
council's round, ...), and the same submission without its `batch.signed`
lines. Each run imports, into a new log holding the registrar's file, the
signed file (log made with --require-signatures) and the unsigned one (log
without the policy), alternating which goes first, durable as a user runs
it. It prints the median and best wall and CPU (user + sys) seconds of each
and their ratios. `--callgrind` also counts the instructions of one import
of each under valgrind (repeatable on a busy machine; valgrind runs without
SHA-NI, so it overstates SHA-256). `--nice N` runs the timed imports at that
niceness (negative: root only) so that other work on a shared machine
disturbs them less. Timings only; the checks live in the test suite.
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORIGIN = "bench.example/par"


def run(cmd, **kw):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"signed_import.py: {' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip()}")
    return r.stdout


def timed(cmd):
    """(wall seconds, user + sys seconds) of a command."""
    start = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"signed_import.py: {' '.join(cmd)} failed: {p.stderr.read().decode().strip()}")
    return wall, usage.ru_utime + usage.ru_stime


def data(bin, work, provinces):
    signed = os.path.join(work, "signed", "02-submissions.jsonl")
    unsigned = os.path.join(work, "unsigned.jsonl")
    if os.path.exists(signed) and os.path.exists(unsigned):
        return os.path.join(work, "signed", "01-registrar.jsonl"), signed, unsigned
    os.makedirs(work, exist_ok=True)
    nat = os.path.join(work, "nat.jsonl")
    run([bin, "generate", "national", "--provinces", str(provinces), "--out", nat])
    with open(nat) as src, open(nat + ".by-id", "w") as out:
        out.writelines(line for line in src if '"target":"#' not in line)
    run([bin, "generate", "signed", "--events", nat + ".by-id", "--origin", ORIGIN, "--out", os.path.join(work, "signed")])
    with open(signed) as src, open(unsigned, "w") as out:
        out.writelines(line for line in src if '"type":"batch.signed"' not in line)
    return os.path.join(work, "signed", "01-registrar.jsonl"), signed, unsigned


def fresh_log(bin, work, name, registrar, policy):
    log = os.path.join(work, name)
    shutil.rmtree(log, ignore_errors=True)
    run([bin, "init", "--log", log, "--origin", ORIGIN] + (["--require-signatures"] if policy else []))
    run([bin, "import", "--log", log, registrar])
    return log


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release", "parledger"))
    ap.add_argument("--work", required=True, help="a directory for the data set and the logs (reused: the data set is made once)")
    ap.add_argument("--provinces", type=int, default=5)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--nice", type=int, default=None)
    ap.add_argument("--callgrind", action="store_true")
    a = ap.parse_args()
    registrar, signed, unsigned = data(a.bin, a.work, a.provinces)
    batches = sum(1 for line in open(signed) if '"type":"batch.signed"' in line)
    events = sum(1 for _ in open(unsigned))
    prefix = ["nice", "-n", str(a.nice)] if a.nice is not None else []
    print(f"{events:,} events, {batches:,} signatures; load average before: {os.getloadavg()[0]:.1f}", file=sys.stderr)
    times = {"unsigned": [], "signed": []}
    for k in range(a.runs):
        order = ["unsigned", "signed"] if k % 2 == 0 else ["signed", "unsigned"]
        for kind in order:
            log = fresh_log(a.bin, a.work, "log-" + kind, registrar, kind == "signed")
            times[kind].append(timed(prefix + [a.bin, "import", "--log", log, signed if kind == "signed" else unsigned]))
            print(f"run {k + 1} {kind}: wall {times[kind][-1][0]:.2f} s, cpu {times[kind][-1][1]:.2f} s", file=sys.stderr)
    print(f"load average after: {os.getloadavg()[0]:.1f}", file=sys.stderr)
    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in times.items()}
    best = {k: (min(w for w, _ in v), min(c for _, c in v)) for k, v in times.items()}
    print("| import | wall median | wall best | CPU median | CPU best |")
    print("|---|---|---|---|---|")
    for kind in ("unsigned", "signed"):
        print(f"| {kind} | {med[kind][0]:.2f} s | {best[kind][0]:.2f} s | {med[kind][1]:.2f} s | {best[kind][1]:.2f} s |")
    print(f"| ratio | {med['signed'][0] / med['unsigned'][0]:.3f} | {best['signed'][0] / best['unsigned'][0]:.3f} "
          f"| {med['signed'][1] / med['unsigned'][1]:.3f} | {best['signed'][1] / best['unsigned'][1]:.3f} |")
    if a.callgrind:
        # valgrind 3.19 cannot read the DWARF 5 that Swift writes: a copy without debug info, symbols kept.
        stripped = os.path.join(a.work, "parledger-stripped")
        shutil.copy(a.bin, stripped)
        run(["strip", "--strip-debug", stripped])
        counts = {}
        for kind in ("unsigned", "signed"):
            log = fresh_log(a.bin, a.work, "log-" + kind, registrar, kind == "signed")
            out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + os.path.join(a.work, f"callgrind.{kind}.out"),
                                  stripped, "import", "--log", log, signed if kind == "signed" else unsigned],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True).stderr
            m = re.search(r"Collected : (\d+)", out)
            if not m:
                sys.exit("signed_import.py: callgrind failed: " + out[-500:])
            counts[kind] = int(m.group(1))
        print(f"| instructions (callgrind) | unsigned {counts['unsigned']:,} | signed {counts['signed']:,} | ratio {counts['signed'] / counts['unsigned']:.3f} |")


if __name__ == "__main__":
    main()
