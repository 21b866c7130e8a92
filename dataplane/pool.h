/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_POOL_H
#define BG_POOL_H

/*
 * Packet buffer pools: one per NUMA socket that has workers, so that a worker
 * allocates (through its RX queues) and frees only memory local to it, and a
 * TX queue only ever sees mbufs of one pool (which makes MBUF_FAST_FREE safe).
 *
 * Control path only; not safe to call concurrently.
 */

#include <stdint.h>

#include <rte_mempool.h>

#define BG_POOL_CACHE 256          /* per-lcore mempool cache, in mbufs */

/* What one socket's pool must hold. */
struct bg_pool_demand {
	uint32_t descriptors;      /* RX + TX descriptors of queues served there */
	uint32_t lcores;           /* lcores on the socket that touch the pool */
	uint32_t in_flight;        /* packets workers hold (bursts, TX buffers) */
};

/*
 * The pool size for a demand: descriptors + per-lcore caches + packets in
 * flight, plus an eighth for slack, rounded up to 2^k - 1 (the best size for
 * the ring under the mempool).
 */
uint32_t bg_pool_size(const struct bg_pool_demand *d);

/*
 * Create the mbuf pool for a socket, named "bg_pool_s<socket>", with data
 * room for a standard 2 KiB buffer plus headroom.
 * Returns the pool, or NULL with rte_errno set (ENOMEM when hugepage memory is
 * short, EEXIST when it already exists).
 */
struct rte_mempool *bg_pool_create(int socket, uint32_t nb_mbufs);

#endif /* BG_POOL_H */
