/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The /brigade/... telemetry commands (lcore/telemetry.h). Each callback
 * takes tel_lock, reads the attached runtime as the summary does
 * (lcore/report.c) and builds its answer in DPDK's rte_tel_data, whose JSON
 * holds one level of nesting: a top dict may hold dicts and arrays of plain
 * values, those may not hold containers again.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_telemetry.h>

#include "dataplane/counters.h"
#include "dataplane/hist.h"
#include "dataplane/log.h"
#include "lcore/report.h"
#include "lcore/runtime.h"
#include "lcore/sched.h"
#include "lcore/telemetry.h"

/* Held by every callback while it reads the runtime, and by attach and
 * detach: detach returns only once no callback reads the runtime. */
static pthread_mutex_t tel_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct bg_runtime *tel_rt;        /* under tel_lock */
static struct bg_hist tel_hist;                /* under tel_lock; 10 KiB */

void
bg_telemetry_attach(const struct bg_runtime *rt)
{
	pthread_mutex_lock(&tel_lock);
	tel_rt = rt;
	pthread_mutex_unlock(&tel_lock);
}

void
bg_telemetry_detach(void)
{
	pthread_mutex_lock(&tel_lock);
	tel_rt = NULL;
	pthread_mutex_unlock(&tel_lock);
}

/* ---- reading the runtime (per-lcore figures: bg_lcore_summary_read()) ---- */

static const struct bg_worker *
worker_of_lcore(const struct bg_runtime *rt, unsigned long lcore)
{
	for (unsigned i = 0; i < rt->nb_workers; i++)
		if (rt->workers[i]->lcore_id == lcore)
			return rt->workers[i];
	return NULL;
}

/* Parts per million, rounded; 0 of 0 is 0. */
static uint64_t
ppm(uint64_t part, uint64_t whole)
{
	return whole != 0 ? (uint64_t)((double)part * 1e6 / (double)whole + 0.5) : 0;
}

