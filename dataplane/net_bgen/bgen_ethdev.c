/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_bgen: the vdev driver and its ethdev control operations. The burst
 * functions are in bgen_rx.c and bgen_tx.c, the counters in bgen_stats.c.
 */
#ifndef ALLOW_INTERNAL_API
#define ALLOW_INTERNAL_API          /* the driver SDK: a PMD may call it */
#endif

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf_dyn.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>

#include "bgen.h"
#include "rte_pmd_bgen.h"

RTE_LOG_REGISTER(bgen_logtype, pmd.net.bgen, NOTICE);

static const struct eth_dev_ops bgen_ops;

static uint64_t
bgen_tsc(void *arg __rte_unused)
{
	return rte_get_tsc_cycles();
}

struct bgen_port *
bgen_port_of(uint16_t port_id, struct rte_eth_dev **dev)
{
	struct rte_eth_dev *d;

	if (!rte_eth_dev_is_valid_port(port_id))
		return NULL;
	d = &rte_eth_devices[port_id];
	if (d->dev_ops != &bgen_ops || d->data->dev_private == NULL)
		return NULL;
	if (dev != NULL)
		*dev = d;
	return d->data->dev_private;
}

static int
bgen_dev_configure(struct rte_eth_dev *dev)
{
	struct bgen_port *p = dev->data->dev_private;
	const struct rte_eth_rss_conf *rss = &dev->data->dev_conf.rx_adv_conf.rss_conf;
	const uint16_t nq = dev->data->nb_rx_queues;

	if (p->conf.nb_share != 0 && p->conf.nb_share != nq) {
		BGEN_LOG(ERR, "%s: share= names %u RX queues, the port is configured with %u",
			 p->name, p->conf.nb_share, nq);
		return -EINVAL;
	}
	if (rss->rss_key != NULL) {
		if (rss->rss_key_len != BGEN_RSS_KEY_LEN) {
			BGEN_LOG(ERR, "%s: RSS key of %u bytes, need %u", p->name, rss->rss_key_len,
				 BGEN_RSS_KEY_LEN);
			return -EINVAL;
		}
		memcpy(p->rss_key, rss->rss_key, BGEN_RSS_KEY_LEN);
	}
	/* A new queue count brings the default RETA back, as on NICs. */
	for (unsigned i = 0; i < BGEN_RETA_SIZE && nq != 0; i++)
		p->reta[i] = (uint16_t)(i % nq);
	return 0;
}

static int
bgen_dev_start(struct rte_eth_dev *dev)
{
	struct bgen_port *p = dev->data->dev_private;
	uint64_t t0;
	int ret;

	if (p->conf.nb_share != 0 && p->conf.nb_share != dev->data->nb_rx_queues) {
		BGEN_LOG(ERR, "%s: share= names %u RX queues, the port has %u", p->name,
			 p->conf.nb_share, dev->data->nb_rx_queues);
		return -EINVAL;
	}
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++)
		if (dev->data->rx_queues[q] == NULL) {
			BGEN_LOG(ERR, "%s: RX queue %u is not set up", p->name, q);
			return -EINVAL;
		}
	for (uint16_t q = 0; q < dev->data->nb_tx_queues; q++)
		if (dev->data->tx_queues[q] == NULL) {
			BGEN_LOG(ERR, "%s: TX queue %u is not set up", p->name, q);
			return -EINVAL;
		}
	if (dev->data->nb_rx_queues != 0) {
		ret = bgen_flows_build(dev);
		if (ret != 0) {
			BGEN_LOG(ERR, "%s: no memory for %u flows", p->name, p->conf.flows);
			return ret;
		}
	}

	t0 = p->now(p->now_arg);
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++) {
		struct bgen_rxq *rxq = dev->data->rx_queues[q];

		rxq->now = p->now;
		rxq->now_arg = p->now_arg;
		bgen_rxq_apply_reset_if_pending(rxq);
		bgen_rxq_restart(rxq, &p->conf, p->hz, t0);
		dev->data->rx_queue_state[q] = RTE_ETH_QUEUE_STATE_STARTED;
	}
	for (uint16_t q = 0; q < dev->data->nb_tx_queues; q++) {
		struct bgen_txq *txq = dev->data->tx_queues[q];

		txq->now = p->now;
		txq->now_arg = p->now_arg;
		bgen_txq_apply_reset_if_pending(txq);
		dev->data->tx_queue_state[q] = RTE_ETH_QUEUE_STATE_STARTED;
	}
	bgen_rx_select(dev);
	dev->tx_pkt_burst = bgen_tx_burst;
	dev->data->dev_link.link_status = RTE_ETH_LINK_UP;
	return 0;
}

