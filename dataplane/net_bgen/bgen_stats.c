/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_bgen counters: ethdev stats and xstats, the latency histograms and
 * the RX queues' state, read by the control thread from the queues' own
 * counters (one writer each, plain loads: approximate while polled).
 *
 * A reset bumps each queue's reset_gen; the queue's writer zeroes its
 * counters at its next burst, and until then readers see zero. While the
 * port is stopped nobody writes, and the reset zeroes them itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ethdev.h>

#include <ethdev_driver.h>

#include "bgen.h"
#include "rte_pmd_bgen.h"

static void
rxq_counters(const struct bgen_rxq *q, struct bgen_rx_counters *c)
{
	if (bgen_reset_pending(&q->reset_gen, &q->reset_seen))
		memset(c, 0, sizeof(*c));
	else
		*c = q->c;
}

static bool
txq_readable(const struct bgen_txq *q)
{
	return !bgen_reset_pending(&q->reset_gen, &q->reset_seen);
}

int
bgen_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *stats)
{
	uint64_t nombuf = 0;

	for (uint16_t i = 0; i < dev->data->nb_rx_queues; i++) {
		const struct bgen_rxq *q = dev->data->rx_queues[i];
		struct bgen_rx_counters c;

		if (q == NULL)
			continue;
		rxq_counters(q, &c);
		stats->ipackets += c.packets;
		stats->ibytes += c.bytes;
		stats->imissed += c.missed;
		nombuf += c.nombuf;
		if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			stats->q_ipackets[i] = c.packets;
			stats->q_ibytes[i] = c.bytes;
		}
	}
	stats->rx_nombuf = nombuf;
	for (uint16_t i = 0; i < dev->data->nb_tx_queues; i++) {
		const struct bgen_txq *q = dev->data->tx_queues[i];
		struct bgen_tx_counters c;

		if (q == NULL || !txq_readable(q))
			continue;
		c = q->c;
		stats->opackets += c.packets;
		stats->obytes += c.bytes;
		if (i < RTE_ETHDEV_QUEUE_STAT_CNTRS) {
			stats->q_opackets[i] = c.packets;
			stats->q_obytes[i] = c.bytes;
		}
	}
	return 0;
}

int
bgen_stats_reset(struct rte_eth_dev *dev)
{
	const bool idle = dev->data->dev_started == 0;

	/* Release: a writer that sees the new generation zeroes after it. */
	for (uint16_t i = 0; i < dev->data->nb_rx_queues; i++) {
		struct bgen_rxq *q = dev->data->rx_queues[i];

		if (q == NULL)
			continue;
		__atomic_store_n(&q->reset_gen, q->reset_gen + 1, __ATOMIC_RELEASE);
		if (idle)
			bgen_rxq_apply_reset(q);
	}
	for (uint16_t i = 0; i < dev->data->nb_tx_queues; i++) {
		struct bgen_txq *q = dev->data->tx_queues[i];

		if (q == NULL)
			continue;
		__atomic_store_n(&q->reset_gen, q->reset_gen + 1, __ATOMIC_RELEASE);
		if (idle)
			bgen_txq_apply_reset(q);
	}
	return 0;
}

/* The latency histogram of TX queue qid (or all, merged) into h, and the
 * no-stamp count. -EINVAL for a queue that is not set up. */
static int
lat_collect(struct rte_eth_dev *dev, uint16_t qid, struct bg_hist *h, uint64_t *nostamp)
{
	uint16_t first = qid, last = qid;

	bg_hist_reset(h);
	*nostamp = 0;
	if (qid == RTE_PMD_BGEN_ALL_QUEUES) {
		first = 0;
		last = dev->data->nb_tx_queues;
		if (last == 0)
			return 0;
		last--;
	} else if (qid >= dev->data->nb_tx_queues || dev->data->tx_queues[qid] == NULL) {
		return -EINVAL;
	}
	for (uint16_t i = first; i <= last; i++) {
		const struct bgen_txq *q = dev->data->tx_queues[i];

		if (q == NULL || !txq_readable(q))
			continue;
		bg_hist_merge(h, &q->lat);
		*nostamp += q->c.nostamp;
	}
	return 0;
}

static uint64_t
to_ns(uint64_t cycles, uint64_t hz)
{
	return (uint64_t)((double)cycles * 1e9 / (double)hz + 0.5);
}

static void
lat_summary(const struct bg_hist *h, uint64_t nostamp, uint64_t hz,
	    struct rte_pmd_bgen_latency *lat)
{
	memset(lat, 0, sizeof(*lat));
	lat->no_stamp = nostamp;
	lat->samples = h->count;
	if (h->count == 0)
		return;
	lat->min_ns = to_ns(h->min, hz);
	lat->mean_ns = (uint64_t)(bg_hist_mean(h) * 1e9 / (double)hz + 0.5);
	lat->p50_ns = to_ns(bg_hist_quantile(h, 0.5), hz);
	lat->p90_ns = to_ns(bg_hist_quantile(h, 0.9), hz);
	lat->p99_ns = to_ns(bg_hist_quantile(h, 0.99), hz);
	lat->p999_ns = to_ns(bg_hist_quantile(h, 0.999), hz);
	lat->max_ns = to_ns(h->max, hz);
}

