/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>

#include "dataplane/fwd.h"
#include "dataplane/parse.h"
#include "dataplane/stage_work.h"
#include "lcore/sched.h"
#include "options.h"

#define MAX_SECONDS (365.0 * 24 * 3600)

enum {
	OPT_MODE = 256,
	OPT_FWD,
	OPT_PORTMAP,
	OPT_ETH_DEST,
	OPT_RXD,
	OPT_TXD,
	OPT_BURST,
	OPT_STATS,
	OPT_STATS_FORMAT,
	OPT_DURATION,
	OPT_LINK_WAIT,
	OPT_JSON,
	OPT_DELAY_US,
	OPT_JITTER_US,
	OPT_RATE_MBPS,
	OPT_RATE_PPS,
	OPT_BURST_BYTES,
	OPT_BURST_PKTS,
	OPT_PACE_QUEUE,
	OPT_TASKS,
	OPT_CYCLES,
	OPT_LATENCY,
	OPT_CHAN_RETRIES,
	OPT_WORK,
	OPT_WORK_SEED,
	OPT_HELP,
	OPT_MODEL,                     /* OPT_MODEL + k: model option k */
};

/* Options of the models (lcore/sched.h), after brigade's own. */
#define MODEL_OPTS_MAX 64

/* --stats-format: the application's alone, so not in struct bg_config. */
static enum bg_stats_format stats_format;

enum bg_stats_format
bg_options_stats_format(void)
{
	return stats_format;
}

static const struct option core_options[] = {
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "fwd", required_argument, NULL, OPT_FWD },
	{ "portmap", required_argument, NULL, OPT_PORTMAP },
	{ "eth-dest", required_argument, NULL, OPT_ETH_DEST },
	{ "rxd", required_argument, NULL, OPT_RXD },
	{ "txd", required_argument, NULL, OPT_TXD },
	{ "burst", required_argument, NULL, OPT_BURST },
	{ "stats", required_argument, NULL, OPT_STATS },
	{ "stats-format", required_argument, NULL, OPT_STATS_FORMAT },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "link-wait", required_argument, NULL, OPT_LINK_WAIT },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "delay-us", required_argument, NULL, OPT_DELAY_US },
	{ "jitter-us", required_argument, NULL, OPT_JITTER_US },
	{ "rate-mbps", required_argument, NULL, OPT_RATE_MBPS },
	{ "rate-pps", required_argument, NULL, OPT_RATE_PPS },
	{ "burst-bytes", required_argument, NULL, OPT_BURST_BYTES },
	{ "burst-pkts", required_argument, NULL, OPT_BURST_PKTS },
	{ "pace-queue", required_argument, NULL, OPT_PACE_QUEUE },
	{ "tasks", required_argument, NULL, OPT_TASKS },
	{ "cycles", no_argument, NULL, OPT_CYCLES },
	{ "latency", required_argument, NULL, OPT_LATENCY },
	{ "chan-retries", required_argument, NULL, OPT_CHAN_RETRIES },
	{ "work", required_argument, NULL, OPT_WORK },
	{ "work-seed", required_argument, NULL, OPT_WORK_SEED },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

/* Append to buf at *at what printf makes of fmt, never past len. */
static void __attribute__((format(printf, 4, 5)))
append(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*at >= len)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *at, len - *at, fmt, ap);
	va_end(ap);
	*at = n < 0 ? len : RTE_MIN(len, *at + (size_t)n);
}

/* Every model's options, a paragraph per model, into buf: the flag in a
 * column of 22, its help wrapped to 78. */
static const char *
model_usage(char *buf, size_t len)
{
	size_t at = 0;

	buf[0] = '\0';
	for (const struct bg_reg_entry *e = bg_sched_registry; e != NULL; e = e->next) {
		const struct bg_sched *s = (const struct bg_sched *)e;

		if (s->opts == NULL || s->opts[0].name == NULL)
			continue;
		append(buf, len, &at, "Options of --mode %s:\n", e->name);
		for (const struct bg_sched_opt *o = s->opts; o->name != NULL; o++) {
			const char *h = o->help;
			char flag[64];
			int col;

			snprintf(flag, sizeof(flag), "--%s%s%s", o->name, o->metavar ? " " : "",
				 o->metavar ? o->metavar : "");
			append(buf, len, &at, "  %-19s", flag);
			col = 2 + (int)RTE_MAX(strlen(flag), (size_t)19);
			if (col > 21) {
				append(buf, len, &at, "\n%22s", "");
				col = 22;
			} else {
				append(buf, len, &at, " ");
				col++;
			}
			while (*h != '\0') {
				size_t w = strcspn(h, " ");

				if (col > 22 && col + 1 + (int)w > 78) {
					append(buf, len, &at, "\n%22s", "");
					col = 22;
				} else if (col > 22) {
					append(buf, len, &at, " ");
					col++;
				}
				append(buf, len, &at, "%.*s", (int)w, h);
				col += (int)w;
				h += w;
				h += strspn(h, " ");
			}
			append(buf, len, &at, "\n");
		}
		append(buf, len, &at, "\n");
	}
	return buf;
}

