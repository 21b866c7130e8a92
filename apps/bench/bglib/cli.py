"""brigade-bench: the scheduling experiment of the design brief in one run.

For every model x service-time distribution: a load sweep (p50/p99/p99.9 and
loss against offered load), the SLO load (the highest load whose p99 stays
within the SLO, default 10x the mean service time, with no loss), NDR and PDR
by binary search on the offered rate; theory beside it (simulated n x M/G/1
with random assignment for pinned, M/G/n for migrate and eventdev); anchors in
the same run (dpdk-testpmd io forwarding and brigade pinned io, NDR on the same
net_bgen ports); and the machine's stalls, measured between trials.

Two workers (--lcores 0@0,1@0,2@1: the sleeping control lcore beside worker 1),
two net_bgen ports with Poisson arrivals over 1024 flows (RSS spreads them over
both workers' RX queues), brigade --fwd io --work DIST:MEAN. Load is a share of
the two workers' capacity 2/mean (theory's rho): at load L each port is
offered L/mean packets a second.

Trials of the models are interleaved (A B C A B C ...), medians are reported.
Before each trial the script waits until no other brigade/DPDK/test process
runs, and a trial that overlapped one (or other CPU use) is run again.
"""
import argparse
import contextlib
import datetime
import os
import platform
import shlex
import subprocess
import sys
import time

from . import ndr, noise, queueing_sim as qsim, report, svgplot, trials as tr

bl = tr.bl

QUICK = {
    "models": "pinned,migrate", "dists": "exp:10us", "loads": "0.2,0.4,0.6,0.8", "trials": 3,
    "trial_seconds": 1.0, "min_packets": 10000, "search_width": 0.1, "search_trials": 5,
    "anchor_trials": 4, "sim_customers": 200_000, "probe_seconds": 0.2,
}
DEFAULTS = {
    "models": "pinned,migrate,eventdev",
    "dists": "exp:10us,bimodal1:10us,fixed:10us,exp:25us,bimodal1:25us,fixed:25us",
    "loads": "0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9", "trials": 3, "trial_seconds": 2.0,
    "min_packets": 20000, "search_width": 0.02, "search_trials": 10, "anchor_trials": 10,
    "sim_customers": 400_000, "probe_seconds": 0.3,
}
THEORY_LOADS = [round(0.05 * i, 2) for i in range(1, 20)] + [0.975]


def log(msg):
    Progress.clear()
    print(msg, file=sys.stderr, flush=True)


class Progress:
    """One status line on stderr, overwritten with \\r: where the run is and
    when it should end."""
    active = False
    width = 0

    def __init__(self, planned_seconds, enabled=True):
        self.t0 = time.monotonic()
        self.planned = planned_seconds      # trial seconds still to run, est.
        self.done_trials = 0
        self.overheads = []
        self.enabled = enabled and sys.stderr.isatty() or enabled == "always"

    def trial_done(self, planned_s, wall_s):
        self.done_trials += 1
        self.planned = max(0.0, self.planned - planned_s)
        self.overheads.append(max(0.0, wall_s - planned_s))

    def eta(self, remaining_trials):
        ov = report.med(self.overheads[-30:]) if self.overheads else 1.0
        return self.planned + ov * remaining_trials

    def show(self, text, remaining_trials):
        el = time.monotonic() - self.t0
        line = f"[{_hms(el)} elapsed, ~{_hms(self.eta(remaining_trials))} left] {text}"
        if self.enabled:
            pad = max(0, Progress.width - len(line))
            sys.stderr.write("\r" + line + " " * pad)
            sys.stderr.flush()
            Progress.width = len(line)
            Progress.active = True

    @staticmethod
    def clear():
        if Progress.active:
            sys.stderr.write("\r" + " " * Progress.width + "\r")
            sys.stderr.flush()
            Progress.active = False


