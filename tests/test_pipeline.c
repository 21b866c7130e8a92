/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pipeline model end to end, in process, on net_ring ports: IPv4 frames
 * of many flows (distinct 5-tuples, a per-flow sequence number in the
 * payload) go into the RX rings of two ports, the runtime forwards them
 * RX lcores -> workers -> (TX lcores), and the test reads what comes out of
 * the TX rings.
 *
 * What a user relies on and what is checked here: every flow's packets leave
 * once each, in order, on one TX queue; the output is the same multiset of
 * frames, on the same ports, as under the pinned model; exact per-port
 * counters; runts dropped on their ingress port; TX lcores transmit on the
 * queue of their rank; bad roles fail cleanly with -EINVAL; a stop with
 * packets in the channels counts them as shutdown drops; a delay stage keeps
 * per-flow order; conservation (rx == tx + drops, pools back) after every run.
 *
 * The EAL has lcore 0 (control) and four workers, 1-4, on two CPUs; each
 * test gives every one a role (or leaves the model its default: RX on 1,
 * workers on 2-4). Ports are made per run with as many RX rings as RX lcores
 * and as many TX rings as transmitting lcores (ring_ports.h); the frames of
 * many flows, and the check of what came out, are flows.h's.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "dataplane/config.h"
#include "dataplane/counters.h"
#include "dataplane/fwd.h"
#include "lcore/runtime.h"
#include "lcore/sched.h"
#include "eal_helper.h"
#include "flows.h"
#include "ring_ports.h"
#include "test_helper.h"

#define EAL_LCORES "--lcores=0@0,1@1,2@1,3@0,4@1"
#define NB_EAL_WORKERS 4
#define NB_PORTS BG_TEST_NB_PORTS
#define RING 4096                  /* holds every packet a test sends */
#define WAIT_S 20.0                /* bound on waiting for the workers */

#define NB_FLOWS 48
#define PER_FLOW 64                /* 3072 frames: fit one channel, no chan_full */
#define MAX_OUT 8192

static struct bg_test_out_rec out_a[MAX_OUT], out_b[MAX_OUT];

/* ---- fixture ---- */

/* Two ring ports (ids 0 and 1) with nrx RX and ntx TX rings each. */
static int
fixture_ports(struct bg_test_fixture *f, unsigned nrx, unsigned ntx)
{
	static const unsigned tx_size[NB_PORTS] = { RING, RING };

	if (bg_test_fixture_ports(f, "pl", nrx, RING, ntx, tx_size) != 0)
		return -1;
	CU_ASSERT_EQUAL(f->port[0].id, 0);
	CU_ASSERT_EQUAL(f->port[1].id, 1);
	return f->port[0].id == 0 && f->port[1].id == 1 ? 0 : -1;
}

/* "2,3" -> ids */
static uint16_t
parse_list(const char *s, uint16_t *ids)
{
	uint16_t n = 0;
	char *end;

	while (s != NULL && *s != '\0') {
		ids[n++] = (uint16_t)strtoul(s, &end, 10);
		s = *end == ',' ? end + 1 : end;
	}
	return n;
}

/* Config for a model and roles (NULL: none given). */
static void
fixture_config(struct bg_test_fixture *f, const char *mode, const char *fwd,
	       const char *rx, const char *workers, const char *tx)
{
	bg_config_defaults(&f->cfg);
	f->cfg.sched = bg_sched_find(mode);
	f->cfg.fwd = bg_fwd_find(fwd);
	f->cfg.link_wait_s = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->cfg.sched);
	/* Roles are the model's own options, set as the command line does. */
	if (f->cfg.sched->opts_reset != NULL)
		f->cfg.sched->opts_reset();
	if (rx != NULL)
		CU_ASSERT_EQUAL(bg_test_model_opt(f->cfg.sched, "rx-lcores", rx), 0);
	if (workers != NULL)
		CU_ASSERT_EQUAL(bg_test_model_opt(f->cfg.sched, "worker-lcores", workers), 0);
	if (tx != NULL)
		CU_ASSERT_EQUAL(bg_test_model_opt(f->cfg.sched, "tx-lcores", tx), 0);
	CU_ASSERT_PTR_NOT_NULL(f->cfg.fwd);
}

/* Resolve ports, initialise the runtime. Returns init's result, or -1 when
 * the set-up around it failed. */
