/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Conformance of the execution models: the same scenarios, unchanged, for
 * every model in the registry (bg_sched_registry), in process on net_ring
 * ports. A model that registers itself is tested here with no change to
 * this file; nothing below names a model or gives one its own options.
 *
 * What every model must do, and is checked for each (each test runs its
 * scenario once per model and prints a line per model):
 * - forward: the frames of 64 flows, entering both ports, leave as the exact
 *   bytes --fwd promises (io: unchanged; macswap: addresses swapped), each
 *   once, on the port the port map names, and each flow in the order it
 *   came; exact per-port counters;
 * - wait: with a delay stage, the same frames leave, every one once;
 * - stop with packets held (waiting as tasks, or anywhere in the model):
 *   every packet received and not sent is a `shutdown` drop;
 * - one RX queue, one flow: all traffic through one queue of one port;
 * - after every run: rx == tx + drops (every drop under a named reason),
 *   the model's own counters named, no worker loop failed, the mbuf and
 *   task pools back to their starting in-use counts (the summary's
 *   `conserved`).
 *
 * Traffic is pumped, not preloaded: at most WINDOW frames are in flight at
 * once, fewer than any RX or TX ring holds, so neither the test nor a
 * worker ever finds a ring full, however the CPUs are shared. No timing is
 * asserted: a wait fails only after STUCK_S seconds without progress.
 *
 * Order is the order in which frames were handed to the ports: a TX
 * callback on every queue numbers each frame from one counter inside the
 * sender's rte_eth_tx_burst(). Reading the TX rings one after the other
 * could not tell it when a model spreads a flow over several TX queues.
 *
 * Lcores: the main lcore (0, control) and four workers on two CPUs,
 * --lcores=0@0,(1,3)@1,(2,4)@0; every model runs on all four with its
 * defaults. Ports are made with BG_TEST_MAX_Q rings each way, and after
 * bg_runtime_init() the test uses as many as the model gave the port.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_ring.h>

#include "dataplane/config.h"
#include "dataplane/counters.h"
#include "dataplane/fwd.h"
#include "lcore/report.h"
#include "lcore/runtime.h"
#include "lcore/sched.h"
#include "eal_helper.h"
#include "flows.h"
#include "ring_ports.h"
#include "test_helper.h"

#define EAL_LCORES "--lcores=0@0,(1,3)@1,(2,4)@0"
#define NB_WORKERS 4
#define NB_PORTS BG_TEST_NB_PORTS
#define RING 8192                  /* slots of every RX and TX ring */
/* Frames in flight at most: fewer than a ring holds, and half of the
 * smallest buffer a model keeps between lcores by default (a channel, an
 * event device: 4096), so that what is measured is forwarding, not what a
 * model does when its own buffer is full (each model's suite tests that).
 * -DWINDOW=n tries another. */
#ifndef WINDOW
#define WINDOW 2048
#endif
#define TASKS 8192                 /* cfg.tasks: more than can wait at once */
_Static_assert(WINDOW < RING && WINDOW <= TASKS, "rings and tasks hold what is in flight");
#define STUCK_S 30.0               /* nothing moved for this long: stuck */
#define HOLD_US 600e6              /* a delay longer than any wait here */
#define BURST 64                   /* frames dequeued at once */

enum out_kind { OUT_IO, OUT_MACSWAP };

/* A scenario's traffic and configuration. */
struct traffic {
	const char *name;
	const char *fwd;
	enum out_kind kind;
	uint32_t nb_flows, per_flow;   /* frames: nb_flows * per_flow */
	bool one_queue;                /* every flow on port 0, RX queue 0 */
	bool loopback;                 /* --portmap 0:0,1:1 */
	double delay_us;
	bool order;                    /* per-flow order is asserted */
};

/* One run of a scenario under one model. */
struct run {
	const struct bg_sched *model;
	const struct traffic *t;
	struct bg_test_fixture f;
	uint64_t total;                /* frames the scenario sends */
	uint64_t injected, collected;
	uint64_t in[NB_PORTS], out[NB_PORTS];
	uint8_t *seen;                 /* [flow index * per_flow + seq] */
	uint64_t *sent_as;             /* the same: its number in TX order */
	uint32_t txq_used;             /* bit port * BG_TEST_MAX_Q + queue */
	unsigned bad_tag, bad_port, bad_bytes, dup, reordered;
	const struct rte_eth_rxtx_callback *tx_cb[NB_PORTS][BG_TEST_MAX_Q];
};