def _hms(s):
    s = int(s)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def parse_args(argv):
    ap = argparse.ArgumentParser(
        prog="brigade-bench", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--quick", action="store_true",
                    help="a small matrix in under 3 minutes: pinned and migrate, exp:10us, loads "
                         "0.2-0.8, 1 s trials, short searches (other flags still override)")
    ap.add_argument("--models", help=f"comma list among {', '.join(tr.MODELS)} "
                                     f"(default {DEFAULTS['models']})")
    ap.add_argument("--dists", help="comma list of --work DIST:MEAN (default "
                                    f"{DEFAULTS['dists']})")
    ap.add_argument("--loads", help="offered loads, shares of 2/mean (default "
                                    f"{DEFAULTS['loads']})")
    ap.add_argument("--trials", type=int, help="trials a point (default 3)")
    ap.add_argument("--trial-seconds", type=float, help="seconds a trial (default 2)")
    ap.add_argument("--min-packets", type=int,
                    help="lengthen a sweep trial until this many packets are offered "
                         "(default 20000: p99 from enough samples at low loads)")
    ap.add_argument("--slo", type=float, default=10.0, help="SLO: p99 <= SLO x mean (default 10)")
    ap.add_argument("--no-search", action="store_true", help="skip the NDR/PDR searches")
    ap.add_argument("--search-seconds", type=float, help="trial length of the searches "
                                                         "(default --trial-seconds)")
    ap.add_argument("--search-width", type=float,
                    help="stop a search when (upper - lower) <= width x upper (default 0.02)")
    ap.add_argument("--search-trials", type=int, help="at most this many trials a search "
                                                      "(default 10)")
    ap.add_argument("--search-range", default="0.3,1.1",
                    help="loads the NDR/PDR search spans (default 0.3,1.1)")
    ap.add_argument("--pdr-loss", type=float, default=0.005, help="PDR loss ratio (default 0.005)")
    ap.add_argument("--no-anchors", action="store_true", help="skip testpmd / pinned io NDRs")
    ap.add_argument("--anchor-range", default="0.5,60",
                    help="Mpps (both ports) the plain-forwarding NDR search spans (default 0.5,60)")
    ap.add_argument("--anchor-arrival", default="const", choices=("const", "poisson"),
                    help="bgen arrivals for the anchors (default const, as RFC 2544)")
    ap.add_argument("--anchor-rxd", type=int, default=16384,
                    help="RX descriptors for both anchors (default 16384: brigade has no warm-up, "
                         "and its first few ms before the workers poll must fit in the rings)")
    ap.add_argument("--brigade-opts", default="",
                    help="extra brigade options for every brigade trial, e.g. '--rxd 2048'")
    ap.add_argument("--anchor-trials", type=int, help="at most this many trials an anchor "
                                                      "search (default 10)")
    ap.add_argument("--probe-seconds", type=float,
                    help="stall probe before each trial, on every CPU (default 0.3; 0: none)")
    ap.add_argument("--no-stall-theory", action="store_true",
                    help="skip the theory with the machine's stalls (and pinned's bursts)")
    ap.add_argument("--sim-customers", type=int, help="customers a simulation (default 400000)")
    ap.add_argument("--seed", type=int, default=1, help="base seed (trial k uses seed+k)")
    ap.add_argument("--out", default="brigade-bench-out", help="output directory")
    ap.add_argument("--no-wait", action="store_true",
                    help="do not wait for other brigade/DPDK/test processes before a trial")
    ap.add_argument("--max-foreign-cpu", type=float, default=0.05,
                    help="re-run a trial when other processes used more than this share of one "
                         "CPU during it (default 0.05; a quiet machine: about 0.01)")
    ap.add_argument("--reanalyze", metavar="JSON",
                    help="run nothing: recompute a saved run's figures, tables and pictures "
                         "(with this --max-foreign-cpu) into --out")
    ap.add_argument("--max-lost-share", type=float, default=0.15,
                    help="wait while the stall probe loses more than this share of its time "
                         "(default 0.15; a quiet machine loses about 3%%, a CPU hog 50%%)")
    ap.add_argument("--retries", type=int, default=2, help="re-runs of a disturbed trial")
    ap.add_argument("--progress", choices=("auto", "always", "never"), default="auto")
    ap.add_argument("--brigade", default=bl.BRIGADE)
    ap.add_argument("--testpmd", default=bl.TESTPMD)
    ap.add_argument("--bgen-so", default=bl.BGEN_SO)
    a = ap.parse_args(argv)
    if a.reanalyze:
        return a
    base = dict(DEFAULTS)
    if a.quick:
        base.update(QUICK)
    for k, v in base.items():
        if getattr(a, k, None) is None:
            setattr(a, k, v)
    try:
        a.models = [m for m in a.models.split(",") if m]
        a.dists = [d for d in a.dists.split(",") if d]
        a.work = {d: tr.parse_work(d) for d in a.dists}
        a.loads = sorted(float(x) for x in a.loads.split(",") if x)
        a.search_range = [float(x) for x in a.search_range.split(",")]
        a.anchor_range = [float(x) for x in a.anchor_range.split(",")]
    except ValueError as e:
        ap.error(str(e))
    bad = [m for m in a.models if m not in tr.MODELS]
    if bad:
        ap.error(f"--models: unknown {', '.join(bad)} (among {', '.join(tr.MODELS)})")
    if not a.loads or any(not 0 < l <= 2 for l in a.loads):
        ap.error("--loads: shares in (0, 2]")
    if a.trials < 1 or a.trial_seconds <= 0:
        ap.error("--trials >= 1 and --trial-seconds > 0")
    if len(a.search_range) != 2 or not 0 < a.search_range[0] < a.search_range[1]:
        ap.error("--search-range: LO,HI with 0 < LO < HI")
    if len(a.anchor_range) != 2 or not 0 < a.anchor_range[0] < a.anchor_range[1]:
        ap.error("--anchor-range: LO,HI Mpps with 0 < LO < HI")
    a.brigade_opts = shlex.split(a.brigade_opts)
    if a.search_seconds is None:
        a.search_seconds = a.trial_seconds
    if not os.access(a.brigade, os.X_OK):
        ap.error(f"--brigade: {a.brigade} not found; build first (ninja -C build)")
    if not a.no_anchors and not os.path.exists(a.bgen_so):
        ap.error(f"--bgen-so: {a.bgen_so} not found; build first")
    return a


