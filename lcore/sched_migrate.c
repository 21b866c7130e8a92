/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The migrate model: workers own queues, idle workers steal.
 *
 * Worker i owns RX queue i and TX queue i of every port, and a work queue
 * (an SP/MC ring of packets and tasks). Each loop iteration it takes, in this
 * order, the first of:
 *   1. a grain of packets from its own work queue;
 *   2. a burst from each of its own RX queues, also after 1 while its work
 *      queue holds less than a burst: the first grain runs at once, the rest
 *      goes on its work queue, where others can take it;
 *   3. a steal, when both were empty: half of a victim's work queue (at most a
 *      burst), else a burst from a victim's RX queue. Victims are tried round
 *      robin, the last one robbed first; a round that finds nothing doubles
 *      the iterations to skip before the next round (up to MG_BACKOFF_MAX).
 * RX queues sit in one shared table, each behind a try-lock taken once per
 * burst, so a worker busy with long packets does not strand its RX queue:
 * an idle worker polls it. Any worker transmits on its own TX queue of any
 * port.
 *
 * Flow order (--order flow, the default): a packet gets a sequence number of
 * its RX queue when it is polled (under the RX lock; it travels in an mbuf
 * dynamic field when the packet goes through a work queue), and packets
 * leave each RX queue's reorder window in that order: a worker whose packets
 * are next sends them directly, with no lock; one whose packets are early
 * parks them in the window, and whoever fills the gap sends them (a try-lock
 * per RX queue for a worker sending what others parked; nobody spins waiting
 * for order). Since every packet of a flow comes through one RX queue, a
 * flow keeps its order, up to the hand-off to the driver.
 * Packets that wait as tasks (delay, pace) leave the order when they suspend:
 * their slot is skipped.
 *
 * Tasks: a ready task that resumes at a later stage than the one that
 * suspended it (delay's) goes on its worker's work queue and may be resumed
 * by a thief; one that comes back to its own stage (pace's, which holds the
 * worker's token bucket) stays with its worker.
 *
 * Per-worker counters are written by their worker alone; "stolen from" is
 * summed by the reader from what every thief took from each victim.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>
#include <rte_pause.h>
#include <rte_ring.h>
#include <rte_spinlock.h>

#include "dataplane/log.h"
#include "lcore/runtime.h"
#include "lcore/sched.h"

#define MG_WQ_SIZE 1024            /* a work queue's slots */
#define MG_WINDOW 2048             /* packets in flight per RX queue, in order */
#define MG_BACKOFF_MAX 64          /* iterations skipped between steal rounds */
#define MG_GONE ((struct rte_mbuf *)(uintptr_t)1)  /* a slot whose packet left */
#define MG_TASK_TAG ((uintptr_t)1)  /* low bit of a task in a work queue */

/* The per-packet record: which RX queue a packet came from and its number
 * there. In an mbuf dynamic field. */
struct mg_meta {
	uint32_t seq;
	uint16_t rxq;                  /* index in mg_data.rxq[] */
	uint16_t pad;
};

/* One RX queue of one port, shared by every worker. */
struct mg_rxq {
	/* Polling: taken with a try-lock, once per burst. */
	rte_spinlock_t rx_lock;
	uint16_t port;
	uint16_t queue;
	uint16_t dst_port;
	uint16_t owner;                /* worker index */
	uint16_t idx;
	uint32_t rx_seq;               /* next number to give; under rx_lock */

	/* Sending in order: tx_seq and slot[] under tx_lock (try-lock).
	 * tx_seq is also read, without the lock, by pollers bounding the
	 * window: the release store in mg_send_ready() pairs with the acquire
	 * load in mg_poll(). */
	rte_spinlock_t tx_lock __rte_cache_aligned;
	uint32_t tx_seq;
	/* Someone has parked here: from then on a worker that moves the head
	 * must look behind it (mg_head_ready()). Set once, never cleared. */
	uint32_t parked;
	struct rte_mbuf **slot;        /* MG_WINDOW, by seq % MG_WINDOW */
} __rte_cache_aligned;

/* A worker's part of the model. */
struct mg_data;

struct mg_worker {
	struct bg_worker *w;
	const struct mg_data *d;
	struct rte_ring *wq;           /* SP (owner) / MC (owner and thieves) */
	uint16_t nb_own;
	uint16_t own[BG_WORKER_MAX_RXQ];   /* its RX queues, indexes in rxq[] */
	uint16_t backoff;              /* steal rounds to skip, current bound */
	uint16_t skip;                 /* left to skip */
	unsigned next_victim;

	/* Counters, written by this worker only. */
	uint64_t wq_pushed;            /* packets and tasks put on its work queue */
	uint64_t steals;               /* steals that took something */
	uint64_t stolen_pkts;          /* packets taken from others' work queues */
	uint64_t stolen_tasks;         /* tasks taken from others' work queues */
	uint64_t rx_stolen;            /* packets polled from others' RX queues */
	uint64_t steal_fails;          /* rounds that found nothing */
	uint64_t order_parked;         /* packets parked in a window, out of turn */
	uint64_t rx_busy;              /* own RX queue found locked by a thief */
	uint64_t took_from[RTE_MAX_LCORE];  /* packets and tasks, by victim index */
} __rte_cache_aligned;

struct mg_data {
	unsigned nb_workers;
	unsigned nb_rxq;
	uint16_t grain;
	bool order;
	int meta_off;                  /* mbuf dynamic field of struct mg_meta */
	struct mg_worker *wk[RTE_MAX_LCORE];
	struct mg_rxq *rxq;            /* nb_rxq */
};

/* ---- options ---- */

static struct {
	bool order;                    /* --order flow (true) | none */
	unsigned grain;                /* --grain, 0 = auto */
} mg_opts;

static void
mg_opts_reset(void)
{
	mg_opts.order = true;
	mg_opts.grain = 0;
}

static int
mg_parse_order(const char *arg, char *err, size_t errlen)
{
	if (strcmp(arg, "flow") == 0)
		mg_opts.order = true;
	else if (strcmp(arg, "none") == 0)
		mg_opts.order = false;
	else {
		snprintf(err, errlen, "--order: '%s' is not flow or none", arg);
		return -EINVAL;
	}
	return 0;
}

static int
mg_parse_grain(const char *arg, char *err, size_t errlen)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = arg[0] >= '0' && arg[0] <= '9' ? strtoul(arg, &end, 10) : 0;
	if (arg[0] < '0' || arg[0] > '9' || errno != 0 || *end != '\0' || v > BG_BURST_MAX) {
		snprintf(err, errlen, "--grain: '%s' is not a packet count 0..%d (0 = auto)",
			 arg, BG_BURST_MAX);
		return -EINVAL;
	}
	mg_opts.grain = (unsigned)v;
	return 0;
}

static const struct bg_sched_opt mg_opt_table[] = {
	{ "order", "flow|none",
	  "keep each flow's packets in order (flow, default) or not (none)",
	  mg_parse_order },
	{ "grain", "N",
	  "packets a worker runs at a time, the unit others can steal (0 = auto: about 4 us of --work, a burst without it)",
	  mg_parse_grain },
	{ NULL, NULL, NULL, NULL },
};

static void
mg_describe(char *buf, size_t len)
{
	if (mg_opts.grain != 0)
		snprintf(buf, len, "order %s, grain %u", mg_opts.order ? "flow" : "none",
			 mg_opts.grain);
	else
		snprintf(buf, len, "order %s, grain auto", mg_opts.order ? "flow" : "none");
}

/* ---- the fast path ---- */

static inline struct mg_meta *
mg_meta(const struct mg_data *d, struct rte_mbuf *m)
{
	return RTE_MBUF_DYNFIELD(m, d->meta_off, struct mg_meta *);
}

/* Hand pkts[0..n-1] to the driver, flushing at once: in order mode a later
 * sender may use another TX queue of the same port. */
static inline void
mg_tx_now(struct bg_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	if (n == 0)
		return;
	bg_tx_burst(w, port, pkts, n);
	bg_tx_flush(w, port);
}

/* Send what is ready at the head of q's window. Caller holds q->tx_lock. */
static inline void
mg_send_ready(struct bg_worker *w, struct mg_rxq *q)
{
	struct rte_mbuf *out[BG_BURST_MAX];
	const uint32_t start = __atomic_load_n(&q->tx_seq, __ATOMIC_ACQUIRE);
	uint32_t seq = start;
	uint16_t n = 0;

	for (;;) {
		struct rte_mbuf **s = &q->slot[seq % MG_WINDOW];
		/* Pairs with the release store in mg_park(). */
		struct rte_mbuf *m = __atomic_load_n(s, __ATOMIC_ACQUIRE);

		if (m == NULL)
			break;
		*s = NULL;
		seq++;
		if (m != MG_GONE)
			out[n++] = m;
		if (n == BG_BURST_MAX) {
			mg_tx_now(w, q->dst_port, out, n);
			n = 0;
		}
	}
	mg_tx_now(w, q->dst_port, out, n);
	/* Only when it moved: the owner of the head may be moving it past us
	 * (mg_deliver_ordered()). Pairs with the acquire loads in mg_poll()
	 * and mg_deliver_ordered(): what it passed has gone to the driver and
	 * its slots are free. */
	if (seq != start)
		__atomic_store_n(&q->tx_seq, seq, __ATOMIC_RELEASE);
}

/* Is the head of q's window ready? (after the lock was released, or the
 * head moved without it) */
static inline bool
mg_head_ready(struct mg_rxq *q)
{
	/* A parker stores its slot, then looks at the head (its try-lock, the
	 * head's slot); we stored the head (unlock, or the head itself), now we
	 * look at its slot: with a full fence on both sides one of the two sees
	 * the other's store, so a parked packet is never left behind. */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	return __atomic_load_n(&q->slot[__atomic_load_n(&q->tx_seq, __ATOMIC_ACQUIRE) % MG_WINDOW],
			       __ATOMIC_ACQUIRE) != NULL;
}

/* Send what q's window has ready, unless another worker is at it (then it
 * will see what we parked). */
static inline void
mg_drain(struct bg_worker *w, struct mg_rxq *q)
{
	do {
		if (!rte_spinlock_trylock(&q->tx_lock))
			return;
		mg_send_ready(w, q);
		rte_spinlock_unlock(&q->tx_lock);
	} while (mg_head_ready(q));
}

/*
 * Deliver the outcome of running in[0..n-1], numbered seq[0..n-1] (seq NULL:
 * seq0, seq0 + 1, ...), of q: kept[] (k of them, a subsequence of in[] in
 * its order) go out, the others left (dropped or suspended). Kept packets are
 * matched by pointer: a stage never hands on an mbuf it did not get.
 */
static inline void
mg_deliver_ordered(struct mg_worker *me, struct mg_rxq *q, const uint32_t *seq, uint32_t seq0,
		   struct rte_mbuf *const *in, uint16_t n, struct rte_mbuf **kept, uint16_t k)
{
	struct bg_worker *w = me->w;
	const uint32_t first = seq != NULL ? seq[0] : seq0;
	const bool run = seq == NULL || seq[n - 1] - seq[0] == (uint32_t)(n - 1);

	/*
	 * Our turn when the head of the window is our first packet: everything
	 * before it has gone to the driver, and nobody else can move the head
	 * (a drainer stops at our empty slot). Then no lock is needed: send,
	 * move the head past us, and send what others parked behind us.
	 */
	if (run && __atomic_load_n(&q->tx_seq, __ATOMIC_ACQUIRE) == first) {
		mg_tx_now(w, q->dst_port, kept, k);
		/* Pairs with the acquire loads of tx_seq. */
		__atomic_store_n(&q->tx_seq, first + n, __ATOMIC_RELEASE);
		/* Until someone parks here there is nothing to look for (the
		 * first parker's own race with us is covered by the idle
		 * sweep, mg_sweep()). */
		if (__atomic_load_n(&q->parked, __ATOMIC_RELAXED) && mg_head_ready(q))
			mg_drain(w, q);
		return;
	}
	/* Out of turn: park each in its slot, a gone marker for the others. */
	for (uint16_t i = 0, j = 0; i < n; i++) {
		struct rte_mbuf *m = MG_GONE;

		if (j < k && kept[j] == in[i])
			m = kept[j++];
		/* Pairs with the acquire load in mg_send_ready(). */
		__atomic_store_n(&q->slot[(seq != NULL ? seq[i] : seq0 + i) % MG_WINDOW], m,
				 __ATOMIC_RELEASE);
	}
	if (!q->parked)
		__atomic_store_n(&q->parked, 1, __ATOMIC_RELAXED);
	me->order_parked += k;
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);      /* see mg_head_ready() */
	mg_drain(w, q);
}

