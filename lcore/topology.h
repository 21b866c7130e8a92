/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_TOPOLOGY_H
#define BG_TOPOLOGY_H

/*
 * NUMA placement: the socket of every worker lcore and port, as the EAL and
 * libnuma see them. Control thread only.
 */

struct bg_runtime;

/*
 * Log the socket of every worker and port in use, and warn (without failing)
 * when a worker polls a port attached to another socket, or when the EAL and
 * libnuma disagree about an lcore's socket. Returns the number of warnings.
 */
unsigned bg_topology_check(const struct bg_runtime *rt);

/* The NUMA node of an lcore according to libnuma, or -1 when unknown. */
int bg_topology_numa_node(unsigned lcore_id);

#endif /* BG_TOPOLOGY_H */
