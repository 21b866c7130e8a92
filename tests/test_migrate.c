/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What only the migrate model promises (lcore/sched_migrate.c), end to end
 * in process on net_ring ports, with the run machinery of model_run.h
 * (frames pumped, numbered at TX hand-off, every one checked):
 * - work moves: with every frame arriving on one RX queue and a service
 *   time per frame, idle workers steal, from work queues and by polling
 *   that RX queue, and come back for more; under --order flow each flow
 *   still leaves in order, every frame once with its bytes;
 * - under --order none and heavy stealing, no frame is run twice or lost;
 * - a task suspended on one worker may be resumed by another, once;
 * - --order none on every queue delivers what went in;
 * - a stop under load counts what the work queues and reorder windows
 *   held as shutdown drops;
 * - --order and --grain are checked; --grain 0 is auto.
 * After every run: the model's steal counters balance (what thieves took
 * is what their victims lost; a steal takes 1 to a burst), conservation,
 * pools back.
 *
 * Stealing is forced, not hoped for: see PRELOAD. No timing is asserted;
 * a wait fails only after MR_STUCK_S seconds without progress, and the
 * suite passes with both CPUs busy.
 *
 * Lcores: MR_EAL_LCORES, four workers on two CPUs. Worker i owns RX queue i
 * of every port, so worker 0 owns every queue the tests load.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include <rte_common.h>

#include "dataplane/config.h"
#include "dataplane/counters.h"
#include "lcore/report.h"
#include "lcore/runtime.h"
#include "lcore/sched.h"
#include "model_run.h"
#include "ring_ports.h"
#include "test_helper.h"

#define OWNER 0                    /* the worker owning RX queue 0 */
#define WORK_NS 5000.0             /* --work fixed: service per frame */

/*
 * Frames put on worker 0's RX rings before launch: a ring's worth.
 * This is what makes stealing certain. At WORK_NS a frame, the preload is
 * PRELOAD x 5 us = 41 ms of service that only worker 0 could do if nobody
 * stole. The three other workers have nothing of their own (their queues
 * stay empty), so from launch every loop iteration of theirs, after at
 * most MG_BACKOFF_MAX (64) skipped ones, is a steal round: it takes from
 * any non-empty work queue, and polls worker 0's RX queue whenever its
 * try-lock is free (worker 0 holds it for one rte_eth_rx_burst() at a
 * time, and only when its own work queue is empty); with grain 1, worker 0
 * also queues all but one frame of every burst it polls. For no steal to
 * happen, all three runnable threads, two of them on the CPU worker 0 does
 * not use, would have to get no CPU for those 41 ms; Linux's scheduler runs
 * every runnable thread within its scheduling period, a few milliseconds,
 * also with both CPUs busy with other processes.
 */
#define PRELOAD (MR_RING - 1)

#define STOP_AFTER 256             /* frames out before a stop under load */
#define STOP_TRIES 5               /* stop runs to get one holding frames */

static struct mr_run run;          /* the fixture is large */
static struct bg_summary sum;

static const struct bg_sched *
migrate(void)
{
	const struct bg_sched *s = bg_sched_find("migrate");

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	return s;
}

/* Migrate's options as the command line would set them: defaults, then
 * --order order --grain grain. Returns false after a failed assertion. */
static bool
set_opts(const char *order, const char *grain)
{
	const struct bg_sched *s = migrate();
	bool ok;

	s->opts_reset();
	ok = bg_test_model_opt(s, "order", order) == 0 && bg_test_model_opt(s, "grain", grain) == 0;
	CHECK(ok, "--order %s --grain %s", order, grain);
	return ok;
}

/* ---- the model's counters ---- */

/* Counter `name` of lcore summary l; asserts that the model has it. */
static uint64_t
stat_of(const struct bg_lcore_summary *l, const char *name)
{
	for (unsigned k = 0; k < l->nb_stats; k++)
		if (strcmp(l->stats[k].name, name) == 0)
			return l->stats[k].value;
	CHECK(false, "lcore %u: no counter %s", l->lcore, name);
	return 0;
}