@contextlib.contextmanager
def holding_machine():
    """benchlib's machine-wide lock (benchmarks take turns), held across a
    probe and its trial; benchlib's own runs inside take it again, which
    flock would refuse to the same process on another descriptor, so they run
    unlocked meanwhile."""
    with bl.machine_lock():
        saved = bl.run_locked
        bl.run_locked = subprocess.run
        try:
            yield
        finally:
            bl.run_locked = saved


class Runner:
    """Runs trials: waits for a quiet machine, probes stalls, re-runs a
    disturbed trial, keeps the progress line."""

    def __init__(self, args, progress):
        self.a = args
        self.p = progress
        self.k = 0                 # trials run (seeds)
        self.probes = []
        self.remaining = 0         # trials still planned (for the ETA)
        self.reruns = 0
        self.waited = 0.0
        self.busy_probes = 0

    def _guard(self):
        if not self.a.no_wait:
            waited = noise.wait_quiet(log)
            self.waited += waited
            if waited > 1:
                log(f"waited {waited:.0f} s for other processes to end")

    def _probe(self, what):
        """The stall probe; a probe that lost more than --max-lost-share of
        its CPU time saw something else running (a CPU hog this script does
        not know by name): wait and probe again, a few times."""
        for i in range(6):
            probe = noise.probe(self.a.probe_seconds)
            if (probe.get("lost_share") or 0) <= self.a.max_lost_share or i == 5:
                break
            self.busy_probes += 1
            if i == 0:
                log(f"{what}: the CPUs are busy (probe lost {probe['lost_share']:.0%} of its "
                    f"time); waiting")
            t0 = time.monotonic()
            time.sleep(2 + 2 * i)
            self.waited += time.monotonic() - t0
        self.probes.append(probe)
        return probe

    def run(self, what, fn, planned_s):
        """fn(seed) -> trial dict; with a probe, retries, progress."""
        self.p.show(what, self.remaining)
        for attempt in range(self.a.retries + 1):
            self._guard()
            self.k += 1
            t0 = time.monotonic()
            try:
                with holding_machine():
                    self._guard()
                    probe = None
                    if self.a.probe_seconds > 0:
                        probe = self._probe(what)
                    t0 = time.monotonic()
                    res = fn(self.a.seed + self.k)
            except (bl.RunError, OSError) as e:
                # e.g. the binary being rebuilt under us, or a start-up that failed
                if attempt == self.a.retries:
                    raise
                self.reruns += 1
                log(f"{what}: failed ({str(e).splitlines()[0]}); trying again in 5 s")
                time.sleep(5)
                continue
            wall = time.monotonic() - t0
            res["probe"] = probe
            res["wall_s"] = wall
            others = noise.others() if not self.a.no_wait else []
            fc = res.get("foreign_cpu_s")
            busy = fc is not None and fc > self.a.max_foreign_cpu * max(1.0, res["duration_s"])
            if (others or busy) and attempt < self.a.retries:
                self.reruns += 1
                why = (f"{others[0][1]} ({others[0][0]}) running" if others else
                       f"other processes used {fc:.2f} CPU s")
                log(f"{what}: disturbed ({why}); running it again")
                continue
            res["disturbed"] = bool(others or busy)
            break
        self.remaining = max(0, self.remaining - 1)
        self.p.trial_done(planned_s, wall)
        return res