/* seq0 for mg_run_group(): the packets carry their numbers in mg_meta. */
#define MG_SEQ_META UINT64_MAX

/*
 * Run pkts[0..n-1], all of RX queue q, through the chain and send them.
 * Their numbers are seq0, seq0 + 1, ... when they were just polled together
 * (nothing read from the mbufs), else in their mg_meta (seq0 MG_SEQ_META).
 */
static inline void
mg_run_group(struct mg_worker *me, const struct mg_data *d, struct mg_rxq *q,
	     struct rte_mbuf **pkts, uint16_t n, const bool order, uint64_t seq0)
{
	struct bg_worker *w = me->w;
	struct bg_exec *x = &w->x;
	uint32_t seq[BG_BURST_MAX];
	struct rte_mbuf *in[BG_BURST_MAX];
	/* With no stage, every packet goes on: what comes out is what went in. */
	struct rte_mbuf **const orig = x->nb_stages != 0 ? in : pkts;
	uint16_t k;

	if (order) {
		if (seq0 == MG_SEQ_META)
			for (uint16_t i = 0; i < n; i++)
				seq[i] = mg_meta(d, pkts[i])->seq;
		if (orig == in)
			memcpy(in, pkts, n * sizeof(*pkts));
	}
	x->in_port = q->port;
	x->out_port = q->dst_port;
	k = bg_exec_run(x, 0, pkts, n);
	if (order)
		mg_deliver_ordered(me, q, seq0 == MG_SEQ_META ? seq : NULL, (uint32_t)seq0, orig,
				   n, pkts, k);
	else if (k != 0)
		bg_tx_burst(w, q->dst_port, pkts, k);
}

