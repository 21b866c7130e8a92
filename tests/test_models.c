/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Conformance of the execution models: the same scenarios, unchanged, for
 * every model in the registry (bg_sched_registry), in process on net_ring
 * ports. A model that registers itself is tested here with no change to
 * this file; nothing below names a model or gives one its own options.
 *
 * What every model must do, and is checked for each (each test runs its
 * scenario once per model and prints a line per model):
 * - forward: the frames of 64 flows, entering both ports, leave as the exact
 *   bytes --fwd promises (io: unchanged; macswap: addresses swapped), each
 *   once, on the port the port map names, and each flow in the order it
 *   came; exact per-port counters;
 * - wait: with a delay stage, the same frames leave, every one once;
 * - stop with packets held (waiting as tasks, or anywhere in the model):
 *   every packet received and not sent is a `shutdown` drop;
 * - one RX queue, one flow: all traffic through one queue of one port;
 * - after every run: rx == tx + drops (every drop under a named reason),
 *   the model's own counters named, no worker loop failed, the mbuf and
 *   task pools back to their starting in-use counts (the summary's
 *   `conserved`).
 *
 * The machinery (pumping, numbering frames at TX hand-off, the checks
 * every run makes) is in model_run.h: traffic is pumped, never more in
 * flight than a ring holds, and no timing is asserted.
 *
 * Lcores: the main lcore (0, control) and four workers on two CPUs,
 * MR_EAL_LCORES; every model runs on all four with its defaults.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include <rte_cycles.h>

#include "dataplane/counters.h"
#include "lcore/report.h"
#include "lcore/runtime.h"
#include "lcore/sched.h"
#include "model_run.h"
#include "ring_ports.h"
#include "test_helper.h"

#define HOLD_US 600e6              /* a delay longer than any wait here */

static struct mr_run run;          /* the fixture is large */

static unsigned
popcount(uint32_t v)
{
	return (unsigned)__builtin_popcount(v);
}

/* Run traffic t through model: everything must come out. */
static void
forward(const struct bg_sched *model, const struct mr_traffic *t)
{
	static struct bg_summary s;
	struct mr_run *r = &run;

	if (!mr_forward(r, model, t, &s))
		return;
	printf("    %-9s %" PRIu64 " in (%u RX queue%s a port), %" PRIu64 " out on %u TX queues, %u reordered%s",
	       mr_model_name(r), r->injected, r->f.nrx, r->f.nrx == 1 ? "" : "s", r->collected,
	       popcount(r->txq_used), r->reordered,
	       t->order ? "" : " (not asserted)");
	if (t->delay_us > 0) {
		uint64_t susp = 0;

		for (unsigned i = 0; i < s.nb_lcores; i++)
			susp += s.lcores[i].suspended;
		printf(", %" PRIu64 " waited as tasks", susp);
		CHECK(susp == r->total, "%s, %s: %" PRIu64 " frames waited as tasks, expected %" PRIu64,
		      mr_model_name(r), t->name, susp, r->total);
	}
	printf("\n");
	fflush(stdout);
}

/* Call fn for every registered model, in name order. */
static void
each_model(void (*fn)(const struct bg_sched *, const struct mr_traffic *),
	   const struct mr_traffic *t)
{
	printf("\n");
	for (const struct bg_reg_entry *e = bg_sched_registry; e != NULL; e = e->next)
		fn((const struct bg_sched *)e, t);
	printf("    ");
}

/* ---- scenarios: forwarding ---- */

static const struct mr_traffic io_flows = {
	.name = "io, 64 flows", .fwd = "io", .kind = MR_OUT_IO,
	.nb_flows = 64, .per_flow = 2048, .order = true,
};

static const struct mr_traffic macswap_loop = {
	.name = "macswap, 64 flows, portmap 0:0,1:1", .fwd = "macswap", .kind = MR_OUT_MACSWAP,
	.nb_flows = 64, .per_flow = 2048, .loopback = true, .order = true,
};

