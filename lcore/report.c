/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>

#include "dataplane/hist.h"
#include "lcore/report.h"
#include "lcore/runtime.h"
#include "lcore/sched.h"

static void
lat_collect(struct bg_lat_summary *ls, const struct bg_hist *h, uint64_t tx)
{
	const double ns = 1e9 / (double)rte_get_tsc_hz();

	ls->samples = h->count;
	ls->unstamped = tx > h->count ? tx - h->count : 0;
	ls->mean_ns = bg_hist_mean(h) * ns;
	ls->p50_ns = (double)bg_hist_quantile(h, 0.50) * ns;
	ls->p90_ns = (double)bg_hist_quantile(h, 0.90) * ns;
	ls->p99_ns = (double)bg_hist_quantile(h, 0.99) * ns;
	ls->p999_ns = (double)bg_hist_quantile(h, 0.999) * ns;
	ls->max_ns = (double)h->max * ns;
}

void
bg_lcore_summary_read(struct bg_lcore_summary *ls, const struct bg_runtime *rt,
		      const struct bg_worker *w)
{
	memset(ls, 0, sizeof(*ls));
	ls->lcore = w->lcore_id;
	ls->socket = w->socket;
	ls->polls = w->polls;
	ls->busy_polls = w->busy_polls;
	ls->busy_cycles = w->busy_cycles;
	ls->wait_cycles = w->wait_cycles;
	ls->suspended = w->x.suspended;
	ls->resumed = w->x.resumed_count;
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++)
		if (rt->port_used[p])
			bg_counters_add(&ls->c, &w->ctr[p]);
	if (rt->cfg->sched->stats != NULL) {
		ls->nb_stats = rt->cfg->sched->stats(rt, w, ls->stats);
		if (ls->nb_stats > BG_SCHED_STATS_MAX)
			ls->nb_stats = BG_SCHED_STATS_MAX;
	}
}

void
bg_summary_collect(struct bg_summary *s, const struct bg_runtime *rt)
{
	static struct bg_hist lat;     /* 10 KiB: not on the stack */

	memset(s, 0, sizeof(*s));
	s->mode = rt->cfg->sched->reg.name;
	s->fwd = rt->cfg->fwd->reg.name;
	if (rt->cfg->sched->describe != NULL)
		rt->cfg->sched->describe(s->model_opts, sizeof(s->model_opts));
	s->nb_failed = rt->nb_failed;
	s->duration_s = bg_runtime_elapsed(rt);

	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++) {
		struct bg_port_summary *ps;

		if (!rt->port_used[p])
			continue;
		ps = &s->ports[s->nb_ports++];
		ps->port = p;
		memcpy(ps->name, rt->ports[p].name, sizeof(ps->name));
		memcpy(ps->driver, rt->ports[p].driver, sizeof(ps->driver));
		ps->socket = rt->ports[p].socket;
		ps->link_up = rt->ports[p].link_up;
		ps->nic = rt->ports[p].stats;
		bg_runtime_port_counters(rt, p, &ps->c);
		bg_counters_add(&s->total, &ps->c);
		if (rt->latency) {
			bg_runtime_latency(rt, p, &lat);
			lat_collect(&ps->lat, &lat, ps->c.tx);
		}
	}
	s->latency = rt->latency;
	if (rt->latency) {
		bg_runtime_latency(rt, RTE_MAX_ETHPORTS, &lat);
		lat_collect(&s->lat, &lat, s->total.tx);
	}
	for (unsigned i = 0; i < rt->nb_workers; i++) {
		const struct bg_worker *w = rt->workers[i];
		struct bg_lcore_summary *ls = &s->lcores[s->nb_lcores++];

		bg_lcore_summary_read(ls, rt, w);
		s->busy_cycles += ls->busy_cycles;
		s->wait_cycles += ls->wait_cycles;
		s->nb_stats = ls->nb_stats;
		for (unsigned k = 0; k < ls->nb_stats; k++) {
			s->stats[k].name = ls->stats[k].name;
			s->stats[k].value += ls->stats[k].value;
		}
	}
	s->pools_returned = true;
	for (int k = 0; k < RTE_MAX_NUMA_NODES; k++) {
		const struct bg_pool_slot *slot = &rt->pools[k];
		struct bg_pool_summary *pl;

		if (slot->size == 0)
			continue;
		pl = &s->pools[s->nb_pools++];
		pl->kind = "mbuf";
		pl->socket = k;
		pl->size = slot->size;
		pl->in_use_start = slot->in_use_start;
		pl->in_use_end = slot->in_use_end;
		if (slot->pool != NULL || pl->in_use_end != pl->in_use_start)
			s->pools_returned = false;     /* still open, or leaked */
		pl = &s->pools[s->nb_pools++];
		pl->kind = "task";
		pl->socket = k;
		pl->size = slot->tasks_size;
		pl->in_use_start = slot->tasks_in_use_start;
		pl->in_use_end = slot->tasks_in_use_end;
		if (slot->tasks != NULL || pl->in_use_end != pl->in_use_start)
			s->pools_returned = false;
	}
	if (s->total.rx != 0)
		s->cycles_per_packet = (double)(s->busy_cycles > s->wait_cycles ?
						s->busy_cycles - s->wait_cycles : 0) /
				       (double)s->total.rx;
	s->packets_conserved = s->total.rx == s->total.tx + bg_counters_drops(&s->total);
	s->conserved = s->packets_conserved && s->pools_returned;
}