static uint64_t
sub0(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* "<id>" after the comma of /brigade/port,<id>: a decimal number <= max. */
static int
param_id(const char *params, unsigned long max, unsigned long *id)
{
	char *end;

	if (params == NULL || !isdigit((unsigned char)params[0]))
		return -EINVAL;
	errno = 0;
	*id = strtoul(params, &end, 10);
	if (errno != 0 || *end != '\0' || *id > max)
		return -EINVAL;
	return 0;
}

/* ---- building answers ---- */

static struct rte_tel_data *
dict_new(void)
{
	struct rte_tel_data *c = rte_tel_data_alloc();

	if (c != NULL)
		rte_tel_data_start_dict(c);
	return c;
}

/* Put container c (from dict_new, or NULL when that failed) in d as name;
 * d then owns it. */
static int
dict_put(struct rte_tel_data *d, const char *name, struct rte_tel_data *c)
{
	if (c == NULL)
		return -ENOMEM;
	if (rte_tel_data_add_dict_container(d, name, c, 0) != 0) {
		rte_tel_data_free(c);
		return -ENOSPC;
	}
	return 0;
}

static void
add_counters(struct rte_tel_data *d, const struct bg_counters *c)
{
	rte_tel_data_add_dict_u64(d, "rx_packets", c->rx);
	rte_tel_data_add_dict_u64(d, "tx_packets", c->tx);
	rte_tel_data_add_dict_u64(d, "drop_packets", bg_counters_drops(c));
}

static struct rte_tel_data *
drops_dict(const struct bg_counters *c)
{
	struct rte_tel_data *t = dict_new();

	if (t != NULL)
		for (int r = 0; r < BG_DROP_MAX; r++)
			rte_tel_data_add_dict_u64(t, bg_drop_name(r), c->drop[r]);
	return t;
}

/* The figures of the summary's latency table, from h, in whole ns. */
static struct rte_tel_data *
latency_dict(const struct bg_hist *h, uint64_t tx)
{
	const double ns = 1e9 / (double)rte_get_tsc_hz();
	struct rte_tel_data *t = dict_new();

	if (t == NULL)
		return NULL;
	rte_tel_data_add_dict_u64(t, "samples", h->count);
	rte_tel_data_add_dict_u64(t, "unstamped", sub0(tx, h->count));
	rte_tel_data_add_dict_u64(t, "mean_ns", (uint64_t)(bg_hist_mean(h) * ns + 0.5));
	rte_tel_data_add_dict_u64(t, "p50_ns",
				  (uint64_t)((double)bg_hist_quantile(h, 0.50) * ns + 0.5));
	rte_tel_data_add_dict_u64(t, "p90_ns",
				  (uint64_t)((double)bg_hist_quantile(h, 0.90) * ns + 0.5));
	rte_tel_data_add_dict_u64(t, "p99_ns",
				  (uint64_t)((double)bg_hist_quantile(h, 0.99) * ns + 0.5));
	rte_tel_data_add_dict_u64(t, "p999_ns",
				  (uint64_t)((double)bg_hist_quantile(h, 0.999) * ns + 0.5));
	rte_tel_data_add_dict_u64(t, "max_ns", (uint64_t)((double)h->max * ns + 0.5));
	return t;
}

/* ---- the commands; each runs under tel_lock with a runtime attached ---- */

static int
tel_info(const struct bg_runtime *rt, const char *params __rte_unused, struct rte_tel_data *d)
{
	const struct bg_config *cfg = rt->cfg;
	struct rte_tel_data *lcores, *ports;
	char buf[160];
	uint64_t suspended = 0, resumed = 0;

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "state",
				     rt->launched ? (bg_stop_requested() ? "stopping" : "forwarding") :
				     rt->start_tsc != 0 ? "stopped" : "starting");
	rte_tel_data_add_dict_string(d, "mode", cfg->sched->reg.name);
	buf[0] = '\0';
	if (cfg->sched->describe != NULL)
		cfg->sched->describe(buf, sizeof(buf));
	rte_tel_data_add_dict_string(d, "model_options", buf);
	rte_tel_data_add_dict_string(d, "fwd", cfg->fwd->reg.name);
	buf[0] = '\0';
	if (rt->nb_workers != 0)
		bg_exec_chain_names(&rt->workers[0]->x, buf, sizeof(buf));
	rte_tel_data_add_dict_string(d, "stages", buf[0] != '\0' ? buf : "none");
	rte_tel_data_add_dict_u64(d, "workers", rt->nb_workers);
	rte_tel_data_add_dict_u64(d, "duration_us", (uint64_t)(bg_runtime_elapsed(rt) * 1e6));
	rte_tel_data_add_dict_int(d, "latency", rt->latency);
	for (unsigned i = 0; i < rt->nb_workers; i++) {
		suspended += rt->workers[i]->x.suspended;
		resumed += rt->workers[i]->x.resumed_count;
	}
	rte_tel_data_add_dict_u64(d, "tasks_in_flight", sub0(suspended, resumed));

	lcores = rte_tel_data_alloc();
	if (lcores != NULL) {
		rte_tel_data_start_array(lcores, RTE_TEL_INT_VAL);
		for (unsigned i = 0; i < rt->nb_workers; i++)
			rte_tel_data_add_array_int(lcores, (int)rt->workers[i]->lcore_id);
	}
	if (dict_put(d, "lcores", lcores) != 0)
		return -ENOMEM;
	ports = rte_tel_data_alloc();
	if (ports != NULL) {
		rte_tel_data_start_array(ports, RTE_TEL_INT_VAL);
		for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++)
			if (rt->port_used[p])
				rte_tel_data_add_array_int(ports, p);
	}
	return dict_put(d, "ports", ports);
}

static int
tel_ports(const struct bg_runtime *rt, const char *params __rte_unused, struct rte_tel_data *d)
{
	rte_tel_data_start_dict(d);
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++) {
		struct rte_tel_data *t;
		struct bg_counters c;
		char key[8];

		if (!rt->port_used[p])
			continue;
		bg_runtime_port_counters(rt, p, &c);
		t = dict_new();
		if (t != NULL) {
			rte_tel_data_add_dict_string(t, "name", rt->ports[p].name);
			add_counters(t, &c);
		}
		snprintf(key, sizeof(key), "%u", p);
		if (dict_put(d, key, t) != 0)
			return -ENOMEM;
	}
	return 0;
}