def sweep_seconds(a, spec, load):
    """A sweep trial's length: --trial-seconds, or longer to offer --min-packets."""
    _, mean = a.work[spec]
    rate = 2 * load / mean
    return max(a.trial_seconds, round(a.min_packets / rate + 0.049, 1))


def run_sweep(a, R):
    points = {m: {s: [] for s in a.dists} for m in a.models}
    for spec in a.dists:
        for load in a.loads:
            secs = sweep_seconds(a, spec, load)
            _, mean = a.work[spec]
            rate_pp = load / mean
            rows = {m: [] for m in a.models}
            for t in range(a.trials):
                for m in a.models:
                    what = f"sweep {spec} load {load:.2f} trial {t + 1}/{a.trials} {m}"
                    rows[m].append(R.run(what, lambda seed, m=m: tr.run_brigade_trial(
                        m, rate_pp, spec, secs, seed, a.brigade, model_extra=a.brigade_opts),
                        secs))
            for m in a.models:
                p = report.point_summary(load, rows[m])
                p["trial_seconds"] = secs
                p["trials"] = rows[m]
                points[m][spec].append(p)
    return points


def run_searches(a, R):
    """NDR/PDR per distribution, the models' searches in step."""
    out = {m: {} for m in a.models}
    for spec in a.dists:
        _, mean = a.work[spec]
        cap = 2 / mean
        searches = {m: ndr.Search(a.search_range[0] * cap, a.search_range[1] * cap,
                                  width=a.search_width, max_trials=a.search_trials,
                                  pdr_loss=a.pdr_loss, resolution=2.0) for m in a.models}
        step = [0]

        def trial(m, rate):
            step[0] += 1
            what = f"NDR/PDR {spec} {m} at {rate / cap:.3f} load ({rate / 1e6:.4f} Mpps)"
            res = R.run(what, lambda seed: tr.run_brigade_trial(
                m, rate / 2, spec, a.search_seconds, seed, a.brigade,
                model_extra=a.brigade_opts), a.search_seconds)
            searches[m].trial_log.append(res)
            return res["loss_ratio"]
        for s in searches.values():
            s.trial_log = []
        results = ndr.run_in_step(searches, trial)
        for m, r in results.items():
            r["trial_seconds"] = a.search_seconds
            r["trial_details"] = [_slim(t) for t in searches[m].trial_log]
            out[m][spec] = r
    return out


def _slim(t):
    keys = ("offered", "rx", "tx", "imissed", "lost", "in_flight_at_stop", "loss_ratio",
            "offered_mpps", "tx_mpps", "p99_us", "duration_s", "steal_share", "foreign_cpu_s",
            "disturbed", "wall_s")
    d = {k: t.get(k) for k in keys}
    pr = t.get("probe") or {}
    d["probe"] = {k: pr.get(k) for k in ("per_s_over_10us", "per_s_over_50us", "longest_us")}
    return d


def run_anchors(a, R):
    """Plain forwarding: testpmd io and brigade pinned io, NDR searches in step."""
    lo, hi = (x * 1e6 for x in a.anchor_range)
    searches = {k: ndr.Search(lo, hi, width=a.search_width, max_trials=a.anchor_trials,
                              pdr_loss=a.pdr_loss) for k in ("testpmd_io", "brigade_pinned_io")}
    logs = {k: [] for k in searches}

    def trial(k, rate):
        what = f"anchor {k} at {rate / 1e6:.3f} Mpps"
        if k == "testpmd_io":
            fn = lambda seed: tr.run_testpmd_trial(rate / 2, a.search_seconds, seed, a.testpmd,
                                                   a.bgen_so, arrival=a.anchor_arrival,
                                                   rxd=a.anchor_rxd)
        else:
            fn = lambda seed: tr.run_brigade_trial("pinned", rate / 2, None, a.search_seconds,
                                                   seed, a.brigade, arrival=a.anchor_arrival,
                                                   model_extra=a.brigade_opts, rxd=a.anchor_rxd)
        res = R.run(what, fn, a.search_seconds)
        logs[k].append(res)
        return res["loss_ratio"]
    results = ndr.run_in_step(searches, trial)
    out = {"arrival": a.anchor_arrival, "trial_seconds": a.search_seconds, "rxd": a.anchor_rxd,
           "lcores": tr.LCORES[1], "testpmd_warmup_s": 0.5}
    for k, r in results.items():
        r["trial_seconds"] = a.search_seconds
        f = report.search_fields(r)
        f["trial_details"] = [_slim(t) for t in logs[k]]
        f["cmd_example"] = logs[k][-1]["cmd"] if logs[k] else None
        out[k] = f
    t, b = out["testpmd_io"]["ndr_mpps"], out["brigade_pinned_io"]["ndr_mpps"]
    out["ndr_ratio"] = b / t if t and b else None
    return out


