/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stages, continued: delay and pace on a synthetic clock.
 *
 * The stages run as the runtime builds them: a chain made by bg_exec_init()
 * from a configuration, in a worker context made here (the "rig"), driven the
 * way the pinned loop drives it. Each poll sets x->now, runs the new frames
 * through the chain in bursts of 32 (RX), then expires the timer wheel and
 * resumes what is due (bg_worker_resume()); what comes out is logged with the
 * poll's time. The stages read time from x->now only, so time here is what
 * the test says: it starts far from the TSC and moves in steps the test picks
 * (random steps of up to a wheel tick, and stalls longer than a wheel turn).
 * Every timing property is then checked exactly, whatever else runs on the
 * machine, and the random choices are seeded, so a run repeats exactly.
 *
 * What a user relies on and what is checked: a delayed packet never leaves
 * early and leaves at the first poll past its deadline's tick (so within a
 * tick, plus the poll's own granularity); jitter stays within +-jitter and
 * spreads packets uniformly over it; pace never sends more than the bucket
 * plus the rate allows, and not later than a tick after that, in packets and
 * in bytes, with the order kept; the queue bound's drops are exact, counted
 * against the waiters of the moment; a packet delayed then paced waits
 * twice, once each; packets still waiting at a stop are counted as shutdown
 * drops, and both pools (mbufs, tasks) come back.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>

#include "dataplane/config.h"
#include "dataplane/counters.h"
#include "dataplane/stage.h"
#include "lcore/runtime.h"
#include "lcore/worker.h"
#include "ring_ports.h"
#include "test_helper.h"
#include "test_stages.h"

#define SIM_T0 ((UINT64_C(1) << 40) + 12345)   /* synthetic start, not the TSC */
#define MAX_POLLS (1u << 20)
#define RIG_BURST 32
#define MIN_LEN 64
#define MAX_LEN 1518

/* What left the chain, in the order it left. */
struct emit_log {
	unsigned n;
	unsigned bad;                  /* wrong port, or not our frame */
	uint32_t seq[MAX_PKTS];
	uint64_t at[MAX_PKTS];         /* x->now when it left */
};

static struct emit_log el;

static void
log_emit(struct bg_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		struct tag tag;

		if (port == 1 && el.n < MAX_PKTS && frame_tag(pkts[i], &tag)) {
			el.seq[el.n] = tag.seq;
			el.at[el.n] = w->x.now;
			el.n++;
		} else {
			el.bad++;
		}
		rte_pktmbuf_free(pkts[i]);
	}
	w->ctr[port].tx += n;
}

/* One worker running the chain cfg makes, on the synthetic clock. */
struct rig {
	struct bg_config cfg;          /* the test fills it before rig_init() */
	struct bg_worker *w;
	struct rte_mempool *mbufs, *tasks;
	uint64_t tick;                 /* the wheel's tick, cycles */
	uint64_t hz;                   /* rte_get_tsc_hz(), as the stages use it */
	uint32_t seq;                  /* the next frame's */
	uint64_t in_at[MAX_PKTS];      /* x->now when frame seq went in */
	uint16_t in_len[MAX_PKTS];
	unsigned nb_polls;
	uint64_t poll_at[MAX_POLLS];   /* every poll's time, in order */
	bool stopped;
};

static struct rig rig;

/* The defaults a rig starts from: no stage, frames from port 0 to port 1. */
static void
rig_config(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	memset(&el, 0, sizeof(el));
	bg_config_defaults(&r->cfg);
	r->cfg.pace_queue = MAX_PKTS;
	r->cfg.dst_port[0] = 1;
}

static int
rig_init(struct rig *r)
{
	struct bg_stage_env env = { .cfg = &r->cfg, .nb_workers = 1, .worker = 0,
				    .socket = (int)rte_socket_id() };
	const unsigned serial = bg_test_serial();
	char name[RTE_MEMPOOL_NAMESIZE];
	struct bg_exec *x;
	int ret;

	snprintf(name, sizeof(name), "sim_m%u", serial);
	r->mbufs = rte_pktmbuf_pool_create(name, MAX_PKTS + 1023, 0, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE, env.socket);
	snprintf(name, sizeof(name), "sim_t%u", serial);
	r->tasks = bg_task_pool_create(name, MAX_PKTS, env.socket);
	r->w = rte_zmalloc("sim_rig", sizeof(*r->w), RTE_CACHE_LINE_SIZE);
	CHECK(r->mbufs != NULL && r->tasks != NULL && r->w != NULL, "pools and a worker");
	if (r->mbufs == NULL || r->tasks == NULL || r->w == NULL)
		return -1;
	r->hz = rte_get_tsc_hz();
	r->w->burst = RIG_BURST;
	bg_await_init(&r->w->await, BG_AWAIT_TICK_NS, SIM_T0);
	r->tick = UINT64_C(1) << r->w->await.tick_shift;
	x = &r->w->x;
	x->ctr = r->w->ctr;
	x->await = &r->w->await;
	x->task_pool = r->tasks;
	x->dst_port = r->cfg.dst_port;
	ret = bg_exec_init(x, &env);
	CHECK(ret == 0, "bg_exec_init: %d", ret);
	return ret == 0 ? 0 : -1;
}