static struct run run;             /* the fixture is large */

static const char *
model_name(const struct run *r)
{
	return r->model->reg.name;
}

/* ---- flows ---- */

/* Flow index i's id: with one_queue only even flows, which enter port 0. */
static uint32_t
flow_id(const struct traffic *t, uint32_t i)
{
	return t->one_queue ? i * NB_PORTS : i;
}

static bool
flow_index(const struct traffic *t, uint32_t id, uint32_t *i)
{
	if (t->one_queue && id % NB_PORTS != 0)
		return false;
	*i = t->one_queue ? id / NB_PORTS : id;
	return *i < t->nb_flows;
}

/* The frame (flow, seq) as it should leave, into d. Returns its length. */
static uint16_t
expected_frame(enum out_kind kind, uint32_t flow, uint32_t seq, uint8_t *d)
{
	const uint16_t len = bg_test_flow_frame(flow, seq, d);

	if (kind == OUT_MACSWAP) {
		uint8_t a[RTE_ETHER_ADDR_LEN];

		memcpy(a, d, sizeof(a));
		memcpy(d, d + RTE_ETHER_ADDR_LEN, sizeof(a));
		memcpy(d + RTE_ETHER_ADDR_LEN, a, sizeof(a));
	}
	return len;
}

/* ---- counters read while the workers run (each written by its worker
 * alone: a sum is approximate, never more than the truth) ---- */

struct live {
	uint64_t rx, drops, suspended;
};

static uint64_t
live_u64(const uint64_t *v)
{
	return *(const volatile uint64_t *)v;
}

static void
live_read(const struct bg_runtime *rt, struct live *l)
{
	memset(l, 0, sizeof(*l));
	for (unsigned i = 0; i < rt->nb_workers; i++) {
		const struct bg_worker *w = rt->workers[i];

		l->suspended += live_u64(&w->x.suspended);
		for (uint16_t p = 0; p < NB_PORTS; p++) {
			l->rx += live_u64(&w->ctr[p].rx);
			for (int d = 0; d < BG_DROP_MAX; d++)
				l->drops += live_u64(&w->ctr[p].drop[d]);
		}
	}
}

static double
seconds_since(uint64_t tsc)
{
	return (double)(rte_get_timer_cycles() - tsc) / (double)rte_get_timer_hz();
}

/* ---- the order frames were handed to the ports ---- */

static int tx_order_off = -1;      /* mbuf dynamic field: the frame's number */
static uint64_t tx_order_next;     /* the next number; atomic */

/* TX callback, in the sender's rte_eth_tx_burst(): number the burst. One
 * counter for every sender, so the numbers order frames across queues as
 * far as the senders' own synchronisation orders their sends. */
static uint16_t
tx_order_stamp(uint16_t port __rte_unused, uint16_t queue __rte_unused,
	       struct rte_mbuf **pkts, uint16_t n, void *arg __rte_unused)
{
	uint64_t k = __atomic_fetch_add(&tx_order_next, n, __ATOMIC_RELAXED);

	for (uint16_t i = 0; i < n; i++)
		*RTE_MBUF_DYNFIELD(pkts[i], tx_order_off, uint64_t *) = k++;
	return n;
}

static int
tx_order_attach(struct run *r)
{
	for (uint16_t p = 0; p < NB_PORTS; p++)
		for (uint16_t q = 0; q < r->f.ntx; q++) {
			r->tx_cb[p][q] = rte_eth_add_tx_callback(p, q, tx_order_stamp, NULL);
			CHECK(r->tx_cb[p][q] != NULL, "TX callback on port %u queue %u: %s", p, q,
			      rte_strerror(rte_errno));
			if (r->tx_cb[p][q] == NULL)
				return -1;
		}
	return 0;
}

/* Unhook the callbacks (ports still open), or free them (senders joined,
 * ports closed). */