static int
fixture_init(struct bg_test_fixture *f)
{
	return bg_test_fixture_init(f, NB_EAL_WORKERS, false);
}

/*
 * Stop, free what the rings hold, close, check the summary (conservation,
 * pools back, the mode), free the runtime, close any port the runtime did
 * not, free the rings.
 */
static void
fixture_finish(struct bg_test_fixture *f, bool check_summary)
{
	bg_test_fixture_stop(f);
	if (f->rt_inited && check_summary)
		bg_test_check_summary(f, f->cfg.sched->reg.name, NB_EAL_WORKERS);
	bg_test_fixture_release(f);
	/* The model's channels and tables went with the runtime. */
	CU_ASSERT_PTR_NULL(f->rt.sched_data);
}

/* ---- output ---- */

static void
check_port(const struct bg_test_fixture *f, uint16_t port, uint64_t rx, uint64_t tx, uint64_t runt)
{
	struct bg_counters c;

	bg_runtime_port_counters(&f->rt, port, &c);
	CU_ASSERT_EQUAL(c.rx, rx);
	CU_ASSERT_EQUAL(c.tx, tx);
	CU_ASSERT_EQUAL(c.drop[BG_DROP_RUNT], runt);
	CU_ASSERT_EQUAL(bg_counters_drops(&c), runt);
	if (c.rx != rx || c.tx != tx || bg_counters_drops(&c) != runt)
		fprintf(stderr, "port %u: rx %" PRIu64 " tx %" PRIu64 " drops %" PRIu64
			" (runt %" PRIu64 " chan_full %" PRIu64 " shutdown %" PRIu64
			"), expected %" PRIu64 " %" PRIu64 " %" PRIu64 "\n", port, c.rx, c.tx,
			bg_counters_drops(&c), c.drop[BG_DROP_RUNT], c.drop[BG_DROP_CHAN_FULL],
			c.drop[BG_DROP_SHUTDOWN], rx, tx, runt);
}

static bool
in_list(uint16_t lcore, const uint16_t *ids, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++)
		if (ids[i] == lcore)
			return true;
	return false;
}

/* ---- a pipeline run over many flows ---- */

struct pcase {
	const char *rx, *workers, *tx;     /* roles; all NULL: the default */
	unsigned nrx, ntx;                 /* RX lcores; transmitting lcores */
	unsigned runt_every;
	double delay_us;
	bool route_by_port;                /* TX lcores: egress p on queue p % ntx */
};

