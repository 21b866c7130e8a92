/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_PORT_H
#define BG_PORT_H

/*
 * Port bring-up: any ethdev, physical or virtual.
 *
 * A port gets the RX and TX queues the execution model asks for (pinned: one
 * of each per worker). With more than one RX queue RSS spreads flows over them (IP/TCP/UDP hash, whatever
 * subset the device supports). Promiscuous mode is turned on where supported.
 *
 * Control path only: call from the main lcore, never while workers poll the
 * port. Every function returns 0 or a negative errno and logs what failed.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_mempool.h>

struct bg_port {
	uint16_t id;
	int socket;                    /* SOCKET_ID_ANY when the device has none */
	char name[RTE_ETH_NAME_MAX_LEN];
	char driver[32];
	struct rte_ether_addr mac;
	uint16_t nb_rxq;
	uint16_t nb_txq;
	uint16_t rxd, txd;             /* descriptors per queue, after adjustment */
	bool configured;
	bool started;
	bool link_up;
	uint32_t link_speed_mbps;
	struct rte_eth_stats stats;    /* the device's counters, read at close */
};

/*
 * Configure port_id with nb_rxq RX queues of rxd descriptors and nb_txq TX
 * queues of txd (adjusted to what the device accepts), RX queue q taking
 * mbufs from pools[q] and TX queue q living on tx_socket[q]. Fills p. Does
 * not start the port.
 *
 * Returns 0; -ENODEV for an invalid port; -EINVAL when the device cannot have
 * that many queues; or the ethdev error.
 */
int bg_port_setup(struct bg_port *p, uint16_t port_id, uint16_t nb_rxq, uint16_t nb_txq,
		  uint16_t rxd, uint16_t txd, struct rte_mempool *const pools[],
		  const int tx_socket[]);

/* Start the port, zero its device counters and turn on promiscuous mode.
 * Returns 0 or -errno. */
int bg_port_start(struct bg_port *p);

/*
 * Wait up to timeout_s seconds for every port in ports[0..n-1] to report link
 * up, or until cancel() (when not NULL) returns true, and record what each
 * reports. Returns how many links are up.
 */
unsigned bg_port_wait_link(struct bg_port *const ports[], unsigned n, double timeout_s,
			   bool (*cancel)(void));

/* Read the device counters into p->stats, then stop and close the port,
 * freeing every mbuf its queues hold. Safe on a port only partly set up. */
void bg_port_close(struct bg_port *p);

#endif /* BG_PORT_H */
