/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * delay: hold every packet for --delay-us, plus or minus a uniformly drawn
 * --jitter-us, as netem does. Packets wait as tasks on the worker's timer
 * wheel and go on to the next stage when their time comes; with jitter they
 * leave in deadline order, so they can be reordered, as with netem.
 *
 * Time is x->now and nothing else: the stage reads no clock of its own, so a
 * test can drive it on a synthetic clock (tests/test_stages_pace.c). The
 * jitter comes from rte_rand(), which rte_srand() makes repeatable.
 */
#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "dataplane/stage.h"

struct delay_stage {
	uint64_t delay;            /* TSC cycles */
	uint64_t jitter;           /* TSC cycles, 0 = none */
};

static bool
delay_wanted(const struct bg_config *cfg)
{
	return cfg->delay_us > 0 || cfg->jitter_us > 0;
}

static uint16_t
stage_delay(struct bg_exec *x, void *data, struct rte_mbuf **pkts, uint16_t n)
{
	const struct delay_stage *d = data;
	const uint16_t next = x->stage + 1;

	for (uint16_t i = 0; i < n; i++) {
		uint64_t wait = d->delay;

		if (d->jitter != 0) {
			/* delay - jitter .. delay + jitter, never negative */
			uint64_t r = rte_rand_max(2 * d->jitter + 1);

			wait = wait + r > d->jitter ? wait + r - d->jitter : 0;
		}
		bg_exec_suspend_until(x, pkts[i], x->now + wait, next, 0);
	}
	return 0;
}

static int
delay_init(void **data, const struct bg_stage_env *env)
{
	const double cycles_per_us = (double)rte_get_tsc_hz() / 1e6;
	struct delay_stage *d = rte_zmalloc_socket("bg_stage_delay", sizeof(*d), 0,
						   env->socket);

	if (d == NULL)
		return -ENOMEM;
	d->delay = (uint64_t)(env->cfg->delay_us * cycles_per_us);
	d->jitter = (uint64_t)(env->cfg->jitter_us * cycles_per_us);
	*data = d;
	return 0;
}

static struct bg_stage stage_delay_def = {
	.reg = { .name = "delay", .help = "hold packets for --delay-us +- --jitter-us" },
	.needs_clock = true,
	.order = 20,
	.fn = stage_delay,
	.wanted = delay_wanted,
	.worker_init = delay_init,
	.worker_fini = rte_free,
};
BG_STAGE_REGISTER(stage_delay_def);