static double
mpps(uint64_t packets, double seconds)
{
	return seconds > 0 ? (double)packets / seconds / 1e6 : 0.0;
}

void
bg_summary_print(const struct bg_summary *s, FILE *out)
{
	const struct bg_counters *t = &s->total;

	fprintf(out, "\n=== brigade summary: mode %s%s%s%s, fwd %s, %.3f s ===\n",
		s->mode, s->model_opts[0] ? " (" : "", s->model_opts,
		s->model_opts[0] ? ")" : "", s->fwd, s->duration_s);
	fprintf(out, "%-5s %-16s %14s %14s %12s %9s %9s   %s\n", "port", "name",
		"rx_packets", "tx_packets", "drops", "rx_mpps", "tx_mpps",
		"nic: imissed rx_nombuf ierrors oerrors");
	for (unsigned i = 0; i < s->nb_ports; i++) {
		const struct bg_port_summary *p = &s->ports[i];

		fprintf(out, "%-5u %-16s %14" PRIu64 " %14" PRIu64 " %12" PRIu64 " %9.3f %9.3f   %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
			p->port, p->name, p->c.rx, p->c.tx, bg_counters_drops(&p->c),
			mpps(p->c.rx, s->duration_s), mpps(p->c.tx, s->duration_s),
			p->nic.imissed, p->nic.rx_nombuf, p->nic.ierrors, p->nic.oerrors);
	}
	fprintf(out, "%-5s %-6s %14s %14s %12s %9s %6s\n", "lcore", "socket",
		"rx_packets", "tx_packets", "drops", "rx_mpps", "busy%");
	for (unsigned i = 0; i < s->nb_lcores; i++) {
		const struct bg_lcore_summary *l = &s->lcores[i];

		fprintf(out, "%-5u %-6d %14" PRIu64 " %14" PRIu64 " %12" PRIu64 " %9.3f %6.1f\n",
			l->lcore, l->socket, l->c.rx, l->c.tx, bg_counters_drops(&l->c),
			mpps(l->c.rx, s->duration_s),
			l->polls ? 100.0 * (double)l->busy_polls / (double)l->polls : 0.0);
	}
	if (s->nb_stats != 0) {
		fprintf(out, "%-5s", "lcore");
		for (unsigned k = 0; k < s->nb_stats; k++)
			fprintf(out, " %14s", s->stats[k].name);
		fprintf(out, "\n");
		for (unsigned i = 0; i <= s->nb_lcores; i++) {
			const struct bg_stat *st = i < s->nb_lcores ? s->lcores[i].stats : s->stats;

			if (i < s->nb_lcores)
				fprintf(out, "%-5u", s->lcores[i].lcore);
			else
				fprintf(out, "%-5s", "all");
			for (unsigned k = 0; k < s->nb_stats; k++)
				fprintf(out, " %14" PRIu64, st[k].value);
			fprintf(out, "\n");
		}
	}
	if (s->nb_failed != 0)
		fprintf(out, "FAILED: %u worker loop%s returned an error (see the log)\n",
			s->nb_failed, s->nb_failed == 1 ? "" : "s");
	if (s->busy_cycles != 0)
		fprintf(out, "busy cycles: %" PRIu64 " over all lcores (%" PRIu64
			" of them waiting on full channels), %.1f of work per packet received\n",
			s->busy_cycles, s->wait_cycles, s->cycles_per_packet);
	if (s->latency) {
		fprintf(out, "latency, arrival stamp to transmit, us (histogram within %.1f%%):\n",
			100.0 * BG_HIST_REL_ERROR);
		fprintf(out, "%-5s %14s %10s %10s %10s %10s %10s %10s %12s\n", "port",
			"samples", "mean", "p50", "p90", "p99", "p99.9", "max", "unstamped");
		for (unsigned i = 0; i <= s->nb_ports; i++) {
			const struct bg_lat_summary *l = i < s->nb_ports ? &s->ports[i].lat : &s->lat;
			char name[8];

			if (i < s->nb_ports)
				snprintf(name, sizeof(name), "%u", s->ports[i].port);
			else
				snprintf(name, sizeof(name), "all");
			fprintf(out, "%-5s %14" PRIu64 " %10.3f %10.3f %10.3f %10.3f %10.3f %10.3f %12" PRIu64 "\n",
				name, l->samples, l->mean_ns / 1e3, l->p50_ns / 1e3,
				l->p90_ns / 1e3, l->p99_ns / 1e3, l->p999_ns / 1e3,
				l->max_ns / 1e3, l->unstamped);
		}
	}
	fprintf(out, "drops by reason:");
	for (int r = 0; r < BG_DROP_MAX; r++)
		fprintf(out, " %s %" PRIu64, bg_drop_name(r), t->drop[r]);
	fprintf(out, "\n");
	for (unsigned i = 0; i < s->nb_pools; i++)
		fprintf(out, "pool %s socket %d: %u, in use %u at start, %u at exit\n",
			s->pools[i].kind, s->pools[i].socket, s->pools[i].size,
			s->pools[i].in_use_start, s->pools[i].in_use_end);
	fprintf(out, "conservation: rx %" PRIu64 " %s tx %" PRIu64 " + drops %" PRIu64 "%s; pools %s -> %s\n",
		t->rx, s->packets_conserved ? "==" : "!=", t->tx, bg_counters_drops(t),
		s->packets_conserved ? "" : " (packets lost)",
		s->pools_returned ? "back to start" : "NOT back to start (leak)",
		s->conserved ? "OK" : "FAILED");
}

