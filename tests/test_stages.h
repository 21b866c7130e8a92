/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_TEST_STAGES_H
#define BG_TEST_STAGES_H

/*
 * The stages suite is one CUnit suite in two files: test_stages.c runs the
 * stages end to end on net_ring ports with a real worker (and has main()),
 * test_stages_pace.c runs delay and pace on a synthetic clock, in a worker
 * context driven by the test (the "rig"). What both use: the tagged test
 * frames, the TSC rate, and the synthetic-clock tests' entry points. Main
 * lcore only.
 */
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

struct rte_mbuf;
struct rte_mempool;

#define MAX_PKTS 4096             /* frames one run sends at most */
#define TAG_MAGIC 0x42475354u     /* "BGST" */

/* The tag after the Ethernet header: magic, sequence, injection TSC. */
struct tag {
	uint32_t magic;
	uint32_t seq;
	uint64_t tsc;
} __rte_packed;

/* TSC cycles per second; main() sets it before any test runs. */
extern double hz;

/* A frame of len bytes (>= 30) from pool, tagged with seq; NULL when the
 * pool is empty. */
struct rte_mbuf *frame_make(struct rte_mempool *pool, uint32_t seq, uint16_t len);

/* Read m's tag into *tag. False when m is too short or not ours. */
bool frame_tag(const struct rte_mbuf *m, struct tag *tag);

/* test_stages_pace.c: delay and pace on a synthetic clock. */
void test_sim_delay_exact(void);
void test_sim_delay_jitter(void);
void test_sim_delay_shutdown(void);
void test_sim_pace_pps(void);
void test_sim_pace_mbps(void);
void test_sim_pace_queue_bound(void);
void test_sim_delay_then_pace(void);
void test_pace_stall_with_waiters(void);
void test_pace_bursty_synthetic(void);

#endif