static int
tel_port(const struct bg_runtime *rt, const char *params, struct rte_tel_data *d)
{
	const struct bg_port *bp;
	struct rte_tel_data *nic = NULL;
	struct rte_eth_stats st;
	struct bg_counters c;
	unsigned long p;

	if (param_id(params, RTE_MAX_ETHPORTS - 1, &p) != 0 || !rt->port_used[p])
		return -EINVAL;
	bp = &rt->ports[p];
	bg_runtime_port_counters(rt, (uint16_t)p, &c);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "port", p);
	rte_tel_data_add_dict_string(d, "name", bp->name);
	rte_tel_data_add_dict_string(d, "driver", bp->driver);
	rte_tel_data_add_dict_int(d, "socket", bp->socket);
	rte_tel_data_add_dict_int(d, "link_up", bp->link_up);
	add_counters(d, &c);
	if (dict_put(d, "drops", drops_dict(&c)) != 0)
		return -ENOMEM;
	/* The device's own counters, live: the port is up while attached. */
	if (rte_eth_stats_get((uint16_t)p, &st) == 0) {
		nic = dict_new();
		if (nic != NULL) {
			rte_tel_data_add_dict_u64(nic, "ipackets", st.ipackets);
			rte_tel_data_add_dict_u64(nic, "opackets", st.opackets);
			rte_tel_data_add_dict_u64(nic, "ibytes", st.ibytes);
			rte_tel_data_add_dict_u64(nic, "obytes", st.obytes);
			rte_tel_data_add_dict_u64(nic, "imissed", st.imissed);
			rte_tel_data_add_dict_u64(nic, "rx_nombuf", st.rx_nombuf);
			rte_tel_data_add_dict_u64(nic, "ierrors", st.ierrors);
			rte_tel_data_add_dict_u64(nic, "oerrors", st.oerrors);
		}
		if (dict_put(d, "nic", nic) != 0)
			return -ENOMEM;
	}
	return 0;
}

static int
tel_lcores(const struct bg_runtime *rt, const char *params __rte_unused, struct rte_tel_data *d)
{
	struct bg_lcore_summary ls;

	rte_tel_data_start_dict(d);
	for (unsigned i = 0; i < rt->nb_workers; i++) {
		struct rte_tel_data *t = dict_new();
		char key[8];

		bg_lcore_summary_read(&ls, rt, rt->workers[i]);
		if (t != NULL) {
			add_counters(t, &ls.c);
			rte_tel_data_add_dict_u64(t, "polls", ls.polls);
			rte_tel_data_add_dict_u64(t, "busy_polls", ls.busy_polls);
			rte_tel_data_add_dict_u64(t, "busy_ppm", ppm(ls.busy_polls, ls.polls));
			rte_tel_data_add_dict_u64(t, "in_flight", sub0(ls.suspended, ls.resumed));
		}
		snprintf(key, sizeof(key), "%u", ls.lcore);
		if (dict_put(d, key, t) != 0)
			return -ENOMEM;
	}
	return 0;
}

static int
tel_lcore(const struct bg_runtime *rt, const char *params, struct rte_tel_data *d)
{
	const struct bg_worker *w;
	struct bg_lcore_summary ls;
	struct rte_tel_data *st;
	unsigned long id;

	if (param_id(params, RTE_MAX_LCORE - 1, &id) != 0)
		return -EINVAL;
	w = worker_of_lcore(rt, id);
	if (w == NULL)
		return -EINVAL;
	bg_lcore_summary_read(&ls, rt, w);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "lcore", ls.lcore);
	rte_tel_data_add_dict_int(d, "socket", ls.socket);
	add_counters(d, &ls.c);
	if (dict_put(d, "drops", drops_dict(&ls.c)) != 0)
		return -ENOMEM;
	rte_tel_data_add_dict_u64(d, "polls", ls.polls);
	rte_tel_data_add_dict_u64(d, "busy_polls", ls.busy_polls);
	rte_tel_data_add_dict_u64(d, "busy_ppm", ppm(ls.busy_polls, ls.polls));
	rte_tel_data_add_dict_u64(d, "busy_cycles", ls.busy_cycles);
	rte_tel_data_add_dict_u64(d, "wait_cycles", ls.wait_cycles);
	rte_tel_data_add_dict_u64(d, "suspended", ls.suspended);
	rte_tel_data_add_dict_u64(d, "resumed", ls.resumed);
	rte_tel_data_add_dict_u64(d, "in_flight", sub0(ls.suspended, ls.resumed));
	st = dict_new();
	if (st != NULL)
		for (unsigned k = 0; k < ls.nb_stats; k++)
			rte_tel_data_add_dict_u64(st, ls.stats[k].name, ls.stats[k].value);
	return dict_put(d, "model_stats", st);
}

