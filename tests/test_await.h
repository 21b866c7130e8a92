/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_TEST_AWAIT_H
#define BG_TEST_AWAIT_H

/*
 * The await suite is one CUnit suite in two files: test_await.c tests the
 * timer wheel and events (and has main()), test_await_chain.c tests tasks
 * resuming through the chain. What both use: the suite's pools, the tick
 * they ask for, and small helpers. Main lcore only; time is synthetic.
 */
#include <stdint.h>

#include <rte_mempool.h>
#include <rte_random.h>

#include "dataplane/await.h"

#define NB_TASKS 32767            /* the suite's task pool */
#define TICK_NS 1000              /* as the runtime's BG_AWAIT_TICK_NS */
#define HORIZON ((uint64_t)BG_WHEEL_SLOTS)   /* ticks in one turn */

/* Made by main() before any test runs; every test gives back what it took. */
extern struct rte_mempool *task_pool;
extern struct rte_mempool *mbuf_pool;

static inline uint64_t
tick_cycles(const struct bg_await *a)
{
	return 1ull << a->tick_shift;
}

/* A random number below n; 0 when n is 0. */
static inline uint64_t
rand_max(uint64_t n)
{
	return n == 0 ? 0 : rte_rand_max(n);
}

static inline unsigned
pool_in_use(struct rte_mempool *mp)
{
	return rte_mempool_in_use_count(mp);
}

/* test_await_chain.c */
void test_resume_next_stage(void);
void test_resume_self(void);
void test_resume_many_at_once(void);
void test_task_pool_exhausted(void);
void test_worker_drain_tasks(void);

#endif
