/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "dataplane/pool.h"

uint32_t
bg_pool_size(const struct bg_pool_demand *d)
{
	uint64_t n = (uint64_t)d->descriptors + d->in_flight +
		     (uint64_t)d->lcores * BG_POOL_CACHE * 3 / 2;

	n += n / 8;
	if (n < 4095)
		n = 4095;
	return (uint32_t)(rte_align64pow2(n + 1) - 1);
}

struct rte_mempool *
bg_pool_create(int socket, uint32_t nb_mbufs)
{
	char name[RTE_MEMPOOL_NAMESIZE];

	snprintf(name, sizeof(name), "bg_pool_s%d", socket);
	return rte_pktmbuf_pool_create(name, nb_mbufs, BG_POOL_CACHE, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, socket);
}
