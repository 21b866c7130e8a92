"""Queueing theory for the scheduling experiment, by discrete-event simulation.

Two ways to serve Poisson arrivals on n servers, each customer's service time
drawn from the same distribution (mean 1: times are in units of the mean
service time):

  - "random": n independent M/G/1 FCFS queues, each arrival sent to a server
    picked at random (by weight, even by default). This is `pinned` fed by
    RSS: a worker serves its own RX queues in order, whatever the others do.
  - "shared": one M/G/n FCFS queue, the customer at its head served by the
    first server to become free. This is ideal migration: no server idles
    while someone waits.

Load rho is the offered work per server: arrival rate x mean / n. Both are
simulated with the same pre-drawn random numbers for every rho (common random
numbers: the inter-arrival times are scaled, nothing else changes), so a
customer's sojourn time never decreases as rho grows, the simulated p99 is
monotone in rho and the SLO load can be found by bisection.

The sojourn time of a customer arriving at time T is max(T, f) + s - T, where
f is the time its server becomes free (its own server's for "random", the
earliest of all for "shared": Kiefer and Wolfowitz's recursion).

Pure Python (no numpy here): about 0.3 us a customer.
"""
import heapq
import math
import random

DISTS = ("exp", "bimodal1", "bimodal2", "fixed")
MODELS = ("random", "shared")
MODEL_NAMES = {"random": "n x M/G/1 (random assignment)", "shared": "M/G/n (one FCFS queue)"}

# Reference SLO loads (n=2, p99 <= 10x the mean), from the literature (ZygOS
# and Shinjuku's model): what this simulation must reproduce within ~0.02.
REFERENCE_SLO_LOAD = {
    ("exp", "random"): 0.54, ("exp", "shared"): 0.76,
    ("bimodal1", "random"): 0.30, ("bimodal1", "shared"): 0.61,
    ("fixed", "random"): 0.76, ("fixed", "shared"): 0.88,
}


def draw_services(dist, n, rng):
    """n service times of mean 1 from dist, as brigade's --work draws them:
    fixed 1; exp exponential; bimodal1 0.5 w.p. 0.9, 5.5 w.p. 0.1;
    bimodal2 0.5 w.p. 0.999, 500.5 w.p. 0.001."""
    if dist == "fixed":
        return [1.0] * n
    if dist == "exp":
        ev = rng.expovariate
        return [ev(1.0) for _ in range(n)]
    if dist in ("bimodal1", "bimodal2"):
        p, hi = (0.1, 5.5) if dist == "bimodal1" else (0.001, 500.5)
        r = rng.random
        return [hi if r() < p else 0.5 for _ in range(n)]
    raise ValueError(f"unknown distribution {dist!r} (one of {', '.join(DISTS)})")


class Workload:
    """Pre-drawn random numbers for `customers` arrivals: unit-mean
    exponential inter-arrival gaps, service times of mean 1, and each
    arrival's uniform draw in [0, 1) for picking a server at random."""

    def __init__(self, dist, customers=400_000, seed=1):
        if customers < 1000:
            raise ValueError("customers: at least 1000")
        rng = random.Random(f"{dist}:{seed}")
        self.dist, self.customers, self.seed = dist, customers, seed
        ev = rng.expovariate
        self.gaps = [ev(1.0) for _ in range(customers)]
        self.services = draw_services(dist, customers, rng)
        r = rng.random
        self.picks = [r() for _ in range(customers)]


def _arrivals(wl, rho, n):
    """Arrival times at load rho per server: total rate n x rho (mean 1 each)."""
    if not 0 < rho:
        raise ValueError("rho must be > 0")
    scale = 1.0 / (n * rho)
    t = 0.0
    out = []
    ap = out.append
    for g in wl.gaps:
        t += g * scale
        ap(t)
    return out