static void
tx_order_detach(struct run *r, bool free_them)
{
	for (uint16_t p = 0; p < NB_PORTS; p++)
		for (uint16_t q = 0; q < BG_TEST_MAX_Q; q++) {
			if (r->tx_cb[p][q] == NULL)
				continue;
			if (!free_them) {
				rte_eth_remove_tx_callback(p, q, r->tx_cb[p][q]);
				continue;
			}
			rte_free((void *)(uintptr_t)r->tx_cb[p][q]);
			r->tx_cb[p][q] = NULL;
		}
}

/* ---- set-up and tear-down ---- */

/*
 * Ports, config (the model at its defaults), runtime. The model decides how
 * many queues each port has; the test then uses that many of its rings.
 * Returns 0, or -1 after a failed assertion.
 */
static int
run_setup(struct run *r, const struct bg_sched *model, const struct traffic *t)
{
	static const unsigned tx_size[NB_PORTS] = { RING, RING };
	struct bg_test_fixture *f = &r->f;
	const struct bg_runtime *rt = &f->rt;

	memset(r, 0, sizeof(*r));
	r->model = model;
	r->t = t;
	r->total = (uint64_t)t->nb_flows * t->per_flow;
	r->seen = calloc(r->total, sizeof(*r->seen));
	r->sent_as = calloc(r->total, sizeof(*r->sent_as));
	if (r->seen == NULL || r->sent_as == NULL ||
	    bg_test_fixture_ports(f, "md", BG_TEST_MAX_Q, RING, BG_TEST_MAX_Q, tx_size) != 0)
		return -1;
	CHECK(f->port[0].id == 0 && f->port[1].id == 1, "%s: ports %d and %d, expected 0 and 1",
	      model_name(r), f->port[0].id, f->port[1].id);
	if (f->port[0].id != 0 || f->port[1].id != 1)
		return -1;

	bg_config_defaults(&f->cfg);
	f->cfg.sched = model;
	f->cfg.fwd = bg_fwd_find(t->fwd);
	f->cfg.link_wait_s = 0;
	f->cfg.delay_us = t->delay_us;
	f->cfg.tasks = TASKS;
	if (t->loopback) {
		f->cfg.portmap_set = true;
		f->cfg.dst_port[0] = 0;
		f->cfg.dst_port[1] = 1;
	}
	if (bg_test_fixture_init(f, NB_WORKERS, true) != 0) {
		fprintf(stderr, "%s, %s: set-up failed\n", model_name(r), t->name);
		return -1;
	}
	CHECK(rt->port_rxq[0] == rt->port_rxq[1] && rt->port_txq[0] == rt->port_txq[1] &&
	      rt->port_rxq[0] >= 1 && rt->port_rxq[0] <= BG_TEST_MAX_Q &&
	      rt->port_txq[0] >= 1 && rt->port_txq[0] <= BG_TEST_MAX_Q,
	      "%s: queues per port: RX %u/%u, TX %u/%u; the test has 1 to %u rings each way",
	      model_name(r), rt->port_rxq[0], rt->port_rxq[1], rt->port_txq[0], rt->port_txq[1],
	      BG_TEST_MAX_Q);
	f->nrx = RTE_MAX(1u, RTE_MIN(rt->port_rxq[0], BG_TEST_MAX_Q));
	f->ntx = RTE_MAX(1u, RTE_MIN(rt->port_txq[0], BG_TEST_MAX_Q));
	return tx_order_attach(r);
}

/* Drops have names by construction (counters.h): a packet lost without
 * one breaks rx == tx + drops. A model's own counters must have names too,
 * and none of its loops may fail. */
static void
check_named(const struct run *r, const struct bg_summary *s)
{
	for (unsigned k = 0; k < s->nb_stats; k++)
		CHECK(s->stats[k].name != NULL && s->stats[k].name[0] != '\0',
		      "%s: model counter %u has a name", model_name(r), k);
	CHECK(s->nb_failed == 0, "%s: %u worker loops failed", model_name(r), s->nb_failed);
}

/* The drops of c, "shutdown 12, runt 3", into buf. */
static const char *
drops_str(const struct bg_counters *c, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int d = 0; d < BG_DROP_MAX && used < len; d++)
		if (c->drop[d] != 0)
			used += (size_t)snprintf(buf + used, len - used, "%s%s %" PRIu64,
						 used ? ", " : "", bg_drop_name((enum bg_drop)d),
						 c->drop[d]);
	return used ? buf : "none";
}

