/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * work: the service-time stage (dataplane/stage_work.h).
 *
 * What a user relies on and what is checked, on the drawn values and on a
 * synthetic clock, never on how long anything took: each distribution has
 * the mean asked for and its shape (fixed: one value; exp: coefficient of
 * variation 1 and the exponential's tail; bimodal: exactly two values, 0.5x
 * and 5.5x or 500.5x the mean, in the stated proportions); the generator is
 * splitmix64, so the same seed gives the same sequence in every run and on
 * every machine, and workers draw different ones; the busy-wait serves a
 * burst's packets back to back from when it starts (or from where the last
 * burst ended, were that later) and stops at the first clock read past the
 * end; the stage sits after fwd and before delay and pace, seeded per
 * worker, and passes every packet on, in order. The one use of the real
 * clock is a lower bound: the stage never returns before the service it
 * drew has elapsed.
 *
 * Tolerances: the draws are seeded, so every figure repeats exactly; the
 * bounds are still set at 4 or more standard errors of the estimate, so
 * that they hold for any seed (bimodal2's mean needs 10^7 draws for that:
 * its coefficient of variation is 15.8).
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dataplane/config.h"
#include "dataplane/fwd.h"
#include "dataplane/stage.h"
#include "dataplane/stage_work.h"
#include "eal_helper.h"
#include "test_helper.h"

#define MEAN 10000.0               /* cycles: rounding is 1/20000 of it */

static const enum bg_work_dist dists[] = {
	BG_WORK_FIXED, BG_WORK_EXP, BG_WORK_BIMODAL1, BG_WORK_BIMODAL2,
};

/* ---- names, set-up ---- */

static void
test_names(void)
{
	static const char *const names[] = { "fixed", "exp", "bimodal1", "bimodal2" };
	static const char *const bad[] = { "", "Fixed", "exp ", "ex", "bimodal", "bimodal3",
					   "uniform", "none" };

	for (unsigned i = 0; i < RTE_DIM(names); i++) {
		CHECK(bg_work_dist_find(names[i]) == dists[i], "%s", names[i]);
		CHECK(bg_work_dist_name(dists[i]) != NULL &&
		      strcmp(bg_work_dist_name(dists[i]), names[i]) == 0, "name of %s", names[i]);
		CHECK(strstr(bg_work_dist_names(), names[i]) != NULL, "%s listed", names[i]);
	}
	for (unsigned i = 0; i < RTE_DIM(bad); i++)
		CHECK(bg_work_dist_find(bad[i]) == BG_WORK_NONE, "'%s' is no distribution", bad[i]);
	CHECK(bg_work_dist_name(BG_WORK_NONE) == NULL, "none has no name");
	CHECK(bg_work_dist_name((enum bg_work_dist)99) == NULL, "99 has no name");
}

static void
test_init_errors(void)
{
	struct bg_work w;

	CHECK(bg_work_init(&w, BG_WORK_NONE, MEAN, 1) == -EINVAL, "none");
	CHECK(bg_work_init(&w, (enum bg_work_dist)99, MEAN, 1) == -EINVAL, "unknown");
	for (unsigned i = 0; i < RTE_DIM(dists); i++) {
		CHECK(bg_work_init(&w, dists[i], -1, 1) == -EINVAL, "negative mean");
		CHECK(bg_work_init(&w, dists[i], NAN, 1) == -EINVAL, "NaN");
		CHECK(bg_work_init(&w, dists[i], INFINITY, 1) == -EINVAL, "infinite");
		CHECK(bg_work_init(&w, dists[i], 0x1.0p53, 1) == -EINVAL, "2^53 cycles");
		CHECK(bg_work_init(&w, dists[i], 0, 1) == 0, "a zero mean is allowed");
		CHECK(bg_work_draw_cycles(&w) == 0, "and draws zero");
		CHECK(bg_work_init(&w, dists[i], MEAN, 1) == 0 && w.dist == dists[i] &&
		      w.serve != NULL, "%s set up", bg_work_dist_name(dists[i]));
	}
}

