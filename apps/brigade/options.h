/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_OPTIONS_H
#define BG_OPTIONS_H

/*
 * brigade's command line (the part after the EAL's "--").
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "dataplane/config.h"
#include "dataplane/counters.h"

#define BG_OPTIONS_HELP 1

/* --stats-format: how the --stats lines look. */
enum bg_stats_format {
	BG_STATS_TEXT,                 /* for people: scaled units (README.md) */
	BG_STATS_JSON,                 /* one JSON object a line, for scripts */
};

/*
 * Parse argv[1..argc-1] into cfg (which it first resets to the defaults).
 * argv[0] is the program name. argv may be permuted.
 *
 * Returns 0; BG_OPTIONS_HELP when --help was given (nothing else is checked);
 * or -EINVAL with a one-line message in err that starts with the flag at
 * fault ("--rxd: ..."). Port numbers are checked for range only: whether the
 * ports exist is bg_config_resolve_ports()'s to say, after the EAL is up.
 * Uses getopt: not safe to call concurrently.
 */
int bg_options_parse(int argc, char **argv, struct bg_config *cfg,
		     char *err, size_t errlen);

/* Print the usage text. */
void bg_options_usage(FILE *out, const char *prog);

/* The --stats-format the last bg_options_parse() set (BG_STATS_TEXT when it
 * was not given). It lives beside the data plane's struct bg_config: only
 * the application prints stats. */
enum bg_stats_format bg_options_stats_format(void);

/*
 * --stats: one period's figures, gathered by the application from the
 * running runtime (counters since launch and their change over the period),
 * printed as text or as one JSON line (keys in README.md).
 */
struct bg_stats_port {
	uint16_t port;
	char name[RTE_ETH_NAME_MAX_LEN];
	struct bg_counters total;      /* brigade's counters since launch */
	struct bg_counters delta;      /* their change over the period */
	/* Bits per second over the period, from the device's byte counters
	 * (brigade counts packets, not bytes); negative: unknown (the
	 * device counts no bytes). */
	double rx_bps, tx_bps;
};

struct bg_stats_lcore {
	unsigned lcore;
	uint64_t polls, busy_polls;    /* since launch */
	uint64_t polls_delta, busy_polls_delta;    /* over the period */
};

struct bg_stats_period {
	double time_s;                 /* since launch, at the period's end */
	double interval_s;             /* the period's length, > 0 */
	unsigned nb_ports;
	struct bg_stats_port ports[RTE_MAX_ETHPORTS];
	unsigned nb_lcores;
	struct bg_stats_lcore lcores[RTE_MAX_LCORE];
};

/*
 * Print period s to out: as text, a line per port ("port 0: rx 1.234 Mpps
 * 631.8 Mbit/s  tx ...  drop 0 pps", drops by reason when there were some)
 * and a line of the lcores' busy shares; as JSON, one object on one line.
 * Then flush out.
 */
void bg_stats_print(FILE *out, enum bg_stats_format fmt, const struct bg_stats_period *s);

/*
 * value with its unit scaled to k, M, G or T so that one to three digits
 * come before the point, with four significant digits: "1.234 Mpps",
 * "987.6 Mbit/s", "12.00 pps"; 0 is "0 pps". Into buf; returns buf.
 */
char *bg_stats_scaled(char *buf, size_t len, double value, const char *unit);

#endif /* BG_OPTIONS_H */
