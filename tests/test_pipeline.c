/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pipeline model end to end, in process, on net_ring ports: IPv4 frames
 * of many flows (distinct 5-tuples, a per-flow sequence number in the
 * payload) go into the RX rings of two ports, the runtime forwards them
 * RX lcores -> workers -> (TX lcores), and the test reads what comes out of
 * the TX rings.
 *
 * What a user relies on and what is checked here: every flow's packets leave
 * once each, in order, on one TX queue; the output is the same multiset of
 * frames, on the same ports, as under the pinned model; exact per-port
 * counters; runts dropped on their ingress port; TX lcores transmit on the
 * queue of their rank; bad roles fail cleanly with -EINVAL; a stop with
 * packets in the channels counts them as shutdown drops; a delay stage keeps
 * per-flow order; conservation (rx == tx + drops, pools back) after every run.
 *
 * The EAL has lcore 0 (control) and four workers, 1-4, on two CPUs; each
 * test gives every one a role (or leaves the model its default: RX on 1,
 * workers on 2-4). Ports are made per run with as many RX rings as RX lcores
 * and as many TX rings as transmitting lcores.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dataplane/config.h"
#include "dataplane/counters.h"
#include "dataplane/fwd.h"
#include "lcore/report.h"
#include "lcore/runtime.h"
#include "lcore/sched.h"
#include "eal_helper.h"

#define EAL_LCORES "--lcores=0@0,1@1,2@1,3@0,4@1"
#define NB_EAL_WORKERS 4
#define NB_PORTS 2
#define MAX_Q NB_EAL_WORKERS
#define RING 4096                  /* holds every packet a test sends */
#define WAIT_S 20.0                /* bound on waiting for the workers */

#define NB_FLOWS 48
#define PER_FLOW 64                /* 3072 frames: fit one channel, no chan_full */
#define MAX_OUT 8192

/* Frames: Ethernet, IPv4, TCP or UDP (20 bytes of L4 either way), then the
 * tag, then a pattern. */
#define L3_OFF RTE_ETHER_HDR_LEN
#define L4_OFF (L3_OFF + 20)
#define TAG_OFF (L4_OFF + 20)
#define TAG_LEN 14
#define TAG_MAGIC 0x42475050u      /* "BGPP" */
#define FRAME_MIN (TAG_OFF + TAG_LEN)
#define FRAME_MAX 128

struct ring_port {
	char name[32];
	char ethdev[48];
	int id;
	unsigned nrx, ntx;
	struct rte_ring *rx[MAX_Q];
	struct rte_ring *tx[MAX_Q];
};

struct fixture {
	struct ring_port port[NB_PORTS];
	unsigned nrx, ntx;
	struct bg_config cfg;
	struct bg_runtime rt;
	bool rt_inited;
	struct rte_mempool *pool;
};

/* A frame that came out. */
struct out_rec {
	uint16_t port, queue;
	uint16_t len;
	uint32_t flow, seq;            /* UINT32_MAX when untagged */
	uint8_t bytes[FRAME_MAX];
};

static unsigned fixture_serial;
static struct out_rec out_a[MAX_OUT], out_b[MAX_OUT];

/* ---- frames ---- */

static uint16_t
flow_ingress(uint32_t flow)
{
	return (uint16_t)(flow % NB_PORTS);
}

static uint16_t
frame_len(uint32_t flow, uint32_t seq)
{
	return (uint16_t)(FRAME_MIN + (flow * 5u + seq * 3u) % (FRAME_MAX - FRAME_MIN + 1));
}

static void
orig_mac(uint8_t *a, uint16_t ingress, uint8_t last)
{
	static const uint8_t b[6] = { 0x0a, 0x11, 0x22, 0x33, 0x00, 0x00 };

	memcpy(a, b, 6);
	a[4] = (uint8_t)ingress;
	a[5] = last;
}

/* The frame of (flow, seq) as it enters, len bytes, into d. */
static void
frame_fill(uint8_t *d, uint16_t len, uint32_t flow, uint32_t seq)
{
	const uint16_t ingress = flow_ingress(flow);
	struct rte_ipv4_hdr ip = {
		.version_ihl = RTE_IPV4_VHL_DEF,
		.total_length = rte_cpu_to_be_16((uint16_t)(len - L3_OFF)),
		.time_to_live = 64,
		.next_proto_id = flow & 1 ? IPPROTO_TCP : IPPROTO_UDP,
		.src_addr = rte_cpu_to_be_32(RTE_IPV4(10, ingress, 0, flow & 7)),
		.dst_addr = rte_cpu_to_be_32(RTE_IPV4(192, 168, 0, 1 + (flow >> 3))),
	};
	uint16_t sport = rte_cpu_to_be_16((uint16_t)(1024 + flow * 17));
	uint16_t dport = rte_cpu_to_be_16((uint16_t)(80 + (flow % 3)));
	uint32_t magic = rte_cpu_to_be_32(TAG_MAGIC);
	uint32_t f = rte_cpu_to_be_32(flow), s = rte_cpu_to_be_32(seq);
	uint16_t p = rte_cpu_to_be_16(ingress);

	for (uint16_t i = 0; i < len; i++)
		d[i] = (uint8_t)(flow * 31u + seq * 7u + i * 13u);
	orig_mac(d, ingress, 0xdd);
	orig_mac(d + 6, ingress, 0x55);
	d[12] = 0x08;
	d[13] = 0x00;
	memcpy(d + L3_OFF, &ip, sizeof(ip));
	memcpy(d + L4_OFF, &sport, 2);
	memcpy(d + L4_OFF + 2, &dport, 2);
	memcpy(d + TAG_OFF, &magic, 4);
	memcpy(d + TAG_OFF + 4, &f, 4);
	memcpy(d + TAG_OFF + 8, &s, 4);
	memcpy(d + TAG_OFF + 12, &p, 2);
}