/*
 * Stop, free what the rings hold, close; when the run got that far, collect
 * the summary with what every run must show (conservation, pools back,
 * names) and copy it into s; then free everything. Returns whether s holds
 * a summary.
 */
static bool
run_finish(struct run *r, bool summary, struct bg_summary *s)
{
	bool got = false;

	tx_order_detach(r, false);
	bg_test_fixture_stop(&r->f);
	tx_order_detach(r, true);
	if (r->f.rt_inited && summary) {
		*s = *bg_test_check_summary(&r->f, model_name(r), NB_WORKERS);
		check_named(r, s);
		if (!s->conserved)
			fprintf(stderr, "%s, %s: not conserved: rx %" PRIu64 ", tx %" PRIu64
				", drops %" PRIu64 ", pools back: %s\n", model_name(r), r->t->name,
				s->total.rx, s->total.tx, bg_counters_drops(&s->total),
				s->pools_returned ? "yes" : "no");
		got = true;
	}
	bg_test_fixture_release(&r->f);
	free(r->seen);
	free(r->sent_as);
	r->seen = NULL;
	r->sent_as = NULL;
	return got;
}

/* ---- traffic through the model ---- */

/* Put frame number r->injected on its RX ring: seq injected / nb_flows of
 * flow index injected % nb_flows (flows interleaved). */
static bool
inject_one(struct run *r)
{
	const struct traffic *t = r->t;
	const uint32_t flow = flow_id(t, (uint32_t)(r->injected % t->nb_flows));
	const uint32_t seq = (uint32_t)(r->injected / t->nb_flows);
	const uint16_t p = bg_test_flow_ingress(flow);
	const uint16_t q = t->one_queue ? 0 : bg_test_flow_rxq(flow, r->f.nrx);
	struct rte_mbuf *m = bg_test_flow_mbuf(r->f.pool, flow, seq);

	if (m == NULL || rte_ring_enqueue(r->f.port[p].rx[q], m) != 0) {
		rte_pktmbuf_free(m);
		CHECK(false, "%s, %s: cannot inject frame %" PRIu64 " (mbuf pool empty or RX ring full)",
		      model_name(r), t->name, r->injected);
		return false;
	}
	r->in[p]++;
	r->injected++;
	return true;
}

/* Check one frame that left on TX queue q of port p. */
static void
check_frame(struct run *r, uint16_t p, uint16_t q, const struct rte_mbuf *m)
{
	const struct traffic *t = r->t;
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint16_t len = rte_pktmbuf_data_len(m);
	uint8_t want[BG_TEST_FLOW_FRAME_MAX];
	uint32_t flow, seq, i;
	uint16_t egress, wlen;

	r->out[p]++;
	r->collected++;
	r->txq_used |= 1u << (p * BG_TEST_MAX_Q + q);
	if (!bg_test_flow_tag(d, len, &flow, &seq) || !flow_index(t, flow, &i) ||
	    seq >= t->per_flow) {
		if (r->bad_tag++ == 0)
			fprintf(stderr, "%s, %s: port %u txq %u: a frame of %u bytes that was not sent\n",
				model_name(r), t->name, p, q, len);
		return;
	}
	egress = r->f.cfg.dst_port[bg_test_flow_ingress(flow)];
	if (p != egress && r->bad_port++ == 0)
		fprintf(stderr, "%s, %s: flow %u seq %u left on port %u, expected %u\n",
			model_name(r), t->name, flow, seq, p, egress);
	wlen = expected_frame(t->kind, flow, seq, want);
	if ((m->nb_segs != 1 || rte_pktmbuf_pkt_len(m) != len || len != wlen ||
	     memcmp(d, want, len) != 0) && r->bad_bytes++ == 0)
		fprintf(stderr, "%s, %s: flow %u seq %u: %u bytes in %u segments, expected %u bytes as sent%s\n",
			model_name(r), t->name, flow, seq, len, m->nb_segs, wlen,
			t->kind == OUT_MACSWAP ? " with the addresses swapped" : "");
	if (r->seen[(uint64_t)i * t->per_flow + seq] != 0) {
		if (r->dup++ == 0)
			fprintf(stderr, "%s, %s: flow %u seq %u left twice\n", model_name(r), t->name,
				flow, seq);
		return;
	}
	r->seen[(uint64_t)i * t->per_flow + seq] = 1;
	r->sent_as[(uint64_t)i * t->per_flow + seq] =
		*RTE_MBUF_DYNFIELD(m, tx_order_off, const uint64_t *);
}

