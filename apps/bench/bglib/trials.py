"""One trial: brigade (or dpdk-testpmd) on two net_bgen ports for a while, and
what came of it: offered, forwarded, lost, latency percentiles.

Loss, for brigade: offered = rx_packets + the ports' nic.imissed (arrivals the
emulated RX rings had no room for); lost = imissed + brigade's drops other
than `shutdown` (packets still queued inside brigade when the trial is
stopped are in flight, not lost); loss ratio = lost / offered.
For testpmd: after a warm-up its port counters are cleared; then offered =
the ports' xstat rx_offered_packets, lost = their rx_missed_errors and
rx_mbuf_allocation_errors, plus what testpmd could not transmit.
"""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import benchlib as bl  # noqa: E402

from . import noise  # noqa: E402

LCORES = ["--lcores", "0@0,1@0,2@1"]
EAL_COMMON = ["--in-memory", "--no-pci"]

# What runs under each model name: brigade's options.
MODELS = {
    "pinned": ["--mode", "pinned"],
    "migrate": ["--mode", "migrate"],
    "migrate-unordered": ["--mode", "migrate", "--order", "none"],
    "eventdev": ["--mode", "eventdev"],
    "eventdev-sw": ["--mode", "eventdev", "--evdev", "sw"],
}
# Which theory each model is held against.
THEORY_OF = {"pinned": "random", "migrate": "shared", "migrate-unordered": "shared",
             "eventdev": "shared", "eventdev-sw": "shared"}

PER_SECOND = {"ns": 1e9, "us": 1e6}


def parse_work(spec):
    """'exp:10us' -> ('exp', 1e-5 seconds)."""
    m = re.fullmatch(r"(fixed|exp|bimodal1|bimodal2):([0-9.]+)(ns|us)", spec)
    if not m:
        raise ValueError(f"--dists: {spec!r} is not DIST:MEAN with DIST fixed, exp, bimodal1 "
                         "or bimodal2 and MEAN like 10us or 500ns")
    mean = float(m.group(2)) / PER_SECOND[m.group(3)]
    if mean <= 0:
        raise ValueError(f"--dists: {spec!r}: the mean must be > 0")
    return m.group(1), mean


def bgen_vdevs(rate_per_port, arrival="poisson", flows=1024, seed=1, extra=""):
    out = []
    for p in range(2):
        args = f"net_bgen{p},rate={int(round(rate_per_port))},arrival={arrival},flows={flows}," \
               f"seed={seed * 2 + p}"
        out += ["--vdev", args + (f",{extra}" if extra else "")]
    return out


def brigade_cmd(model, rate_per_port, work, seconds, seed=1, lcores=LCORES, arrival="poisson",
                flows=1024, model_extra=(), rxd=None):
    """(eal, opts) for a brigade trial; work is 'DIST:MEAN' or None."""
    eal = list(lcores) + EAL_COMMON + bgen_vdevs(rate_per_port, arrival, flows, seed)
    opts = list(MODELS[model]) + list(model_extra) + ["--fwd", "io"]
    if rxd:
        opts += ["--rxd", str(rxd)]
    if work:
        opts += ["--work", work, "--work-seed", str(seed)]
    return eal, opts


def summarize_brigade(s):
    """The figures of one brigade JSON summary."""
    imissed = sum(p["nic"]["imissed"] for p in s["ports"])
    nombuf = sum(p["nic"].get("rx_nombuf", 0) for p in s["ports"])
    shutdown = s["drops"].get("shutdown", 0)
    offered = s["rx_packets"] + imissed
    lost = imissed + nombuf + s["drop_packets"] - shutdown
    lat = s.get("latency") or {}
    rx_lc = [lc["rx_packets"] for lc in s.get("lcores", [])]
    return {
        "duration_s": s["duration_s"],
        "offered": offered, "rx": s["rx_packets"], "tx": s["tx_packets"],
        "imissed": imissed, "lost": lost, "in_flight_at_stop": shutdown,
        "loss_ratio": lost / offered if offered else None,
        "drop_ratio": (offered - s["tx_packets"]) / offered if offered else None,
        "offered_mpps": offered / s["duration_s"] / 1e6 if s["duration_s"] else None,
        "tx_mpps": bl.brigade_tx_mpps(s),
        "samples": lat.get("samples", 0),
        "p50_us": lat["p50_ns"] / 1e3 if lat else None,
        "p99_us": lat["p99_ns"] / 1e3 if lat else None,
        "p999_us": lat["p999_ns"] / 1e3 if lat else None,
        "max_us": lat["max_ns"] / 1e3 if lat else None,
        "mean_us": lat["mean_ns"] / 1e3 if lat else None,
        # the share of packets the first worker polled (RSS balance)
        "worker0_rx_share": rx_lc[0] / sum(rx_lc) if rx_lc and sum(rx_lc) else None,
        "model_stats": s.get("model_stats", {}),
    }