/*
 * The option table getopt reads: brigade's own, then every model's, whose
 * val is OPT_MODEL + k for model_opt[k]. Made once: the registry is fixed
 * before main().
 */
static struct option long_options[RTE_DIM(core_options) + MODEL_OPTS_MAX];
static const struct bg_sched_opt *model_opt[MODEL_OPTS_MAX];
static const struct bg_sched *model_of[MODEL_OPTS_MAX];
static unsigned nb_model_opts;

static void
options_table(void)
{
	unsigned n = 0;

	if (long_options[0].name != NULL)
		return;
	for (unsigned i = 0; core_options[i].name != NULL; i++)
		long_options[n++] = core_options[i];
	for (const struct bg_reg_entry *e = bg_sched_registry; e != NULL; e = e->next) {
		const struct bg_sched *s = (const struct bg_sched *)e;

		for (const struct bg_sched_opt *o = s->opts; o != NULL && o->name != NULL; o++) {
			if (nb_model_opts == MODEL_OPTS_MAX)
				break;         /* more than any model set needs */
			model_opt[nb_model_opts] = o;
			model_of[nb_model_opts] = s;
			long_options[n++] = (struct option){
				o->name, o->metavar != NULL ? required_argument : no_argument,
				NULL, OPT_MODEL + (int)nb_model_opts,
			};
			nb_model_opts++;
		}
	}
	long_options[n] = (struct option){ NULL, 0, NULL, 0 };
}