/* The driver's xstats, after ethdev's own. */
static const char *const bgen_xstat_names[] = {
	"rx_offered_packets",
	"tx_latency_samples",
	"tx_no_stamp_packets",
	"tx_latency_min_ns",
	"tx_latency_mean_ns",
	"tx_latency_p50_ns",
	"tx_latency_p90_ns",
	"tx_latency_p99_ns",
	"tx_latency_p99_9_ns",
	"tx_latency_max_ns",
};
#define BGEN_NB_XSTATS RTE_DIM(bgen_xstat_names)

int
bgen_xstats_get_names(struct rte_eth_dev *dev __rte_unused, struct rte_eth_xstat_name *names,
		      unsigned int size)
{
	if (names == NULL || size < BGEN_NB_XSTATS)
		return BGEN_NB_XSTATS;
	for (unsigned i = 0; i < BGEN_NB_XSTATS; i++)
		snprintf(names[i].name, sizeof(names[i].name), "%s", bgen_xstat_names[i]);
	return BGEN_NB_XSTATS;
}

int
bgen_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xstats, unsigned int n)
{
	const struct bgen_port *p = dev->data->dev_private;
	struct rte_pmd_bgen_latency lat;
	uint64_t offered = 0, nostamp, v[BGEN_NB_XSTATS];
	struct bg_hist *h;

	if (xstats == NULL || n < BGEN_NB_XSTATS)
		return BGEN_NB_XSTATS;
	h = malloc(sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	for (uint16_t i = 0; i < dev->data->nb_rx_queues; i++) {
		const struct bgen_rxq *q = dev->data->rx_queues[i];
		struct bgen_rx_counters c;

		if (q == NULL)
			continue;
		rxq_counters(q, &c);
		offered += c.offered;
	}
	lat_collect(dev, RTE_PMD_BGEN_ALL_QUEUES, h, &nostamp);
	lat_summary(h, nostamp, p->hz, &lat);
	free(h);
	v[0] = offered;
	v[1] = lat.samples;
	v[2] = lat.no_stamp;
	v[3] = lat.min_ns;
	v[4] = lat.mean_ns;
	v[5] = lat.p50_ns;
	v[6] = lat.p90_ns;
	v[7] = lat.p99_ns;
	v[8] = lat.p999_ns;
	v[9] = lat.max_ns;
	for (unsigned i = 0; i < BGEN_NB_XSTATS; i++) {
		xstats[i].id = i;
		xstats[i].value = v[i];
	}
	return BGEN_NB_XSTATS;
}

int
rte_pmd_bgen_latency_hist_get(uint16_t port_id, uint16_t tx_queue, struct bg_hist *hist)
{
	struct rte_eth_dev *dev;
	uint64_t nostamp;

	if (bgen_port_of(port_id, &dev) == NULL)
		return -ENODEV;
	if (hist == NULL)
		return -EINVAL;
	return lat_collect(dev, tx_queue, hist, &nostamp);
}

int
rte_pmd_bgen_latency_get(uint16_t port_id, uint16_t tx_queue, struct rte_pmd_bgen_latency *lat)
{
	struct rte_eth_dev *dev;
	const struct bgen_port *p = bgen_port_of(port_id, &dev);
	uint64_t nostamp;
	struct bg_hist *h;
	int ret;

	if (p == NULL)
		return -ENODEV;
	if (lat == NULL)
		return -EINVAL;
	h = malloc(sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	ret = lat_collect(dev, tx_queue, h, &nostamp);
	if (ret == 0)
		lat_summary(h, nostamp, p->hz, lat);
	free(h);
	return ret;
}

int
rte_pmd_bgen_rxq_state_get(uint16_t port_id, uint16_t rx_queue, struct rte_pmd_bgen_rxq_state *st)
{
	struct rte_eth_dev *dev;
	const struct bgen_port *p = bgen_port_of(port_id, &dev);
	const struct bgen_rxq *q;
	struct bgen_rx_counters c;

	if (p == NULL)
		return -ENODEV;
	if (st == NULL || rx_queue >= dev->data->nb_rx_queues ||
	    dev->data->rx_queues[rx_queue] == NULL)
		return -EINVAL;
	q = dev->data->rx_queues[rx_queue];
	rxq_counters(q, &c);
	memset(st, 0, sizeof(*st));
	st->nb_flows = q->nb_flows;
	st->nb_desc = q->nb_desc;
	st->rate = q->rate;
	st->offered = c.offered;
	st->delivered = c.packets;
	st->missed = c.missed;
	st->in_ring = q->occ;
	st->left = q->left;
	if (q->rate != 0 && q->left != 0)
		st->next_arrival = q->t0 + (p->conf.poisson ? (uint64_t)q->next_d : q->next);
	return 0;
}