static int
bgen_dev_stop(struct rte_eth_dev *dev)
{
	dev->data->dev_link.link_status = RTE_ETH_LINK_DOWN;
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++)
		dev->data->rx_queue_state[q] = RTE_ETH_QUEUE_STATE_STOPPED;
	for (uint16_t q = 0; q < dev->data->nb_tx_queues; q++)
		dev->data->tx_queue_state[q] = RTE_ETH_QUEUE_STATE_STOPPED;
	return 0;
}

static int
bgen_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
		    unsigned int socket_id, const struct rte_eth_rxconf *rx_conf __rte_unused,
		    struct rte_mempool *mp)
{
	struct bgen_port *p = dev->data->dev_private;
	unsigned room = rte_pktmbuf_data_room_size(mp);
	unsigned need = RTE_MAX((unsigned)p->conf.max_size, (unsigned)BGEN_TMPL_LEN);
	struct bgen_rxq *q;

	if (room < RTE_PKTMBUF_HEADROOM + need) {
		BGEN_LOG(ERR, "%s: RX queue %u: mbufs of pool %s hold %u bytes, frames need %u",
			 p->name, qid, mp->name,
			 room > RTE_PKTMBUF_HEADROOM ? room - RTE_PKTMBUF_HEADROOM : 0, need);
		return -EINVAL;
	}
	q = rte_zmalloc_socket("bgen_rxq", sizeof(*q), RTE_CACHE_LINE_SIZE, (int)socket_id);
	if (q == NULL)
		return -ENOMEM;
	q->ring_mask = rte_align32pow2(nb_desc) - 1;
	q->ring = rte_zmalloc_socket("bgen_rx_ring", (q->ring_mask + 1) * sizeof(uint64_t),
				     RTE_CACHE_LINE_SIZE, (int)socket_id);
	if (q->ring == NULL) {
		rte_free(q);
		return -ENOMEM;
	}
	q->nb_desc = nb_desc;
	q->mp = mp;
	q->port_id = dev->data->port_id;
	q->queue_id = qid;
	q->ts_off = p->ts_off;
	q->ol_flags = p->ts_flag | RTE_MBUF_F_RX_RSS_HASH | RTE_MBUF_F_RX_IP_CKSUM_GOOD |
		      RTE_MBUF_F_RX_L4_CKSUM_GOOD;
	q->packet_type = RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_UDP;
	q->now = p->now;
	q->now_arg = p->now_arg;
	bgen_sizes_init(&p->conf, q);
	dev->data->rx_queues[qid] = q;
	return 0;
}

static void
bgen_rx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	struct bgen_rxq *q = dev->data->rx_queues[qid];

	if (q == NULL)
		return;
	bgen_flows_free(q);
	rte_free(q->ring);
	rte_free(q);
	dev->data->rx_queues[qid] = NULL;
}

static int
bgen_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc __rte_unused,
		    unsigned int socket_id, const struct rte_eth_txconf *tx_conf __rte_unused)
{
	struct bgen_port *p = dev->data->dev_private;
	struct bgen_txq *q;

	q = rte_zmalloc_socket("bgen_txq", sizeof(*q), RTE_CACHE_LINE_SIZE, (int)socket_id);
	if (q == NULL)
		return -ENOMEM;
	q->queue_id = qid;
	q->ts_off = p->ts_off;
	q->ts_flag = p->ts_flag;
	q->now = p->now;
	q->now_arg = p->now_arg;
	bg_hist_reset(&q->lat);
	dev->data->tx_queues[qid] = q;
	return 0;
}

static void
bgen_tx_queue_release(struct rte_eth_dev *dev, uint16_t qid)
{
	rte_free(dev->data->tx_queues[qid]);
	dev->data->tx_queues[qid] = NULL;
}

