"""The machine's noise, measured beside the trials.

- probe(): a busy loop pinned to each CPU (one process per CPU, at once) reads
  the clock as fast as it can for a while and records every gap between two
  reads longer than a threshold: the times the thread did not run (the
  hypervisor, interrupts, other processes). Python's loop reads the clock
  about every 0.1 us, so gaps of a few us and more are seen; the probe
  reports its own typical gap as its resolution.
- CpuTimes: /proc/stat around a trial, for the CPU time stolen by the
  hypervisor (steal) and the CPU time of processes other than the trial's own
  (all non-idle time less the children's, from getrusage).
- others(): other brigade / DPDK / test processes on the machine, which a
  timed run must not overlap.
"""
import json
import os
import resource
import subprocess
import sys
import time

THRESHOLDS_US = (10, 50, 200)
# stall lengths by bucket (us): what the theory-with-stalls draws from
LENGTH_EDGES_US = (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 100000)


def _busy_loop(seconds, cpu, start_at=None):
    """Runs in a child process: spin, reading the clock; report gaps. With
    start_at (a time.monotonic_ns() value), measure from then on only, so
    that no probe measures the start-up of another."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    pc = time.perf_counter_ns
    if start_at is not None:
        while time.monotonic_ns() < start_at:
            pass
    thr = THRESHOLDS_US[0] * 1000
    gaps = []
    loops = 0
    start = last = pc()
    end = start + int(seconds * 1e9)
    while last < end:
        now = pc()
        if now - last > thr:
            gaps.append(now - last)
        last = now
        loops += 1
    span = last - start
    return {"cpu": cpu, "seconds": span / 1e9, "loops": loops,
            "resolution_ns": span / loops if loops else None, "gaps_ns": gaps}


def summarize(runs):
    """Per CPU and over all: stalls a second above each threshold, the
    longest, and the share of time lost to stalls above the first."""
    def one(gaps, seconds):
        d = {f"per_s_over_{t}us": sum(1 for g in gaps if g > t * 1000) / seconds
             for t in THRESHOLDS_US}
        d["longest_us"] = max(gaps) / 1e3 if gaps else 0.0
        d["lost_share"] = sum(gaps) / 1e9 / seconds
        e = LENGTH_EDGES_US
        d["per_s_by_length"] = [sum(1 for g in gaps if e[i] * 1000 < g <= e[i + 1] * 1000) /
                                seconds for i in range(len(e) - 1)]
        d["us_per_s_by_length"] = [sum(g for g in gaps if e[i] * 1000 < g <= e[i + 1] * 1000) /
                                   1e3 / seconds for i in range(len(e) - 1)]
        return d
    out = {"cpus": {}}
    secs = 0.0
    allg = []
    for r in runs:
        out["cpus"][str(r["cpu"])] = one(r["gaps_ns"], r["seconds"])
        secs += r["seconds"]
        allg += r["gaps_ns"]
    out.update(one(allg, secs) if secs else {})
    out["seconds"] = secs / max(1, len(runs))
    out["resolution_ns"] = max((r["resolution_ns"] or 0) for r in runs) if runs else None
    return out


def probe(seconds=0.5, cpus=None):
    """Run the busy loop on every CPU at once for `seconds`; summarize()."""
    if cpus is None:
        cpus = sorted(os.sched_getaffinity(0))
    # every probe starts measuring at the same moment, once all have started
    start_at = time.monotonic_ns() + 150_000_000
    procs = [subprocess.Popen([sys.executable, os.path.abspath(__file__), str(seconds), str(c),
                               str(start_at)], stdout=subprocess.PIPE, text=True) for c in cpus]
    runs = []
    for p in procs:
        out, _ = p.communicate(timeout=seconds + 30)
        if p.returncode == 0 and out:
            runs.append(json.loads(out))
    return summarize(runs)


class CpuTimes:
    """/proc/stat and the children's rusage, before and after a trial."""

    def __init__(self):
        self.t0 = time.monotonic()
        self.s0 = self._stat()
        self.r0 = resource.getrusage(resource.RUSAGE_CHILDREN)

    @staticmethod
    def _stat():
        try:
            with open("/proc/stat") as f:
                v = [int(x) for x in f.readline().split()[1:]]
        except OSError:
            return None
        # user nice system idle iowait irq softirq steal guest guest_nice
        v += [0] * (10 - len(v))
        return v

    def finish(self):
        """{"steal_share", "foreign_cpu_s", "wall_s"}: the share of all CPUs'
        time the hypervisor took, and CPU seconds used by anything but the
        children reaped meanwhile (the trial's own process)."""
        s1 = self._stat()
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.monotonic() - self.t0
        if self.s0 is None or s1 is None:
            return {"steal_share": None, "foreign_cpu_s": None, "wall_s": wall}
        hz = os.sysconf("SC_CLK_TCK")
        d = [b - a for a, b in zip(self.s0, s1)]
        total = sum(d[:8]) or 1
        busy = (d[0] + d[1] + d[2] + d[5] + d[6]) / hz
        child = (r1.ru_utime - self.r0.ru_utime) + (r1.ru_stime - self.r0.ru_stime)
        return {"steal_share": d[7] / total, "foreign_cpu_s": max(0.0, busy - child),
                "wall_s": wall}


# Names of processes that busy-poll CPUs: brigade, DPDK's tools, our test
# suites and benchmarks.
BUSY_PREFIXES = ("brigade", "dpdk-", "test_", "bench_", "kitchen", "ovs-vswitchd", "meson",
                 "ninja", "cc1", "gcc", "clang", "valgrind")


def others(exclude=()):
    """[(pid, name)] of processes that would compete for the CPUs."""
    found = []
    me = os.getpid()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        pid = int(d)
        if pid == me or pid in exclude:
            continue
        try:
            with open(f"/proc/{d}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        if comm.startswith(BUSY_PREFIXES):
            found.append((pid, comm))
    return found


def wait_quiet(log=None, poll=2.0, max_wait=None):
    """Wait until others() is empty; returns the seconds waited."""
    t0 = time.monotonic()
    said = None
    while True:
        o = others()
        if not o:
            return time.monotonic() - t0
        names = ", ".join(f"{n} ({p})" for p, n in o[:3])
        if log and names != said:
            log(f"waiting for {names} to end")
            said = names
        if max_wait is not None and time.monotonic() - t0 > max_wait:
            return time.monotonic() - t0
        time.sleep(poll)


if __name__ == "__main__":
    secs = float(sys.argv[1]) if len(sys.argv) > 1 else 0.5
    cpu = int(sys.argv[2]) if len(sys.argv) > 2 else None
    at = int(sys.argv[3]) if len(sys.argv) > 3 else None
    print(json.dumps(_busy_loop(secs, cpu, at)))
