/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "eal_helper.h"

int
bg_test_eal_init(const char *lcores_opt, unsigned nb_lcores)
{
	char lc[128];
	char *argv[] = {
		"bg_test", lc, "--in-memory", "--no-pci", "--no-telemetry",
		"--log-level=lib.eal:warning", "--log-level=brigade:warning", NULL,
	};
	int argc = (int)(sizeof(argv) / sizeof(argv[0])) - 1;

	snprintf(lc, sizeof(lc), "%s", lcores_opt);
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "EAL init failed: %s (are hugepages reserved? scripts/setup.sh hugepages)\n",
			rte_strerror(rte_errno));
		return -1;
	}
	if (rte_lcore_count() != nb_lcores) {
		fprintf(stderr, "need %u lcores, have %u\n", nb_lcores, rte_lcore_count());
		rte_eal_cleanup();
		return -1;
	}
	return 0;
}

void
bg_test_eal_cleanup(void)
{
	rte_eal_cleanup();
}

struct rte_mbuf *
bg_test_mbuf_new(struct rte_mempool *pool, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	if (m == NULL)
		return NULL;
	if (rte_pktmbuf_append(m, len) == NULL && len != 0) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	return m;
}
