/* SPDX-License-Identifier: BSD-3-Clause */
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

#include "dataplane/counters.h"
#include "dataplane/fwd.h"
#include "lcore/runtime.h"
#include "lcore/sched.h"
#include "eal_helper.h"
#include "flows.h"
#include "model_run.h"
#include "test_helper.h"

#define BURST 64                   /* frames dequeued at once */

/* ---- flows ---- */

/* Flow index i's id: with one_queue only even flows, which enter port 0. */
static uint32_t
flow_id(const struct mr_traffic *t, uint32_t i)
{
	return t->one_queue ? i * MR_NB_PORTS : i;
}

static bool
flow_index(const struct mr_traffic *t, uint32_t id, uint32_t *i)
{
	if (t->one_queue && id % MR_NB_PORTS != 0)
		return false;
	*i = t->one_queue ? id / MR_NB_PORTS : id;
	return *i < t->nb_flows;
}

/* The frame (flow, seq) as it should leave, into d. Returns its length. */
static uint16_t
expected_frame(enum mr_out_kind kind, uint32_t flow, uint32_t seq, uint8_t *d)
{
	const uint16_t len = bg_test_flow_frame(flow, seq, d);

	if (kind == MR_OUT_MACSWAP) {
		uint8_t a[RTE_ETHER_ADDR_LEN];

		memcpy(a, d, sizeof(a));
		memcpy(d, d + RTE_ETHER_ADDR_LEN, sizeof(a));
		memcpy(d + RTE_ETHER_ADDR_LEN, a, sizeof(a));
	}
	return len;
}

/* ---- counters read while the workers run ---- */

static uint64_t
live_u64(const uint64_t *v)
{
	return *(const volatile uint64_t *)v;
}

void
mr_live_read(const struct bg_runtime *rt, struct mr_live *l)
{
	memset(l, 0, sizeof(*l));
	for (unsigned i = 0; i < rt->nb_workers; i++) {
		const struct bg_worker *w = rt->workers[i];

		l->suspended += live_u64(&w->x.suspended);
		for (uint16_t p = 0; p < MR_NB_PORTS; p++) {
			l->rx += live_u64(&w->ctr[p].rx);
			for (int d = 0; d < BG_DROP_MAX; d++)
				l->drops += live_u64(&w->ctr[p].drop[d]);
		}
	}
}

double
mr_seconds_since(uint64_t tsc)
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

int
mr_run_suite(const char *name, const struct bg_test_case *tests, size_t n)
{
	int ret;

	if (bg_test_eal_init(MR_EAL_LCORES, 1 + MR_NB_WORKERS) != 0)
		return 1;
	tx_order_off = rte_mbuf_dynfield_register(&(const struct rte_mbuf_dynfield){
		.name = "bg_test_tx_order", .size = sizeof(uint64_t), .align = __alignof__(uint64_t) });
	if (tx_order_off < 0) {
		fprintf(stderr, "cannot register an mbuf field: %s\n", rte_strerror(rte_errno));
		bg_test_eal_cleanup();
		return 1;
	}
	ret = bg_test_run_suite(name, tests, n);
	bg_test_eal_cleanup();
	return ret;
}