static void
run_flows(const struct pcase *pc)
{
	struct bg_test_fixture f;
	uint64_t rx[NB_PORTS] = { 0 }, runts[NB_PORTS] = { 0 };
	const int route[NB_PORTS] = { 0 % (int)pc->ntx, 1 % (int)pc->ntx };
	uint16_t rx_ids[RTE_MAX_LCORE], tx_ids[RTE_MAX_LCORE], worker_ids[RTE_MAX_LCORE];
	const uint16_t nb_rx = parse_list(pc->rx, rx_ids), nb_tx = parse_list(pc->tx, tx_ids);
	const uint16_t nb_workers = parse_list(pc->workers, worker_ids);
	unsigned n, nq;

	if (fixture_ports(&f, pc->nrx, pc->ntx) != 0)
		goto fail;
	fixture_config(&f, "pipeline", "mac", pc->rx, pc->workers, pc->tx);
	f.cfg.delay_us = pc->delay_us;
	if (fixture_init(&f) != 0)
		goto fail;
	for (uint16_t p = 0; p < NB_PORTS; p++) {
		CU_ASSERT_EQUAL(f.rt.port_rxq[p], pc->nrx);
		CU_ASSERT_EQUAL(f.rt.port_txq[p], pc->ntx);
	}
	if (bg_test_flows_inject(&f, NB_FLOWS, PER_FLOW, pc->runt_every, rx, runts) != 0)
		goto fail;
	if (bg_test_fixture_launch(&f) != 0)
		goto fail;
	CU_ASSERT_TRUE(bg_test_wait_forwarded(&f, NULL, NB_FLOWS * PER_FLOW, WAIT_S));
	bg_runtime_stop(&f.rt);

	/* Exact counters once joined: port p received what was injected on
	 * it and sent what came in on the other; runts dropped on ingress. */
	for (uint16_t p = 0; p < NB_PORTS; p++)
		check_port(&f, p, rx[p], rx[1 - p] - runts[1 - p], runts[p]);

	/* Roles: RX lcores only receive, transmitters only send, and the
	 * flows spread so that every lcore had work. */
	for (unsigned i = 0; i < f.rt.nb_workers; i++) {
		const struct bg_worker *w = f.rt.workers[i];
		const uint16_t lcore = (uint16_t)w->lcore_id;
		const bool is_rx = pc->rx != NULL ? in_list(lcore, rx_ids, nb_rx) : i == 0;
		const bool transmits = pc->tx != NULL ? in_list(lcore, tx_ids, nb_tx) : !is_rx;
		struct bg_counters sum;

		memset(&sum, 0, sizeof(sum));
		for (uint16_t p = 0; p < NB_PORTS; p++)
			bg_counters_add(&sum, &w->ctr[p]);
		CU_ASSERT_TRUE(w->polls > 0);
		CU_ASSERT_TRUE(w->busy_polls > 0);
		CU_ASSERT_EQUAL(sum.rx != 0, is_rx);
		CU_ASSERT_EQUAL(sum.tx != 0, transmits);
		CU_ASSERT_EQUAL(sum.drop[BG_DROP_CHAN_FULL] + sum.drop[BG_DROP_SHUTDOWN], 0);
	}
	CU_ASSERT_EQUAL(f.rt.nb_chain_workers,
			pc->workers != NULL ? nb_workers : NB_EAL_WORKERS - 1u);

	n = bg_test_flows_collect(&f, out_a, MAX_OUT);
	nq = bg_test_flows_check_mac(&f, out_a, n, NB_FLOWS, PER_FLOW,
				     pc->route_by_port ? route : NULL);
	/* Flows spread over every transmitter's queue of both ports (route by
	 * port: one queue per port). */
	CU_ASSERT_EQUAL(nq, pc->route_by_port ? NB_PORTS : NB_PORTS * pc->ntx);
	fixture_finish(&f, true);
	return;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
}

/* Default roles (RX 1, workers 2-4 transmit): per-flow order. */
static void
test_order_default_roles(void)
{
	run_flows(&(struct pcase){ .nrx = 1, .ntx = 3 });
}

static void
test_order_two_rx_lcores(void)
{
	run_flows(&(struct pcase){ .rx = "1,2", .workers = "3,4", .nrx = 2, .ntx = 2 });
}

/* Runts are dropped by the worker and counted on their ingress port. */
static void
test_counters_runts(void)
{
	run_flows(&(struct pcase){ .rx = "1", .workers = "2,3,4", .nrx = 1, .ntx = 3,
				   .runt_every = 7 });
}

/* TX lcores transmit, each on its own queue. */
static void
test_tx_lcore(void)
{
	run_flows(&(struct pcase){ .rx = "1", .workers = "2,3", .tx = "4", .nrx = 1, .ntx = 1,
				   .runt_every = 11 });
}

static void
test_two_tx_lcores_by_port(void)
{
	run_flows(&(struct pcase){ .rx = "1", .workers = "2", .tx = "3,4", .nrx = 1, .ntx = 2,
				   .route_by_port = true });
}

/* A fixed delay keeps each flow's order (one worker, one timer wheel). */
static void
test_delay(void)
{
	run_flows(&(struct pcase){ .rx = "1", .workers = "2,3,4", .nrx = 1, .ntx = 3,
				   .delay_us = 50 });
}

static void
test_delay_tx_lcores(void)
{
	run_flows(&(struct pcase){ .rx = "1", .workers = "2,3", .tx = "4", .nrx = 1, .ntx = 1,
				   .delay_us = 50 });
}

/* ---- the same output as pinned ---- */

/* Run the flows through a model, collect the output; the source MAC (the
 * egress port's, which may differ between two sets of ring ports) is checked
 * and then blanked. Returns how many frames, or 0 on failure. */
static unsigned
run_model(const char *mode, const char *rx, const char *workers, unsigned nrx, unsigned ntx,
	  struct bg_test_out_rec *recs)
{
	struct bg_test_fixture f;
	uint64_t in[NB_PORTS] = { 0 }, runts[NB_PORTS] = { 0 };
	unsigned n = 0;

