/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include "eal_helper.h"

int
bg_test_eal_init(const char *lcores_opt)
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
	return 0;
}

void
bg_test_eal_cleanup(void)
{
	rte_eal_cleanup();
}
