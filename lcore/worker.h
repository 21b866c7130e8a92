/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_WORKER_H
#define BG_WORKER_H

/*
 * A worker: one EAL lcore running one scheduler loop, with one context it
 * owns. The control thread fills the read-only part before launch; while the
 * worker runs, only the worker writes its context. Readers of the counters
 * (stats, summary) get approximate sums while workers run, exact ones after
 * bg_runtime_stop() has joined them.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "dataplane/config.h"
#include "dataplane/counters.h"
#include "dataplane/await.h"
#include "dataplane/fwd.h"
#include "dataplane/hist.h"
#include "dataplane/stage.h"

#define BG_WORKER_MAX_RXQ RTE_MAX_ETHPORTS

/* An RX queue a worker polls, and where its packets go. */
struct bg_rxq {
	uint16_t port;
	uint16_t queue;
	uint16_t dst_port;
};

/* Packets waiting to be sent on one TX queue. */
struct bg_txbuf {
	uint16_t len;
	uint16_t queue;
	struct rte_mbuf *pkts[BG_BURST_MAX];
};

struct bg_worker {
	/* Read-only once launched. */
	unsigned lcore_id;
	int socket;
	unsigned index;                /* 0..nb_workers-1 */
	bool launched;                 /* its loop was launched (control thread's) */
	uint16_t burst;
	bool count_cycles;             /* --cycles */
	uint16_t nb_rxq;
	uint16_t nb_txport;
	struct bg_rxq rxq[BG_WORKER_MAX_RXQ];
	uint16_t txport[RTE_MAX_ETHPORTS];     /* ports it transmits on */
	void *sched_ctx;               /* the model's per-worker data, from assign */
	/* Latency from arrival stamp to transmit, by egress port: NULL when
	 * not measured (no port stamps its packets). ts_flag and ts_off are
	 * DPDK's RX timestamp flag and field, the stamp in TSC cycles. */
	struct bg_hist *lat[RTE_MAX_ETHPORTS];
	uint64_t ts_flag;
	int ts_off;

	/* Written by the worker alone while it runs. */
	RTE_MARKER hot __rte_cache_aligned;
	uint64_t polls;                /* loop iterations */
	uint64_t busy_polls;           /* iterations that received or resumed
					* packets */
	uint64_t busy_cycles;          /* TSC cycles in those iterations, when
					* the loop reads the clock */
	uint64_t wait_cycles;          /* part of busy_cycles spent waiting on a
					* full channel (--cycles) */
	uint64_t iter_tsc;             /* start of the current iteration */
	struct bg_counters ctr[RTE_MAX_ETHPORTS];
	struct bg_exec x;              /* the chain, as this worker runs it */
	struct bg_txbuf tx[RTE_MAX_ETHPORTS] __rte_cache_aligned;
	struct bg_await await __rte_cache_aligned;
} __rte_cache_aligned;

/*
 * The stop flag, set from a signal handler or the control thread and read by
 * every worker once per loop iteration.
 */
extern volatile int bg_stop_flag;

/* TSC of the first stop request since the last bg_stop_reset(), 0 if none:
 * where a run's duration ends. */
extern volatile uint64_t bg_stop_tsc;

/* Ask every worker to stop. Async-signal-safe. */
static inline void
bg_stop_request(void)
{
	if (bg_stop_tsc == 0)
		bg_stop_tsc = rte_get_tsc_cycles();
	/* Pairs with the relaxed load in bg_stop_requested(): no data is
	 * published with the flag, workers only need to see it eventually. */
	__atomic_store_n(&bg_stop_flag, 1, __ATOMIC_RELAXED);
}

/* Has a stop been asked for? Safe from any thread. */
static inline bool
bg_stop_requested(void)
{
	return __atomic_load_n(&bg_stop_flag, __ATOMIC_RELAXED) != 0;
}

/* Clear the stop flag before launching workers again (tests). Control thread
 * only, with no worker running. */
void bg_stop_reset(void);

