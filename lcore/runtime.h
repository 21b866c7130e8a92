/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_RUNTIME_H
#define BG_RUNTIME_H

/*
 * The runtime: the workers, ports and pools of one run, and their life cycle.
 *
 *   bg_runtime_init()    workers on every EAL worker lcore, work assigned by
 *                        the model, pools per socket, ports up, links waited
 *   bg_runtime_launch()  workers start their loops
 *   bg_runtime_stop()    stop flag, join, flush what is buffered
 *   bg_runtime_close()   ports stopped and closed, pools checked and freed
 *   bg_runtime_free()    the model's data and worker contexts freed (read the
 *                        counters before)
 *
 * All run on the main lcore (the control thread), in that order; close and
 * free also unwind a failed init. The EAL must be initialised first.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#include "dataplane/config.h"
#include "dataplane/fwd.h"
#include "dataplane/port.h"
#include "lcore/worker.h"

/* Timer wheel tick of every worker. */
#define BG_AWAIT_TICK_NS 1000

/* Task pool size per socket when no stage can suspend packets. */
#define BG_IDLE_TASKS 512

struct bg_pool_slot {
	struct rte_mempool *pool;      /* mbufs; NULL when the socket has no worker */
	uint32_t size;
	unsigned in_use_start;         /* right after creation */
	unsigned in_use_end;           /* after the ports were closed */
	struct rte_mempool *tasks;     /* task descriptors */
	uint32_t tasks_size;
	unsigned tasks_in_use_start;
	unsigned tasks_in_use_end;
};

struct bg_runtime {
	const struct bg_config *cfg;

	unsigned nb_workers;
	struct bg_worker *workers[RTE_MAX_LCORE];   /* index 0..nb_workers-1 */
	/* How many workers run the chain (pace shares its rate among them);
	 * set by the model's assign, all workers when it leaves 0. */
	unsigned nb_chain_workers;
	void *sched_data;                           /* the model's own */
	/* Set by assign when something other than the workers' rxq[] polls
	 * the RX queues (an event device's RX adapter): queues no worker polls
	 * are then not an error. */
	bool rx_by_model;
	bool model_started;            /* its start hook ran */
	unsigned nb_failed;            /* workers whose loop returned an error */
	/* mbufs the model can hold beyond queues and bursts (its channels),
	 * by socket; set by assign, added to the pools' sizes. */
	uint32_t model_mbufs[RTE_MAX_NUMA_NODES];

	/* Ports in use (those in cfg->dst_port[]), by port id. */
	bool port_used[RTE_MAX_ETHPORTS];
	uint16_t port_rxq[RTE_MAX_ETHPORTS];        /* set by the model */
	uint16_t port_txq[RTE_MAX_ETHPORTS];        /* set by the model */
	struct bg_port ports[RTE_MAX_ETHPORTS];

	struct bg_pool_slot pools[RTE_MAX_NUMA_NODES];
	struct bg_fwd_ctx *fwd_ctx;

	/* Packets carry arrival stamps: workers keep latency histograms. */
	bool latency;

	bool launched;
	uint64_t start_tsc, stop_tsc;
};

/*
 * Set everything up for cfg, whose ports must be resolved already. The link
 * wait ends early when a stop is requested.
 * Returns 0; -EINVAL when the configuration cannot run here (no worker lcore,
 * bad roles, too many queues); -ENODEV when a port's MAC cannot be read;
 * -E2BIG when too many stages want in the chain; -ENOMEM when pools or
 * contexts cannot be allocated; or a port's or stage's error. Every cause is
 * logged. On error, call bg_runtime_free().
 */
int bg_runtime_init(struct bg_runtime *rt, const struct bg_config *cfg);

/* Launch the model's loop on every worker. Returns 0 or -errno. */
int bg_runtime_launch(struct bg_runtime *rt);

/* Stop and join the workers, then send what their TX buffers hold.
 * Idempotent. */
void bg_runtime_stop(struct bg_runtime *rt);

/* Stop if needed, close ports, record the pools' in-use counts and free the
 * pools. Worker counters stay readable. Idempotent; safe after a failed init. */
void bg_runtime_close(struct bg_runtime *rt);

/* Close if needed, then free the worker contexts. Idempotent. */
void bg_runtime_free(struct bg_runtime *rt);

/* Seconds between launch and stop (or now, while running). */
double bg_runtime_elapsed(const struct bg_runtime *rt);

/* Sum the counters of every worker for one port (approximate while the
 * workers run). */
void bg_runtime_port_counters(const struct bg_runtime *rt, uint16_t port,
			      struct bg_counters *sum);

/* Merge every worker's latency histogram for egress port `port` (port ==
 * RTE_MAX_ETHPORTS: every port) into h, which is reset first. Approximate
 * while the workers run. */
void bg_runtime_latency(const struct bg_runtime *rt, uint16_t port, struct bg_hist *h);

/* The pool for a socket, or NULL. */
struct rte_mempool *bg_runtime_pool(const struct bg_runtime *rt, int socket);

#endif /* BG_RUNTIME_H */
