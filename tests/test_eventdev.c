/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The eventdev model end to end, in process, on net_ring ports, with
 * event_dsw and with event_sw: IPv4 frames of many flows (distinct 5-tuples,
 * a per-flow sequence number in the payload) go into the RX rings of two
 * ports, three workers poll them into the event device, which schedules the
 * flows over the workers, and the test reads what comes out.
 *
 * Every TX queue of a port writes into one ring, shared (multi-producer), so
 * the ring holds the port's frames in the order the workers handed them to
 * the port, whichever worker sent them: per-flow order is checked across
 * workers, as a receiver on the wire would see it.
 *
 * What a user relies on and what is checked here: every frame leaves once,
 * on the right port, with the right bytes, each flow in order; the output is
 * the same multiset as under pinned; exact per-port counters, runts dropped on
 * their ingress port; the model's own counters agree with them; a stop with
 * events still in the device counts them as shutdown drops; a device that
 * stays full drops what it refuses as chan_full after the retries; a stop at
 * any moment conserves packets; a delay stage resumes every packet on the
 * worker that suspended it; bad --evdev and --evdev-events values are one-line
 * errors; a device that cannot take the configuration unwinds cleanly; an
 * event device given with the EAL is used and left in place. Conservation
 * (rx == tx + drops, pools back) after every run. No timing is asserted: the
 * suite must pass on two busy CPUs.
 *
 * The EAL has lcore 0 (control) and three workers, 1-3, on two CPUs.
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
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_eventdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dataplane/config.h"
#include "dataplane/counters.h"
#include "dataplane/fwd.h"
#include "lcore/runtime.h"
#include "lcore/sched.h"
#include "eal_helper.h"
#include "flows.h"
#include "ring_ports.h"
#include "test_helper.h"

#define EAL_LCORES "--lcores=0@0,1@1,2@0,3@1"
#define NB_W 3                     /* EAL worker lcores */
#define NB_PORTS BG_TEST_NB_PORTS
#define RX_RING 4096               /* per RX queue */
#define TX_RING 8192               /* per port, shared by its TX queues */
#define WAIT_S 30.0                /* bound on waiting for the workers */

#define NB_FLOWS 48
#define PER_FLOW 64                /* 3072 frames, fewer than the device holds */
#define MAX_OUT 8192

static struct bg_test_out_rec out_pinned[MAX_OUT], out_evd[MAX_OUT];
static unsigned nb_pinned;         /* frames in out_pinned, 0: not run yet */

static const char *const kinds[] = { "dsw", "sw" };

/* ---- the model's options ---- */

static const struct bg_sched *
evd_sched(void)
{
	const struct bg_sched *s = bg_sched_find("eventdev");

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	return s;
}

/* Parse --name value through the model's own option; returns its result
 * and its message in err. */
static int
opt_parse(const char *name, const char *value, char *err, size_t errlen)
{
	const struct bg_sched_opt *o = NULL;
	const struct bg_sched *s = bg_sched_find_opt(name, &o);

	err[0] = '\0';
	CHECK(s == evd_sched() && o != NULL, "--%s is an option of eventdev", name);
	if (s != evd_sched() || o == NULL)
		return -ENOENT;
	return o->parse(value, err, errlen);
}

/* Options back to the defaults, then --evdev kind and, when events is not
 * NULL, --evdev-events. */
static void
opts_set(const char *kind, const char *events)
{
	char err[256];

	evd_sched()->opts_reset();
	CHECK(opt_parse("evdev", kind, err, sizeof(err)) == 0, "--evdev %s: %s", kind, err);
	if (events != NULL)
		CHECK(opt_parse("evdev-events", events, err, sizeof(err)) == 0,
		      "--evdev-events %s: %s", events, err);
}

/* ---- fixture ---- */

/*
 * Ports 0 and 1 with NB_W RX rings each, and NB_W TX queues all writing to
 * one multi-producer ring per port (f->ntx = 1: the helpers see that ring).
 */