/*
 * Latency at transmit: each packet's arrival stamp against one TSC read per
 * TX burst, into the worker's histogram for the egress port, in one pass
 * before rte_eth_tx_burst() (which may free what it sends), with the burst's
 * count, sum and extremes kept in registers. Packets the queue then refuses
 * are taken out again (bg_lat_unrecord(): they are still ours), except from
 * the extremes. A stamp in the future (another clock) counts as no latency
 * rather than wrapping. Worker only.
 */
static inline void
bg_lat_record(const struct bg_worker *w, struct bg_hist *h, struct rte_mbuf *const *pkts,
	      uint16_t n, uint64_t now)
{
	const uint64_t flag = w->ts_flag;
	const int off = w->ts_off;
	uint64_t cnt = 0, sum = 0, lo = h->min, hi = h->max;

	for (uint16_t i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];
		uint64_t ts, v;

		if (!(m->ol_flags & flag))
			continue;
		ts = *RTE_MBUF_DYNFIELD(m, off, const uint64_t *);
		v = now > ts ? now - ts : 0;
		h->bucket[bg_hist_index(v)]++;
		cnt++;
		sum += v;
		hi = v > hi ? v : hi;
		lo = v < lo ? v : lo;
	}
	h->count += cnt;
	h->sum += sum;
	h->max = hi;
	h->min = lo;
}

static inline void
bg_lat_unrecord(const struct bg_worker *w, struct bg_hist *h, struct rte_mbuf *const *pkts,
		uint16_t n, uint64_t now)
{
	for (uint16_t i = 0; i < n; i++) {
		const struct rte_mbuf *m = pkts[i];
		uint64_t ts, v;

		if (!(m->ol_flags & w->ts_flag))
			continue;
		ts = *RTE_MBUF_DYNFIELD(m, w->ts_off, const uint64_t *);
		v = now > ts ? now - ts : 0;
		h->bucket[bg_hist_index(v)]--;
		h->count--;
		h->sum -= v;
	}
}

/*
 * Buffered TX. Packets for a port collect in the worker's buffer for it and
 * leave in bursts; what the TX queue does not take is freed and counted as
 * tx_full on that port. A burst that finds the buffer empty and fills a whole
 * burst is sent directly, without the copy.
 * Worker only: each worker uses only its own buffers and its own TX queues.
 */
static inline void
bg_tx_send(struct bg_worker *w, uint16_t port, uint16_t queue,
	   struct rte_mbuf **pkts, uint16_t n)
{
	struct bg_hist *h = w->lat[port];
	uint64_t now = 0;
	uint16_t sent;

	if (h != NULL) {
		now = rte_get_tsc_cycles();
		bg_lat_record(w, h, pkts, n, now);
	}
	sent = rte_eth_tx_burst(port, queue, pkts, n);
	w->ctr[port].tx += sent;
	if (unlikely(sent < n)) {
		if (h != NULL)
			bg_lat_unrecord(w, h, pkts + sent, n - sent, now);
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
		w->ctr[port].drop[BG_DROP_TX_FULL] += n - sent;
	}
}

static inline void
bg_tx_flush(struct bg_worker *w, uint16_t port)
{
	struct bg_txbuf *b = &w->tx[port];

	if (b->len != 0) {
		bg_tx_send(w, port, b->queue, b->pkts, b->len);
		b->len = 0;
	}
}

static inline void
bg_tx_flush_all(struct bg_worker *w)
{
	for (uint16_t i = 0; i < w->nb_txport; i++)
		bg_tx_flush(w, w->txport[i]);
}

static inline void
bg_tx_burst(struct bg_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	struct bg_txbuf *b = &w->tx[port];

	if (b->len == 0 && n == w->burst) {
		bg_tx_send(w, port, b->queue, pkts, n);
		return;
	}
	while (n != 0) {
		uint16_t room = w->burst - b->len;
		uint16_t k = n < room ? n : room;

		memcpy(&b->pkts[b->len], pkts, k * sizeof(*pkts));
		b->len += k;
		pkts += k;
		n -= k;
		if (b->len == w->burst) {
			bg_tx_send(w, port, b->queue, b->pkts, b->len);
			b->len = 0;
		}
	}
}

/* Before the first iteration of a loop that reads the clock. Worker only. */
static inline void
bg_worker_clock_start(struct bg_worker *w)
{
	w->iter_tsc = w->x.now = rte_get_tsc_cycles();
}