def run_brigade_trial(model, rate_per_port, work, seconds, seed=1, brigade=bl.BRIGADE,
                      lcores=LCORES, arrival="poisson", flows=1024, model_extra=(), rxd=None):
    eal, opts = brigade_cmd(model, rate_per_port, work, seconds, seed, lcores, arrival,
                            flows, model_extra, rxd)
    ct = noise.CpuTimes()
    s, _ = bl.run_brigade(eal, opts, seconds, brigade)
    res = summarize_brigade(s)
    res.update(ct.finish())
    res["cmd"] = " ".join([os.path.relpath(brigade, bl.REPO) if brigade.startswith(bl.REPO)
                           else brigade] + eal + ["--"] + opts + ["--duration", f"{seconds:g}"])
    return res


# ---- dpdk-testpmd, interactive, commands on standard input ----

XSTATS_HEAD = "NIC extended statistics for port"


def xstats_blocks(out):
    """{port: {key: value}} from the last `show port xstats all` in out."""
    res = {}
    for m in re.finditer(r"#+ NIC extended statistics for port (\d+)\s*#*\n(.*?)(?=#+|\Z)",
                         out, re.S):
        kv = {}
        for k, v in re.findall(r"^\s*(\w+):\s+(\d+)\s*$", m.group(2), re.M):
            kv[k] = int(v)
        res[int(m.group(1))] = kv
    return res


def fwd_dropped(out):
    """TX-dropped over all ports from testpmd's `stop` (accumulated totals)."""
    m = re.search(r"Accumulated forward statistics for all ports.*?TX-dropped:\s*(\d+)", out, re.S)
    return int(m.group(1)) if m else 0


def run_testpmd_trial(rate_per_port, seconds, seed=1, testpmd=bl.TESTPMD, so=bl.BGEN_SO,
                      lcores=LCORES, arrival="const", flows=1024, warmup=0.5, startup=20,
                      rxd=1024):
    """testpmd io forwarding between two bgen ports with two forwarding
    cores (as brigade's two workers): a warm-up, counters cleared, `seconds`
    of forwarding, then xstats."""
    eal = [testpmd, "-d", so] + list(lcores) + EAL_COMMON + \
        bgen_vdevs(rate_per_port, arrival, flows, seed)
    cmd = eal + ["--", "-i", "--forward-mode=io", "--nb-cores=2", "--rxq=2", "--txq=2",
                 f"--rxd={rxd}", "--txd=1024", "--burst=32"]
    return _testpmd_trial(cmd, seconds, warmup, startup)


def _testpmd_trial(cmd, seconds, warmup, startup):
    ct = noise.CpuTimes()
    with tempfile.TemporaryFile("w+") as outf:
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=outf, stderr=subprocess.STDOUT,
                             text=True)
        try:
            def say(line):
                p.stdin.write(line + "\n")
                p.stdin.flush()
            # wait for the prompt: testpmd reads commands once it is ready
            t0 = time.monotonic()
            while time.monotonic() - t0 < startup:
                outf.seek(0)
                if "testpmd>" in outf.read() or p.poll() is not None:
                    break
                time.sleep(0.05)
            say("start")
            time.sleep(warmup)
            say("clear port stats all")
            say("clear port xstats all")
            t1 = time.monotonic()
            time.sleep(seconds)
            say("show port xstats all")
            measured = time.monotonic() - t1
            say("stop")
            say("quit")
            p.stdin.close()
            p.wait(timeout=startup)
        except (subprocess.TimeoutExpired, BrokenPipeError, OSError) as e:
            p.kill()
            p.wait()
            outf.seek(0)
            raise bl.RunError(f"testpmd: {e}: {' '.join(cmd)}\n{bl.tail(outf.read())}")
        outf.seek(0)
        out = outf.read()
    if p.returncode != 0:
        raise bl.RunError(f"testpmd: exit status {p.returncode}: {' '.join(cmd)}\n{bl.tail(out)}")
    xs = xstats_blocks(out)
    if sorted(xs) != [0, 1] or any("rx_offered_packets" not in xs[q] for q in xs):
        raise bl.RunError(f"testpmd: no bgen xstats for ports 0 and 1\n{bl.tail(out)}")
    offered = sum(xs[q]["rx_offered_packets"] for q in xs)
    missed = sum(xs[q].get("rx_missed_errors", 0) + xs[q].get("rx_mbuf_allocation_errors", 0)
                 for q in xs)
    dropped = fwd_dropped(out)
    tx = sum(xs[q].get("tx_good_packets", 0) for q in xs)
    rx = sum(xs[q].get("rx_good_packets", 0) for q in xs)
    lost = missed + dropped
    res = {"duration_s": measured, "offered": offered, "rx": rx, "tx": tx, "imissed": missed,
           "lost": lost, "loss_ratio": lost / offered if offered else None,
           "drop_ratio": (offered - tx) / offered if offered else None,
           "offered_mpps": offered / measured / 1e6, "tx_mpps": tx / measured / 1e6,
           "p99_us": max((xs[q].get("tx_latency_p99_ns", 0) for q in xs), default=0) / 1e3,
           "cmd": " ".join(cmd)}
    res.update(ct.finish())
    return res
