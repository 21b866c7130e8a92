/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * telemetry: the /brigade/... commands (lcore/telemetry.h) as a client sees
 * them, through this process's own DPDK telemetry socket (the one
 * dpdk-telemetry.py reads), while every registered model forwards frames of
 * many flows on net_ring ports (ring_ports.h, flows.h). The suite starts its
 * EAL itself: the shared helper turns telemetry off.
 *
 * What a user relies on, and is checked:
 * - after stop, every number equals the summary's (lcore/report.h): per
 *   port rx, tx, drops by reason and the device's counters; per lcore the
 *   counters, polls, busy polls and cycles, suspended and resumed, the
 *   model's own counters; every drop reason's total; latency samples and
 *   percentiles (frames are stamped on RX by a callback, as net_bgen stamps
 *   them); mode, fwd, model options, workers;
 * - the state before launch, while forwarding and after stop; answers while
 *   forwarding never exceed what went in;
 * - no runtime attached (before attach, after detach), a port or lcore that
 *   brigade does not use, a bad parameter: the answer is null.
 *
 * No timing is asserted: a wait fails only after WAIT_S seconds without the
 * frames coming out. The socket is found among the runtime directory's
 * dpdk_telemetry.v2* sockets by the pid its greeting names: other DPDK
 * processes with the same prefix may run beside the suite.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>

#include "dataplane/counters.h"
#include "dataplane/fwd.h"
#include "dataplane/hist.h"
#include "lcore/report.h"
#include "lcore/runtime.h"
#include "lcore/sched.h"
#include "lcore/telemetry.h"
#include "flows.h"
#include "ring_ports.h"
#include "test_helper.h"

#define TEL_REPLY_MAX (16384 + 1024)   /* DPDK 22.11's max_output_len, and some */
#define NB_PORTS BG_TEST_NB_PORTS
#define NB_WORKERS 3
#define EAL_LCORES "--lcores=0@0,1@1,(2,3)@0"
#define NB_FLOWS 16
#define PER_FLOW 64
#define NB_FRAMES (NB_FLOWS * PER_FLOW)
#define RING 4096                  /* holds every frame of a run */
#define WAIT_S 60.0                /* bound on waiting for the workers */

static struct bg_test_fixture fix; /* large */
static const char *model_name = ""; /* of the run in progress, for messages */
static struct bg_test_out_rec recs[NB_FRAMES + 64];
static int tel_fd = -1;            /* connected to our own telemetry socket */
static char reply[TEL_REPLY_MAX];

/* ---- the telemetry socket ---- */

/* Connect to path; keep the connection when its greeting names our pid. */
static int
tel_try(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char hello[1024];
	const char *pid;
	ssize_t n;
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
		goto fail;
	n = recv(fd, hello, sizeof(hello) - 1, 0);
	if (n <= 0)
		goto fail;
	hello[n] = '\0';
	pid = strstr(hello, "\"pid\":");
	if (pid == NULL || strtol(pid + 6, NULL, 10) != (long)getpid())
		goto fail;
	return fd;
fail:
	close(fd);
	return -1;
}