/* Resume a task another worker suspended (or we did, from our work queue). */
static inline void
mg_run_task(struct mg_worker *me, struct bg_task *t)
{
	struct bg_exec *x = &me->w->x;
	struct rte_mbuf *m = t->m;
	uint16_t k;

	x->in_port = t->in_port;
	x->out_port = t->out_port;
	x->resumed_count++;
	k = bg_exec_run(x, t->stage, &m, 1);
	/* To the pool it came from, which may be another socket's. */
	rte_mempool_put(rte_mempool_from_obj(t), t);
	if (k != 0)
		bg_tx_burst(me->w, x->out_port, &m, 1);
}

/* Run objs[0..n-1] from a work queue or an RX queue: packets grouped by
 * RX queue, tasks one by one. */
static inline void
mg_run(struct mg_worker *me, const struct mg_data *d, void **objs, uint16_t n,
       const bool order)
{
	uint16_t i = 0;

	while (i < n) {
		uint16_t j;
		uint16_t qi;

		if ((uintptr_t)objs[i] & MG_TASK_TAG) {
			mg_run_task(me, (struct bg_task *)((uintptr_t)objs[i] & ~MG_TASK_TAG));
			i++;
			continue;
		}
		qi = mg_meta(d, objs[i])->rxq;
		for (j = i + 1; j < n && !((uintptr_t)objs[j] & MG_TASK_TAG) &&
		     mg_meta(d, objs[j])->rxq == qi; j++)
			;
		mg_run_group(me, d, &d->rxq[qi], (struct rte_mbuf **)&objs[i],
			     (uint16_t)(j - i), order, MG_SEQ_META);
		i = j;
	}
}