def sojourn_random(wl, rho, n=2, weights=None):
    """Sojourn times under n independent FCFS servers, each arrival sent to
    server i with probability weights[i] (even by default)."""
    if weights is None:
        weights = [1.0 / n] * n
    if len(weights) != n or any(w < 0 for w in weights) or not sum(weights) > 0:
        raise ValueError("weights: n non-negative numbers, not all zero")
    total = float(sum(weights))
    edges, acc = [], 0.0
    for w in weights[:-1]:
        acc += w / total
        edges.append(acc)
    free = [0.0] * n
    out = []
    ap = out.append
    if n == 2:
        e0 = edges[0]
        f0 = f1 = 0.0
        for t, s, u in zip(_arrivals(wl, rho, n), wl.services, wl.picks):
            if u < e0:
                f0 = (f0 if f0 > t else t) + s
                ap(f0 - t)
            else:
                f1 = (f1 if f1 > t else t) + s
                ap(f1 - t)
        return out
    for t, s, u in zip(_arrivals(wl, rho, n), wl.services, wl.picks):
        i = 0
        while i < n - 1 and u >= edges[i]:
            i += 1
        f = free[i]
        f = (f if f > t else t) + s
        free[i] = f
        ap(f - t)
    return out


def sojourn_shared(wl, rho, n=2):
    """Sojourn times in one FCFS queue served by n servers (M/G/n)."""
    out = []
    ap = out.append
    if n == 1:
        f = 0.0
        for t, s in zip(_arrivals(wl, rho, n), wl.services):
            f = (f if f > t else t) + s
            ap(f - t)
        return out
    if n == 2:
        lo = hi = 0.0                      # the two servers' free times, lo <= hi
        for t, s in zip(_arrivals(wl, rho, n), wl.services):
            f = (lo if lo > t else t) + s
            ap(f - t)
            if f > hi:
                lo, hi = hi, f
            else:
                lo = f
        return out
    free = [0.0] * n                       # a heap of free times
    for t, s in zip(_arrivals(wl, rho, n), wl.services):
        f0 = free[0]
        f = (f0 if f0 > t else t) + s
        heapq.heapreplace(free, f)
        ap(f - t)
    return out


def sojourns(model, wl, rho, n=2, weights=None):
    if model == "random":
        return sojourn_random(wl, rho, n, weights)
    if model == "shared":
        return sojourn_shared(wl, rho, n)
    raise ValueError(f"unknown model {model!r} (one of {', '.join(MODELS)})")


def warm(values, frac=0.01):
    """Values without the first frac of them (the queue starts empty)."""
    return values[int(len(values) * frac):]


def quantile(values, q):
    """The q-quantile of values (the order statistic at ceil(q x len) - 1);
    for q near 1, without sorting everything."""
    m = len(values)
    if m == 0:
        raise ValueError("quantile of nothing")
    k = max(1, m - math.ceil(q * m) + 1)     # rank from the top
    if k <= m // 4:
        return heapq.nlargest(k, values)[-1]
    return sorted(values)[m - k]


def percentile_at(model, wl, rho, n=2, q=0.99, weights=None):
    """The q-quantile of the sojourn time at load rho, in units of the mean."""
    return quantile(warm(sojourns(model, wl, rho, n, weights)), q)


def mean_wait(model, wl, rho, n=2):
    """Mean waiting time (sojourn less service) at load rho."""
    soj = sojourns(model, wl, rho, n)
    k = int(len(soj) * 0.01)
    return sum(soj[k:]) / (len(soj) - k) - sum(wl.services[k:]) / (len(soj) - k)


def slo_load(model, wl, n=2, slo=10.0, q=0.99, tol=0.002, lo=0.01, hi=0.995, weights=None):
    """The highest rho whose q-quantile sojourn stays <= slo (units of the
    mean), by bisection to within tol. Returns (rho, evaluations)."""
    evals = 0
    if percentile_at(model, wl, lo, n, q, weights) > slo:
        return 0.0, 1
    if percentile_at(model, wl, hi, n, q, weights) <= slo:
        return hi, 2
    evals = 2
    while hi - lo > tol:
        mid = 0.5 * (lo + hi)
        evals += 1
        if percentile_at(model, wl, mid, n, q, weights) <= slo:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi), evals


def curve(model, wl, rhos, n=2, qs=(0.5, 0.99, 0.999), weights=None):
    """For each rho, {q: quantile} of the sojourn time (units of the mean)."""
    out = []
    for rho in rhos:
        soj = warm(sojourns(model, wl, rho, n, weights))
        out.append({q: quantile(soj, q) for q in qs})
    return out