static int
tel_connect(void)
{
	const char *dir = rte_eal_get_runtime_dir();
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d == NULL) {
		fprintf(stderr, "cannot open the runtime directory %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while (tel_fd < 0 && (e = readdir(d)) != NULL) {
		char path[512];

		if (strncmp(e->d_name, "dpdk_telemetry.v2", 17) != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		tel_fd = tel_try(path);
	}
	closedir(d);
	if (tel_fd < 0)
		fprintf(stderr, "no telemetry socket of pid %d in %s\n", (int)getpid(), dir);
	return tel_fd < 0 ? -1 : 0;
}

/* Send cmd, return the answer (in reply, overwritten by the next call), or
 * "" when the socket failed. */
static const char *
tel(const char *cmd)
{
	ssize_t n;

	reply[0] = '\0';
	if (tel_fd < 0 || send(tel_fd, cmd, strlen(cmd), 0) < 0)
		return reply;
	n = recv(tel_fd, reply, sizeof(reply) - 1, 0);
	reply[n > 0 ? n : 0] = '\0';
	return reply;
}

/* ---- reading answers: keys are unique within the object searched ---- */

/* What follows "key": (and any spaces) in s, or NULL. DPDK writes JSON
 * without spaces; dpdk-telemetry.py prints it with them. */
static const char *
value_of(const char *s, const char *key)
{
	char pat[96];

	if (s == NULL)
		return NULL;
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	s = strstr(s, pat);
	if (s == NULL)
		return NULL;
	s += strlen(pat);
	while (*s == ' ')
		s++;
	return s;
}

/* Is the answer to cmd (parameters cut off) null? */
static bool
is_null(const char *answer, const char *cmd)
{
	char name[64];
	const char *v;

	snprintf(name, sizeof(name), "%.*s", (int)strcspn(cmd, ","), cmd);
	v = value_of(answer, name);
	return answer[0] == '{' && v != NULL && strncmp(v, "null", 4) == 0;
}

/* The object that is the value of "anchor" (anchor NULL: s itself), or
 * NULL. */
static const char *
obj_at(const char *s, const char *anchor)
{
	if (anchor == NULL)
		return s;
	s = value_of(s, anchor);
	return s != NULL && *s == '{' ? s : NULL;
}

/* The unsigned number of "key" after anchor; false when absent. */
static bool
u64_at(const char *s, const char *anchor, const char *key, uint64_t *v)
{
	const char *at = value_of(obj_at(s, anchor), key);
	char *end;

	if (at == NULL)
		return false;
	*v = strtoull(at, &end, 10);
	return end != at;
}

/* Is "key" after anchor the string value? */
static bool
str_at(const char *s, const char *anchor, const char *key, const char *value)
{
	const char *at = value_of(obj_at(s, anchor), key);
	const size_t len = strlen(value);

	return at != NULL && at[0] == '"' && strncmp(at + 1, value, len) == 0 && at[1 + len] == '"';
}

/* Assert that "key" after anchor in answer (to cmd) is want. */
#define EXPECT(answer, cmd, anchor, key, want) \
	expect_at(__LINE__, (answer), (cmd), (anchor), (key), (want))
static void
expect_at(int line, const char *answer, const char *cmd, const char *anchor, const char *key,
	  uint64_t want)
{
	uint64_t got = 0;
	bool found = u64_at(answer, anchor, key, &got);

	CHECK_AT(line, found && got == want, "%s, %s: %s%s%s is %s%" PRIu64 ", the summary says %" PRIu64,
		 model_name, cmd, anchor ? anchor : "", anchor ? "." : "", key,
		 found ? "" : "missing: ", got, want);
}

/* ---- stamping frames on RX, so that latency is measured ---- */

static int ts_off = -1;
static uint64_t ts_flag;
static const struct rte_eth_rxtx_callback *rx_cb[NB_PORTS][BG_TEST_MAX_Q];

static uint16_t
stamp_rx(uint16_t port __rte_unused, uint16_t queue __rte_unused, struct rte_mbuf **pkts,
	 uint16_t n, uint16_t max __rte_unused, void *arg __rte_unused)
{
	const uint64_t now = rte_get_tsc_cycles();

	for (uint16_t i = 0; i < n; i++) {
		*RTE_MBUF_DYNFIELD(pkts[i], ts_off, uint64_t *) = now;
		pkts[i]->ol_flags |= ts_flag;
	}
	return n;
}

static bool
stamps_attach(const struct bg_test_fixture *f)
{
	for (uint16_t p = 0; p < NB_PORTS; p++)
		for (uint16_t q = 0; q < f->rt.port_rxq[p] && q < BG_TEST_MAX_Q; q++) {
			rx_cb[p][q] = rte_eth_add_rx_callback(p, q, stamp_rx, NULL);
			CHECK(rx_cb[p][q] != NULL, "RX callback on port %u queue %u: %s", p, q,
			      rte_strerror(rte_errno));
			if (rx_cb[p][q] == NULL)
				return false;
		}
	return true;
}

/* Unhook (pollers stopped, ports open), then free. */
static void
stamps_detach(void)
{
	for (uint16_t p = 0; p < NB_PORTS; p++)
		for (uint16_t q = 0; q < BG_TEST_MAX_Q; q++)
			if (rx_cb[p][q] != NULL) {
				rte_eth_remove_rx_callback(p, q, rx_cb[p][q]);
				rte_free((void *)(uintptr_t)rx_cb[p][q]);
				rx_cb[p][q] = NULL;
			}
}

/* ---- the answers after stop, against the summary ---- */

/* The answers kept between stop and the summary (taken after close). */
static struct {
	char info[TEL_REPLY_MAX];
	char ports[TEL_REPLY_MAX];
	char port[NB_PORTS][TEL_REPLY_MAX];
	char lcores[TEL_REPLY_MAX];
	char lcore[NB_WORKERS][TEL_REPLY_MAX];
	char drops[TEL_REPLY_MAX];
	char latency[TEL_REPLY_MAX];
} kept;

static void
keep_answers(const struct bg_runtime *rt)
{
	char cmd[64];

	snprintf(kept.info, sizeof(kept.info), "%s", tel("/brigade/info"));
	snprintf(kept.ports, sizeof(kept.ports), "%s", tel("/brigade/ports"));
	for (unsigned p = 0; p < NB_PORTS; p++) {
		snprintf(cmd, sizeof(cmd), "/brigade/port,%u", p);
		snprintf(kept.port[p], sizeof(kept.port[p]), "%s", tel(cmd));
	}
	snprintf(kept.lcores, sizeof(kept.lcores), "%s", tel("/brigade/lcores"));
	for (unsigned i = 0; i < rt->nb_workers && i < NB_WORKERS; i++) {
		snprintf(cmd, sizeof(cmd), "/brigade/lcore,%u", rt->workers[i]->lcore_id);
		snprintf(kept.lcore[i], sizeof(kept.lcore[i]), "%s", tel(cmd));
	}
	snprintf(kept.drops, sizeof(kept.drops), "%s", tel("/brigade/drops"));
	snprintf(kept.latency, sizeof(kept.latency), "%s", tel("/brigade/latency"));
}

static uint64_t
ns_u64(double ns)
{
	return (uint64_t)(ns + 0.5);
}

static void
check_latency(const char *a, const char *anchor, const struct bg_lat_summary *l)
{
	EXPECT(a, "/brigade/latency", anchor, "samples", l->samples);
	EXPECT(a, "/brigade/latency", anchor, "unstamped", l->unstamped);
	EXPECT(a, "/brigade/latency", anchor, "mean_ns", ns_u64(l->mean_ns));
	EXPECT(a, "/brigade/latency", anchor, "p50_ns", ns_u64(l->p50_ns));
	EXPECT(a, "/brigade/latency", anchor, "p90_ns", ns_u64(l->p90_ns));
	EXPECT(a, "/brigade/latency", anchor, "p99_ns", ns_u64(l->p99_ns));
	EXPECT(a, "/brigade/latency", anchor, "p999_ns", ns_u64(l->p999_ns));
	EXPECT(a, "/brigade/latency", anchor, "max_ns", ns_u64(l->max_ns));
}

static void
check_kept(const struct bg_summary *s)
{
	char key[16];

	/* /brigade/info */
	CHECK(str_at(kept.info, NULL, "state", "stopped"), "%s: info after stop: %s",
	      s->mode, kept.info);
	CHECK(str_at(kept.info, NULL, "mode", s->mode) && str_at(kept.info, NULL, "fwd", s->fwd) &&
	      str_at(kept.info, NULL, "model_options", s->model_opts),
	      "%s: info names mode %s, fwd %s, options '%s': %s", s->mode, s->mode, s->fwd,
	      s->model_opts, kept.info);
	EXPECT(kept.info, "/brigade/info", NULL, "workers", s->nb_lcores);
	EXPECT(kept.info, "/brigade/info", NULL, "latency", 1);
	EXPECT(kept.info, "/brigade/info", NULL, "tasks_in_flight", 0);

	/* ports */
	for (unsigned i = 0; i < s->nb_ports; i++) {
		const struct bg_port_summary *ps = &s->ports[i];
		const char *a = ps->port < NB_PORTS ? kept.port[ps->port] : "";

		snprintf(key, sizeof(key), "%u", ps->port);
		EXPECT(kept.ports, "/brigade/ports", key, "rx_packets", ps->c.rx);
		EXPECT(kept.ports, "/brigade/ports", key, "tx_packets", ps->c.tx);
		EXPECT(kept.ports, "/brigade/ports", key, "drop_packets", bg_counters_drops(&ps->c));
		CHECK(str_at(kept.ports, key, "name", ps->name), "%s: ports names port %u %s: %s",
		      s->mode, ps->port, ps->name, kept.ports);

		EXPECT(a, "/brigade/port", NULL, "port", ps->port);
		EXPECT(a, "/brigade/port", NULL, "rx_packets", ps->c.rx);
		EXPECT(a, "/brigade/port", NULL, "tx_packets", ps->c.tx);
		EXPECT(a, "/brigade/port", NULL, "drop_packets", bg_counters_drops(&ps->c));
		for (int r = 0; r < BG_DROP_MAX; r++)
			EXPECT(a, "/brigade/port", "drops", bg_drop_name(r), ps->c.drop[r]);
		EXPECT(a, "/brigade/port", "nic", "ipackets", ps->nic.ipackets);
		EXPECT(a, "/brigade/port", "nic", "opackets", ps->nic.opackets);
		EXPECT(a, "/brigade/port", "nic", "ibytes", ps->nic.ibytes);
		EXPECT(a, "/brigade/port", "nic", "obytes", ps->nic.obytes);
		EXPECT(a, "/brigade/port", "nic", "imissed", ps->nic.imissed);
	}

	/* lcores */
	for (unsigned i = 0; i < s->nb_lcores && i < NB_WORKERS; i++) {
		const struct bg_lcore_summary *l = &s->lcores[i];
		const char *a = kept.lcore[i];
		const uint64_t busy_ppm = l->polls ? (uint64_t)((double)l->busy_polls * 1e6 /
								  (double)l->polls + 0.5) : 0;

		snprintf(key, sizeof(key), "%u", l->lcore);
		EXPECT(kept.lcores, "/brigade/lcores", key, "rx_packets", l->c.rx);
		EXPECT(kept.lcores, "/brigade/lcores", key, "tx_packets", l->c.tx);
		EXPECT(kept.lcores, "/brigade/lcores", key, "drop_packets", bg_counters_drops(&l->c));
		EXPECT(kept.lcores, "/brigade/lcores", key, "polls", l->polls);
		EXPECT(kept.lcores, "/brigade/lcores", key, "busy_polls", l->busy_polls);
		EXPECT(kept.lcores, "/brigade/lcores", key, "busy_ppm", busy_ppm);

		EXPECT(a, "/brigade/lcore", NULL, "lcore", l->lcore);
		EXPECT(a, "/brigade/lcore", NULL, "rx_packets", l->c.rx);
		EXPECT(a, "/brigade/lcore", NULL, "tx_packets", l->c.tx);
		EXPECT(a, "/brigade/lcore", NULL, "drop_packets", bg_counters_drops(&l->c));
		for (int r = 0; r < BG_DROP_MAX; r++)
			EXPECT(a, "/brigade/lcore", "drops", bg_drop_name(r), l->c.drop[r]);
		EXPECT(a, "/brigade/lcore", NULL, "polls", l->polls);
		EXPECT(a, "/brigade/lcore", NULL, "busy_polls", l->busy_polls);
		EXPECT(a, "/brigade/lcore", NULL, "busy_ppm", busy_ppm);
		EXPECT(a, "/brigade/lcore", NULL, "busy_cycles", l->busy_cycles);
		EXPECT(a, "/brigade/lcore", NULL, "wait_cycles", l->wait_cycles);
		EXPECT(a, "/brigade/lcore", NULL, "suspended", l->suspended);
		EXPECT(a, "/brigade/lcore", NULL, "resumed", l->resumed);
		EXPECT(a, "/brigade/lcore", NULL, "in_flight",
		       l->suspended > l->resumed ? l->suspended - l->resumed : 0);
			CHECK(obj_at(a, "model_stats") != NULL, "%s: lcore %u: no model_stats: %s",
		      s->mode, l->lcore, a);
		for (unsigned k = 0; k < l->nb_stats; k++)
			EXPECT(a, "/brigade/lcore", "model_stats", l->stats[k].name, l->stats[k].value);
	}

	/* drops */
	EXPECT(kept.drops, "/brigade/drops", NULL, "drop_packets", bg_counters_drops(&s->total));
	for (int r = 0; r < BG_DROP_MAX; r++) {
		EXPECT(kept.drops, "/brigade/drops", NULL, bg_drop_name(r), s->total.drop[r]);
		CHECK(str_at(kept.drops, "help", bg_drop_name(r), bg_drop_help(r)),
		      "%s: drops: no help for %s", s->mode, bg_drop_name(r));
	}
	for (unsigned i = 0; i < s->nb_ports; i++) {
		snprintf(key, sizeof(key), "%u", s->ports[i].port);
		EXPECT(kept.drops, "/brigade/drops", "by_port", key,
		       bg_counters_drops(&s->ports[i].c));
	}

	/* latency: every frame was stamped */
	CHECK(s->latency, "%s: the summary has no latency", s->mode);
	EXPECT(kept.latency, "/brigade/latency", NULL, "measured", 1);
	EXPECT(kept.latency, "/brigade/latency", NULL, "rel_error_ppm",
	       (uint64_t)(BG_HIST_REL_ERROR * 1e6 + 0.5));
	check_latency(kept.latency, "all", &s->lat);
	for (unsigned i = 0; i < s->nb_ports; i++) {
		snprintf(key, sizeof(key), "%u", s->ports[i].port);
		check_latency(kept.latency, key, &s->ports[i].lat);
	}
	CHECK(s->lat.samples == s->total.tx && s->lat.unstamped == 0,
	      "%s: %" PRIu64 " latency samples, %" PRIu64 " unstamped, of %" PRIu64 " sent",
	      s->mode, s->lat.samples, s->lat.unstamped, s->total.tx);
}

/* ---- a run per model ---- */

/*
 * Ports and a runtime of model with a 20 us delay stage (packets wait as
 * tasks), io forwarding; the RX rings as many as the model gives a port.
 */
static int
setup(struct bg_test_fixture *f, const struct bg_sched *model)
{
	static const unsigned tx_size[NB_PORTS] = { RING, RING };

	model_name = model->reg.name;
	if (bg_test_fixture_ports(f, "tel", BG_TEST_MAX_Q, RING, BG_TEST_MAX_Q, tx_size) != 0)
		return -1;
	CHECK(f->port[0].id == 0 && f->port[1].id == 1, "ports %d and %d, expected 0 and 1",
	      f->port[0].id, f->port[1].id);
	bg_config_defaults(&f->cfg);
	f->cfg.sched = model;
	f->cfg.fwd = bg_fwd_find("io");
	f->cfg.link_wait_s = 0;
	f->cfg.delay_us = 20;
	f->cfg.tasks = 2 * NB_FRAMES;
	if (bg_test_fixture_init(f, NB_WORKERS, true) != 0)
		return -1;
	f->nrx = RTE_MAX(1u, RTE_MIN(f->rt.port_rxq[0], BG_TEST_MAX_Q));
	f->ntx = RTE_MAX(1u, RTE_MIN(f->rt.port_txq[0], BG_TEST_MAX_Q));
	return 0;
}

static void
telemetry_run(const struct bg_sched *model)
{
	struct bg_test_fixture *f = &fix;
	uint64_t in[NB_PORTS] = { 0 }, runts[NB_PORTS] = { 0 }, v = 0;
	const struct bg_summary *s;
	const char *a;
	unsigned out;

	if (setup(f, model) != 0 || !stamps_attach(f) ||
	    bg_test_flows_inject(f, NB_FLOWS, PER_FLOW, 0, in, runts) != 0)
		goto fail;
	CHECK(is_null(tel("/brigade/info"), "/brigade/info"), "%s: answered before attach: %s",
	      model_name, reply);
	bg_telemetry_attach(&f->rt);
	a = tel("/brigade/info");
	CHECK(str_at(a, NULL, "state", "starting"), "%s: info before launch: %s", model_name, a);
	if (bg_test_fixture_launch(f) != 0)
		goto fail;

	/* A look while the workers run: never more than went in. */
	a = tel("/brigade/info");
	CHECK(str_at(a, NULL, "state", "forwarding"), "%s: info while forwarding: %s",
	      model_name, a);
	a = tel("/brigade/ports");
	CHECK(u64_at(a, "0", "rx_packets", &v) && v <= in[0],
	      "%s: ports while forwarding: port 0 rx %" PRIu64 " of %" PRIu64 " in: %s",
	      model_name, v, in[0], a);
	a = tel("/brigade/lcores");
	CHECK(u64_at(a, NULL, "busy_ppm", &v) && v <= 1000000, "%s: lcores while forwarding: %s",
	      model_name, a);

	CHECK(bg_test_wait_forwarded(f, NULL, NB_FRAMES, WAIT_S), "%s: %u frames forwarded",
	      model_name, NB_FRAMES);
	bg_runtime_stop(&f->rt);
	v = 0;
	keep_answers(&f->rt);
	/* The ports close next: detached first, as brigade's main() does. */
	bg_telemetry_detach();
	CHECK(is_null(tel("/brigade/ports"), "/brigade/ports"), "%s: answered after detach: %s",
	      model_name, reply);
	stamps_detach();
	out = bg_test_flows_collect(f, recs, RTE_DIM(recs));
	CHECK(out == NB_FRAMES, "%s: %u of %u frames out", model_name, out, NB_FRAMES);
	bg_test_fixture_stop(f);
	s = bg_test_check_summary(f, model_name, NB_WORKERS);
	CHECK(s->total.rx == NB_FRAMES && s->total.tx == NB_FRAMES, "%s: rx %" PRIu64 " tx %" PRIu64
	      ", expected %u each", model_name, s->total.rx, s->total.tx, NB_FRAMES);
	check_kept(s);
	for (unsigned i = 0; i < s->nb_lcores; i++)
		v += s->lcores[i].suspended;
	printf("    %-9s %" PRIu64 " frames, %" PRIu64 " waited as tasks, %" PRIu64
	       " latency samples\n", model_name, s->total.rx, v, s->lat.samples);
	bg_test_fixture_release(f);
	return;
fail:
	CU_FAIL("set-up failed");
	bg_telemetry_detach();
	stamps_detach();
	bg_test_fixture_stop(f);
	bg_test_fixture_release(f);
}

static void
test_every_model(void)
{
	printf("\n");
	for (const struct bg_reg_entry *e = bg_sched_registry; e != NULL; e = e->next)
		telemetry_run((const struct bg_sched *)e);
	printf("    ");
}

/* ---- null answers ---- */

static void
test_nothing_attached(void)
{
	static const char *const cmds[] = {
		"/brigade/info", "/brigade/ports", "/brigade/port,0", "/brigade/lcores",
		"/brigade/lcore,1", "/brigade/drops", "/brigade/latency",
	};

	for (size_t i = 0; i < RTE_DIM(cmds); i++)
		CHECK(is_null(tel(cmds[i]), cmds[i]), "%s with no runtime: %s", cmds[i], reply);
	/* Every command is registered, with its help. */
	for (size_t i = 0; i < RTE_DIM(cmds); i++) {
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "/help,%.*s", (int)strcspn(cmds[i], ","), cmds[i]);
		CHECK(strstr(tel(cmd), "null") == NULL, "%s: %s", cmd, reply);
	}
}