static void
json_latency(FILE *out, bool on, const struct bg_lat_summary *l)
{
	if (!on) {
		fprintf(out, "null");
		return;
	}
	fprintf(out, "{\"samples\": %" PRIu64 ", \"unstamped\": %" PRIu64
		", \"mean_ns\": %.1f, \"p50_ns\": %.1f, \"p90_ns\": %.1f, \"p99_ns\": %.1f"
		", \"p999_ns\": %.1f, \"max_ns\": %.1f}", l->samples, l->unstamped,
		l->mean_ns, l->p50_ns, l->p90_ns, l->p99_ns, l->p999_ns, l->max_ns);
}

static void
json_stats(FILE *out, const struct bg_stat *st, unsigned n)
{
	fprintf(out, "{");
	for (unsigned k = 0; k < n; k++)
		fprintf(out, "%s\"%s\": %" PRIu64, k ? ", " : "", st[k].name, st[k].value);
	fprintf(out, "}");
}

static void
json_counters(FILE *out, const struct bg_counters *c, double seconds)
{
	fprintf(out, "\"rx_packets\": %" PRIu64 ", \"tx_packets\": %" PRIu64
		", \"drop_packets\": %" PRIu64 ", \"drops\": {",
		c->rx, c->tx, bg_counters_drops(c));
	for (int r = 0; r < BG_DROP_MAX; r++)
		fprintf(out, "%s\"%s\": %" PRIu64, r ? ", " : "", bg_drop_name(r), c->drop[r]);
	fprintf(out, "}, \"rx_mpps\": %.6f, \"tx_mpps\": %.6f",
		mpps(c->rx, seconds), mpps(c->tx, seconds));
}

