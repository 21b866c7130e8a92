/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_launch.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>

#include "dataplane/log.h"
#include "dataplane/pool.h"
#include "dataplane/task.h"
#include "lcore/runtime.h"
#include "lcore/sched.h"
#include "lcore/topology.h"

volatile int bg_stop_flag;
volatile uint64_t bg_stop_tsc;

void
bg_stop_reset(void)
{
	bg_stop_tsc = 0;
	__atomic_store_n(&bg_stop_flag, 0, __ATOMIC_RELAXED);
}

static int
workers_create(struct bg_runtime *rt)
{
	unsigned lcore;

	RTE_LCORE_FOREACH_WORKER(lcore) {
		int socket = (int)rte_lcore_to_socket_id(lcore);
		struct bg_worker *w;

		/* The context lives on the worker's own socket. */
		w = rte_zmalloc_socket("bg_worker", sizeof(*w), RTE_CACHE_LINE_SIZE, socket);
		if (w == NULL) {
			BG_LOG(ERR, "cannot allocate the context of lcore %u", lcore);
			return -ENOMEM;
		}
		w->lcore_id = lcore;
		w->socket = socket;
		w->index = rt->nb_workers;
		w->burst = rt->cfg->burst;
		w->count_cycles = rt->cfg->count_cycles;
		bg_await_init(&w->await, BG_AWAIT_TICK_NS, rte_get_tsc_cycles());
		rt->workers[rt->nb_workers++] = w;
	}
	if (rt->nb_workers == 0) {
		BG_LOG(ERR, "no worker lcore: give the EAL at least two lcores, e.g. -l 0,1 (the first one is the main lcore, which only controls)");
		return -EINVAL;
	}
	return 0;
}

static int
fwd_ctx_create(struct bg_runtime *rt)
{
	const struct bg_config *cfg = rt->cfg;

	rt->fwd_ctx = rte_zmalloc("bg_fwd_ctx", sizeof(*rt->fwd_ctx), RTE_CACHE_LINE_SIZE);
	if (rt->fwd_ctx == NULL) {
		BG_LOG(ERR, "cannot allocate the forwarding context");
		return -ENOMEM;
	}
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++) {
		if (!rt->port_used[p])
			continue;
		rt->fwd_ctx->port[p].dst = cfg->eth_dst[p];
		if (rte_eth_macaddr_get(p, &rt->fwd_ctx->port[p].src) != 0) {
			BG_LOG(ERR, "port %u: cannot read its MAC address; is it a valid port?", p);
			return -ENODEV;
		}
	}
	return 0;
}

/* Which pool feeds RX queue q of port: the one of the worker polling it;
 * for a queue the model polls some other way (rx_by_model), the pool of the
 * port's socket, else the first one. */
static struct rte_mempool *
rxq_pool(const struct bg_runtime *rt, uint16_t port, uint16_t queue)
{
	for (unsigned i = 0; i < rt->nb_workers; i++) {
		const struct bg_worker *w = rt->workers[i];

		for (uint16_t k = 0; k < w->nb_rxq; k++)
			if (w->rxq[k].port == port && w->rxq[k].queue == queue)
				return rt->pools[w->socket].pool;
	}
	if (rt->rx_by_model) {
		int s = rte_eth_dev_socket_id(port);

		if (s >= 0 && s < RTE_MAX_NUMA_NODES && rt->pools[s].pool != NULL)
			return rt->pools[s].pool;
		for (s = 0; s < RTE_MAX_NUMA_NODES; s++)
			if (rt->pools[s].pool != NULL)
				return rt->pools[s].pool;
	}
	return NULL;
}

/* Which socket TX queue q of port lives on: the one of the worker using it. */
static int
txq_socket(const struct bg_runtime *rt, uint16_t port, uint16_t queue)
{
	for (unsigned i = 0; i < rt->nb_workers; i++) {
		const struct bg_worker *w = rt->workers[i];

		for (uint16_t k = 0; k < w->nb_txport; k++)
			if (w->txport[k] == port && w->tx[port].queue == queue)
				return w->socket;
	}
	return -1;
}