static struct rte_mbuf *
mbuf_make(struct rte_mempool *pool, const uint8_t *d, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p;

	if (m == NULL)
		return NULL;
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	if (p == NULL && len != 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	if (len != 0)
		memcpy(p, d, len);
	return m;
}

/* ---- fixture ---- */

static struct rte_ring *
ring_make(const char *port_name, const char *dir, unsigned q)
{
	char name[RTE_RING_NAMESIZE];
	struct rte_ring *r;

	snprintf(name, sizeof(name), "%.20s_%.2s%u", port_name, dir, q);
	r = rte_ring_create(name, RING, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (r == NULL)
		fprintf(stderr, "rte_ring_create(%s): %s\n", name, rte_strerror(rte_errno));
	return r;
}

/* Two ring ports (ids 0 and 1) with nrx RX and ntx TX rings each. */
static int
fixture_ports(struct fixture *f, unsigned nrx, unsigned ntx)
{
	unsigned serial = fixture_serial++;

	memset(f, 0, sizeof(*f));
	f->nrx = nrx;
	f->ntx = ntx;
	for (int p = 0; p < NB_PORTS; p++) {
		struct ring_port *rp = &f->port[p];

		rp->id = -1;
		rp->nrx = nrx;
		rp->ntx = ntx;
		snprintf(rp->name, sizeof(rp->name), "pl%u_%d", serial, p);
		snprintf(rp->ethdev, sizeof(rp->ethdev), "net_ring_pl%u_%d", serial, p);
		for (unsigned q = 0; q < nrx; q++)
			if ((rp->rx[q] = ring_make(rp->name, "rx", q)) == NULL)
				return -1;
		for (unsigned q = 0; q < ntx; q++)
			if ((rp->tx[q] = ring_make(rp->name, "tx", q)) == NULL)
				return -1;
		rp->id = rte_eth_from_rings(rp->name, rp->rx, nrx, rp->tx, ntx,
					    (unsigned)rte_socket_id());
		if (rp->id < 0) {
			fprintf(stderr, "rte_eth_from_rings(%s): %s\n", rp->name,
				rte_strerror(rte_errno));
			return -1;
		}
	}
	CU_ASSERT_EQUAL(f->port[0].id, 0);
	CU_ASSERT_EQUAL(f->port[1].id, 1);
	return f->port[0].id == 0 && f->port[1].id == 1 ? 0 : -1;
}

/* "2,3" -> ids */
static uint16_t
parse_list(const char *s, uint16_t *ids)
{
	uint16_t n = 0;
	char *end;

	while (s != NULL && *s != '\0') {
		ids[n++] = (uint16_t)strtoul(s, &end, 10);
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

/* Config for a model and roles (NULL: none given). */
static void
fixture_config(struct fixture *f, const char *mode, const char *fwd,
	       const char *rx, const char *workers, const char *tx)
{
	bg_config_defaults(&f->cfg);
	f->cfg.sched = bg_sched_find(mode);
	f->cfg.fwd = bg_fwd_find(fwd);
	f->cfg.link_wait_s = 0;
	f->cfg.nb_rx_lcores = parse_list(rx, f->cfg.rx_lcores);
	f->cfg.nb_worker_lcores = parse_list(workers, f->cfg.worker_lcores);
	f->cfg.nb_tx_lcores = parse_list(tx, f->cfg.tx_lcores);
	CU_ASSERT_PTR_NOT_NULL(f->cfg.sched);
	CU_ASSERT_PTR_NOT_NULL(f->cfg.fwd);
}

/* Resolve ports, initialise the runtime. Returns init's result, or -1 when
 * the set-up around it failed. */
static int
fixture_init(struct fixture *f)
{
	char err[256] = "";
	int ret;

	if (f->cfg.sched == NULL || f->cfg.fwd == NULL)
		return -1;
	ret = bg_config_resolve_ports(&f->cfg, rte_eth_dev_count_avail(), err, sizeof(err));
	CU_ASSERT_EQUAL(ret, 0);
	if (ret != 0) {
		fprintf(stderr, "resolve_ports: %s\n", err);
		return -1;
	}
	ret = bg_runtime_init(&f->rt, &f->cfg);
	f->rt_inited = true;
	if (ret != 0)
		return ret;
	CU_ASSERT_EQUAL(f->rt.nb_workers, NB_EAL_WORKERS);
	for (int s = 0; s < RTE_MAX_NUMA_NODES && f->pool == NULL; s++)
		f->pool = bg_runtime_pool(&f->rt, s);
	CU_ASSERT_PTR_NOT_NULL(f->pool);
	return f->pool != NULL ? 0 : -1;
}

static int
launch(struct fixture *f)
{
	int ret;

	bg_stop_reset();
	ret = bg_runtime_launch(&f->rt);
	CU_ASSERT_EQUAL(ret, 0);
	return ret;
}

/*
 * Enqueue PER_FLOW frames of each of nb_flows flows, interleaved (seq 0 of
 * every flow, then seq 1, ...); a flow enters on port flow % 2, RX queue
 * (flow / 2) % nrx (one queue per flow, as RSS would do). With runt_every,
 * every runt_every-th slot also gets a runt of 0..13 bytes. Counts what went
 * into each port in rx[] and the runts in runts[]. Returns 0 or -1.
 */
static int
inject_flows(struct fixture *f, uint32_t nb_flows, uint32_t per_flow, unsigned runt_every,
	     uint64_t rx[NB_PORTS], uint64_t runts[NB_PORTS])
{
	uint8_t d[FRAME_MAX];
	unsigned slot = 0;

	for (uint32_t seq = 0; seq < per_flow; seq++)
		for (uint32_t flow = 0; flow < nb_flows; flow++) {
			const uint16_t p = flow_ingress(flow);
			struct rte_ring *r = f->port[p].rx[(flow / NB_PORTS) % f->nrx];
			const uint16_t len = frame_len(flow, seq);
			struct rte_mbuf *m;

			frame_fill(d, len, flow, seq);
			m = mbuf_make(f->pool, d, len);
			if (m == NULL || rte_ring_enqueue(r, m) != 0)
				goto fail;
			rx[p]++;
			if (runt_every != 0 && ++slot % runt_every == 0) {
				m = mbuf_make(f->pool, d, (uint16_t)(slot % RTE_ETHER_HDR_LEN));
				if (m == NULL || rte_ring_enqueue(r, m) != 0)
					goto fail;
				rx[p]++;
				runts[p]++;
			}
		}
	return 0;
fail:
	CU_FAIL("cannot inject");
	return -1;
}

static unsigned
rings_count(struct rte_ring *const *r, unsigned n)
{
	unsigned c = 0;

	for (unsigned q = 0; q < n; q++)
		c += rte_ring_count(r[q]);
	return c;
}

/* Wait (bounded) until the RX rings are empty and the TX rings hold
 * tx_total packets. */
static bool
wait_forwarded(const struct fixture *f, unsigned tx_total)
{
	const uint64_t hz = rte_get_timer_hz();
	const uint64_t deadline = rte_get_timer_cycles() + (uint64_t)(WAIT_S * (double)hz);

	for (;;) {
		unsigned rx_left = 0, tx = 0;

		for (int p = 0; p < NB_PORTS; p++) {
			rx_left += rings_count(f->port[p].rx, f->nrx);
			tx += rings_count(f->port[p].tx, f->ntx);
		}
		if (rx_left == 0 && tx == tx_total)
			return true;
		if (rte_get_timer_cycles() > deadline) {
			fprintf(stderr, "timeout: %u packets left on RX rings, %u of %u on TX rings\n",
				rx_left, tx, tx_total);
			return false;
		}
		usleep(1000);
	}
}

static void
free_ring(struct rte_ring *r)
{
	void *m;

	while (r != NULL && rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
}

/*
 * Stop, free what the rings hold, close, check the summary (conservation,
 * pools back, the mode), free the runtime, close any port the runtime did
 * not, free the rings.
 */
static void
fixture_finish(struct fixture *f, bool check_summary)
{
	if (f->rt_inited)
		bg_runtime_stop(&f->rt);
	for (int p = 0; p < NB_PORTS; p++) {
		for (unsigned q = 0; q < MAX_Q; q++) {
			free_ring(f->port[p].rx[q]);
			free_ring(f->port[p].tx[q]);
		}
	}
	if (f->rt_inited) {
		bg_runtime_close(&f->rt);
		CU_ASSERT_PTR_NULL(f->rt.sched_data);
		if (check_summary) {
			static struct bg_summary s;

			bg_summary_collect(&s, &f->rt);
			CU_ASSERT_TRUE(s.packets_conserved);
			CU_ASSERT_TRUE(s.pools_returned);
			CU_ASSERT_TRUE(s.conserved);
			CU_ASSERT_EQUAL(s.total.rx, s.total.tx + bg_counters_drops(&s.total));
			CU_ASSERT_STRING_EQUAL(s.mode, f->cfg.sched->reg.name);
			CU_ASSERT_EQUAL(s.nb_lcores, NB_EAL_WORKERS);
			for (unsigned i = 0; i < s.nb_pools; i++)
				if (s.pools[i].in_use_end != s.pools[i].in_use_start)
					fprintf(stderr, "%s pool socket %d: %u in use at start, %u at end\n",
						s.pools[i].kind, s.pools[i].socket,
						s.pools[i].in_use_start, s.pools[i].in_use_end);
			if (!s.packets_conserved)
				fprintf(stderr, "rx %" PRIu64 " != tx %" PRIu64 " + drops %" PRIu64 "\n",
					s.total.rx, s.total.tx, bg_counters_drops(&s.total));
		}
		bg_runtime_free(&f->rt);
		f->rt_inited = false;
	}
	for (int p = 0; p < NB_PORTS; p++) {
		struct ring_port *rp = &f->port[p];
		uint16_t id;

		if (rp->id >= 0 && rte_eth_dev_get_port_by_name(rp->ethdev, &id) == 0) {
			rte_eth_dev_stop(id);
			rte_eth_dev_close(id);
		}
		for (unsigned q = 0; q < MAX_Q; q++) {
			rte_ring_free(rp->rx[q]);
			rte_ring_free(rp->tx[q]);
		}
	}
	CU_ASSERT_EQUAL(rte_eth_dev_count_avail(), 0);
}

/* ---- output ---- */

/* Dequeue every frame from every TX ring (queue by queue, in ring order) into
 * recs and free it. Returns how many. */
static unsigned
collect(struct fixture *f, struct out_rec *recs, unsigned max)
{
	unsigned n = 0;

	for (uint16_t p = 0; p < NB_PORTS; p++)
		for (uint16_t q = 0; q < f->ntx; q++) {
			void *obj;

			while (rte_ring_dequeue(f->port[p].tx[q], &obj) == 0) {
				struct rte_mbuf *m = obj;
				uint16_t len = rte_pktmbuf_data_len(m);

				if (n < max) {
					struct out_rec *r = &recs[n];
					uint32_t v;

					memset(r, 0, sizeof(*r));
					r->port = p;
					r->queue = q;
					r->len = len;
					memcpy(r->bytes, rte_pktmbuf_mtod(m, void *),
					       RTE_MIN(len, (uint16_t)FRAME_MAX));
					r->flow = r->seq = UINT32_MAX;
					memcpy(&v, r->bytes + TAG_OFF, 4);
					if (len >= FRAME_MIN && rte_be_to_cpu_32(v) == TAG_MAGIC) {
						memcpy(&v, r->bytes + TAG_OFF + 4, 4);
						r->flow = rte_be_to_cpu_32(v);
						memcpy(&v, r->bytes + TAG_OFF + 8, 4);
						r->seq = rte_be_to_cpu_32(v);
					}
				}
				n++;
				rte_pktmbuf_free(m);
			}
		}
	CU_ASSERT_TRUE(n <= max);
	return n;
}

/*
 * Check what came out under --fwd mac: every frame is one of ours with the
 * right addresses and untouched rest, left on the port its ingress maps to;
 * each flow left on one TX queue (tx_queue_of_port[egress] when >= 0), in
 * sequence order, every frame once. Returns how many distinct TX queues the
 * flows used over both ports.
 */
static unsigned
check_flows(const struct fixture *f, const struct out_rec *recs, unsigned n,
	    uint32_t nb_flows, uint32_t per_flow, const int tx_queue_of_port[NB_PORTS])
{
	static uint32_t next[NB_FLOWS];
	static int queue_of[NB_FLOWS];
	bool used[NB_PORTS][MAX_Q] = { { false } };
	unsigned bad_tag = 0, bad_port = 0, bad_queue = 0, bad_seq = 0, bad_bytes = 0, nq = 0;
	uint8_t want[FRAME_MAX];
	struct rte_ether_addr mac[NB_PORTS];

	for (uint16_t p = 0; p < NB_PORTS; p++)
		if (rte_eth_macaddr_get(p, &mac[p]) != 0)
			memset(&mac[p], 0xee, sizeof(mac[p]));
	for (uint32_t i = 0; i < nb_flows; i++) {
		next[i] = 0;
		queue_of[i] = -1;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct out_rec *r = &recs[i];
		uint16_t egress;

		if (r->flow >= nb_flows) {
			if (bad_tag++ == 0)
				fprintf(stderr, "port %u txq %u: an untagged frame of %u bytes\n",
					r->port, r->queue, r->len);
			continue;
		}
		egress = f->cfg.dst_port[flow_ingress(r->flow)];
		if (r->port != egress && bad_port++ == 0)
			fprintf(stderr, "flow %u left on port %u, expected %u\n", r->flow, r->port, egress);
		if (queue_of[r->flow] < 0)
			queue_of[r->flow] = r->queue;
		if ((queue_of[r->flow] != r->queue ||
		     (tx_queue_of_port != NULL && tx_queue_of_port[r->port] >= 0 &&
		      tx_queue_of_port[r->port] != r->queue)) && bad_queue++ == 0)
			fprintf(stderr, "flow %u left on queues %d and %u of port %u\n",
				r->flow, queue_of[r->flow], r->queue, r->port);
		if (!used[r->port][r->queue]) {
			used[r->port][r->queue] = true;
			nq++;
		}
		if (r->seq != next[r->flow]) {
			if (bad_seq++ == 0)
				fprintf(stderr, "flow %u: seq %u after %u (out of order or lost)\n",
					r->flow, r->seq, next[r->flow]);
		} else {
			next[r->flow]++;
		}
		frame_fill(want, frame_len(r->flow, r->seq), r->flow, r->seq);
		if ((r->len != frame_len(r->flow, r->seq) ||
		     r->bytes[0] != 0x02 || r->bytes[1] != 0 || r->bytes[2] != 0 ||
		     r->bytes[3] != 0 || r->bytes[4] != 0 || r->bytes[5] != r->port ||
		     memcmp(r->bytes + 6, mac[r->port].addr_bytes, 6) != 0 ||
		     memcmp(r->bytes + 12, want + 12, r->len - 12) != 0) && bad_bytes++ == 0)
			fprintf(stderr, "flow %u seq %u: wrong bytes\n", r->flow, r->seq);
	}
	for (uint32_t i = 0; i < nb_flows; i++)
		if (next[i] != per_flow) {
			if (bad_seq++ == 0)
				fprintf(stderr, "flow %u: %u of %u frames in order\n", i, next[i], per_flow);
		}
	CU_ASSERT_EQUAL(bad_tag, 0);
	CU_ASSERT_EQUAL(bad_port, 0);
	CU_ASSERT_EQUAL(bad_queue, 0);
	CU_ASSERT_EQUAL(bad_seq, 0);
	CU_ASSERT_EQUAL(bad_bytes, 0);
	CU_ASSERT_EQUAL(n, nb_flows * per_flow);
	return nq;
}

static void
check_port(const struct fixture *f, uint16_t port, uint64_t rx, uint64_t tx, uint64_t runt)
{
	struct bg_counters c;

	bg_runtime_port_counters(&f->rt, port, &c);
	CU_ASSERT_EQUAL(c.rx, rx);
	CU_ASSERT_EQUAL(c.tx, tx);
	CU_ASSERT_EQUAL(c.drop[BG_DROP_RUNT], runt);
	CU_ASSERT_EQUAL(bg_counters_drops(&c), runt);
	if (c.rx != rx || c.tx != tx || bg_counters_drops(&c) != runt)
		fprintf(stderr, "port %u: rx %" PRIu64 " tx %" PRIu64 " drops %" PRIu64
			" (runt %" PRIu64 " chan_full %" PRIu64 " shutdown %" PRIu64
			"), expected %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", port, c.rx, c.tx,
			bg_counters_drops(&c), c.drop[BG_DROP_RUNT], c.drop[BG_DROP_CHAN_FULL],
			c.drop[BG_DROP_SHUTDOWN], rx, tx, runt);
}

static bool
in_list(uint16_t lcore, const uint16_t *ids, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		if (ids[i] == lcore)
			return true;
	return false;
}

/* ---- a pipeline run over many flows ---- */

struct pcase {
	const char *rx, *workers, *tx;     /* roles; all NULL: the default */
	unsigned nrx, ntx;                 /* RX lcores; transmitting lcores */
	unsigned runt_every;
	double delay_us;
	bool route_by_port;                /* TX lcores: egress p on queue p % ntx */
};

static void
run_flows(const struct pcase *pc)
{
	struct fixture f;
	uint64_t rx[NB_PORTS] = { 0 }, runts[NB_PORTS] = { 0 };
	const int route[NB_PORTS] = { 0 % (int)pc->ntx, 1 % (int)pc->ntx };
	unsigned n, nq;

	if (fixture_ports(&f, pc->nrx, pc->ntx) != 0)
		goto fail;
	fixture_config(&f, "pipeline", "mac", pc->rx, pc->workers, pc->tx);
	f.cfg.delay_us = pc->delay_us;
	if (fixture_init(&f) != 0)
		goto fail;
	for (uint16_t p = 0; p < NB_PORTS; p++) {
		CU_ASSERT_EQUAL(f.rt.port_rxq[p], pc->nrx);
		CU_ASSERT_EQUAL(f.rt.port_txq[p], pc->ntx);
	}
	if (inject_flows(&f, NB_FLOWS, PER_FLOW, pc->runt_every, rx, runts) != 0)
		goto fail;
	if (launch(&f) != 0)
		goto fail;
	CU_ASSERT_TRUE(wait_forwarded(&f, NB_FLOWS * PER_FLOW));
	bg_runtime_stop(&f.rt);

	/* Exact counters once joined: port p received what was injected on
	 * it and sent what came in on the other; runts dropped on ingress. */
	for (uint16_t p = 0; p < NB_PORTS; p++)
		check_port(&f, p, rx[p], rx[1 - p] - runts[1 - p], runts[p]);

	/* Roles: RX lcores only receive, transmitters only send, and the
	 * flows spread so that every lcore had work. */
	for (unsigned i = 0; i < f.rt.nb_workers; i++) {
		const struct bg_worker *w = f.rt.workers[i];
		const uint16_t lcore = (uint16_t)w->lcore_id;
		const bool is_rx = pc->rx != NULL ?
			in_list(lcore, f.cfg.rx_lcores, f.cfg.nb_rx_lcores) : i == 0;
		const bool transmits = pc->tx != NULL ?
			in_list(lcore, f.cfg.tx_lcores, f.cfg.nb_tx_lcores) : !is_rx;
		struct bg_counters sum;

		memset(&sum, 0, sizeof(sum));
		for (uint16_t p = 0; p < NB_PORTS; p++)
			bg_counters_add(&sum, &w->ctr[p]);
		CU_ASSERT_TRUE(w->polls > 0);
		CU_ASSERT_TRUE(w->busy_polls > 0);
		CU_ASSERT_EQUAL(sum.rx != 0, is_rx);
		CU_ASSERT_EQUAL(sum.tx != 0, transmits);
		CU_ASSERT_EQUAL(sum.drop[BG_DROP_CHAN_FULL] + sum.drop[BG_DROP_SHUTDOWN], 0);
	}
	CU_ASSERT_EQUAL(f.rt.nb_chain_workers,
			pc->workers != NULL ? f.cfg.nb_worker_lcores : NB_EAL_WORKERS - 1u);

	n = collect(&f, out_a, MAX_OUT);
	nq = check_flows(&f, out_a, n, NB_FLOWS, PER_FLOW, pc->route_by_port ? route : NULL);
	/* Flows spread over every transmitter's queue of both ports (route by
	 * port: one queue per port). */
	CU_ASSERT_EQUAL(nq, pc->route_by_port ? NB_PORTS : NB_PORTS * pc->ntx);
	fixture_finish(&f, true);
	return;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
}

/* Default roles (RX 1, workers 2-4 transmit): per-flow order. */
static void
test_order_default_roles(void)
{
	run_flows(&(struct pcase){ .nrx = 1, .ntx = 3 });
}

static void
test_order_two_rx_lcores(void)
{
	run_flows(&(struct pcase){ .rx = "1,2", .workers = "3,4", .nrx = 2, .ntx = 2 });
}

/* Runts are dropped by the worker and counted on their ingress port. */
static void
test_counters_runts(void)
{
	run_flows(&(struct pcase){ .rx = "1", .workers = "2,3,4", .nrx = 1, .ntx = 3,
				   .runt_every = 7 });
}

/* TX lcores transmit, each on its own queue. */
static void
test_tx_lcore(void)
{
	run_flows(&(struct pcase){ .rx = "1", .workers = "2,3", .tx = "4", .nrx = 1, .ntx = 1,
				   .runt_every = 11 });
}

static void
test_two_tx_lcores_by_port(void)
{
	run_flows(&(struct pcase){ .rx = "1", .workers = "2", .tx = "3,4", .nrx = 1, .ntx = 2,
				   .route_by_port = true });
}

/* A fixed delay keeps each flow's order (one worker, one timer wheel). */
static void
test_delay(void)
{
	run_flows(&(struct pcase){ .rx = "1", .workers = "2,3,4", .nrx = 1, .ntx = 3,
				   .delay_us = 50 });
}

static void
test_delay_tx_lcores(void)
{
	run_flows(&(struct pcase){ .rx = "1", .workers = "2,3", .tx = "4", .nrx = 1, .ntx = 1,
				   .delay_us = 50 });
}

/* ---- the same output as pinned ---- */

static int
rec_cmp(const void *a, const void *b)
{
	const struct out_rec *x = a, *y = b;

	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->bytes, y->bytes, RTE_MIN(x->len, (uint16_t)FRAME_MAX));
}

/* Run the flows through a model, collect the output; the source MAC (the
 * egress port's, which may differ between two sets of ring ports) is checked
 * and then blanked. Returns how many frames, or 0 on failure. */
static unsigned
run_model(const char *mode, const char *rx, const char *workers, unsigned nrx, unsigned ntx,
	  struct out_rec *recs)
{
	struct fixture f;
	uint64_t in[NB_PORTS] = { 0 }, runts[NB_PORTS] = { 0 };
	unsigned n = 0;

	if (fixture_ports(&f, nrx, ntx) != 0)
		goto fail;
	fixture_config(&f, mode, "mac", rx, workers, NULL);
	if (fixture_init(&f) != 0)
		goto fail;
	if (inject_flows(&f, NB_FLOWS, PER_FLOW, 5, in, runts) != 0 || launch(&f) != 0)
		goto fail;
	CU_ASSERT_TRUE(wait_forwarded(&f, NB_FLOWS * PER_FLOW));
	bg_runtime_stop(&f.rt);
	for (uint16_t p = 0; p < NB_PORTS; p++)
		check_port(&f, p, in[p], in[1 - p] - runts[1 - p], runts[p]);
	n = collect(&f, recs, MAX_OUT);
	for (unsigned i = 0; i < n && i < MAX_OUT; i++) {
		struct rte_ether_addr mac;

		CU_ASSERT_EQUAL(rte_eth_macaddr_get(recs[i].port, &mac), 0);
		CU_ASSERT_EQUAL(memcmp(recs[i].bytes + 6, mac.addr_bytes, 6), 0);
		memset(recs[i].bytes + 6, 0, 6);
		recs[i].queue = 0;
	}
	fixture_finish(&f, true);
	return n;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
	return 0;
}

static void
test_same_as_pinned(void)
{
	unsigned na, nb, diff = 0;

	na = run_model("pinned", NULL, NULL, NB_EAL_WORKERS, NB_EAL_WORKERS, out_a);
	nb = run_model("pipeline", "1", "2,3,4", 1, 3, out_b);
	CU_ASSERT_EQUAL(na, NB_FLOWS * PER_FLOW);
	CU_ASSERT_EQUAL(nb, na);
	if (na != nb || na == 0 || na > MAX_OUT)
		return;
	qsort(out_a, na, sizeof(out_a[0]), rec_cmp);
	qsort(out_b, nb, sizeof(out_b[0]), rec_cmp);
	for (unsigned i = 0; i < na; i++)
		if (rec_cmp(&out_a[i], &out_b[i]) != 0 && diff++ == 0)
			fprintf(stderr, "frame #%u differs: port %u/%u, %u/%u bytes\n", i,
				out_a[i].port, out_b[i].port, out_a[i].len, out_b[i].len);
	CU_ASSERT_EQUAL(diff, 0);
}

/* ---- roles that cannot run ---- */

static void
expect_bad_roles(const char *rx, const char *workers, const char *tx)
{
	struct fixture f;
	int ret;

	if (fixture_ports(&f, 1, 1) != 0)
		goto fail;
	fixture_config(&f, "pipeline", "io", rx, workers, tx);
	ret = fixture_init(&f);
	CU_ASSERT_EQUAL(ret, -EINVAL);
	if (ret != -EINVAL)
		fprintf(stderr, "roles rx=%s workers=%s tx=%s: init returned %d, expected -EINVAL\n",
			rx, workers, tx, ret);
	CU_ASSERT_FALSE(f.rt.launched);
	if (f.rt_inited) {
		bg_runtime_free(&f.rt);
		bg_runtime_free(&f.rt);    /* idempotent */
		CU_ASSERT_PTR_NULL(f.rt.sched_data);
		CU_ASSERT_EQUAL(f.rt.nb_workers, 0);
		f.rt_inited = false;
	}
	fixture_finish(&f, false);
	return;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
}

static void
test_bad_roles(void)
{
	expect_bad_roles("9", "2,3,4", NULL);            /* not an EAL lcore */
	expect_bad_roles("1", "0,2,3,4", NULL);          /* the main lcore */
	expect_bad_roles("1", "2,3", "4,5");             /* 5 not in the EAL */
	expect_bad_roles("1", NULL, "2,3,4");            /* no worker */
	expect_bad_roles(NULL, "1,2,3,4", NULL);         /* no RX lcore */
	expect_bad_roles("1", "2,3", NULL);              /* lcore 4 has no role */
	expect_bad_roles("1", "2,3", "3,4");             /* 3 in two roles */
}

/* After failures, a good configuration still runs (nothing left behind). */
static void
test_good_after_bad(void)
{
	run_flows(&(struct pcase){ .rx = "4", .workers = "1,3", .tx = "2", .nrx = 1, .ntx = 1 });
}

/* ---- stop with packets in the channels ---- */

/*
 * Launch the model's loop on some workers only (by index; index i is EAL
 * lcore i + 1), so that the channels to the others fill and stay full.
 */
static int
launch_some(struct fixture *f, const bool run[NB_EAL_WORKERS])
{
	bg_stop_reset();
	for (unsigned i = 0; i < f->rt.nb_workers; i++) {
		struct bg_worker *w = f->rt.workers[i];
		int ret;

		if (!run[i])
			continue;
		ret = rte_eal_remote_launch(f->cfg.sched->run, w, w->lcore_id);
		CU_ASSERT_EQUAL(ret, 0);
		if (ret != 0) {
			bg_stop_request();
			rte_eal_mp_wait_lcore();
			return ret;
		}
	}
	return 0;
}

static uint64_t
read_u64(const uint64_t *v)
{
	return *(const volatile uint64_t *)v;
}

/* Wait (bounded) until the RX rings are empty and every running worker has
 * polled 1000 times without finding anything. */
static bool
wait_idle(const struct fixture *f, const bool run[NB_EAL_WORKERS])
{
	const uint64_t hz = rte_get_timer_hz();
	const uint64_t deadline = rte_get_timer_cycles() + (uint64_t)(WAIT_S * (double)hz);
	uint64_t polls[NB_EAL_WORKERS] = { 0 }, busy[NB_EAL_WORKERS] = { 0 };

	while (rte_get_timer_cycles() < deadline) {
		bool idle = rings_count(f->port[0].rx, f->nrx) + rings_count(f->port[1].rx, f->nrx) == 0;

		for (unsigned i = 0; i < NB_EAL_WORKERS; i++) {
			const struct bg_worker *w = f->rt.workers[i];
			uint64_t b, p;

			if (!run[i])
				continue;
			b = read_u64(&w->busy_polls);
			p = read_u64(&w->polls);
			if (b != busy[i] || p < polls[i] + 1000) {
				idle = false;
				busy[i] = b;
				polls[i] = p;
			}
		}
		if (idle)
			return true;
		usleep(10 * 1000);
	}
	fprintf(stderr, "timeout waiting for the workers to go idle\n");
	return false;
}

/* What bg_runtime_stop() does after a launch_some(): stop, join, flush, then
 * the model's drain. */
static void
stop_some(struct fixture *f)
{
	bg_stop_request();
	rte_eal_mp_wait_lcore();
	for (unsigned i = 0; i < f->rt.nb_workers; i++) {
		bg_tx_flush_all(f->rt.workers[i]);
		bg_worker_drain_tasks(f->rt.workers[i]);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->cfg.sched->drain);
	f->cfg.sched->drain(&f->rt);
}

/*
 * Run only the first `running` workers with the given roles on frames of
 * `flows` flows x `per` each; afterwards check per port that nothing left,
 * that every frame was received and counted as chan_full or shutdown on its
 * ingress port, and return the per-lcore drops in full[] and shutdown[].
 */
static int
run_stuck(const char *rx, const char *workers, const char *tx, unsigned ntx,
	  unsigned running, uint32_t flows, uint32_t per,
	  uint64_t full[NB_EAL_WORKERS], uint64_t shutdown[NB_EAL_WORKERS])
{
	struct fixture f;
	bool run[NB_EAL_WORKERS] = { false };
	uint64_t in[NB_PORTS] = { 0 }, runts[NB_PORTS] = { 0 };

	for (unsigned i = 0; i < running; i++)
		run[i] = true;
	if (fixture_ports(&f, 1, ntx) != 0)
		goto fail;
	fixture_config(&f, "pipeline", "macswap", rx, workers, tx);
	if (fixture_init(&f) != 0)
		goto fail;
	if (inject_flows(&f, flows, per, 0, in, runts) != 0 || launch_some(&f, run) != 0)
		goto fail;
	CU_ASSERT_TRUE(wait_idle(&f, run));
	stop_some(&f);
	for (uint16_t p = 0; p < NB_PORTS; p++) {
		struct bg_counters c;

		bg_runtime_port_counters(&f.rt, p, &c);
		CU_ASSERT_EQUAL(c.rx, in[p]);
		CU_ASSERT_EQUAL(c.tx, 0);
		CU_ASSERT_EQUAL(rings_count(f.port[p].tx, f.ntx), 0);
		CU_ASSERT_EQUAL(c.drop[BG_DROP_CHAN_FULL] + c.drop[BG_DROP_SHUTDOWN], in[p]);
		CU_ASSERT_EQUAL(bg_counters_drops(&c), in[p]);
	}
	for (unsigned i = 0; i < NB_EAL_WORKERS; i++) {
		full[i] = shutdown[i] = 0;
		for (uint16_t p = 0; p < NB_PORTS; p++) {
			full[i] += f.rt.workers[i]->ctr[p].drop[BG_DROP_CHAN_FULL];
			shutdown[i] += f.rt.workers[i]->ctr[p].drop[BG_DROP_SHUTDOWN];
		}
	}
	fixture_finish(&f, true);
	return 0;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
	return -1;
}

/* Only the RX lcore runs: every frame waits in a worker's channel and is
 * counted as a shutdown drop of that worker. */
static void
test_drain_worker_channels(void)
{
	enum { FLOWS = 64, PER = 63 };                 /* 4032: fits the channels */
	uint64_t full[NB_EAL_WORKERS], shutdown[NB_EAL_WORKERS];

	if (run_stuck(NULL, NULL, NULL, 3, 1, FLOWS, PER, full, shutdown) != 0)
		return;
	CU_ASSERT_EQUAL(shutdown[0], 0);               /* the RX lcore */
	CU_ASSERT_EQUAL(shutdown[1] + shutdown[2] + shutdown[3], FLOWS * PER);
	for (unsigned i = 0; i < NB_EAL_WORKERS; i++) {
		CU_ASSERT_EQUAL(full[i], 0);
		if (i != 0)
			CU_ASSERT_TRUE(shutdown[i] > 0);      /* flows spread */
	}
}

/* RX and workers run, the TX lcore does not: every frame waits in its
 * channel and is counted as its shutdown drop. */
static void
test_drain_tx_channel(void)
{
	enum { FLOWS = 64, PER = 63 };
	uint64_t full[NB_EAL_WORKERS], shutdown[NB_EAL_WORKERS];

	if (run_stuck("1", "2,3", "4", 1, 3, FLOWS, PER, full, shutdown) != 0)
		return;
	CU_ASSERT_EQUAL(shutdown[0] + shutdown[1] + shutdown[2], 0);
	CU_ASSERT_EQUAL(shutdown[3], FLOWS * PER);
	for (unsigned i = 0; i < NB_EAL_WORKERS; i++)
		CU_ASSERT_EQUAL(full[i], 0);
}

/* One worker that never runs: its channel takes 4096 frames, the RX lcore
 * drops the rest as chan_full on their ingress port (after bounded retries),
 * and the 4096 are shutdown drops at stop. */
static void
test_chan_full(void)
{
	enum { FLOWS = 64, PER = 127, CHAN = 4096 };   /* 8128 frames */
	uint64_t full[NB_EAL_WORKERS], shutdown[NB_EAL_WORKERS];

	if (run_stuck("1", "2", "3,4", 2, 1, FLOWS, PER, full, shutdown) != 0)
		return;
	CU_ASSERT_EQUAL(full[0], FLOWS * PER - CHAN);
	CU_ASSERT_EQUAL(shutdown[1], CHAN);
	CU_ASSERT_EQUAL(full[1] + full[2] + full[3] + shutdown[0] + shutdown[2] + shutdown[3], 0);
}

/* Stop while forwarding: wherever the frames are (RX rings, channels, TX
 * rings), the counts add up. */

static void
test_stop_in_flight(void)
{
	enum { TRIES = 4, FLOWS = 64, PER = 63 };    /* 4032 frames: fill the RX rings */

	for (unsigned t = 0; t < TRIES; t++) {
		struct fixture f;
		uint64_t in[NB_PORTS] = { 0 }, runts[NB_PORTS] = { 0 };
		uint64_t rx = 0, tx = 0, drops = 0, shutdown = 0;
		unsigned left = 0, out = 0;
		const bool tx_lcore = t % 2 == 1;

		if (fixture_ports(&f, 1, tx_lcore ? 1 : 3) != 0)
			goto fail;
		fixture_config(&f, "pipeline", "macswap", "1", tx_lcore ? "2,3" : "2,3,4",
			       tx_lcore ? "4" : NULL);
		if (fixture_init(&f) != 0)
			goto fail;
		if (inject_flows(&f, FLOWS, PER, 0, in, runts) != 0 || launch(&f) != 0)
			goto fail;
		bg_runtime_stop(&f.rt);

		for (uint16_t p = 0; p < NB_PORTS; p++) {
			struct bg_counters c;

			left += rings_count(f.port[p].rx, f.nrx);
			out += rings_count(f.port[p].tx, f.ntx);
			bg_runtime_port_counters(&f.rt, p, &c);
			rx += c.rx;
			tx += c.tx;
			drops += bg_counters_drops(&c);
			shutdown += c.drop[BG_DROP_SHUTDOWN];
			CU_ASSERT_EQUAL(c.rx + rings_count(f.port[p].rx, f.nrx), in[p]);
			CU_ASSERT_EQUAL(c.tx, rings_count(f.port[p].tx, f.ntx));
			CU_ASSERT_EQUAL(c.drop[BG_DROP_RUNT] + c.drop[BG_DROP_TX_FULL] +
					c.drop[BG_DROP_NO_TASK], 0);
		}
		CU_ASSERT_EQUAL(rx + left, in[0] + in[1]);
		CU_ASSERT_EQUAL(tx, out);
		CU_ASSERT_EQUAL(rx, tx + drops);
		printf("\n    try %u%s: %u left on RX rings, %" PRIu64 " received, %" PRIu64
		       " sent, %" PRIu64 " dropped at shutdown ", t, tx_lcore ? " (TX lcore)" : "",
		       left, rx, tx, shutdown);
		fixture_finish(&f, true);
		continue;
fail:
		CU_FAIL("set-up failed");
		fixture_finish(&f, false);
		return;
	}
}

/* ---- the model's defaults ---- */

static void
test_default_assignment(void)
{
	struct fixture f;

	if (fixture_ports(&f, 1, 3) != 0)
		goto fail;
	fixture_config(&f, "pipeline", "io", NULL, NULL, NULL);
	if (fixture_init(&f) != 0)
		goto fail;
	CU_ASSERT_EQUAL(f.rt.nb_chain_workers, NB_EAL_WORKERS - 1);
	CU_ASSERT_PTR_NOT_NULL(f.rt.sched_data);
	for (unsigned i = 0; i < f.rt.nb_workers; i++) {
		const struct bg_worker *w = f.rt.workers[i];

		if (i == 0) {
			CU_ASSERT_EQUAL(w->nb_rxq, NB_PORTS);
			CU_ASSERT_EQUAL(w->nb_txport, 0);
		} else {
			CU_ASSERT_EQUAL(w->nb_rxq, 0);
			CU_ASSERT_EQUAL(w->nb_txport, NB_PORTS);
			CU_ASSERT_EQUAL(w->tx[0].queue, i - 1);
			CU_ASSERT_EQUAL(w->tx[1].queue, i - 1);
		}
	}
	/* An idle run: nothing counted, every lcore polled, conserved. */
	if (launch(&f) != 0)
		goto fail;
	usleep(20 * 1000);
	bg_runtime_stop(&f.rt);
	for (unsigned i = 0; i < f.rt.nb_workers; i++) {
		CU_ASSERT_TRUE(f.rt.workers[i]->polls > 0);
		CU_ASSERT_EQUAL(f.rt.workers[i]->busy_polls, 0);
	}
	fixture_finish(&f, true);
	return;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
}

int
main(void)
{
	CU_pSuite suite;
	unsigned failed;

	if (bg_test_eal_init(EAL_LCORES) != 0)
		return 1;
	if (rte_lcore_count() != 1 + NB_EAL_WORKERS) {
		fprintf(stderr, "need %d lcores, have %u\n", 1 + NB_EAL_WORKERS, rte_lcore_count());
		return 1;
	}
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite("pipeline", NULL, NULL);
	if (suite == NULL ||
	    CU_add_test(suite, "default roles: queues, channels, idle run", test_default_assignment) == NULL ||
	    CU_add_test(suite, "per-flow order, default roles (RX 1, workers 2-4)", test_order_default_roles) == NULL ||
	    CU_add_test(suite, "per-flow order, two RX lcores", test_order_two_rx_lcores) == NULL ||
	    CU_add_test(suite, "same output as pinned (mac, runts)", test_same_as_pinned) == NULL ||
	    CU_add_test(suite, "exact counters, runts on ingress", test_counters_runts) == NULL ||
	    CU_add_test(suite, "TX lcore transmits", test_tx_lcore) == NULL ||
	    CU_add_test(suite, "two TX lcores, one per egress port", test_two_tx_lcores_by_port) == NULL ||
	    CU_add_test(suite, "bad roles: -EINVAL, clean unwind", test_bad_roles) == NULL ||
	    CU_add_test(suite, "good roles after bad ones", test_good_after_bad) == NULL ||
	    CU_add_test(suite, "stop: frames in the workers' channels are shutdown drops", test_drain_worker_channels) == NULL ||
	    CU_add_test(suite, "stop: frames in the TX lcore's channel are shutdown drops", test_drain_tx_channel) == NULL ||
	    CU_add_test(suite, "full channel: chan_full on ingress, exact", test_chan_full) == NULL ||
	    CU_add_test(suite, "stop while forwarding: conservation", test_stop_in_flight) == NULL ||
	    CU_add_test(suite, "delay 50 us keeps per-flow order", test_delay) == NULL ||
	    CU_add_test(suite, "delay 50 us with a TX lcore", test_delay_tx_lcores) == NULL) {
		CU_cleanup_registry();
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	bg_test_eal_cleanup();
	return failed != 0;
}
