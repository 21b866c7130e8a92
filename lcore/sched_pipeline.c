/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pipeline model: lcores have roles, and every packet crosses lcores
 * through channels.
 *
 *   RX lcores      poll RX queue i (i = the RX lcore's rank) of every port,
 *                  pick a stage worker by flow hash and send it the packet
 *                  through that worker's MPSC channel;
 *   stage workers  run the chain on what their channel brings and transmit
 *                  on their own TX queue of every port, or, when there are
 *                  TX lcores, send it on to the TX lcore of the egress port;
 *   TX lcores      transmit what their MPSC channel brings.
 *
 * A flow always hashes to the same worker, and every channel keeps each
 * producer's order, so packets of a flow leave in the order they came.
 *
 * Counters: the RX lcore counts rx; a stage worker counts its stages' drops;
 * whoever transmits counts tx and tx_full. A sender counts what a full
 * channel refused as chan_full on the packets' ingress port (every send is a
 * burst of one ingress port, so that is exact), and drain() counts what the
 * channels still hold at stop as shutdown drops of their consumer.
 * m->port carries the ingress port between lcores.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_prefetch.h>
#include <rte_ether.h>
#include <rte_malloc.h>

#include "dataplane/flow_hash.h"
#include "dataplane/log.h"
#include "dataplane/parse.h"
#include "lcore/runtime.h"
#include "lcore/sched.h"
#include "rings/chan.h"

#define PL_CHAN_SIZE 4096          /* packets a channel holds */
#define PL_PREFETCH 3              /* packets ahead whose headers RX fetches */

enum pl_role {
	PL_ROLE_NONE,
	PL_ROLE_RX,
	PL_ROLE_STAGE,
	PL_ROLE_TX,
};

static const char *const pl_role_flag[] = {
	[PL_ROLE_RX] = "--rx-lcores",
	[PL_ROLE_STAGE] = "--worker-lcores",
	[PL_ROLE_TX] = "--tx-lcores",
};

/* Packets of one ingress port bound for one channel. */
struct pl_buf {
	uint16_t port;                 /* ingress port of what is buffered */
	uint16_t len;
	struct rte_mbuf *pkts[BG_BURST_MAX];
} __rte_cache_aligned;

/* One lcore's part of the pipeline. Made by assign, read-only once launched
 * except for bufs[], which only the lcore itself writes. */
struct pl_lcore {
	enum pl_role role;
	uint16_t rank;                 /* among the lcores of its role */
	struct bg_worker *w;
	struct bg_chan *in;            /* stage, TX: the channel it consumes */
	/* RX: one channel per stage worker; stage: one per TX lcore. */
	uint16_t nb_out;
	bool tx_lcores;                /* the run has TX lcores */
	struct bg_chan *const *out;
	const uint16_t *dst_port;
	const uint16_t *tx_of_port;    /* stage: egress port -> TX lcore rank */
	struct pl_buf bufs[];          /* nb_out of them */
};

struct pl_data {
	unsigned nb_rx, nb_stage, nb_tx;
	struct pl_lcore *lcore[RTE_MAX_LCORE];    /* by worker index */
	struct bg_chan *stage_chan[RTE_MAX_LCORE]; /* by stage rank */
	struct bg_chan *tx_chan[RTE_MAX_LCORE];    /* by TX rank */
	/* Egress ports shared round-robin among the TX lcores, in port order. */
	uint16_t tx_of_port[RTE_MAX_ETHPORTS];
};

static unsigned pl_serial;         /* makes channel names unique per run */

/* ---- options: the lcores of each role ---- */

static struct {
	uint16_t nb[PL_ROLE_TX + 1];
	uint16_t ids[PL_ROLE_TX + 1][RTE_MAX_LCORE];
} pl_opts;

static void
pl_opts_reset(void)
{
	memset(&pl_opts, 0, sizeof(pl_opts));
}

static int
pl_parse_role(enum pl_role role, const char *arg, char *err, size_t errlen)
{
	return bg_parse_lcores(pl_role_flag[role] + 2, arg, pl_opts.ids[role], &pl_opts.nb[role],
			       err, errlen);
}

static int
pl_parse_rx(const char *arg, char *err, size_t errlen)
{
	return pl_parse_role(PL_ROLE_RX, arg, err, errlen);
}