/* One worker's stealing, or their sum. */
struct books {
	uint64_t steals;               /* steals that took something */
	uint64_t stolen_pkts;          /* packets from others' work queues */
	uint64_t stolen_tasks;         /* tasks from others' work queues */
	uint64_t rx_stolen;            /* packets polled from others' RX queues */
	uint64_t stolen_from;          /* packets and tasks others took from its */
	uint64_t queued;               /* packets and tasks put on its work queue */
	uint64_t parked;               /* packets parked in a reorder window */
};

static void
books_of(const struct bg_lcore_summary *l, struct books *b)
{
	b->steals = stat_of(l, "steals");
	b->stolen_pkts = stat_of(l, "stolen_pkts");
	b->stolen_tasks = stat_of(l, "stolen_tasks");
	b->rx_stolen = stat_of(l, "rx_stolen");
	b->stolen_from = stat_of(l, "stolen_from");
	b->queued = stat_of(l, "queued");
	b->parked = stat_of(l, "order_parked");
}

static void
books_add(struct books *sum_b, const struct books *b)
{
	sum_b->steals += b->steals;
	sum_b->stolen_pkts += b->stolen_pkts;
	sum_b->stolen_tasks += b->stolen_tasks;
	sum_b->rx_stolen += b->rx_stolen;
	sum_b->stolen_from += b->stolen_from;
	sum_b->queued += b->queued;
	sum_b->parked += b->parked;
}

/*
 * The steal counters of a finished run balance, worker by worker: a steal
 * took 1 to a burst of objects; a work queue lost no more than was put on
 * it; and over all workers, what thieves took from work queues is what
 * their victims count as stolen from them. Sums them into total.
 */
static void
check_books(const char *what, const struct bg_summary *s, uint16_t burst, struct books *total)
{
	memset(total, 0, sizeof(*total));
	CHECK(s->nb_lcores == MR_NB_WORKERS, "%s: %u lcores in the summary", what, s->nb_lcores);
	for (unsigned i = 0; i < s->nb_lcores; i++) {
		struct books b;
		uint64_t took;

		books_of(&s->lcores[i], &b);
		took = b.stolen_pkts + b.stolen_tasks + b.rx_stolen;
		CHECK(b.steals <= took && took <= b.steals * burst,
		      "%s: worker %u: %" PRIu64 " steals took %" PRIu64 " objects, expected 1 to %u each",
		      what, i, b.steals, took, burst);
		CHECK(b.stolen_from <= b.queued,
		      "%s: worker %u: %" PRIu64 " taken from its work queue, %" PRIu64 " put on it",
		      what, i, b.stolen_from, b.queued);
		books_add(total, &b);
	}
	CHECK(total->stolen_from == total->stolen_pkts + total->stolen_tasks,
	      "%s: thieves took %" PRIu64 " packets and %" PRIu64 " tasks from work queues, their victims lost %" PRIu64,
	      what, total->stolen_pkts, total->stolen_tasks, total->stolen_from);
}

/*
 * With traffic on worker 0's RX queues alone: the others received only
 * what they polled from those queues, and worker 0 polled no one else's.
 */
static void
check_owner_rx(const char *what, const struct bg_summary *s)
{
	for (unsigned i = 0; i < s->nb_lcores; i++) {
		const uint64_t rx_stolen = stat_of(&s->lcores[i], "rx_stolen");

		if (i == OWNER)
			CHECK(rx_stolen == 0, "%s: worker %u, the owner, polled %" PRIu64
			      " frames from queues without traffic", what, i, rx_stolen);
		else
			CHECK(s->lcores[i].c.rx == rx_stolen,
			      "%s: worker %u received %" PRIu64 ", of which %" PRIu64
			      " from the owner's queues; it has no traffic of its own", what, i,
			      s->lcores[i].c.rx, rx_stolen);
	}
}