/* Ports and lcores brigade does not use, and parameters that are not ids. */
static void
test_bad_params(void)
{
	static const char *const bad[] = {
		"/brigade/port,2", "/brigade/port,31", "/brigade/port,99999", "/brigade/port",
		"/brigade/port,", "/brigade/port,0x1", "/brigade/port,-1", "/brigade/port,0,1",
		"/brigade/lcore,0", "/brigade/lcore,4", "/brigade/lcore,9999", "/brigade/lcore",
		"/brigade/lcore,one",
	};
	struct bg_test_fixture *f = &fix;
	uint64_t v = 0;

	if (setup(f, bg_sched_default()) != 0) {
		CU_FAIL("set-up failed");
		bg_test_fixture_release(f);
		return;
	}
	bg_telemetry_attach(&f->rt);
	for (size_t i = 0; i < RTE_DIM(bad); i++)
		CHECK(is_null(tel(bad[i]), bad[i]), "%s: %s", bad[i], reply);
	/* The good ones answer. */
	CHECK(u64_at(tel("/brigade/port,1"), NULL, "port", &v) && v == 1, "port 1: %s", reply);
	CHECK(u64_at(tel("/brigade/lcore,3"), NULL, "lcore", &v) && v == 3, "lcore 3: %s", reply);
	CHECK(u64_at(tel("/brigade/latency"), NULL, "measured", &v), "latency: %s", reply);
	bg_telemetry_detach();
	bg_test_fixture_stop(f);
	bg_test_fixture_release(f);
}

