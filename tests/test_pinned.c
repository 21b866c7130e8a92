/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pinned model end to end, in process, on net_ring ports: crafted frames
 * go into the RX rings of two ports, the runtime forwards them with two
 * workers, and the test reads what comes out of the TX rings.
 *
 * What a user relies on and what is checked here: exact output bytes per
 * forwarding function, the egress port (and queue: each worker owns one queue
 * per port), order within a queue, exact per-port counters, runts dropped and
 * counted on the ingress port, tx_full counted on the egress port, a clean
 * stop with packets still queued, and conservation (rx == tx + drops, pools
 * back to where they started).
 *
 * The EAL has lcore 0 (control) and two workers; the runtime uses every EAL
 * worker, so every port gets two RX and two TX rings, one per queue
 * (ring_ports.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include <rte_byteorder.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
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
#include "ring_ports.h"
#include "test_helper.h"

#define NB_PORTS BG_TEST_NB_PORTS
#define NB_Q 2                    /* = EAL worker lcores */
#define WAIT_S 5.0                /* bound on waiting for the workers */
#define BIG_RING 4096             /* holds every packet a test sends */

/* The test tag at the start of the payload (offset 14) of every frame long
 * enough to hold it. */
#define TAG_MAGIC 0x42475453u     /* "BGTS" */
#define TAG_OFF RTE_ETHER_HDR_LEN
#define TAG_LEN 12
#define TEST_ETHERTYPE 0x88b5     /* IEEE local experimental */

enum out_kind { OUT_IO, OUT_MAC, OUT_MACSWAP };

/* ---- frames ---- */

static uint16_t
frame_len(uint32_t seq)
{
	return (uint16_t)(60u + (seq * 37u) % 1455u);     /* 60..1514 */
}

static uint8_t
payload_byte(uint16_t port, uint16_t queue, uint32_t seq, uint32_t off)
{
	return (uint8_t)(seq * 7u + off * 13u + port * 101u + queue * 53u);
}

/* The addresses a crafted frame carries on ingress. */
static void
orig_dst(struct rte_ether_addr *a, uint16_t ingress)
{
	static const uint8_t b[6] = { 0x0a, 0x11, 0x22, 0x33, 0x00, 0xdd };

	memcpy(a->addr_bytes, b, 6);
	a->addr_bytes[4] = (uint8_t)ingress;
}

static void
orig_src(struct rte_ether_addr *a, uint16_t ingress)
{
	static const uint8_t b[6] = { 0x0a, 0x44, 0x55, 0x66, 0x00, 0x55 };

	memcpy(a->addr_bytes, b, 6);
	a->addr_bytes[4] = (uint8_t)ingress;
}

static bool
is_runt(uint32_t seq, unsigned runt_every)
{
	return runt_every != 0 && seq % runt_every == runt_every - 1;
}

/* Runts get 0..13 bytes, the rest frame_len(seq). */
static uint16_t
inject_len(uint32_t seq, unsigned runt_every)
{
	return is_runt(seq, runt_every) ? (uint16_t)(seq % RTE_ETHER_HDR_LEN) : frame_len(seq);
}

static struct rte_mbuf *
frame_make(struct rte_mempool *pool, uint16_t port, uint16_t queue, uint32_t seq,
	   uint16_t len)
{
	struct rte_mbuf *m = bg_test_mbuf_new(pool, len);
	uint8_t *d;

	if (m == NULL)
		return NULL;
	d = rte_pktmbuf_mtod(m, uint8_t *);
	for (uint32_t i = 0; i < len; i++)
		d[i] = payload_byte(port, queue, seq, i);
	if (len >= TAG_OFF + TAG_LEN) {
		struct rte_ether_hdr *eth = (struct rte_ether_hdr *)d;
		uint32_t magic = rte_cpu_to_be_32(TAG_MAGIC);
		uint16_t p = rte_cpu_to_be_16(port), q = rte_cpu_to_be_16(queue);
		uint32_t s = rte_cpu_to_be_32(seq);

		orig_dst(&eth->dst_addr, port);
		orig_src(&eth->src_addr, port);
		eth->ether_type = rte_cpu_to_be_16(TEST_ETHERTYPE);
		memcpy(d + TAG_OFF, &magic, 4);
		memcpy(d + TAG_OFF + 4, &p, 2);
		memcpy(d + TAG_OFF + 6, &q, 2);
		memcpy(d + TAG_OFF + 8, &s, 4);
	}
	return m;
}

/* ---- fixture ---- */

/*
 * Create the two ring ports (ids 0 and 1), each with NB_Q RX rings of rx_size
 * and NB_Q TX rings of tx_size[port] slots (power of two; one fewer usable).
 * Returns 0 or -1.
 */
static int
fixture_ports(struct bg_test_fixture *f, unsigned rx_size, const unsigned tx_size[NB_PORTS])
{
	if (bg_test_fixture_ports(f, "pin", NB_Q, rx_size, NB_Q, tx_size) != 0)
		return -1;
	/* Earlier tests closed (released) their ports: ours are 0 and 1. */
	CU_ASSERT_EQUAL(f->port[0].id, 0);
	CU_ASSERT_EQUAL(f->port[1].id, 1);
	if (f->port[0].id != 0 || f->port[1].id != 1)
		return -1;
	CU_ASSERT_EQUAL(rte_eth_dev_count_avail(), NB_PORTS);
	return 0;
}

/* The config every test starts from; the caller adjusts it before start. */
static void
fixture_config(struct bg_test_fixture *f, const char *fwd)
{
	bg_config_defaults(&f->cfg);
	f->cfg.sched = bg_sched_find("pinned");
	f->cfg.fwd = bg_fwd_find(fwd);
	f->cfg.link_wait_s = 0;
	CU_ASSERT_PTR_NOT_NULL(f->cfg.sched);
	CU_ASSERT_PTR_NOT_NULL(f->cfg.fwd);
}

/* Resolve the ports and initialise the runtime. Returns 0 or -1. */
static int
fixture_init(struct bg_test_fixture *f)
{
	return bg_test_fixture_init(f, NB_Q, true) == 0 ? 0 : -1;
}

static int
launch(struct bg_test_fixture *f)
{
	int ret = bg_test_fixture_launch(f);

	CU_ASSERT_TRUE(f->rt.launched);
	return ret;
}

/* Enqueue count frames (seq 0..count-1) on RX queue q of port p. */
static unsigned
inject(struct bg_test_fixture *f, uint16_t p, uint16_t q, uint32_t count, unsigned runt_every)
{
	unsigned done = 0;

	for (uint32_t seq = 0; seq < count; seq++) {
		struct rte_mbuf *m = frame_make(f->pool, p, q, seq, inject_len(seq, runt_every));

		if (m == NULL)
			break;
		if (rte_ring_enqueue(f->port[p].rx[q], m) != 0) {
			rte_pktmbuf_free(m);
			break;
		}
		done++;
	}
	CU_ASSERT_EQUAL(done, count);
	return done;
}

/* inject() per_q frames on every queue of both ports. */
static void
inject_all(struct bg_test_fixture *f, uint32_t per_q, unsigned runt_every)
{
	for (uint16_t p = 0; p < NB_PORTS; p++)
		for (uint16_t q = 0; q < NB_Q; q++)
			inject(f, p, q, per_q, runt_every);
}

static unsigned
rings_count(struct rte_ring *const r[NB_Q])
{
	return bg_test_rings_count(r, NB_Q);
}

/*
 * Stop (if needed), free what the rings still hold, close the runtime and
 * check conservation, free it, close any port the runtime did not, free the
 * rings. check_summary is false on paths that already failed.
 */
static void
fixture_finish(struct bg_test_fixture *f, bool check_summary)
{
	bg_test_fixture_stop(f);
	if (f->rt_inited && check_summary) {
		const struct bg_summary *s = bg_test_check_summary(f, "pinned", NB_Q);

		CU_ASSERT_TRUE(s->nb_pools >= 1);
		for (unsigned i = 0; i < s->nb_pools; i++)
			CU_ASSERT_EQUAL(s->pools[i].in_use_end, s->pools[i].in_use_start);
	}
	bg_test_fixture_release(f);
}

/* ---- output checks ---- */

/* The addresses a frame should leave with. */
static void
expected_addrs(const struct bg_test_fixture *f, enum out_kind kind, uint16_t ingress, uint16_t egress,
	       struct rte_ether_addr *dst, struct rte_ether_addr *src)
{
	switch (kind) {
	case OUT_IO:
		orig_dst(dst, ingress);
		orig_src(src, ingress);
		break;
	case OUT_MAC:
		/* the hop the test configured, else the documented default */
		if (f->cfg.eth_dst_set[egress]) {
			*dst = f->cfg.eth_dst[egress];
		} else {
			memset(dst, 0, sizeof(*dst));
			dst->addr_bytes[0] = 0x02;
			dst->addr_bytes[5] = (uint8_t)egress;
		}
		if (rte_eth_macaddr_get(egress, src) != 0)
			memset(src, 0xee, sizeof(*src));
		break;
	case OUT_MACSWAP:
		orig_src(dst, ingress);
		orig_dst(src, ingress);
		break;
	}
}

/*
 * Dequeue and check everything on TX queue q of port egress: every frame
 * came in on ingress queue q (the same worker), with the expected addresses
 * and an untouched rest; sequence numbers must be exactly expect[0..n-1], in
 * that order. Frees what it dequeues. Returns how many frames it found.
 */
static unsigned
check_tx_ring(struct bg_test_fixture *f, enum out_kind kind, uint16_t egress, uint16_t q,
	      uint16_t ingress, const uint32_t *expect, unsigned n)
{
	struct rte_ring *r = f->port[egress].tx[q];
	struct rte_ether_addr dst, src;
	unsigned found = 0, bad_bytes = 0, bad_seq = 0, bad_origin = 0;
	void *obj;

	expected_addrs(f, kind, ingress, egress, &dst, &src);
	while (rte_ring_dequeue(r, &obj) == 0) {
		struct rte_mbuf *m = obj;
		const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
		uint32_t magic = 0, seq = 0;
		uint16_t tp = 0, tq = 0;
		uint16_t len = rte_pktmbuf_data_len(m);

		if (len >= TAG_OFF + TAG_LEN) {
			memcpy(&magic, d + TAG_OFF, 4);
			memcpy(&tp, d + TAG_OFF + 4, 2);
			memcpy(&tq, d + TAG_OFF + 6, 2);
			memcpy(&seq, d + TAG_OFF + 8, 4);
			magic = rte_be_to_cpu_32(magic);
			tp = rte_be_to_cpu_16(tp);
			tq = rte_be_to_cpu_16(tq);
			seq = rte_be_to_cpu_32(seq);
		}
		if (magic != TAG_MAGIC || tp != ingress || tq != q) {
			if (bad_origin++ == 0)
				fprintf(stderr, "port %u txq %u: frame of %u bytes from port %u queue %u (magic %08x), expected from port %u queue %u\n",
					egress, q, len, tp, tq, magic, ingress, q);
		} else {
			bool ok = m->nb_segs == 1 && rte_pktmbuf_pkt_len(m) == len &&
				  len == frame_len(seq) &&
				  memcmp(d, dst.addr_bytes, 6) == 0 &&
				  memcmp(d + 6, src.addr_bytes, 6) == 0 &&
				  d[12] == (TEST_ETHERTYPE >> 8) && d[13] == (TEST_ETHERTYPE & 0xff);

			for (uint32_t i = TAG_OFF + TAG_LEN; ok && i < len; i++)
				ok = d[i] == payload_byte(ingress, q, seq, i);
			if (!ok && bad_bytes++ == 0)
				fprintf(stderr, "port %u txq %u: seq %u (%u bytes) has wrong bytes\n",
					egress, q, seq, len);
			if (found >= n || expect[found] != seq) {
				if (bad_seq++ == 0)
					fprintf(stderr, "port %u txq %u: frame #%u has seq %u, expected %s%u\n",
						egress, q, found, seq, found >= n ? "none, after " : "",
						found >= n ? n : expect[found]);
			}
		}
		found++;
		rte_pktmbuf_free(m);
	}
	CU_ASSERT_EQUAL(bad_origin, 0);
	CU_ASSERT_EQUAL(bad_bytes, 0);
	CU_ASSERT_EQUAL(bad_seq, 0);
	CU_ASSERT_EQUAL(found, n);
	return found;
}

/* The sequence numbers of the non-runt frames among 0..count-1, the first
 * limit of them. Returns how many. */
static unsigned
expected_seqs(uint32_t *out, uint32_t count, unsigned runt_every, unsigned limit)
{
	unsigned n = 0;

	for (uint32_t seq = 0; seq < count && n < limit; seq++)
		if (!is_runt(seq, runt_every))
			out[n++] = seq;
	return n;
}

static void
check_counters(const struct bg_test_fixture *f, uint16_t port, uint64_t rx, uint64_t tx,
	       uint64_t runt, uint64_t tx_full)
{
	struct bg_counters c;

	bg_runtime_port_counters(&f->rt, port, &c);
	CU_ASSERT_EQUAL(c.rx, rx);
	CU_ASSERT_EQUAL(c.tx, tx);
	CU_ASSERT_EQUAL(c.drop[BG_DROP_RUNT], runt);
	CU_ASSERT_EQUAL(c.drop[BG_DROP_TX_FULL], tx_full);
	if (c.rx != rx || c.tx != tx || c.drop[BG_DROP_RUNT] != runt ||
	    c.drop[BG_DROP_TX_FULL] != tx_full)
		fprintf(stderr, "port %u: rx %" PRIu64 " tx %" PRIu64 " runt %" PRIu64 " tx_full %" PRIu64
			", expected %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", port,
			c.rx, c.tx, c.drop[BG_DROP_RUNT], c.drop[BG_DROP_TX_FULL],
			rx, tx, runt, tx_full);
}

/* ---- the common case: both ports, both queues, paired 0<->1 ---- */

struct xcase {
	const char *fwd;
	enum out_kind kind;
	uint32_t per_queue;            /* frames per RX queue */
	unsigned runt_every;           /* every n-th frame a runt; 0 = none */
	bool inject_while_running;
	bool set_eth_dest;             /* --eth-dest for port 1 */
};

static void
run_cross(const struct xcase *xc)
{
	static const unsigned tx_size[NB_PORTS] = { BIG_RING, BIG_RING };
	static const bool both[NB_PORTS] = { true, true };
	static uint32_t expect[BIG_RING];
	struct bg_test_fixture f;
	unsigned good, runts, got;

	if (fixture_ports(&f, BIG_RING, tx_size) != 0)
		goto fail;
	fixture_config(&f, xc->fwd);
	if (xc->set_eth_dest) {
		static const struct rte_ether_addr hop = {
			.addr_bytes = { 0x02, 0xab, 0xcd, 0xef, 0x12, 0x34 } };

		f.cfg.eth_dst_set[1] = true;
		f.cfg.eth_dst[1] = hop;
	}
	if (fixture_init(&f) != 0)
		goto fail;
	if (xc->set_eth_dest) {
		/* resolve_ports keeps a configured next hop, defaults the rest */
		CU_ASSERT_EQUAL(f.cfg.eth_dst[1].addr_bytes[1], 0xab);
		CU_ASSERT_EQUAL(f.cfg.eth_dst[0].addr_bytes[0], 0x02);
		CU_ASSERT_EQUAL(f.cfg.eth_dst[0].addr_bytes[5], 0x00);
	}

	if (xc->inject_while_running && launch(&f) != 0)
		goto fail;
	inject_all(&f, xc->per_queue, xc->runt_every);
	if (!xc->inject_while_running) {
		int ret = launch(&f);

		CU_ASSERT_EQUAL(ret, 0);
		if (ret != 0)
			goto fail;
	}

	good = expected_seqs(expect, xc->per_queue, xc->runt_every, BIG_RING);
	runts = xc->per_queue - good;
	CU_ASSERT_TRUE(bg_test_wait_forwarded(&f, both, NB_PORTS * NB_Q * good, WAIT_S));
	bg_runtime_stop(&f.rt);

	/* Counters are exact once the workers are joined. */
	for (uint16_t p = 0; p < NB_PORTS; p++)
		check_counters(&f, p, NB_Q * xc->per_queue, NB_Q * good, NB_Q * runts, 0);

	/* Port 0's frames leave on port 1 and the other way round, each on the
	 * queue of the worker that received it, in order. */
	got = 0;
	for (uint16_t p = 0; p < NB_PORTS; p++)
		for (uint16_t q = 0; q < NB_Q; q++)
			got += check_tx_ring(&f, xc->kind, p, q, (uint16_t)(1 - p), expect, good);
	CU_ASSERT_EQUAL(got, NB_PORTS * NB_Q * good);

	/* Each worker served its own queue on both ports. */
	for (unsigned i = 0; i < f.rt.nb_workers; i++) {
		struct bg_counters sum;

		memset(&sum, 0, sizeof(sum));
		for (uint16_t p = 0; p < NB_PORTS; p++)
			bg_counters_add(&sum, &f.rt.workers[i]->ctr[p]);
		CU_ASSERT_EQUAL(sum.rx, NB_PORTS * xc->per_queue);
		CU_ASSERT_TRUE(f.rt.workers[i]->polls > 0);
	}
	fixture_finish(&f, true);
	return;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
}

static void
test_mac_default_next_hop(void)
{
	run_cross(&(struct xcase){ .fwd = "mac", .kind = OUT_MAC, .per_queue = 1000 });
}

static void
test_mac_eth_dest_while_running(void)
{
	run_cross(&(struct xcase){ .fwd = "mac", .kind = OUT_MAC, .per_queue = 1000,
				   .inject_while_running = true, .set_eth_dest = true });
}

static void
test_io_unchanged(void)
{
	run_cross(&(struct xcase){ .fwd = "io", .kind = OUT_IO, .per_queue = 1000 });
}

static void
test_macswap(void)
{
	run_cross(&(struct xcase){ .fwd = "macswap", .kind = OUT_MACSWAP, .per_queue = 1000 });
}

static void
test_mac_runts(void)
{
	/* every 5th frame 0..13 bytes long */
	run_cross(&(struct xcase){ .fwd = "mac", .kind = OUT_MAC, .per_queue = 700,
				   .runt_every = 5 });
}

static void
test_macswap_runts(void)
{
	run_cross(&(struct xcase){ .fwd = "macswap", .kind = OUT_MACSWAP, .per_queue = 300,
				   .runt_every = 3, .inject_while_running = true });
}

/* ---- a TX queue that fills up ---- */

static void
test_tx_full(void)
{
	enum { SMALL = 16, PER_Q = 200 };
	static const unsigned tx_size[NB_PORTS] = { BIG_RING, SMALL };
	static const bool both[NB_PORTS] = { true, true };
	static uint32_t expect[BIG_RING];
	const unsigned fits = SMALL - 1;       /* a ring of 16 holds 15 */
	unsigned in_small;
	struct bg_test_fixture f;

	if (fixture_ports(&f, BIG_RING, tx_size) != 0)
		goto fail;
	fixture_config(&f, "mac");
	if (fixture_init(&f) != 0)
		goto fail;
	inject_all(&f, PER_Q, 0);
	if (launch(&f) != 0)
		goto fail;
	CU_ASSERT_TRUE(bg_test_wait_forwarded(&f, both, NB_Q * PER_Q + NB_Q * fits, WAIT_S));
	bg_runtime_stop(&f.rt);

	in_small = rings_count(f.port[1].tx);
	CU_ASSERT_EQUAL(in_small, NB_Q * fits);
	/* Port 1 transmitted what its rings took and dropped the rest as
	 * tx_full; port 0 lost nothing. */
	check_counters(&f, 0, NB_Q * PER_Q, NB_Q * PER_Q, 0, 0);
	check_counters(&f, 1, NB_Q * PER_Q, in_small, 0, NB_Q * PER_Q - in_small);
	{
		struct bg_counters c0, c1;

		bg_runtime_port_counters(&f.rt, 0, &c0);
		bg_runtime_port_counters(&f.rt, 1, &c1);
		CU_ASSERT_EQUAL(c0.rx + c1.rx,
				c0.tx + c1.tx + bg_counters_drops(&c0) + bg_counters_drops(&c1));
	}
	/* What made it are the first frames of each queue, in order. */
	expected_seqs(expect, PER_Q, 0, BIG_RING);
	for (uint16_t q = 0; q < NB_Q; q++) {
		check_tx_ring(&f, OUT_MAC, 1, q, 0, expect, fits);
		check_tx_ring(&f, OUT_MAC, 0, q, 1, expect, PER_Q);
	}
	fixture_finish(&f, true);
	return;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
}

/* ---- stop with packets still queued ---- */

static void
test_stop_with_rx_queued(void)
{
	enum { PER_Q = 3000 };
	static const unsigned tx_size[NB_PORTS] = { BIG_RING, BIG_RING };
	static const uint64_t in[NB_PORTS] = { NB_Q * PER_Q, NB_Q * PER_Q };
	struct bg_test_fixture f;
	struct bg_test_tally t;

	if (fixture_ports(&f, BIG_RING, tx_size) != 0)
		goto fail;
	fixture_config(&f, "macswap");
	if (fixture_init(&f) != 0)
		goto fail;
	inject_all(&f, PER_Q, 0);
	if (launch(&f) != 0)
		goto fail;
	bg_runtime_stop(&f.rt);
	bg_runtime_stop(&f.rt);        /* idempotent */

	/* What a port received left on the other one, nothing dropped. */
	bg_test_tally_stopped(&f, in, &t);
	printf("\n    stopped with %u of %u frames still on the RX rings ", t.left,
	       NB_PORTS * NB_Q * PER_Q);
	CU_ASSERT_EQUAL(t.drops, 0);
	/* fixture_finish frees the RX leftovers before closing and checks the
	 * pools came back. */
	fixture_finish(&f, true);
	return;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
}

/* Launch and stop with nothing to forward: zero counters, conserved. */
static void
test_idle_run(void)
{
	static const unsigned tx_size[NB_PORTS] = { 64, 64 };
	struct bg_test_fixture f;

	if (fixture_ports(&f, 64, tx_size) != 0)
		goto fail;
	fixture_config(&f, "io");
	if (fixture_init(&f) != 0)
		goto fail;
	if (launch(&f) != 0)
		goto fail;
	usleep(20 * 1000);
	bg_runtime_stop(&f.rt);
	check_counters(&f, 0, 0, 0, 0, 0);
	check_counters(&f, 1, 0, 0, 0, 0);
	for (unsigned i = 0; i < f.rt.nb_workers; i++) {
		CU_ASSERT_TRUE(f.rt.workers[i]->polls > 0);
		CU_ASSERT_EQUAL(f.rt.workers[i]->busy_polls, 0);
	}
	CU_ASSERT_TRUE(bg_runtime_elapsed(&f.rt) > 0.0);
	fixture_finish(&f, true);
	return;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
}

/* ---- --portmap ---- */

/* 0:0,1:1: every port loops back to itself. */
static void
test_portmap_loopback(void)
{
	enum { PER_Q = 500 };
	static const unsigned tx_size[NB_PORTS] = { BIG_RING, BIG_RING };
	static const bool both[NB_PORTS] = { true, true };
	static uint32_t expect[BIG_RING];
	struct bg_test_fixture f;

	if (fixture_ports(&f, BIG_RING, tx_size) != 0)
		goto fail;
	fixture_config(&f, "mac");
	f.cfg.portmap_set = true;
	f.cfg.dst_port[0] = 0;
	f.cfg.dst_port[1] = 1;
	if (fixture_init(&f) != 0)
		goto fail;
	inject_all(&f, PER_Q, 0);
	if (launch(&f) != 0)
		goto fail;
	CU_ASSERT_TRUE(bg_test_wait_forwarded(&f, both, NB_PORTS * NB_Q * PER_Q, WAIT_S));
	bg_runtime_stop(&f.rt);
	expected_seqs(expect, PER_Q, 0, BIG_RING);
	for (uint16_t p = 0; p < NB_PORTS; p++) {
		check_counters(&f, p, NB_Q * PER_Q, NB_Q * PER_Q, 0, 0);
		for (uint16_t q = 0; q < NB_Q; q++)
			check_tx_ring(&f, OUT_MAC, p, q, p, expect, PER_Q);
	}
	fixture_finish(&f, true);
	return;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
}

/* 0:0 only: port 1 is not used, so nobody polls or configures it. */
static void
test_portmap_unused_port(void)
{
	enum { PER_Q = 300 };
	static const unsigned tx_size[NB_PORTS] = { BIG_RING, BIG_RING };
	static const bool only0[NB_PORTS] = { true, false };
	static uint32_t expect[BIG_RING];
	struct bg_test_fixture f;

	if (fixture_ports(&f, BIG_RING, tx_size) != 0)
		goto fail;
	fixture_config(&f, "io");
	f.cfg.portmap_set = true;
	f.cfg.dst_port[0] = 0;
	if (fixture_init(&f) != 0)
		goto fail;
	CU_ASSERT_TRUE(f.rt.port_used[0]);
	CU_ASSERT_FALSE(f.rt.port_used[1]);
	inject_all(&f, PER_Q, 0);
	if (launch(&f) != 0)
		goto fail;
	CU_ASSERT_TRUE(bg_test_wait_forwarded(&f, only0, NB_Q * PER_Q, WAIT_S));
	usleep(20 * 1000);
	bg_runtime_stop(&f.rt);
	CU_ASSERT_EQUAL(rings_count(f.port[1].rx), NB_Q * PER_Q);   /* untouched */
	CU_ASSERT_EQUAL(rings_count(f.port[1].tx), 0);
	check_counters(&f, 0, NB_Q * PER_Q, NB_Q * PER_Q, 0, 0);
	check_counters(&f, 1, 0, 0, 0, 0);
	expected_seqs(expect, PER_Q, 0, BIG_RING);
	for (uint16_t q = 0; q < NB_Q; q++)
		check_tx_ring(&f, OUT_IO, 0, q, 0, expect, PER_Q);
	fixture_finish(&f, true);
	return;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
}

/* A port with fewer queues than workers: init fails cleanly and unwinds. */
static void
test_too_few_queues(void)
{
	struct rte_ring *rx, *tx;
	struct bg_config cfg;
	struct bg_runtime rt;
	char name[32], err[256];
	int id, ret;

	snprintf(name, sizeof(name), "pin%u_1q", bg_test_serial());
	rx = bg_test_ring_make(name, "rx", 0, 64);
	tx = bg_test_ring_make(name, "tx", 0, 64);
	CU_ASSERT_FATAL(rx != NULL && tx != NULL);
	id = rte_eth_from_rings(name, &rx, 1, &tx, 1, (unsigned)rte_socket_id());
	CU_ASSERT_EQUAL(id, 0);
	bg_config_defaults(&cfg);
	cfg.sched = bg_sched_find("pinned");
	cfg.link_wait_s = 0;
	ret = bg_config_resolve_ports(&cfg, rte_eth_dev_count_avail(), err, sizeof(err));
	CU_ASSERT_EQUAL(ret, 0);
	CU_ASSERT_EQUAL(cfg.dst_port[0], 0);           /* a lone port loops back */
	if (ret == 0) {
		ret = bg_runtime_init(&rt, &cfg);
		CU_ASSERT_EQUAL(ret, -EINVAL);
		bg_runtime_free(&rt);
		bg_runtime_free(&rt);                  /* idempotent */
	}
	if (id >= 0 && rte_eth_dev_is_valid_port((uint16_t)id)) {
		rte_eth_dev_stop((uint16_t)id);
		rte_eth_dev_close((uint16_t)id);
	}
	rte_ring_free(rx);
	rte_ring_free(tx);
	CU_ASSERT_EQUAL(rte_eth_dev_count_avail(), 0);
}

/* A configuration naming a port that does not exist (resolve_ports not
 * called): init refuses it and close/free unwind. */
static void
test_missing_port(void)
{
	struct bg_config cfg;
	struct bg_runtime rt;
	int ret;

	CU_ASSERT_EQUAL(rte_eth_dev_count_avail(), 0);
	bg_config_defaults(&cfg);
	cfg.sched = bg_sched_find("pinned");
	cfg.link_wait_s = 0;
	cfg.portmap_set = true;
	cfg.dst_port[3] = 3;
	ret = bg_runtime_init(&rt, &cfg);
	CU_ASSERT_TRUE(ret < 0);
	bg_runtime_close(&rt);
	bg_runtime_free(&rt);
	CU_ASSERT_EQUAL(rt.nb_workers, 0);
	CU_ASSERT_EQUAL(rte_eth_dev_count_avail(), 0);
}

int
main(void)
{
	static const struct bg_test_case tests[] = {
		{ "mac: default next hop, exact bytes, order, counters", test_mac_default_next_hop },
		{ "mac: --eth-dest, frames sent while running", test_mac_eth_dest_while_running },
		{ "io: frames unchanged", test_io_unchanged },
		{ "macswap: addresses swapped", test_macswap },
		{ "mac: runts dropped on ingress", test_mac_runts },
		{ "macswap: runts dropped, sent while running", test_macswap_runts },
		{ "tx_full counted on the egress port", test_tx_full },
		{ "stop with frames still on RX rings", test_stop_with_rx_queued },
		{ "idle run", test_idle_run },
		{ "portmap 0:0,1:1 loops back", test_portmap_loopback },
		{ "portmap 0:0 leaves port 1 alone", test_portmap_unused_port },
		{ "port with too few queues: init fails, unwinds", test_too_few_queues },
		{ "port that does not exist: init fails, unwinds", test_missing_port },
	};
	int ret;

	if (bg_test_eal_init("--lcores=0@0,1@1,2@1", 1 + NB_Q) != 0)
		return 1;
	ret = BG_TEST_RUN_SUITE("pinned", tests);
	bg_test_eal_cleanup();
	return ret;
}
