/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_SCHED_H
#define BG_SCHED_H

/*
 * Execution models ("schedulers"): where a worker's next work comes from and
 * where a packet's stages run. One is chosen at start-up (--mode) and never
 * changes; each lives in its own file (sched_<name>.c) and registers itself
 * with BG_SCHED_REGISTER. Nothing outside that file switches on the model.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_launch.h>

#include "dataplane/registry.h"

struct bg_runtime;
struct bg_worker;
struct bg_config;

/*
 * A model's own command-line option (--order for migrate, --rx-lcores for
 * pipeline). The application's parser offers every model's options, hands
 * the value to parse(), and refuses an option of a model other than the one
 * chosen. The value lives in the model's file.
 */
struct bg_sched_opt {
	const char *name;              /* without the dashes: "order" */
	const char *metavar;           /* "flow|none"; NULL: a flag without value */
	const char *help;              /* one line, for --help */
	/* Parse arg (NULL for a flag). Returns 0, or -EINVAL with a message in
	 * err that starts with --name. Control thread, before the EAL starts. */
	int (*parse)(const char *arg, char *err, size_t errlen);
};

/* A named counter of a model, for the summary, JSON and telemetry. */
struct bg_stat {
	const char *name;
	uint64_t value;
};

#define BG_SCHED_STATS_MAX 16

struct bg_sched {
	struct bg_reg_entry reg;       /* name, help; first member */
	bool is_default;               /* the model without --mode; one has it */

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

	/* Its options, ended by one with a NULL name; NULL: none. */
	const struct bg_sched_opt *opts;
	/* Put the options back to their defaults (before each parse). NULL:
	 * nothing to reset. */
	void (*opts_reset)(void);
	/* After every option is parsed, when this model was chosen: check them
	 * against the rest of cfg. Returns 0 or -EINVAL with a one-line message
	 * in err. NULL: nothing to check. */
	int (*opts_check)(const struct bg_config *cfg, char *err, size_t errlen);
	/* Its options as they are set, "order flow, grain 4", into buf, for the
	 * summary. NULL: none. */
	void (*describe)(char *buf, size_t len);

	/* Ports started, workers not launched yet (an event device's RX
	 * adapter starts here). Returns 0 or -errno, logging why; the runtime
	 * then unwinds. Control thread. NULL: nothing. */
	int (*start)(struct bg_runtime *rt);
	/* Workers joined, ports still up: stop what start started, flushing
	 * what it holds as shutdown drops. Control thread. NULL: nothing. */
	void (*stop)(struct bg_runtime *rt);

	/* The model's counters of worker w, summed by the reader over workers
	 * for the totals: at most BG_SCHED_STATS_MAX into out, the same names
	 * in the same order for every worker. Returns how many. Any thread;
	 * approximate while the workers run. NULL: none. */
	unsigned (*stats)(const struct bg_runtime *rt, const struct bg_worker *w,
			  struct bg_stat *out);
};

/* The execution models, in name order. */
extern struct bg_reg_entry *bg_sched_registry;

/* The model registered as name, or NULL. */
static inline const struct bg_sched *
bg_sched_find(const char *name)
{
	return (const struct bg_sched *)bg_reg_find(bg_sched_registry, name);
}

/* The model to run without --mode (pinned), never NULL once constructors ran. */
const struct bg_sched *bg_sched_default(void);

/* The model that offers option `name` (without dashes), and the option, or
 * NULL. */
const struct bg_sched *bg_sched_find_opt(const char *name, const struct bg_sched_opt **opt);

#define BG_SCHED_REGISTER(s)                                                   \
	RTE_INIT(bg_sched_register_##s) { bg_reg_insert(&bg_sched_registry, &(s).reg); }

#endif /* BG_SCHED_H */
