/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_SCHED_H
#define BG_SCHED_H

/*
 * Execution models ("schedulers"): where a worker's next work comes from and
 * where a packet's stages run. One is chosen at start-up (--mode) and never
 * changes; each lives in its own file (sched_<name>.c) and registers itself
 * with BG_SCHED_REGISTER. Nothing outside that file switches on the model.
 */

#include <stddef.h>

#include <rte_common.h>
#include <rte_launch.h>

#include "dataplane/registry.h"

struct bg_runtime;

struct bg_sched {
	struct bg_reg_entry reg;       /* name, help; first member */

	/*
	 * Assign work to rt->workers[] before ports are set up: fill each
	 * worker's rxq[] and txport[] and its TX buffers' queue ids, and set
	 * rt->port_rxq[port] and rt->port_txq[port] to how many RX and TX
	 * queues each port needs. Every RX queue must be polled by a worker,
	 * every TX queue used by one.
	 * Control thread. Returns 0 or -errno (logging why).
	 */
	int (*assign)(struct bg_runtime *rt);

	/* The worker loop; arg is the worker's struct bg_worker. Returns 0
	 * when bg_stop_requested() turns true. */
	lcore_function_t *run;

	/* After the workers were joined and their own tasks freed: free what
	 * the model holds between lcores (channels), counting packets as
	 * shutdown drops. Control thread. NULL: nothing. */
	void (*drain)(struct bg_runtime *rt);

	/* Free the model's own data (rt->sched_data). NULL: nothing. */
	void (*fini)(struct bg_runtime *rt);
};

/* The execution models, in name order. */
extern struct bg_reg_entry *bg_sched_registry;

/* The model registered as name, or NULL. */
static inline const struct bg_sched *
bg_sched_find(const char *name)
{
	return (const struct bg_sched *)bg_reg_find(bg_sched_registry, name);
}

#define BG_SCHED_REGISTER(s)                                                   \
	RTE_INIT(bg_sched_register_##s) { bg_reg_insert(&bg_sched_registry, &(s).reg); }

#endif /* BG_SCHED_H */