def stall_theories(a, probes_summary, log=None):
    """Theory with this run's stalls (and pinned's bursts), per --work spec."""
    out = {}
    if not probes_summary or a.no_stall_theory:
        return out
    for spec in a.dists:
        dist, mean = a.work[spec]
        t0 = time.monotonic()
        out[spec] = qsim.theory_with_stalls(dist, mean, list(a.loads), probes_summary, a.slo,
                                            customers=max(50_000, a.sim_customers // 2))
        if log:
            log(f"theory with stalls {spec}: SLO load pinned-like "
                f"{out[spec]['random']['slo_load']:.3f}, M/G/n {out[spec]['shared']['slo_load']:.3f}"
                f" ({time.monotonic() - t0:.1f} s)")
    return out


def assemble(a, argv, started, theory, points, searches, anchors, probes, reruns,
             theory_stalls=None):
    """The JSON document of a run (also what the tests feed fake trials)."""
    results = {}
    for m in a.models:
        results[m] = {}
        for spec in a.dists:
            dist, mean = a.work[spec]
            results[m][spec] = report.model_result(
                m, spec, dist, mean, tr.THEORY_OF[m], theory.get(dist), points[m][spec], a.slo,
                a.trial_seconds, searches[m].get(spec), capacity_pps=2 / mean,
                theory_stalls=(theory_stalls or {}).get(spec))
            results[m][spec]["min_packets"] = a.min_packets
    doc = {
        "schema": report.SCHEMA,
        "command": " ".join(shlex.quote(x) for x in ["apps/bench/brigade-bench"] + argv),
        "started": started, "wall_s": None,
        "machine": {"cpus": os.cpu_count(), "kernel": platform.release(),
                    "python": platform.python_version()},
        "config": {"models": a.models, "dists": a.dists, "loads": a.loads, "trials": a.trials,
                   "trial_seconds": a.trial_seconds, "min_packets": a.min_packets,
                   "slo_x_mean": a.slo, "no_loss_ratio": report.NO_LOSS,
                   "pdr_loss_ratio": a.pdr_loss, "ndr_loss_ratio": 0.0,
                   "search": {"range_load": a.search_range, "width": a.search_width,
                              "max_trials": a.search_trials, "trial_seconds": a.search_seconds},
                   "lcores": tr.LCORES[1], "flows": 1024, "arrival": "poisson", "fwd": "io",
                   "probe_seconds": a.probe_seconds, "sim_customers": a.sim_customers,
                   "max_foreign_cpu": a.max_foreign_cpu,
                   "model_options": {m: tr.MODELS[m] for m in a.models},
                   "brigade_opts": a.brigade_opts},
        "definitions": {
            "load": "offered packets a second / (2 / mean service time)",
            "loss_ratio": "(imissed + drops other than shutdown) / (rx_packets + imissed)",
            "drop_ratio": "(offered - tx_packets) / offered, offered = rx_packets + imissed "
                          "(counts packets still queued at stop)",
            "slo_load": report.__doc__.split("Definitions")[1].strip(),
            "ndr": "highest offered rate with loss_ratio == 0 (binary search lower bound)",
            "pdr": f"highest offered rate with loss_ratio <= {a.pdr_loss}",
        },
        "theory": theory,
        "theory_stalls": theory_stalls or {},
        "results": results,
        "ratios": report.ratios(results, a.models),
        "anchors": anchors,
        "stalls": {"probes": report.probes_summary(probes),
                   "effect": report.stall_effect(results), "reruns": reruns},
    }
    return doc


def write_all(doc, out):
    paths = report.write_outputs(doc, out)
    paths["svg"] = svgplot.p99_chart(doc, os.path.join(out, "p99_vs_load.svg"))
    paths["svg_slo"] = svgplot.slo_chart(doc, os.path.join(out, "slo_load.svg"))
    return paths


def reanalyze(a):
    import json
    with open(a.reanalyze) as f:
        doc = json.load(f)
    if doc.get("schema") != report.SCHEMA:
        print(f"error: {a.reanalyze}: not a {report.SCHEMA} document", file=sys.stderr)
        return 2
    if not doc.get("theory_stalls") and not a.no_stall_theory and doc["stalls"].get("probes"):
        c = doc["config"]
        a.dists, a.loads, a.slo = c["dists"], c["loads"], c["slo_x_mean"]
        a.work = {d: tr.parse_work(d) for d in a.dists}
        a.sim_customers = c.get("sim_customers") or DEFAULTS["sim_customers"]
        doc["theory_stalls"] = stall_theories(a, doc["stalls"]["probes"], log)
    report.reanalyze(doc, a.max_foreign_cpu)
    paths = write_all(doc, a.out)
    print(report.table(doc))
    print("\nwrote " + ", ".join(paths.values()))
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    a = parse_args(argv)
    if a.reanalyze:
        return reanalyze(a)
    t_start = time.monotonic()
    started = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")

    # the plan, for the ETA
    n_sweep = len(a.dists) * len(a.loads) * a.trials * len(a.models)
    sweep_s = sum(sweep_seconds(a, s, l) for s in a.dists for l in a.loads) * a.trials * \
        len(a.models)
    n_search = 0 if a.no_search else len(a.dists) * len(a.models) * min(a.search_trials, 7)
    n_anchor = 0 if a.no_anchors else 2 * min(a.anchor_trials, 7)
    overhead = 0.5 + 2 * (a.probe_seconds or 0)
    planned = sweep_s + (n_search + n_anchor) * a.search_seconds
    est = planned + overhead * (n_sweep + n_search + n_anchor) + 3 * n_anchor
    log(f"brigade-bench: {len(a.models)} models x {len(a.dists)} distributions x "
        f"{len(a.loads)} loads x {a.trials} trials = {n_sweep} sweep trials, ~{n_search} search "
        f"and ~{n_anchor} anchor trials; about {_hms(est)} (plus theory)")

    # theory first: pure computation, before any timed run
    theory = {}
    for d in dict.fromkeys(tr.parse_work(s)[0] for s in a.dists):
        t0 = time.monotonic()
        theory[d] = qsim.theory(d, THEORY_LOADS, n=2, slo=a.slo, customers=a.sim_customers,
                                seed=1)
        log(f"theory {d}: SLO load n x M/G/1 {theory[d]['random']['slo_load']:.3f}, "
            f"M/G/n {theory[d]['shared']['slo_load']:.3f} ({time.monotonic() - t0:.1f} s)")

    prog = Progress(planned, {"auto": True, "always": "always", "never": False}[a.progress])
    R = Runner(a, prog)
    R.remaining = n_sweep + n_search + n_anchor
    try:
        points = run_sweep(a, R)
        # the sweep is the heart of the run: a failure after it loses only its part
        searches, anchors = {m: {} for m in a.models}, None
        if not a.no_search:
            try:
                searches = run_searches(a, R)
            except bl.RunError as e:
                log(f"error in the NDR/PDR searches, reported without them: {e}")
        if not a.no_anchors:
            try:
                anchors = run_anchors(a, R)
            except bl.RunError as e:
                log(f"error in the anchors, reported without them: {e}")
    except bl.RunError as e:
        Progress.clear()
        print(f"error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        Progress.clear()
        print("interrupted", file=sys.stderr)
        return 130
    Progress.clear()

    tst = stall_theories(a, report.probes_summary(R.probes), log)
    doc = assemble(a, argv, started, theory, points, searches, anchors, R.probes, R.reruns, tst)
    doc["wall_s"] = time.monotonic() - t_start
    doc["waited_s"] = R.waited
    paths = write_all(doc, a.out)
    print(report.table(doc))
    print(f"\nwall time {_hms(doc['wall_s'])} ({_hms(R.waited)} of it waiting for other "
          f"processes); wrote " + ", ".join(paths.values()))
    return 0
