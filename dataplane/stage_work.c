/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * work: spend a drawn service time on every packet (--work DIST:MEAN), as a
 * server with CPU-bound requests would: the stage the scheduling experiment
 * of the design brief needs (fixed, exponential and bimodal service times).
 * The draws and the busy-wait are in stage_work.h.
 *
 * In the chain it comes right after the forwarding function and before
 * delay and pace. It leaves x->now at the TSC its wait ended on, so a delay
 * counts from the end of a packet's service and pace sees the time service
 * took.
 */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>

#include "dataplane/stage.h"
#include "dataplane/stage_work.h"

static const char *const dist_names[] = {
	[BG_WORK_FIXED] = "fixed",
	[BG_WORK_EXP] = "exp",
	[BG_WORK_BIMODAL1] = "bimodal1",
	[BG_WORK_BIMODAL2] = "bimodal2",
};

enum bg_work_dist
bg_work_dist_find(const char *name)
{
	for (unsigned d = 0; d < RTE_DIM(dist_names); d++)
		if (dist_names[d] != NULL && strcmp(name, dist_names[d]) == 0)
			return (enum bg_work_dist)d;
	return BG_WORK_NONE;
}

const char *
bg_work_dist_name(enum bg_work_dist d)
{
	return (unsigned)d < RTE_DIM(dist_names) ? dist_names[d] : NULL;
}

const char *
bg_work_dist_names(void)
{
	return "fixed, exp, bimodal1, bimodal2";
}

uint64_t
bg_work_seed(uint64_t seed, unsigned worker)
{
	/* splitmix64's finaliser of seed + (worker + 1) x the golden gamma:
	 * a bijection, so no two workers share a starting state. */
	uint64_t z = seed + ((uint64_t)worker + 1) * 0x9e3779b97f4a7c15ull;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t
work_tsc(void)
{
	return rte_rdtsc();
}

/* The burst, specialised on the distribution (no test per packet). */
static uint64_t
serve_fixed(struct bg_work *w, uint16_t n)
{
	return bg_work_serve_with(w, n, BG_WORK_FIXED, work_tsc);
}

static uint64_t
serve_exp(struct bg_work *w, uint16_t n)
{
	return bg_work_serve_with(w, n, BG_WORK_EXP, work_tsc);
}

/* Both bimodal distributions: the same code, with their own lo, hi, p_hi. */
static uint64_t
serve_bimodal(struct bg_work *w, uint16_t n)
{
	return bg_work_serve_with(w, n, BG_WORK_BIMODAL1, work_tsc);
}

int
bg_work_init(struct bg_work *w, enum bg_work_dist dist, double mean_cycles, uint64_t seed)
{
	/* P(long) and how long, as a multiple of the mean; the short one is
	 * 0.5 x mean for both, so the mean is kept: 0.9 x 0.5 + 0.1 x 5.5 = 1,
	 * 0.999 x 0.5 + 0.001 x 500.5 = 1. */
	double p = 0, long_x = 0;

	memset(w, 0, sizeof(*w));
	if (!isfinite(mean_cycles) || mean_cycles < 0 || mean_cycles > 0x1.0p52)
		return -EINVAL;
	w->mean = mean_cycles;
	w->rng = seed;
	switch (dist) {
	case BG_WORK_FIXED:
		w->lo = (uint64_t)(mean_cycles + 0.5);
		w->serve = serve_fixed;
		break;
	case BG_WORK_EXP:
		w->serve = serve_exp;
		break;
	case BG_WORK_BIMODAL1:
		p = 0.1;
		long_x = 5.5;
		break;
	case BG_WORK_BIMODAL2:
		p = 0.001;
		long_x = 500.5;
		break;
	default:
		return -EINVAL;
	}
	if (p != 0) {
		w->lo = (uint64_t)(0.5 * mean_cycles + 0.5);
		w->hi = (uint64_t)(long_x * mean_cycles + 0.5);
		w->p_hi = (uint64_t)(p * 0x1.0p64);
		w->serve = serve_bimodal;
	}
	w->dist = dist;
	return 0;
}

static bool
work_wanted(const struct bg_config *cfg)
{
	return cfg->work_dist != BG_WORK_NONE;
}

static uint16_t
stage_work(struct bg_exec *x, void *data, struct rte_mbuf **pkts, uint16_t n)
{
	struct bg_work *w = data;

	RTE_SET_USED(pkts);
	/* Later stages see the time service ended at. */
	x->now = w->serve(w, n);
	return n;
}

static int
work_init(void **data, const struct bg_stage_env *env)
{
	const struct bg_config *cfg = env->cfg;
	struct bg_work *w = rte_zmalloc_socket("bg_stage_work", sizeof(*w),
					       RTE_CACHE_LINE_SIZE, env->socket);
	int ret;

	if (w == NULL)
		return -ENOMEM;
	ret = bg_work_init(w, cfg->work_dist,
			   cfg->work_mean_ns * (double)rte_get_tsc_hz() / 1e9,
			   bg_work_seed(cfg->work_seed, env->worker));
	if (ret != 0) {
		rte_free(w);
		return ret;
	}
	*data = w;
	return 0;
}

static struct bg_stage stage_work_def = {
	.reg = { .name = "work", .help = "busy-wait a drawn service time per packet (--work)" },
	.order = 10,                   /* after fwd (0), before delay (20) and pace (30) */
	.needs_clock = false,          /* reads the TSC itself */
	.fn = stage_work,
	.wanted = work_wanted,
	.worker_init = work_init,
	.worker_fini = rte_free,
};
BG_STAGE_REGISTER(stage_work_def);