static int
fixture_ports_shared_tx(struct bg_test_fixture *f)
{
	const unsigned n = bg_test_serial();

	memset(f, 0, sizeof(*f));
	f->nrx = NB_W;
	f->ntx = 1;
	for (int p = 0; p < NB_PORTS; p++) {
		struct bg_test_port *tp = &f->port[p];
		struct rte_ring *tx[NB_W];
		char name[RTE_RING_NAMESIZE];

		tp->id = -1;
		snprintf(tp->name, sizeof(tp->name), "evd%u_%d", n, p);
		snprintf(tp->ethdev, sizeof(tp->ethdev), "net_ring_%s", tp->name);
		for (unsigned q = 0; q < NB_W; q++)
			if ((tp->rx[q] = bg_test_ring_make(tp->name, "rx", q, RX_RING)) == NULL)
				return -1;
		snprintf(name, sizeof(name), "%s_txs", tp->name);
		tp->tx[0] = rte_ring_create(name, TX_RING, SOCKET_ID_ANY, RING_F_SC_DEQ);
		if (tp->tx[0] == NULL) {
			fprintf(stderr, "rte_ring_create(%s): %s\n", name, rte_strerror(rte_errno));
			return -1;
		}
		for (unsigned q = 0; q < NB_W; q++)
			tx[q] = tp->tx[0];
		tp->id = rte_eth_from_rings(tp->name, tp->rx, NB_W, tx, NB_W,
					    (unsigned)rte_socket_id());
		if (tp->id < 0) {
			fprintf(stderr, "rte_eth_from_rings(%s): %s\n", tp->name,
				rte_strerror(rte_errno));
			return -1;
		}
	}
	CU_ASSERT_EQUAL(f->port[0].id, 0);
	CU_ASSERT_EQUAL(f->port[1].id, 1);
	return f->port[0].id == 0 && f->port[1].id == 1 ? 0 : -1;
}

/* Pinned's ports: a TX ring per queue. */
static int
fixture_ports_pinned(struct bg_test_fixture *f)
{
	static const unsigned tx_size[NB_PORTS] = { RX_RING, RX_RING };

	if (bg_test_fixture_ports(f, "evp", NB_W, RX_RING, NB_W, tx_size) != 0)
		return -1;
	CU_ASSERT_EQUAL(f->port[0].id, 0);
	CU_ASSERT_EQUAL(f->port[1].id, 1);
	return f->port[0].id == 0 && f->port[1].id == 1 ? 0 : -1;
}

static void
fixture_config(struct bg_test_fixture *f, const char *mode, const char *fwd)
{
	bg_config_defaults(&f->cfg);
	f->cfg.sched = bg_sched_find(mode);
	f->cfg.fwd = bg_fwd_find(fwd);
	f->cfg.link_wait_s = 0;
	CU_ASSERT_PTR_NOT_NULL(f->cfg.sched);
	CU_ASSERT_PTR_NOT_NULL(f->cfg.fwd);
}

/*
 * Stop, free what the rings hold, close, check the summary (conservation,
 * pools back, the mode), free the runtime, close any port it did not, free
 * the rings; then no event device of ours may be left.
 */
static void
fixture_finish(struct bg_test_fixture *f, bool check_summary)
{
	bg_test_fixture_stop(f);
	if (f->rt_inited && check_summary)
		bg_test_check_summary(f, f->cfg.sched->reg.name, NB_W);
	bg_test_fixture_release(f);
	/* The model's tables and its event device went with the runtime. */
	CU_ASSERT_PTR_NULL(f->rt.sched_data);
	CHECK(rte_event_dev_count() == 0, "no event device left (%u)", rte_event_dev_count());
}

/* ---- counters ---- */

/* The model's counter `name` of worker i (i == NB_W: all), through its
 * stats hook (after close too: the hook keeps the last run's). */
static uint64_t
stat(const struct bg_test_fixture *f, unsigned i, const char *name)
{
	struct bg_stat st[BG_SCHED_STATS_MAX];
	uint64_t sum = 0;
	bool found = false;

	for (unsigned k = 0; k < f->rt.nb_workers; k++) {
		unsigned n;

		if (i != NB_W && k != i)
			continue;
		n = f->cfg.sched->stats(&f->rt, f->rt.workers[k], st);
		for (unsigned j = 0; j < n; j++)
			if (strcmp(st[j].name, name) == 0) {
				sum += st[j].value;
				found = true;
			}
	}
	CHECK(found, "model counter %s", name);
	return sum;
}

/* Drops of reason r on every port, of worker i (NB_W: all). */
static uint64_t
drops_of(const struct bg_test_fixture *f, unsigned i, enum bg_drop r)
{
	uint64_t sum = 0;

	for (unsigned k = 0; k < f->rt.nb_workers; k++)
		if (i == NB_W || k == i)
			for (uint16_t p = 0; p < NB_PORTS; p++)
				sum += f->rt.workers[k]->ctr[p].drop[r];
	return sum;
}

