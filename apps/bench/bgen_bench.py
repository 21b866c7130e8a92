#!/usr/bin/env python3
"""net_bgen, the traffic-generator NIC: what it costs, how exact its rate is, and
brigade against testpmd on its traffic.

  (a) generator cost: dpdk-testpmd --forward-mode=rxonly, one forwarding core, on
      one net_bgen port at rate=0 against one net_null,copy=1 port: Mpps side by
      side and their ratio (bgen writes Ethernet/IPv4/UDP headers and a stamp per
      packet; net_null with copy=1 copies a 64-byte payload);
  (b) rate accuracy: brigade pinned io (one worker) on two bgen ports offered
      1, 5 and 10 Mpps in all (half on each), delivered / offered;
  (c) brigade pinned io against testpmd io on the same two bgen ports at rate=0
      (Mpps, ratio), brigade with its latency measurement off (as testpmd: only
      the bgen sink measures) and on; then brigade's latency (arrival stamp to
      transmit, p50 and p99) offered 50% and 90% of the capacity it showed with
      the measurement on.

Every comparison alternates its two sides --pairs times and reports medians;
each side runs --seconds of forwarding. This is a benchmark, not a test: the
machine's noise shows in the figures. --json FILE writes them.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

EAL1 = ["-l", "0,1", "--in-memory", "--no-pci"]


def bgen_eal(so, ports, devargs):
    eal = list(EAL1)
    if so:
        eal += ["-d", so]
    for p in range(ports):
        eal += ["--vdev", f"net_bgen{p}" + ("," + devargs if devargs else "")]
    return eal


def gen_cost(args, log):
    """(a): testpmd rxonly on bgen rate=0 vs net_null copy=1."""
    rows = []
    for i in range(args.pairs):
        row = {}
        for name, eal in (("bgen", bgen_eal(args.bgen_so, 1, "rate=0")),
                          ("null_copy", EAL1 + ["--vdev", "net_null0,copy=1"])):
            log(f"(a) pair {i + 1}: testpmd rxonly on {name}")
            periods, _ = bl.run_testpmd(eal, [], args.seconds, "rxonly", args.testpmd)
            row[name + "_mpps"] = bl.testpmd_rate(periods, "rx")
        row["ratio"] = bl.ratio(row["bgen_mpps"], row["null_copy_mpps"])
        rows.append(row)
    return {"bgen_mpps": bl.median(r["bgen_mpps"] for r in rows),
            "null_copy_mpps": bl.median(r["null_copy_mpps"] for r in rows),
            "ratio": bl.median(r["ratio"] for r in rows), "pairs": rows}


def rate_accuracy(args, log):
    """(b): delivered / offered through brigade io at 1, 5 and 10 Mpps."""
    out = {}
    for mpps in args.rates:
        per_port = int(mpps * 1e6 / 2)
        accs = []
        for i in range(args.pairs):
            log(f"(b) {mpps:g} Mpps offered, run {i + 1}")
            s, _ = bl.run_brigade(bgen_eal(None, 2, f"rate={per_port}"), ["--fwd", "io"],
                                  args.seconds, args.brigade)
            offered = 2 * per_port * s["duration_s"]
            accs.append({"delivered_mpps": s["tx_packets"] / s["duration_s"] / 1e6,
                         "ratio": s["tx_packets"] / offered,
                         "imissed": sum(p["nic"]["imissed"] for p in s["ports"])})
        out[f"{mpps:g}"] = {"offered_mpps": mpps,
                            "delivered_mpps": bl.median(a["delivered_mpps"] for a in accs),
                            "ratio": bl.median(a["ratio"] for a in accs), "runs": accs}
    return out


def vs_testpmd(args, log):
    """(c): brigade pinned io vs testpmd io on two bgen ports, then latency."""
    rows = []
    for i in range(args.pairs):
        row = {}
        for key, lat in (("brigade_mpps", "off"), ("brigade_latency_mpps", "on")):
            log(f"(c) pair {i + 1}: brigade io, --latency {lat}")
            s, _ = bl.run_brigade(bgen_eal(None, 2, "rate=0"), ["--fwd", "io", "--latency", lat],
                                  args.seconds, args.brigade)
            row[key] = bl.brigade_tx_mpps(s)
        log(f"(c) pair {i + 1}: testpmd io")
        periods, _ = bl.run_testpmd(bgen_eal(args.bgen_so, 2, "rate=0"), [], args.seconds,
                                    "io", args.testpmd)
        row["testpmd_mpps"] = bl.testpmd_rate(periods, "tx")
        row["ratio"] = bl.ratio(row["brigade_mpps"], row["testpmd_mpps"])
        row["latency_ratio"] = bl.ratio(row["brigade_latency_mpps"], row["testpmd_mpps"])
        rows.append(row)
    cap = bl.median(r["brigade_latency_mpps"] for r in rows)
    res = {k: bl.median(r[k] for r in rows)
           for k in ("brigade_mpps", "brigade_latency_mpps", "testpmd_mpps", "ratio",
                     "latency_ratio")}
    res.update({"pairs": rows, "latency": {}})
    for frac in (0.5, 0.9):
        per_port = int(frac * cap * 1e6 / 2)
        lats = []
        for i in range(args.pairs):
            log(f"(c) latency at {frac:.0%} of {cap:.2f} Mpps, run {i + 1}")
            s, _ = bl.run_brigade(bgen_eal(None, 2, f"rate={per_port},arrival=poisson"),
                                  ["--fwd", "io"], args.seconds, args.brigade)
            if s.get("latency") is None:
                raise bl.RunError("brigade reported no latency on bgen traffic")
            lats.append({"p50_us": s["latency"]["p50_ns"] / 1e3,
                         "p99_us": s["latency"]["p99_ns"] / 1e3,
                         "delivered_mpps": bl.brigade_tx_mpps(s)})
        res["latency"][f"{int(frac * 100)}%"] = {
            "offered_mpps": 2 * per_port / 1e6,
            "p50_us": bl.median(x["p50_us"] for x in lats),
            "p99_us": bl.median(x["p99_us"] for x in lats), "runs": lats}
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--pairs", type=int, default=3, help="runs of each side (default 3)")
    ap.add_argument("--seconds", type=int, default=4, help="forwarding seconds a run (default 4)")
    ap.add_argument("--rates", default="1,5,10", help="offered Mpps for (b) (default 1,5,10)")
    ap.add_argument("--only", default="a,b,c", help="parts to run (default a,b,c)")
    ap.add_argument("--brigade", default=bl.BRIGADE, help="brigade binary")
    ap.add_argument("--testpmd", default=bl.TESTPMD, help="testpmd binary")
    ap.add_argument("--bgen-so", default=bl.BGEN_SO, help="net_bgen shared module for testpmd")
    ap.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    args = ap.parse_args()
    try:
        args.rates = [float(x) for x in args.rates.split(",") if x]
    except ValueError:
        ap.error("--rates: a comma-separated list of Mpps")
    parts = set(args.only.split(","))
    if args.pairs < 1 or args.seconds < 3 or not parts <= {"a", "b", "c"}:
        ap.error("need --pairs >= 1, --seconds >= 3, --only among a,b,c")
    if not os.path.exists(args.bgen_so) and parts & {"a", "c"}:
        ap.error(f"--bgen-so: {args.bgen_so} not found; build first (scripts/setup.sh build)")

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    report = {}
    try:
        if "a" in parts:
            report["generator_cost"] = gen_cost(args, log)
        if "b" in parts:
            report["rate_accuracy"] = rate_accuracy(args, log)
        if "c" in parts:
            report["brigade_vs_testpmd"] = vs_testpmd(args, log)
    except bl.RunError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1

    print(f"\nmedians of {args.pairs} run(s) of {args.seconds} s each")
    if "generator_cost" in report:
        g = report["generator_cost"]
        print("\n(a) generator cost, testpmd rxonly, one core")
        print(f"    net_bgen rate=0   {bl.fmt(g['bgen_mpps'], '8.2f')} Mpps")
        print(f"    net_null copy=1   {bl.fmt(g['null_copy_mpps'], '8.2f')} Mpps")
        print(f"    ratio             {bl.fmt(g['ratio'], '8.3f')}   (target >= 0.8)")
    if "rate_accuracy" in report:
        print("\n(b) rate accuracy through brigade io (two ports, one worker)")
        print(f"    {'offered':>8} {'delivered':>10} {'ratio':>8}")
        for r in report["rate_accuracy"].values():
            print(f"    {r['offered_mpps']:8.2f} {r['delivered_mpps']:10.4f} {r['ratio']:8.4f}")
    if "brigade_vs_testpmd" in report:
        c = report["brigade_vs_testpmd"]
        print("\n(c) io forwarding on two net_bgen ports, one core")
        print(f"    brigade pinned io, --latency off  {bl.fmt(c['brigade_mpps'], '8.2f')} Mpps")
        print(f"    brigade pinned io, --latency on   {bl.fmt(c['brigade_latency_mpps'], '8.2f')} Mpps")
        print(f"    testpmd io                        {bl.fmt(c['testpmd_mpps'], '8.2f')} Mpps")
        print(f"    ratio, latency off / on           {bl.fmt(c['ratio'], '8.3f')} / "
              f"{bl.fmt(c['latency_ratio'], '.3f')}")
        for k, v in c["latency"].items():
            print(f"    brigade latency at {k:>3} of capacity ({v['offered_mpps']:.2f} Mpps, "
                  f"Poisson): p50 {v['p50_us']:.2f} us, p99 {v['p99_us']:.2f} us")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