/* ---- the generator ---- */

/* splitmix64 from seed 1234567: Vigna's reference values. */
static void
test_generator(void)
{
	static const uint64_t ref[] = { 6457827717110365317ull, 3203168211198807973ull,
					9817491932198370423ull };
	struct bg_work w;

	bg_work_init(&w, BG_WORK_EXP, MEAN, 1234567);
	for (unsigned i = 0; i < RTE_DIM(ref); i++) {
		uint64_t v = bg_work_rand(&w);

		CHECK(v == ref[i], "draw %u: %" PRIu64 ", splitmix64 gives %" PRIu64, i, v, ref[i]);
	}
	/* Worker seeds: fixed for ever (runs repeat), distinct per worker and
	 * per --work-seed. */
	CHECK(bg_work_seed(1, 0) == bg_work_seed(1, 0), "a seed is a function");
	CHECK(bg_work_seed(1, 0) != bg_work_seed(1, 1), "workers 0 and 1 differ");
	CHECK(bg_work_seed(1, 0) != bg_work_seed(2, 0), "seeds 1 and 2 differ");
	CHECK(bg_work_seed(0, 0) != 0, "seed 0 is not a zero state");
}

static void
test_same_seed_same_sequence(void)
{
	enum { N = 100000 };

	for (unsigned i = 0; i < RTE_DIM(dists); i++) {
		struct bg_work a, b, c;
		unsigned differ_same = 0, differ_other = 0;

		bg_work_init(&a, dists[i], MEAN, bg_work_seed(7, 0));
		bg_work_init(&b, dists[i], MEAN, bg_work_seed(7, 0));
		bg_work_init(&c, dists[i], MEAN, bg_work_seed(7, 1));
		for (unsigned k = 0; k < N; k++) {
			uint64_t x = bg_work_draw_cycles(&a);

			differ_same += x != bg_work_draw_cycles(&b);
			differ_other += x != bg_work_draw_cycles(&c);
		}
		CHECK(differ_same == 0, "%s: %u of %d draws differ with the same seed",
		      bg_work_dist_name(dists[i]), differ_same, N);
		/* fixed has one value; the others differ on most draws */
		if (dists[i] == BG_WORK_FIXED)
			CHECK(differ_other == 0, "fixed is fixed");
		else
			CHECK(differ_other > (dists[i] == BG_WORK_EXP ? N * 9 / 10 : N / 1000),
			      "%s: another worker's seed differs on %u of %d draws",
			      bg_work_dist_name(dists[i]), differ_other, N);
	}
}

/* ---- the distributions, on drawn values ---- */

struct moments {
	uint64_t n, min, max;
	double mean, sd, cv;
};

static struct moments
draw_moments(struct bg_work *w, uint64_t n, uint64_t *above, const double *thresholds,
	     unsigned nb_thresholds)
{
	struct moments m = { .n = n, .min = UINT64_MAX };
	double sum = 0, sum2 = 0;

	for (unsigned t = 0; t < nb_thresholds; t++)
		above[t] = 0;
	for (uint64_t i = 0; i < n; i++) {
		const uint64_t v = bg_work_draw_cycles(w);

		sum += (double)v;
		sum2 += (double)v * (double)v;
		m.min = v < m.min ? v : m.min;
		m.max = v > m.max ? v : m.max;
		for (unsigned t = 0; t < nb_thresholds; t++)
			above[t] += (double)v > thresholds[t];
	}
	m.mean = sum / (double)n;
	m.sd = sqrt(sum2 / (double)n - m.mean * m.mean);
	m.cv = m.sd / m.mean;
	return m;
}

