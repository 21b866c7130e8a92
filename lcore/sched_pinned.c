/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pinned model: every worker owns one RX and one TX queue on every port
 * and runs each burst to completion, RX -> forwarding function -> TX, on
 * itself. Nothing crosses lcores; RSS spreads flows over the workers.
 */
#include <errno.h>

#include "dataplane/log.h"
#include "lcore/runtime.h"
#include "lcore/sched.h"

static int
pinned_assign(struct bg_runtime *rt)
{
	const struct bg_config *cfg = rt->cfg;

	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++)
		if (rt->port_used[p])
			rt->port_queues[p] = (uint16_t)rt->nb_workers;

	for (unsigned i = 0; i < rt->nb_workers; i++) {
		struct bg_worker *w = rt->workers[i];
		const uint16_t queue = (uint16_t)w->index;

		for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++) {
			if (!rt->port_used[p])
				continue;
			w->rxq[w->nb_rxq++] = (struct bg_rxq){
				.port = p, .queue = queue, .dst_port = cfg->dst_port[p],
			};
			w->txport[w->nb_txport++] = p;
			w->tx[p].queue = queue;
		}
		if (w->nb_rxq == 0) {
			BG_LOG(ERR, "no port to poll");
			return -EINVAL;
		}
	}
	return 0;
}

static int
pinned_run(void *arg)
{
	struct bg_worker *w = arg;
	const uint16_t burst = w->burst;
	const uint16_t nb_rxq = w->nb_rxq;
	const bg_fwd_fn fwd = w->fwd;
	struct rte_mbuf *pkts[BG_BURST_MAX];

	while (!bg_stop_requested()) {
		uint16_t got = 0;

		for (uint16_t i = 0; i < nb_rxq; i++) {
			const struct bg_rxq *q = &w->rxq[i];
			uint16_t n = rte_eth_rx_burst(q->port, q->queue, pkts, burst);

			if (n == 0)
				continue;
			got |= n;
			w->ctr[q->port].rx += n;
			n = fwd(pkts, n, q->dst_port, w->fwd_ctx, w->ctr[q->port].drop);
			bg_tx_burst(w, q->dst_port, pkts, n);
		}
		bg_tx_flush_all(w);
		w->polls++;
		w->busy_polls += got != 0;
	}
	return 0;
}

static struct bg_sched sched_pinned = {
	.reg = { .name = "pinned",
		 .help = "each worker polls its own queues and runs packets to completion" },
	.assign = pinned_assign,
	.run = pinned_run,
};
BG_SCHED_REGISTER(sched_pinned);