/*
 * Work moved off worker 0, the only one with traffic: something was
 * stolen (forced: see PRELOAD), and thieves came back for more. A steal
 * round tries every other worker, so a thief that has run what it took
 * and finds worker 0 still loaded steals from it again. Fewer steals than
 * thieves over the preload would mean worker 0 did nearly all of its 41 ms
 * of service alone: the thieves could not have been refused for want of
 * room in a reorder window, which a handful of steals cannot fill, so they
 * would have had no CPU, which is what PRELOAD rules out. (Not every thief
 * need steal twice: the one sharing worker 0's CPU runs while worker 0 is
 * off it, when, under --order flow, worker 0's unfinished batch may hold
 * the head of a window the others have filled.)
 */
static void
check_stolen(const char *what, const struct bg_summary *s, const struct books *b)
{
	uint64_t thieves = 0;

	for (unsigned i = 0; i < s->nb_lcores; i++)
		if (i != OWNER)
			thieves += stat_of(&s->lcores[i], "steals");
	CHECK(b->stolen_pkts + b->rx_stolen > 0,
	      "%s: nothing was stolen from the one loaded worker (steals %" PRIu64 ")", what,
	      b->steals);
	CHECK(thieves > s->nb_lcores - 1,
	      "%s: %" PRIu64 " steals by the %u workers without traffic while worker %u was loaded: "
	      "none came back for more", what, thieves, s->nb_lcores - 1, OWNER);
}

static void
print_books(const struct bg_summary *s, const struct books *b)
{
	printf("steals %" PRIu64 " (stolen_pkts %" PRIu64 ", stolen_tasks %" PRIu64
	       ", rx_stolen %" PRIu64 "), queued %" PRIu64 ", order_parked %" PRIu64
	       "; rx by worker:", b->steals, b->stolen_pkts, b->stolen_tasks, b->rx_stolen,
	       b->queued, b->parked);
	for (unsigned i = 0; i < s->nb_lcores; i++)
		printf(" %" PRIu64, s->lcores[i].c.rx);
	printf("\n");
}

/*
 * Run t under --order order --grain grain until every frame left, with
 * what mr_forward() checks (each frame once, exact, on its port, flow order
 * when t->order; counters; conservation), the options the run reports and
 * balanced books, into sum and b. Returns false when the run did not get
 * to its summary.
 */
static bool
run_checked(const struct mr_traffic *t, const char *order, const char *grain, struct books *b)
{
	char want[64];

	if (!set_opts(order, grain) || !mr_forward(&run, migrate(), t, &sum))
		return false;
	snprintf(want, sizeof(want), "order %s, grain %s", order,
		 strcmp(grain, "0") != 0 ? grain : "auto");
	CHECK(strcmp(sum.model_opts, want) == 0, "%s: the run says '%s', expected '%s'", t->name,
	      sum.model_opts, want);
	check_books(t->name, &sum, run.f.cfg.burst, b);
	printf("\n    %" PRIu64 " in, %" PRIu64 " out, %u twice, %u reordered%s; ", run.injected,
	       run.collected, run.dup, run.reordered, t->order ? "" : " (not asserted)");
	print_books(&sum, b);
	return true;
}

/* run_checked() with every frame on worker 0's RX queues and work per
 * frame: the RX side of stealing adds up, and work moved. */
static bool
run_loaded(const struct mr_traffic *t, const char *order, const char *grain, struct books *b)
{
	if (!run_checked(t, order, grain, b))
		return false;
	check_owner_rx(t->name, &sum);
	check_stolen(t->name, &sum, b);
	return true;
}

/* ---- 1. per-flow order while work moves ---- */

static const struct mr_traffic one_queue_flow = {
	.name = "io, 32 flows on RX queue 0 of port 0, work 5 us, order flow, grain 1",
	.fwd = "io", .kind = MR_OUT_IO,
	.nb_flows = 32, .per_flow = 1024, .one_queue = true,
	.work = BG_WORK_FIXED, .work_ns = WORK_NS, .preload = PRELOAD, .order = true,
};