	if (fixture_ports(&f, nrx, ntx) != 0)
		goto fail;
	fixture_config(&f, mode, "mac", rx, workers, NULL);
	if (fixture_init(&f) != 0)
		goto fail;
	if (bg_test_flows_inject(&f, NB_FLOWS, PER_FLOW, 5, in, runts) != 0 ||
	    bg_test_fixture_launch(&f) != 0)
		goto fail;
	CU_ASSERT_TRUE(bg_test_wait_forwarded(&f, NULL, NB_FLOWS * PER_FLOW, WAIT_S));
	bg_runtime_stop(&f.rt);
	for (uint16_t p = 0; p < NB_PORTS; p++)
		check_port(&f, p, in[p], in[1 - p] - runts[1 - p], runts[p]);
	n = bg_test_flows_collect(&f, recs, MAX_OUT);
	for (unsigned i = 0; i < n && i < MAX_OUT; i++) {
		struct rte_ether_addr mac;

		CU_ASSERT_EQUAL(rte_eth_macaddr_get(recs[i].port, &mac), 0);
		CU_ASSERT_EQUAL(memcmp(recs[i].bytes + 6, mac.addr_bytes, 6), 0);
		memset(recs[i].bytes + 6, 0, 6);
		recs[i].queue = 0;
	}
	fixture_finish(&f, true);
	return n;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
	return 0;
}

static void
test_same_as_pinned(void)
{
	unsigned na, nb, diff = 0;

	na = run_model("pinned", NULL, NULL, NB_EAL_WORKERS, NB_EAL_WORKERS, out_a);
	nb = run_model("pipeline", "1", "2,3,4", 1, 3, out_b);
	CU_ASSERT_EQUAL(na, NB_FLOWS * PER_FLOW);
	CU_ASSERT_EQUAL(nb, na);
	if (na != nb || na == 0 || na > MAX_OUT)
		return;
	qsort(out_a, na, sizeof(out_a[0]), bg_test_out_rec_cmp);
	qsort(out_b, nb, sizeof(out_b[0]), bg_test_out_rec_cmp);
	for (unsigned i = 0; i < na; i++)
		if (bg_test_out_rec_cmp(&out_a[i], &out_b[i]) != 0 && diff++ == 0)
			fprintf(stderr, "frame #%u differs: port %u/%u, %u/%u bytes\n", i,
				out_a[i].port, out_b[i].port, out_a[i].len, out_b[i].len);
	CU_ASSERT_EQUAL(diff, 0);
}

/* ---- roles that cannot run ---- */

static void
expect_bad_roles(const char *rx, const char *workers, const char *tx)
{
	struct bg_test_fixture f;
	int ret;

	if (fixture_ports(&f, 1, 1) != 0)
		goto fail;
	fixture_config(&f, "pipeline", "io", rx, workers, tx);
	ret = fixture_init(&f);
	CU_ASSERT_EQUAL(ret, -EINVAL);
	if (ret != -EINVAL)
		fprintf(stderr, "roles rx=%s workers=%s tx=%s: init returned %d, expected -EINVAL\n",
			rx, workers, tx, ret);
	CU_ASSERT_FALSE(f.rt.launched);
	if (f.rt_inited) {
		bg_runtime_free(&f.rt);
		bg_runtime_free(&f.rt);    /* idempotent */
		CU_ASSERT_PTR_NULL(f.rt.sched_data);
		CU_ASSERT_EQUAL(f.rt.nb_workers, 0);
		f.rt_inited = false;
	}
	fixture_finish(&f, false);
	return;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
}

static void
test_bad_roles(void)
{
	expect_bad_roles("9", "2,3,4", NULL);            /* not an EAL lcore */
	expect_bad_roles("1", "0,2,3,4", NULL);          /* the main lcore */
	expect_bad_roles("1", "2,3", "4,5");             /* 5 not in the EAL */
	expect_bad_roles("1", NULL, "2,3,4");            /* no worker */
	expect_bad_roles(NULL, "1,2,3,4", NULL);         /* no RX lcore */
	expect_bad_roles("1", "2,3", NULL);              /* lcore 4 has no role */
	expect_bad_roles("1", "2,3", "3,4");             /* 3 in two roles */
}

/* After failures, a good configuration still runs (nothing left behind). */
static void
test_good_after_bad(void)
{
	run_flows(&(struct pcase){ .rx = "4", .workers = "1,3", .tx = "2", .nrx = 1, .ntx = 1 });
}

/* ---- stop with packets in the channels ---- */

