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
#include <rte_pdump.h>

#include "dataplane/log.h"
#include "lcore/report.h"
#include "lcore/runtime.h"
#include "lcore/sched.h"
#include "lcore/telemetry.h"
#include "options.h"

#define EXIT_USAGE 2

static struct bg_runtime runtime;
static struct bg_summary summary;
static bool pdump_on;              /* rte_pdump_init() succeeded */

static void
on_signal(int sig __rte_unused)
{
	bg_stop_request();
}

/* What the last --stats period ended with: counters since launch. */
struct stats_last {
	double time_s;
	struct bg_counters port[RTE_MAX_ETHPORTS];
	uint64_t ibytes[RTE_MAX_ETHPORTS], obytes[RTE_MAX_ETHPORTS];
	uint64_t polls[RTE_MAX_LCORE], busy_polls[RTE_MAX_LCORE];     /* by worker index */
};

static uint64_t
delta(uint64_t now, uint64_t *last)
{
	uint64_t d = now >= *last ? now - *last : 0;

	*last = now;
	return d;
}

/* Bits per second from a device's byte counter; unknown (-1) when it counts
 * no bytes although brigade saw packets. */
static double
nic_bps(uint64_t bytes, uint64_t packets, double seconds)
{
	if (bytes == 0 && packets != 0)
		return -1;
	return seconds > 0 ? (double)bytes * 8 / seconds : 0;
}

/*
 * One --stats period: brigade's counters summed over the workers, as the
 * summary sums them (approximate while they run), the devices' byte
 * counters (brigade counts packets only) and the workers' polls.
 */
static void
stats_sample(const struct bg_runtime *rt, struct stats_last *last, struct bg_stats_period *s)
{
	s->time_s = bg_runtime_elapsed(rt);
	s->interval_s = s->time_s - last->time_s;
	last->time_s = s->time_s;
	s->nb_ports = 0;
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++) {
		struct bg_stats_port *sp;
		struct rte_eth_stats nic;
		uint64_t ib = 0, ob = 0;
		bool nic_ok;

		if (!rt->port_used[p])
			continue;
		sp = &s->ports[s->nb_ports++];
		sp->port = p;
		memcpy(sp->name, rt->ports[p].name, sizeof(sp->name));
		bg_runtime_port_counters(rt, p, &sp->total);
		sp->delta.rx = delta(sp->total.rx, &last->port[p].rx);
		sp->delta.tx = delta(sp->total.tx, &last->port[p].tx);
		for (int r = 0; r < BG_DROP_MAX; r++)
			sp->delta.drop[r] = delta(sp->total.drop[r], &last->port[p].drop[r]);
		nic_ok = rte_eth_stats_get(p, &nic) == 0;
		if (nic_ok) {
			ib = delta(nic.ibytes, &last->ibytes[p]);
			ob = delta(nic.obytes, &last->obytes[p]);
		}
		sp->rx_bps = nic_ok ? nic_bps(ib, sp->delta.rx, s->interval_s) : -1;
		sp->tx_bps = nic_ok ? nic_bps(ob, sp->delta.tx, s->interval_s) : -1;
	}
	s->nb_lcores = rt->nb_workers;
	for (unsigned i = 0; i < rt->nb_workers; i++) {
		const struct bg_worker *w = rt->workers[i];
		struct bg_stats_lcore *l = &s->lcores[i];

		l->lcore = w->lcore_id;
		l->polls = w->polls;
		l->busy_polls = w->busy_polls;
		l->polls_delta = delta(l->polls, &last->polls[i]);
		l->busy_polls_delta = delta(l->busy_polls, &last->busy_polls[i]);
	}
}

/* The control loop: sleep, print stats, watch the clock and the signals. */
static void
control_loop(const struct bg_runtime *rt, const struct bg_config *cfg)
{
	static struct stats_last last;
	static struct bg_stats_period period_stats;
	const enum bg_stats_format fmt = bg_options_stats_format();
	const uint64_t hz = rte_get_tsc_hz();
	const uint64_t start = rte_get_tsc_cycles();
	const uint64_t end = start + (uint64_t)(cfg->duration_s * (double)hz);
	const uint64_t period = (uint64_t)(cfg->stats_period_s * (double)hz);
	uint64_t next_stats = start + period;

	while (!bg_stop_requested()) {
		uint64_t now = rte_get_tsc_cycles();

		if (cfg->duration_s > 0 && now >= end)
			break;
		if (period != 0 && now >= next_stats) {
			stats_sample(rt, &last, &period_stats);
			if (period_stats.interval_s > 0)
				bg_stats_print(stdout, fmt, &period_stats);
			next_stats += period;
		}
		usleep(10 * 1000);
	}
}

/*
 * Watching from outside (README.md, "Watching a running brigade"): the
 * /brigade/... telemetry commands, and capture by dpdk-dumpcap or dpdk-pdump,
 * which attach as secondary processes. Neither is needed to forward, so a
 * failure is a warning. (With --in-memory, rte_pdump_init() succeeds but no
 * secondary process can attach: the run cannot be captured.)
 */
static void
watch_init(void)
{
	bg_telemetry_register();       /* says why when it fails */
	pdump_on = rte_pdump_init() == 0;
	if (!pdump_on)
		BG_LOG(WARNING, "capture (dpdk-dumpcap, dpdk-pdump) unavailable: rte_pdump_init: %s",
		       rte_strerror(rte_errno));
}

/* Undo watch_init() and release the EAL. */
static void
eal_release(void)
{
	bg_telemetry_detach();
	if (pdump_on)
		rte_pdump_uninit();
	pdump_on = false;
	rte_eal_cleanup();
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
	watch_init();

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	ret = bg_runtime_init(&runtime, &cfg);
	if (ret == 0 && bg_stop_requested()) {
		/* A signal during start-up (the link wait, say): nothing was
		 * received, so nothing is lost. */
		printf("brigade: stopped before forwarding started\n");
		bg_runtime_free(&runtime);
		eal_release();
		return EXIT_SUCCESS;
	}
	if (ret == 0) {
		/* Telemetry reads the runtime from now until it is detached. */
		bg_telemetry_attach(&runtime);
		ret = bg_runtime_launch(&runtime);
	}
	if (ret != 0) {
		fprintf(stderr, "brigade: start-up failed (%s); see the messages above\n",
			rte_strerror(-ret));
		bg_telemetry_detach();
		bg_runtime_free(&runtime);
		eal_release();
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
	/* Before the ports close and the pools go: telemetry reads both. */
	bg_telemetry_detach();
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
	eal_release();
	return summary.conserved && summary.nb_failed == 0 && ret == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