/* Order is counted, not asserted: a packet that waited as a task may leave
 * after later packets of its flow when the model moved the flow to another
 * worker meanwhile; models that move flows say so in their files. */
static const struct mr_traffic delay_flows = {
	.name = "macswap, delay 50 us", .fwd = "macswap", .kind = MR_OUT_MACSWAP,
	.nb_flows = 64, .per_flow = 512, .delay_us = 50,
};

static const struct mr_traffic one_queue = {
	.name = "io, 32 flows on one RX queue", .fwd = "io", .kind = MR_OUT_IO,
	.nb_flows = 32, .per_flow = 2048, .one_queue = true, .order = true,
};

static const struct mr_traffic one_flow = {
	.name = "macswap, one flow", .fwd = "macswap", .kind = MR_OUT_MACSWAP,
	.nb_flows = 1, .per_flow = 16384, .order = true,
};

static void
test_registry(void)
{
	unsigned n = 0;

	printf("\n    models:");
	for (const struct bg_reg_entry *e = bg_sched_registry; e != NULL; e = e->next) {
		const struct bg_sched *s = (const struct bg_sched *)e;

		printf(" %s", e->name);
		CHECK(e->name != NULL && e->help != NULL && s->assign != NULL && s->run != NULL,
		      "model %s: a name, a help line, assign and run", e->name);
		CHECK(bg_sched_find(e->name) == s, "model %s is found by its name", e->name);
		n++;
	}
	printf("\n    ");
	CHECK(n >= 1, "at least one model registered");
}

/* A test: run(model, &traffic) for every model. */
#define EACH_MODEL_TEST(test, run, traffic) \
	static void test(void) { each_model((run), &(traffic)); }

EACH_MODEL_TEST(test_io, forward, io_flows)
EACH_MODEL_TEST(test_macswap_loopback, forward, macswap_loop)
EACH_MODEL_TEST(test_delay, forward, delay_flows)
EACH_MODEL_TEST(test_one_queue, forward, one_queue)
EACH_MODEL_TEST(test_one_flow, forward, one_flow)

/* ---- scenarios: stopping with packets held ---- */

static const struct mr_traffic held = {
	.name = "stop with every frame waiting", .fwd = "macswap", .kind = MR_OUT_MACSWAP,
	.nb_flows = 64, .per_flow = MR_WINDOW / 64, .delay_us = HOLD_US,
};

static const struct mr_traffic stop_now = {
	.name = "stop right after injecting", .fwd = "macswap", .kind = MR_OUT_MACSWAP,
	.nb_flows = 64, .per_flow = MR_WINDOW / 64, .delay_us = 1e6,
};

/* Wait until the model received every frame and each waits as a task.
 * Fails only when nothing moved for MR_STUCK_S seconds. */
static bool
wait_held(struct mr_run *r)
{
	uint64_t moved_at = rte_get_timer_cycles(), last = UINT64_MAX;
	struct mr_live l;

	for (;;) {
		mr_live_read(&r->f.rt, &l);
		if (l.rx == r->total && l.suspended == r->total)
			return true;
		if (l.rx + l.suspended + l.drops != last) {
			last = l.rx + l.suspended + l.drops;
			moved_at = rte_get_timer_cycles();
		} else if (mr_seconds_since(moved_at) > MR_STUCK_S) {
			CHECK(false, "%s, %s: stuck for %.0f s: %" PRIu64 " of %" PRIu64
			      " frames received, %" PRIu64 " waiting, %" PRIu64 " dropped",
			      mr_model_name(r), r->t->name, MR_STUCK_S, l.rx, r->total, l.suspended, l.drops);
			return false;
		}
		usleep(1000);
	}
}

