#!/usr/bin/env python3
"""Benchmark brigade against dpdk-testpmd on two net_null ports, one forwarding lcore.

Both tools run with EAL `-l 0,1 --in-memory --no-pci --vdev net_null0 --vdev net_null1`
(lcore 0 controls, lcore 1 forwards), 1024 RX/TX descriptors and bursts of 32, for each
forwarding mode (io, mac). Runs alternate brigade then testpmd, --pairs times.

Both are measured the same way: per-second per-port RX rate, summed over the two ports
per period; the first period (ramp-up) is dropped and the median of the rest is the
run's rate in Mpps. testpmd's first statistics display is a baseline with no previous
sample (its Rx-pps is always 0) and is skipped before the ramp period is dropped; only
its first S-1 periods are kept, as brigade with --duration S prints S-1 (its last tick
coincides with the stop and is not printed).
brigade's JSON summary must say "conserved": true.

This is a benchmark, not a test: on a shared 2-CPU machine figures are noisy; compare
ratios, not absolutes. Exit status is non-zero if any run failed.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EAL = ["-l", "0,1", "--in-memory", "--no-pci", "--vdev", "net_null0", "--vdev", "net_null1"]
BRIGADE_PORT = re.compile(r"^port (\d+): rx\s+([\d.]+) Mpps\s+tx", re.M)
TESTPMD_MODE = re.compile(r"^\s*(\S+) packet forwarding - ports=\d+ - cores=(\d+)", re.M)
TESTPMD_RXPPS = re.compile(r"Rx-pps:\s+(\d+)")


class RunError(Exception):
    """A run failed; the message carries the tail of the tool's output."""


def tail(text, lines=15):
    return "\n".join("    | " + l for l in text.rstrip().splitlines()[-lines:])


def steady_rate(periods, tool, out):
    """Median of per-period totals (Mpps) after dropping the first (ramp) period."""
    if len(periods) < 2:
        raise RunError(f"{tool}: {len(periods)} stats period(s) parsed, need >= 2\n{tail(out)}")
    return statistics.median(periods[1:]), len(periods) - 1


def run_brigade(path, mode, seconds, startup):
    with tempfile.TemporaryDirectory(prefix="fwd_vs_testpmd.") as tmp:
        jpath = os.path.join(tmp, "brigade.json")
        cmd = [path] + EAL + ["--", "--fwd", mode, "--rxd", "1024", "--txd", "1024",
                              "--burst", "32", "--stats", "1", "--duration", str(seconds),
                              "--json", jpath]
        try:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True,
                               timeout=seconds + startup + 10)
        except subprocess.TimeoutExpired as e:
            raise RunError(f"brigade: no exit after {e.timeout} s")
        out = p.stdout
        if p.returncode != 0:
            raise RunError(f"brigade: exit status {p.returncode}\n{tail(out)}")
        if f"fwd {mode}" not in out:
            raise RunError(f"brigade: output does not show 'fwd {mode}'\n{tail(out)}")
        try:
            with open(jpath) as f:
                summary = json.load(f)
        except (OSError, ValueError) as e:
            raise RunError(f"brigade: cannot read JSON summary: {e}\n{tail(out)}")
        if summary.get("conserved") is not True:
            raise RunError(f"brigade: JSON says conserved={summary.get('conserved')!r}\n{tail(out)}")
    # One period = consecutive port lines; a repeated port number starts the next one.
    periods, seen = [], set()
    for port, mpps in BRIGADE_PORT.findall(out):
        if not periods or port in seen:
            periods.append(0.0)
            seen = set()
        seen.add(port)
        periods[-1] += float(mpps)
    return steady_rate(periods, "brigade", out)


