/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pinned model: every worker owns one RX and one TX queue on every port
 * and runs each burst to completion, RX -> stages -> TX, on itself. Packets
 * that wait (delay, pace) wait on the same worker's timer wheel and resume
 * there. Nothing crosses lcores; RSS spreads flows over the workers.
 */
#include <errno.h>

#include <rte_cycles.h>

#include "dataplane/log.h"
#include "lcore/runtime.h"
#include "lcore/sched.h"

static int
pinned_assign(struct bg_runtime *rt)
{
	const struct bg_config *cfg = rt->cfg;

	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++)
		if (rt->port_used[p])
			rt->port_rxq[p] = rt->port_txq[p] = (uint16_t)rt->nb_workers;

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

/*
 * The loop, specialised at compile time on whether it reads the clock (a
 * stage needs it, or --cycles asked for busy cycles): plain forwarding pays
 * for neither the TSC read nor the timer wheel.
 */
static __rte_always_inline void
pinned_loop(struct bg_worker *w, const bool clock)
{
	struct bg_exec *x = &w->x;
	const uint16_t burst = w->burst;
	const uint16_t nb_rxq = w->nb_rxq;
	struct rte_mbuf *pkts[BG_BURST_MAX];

	uint16_t got = 0;

	if (clock)
		bg_worker_clock_start(w);
	while (!bg_stop_requested()) {
		if (clock)
			bg_worker_clock(w, got != 0);
		got = 0;
		for (uint16_t i = 0; i < nb_rxq; i++) {
			const struct bg_rxq *q = &w->rxq[i];
			uint16_t n = rte_eth_rx_burst(q->port, q->queue, pkts, burst);

			if (n == 0)
				continue;
			if (clock && w->x.needs_clock)
				bg_worker_arrived(w);
			got |= n;
			w->ctr[q->port].rx += n;
			x->in_port = q->port;
			x->out_port = q->dst_port;
			n = bg_exec_run(x, 0, pkts, n);
			bg_tx_burst(w, q->dst_port, pkts, n);
		}
		if (clock) {
			/* Resuming packets is work too. */
			got |= bg_await_expire(&w->await, x->now) != 0;
			bg_worker_resume(w, bg_tx_burst);
		}
		bg_tx_flush_all(w);
		bg_worker_polled(w, got != 0);
	}
	if (clock)
		bg_worker_clock(w, got != 0);      /* credit the last iteration */
}

static int
pinned_run(void *arg)
{
	struct bg_worker *w = arg;

	if (w->x.needs_clock || w->count_cycles)
		pinned_loop(w, true);
	else
		pinned_loop(w, false);
	return 0;
}

static struct bg_sched sched_pinned = {
	.reg = { .name = "pinned",
		 .help = "each worker polls its own queues and runs packets to completion" },
	.is_default = true,
	.assign = pinned_assign,
	.run = pinned_run,
};
BG_SCHED_REGISTER(sched_pinned);