/* Count the frames handed to a port before an earlier frame of their flow
 * (of those that left). */
static void
count_reordered(struct run *r)
{
	const struct traffic *t = r->t;

	for (uint32_t i = 0; i < t->nb_flows; i++) {
		const uint64_t *seen_as = &r->sent_as[(uint64_t)i * t->per_flow];
		const uint8_t *seen = &r->seen[(uint64_t)i * t->per_flow];
		uint32_t last = UINT32_MAX;    /* the latest seq sent so far */

		for (uint32_t seq = 0; seq < t->per_flow; seq++) {
			if (!seen[seq])
				continue;
			if (last != UINT32_MAX && seen_as[seq] < seen_as[last]) {
				if (r->reordered++ == 0 && t->order)
					fprintf(stderr, "%s, %s: flow %u: seq %u was sent after seq %u\n",
						model_name(r), t->name, flow_id(t, i), last, seq);
				continue;
			}
			last = seq;
		}
	}
}

/* Dequeue, check and free what is on the TX rings. Returns how many. */
static unsigned
collect(struct run *r)
{
	unsigned n = 0;

	for (uint16_t p = 0; p < NB_PORTS; p++)
		for (uint16_t q = 0; q < r->f.ntx; q++) {
			struct rte_mbuf *m[BURST];
			unsigned got;

			do {
				got = rte_ring_dequeue_burst(r->f.port[p].tx[q], (void **)m, BURST, NULL);
				for (unsigned k = 0; k < got; k++) {
					check_frame(r, p, q, m[k]);
					rte_pktmbuf_free(m[k]);
				}
				n += got;
			} while (got == BURST);
		}
	return n;
}

/*
 * Feed the scenario's frames in, WINDOW at most in flight, and take what
 * comes out, until every frame left or the model dropped the rest. Fails
 * only when nothing moved for STUCK_S seconds.
 */
static bool
pump(struct run *r)
{
	uint64_t moved_at = rte_get_timer_cycles();

	while (r->collected < r->total) {
		unsigned moved = 0;
		struct live l;

		while (r->injected < r->total && r->injected - r->collected < WINDOW) {
			if (!inject_one(r))
				return false;
			moved++;
		}
		moved += collect(r);
		if (moved != 0) {
			moved_at = rte_get_timer_cycles();
			continue;
		}
		live_read(&r->f.rt, &l);
		if (r->injected == r->total && r->collected + l.drops >= r->total)
			break;             /* dropped frames never come: counted below */
		if (seconds_since(moved_at) > STUCK_S) {
			CHECK(false, "%s, %s: stuck for %.0f s: %" PRIu64 " of %" PRIu64
			      " frames in, %" PRIu64 " received, %" PRIu64 " out, %" PRIu64 " dropped",
			      model_name(r), r->t->name, STUCK_S, r->injected, r->total, l.rx,
			      r->collected, l.drops);
			return false;
		}
		usleep(50);
	}
	return true;
}

/* What every frame must have done: left once, exact, on its port. */
static void
check_output(const struct run *r)
{
	uint64_t distinct = 0;

	for (uint64_t k = 0; k < r->total; k++)
		distinct += r->seen[k];
	CHECK(r->bad_tag == 0, "%s, %s: %u frames out that were not sent", model_name(r),
	      r->t->name, r->bad_tag);
	CHECK(r->bad_port == 0, "%s, %s: %u frames on the wrong port", model_name(r),
	      r->t->name, r->bad_port);
	CHECK(r->bad_bytes == 0, "%s, %s: %u frames with wrong bytes (--fwd %s)", model_name(r),
	      r->t->name, r->bad_bytes, r->t->fwd);
	CHECK(r->dup == 0, "%s, %s: %u frames left twice", model_name(r), r->t->name, r->dup);
	CHECK(distinct == r->total, "%s, %s: %" PRIu64 " of %" PRIu64 " frames left (%" PRIu64
	      " missing)", model_name(r), r->t->name, distinct, r->total, r->total - distinct);
	if (r->t->order)
		CHECK(r->reordered == 0, "%s, %s: %u frames left before an earlier one of their flow",
		      model_name(r), r->t->name, r->reordered);
}