static int
pl_parse_stage(const char *arg, char *err, size_t errlen)
{
	return pl_parse_role(PL_ROLE_STAGE, arg, err, errlen);
}

static int
pl_parse_tx(const char *arg, char *err, size_t errlen)
{
	return pl_parse_role(PL_ROLE_TX, arg, err, errlen);
}

/* No lcore may hold two roles; the later flag is named. */
static int
pl_opts_check(const struct bg_config *cfg __rte_unused, char *err, size_t errlen)
{
	for (int a = PL_ROLE_RX; a <= PL_ROLE_TX; a++)
		for (int b = a + 1; b <= PL_ROLE_TX; b++)
			for (unsigned i = 0; i < pl_opts.nb[a]; i++)
				for (unsigned j = 0; j < pl_opts.nb[b]; j++)
					if (pl_opts.ids[a][i] == pl_opts.ids[b][j]) {
						snprintf(err, errlen, "%s: lcore %u is also in %s; an lcore has one role",
							 pl_role_flag[b], pl_opts.ids[b][j],
							 pl_role_flag[a]);
						return -EINVAL;
					}
	return 0;
}

/* "rx 1, workers 2,3, tx 4", or "roles by default" */
static void
pl_describe(char *buf, size_t len)
{
	static const char *const what[] = {
		[PL_ROLE_RX] = "rx", [PL_ROLE_STAGE] = "workers", [PL_ROLE_TX] = "tx",
	};
	size_t at = 0;

	buf[0] = '\0';
	if (pl_opts.nb[PL_ROLE_RX] + pl_opts.nb[PL_ROLE_STAGE] + pl_opts.nb[PL_ROLE_TX] == 0) {
		snprintf(buf, len, "roles by default");
		return;
	}
	for (int r = PL_ROLE_RX; r <= PL_ROLE_TX && at < len; r++) {
		at += (size_t)snprintf(buf + at, len - at, "%s%s ", at ? ", " : "", what[r]);
		for (unsigned i = 0; i < pl_opts.nb[r] && at < len; i++)
			at += (size_t)snprintf(buf + at, len - at, "%s%u", i ? "," : "",
					       pl_opts.ids[r][i]);
		if (pl_opts.nb[r] == 0 && at < len)
			at += (size_t)snprintf(buf + at, len - at, "none");
	}
}

static const struct bg_sched_opt pl_opt_table[] = {
	{ "rx-lcores", "LIST", "lcores that poll RX queues and hand packets to workers (e.g. 1,3-4)",
	  pl_parse_rx },
	{ "worker-lcores", "LIST", "lcores that run the stages (a flow always on the same one)",
	  pl_parse_stage },
	{ "tx-lcores", "LIST", "lcores that transmit; without it workers transmit themselves "
	  "(default: the first worker lcore polls RX, the others run the stages and transmit)",
	  pl_parse_tx },
	{ NULL, NULL, NULL, NULL },
};

/* ---- sending through channels ---- */

/* Send what b holds through c; count what did not fit as chan_full on the
 * ingress port, in the sender's counters. With --cycles, a send that found
 * the channel full counts its time as waiting, not work. */
static inline void
pl_buf_send(struct bg_worker *w, struct bg_chan *c, struct pl_buf *b)
{
	const uint64_t full = w->count_cycles ? __bg_chan_stats(c)->full : 0;
	const uint64_t t0 = w->count_cycles ? rte_get_tsc_cycles() : 0;
	unsigned sent = bg_chan_mpsc_send_burst(c, (void **)b->pkts, b->len);

	if (w->count_cycles && __bg_chan_stats(c)->full != full)
		w->wait_cycles += rte_get_tsc_cycles() - t0;
	/* Refused because the consumer stopped, or because it fell behind. */
	if (unlikely(sent < b->len))
		w->ctr[b->port].drop[bg_stop_requested() ? BG_DROP_SHUTDOWN :
				     BG_DROP_CHAN_FULL] += b->len - sent;
	b->len = 0;
}