static void
test_fixed(void)
{
	/* mean -> the one value, rounded to the nearest cycle */
	static const struct { double mean; uint64_t want; } cases[] = {
		{ MEAN, 10000 }, { 209.6, 210 }, { 1000.4, 1000 }, { 1000.5, 1001 }, { 2.1, 2 },
	};

	for (unsigned c = 0; c < RTE_DIM(cases); c++) {
		struct bg_work w;
		struct moments m;
		uint64_t rng;

		bg_work_init(&w, BG_WORK_FIXED, cases[c].mean, 42);
		rng = w.rng;
		m = draw_moments(&w, 1000000, NULL, NULL, 0);
		CHECK(m.min == cases[c].want && m.max == cases[c].want,
		      "mean %.1f: draws %" PRIu64 "..%" PRIu64 ", want %" PRIu64 " every time",
		      cases[c].mean, m.min, m.max, cases[c].want);
		CHECK(w.rng == rng, "fixed draws no random number");
	}
}

static void
test_exp(void)
{
	/* P(X > k x mean) = e^-k */
	static const double k[] = { 0.5, 1, 3, 10 };
	double thr[RTE_DIM(k)];
	uint64_t above[RTE_DIM(k)];
	const uint64_t n = 1000000;
	struct bg_work w;
	struct moments m;

	for (unsigned i = 0; i < RTE_DIM(k); i++)
		thr[i] = k[i] * MEAN;
	bg_work_init(&w, BG_WORK_EXP, MEAN, bg_work_seed(BG_DEFAULT_WORK_SEED, 0));
	m = draw_moments(&w, n, above, thr, RTE_DIM(k));
	printf("\n    %" PRIu64 " draws: mean %.1f (asked %.0f), cv %.4f, min %" PRIu64 ", max %.1f x mean; above 0.5/1/3/10 x mean: %.4f %.4f %.5f %.6f ",
	       n, m.mean, MEAN, m.cv, m.min, (double)m.max / MEAN, (double)above[0] / n,
	       (double)above[1] / n, (double)above[2] / n, (double)above[3] / n);
	/* standard error of the mean: 0.1%; of the cv: about 0.2% */
	CHECK(fabs(m.mean / MEAN - 1) < 0.01, "mean %.1f, want %.0f within 1%%", m.mean, MEAN);
	CHECK(fabs(m.cv - 1) < 0.02, "coefficient of variation %.4f, want 1 within 2%%", m.cv);
	for (unsigned i = 0; i < RTE_DIM(k); i++) {
		const double p = exp(-k[i]), se = sqrt(p * (1 - p) / (double)n);
		const double got = (double)above[i] / (double)n;

		CHECK(fabs(got - p) < 5 * se, "P(X > %.1f x mean) = %.6f, want %.6f +- %.6f", k[i],
		      got, p, 5 * se);
	}
	/* -ln(u), u in (0, 1] with 53 bits: 0 .. 36.7 x mean */
	CHECK(m.max < 37 * MEAN, "max %.1f x mean", (double)m.max / MEAN);
}

/* Exactly two values, lo = round(0.5 x mean) and hi = round(mult x mean),
 * hi a fraction p of the time, and the mean kept. */
static void
check_bimodal(enum bg_work_dist d, double p, double mult, uint64_t n, double mean_tol)
{
	const uint64_t lo = (uint64_t)(0.5 * MEAN + 0.5), hi = (uint64_t)(mult * MEAN + 0.5);
	const double se = sqrt(p * (1 - p) / (double)n);
	uint64_t nb_lo = 0, nb_hi = 0, other = 0;
	double sum = 0, frac;
	struct bg_work w;

	bg_work_init(&w, d, MEAN, bg_work_seed(BG_DEFAULT_WORK_SEED, 0));
	CHECK(w.lo == lo && w.hi == hi, "%s: values %" PRIu64 " and %" PRIu64 ", want %" PRIu64
	      " and %" PRIu64, bg_work_dist_name(d), w.lo, w.hi, lo, hi);
	for (uint64_t i = 0; i < n; i++) {
		const uint64_t v = bg_work_draw_cycles(&w);

		nb_lo += v == lo;
		nb_hi += v == hi;
		other += v != lo && v != hi;
		sum += (double)v;
	}
	frac = (double)nb_hi / (double)n;
	printf("\n    %s, %" PRIu64 " draws: %.5f%% at %.1fx, mean %.1f (asked %.0f) ",
	       bg_work_dist_name(d), n, frac * 100, mult, sum / (double)n, MEAN);
	CHECK(other == 0, "%" PRIu64 " draws neither %" PRIu64 " nor %" PRIu64, other, lo, hi);
	CHECK(fabs(frac - p) < 5 * se, "%.6f of draws long, want %.6f +- %.6f", frac, p, 5 * se);
	CHECK(fabs(sum / (double)n / MEAN - 1) < mean_tol, "mean %.1f, want %.0f within %.1f%%",
	      sum / (double)n, MEAN, mean_tol * 100);
}

