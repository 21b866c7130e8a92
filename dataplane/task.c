/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/task.h"

struct rte_mempool *
bg_task_pool_create(const char *name, unsigned n, int socket)
{
	/* NO_SPREAD: a 64-byte object padded to spread over memory channels
	 * would take three cache lines with its header instead of two. */
	/* rte_mempool refuses a cache whose flush threshold (1.5 x its size)
	 * is above the pool's size: small pools get a smaller cache. */
	const unsigned cache = RTE_MIN((unsigned)BG_TASK_CACHE, n * 2 / 3);

	return rte_mempool_create(name, n, sizeof(struct bg_task), cache, 0,
				  NULL, NULL, NULL, NULL, socket, RTE_MEMPOOL_F_NO_SPREAD);
}