void
bg_options_usage(FILE *out, const char *prog)
{
	char models[256], fwds[256], mopts[4096];

	bg_reg_names(bg_sched_registry, models, sizeof(models));
	bg_reg_names(bg_fwd_registry, fwds, sizeof(fwds));
	fprintf(out,
"Usage: %s [EAL options] -- [options]\n"
"\n"
"Forward packets between DPDK ports on pinned lcores, under the execution\n"
"model chosen with --mode. The first EAL lcore controls (stats, signals, the\n"
"clock); every other lcore is a worker that busy-polls.\n"
"\n"
"Options:\n"
"  --mode MODEL        execution model: %s (default %s)\n"
"  --fwd NAME          forwarding: %s (default io)\n"
"                        io       frames leave as they came\n"
"                        mac      dst MAC = next hop (--eth-dest), src MAC = egress port's\n"
"                        macswap  swap src and dst MAC\n"
"  --portmap A:B[,C:D] forward between ports A and B (both ways), C and D, ...;\n"
"                      A:A loops a port back to itself; only mapped ports are\n"
"                      used (default: every port, paired 0:1,2:3,...; a last\n"
"                      odd port loops back)\n"
"  --eth-dest P,MAC    next-hop MAC for egress port P with --fwd mac; repeatable\n"
"                      (default 02:00:00:00:00:<P>)\n"
"  --rxd N             RX descriptors per queue, %d..%d (default %d)\n"
"  --txd N             TX descriptors per queue, %d..%d (default %d)\n"
"  --burst N           packets per RX/TX burst, 1..%d (default %d)\n"
"  --stats SECONDS     every SECONDS print per-port rx/tx/drop rates (packets/s,\n"
"                      bit/s from the NIC's byte counters) and each lcore's busy\n"
"                      share (default 0: off)\n"
"  --stats-format text|json\n"
"                      --stats lines for people (text, default) or one JSON\n"
"                      object a line, for scripts (json)\n"
"  --duration SECONDS  stop after SECONDS (default 0: run until SIGINT/SIGTERM)\n"
"  --link-wait SECONDS wait this long for links to come up (default %.0f)\n"
"  --json FILE         write the summary as JSON to FILE\n"
"  --cycles            count each lcore's busy TSC cycles and report cycles per\n"
"                      packet (one TSC read per poll; off by default)\n"
"  --latency on|off    measure each packet's latency from its arrival stamp to\n"
"                      transmit, when its port stamps packets (default on)\n"
"\n"
"Stages after forwarding, in chain order: work, delay, pace (delayed and paced\n"
"packets wait as tasks on their worker's timers):\n"
"  --work DIST:MEAN    spend a service time drawn from DIST with mean MEAN on\n"
"                      every packet, busy-waiting on the TSC (default: no work\n"
"                      stage). DIST: fixed, exp (exponential), bimodal1 (90%% at\n"
"                      0.5x MEAN, 10%% at 5.5x), bimodal2 (99.9%% at 0.5x, 0.1%% at\n"
"                      500.5x). MEAN: a number and its unit, ns or us,\n"
"                      %.0fns..%.0fus (e.g. exp:10us, fixed:250ns, bimodal1:2.5us)\n"
"  --work-seed N       seed of the draws, 0..2^64-1; each worker draws its own\n"
"                      sequence from N and its index (default %d)\n"
"  --delay-us US       hold every packet US microseconds (default 0: no delay stage)\n"
"  --jitter-us US      add a uniform -US..+US to the delay (packets may reorder)\n"
"  --rate-mbps MBPS    pace each egress port to MBPS megabits/s of frame bytes\n"
"  --rate-pps PPS      pace each egress port to PPS packets/s (not with --rate-mbps)\n"
"  --burst-bytes N     token bucket depth for --rate-mbps, 1..%u (default %d)\n"
"  --burst-pkts N      token bucket depth for --rate-pps, 1..%u (default %d)\n"
"  --pace-queue N      packets that may wait for tokens per port and worker,\n"
"                      0..%u; more are dropped as pace_queue (default %d)\n"
"  --tasks N           task descriptors per socket, 1..%u (default %d)\n"
"\n"
"Channels between lcores (models that hand packets from lcore to lcore):\n"
"  --chan-retries N    how often a send retries a full channel before the\n"
"                      packets are dropped as chan_full, 1..%u (default %d)\n"
"\n"
"%s"
"  --help              print this text and exit\n"
"\n"
"At exit brigade prints a summary per port and lcore and checks conservation:\n"
"every packet received was sent or dropped under a named reason, and every\n"
"mbuf and task pool is back to its starting use. Exit status: 0 when that holds, 1 when\n"
"it does not or the run failed, 2 for a bad command line.\n"
"\n"
"Example: %s -l 0,1 --in-memory --no-pci --vdev net_null0 --vdev net_null1 \\\n"
"             -- --fwd mac --stats 1 --duration 5\n",
		prog, models, bg_sched_default()->reg.name, fwds,
		BG_DESC_MIN, BG_DESC_MAX, BG_DEFAULT_RXD,
		BG_DESC_MIN, BG_DESC_MAX, BG_DEFAULT_TXD,
		BG_BURST_MAX, BG_DEFAULT_BURST, BG_DEFAULT_LINK_WAIT_S,
		BG_WORK_MEAN_NS_MIN, BG_WORK_MEAN_NS_MAX / 1000, BG_DEFAULT_WORK_SEED,
		BG_BURST_BYTES_MAX, BG_DEFAULT_BURST_BYTES, BG_BURST_PKTS_MAX, BG_DEFAULT_BURST_PKTS,
		BG_PACE_QUEUE_MAX, BG_DEFAULT_PACE_QUEUE, BG_TASKS_MAX, BG_DEFAULT_TASKS,
		BG_CHAN_RETRIES_MAX, BG_DEFAULT_CHAN_RETRIES, model_usage(mopts, sizeof(mopts)), prog);
}

/*
 * "DIST:MEAN" for --work: a distribution's name, a colon, a decimal number
 * and a unit, ns or us, nothing else; the mean BG_WORK_MEAN_NS_MIN..MAX ns.
 */