/* End of a loop iteration: count it, and whether it found work. */
static inline void
bg_worker_polled(struct bg_worker *w, bool busy)
{
	w->polls++;
	w->busy_polls += busy;
}

/*
 * Start a loop iteration that reads the clock: x->now becomes the TSC (for
 * timers due now), and when the previous iteration found work its duration
 * counts as busy.
 * One TSC read per iteration. Worker only.
 */
static inline void
bg_worker_clock(struct bg_worker *w, bool prev_busy)
{
	const uint64_t now = rte_get_tsc_cycles();

	if (prev_busy)
		w->busy_cycles += now - w->iter_tsc;
	w->iter_tsc = now;
	w->x.now = now;
}

/*
 * Packets just arrived: x->now becomes their arrival time, so a deadline
 * counted from it is never before they came. Worker only.
 */
static inline void
bg_worker_arrived(struct bg_worker *w)
{
	w->x.now = rte_get_tsc_cycles();
}

/*
 * Resume every ready task of w: run the rest of its packet's chain from the
 * stage it named, and hand what comes out to emit (the model's way to
 * transmit: bg_tx_burst for the pinned model). Consecutive tasks that resume
 * at the same stage with the same ports go through the chain as one burst; a
 * task that comes back to the stage that suspended it goes alone, so that
 * x->resumed names it. A model whose tasks may resume on another worker
 * passes divert: a task that resumes at a later stage than the one that
 * suspended it is offered to divert first, and is the model's when divert
 * returns true (tasks that come back to their own stage stay: that stage's
 * per-worker state, such as a pace bucket, is this worker's). NULL: none.
 * Worker only.
 */
static __rte_always_inline void
bg_worker_resume_divert(struct bg_worker *w,
			void (*emit)(struct bg_worker *w, uint16_t port, struct rte_mbuf **pkts,
				     uint16_t n),
			bool (*divert)(struct bg_worker *w, struct bg_task *t))
{
	struct bg_exec *x = &w->x;
	struct rte_mbuf *pkts[BG_BURST_MAX];
	/* A burst at most, and never more than pkts[] holds. */
	const uint16_t cap = w->burst != 0 && w->burst < BG_BURST_MAX ? w->burst : BG_BURST_MAX;
	struct bg_task *t;
	uint16_t nb = 0, stage = 0, n;

	while ((t = bg_await_next(&w->await)) != NULL) {
		const bool self = (t->flags & BG_TASK_F_SELF) != 0;

		if (divert != NULL && !self && divert(w, t))
			continue;

		if (nb != 0 && (self || nb == cap || t->stage != stage ||
				t->in_port != x->in_port || t->out_port != x->out_port)) {
			n = bg_exec_run(x, stage, pkts, nb);
			if (n != 0)
				emit(w, x->out_port, pkts, n);
			nb = 0;
		}
		x->resumed_count++;
		x->in_port = t->in_port;
		x->out_port = t->out_port;
		if (self) {
			pkts[0] = t->m;
			x->resumed = t;
			n = bg_exec_run(x, t->stage, pkts, 1);
			x->resumed = NULL;
			bg_task_free(x->task_pool, t);
			if (n != 0)
				emit(w, x->out_port, pkts, n);
			continue;
		}
		stage = t->stage;
		pkts[nb++] = t->m;
		bg_task_free(x->task_pool, t);
	}
	if (nb != 0) {
		n = bg_exec_run(x, stage, pkts, nb);
		if (n != 0)
			emit(w, x->out_port, pkts, n);
	}
}

/* Resume every ready task of w on w itself (see bg_worker_resume_divert()). */
static __rte_always_inline void
bg_worker_resume(struct bg_worker *w,
		 void (*emit)(struct bg_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n))
{
	bg_worker_resume_divert(w, emit, NULL);
}

/*
 * Free every task still waiting on w (timers, ready list) and its packet,
 * counting the packet as a shutdown drop on its ingress port. Control thread,
 * after the worker has been joined. Returns how many.
 */
unsigned bg_worker_drain_tasks(struct bg_worker *w);

#endif /* BG_WORKER_H */
