/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_TEST_EAL_HELPER_H
#define BG_TEST_EAL_HELPER_H

/*
 * Shared by the test suites that need DPDK: start the EAL once per process
 * with --in-memory (so suites can run beside each other) and no PCI devices;
 * build test mbufs. Main lcore only.
 */
#include <stdint.h>

struct rte_mbuf;
struct rte_mempool;

/*
 * Start the EAL with "--in-memory --no-pci --log-level=<level>" plus the
 * given lcore option as one token (for example "-l0,1" or
 * "--lcores=0@0,1@1,2@1"), and check that it gave exactly nb_lcores lcores
 * (the main one included).
 * Returns 0, or -1 after printing why (the EAL released again if it started).
 */
int bg_test_eal_init(const char *lcores_opt, unsigned nb_lcores);

/* Release the EAL. */
void bg_test_eal_cleanup(void);

/*
 * A one-segment mbuf from pool with len bytes of data, their content left
 * to the caller. Returns NULL when the pool is empty or len does not fit.
 */
struct rte_mbuf *bg_test_mbuf_new(struct rte_mempool *pool, uint16_t len);

#endif