/*
 * One iteration of the pinned loop at time now: n new frames (len bytes
 * each; 0: random lengths MIN_LEN..MAX_LEN) through the chain in bursts of
 * RIG_BURST, then expire and resume.
 */
static void
rig_poll(struct rig *r, uint64_t now, unsigned n, uint16_t len)
{
	struct bg_exec *x = &r->w->x;
	struct rte_mbuf *pkts[RIG_BURST];

	x->now = now;
	if (r->nb_polls < MAX_POLLS)
		r->poll_at[r->nb_polls++] = now;
	while (n != 0) {
		uint16_t k = 0;

		while (k < RIG_BURST && n != 0 && r->seq < MAX_PKTS) {
			uint16_t l = len != 0 ? len :
				     (uint16_t)(MIN_LEN + rte_rand_max(MAX_LEN - MIN_LEN + 1));

			pkts[k] = frame_make(r->mbufs, r->seq, l);
			if (pkts[k] == NULL)
				break;
			r->in_at[r->seq] = now;
			r->in_len[r->seq] = l;
			r->seq++;
			k++;
			n--;
		}
		CHECK(k != 0, "frame %u made", r->seq);
		if (k == 0)
			break;
		r->w->ctr[0].rx += k;
		x->in_port = 0;
		x->out_port = 1;
		k = bg_exec_run(x, 0, pkts, k);
		log_emit(r->w, 1, pkts, k);
	}
	bg_await_expire(&r->w->await, x->now);
	bg_worker_resume(r->w, log_emit);
}

/* Poll every `step` cycles (0: random steps of 1..tick) from `from` while
 * the time is before `until` and fewer than `out` frames left. Returns the
 * time of the next poll. */
static uint64_t
rig_run(struct rig *r, uint64_t from, uint64_t until, unsigned out, uint64_t step)
{
	uint64_t now = from;

	while (now < until && el.n < out) {
		rig_poll(r, now, 0, 0);
		now += step != 0 ? step : 1 + rte_rand_max(r->tick);
	}
	return now;
}

/*
 * A stop: what still waits is freed and counted as shutdown drops, as
 * bg_runtime_stop() does. Then check that nothing is left and the counters
 * add up (rx == tx + drops), and that both pools are back to empty.
 * Returns how many were drained.
 */
static unsigned
rig_stop(struct rig *r)
{
	const struct bg_counters *in = &r->w->ctr[0], *out = &r->w->ctr[1];
	unsigned drained = bg_worker_drain_tasks(r->w);

	r->stopped = true;
	CHECK(r->w->await.timers == 0, "%" PRIu64 " timers left", r->w->await.timers);
	CHECK(in->drop[BG_DROP_SHUTDOWN] == drained, "shutdown drops %" PRIu64 ", drained %u",
	      in->drop[BG_DROP_SHUTDOWN], drained);
	CHECK(in->rx == r->seq, "rx %" PRIu64 " of %u", in->rx, r->seq);
	CHECK(in->rx == out->tx + bg_counters_drops(in) + bg_counters_drops(out),
	      "rx %" PRIu64 " == tx %" PRIu64 " + drops %" PRIu64, in->rx, out->tx,
	      bg_counters_drops(in) + bg_counters_drops(out));
	CHECK(el.bad == 0, "%u frames out on the wrong port or not ours", el.bad);
	CHECK(rte_mempool_in_use_count(r->tasks) == 0, "%u tasks in use",
	      rte_mempool_in_use_count(r->tasks));
	CHECK(rte_mempool_in_use_count(r->mbufs) == 0, "%u mbufs in use",
	      rte_mempool_in_use_count(r->mbufs));
	return drained;
}