/*
 * Stop with frames in the model: after a wait until all were received and
 * wait as tasks (wait_all), or at once after launch. Then, after close: what
 * a port received plus what is left on its RX rings is what went in; what
 * was sent is what is on the TX rings; everything received and not sent is
 * a shutdown drop and nothing else is dropped; with wait_all, every frame.
 */
static void
stop_held(const struct bg_sched *model, const struct mr_traffic *t)
{
	static struct bg_summary s;
	const bool wait_all = t->delay_us >= HOLD_US;
	struct mr_run *r = &run;
	unsigned left[MR_NB_PORTS];
	uint64_t out, susp = 0, resumed = 0;
	bool ok = true;

	if (mr_setup(r, model, t) != 0)
		goto fail;
	/* Everything in before launch, or (wait_all) after. */
	while (!wait_all && r->injected < r->total)
		if (!mr_inject_one(r))
			goto fail;
	if (bg_test_fixture_launch(&r->f) != 0)
		goto fail;
	while (wait_all && r->injected < r->total)
		if (!mr_inject_one(r))
			goto fail;
	if (wait_all)
		ok = wait_held(r);
	bg_runtime_stop(&r->f.rt);
	for (uint16_t p = 0; p < MR_NB_PORTS; p++)
		left[p] = bg_test_rings_count(r->f.port[p].rx, BG_TEST_MAX_Q);
	out = mr_collect(r);
	if (!mr_finish(r, ok, &s))
		return;

	mr_check_stopped(r, &s, left);
	if (wait_all)
		CHECK(s.total.rx == r->total && s.total.tx == 0 && out == 0,
		      "%s, %s: rx %" PRIu64 " tx %" PRIu64 ", %" PRIu64 " out; expected every one of %"
		      PRIu64 " received and none sent", mr_model_name(r), t->name, s.total.rx,
		      s.total.tx, out, r->total);
	for (unsigned i = 0; i < s.nb_lcores; i++) {
		susp += s.lcores[i].suspended;
		resumed += s.lcores[i].resumed;
	}
	if (wait_all)
		CHECK(susp == r->total && resumed == 0,
		      "%s, %s: %" PRIu64 " waited as tasks, %" PRIu64 " resumed; expected %" PRIu64
		      " and 0", mr_model_name(r), t->name, susp, resumed, r->total);
	printf("    %-9s %" PRIu64 " in: %u left on RX rings, %" PRIu64 " received, %" PRIu64
	       " sent, %" PRIu64 " waited as tasks, %" PRIu64 " shutdown drops, pools back: %s\n",
	       mr_model_name(r), r->total, left[0] + left[1], s.total.rx, s.total.tx, susp,
	       s.total.drop[BG_DROP_SHUTDOWN], s.pools_returned ? "yes" : "no");
	fflush(stdout);
	return;
fail:
	CU_FAIL("set-up failed");
	mr_finish(r, false, &s);
}

EACH_MODEL_TEST(test_stop_held, stop_held, held)
EACH_MODEL_TEST(test_stop_now, stop_held, stop_now)

int
main(void)
{
	static const struct bg_test_case tests[] = {
		{ "registry: every model has a name, help, assign, run", test_registry },
		{ "io, 64 flows x 2048 on 2 ports: exact frames once each, per-flow order, counters, conservation", test_io },
		{ "macswap, 64 flows x 2048, portmap 0:0,1:1: exact bytes, ports, order, conservation", test_macswap_loopback },
		{ "delay 50 us (frames wait as tasks): exact frames once each, conservation; order counted, not asserted", test_delay },
		{ "all traffic on one RX queue of one port: frames, order, conservation", test_one_queue },
		{ "one flow x 16384: frames, order, conservation", test_one_flow },
		{ "stop with every frame waiting as a task: all shutdown drops, pools back", test_stop_held },
		{ "stop right after injecting (delay 1 s): held frames are shutdown drops, conservation", test_stop_now },
	};

	return MR_RUN_SUITE("models", tests);
}
