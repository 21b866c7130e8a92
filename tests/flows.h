/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_TEST_FLOWS_H
#define BG_TEST_FLOWS_H

/*
 * Traffic of many flows on the ring ports of ring_ports.h, for the suites
 * that check per-flow behaviour end to end (pipeline, models): IPv4 frames of
 * distinct 5-tuples, each tagged with its flow, its sequence number within
 * the flow and its ingress port; put on the RX rings one queue per flow, as
 * RSS would; read back from the TX rings as records; checked for what --fwd
 * mac promises. Main lcore only, with the workers stopped or not touching
 * the rings the call uses (see ring_ports.h).
 */
#include <stdbool.h>
#include <stdint.h>

#include "ring_ports.h"

struct rte_mbuf;
struct rte_mempool;

#define BG_TEST_FLOWS_MAX 64       /* flows bg_test_flows_check_mac() follows */
#define BG_TEST_FLOW_FRAME_MAX 128 /* longest frame, bytes; a record keeps these */

/* A frame that came out. */
struct bg_test_out_rec {
	uint16_t port, queue;
	uint16_t len;
	uint32_t flow, seq;            /* UINT32_MAX when untagged */
	uint8_t bytes[BG_TEST_FLOW_FRAME_MAX];
};

/* The port a flow enters on. */
uint16_t bg_test_flow_ingress(uint32_t flow);

/* The RX queue a flow enters on, of nrx (>= 1), as RSS would spread it. */
uint16_t bg_test_flow_rxq(uint32_t flow, unsigned nrx);

/* The frame (flow, seq) as it enters, into d (BG_TEST_FLOW_FRAME_MAX bytes).
 * Returns its length. */
uint16_t bg_test_flow_frame(uint32_t flow, uint32_t seq, uint8_t *d);

/* An mbuf of pool holding the frame (flow, seq), or NULL when the pool is
 * empty. */
struct rte_mbuf *bg_test_flow_mbuf(struct rte_mempool *pool, uint32_t flow, uint32_t seq);

/* The flow and sequence number that the frame d of len bytes is tagged
 * with; false (and UINT32_MAX in both) when it carries no tag. */
bool bg_test_flow_tag(const uint8_t *d, uint16_t len, uint32_t *flow, uint32_t *seq);

/*
 * Enqueue per_flow frames of each of nb_flows flows, interleaved (seq 0 of
 * every flow, then seq 1, ...); a flow enters on port flow % 2, RX queue
 * (flow / 2) % f->nrx. With runt_every, every runt_every-th slot also gets a
 * runt of 0..13 bytes. Adds what went into each port to rx[] and the runts
 * to runts[]. Returns 0, or -1 after a failed assertion (pool or ring full).
 */
int bg_test_flows_inject(struct bg_test_fixture *f, uint32_t nb_flows, uint32_t per_flow,
			 unsigned runt_every, uint64_t rx[BG_TEST_NB_PORTS],
			 uint64_t runts[BG_TEST_NB_PORTS]);

/*
 * Dequeue every frame from every TX ring (port by port, queue by queue, in
 * ring order) into recs[0..max-1] and free it; assert that max was enough.
 * Returns how many frames there were.
 */
unsigned bg_test_flows_collect(struct bg_test_fixture *f, struct bg_test_out_rec *recs,
			       unsigned max);

/*
 * Check what came out under --fwd mac (nb_flows <= BG_TEST_FLOWS_MAX):
 * every frame is one of ours with the right addresses and an untouched
 * rest, left on the port its ingress maps to; each flow left on one TX
 * queue (tx_queue_of_port[egress] when that is >= 0), in sequence order,
 * every frame once. Returns how many distinct TX queues the flows used over
 * both ports.
 */
unsigned bg_test_flows_check_mac(const struct bg_test_fixture *f,
				 const struct bg_test_out_rec *recs, unsigned n,
				 uint32_t nb_flows, uint32_t per_flow,
				 const int tx_queue_of_port[BG_TEST_NB_PORTS]);

/* qsort() order of records: by port, length, then bytes. */
int bg_test_out_rec_cmp(const void *a, const void *b);

#endif
