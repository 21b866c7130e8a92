/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "eal_helper.h"
#include "flows.h"

/* Frames: Ethernet, IPv4, TCP or UDP (20 bytes of L4 either way), then the
 * tag, then a pattern. */
#define L3_OFF RTE_ETHER_HDR_LEN
#define L4_OFF (L3_OFF + 20)
#define TAG_OFF (L4_OFF + 20)
#define TAG_LEN 14
#define TAG_MAGIC 0x42475050u      /* "BGPP" */
#define FRAME_MIN (TAG_OFF + TAG_LEN)

uint16_t
bg_test_flow_ingress(uint32_t flow)
{
	return (uint16_t)(flow % BG_TEST_NB_PORTS);
}

static uint16_t
frame_len(uint32_t flow, uint32_t seq)
{
	return (uint16_t)(FRAME_MIN +
			  (flow * 5u + seq * 3u) % (BG_TEST_FLOW_FRAME_MAX - FRAME_MIN + 1));
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
	const uint16_t ingress = bg_test_flow_ingress(flow);
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
	struct rte_mbuf *m = bg_test_mbuf_new(pool, len);

	if (m != NULL && len != 0)
		memcpy(rte_pktmbuf_mtod(m, uint8_t *), d, len);
	return m;
}

uint16_t
bg_test_flow_rxq(uint32_t flow, unsigned nrx)
{
	return (uint16_t)((flow / BG_TEST_NB_PORTS) % nrx);
}

uint16_t
bg_test_flow_frame(uint32_t flow, uint32_t seq, uint8_t *d)
{
	const uint16_t len = frame_len(flow, seq);

	frame_fill(d, len, flow, seq);
	return len;
}

struct rte_mbuf *
bg_test_flow_mbuf(struct rte_mempool *pool, uint32_t flow, uint32_t seq)
{
	uint8_t d[BG_TEST_FLOW_FRAME_MAX];
	const uint16_t len = bg_test_flow_frame(flow, seq, d);

	return mbuf_make(pool, d, len);
}

bool
bg_test_flow_tag(const uint8_t *d, uint16_t len, uint32_t *flow, uint32_t *seq)
{
	uint32_t v;

	*flow = *seq = UINT32_MAX;
	if (len < FRAME_MIN)
		return false;
	memcpy(&v, d + TAG_OFF, 4);
	if (rte_be_to_cpu_32(v) != TAG_MAGIC)
		return false;
	memcpy(&v, d + TAG_OFF + 4, 4);
	*flow = rte_be_to_cpu_32(v);
	memcpy(&v, d + TAG_OFF + 8, 4);
	*seq = rte_be_to_cpu_32(v);
	return true;
}

int
bg_test_flows_inject(struct bg_test_fixture *f, uint32_t nb_flows, uint32_t per_flow,
		     unsigned runt_every, uint64_t rx[BG_TEST_NB_PORTS],
		     uint64_t runts[BG_TEST_NB_PORTS])
{
	uint8_t d[BG_TEST_FLOW_FRAME_MAX];
	unsigned slot = 0;

	for (uint32_t seq = 0; seq < per_flow; seq++)
		for (uint32_t flow = 0; flow < nb_flows; flow++) {
			const uint16_t p = bg_test_flow_ingress(flow);
			struct rte_ring *r = f->port[p].rx[bg_test_flow_rxq(flow, f->nrx)];
			const uint16_t len = bg_test_flow_frame(flow, seq, d);
			struct rte_mbuf *m = mbuf_make(f->pool, d, len);

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

unsigned
bg_test_flows_collect(struct bg_test_fixture *f, struct bg_test_out_rec *recs, unsigned max)
{
	unsigned n = 0;

	for (uint16_t p = 0; p < BG_TEST_NB_PORTS; p++)
		for (uint16_t q = 0; q < f->ntx; q++) {
			void *obj;

			while (rte_ring_dequeue(f->port[p].tx[q], &obj) == 0) {
				struct rte_mbuf *m = obj;
				uint16_t len = rte_pktmbuf_data_len(m);

				if (n < max) {
					struct bg_test_out_rec *r = &recs[n];

					memset(r, 0, sizeof(*r));
					r->port = p;
					r->queue = q;
					r->len = len;
					memcpy(r->bytes, rte_pktmbuf_mtod(m, void *),
					       RTE_MIN(len, (uint16_t)BG_TEST_FLOW_FRAME_MAX));
					bg_test_flow_tag(r->bytes, len, &r->flow, &r->seq);
				}
				n++;
				rte_pktmbuf_free(m);
			}
		}
	CU_ASSERT_TRUE(n <= max);
	return n;
}

unsigned
bg_test_flows_check_mac(const struct bg_test_fixture *f, const struct bg_test_out_rec *recs,
			unsigned n, uint32_t nb_flows, uint32_t per_flow,
			const int tx_queue_of_port[BG_TEST_NB_PORTS])
{
	static uint32_t next[BG_TEST_FLOWS_MAX];
	static int queue_of[BG_TEST_FLOWS_MAX];
	bool used[BG_TEST_NB_PORTS][BG_TEST_MAX_Q] = { { false } };
	unsigned bad_tag = 0, bad_port = 0, bad_queue = 0, bad_seq = 0, bad_bytes = 0, nq = 0;
	uint8_t want[BG_TEST_FLOW_FRAME_MAX];
	struct rte_ether_addr mac[BG_TEST_NB_PORTS];

	if (nb_flows > BG_TEST_FLOWS_MAX) {
		CU_FAIL("more flows than bg_test_flows_check_mac() follows");
		return 0;
	}
	for (uint16_t p = 0; p < BG_TEST_NB_PORTS; p++)
		if (rte_eth_macaddr_get(p, &mac[p]) != 0)
			memset(&mac[p], 0xee, sizeof(mac[p]));
	for (uint32_t i = 0; i < nb_flows; i++) {
		next[i] = 0;
		queue_of[i] = -1;
	}
	for (unsigned i = 0; i < n; i++) {
		const struct bg_test_out_rec *r = &recs[i];
		uint16_t egress;

		if (r->flow >= nb_flows) {
			if (bad_tag++ == 0)
				fprintf(stderr, "port %u txq %u: an untagged frame of %u bytes\n",
					r->port, r->queue, r->len);
			continue;
		}
		egress = f->cfg.dst_port[bg_test_flow_ingress(r->flow)];
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

int
bg_test_out_rec_cmp(const void *a, const void *b)
{
	const struct bg_test_out_rec *x = a, *y = b;

	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->bytes, y->bytes, RTE_MIN(x->len, (uint16_t)BG_TEST_FLOW_FRAME_MAX));
}