def theory(dist, rhos, n=2, slo=10.0, q=0.99, customers=400_000, seed=1, tol=0.002):
    """Everything the benchmark draws and prints for one distribution:
    {"random"/"shared": {"slo_load": rho, "p50"/"p99"/"p999": [over rhos]}},
    times in units of the mean service time."""
    wl = Workload(dist, customers, seed)
    res = {"dist": dist, "n": n, "slo_x_mean": slo, "quantile": q, "customers": customers,
           "seed": seed, "loads": list(rhos)}
    for model in MODELS:
        pts = curve(model, wl, rhos, n, (0.5, q, 0.999))
        load, _ = slo_load(model, wl, n, slo, q, tol)
        res[model] = {"slo_load": load, "p50": [p[0.5] for p in pts],
                      "p99": [p[q] for p in pts], "p999": [p[0.999] for p in pts]}
    return res


# ---- what the ideal models leave out: bursts and stalls ----
#
# Two things the textbook queues do not have and a polling data plane does:
# - bursts: a pinned worker takes what its RX queues hold (up to a burst),
#   serves it back to back and transmits it as one burst, so a packet leaves
#   when the last of its burst is served, not when it is;
# - stalls: the machine takes a worker's CPU away now and then (interrupts,
#   the hypervisor, another thread); a stalled pinned worker's queue waits,
#   while under migration the other worker takes its queued packets.
# These versions add both, to tell how much of a measured gap to theory each
# explains. Stalls are given per server as a sorted list of (start, length),
# in units of the mean service time.

def stall_schedule(rate, lengths, horizon, n, seed=1):
    """Per server, stalls arriving as a Poisson process of `rate` (per unit
    time) up to `horizon`, each lasting a length drawn from `lengths` (a
    list to sample from). Returns [[(start, length), ...] per server]."""
    rng = random.Random(f"stalls:{seed}")
    out = []
    for _ in range(n):
        t, s = 0.0, []
        if rate > 0 and lengths:
            while True:
                t += rng.expovariate(rate)
                if t > horizon:
                    break
                s.append((t, rng.choice(lengths)))
        out.append(s)
    return out


class _Stalls:
    """One server's stalls, consumed in time order."""

    def __init__(self, stalls):
        self.s = stalls or []
        self.i = 0

    def start(self, t):
        """The first moment at or after t that the server is not stalled."""
        s, i = self.s, self.i
        while i < len(s) and s[i][0] + s[i][1] <= t:
            i += 1
        self.i = i
        while i < len(s) and s[i][0] <= t:
            t = max(t, s[i][0] + s[i][1])
            i += 1
        return t

    def finish(self, t, work):
        """When `work` started at t ends, stalls that begin meanwhile added."""
        end = t + work
        s, i = self.s, self.i
        while i < len(s) and s[i][0] <= t:
            i += 1
        while i < len(s) and s[i][0] < end:
            end += s[i][1]
            i += 1
        return end


def sojourn_random_polled(wl, rho, n=2, burst=32, batch=True, stalls=None):
    """n x M/G/1 with random assignment as a polling worker runs it: when
    free, a server takes what has arrived (at most `burst`), serves it back
    to back and, with `batch`, all of it leaves when the last is served.
    With stalls (per server, see stall_schedule) the server is away meanwhile."""
    edges, acc = [], 0.0
    for _ in range(n - 1):
        acc += 1.0 / n
        edges.append(acc)
    queues = [[] for _ in range(n)]           # per server: (arrival, service)
    for t, s, u in zip(_arrivals(wl, rho, n), wl.services, wl.picks):
        i = 0
        while i < n - 1 and u >= edges[i]:
            i += 1
        queues[i].append((t, s))
    out = []
    for j, q in enumerate(queues):
        st = _Stalls(stalls[j] if stalls else None)
        free = 0.0
        k = 0
        m = len(q)
        while k < m:
            t0 = q[k][0]
            start = st.start(t0 if t0 > free else free)
            # everything arrived by `start`, up to a burst
            e = k
            while e < m and e - k < burst and q[e][0] <= start:
                e += 1
            if batch:
                end = st.finish(start, sum(q[x][1] for x in range(k, e)))
                for x in range(k, e):
                    out.append(end - q[x][0])
            else:
                end = start
                for x in range(k, e):
                    end = st.finish(end, q[x][1])
                    out.append(end - q[x][0])
            free = end
            k = e
    return out


