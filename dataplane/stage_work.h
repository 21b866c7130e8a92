/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_STAGE_WORK_H
#define BG_STAGE_WORK_H

/*
 * work: a service time per packet, busy-waited on the TSC (--work DIST:MEAN).
 *
 * Each packet's service time is drawn from a distribution with the mean
 * asked for:
 *   fixed     every packet the mean;
 *   exp       exponential: -mean x ln(u), u uniform in (0, 1];
 *   bimodal1  90% of packets 0.5 x mean, 10% 5.5 x mean;
 *   bimodal2  99.9% of packets 0.5 x mean, 0.1% 500.5 x mean.
 * Draws come from a per-worker generator (splitmix64) seeded from --work-seed
 * and the worker's index, so a run is reproducible and workers draw
 * different sequences.
 *
 * The busy-wait: a burst's service starts when the stage is entered (or when
 * the previous burst's ended, were that later) and its packets are served
 * back to back, each one starting where the one before ended; the stage
 * spins until the TSC reaches the end of the last. Drawing and bookkeeping
 * happen inside that time instead of adding to it, so a burst of n packets
 * costs the sum of its n draws plus one TSC read of overshoot, not n times
 * the stage's own overhead. Between bursts the clock starts afresh: time the
 * worker spent polling, transmitting or idle is not service.
 *
 * The draw (bg_work_draw_cycles()) is apart from the wait (bg_work_serve_with()
 * with any clock), so tests check the drawn values and the wait's arithmetic
 * on a synthetic clock.
 *
 * A struct bg_work belongs to one worker: nothing here is multi-thread safe.
 */

#include <math.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_cycles.h>

#include "dataplane/config.h"

struct bg_work {
	/* Set by bg_work_init(), read-only after. */
	enum bg_work_dist dist;
	double mean;                   /* cycles */
	uint64_t lo;                   /* fixed: the value; bimodal: the short one (cycles) */
	uint64_t hi;                   /* bimodal: the long one (cycles) */
	uint64_t p_hi;                 /* bimodal: a draw below this is long
					* (P(long) x 2^64) */
	/* The stage's burst function, specialised on dist, on the real TSC. */
	uint64_t (*serve)(struct bg_work *w, uint16_t n);

	/* Written by the owning worker. */
	uint64_t rng;                  /* splitmix64 state */
	uint64_t end;                  /* TSC at which the last burst's service ended */
	uint64_t packets;              /* packets served */
	uint64_t cycles;               /* their drawn service times, summed */
};

/* The distribution called name ("fixed", "exp", "bimodal1", "bimodal2"),
 * or BG_WORK_NONE. */
enum bg_work_dist bg_work_dist_find(const char *name);

/* The name of d, or NULL for BG_WORK_NONE and unknown values. */
const char *bg_work_dist_name(enum bg_work_dist d);

/* Every distribution's name, "fixed, exp, bimodal1, bimodal2": for messages. */
const char *bg_work_dist_names(void);

/* The generator seed of worker number `worker` for --work-seed `seed`:
 * different for every worker, the same in every run. */
uint64_t bg_work_seed(uint64_t seed, unsigned worker);

/*
 * Set w up to draw from dist with mean_cycles (TSC cycles) as its mean,
 * seeded with seed (bg_work_seed()). Values are rounded to whole cycles.
 * Returns 0, or -EINVAL for BG_WORK_NONE, an unknown dist, or a mean that
 * is negative, not finite or above 2^52 cycles.
 */
int bg_work_init(struct bg_work *w, enum bg_work_dist dist, double mean_cycles, uint64_t seed);

/* The next 64 random bits of w's generator (splitmix64). */
static inline uint64_t
bg_work_rand(struct bg_work *w)
{
	uint64_t z = (w->rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* One service time of distribution dist, in cycles. With dist a constant the
 * switch folds away (the stage's burst functions); fixed draws no random
 * number. */
static __rte_always_inline uint64_t
bg_work_draw_as(struct bg_work *w, const enum bg_work_dist dist)
{
	switch (dist) {
	case BG_WORK_EXP: {
		/* u in (0, 1]: 53 random bits, plus one so it is never 0 */
		const double u = (double)((bg_work_rand(w) >> 11) + 1) * 0x1.0p-53;

		return (uint64_t)(-w->mean * log(u) + 0.5);
	}
	case BG_WORK_BIMODAL1:
	case BG_WORK_BIMODAL2:
		return bg_work_rand(w) < w->p_hi ? w->hi : w->lo;
	case BG_WORK_FIXED:
	default:
		return w->lo;
	}
}

/* The next service time of w's distribution, in cycles: what the stage
 * would give the next packet. */
static inline uint64_t
bg_work_draw_cycles(struct bg_work *w)
{
	return bg_work_draw_as(w, w->dist);
}

/*
 * Serve a burst of n packets, reading time from clock: draw n service times,
 * and spin until clock() reaches start + their sum, start being the first
 * clock() read or w->end, whichever is later. Sets w->end to start + sum and
 * counts the packets and cycles. Returns the last clock() read (>= w->end):
 * the time now.
 * The stage calls it with the TSC; tests with a synthetic clock.
 */
static __rte_always_inline uint64_t
bg_work_serve_with(struct bg_work *w, uint16_t n, const enum bg_work_dist dist,
		   uint64_t (*clock)(void))
{
	uint64_t start = clock(), sum = 0, end, now;

	if (unlikely(start < w->end))
		start = w->end;
	for (uint16_t i = 0; i < n; i++)
		sum += bg_work_draw_as(w, dist);
	end = start + sum;
	do
		now = clock();
	while (now < end);
	w->end = end;
	w->packets += n;
	w->cycles += sum;
	return now;
}

#endif /* BG_STAGE_WORK_H */
