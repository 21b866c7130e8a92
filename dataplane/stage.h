/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_STAGE_H
#define BG_STAGE_H

/*
 * Stages: the code a packet runs through between RX and TX.
 *
 * A run has one chain of stages, built once at start-up from the stages that
 * registered themselves (BG_STAGE_REGISTER) and asked to be in it, in their
 * order: the forwarding function (--fwd), then delay (--delay-us), then pace
 * (--rate-*). Every model runs the same chain; only where the chain runs
 * differs.
 *
 * A stage gets a burst whose packets all came in on x->in_port and leave on
 * x->out_port. For each packet it decides: go on to the next stage (keep it
 * in the array, which it compacts in order), drop it with a reason
 * (bg_exec_drop()), or suspend it until a deadline or an event
 * (bg_exec_suspend()). It returns how many packets go on. After the last
 * stage the scheduler transmits them on x->out_port.
 *
 * Stages run on worker lcores, each with its own struct bg_exec; they must
 * not write shared state (per-worker state goes in the data their
 * worker_init gives them).
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dataplane/await.h"
#include "dataplane/config.h"
#include "dataplane/counters.h"
#include "dataplane/fwd.h"
#include "dataplane/registry.h"
#include "dataplane/task.h"

#define BG_CHAIN_MAX 8

struct bg_exec;

typedef uint16_t (*bg_stage_fn)(struct bg_exec *x, void *data,
				struct rte_mbuf **pkts, uint16_t n);

/* What a stage's worker_init sees. */
struct bg_stage_env {
	const struct bg_config *cfg;
	const struct bg_fwd_ctx *fwd_ctx;
	unsigned nb_workers;           /* workers that run the chain */
	unsigned worker;               /* this one's index */
	int socket;                    /* this one's socket */
};

struct bg_stage {
	struct bg_reg_entry reg;       /* name, help; first member */
	int order;                     /* place in the chain, ascending */
	bool needs_clock;              /* reads bg_exec.now */
	bg_stage_fn fn;
	/* Is the stage part of the chain for cfg? NULL: always. */
	bool (*wanted)(const struct bg_config *cfg);
	/* Per-worker data, made on the control thread before launch. NULL:
	 * none. Returns 0 or -errno. */
	int (*worker_init)(void **data, const struct bg_stage_env *env);
	void (*worker_fini)(void *data);
};

extern struct bg_reg_entry *bg_stage_registry;

#define BG_STAGE_REGISTER(s)                                                   \
	RTE_INIT(bg_stage_register_##s) { bg_reg_insert(&bg_stage_registry, &(s).reg); }

/* A worker's execution context for stages. Owned by one lcore. */
struct bg_exec {
	/* Set up before launch. */
	struct bg_counters *ctr;       /* the lcore's counters, by port */
	struct bg_await *await;        /* the lcore's timers and ready list */
	struct rte_mempool *task_pool;
	const uint16_t *dst_port;      /* egress port by ingress port */
	uint16_t nb_stages;
	bool needs_clock;              /* a stage reads x->now */
	bg_stage_fn fn[BG_CHAIN_MAX];
	void *data[BG_CHAIN_MAX];
	const struct bg_stage *stage_def[BG_CHAIN_MAX];

	/* Set by the scheduler for each burst. */
	uint64_t now;                  /* TSC at the start of the loop iteration */
	uint16_t in_port;
	uint16_t out_port;
	uint16_t stage;                /* index of the stage running */
	/* The task being resumed when it resumes at the stage that suspended
	 * it (so that stage can tell a comeback from a new packet), else NULL. */
	struct bg_task *resumed;

	/* Counts, written by the owning lcore only. */
	uint64_t suspended;
	uint64_t resumed_count;
};

/*
 * Build x's chain for cfg: every registered stage that wants to be in it, in
 * order. Calls each stage's worker_init with env. Control thread.
 * Returns 0, -E2BIG when more than BG_CHAIN_MAX stages want in, or a stage's
 * error (its data is then released with bg_exec_fini()).
 */
int bg_exec_init(struct bg_exec *x, const struct bg_stage_env *env);

/* Release what worker_init made. Control thread, worker stopped. */
void bg_exec_fini(struct bg_exec *x);

/* Names of the chain's stages, "mac>delay>pace", into buf. Returns buf. */
char *bg_exec_chain_names(const struct bg_exec *x, char *buf, size_t len);

/* Run pkts[0..n-1] through the stages from index `from` on. Returns how many
 * reached the end, compacted in order at the start of pkts. Owning lcore. */
static inline uint16_t
bg_exec_run(struct bg_exec *x, uint16_t from, struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t s = from; s < x->nb_stages && n != 0; s++) {
		x->stage = s;
		n = x->fn[s](x, x->data[s], pkts, n);
		/* A comeback is news to the stage it returns to only. */
		x->resumed = NULL;
	}
	return n;
}

/* Drop m for reason: free it and count it on the burst's ingress port. */
static inline void
bg_exec_drop(struct bg_exec *x, struct rte_mbuf *m, enum bg_drop reason)
{
	rte_pktmbuf_free(m);
	x->ctr[x->in_port].drop[reason]++;
}

/*
 * Wrap m in a task that will resume at stage `resume` (an index in the
 * chain: x->stage to come back to the running stage, x->stage + 1 to go on),
 * with flags (the low byte) for that stage. The caller then suspends it with
 * bg_await_timer() or bg_await_event(). When the task pool is empty, m is
 * dropped as no_task and NULL returned. Owning lcore.
 */
static inline struct bg_task *
bg_exec_task(struct bg_exec *x, struct rte_mbuf *m, uint16_t resume, uint16_t flags)
{
	struct bg_task *t = bg_task_alloc(x->task_pool);

	if (unlikely(t == NULL)) {
		bg_exec_drop(x, m, BG_DROP_NO_TASK);
		return NULL;
	}
	t->m = m;
	t->arrival = x->now;
	t->stage = resume;
	t->in_port = x->in_port;
	t->out_port = x->out_port;
	t->flags = flags | (resume == x->stage ? BG_TASK_F_SELF : 0);
	x->suspended++;
	return t;
}

/* Suspend m until TSC deadline, to resume at stage `resume`. Returns 0, or
 * -ENOBUFS when it was dropped for want of a task. Owning lcore. */
static inline int
bg_exec_suspend_until(struct bg_exec *x, struct rte_mbuf *m, uint64_t deadline,
		      uint16_t resume, uint16_t flags)
{
	struct bg_task *t = bg_exec_task(x, m, resume, flags);

	if (t == NULL)
		return -ENOBUFS;
	bg_await_timer(x->await, t, deadline);
	return 0;
}

#endif /* BG_STAGE_H */