/* Buffer pkts (of ingress port `port`) for out[k], sending full bursts. */
static inline void
pl_buf_add(struct pl_lcore *me, unsigned k, uint16_t port, struct rte_mbuf **pkts,
	   uint16_t n)
{
	struct pl_buf *b = &me->bufs[k];
	const uint16_t burst = me->w->burst;

	if (b->len != 0 && b->port != port)
		pl_buf_send(me->w, me->out[k], b);
	b->port = port;
	while (n != 0) {
		uint16_t room = burst - b->len;
		uint16_t c = n < room ? n : room;

		memcpy(&b->pkts[b->len], pkts, c * sizeof(*pkts));
		b->len += c;
		pkts += c;
		n -= c;
		if (b->len == burst)
			pl_buf_send(me->w, me->out[k], b);
	}
}

static inline void
pl_buf_flush_all(struct pl_lcore *me)
{
	for (unsigned k = 0; k < me->nb_out; k++)
		if (me->bufs[k].len != 0)
			pl_buf_send(me->w, me->out[k], &me->bufs[k]);
}

/* ---- RX lcores ---- */

/* Specialised on whether it counts busy cycles (--cycles). */
static __rte_always_inline void
rx_loop(struct pl_lcore *me, const bool clock)
{
	struct bg_worker *w = me->w;
	const uint16_t burst = w->burst;
	const uint16_t nb_rxq = w->nb_rxq;
	const unsigned nb_out = me->nb_out;
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
			const uint16_t n = rte_eth_rx_burst(q->port, q->queue, pkts, burst);

			if (n == 0)
				continue;
			got |= n;
			w->ctr[q->port].rx += n;
			/* A burst fits each worker's buffer, and every buffer
			 * is sent before the next burst: one port per send. */
			for (uint16_t j = 0; j < n; j++) {
				struct rte_mbuf *m = pkts[j];

				/* The hash reads headers: fetch them ahead. */
				if (j + PL_PREFETCH < n)
					rte_prefetch0(rte_pktmbuf_mtod(pkts[j + PL_PREFETCH], void *));
				struct pl_buf *b = &me->bufs[bg_flow_pick(bg_flow_hash(m), nb_out)];

				m->port = q->port;
				b->pkts[b->len++] = m;
			}
			for (unsigned k = 0; k < nb_out; k++) {
				me->bufs[k].port = q->port;
				if (me->bufs[k].len != 0)
					pl_buf_send(w, me->out[k], &me->bufs[k]);
			}
		}
		bg_worker_polled(w, got != 0);
	}
	if (clock)
		bg_worker_clock(w, got != 0);      /* credit the last iteration */
}

/* ---- stage workers ---- */

/* Hand n packets that finished the chain (ingress w->x.in_port) to the TX
 * lcore of their egress port. */
static inline void
pl_emit_tx_lcore(struct pl_lcore *me, uint16_t out_port, struct rte_mbuf **pkts, uint16_t n)
{
	if (n != 0)
		pl_buf_add(me, me->tx_of_port[out_port], me->w->x.in_port, pkts, n);
}

/* The same for packets that resumed from a timer: bg_worker_resume()'s emit. */
static void
pl_emit_resumed(struct bg_worker *w, uint16_t out_port, struct rte_mbuf **pkts, uint16_t n)
{
	pl_emit_tx_lcore(w->sched_ctx, out_port, pkts, n);
}

/*
 * Specialised at compile time on whether a stage reads the clock (as the
 * pinned loop is) and on whether TX lcores transmit: no branch on either per
 * packet.
 */
static __rte_always_inline void
stage_loop(struct pl_lcore *me, const bool clock, const bool tx_lcores)
{
	struct bg_worker *w = me->w;
	struct bg_exec *x = &w->x;
	const uint16_t burst = w->burst;
	const uint16_t *dst = me->dst_port;
	struct rte_mbuf *pkts[BG_BURST_MAX];
	unsigned n = 0;

	if (clock)
		bg_worker_clock_start(w);
	while (!bg_stop_requested()) {
		unsigned i, j;

		if (clock)
			bg_worker_clock(w, n != 0);
		n = bg_chan_sc_recv_burst(me->in, (void **)pkts, burst);
		if (clock && n != 0 && x->needs_clock)
			bg_worker_arrived(w);
		/* Runs of one ingress port: the chain runs per port. */
		for (i = 0; i < n; i = j) {
			const uint16_t port = pkts[i]->port;
			const uint16_t out = dst[port];
			uint16_t k;

			for (j = i + 1; j < n && pkts[j]->port == port; j++)
				;
			x->in_port = port;
			x->out_port = out;
			k = bg_exec_run(x, 0, pkts + i, (uint16_t)(j - i));
			if (tx_lcores)
				pl_emit_tx_lcore(me, out, pkts + i, k);
			else
				bg_tx_burst(w, out, pkts + i, k);
		}
		if (clock) {
			/* Resuming packets is work too. */
			if (bg_await_expire(&w->await, x->now) != 0 && n == 0)
				n = 1;
			bg_worker_resume(w, tx_lcores ? pl_emit_resumed : bg_tx_burst);
		}
		if (tx_lcores)
			pl_buf_flush_all(me);
		else
			bg_tx_flush_all(w);
		bg_worker_polled(w, n != 0);
	}
	if (clock)
		bg_worker_clock(w, n != 0);        /* credit the last iteration */
}