static int
pools_create(struct bg_runtime *rt)
{
	struct bg_pool_demand demand[RTE_MAX_NUMA_NODES];
	char name[RTE_MEMPOOL_NAMESIZE];

	memset(demand, 0, sizeof(demand));
	for (unsigned i = 0; i < rt->nb_workers; i++) {
		const struct bg_worker *w = rt->workers[i];
		struct bg_pool_demand *d = &demand[w->socket];

		d->descriptors += w->nb_rxq * (uint32_t)rt->cfg->rxd +
				  w->nb_txport * (uint32_t)rt->cfg->txd;
		d->lcores++;
		/* One RX burst plus a full TX buffer per egress port. */
		d->in_flight += rt->cfg->burst * (1u + w->nb_txport);
	}
	/* Packets waiting as tasks hold their mbufs: at most one per task. */
	for (int s = 0; s < RTE_MAX_NUMA_NODES; s++) {
		if (demand[s].lcores != 0 && bg_config_may_suspend(rt->cfg))
			demand[s].in_flight += rt->cfg->tasks;
		demand[s].in_flight += rt->model_mbufs[s];
	}
	for (int s = 0; s < RTE_MAX_NUMA_NODES; s++) {
		struct bg_pool_slot *slot = &rt->pools[s];

		if (demand[s].lcores == 0)
			continue;
		slot->size = bg_pool_size(&demand[s]);
		slot->pool = bg_pool_create(s, slot->size);
		if (slot->pool == NULL) {
			BG_LOG(ERR, "cannot create a pool of %u mbufs on socket %d: %s; reserve more hugepages (scripts/setup.sh hugepages) or lower --rxd/--txd",
			       slot->size, s, rte_strerror(rte_errno));
			return -ENOMEM;
		}
		slot->in_use_start = rte_mempool_in_use_count(slot->pool);

		/* Without a stage that suspends, no packet ever takes a task. */
		slot->tasks_size = bg_config_may_suspend(rt->cfg) ? rt->cfg->tasks :
				   BG_IDLE_TASKS;
		snprintf(name, sizeof(name), "bg_tasks_s%d", s);
		slot->tasks = bg_task_pool_create(name, slot->tasks_size, s);
		if (slot->tasks == NULL) {
			BG_LOG(ERR, "cannot create a pool of %u tasks on socket %d: %s; lower --tasks or reserve more hugepages",
			       slot->tasks_size, s, rte_strerror(rte_errno));
			return -ENOMEM;
		}
		slot->tasks_in_use_start = rte_mempool_in_use_count(slot->tasks);
	}
	return 0;
}

static int
chains_create(struct bg_runtime *rt)
{
	for (unsigned i = 0; i < rt->nb_workers; i++) {
		struct bg_worker *w = rt->workers[i];
		struct bg_stage_env env = {
			.cfg = rt->cfg, .fwd_ctx = rt->fwd_ctx, .nb_workers = rt->nb_chain_workers,
			.worker = i, .socket = w->socket,
		};
		int ret;

		w->x.ctr = w->ctr;
		w->x.await = &w->await;
		w->x.task_pool = rt->pools[w->socket].tasks;
		w->x.dst_port = rt->cfg->dst_port;
		ret = bg_exec_init(&w->x, &env);
		if (ret != 0)
			return ret;
	}
	return 0;
}

static int
ports_setup(struct bg_runtime *rt)
{
	struct bg_port *up[RTE_MAX_ETHPORTS];
	unsigned n = 0;

	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++) {
		struct rte_mempool *pools[RTE_MAX_QUEUES_PER_PORT];
		int tx_socket[RTE_MAX_QUEUES_PER_PORT];
		int ret;

		if (!rt->port_used[p])
			continue;
		for (uint16_t q = 0; q < rt->port_rxq[p]; q++) {
			pools[q] = rxq_pool(rt, p, q);
			if (pools[q] == NULL) {
				BG_LOG(ERR, "port %u: RX queue %u has no lcore to poll it", p, q);
				return -EINVAL;
			}
		}
		for (uint16_t q = 0; q < rt->port_txq[p]; q++) {
			tx_socket[q] = txq_socket(rt, p, q);
			if (tx_socket[q] < 0) {
				BG_LOG(ERR, "port %u: TX queue %u has no lcore to use it", p, q);
				return -EINVAL;
			}
		}
		ret = bg_port_setup(&rt->ports[p], p, rt->port_rxq[p], rt->port_txq[p],
				    rt->cfg->rxd, rt->cfg->txd, pools, tx_socket);
		if (ret != 0)
			return ret;
		ret = bg_port_start(&rt->ports[p]);
		if (ret != 0)
			return ret;
		up[n++] = &rt->ports[p];
	}
	bg_port_wait_link(up, n, rt->cfg->link_wait_s, bg_stop_requested);
	return 0;
}