static void
check_port(const struct bg_test_fixture *f, uint16_t port, uint64_t rx, uint64_t tx, uint64_t runt)
{
	struct bg_counters c;

	bg_runtime_port_counters(&f->rt, port, &c);
	CHECK(c.rx == rx && c.tx == tx && c.drop[BG_DROP_RUNT] == runt &&
	      bg_counters_drops(&c) == runt,
	      "port %u: rx %" PRIu64 " tx %" PRIu64 " drops %" PRIu64 " (runt %" PRIu64
	      " chan_full %" PRIu64 " shutdown %" PRIu64 "), expected %" PRIu64 " %" PRIu64
	      " %" PRIu64, port, c.rx, c.tx, bg_counters_drops(&c), c.drop[BG_DROP_RUNT],
	      c.drop[BG_DROP_CHAN_FULL], c.drop[BG_DROP_SHUTDOWN], rx, tx, runt);
}

/* Wait (bounded) until the workers have dequeued `events` events in all
 * (their counters, read while they run). */
static bool
wait_dequeued(const struct bg_test_fixture *f, uint64_t events)
{
	const uint64_t hz = rte_get_timer_hz();
	const uint64_t deadline = rte_get_timer_cycles() + (uint64_t)(WAIT_S * (double)hz);
	uint64_t n;

	while ((n = stat(f, NB_W, "deq_events")) < events) {
		if (rte_get_timer_cycles() > deadline) {
			fprintf(stderr, "timeout: %" PRIu64 " of %" PRIu64 " events dequeued\n", n,
				events);
			return false;
		}
		usleep(1000);
	}
	return true;
}

/* ---- runs over many flows ---- */

struct run {
	const char *mode;              /* "eventdev" or "pinned" */
	const char *kind;              /* --evdev */
	double delay_us;
	unsigned runt_every;
};

/*
 * Forward NB_FLOWS x PER_FLOW frames (and runts) through a model with --fwd
 * mac, check the counters and, without a delay, every flow's order; collect
 * the output into recs with the source MAC (the egress port's, which differs
 * between two sets of ring ports) checked and blanked. Returns how many
 * frames came out, 0 on failure.
 */