/* ---- TX lcores ---- */

/* Specialised on whether it counts busy cycles (--cycles). */
static __rte_always_inline void
tx_loop(struct pl_lcore *me, const bool clock)
{
	struct bg_worker *w = me->w;
	const uint16_t burst = w->burst;
	const uint16_t *dst = me->dst_port;
	struct rte_mbuf *pkts[BG_BURST_MAX];
	unsigned n = 0;

	if (clock)
		bg_worker_clock_start(w);
	while (!bg_stop_requested()) {
		unsigned i, j;

		if (clock)
			bg_worker_clock(w, n != 0);
		n = bg_chan_sc_recv_burst(me->in, (void **)pkts, burst);

		for (i = 0; i < n; i = j) {
			const uint16_t out = dst[pkts[i]->port];

			for (j = i + 1; j < n && dst[pkts[j]->port] == out; j++)
				;
			bg_tx_burst(w, out, pkts + i, (uint16_t)(j - i));
		}
		bg_tx_flush_all(w);
		bg_worker_polled(w, n != 0);
	}
	if (clock)
		bg_worker_clock(w, n != 0);        /* credit the last iteration */
}

static int
pipeline_run(void *arg)
{
	struct bg_worker *w = arg;
	struct pl_lcore *me = w->sched_ctx;
	const bool clock = w->x.needs_clock || w->count_cycles;
	bool tx_lcores;

	if (me == NULL || me->w != w) {
		BG_LOG(ERR, "pipeline: lcore %u has no role in the running pipeline", w->lcore_id);
		return -EINVAL;
	}
	tx_lcores = me->tx_lcores;
	switch (me->role) {
	case PL_ROLE_RX:
		if (w->count_cycles)
			rx_loop(me, true);
		else
			rx_loop(me, false);
		break;
	case PL_ROLE_STAGE:
		if (clock && tx_lcores)
			stage_loop(me, true, true);
		else if (clock)
			stage_loop(me, true, false);
		else if (tx_lcores)
			stage_loop(me, false, true);
		else
			stage_loop(me, false, false);
		break;
	case PL_ROLE_TX:
		if (w->count_cycles)
			tx_loop(me, true);
		else
			tx_loop(me, false);
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

/* ---- set-up ---- */

/* "1,2,5" : the EAL worker lcores, into buf. */
static const char *
eal_workers(char *buf, size_t len)
{
	unsigned lcore;
	size_t at = 0;

	buf[0] = '\0';
	RTE_LCORE_FOREACH_WORKER(lcore) {
		int k = snprintf(buf + at, len - at, "%s%u", at == 0 ? "" : ",", lcore);

		if (k < 0 || (size_t)k >= len - at)
			break;
		at += (size_t)k;
	}
	return buf;
}

static struct bg_worker *
worker_of_lcore(const struct bg_runtime *rt, unsigned lcore)
{
	for (unsigned i = 0; i < rt->nb_workers; i++)
		if (rt->workers[i]->lcore_id == lcore)
			return rt->workers[i];
	return NULL;
}

/*
 * Fill role[] (by worker index) from the configuration, or with the default:
 * the first worker lcore polls RX, the others run the stages and transmit.
 * Returns 0 or -EINVAL, logging one line that names the flag.
 */
static int
roles_assign(const struct bg_runtime *rt, enum pl_role role[RTE_MAX_LCORE])
{
	const struct {
		enum pl_role role;
		const uint16_t *ids;
		uint16_t nb;
	} given[] = {
		{ PL_ROLE_RX, pl_opts.ids[PL_ROLE_RX], pl_opts.nb[PL_ROLE_RX] },
		{ PL_ROLE_STAGE, pl_opts.ids[PL_ROLE_STAGE], pl_opts.nb[PL_ROLE_STAGE] },
		{ PL_ROLE_TX, pl_opts.ids[PL_ROLE_TX], pl_opts.nb[PL_ROLE_TX] },
	};
	char list[256];

	for (unsigned i = 0; i < rt->nb_workers; i++)
		role[i] = PL_ROLE_NONE;
	if (given[0].nb + given[1].nb + given[2].nb == 0) {
		if (rt->nb_workers < 2) {
			BG_LOG(ERR, "--mode pipeline: needs at least 2 worker lcores (one RX, one worker), the EAL has %u: give it more, e.g. -l 0-2",
			       rt->nb_workers);
			return -EINVAL;
		}
		role[0] = PL_ROLE_RX;
		for (unsigned i = 1; i < rt->nb_workers; i++)
			role[i] = PL_ROLE_STAGE;
		return 0;
	}
	for (unsigned g = 0; g < RTE_DIM(given); g++) {
		for (unsigned i = 0; i < given[g].nb; i++) {
			const struct bg_worker *w = worker_of_lcore(rt, given[g].ids[i]);

			if (w == NULL) {
				BG_LOG(ERR, "%s: lcore %u is not a worker lcore of this run (EAL worker lcores: %s; lcore %u is the main lcore)",
				       pl_role_flag[given[g].role], given[g].ids[i],
				       eal_workers(list, sizeof(list)), rte_get_main_lcore());
				return -EINVAL;
			}
			if (role[w->index] != PL_ROLE_NONE) {
				BG_LOG(ERR, "%s: lcore %u is also in %s; an lcore has one role",
				       pl_role_flag[given[g].role], w->lcore_id,
				       pl_role_flag[role[w->index]]);
				return -EINVAL;
			}
			role[w->index] = given[g].role;
		}
	}
	if (rt->nb_workers < 2) {
		BG_LOG(ERR, "--mode pipeline: needs at least 2 worker lcores (one RX, one worker), the EAL has %u: give it more, e.g. -l 0-2",
		       rt->nb_workers);
		return -EINVAL;
	}
	if (pl_opts.nb[PL_ROLE_RX] == 0) {
		BG_LOG(ERR, "--rx-lcores: no lcore for the RX role (with role flags given, list the RX lcores too)");
		return -EINVAL;
	}
	if (pl_opts.nb[PL_ROLE_STAGE] == 0) {
		BG_LOG(ERR, "--worker-lcores: no lcore for the worker role (with role flags given, list the worker lcores too)");
		return -EINVAL;
	}
	for (unsigned i = 0; i < rt->nb_workers; i++)
		if (role[i] == PL_ROLE_NONE) {
			BG_LOG(ERR, "--mode pipeline: lcore %u has no pipeline role: add it to --rx-lcores, --worker-lcores or --tx-lcores, or leave it out of -l/--lcores",
			       rt->workers[i]->lcore_id);
			return -EINVAL;
		}
	return 0;
}

static struct bg_chan *
pl_chan_create(char kind, const struct bg_worker *consumer, unsigned retries)
{
	char name[RTE_RING_NAMESIZE];
	struct bg_chan_conf conf = {
		.name = name, .kind = BG_CHAN_MPSC, .size = PL_CHAN_SIZE,
		.socket = consumer->socket, .full = BG_CHAN_FULL_RETRY,
		.retries = retries, .drop = bg_chan_drop_mbufs,
		.cancel = &bg_stop_flag,       /* a stopped consumer drains nothing */
	};
	struct bg_chan *c;

	snprintf(name, sizeof(name), "bg_pl%u_%c%u", pl_serial, kind, consumer->lcore_id);
	c = bg_chan_create(&conf);
	if (c == NULL)
		BG_LOG(ERR, "pipeline: cannot create channel %s to lcore %u: %s",
		       name, consumer->lcore_id, rte_strerror(rte_errno));
	return c;
}

static int
pipeline_assign(struct bg_runtime *rt)
{
	const struct bg_config *cfg = rt->cfg;
	enum pl_role role[RTE_MAX_LCORE];
	uint16_t rank[RTE_MAX_LCORE];
	struct pl_data *d;
	unsigned nb_txers, nb_ports = 0;
	int ret;

	ret = roles_assign(rt, role);
	if (ret != 0)
		return ret;
	/* Every mbuf then comes from one pool, which MBUF_FAST_FREE on the TX
	 * queues (fed by any RX lcore) relies on. */
	for (unsigned i = 0, first = RTE_MAX_LCORE; i < rt->nb_workers; i++) {
		if (role[i] != PL_ROLE_RX)
			continue;
		if (first == RTE_MAX_LCORE) {
			first = i;
		} else if (rt->workers[i]->socket != rt->workers[first]->socket) {
			BG_LOG(ERR, "--rx-lcores: lcores %u and %u are on sockets %d and %d; the pipeline needs its RX lcores on one socket",
			       rt->workers[first]->lcore_id, rt->workers[i]->lcore_id,
			       rt->workers[first]->socket, rt->workers[i]->socket);
			return -EINVAL;
		}
	}
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++)
		nb_ports += rt->port_used[p];
	if (nb_ports == 0) {
		BG_LOG(ERR, "no port to poll");
		return -EINVAL;
	}

	d = rte_zmalloc("bg_pipeline", sizeof(*d), RTE_CACHE_LINE_SIZE);
	if (d == NULL) {
		BG_LOG(ERR, "pipeline: cannot allocate its tables");
		return -ENOMEM;
	}
	rt->sched_data = d;
	pl_serial++;
	for (unsigned i = 0; i < rt->nb_workers; i++) {
		if (role[i] == PL_ROLE_RX)
			rank[i] = (uint16_t)d->nb_rx++;
		else if (role[i] == PL_ROLE_STAGE)
			rank[i] = (uint16_t)d->nb_stage++;
		else
			rank[i] = (uint16_t)d->nb_tx++;
	}
	nb_txers = d->nb_tx != 0 ? d->nb_tx : d->nb_stage;
	if (d->nb_rx > RTE_MAX_QUEUES_PER_PORT || nb_txers > RTE_MAX_QUEUES_PER_PORT) {
		BG_LOG(ERR, "pipeline: %u RX and %u transmitting lcores need more queues than a port has (%d)",
		       d->nb_rx, nb_txers, RTE_MAX_QUEUES_PER_PORT);
		return -EINVAL;
	}
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++)
		if (rt->port_used[p]) {
			rt->port_rxq[p] = (uint16_t)d->nb_rx;
			rt->port_txq[p] = (uint16_t)nb_txers;
		}
	rt->nb_chain_workers = d->nb_stage;

	/* Channels first: the lcores' tables point at them. */
	for (unsigned i = 0; i < rt->nb_workers; i++) {
		struct bg_chan *c;

		if (role[i] == PL_ROLE_RX)
			continue;
		c = pl_chan_create(role[i] == PL_ROLE_STAGE ? 'w' : 't', rt->workers[i],
				   cfg->chan_retries);
		if (c == NULL)
			return -ENOMEM;
		if (role[i] == PL_ROLE_STAGE)
			d->stage_chan[rank[i]] = c;
		else
			d->tx_chan[rank[i]] = c;
	}

	if (d->nb_tx != 0)
		for (uint16_t p = 0, k = 0; p < RTE_MAX_ETHPORTS; p++)
			if (rt->port_used[p])
				d->tx_of_port[p] = (uint16_t)(k++ % d->nb_tx);

	for (unsigned i = 0; i < rt->nb_workers; i++) {
		struct bg_worker *w = rt->workers[i];
		const bool transmits = role[i] == PL_ROLE_TX ||
				       (role[i] == PL_ROLE_STAGE && d->nb_tx == 0);
		unsigned nb_out = role[i] == PL_ROLE_RX ? d->nb_stage :
				  role[i] == PL_ROLE_STAGE ? d->nb_tx : 0;
		struct pl_lcore *me;

		me = rte_zmalloc_socket("bg_pipeline_lcore",
					sizeof(*me) + nb_out * sizeof(me->bufs[0]),
					RTE_CACHE_LINE_SIZE, w->socket);
		if (me == NULL) {
			BG_LOG(ERR, "pipeline: cannot allocate the table of lcore %u", w->lcore_id);
			return -ENOMEM;
		}
		d->lcore[i] = me;
		me->role = role[i];
		me->rank = rank[i];
		me->w = w;
		w->sched_ctx = me;
		me->dst_port = cfg->dst_port;
		me->tx_of_port = d->tx_of_port;
		me->nb_out = (uint16_t)nb_out;
		me->tx_lcores = d->nb_tx != 0;
		if (role[i] == PL_ROLE_RX) {
			me->out = d->stage_chan;
		} else if (role[i] == PL_ROLE_STAGE) {
			me->in = d->stage_chan[rank[i]];
			me->out = d->tx_chan;
		} else {
			me->in = d->tx_chan[rank[i]];
		}

		for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++) {
			if (!rt->port_used[p])
				continue;
			if (role[i] == PL_ROLE_RX)
				w->rxq[w->nb_rxq++] = (struct bg_rxq){
					.port = p, .queue = rank[i], .dst_port = cfg->dst_port[p],
				};
			if (transmits) {
				w->txport[w->nb_txport++] = p;
				w->tx[p].queue = rank[i];
			}
		}
	}

	/* Channels hold packets of the RX lcores' pools; a stage worker holds
	 * a burst per TX lcore in its buffers. Any RX socket may fill them. */
	{
		uint32_t held = (d->nb_stage + d->nb_tx) * PL_CHAN_SIZE +
				d->nb_stage * d->nb_tx * (uint32_t)cfg->burst;
		bool counted[RTE_MAX_NUMA_NODES] = { false };

		for (unsigned i = 0; i < rt->nb_workers; i++) {
			int s = rt->workers[i]->socket;

			if (role[i] == PL_ROLE_RX && !counted[s]) {
				rt->model_mbufs[s] += held;
				counted[s] = true;
			}
		}
	}
	BG_LOG(INFO, "pipeline: %u RX lcore%s, %u worker%s, %u TX lcore%s",
	       d->nb_rx, d->nb_rx == 1 ? "" : "s", d->nb_stage, d->nb_stage == 1 ? "" : "s",
	       d->nb_tx, d->nb_tx == 1 ? "" : "s");
	return 0;
}