/* Poll q (whoever owns it) if its lock is free: number the packets, run the
 * first grain, queue the rest on our work queue. Returns packets polled. */
static inline uint16_t
mg_poll(struct mg_worker *me, const struct mg_data *d, struct mg_rxq *q, const bool order,
	bool behind)
{
	struct bg_worker *w = me->w;
	struct rte_mbuf *pkts[BG_BURST_MAX];
	uint16_t n, want = w->burst, now;
	unsigned queued;
	uint32_t seq;

	if (!rte_spinlock_trylock(&q->rx_lock))
		return 0;
	if (order) {
		/* Pairs with the release store in mg_send_ready(). */
		uint32_t room = MG_WINDOW - (q->rx_seq - __atomic_load_n(&q->tx_seq, __ATOMIC_ACQUIRE));

		if (room < want)
			want = (uint16_t)room;
	}
	n = want != 0 ? rte_eth_rx_burst(q->port, q->queue, pkts, want) : 0;
	seq = q->rx_seq;
	q->rx_seq = seq + n;
	rte_spinlock_unlock(&q->rx_lock);
	if (n == 0)
		return 0;

	w->ctr[q->port].rx += n;
	if (w->x.needs_clock)
		bg_worker_arrived(w);
	/* Queue all but the first grain before running it, so others can take
	 * the rest meanwhile; all of it when older packets are queued (behind),
	 * which go first. */
	now = behind ? 0 : n < d->grain ? n : d->grain;
	queued = 0;
	if (now < n) {
		/* Whoever runs them finds their queue and number in the mbuf. */
		for (uint16_t i = now; i < n; i++)
			*mg_meta(d, pkts[i]) = (struct mg_meta){ .seq = seq + i, .rxq = q->idx };
		queued = rte_ring_sp_enqueue_burst(me->wq, (void **)(pkts + now), n - now, NULL);
		me->wq_pushed += queued;
	}
	if (now != 0)
		mg_run_group(me, d, q, pkts, now, order, seq);
	/* What did not fit runs now (the window puts it in order). */
	if (now + queued < n)
		mg_run_group(me, d, q, pkts + now + queued, (uint16_t)(n - now - queued), order,
			     MG_SEQ_META);
	return n;
}

