#!/usr/bin/env python3
"""The execution models side by side on the same net_bgen traffic and stages.

Two workers (--lcores 0@0,1@0,2@1: the sleeping control lcore beside worker 1),
two net_bgen ports with 1024 flows each, io forwarding, for every model:

  (a) even:  traffic spread evenly over both RX queues of each port by RSS,
             offered as fast as polled (rate=0), no service time;
  (b) fixed: all traffic on RX queue 0 (share=100:0), --work fixed:100ns,
             offered at 1.8x what one pinned worker delivers on it;
  (c) exp:   as (b) with --work exp:10us, offered at 1.9x.

One pinned worker's capacity for (b) and (c) is measured first, in the same
invocation (pinned, rate=0: worker 0 gets everything). Then the models' trials
are interleaved (pinned, migrate, eventdev, pinned, ...) --trials times, and the
medians reported: delivered Mpps, drop ratio ((offered - sent) / offered, where
offered counts what the NIC missed), p99 latency from arrival stamp to transmit,
and the ratios migrate/pinned, migrate/eventdev and migrate/migrate-unordered
(what --order flow costs against --order none). For (a), DPDK's own
dpdk-test-eventdev --test=pipeline_queue on the same bgen ports with event_dsw
(its RX adapter on a service lcore that shares worker 2's CPU) is run as an
independent reference when --evtest is given.

This is a benchmark, not a test. --json FILE writes
{"<workload>": {"<model>": {"mpps": ..., "drop_ratio": ..., "p99_us": ...}}}.
"""
import argparse
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as bl  # noqa: E402

LCORES = ["--lcores", "0@0,1@0,2@1", "--in-memory", "--no-pci"]
# What runs under each name: the model and its options.
MODELS = {
    "pinned": ["--mode", "pinned"],
    "migrate": ["--mode", "migrate"],                       # --order flow
    "migrate-unordered": ["--mode", "migrate", "--order", "none"],
    "eventdev": ["--mode", "eventdev"],                     # event_dsw
    "eventdev-sw": ["--mode", "eventdev", "--evdev", "sw"],
}
DEFAULT_MODELS = "pinned,migrate,migrate-unordered,eventdev"
WORKLOADS = {
    "even": {"share": None, "work": None, "load": None},
    "fixed": {"share": "100:0", "work": "fixed:100ns", "load": 1.8},
    "exp": {"share": "100:0", "work": "exp:10us", "load": 1.9},
}


def eal(devargs):
    e = list(LCORES)
    for p in range(2):
        e += ["--vdev", f"net_bgen{p},flows=1024,seed={p + 1}" + (f",{devargs}" if devargs else "")]
    return e


def devargs_of(wl, rate):
    parts = [f"rate={int(rate)}"]
    if wl["share"]:
        parts.append(f"share={wl['share']}")
    if wl["load"]:
        parts.append("arrival=poisson")
    return ",".join(parts)


def opts_of(model, wl, extra):
    o = MODELS[model] + ["--fwd", "io"] + extra.get(model, [])
    if wl["work"]:
        o += ["--work", wl["work"]]
    return o


def trial(args, model, wl, rate):
    s, _ = bl.run_brigade(eal(devargs_of(wl, rate)), opts_of(model, wl, args.model_opts),
                          args.seconds, args.brigade)
    offered = s["rx_packets"] + sum(p["nic"]["imissed"] for p in s["ports"])
    lat = s.get("latency") or {}
    return {"mpps": bl.brigade_tx_mpps(s),
            "drop_ratio": (offered - s["tx_packets"]) / offered if offered else None,
            "p99_us": lat.get("p99_ns", 0) / 1e3 if lat else None,
            "model_stats": s.get("model_stats", {})}


EVTEST_MPPS = re.compile(r"([\d.]+) mpps avg")


