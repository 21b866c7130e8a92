/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The eventdev model: the same stages, scheduled by a DPDK event device
 * (event_dsw by default, event_sw with --evdev sw).
 *
 * Every worker owns one RX and one TX queue on every port (as in pinned) and
 * one event port. Each loop iteration it
 *
 *   1. polls its RX queues and enqueues each burst as NEW events to the one
 *      atomic event queue, flow_id = the packet's flow hash (flow_hash.h);
 *   2. (event_sw) runs one iteration of the device's scheduler service;
 *   3. dequeues a burst of events, wherever the device put them, runs the
 *      chain on them (one run per ingress port) and transmits on its own TX
 *      queue of the egress port;
 *   4. resumes its own tasks that are due (delay, pace), and flushes its TX
 *      buffers.
 *
 * Flow order: the queue is atomic, so a flow's events are with one event
 * port at a time, and the device moves a flow only after the port released
 * its events. Releases are implicit, at the next dequeue, and every packet of
 * a dequeued burst has been handed to its TX queue (buffers flushed) before
 * that: a flow's packets reach the driver in order even when the device moves
 * the flow to another worker, and so another TX queue. (A NIC that serves its
 * TX queues in turn may still let a packet on an idle queue overtake one
 * behind a backlog on another.) A packet that waits (delay, pace) is a task
 * on the timer wheel of the worker that suspended it and resumes there; its
 * event was released long before, so if the device moves its flow
 * meanwhile, the flow's later packets may leave first.
 *
 * Backpressure: a NEW enqueue the device refuses (more than --evdev-events
 * events in it) is kept and retried once per loop iteration, the worker
 * dequeuing in between, and no RX queue is polled meanwhile; after
 * --chan-retries refused retries in a row the packets are dropped as
 * chan_full on their ingress port.
 *
 * The ingress port travels in the event (sub_event_type), so that neither a
 * worker nor a flush at stop has to read the mbuf to count a packet.
 *
 * Stop: drain() (workers joined, device still running) frees what a worker
 * had not enqueued yet and dequeues every event left in the device from
 * every event port (running event_sw's scheduler in between), counting them
 * as shutdown drops; stop() then stops the device, and its flush callback
 * counts whatever the device still held the same way.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_dev.h>
#include <rte_eventdev.h>
#include <rte_malloc.h>
#include <rte_prefetch.h>
#include <rte_service.h>

#include "dataplane/flow_hash.h"
#include "dataplane/log.h"
#include "lcore/runtime.h"
#include "lcore/sched.h"

#define EVD_DEFAULT_EVENTS 4096
#define EVD_EVENTS_MIN 64
#define EVD_EVENTS_MAX 16384       /* event_dsw's most; event_sw holds 4096 */
#define EVD_PREFETCH 3             /* packets ahead whose headers RX fetches */
#define EVD_QUEUE 0                /* the one event queue, atomic */
/* The drain at stop ends after this many rounds over every event port found
 * nothing (event_dsw moves events between ports at dequeue time: a flow
 * migration under way takes a few rounds to finish), or after the most. */
#define EVD_DRAIN_QUIET_ROUNDS 8
#define EVD_DRAIN_MAX_ROUNDS 100000

/* The ingress port rides in sub_event_type (8 bits). */
_Static_assert(RTE_MAX_ETHPORTS <= 256, "the ingress port must fit sub_event_type");

enum evd_kind {
	EVD_DSW,
	EVD_SW,
	EVD_NB_KINDS,
};

static const char *const evd_kind_name[EVD_NB_KINDS] = {
	[EVD_DSW] = "dsw",
	[EVD_SW] = "sw",
};

/* Options, set by parse() on the control thread before the EAL starts. */
static struct {
	enum evd_kind kind;            /* --evdev */
	uint32_t events;               /* --evdev-events */
} evd_opt = { EVD_DSW, EVD_DEFAULT_EVENTS };

/* A worker's counters, for the summary (stats hook). */
#define EVD_FOREACH_STAT(_)                                                    \
	_(new_events)                  /* NEW events the device took */        \
	_(deq_events)                  /* events dequeued */                   \
	_(deq_empty)                   /* dequeues that found nothing */       \
	_(mixed_bursts)                /* dequeued bursts of several ingress  \
					* ports (the chain ran once per port) */ \
	_(enq_refused)                 /* NEW enqueues refused, in part or in \
					* whole (each is retried) */            \
	_(enq_dropped)                 /* packets dropped after the retries   \
					* (chan_full) */                        \
	_(sched_calls)                 /* event_sw: scheduler iterations run */ \
	_(flushed)                     /* events freed at stop (shutdown) */

struct evd_stats {
#define EVD_STAT_FIELD(n) uint64_t n;
	EVD_FOREACH_STAT(EVD_STAT_FIELD)
#undef EVD_STAT_FIELD
};

#define EVD_NB_STATS (sizeof(struct evd_stats) / sizeof(uint64_t))
_Static_assert(EVD_NB_STATS <= BG_SCHED_STATS_MAX, "too many model stats");

static const char *const evd_stat_name[] = {
#define EVD_STAT_NAME(n) #n,
	EVD_FOREACH_STAT(EVD_STAT_NAME)
#undef EVD_STAT_NAME
};

/*
 * A worker's part of the model, on its socket. Made by assign; the first
 * part is read-only once launched, the rest written by the worker alone
 * while it runs (and by the control thread once it has been joined).
 */
struct evd_worker {
	struct bg_worker *w;
	uint8_t dev;                   /* event device */
	uint8_t port;                  /* its event port */
	bool service;                  /* runs the device's scheduler service */
	uint16_t deq_burst;            /* events per dequeue */
	uint16_t enq_depth;            /* events per enqueue call */
	uint32_t sched_service;        /* the service's id, when service */
	uint32_t flow_mask;            /* flow_id = hash & flow_mask */
	uint32_t retries;              /* refused retries before dropping */
	const uint16_t *dst_port;      /* egress port by ingress port */
	uint8_t nb_slots;              /* ports in use */
	uint8_t slot_of_port[RTE_MAX_ETHPORTS];
	uint16_t port_of_slot[RTE_MAX_ETHPORTS];

	RTE_MARKER hot __rte_cache_aligned;
	uint16_t pend_at;              /* pend[pend_at..]: NEW events refused */
	uint16_t pend_len;
	uint16_t pend_port;            /* their ingress port */
	uint16_t rx_next;              /* the RX queue to poll first */
	uint32_t pend_tries;           /* refused retries of them in a row */
	struct evd_stats st;
	struct rte_event pend[BG_BURST_MAX] __rte_cache_aligned;
	struct rte_event ev[BG_BURST_MAX] __rte_cache_aligned;
} __rte_cache_aligned;

struct evd_data {
	uint8_t dev;
	enum evd_kind kind;
	bool created;                  /* we made the vdev: remove it at fini */
	bool configured;
	bool started;
	bool service;                  /* the device has a scheduler service */
	uint32_t sched_service;
	uint16_t deq_burst;
	char name[RTE_DEV_NAME_MAX_LEN];
	struct bg_runtime *rt;
	struct evd_worker *wk[RTE_MAX_LCORE];     /* by worker index */
};

/* ---- options ---- */

static int
evd_parse_evdev(const char *arg, char *err, size_t errlen)
{
	for (int k = 0; k < EVD_NB_KINDS && arg != NULL; k++)
		if (strcmp(arg, evd_kind_name[k]) == 0) {
			evd_opt.kind = (enum evd_kind)k;
			return 0;
		}
	snprintf(err, errlen, "--evdev: '%s' is not an event device (dsw, sw)",
		 arg != NULL ? arg : "");
	return -EINVAL;
}

static int
evd_parse_events(const char *arg, char *err, size_t errlen)
{
	unsigned long v = 0;
	char *end = NULL;

	if (arg != NULL && arg[0] >= '0' && arg[0] <= '9') {
		errno = 0;
		v = strtoul(arg, &end, 10);
	}
	if (end == NULL || *end != '\0' || errno != 0 || v < EVD_EVENTS_MIN ||
	    v > EVD_EVENTS_MAX) {
		snprintf(err, errlen, "--evdev-events: '%s' is not a number of events %u..%u",
			 arg != NULL ? arg : "", EVD_EVENTS_MIN, EVD_EVENTS_MAX);
		return -EINVAL;
	}
	evd_opt.events = (uint32_t)v;
	return 0;
}

static const struct bg_sched_opt evd_opts[] = {
	{ .name = "evdev", .metavar = "dsw|sw",
	  .help = "eventdev: the event device, dsw (distributed, no service core) or sw (a central scheduler the workers run in turn) (default dsw)",
	  .parse = evd_parse_evdev },
	{ .name = "evdev-events", .metavar = "N",
	  .help = "eventdev: events the device holds, 64..16384, sw at most 4096; RX beyond it is retried, then dropped as chan_full (default 4096)",
	  .parse = evd_parse_events },
	{ .name = NULL },
};

static void
evd_opts_reset(void)
{
	evd_opt.kind = EVD_DSW;
	evd_opt.events = EVD_DEFAULT_EVENTS;
}

static void
evd_describe(char *buf, size_t len)
{
	snprintf(buf, len, "evdev %s, rx workers, %u events", evd_kind_name[evd_opt.kind],
		 evd_opt.events);
}

/* ---- the worker loop ---- */

/* Enqueue ev[0..n-1] as NEW events, as far as the device takes them.
 * Returns how many it took. */
static inline uint16_t
evd_enqueue_new(const struct evd_worker *me, const struct rte_event *ev, uint16_t n)
{
	uint16_t done = 0;

	while (done < n) {
		const uint16_t k = RTE_MIN((uint16_t)(n - done), me->enq_depth);
		const uint16_t got = rte_event_enqueue_new_burst(me->dev, me->port, ev + done, k);

		if (got == 0)
			break;
		done += got;
	}
	return done;
}

/* Make NEW events of pkts[0..n-1], received on `port`, in me->pend. */
static inline void
evd_make_new(struct evd_worker *me, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	const struct rte_event tmpl = {
		.queue_id = EVD_QUEUE, .op = RTE_EVENT_OP_NEW,
		.sched_type = RTE_SCHED_TYPE_ATOMIC, .event_type = RTE_EVENT_TYPE_ETHDEV,
		.sub_event_type = (uint8_t)port, .priority = RTE_EVENT_DEV_PRIORITY_NORMAL,
	};
	const uint32_t mask = me->flow_mask;

	for (uint16_t j = 0; j < n; j++) {
		struct rte_event *ev = &me->pend[j];

		/* The hash reads headers: fetch them ahead. */
		if (j + EVD_PREFETCH < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[j + EVD_PREFETCH], void *));
		ev->event = tmpl.event;
		ev->flow_id = bg_flow_hash(pkts[j]) & mask;
		ev->mbuf = pkts[j];
	}
}

