/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>

#include "dataplane/log.h"
#include "dataplane/port.h"

/* What we ask RSS to hash on; reduced to what the device supports. */
#define BG_RSS_HF (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP)

static void
port_conf_fill(struct rte_eth_conf *conf, const struct rte_eth_dev_info *info,
	       const struct bg_port *p)
{
	memset(conf, 0, sizeof(*conf));
	if (p->nb_rxq > 1) {
		uint64_t hf = BG_RSS_HF & info->flow_type_rss_offloads;

		if (hf != 0) {
			conf->rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
			conf->rx_adv_conf.rss_conf.rss_hf = hf;
		} else {
			BG_LOG(WARNING, "port %u (%s): no RSS support; %u RX queues will not share the traffic",
			       p->id, p->name, p->nb_rxq);
		}
	}
	/* Every mbuf a TX queue sees comes from its worker's pool, with
	 * refcount 1: the condition for fast free. */
	if (info->tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf->txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;
}

int
bg_port_setup(struct bg_port *p, uint16_t port_id, uint16_t nb_rxq, uint16_t nb_txq,
	      uint16_t rxd, uint16_t txd, struct rte_mempool *const pools[],
	      const int tx_socket[])
{
	struct rte_eth_dev_info info;
	struct rte_eth_conf conf;
	int ret;

	memset(p, 0, sizeof(*p));
	p->id = port_id;
	p->socket = SOCKET_ID_ANY;
	if (!rte_eth_dev_is_valid_port(port_id)) {
		BG_LOG(ERR, "port %u does not exist", port_id);
		return -ENODEV;
	}
	p->socket = rte_eth_dev_socket_id(port_id);
	rte_eth_dev_get_name_by_port(port_id, p->name);
	ret = rte_eth_dev_info_get(port_id, &info);
	if (ret != 0) {
		BG_LOG(ERR, "port %u: cannot read device info: %s", port_id, rte_strerror(-ret));
		return ret;
	}
	snprintf(p->driver, sizeof(p->driver), "%s", info.driver_name);
	p->nb_rxq = nb_rxq;
	p->nb_txq = nb_txq;
	if (nb_rxq > info.max_rx_queues || nb_txq > info.max_tx_queues) {
		BG_LOG(ERR, "port %u (%s): needs %u RX and %u TX queues (one per lcore that polls or sends), the device has at most %u RX and %u TX; use fewer lcores",
		       port_id, p->name, nb_rxq, nb_txq, info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}
	port_conf_fill(&conf, &info, p);
	ret = rte_eth_dev_configure(port_id, nb_rxq, nb_txq, &conf);
	if (ret != 0) {
		BG_LOG(ERR, "port %u (%s): configure with %u RX and %u TX queues failed: %s",
		       port_id, p->name, nb_rxq, nb_txq, rte_strerror(-ret));
		return ret;
	}
	p->configured = true;
	p->rxd = rxd;
	p->txd = txd;
	ret = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &p->rxd, &p->txd);
	if (ret != 0) {
		BG_LOG(ERR, "port %u (%s): %u RX / %u TX descriptors not accepted: %s",
		       port_id, p->name, rxd, txd, rte_strerror(-ret));
		return ret;
	}
	if (p->rxd != rxd || p->txd != txd)
		BG_LOG(NOTICE, "port %u (%s): descriptors adjusted to %u RX, %u TX",
		       port_id, p->name, p->rxd, p->txd);
	ret = rte_eth_macaddr_get(port_id, &p->mac);
	if (ret != 0)
		return ret;

	/* Queues live with the lcore that polls or fills them. */
	for (uint16_t q = 0; q < nb_rxq; q++) {
		struct rte_eth_rxconf rxconf = info.default_rxconf;

		rxconf.offloads = conf.rxmode.offloads;
		ret = rte_eth_rx_queue_setup(port_id, q, p->rxd, pools[q]->socket_id,
					     &rxconf, pools[q]);
		if (ret != 0) {
			BG_LOG(ERR, "port %u (%s): RX queue %u setup failed: %s",
			       port_id, p->name, q, rte_strerror(-ret));
			return ret;
		}
	}
	for (uint16_t q = 0; q < nb_txq; q++) {
		struct rte_eth_txconf txconf = info.default_txconf;

		txconf.offloads = conf.txmode.offloads;
		ret = rte_eth_tx_queue_setup(port_id, q, p->txd, tx_socket[q], &txconf);
		if (ret != 0) {
			BG_LOG(ERR, "port %u (%s): TX queue %u setup failed: %s",
			       port_id, p->name, q, rte_strerror(-ret));
			return ret;
		}
	}
	return 0;
}

int
bg_port_start(struct bg_port *p)
{
	int ret = rte_eth_dev_start(p->id);

	if (ret != 0) {
		BG_LOG(ERR, "port %u (%s): start failed: %s", p->id, p->name, rte_strerror(-ret));
		return ret;
	}
	p->started = true;
	rte_eth_stats_reset(p->id);    /* best effort: the NIC counters are informational */
	ret = rte_eth_promiscuous_enable(p->id);
	if (ret != 0 && ret != -ENOTSUP)
		BG_LOG(WARNING, "port %u (%s): cannot enable promiscuous mode: %s",
		       p->id, p->name, rte_strerror(-ret));
	return 0;
}

unsigned
bg_port_wait_link(struct bg_port *const ports[], unsigned n, double timeout_s,
		  bool (*cancel)(void))
{
	const uint64_t hz = rte_get_timer_hz();
	const uint64_t deadline = rte_get_timer_cycles() + (uint64_t)(timeout_s * hz);
	unsigned up;

	for (;;) {
		up = 0;
		for (unsigned i = 0; i < n; i++) {
			struct rte_eth_link link;

			memset(&link, 0, sizeof(link));
			if (rte_eth_link_get_nowait(ports[i]->id, &link) == 0 &&
			    link.link_status == RTE_ETH_LINK_UP) {
				ports[i]->link_up = true;
				ports[i]->link_speed_mbps = link.link_speed;
				up++;
			}
		}
		if (up == n || rte_get_timer_cycles() >= deadline ||
		    (cancel != NULL && cancel()))
			break;
		usleep(50 * 1000);
	}
	for (unsigned i = 0; i < n; i++)
		if (!ports[i]->link_up)
			BG_LOG(WARNING, "port %u (%s): link still down after %.1f s; polling it anyway",
			       ports[i]->id, ports[i]->name, timeout_s);
	return up;
}

void
bg_port_close(struct bg_port *p)
{
	if (p->started) {
		int ret;

		rte_eth_stats_get(p->id, &p->stats);
		ret = rte_eth_dev_stop(p->id);

		if (ret != 0)
			BG_LOG(WARNING, "port %u (%s): stop failed: %s",
			       p->id, p->name, rte_strerror(-ret));
		p->started = false;
	}
	if (p->configured) {
		rte_eth_dev_close(p->id);
		p->configured = false;
	}
}