static int
bgen_dev_close(struct rte_eth_dev *dev)
{
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	for (uint16_t q = 0; q < dev->data->nb_rx_queues; q++)
		bgen_rx_queue_release(dev, q);
	for (uint16_t q = 0; q < dev->data->nb_tx_queues; q++)
		bgen_tx_queue_release(dev, q);
	/* Part of dev_private: not for rte_eth_dev_release_port() to free. */
	dev->data->mac_addrs = NULL;
	return 0;
}

static int
bgen_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info)
{
	const struct bgen_port *p = dev->data->dev_private;

	info->max_mac_addrs = 1;
	info->max_rx_pktlen = BGEN_MAX_FRAME;
	info->min_mtu = RTE_ETHER_MIN_MTU;
	info->max_mtu = BGEN_MAX_FRAME - RTE_ETHER_HDR_LEN - RTE_ETHER_CRC_LEN;
	info->max_rx_queues = BGEN_MAX_QUEUES;
	info->max_tx_queues = BGEN_MAX_QUEUES;
	info->min_rx_bufsize = RTE_MAX((unsigned)p->conf.max_size, (unsigned)BGEN_TMPL_LEN);
	info->rx_desc_lim = (struct rte_eth_desc_lim){
		.nb_max = BGEN_MAX_DESC, .nb_min = BGEN_MIN_DESC, .nb_align = 1 };
	info->tx_desc_lim = info->rx_desc_lim;
	info->default_rxportconf.ring_size = BGEN_DEFAULT_DESC;
	info->default_txportconf.ring_size = BGEN_DEFAULT_DESC;
	info->rx_offload_capa = RTE_ETH_RX_OFFLOAD_TIMESTAMP | RTE_ETH_RX_OFFLOAD_RSS_HASH |
				RTE_ETH_RX_OFFLOAD_IPV4_CKSUM | RTE_ETH_RX_OFFLOAD_UDP_CKSUM;
	info->tx_offload_capa = RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	info->flow_type_rss_offloads = RTE_ETH_RSS_IPV4 | RTE_ETH_RSS_NONFRAG_IPV4_UDP;
	info->hash_key_size = BGEN_RSS_KEY_LEN;
	info->reta_size = BGEN_RETA_SIZE;
	info->speed_capa = RTE_ETH_LINK_SPEED_100G;
	return 0;
}

static const uint32_t *
bgen_ptypes_get(struct rte_eth_dev *dev __rte_unused)
{
	static const uint32_t ptypes[] = {
		RTE_PTYPE_L2_ETHER, RTE_PTYPE_L3_IPV4, RTE_PTYPE_L4_UDP, RTE_PTYPE_UNKNOWN,
	};

	return ptypes;
}

static int
bgen_link_update(struct rte_eth_dev *dev __rte_unused, int wait __rte_unused)
{
	return 0;
}

/* Promiscuous, all-multicast, MTU: nothing to filter, accept. */
static int
bgen_ok(struct rte_eth_dev *dev __rte_unused)
{
	return 0;
}

static int
bgen_mtu_set(struct rte_eth_dev *dev __rte_unused, uint16_t mtu __rte_unused)
{
	return 0;
}

/* The new MAC is in data->mac_addrs already; frames use it from the next
 * start unless dst_mac= was given. */
static int
bgen_mac_addr_set(struct rte_eth_dev *dev __rte_unused, struct rte_ether_addr *addr __rte_unused)
{
	return 0;
}

static int
bgen_rss_hash_update(struct rte_eth_dev *dev, struct rte_eth_rss_conf *conf)
{
	struct bgen_port *p = dev->data->dev_private;

	if (conf->rss_key != NULL) {
		if (conf->rss_key_len != BGEN_RSS_KEY_LEN)
			return -EINVAL;
		memcpy(p->rss_key, conf->rss_key, BGEN_RSS_KEY_LEN);
	}
	return 0;
}

static int
bgen_rss_hash_conf_get(struct rte_eth_dev *dev, struct rte_eth_rss_conf *conf)
{
	const struct bgen_port *p = dev->data->dev_private;

	conf->rss_hf = dev->data->dev_conf.rx_adv_conf.rss_conf.rss_hf;
	if (conf->rss_key != NULL) {
		if (conf->rss_key_len < BGEN_RSS_KEY_LEN)
			return -EINVAL;
		memcpy(conf->rss_key, p->rss_key, BGEN_RSS_KEY_LEN);
		conf->rss_key_len = BGEN_RSS_KEY_LEN;
	}
	return 0;
}