static void
test_flow_order_stealing(void)
{
	const struct mr_traffic *t = &one_queue_flow;
	struct books b;

	if (run_loaded(t, "flow", "1", &b))
		CHECK(b.queued > 0, "%s: grain 1, yet nothing queued where others could take it",
		      t->name);
	printf("    ");
}

/*
 * With a grain of a whole burst nothing is queued anywhere: work moves
 * only by idle workers polling worker 0's RX queue, a burst at a time,
 * and every other RX queue is empty, so a thief comes back for more only
 * when its steal rounds try worker 0 again after a steal from it.
 */
static const struct mr_traffic one_queue_bursts = {
	.name = "io, 32 flows on RX queue 0 of port 0, work 5 us, order flow, grain 32",
	.fwd = "io", .kind = MR_OUT_IO,
	.nb_flows = 32, .per_flow = 256, .one_queue = true,
	.work = BG_WORK_FIXED, .work_ns = WORK_NS, .preload = PRELOAD, .order = true,
};

static void
test_rx_stealing(void)
{
	const struct mr_traffic *t = &one_queue_bursts;
	struct books b;

	if (run_loaded(t, "flow", "32", &b))
		CHECK(b.queued == 0 && b.stolen_pkts == 0 && b.rx_stolen > 0,
		      "%s: %" PRIu64 " queued, %" PRIu64 " stolen from work queues, %" PRIu64
		      " polled from the owner's RX queue; expected none, none, some", t->name,
		      b.queued, b.stolen_pkts, b.rx_stolen);
	printf("    ");
}

/* ---- 2. once each under heavy stealing, no order ---- */

/* Both directions, each on RX queue 0 of its port: worker 0 owns both. */
static const struct mr_traffic queue0_none = {
	.name = "macswap, 64 flows on RX queue 0 of both ports, work 5 us, order none, grain 1",
	.fwd = "macswap", .kind = MR_OUT_MACSWAP,
	.nb_flows = 64, .per_flow = 1024, .rxq0 = true,
	.work = BG_WORK_FIXED, .work_ns = WORK_NS, .preload = PRELOAD,
};

static void
test_none_once(void)
{
	const struct mr_traffic *t = &queue0_none;
	struct books b;

	if (run_loaded(t, "none", "1", &b)) {
		/* Checked frame by frame already; the count, explicitly:
		 * macswap undoes itself when run twice, and a frame sent
		 * twice is a dup. */
		CHECK(run.dup == 0 && run.collected == run.total && run.bad_bytes == 0,
		      "%s: %" PRIu64 " out of %" PRIu64 ", %u twice, %u with wrong bytes", t->name,
		      run.collected, run.total, run.dup, run.bad_bytes);
		CHECK(b.queued > 0, "%s: grain 1, yet nothing queued where others could take it",
		      t->name);
		CHECK(b.parked == 0, "%s: %" PRIu64 " parked without order", t->name, b.parked);
	}
	printf("    ");
}

/* ---- 3. tasks resumed by another worker ---- */

/*
 * Every frame is served (work), then waits 20 us as a task (delay), which
 * resumes past the stage that suspended it: when it is due, its worker puts
 * it on its own work queue, behind what is left of the RX burst it queued
 * before, and whoever takes it from there resumes it. Thieves take the
 * front half of a work queue, tasks and packets alike, so every task sits
 * where three others steal. That no task at all is taken in a run is not
 * ruled out by construction, as the first steal is (PRELOAD): it would take
 * each of 16384 tasks escaping every steal. The fewest taken in 30 runs,
 * 20 of them with both CPUs busy, were 1403.
 */