/* A grain from our own work queue. Returns how many objects ran. */
static inline uint16_t
mg_run_own(struct mg_worker *me, const struct mg_data *d, const bool order)
{
	void *objs[BG_BURST_MAX];
	uint16_t n = (uint16_t)rte_ring_mc_dequeue_burst(me->wq, objs, d->grain, NULL);

	if (n != 0)
		mg_run(me, d, objs, n, order);
	return n;
}

/* Our own RX queues, a burst each. */
static inline uint16_t
mg_poll_own(struct mg_worker *me, const struct mg_data *d, const bool order, bool behind)
{
	uint16_t got = 0;

	for (uint16_t i = 0; i < me->nb_own; i++) {
		struct mg_rxq *q = &d->rxq[me->own[i]];
		uint16_t n;

		if (rte_spinlock_is_locked(&q->rx_lock)) {
			me->rx_busy++;
			continue;
		}
		n = mg_poll(me, d, q, order, behind);
		got = (uint16_t)(got + n);
	}
	return got;
}

/*
 * Idle, look behind the head of each of our RX queues: a worker whose turn
 * it was moves the head without a fence until someone has parked, so the
 * very first packets parked on a queue may wait there until the next
 * delivery on it, or until this.
 */
static void
mg_sweep(struct mg_worker *me, const struct mg_data *d)
{
	for (uint16_t i = 0; i < me->nb_own; i++) {
		struct mg_rxq *q = &d->rxq[me->own[i]];

		if (__atomic_load_n(&q->parked, __ATOMIC_RELAXED) && mg_head_ready(q))
			mg_drain(me->w, q);
	}
}

/*
 * One steal round: the victims' work queues first (their packets are the
 * oldest), then their RX queues. Returns how many objects were taken.
 */
static inline uint16_t
mg_steal(struct mg_worker *me, const struct mg_data *d, const bool order)
{
	void *objs[BG_BURST_MAX];
	const unsigned nb = d->nb_workers;
	const unsigned self = me->w->index;

	if (me->skip != 0) {
		me->skip--;
		return 0;
	}
	for (unsigned k = 0; k < nb; k++) {
		const unsigned v = (me->next_victim + k) % nb;
		struct mg_worker *victim = d->wk[v];
		unsigned count, take, n;

		if (v == self)
			continue;
		count = rte_ring_count(victim->wq);
		if (count == 0)
			continue;
		take = (count + 1) / 2;
		if (take > me->w->burst)
			take = me->w->burst;
		n = rte_ring_mc_dequeue_burst(victim->wq, objs, take, NULL);
		if (n == 0)
			continue;
		for (unsigned i = 0; i < n; i++) {
			if ((uintptr_t)objs[i] & MG_TASK_TAG)
				me->stolen_tasks++;
			else
				me->stolen_pkts++;
		}
		me->took_from[v] += n;
		me->steals++;
		me->next_victim = v;
		me->backoff = 0;
		mg_run(me, d, objs, (uint16_t)n, order);
		return (uint16_t)n;
	}
	for (unsigned k = 0; k < nb; k++) {
		const unsigned v = (me->next_victim + k) % nb;
		const struct mg_worker *victim = d->wk[v];

		if (v == self)
			continue;
		for (uint16_t i = 0; i < victim->nb_own; i++) {
			uint16_t n = mg_poll(me, d, &d->rxq[victim->own[i]], order, false);

			if (n != 0) {
				me->rx_stolen += n;
				me->steals++;
				me->next_victim = v;
				me->backoff = 0;
				return n;
			}
		}
	}
	me->steal_fails++;
	if (order)
		mg_sweep(me, d);
	me->backoff = me->backoff == 0 ? 1 : RTE_MIN(me->backoff * 2, MG_BACKOFF_MAX);
	me->skip = me->backoff;
	return 0;
}