static void
test_bimodal1(void)
{
	/* cv 1.5: the mean's standard error over 10^6 draws is 0.15% */
	check_bimodal(BG_WORK_BIMODAL1, 0.1, 5.5, 1000000, 0.01);
}

static void
test_bimodal2(void)
{
	/* cv 15.8: over 10^7 draws the mean's standard error is 0.5% */
	check_bimodal(BG_WORK_BIMODAL2, 0.001, 500.5, 10000000, 0.02);
}

/* ---- the wait, on a synthetic clock ---- */

static uint64_t fake_now, fake_step, fake_reads;

/* Each read returns the time and moves it on by fake_step. */
static uint64_t
fake_clock(void)
{
	const uint64_t t = fake_now;

	fake_now += fake_step;
	fake_reads++;
	return t;
}

/*
 * A burst of 32 served from t = 1000 on a clock that moves 7 cycles a read:
 * the service is the sum of the 32 draws a twin with the same seed makes;
 * the wait ends at the first read at or past start + sum (not one read
 * later: on a clock read every cycle it ends exactly there); the next burst
 * starts where this one ended when the clock is behind that (back to back),
 * and at the clock when it is ahead (time between bursts is not service);
 * counts add up.
 */
static void
test_serve_synthetic(void)
{
	for (unsigned i = 0; i < RTE_DIM(dists); i++) {
		const char *name = bg_work_dist_name(dists[i]);
		struct bg_work w, twin;
		uint64_t sum = 0, sum2 = 0, now, end1, gap_start;

		bg_work_init(&w, dists[i], 300, 99);
		bg_work_init(&twin, dists[i], 300, 99);
		for (unsigned k = 0; k < 32; k++)
			sum += bg_work_draw_cycles(&twin);
		fake_now = 1000;
		fake_step = 7;
		fake_reads = 0;
		now = bg_work_serve_with(&w, 32, dists[i], fake_clock);
		CHECK(w.end == 1000 + sum, "%s: ended at %" PRIu64 ", want 1000 + %" PRIu64, name,
		      w.end, sum);
		CHECK(now >= w.end && now < w.end + 7, "%s: returned %" PRIu64 " for an end at %" PRIu64,
		      name, now, w.end);
		/* reads at 1000 (start), then 1007, 1014, ... up to the first >= end */
		CHECK(fake_reads == 1 + (sum <= 7 ? 1 : (sum - 7 + 6) / 7 + 1),
		      "%s: %" PRIu64 " clock reads for %" PRIu64 " cycles", name, fake_reads, sum);
		CHECK(w.packets == 32 && w.cycles == sum, "%s: counted %" PRIu64 " packets, %" PRIu64
		      " cycles", name, w.packets, w.cycles);

		/* back to back: the clock reads before the end of the last burst */
		end1 = w.end;
		for (unsigned k = 0; k < 8; k++)
			sum2 += bg_work_draw_cycles(&twin);
		fake_now = end1 - 500;
		now = bg_work_serve_with(&w, 8, dists[i], fake_clock);
		CHECK(w.end == end1 + sum2, "%s: a burst behind the last one starts where it ended",
		      name);
		CHECK(now >= w.end, "%s: and waits to its end", name);

		/* a gap: the next burst starts at the clock */
		sum2 = 0;
		for (unsigned k = 0; k < 4; k++)
			sum2 += bg_work_draw_cycles(&twin);
		gap_start = w.end + 100000;
		fake_now = gap_start;
		bg_work_serve_with(&w, 4, dists[i], fake_clock);
		CHECK(w.end == gap_start + sum2,
		      "%s: after a gap the burst starts at the clock (end %" PRIu64 ", want %" PRIu64 ")",
		      name, w.end, gap_start + sum2);
		CHECK(w.packets == 44, "%s: %" PRIu64 " packets", name, w.packets);

		/* a clock that reads every cycle: the wait stops exactly at the end */
		sum2 = 0;
		for (unsigned k = 0; k < 32; k++)
			sum2 += bg_work_draw_cycles(&twin);
		gap_start = w.end + 1;
		fake_now = gap_start;
		fake_step = 1;
		fake_reads = 0;
		now = bg_work_serve_with(&w, 32, dists[i], fake_clock);
		CHECK(now == gap_start + sum2 && w.end == now,
		      "%s: stopped at %" PRIu64 ", the end is %" PRIu64, name, now, gap_start + sum2);
		CHECK(fake_reads == 1 + (sum2 != 0 ? sum2 : 1), "%s: %" PRIu64 " reads for %" PRIu64
		      " cycles", name, fake_reads, sum2);
	}
}