/*
 * Launch the model's loop on some workers only (by index; index i is EAL
 * lcore i + 1), so that the channels to the others fill and stay full.
 */
static int
launch_some(struct bg_test_fixture *f, const bool run[NB_EAL_WORKERS])
{
	bg_stop_reset();
	for (unsigned i = 0; i < f->rt.nb_workers; i++) {
		struct bg_worker *w = f->rt.workers[i];
		int ret;

		if (!run[i])
			continue;
		ret = rte_eal_remote_launch(f->cfg.sched->run, w, w->lcore_id);
		CU_ASSERT_EQUAL(ret, 0);
		if (ret != 0) {
			bg_stop_request();
			rte_eal_mp_wait_lcore();
			return ret;
		}
	}
	return 0;
}

static uint64_t
read_u64(const uint64_t *v)
{
	return *(const volatile uint64_t *)v;
}

/* Wait (bounded) until the RX rings are empty and every running worker has
 * polled 1000 times without finding anything. */
static bool
wait_idle(const struct bg_test_fixture *f, const bool run[NB_EAL_WORKERS])
{
	const uint64_t hz = rte_get_timer_hz();
	const uint64_t deadline = rte_get_timer_cycles() + (uint64_t)(WAIT_S * (double)hz);
	uint64_t polls[NB_EAL_WORKERS] = { 0 }, busy[NB_EAL_WORKERS] = { 0 };

	while (rte_get_timer_cycles() < deadline) {
		bool idle = bg_test_rings_count(f->port[0].rx, f->nrx) +
			    bg_test_rings_count(f->port[1].rx, f->nrx) == 0;

		for (unsigned i = 0; i < NB_EAL_WORKERS; i++) {
			const struct bg_worker *w = f->rt.workers[i];
			uint64_t b, p;

			if (!run[i])
				continue;
			b = read_u64(&w->busy_polls);
			p = read_u64(&w->polls);
			if (b != busy[i] || p < polls[i] + 1000) {
				idle = false;
				busy[i] = b;
				polls[i] = p;
			}
		}
		if (idle)
			return true;
		usleep(10 * 1000);
	}
	fprintf(stderr, "timeout waiting for the workers to go idle\n");
	return false;
}

/* What bg_runtime_stop() does after a launch_some(): stop, join, flush, then
 * the model's drain. */