static void
rig_free(struct rig *r)
{
	if (r->w != NULL) {
		if (!r->stopped && r->tasks != NULL)
			bg_worker_drain_tasks(r->w);
		bg_exec_fini(&r->w->x);
	}
	rte_free(r->w);
	rte_mempool_free(r->tasks);
	rte_mempool_free(r->mbufs);
	r->w = NULL;
	r->tasks = r->mbufs = NULL;
}

/* The time of the first poll at or after t (UINT64_MAX: none). */
static uint64_t
first_poll_from(const struct rig *r, uint64_t t)
{
	unsigned lo = 0, hi = r->nb_polls;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (r->poll_at[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < r->nb_polls ? r->poll_at[lo] : UINT64_MAX;
}

/* Frames out of sequence: each one after a higher seq. */
static unsigned
out_of_order(void)
{
	unsigned bad = 0;

	for (unsigned i = 1; i < el.n; i++)
		bad += el.seq[i] <= el.seq[i - 1];
	return bad;
}

/* Every frame 0..n-1 out exactly once. */
static void
check_each_once(unsigned n)
{
	static unsigned seen[MAX_PKTS];
	unsigned missing = 0, twice = 0;

	memset(seen, 0, sizeof(seen));
	for (unsigned i = 0; i < el.n; i++)
		if (el.seq[i] < MAX_PKTS)
			seen[el.seq[i]]++;
	for (unsigned s = 0; s < n; s++) {
		missing += seen[s] == 0;
		twice += seen[s] > 1;
	}
	CHECK(el.n == n && missing == 0 && twice == 0, "%u out of %u: %u missing, %u twice",
	      el.n, n, missing, twice);
}

static double
us_of(uint64_t cycles)
{
	return (double)cycles * 1e6 / hz;
}

/* Cycles for us microseconds, as delay_init() computes them. */
static uint64_t
stage_cycles(double us)
{
	const double cycles_per_us = hz / 1e6;

	return (uint64_t)(us * cycles_per_us);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* ---- delay ---- */

/*
 * Offer n frames at random times, about one every `gap` cycles, polling in
 * random steps of up to a tick; with stall_every != 0, about one poll in
 * stall_every is followed by a stall of 5-10 ms (longer than a turn of the
 * wheel). Then poll until every frame is out or `drain` cycles passed.
 * Returns the longest step between polls outside stalls.
 */
static uint64_t
delay_traffic(struct rig *r, unsigned n, uint64_t gap, unsigned stall_every, uint64_t drain)
{
	const uint64_t ms = (uint64_t)(hz / 1000);
	uint64_t now = SIM_T0, next = SIM_T0, max_step = 0;

	while (r->seq < n) {
		unsigned k = 0;
		uint64_t step = 1 + rte_rand_max(r->tick);

		if (now >= next) {
			k = 1 + (unsigned)rte_rand_max(8);
			if (k > n - r->seq)
				k = n - r->seq;
			next = now + rte_rand_max(2 * gap * k);
		}
		rig_poll(r, now, k, 64);
		if (step > max_step)
			max_step = step;
		if (stall_every != 0 && rte_rand_max(stall_every) == 0)
			step = 5 * ms + rte_rand_max(5 * ms);
		now += step;
	}
	rig_run(r, now, now + drain, n, 0);
	return r->tick > max_step ? r->tick : max_step;
}

/*
 * A fixed delay, with stalls: every frame leaves at exactly the first poll
 * past its deadline's tick (deadline = arrival + delay, in the stage's
 * cycles): never early, and within a tick plus a poll step when no stall
 * intervenes. Order kept, each frame once, suspended and resumed once each.
 */
void
test_sim_delay_exact(void)
{
	enum { N = 2000 };
	const double delay_us = 2000;
	uint64_t d, max_step, late_max = 0;
	unsigned early = 0, wrong = 0, within_tick = 0;

	rig_config(&rig);
	rig.cfg.delay_us = delay_us;
	rte_srand(11);
	if (rig_init(&rig) != 0)
		goto out;
	d = stage_cycles(delay_us);
	/* one frame every 20 us; a stall every ~20000 polls */
	max_step = delay_traffic(&rig, N, (uint64_t)(hz / 50000), 20000, (uint64_t)(hz / 10));
	check_each_once(N);
	CHECK(out_of_order() == 0, "%u frames out of order with a fixed delay", out_of_order());
	for (unsigned i = 0; i < el.n; i++) {
		const uint32_t s = el.seq[i];
		const uint64_t deadline = rig.in_at[s] + d;
		const uint64_t expect = first_poll_from(&rig, ((deadline >> rig.w->await.tick_shift) + 1)
						       << rig.w->await.tick_shift);

		early += el.at[i] < deadline;
		wrong += el.at[i] != expect;
		if (el.at[i] >= deadline && el.at[i] - deadline > late_max)
			late_max = el.at[i] - deadline;
		within_tick += el.at[i] >= deadline && el.at[i] - deadline < rig.tick + max_step;
	}
	printf("\n    %u frames, %u polls: %u left within a tick and a step of their deadline, the latest %.1f us after (stalls) ",
	       el.n, rig.nb_polls, within_tick, us_of(late_max));
	CHECK(early == 0, "%u frames left before their delay", early);
	CHECK(wrong == 0, "%u frames did not leave at the first poll past their deadline's tick", wrong);
	/* The test's premise: most frames met no stall, some did. */
	CHECK(within_tick > N / 2 && within_tick < N,
	      "%u of %d within a tick and a step: the stalls should hold back some, not most",
	      within_tick, N);
	CHECK(rig.w->x.suspended == N && rig.w->x.resumed_count == N,
	      "suspended %" PRIu64 ", resumed %" PRIu64, rig.w->x.suspended,
	      rig.w->x.resumed_count);
	CHECK(rig_stop(&rig) == 0, "nothing left waiting");
	CHECK(bg_counters_drops(&rig.w->ctr[0]) == 0, "no drop");
out:
	rig_free(&rig);
}

/*
 * Delay +- jitter, no stalls: every frame's delay is within [delay - jitter,
 * delay + jitter] plus at most a tick and a poll step, and the delays spread
 * uniformly over that range: extremes near both ends, the middle half about
 * jitter wide, the median near the delay. Packets reorder, as with netem.
 */
void
test_sim_delay_jitter(void)
{
	enum { N = 2000 };
	const double delay_us = 2000, jitter_us = 500;
	static uint64_t dl[MAX_PKTS];
	uint64_t d, j, max_step, iqr, median;
	unsigned early = 0, late = 0;

	rig_config(&rig);
	rig.cfg.delay_us = delay_us;
	rig.cfg.jitter_us = jitter_us;
	rte_srand(12);
	if (rig_init(&rig) != 0)
		goto out;
	d = stage_cycles(delay_us);
	j = stage_cycles(jitter_us);
	max_step = delay_traffic(&rig, N, (uint64_t)(hz / 50000), 0, (uint64_t)(hz / 10));
	check_each_once(N);
	for (unsigned i = 0; i < el.n; i++) {
		dl[i] = el.at[i] - rig.in_at[el.seq[i]];
		early += dl[i] < d - j;
		late += dl[i] >= d + j + rig.tick + max_step;
	}
	qsort(dl, el.n, sizeof(dl[0]), cmp_u64);
	iqr = dl[el.n * 3 / 4] - dl[el.n / 4];
	median = dl[el.n / 2];
	printf("\n    %u frames: delay min %.1f, median %.1f, max %.1f us, middle half %.1f us wide; %u out of order ",
	       el.n, us_of(dl[0]), us_of(median), us_of(dl[el.n - 1]), us_of(iqr), out_of_order());
	CHECK(early == 0, "%u frames left before delay - jitter", early);
	CHECK(late == 0, "%u frames left after delay + jitter + a tick and a step", late);
	/* Uniform over 2 x jitter: with 2000 draws the extremes are within
	 * 0.1% of the ends, the quartiles within a few percent of +-jitter/2. */
	CHECK(dl[0] < d - j * 9 / 10 && dl[el.n - 1] > d + j * 9 / 10,
	      "delays span %.1f..%.1f us, want about %.0f..%.0f", us_of(dl[0]),
	      us_of(dl[el.n - 1]), delay_us - jitter_us, delay_us + jitter_us);
	CHECK(iqr > j * 9 / 10 && iqr < j * 11 / 10, "middle half %.1f us wide, want about %.0f",
	      us_of(iqr), jitter_us);
	CHECK(median > d - j / 10 && median < d + j / 10, "median %.1f us, want about %.0f",
	      us_of(median), delay_us);
	CHECK(out_of_order() > 0, "jitter reorders packets (none were)");
	rig_stop(&rig);
out:
	rig_free(&rig);
}

/* A stop while every packet still waits (1 s delay, 10 ms in): all are
 * shutdown drops, nothing was sent, both pools come back. */
void
test_sim_delay_shutdown(void)
{
	enum { N = 100 };
	unsigned drained;

	rig_config(&rig);
	rig.cfg.delay_us = 1e6;
	if (rig_init(&rig) != 0)
		goto out;
	rig_poll(&rig, SIM_T0, N, 64);
	rig_run(&rig, SIM_T0 + 1, SIM_T0 + (uint64_t)(hz / 100), 1, rig.tick);
	CHECK(el.n == 0, "%u left before their delay", el.n);
	CHECK(rig.w->await.timers == N, "%" PRIu64 " waiting", rig.w->await.timers);
	drained = rig_stop(&rig);
	CHECK(drained == N, "%u drained", drained);
	CHECK(rig.w->ctr[0].drop[BG_DROP_SHUTDOWN] == N && rig.w->ctr[1].tx == 0,
	      "shutdown %" PRIu64 ", tx %" PRIu64, rig.w->ctr[0].drop[BG_DROP_SHUTDOWN],
	      rig.w->ctr[1].tx);
	CHECK(bg_counters_drops(&rig.w->ctr[0]) == N, "no other drop");
	CHECK(rig.w->x.suspended == N && rig.w->x.resumed_count == 0,
	      "suspended %" PRIu64 ", resumed %" PRIu64, rig.w->x.suspended,
	      rig.w->x.resumed_count);
out:
	rig_free(&rig);
}

/* ---- pace ---- */

/*
 * The token bucket's promise for frames that all arrived at t0 into a full
 * bucket of `depth` tokens at `rate` tokens a second, a token a packet or a
 * byte: frame i, with cum[i] tokens sent up to and including it, leaves no
 * earlier than the tokens allow, (cum[i] - depth) / rate after t0, and less
 * than a tick and a poll step (plus the stage's rounding, a cycle) after
 * that. Returns frames that broke either bound, printing the first.
 */
static unsigned
check_bucket(const struct rig *r, uint64_t t0, const uint64_t *cum, uint64_t depth,
	     uint64_t rate, uint64_t max_step)
{
	unsigned bad = 0;

	for (unsigned i = 0; i < el.n; i++) {
		const uint64_t owed = cum[i] > depth ? cum[i] - depth : 0;
		/* never early: owed tokens accrued by then */
		const bool early = (unsigned __int128)owed * r->hz >
				   (unsigned __int128)rate * (el.at[i] - t0);
		/* never late: the stage's deadline t0 + owed x hz / rate + 1,
		 * rounded up to a tick, then the next poll */
		const uint64_t due = t0 + (uint64_t)((unsigned __int128)owed * r->hz / rate) + 1;
		const bool late = el.at[i] >= due + r->tick + max_step;

		if ((early || late) && bad++ == 0)
			printf("\n    frame %u (seq %u): left %.3f us after t0, due %.3f us: %s ", i,
			       el.seq[i], us_of(el.at[i] - t0), us_of(due - t0),
			       early ? "early" : "late");
	}
	return bad;
}

/*
 * 20000 packets/s with a bucket of one, 4000 frames offered at once, then
 * polled in random steps of up to a tick: every frame leaves when its token
 * has accrued, within a tick; order kept. In the first 100 ms exactly 2000
 * leave: the bucket's one at once, then one every 50 us, the 1999th at
 * 99.95 ms; the 2000th is due a cycle after 100 ms.
 */
void
test_sim_pace_pps(void)
{
	enum { N = 4000, RATE = 20000 };
	static uint64_t cum[MAX_PKTS];
	uint64_t t100;
	unsigned by100 = 0;

	rig_config(&rig);
	rig.cfg.rate_pps = RATE;
	rig.cfg.burst_pkts = 1;
	rte_srand(21);
	if (rig_init(&rig) != 0)
		goto out;
	rig_poll(&rig, SIM_T0, N, 64);
	CHECK(el.n == 1 && rig.w->x.suspended == N - 1, "%u went at once, %" PRIu64 " wait",
	      el.n, rig.w->x.suspended);
	rig_run(&rig, SIM_T0 + 1, SIM_T0 + (uint64_t)hz, N, 0);
	check_each_once(N);
	CHECK(out_of_order() == 0, "%u frames out of order", out_of_order());
	for (unsigned i = 0; i < el.n; i++)
		cum[i] = i + 1;
	CHECK(check_bucket(&rig, SIM_T0, cum, 1, RATE, rig.tick) == 0,
	      "every frame within its token's time and a tick after");
	t100 = SIM_T0 + (uint64_t)(hz / 10);
	for (unsigned i = 0; i < el.n; i++)
		by100 += el.at[i] <= t100;
	printf("\n    %u out in the first 100 ms (%.0f pps beyond the bucket) ", by100,
	       (by100 - 1) * 10.0);
	CHECK(by100 == RATE / 10, "%u out by 100 ms, want %d", by100, RATE / 10);
	CHECK(bg_counters_drops(&rig.w->ctr[0]) == 0, "no drop");
	rig_stop(&rig);
out:
	rig_free(&rig);
}

/*
 * 80 Mbit/s with a bucket of 1518 bytes, 2000 frames of random lengths
 * (64..1518 bytes) offered at once: every frame leaves when the bytes up to
 * and including it have accrued, within a tick; the bits sent by 100 ms are
 * the bucket plus 8 Mbit, less at most the frame being waited for; order
 * kept.
 */
void
test_sim_pace_mbps(void)
{
	enum { N = 2000, DEPTH = MAX_LEN };
	const double mbps = 80;
	const uint64_t rate = (uint64_t)(mbps * 1e6 / 8);     /* bytes a second */
	static uint64_t cum[MAX_PKTS];
	uint64_t t100, bytes100 = 0, total = 0;
	double ideal;

	rig_config(&rig);
	rig.cfg.rate_mbps = mbps;
	rig.cfg.burst_bytes = DEPTH;
	rte_srand(22);
	if (rig_init(&rig) != 0)
		goto out;
	rig_poll(&rig, SIM_T0, N, 0);
	rig_run(&rig, SIM_T0 + 1, SIM_T0 + (uint64_t)hz, N, 0);
	check_each_once(N);
	CHECK(out_of_order() == 0, "%u frames out of order", out_of_order());
	t100 = SIM_T0 + (uint64_t)(hz / 10);
	for (unsigned i = 0; i < el.n; i++) {
		total += rig.in_len[el.seq[i]];
		cum[i] = total;
		if (el.at[i] <= t100)
			bytes100 = total;
	}
	CHECK(check_bucket(&rig, SIM_T0, cum, DEPTH, rate, rig.tick) == 0,
	      "every frame within its bytes' time and a tick after");
	ideal = DEPTH + (double)rate / 10;
	printf("\n    %" PRIu64 " bytes in %u frames; %" PRIu64 " bytes by 100 ms (%.3f Mbit/s beyond the bucket) ",
	       total, el.n, bytes100, (double)(bytes100 - DEPTH) * 8 * 10 / 1e6);
	CHECK(bytes100 <= ideal && bytes100 + MAX_LEN + rate * 2 * rig.tick / rig.hz >= ideal,
	      "%" PRIu64 " bytes by 100 ms, want %.0f less at most a frame", bytes100, ideal);
	CHECK(bg_counters_drops(&rig.w->ctr[0]) == 0, "no drop");
	rig_stop(&rig);
out:
	rig_free(&rig);
}

/*
 * 1000 packets/s, a bucket of 4, a queue of 100; a burst of 1000 at t0: the
 * bucket's 4 leave at once, 100 wait, the other 896 are pace_queue drops,
 * exactly. By t0 + 50 ms, 49 waiters have left (the 50th is due 1 cycle
 * after); 20 more frames then all find room behind the 51 still waiting and
 * queue after them. A stop at t0 + 80 ms: 83 were sent, 41 still wait and
 * are shutdown drops: 83 + 41 + 896 = 1020 received.
 */
void
test_sim_pace_queue_bound(void)
{
	enum { N = 1000, DEPTH = 4, QUEUE = 100, RATE = 1000, MORE = 20 };
	const uint64_t ms = rte_get_tsc_hz() / 1000;
	unsigned drained;

	rig_config(&rig);
	rig.cfg.rate_pps = RATE;
	rig.cfg.burst_pkts = DEPTH;
	rig.cfg.pace_queue = QUEUE;
	rte_srand(23);
	if (rig_init(&rig) != 0)
		goto out;
	rig_poll(&rig, SIM_T0, N, 64);
	CHECK(el.n == DEPTH, "%u left at once, bucket of %d", el.n, DEPTH);
	CHECK(rig.w->x.suspended == QUEUE, "%" PRIu64 " wait, queue of %d", rig.w->x.suspended,
	      QUEUE);
	CHECK(rig.w->ctr[0].drop[BG_DROP_PACE_QUEUE] == N - DEPTH - QUEUE,
	      "pace_queue drops %" PRIu64 ", want %d", rig.w->ctr[0].drop[BG_DROP_PACE_QUEUE],
	      N - DEPTH - QUEUE);
	/* up to t0 + 50 ms exactly: waiter k (1..100) is due t0 + k ms + 1 */
	rig_run(&rig, SIM_T0 + 1, SIM_T0 + 50 * ms, N, 0);
	rig_poll(&rig, SIM_T0 + 50 * ms, 0, 0);
	CHECK(el.n == DEPTH + 49, "%u out by 50 ms, want %d", el.n, DEPTH + 49);
	rig_poll(&rig, SIM_T0 + 50 * ms, MORE, 64);
	CHECK(rig.w->ctr[0].drop[BG_DROP_PACE_QUEUE] == N - DEPTH - QUEUE,
	      "pace_queue drops %" PRIu64 " after %d more with room for them",
	      rig.w->ctr[0].drop[BG_DROP_PACE_QUEUE], MORE);
	CHECK(rig.w->x.suspended == QUEUE + MORE, "%" PRIu64 " waited", rig.w->x.suspended);
	rig_run(&rig, SIM_T0 + 50 * ms + 1, SIM_T0 + 80 * ms, N, 0);
	rig_poll(&rig, SIM_T0 + 80 * ms, 0, 0);
	CHECK(el.n == DEPTH + 79, "%u out by 80 ms, want %d", el.n, DEPTH + 79);
	CHECK(out_of_order() == 0, "%u out of order", out_of_order());
	for (unsigned i = 0; i < el.n; i++)
		CHECK(el.seq[i] == i, "#%u out is seq %u", i, el.seq[i]);
	drained = rig_stop(&rig);
	CHECK(drained == QUEUE + MORE - 79, "%u drained, want %d", drained, QUEUE + MORE - 79);
	CHECK(rig.w->ctr[1].tx == DEPTH + 79, "tx %" PRIu64, rig.w->ctr[1].tx);
	CHECK(bg_counters_drops(&rig.w->ctr[0]) == N - DEPTH - QUEUE + drained, "no other drop");
out:
	rig_free(&rig);
}

/*
 * delay then pace, the chain the registry builds ("delay>pace"): 1 ms, then
 * 10000 packets/s with a bucket of one. 200 frames at t0 all come out of
 * delay at the same poll, after 1 ms; pace then sends one and queues 199,
 * which leave a token's time apart from that poll on. Each frame waited
 * twice, once in each stage; none left before its delay; order kept.
 */
void
test_sim_delay_then_pace(void)
{
	enum { N = 200, RATE = 10000 };
	static uint64_t cum[MAX_PKTS];
	char names[64];
	uint64_t d;
	unsigned early = 0;

	rig_config(&rig);
	rig.cfg.delay_us = 1000;
	rig.cfg.rate_pps = RATE;
	rig.cfg.burst_pkts = 1;
	rte_srand(24);
	if (rig_init(&rig) != 0)
		goto out;
	bg_exec_chain_names(&rig.w->x, names, sizeof(names));
	CHECK(strcmp(names, "delay>pace") == 0, "chain %s", names);
	d = stage_cycles(1000);
	rig_poll(&rig, SIM_T0, N, 64);
	rig_run(&rig, SIM_T0 + 1, SIM_T0 + (uint64_t)hz, N, 0);
	check_each_once(N);
	CHECK(out_of_order() == 0, "%u frames out of order", out_of_order());
	for (unsigned i = 0; i < el.n; i++) {
		early += el.at[i] < SIM_T0 + d;
		cum[i] = i + 1;
	}
	CHECK(early == 0, "%u left before their delay", early);
	CHECK(el.n != 0 && el.at[0] < SIM_T0 + d + 2 * rig.tick, "the first left %.2f us after t0",
	      el.n != 0 ? us_of(el.at[0] - SIM_T0) : 0.0);
	if (el.n != 0)
		CHECK(check_bucket(&rig, el.at[0], cum, 1, RATE, rig.tick) == 0,
		      "paced from the moment the delay ended");
	CHECK(rig.w->x.suspended == 2 * N - 1 && rig.w->x.resumed_count == 2 * N - 1,
	      "suspended %" PRIu64 ", resumed %" PRIu64 ", want %d each", rig.w->x.suspended,
	      rig.w->x.resumed_count, 2 * N - 1);
	rig_stop(&rig);
out:
	rig_free(&rig);
}

/*
 * The worker stalls (10 ms) while two packets wait for tokens; when it comes
 * back, a new packet arrives in the same loop iteration, before the overdue
 * waiters are resumed. The bucket is full again by then: the new packet must
 * leave right after them, not be held for days.
 */
void
test_pace_stall_with_waiters(void)
{
	const uint64_t t0 = SIM_T0;
	uint64_t ms;

	rig_config(&rig);
	rig.cfg.rate_pps = 1000;
	rig.cfg.burst_pkts = 4;
	rig.cfg.pace_queue = 100;
	if (rig_init(&rig) != 0)
		goto out;
	ms = (uint64_t)(hz / 1000);
	rig_poll(&rig, t0, 6, 64);          /* 4 tokens: 4 go, 2 wait */
	CHECK(el.n == 4, "%u went at once, bucket of 4", el.n);
	CHECK(rig.w->x.suspended == 2, "%" PRIu64 " wait", rig.w->x.suspended);
	rig_poll(&rig, t0 + 10 * ms, 1, 64);
	CHECK(el.n == 6, "the 2 overdue waiters left after the stall (%u out)", el.n);
	rig_run(&rig, t0 + 10 * ms + rig.tick, t0 + 12 * ms + 2 * rig.tick, 7, rig.tick);
	CHECK(el.n == 7, "the packet that came after the stall left within a token's time (%u out of 7)",
	      el.n);
	CHECK(rig.w->await.timers == 0, "%" PRIu64 " still waiting", rig.w->await.timers);
	for (unsigned i = 0; i < el.n; i++)
		CHECK(el.seq[i] == i, "#%u out is seq %u", i, el.seq[i]);
	rig_stop(&rig);
out:
	rig_free(&rig);
}

/*
 * 1 Gbit/s of 64-byte frames with a bucket of ten frames (640 bytes),
 * offered in random bursts of 1..16 frames at 95% of the rate, one loop
 * iteration per tick (RX, then expire and resume, as the pinned loop does),
 * until 4000 frames were offered; then up to 50 ms to drain.
 * Waiters are resumed up to two ticks after their deadline, and new bursts
 * often arrive in that window, when the bucket has credit again: they must
 * still queue behind the waiters and leave in time. Every frame leaves, in
 * order, and the output never exceeds the bucket: by any time t, at most
 * depth + rate x t bytes.
 */
void
test_pace_bursty_synthetic(void)
{
	enum { LEN = 64, DEPTH = 640, N = 4000 };
	const double mbps = 1000, bytes_per_s = mbps * 1e6 / 8;
	const uint64_t t0 = SIM_T0;
	uint64_t now, end;
	unsigned dropped, over = 0;
	uint32_t p_burst;              /* chance of a burst per tick, in 1/2^20 */
	double bytes = 0, worst = 0;

	rig_config(&rig);
	rig.cfg.rate_mbps = mbps;
	rig.cfg.burst_bytes = DEPTH;
	rte_srand(25);
	if (rig_init(&rig) != 0)
		goto out;
	/* 95% of the rate in bursts of 8.5 frames on average */
	p_burst = (uint32_t)(0.95 * bytes_per_s / LEN * (double)rig.tick / hz / 8.5 * (1 << 20));
	end = t0 + (uint64_t)(0.05 * hz);
	for (now = t0; now < end && el.n < N; now += rig.tick) {
		unsigned k = 0;

		if (rig.seq < N && rte_rand_max(1 << 20) < p_burst) {
			k = 1 + (unsigned)rte_rand_max(16);
			if (rig.seq + k > N)
				k = N - rig.seq;
		}
		rig_poll(&rig, now, k, LEN);
	}
	dropped = (unsigned)bg_counters_drops(&rig.w->ctr[0]);
	printf("\n    %u offered in %.1f ms, %u out, %u dropped, %" PRIu64 " still waiting ",
	       rig.seq, (double)(now - t0) * 1e3 / hz, el.n, dropped, rig.w->await.timers);
	CHECK(rig.seq == N, "%u of %d offered", rig.seq, N);
	CHECK(dropped == 0, "%u dropped", dropped);
	check_each_once(rig.seq);
	for (unsigned i = 0; i < el.n; i++) {
		double allowed = DEPTH + bytes_per_s * (double)(el.at[i] - t0) / hz;

		bytes += LEN;
		if (bytes > allowed + 1) {
			over++;
			if (bytes - allowed > worst)
				worst = bytes - allowed;
		}
	}
	CHECK(out_of_order() == 0, "%u frames out of order", out_of_order());
	CHECK(over == 0, "%u frames beyond the bucket, by up to %.0f bytes", over, worst);
	rig_stop(&rig);
out:
	rig_free(&rig);
}
