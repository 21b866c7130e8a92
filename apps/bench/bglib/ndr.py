"""NDR and PDR by binary search on the offered rate, as RFC 2544 and FD.io
CSIT's MLRsearch do.

One search finds both rates at once from the same trials (as MLRsearch does):
every trial's loss ratio is checked against both criteria, NDR (no drop:
loss ratio 0, or at most `ndr_loss`) and PDR (partial drop: loss ratio at most
`pdr_loss`, 0.5% by default). For each criterion the search keeps two bounds:

  lower: the highest rate tried that met it (below the upper bound),
  upper: the lowest rate tried that did not.

It starts with a trial at `max_rate`. When that fails, the next trial is at
what was forwarded (max_rate x (1 - loss)), MLRsearch's first guess; then it
halves the interval of the criterion that is not narrow enough yet (NDR
first), until upper - lower <= width x upper for both, or `max_trials`. A
criterion never met between `min_rate` and the top has lower = None; one met
at `max_rate` has upper = None (the search did not find the limit).

The search is a plain object driven by its caller (next_rate, then record),
so that several searches (one per model) can run in step, their trials
interleaved, and a test can drive it with a fake trial.
"""


class Bounds:
    def __init__(self):
        self.lower = None      # (rate, loss) of the highest passing trial
        self.upper = None      # (rate, loss) of the lowest failing trial

    def record(self, rate, loss, ok):
        if ok:
            if (self.upper is None or rate < self.upper[0]) and \
                    (self.lower is None or rate > self.lower[0]):
                self.lower = (rate, loss)
        else:
            if self.upper is None or rate < self.upper[0]:
                self.upper = (rate, loss)
                # a pass above a fail contradicts it: the noise won; keep
                # the fail (conservative) and drop the pass above it
                if self.lower is not None and self.lower[0] >= rate:
                    self.lower = None

    def width(self):
        if self.lower is None or self.upper is None:
            return None
        return (self.upper[0] - self.lower[0]) / self.upper[0]

    def as_dict(self):
        return {"lower_rate": self.lower[0] if self.lower else None,
                "lower_loss": self.lower[1] if self.lower else None,
                "upper_rate": self.upper[0] if self.upper else None,
                "upper_loss": self.upper[1] if self.upper else None,
                "rel_width": self.width()}


class Search:
    """NDR and PDR search between min_rate and max_rate (any unit: the caller's)."""

    def __init__(self, min_rate, max_rate, width=0.02, max_trials=12, ndr_loss=0.0,
                 pdr_loss=0.005, resolution=None):
        if not 0 < min_rate < max_rate:
            raise ValueError("need 0 < min_rate < max_rate")
        self.min_rate, self.max_rate = float(min_rate), float(max_rate)
        self.width, self.max_trials = width, max_trials
        self.crit = {"ndr": ndr_loss, "pdr": pdr_loss}
        self.bounds = {"ndr": Bounds(), "pdr": Bounds()}
        self.trials = []              # (rate, loss) in the order run
        self.resolution = resolution  # smallest rate step worth a trial (e.g. 1 pps)
        self._next = self.max_rate

    def _narrow(self, name):
        b = self.bounds[name]
        lo = b.lower[0] if b.lower else None
        hi = b.upper[0] if b.upper else None
        if hi is None:
            return lo is not None and lo >= self.max_rate      # passes at the top
        if lo is None:
            return hi <= self.min_rate                         # fails at the bottom
        if self.resolution and hi - lo <= self.resolution:
            return True
        return (hi - lo) <= self.width * hi

    def done(self):
        return len(self.trials) >= self.max_trials or all(self._narrow(n) for n in self.crit)

    def next_rate(self):
        """The rate of the next trial, or None when the search is over."""
        if self.done():
            return None
        if self._next is not None:
            return self._next
        for name in ("ndr", "pdr"):
            if self._narrow(name):
                continue
            b = self.bounds[name]
            hi = b.upper[0] if b.upper else self.max_rate
            if b.lower is not None:
                return 0.5 * (b.lower[0] + hi)
            # nothing met it yet: halve towards min_rate, then try min_rate itself
            if hi - self.min_rate <= self.width * hi:
                return self.min_rate
            return 0.5 * (self.min_rate + hi)
        return None

    def record(self, rate, loss):
        """The result of a trial at rate: its loss ratio (0..1)."""
        self.trials.append((rate, loss))
        for name, limit in self.crit.items():
            self.bounds[name].record(rate, loss, loss <= limit)
        self._next = None
        if len(self.trials) == 1 and loss > 0:
            # MLRsearch's first guess: what the device forwarded at the top
            guess = rate * (1.0 - loss)
            if self.min_rate < guess < rate:
                self._next = guess

    def result(self):
        """{"ndr": rate or None, "pdr": ..., "bounds": {...}, "trials": [...]}:
        each rate is the criterion's lower bound (the highest rate that met
        it); None when no trial met it."""
        out = {"trials": [{"rate": r, "loss": l} for r, l in self.trials],
               "bounds": {n: b.as_dict() for n, b in self.bounds.items()},
               "width_goal": self.width, "criteria": dict(self.crit)}
        for n, b in self.bounds.items():
            out[n] = b.lower[0] if b.lower else None
        return out


def run_search(search, trial):
    """Drive one search with trial(rate) -> loss ratio; returns its result."""
    while True:
        r = search.next_rate()
        if r is None:
            return search.result()
        search.record(r, trial(r))


def run_in_step(searches, trial):
    """Drive several searches in step: one trial of each in turn (A B A B),
    trial(key, rate) -> loss ratio. searches: {key: Search}."""
    while True:
        pending = [(k, s.next_rate()) for k, s in searches.items()]
        pending = [(k, r) for k, r in pending if r is not None]
        if not pending:
            return {k: s.result() for k, s in searches.items()}
        for k, r in pending:
            searches[k].record(r, trial(k, r))
