/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_COUNTERS_H
#define BG_COUNTERS_H

/*
 * Packet counters.
 *
 * Every worker owns one struct bg_counters per port and bumps it with plain
 * additions; nobody else writes it. Readers (the stats printer, the summary)
 * sum over workers. While workers run such a sum is approximate (a worker may
 * be half-way through a burst); after the workers have been joined it is exact.
 *
 * Every packet a worker receives ends in exactly one of: transmitted (tx) or
 * dropped under one reason below. That is the conservation invariant
 * rx == tx + sum(drop[]) checked at exit.
 */

#include <stdint.h>

/* Drop reasons: enum name, name in reports and JSON, meaning. */
#define BG_FOREACH_DROP(_)                                                     \
	_(TX_FULL, "tx_full",                                                  \
	  "the TX queue took only part of a burst; the rest was freed")       \
	_(RUNT, "runt",                                                        \
	  "first segment shorter than an Ethernet header: cannot be rewritten") \
	_(NO_TASK, "no_task",                                                  \
	  "the task pool was empty, so the packet could not wait")           \
	_(PACE_QUEUE, "pace_queue",                                            \
	  "more packets waiting for pace tokens than --pace-queue allows")    \
	_(CHAN_FULL, "chan_full",                                              \
	  "a channel to another lcore stayed full")                          \
	_(SHUTDOWN, "shutdown",                                                \
	  "waiting (timer, event) or in a channel when brigade stopped")

enum bg_drop {
#define BG_DROP_ENUM(e, name, help) BG_DROP_##e,
	BG_FOREACH_DROP(BG_DROP_ENUM)
#undef BG_DROP_ENUM
	BG_DROP_MAX
};

/* Per port, per worker. rx: packets received on the port; tx: packets the
 * port's TX queue accepted; drop[r]: packets dropped for reason r, counted on
 * the port where the drop happened (ingress for runt, egress for tx_full). */
struct bg_counters {
	uint64_t rx;
	uint64_t tx;
	uint64_t drop[BG_DROP_MAX];
};

/* Name of a drop reason ("tx_full"), or NULL when out of range. */
const char *bg_drop_name(enum bg_drop reason);

/* One-line description of a drop reason, or NULL when out of range. */
const char *bg_drop_help(enum bg_drop reason);

/* dst += src, field by field. */
static inline void
bg_counters_add(struct bg_counters *dst, const struct bg_counters *src)
{
	dst->rx += src->rx;
	dst->tx += src->tx;
	for (int r = 0; r < BG_DROP_MAX; r++)
		dst->drop[r] += src->drop[r];
}

/* Sum of all drop reasons. */
static inline uint64_t
bg_counters_drops(const struct bg_counters *c)
{
	uint64_t sum = 0;

	for (int r = 0; r < BG_DROP_MAX; r++)
		sum += c->drop[r];
	return sum;
}

#endif /* BG_COUNTERS_H */