/* Poll the RX queues, from the one after the last that was refused; each
 * burst goes into the device as NEW events. A burst it refuses (in part)
 * stays in pend and ends the polling. Returns whether anything came in. */
static inline bool
evd_rx(struct evd_worker *me, struct bg_worker *w)
{
	const uint16_t nb_rxq = w->nb_rxq;
	struct rte_mbuf *pkts[BG_BURST_MAX];
	bool got = false;

	for (uint16_t i = 0, qi = me->rx_next; i < nb_rxq; i++, qi = qi + 1 == nb_rxq ? 0 : qi + 1) {
		const struct bg_rxq *q = &w->rxq[qi];
		const uint16_t n = rte_eth_rx_burst(q->port, q->queue, pkts, w->burst);
		uint16_t k;

		if (n == 0)
			continue;
		got = true;
		w->ctr[q->port].rx += n;
		evd_make_new(me, q->port, pkts, n);
		k = evd_enqueue_new(me, me->pend, n);
		me->st.new_events += k;
		if (unlikely(k < n)) {
			me->pend_at = k;
			me->pend_len = n - k;
			me->pend_port = q->port;
			me->pend_tries = 0;
			me->st.enq_refused++;
			me->rx_next = qi + 1 == nb_rxq ? 0 : qi + 1;
			break;
		}
	}
	return got;
}

