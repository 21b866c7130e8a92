/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_REPORT_H
#define BG_REPORT_H

/*
 * The run's summary: counters per port and per lcore, totals, and the
 * conservation check, printed for people and written as JSON (the schema is
 * in README.md). Control thread only.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "dataplane/counters.h"
#include "lcore/sched.h"

struct bg_runtime;
struct bg_worker;

/* Latency from arrival stamp to brigade's transmit, in ns, from the merged
 * histograms (each value within BG_HIST_REL_ERROR of one measured). */
struct bg_lat_summary {
	uint64_t samples;              /* stamped packets transmitted */
	uint64_t unstamped;            /* transmitted without a stamp */
	double mean_ns;
	double p50_ns, p90_ns, p99_ns, p999_ns;
	double max_ns;                 /* exact */
};

struct bg_port_summary {
	uint16_t port;
	char name[RTE_ETH_NAME_MAX_LEN];
	char driver[32];
	int socket;
	bool link_up;
	struct bg_counters c;
	struct rte_eth_stats nic;      /* the device's own counters */
	struct bg_lat_summary lat;     /* packets leaving this port */
};

struct bg_lcore_summary {
	unsigned lcore;
	int socket;
	struct bg_counters c;          /* summed over ports */
	uint64_t polls;
	uint64_t busy_polls;
	uint64_t busy_cycles;          /* 0 unless the loop read the clock */
	uint64_t wait_cycles;          /* of which waiting on full channels */
	uint64_t suspended;            /* packets that waited as tasks */
	uint64_t resumed;
	unsigned nb_stats;             /* the model's own counters */
	struct bg_stat stats[BG_SCHED_STATS_MAX];
};

struct bg_pool_summary {
	const char *kind;              /* "mbuf" or "task" */
	int socket;
	uint32_t size;
	unsigned in_use_start;
	unsigned in_use_end;
};

struct bg_summary {
	const char *mode;
	const char *fwd;
	char model_opts[160];          /* the model's options, "order flow" */
	unsigned nb_failed;            /* workers whose loop failed */
	double duration_s;
	struct bg_counters total;
	unsigned nb_ports;
	struct bg_port_summary ports[RTE_MAX_ETHPORTS];
	unsigned nb_lcores;
	struct bg_lcore_summary lcores[RTE_MAX_LCORE];
	unsigned nb_pools;
	struct bg_pool_summary pools[2 * RTE_MAX_NUMA_NODES];
	unsigned nb_stats;             /* the model's counters, summed */
	struct bg_stat stats[BG_SCHED_STATS_MAX];
	uint64_t busy_cycles;          /* summed over lcores */
	uint64_t wait_cycles;          /* summed over lcores */
	double cycles_per_packet;      /* (busy - wait) / rx; 0 when not counted */
	bool latency;                  /* packets carried arrival stamps */
	struct bg_lat_summary lat;     /* over every port */
	bool packets_conserved;        /* rx == tx + drops */
	bool pools_returned;           /* every pool's in-use count at its start */
	bool conserved;                /* both */
};

/* Worker w's counters summed over the ports in use, its loop's, and the
 * model's, into ls. Approximate while w runs. Any thread. */
void bg_lcore_summary_read(struct bg_lcore_summary *ls, const struct bg_runtime *rt,
			   const struct bg_worker *w);

/* Fill s from a runtime that has been closed (bg_runtime_close()). */
void bg_summary_collect(struct bg_summary *s, const struct bg_runtime *rt);

/* Print s as tables, for people. */
void bg_summary_print(const struct bg_summary *s, FILE *out);

/* Write s as JSON to path (through a temporary file, renamed into place).
 * Returns 0 or -errno. */
int bg_summary_write_json(const struct bg_summary *s, const char *path);

/* Write s as one JSON object to out. */
void bg_summary_json(const struct bg_summary *s, FILE *out);

#endif /* BG_REPORT_H */