/* Free what c holds, counting it as shutdown drops of its consumer w. */
static void
pl_chan_empty(struct bg_chan *c, struct bg_worker *w)
{
	struct rte_mbuf *pkts[64];
	unsigned n;

	if (c == NULL)
		return;
	while ((n = bg_chan_sc_recv_burst(c, (void **)pkts, RTE_DIM(pkts))) != 0) {
		for (unsigned i = 0; i < n; i++)
			w->ctr[pkts[i]->port].drop[BG_DROP_SHUTDOWN]++;
		rte_pktmbuf_free_bulk(pkts, n);
	}
}

static void
pipeline_drain(struct bg_runtime *rt)
{
	struct pl_data *d = rt->sched_data;

	if (d == NULL)
		return;
	for (unsigned i = 0; i < rt->nb_workers; i++) {
		struct pl_lcore *me = d->lcore[i];

		if (me == NULL)
			continue;
		/* The loops send every buffer before they look at the stop
		 * flag again; this is for a loop that did not. */
		for (unsigned k = 0; k < me->nb_out; k++) {
			struct pl_buf *b = &me->bufs[k];

			if (b->len != 0) {
				me->w->ctr[b->port].drop[BG_DROP_SHUTDOWN] += b->len;
				rte_pktmbuf_free_bulk(b->pkts, b->len);
				b->len = 0;
			}
		}
		pl_chan_empty(me->in, me->w);
	}
}

static void
pipeline_fini(struct bg_runtime *rt)
{
	struct pl_data *d = rt->sched_data;

	if (d == NULL)
		return;
	for (unsigned i = 0; i < RTE_MAX_LCORE; i++) {
		bg_chan_free(d->stage_chan[i]);
		bg_chan_free(d->tx_chan[i]);
		rte_free(d->lcore[i]);
	}
	rte_free(d);
	rt->sched_data = NULL;
}

static struct bg_sched sched_pipeline = {
	.reg = { .name = "pipeline",
		 .help = "RX lcores hand packets by flow hash to worker lcores, which run the stages; optional TX lcores transmit" },
	.assign = pipeline_assign,
	.run = pipeline_run,
	.drain = pipeline_drain,
	.fini = pipeline_fini,
	.opts = pl_opt_table,
	.opts_reset = pl_opts_reset,
	.opts_check = pl_opts_check,
	.describe = pl_describe,
};
BG_SCHED_REGISTER(sched_pipeline);
