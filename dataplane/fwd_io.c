/* SPDX-License-Identifier: BSD-3-Clause */
/* --fwd io: forward the burst as it came, headers untouched. */
#include "dataplane/fwd.h"

static uint16_t
fwd_io(struct rte_mbuf **pkts __rte_unused, uint16_t n,
       uint16_t tx_port __rte_unused, const struct bg_fwd_ctx *ctx __rte_unused,
       uint64_t drops[BG_DROP_MAX] __rte_unused)
{
	return n;
}

static struct bg_fwd fwd_io_def = {
	.reg = { .name = "io", .help = "forward frames unchanged" },
	.fn = fwd_io,
	.noop = true,
};
BG_FWD_REGISTER(fwd_io_def);