static unsigned
run_flows(const struct run *r, struct bg_test_out_rec *recs)
{
	const bool evd = strcmp(r->mode, "eventdev") == 0;
	struct bg_test_fixture f;
	uint64_t in[NB_PORTS] = { 0 }, runts[NB_PORTS] = { 0 };
	uint64_t rx_total;
	unsigned n = 0;

	if (evd)
		opts_set(r->kind, NULL);
	if ((evd ? fixture_ports_shared_tx(&f) : fixture_ports_pinned(&f)) != 0)
		goto fail;
	fixture_config(&f, r->mode, "mac");
	f.cfg.delay_us = r->delay_us;
	if (bg_test_fixture_init(&f, NB_W, true) != 0)
		goto fail;
	for (uint16_t p = 0; p < NB_PORTS; p++) {
		CU_ASSERT_EQUAL(f.rt.port_rxq[p], NB_W);
		CU_ASSERT_EQUAL(f.rt.port_txq[p], NB_W);
	}
	if (bg_test_flows_inject(&f, NB_FLOWS, PER_FLOW, r->runt_every, in, runts) != 0 ||
	    bg_test_fixture_launch(&f) != 0)
		goto fail;
	CU_ASSERT_TRUE(bg_test_wait_forwarded(&f, NULL, NB_FLOWS * PER_FLOW, WAIT_S));
	/* Runts leave nothing on the TX rings: wait until the device has
	 * handed out every event, theirs too. */
	if (evd)
		CU_ASSERT_TRUE(wait_dequeued(&f, in[0] + in[1]));
	bg_runtime_stop(&f.rt);

	/* Exact counters once joined and drained: port p received what was
	 * injected on it and sent what came in on the other; runts dropped on
	 * ingress; nothing else. */
	for (uint16_t p = 0; p < NB_PORTS; p++)
		check_port(&f, p, in[p], in[1 - p] - runts[1 - p], runts[p]);
	rx_total = in[0] + in[1];
	if (evd) {
		unsigned with_events = 0;

		/* Every frame went through the device once. */
		CHECK(stat(&f, NB_W, "new_events") == rx_total, "new_events %" PRIu64 ", rx %" PRIu64,
		      stat(&f, NB_W, "new_events"), rx_total);
		CHECK(stat(&f, NB_W, "deq_events") == rx_total, "deq_events %" PRIu64 ", rx %" PRIu64,
		      stat(&f, NB_W, "deq_events"), rx_total);
		CU_ASSERT_EQUAL(stat(&f, NB_W, "enq_dropped"), 0);
		CU_ASSERT_EQUAL(stat(&f, NB_W, "flushed"), 0);
		CU_ASSERT_EQUAL(stat(&f, NB_W, "sched_calls") != 0, strcmp(r->kind, "sw") == 0);
		for (unsigned i = 0; i < NB_W; i++) {
			const struct bg_worker *w = f.rt.workers[i];

			with_events += stat(&f, i, "deq_events") != 0;
			CU_ASSERT_TRUE(w->polls > 0);
			/* Packets that waited resumed where they waited. */
			CHECK(w->x.suspended == w->x.resumed_count,
			      "worker %u: %" PRIu64 " suspended, %" PRIu64 " resumed", i,
			      w->x.suspended, w->x.resumed_count);
		}
		/* The device spread the flows (event_dsw maps 8192 flow
		 * slots to ports at random: 48 flows all on one of 3 ports
		 * is a chance of 3 x 3^-48). */
		if (strcmp(r->kind, "dsw") == 0)
			CHECK(with_events >= 2, "%u workers got events", with_events);
		printf("\n    %s%s: events dequeued by worker %" PRIu64 " %" PRIu64 " %" PRIu64
		       ", mixed bursts %" PRIu64 ", refused %" PRIu64 " ", r->kind,
		       r->delay_us != 0 ? " with delay" : "", stat(&f, 0, "deq_events"),
		       stat(&f, 1, "deq_events"), stat(&f, 2, "deq_events"),
		       stat(&f, NB_W, "mixed_bursts"), stat(&f, NB_W, "enq_refused"));
	}
	if (r->delay_us != 0) {
		uint64_t suspended = 0;

		for (unsigned i = 0; i < NB_W; i++)
			suspended += f.rt.workers[i]->x.suspended;
		CU_ASSERT_EQUAL(suspended, NB_FLOWS * PER_FLOW);
	}

	n = bg_test_flows_collect(&f, recs, MAX_OUT);
	/* Without a delay every flow keeps its order, across workers. A
	 * packet that waits does so on its worker's timers, after its event
	 * was released: the device may move its flow meanwhile, so with a
	 * delay only the set of frames is promised. */
	if (r->delay_us == 0)
		bg_test_flows_check_mac(&f, recs, n, NB_FLOWS, PER_FLOW, NULL);
	for (unsigned i = 0; i < n && i < MAX_OUT; i++) {
		struct rte_ether_addr mac;

		CU_ASSERT_EQUAL(rte_eth_macaddr_get(recs[i].port, &mac), 0);
		CU_ASSERT_EQUAL(memcmp(recs[i].bytes + 6, mac.addr_bytes, 6), 0);
		memset(recs[i].bytes + 6, 0, 6);
		recs[i].queue = 0;
	}
	bg_test_fixture_stop(&f);
	{
		const struct bg_summary *s = bg_test_check_summary(&f, r->mode, NB_W);
		uint64_t new_events = 0;

		/* The summary carries the model's counters, read after close. */
		for (unsigned k = 0; k < s->nb_stats; k++)
			if (strcmp(s->stats[k].name, "new_events") == 0)
				new_events = s->stats[k].value;
		CU_ASSERT_EQUAL(s->nb_stats != 0, evd);
		CU_ASSERT_EQUAL(new_events, evd ? rx_total : 0);
	}
	fixture_finish(&f, false);
	return n;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
	return 0;
}

/* The same frames, bytes and ports as pinned, in any order. */
static void
check_same_as_pinned(struct bg_test_out_rec *recs, unsigned n)
{
	unsigned diff = 0;

	if (nb_pinned == 0) {
		nb_pinned = run_flows(&(struct run){ .mode = "pinned", .runt_every = 5 },
				      out_pinned);
		CU_ASSERT_EQUAL(nb_pinned, NB_FLOWS * PER_FLOW);
		qsort(out_pinned, nb_pinned, sizeof(out_pinned[0]), bg_test_out_rec_cmp);
	}
	CU_ASSERT_EQUAL(n, nb_pinned);
	if (n != nb_pinned || n == 0 || n > MAX_OUT)
		return;
	qsort(recs, n, sizeof(recs[0]), bg_test_out_rec_cmp);
	for (unsigned i = 0; i < n; i++)
		if (bg_test_out_rec_cmp(&out_pinned[i], &recs[i]) != 0 && diff++ == 0)
			fprintf(stderr, "frame #%u differs: port %u/%u, %u/%u bytes\n", i,
				out_pinned[i].port, recs[i].port, out_pinned[i].len, recs[i].len);
	CU_ASSERT_EQUAL(diff, 0);
}