static int
parse_work(const char *arg, struct bg_config *cfg, char *err, size_t errlen)
{
	const char *colon = strchr(arg, ':');
	char name[16], num[64];
	enum bg_work_dist dist;
	const char *mean_s;
	size_t len;
	double mean, scale = 0;        /* ns per unit; 0: no unit */

	if (colon == NULL || colon == arg || (size_t)(colon - arg) >= sizeof(name)) {
		snprintf(err, errlen, "--work: '%s' is not DIST:MEAN (e.g. exp:10us; DIST: %s)",
			 arg, bg_work_dist_names());
		return -EINVAL;
	}
	memcpy(name, arg, colon - arg);
	name[colon - arg] = '\0';
	dist = bg_work_dist_find(name);
	if (dist == BG_WORK_NONE) {
		snprintf(err, errlen, "--work: '%s' is not a distribution (%s)", name,
			 bg_work_dist_names());
		return -EINVAL;
	}
	mean_s = colon + 1;
	len = strlen(mean_s);
	if (len > 2 && len - 2 < sizeof(num)) {
		scale = strcmp(mean_s + len - 2, "ns") == 0 ? 1 :
			strcmp(mean_s + len - 2, "us") == 0 ? 1000 : 0;
		memcpy(num, mean_s, len - 2);
		num[len - 2] = '\0';
	}
	if (scale == 0 || bg_parse_number(num, BG_WORK_MEAN_NS_MAX / scale, &mean) != 0 ||
	    mean * scale < BG_WORK_MEAN_NS_MIN) {
		snprintf(err, errlen, "--work: '%s' is not a mean time %.0fns..%.0fus with its unit, ns or us (e.g. 10us, 250ns)",
			 mean_s, BG_WORK_MEAN_NS_MIN, BG_WORK_MEAN_NS_MAX / 1000);
		return -EINVAL;
	}
	cfg->work_dist = dist;
	cfg->work_mean_ns = mean * scale;
	return 0;
}

/* A number of seconds, up to a year. */
static int
parse_seconds(const char *s, double *out)
{
	return bg_parse_number(s, MAX_SECONDS, out);
}

/* "A:B[,C:D...]": each port in at most one pair. */
static int
parse_portmap(const char *arg, struct bg_config *cfg, char *err, size_t errlen)
{
	char buf[1024];
	char *save = NULL;

	if (strlen(arg) >= sizeof(buf) || *arg == '\0') {
		snprintf(err, errlen, "--portmap: '%s' is not a list of pairs A:B[,C:D...]", arg);
		return -EINVAL;
	}
	strcpy(buf, arg);
	for (char *tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		unsigned long a, b;

		if (colon == NULL) {
			snprintf(err, errlen, "--portmap: '%s' is not a pair A:B", tok);
			return -EINVAL;
		}
		*colon = '\0';
		if (bg_parse_uint(tok, 0, RTE_MAX_ETHPORTS - 1, &a) != 0 ||
		    bg_parse_uint(colon + 1, 0, RTE_MAX_ETHPORTS - 1, &b) != 0) {
			snprintf(err, errlen, "--portmap: '%s:%s' needs two port numbers 0..%d",
				 tok, colon + 1, RTE_MAX_ETHPORTS - 1);
			return -EINVAL;
		}
		if (cfg->dst_port[a] != BG_PORT_NONE || cfg->dst_port[b] != BG_PORT_NONE) {
			snprintf(err, errlen, "--portmap: port %lu is in more than one pair",
				 cfg->dst_port[a] != BG_PORT_NONE ? a : b);
			return -EINVAL;
		}
		cfg->dst_port[a] = (uint16_t)b;
		cfg->dst_port[b] = (uint16_t)a;
	}
	/* strtok_r skips empty tokens: ",0:1" or "0:1,," would pass silently. */
	if (arg[0] == ',' || arg[strlen(arg) - 1] == ',' || strstr(arg, ",,") != NULL) {
		snprintf(err, errlen, "--portmap: '%s' has an empty pair", arg);
		return -EINVAL;
	}
	cfg->portmap_set = true;
	return 0;
}

/* "P,MAC" */
static int
parse_eth_dest(const char *arg, struct bg_config *cfg, char *err, size_t errlen)
{
	const char *comma = strchr(arg, ',');
	char port[16];
	unsigned long p;
	struct rte_ether_addr mac;

	if (comma == NULL || (size_t)(comma - arg) >= sizeof(port)) {
		snprintf(err, errlen, "--eth-dest: '%s' is not PORT,MAC (e.g. 0,02:00:00:00:00:01)", arg);
		return -EINVAL;
	}
	memcpy(port, arg, comma - arg);
	port[comma - arg] = '\0';
	if (bg_parse_uint(port, 0, RTE_MAX_ETHPORTS - 1, &p) != 0) {
		snprintf(err, errlen, "--eth-dest: '%s' is not a port number 0..%d", port,
			 RTE_MAX_ETHPORTS - 1);
		return -EINVAL;
	}
	if (rte_ether_unformat_addr(comma + 1, &mac) != 0) {
		snprintf(err, errlen, "--eth-dest: '%s' is not a MAC address (e.g. 02:00:00:00:00:01)",
			 comma + 1);
		return -EINVAL;
	}
	cfg->eth_dst[p] = mac;
	cfg->eth_dst_set[p] = true;
	return 0;
}