def evtest(args, log):
    """dpdk-test-eventdev pipeline_atq on the bgen ports, event_dsw."""
    # pipeline_queue: event_dsw has no all-types queues (pipeline_atq says
    # "unsupported"). Its RX adapter needs a service lcore: lcore 3, beside
    # worker 2 on the second CPU, so that the two workers match brigade's.
    cmd = ["timeout", "-s", "INT", str(args.seconds + 8), "dpdk-test-eventdev",
           "--lcores", "0@0,1@0,2@1,3@1", "-S", "3", "--in-memory", "--no-pci",
           "-d", args.bgen_so, "--vdev", "event_dsw0"]
    for p in range(2):
        cmd += ["--vdev", f"net_bgen{p},flows=1024,seed={p + 1},rate=0"]
    cmd += ["--", "--test=pipeline_queue", "--prod_type_ethdev", "--stlist=a", "--wlcores=1,2"]
    log("(even) dpdk-test-eventdev pipeline_queue")
    p = bl.run_locked(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                      stderr=subprocess.STDOUT, text=True, timeout=args.seconds + 30)
    rates = [float(x) for x in EVTEST_MPPS.findall(p.stdout)]
    if not rates:
        raise bl.RunError(f"dpdk-test-eventdev printed no rate\n{bl.tail(p.stdout)}")
    return {"mpps": bl.median(rates[1:] or rates), "drop_ratio": None, "p99_us": None}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--trials", type=int, default=3, help="trials per model and workload (default 3)")
    ap.add_argument("--seconds", type=int, default=4, help="seconds a trial (default 4)")
    ap.add_argument("--workloads", default="even,fixed,exp", help="default even,fixed,exp")
    ap.add_argument("--models", default=DEFAULT_MODELS,
                    help=f"among {', '.join(MODELS)} (default {DEFAULT_MODELS})")
    ap.add_argument("--migrate-opts", default="", help="extra options for migrate, e.g. '--order none'")
    ap.add_argument("--evtest", action="store_true", help="also run dpdk-test-eventdev for (a)")
    ap.add_argument("--brigade", default=bl.BRIGADE)
    ap.add_argument("--bgen-so", default=bl.BGEN_SO)
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()
    wls = [w for w in args.workloads.split(",") if w]
    models = [m for m in args.models.split(",") if m]
    if any(w not in WORKLOADS for w in wls) or any(m not in MODELS for m in models):
        ap.error("unknown workload or model")
    args.model_opts = {"migrate": args.migrate_opts.split()}

    def log(msg):
        print(msg, file=sys.stderr, flush=True)

    report, caps = {}, {}
    try:
        for w in wls:
            wl = WORKLOADS[w]
            rate = 0
            if wl["load"]:
                runs = []
                for i in range(args.trials):
                    log(f"({w}) one pinned worker's capacity, run {i + 1}")
                    runs.append(trial(args, "pinned", dict(wl, load=None), 0)["mpps"])
                caps[w] = bl.median(runs)
                rate = wl["load"] * caps[w] * 1e6 / 2      # per port
            rows = {m: [] for m in models}
            for i in range(args.trials):
                for m in models:
                    log(f"({w}) {m}, trial {i + 1}")
                    rows[m].append(trial(args, m, wl, rate))
            report[w] = {m: {k: bl.median(r[k] for r in rows[m])
                             for k in ("mpps", "drop_ratio", "p99_us")} for m in models}
            for m in models:
                report[w][m]["trials"] = rows[m]
            if wl["load"]:
                report[w]["offered_mpps"] = 2 * rate / 1e6
                report[w]["one_worker_mpps"] = caps[w]
            if w == "even" and args.evtest:
                report[w]["dpdk-test-eventdev"] = evtest(args, log)
    except bl.RunError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1

    for w, r in report.items():
        head = f"\n({w})"
        if "offered_mpps" in r:
            head += f" offered {r['offered_mpps']:.3f} Mpps ({WORKLOADS[w]['load']}x one pinned worker's {r['one_worker_mpps']:.3f})"
        print(head)
        print(f"    {'model':<20} {'Mpps':>9} {'drop':>8} {'p99 us':>10}")
        for m, v in r.items():
            if not isinstance(v, dict) or "mpps" not in v:
                continue
            print(f"    {m:<20} {bl.fmt(v['mpps'], '9.3f')} {bl.fmt(v['drop_ratio'], '8.4f')} "
                  f"{bl.fmt(v['p99_us'], '10.1f')}")
        mig = r.get("migrate", {}).get("mpps")
        for ref in ("pinned", "eventdev", "migrate-unordered"):
            if mig is not None and r.get(ref, {}).get("mpps"):
                r.setdefault("ratios", {})[f"migrate/{ref}"] = mig / r[ref]["mpps"]
                print(f"    migrate/{ref:<18} {mig / r[ref]['mpps']:6.3f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