/* A ready task that resumes past the stage that suspended it goes on our
 * work queue, where any worker may take it. */
static bool
mg_divert(struct bg_worker *w, struct bg_task *t)
{
	struct mg_worker *me = w->sched_ctx;

	if (rte_ring_sp_enqueue(me->wq, (void *)((uintptr_t)t | MG_TASK_TAG)) != 0)
		return false;          /* full: resume it here and now */
	me->wq_pushed++;
	return true;
}

static __rte_always_inline void
migrate_loop(struct mg_worker *me, const struct mg_data *d, const bool clock, const bool order)
{
	struct bg_worker *w = me->w;
	uint16_t got = 0;

	if (clock)
		bg_worker_clock_start(w);
	while (!bg_stop_requested()) {
		if (clock)
			bg_worker_clock(w, got != 0);
		got = mg_run_own(me, d, order);
		/* Keep a burst queued: what waits in our work queue can be
		 * stolen, what waits in the NIC's ring only polled. */
		if (got == 0 || rte_ring_count(me->wq) < w->burst)
			got += mg_poll_own(me, d, order, got != 0);
		if (got == 0)
			got = mg_steal(me, d, order);
		if (clock) {
			got |= bg_await_expire(&w->await, w->x.now) != 0;
			bg_worker_resume_divert(w, bg_tx_burst, mg_divert);
		}
		bg_tx_flush_all(w);
		bg_worker_polled(w, got != 0);
	}
	if (clock)
		bg_worker_clock(w, got != 0);
}

static int
migrate_run(void *arg)
{
	struct bg_worker *w = arg;
	struct mg_worker *me = w->sched_ctx;
	const struct mg_data *d;
	const bool clock = w->x.needs_clock || w->count_cycles;

	if (me == NULL || me->w != w)
		return -EINVAL;
	d = me->d;
	if (clock && d->order)
		migrate_loop(me, d, true, true);
	else if (clock)
		migrate_loop(me, d, true, false);
	else if (d->order)
		migrate_loop(me, d, false, true);
	else
		migrate_loop(me, d, false, false);
	return 0;
}

/* ---- set-up and tear-down ---- */

static unsigned mg_serial;         /* makes ring names unique per run */

/*
 * The grain when not given: about MG_GRAIN_NS of service time, so that a
 * worker never sits on more work than that while others could take it; a
 * whole burst when packets cost nothing to speak of (no work stage).
 */
#define MG_GRAIN_NS 4000.0

static uint16_t
mg_auto_grain(const struct bg_config *cfg)
{
	double g;

	if (cfg->work_dist == BG_WORK_NONE || cfg->work_mean_ns <= 0)
		return cfg->burst;
	g = MG_GRAIN_NS / cfg->work_mean_ns;
	return (uint16_t)RTE_MAX(1.0, RTE_MIN(g, (double)cfg->burst));
}