static int
bad_value(char *err, size_t errlen, const char *flag, const char *arg, const char *want)
{
	snprintf(err, errlen, "--%s: '%s' is not %s", flag, arg, want);
	return -EINVAL;
}

int
bg_options_parse(int argc, char **argv, struct bg_config *cfg, char *err, size_t errlen)
{
	char names[256], want[300];
	const char *given[MODEL_OPTS_MAX] = { NULL };
	unsigned long v;
	int opt, idx = -1;

	options_table();
	bg_config_defaults(cfg);
	stats_format = BG_STATS_TEXT;
	cfg->sched = bg_sched_default();
	for (const struct bg_reg_entry *e = bg_sched_registry; e != NULL; e = e->next) {
		const struct bg_sched *s = (const struct bg_sched *)e;

		if (s->opts_reset != NULL)
			s->opts_reset();
	}
	err[0] = '\0';
	opterr = 0;
	optind = 0;                    /* full re-initialisation (glibc) */

	/* '+': stop at the first non-option; ':': report missing values. */
	while ((opt = getopt_long(argc, argv, "+:h", long_options, &idx)) != -1) {
		const char *name = idx >= 0 ? long_options[idx].name : "";

		switch (opt) {
		case OPT_MODE:
			cfg->sched = bg_sched_find(optarg);
			if (cfg->sched == NULL) {
				snprintf(want, sizeof(want), "a model (models: %s)",
					 bg_reg_names(bg_sched_registry, names, sizeof(names)));
				return bad_value(err, errlen, name, optarg, want);
			}
			break;
		case OPT_FWD:
			cfg->fwd = bg_fwd_find(optarg);
			if (cfg->fwd == NULL) {
				snprintf(want, sizeof(want), "a forwarding mode (modes: %s)",
					 bg_reg_names(bg_fwd_registry, names, sizeof(names)));
				return bad_value(err, errlen, name, optarg, want);
			}
			break;
		case OPT_PORTMAP:
			if (cfg->portmap_set) {
				snprintf(err, errlen, "--portmap: given twice; list every pair in one --portmap");
				return -EINVAL;
			}
			if (parse_portmap(optarg, cfg, err, errlen) != 0)
				return -EINVAL;
			break;
		case OPT_ETH_DEST:
			if (parse_eth_dest(optarg, cfg, err, errlen) != 0)
				return -EINVAL;
			break;
		case OPT_RXD:
		case OPT_TXD:
			if (bg_parse_uint(optarg, BG_DESC_MIN, BG_DESC_MAX, &v) != 0) {
				snprintf(want, sizeof(want), "a descriptor count %d..%d",
					 BG_DESC_MIN, BG_DESC_MAX);
				return bad_value(err, errlen, name, optarg, want);
			}
			*(opt == OPT_RXD ? &cfg->rxd : &cfg->txd) = (uint16_t)v;
			break;
		case OPT_BURST:
			if (bg_parse_uint(optarg, 1, BG_BURST_MAX, &v) != 0) {
				snprintf(want, sizeof(want), "a burst size 1..%d", BG_BURST_MAX);
				return bad_value(err, errlen, name, optarg, want);
			}
			cfg->burst = (uint16_t)v;
			break;
		case OPT_STATS:
			if (parse_seconds(optarg, &cfg->stats_period_s) != 0)
				return bad_value(err, errlen, name, optarg,
						 "a number of seconds >= 0 (0 = off)");
			break;
		case OPT_STATS_FORMAT:
			if (strcmp(optarg, "text") == 0)
				stats_format = BG_STATS_TEXT;
			else if (strcmp(optarg, "json") == 0)
				stats_format = BG_STATS_JSON;
			else
				return bad_value(err, errlen, name, optarg, "a format (text, json)");
			break;
		case OPT_DURATION:
			if (parse_seconds(optarg, &cfg->duration_s) != 0)
				return bad_value(err, errlen, name, optarg,
						 "a number of seconds >= 0 (0 = until a signal)");
			break;
		case OPT_LINK_WAIT:
			if (parse_seconds(optarg, &cfg->link_wait_s) != 0)
				return bad_value(err, errlen, name, optarg, "a number of seconds >= 0");
			break;
		case OPT_JSON:
			if (*optarg == '\0') {
				snprintf(err, errlen, "--json: needs a file name");
				return -EINVAL;
			}
			cfg->json_path = optarg;
			break;
		case OPT_DELAY_US:
		case OPT_JITTER_US:
		case OPT_RATE_MBPS:
		case OPT_RATE_PPS: {
			const bool us = opt == OPT_DELAY_US || opt == OPT_JITTER_US;
			const double max = us ? BG_DELAY_US_MAX : BG_RATE_MAX;
			double *dst = opt == OPT_DELAY_US ? &cfg->delay_us :
				      opt == OPT_JITTER_US ? &cfg->jitter_us :
				      opt == OPT_RATE_MBPS ? &cfg->rate_mbps : &cfg->rate_pps;

			if (bg_parse_number(optarg, max, dst) != 0) {
				snprintf(want, sizeof(want), "a decimal number 0..%.0f", max);
				return bad_value(err, errlen, name, optarg, want);
			}
			break;
		}
		case OPT_BURST_BYTES:
			if (bg_parse_uint(optarg, 1, BG_BURST_BYTES_MAX, &v) != 0) {
				snprintf(want, sizeof(want), "a byte count 1..%u", BG_BURST_BYTES_MAX);
				return bad_value(err, errlen, name, optarg, want);
			}
			cfg->burst_bytes = (uint32_t)v;
			break;
		case OPT_BURST_PKTS:
			if (bg_parse_uint(optarg, 1, BG_BURST_PKTS_MAX, &v) != 0) {
				snprintf(want, sizeof(want), "a packet count 1..%u", BG_BURST_PKTS_MAX);
				return bad_value(err, errlen, name, optarg, want);
			}
			cfg->burst_pkts = (uint32_t)v;
			break;
		case OPT_PACE_QUEUE:
			if (bg_parse_uint(optarg, 0, BG_PACE_QUEUE_MAX, &v) != 0) {
				snprintf(want, sizeof(want), "a packet count 0..%u", BG_PACE_QUEUE_MAX);
				return bad_value(err, errlen, name, optarg, want);
			}
			cfg->pace_queue = (uint32_t)v;
			break;
		case OPT_TASKS:
			if (bg_parse_uint(optarg, 1, BG_TASKS_MAX, &v) != 0) {
				snprintf(want, sizeof(want), "a task count 1..%u", BG_TASKS_MAX);
				return bad_value(err, errlen, name, optarg, want);
			}
			cfg->tasks = (uint32_t)v;
			break;
		case OPT_LATENCY:
			if (strcmp(optarg, "on") != 0 && strcmp(optarg, "off") != 0)
				return bad_value(err, errlen, name, optarg, "on or off");
			cfg->latency_off = strcmp(optarg, "off") == 0;
			break;
		case OPT_CYCLES:
			cfg->count_cycles = true;
			break;
		case OPT_CHAN_RETRIES:
			if (bg_parse_uint(optarg, 1, BG_CHAN_RETRIES_MAX, &v) != 0) {
				snprintf(want, sizeof(want), "a retry count 1..%u", BG_CHAN_RETRIES_MAX);
				return bad_value(err, errlen, name, optarg, want);
			}
			cfg->chan_retries = (uint32_t)v;
			break;
		case OPT_WORK:
			if (parse_work(optarg, cfg, err, errlen) != 0)
				return -EINVAL;
			break;
		case OPT_WORK_SEED:
			if (bg_parse_uint(optarg, 0, UINT64_MAX, &v) != 0)
				return bad_value(err, errlen, name, optarg, "a seed 0..2^64-1");
			cfg->work_seed = v;
			break;
		case 'h':
		case OPT_HELP:
			return BG_OPTIONS_HELP;
		case ':':
			snprintf(err, errlen, "%s: needs a value; see --help", argv[optind - 1]);
			return -EINVAL;
		default:
			if (opt >= OPT_MODEL && opt < OPT_MODEL + (int)nb_model_opts) {
				const unsigned k = (unsigned)(opt - OPT_MODEL);

				if (model_opt[k]->parse(optarg, err, errlen) != 0)
					return -EINVAL;
				given[k] = model_opt[k]->name;
				break;
			}
			if (optopt > 0 && optopt < 256)   /* short: may sit mid-word */
				snprintf(err, errlen, "-%c: unknown option; see --help", optopt);
			else
				snprintf(err, errlen, "%s: unknown option; see --help",
					 argv[optind - 1]);
			return -EINVAL;
		}
		idx = -1;
	}
	if (optind < argc) {
		snprintf(err, errlen, "%s: unexpected argument; options start with --, see --help",
			 argv[optind]);
		return -EINVAL;
	}
	if (cfg->rate_mbps > 0 && cfg->rate_pps > 0) {
		snprintf(err, errlen, "--rate-pps: cannot be used with --rate-mbps; pace in one unit");
		return -EINVAL;
	}
	/* A model's options mean nothing to another model. */
	for (unsigned k = 0; k < nb_model_opts; k++)
		if (given[k] != NULL && model_of[k] != cfg->sched) {
			snprintf(err, errlen, "--%s: an option of --mode %s, not of %s; add --mode %s or leave it out",
				 given[k], model_of[k]->reg.name, cfg->sched->reg.name,
				 model_of[k]->reg.name);
			return -EINVAL;
		}
	if (cfg->sched->opts_check != NULL && cfg->sched->opts_check(cfg, err, errlen) != 0)
		return -EINVAL;
	return 0;
}