/* Retry what the device refused; after me->retries refused retries in a
 * row, drop it as chan_full on its ingress port. Returns whether any of it
 * went in (work done, for the busy count). */
static inline bool
evd_retry(struct evd_worker *me)
{
	struct rte_mbuf *pkts[BG_BURST_MAX];
	const uint16_t k = evd_enqueue_new(me, me->pend + me->pend_at, me->pend_len);

	me->st.new_events += k;
	me->pend_at += k;
	me->pend_len -= k;
	if (me->pend_len == 0)
		return true;
	me->st.enq_refused++;
	if (k != 0) {
		me->pend_tries = 0;
		return true;
	}
	if (++me->pend_tries <= me->retries)
		return false;
	for (uint16_t i = 0; i < me->pend_len; i++)
		pkts[i] = me->pend[me->pend_at + i].mbuf;
	rte_pktmbuf_free_bulk(pkts, me->pend_len);
	me->w->ctr[me->pend_port].drop[BG_DROP_CHAN_FULL] += me->pend_len;
	me->st.enq_dropped += me->pend_len;
	me->pend_len = 0;
	return false;
}

/* The chain on n packets of ingress port `in`, then their TX queue. */
static inline void
evd_chain(struct evd_worker *me, struct bg_worker *w, uint16_t in, struct rte_mbuf **pkts,
	  uint16_t n)
{
	struct bg_exec *x = &w->x;
	const uint16_t out = me->dst_port[in];

	x->in_port = in;
	x->out_port = out;
	n = bg_exec_run(x, 0, pkts, n);
	bg_tx_burst(w, out, pkts, n);
}