static int
migrate_assign(struct bg_runtime *rt)
{
	const struct bg_config *cfg = rt->cfg;
	static const struct rte_mbuf_dynfield meta_desc = {
		.name = "brigade_migrate_meta",
		.size = sizeof(struct mg_meta),
		.align = __alignof__(struct mg_meta),
	};
	const unsigned nb = rt->nb_workers;
	unsigned nb_ports = 0;
	struct mg_data *d;
	char name[RTE_RING_NAMESIZE];

	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++)
		nb_ports += rt->port_used[p];
	if (nb_ports == 0) {
		BG_LOG(ERR, "no port to poll");
		return -EINVAL;
	}
	if (nb > RTE_MAX_QUEUES_PER_PORT) {
		BG_LOG(ERR, "migrate: %u workers need more queues than a port has (%d)",
		       nb, RTE_MAX_QUEUES_PER_PORT);
		return -EINVAL;
	}
	d = rte_zmalloc("bg_migrate", sizeof(*d), RTE_CACHE_LINE_SIZE);
	if (d == NULL)
		goto nomem;
	rt->sched_data = d;
	d->nb_workers = nb;
	d->order = mg_opts.order;
	d->grain = (uint16_t)(mg_opts.grain != 0 ? RTE_MIN(mg_opts.grain, cfg->burst) :
			      mg_auto_grain(cfg));
	d->meta_off = rte_mbuf_dynfield_register(&meta_desc);
	if (d->meta_off < 0) {
		BG_LOG(ERR, "migrate: cannot register its mbuf field: %s", rte_strerror(rte_errno));
		return -rte_errno;
	}
	d->nb_rxq = nb_ports * nb;
	d->rxq = rte_zmalloc("bg_migrate_rxq", d->nb_rxq * sizeof(*d->rxq), RTE_CACHE_LINE_SIZE);
	if (d->rxq == NULL)
		goto nomem;
	mg_serial++;

	for (unsigned i = 0; i < nb; i++) {
		struct bg_worker *w = rt->workers[i];
		struct mg_worker *me;

		me = rte_zmalloc_socket("bg_migrate_worker", sizeof(*me), RTE_CACHE_LINE_SIZE,
					w->socket);
		if (me == NULL)
			goto nomem;
		d->wk[i] = me;
		me->w = w;
		me->d = d;
		me->next_victim = i;
		w->sched_ctx = me;
		snprintf(name, sizeof(name), "bg_mg%u_wq%u", mg_serial, w->lcore_id);
		me->wq = rte_ring_create(name, MG_WQ_SIZE, w->socket, RING_F_SP_ENQ | RING_F_EXACT_SZ);
		if (me->wq == NULL) {
			BG_LOG(ERR, "migrate: cannot create work queue %s: %s", name,
			       rte_strerror(rte_errno));
			return -rte_errno;
		}
	}

	for (uint16_t p = 0, k = 0; p < RTE_MAX_ETHPORTS; p++) {
		if (!rt->port_used[p])
			continue;
		rt->port_rxq[p] = rt->port_txq[p] = (uint16_t)nb;
		for (unsigned i = 0; i < nb; i++, k++) {
			struct mg_rxq *q = &d->rxq[k];
			struct bg_worker *w = rt->workers[i];
			struct mg_worker *me = d->wk[i];

			rte_spinlock_init(&q->rx_lock);
			rte_spinlock_init(&q->tx_lock);
			q->port = p;
			q->queue = (uint16_t)i;
			q->dst_port = cfg->dst_port[p];
			q->owner = (uint16_t)i;
			q->idx = k;
			if (d->order) {
				q->slot = rte_zmalloc_socket("bg_migrate_window",
							     MG_WINDOW * sizeof(*q->slot),
							     RTE_CACHE_LINE_SIZE, w->socket);
				if (q->slot == NULL)
					goto nomem;
			}
			me->own[me->nb_own++] = k;
			/* The owner's pool feeds the queue. */
			w->rxq[w->nb_rxq++] = (struct bg_rxq){
				.port = p, .queue = (uint16_t)i, .dst_port = cfg->dst_port[p],
			};
			w->txport[w->nb_txport++] = p;
			w->tx[p].queue = (uint16_t)i;
		}
	}

	/* Packets held beyond bursts: every window when in order (it bounds
	 * the work queues too), else every work queue. */
	for (unsigned i = 0; i < nb; i++) {
		int s = rt->workers[i]->socket;

		rt->model_mbufs[s] = d->order ? d->nb_rxq * MG_WINDOW : nb * MG_WQ_SIZE;
	}
	BG_LOG(INFO, "migrate: %u workers, %u RX queues shared, grain %u, order %s",
	       nb, d->nb_rxq, d->grain, d->order ? "flow" : "none");
	return 0;
nomem:
	BG_LOG(ERR, "migrate: cannot allocate its tables");
	return -ENOMEM;
}

