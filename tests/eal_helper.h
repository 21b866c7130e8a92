/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_TEST_EAL_HELPER_H
#define BG_TEST_EAL_HELPER_H

/*
 * Shared by the test suites that need DPDK: start the EAL once per process
 * with --in-memory (so suites can run beside each other) and no PCI devices.
 */

/*
 * Start the EAL with "--in-memory --no-pci --log-level=<level>" plus the
 * given lcore option as one token (for example "-l0,1" or
 * "--lcores=0@0,1@1,2@1").
 * Returns 0, or -1 after printing why.
 */
int bg_test_eal_init(const char *lcores_opt);

/* Release the EAL. */
void bg_test_eal_cleanup(void);

#endif