/* Exact per-port counters of a run in which every frame left: port p
 * received what went in on it and sent what left on it, nothing dropped. */
static void
check_ports_forwarded(const struct run *r, const struct bg_summary *s)
{
	for (unsigned k = 0; k < s->nb_ports; k++) {
		const struct bg_port_summary *ps = &s->ports[k];
		const uint16_t p = ps->port;
		char why[160];

		if (p >= NB_PORTS)
			continue;
		CHECK(ps->c.rx == r->in[p] && ps->c.tx == r->out[p] && bg_counters_drops(&ps->c) == 0,
		      "%s, %s: port %u: rx %" PRIu64 " tx %" PRIu64 " drops %s, expected rx %" PRIu64
		      " tx %" PRIu64 " drops none", model_name(r), r->t->name, p, ps->c.rx, ps->c.tx,
		      drops_str(&ps->c, why, sizeof(why)), r->in[p], r->out[p]);
	}
}

static unsigned
popcount(uint32_t v)
{
	return (unsigned)__builtin_popcount(v);
}

/* Run traffic t through model: everything must come out. */
static void
forward(const struct bg_sched *model, const struct traffic *t)
{
	static struct bg_summary s;
	struct run *r = &run;
	bool ok;

	if (run_setup(r, model, t) != 0 || bg_test_fixture_launch(&r->f) != 0) {
		CU_FAIL("set-up failed");
		run_finish(r, false, &s);
		return;
	}
	ok = pump(r);
	bg_runtime_stop(&r->f.rt);
	collect(r);                    /* anything sent late, or twice */
	count_reordered(r);
	check_output(r);
	if (!run_finish(r, ok, &s))
		return;
	check_ports_forwarded(r, &s);
	printf("    %-9s %" PRIu64 " in (%u RX queue%s a port), %" PRIu64 " out on %u TX queues, %u reordered%s",
	       model_name(r), r->injected, r->f.nrx, r->f.nrx == 1 ? "" : "s", r->collected,
	       popcount(r->txq_used), r->reordered,
	       t->order ? "" : " (not asserted)");
	if (t->delay_us > 0) {
		uint64_t susp = 0;

		for (unsigned i = 0; i < s.nb_lcores; i++)
			susp += s.lcores[i].suspended;
		printf(", %" PRIu64 " waited as tasks", susp);
		CHECK(susp == r->total, "%s, %s: %" PRIu64 " frames waited as tasks, expected %" PRIu64,
		      model_name(r), t->name, susp, r->total);
	}
	printf("\n");
	fflush(stdout);
}

/* Call fn for every registered model, in name order. */
static void
each_model(void (*fn)(const struct bg_sched *, const struct traffic *), const struct traffic *t)
{
	printf("\n");
	for (const struct bg_reg_entry *e = bg_sched_registry; e != NULL; e = e->next)
		fn((const struct bg_sched *)e, t);
	printf("    ");
}

/* ---- scenarios: forwarding ---- */

static const struct traffic io_flows = {
	.name = "io, 64 flows", .fwd = "io", .kind = OUT_IO,
	.nb_flows = 64, .per_flow = 2048, .order = true,
};

static const struct traffic macswap_loop = {
	.name = "macswap, 64 flows, portmap 0:0,1:1", .fwd = "macswap", .kind = OUT_MACSWAP,
	.nb_flows = 64, .per_flow = 2048, .loopback = true, .order = true,
};

/* Order is counted, not asserted: a packet that waited as a task may leave
 * after later packets of its flow when the model moved the flow to another
 * worker meanwhile; models that move flows say so in their files. */
static const struct traffic delay_flows = {
	.name = "macswap, delay 50 us", .fwd = "macswap", .kind = OUT_MACSWAP,
	.nb_flows = 64, .per_flow = 512, .delay_us = 50,
};

static const struct traffic one_queue = {
	.name = "io, 32 flows on one RX queue", .fwd = "io", .kind = OUT_IO,
	.nb_flows = 32, .per_flow = 2048, .one_queue = true, .order = true,
};