static const struct mr_traffic one_queue_tasks = {
	.name = "macswap, 32 flows on RX queue 0 of port 0, work 5 us, delay 20 us, grain 1",
	.fwd = "macswap", .kind = MR_OUT_MACSWAP,
	.nb_flows = 32, .per_flow = 512, .one_queue = true, .delay_us = 20,
	.work = BG_WORK_FIXED, .work_ns = WORK_NS, .preload = PRELOAD,
};

static void
test_tasks_resumed_elsewhere(void)
{
	const struct mr_traffic *t = &one_queue_tasks;
	uint64_t susp = 0, resumed = 0;
	struct books b;

	if (!run_loaded(t, "flow", "1", &b)) {
		printf("    ");
		return;
	}
	/*
	 * Worker i resumed its own tasks but those thieves took (part of its
	 * stolen_from), and those it stole itself: resumed - suspended =
	 * stolen_tasks - (tasks taken from it).
	 */
	printf("    suspended/resumed by worker:");
	for (unsigned i = 0; i < sum.nb_lcores; i++) {
		const struct bg_lcore_summary *l = &sum.lcores[i];
		const uint64_t stolen = stat_of(l, "stolen_tasks");
		const uint64_t from = stat_of(l, "stolen_from");

		CHECK(l->resumed <= l->suspended + stolen && l->suspended <= l->resumed + from,
		      "%s: worker %u suspended %" PRIu64 ", resumed %" PRIu64 ", stole %" PRIu64
		      " tasks, lost %" PRIu64 " packets and tasks", t->name, i, l->suspended,
		      l->resumed, stolen, from);
		susp += l->suspended;
		resumed += l->resumed;
		printf(" %" PRIu64 "/%" PRIu64, l->suspended, l->resumed);
	}
	printf("\n    ");
	CHECK(susp == run.total && resumed == run.total,
	      "%s: %" PRIu64 " suspended, %" PRIu64 " resumed, expected %" PRIu64 " each", t->name,
	      susp, resumed, run.total);
	CHECK(b.stolen_tasks > 0, "%s: no task was resumed by a worker other than its own",
	      t->name);
}

/* ---- 4. no order, every queue ---- */

/* Every frame out once, as macswap makes it, on its port (mr_forward()):
 * the multiset that went in; exact port counters. */
static const struct mr_traffic all_queues_none = {
	.name = "macswap, 64 flows on every RX queue, work 1 us, order none, grain auto",
	.fwd = "macswap", .kind = MR_OUT_MACSWAP,
	.nb_flows = 64, .per_flow = 1024,
	.work = BG_WORK_FIXED, .work_ns = 1000,
};

static void
test_none_all_queues(void)
{
	struct books b;

	run_checked(&all_queues_none, "none", "0", &b);
	printf("    ");
}

/* ---- 5. stop under load ---- */

/* 8192 frames of 20 us: 164 ms of service, so that the control thread,
 * which shares its CPU with two workers, gets to stop the run long before
 * the preload is through. */
#define STOP_WORK_NS 20000.0

static const struct mr_traffic stop_flow = {
	.name = "stop under load, order flow", .fwd = "macswap", .kind = MR_OUT_MACSWAP,
	.nb_flows = 64, .per_flow = 128, .rxq0 = true,
	.work = BG_WORK_FIXED, .work_ns = STOP_WORK_NS, .preload = 64 * 128, .order = true,
};

static const struct mr_traffic stop_none = {
	.name = "stop under load, order none", .fwd = "macswap", .kind = MR_OUT_MACSWAP,
	.nb_flows = 64, .per_flow = 128, .rxq0 = true,
	.work = BG_WORK_FIXED, .work_ns = STOP_WORK_NS, .preload = 64 * 128,
};

/*
 * All of t on worker 0's two RX rings, launch, stop once STOP_AFTER frames
 * left, thousands still waiting on the rings: what was received and not
 * sent (in work queues, reorder windows, being served) is counted as
 * shutdown drops, nothing else is dropped, pools back; what left is exact,
 * once, in flow order with --order flow. Returns whether the run got to
 * its summary, and what it held at the stop.
 */
