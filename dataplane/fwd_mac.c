/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --fwd mac: rewrite the Ethernet addresses for the egress port, as a router's
 * last step does: destination = the next hop's MAC (--eth-dest), source = the
 * egress port's own MAC.
 */
#include <string.h>

#include <rte_prefetch.h>

#include "dataplane/fwd.h"

#define PREFETCH_AHEAD 3

static uint16_t
fwd_mac(struct rte_mbuf **pkts, uint16_t n, uint16_t tx_port,
	const struct bg_fwd_ctx *ctx, uint64_t drops[BG_DROP_MAX])
{
	const struct bg_fwd_port *hdr = &ctx->port[tx_port];
	uint16_t kept = 0;

	for (uint16_t i = 0; i < PREFETCH_AHEAD && i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD], void *));
		if (unlikely(rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN)) {
			rte_pktmbuf_free(m);
			drops[BG_DROP_RUNT]++;
			continue;
		}
		/* dst and src are adjacent, in frame order: one 12-byte copy. */
		memcpy(rte_pktmbuf_mtod(m, void *), hdr, sizeof(*hdr));
		pkts[kept++] = m;
	}
	return kept;
}

static struct bg_fwd fwd_mac_def = {
	.reg = { .name = "mac", .help = "set destination MAC to the next hop (--eth-dest), source MAC to the egress port's" },
	.fn = fwd_mac,
};
BG_FWD_REGISTER(fwd_mac_def);