static void
stop_some(struct bg_test_fixture *f)
{
	bg_stop_request();
	rte_eal_mp_wait_lcore();
	for (unsigned i = 0; i < f->rt.nb_workers; i++) {
		bg_tx_flush_all(f->rt.workers[i]);
		bg_worker_drain_tasks(f->rt.workers[i]);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(f->cfg.sched->drain);
	f->cfg.sched->drain(&f->rt);
}

/*
 * Run only the first `running` workers with the given roles on frames of
 * `flows` flows x `per` each; afterwards check per port that nothing left,
 * that every frame was received and counted as chan_full or shutdown on its
 * ingress port, and return the per-lcore drops in full[] and shutdown[].
 */
static int
run_stuck(const char *rx, const char *workers, const char *tx, unsigned ntx,
	  unsigned running, uint32_t flows, uint32_t per,
	  uint64_t full[NB_EAL_WORKERS], uint64_t shutdown[NB_EAL_WORKERS])
{
	struct bg_test_fixture f;
	bool run[NB_EAL_WORKERS] = { false };
	uint64_t in[NB_PORTS] = { 0 }, runts[NB_PORTS] = { 0 };

	for (unsigned i = 0; i < running; i++)
		run[i] = true;
	if (fixture_ports(&f, 1, ntx) != 0)
		goto fail;
	fixture_config(&f, "pipeline", "macswap", rx, workers, tx);
	if (fixture_init(&f) != 0)
		goto fail;
	if (bg_test_flows_inject(&f, flows, per, 0, in, runts) != 0 || launch_some(&f, run) != 0)
		goto fail;
	CU_ASSERT_TRUE(wait_idle(&f, run));
	stop_some(&f);
	for (uint16_t p = 0; p < NB_PORTS; p++) {
		struct bg_counters c;

		bg_runtime_port_counters(&f.rt, p, &c);
		CU_ASSERT_EQUAL(c.rx, in[p]);
		CU_ASSERT_EQUAL(c.tx, 0);
		CU_ASSERT_EQUAL(bg_test_rings_count(f.port[p].tx, f.ntx), 0);
		CU_ASSERT_EQUAL(c.drop[BG_DROP_CHAN_FULL] + c.drop[BG_DROP_SHUTDOWN], in[p]);
		CU_ASSERT_EQUAL(bg_counters_drops(&c), in[p]);
	}
	for (unsigned i = 0; i < NB_EAL_WORKERS; i++) {
		full[i] = shutdown[i] = 0;
		for (uint16_t p = 0; p < NB_PORTS; p++) {
			full[i] += f.rt.workers[i]->ctr[p].drop[BG_DROP_CHAN_FULL];
			shutdown[i] += f.rt.workers[i]->ctr[p].drop[BG_DROP_SHUTDOWN];
		}
	}
	fixture_finish(&f, true);
	return 0;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
	return -1;
}

/* Only the RX lcore runs: every frame waits in a worker's channel and is
 * counted as a shutdown drop of that worker. */
static void
test_drain_worker_channels(void)
{
	enum { FLOWS = 64, PER = 63 };                 /* 4032: fits the channels */
	uint64_t full[NB_EAL_WORKERS], shutdown[NB_EAL_WORKERS];

	if (run_stuck(NULL, NULL, NULL, 3, 1, FLOWS, PER, full, shutdown) != 0)
		return;
	CU_ASSERT_EQUAL(shutdown[0], 0);               /* the RX lcore */
	CU_ASSERT_EQUAL(shutdown[1] + shutdown[2] + shutdown[3], FLOWS * PER);
	for (unsigned i = 0; i < NB_EAL_WORKERS; i++) {
		CU_ASSERT_EQUAL(full[i], 0);
		if (i != 0)
			CU_ASSERT_TRUE(shutdown[i] > 0);      /* flows spread */
	}
}

/* RX and workers run, the TX lcore does not: every frame waits in its
 * channel and is counted as its shutdown drop. */
static void
test_drain_tx_channel(void)
{
	enum { FLOWS = 64, PER = 63 };
	uint64_t full[NB_EAL_WORKERS], shutdown[NB_EAL_WORKERS];

	if (run_stuck("1", "2,3", "4", 1, 3, FLOWS, PER, full, shutdown) != 0)
		return;
	CU_ASSERT_EQUAL(shutdown[0] + shutdown[1] + shutdown[2], 0);
	CU_ASSERT_EQUAL(shutdown[3], FLOWS * PER);
	for (unsigned i = 0; i < NB_EAL_WORKERS; i++)
		CU_ASSERT_EQUAL(full[i], 0);
}

/* One worker that never runs: its channel takes 4096 frames, the RX lcore
 * drops the rest as chan_full on their ingress port (after bounded retries),
 * and the 4096 are shutdown drops at stop. */
static void
test_chan_full(void)
{
	enum { FLOWS = 64, PER = 127, CHAN = 4096 };   /* 8128 frames */
	uint64_t full[NB_EAL_WORKERS], shutdown[NB_EAL_WORKERS];

	if (run_stuck("1", "2", "3,4", 2, 1, FLOWS, PER, full, shutdown) != 0)
		return;
	CU_ASSERT_EQUAL(full[0], FLOWS * PER - CHAN);
	CU_ASSERT_EQUAL(shutdown[1], CHAN);
	CU_ASSERT_EQUAL(full[1] + full[2] + full[3] + shutdown[0] + shutdown[2] + shutdown[3], 0);
}

/* Stop while forwarding: wherever the frames are (RX rings, channels, TX
 * rings), the counts add up. */

static void
test_stop_in_flight(void)
{
	enum { TRIES = 4, FLOWS = 64, PER = 63 };    /* 4032 frames: fill the RX rings */

	for (unsigned t = 0; t < TRIES; t++) {
		struct bg_test_fixture f;
		uint64_t in[NB_PORTS] = { 0 }, runts[NB_PORTS] = { 0 };
		struct bg_test_tally tl;
		const bool tx_lcore = t % 2 == 1;

		if (fixture_ports(&f, 1, tx_lcore ? 1 : 3) != 0)
			goto fail;
		fixture_config(&f, "pipeline", "macswap", "1", tx_lcore ? "2,3" : "2,3,4",
			       tx_lcore ? "4" : NULL);
		if (fixture_init(&f) != 0)
			goto fail;
		if (bg_test_flows_inject(&f, FLOWS, PER, 0, in, runts) != 0 ||
		    bg_test_fixture_launch(&f) != 0)
			goto fail;
		bg_runtime_stop(&f.rt);

		bg_test_tally_stopped(&f, in, &tl);
		/* Drops are stop's: no other reason. */
		for (uint16_t p = 0; p < NB_PORTS; p++) {
			struct bg_counters c;

			bg_runtime_port_counters(&f.rt, p, &c);
			CU_ASSERT_EQUAL(c.drop[BG_DROP_RUNT] + c.drop[BG_DROP_TX_FULL] +
					c.drop[BG_DROP_NO_TASK], 0);
		}
		printf("\n    try %u%s: %u left on RX rings, %" PRIu64 " received, %" PRIu64
		       " sent, %" PRIu64 " dropped at shutdown ", t, tx_lcore ? " (TX lcore)" : "",
		       tl.left, tl.rx, tl.tx, tl.shutdown);
		fixture_finish(&f, true);
		continue;
fail:
		CU_FAIL("set-up failed");
		fixture_finish(&f, false);
		return;
	}
}

/* ---- the model's defaults ---- */

static void
test_default_assignment(void)
{
	struct bg_test_fixture f;

	if (fixture_ports(&f, 1, 3) != 0)
		goto fail;
	fixture_config(&f, "pipeline", "io", NULL, NULL, NULL);
	if (fixture_init(&f) != 0)
		goto fail;
	CU_ASSERT_EQUAL(f.rt.nb_chain_workers, NB_EAL_WORKERS - 1);
	CU_ASSERT_PTR_NOT_NULL(f.rt.sched_data);
	for (unsigned i = 0; i < f.rt.nb_workers; i++) {
		const struct bg_worker *w = f.rt.workers[i];

		if (i == 0) {
			CU_ASSERT_EQUAL(w->nb_rxq, NB_PORTS);
			CU_ASSERT_EQUAL(w->nb_txport, 0);
		} else {
			CU_ASSERT_EQUAL(w->nb_rxq, 0);
			CU_ASSERT_EQUAL(w->nb_txport, NB_PORTS);
			CU_ASSERT_EQUAL(w->tx[0].queue, i - 1);
			CU_ASSERT_EQUAL(w->tx[1].queue, i - 1);
		}
	}
	/* An idle run: nothing counted, every lcore polled, conserved. */
	if (bg_test_fixture_launch(&f) != 0)
		goto fail;
	usleep(20 * 1000);
	bg_runtime_stop(&f.rt);
	for (unsigned i = 0; i < f.rt.nb_workers; i++) {
		CU_ASSERT_TRUE(f.rt.workers[i]->polls > 0);
		CU_ASSERT_EQUAL(f.rt.workers[i]->busy_polls, 0);
	}
	fixture_finish(&f, true);
	return;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
}

int
main(void)
{
	static const struct bg_test_case tests[] = {
		{ "default roles: queues, channels, idle run", test_default_assignment },
		{ "per-flow order, default roles (RX 1, workers 2-4)", test_order_default_roles },
		{ "per-flow order, two RX lcores", test_order_two_rx_lcores },
		{ "same output as pinned (mac, runts)", test_same_as_pinned },
		{ "exact counters, runts on ingress", test_counters_runts },
		{ "TX lcore transmits", test_tx_lcore },
		{ "two TX lcores, one per egress port", test_two_tx_lcores_by_port },
		{ "bad roles: -EINVAL, clean unwind", test_bad_roles },
		{ "good roles after bad ones", test_good_after_bad },
		{ "stop: frames in the workers' channels are shutdown drops", test_drain_worker_channels },
		{ "stop: frames in the TX lcore's channel are shutdown drops", test_drain_tx_channel },
		{ "full channel: chan_full on ingress, exact", test_chan_full },
		{ "stop while forwarding: conservation", test_stop_in_flight },
		{ "delay 50 us keeps per-flow order", test_delay },
		{ "delay 50 us with a TX lcore", test_delay_tx_lcores },
	};
	int ret;

	if (bg_test_eal_init(EAL_LCORES, 1 + NB_EAL_WORKERS) != 0)
		return 1;
	ret = BG_TEST_RUN_SUITE("pipeline", tests);
	bg_test_eal_cleanup();
	return ret;
}