static void
test_setup(void)
{
	CHECK(bg_telemetry_register() == 0, "registering the commands");
	CHECK(bg_telemetry_register() == 0, "registering again is harmless");
	CHECK(tel_connect() == 0, "connecting to this process's telemetry socket");
	/* Packets carry stamps from now on: latency is measured. */
	ts_off = -1;
	CHECK(rte_mbuf_dyn_rx_timestamp_register(&ts_off, &ts_flag) == 0,
	      "registering the RX timestamp field: %s", rte_strerror(rte_errno));
}

/* The EAL as bg_test_eal_init() starts it, telemetry on. */
static int
eal_init(void)
{
	char *argv[] = {
		"test_telemetry", EAL_LCORES, "--in-memory", "--no-pci",
		"--log-level=lib.eal:warning", "--log-level=brigade:warning", NULL,
	};

	if (rte_eal_init((int)RTE_DIM(argv) - 1, argv) < 0) {
		fprintf(stderr, "EAL init failed: %s (are hugepages reserved? scripts/setup.sh hugepages)\n",
			rte_strerror(rte_errno));
		return -1;
	}
	if (rte_lcore_count() != 1 + NB_WORKERS) {
		fprintf(stderr, "need %u lcores, have %u\n", 1 + NB_WORKERS, rte_lcore_count());
		rte_eal_cleanup();
		return -1;
	}
	return 0;
}

int
main(void)
{
	static const struct bg_test_case tests[] = {
		{ "register, connect to our own telemetry socket", test_setup },
		{ "no runtime attached: every command null", test_nothing_attached },
		{ "every model: answers after stop equal the summary's", test_every_model },
		{ "ports, lcores and parameters that are not brigade's: null", test_bad_params },
	};
	int ret;

	if (eal_init() != 0)
		return 1;
	ret = BG_TEST_RUN_SUITE("telemetry", tests);
	if (tel_fd >= 0)
		close(tel_fd);
	rte_eal_cleanup();
	return ret;
}