/*
 * Run the chain on the n events dequeued into me->ev. The chain takes a
 * burst of one ingress port: a mixed burst is split by a stable counting
 * sort on the port, which keeps every flow's order (a flow has one ingress
 * port).
 */
static inline void
evd_process(struct evd_worker *me, struct bg_worker *w, uint16_t n)
{
	const struct rte_event *ev = me->ev;
	const uint8_t first = ev[0].sub_event_type;
	struct rte_mbuf *pkts[BG_BURST_MAX];
	struct rte_mbuf *sorted[BG_BURST_MAX];
	uint16_t start[RTE_MAX_ETHPORTS + 1];
	uint16_t at[RTE_MAX_ETHPORTS];
	uint8_t slot[BG_BURST_MAX];
	uint8_t mixed = 0;

	me->st.deq_events += n;
	for (uint16_t i = 0; i < n; i++) {
		pkts[i] = ev[i].mbuf;
		mixed |= ev[i].sub_event_type ^ first;
	}
	if (likely(mixed == 0)) {
		evd_chain(me, w, first, pkts, n);
		return;
	}
	me->st.mixed_bursts++;
	memset(start, 0, (me->nb_slots + 1u) * sizeof(start[0]));
	for (uint16_t i = 0; i < n; i++) {
		slot[i] = me->slot_of_port[ev[i].sub_event_type];
		start[slot[i] + 1]++;
	}
	for (unsigned s = 0; s < me->nb_slots; s++) {
		start[s + 1] += start[s];
		at[s] = start[s];
	}
	for (uint16_t i = 0; i < n; i++)
		sorted[at[slot[i]]++] = pkts[i];
	for (unsigned s = 0; s < me->nb_slots; s++)
		if (start[s + 1] != start[s])
			evd_chain(me, w, me->port_of_slot[s], sorted + start[s],
				  (uint16_t)(start[s + 1] - start[s]));
}

/*
 * The loop, specialised at compile time on whether it reads the clock (a
 * stage needs it, or --cycles) and whether it runs the device's scheduler
 * service (event_sw): the fast path asks neither per iteration.
 */
static __rte_always_inline void
evd_loop(struct evd_worker *me, const bool clock, const bool service)
{
	struct bg_worker *w = me->w;
	struct bg_exec *x = &w->x;
	const uint8_t dev = me->dev, port = me->port;
	const uint16_t deq_burst = me->deq_burst;
	bool busy = false;

	if (clock)
		bg_worker_clock_start(w);
	while (!bg_stop_requested()) {
		uint16_t n;

		if (clock)
			bg_worker_clock(w, busy);
		/* No RX while the device refuses what came in last. */
		if (unlikely(me->pend_len != 0))
			busy = evd_retry(me);
		else
			busy = evd_rx(me, w);
		/* Serialised with the other workers by the service's own lock:
		 * whichever worker gets it schedules for all. */
		if (service && rte_service_run_iter_on_app_lcore(me->sched_service, 1) == 0)
			me->st.sched_calls++;
		/* Every iteration, with work or not: the dequeue releases the
		 * last burst's events, and event_dsw does its background work
		 * (flow migration, flushing its buffers) in it. */
		n = rte_event_dequeue_burst(dev, port, me->ev, deq_burst, 0);
		if (n != 0) {
			busy = true;
			if (clock && x->needs_clock)
				bg_worker_arrived(w);
			evd_process(me, w, n);
		} else {
			me->st.deq_empty++;
		}
		if (clock) {
			/* Resuming packets is work too. */
			busy |= bg_await_expire(&w->await, x->now) != 0;
			bg_worker_resume(w, bg_tx_burst);
		}
		/* Before the next dequeue releases this burst's flows. */
		bg_tx_flush_all(w);
		bg_worker_polled(w, busy);
	}
	if (clock)
		bg_worker_clock(w, busy);          /* credit the last iteration */
}