/* ---- the stage, as registered ---- */

static const struct bg_stage *
stage_find(const char *name)
{
	for (const struct bg_reg_entry *e = bg_stage_registry; e != NULL; e = e->next)
		if (strcmp(e->name, name) == 0)
			return (const struct bg_stage *)e;
	return NULL;
}

/* Chains for several configurations: work after fwd, before delay and pace. */
static void
test_chain_order(void)
{
	static const struct {
		const char *fwd;
		bool work, delay, pace;
		const char *chain;
	} cases[] = {
		{ "io", true, false, false, "work" },
		{ "io", true, true, true, "work>delay>pace" },
		{ "mac", true, true, true, "fwd>work>delay>pace" },
		{ "macswap", true, false, true, "fwd>work>pace" },
		{ "mac", false, true, false, "fwd>delay" },
	};
	static struct bg_fwd_ctx fwd_ctx;
	const struct bg_stage *s = stage_find("work");

	CHECK(s != NULL && !s->needs_clock, "a work stage that does not need the loop's clock");
	for (unsigned c = 0; c < RTE_DIM(cases); c++) {
		struct bg_config cfg;
		struct bg_stage_env env = { .cfg = &cfg, .fwd_ctx = &fwd_ctx, .nb_workers = 1,
					    .socket = (int)rte_socket_id() };
		struct bg_exec x;
		char names[64];
		int ret;

		memset(&x, 0, sizeof(x));
		bg_config_defaults(&cfg);
		cfg.fwd = bg_fwd_find(cases[c].fwd);
		cfg.work_dist = cases[c].work ? BG_WORK_EXP : BG_WORK_NONE;
		cfg.work_mean_ns = 1000;
		cfg.delay_us = cases[c].delay ? 10 : 0;
		cfg.rate_pps = cases[c].pace ? 1000 : 0;
		ret = bg_exec_init(&x, &env);
		CHECK(ret == 0, "bg_exec_init: %d", ret);
		bg_exec_chain_names(&x, names, sizeof(names));
		CHECK(strcmp(names, cases[c].chain) == 0, "chain %s, want %s", names, cases[c].chain);
		if (cases[c].work && !cases[c].delay && !cases[c].pace)
			CHECK(!x.needs_clock, "work alone does not make the loop read the clock");
		bg_exec_fini(&x);
	}
}

/*
 * The stage as the chain runs it, for workers 0 and 1 of --work exp:10us
 * --work-seed 5: its data has the mean in cycles and the worker's seed; a
 * burst of 32 comes back whole and in order; it drew what a twin with the
 * same seed draws; x->now is left at a time no earlier than the drawn
 * service after the call began (the real clock, as a lower bound only).
 */