static int
bgen_reta_update(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *reta, uint16_t size)
{
	struct bgen_port *p = dev->data->dev_private;

	if (size != BGEN_RETA_SIZE)
		return -EINVAL;
	for (unsigned i = 0; i < size; i++) {
		const struct rte_eth_rss_reta_entry64 *g = &reta[i / RTE_ETH_RETA_GROUP_SIZE];
		unsigned bit = i % RTE_ETH_RETA_GROUP_SIZE;

		if ((g->mask >> bit & 1) && g->reta[bit] >= dev->data->nb_rx_queues)
			return -EINVAL;
	}
	for (unsigned i = 0; i < size; i++) {
		const struct rte_eth_rss_reta_entry64 *g = &reta[i / RTE_ETH_RETA_GROUP_SIZE];
		unsigned bit = i % RTE_ETH_RETA_GROUP_SIZE;

		if (g->mask >> bit & 1)
			p->reta[i] = g->reta[bit];
	}
	return 0;
}

static int
bgen_reta_query(struct rte_eth_dev *dev, struct rte_eth_rss_reta_entry64 *reta, uint16_t size)
{
	const struct bgen_port *p = dev->data->dev_private;

	if (size != BGEN_RETA_SIZE)
		return -EINVAL;
	for (unsigned i = 0; i < size; i++) {
		struct rte_eth_rss_reta_entry64 *g = &reta[i / RTE_ETH_RETA_GROUP_SIZE];
		unsigned bit = i % RTE_ETH_RETA_GROUP_SIZE;

		if (g->mask >> bit & 1)
			g->reta[bit] = p->reta[i];
	}
	return 0;
}

static const struct eth_dev_ops bgen_ops = {
	.dev_configure = bgen_dev_configure,
	.dev_start = bgen_dev_start,
	.dev_stop = bgen_dev_stop,
	.dev_close = bgen_dev_close,
	.dev_infos_get = bgen_dev_infos_get,
	.dev_supported_ptypes_get = bgen_ptypes_get,
	.rx_queue_setup = bgen_rx_queue_setup,
	.rx_queue_release = bgen_rx_queue_release,
	.tx_queue_setup = bgen_tx_queue_setup,
	.tx_queue_release = bgen_tx_queue_release,
	.link_update = bgen_link_update,
	.promiscuous_enable = bgen_ok,
	.promiscuous_disable = bgen_ok,
	.allmulticast_enable = bgen_ok,
	.allmulticast_disable = bgen_ok,
	.mtu_set = bgen_mtu_set,
	.mac_addr_set = bgen_mac_addr_set,
	.stats_get = bgen_stats_get,
	.stats_reset = bgen_stats_reset,
	.xstats_get = bgen_xstats_get,
	.xstats_get_names = bgen_xstats_get_names,
	.rss_hash_update = bgen_rss_hash_update,
	.rss_hash_conf_get = bgen_rss_hash_conf_get,
	.reta_update = bgen_reta_update,
	.reta_query = bgen_reta_query,
};