static int
tel_drops(const struct bg_runtime *rt, const char *params __rte_unused, struct rte_tel_data *d)
{
	struct rte_tel_data *by_port = dict_new(), *help = dict_new();
	struct bg_counters total, c;

	memset(&total, 0, sizeof(total));
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++) {
		char key[8];

		if (!rt->port_used[p])
			continue;
		bg_runtime_port_counters(rt, p, &c);
		bg_counters_add(&total, &c);
		snprintf(key, sizeof(key), "%u", p);
		if (by_port != NULL)
			rte_tel_data_add_dict_u64(by_port, key, bg_counters_drops(&c));
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "drop_packets", bg_counters_drops(&total));
	for (int r = 0; r < BG_DROP_MAX; r++) {
		rte_tel_data_add_dict_u64(d, bg_drop_name(r), total.drop[r]);
		if (help != NULL)
			rte_tel_data_add_dict_string(help, bg_drop_name(r), bg_drop_help(r));
	}
	if (dict_put(d, "by_port", by_port) != 0) {
		if (help != NULL)
			rte_tel_data_free(help);
		return -ENOMEM;
	}
	return dict_put(d, "help", help);
}

static int
tel_latency(const struct bg_runtime *rt, const char *params __rte_unused, struct rte_tel_data *d)
{
	struct bg_counters c;
	uint64_t tx = 0;

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "measured", rt->latency);
	if (!rt->latency)
		return 0;
	rte_tel_data_add_dict_u64(d, "rel_error_ppm", (uint64_t)(BG_HIST_REL_ERROR * 1e6 + 0.5));
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++) {
		char key[8];

		if (!rt->port_used[p])
			continue;
		bg_runtime_port_counters(rt, p, &c);
		tx += c.tx;
		bg_runtime_latency(rt, p, &tel_hist);
		snprintf(key, sizeof(key), "%u", p);
		if (dict_put(d, key, latency_dict(&tel_hist, c.tx)) != 0)
			return -ENOMEM;
	}
	bg_runtime_latency(rt, RTE_MAX_ETHPORTS, &tel_hist);
	return dict_put(d, "all", latency_dict(&tel_hist, tx));
}

/* ---- registration ---- */

typedef int (*tel_fn)(const struct bg_runtime *rt, const char *params, struct rte_tel_data *d);

static int
tel_call(tel_fn fn, const char *params, struct rte_tel_data *d)
{
	int ret = -ENODEV;

	pthread_mutex_lock(&tel_lock);
	if (tel_rt != NULL)
		ret = fn(tel_rt, params, d);
	pthread_mutex_unlock(&tel_lock);
	return ret;
}

#define TEL_CB(name)                                                           \
	static int tel_cb_##name(const char *cmd __rte_unused, const char *params, \
				 struct rte_tel_data *d)                       \
	{                                                                      \
		return tel_call(tel_##name, params, d);                        \
	}
TEL_CB(info)
TEL_CB(ports)
TEL_CB(port)
TEL_CB(lcores)
TEL_CB(lcore)
TEL_CB(drops)
TEL_CB(latency)
#undef TEL_CB

static const struct {
	const char *cmd;
	telemetry_cb fn;
	const char *help;
} tel_cmds[] = {
	{ "/brigade/info", tel_cb_info,
	  "brigade's run: mode, model options, fwd, stages, workers, lcores, ports, state, duration. No parameters" },
	{ "/brigade/ports", tel_cb_ports,
	  "Per port in use: name and brigade's rx, tx and drop counts. No parameters" },
	{ "/brigade/port", tel_cb_port,
	  "One port: brigade's counters, drops by reason, the NIC's counters. Parameter: port id" },
	{ "/brigade/lcores", tel_cb_lcores,
	  "Per worker lcore: rx, tx, drops, polls, busy share, tasks in flight. No parameters" },
	{ "/brigade/lcore", tel_cb_lcore,
	  "One worker lcore: its counters, cycles, tasks and the model's counters. Parameter: lcore id" },
	{ "/brigade/drops", tel_cb_drops,
	  "Every drop reason's total, drops by port, what each reason means. No parameters" },
	{ "/brigade/latency", tel_cb_latency,
	  "Latency from arrival stamp to transmit in ns (all ports, and per port), when packets carry stamps. No parameters" },
};

int
bg_telemetry_register(void)
{
	static bool done;

	if (done)
		return 0;
	for (size_t i = 0; i < RTE_DIM(tel_cmds); i++) {
		int ret = rte_telemetry_register_cmd(tel_cmds[i].cmd, tel_cmds[i].fn,
						     tel_cmds[i].help);

		if (ret != 0) {
			BG_LOG(WARNING, "telemetry: cannot register %s: %s", tel_cmds[i].cmd,
			       rte_strerror(-ret));
			return ret;
		}
	}
	done = true;
	return 0;
}