def run_testpmd(path, mode, seconds, startup):
    # stdin at EOF would stop testpmd at once; --stats-period keeps it up until SIGINT.
    cmd = ["timeout", "-s", "INT", str(seconds + startup), path] + EAL + [
        "--", f"--forward-mode={mode}", "--stats-period", "1",
        "--rxd=1024", "--txd=1024", "--burst=32"]
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True,
                           timeout=seconds + startup + 20)
    except subprocess.TimeoutExpired as e:
        raise RunError(f"testpmd: no exit after {e.timeout} s")
    out = p.stdout
    if p.returncode not in (0, 124):  # 124: timeout sent SIGINT, testpmd exited cleanly
        raise RunError(f"testpmd: exit status {p.returncode}\n{tail(out)}")
    m = TESTPMD_MODE.search(out)
    if not m or m.group(1) != mode or m.group(2) != "1":
        shown = f"'{m.group(1)}' on {m.group(2)} core(s)" if m else "nothing"
        raise RunError(f"testpmd: expected '{mode} packet forwarding' on 1 core, "
                       f"saw {shown}\n{tail(out)}")
    periods = []
    for block in out.split("Port statistics ====")[1:]:
        pps = [int(x) for x in TESTPMD_RXPPS.findall(block)]
        if len(pps) != 2:
            raise RunError(f"testpmd: {len(pps)} Rx-pps figures in a stats block, "
                           f"expected 2\n{tail(block)}")
        periods.append(sum(pps) / 1e6)
    # Block 0 is the baseline display (no previous sample, 0 pps); keep S-1 like brigade.
    return steady_rate(periods[1:seconds], "testpmd", out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pairs", type=int, default=3, help="brigade/testpmd run pairs per mode (default 3)")
    ap.add_argument("--seconds", type=int, default=5, help="forwarding seconds per run (default 5)")
    ap.add_argument("--modes", default="io,mac", help="comma-separated forwarding modes (default io,mac)")
    ap.add_argument("--brigade", default=os.path.join(REPO, "build/apps/brigade/brigade"),
                    help="brigade binary (default <repo>/build/apps/brigade/brigade)")
    ap.add_argument("--testpmd", default="dpdk-testpmd", help="testpmd binary (default dpdk-testpmd)")
    ap.add_argument("--startup", type=int, default=6,
                    help="seconds allowed for EAL start-up before forwarding (default 6)")
    ap.add_argument("--json", metavar="FILE", help="write per-mode medians and pairs as JSON")
    args = ap.parse_args()
    modes = [m for m in args.modes.split(",") if m]
    if args.pairs < 1 or args.seconds < 3 or args.startup < 1:
        ap.error("need --pairs >= 1, --seconds >= 3 (a ramp period is dropped), --startup >= 1")
    if not modes or any(m not in ("io", "mac") for m in modes):
        ap.error("--modes takes io and/or mac")

    results = {m: [] for m in modes}
    failed = 0
    for i in range(1, args.pairs + 1):
        for mode in modes:
            row = {"pair": i}
            for tool, fn, path in (("brigade", run_brigade, args.brigade),
                                   ("testpmd", run_testpmd, args.testpmd)):
                print(f"pair {i} {mode}: {tool} ...", file=sys.stderr, flush=True)
                try:
                    row[f"{tool}_mpps"], row[f"{tool}_periods"] = fn(path, mode, args.seconds, args.startup)
                except RunError as e:
                    failed += 1
                    row[f"{tool}_mpps"], row[f"{tool}_periods"] = None, 0
                    print(f"error: pair {i} {mode}: {e}", file=sys.stderr)
            b, t = row["brigade_mpps"], row["testpmd_mpps"]
            row["ratio"] = b / t if b is not None and t else None
            results[mode].append(row)

    def med(rows, key):
        vals = [r[key] for r in rows if r[key] is not None]
        return statistics.median(vals) if vals else None

    def fmt(v, spec):
        return format(v, spec) if v is not None else format("-", ">" + spec.split(".")[0])

    report = {}
    for mode, rows in results.items():
        print(f"\nmode {mode}: {args.seconds} s runs, median Mpps over the steady periods (both ports)")
        print(f"{'pair':>4}  {'brigade':>9}  {'testpmd':>9}  {'ratio':>6}")
        for r in rows:
            print(f"{r['pair']:>4}  {fmt(r['brigade_mpps'], '9.2f')}  "
                  f"{fmt(r['testpmd_mpps'], '9.2f')}  {fmt(r['ratio'], '6.3f')}")
        report[mode] = {k: med(rows, k) for k in ("brigade_mpps", "testpmd_mpps", "ratio")}
        report[mode]["pairs"] = rows
        print(f"{'med':>4}  {fmt(report[mode]['brigade_mpps'], '9.2f')}  "
              f"{fmt(report[mode]['testpmd_mpps'], '9.2f')}  {fmt(report[mode]['ratio'], '6.3f')}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
    if failed:
        print(f"\n{failed} run(s) failed", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