void
bg_summary_json(const struct bg_summary *s, FILE *out)
{
	fprintf(out, "{\n  \"mode\": \"%s\",\n  \"model_options\": \"%s\",\n  \"fwd\": \"%s\",\n  \"duration_s\": %.6f,\n  \"failed_lcores\": %u,\n  \"model_stats\": ",
		s->mode, s->model_opts, s->fwd, s->duration_s, s->nb_failed);
	json_stats(out, s->stats, s->nb_stats);
	fprintf(out, ",\n  ");
	json_counters(out, &s->total, s->duration_s);
	fprintf(out, ",\n  \"busy_cycles\": %" PRIu64 ", \"wait_cycles\": %" PRIu64
		", \"cycles_per_packet\": %.3f", s->busy_cycles, s->wait_cycles,
		s->cycles_per_packet);
	fprintf(out, ",\n  \"latency_rel_error\": %.6f, \"latency\": ", BG_HIST_REL_ERROR);
	json_latency(out, s->latency, &s->lat);
	fprintf(out, ",\n  \"conserved\": %s,\n  \"packets_conserved\": %s,\n  \"pools_returned\": %s,\n",
		s->conserved ? "true" : "false", s->packets_conserved ? "true" : "false",
		s->pools_returned ? "true" : "false");

	fprintf(out, "  \"ports\": [");
	for (unsigned i = 0; i < s->nb_ports; i++) {
		const struct bg_port_summary *p = &s->ports[i];

		fprintf(out, "%s\n    {\"port\": %u, \"name\": \"%s\", \"driver\": \"%s\", \"socket\": %d, \"link_up\": %s, ",
			i ? "," : "", p->port, p->name, p->driver, p->socket,
			p->link_up ? "true" : "false");
		json_counters(out, &p->c, s->duration_s);
		fprintf(out, ", \"nic\": {\"ipackets\": %" PRIu64 ", \"opackets\": %" PRIu64
			", \"imissed\": %" PRIu64 ", \"rx_nombuf\": %" PRIu64
			", \"ierrors\": %" PRIu64 ", \"oerrors\": %" PRIu64 "}",
			p->nic.ipackets, p->nic.opackets, p->nic.imissed,
			p->nic.rx_nombuf, p->nic.ierrors, p->nic.oerrors);
		fprintf(out, ", \"latency\": ");
		json_latency(out, s->latency, &p->lat);
		fprintf(out, "}");
	}
	fprintf(out, "\n  ],\n  \"lcores\": [");
	for (unsigned i = 0; i < s->nb_lcores; i++) {
		const struct bg_lcore_summary *l = &s->lcores[i];

		fprintf(out, "%s\n    {\"lcore\": %u, \"socket\": %d, ", i ? "," : "",
			l->lcore, l->socket);
		json_counters(out, &l->c, s->duration_s);
		fprintf(out, ", \"polls\": %" PRIu64 ", \"busy_polls\": %" PRIu64
			", \"busy_cycles\": %" PRIu64 ", \"wait_cycles\": %" PRIu64
			", \"suspended\": %" PRIu64 ", \"resumed\": %" PRIu64 ", \"model_stats\": ",
			l->polls, l->busy_polls, l->busy_cycles, l->wait_cycles,
			l->suspended, l->resumed);
		json_stats(out, l->stats, l->nb_stats);
		fprintf(out, "}");
	}
	fprintf(out, "\n  ],\n  \"pools\": [");
	for (unsigned i = 0; i < s->nb_pools; i++)
		fprintf(out, "%s\n    {\"kind\": \"%s\", \"socket\": %d, \"size\": %u, \"in_use_start\": %u, \"in_use_end\": %u}",
			i ? "," : "", s->pools[i].kind, s->pools[i].socket, s->pools[i].size,
			s->pools[i].in_use_start, s->pools[i].in_use_end);
	fprintf(out, "\n  ]\n}\n");
}

int
bg_summary_write_json(const struct bg_summary *s, const char *path)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	f = fopen(tmp, "w");
	if (f == NULL)
		return -errno;
	bg_summary_json(s, f);
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		int err = errno;

		remove(tmp);
		return -err;
	}
	return 0;
}