/* ---- --stats: printing one period ---- */

char *
bg_stats_scaled(char *buf, size_t len, double value, const char *unit)
{
	static const char *const prefix[] = { "", "k", "M", "G", "T" };
	unsigned k = 0;
	double v = value;

	if (!(v > 0)) {                /* 0, or nothing meaningful */
		snprintf(buf, len, "0 %s", unit);
		return buf;
	}
	/* 999.95 and up would print as 1000.0: the next prefix then. */
	while (v >= 999.95 && k + 1 < RTE_DIM(prefix)) {
		v /= 1000.0;
		k++;
	}
	snprintf(buf, len, "%.*f %s%s", v < 9.9995 ? 3 : v < 99.995 ? 2 : 1, v, prefix[k], unit);
	return buf;
}

static double
per_s(uint64_t n, double seconds)
{
	return seconds > 0 ? (double)n / seconds : 0.0;
}

/* A JSON string: name between quotes, with quotes, backslashes and
 * control characters escaped. */
static void
json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		const unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* A rate, or null when unknown (negative). */
static void
json_rate(FILE *out, const char *key, double v)
{
	if (v < 0)
		fprintf(out, "\"%s\": null", key);
	else
		fprintf(out, "\"%s\": %.3f", key, v);
}

static void
stats_json(FILE *out, const struct bg_stats_period *s)
{
	struct bg_counters total, delta;
	double rx_bps = 0, tx_bps = 0;

	memset(&total, 0, sizeof(total));
	memset(&delta, 0, sizeof(delta));
	for (unsigned i = 0; i < s->nb_ports; i++) {
		const struct bg_stats_port *p = &s->ports[i];

		bg_counters_add(&total, &p->total);
		bg_counters_add(&delta, &p->delta);
		/* One port that counts no bytes makes the sum unknown. */
		rx_bps = rx_bps < 0 || p->rx_bps < 0 ? -1 : rx_bps + p->rx_bps;
		tx_bps = tx_bps < 0 || p->tx_bps < 0 ? -1 : tx_bps + p->tx_bps;
	}
	fprintf(out, "{\"time_s\": %.3f, \"interval_s\": %.3f, \"rx_packets\": %" PRIu64
		", \"tx_packets\": %" PRIu64 ", \"drop_packets\": %" PRIu64
		", \"rx_pps\": %.3f, \"tx_pps\": %.3f, \"drop_pps\": %.3f, ",
		s->time_s, s->interval_s, total.rx, total.tx, bg_counters_drops(&total),
		per_s(delta.rx, s->interval_s), per_s(delta.tx, s->interval_s),
		per_s(bg_counters_drops(&delta), s->interval_s));
	json_rate(out, "rx_bps", rx_bps);
	fprintf(out, ", ");
	json_rate(out, "tx_bps", tx_bps);
	fprintf(out, ", \"ports\": [");
	for (unsigned i = 0; i < s->nb_ports; i++) {
		const struct bg_stats_port *p = &s->ports[i];

		fprintf(out, "%s{\"port\": %u, \"name\": ", i ? ", " : "", p->port);
		json_string(out, p->name);
		fprintf(out, ", \"rx_packets\": %" PRIu64 ", \"tx_packets\": %" PRIu64
			", \"drop_packets\": %" PRIu64 ", \"drops\": {",
			p->total.rx, p->total.tx, bg_counters_drops(&p->total));
		for (int r = 0; r < BG_DROP_MAX; r++)
			fprintf(out, "%s\"%s\": %" PRIu64, r ? ", " : "", bg_drop_name(r),
				p->total.drop[r]);
		fprintf(out, "}, \"rx_pps\": %.3f, \"tx_pps\": %.3f, \"drop_pps\": %.3f, ",
			per_s(p->delta.rx, s->interval_s), per_s(p->delta.tx, s->interval_s),
			per_s(bg_counters_drops(&p->delta), s->interval_s));
		json_rate(out, "rx_bps", p->rx_bps);
		fprintf(out, ", ");
		json_rate(out, "tx_bps", p->tx_bps);
		fprintf(out, "}");
	}
	fprintf(out, "], \"lcores\": [");
	for (unsigned i = 0; i < s->nb_lcores; i++) {
		const struct bg_stats_lcore *l = &s->lcores[i];

		fprintf(out, "%s{\"lcore\": %u, \"polls\": %" PRIu64 ", \"busy_polls\": %" PRIu64
			", \"busy_share\": ", i ? ", " : "", l->lcore, l->polls, l->busy_polls);
		if (l->polls_delta != 0)
			fprintf(out, "%.6f}", (double)l->busy_polls_delta / (double)l->polls_delta);
		else
			fprintf(out, "null}");
	}
	fprintf(out, "]}\n");
}

