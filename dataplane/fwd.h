/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_FWD_H
#define BG_FWD_H

/*
 * Forwarding functions: what happens to a burst between RX and TX (--fwd).
 *
 * A forwarding function gets a burst received on one port and bound for one
 * egress port. It may rewrite headers, and it may drop packets: a dropped
 * packet is freed, counted in drops[reason] and removed from the array, which
 * is compacted in order. It returns how many packets remain, to be sent.
 *
 * Forwarding functions register themselves (BG_FWD_REGISTER) from their own
 * file; the scheduler calls the one chosen at start-up once per burst.
 * They run on worker lcores, concurrently with each other on different
 * bursts, and must not write shared state.
 */

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_ether.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "dataplane/counters.h"
#include "dataplane/registry.h"

/* Read-only per-egress-port data, set up before workers start. */
struct bg_fwd_port {
	/* The 12 bytes --fwd mac writes at the start of each frame:
	 * destination = next hop, source = the egress port's MAC. */
	struct rte_ether_addr dst;
	struct rte_ether_addr src;
};
static_assert(sizeof(struct bg_fwd_port) == 2 * RTE_ETHER_ADDR_LEN,
	      "bg_fwd_port must be the 12 address bytes, in frame order");

struct bg_fwd_ctx {
	struct bg_fwd_port port[RTE_MAX_ETHPORTS];
};

typedef uint16_t (*bg_fwd_fn)(struct rte_mbuf **pkts, uint16_t n,
			      uint16_t tx_port, const struct bg_fwd_ctx *ctx,
			      uint64_t drops[BG_DROP_MAX]);

struct bg_fwd {
	struct bg_reg_entry reg;       /* name, help; first member */
	bg_fwd_fn fn;
	bool noop;                     /* returns every burst untouched: the
					* chain can leave it out */
};

/* The forwarding functions, in name order. */
extern struct bg_reg_entry *bg_fwd_registry;

/* The function registered as name, or NULL. */
static inline const struct bg_fwd *
bg_fwd_find(const char *name)
{
	return (const struct bg_fwd *)bg_reg_find(bg_fwd_registry, name);
}

#define BG_FWD_REGISTER(f)                                                     \
	RTE_INIT(bg_fwd_register_##f) { bg_reg_insert(&bg_fwd_registry, &(f).reg); }

#endif /* BG_FWD_H */