static int
evd_run(void *arg)
{
	struct bg_worker *w = arg;
	struct evd_worker *me = w->sched_ctx;
	bool clock;

	if (me == NULL || me->w != w) {
		BG_LOG(ERR, "eventdev: lcore %u has no event port", w->lcore_id);
		return -EINVAL;
	}
	clock = w->x.needs_clock || w->count_cycles;
	if (clock && me->service)
		evd_loop(me, true, true);
	else if (clock)
		evd_loop(me, true, false);
	else if (me->service)
		evd_loop(me, false, true);
	else
		evd_loop(me, false, false);
	return 0;
}

/* ---- set-up ---- */

/* Free ev's packet and count it as a shutdown drop of w on its ingress
 * port. Control thread, workers joined. */
static void
evd_drop_event(struct bg_worker *w, struct evd_worker *me, const struct rte_event *ev)
{
	if (ev->event_type != RTE_EVENT_TYPE_ETHDEV || ev->mbuf == NULL)
		return;
	rte_pktmbuf_free(ev->mbuf);
	w->ctr[ev->sub_event_type].drop[BG_DROP_SHUTDOWN]++;
	me->st.flushed++;
}

/* rte_event_dev_stop()'s callback, once per event the device still held:
 * counted on the first worker. */
static void
evd_stop_flush(uint8_t dev, struct rte_event ev, void *arg)
{
	struct evd_data *d = arg;
	struct evd_worker *me = d->wk[0];

	RTE_SET_USED(dev);
	if (me != NULL)
		evd_drop_event(me->w, me, &ev);
}

/*
 * The event device of the chosen kind: one that exists already (given with
 * --vdev), else one we create. Returns 0 or -errno, logging why.
 */
static int
evd_device_get(struct evd_data *d)
{
	char drv[32];
	int ret;

	snprintf(drv, sizeof(drv), "event_%s", evd_kind_name[d->kind]);
	/* Device ids are dense unless one was removed: stop at the count. */
	for (unsigned id = 0, seen = 0; id < RTE_EVENT_MAX_DEVS && seen < rte_event_dev_count();
	     id++) {
		struct rte_event_dev_info info;

		if (rte_event_dev_info_get((uint8_t)id, &info) != 0)
			continue;
		seen++;
		if (info.driver_name != NULL && strcmp(info.driver_name, drv) == 0) {
			d->dev = (uint8_t)id;
			return 0;
		}
	}
	/* rte_eal_hotplug_add() is rte_vdev_init() through the EAL, without
	 * linking the vdev bus driver. */
	snprintf(d->name, sizeof(d->name), "%s0", drv);
	ret = rte_eal_hotplug_add("vdev", d->name, "");
	if (ret != 0) {
		BG_LOG(ERR, "--evdev %s: cannot create the event device %s: %s",
		       evd_kind_name[d->kind], d->name, rte_strerror(ret < 0 ? -ret : ret));
		d->name[0] = '\0';
		return ret < 0 ? ret : -ENODEV;
	}
	d->created = true;
	ret = rte_event_dev_get_dev_id(d->name);
	if (ret < 0) {
		BG_LOG(ERR, "--evdev %s: %s was created but is not an event device",
		       evd_kind_name[d->kind], d->name);
		return -ENODEV;
	}
	d->dev = (uint8_t)ret;
	return 0;
}

/* The largest power of two <= v (v >= 1). */
static uint32_t
pow2_floor(uint32_t v)
{
	return v == 0 ? 1 : UINT32_C(1) << (31 - __builtin_clz(v));
}

/*
 * Configure the device: one atomic queue, one port per worker linked to it,
 * depths from --burst within the device's limits. Fills the parts of each
 * worker's context that come from the device. Returns 0 or -errno, logging.
 */