static void
flows_kind(const char *kind, double delay_us)
{
	unsigned n = run_flows(&(struct run){ .mode = "eventdev", .kind = kind,
					      .delay_us = delay_us, .runt_every = 5 }, out_evd);

	CU_ASSERT_EQUAL(n, NB_FLOWS * PER_FLOW);
	check_same_as_pinned(out_evd, n);
}

static void
test_flows_dsw(void)
{
	flows_kind("dsw", 0);
}

static void
test_flows_sw(void)
{
	flows_kind("sw", 0);
}

static void
test_delay_dsw(void)
{
	flows_kind("dsw", 50);
}

static void
test_delay_sw(void)
{
	flows_kind("sw", 50);
}

/* ---- options ---- */

static void
expect_bad(const char *name, const char *value)
{
	char err[256];
	char flag[64];
	int ret = opt_parse(name, value, err, sizeof(err));

	snprintf(flag, sizeof(flag), "--%s: ", name);
	CHECK(ret == -EINVAL, "--%s %s: %d, expected -EINVAL", name, value ? value : "(null)", ret);
	CHECK(strncmp(err, flag, strlen(flag)) == 0 && strchr(err, '\n') == NULL && err[strlen(flag)] != '\0',
	      "--%s %s: one line naming the flag: '%s'", name, value ? value : "(null)", err);
}