def sojourn_shared_stalls(wl, rho, n=2, stalls=None):
    """M/G/n FCFS where each server is away during its stalls: the customer
    at the head goes to the server that can start it first; a customer in
    service on a server that stalls waits for it (it is not taken back)."""
    free = [0.0] * n
    st = [_Stalls(stalls[j] if stalls else None) for j in range(n)]
    out = []
    ap = out.append
    for t, s in zip(_arrivals(wl, rho, n), wl.services):
        best, bj = None, 0
        for j in range(n):
            f = free[j]
            b = st[j].start(f if f > t else t)
            if best is None or b < best:
                best, bj = b, j
        end = st[bj].finish(best, s)
        free[bj] = end
        ap(end - t)
    return out


def stall_lengths(probes, samples=20000, seed=3):
    """(rate per second, [lengths in seconds]) of the stalls the run's probes
    saw (report.probes_summary): from their histogram of stall lengths when
    present (each band's stalls as long as their mean there), else from the
    counts above 10, 50 and 200 us (lengths drawn log-uniformly within each
    band, 200 us to 4 ms above 200 us: a 250 Hz scheduler tick is the longest
    seen on a quiet machine)."""
    rng = random.Random(seed)

    def lu(a, b):
        return a if a == b else math.exp(rng.uniform(math.log(a), math.log(b)))
    bands = []
    if probes.get("mean_per_s_by_length") and probes.get("mean_us_per_s_by_length"):
        for r, us in zip(probes["mean_per_s_by_length"], probes["mean_us_per_s_by_length"]):
            if r > 0:
                m = us / r * 1e-6
                bands.append((r, m, m))
    else:
        r10 = probes.get("median_per_s_over_10us") or 0
        r50 = probes.get("median_per_s_over_50us") or 0
        r200 = probes.get("median_per_s_over_200us") or 0
        bands = [(r10 - r50, 10e-6, 50e-6), (r50 - r200, 50e-6, 200e-6), (r200, 200e-6, 4e-3)]
        bands = [b for b in bands if b[0] > 0]
    rate = sum(b[0] for b in bands)
    if rate <= 0:
        return 0.0, []
    out = []
    for _ in range(samples):
        u = rng.random() * rate
        for r, a, b in bands:
            if u < r:
                out.append(lu(a, b))
                break
            u -= r
        else:
            out.append(lu(bands[-1][1], bands[-1][2]))
    return rate, out


def theory_with_stalls(dist, mean_s, loads, probes, slo=10.0, q=0.99, customers=200_000,
                       seed=1, burst=32, tol=0.01):
    """The two models with what a polling worker on this machine adds:
    pinned as n x M/G/1 served in bursts (a packet leaves with its burst) with
    each server stalled as the probes saw; migration as M/G/n whose servers
    stall the same way. p99 in us at each load, and each SLO load."""
    rate, lengths = stall_lengths(probes)
    wl = Workload(dist, customers, seed)
    lu = [x / mean_s for x in lengths]
    horizon = customers / (2 * min(loads + [0.05])) * 1.2
    st = stall_schedule(rate * mean_s, lu, horizon, 2, seed)

    def p99(kind, rho):
        if kind == "random":
            v = sojourn_random_polled(wl, rho, 2, burst, True, st)
        else:
            v = sojourn_shared_stalls(wl, rho, 2, st)
        return quantile(warm(v), q)
    res = {"stall_rate_per_s": rate,
           "stall_mean_us": 1e6 * sum(lengths) / len(lengths) if lengths else 0.0,
           "lost_share": rate * sum(lengths) / len(lengths) if lengths else 0.0,
           "loads": list(loads), "burst": burst, "customers": customers}
    for kind in MODELS:
        curve_us = [p99(kind, r) * mean_s * 1e6 for r in loads]
        lo, hi = 0.01, 0.99
        if p99(kind, lo) > slo:
            load = 0.0
        else:
            while hi - lo > tol:
                mid = 0.5 * (lo + hi)
                if p99(kind, mid) <= slo:
                    lo = mid
                else:
                    hi = mid
            load = 0.5 * (lo + hi)
        res[kind] = {"p99_us": curve_us, "slo_load": load}
    return res
