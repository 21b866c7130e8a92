"""What brigade's benchmark scripts share: running brigade and dpdk-testpmd for a
fixed time, reading what they report, and the numbers around it.

Benchmarks print figures; they are not tests. On a shared 2-CPU machine figures
drift between runs: the scripts interleave what they compare and take medians.
"""
import contextlib
import fcntl
import json
import os
import re
import statistics
import subprocess
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BRIGADE = os.path.join(REPO, "build/apps/brigade/brigade")
BGEN_SO = os.path.join(REPO, "build/dataplane/net_bgen/librte_net_bgen.so")
TESTPMD = "dpdk-testpmd"

TESTPMD_MODE = re.compile(r"^\s*(\S+) packet forwarding - ports=\d+ - cores=(\d+)", re.M)
TESTPMD_BLOCK = "Port statistics ===="
TESTPMD_PORT = re.compile(r"#+ NIC statistics for port (\d+)\s+#+(.*?)(?=#+ NIC statistics|\Z)", re.S)
TESTPMD_RXPPS = re.compile(r"Rx-pps:\s+(\d+)")
TESTPMD_TXPPS = re.compile(r"Tx-pps:\s+(\d+)")


LOCK_PATH = os.environ.get("BRIGADE_BENCH_LOCK", "/tmp/brigade-bench.lock")


@contextlib.contextmanager
def machine_lock():
    """Hold the machine for one timed run: every benchmark run through this
    module takes the same lock file, so two benchmarks started at once take
    turns instead of measuring each other."""
    with open(LOCK_PATH, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def run_locked(cmd, **kw):
    """subprocess.run(cmd, **kw) while holding the machine lock."""
    with machine_lock():
        return subprocess.run(cmd, **kw)


class RunError(Exception):
    """A run failed; the message carries the tail of the tool's output."""


def tail(text, lines=15):
    return "\n".join("    | " + l for l in text.rstrip().splitlines()[-lines:])


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def ratio(a, b):
    return a / b if a is not None and b else None


def fmt(v, spec):
    """v formatted with spec, or a dash as wide when v is None."""
    return format(v, spec) if v is not None else format("-", ">" + spec.split(".")[0])


def run_brigade(eal, opts, seconds, brigade=BRIGADE, startup=10, check_conserved=True):
    """Run brigade with EAL arguments eal and options opts for `seconds` (it is
    given --duration and --json); return (summary as a dict, output).
    Raises RunError when it fails, its JSON is missing, or conservation failed."""
    with tempfile.TemporaryDirectory(prefix="brigade-bench.") as tmp:
        jpath = os.path.join(tmp, "summary.json")
        cmd = [brigade] + eal + ["--"] + opts + ["--duration", str(seconds), "--json", jpath]
        try:
            p = run_locked(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True,
                           timeout=seconds + startup + 20)
        except subprocess.TimeoutExpired as e:
            raise RunError(f"brigade: no exit after {e.timeout} s: {' '.join(cmd)}")
        out = p.stdout
        try:
            with open(jpath) as f:
                summary = json.load(f)
        except (OSError, ValueError) as e:
            raise RunError(f"brigade: no JSON summary ({e}), exit {p.returncode}: "
                           f"{' '.join(cmd)}\n{tail(out)}")
        if check_conserved and summary.get("conserved") is not True:
            raise RunError(f"brigade: conservation failed: {' '.join(cmd)}\n{tail(out)}")
        if p.returncode != 0 and check_conserved:
            raise RunError(f"brigade: exit status {p.returncode}: {' '.join(cmd)}\n{tail(out)}")
    return summary, out


def run_testpmd(eal, opts, seconds, mode, testpmd=TESTPMD, startup=8):
    """Run testpmd for `seconds` of forwarding in `mode` on one core, stats every
    second; return ([per-period {port: (rx_pps, tx_pps)}], output). The first
    display (a baseline with no rate) is dropped, and so is the ramp period."""
    cmd = ["timeout", "-s", "INT", str(seconds + startup), testpmd] + eal + [
        "--", f"--forward-mode={mode}", "--stats-period", "1"] + opts
    try:
        p = run_locked(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=seconds + startup + 20)
    except subprocess.TimeoutExpired as e:
        raise RunError(f"testpmd: no exit after {e.timeout} s")
    out = p.stdout
    if p.returncode not in (0, 124):       # 124: timeout sent SIGINT, a clean exit
        raise RunError(f"testpmd: exit status {p.returncode}: {' '.join(cmd)}\n{tail(out)}")
    m = TESTPMD_MODE.search(out)
    if not m or m.group(1) != mode:
        raise RunError(f"testpmd: did not start '{mode}' forwarding: {' '.join(cmd)}\n{tail(out)}")
    periods = []
    for block in out.split(TESTPMD_BLOCK)[1:]:
        per_port = {}
        for port, body in TESTPMD_PORT.findall(block):
            rx = TESTPMD_RXPPS.search(body)
            tx = TESTPMD_TXPPS.search(body)
            if rx and tx:
                per_port[int(port)] = (int(rx.group(1)), int(tx.group(1)))
        if per_port:
            periods.append(per_port)
    # Display 0 is the baseline; then one ramp period; keep seconds-1 like brigade.
    steady = periods[2:seconds + 1]
    if not steady:
        raise RunError(f"testpmd: {len(periods)} stats displays, too few\n{tail(out)}")
    return steady, out


def testpmd_rate(periods, direction="rx"):
    """Median over periods of the packets per second summed over ports, Mpps."""
    k = 0 if direction == "rx" else 1
    return statistics.median(sum(v[k] for v in per.values()) for per in periods) / 1e6


def brigade_rx_mpps(summary):
    return summary["rx_packets"] / summary["duration_s"] / 1e6 if summary["duration_s"] else None


def brigade_tx_mpps(summary):
    return summary["tx_packets"] / summary["duration_s"] / 1e6 if summary["duration_s"] else None