static void
test_options(void)
{
	const struct bg_sched *s = evd_sched();
	char err[256], desc[160];

	CU_ASSERT_PTR_NOT_NULL_FATAL(s->opts);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s->opts_reset);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s->describe);
	for (const struct bg_sched_opt *o = s->opts; o->name != NULL; o++) {
		CU_ASSERT_PTR_NOT_NULL(o->metavar);
		CU_ASSERT_PTR_NOT_NULL(o->help);
		CU_ASSERT_PTR_NULL(strchr(o->help, '\n'));
	}
	s->opts_reset();
	s->describe(desc, sizeof(desc));
	CHECK(strcmp(desc, "evdev dsw, rx workers, 4096 events") == 0, "default: '%s'", desc);

	CU_ASSERT_EQUAL(opt_parse("evdev", "sw", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(opt_parse("evdev-events", "1024", err, sizeof(err)), 0);
	s->describe(desc, sizeof(desc));
	CHECK(strcmp(desc, "evdev sw, rx workers, 1024 events") == 0, "set: '%s'", desc);
	CU_ASSERT_EQUAL(opt_parse("evdev", "dsw", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(opt_parse("evdev-events", "64", err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(opt_parse("evdev-events", "16384", err, sizeof(err)), 0);

	expect_bad("evdev", "bogus");
	expect_bad("evdev", "DSW");
	expect_bad("evdev", "dsw0");
	expect_bad("evdev", "");
	expect_bad("evdev", NULL);
	expect_bad("evdev-events", "63");
	expect_bad("evdev-events", "16385");
	expect_bad("evdev-events", "-1");
	expect_bad("evdev-events", "1e3");
	expect_bad("evdev-events", "12x");
	expect_bad("evdev-events", "");
	expect_bad("evdev-events", "99999999999999999999");
	/* A refused value leaves the last good one. */
	s->describe(desc, sizeof(desc));
	CHECK(strcmp(desc, "evdev dsw, rx workers, 16384 events") == 0, "after errors: '%s'", desc);
	opt_parse("evdev", "bogus", err, sizeof(err));
	CHECK(strcmp(err, "--evdev: 'bogus' is not an event device (dsw, sw)") == 0, "'%s'", err);
	s->opts_reset();
	s->describe(desc, sizeof(desc));
	CHECK(strcmp(desc, "evdev dsw, rx workers, 4096 events") == 0, "reset: '%s'", desc);
}

/* ---- runs that stop with packets in the device ---- */

/*
 * Launch the model's loop on the first `running` workers only: the others'
 * event ports never dequeue, so what the device schedules to them stays in
 * it. Marks the runtime launched so that bg_runtime_stop() joins, flushes
 * and drains as after a full launch.
 */
static int
launch_some(struct bg_test_fixture *f, unsigned running)
{
	bg_stop_reset();
	for (unsigned i = 0; i < running; i++) {
		struct bg_worker *w = f->rt.workers[i];
		int ret = rte_eal_remote_launch(f->cfg.sched->run, w, w->lcore_id);

		CU_ASSERT_EQUAL(ret, 0);
		w->launched = ret == 0;
		if (ret != 0)
			break;
	}
	f->rt.start_tsc = rte_get_tsc_cycles();
	f->rt.launched = true;
	return 0;
}

static uint64_t
read_u64(const uint64_t *v)
{
	return *(const volatile uint64_t *)v;
}

/* Wait (bounded) until the RX queues the running workers poll are empty and
 * each has polled 1000 times without finding work. */
static bool
wait_idle(const struct bg_test_fixture *f, unsigned running)
{
	const uint64_t hz = rte_get_timer_hz();
	const uint64_t deadline = rte_get_timer_cycles() + (uint64_t)(WAIT_S * (double)hz);
	uint64_t polls[NB_W] = { 0 }, busy[NB_W] = { 0 };

	while (rte_get_timer_cycles() < deadline) {
		bool idle = true;

		for (unsigned i = 0; i < running; i++) {
			const struct bg_worker *w = f->rt.workers[i];
			uint64_t b = read_u64(&w->busy_polls), p = read_u64(&w->polls);

			for (uint16_t port = 0; port < NB_PORTS; port++)
				idle &= rte_ring_count(f->port[port].rx[i]) == 0;
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

/*
 * Only worker 0 runs, with --evdev kind and --evdev-events events: it
 * receives its RX queue's frames (the other queues' stay on their rings) and
 * enqueues them; what the device schedules to the other ports stays there.
 * After the stop: the tally adds up, what the device held is shutdown, and
 * chan_full is worker 0's refused packets. Returns the drops by reason in
 * *shutdown and *full.
 */
static int
run_stuck(const char *kind, const char *events, uint64_t *shutdown, uint64_t *full)
{
	enum { FLOWS = 64, PER = 63 };             /* 4032 frames, 1344 on queue 0 */
	struct bg_test_fixture f;
	uint64_t in[NB_PORTS] = { 0 }, runts[NB_PORTS] = { 0 };
	struct bg_test_tally tl;

	opts_set(kind, events);
	if (fixture_ports_shared_tx(&f) != 0)
		goto fail;
	fixture_config(&f, "eventdev", "macswap");
	if (bg_test_fixture_init(&f, NB_W, true) != 0)
		goto fail;
	if (bg_test_flows_inject(&f, FLOWS, PER, 0, in, runts) != 0 || launch_some(&f, 1) != 0)
		goto fail;
	CU_ASSERT_TRUE(wait_idle(&f, 1));
	bg_runtime_stop(&f.rt);

	bg_test_tally_stopped(&f, in, &tl);
	*shutdown = drops_of(&f, NB_W, BG_DROP_SHUTDOWN);
	*full = drops_of(&f, NB_W, BG_DROP_CHAN_FULL);
	CU_ASSERT_EQUAL(tl.drops, *shutdown + *full);
	/* The frames of the unpolled queues are still on their rings. */
	CU_ASSERT_EQUAL(tl.left, bg_test_rings_count(&f.port[0].rx[1], NB_W - 1) +
				 bg_test_rings_count(&f.port[1].rx[1], NB_W - 1));
	CU_ASSERT_TRUE(tl.left > 0);
	/* Only worker 0 received; what it could not get in is its drop. */
	for (unsigned i = 1; i < NB_W; i++) {
		CU_ASSERT_EQUAL(f.rt.workers[i]->ctr[0].rx + f.rt.workers[i]->ctr[1].rx, 0);
		CU_ASSERT_EQUAL(drops_of(&f, i, BG_DROP_CHAN_FULL), 0);
	}
	CU_ASSERT_EQUAL(stat(&f, 0, "enq_dropped"), *full);
	CU_ASSERT_EQUAL(stat(&f, NB_W, "flushed"), drops_of(&f, NB_W, BG_DROP_SHUTDOWN));
	/* Received: sent, freed at stop (in the device, or refused and still
	 * waiting for a retry), or dropped after the retries. */
	CU_ASSERT_EQUAL(tl.rx, tl.tx + stat(&f, NB_W, "flushed") + *full);
	CU_ASSERT_TRUE(stat(&f, NB_W, "new_events") + *full <= tl.rx);
	printf("\n    %s, %s events: %" PRIu64 " received, %" PRIu64 " sent, %" PRIu64
	       " shutdown, %" PRIu64 " chan_full (%" PRIu64 " refused enqueues) ", kind,
	       events != NULL ? events : "default", tl.rx, tl.tx, *shutdown, *full,
	       stat(&f, 0, "enq_refused"));
	fixture_finish(&f, true);
	return 0;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
	return -1;
}

/* Events the device scheduled to ports that never dequeue are shutdown
 * drops at stop; the device had room for all, so nothing was refused. */
static void
stuck_kind(const char *kind)
{
	uint64_t shutdown = 0, full = 0;

	if (run_stuck(kind, NULL, &shutdown, &full) != 0)
		return;
	CU_ASSERT_TRUE(shutdown > 0);
	CU_ASSERT_EQUAL(full, 0);
}

static void
test_stop_in_device_dsw(void)
{
	stuck_kind("dsw");
}

static void
test_stop_in_device_sw(void)
{
	stuck_kind("sw");
}

/* A device of 64 events fills with what the idle ports never take: worker
 * 0's NEW enqueues are refused, retried, and dropped as chan_full. */
static void
full_kind(const char *kind)
{
	uint64_t shutdown = 0, full = 0;

	if (run_stuck(kind, "64", &shutdown, &full) != 0)
		return;
	CU_ASSERT_TRUE(shutdown > 0);
	CU_ASSERT_TRUE(full > 0);
}

static void
test_full_dsw(void)
{
	full_kind("dsw");
}

static void
test_full_sw(void)
{
	full_kind("sw");
}

/* Stop while forwarding: wherever the frames are (RX rings, the device, TX
 * rings), the counts add up, and the only drops are the stop's. */
static void
test_stop_in_flight(void)
{
	enum { TRIES = 4, FLOWS = 64, PER = 63 };

	for (unsigned t = 0; t < TRIES; t++) {
		const char *kind = kinds[t % 2];
		struct bg_test_fixture f;
		uint64_t in[NB_PORTS] = { 0 }, runts[NB_PORTS] = { 0 };
		struct bg_test_tally tl;

		opts_set(kind, NULL);
		if (fixture_ports_shared_tx(&f) != 0)
			goto fail;
		fixture_config(&f, "eventdev", "macswap");
		if (bg_test_fixture_init(&f, NB_W, true) != 0)
			goto fail;
		if (bg_test_flows_inject(&f, FLOWS, PER, 0, in, runts) != 0 ||
		    bg_test_fixture_launch(&f) != 0)
			goto fail;
		if (t >= 2)
			usleep(200);
		bg_runtime_stop(&f.rt);

		bg_test_tally_stopped(&f, in, &tl);
		CU_ASSERT_EQUAL(tl.drops, tl.shutdown);
		CU_ASSERT_EQUAL(stat(&f, NB_W, "flushed"), tl.shutdown);
		printf("\n    try %u (%s): %u left on RX rings, %" PRIu64 " received, %" PRIu64
		       " sent, %" PRIu64 " dropped at shutdown ", t, kind, tl.left, tl.rx, tl.tx,
		       tl.shutdown);
		fixture_finish(&f, true);
		continue;
fail:
		CU_FAIL("set-up failed");
		fixture_finish(&f, false);
		return;
	}
}

/* ---- set-up ---- */

/* Nothing in: every worker polls, finds nothing, counts nothing. */
static void
test_idle_run(void)
{
	for (unsigned k = 0; k < RTE_DIM(kinds); k++) {
		struct bg_test_fixture f;

		opts_set(kinds[k], NULL);
		if (fixture_ports_shared_tx(&f) != 0)
			goto fail;
		fixture_config(&f, "eventdev", "io");
		if (bg_test_fixture_init(&f, NB_W, true) != 0)
			goto fail;
		CU_ASSERT_PTR_NOT_NULL(f.rt.sched_data);
		CU_ASSERT_EQUAL(rte_event_dev_count(), 1);
		for (unsigned i = 0; i < NB_W; i++) {
			const struct bg_worker *w = f.rt.workers[i];

			CU_ASSERT_PTR_NOT_NULL(w->sched_ctx);
			CU_ASSERT_EQUAL(w->nb_rxq, NB_PORTS);
			CU_ASSERT_EQUAL(w->nb_txport, NB_PORTS);
			for (uint16_t p = 0; p < NB_PORTS; p++) {
				CU_ASSERT_EQUAL(w->rxq[p].queue, i);
				CU_ASSERT_EQUAL(w->tx[p].queue, i);
			}
		}
		if (bg_test_fixture_launch(&f) != 0)
			goto fail;
		/* At least 20 ms, and until every worker has been on a CPU. */
		usleep(20 * 1000);
		for (unsigned i = 0, waited = 0; i < NB_W && waited < 1000 * WAIT_S; i++)
			while (read_u64(&f.rt.workers[i]->polls) == 0 && waited++ < 1000 * WAIT_S)
				usleep(1000);
		bg_runtime_stop(&f.rt);
		for (unsigned i = 0; i < NB_W; i++) {
			CU_ASSERT_TRUE(f.rt.workers[i]->polls > 0);
			CU_ASSERT_EQUAL(f.rt.workers[i]->busy_polls, 0);
			CU_ASSERT_TRUE(stat(&f, i, "deq_empty") > 0);
		}
		CU_ASSERT_EQUAL(stat(&f, NB_W, "new_events") + stat(&f, NB_W, "deq_events"), 0);
		fixture_finish(&f, true);
		continue;
fail:
		CU_FAIL("set-up failed");
		fixture_finish(&f, false);
		return;
	}
}

/* event_sw holds 4096 events: asking for more fails the set-up with
 * -EINVAL, and everything made is undone (the device we created too). */
static void
test_too_many_events(void)
{
	struct bg_test_fixture f;
	int ret;

	opts_set("sw", "8192");
	if (fixture_ports_shared_tx(&f) != 0)
		goto fail;
	fixture_config(&f, "eventdev", "io");
	ret = bg_test_fixture_init(&f, NB_W, false);
	CHECK(ret == -EINVAL, "init: %d, expected -EINVAL", ret);
	CU_ASSERT_FALSE(f.rt.launched);
	if (f.rt_inited) {
		bg_runtime_free(&f.rt);
		bg_runtime_free(&f.rt);    /* idempotent */
		CU_ASSERT_PTR_NULL(f.rt.sched_data);
		f.rt_inited = false;
	}
	CU_ASSERT_EQUAL(rte_event_dev_count(), 0);
	fixture_finish(&f, false);
	evd_sched()->opts_reset();
	return;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
	evd_sched()->opts_reset();
}

/* An event device given to the EAL (here hot-plugged as --vdev would) is
 * used, and still there after the run. */
static void
test_given_device(void)
{
	struct bg_test_fixture f;
	uint64_t in[NB_PORTS] = { 0 }, runts[NB_PORTS] = { 0 };
	int ret = rte_eal_hotplug_add("vdev", "event_dsw7", "");

	CHECK(ret == 0, "hotplug event_dsw7: %d", ret);
	if (ret != 0)
		return;
	opts_set("dsw", NULL);
	if (fixture_ports_shared_tx(&f) != 0)
		goto fail;
	fixture_config(&f, "eventdev", "io");
	if (bg_test_fixture_init(&f, NB_W, true) != 0)
		goto fail;
	CU_ASSERT_EQUAL(rte_event_dev_count(), 1);
	if (bg_test_flows_inject(&f, 16, 16, 0, in, runts) != 0 || bg_test_fixture_launch(&f) != 0)
		goto fail;
	CU_ASSERT_TRUE(bg_test_wait_forwarded(&f, NULL, 256, WAIT_S));
	bg_test_fixture_stop(&f);
	bg_test_check_summary(&f, "eventdev", NB_W);
	bg_test_fixture_release(&f);
	CU_ASSERT_EQUAL(rte_event_dev_count(), 1);
	CU_ASSERT_TRUE(rte_event_dev_get_dev_id("event_dsw7") >= 0);
	CU_ASSERT_EQUAL(rte_eal_hotplug_remove("vdev", "event_dsw7"), 0);
	CU_ASSERT_EQUAL(rte_event_dev_count(), 0);
	return;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
	rte_eal_hotplug_remove("vdev", "event_dsw7");
}

int
main(void)
{
	static const struct bg_test_case tests[] = {
		{ "--evdev, --evdev-events: values, one-line errors, describe", test_options },
		{ "idle run: queues, event ports, nothing counted", test_idle_run },
		{ "dsw: every frame once, per-flow order across workers, same as pinned", test_flows_dsw },
		{ "sw: every frame once, per-flow order across workers, same as pinned", test_flows_sw },
		{ "dsw: stop with events in the device: shutdown drops", test_stop_in_device_dsw },
		{ "sw: stop with events in the device: shutdown drops", test_stop_in_device_sw },
		{ "dsw: a full device: refused, retried, chan_full", test_full_dsw },
		{ "sw: a full device: refused, retried, chan_full", test_full_sw },
		{ "stop while forwarding: conservation", test_stop_in_flight },
		{ "dsw: delay 50 us resumes on the suspending worker", test_delay_dsw },
		{ "sw: delay 50 us resumes on the suspending worker", test_delay_sw },
		{ "more events than event_sw holds: -EINVAL, clean unwind", test_too_many_events },
		{ "an event device given to the EAL is used and kept", test_given_device },
	};
	int ret;

	if (bg_test_eal_init(EAL_LCORES, 1 + NB_W) != 0)
		return 1;
	ret = BG_TEST_RUN_SUITE("eventdev", tests);
	bg_test_eal_cleanup();
	return ret;
}