static void
mg_shutdown_drop(struct bg_worker *w, struct rte_mbuf *m, uint16_t in_port)
{
	w->ctr[in_port].drop[BG_DROP_SHUTDOWN]++;
	rte_pktmbuf_free(m);
}

static void
migrate_drain(struct bg_runtime *rt)
{
	struct mg_data *d = rt->sched_data;
	void *objs[64];
	unsigned n;

	if (d == NULL)
		return;
	for (unsigned i = 0; i < d->nb_workers; i++) {
		struct mg_worker *me = d->wk[i];

		if (me == NULL || me->wq == NULL)
			continue;
		while ((n = rte_ring_mc_dequeue_burst(me->wq, objs, RTE_DIM(objs), NULL)) != 0) {
			for (unsigned k = 0; k < n; k++) {
				if ((uintptr_t)objs[k] & MG_TASK_TAG) {
					struct bg_task *t = (void *)((uintptr_t)objs[k] & ~MG_TASK_TAG);

					mg_shutdown_drop(me->w, t->m, t->in_port);
					rte_mempool_put(rte_mempool_from_obj(t), t);
				} else {
					struct rte_mbuf *m = objs[k];

					mg_shutdown_drop(me->w, m, d->rxq[mg_meta(d, m)->rxq].port);
				}
			}
		}
	}
	for (unsigned k = 0; k < d->nb_rxq && d->rxq != NULL; k++) {
		struct mg_rxq *q = &d->rxq[k];

		for (unsigned s = 0; q->slot != NULL && s < MG_WINDOW; s++) {
			if (q->slot[s] != NULL && q->slot[s] != MG_GONE)
				mg_shutdown_drop(d->wk[q->owner]->w, q->slot[s], q->port);
			q->slot[s] = NULL;
		}
	}
}

static void
migrate_fini(struct bg_runtime *rt)
{
	struct mg_data *d = rt->sched_data;

	if (d == NULL)
		return;
	for (unsigned i = 0; i < RTE_MAX_LCORE; i++) {
		if (d->wk[i] == NULL)
			continue;
		rte_ring_free(d->wk[i]->wq);
		rte_free(d->wk[i]);
	}
	for (unsigned k = 0; k < d->nb_rxq && d->rxq != NULL; k++)
		rte_free(d->rxq[k].slot);
	rte_free(d->rxq);
	rte_free(d);
	rt->sched_data = NULL;
}

static unsigned
migrate_stats(const struct bg_runtime *rt, const struct bg_worker *w, struct bg_stat *out)
{
	const struct mg_data *d = rt->sched_data;
	const struct mg_worker *me = w->sched_ctx;
	uint64_t stolen_from = 0;
	unsigned n = 0;

	if (d == NULL || me == NULL)
		return 0;
	for (unsigned i = 0; i < d->nb_workers; i++)
		if (d->wk[i] != NULL)
			stolen_from += d->wk[i]->took_from[w->index];
	out[n++] = (struct bg_stat){ "steals", me->steals };
	out[n++] = (struct bg_stat){ "stolen_pkts", me->stolen_pkts };
	out[n++] = (struct bg_stat){ "stolen_tasks", me->stolen_tasks };
	out[n++] = (struct bg_stat){ "rx_stolen", me->rx_stolen };
	out[n++] = (struct bg_stat){ "stolen_from", stolen_from };
	out[n++] = (struct bg_stat){ "steal_fails", me->steal_fails };
	out[n++] = (struct bg_stat){ "queued", me->wq_pushed };
	out[n++] = (struct bg_stat){ "order_parked", me->order_parked };
	out[n++] = (struct bg_stat){ "rx_busy", me->rx_busy };
	return n;
}

static struct bg_sched sched_migrate = {
	.reg = { .name = "migrate",
		 .help = "each worker polls its own queues first; idle workers steal queued packets and poll busy workers' RX queues" },
	.assign = migrate_assign,
	.run = migrate_run,
	.drain = migrate_drain,
	.fini = migrate_fini,
	.opts = mg_opt_table,
	.opts_reset = mg_opts_reset,
	.describe = mg_describe,
	.stats = migrate_stats,
};
BG_SCHED_REGISTER(sched_migrate);

RTE_INIT(mg_opts_init)
{
	mg_opts_reset();
}
