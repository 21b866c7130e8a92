/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_CONFIG_H
#define BG_CONFIG_H

/*
 * The configuration of one run, filled by the application's option parser and
 * read (never written) by the data plane.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_ethdev.h>

struct bg_sched;
struct bg_fwd;

/* --work: the distribution of per-packet service times (stage_work.h). */
enum bg_work_dist {
	BG_WORK_NONE = 0,              /* no work stage */
	BG_WORK_FIXED,                 /* every packet the mean */
	BG_WORK_EXP,                   /* exponential */
	BG_WORK_BIMODAL1,              /* 90% at 0.5 x mean, 10% at 5.5 x */
	BG_WORK_BIMODAL2,              /* 99.9% at 0.5 x mean, 0.1% at 500.5 x */
};

#define BG_PORT_NONE UINT16_MAX

#define BG_BURST_MAX 256          /* largest --burst */
#define BG_DESC_MIN 16            /* smallest --rxd/--txd */
#define BG_DESC_MAX 16384         /* largest --rxd/--txd */

#define BG_DEFAULT_BURST 32
#define BG_DEFAULT_RXD 1024
#define BG_DEFAULT_TXD 1024
#define BG_DEFAULT_LINK_WAIT_S 5.0

struct bg_config {
	const struct bg_sched *sched;  /* --mode */
	const struct bg_fwd *fwd;      /* --fwd */

	/* --portmap: dst_port[p] is where packets received on p go, or
	 * BG_PORT_NONE when the user did not name p (the default pairing
	 * then applies, see bg_config_resolve_ports()). */
	bool portmap_set;
	uint16_t dst_port[RTE_MAX_ETHPORTS];

	/* --eth-dest: next-hop MAC per egress port, for --fwd mac. */
	bool eth_dst_set[RTE_MAX_ETHPORTS];
	struct rte_ether_addr eth_dst[RTE_MAX_ETHPORTS];

	uint16_t rxd;                  /* --rxd */
	uint16_t txd;                  /* --txd */
	uint16_t burst;                /* --burst */
	double stats_period_s;         /* --stats, 0 = no periodic stats */
	double duration_s;             /* --duration, 0 = until a signal */
	double link_wait_s;            /* --link-wait */
	const char *json_path;         /* --json, NULL = none */
	bool count_cycles;             /* --cycles: busy TSC cycles per lcore */
	bool latency_off;              /* --latency off: no latency histograms */

	/* Stages beyond forwarding. */
	double delay_us;               /* --delay-us, 0 = no delay stage */
	double jitter_us;              /* --jitter-us: uniform in +-jitter */
	double rate_mbps;              /* --rate-mbps, 0 = no pacing */
	double rate_pps;               /* --rate-pps, 0 = no pacing */
	uint32_t burst_bytes;          /* --burst-bytes: bucket depth, Mbps */
	uint32_t burst_pkts;           /* --burst-pkts: bucket depth, pps */
	uint32_t pace_queue;           /* --pace-queue: packets waiting, per port */
	uint32_t tasks;                /* --tasks: task descriptors per socket */
	uint32_t chan_retries;         /* --chan-retries: a full channel's */

	/* --work DIST:MEAN: busy-wait a drawn service time per packet. */
	enum bg_work_dist work_dist;   /* BG_WORK_NONE = no work stage */
	double work_mean_ns;           /* the distribution's mean */
	uint64_t work_seed;            /* --work-seed: each worker's generator
					* is seeded from it and its index */

	/* Each model's own options are kept by the model (lcore/sched.h). */
};

#define BG_DEFAULT_BURST_BYTES 15000
#define BG_DEFAULT_BURST_PKTS 32
#define BG_DEFAULT_PACE_QUEUE 1024
#define BG_DEFAULT_TASKS 65535
#define BG_DEFAULT_CHAN_RETRIES 64
#define BG_CHAN_RETRIES_MAX 1000000000u
#define BG_DELAY_US_MAX 1e9            /* --delay-us, --jitter-us: 1000 s */
#define BG_RATE_MAX 1e12               /* --rate-mbps, --rate-pps */
#define BG_BURST_BYTES_MAX (1u << 26)
#define BG_BURST_PKTS_MAX (1u << 20)
#define BG_PACE_QUEUE_MAX (1u << 20)
#define BG_TASKS_MAX (1u << 24)
#define BG_WORK_MEAN_NS_MIN 1.0        /* --work MEAN: 1ns .. */
#define BG_WORK_MEAN_NS_MAX 1e6        /* .. 1000us */
#define BG_DEFAULT_WORK_SEED 1

/* Fill cfg with the defaults (mode pinned, fwd io, default port pairing). */
void bg_config_defaults(struct bg_config *cfg);

/*
 * Check the port-dependent parts of cfg against the nb_ports ethdevs that
 * exist (ids 0..nb_ports-1) and complete the port map: ports the user did not
 * map are paired 0<->1, 2<->3, ...; a last odd port forwards to itself.
 * Default next-hop MACs are 02:00:00:00:00:<egress port>.
 *
 * Returns 0, or -EINVAL with a one-line message naming the flag in err.
 * Not safe to call concurrently on the same cfg.
 */
int bg_config_resolve_ports(struct bg_config *cfg, uint16_t nb_ports,
			    char *err, size_t errlen);

/* Can packets wait (delay or pace stages)? Then they hold tasks and mbufs. */
bool bg_config_may_suspend(const struct bg_config *cfg);

#endif /* BG_CONFIG_H */