static void
test_stage_runs(void)
{
	const double hz = (double)rte_get_tsc_hz();
	struct rte_mempool *pool;
	struct bg_config cfg;

	pool = rte_pktmbuf_pool_create("work_m", 255, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	CHECK(pool != NULL, "a pool");
	if (pool == NULL)
		return;
	bg_config_defaults(&cfg);
	cfg.work_dist = BG_WORK_EXP;
	cfg.work_mean_ns = 10000;
	cfg.work_seed = 5;
	for (unsigned worker = 0; worker < 2; worker++) {
		struct bg_stage_env env = { .cfg = &cfg, .nb_workers = 2, .worker = worker,
					    .socket = (int)rte_socket_id() };
		struct rte_mbuf *pkts[32], *sent[32];
		struct bg_exec x;
		struct bg_work *w, twin;
		uint64_t sum = 0, t0;
		uint16_t n;
		bool same = true;

		memset(&x, 0, sizeof(x));
		if (bg_exec_init(&x, &env) != 0 || x.nb_stages != 1) {
			CHECK(false, "a chain of one stage");
			bg_exec_fini(&x);
			continue;
		}
		w = x.data[0];
		CHECK(fabs(w->mean - 10000 * hz / 1e9) < 1e-6 * w->mean, "mean %.1f cycles for 10 us",
		      w->mean);
		CHECK(w->rng == bg_work_seed(5, worker), "worker %u seeded from 5 and its index",
		      worker);
		bg_work_init(&twin, BG_WORK_EXP, w->mean, bg_work_seed(5, worker));
		for (unsigned k = 0; k < 32; k++)
			sum += bg_work_draw_cycles(&twin);
		if (rte_pktmbuf_alloc_bulk(pool, pkts, 32) != 0) {
			CHECK(false, "32 mbufs");
			bg_exec_fini(&x);
			continue;
		}
		memcpy(sent, pkts, sizeof(sent));
		x.now = 0;
		t0 = rte_rdtsc();
		n = bg_exec_run(&x, 0, pkts, 32);
		for (unsigned k = 0; k < 32; k++)
			same &= pkts[k] == sent[k];
		CHECK(n == 32 && same, "the burst back whole and in order (%u)", n);
		CHECK(w->packets == 32 && w->cycles == sum, "drew %" PRIu64 " cycles, the twin %" PRIu64,
		      w->cycles, sum);
		CHECK(x.now >= t0 + sum, "x->now %" PRIu64 " cycles after the start, service %" PRIu64,
		      x.now - t0, sum);
		rte_pktmbuf_free_bulk(pkts, 32);
		bg_exec_fini(&x);
	}
	CHECK(rte_mempool_in_use_count(pool) == 0, "mbufs back");
	rte_mempool_free(pool);
}

int
main(void)
{
	static const struct bg_test_case tests[] = {
		{ "distribution names", test_names },
		{ "set-up errors", test_init_errors },
		{ "generator: splitmix64, worker seeds", test_generator },
		{ "same seed, same sequence", test_same_seed_same_sequence },
		{ "fixed: one value, rounded", test_fixed },
		{ "exp: mean, cv 1, tail", test_exp },
		{ "bimodal1: two values, 10% long, mean", test_bimodal1 },
		{ "bimodal2: two values, 0.1% long, mean", test_bimodal2 },
		{ "wait on a synthetic clock: back to back, ends at the first read past", test_serve_synthetic },
		{ "chain: after fwd, before delay and pace", test_chain_order },
		{ "the stage: seeded per worker, burst whole, never early", test_stage_runs },
	};
	int ret;

	if (bg_test_eal_init("-l0", 1) != 0)
		return 1;
	ret = BG_TEST_RUN_SUITE("work", tests);
	bg_test_eal_cleanup();
	return ret;
}