static void
stats_text(FILE *out, const struct bg_stats_period *s)
{
	char stamp[32], rx[24], rxb[24], tx[24], txb[24], drop[24];

	snprintf(stamp, sizeof(stamp), "[%8.2f s]", s->time_s);
	for (unsigned i = 0; i < s->nb_ports; i++) {
		const struct bg_stats_port *p = &s->ports[i];
		const uint64_t drops = bg_counters_drops(&p->delta);

		bg_stats_scaled(rx, sizeof(rx), per_s(p->delta.rx, s->interval_s), "pps");
		bg_stats_scaled(tx, sizeof(tx), per_s(p->delta.tx, s->interval_s), "pps");
		bg_stats_scaled(drop, sizeof(drop), per_s(drops, s->interval_s), "pps");
		if (p->rx_bps >= 0)
			bg_stats_scaled(rxb, sizeof(rxb), p->rx_bps, "bit/s");
		else
			snprintf(rxb, sizeof(rxb), "- bit/s");
		if (p->tx_bps >= 0)
			bg_stats_scaled(txb, sizeof(txb), p->tx_bps, "bit/s");
		else
			snprintf(txb, sizeof(txb), "- bit/s");
		fprintf(out, "%s port %u: rx %10s %12s  tx %10s %12s  drop %10s", stamp, p->port,
			rx, rxb, tx, txb, drop);
		/* The reasons of this period's drops, as counts. */
		for (int r = 0, n = 0; r < BG_DROP_MAX && drops != 0; r++)
			if (p->delta.drop[r] != 0)
				fprintf(out, "%s%s %" PRIu64, n++ ? ", " : " (", bg_drop_name(r),
					p->delta.drop[r]);
		fprintf(out, "%s\n", drops != 0 ? ")" : "");
	}
	if (s->nb_lcores != 0) {
		fprintf(out, "%s lcores busy:", stamp);
		for (unsigned i = 0; i < s->nb_lcores; i++) {
			const struct bg_stats_lcore *l = &s->lcores[i];

			if (l->polls_delta != 0) {
				const double pct = 100.0 * (double)l->busy_polls_delta /
						   (double)l->polls_delta;

				/* A lightly loaded lcore still shows its share. */
				fprintf(out, " %u %.*f%%", l->lcore,
					pct == 0 || pct >= 10 ? 1 : pct >= 1 ? 2 : 3, pct);
			} else
				fprintf(out, " %u -", l->lcore);
		}
		fprintf(out, "\n");
	}
}

void
bg_stats_print(FILE *out, enum bg_stats_format fmt, const struct bg_stats_period *s)
{
	if (fmt == BG_STATS_JSON)
		stats_json(out, s);
	else
		stats_text(out, s);
	fflush(out);
}