static int
evd_device_configure(struct evd_data *d, struct bg_runtime *rt, uint32_t *flow_mask,
		     uint16_t *enq_depth)
{
	const char *kind = evd_kind_name[d->kind];
	struct rte_event_dev_info info;
	struct rte_event_dev_config dc;
	struct rte_event_queue_conf qc;
	uint32_t flows;
	uint16_t deq, enq;
	int ret;

	ret = rte_event_dev_info_get(d->dev, &info);
	if (ret != 0) {
		BG_LOG(ERR, "eventdev: cannot read event device %u: %s", d->dev, rte_strerror(-ret));
		return ret;
	}
	if (rt->nb_workers > info.max_event_ports) {
		BG_LOG(ERR, "--evdev %s: %u workers need as many event ports, the device has %u: give the EAL fewer lcores",
		       kind, rt->nb_workers, info.max_event_ports);
		return -EINVAL;
	}
	if (evd_opt.events > (uint32_t)info.max_num_events) {
		BG_LOG(ERR, "--evdev-events: event_%s holds at most %d events, %u asked for",
		       kind, info.max_num_events, evd_opt.events);
		return -EINVAL;
	}
	deq = enq = 1;
	if (info.event_dev_cap & RTE_EVENT_DEV_CAP_BURST_MODE) {
		deq = (uint16_t)RTE_MIN((uint32_t)rt->cfg->burst, info.max_event_port_dequeue_depth);
		enq = (uint16_t)RTE_MIN((uint32_t)rt->cfg->burst, info.max_event_port_enqueue_depth);
	}
	flows = pow2_floor(info.max_event_queue_flows);

	memset(&dc, 0, sizeof(dc));
	dc.nb_events_limit = (int32_t)evd_opt.events;
	dc.nb_event_queues = 1;
	dc.nb_event_ports = (uint8_t)rt->nb_workers;
	dc.nb_event_queue_flows = flows;
	dc.nb_event_port_dequeue_depth = deq;
	dc.nb_event_port_enqueue_depth = enq;
	ret = rte_event_dev_configure(d->dev, &dc);
	if (ret != 0) {
		BG_LOG(ERR, "--evdev %s: cannot configure the event device: %s", kind,
		       rte_strerror(ret < 0 ? -ret : ret));
		return ret < 0 ? ret : -EINVAL;
	}
	d->configured = true;

	ret = rte_event_queue_default_conf_get(d->dev, EVD_QUEUE, &qc);
	if (ret == 0) {
		qc.schedule_type = RTE_SCHED_TYPE_ATOMIC;
		qc.event_queue_cfg = 0;
		qc.nb_atomic_flows = flows;
		qc.nb_atomic_order_sequences = flows;
		qc.priority = RTE_EVENT_DEV_PRIORITY_NORMAL;
		ret = rte_event_queue_setup(d->dev, EVD_QUEUE, &qc);
	}
	if (ret != 0) {
		BG_LOG(ERR, "--evdev %s: cannot set up an atomic event queue: %s", kind,
		       rte_strerror(ret < 0 ? -ret : ret));
		return ret < 0 ? ret : -EINVAL;
	}
	for (unsigned i = 0; i < rt->nb_workers; i++) {
		struct rte_event_port_conf pc;

		ret = rte_event_port_default_conf_get(d->dev, (uint8_t)i, &pc);
		if (ret == 0) {
			/* Every enqueue is NEW: the device's whole capacity. */
			pc.new_event_threshold = (int32_t)evd_opt.events;
			pc.dequeue_depth = deq;
			pc.enqueue_depth = enq;
			pc.event_port_cfg = 0;     /* implicit release */
			ret = rte_event_port_setup(d->dev, (uint8_t)i, &pc);
		}
		if (ret != 0) {
			BG_LOG(ERR, "--evdev %s: cannot set up event port %u: %s", kind, i,
			       rte_strerror(ret < 0 ? -ret : ret));
			return ret < 0 ? ret : -EINVAL;
		}
		if (rte_event_port_link(d->dev, (uint8_t)i, NULL, NULL, 0) != 1) {
			BG_LOG(ERR, "--evdev %s: cannot link event port %u to the queue: %s", kind,
			       i, rte_strerror(rte_errno));
			return -EINVAL;
		}
	}

	/* A device with a scheduler service (event_sw) has it run by the
	 * workers, each an iteration per loop: the main lcore is the control
	 * thread and cannot be a service lcore, and a service lcore of its own
	 * would take a CPU from the workers. */
	ret = rte_event_dev_service_id_get(d->dev, &d->sched_service);
	d->service = ret == 0;
	if (d->service) {
		if (rte_service_runstate_set(d->sched_service, 1) != 0 ||
		    rte_service_set_runstate_mapped_check(d->sched_service, 0) != 0) {
			BG_LOG(ERR, "--evdev %s: cannot enable the scheduler service", kind);
			return -EINVAL;
		}
	}
	ret = rte_event_dev_stop_flush_callback_register(d->dev, evd_stop_flush, d);
	if (ret != 0) {
		BG_LOG(ERR, "--evdev %s: cannot register the stop flush: %s", kind,
		       rte_strerror(-ret));
		return ret;
	}
	d->deq_burst = deq;
	*flow_mask = flows - 1;
	*enq_depth = enq;
	return 0;
}