/* The Toeplitz key NICs ship with (Intel's default). */
static const uint8_t bgen_default_rss_key[BGEN_RSS_KEY_LEN] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static int
bgen_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	struct rte_eth_dev *dev;
	struct bgen_conf conf;
	struct bgen_port *p;
	uint64_t ts_flag;
	int ts_off, ret;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		/*
		 * A secondary process (dpdk-dumpcap, dpdk-proc-info) attaches to
		 * the primary's port to read its counters or capture it; the
		 * primary alone polls the queues, so no burst functions here.
		 */
		dev = rte_eth_dev_attach_secondary(name);
		if (dev == NULL) {
			BGEN_LOG(ERR, "%s: no such port in the primary process", name);
			return -ENODEV;
		}
		dev->dev_ops = &bgen_ops;
		dev->device = &vdev->device;
		rte_eth_dev_probing_finish(dev);
		return 0;
	}
	ret = bgen_args_parse(name, rte_vdev_device_args(vdev), &conf);
	if (ret != 0)
		return ret;
	if (rte_mbuf_dyn_rx_timestamp_register(&ts_off, &ts_flag) != 0) {
		BGEN_LOG(ERR, "%s: cannot register the mbuf RX timestamp field: %s", name,
			 rte_strerror(rte_errno));
		return -rte_errno;
	}
	if (vdev->device.numa_node == SOCKET_ID_ANY)
		vdev->device.numa_node = (int)rte_socket_id();
	dev = rte_eth_vdev_allocate(vdev, sizeof(*p));
	if (dev == NULL) {
		BGEN_LOG(ERR, "%s: cannot allocate the port", name);
		return -ENOMEM;
	}
	p = dev->data->dev_private;
	p->conf = conf;
	p->port_id = dev->data->port_id;
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->now = bgen_tsc;
	p->now_arg = NULL;
	p->hz = rte_get_tsc_hz();
	p->ts_off = ts_off;
	p->ts_flag = ts_flag;
	memcpy(p->rss_key, bgen_default_rss_key, sizeof(p->rss_key));
	for (unsigned i = 0; i < BGEN_RETA_SIZE; i++)
		p->reta[i] = 0;
	if (conf.mac_set)
		p->mac = conf.mac;
	else
		p->mac = (struct rte_ether_addr){ { 0x02, 0x62, 0x67, 0x00,
						    (uint8_t)(p->port_id >> 8), (uint8_t)p->port_id } };

	dev->data->mac_addrs = &p->mac;
	dev->data->dev_link = (struct rte_eth_link){
		.link_speed = RTE_ETH_SPEED_NUM_100G,
		.link_duplex = RTE_ETH_LINK_FULL_DUPLEX,
		.link_status = RTE_ETH_LINK_DOWN,
		.link_autoneg = RTE_ETH_LINK_FIXED,
	};
	dev->data->promiscuous = 1;
	dev->data->all_multicast = 1;
	dev->data->dev_flags |= RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS;
	dev->dev_ops = &bgen_ops;
	dev->rx_pkt_burst = NULL;
	dev->tx_pkt_burst = NULL;
	rte_eth_dev_probing_finish(dev);
	BGEN_LOG(INFO, "%s: port %u, %u size(s) up to %u bytes, %u flow(s), rate %" PRIu64
		 " pps (%s), count %" PRIu64, name, p->port_id, conf.nb_size, conf.max_size,
		 conf.flows, conf.rate, conf.poisson ? "poisson" : "const", conf.count);
	return 0;
}

static int
bgen_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));

	if (dev == NULL)
		return 0;           /* closed already */
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return rte_eth_dev_release_port(dev);   /* the port stays the primary's */
	if (dev->data->dev_started)
		rte_eth_dev_stop(dev->data->port_id);
	bgen_dev_close(dev);
	return rte_eth_dev_release_port(dev);
}

static struct rte_vdev_driver bgen_vdev_drv = {
	.probe = bgen_probe,
	.remove = bgen_remove,
};

RTE_PMD_REGISTER_VDEV(net_bgen, bgen_vdev_drv);
RTE_PMD_REGISTER_PARAM_STRING(net_bgen, BGEN_PARAM_STRING);

int
rte_pmd_bgen_set_clock(uint16_t port_id, rte_pmd_bgen_clock_t now, void *arg, uint64_t hz)
{
	struct rte_eth_dev *dev;
	struct bgen_port *p = bgen_port_of(port_id, &dev);

	if (p == NULL)
		return -ENODEV;
	if (dev->data->dev_started)
		return -EBUSY;
	if (now == NULL) {
		p->now = bgen_tsc;
		p->now_arg = NULL;
		p->hz = rte_get_tsc_hz();
		return 0;
	}
	if (hz == 0 || hz > RTE_PMD_BGEN_MAX_HZ)
		return -EINVAL;
	p->now = now;
	p->now_arg = arg;
	p->hz = hz;
	return 0;
}

int
rte_pmd_bgen_clock_hz(uint16_t port_id, uint64_t *hz)
{
	const struct bgen_port *p = bgen_port_of(port_id, NULL);

	if (p == NULL)
		return -ENODEV;
	if (hz == NULL)
		return -EINVAL;
	*hz = p->hz;
	return 0;
}
