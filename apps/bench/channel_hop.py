#!/usr/bin/env python3
"""Cycles per packet that one channel hop adds, beside rte_ring's own figure.

brigade forwards io between two net_null ports twice, with the same stages and
the same traffic:
  pinned    one worker lcore polls, forwards and transmits      (-l 0,1)
  pipeline  an RX lcore hands every packet through a channel to a worker
            lcore that forwards and transmits   (--lcores 0@0,1@0,2@1)
Both run with --cycles, so every lcore counts the TSC cycles of its loop
iterations that found work, less the time it waited on a full channel;
cycles per packet = those cycles of all lcores / packets received. The RX
lcore retries a full channel instead of dropping (--chan-retries), so every
packet received goes the whole way. The hop's cost is the difference,
pipeline - pinned.

Beside it: dpdk-test's ring_perf_autotest on the same two CPUs, its per-element
figure for bursts of 32 (two cores, SP/SC and MP/MC: enqueue on one core plus
dequeue on the other) and its single-core burst figure divided by 32.

Runs alternate pinned/pipeline --pairs times; the medians are reported.
With --json FILE: {"hop_cycles_per_packet", "ring_cycles_per_element", ...}.
This is a benchmark, not a test; on a shared 2-CPU machine the figures drift
between runs, so compare them within one run.
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
PORTS = ["--in-memory", "--no-pci", "--vdev", "net_null0", "--vdev", "net_null1"]
MODELS = {
    "pinned": (["-l", "0,1"], ["--mode", "pinned"]),
    # A full channel is retried (nearly) without end, so the RX lcore waits
    # for the worker instead of dropping: --cycles counts that wait apart.
    "pipeline": (["--lcores", "0@0,1@0,2@1"],
                 ["--mode", "pipeline", "--rx-lcores", "1", "--worker-lcores", "2",
                  "--chan-retries", "1000000000"]),
}


def run_brigade(binary, model, seconds):
    eal, opts = MODELS[model]
    with tempfile.TemporaryDirectory(prefix="channel_hop.") as tmp:
        out = os.path.join(tmp, "run.json")
        cmd = [binary] + eal + PORTS + ["--log-level", "brigade:warning", "--"] + opts + [
            "--fwd", "io", "--cycles", "--duration", str(seconds), "--json", out]
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=seconds + 60)
        if p.returncode != 0 or not os.path.exists(out):
            sys.exit(f"channel_hop: {model} run failed ({p.returncode}):\n{p.stdout[-2000:]}"
                     f"{p.stderr[-2000:]}")
        with open(out) as f:
            res = json.load(f)
    if not res["conserved"]:
        sys.exit(f"channel_hop: {model} run did not conserve packets: {res}")
    if res["cycles_per_packet"] <= 0:
        sys.exit(f"channel_hop: {model} run reported no busy cycles")
    if res["mode"] != model:
        sys.exit(f"channel_hop: asked for {model}, brigade ran {res['mode']}")
    return res


def ring_perf(dpdk_test):
    p = subprocess.run([dpdk_test, "-l", "0,1", "--in-memory", "--no-pci",
                        "--log-level", "lib.eal:error"],
                       input="ring_perf_autotest\n", capture_output=True, text=True,
                       timeout=600)
    out = p.stdout
    legacy = out.split("elem APIs")[0]          # the pointer-ring (legacy API) part
    two = legacy.split("### Testing using two physical cores ###")
    if len(two) < 2:
        sys.exit(f"channel_hop: no two-core section in ring_perf_autotest output:\n{out[-2000:]}")

    def grab(text, what):
        m = re.search(re.escape(what) + r"\s*([\d.]+)", text)
        if m is None:
            sys.exit(f"channel_hop: '{what}' not found in ring_perf_autotest output")
        return float(m.group(1))

    return {
        "two_core_spsc_bulk32": grab(two[1], "SP/SC: bulk (size: 32):"),
        "two_core_mpmc_bulk32": grab(two[1], "MP/MC: bulk (size: 32):"),
        "one_core_spsc_burst32": grab(two[0], "SP/SC: burst (size: 32):") / 32,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=int, default=3, help="pinned/pipeline pairs (default 3)")
    ap.add_argument("--seconds", type=float, default=4, help="seconds per run (default 4)")
    ap.add_argument("--brigade", default=os.path.join(REPO, "build/apps/brigade/brigade"))
    ap.add_argument("--dpdk-test", default="dpdk-test")
    ap.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    args = ap.parse_args()
    if args.pairs < 1 or args.seconds <= 0:
        ap.error("--pairs must be >= 1 and --seconds > 0")

    rows = []
    for i in range(args.pairs):
        pin = run_brigade(args.brigade, "pinned", args.seconds)
        pipe = run_brigade(args.brigade, "pipeline", args.seconds)
        rows.append((pin["cycles_per_packet"], pipe["cycles_per_packet"],
                     pin["rx_mpps"], pipe["rx_mpps"]))
        print(f"pair {i + 1}: pinned {rows[-1][0]:6.1f} cycles/packet ({rows[-1][2]:6.2f} Mpps)"
              f"   pipeline {rows[-1][1]:6.1f} cycles/packet ({rows[-1][3]:6.2f} Mpps)",
              flush=True)
    ring = ring_perf(args.dpdk_test)

    pin_c = statistics.median(r[0] for r in rows)
    pipe_c = statistics.median(r[1] for r in rows)
    hop = statistics.median(r[1] - r[0] for r in rows)
    print()
    print(f"{'':44s}{'cycles':>10s}")
    print(f"{'brigade pinned, per packet':44s}{pin_c:10.1f}")
    print(f"{'brigade pipeline (1 RX + 1 worker), per packet':44s}{pipe_c:10.1f}")
    print(f"{'one channel hop adds, per packet':44s}{hop:10.1f}")
    print(f"{'ring_perf two cores SP/SC bulk 32, per element':44s}"
          f"{ring['two_core_spsc_bulk32']:10.1f}")
    print(f"{'ring_perf two cores MP/MC bulk 32, per element':44s}"
          f"{ring['two_core_mpmc_bulk32']:10.1f}")
    print(f"{'ring_perf one core SP/SC burst 32, per element':44s}"
          f"{ring['one_core_spsc_burst32']:10.1f}")
    print(f"hop / ring element (two cores, SP/SC): {hop / ring['two_core_spsc_bulk32']:.1f}x")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"hop_cycles_per_packet": hop,
                       "ring_cycles_per_element": ring["two_core_spsc_bulk32"],
                       "ring_mpmc_cycles_per_element": ring["two_core_mpmc_bulk32"],
                       "ring_one_core_cycles_per_element": ring["one_core_spsc_burst32"],
                       "pinned_cycles_per_packet": pin_c,
                       "pipeline_cycles_per_packet": pipe_c,
                       "pairs": [{"pinned": r[0], "pipeline": r[1], "pinned_mpps": r[2],
                                  "pipeline_mpps": r[3]} for r in rows]}, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