static int
tx_order_attach(struct mr_run *r)
{
	for (uint16_t p = 0; p < MR_NB_PORTS; p++)
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
tx_order_detach(struct mr_run *r, bool free_them)
{
	for (uint16_t p = 0; p < MR_NB_PORTS; p++)
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

int
mr_setup(struct mr_run *r, const struct bg_sched *model, const struct mr_traffic *t)
{
	static const unsigned tx_size[MR_NB_PORTS] = { MR_RING, MR_RING };
	struct bg_test_fixture *f = &r->f;
	const struct bg_runtime *rt = &f->rt;

	memset(r, 0, sizeof(*r));
	r->model = model;
	r->t = t;
	r->total = (uint64_t)t->nb_flows * t->per_flow;
	r->seen = calloc(r->total, sizeof(*r->seen));
	r->sent_as = calloc(r->total, sizeof(*r->sent_as));
	if (r->seen == NULL || r->sent_as == NULL ||
	    bg_test_fixture_ports(f, "md", BG_TEST_MAX_Q, MR_RING, BG_TEST_MAX_Q, tx_size) != 0)
		return -1;
	CHECK(f->port[0].id == 0 && f->port[1].id == 1, "%s: ports %d and %d, expected 0 and 1",
	      mr_model_name(r), f->port[0].id, f->port[1].id);
	if (f->port[0].id != 0 || f->port[1].id != 1)
		return -1;

	bg_config_defaults(&f->cfg);
	f->cfg.sched = model;
	f->cfg.fwd = bg_fwd_find(t->fwd);
	f->cfg.link_wait_s = 0;
	f->cfg.delay_us = t->delay_us;
	f->cfg.work_dist = t->work;
	f->cfg.work_mean_ns = t->work_ns;
	f->cfg.tasks = MR_TASKS;
	if (t->loopback) {
		f->cfg.portmap_set = true;
		f->cfg.dst_port[0] = 0;
		f->cfg.dst_port[1] = 1;
	}
	if (bg_test_fixture_init(f, MR_NB_WORKERS, true) != 0) {
		fprintf(stderr, "%s, %s: set-up failed\n", mr_model_name(r), t->name);
		return -1;
	}
	CHECK(rt->port_rxq[0] == rt->port_rxq[1] && rt->port_txq[0] == rt->port_txq[1] &&
	      rt->port_rxq[0] >= 1 && rt->port_rxq[0] <= BG_TEST_MAX_Q &&
	      rt->port_txq[0] >= 1 && rt->port_txq[0] <= BG_TEST_MAX_Q,
	      "%s: queues per port: RX %u/%u, TX %u/%u; the test has 1 to %u rings each way",
	      mr_model_name(r), rt->port_rxq[0], rt->port_rxq[1], rt->port_txq[0], rt->port_txq[1],
	      BG_TEST_MAX_Q);
	f->nrx = RTE_MAX(1u, RTE_MIN(rt->port_rxq[0], BG_TEST_MAX_Q));
	f->ntx = RTE_MAX(1u, RTE_MIN(rt->port_txq[0], BG_TEST_MAX_Q));
	return tx_order_attach(r);
}

/* Drops have names by construction (counters.h): a packet lost without
 * one breaks rx == tx + drops. A model's own counters must have names too,
 * and none of its loops may fail. */
static void
check_named(const struct mr_run *r, const struct bg_summary *s)
{
	for (unsigned k = 0; k < s->nb_stats; k++)
		CHECK(s->stats[k].name != NULL && s->stats[k].name[0] != '\0',
		      "%s: model counter %u has a name", mr_model_name(r), k);
	CHECK(s->nb_failed == 0, "%s: %u worker loops failed", mr_model_name(r), s->nb_failed);
}

const char *
mr_drops_str(const struct bg_counters *c, char *buf, size_t len)
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

bool
mr_finish(struct mr_run *r, bool summary, struct bg_summary *s)
{
	bool got = false;

	tx_order_detach(r, false);
	bg_test_fixture_stop(&r->f);
	tx_order_detach(r, true);
	if (r->f.rt_inited && summary) {
		*s = *bg_test_check_summary(&r->f, mr_model_name(r), MR_NB_WORKERS);
		check_named(r, s);
		if (!s->conserved)
			fprintf(stderr, "%s, %s: not conserved: rx %" PRIu64 ", tx %" PRIu64
				", drops %" PRIu64 ", pools back: %s\n", mr_model_name(r), r->t->name,
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

bool
mr_inject_one(struct mr_run *r)
{
	const struct mr_traffic *t = r->t;
	const uint32_t flow = flow_id(t, (uint32_t)(r->injected % t->nb_flows));
	const uint32_t seq = (uint32_t)(r->injected / t->nb_flows);
	const uint16_t p = bg_test_flow_ingress(flow);
	const uint16_t q = t->one_queue || t->rxq0 ? 0 : bg_test_flow_rxq(flow, r->f.nrx);
	struct rte_mbuf *m = bg_test_flow_mbuf(r->f.pool, flow, seq);

	if (m == NULL || rte_ring_enqueue(r->f.port[p].rx[q], m) != 0) {
		rte_pktmbuf_free(m);
		CHECK(false, "%s, %s: cannot inject frame %" PRIu64 " (mbuf pool empty or RX ring full)",
		      mr_model_name(r), t->name, r->injected);
		return false;
	}
	r->in[p]++;
	r->injected++;
	return true;
}

/* Check one frame that left on TX queue q of port p. */
static void
check_frame(struct mr_run *r, uint16_t p, uint16_t q, const struct rte_mbuf *m)
{
	const struct mr_traffic *t = r->t;
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
				mr_model_name(r), t->name, p, q, len);
		return;
	}
	egress = r->f.cfg.dst_port[bg_test_flow_ingress(flow)];
	if (p != egress && r->bad_port++ == 0)
		fprintf(stderr, "%s, %s: flow %u seq %u left on port %u, expected %u\n",
			mr_model_name(r), t->name, flow, seq, p, egress);
	wlen = expected_frame(t->kind, flow, seq, want);
	if ((m->nb_segs != 1 || rte_pktmbuf_pkt_len(m) != len || len != wlen ||
	     memcmp(d, want, len) != 0) && r->bad_bytes++ == 0)
		fprintf(stderr, "%s, %s: flow %u seq %u: %u bytes in %u segments, expected %u bytes as sent%s\n",
			mr_model_name(r), t->name, flow, seq, len, m->nb_segs, wlen,
			t->kind == MR_OUT_MACSWAP ? " with the addresses swapped" : "");
	if (r->seen[(uint64_t)i * t->per_flow + seq] != 0) {
		if (r->dup++ == 0)
			fprintf(stderr, "%s, %s: flow %u seq %u left twice\n", mr_model_name(r), t->name,
				flow, seq);
		return;
	}
	r->seen[(uint64_t)i * t->per_flow + seq] = 1;
	r->sent_as[(uint64_t)i * t->per_flow + seq] =
		*RTE_MBUF_DYNFIELD(m, tx_order_off, const uint64_t *);
}

void
mr_count_reordered(struct mr_run *r)
{
	const struct mr_traffic *t = r->t;

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
						mr_model_name(r), t->name, flow_id(t, i), last, seq);
				continue;
			}
			last = seq;
		}
	}
}