static const struct traffic one_flow = {
	.name = "macswap, one flow", .fwd = "macswap", .kind = OUT_MACSWAP,
	.nb_flows = 1, .per_flow = 16384, .order = true,
};

static void
test_registry(void)
{
	unsigned n = 0;

	printf("\n    models:");
	for (const struct bg_reg_entry *e = bg_sched_registry; e != NULL; e = e->next) {
		const struct bg_sched *s = (const struct bg_sched *)e;

		printf(" %s", e->name);
		CHECK(e->name != NULL && e->help != NULL && s->assign != NULL && s->run != NULL,
		      "model %s: a name, a help line, assign and run", e->name);
		CHECK(bg_sched_find(e->name) == s, "model %s is found by its name", e->name);
		n++;
	}
	printf("\n    ");
	CHECK(n >= 1, "at least one model registered");
}

/* A test: run(model, &traffic) for every model. */
#define EACH_MODEL_TEST(test, run, traffic) \
	static void test(void) { each_model((run), &(traffic)); }

EACH_MODEL_TEST(test_io, forward, io_flows)
EACH_MODEL_TEST(test_macswap_loopback, forward, macswap_loop)
EACH_MODEL_TEST(test_delay, forward, delay_flows)
EACH_MODEL_TEST(test_one_queue, forward, one_queue)
EACH_MODEL_TEST(test_one_flow, forward, one_flow)

/* ---- scenarios: stopping with packets held ---- */

static const struct traffic held = {
	.name = "stop with every frame waiting", .fwd = "macswap", .kind = OUT_MACSWAP,
	.nb_flows = 64, .per_flow = WINDOW / 64, .delay_us = HOLD_US,
};

static const struct traffic stop_now = {
	.name = "stop right after injecting", .fwd = "macswap", .kind = OUT_MACSWAP,
	.nb_flows = 64, .per_flow = WINDOW / 64, .delay_us = 1e6,
};

/* Wait until the model received every frame and each waits as a task.
 * Fails only when nothing moved for STUCK_S seconds. */
static bool
wait_held(struct run *r)
{
	uint64_t moved_at = rte_get_timer_cycles(), last = UINT64_MAX;
	struct live l;

	for (;;) {
		live_read(&r->f.rt, &l);
		if (l.rx == r->total && l.suspended == r->total)
			return true;
		if (l.rx + l.suspended + l.drops != last) {
			last = l.rx + l.suspended + l.drops;
			moved_at = rte_get_timer_cycles();
		} else if (seconds_since(moved_at) > STUCK_S) {
			CHECK(false, "%s, %s: stuck for %.0f s: %" PRIu64 " of %" PRIu64
			      " frames received, %" PRIu64 " waiting, %" PRIu64 " dropped",
			      model_name(r), r->t->name, STUCK_S, l.rx, r->total, l.suspended, l.drops);
			return false;
		}
		usleep(1000);
	}
}

/*
 * Stop with frames in the model: after a wait until all were received and
 * wait as tasks (wait_all), or at once after launch. Then, after close: what
 * a port received plus what is left on its RX rings is what went in; what
 * was sent is what is on the TX rings; everything received and not sent is
 * a shutdown drop and nothing else is dropped; with wait_all, every frame.
 */