/*
 * Latency is measured when packets can carry arrival stamps: a port (net_bgen,
 * say) registered DPDK's RX timestamp field. It must have done so by now, as
 * its queues are set up. One histogram per worker and egress port, on the
 * worker's socket.
 */
static int
latency_setup(struct bg_runtime *rt)
{
	int off = rte_mbuf_dynfield_lookup(RTE_MBUF_DYNFIELD_TIMESTAMP_NAME, NULL);
	int bit = rte_mbuf_dynflag_lookup(RTE_MBUF_DYNFLAG_RX_TIMESTAMP_NAME, NULL);

	if (off < 0 || bit < 0 || rt->cfg->latency_off)
		return 0;
	for (unsigned i = 0; i < rt->nb_workers; i++) {
		struct bg_worker *w = rt->workers[i];

		w->ts_off = off;
		w->ts_flag = RTE_BIT64(bit);
		for (uint16_t k = 0; k < w->nb_txport; k++) {
			const uint16_t p = w->txport[k];

			w->lat[p] = rte_malloc_socket("bg_lat", sizeof(*w->lat[p]),
						      RTE_CACHE_LINE_SIZE, w->socket);
			if (w->lat[p] == NULL) {
				BG_LOG(ERR, "cannot allocate latency histograms on socket %d", w->socket);
				return -ENOMEM;
			}
			bg_hist_reset(w->lat[p]);
		}
	}
	rt->latency = true;
	return 0;
}

int
bg_runtime_init(struct bg_runtime *rt, const struct bg_config *cfg)
{
	int ret;

	memset(rt, 0, sizeof(*rt));
	rt->cfg = cfg;
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++)
		rt->port_used[p] = cfg->dst_port[p] != BG_PORT_NONE;

	ret = fwd_ctx_create(rt);
	if (ret != 0)
		return ret;
	ret = workers_create(rt);
	if (ret != 0)
		return ret;
	ret = cfg->sched->assign(rt);
	if (ret != 0)
		return ret;
	if (rt->nb_chain_workers == 0)
		rt->nb_chain_workers = rt->nb_workers;
	ret = pools_create(rt);
	if (ret != 0)
		return ret;
	ret = chains_create(rt);
	if (ret != 0)
		return ret;
	ret = ports_setup(rt);
	if (ret != 0)
		return ret;
	ret = latency_setup(rt);
	if (ret != 0)
		return ret;
	if (cfg->sched->start != NULL) {
		ret = cfg->sched->start(rt);
		if (ret != 0)
			return ret;
		rt->model_started = true;
	}
	bg_topology_check(rt);
	return 0;
}

int
bg_runtime_launch(struct bg_runtime *rt)
{
	rt->start_tsc = rte_get_tsc_cycles();
	for (unsigned i = 0; i < rt->nb_workers; i++) {
		struct bg_worker *w = rt->workers[i];
		int ret = rte_eal_remote_launch(rt->cfg->sched->run, w, w->lcore_id);

		w->launched = ret == 0;
		if (ret != 0) {
			BG_LOG(ERR, "cannot launch a worker on lcore %u: %s",
			       w->lcore_id, rte_strerror(-ret));
			/* Some run: stop joins them and frees what they hold. */
			rt->launched = true;
			bg_runtime_stop(rt);
			return ret;
		}
	}
	rt->launched = true;
	return 0;
}