static int
evd_assign(struct bg_runtime *rt)
{
	const struct bg_config *cfg = rt->cfg;
	struct evd_data *d;
	uint16_t port_of_slot[RTE_MAX_ETHPORTS];
	uint8_t slot_of_port[RTE_MAX_ETHPORTS];
	uint8_t nb_slots = 0;
	uint32_t flow_mask;
	uint16_t enq_depth;
	int ret;

	memset(slot_of_port, 0, sizeof(slot_of_port));
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++)
		if (rt->port_used[p]) {
			slot_of_port[p] = nb_slots;
			port_of_slot[nb_slots++] = p;
			rt->port_rxq[p] = rt->port_txq[p] = (uint16_t)rt->nb_workers;
		}
	if (nb_slots == 0) {
		BG_LOG(ERR, "no port to poll");
		return -EINVAL;
	}
	/* A worker transmits what any worker received: one pool, so that
	 * MBUF_FAST_FREE on the TX queues holds (as in the pipeline). */
	for (unsigned i = 1; i < rt->nb_workers; i++)
		if (rt->workers[i]->socket != rt->workers[0]->socket) {
			BG_LOG(ERR, "--mode eventdev: lcores %u and %u are on sockets %d and %d; the model needs its workers on one socket",
			       rt->workers[0]->lcore_id, rt->workers[i]->lcore_id,
			       rt->workers[0]->socket, rt->workers[i]->socket);
			return -EINVAL;
		}

	d = rte_zmalloc("bg_eventdev", sizeof(*d), RTE_CACHE_LINE_SIZE);
	if (d == NULL) {
		BG_LOG(ERR, "eventdev: cannot allocate its tables");
		return -ENOMEM;
	}
	rt->sched_data = d;
	d->rt = rt;
	d->kind = evd_opt.kind;
	ret = evd_device_get(d);
	if (ret != 0)
		return ret;
	ret = evd_device_configure(d, rt, &flow_mask, &enq_depth);
	if (ret != 0)
		return ret;

	for (unsigned i = 0; i < rt->nb_workers; i++) {
		struct bg_worker *w = rt->workers[i];
		struct evd_worker *me;

		me = rte_zmalloc_socket("bg_eventdev_worker", sizeof(*me), RTE_CACHE_LINE_SIZE,
					w->socket);
		if (me == NULL) {
			BG_LOG(ERR, "eventdev: cannot allocate the context of lcore %u", w->lcore_id);
			return -ENOMEM;
		}
		d->wk[i] = me;
		w->sched_ctx = me;
		me->w = w;
		me->dev = d->dev;
		me->port = (uint8_t)i;
		me->service = d->service;
		me->sched_service = d->sched_service;
		me->deq_burst = d->deq_burst;
		me->enq_depth = enq_depth;
		me->flow_mask = flow_mask;
		me->retries = cfg->chan_retries;
		me->dst_port = cfg->dst_port;
		me->nb_slots = nb_slots;
		memcpy(me->slot_of_port, slot_of_port, sizeof(slot_of_port));
		memcpy(me->port_of_slot, port_of_slot, sizeof(port_of_slot));

		/* Its own RX and TX queue on every port, as in pinned. */
		for (uint8_t s = 0; s < nb_slots; s++) {
			const uint16_t p = port_of_slot[s];

			w->rxq[w->nb_rxq++] = (struct bg_rxq){
				.port = p, .queue = (uint16_t)i, .dst_port = cfg->dst_port[p],
			};
			w->txport[w->nb_txport++] = p;
			w->tx[p].queue = (uint16_t)i;
		}
	}
	/* Packets in the device (event_dsw lends each port up to 128 credits
	 * beyond the limit's share), plus a refused burst and a dequeued one
	 * per worker. */
	rt->model_mbufs[rt->workers[0]->socket] +=
		RTE_MAX(evd_opt.events, rt->nb_workers * 128u) +
		rt->nb_workers * 2u * cfg->burst;
	BG_LOG(INFO, "eventdev: event_%s (device %u%s), %u workers, %u events, dequeue burst %u%s",
	       evd_kind_name[d->kind], d->dev, d->created ? ", created" : "", rt->nb_workers,
	       evd_opt.events, d->deq_burst,
	       d->service ? ", scheduler service run by the workers" : "");
	return 0;
}