static bool
stop_loaded(const struct mr_traffic *t, uint64_t *held)
{
	struct mr_run *r = &run;
	unsigned left[MR_NB_PORTS];
	struct books b;
	bool ok;

	if (!set_opts(t->order ? "flow" : "none", "1") || mr_setup(r, migrate(), t) != 0)
		goto fail;
	while (r->injected < t->preload)
		if (!mr_inject_one(r))
			goto fail;
	if (bg_test_fixture_launch(&r->f) != 0)
		goto fail;
	ok = mr_pump(r, STOP_AFTER);
	bg_runtime_stop(&r->f.rt);
	for (uint16_t p = 0; p < MR_NB_PORTS; p++)
		left[p] = bg_test_rings_count(r->f.port[p].rx, BG_TEST_MAX_Q);
	mr_collect(r);
	mr_count_reordered(r);
	mr_check_output(r, false);
	if (!mr_finish(r, ok, &sum))
		return false;
	mr_check_stopped(r, &sum, left);
	check_books(t->name, &sum, r->f.cfg.burst, &b);
	*held = sum.total.rx - sum.total.tx;
	printf("    %s: %u left on RX rings, %" PRIu64 " received, %" PRIu64 " sent, %" PRIu64
	       " shutdown drops, order_parked %" PRIu64 ", pools back: %s\n", t->name,
	       left[0] + left[1], sum.total.rx, sum.total.tx, sum.total.drop[BG_DROP_SHUTDOWN],
	       b.parked, sum.pools_returned ? "yes" : "no");
	return true;
fail:
	CU_FAIL("set-up failed");
	mr_finish(r, false, &sum);
	return false;
}

/*
 * Every attempt is checked in full. A stop finds frames held when a work
 * queue holds more than the workers' last iterations take (one object, or
 * up to a burst, each); one that comes when every work queue has just run
 * dry and every window drains is legitimate, only useless here (a few
 * stops in a hundred), so the scenario runs again, up to STOP_TRIES
 * times, until a stop held frames.
 */
static void
stop_until_held(const struct mr_traffic *t)
{
	uint64_t held = 0;
	unsigned tries = 0;

	while (held == 0 && tries++ < STOP_TRIES)
		if (!stop_loaded(t, &held))
			return;
	CHECK(held > 0, "%s: %u stops under load, none with a frame held", t->name, STOP_TRIES);
}

static void
test_stop_loaded(void)
{
	printf("\n");
	stop_until_held(&stop_flow);
	stop_until_held(&stop_none);
	printf("    ");
}

/* ---- 6. options ---- */

/* Parse --name arg with the model's own parser: its result, and its
 * message in err. */