void
bg_runtime_stop(struct bg_runtime *rt)
{
	if (!rt->launched)
		return;
	/* The run's duration ends when the stop was first asked for (a
	 * signal, say), not when the control thread got round to it. */
	bg_stop_request();
	rt->stop_tsc = bg_stop_tsc > rt->start_tsc ? bg_stop_tsc : rte_get_tsc_cycles();
	for (unsigned i = 0; i < rt->nb_workers; i++) {
		struct bg_worker *w = rt->workers[i];
		int ret = rte_eal_wait_lcore(w->lcore_id);

		if (ret != 0 && w->launched) {
			BG_LOG(ERR, "lcore %u: its loop failed: %s", w->lcore_id,
			       rte_strerror(ret < 0 ? -ret : ret));
			rt->nb_failed++;
		}
		w->launched = false;
	}
	rt->launched = false;
	/* The workers are gone: their TX queues and tasks are ours now. */
	for (unsigned i = 0; i < rt->nb_workers; i++) {
		bg_tx_flush_all(rt->workers[i]);
		bg_worker_drain_tasks(rt->workers[i]);
	}
	if (rt->cfg->sched->drain != NULL)
		rt->cfg->sched->drain(rt);
}

static void
drop_task(struct bg_task *t, void *arg)
{
	struct bg_worker *w = arg;

	if (t->m != NULL) {
		rte_pktmbuf_free(t->m);
		w->ctr[t->in_port].drop[BG_DROP_SHUTDOWN]++;
	}
	bg_task_free(w->x.task_pool, t);
}

unsigned
bg_worker_drain_tasks(struct bg_worker *w)
{
	return bg_await_drain(&w->await, NULL, 0, drop_task, w);
}

void
bg_runtime_close(struct bg_runtime *rt)
{
	bg_runtime_stop(rt);
	if (rt->model_started && rt->cfg->sched->stop != NULL)
		rt->cfg->sched->stop(rt);
	rt->model_started = false;
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++)
		bg_port_close(&rt->ports[p]);
	for (int s = 0; s < RTE_MAX_NUMA_NODES; s++) {
		struct bg_pool_slot *slot = &rt->pools[s];

		if (slot->pool == NULL)
			continue;
		slot->in_use_end = rte_mempool_in_use_count(slot->pool);
		rte_mempool_free(slot->pool);
		slot->pool = NULL;
		if (slot->tasks != NULL) {
			slot->tasks_in_use_end = rte_mempool_in_use_count(slot->tasks);
			rte_mempool_free(slot->tasks);
			slot->tasks = NULL;
		}
	}
}

void
bg_runtime_free(struct bg_runtime *rt)
{
	bg_runtime_close(rt);
	/* After the report has read the model's counters. */
	if (rt->cfg != NULL && rt->cfg->sched->fini != NULL)
		rt->cfg->sched->fini(rt);
	for (unsigned i = 0; i < rt->nb_workers; i++) {
		bg_exec_fini(&rt->workers[i]->x);
		for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++)
			rte_free(rt->workers[i]->lat[p]);
		rte_free(rt->workers[i]);
		rt->workers[i] = NULL;
	}
	rt->nb_workers = 0;
	rte_free(rt->fwd_ctx);
	rt->fwd_ctx = NULL;
}

double
bg_runtime_elapsed(const struct bg_runtime *rt)
{
	uint64_t end = rt->launched ? rte_get_tsc_cycles() : rt->stop_tsc;

	if (rt->start_tsc == 0 || end < rt->start_tsc)
		return 0.0;
	return (double)(end - rt->start_tsc) / (double)rte_get_tsc_hz();
}

void
bg_runtime_port_counters(const struct bg_runtime *rt, uint16_t port,
			 struct bg_counters *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (unsigned i = 0; i < rt->nb_workers; i++)
		bg_counters_add(sum, &rt->workers[i]->ctr[port]);
}

void
bg_runtime_latency(const struct bg_runtime *rt, uint16_t port, struct bg_hist *h)
{
	bg_hist_reset(h);
	for (unsigned i = 0; i < rt->nb_workers; i++)
		for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++)
			if ((port == RTE_MAX_ETHPORTS || p == port) && rt->workers[i]->lat[p] != NULL)
				bg_hist_merge(h, rt->workers[i]->lat[p]);
}

struct rte_mempool *
bg_runtime_pool(const struct bg_runtime *rt, int socket)
{
	if (socket < 0 || socket >= RTE_MAX_NUMA_NODES)
		return NULL;
	return rt->pools[socket].pool;
}
