/* SPDX-License-Identifier: BSD-3-Clause */
/* --fwd macswap: swap source and destination MAC, as a reflector does. */
#include <rte_prefetch.h>

#include "dataplane/fwd.h"

#define PREFETCH_AHEAD 3

static uint16_t
fwd_macswap(struct rte_mbuf **pkts, uint16_t n, uint16_t tx_port __rte_unused,
	    const struct bg_fwd_ctx *ctx __rte_unused, uint64_t drops[BG_DROP_MAX])
{
	uint16_t kept = 0;

	for (uint16_t i = 0; i < PREFETCH_AHEAD && i < n; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct rte_ether_hdr *eth;
		struct rte_ether_addr tmp;

		if (i + PREFETCH_AHEAD < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + PREFETCH_AHEAD], void *));
		if (unlikely(rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN)) {
			rte_pktmbuf_free(m);
			drops[BG_DROP_RUNT]++;
			continue;
		}
		eth = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
		rte_ether_addr_copy(&eth->dst_addr, &tmp);
		rte_ether_addr_copy(&eth->src_addr, &eth->dst_addr);
		rte_ether_addr_copy(&tmp, &eth->src_addr);
		pkts[kept++] = m;
	}
	return kept;
}

static struct bg_fwd fwd_macswap_def = {
	.reg = { .name = "macswap", .help = "swap source and destination MAC" },
	.fn = fwd_macswap,
};
BG_FWD_REGISTER(fwd_macswap_def);