unsigned
mr_collect(struct mr_run *r)
{
	unsigned n = 0;

	for (uint16_t p = 0; p < MR_NB_PORTS; p++)
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

bool
mr_pump(struct mr_run *r, uint64_t until)
{
	uint64_t moved_at = rte_get_timer_cycles();

	while (r->collected < until) {
		unsigned moved = 0;
		struct mr_live l;

		while (r->injected < r->total && r->injected - r->collected < MR_WINDOW) {
			if (!mr_inject_one(r))
				return false;
			moved++;
		}
		moved += mr_collect(r);
		if (moved != 0) {
			moved_at = rte_get_timer_cycles();
			continue;
		}
		mr_live_read(&r->f.rt, &l);
		if (r->injected == r->total && r->collected + l.drops >= r->total)
			break;             /* dropped frames never come: counted below */
		if (mr_seconds_since(moved_at) > MR_STUCK_S) {
			CHECK(false, "%s, %s: stuck for %.0f s: %" PRIu64 " of %" PRIu64
			      " frames in, %" PRIu64 " received, %" PRIu64 " out, %" PRIu64 " dropped",
			      mr_model_name(r), r->t->name, MR_STUCK_S, r->injected, r->total, l.rx,
			      r->collected, l.drops);
			return false;
		}
		usleep(50);
	}
	return true;
}

void
mr_check_output(const struct mr_run *r, bool all)
{
	uint64_t distinct = 0;

	for (uint64_t k = 0; k < r->total; k++)
		distinct += r->seen[k];
	CHECK(r->bad_tag == 0, "%s, %s: %u frames out that were not sent", mr_model_name(r),
	      r->t->name, r->bad_tag);
	CHECK(r->bad_port == 0, "%s, %s: %u frames on the wrong port", mr_model_name(r),
	      r->t->name, r->bad_port);
	CHECK(r->bad_bytes == 0, "%s, %s: %u frames with wrong bytes (--fwd %s)", mr_model_name(r),
	      r->t->name, r->bad_bytes, r->t->fwd);
	CHECK(r->dup == 0, "%s, %s: %u frames left twice", mr_model_name(r), r->t->name, r->dup);
	if (all)
		CHECK(distinct == r->total, "%s, %s: %" PRIu64 " of %" PRIu64 " frames left (%" PRIu64
		      " missing)", mr_model_name(r), r->t->name, distinct, r->total,
		      r->total - distinct);
	if (r->t->order)
		CHECK(r->reordered == 0, "%s, %s: %u frames left before an earlier one of their flow",
		      mr_model_name(r), r->t->name, r->reordered);
}

void
mr_check_ports_forwarded(const struct mr_run *r, const struct bg_summary *s)
{
	for (unsigned k = 0; k < s->nb_ports; k++) {
		const struct bg_port_summary *ps = &s->ports[k];
		const uint16_t p = ps->port;
		char why[160];

		if (p >= MR_NB_PORTS)
			continue;
		CHECK(ps->c.rx == r->in[p] && ps->c.tx == r->out[p] && bg_counters_drops(&ps->c) == 0,
		      "%s, %s: port %u: rx %" PRIu64 " tx %" PRIu64 " drops %s, expected rx %" PRIu64
		      " tx %" PRIu64 " drops none", mr_model_name(r), r->t->name, p, ps->c.rx, ps->c.tx,
		      mr_drops_str(&ps->c, why, sizeof(why)), r->in[p], r->out[p]);
	}
}

void
mr_check_stopped(const struct mr_run *r, const struct bg_summary *s,
		 const unsigned left[MR_NB_PORTS])
{
	const struct bg_counters *c = &s->total;
	const uint64_t held_n = c->rx - c->tx;
	char why[160];

	for (unsigned k = 0; k < s->nb_ports; k++) {
		const struct bg_port_summary *ps = &s->ports[k];
		const uint16_t p = ps->port;

		if (p >= MR_NB_PORTS)
			continue;
		CHECK(ps->c.rx + left[p] == r->in[p] && ps->c.tx == r->out[p],
		      "%s, %s: port %u: rx %" PRIu64 " + %u left on its RX rings, %" PRIu64
		      " in; tx %" PRIu64 ", %" PRIu64 " on its TX rings", mr_model_name(r), r->t->name,
		      p, ps->c.rx, left[p], r->in[p], ps->c.tx, r->out[p]);
	}
	CHECK(c->drop[BG_DROP_SHUTDOWN] == held_n && bg_counters_drops(c) == held_n,
	      "%s, %s: rx %" PRIu64 " tx %" PRIu64 ": drops %s, expected shutdown %" PRIu64
	      " and nothing else", mr_model_name(r), r->t->name, c->rx, c->tx,
	      mr_drops_str(c, why, sizeof(why)), held_n);
}

bool
mr_forward(struct mr_run *r, const struct bg_sched *model, const struct mr_traffic *t,
	   struct bg_summary *s)
{
	bool ok;

	if (mr_setup(r, model, t) != 0)
		goto fail;
	while (r->injected < t->preload && r->injected < r->total)
		if (!mr_inject_one(r))
			goto fail;
	if (bg_test_fixture_launch(&r->f) != 0)
		goto fail;
	ok = mr_pump(r, r->total);
	bg_runtime_stop(&r->f.rt);
	mr_collect(r);                 /* anything sent late, or twice */
	mr_count_reordered(r);
	mr_check_output(r, true);
	if (!mr_finish(r, ok, s))
		return false;
	mr_check_ports_forwarded(r, s);
	return true;
fail:
	CU_FAIL("set-up failed");
	mr_finish(r, false, s);
	return false;
}