static int
parse(const char *name, const char *arg, char *err, size_t len)
{
	const struct bg_sched *s = migrate();

	err[0] = '\0';
	for (const struct bg_sched_opt *o = s->opts; o != NULL && o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return o->parse(arg, err, len);
	CHECK(false, "migrate has no option --%s", name);
	return -ENOENT;
}

static const char *
says(void)
{
	static char buf[160];

	migrate()->describe(buf, sizeof(buf));
	return buf;
}

static void
expect_says(int line, const char *want)
{
	CHECK_AT(line, strcmp(says(), want) == 0, "describe() says '%s', expected '%s'", says(),
		 want);
}

/* --name arg is refused: -EINVAL, one line that starts with --name and
 * quotes arg, and nothing changes. */
static void
expect_bad(int line, const char *name, const char *arg)
{
	char err[256], before[160], flag[32], quoted[64];
	int ret;

	snprintf(before, sizeof(before), "%s", says());
	ret = parse(name, arg, err, sizeof(err));
	snprintf(flag, sizeof(flag), "--%s: ", name);
	snprintf(quoted, sizeof(quoted), "'%s'", arg);
	CHECK_AT(line, ret == -EINVAL && strncmp(err, flag, strlen(flag)) == 0 &&
		 strstr(err, quoted) != NULL && strchr(err, '\n') == NULL,
		 "--%s %s: %d '%s', expected -EINVAL and one line naming the flag and the value",
		 name, arg, ret, err);
	CHECK_AT(line, strcmp(says(), before) == 0, "--%s %s refused, yet '%s' became '%s'", name,
		 arg, before, says());
}

static void
expect_good(int line, const char *name, const char *arg, const char *want)
{
	char err[256];
	int ret = parse(name, arg, err, sizeof(err));

	CHECK_AT(line, ret == 0, "--%s %s: %d '%s'", name, arg, ret, err);
	expect_says(line, want);
}

static void
test_options(void)
{
	static const char *const bad_grain[] = { "300", "257", "-1", "", "1x", " 4", "+4", "0x4",
						 "4.0", "99999999999999999999" };
	static const char *const bad_order[] = { "fifo", "", "FLOW", "flows", "none " };

	migrate()->opts_reset();
	expect_says(__LINE__, "order flow, grain auto");
	expect_good(__LINE__, "order", "none", "order none, grain auto");
	expect_good(__LINE__, "grain", "4", "order none, grain 4");
	expect_good(__LINE__, "grain", "256", "order none, grain 256");
	expect_good(__LINE__, "grain", "0", "order none, grain auto");
	expect_good(__LINE__, "order", "flow", "order flow, grain auto");
	expect_good(__LINE__, "grain", "1", "order flow, grain 1");
	for (size_t i = 0; i < RTE_DIM(bad_grain); i++)
		expect_bad(__LINE__, "grain", bad_grain[i]);
	for (size_t i = 0; i < RTE_DIM(bad_order); i++)
		expect_bad(__LINE__, "order", bad_order[i]);
	migrate()->opts_reset();
	expect_says(__LINE__, "order flow, grain auto");
}

/*
 * --grain 0 is auto, and auto without --work is a whole burst: a worker
 * runs what it polled at once and queues none of it. (With --grain 1 the
 * rest of every burst is queued: the other tests check queued > 0.)
 */
static const struct mr_traffic grain_auto = {
	.name = "io, 16 flows on RX queue 0 of port 0, grain 0 (auto), no work",
	.fwd = "io", .kind = MR_OUT_IO,
	.nb_flows = 16, .per_flow = 256, .one_queue = true, .preload = 16 * 256, .order = true,
};

static void
test_grain_auto(void)
{
	const struct mr_traffic *t = &grain_auto;
	struct books b;

	if (run_checked(t, "flow", "0", &b))
		CHECK(b.queued == 0 && b.stolen_pkts == 0,
		      "%s: %" PRIu64 " queued, %" PRIu64 " stolen from work queues; expected none",
		      t->name, b.queued, b.stolen_pkts);
	printf("    ");
}

int
main(void)
{
	static const struct bg_test_case tests[] = {
		{ "order flow, all traffic on one RX queue, work 5 us, grain 1: work is stolen, each flow in order, every frame once and intact, steal counters balance", test_flow_order_stealing },
		{ "order flow, grain a burst, one loaded RX queue: idle workers poll it again and again; order, frames, counters", test_rx_stealing },
		{ "order none, both directions on worker 0's queues, heavy stealing: no frame run twice or lost, pools back", test_none_once },
		{ "delay 20 us after work 5 us on one RX queue: tasks resumed by another worker, each once; suspended and resumed balance per worker", test_tasks_resumed_elsewhere },
		{ "order none, traffic on every queue, work 1 us: the multiset that went in comes out, exact counters", test_none_all_queues },
		{ "stop under load (order flow, order none): received and not sent are shutdown drops, nothing else, pools back", test_stop_loaded },
		{ "--order and --grain: bad values refused naming the flag, 0 is auto", test_options },
		{ "--grain 0 (auto) without --work runs whole bursts: nothing queued", test_grain_auto },
	};

	return MR_RUN_SUITE("migrate", tests);
}
