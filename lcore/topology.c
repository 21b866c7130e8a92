/* SPDX-License-Identifier: BSD-3-Clause */
#define _GNU_SOURCE                /* cpu_set_t, behind rte_cpuset_t */
#include <numa.h>
#include <sched.h>

#include <rte_lcore.h>

#include "dataplane/log.h"
#include "lcore/runtime.h"
#include "lcore/topology.h"

int
bg_topology_numa_node(unsigned lcore_id)
{
	/* The CPUs the lcore runs on (with --lcores, not its number's). */
	rte_cpuset_t cpus = rte_lcore_cpuset(lcore_id);

	if (numa_available() < 0)
		return -1;
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &cpus))
			return numa_node_of_cpu(cpu);
	return -1;
}

unsigned
bg_topology_check(const struct bg_runtime *rt)
{
	unsigned warnings = 0;

	for (unsigned i = 0; i < rt->nb_workers; i++) {
		const struct bg_worker *w = rt->workers[i];
		int node = bg_topology_numa_node(w->lcore_id);

		BG_LOG(INFO, "lcore %u: socket %d (libnuma node %d), %u RX queues",
		       w->lcore_id, w->socket, node, w->nb_rxq);
		if (node >= 0 && node != w->socket) {
			BG_LOG(WARNING, "lcore %u: EAL says socket %d, libnuma says node %d",
			       w->lcore_id, w->socket, node);
			warnings++;
		}
		for (uint16_t k = 0; k < w->nb_rxq; k++) {
			const struct bg_port *p = &rt->ports[w->rxq[k].port];

			/* A virtual device has no socket: nothing to warn about. */
			if (p->socket == SOCKET_ID_ANY || p->socket == w->socket)
				continue;
			BG_LOG(WARNING, "port %u (%s) is on socket %d but polled by lcore %u on socket %d: every packet crosses the interconnect; choose lcores on socket %d",
			       p->id, p->name, p->socket, w->lcore_id, w->socket, p->socket);
			warnings++;
		}
	}
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++)
		if (rt->port_used[p])
			BG_LOG(INFO, "port %u (%s, %s): socket %d, %u RX queues of %u descriptors, %u TX of %u, link %s",
			       p, rt->ports[p].name, rt->ports[p].driver, rt->ports[p].socket,
			       rt->ports[p].nb_rxq, rt->ports[p].rxd, rt->ports[p].nb_txq, rt->ports[p].txd,
			       rt->ports[p].link_up ? "up" : "down");
	return warnings;
}