static int
evd_start(struct bg_runtime *rt)
{
	struct evd_data *d = rt->sched_data;
	int ret = rte_event_dev_start(d->dev);

	if (ret != 0) {
		BG_LOG(ERR, "--evdev %s: cannot start the event device: %s",
		       evd_kind_name[d->kind], rte_strerror(ret < 0 ? -ret : ret));
		return ret < 0 ? ret : -EIO;
	}
	d->started = true;
	return 0;
}

/*
 * Workers joined, device running: free what each worker had not got into
 * the device yet, then dequeue every event from every port until rounds
 * over all of them come back empty, counting each packet as a shutdown drop
 * of the worker whose port held it.
 */
static void
evd_drain(struct bg_runtime *rt)
{
	struct evd_data *d = rt->sched_data;
	unsigned quiet = 0;

	if (d == NULL)
		return;
	for (unsigned i = 0; i < rt->nb_workers; i++) {
		struct evd_worker *me = d->wk[i];

		if (me == NULL)
			continue;
		for (uint16_t k = 0; k < me->pend_len; k++)
			evd_drop_event(me->w, me, &me->pend[me->pend_at + k]);
		me->pend_len = 0;
	}
	if (!d->started)
		return;
	for (unsigned round = 0; round < EVD_DRAIN_MAX_ROUNDS && quiet < EVD_DRAIN_QUIET_ROUNDS;
	     round++) {
		uint64_t found = 0;

		if (d->service)
			rte_service_run_iter_on_app_lcore(d->sched_service, 1);
		for (unsigned i = 0; i < rt->nb_workers; i++) {
			struct evd_worker *me = d->wk[i];
			uint16_t n;

			if (me == NULL)
				continue;
			while ((n = rte_event_dequeue_burst(d->dev, me->port, me->ev,
							    d->deq_burst, 0)) != 0) {
				found += n;
				for (uint16_t k = 0; k < n; k++)
					evd_drop_event(me->w, me, &me->ev[k]);
			}
		}
		quiet = found != 0 ? 0 : quiet + 1;
	}
}

static void
evd_stop(struct bg_runtime *rt)
{
	struct evd_data *d = rt->sched_data;

	if (d == NULL || !d->started)
		return;
	/* Its flush callback counts what drain() did not reach. */
	rte_event_dev_stop(d->dev);
	d->started = false;
}

static void
evd_fini(struct bg_runtime *rt)
{
	struct evd_data *d = rt->sched_data;

	if (d == NULL)
		return;
	evd_stop(rt);
	if (d->configured)
		rte_event_dev_stop_flush_callback_register(d->dev, NULL, NULL);
	for (unsigned i = 0; i < RTE_MAX_LCORE; i++) {
		struct evd_worker *me = d->wk[i];

		if (me == NULL)
			continue;
		me->w->sched_ctx = NULL;
		rte_free(me);
	}
	if (d->created) {
		/* Closes the device, then releases it. */
		int ret = rte_eal_hotplug_remove("vdev", d->name);

		if (ret != 0)
			BG_LOG(WARNING, "eventdev: cannot remove %s: %s", d->name,
			       rte_strerror(ret < 0 ? -ret : ret));
	} else if (d->configured) {
		rte_event_dev_close(d->dev);
	}
	rte_free(d);
	rt->sched_data = NULL;
}

static unsigned
evd_stats(const struct bg_runtime *rt, const struct bg_worker *w, struct bg_stat *out)
{
	const struct evd_worker *me = w->sched_ctx;
	const uint64_t *v;

	RTE_SET_USED(rt);
	if (me == NULL)
		return 0;
	v = (const uint64_t *)&me->st;
	for (unsigned k = 0; k < EVD_NB_STATS; k++)
		out[k] = (struct bg_stat){ .name = evd_stat_name[k], .value = v[k] };
	return EVD_NB_STATS;
}

static struct bg_sched sched_eventdev = {
	.reg = { .name = "eventdev",
		 .help = "workers poll RX into a DPDK event device (event_dsw or event_sw), which schedules flows over them" },
	.assign = evd_assign,
	.run = evd_run,
	.drain = evd_drain,
	.fini = evd_fini,
	.opts = evd_opts,
	.opts_reset = evd_opts_reset,
	.describe = evd_describe,
	.start = evd_start,
	.stop = evd_stop,
	.stats = evd_stats,
};
BG_SCHED_REGISTER(sched_eventdev);
