/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_bgen TX: a counting sink. Every packet is freed; one carrying the RX
 * timestamp flag adds now - stamp (clock cycles of this port's clock) to
 * its queue's latency histogram, one without is counted as such.
 */
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "bgen.h"

void
bgen_txq_apply_reset(struct bgen_txq *q)
{
	memset(&q->c, 0, sizeof(q->c));
	bg_hist_reset(&q->lat);
	/* Pairs with the acquire load in bgen_reset_pending(). */
	__atomic_store_n(&q->reset_seen, __atomic_load_n(&q->reset_gen, __ATOMIC_RELAXED),
			 __ATOMIC_RELEASE);
}

uint16_t
bgen_tx_burst(void *qp, struct rte_mbuf **pkts, uint16_t nb)
{
	struct bgen_txq *q = qp;
	const uint64_t flag = q->ts_flag;
	const int off = q->ts_off;
	uint64_t now, bytes = 0, nostamp = 0;

	if (unlikely(__atomic_load_n(&q->reset_gen, __ATOMIC_RELAXED) != q->reset_seen))
		bgen_txq_apply_reset(q);
	if (unlikely(nb == 0))
		return 0;
	now = q->now(q->now_arg);
	for (uint16_t i = 0; i < nb; i++) {
		const struct rte_mbuf *m = pkts[i];

		bytes += m->pkt_len;
		if (m->ol_flags & flag) {
			uint64_t stamp = *RTE_MBUF_DYNFIELD(m, off, const uint64_t *);

			/* A stamp from the future (another clock) counts as 0. */
			bg_hist_record(&q->lat, now > stamp ? now - stamp : 0);
		} else {
			nostamp++;
		}
	}
	rte_pktmbuf_free_bulk(pkts, nb);
	q->c.packets += nb;
	q->c.bytes += bytes;
	q->c.nostamp += nostamp;
	return nb;
}
