/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dataplane/config.h"
#include "dataplane/fwd.h"

void
bg_config_defaults(struct bg_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->sched = NULL;             /* the application picks the default model */
	cfg->fwd = bg_fwd_find("io");
	for (unsigned p = 0; p < RTE_MAX_ETHPORTS; p++)
		cfg->dst_port[p] = BG_PORT_NONE;
	cfg->rxd = BG_DEFAULT_RXD;
	cfg->txd = BG_DEFAULT_TXD;
	cfg->burst = BG_DEFAULT_BURST;
	cfg->link_wait_s = BG_DEFAULT_LINK_WAIT_S;
	cfg->burst_bytes = BG_DEFAULT_BURST_BYTES;
	cfg->burst_pkts = BG_DEFAULT_BURST_PKTS;
	cfg->pace_queue = BG_DEFAULT_PACE_QUEUE;
	cfg->tasks = BG_DEFAULT_TASKS;
	cfg->chan_retries = BG_DEFAULT_CHAN_RETRIES;
	cfg->work_dist = BG_WORK_NONE;
	cfg->work_seed = BG_DEFAULT_WORK_SEED;
}

int
bg_config_resolve_ports(struct bg_config *cfg, uint16_t nb_ports,
			char *err, size_t errlen)
{
	if (nb_ports == 0) {
		snprintf(err, errlen, "no ports: add --vdev net_null0 for a virtual one, or bind a NIC to vfio-pci");
		return -EINVAL;
	}
	if (cfg->portmap_set) {
		for (unsigned p = 0; p < RTE_MAX_ETHPORTS; p++) {
			if (cfg->dst_port[p] == BG_PORT_NONE)
				continue;
			if (p >= nb_ports || cfg->dst_port[p] >= nb_ports) {
				snprintf(err, errlen, "--portmap: port %u does not exist (%u port%s: 0..%u)",
					 p >= nb_ports ? p : cfg->dst_port[p], nb_ports,
					 nb_ports == 1 ? "" : "s", nb_ports - 1u);
				return -EINVAL;
			}
		}
	} else {
		for (uint16_t p = 0; p + 1 < nb_ports; p += 2) {
			cfg->dst_port[p] = p + 1;
			cfg->dst_port[p + 1] = p;
		}
		if (nb_ports % 2)
			cfg->dst_port[nb_ports - 1] = nb_ports - 1;
	}
	for (unsigned p = 0; p < RTE_MAX_ETHPORTS; p++) {
		if (cfg->eth_dst_set[p] && p >= nb_ports) {
			snprintf(err, errlen, "--eth-dest: port %u does not exist (%u port%s: 0..%u)",
				 p, nb_ports, nb_ports == 1 ? "" : "s", nb_ports - 1u);
			return -EINVAL;
		}
		if (!cfg->eth_dst_set[p]) {
			/* 02:00:00:00:00:<port>: locally administered. */
			memset(&cfg->eth_dst[p], 0, sizeof(cfg->eth_dst[p]));
			cfg->eth_dst[p].addr_bytes[0] = 0x02;
			cfg->eth_dst[p].addr_bytes[5] = (uint8_t)p;
		}
	}
	return 0;
}

bool
bg_config_may_suspend(const struct bg_config *cfg)
{
	return cfg->delay_us > 0 || cfg->jitter_us > 0 || cfg->rate_mbps > 0 ||
	       cfg->rate_pps > 0;
}
