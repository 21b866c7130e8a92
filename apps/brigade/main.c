/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * brigade: forward packets between DPDK ports under a chosen execution model,
 * then report and check that every packet is accounted for.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>

#include "dataplane/log.h"
#include "lcore/report.h"
#include "lcore/runtime.h"
#include "lcore/sched.h"
#include "options.h"

#define EXIT_USAGE 2

static struct bg_runtime runtime;
static struct bg_summary summary;

static void
on_signal(int sig __rte_unused)
{
	bg_stop_request();
}

/* Print one line per port with the rates since the last call. */
static void
print_stats(const struct bg_runtime *rt, struct bg_counters *last, double dt)
{
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++) {
		struct bg_counters now;

		if (!rt->port_used[p])
			continue;
		bg_runtime_port_counters(rt, p, &now);
		printf("port %u: rx %8.3f Mpps  tx %8.3f Mpps  drop %8.3f Mpps\n", p,
		       (double)(now.rx - last[p].rx) / dt / 1e6,
		       (double)(now.tx - last[p].tx) / dt / 1e6,
		       (double)(bg_counters_drops(&now) - bg_counters_drops(&last[p])) / dt / 1e6);
		last[p] = now;
	}
	fflush(stdout);
}

/* The control loop: sleep, print stats, watch the clock and the signals. */
static void
control_loop(const struct bg_runtime *rt, const struct bg_config *cfg)
{
	static struct bg_counters last[RTE_MAX_ETHPORTS];
	const uint64_t hz = rte_get_tsc_hz();
	const uint64_t start = rte_get_tsc_cycles();
	const uint64_t end = start + (uint64_t)(cfg->duration_s * (double)hz);
	const uint64_t period = (uint64_t)(cfg->stats_period_s * (double)hz);
	uint64_t next_stats = start + period, last_stats = start;

	while (!bg_stop_requested()) {
		uint64_t now = rte_get_tsc_cycles();

		if (cfg->duration_s > 0 && now >= end)
			break;
		if (period != 0 && now >= next_stats) {
			print_stats(rt, last, (double)(now - last_stats) / (double)hz);
			last_stats = now;
			next_stats += period;
		}
		usleep(10 * 1000);
	}
}

int
main(int argc, char **argv)
{
	struct bg_config cfg;
	char err[512], chain[128];
	int ret;

	/* --help and bad options are answered before the EAL takes hugepages. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			ret = bg_options_parse(argc - i, argv + i, &cfg, err, sizeof(err));
			if (ret == BG_OPTIONS_HELP) {
				bg_options_usage(stdout, argv[0]);
				return EXIT_SUCCESS;
			}
			if (ret != 0) {
				fprintf(stderr, "brigade: %s\n", err);
				return EXIT_USAGE;
			}
			break;
		}
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			bg_options_usage(stdout, argv[0]);
			return EXIT_SUCCESS;
		}
	}

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "brigade: EAL initialisation failed: %s; check the EAL options before '--' (see dpdk docs, or --help)\n",
			rte_strerror(rte_errno));
		return EXIT_FAILURE;
	}
	argc -= ret;
	argv += ret;
	ret = bg_options_parse(argc, argv, &cfg, err, sizeof(err));
	if (ret == 0)
		ret = bg_config_resolve_ports(&cfg, rte_eth_dev_count_avail(), err, sizeof(err));
	if (ret != 0) {
		fprintf(stderr, "brigade: %s\n", err);
		rte_eal_cleanup();
		return EXIT_USAGE;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	ret = bg_runtime_init(&runtime, &cfg);
	if (ret == 0 && bg_stop_requested()) {
		/* A signal during start-up (the link wait, say): nothing was
		 * received, so nothing is lost. */
		printf("brigade: stopped before forwarding started\n");
		bg_runtime_free(&runtime);
		rte_eal_cleanup();
		return EXIT_SUCCESS;
	}
	if (ret == 0)
		ret = bg_runtime_launch(&runtime);
	if (ret != 0) {
		fprintf(stderr, "brigade: start-up failed (%s); see the messages above\n",
			rte_strerror(-ret));
		bg_runtime_free(&runtime);
		rte_eal_cleanup();
		return EXIT_FAILURE;
	}
	bg_exec_chain_names(&runtime.workers[0]->x, chain, sizeof(chain));
	printf("brigade: %u worker%s forwarding, mode %s, fwd %s, stages %s%s\n",
	       runtime.nb_workers, runtime.nb_workers == 1 ? "" : "s", cfg.sched->reg.name,
	       cfg.fwd->reg.name, chain[0] != '\0' ? chain : "none",
	       cfg.duration_s > 0 ? "" : "; Ctrl-C stops");
	fflush(stdout);

	control_loop(&runtime, &cfg);

	bg_runtime_stop(&runtime);
	bg_runtime_close(&runtime);
	bg_summary_collect(&summary, &runtime);
	bg_summary_print(&summary, stdout);
	if (cfg.json_path != NULL) {
		ret = bg_summary_write_json(&summary, cfg.json_path);
		if (ret != 0)
			fprintf(stderr, "brigade: --json: cannot write '%s': %s\n",
				cfg.json_path, strerror(-ret));
	}
	bg_runtime_free(&runtime);
	rte_eal_cleanup();
	return summary.conserved && summary.nb_failed == 0 && ret == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