static void
stop_held(const struct bg_sched *model, const struct traffic *t)
{
	static struct bg_summary s;
	const bool wait_all = t->delay_us >= HOLD_US;
	struct run *r = &run;
	unsigned left[NB_PORTS];
	uint64_t out, susp = 0, resumed = 0;
	bool ok = true;

	if (run_setup(r, model, t) != 0)
		goto fail;
	/* Everything in before launch, or (wait_all) after. */
	while (!wait_all && r->injected < r->total)
		if (!inject_one(r))
			goto fail;
	if (bg_test_fixture_launch(&r->f) != 0)
		goto fail;
	while (wait_all && r->injected < r->total)
		if (!inject_one(r))
			goto fail;
	if (wait_all)
		ok = wait_held(r);
	bg_runtime_stop(&r->f.rt);
	for (uint16_t p = 0; p < NB_PORTS; p++)
		left[p] = bg_test_rings_count(r->f.port[p].rx, BG_TEST_MAX_Q);
	out = collect(r);
	if (!run_finish(r, ok, &s))
		return;

	for (unsigned k = 0; k < s.nb_ports; k++) {
		const struct bg_port_summary *ps = &s.ports[k];
		const uint16_t p = ps->port;

		if (p >= NB_PORTS)
			continue;
		CHECK(ps->c.rx + left[p] == r->in[p] && ps->c.tx == r->out[p],
		      "%s, %s: port %u: rx %" PRIu64 " + %u left on its RX rings, %" PRIu64
		      " in; tx %" PRIu64 ", %" PRIu64 " on its TX rings", model_name(r), t->name, p,
		      ps->c.rx, left[p], r->in[p], ps->c.tx, r->out[p]);
	}
	{
		const struct bg_counters *c = &s.total;
		const uint64_t held_n = c->rx - c->tx;
		char why[160];

		CHECK(c->drop[BG_DROP_SHUTDOWN] == held_n && bg_counters_drops(c) == held_n,
		      "%s, %s: rx %" PRIu64 " tx %" PRIu64 ": drops %s, expected shutdown %" PRIu64
		      " and nothing else", model_name(r), t->name, c->rx, c->tx,
		      drops_str(c, why, sizeof(why)), held_n);
		if (wait_all)
			CHECK(c->rx == r->total && c->tx == 0 && out == 0,
			      "%s, %s: rx %" PRIu64 " tx %" PRIu64 ", %" PRIu64 " out; expected every one of %"
			      PRIu64 " received and none sent", model_name(r), t->name, c->rx, c->tx,
			      out, r->total);
	}
	for (unsigned i = 0; i < s.nb_lcores; i++) {
		susp += s.lcores[i].suspended;
		resumed += s.lcores[i].resumed;
	}
	if (wait_all)
		CHECK(susp == r->total && resumed == 0,
		      "%s, %s: %" PRIu64 " waited as tasks, %" PRIu64 " resumed; expected %" PRIu64
		      " and 0", model_name(r), t->name, susp, resumed, r->total);
	printf("    %-9s %" PRIu64 " in: %u left on RX rings, %" PRIu64 " received, %" PRIu64
	       " sent, %" PRIu64 " waited as tasks, %" PRIu64 " shutdown drops, pools back: %s\n",
	       model_name(r), r->total, left[0] + left[1], s.total.rx, s.total.tx, susp,
	       s.total.drop[BG_DROP_SHUTDOWN], s.pools_returned ? "yes" : "no");
	fflush(stdout);
	return;
fail:
	CU_FAIL("set-up failed");
	run_finish(r, false, &s);
}

EACH_MODEL_TEST(test_stop_held, stop_held, held)
EACH_MODEL_TEST(test_stop_now, stop_held, stop_now)

int
main(void)
{
	static const struct bg_test_case tests[] = {
		{ "registry: every model has a name, help, assign, run", test_registry },
		{ "io, 64 flows x 2048 on 2 ports: exact frames once each, per-flow order, counters, conservation", test_io },
		{ "macswap, 64 flows x 2048, portmap 0:0,1:1: exact bytes, ports, order, conservation", test_macswap_loopback },
		{ "delay 50 us (frames wait as tasks): exact frames once each, conservation; order counted, not asserted", test_delay },
		{ "all traffic on one RX queue of one port: frames, order, conservation", test_one_queue },
		{ "one flow x 16384: frames, order, conservation", test_one_flow },
		{ "stop with every frame waiting as a task: all shutdown drops, pools back", test_stop_held },
		{ "stop right after injecting (delay 1 s): held frames are shutdown drops, conservation", test_stop_now },
	};
	int ret;

	if (bg_test_eal_init(EAL_LCORES, 1 + NB_WORKERS) != 0)
		return 1;
	tx_order_off = rte_mbuf_dynfield_register(&(const struct rte_mbuf_dynfield){
		.name = "bg_test_tx_order", .size = sizeof(uint64_t), .align = __alignof__(uint64_t) });
	if (tx_order_off < 0) {
		fprintf(stderr, "cannot register an mbuf field: %s\n", rte_strerror(rte_errno));
		bg_test_eal_cleanup();
		return 1;
	}
	ret = BG_TEST_RUN_SUITE("models", tests);
	bg_test_eal_cleanup();
	return ret;
}
