/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * await: the per-lcore timer wheel, events, and tasks resuming through the
 * chain (dataplane/await.h, dataplane/stage.h, bg_worker_resume()). One
 * suite in two files: the wheel and events here, the chain in
 * test_await_chain.c.
 *
 * Time is synthetic: the tests pass TSC values they choose to
 * bg_await_init() and bg_await_expire(), so every check is exact and nothing
 * depends on how fast the machine is. What a user relies on and what is
 * checked: every task comes out exactly once; never before its deadline; at
 * most one tick (plus the tick in progress) after it when expire runs every
 * tick; in deadline order, equal deadlines in the order they were suspended;
 * the timers/waiting counters; a long gap releases everything; events release
 * their waiters in order; a packet resumes at the stage it named, with
 * x->resumed set only for the stage that suspended it; an empty task pool is
 * a counted drop; drain frees everything and both pools come back to zero.
 *
 * The random cases print their seed; set BG_TEST_SEED to replay one.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_random.h>

#include "dataplane/await.h"
#include "dataplane/task.h"
#include "eal_helper.h"
#include "test_await.h"
#include "test_helper.h"

#define NB_MBUFS 4095             /* the suite's mbuf pool */
#define MAX_ERRORS 5              /* details printed per check and test */

struct rte_mempool *task_pool;
struct rte_mempool *mbuf_pool;
static uint64_t seed;

/* The wheel under test: 64 KiB, so not on the stack. */
static struct bg_await wheel;

/*
 * Count a failed per-item condition; print the first few. Used in loops over
 * thousands of tasks, where one CUnit assertion each would drown the report;
 * the loop's caller then asserts the count is zero.
 */
static void __attribute__((format(printf, 3, 4)))
note_error(unsigned *errors, const char *what, const char *fmt, ...)
{
	va_list ap;

	if ((*errors)++ >= MAX_ERRORS)
		return;
	fprintf(stderr, "\n    %s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* ---- the timer wheel ---- */

/* What the test remembers of a task it suspended. */
struct wtask {
	struct bg_task *t;
	uint64_t deadline;
	uint64_t eff_tick;             /* max(deadline tick, first unprocessed tick) */
	uint64_t inserted_at;          /* the now of the last expire before it */
	uint32_t seq;                  /* insertion order */
	bool released;
};

static struct wtask wt[NB_TASKS];

/*
 * Deadlines of every kind the wheel must handle, around now (the last time
 * given to the wheel): random over three turns, in the past, several in one
 * tick, exactly equal, far beyond the horizon, on and next to tick boundaries.
 */
static uint64_t
random_deadline(const struct bg_await *a, uint64_t now, const uint64_t equal[4],
		const uint64_t same_tick[4])
{
	const uint64_t tick = tick_cycles(a);
	const uint64_t turn = HORIZON * tick;
	const unsigned kind = (unsigned)rte_rand_max(100);

	if (kind < 35)
		return now + rand_max(3 * turn);
	if (kind < 45)                       /* already past, up to 20 ticks */
		return now - 1 - rand_max(20 * tick);
	if (kind < 60)                       /* several in the same tick */
		return same_tick[rte_rand_max(4)] + rand_max(tick);
	if (kind < 75)                       /* exactly equal */
		return equal[rte_rand_max(4)];
	if (kind < 85)                       /* several turns ahead */
		return now + (3 + rand_max(8)) * turn + rand_max(turn);
	if (kind < 90)                       /* exactly this tick or the next */
		return now + rand_max(2 * tick);
	/* on a tick boundary, or one cycle before it */
	return ((now >> a->tick_shift) + 1 + rand_max(2 * HORIZON)) * tick - rand_max(2);
}

static void
pick_specials(const struct bg_await *a, uint64_t now, uint64_t equal[4], uint64_t same_tick[4])
{
	const uint64_t tick = tick_cycles(a);

	for (int i = 0; i < 4; i++) {
		/* Tick-aligned bases; equal deadlines anywhere in a tick,
		 * including beyond the horizon and one at "now". */
		same_tick[i] = ((now >> a->tick_shift) + rand_max(2 * HORIZON)) * tick;
		equal[i] = now + rand_max(2 * HORIZON * tick);
	}
	equal[0] = now;
	same_tick[0] = (now >> a->tick_shift) * tick + tick;
}

/* Suspend wt[i] (already holding its deadline) at the wheel's current state. */
static void
wheel_insert(struct bg_await *a, unsigned i, uint64_t now)
{
	struct wtask *w = &wt[i];
	uint64_t tick = w->deadline >> a->tick_shift;

	w->t->state[0] = i;
	w->t->m = NULL;
	w->inserted_at = now;
	w->eff_tick = tick < a->next_tick ? a->next_tick : tick;
	w->released = false;
	bg_await_timer(a, w->t, w->deadline);
}

/* Checks of the tasks coming out of the wheel. */
struct release_check {
	unsigned released;
	unsigned errors;
	bool check_order;
	bool have_prev;
	uint64_t prev_eff_tick, prev_deadline;
	uint32_t prev_seq;
	uint64_t max_late;             /* cycles after max(deadline, insertion) */
};

/*
 * Take every ready task after expire(now) and check it: once only, never
 * early, at most max_late after it was due, and (if asked) in order of
 * (effective tick, deadline, insertion). Frees the task.
 */
static void
release_ready(struct bg_await *a, uint64_t now, struct release_check *rc)
{
	struct bg_task *t;

	while ((t = bg_await_next(a)) != NULL) {
		const uint64_t i = t->state[0];
		struct wtask *w;
		uint64_t due;

		if (i >= NB_TASKS || wt[i].t != t) {
			note_error(&rc->errors, "wheel", "a task the test does not know");
			continue;
		}
		w = &wt[i];
		if (w->released)
			note_error(&rc->errors, "wheel", "task %" PRIu64 " released twice", i);
		w->released = true;
		rc->released++;
		if (t->deadline != w->deadline)
			note_error(&rc->errors, "wheel", "task %" PRIu64 " deadline changed", i);
		if (w->deadline > now)
			note_error(&rc->errors, "wheel",
				   "task %" PRIu64 " released at %" PRIu64 ", %" PRIu64 " cycles before its deadline",
				   i, now, w->deadline - now);
		due = w->deadline > w->inserted_at ? w->deadline : w->inserted_at;
		if (rc->max_late != 0 && now > due && now - due > rc->max_late)
			note_error(&rc->errors, "wheel",
				   "task %" PRIu64 " released %" PRIu64 " cycles after it was due (bound %" PRIu64 ")",
				   i, now - due, rc->max_late);
		if (rc->check_order && rc->have_prev) {
			bool ok = w->eff_tick > rc->prev_eff_tick ||
				  (w->eff_tick == rc->prev_eff_tick &&
				   (w->deadline > rc->prev_deadline ||
				    (w->deadline == rc->prev_deadline && w->seq > rc->prev_seq)));

			if (!ok)
				note_error(&rc->errors, "wheel",
					   "task %" PRIu64 " (tick %" PRIu64 ", deadline %" PRIu64 ", seq %u) after one with tick %" PRIu64 ", deadline %" PRIu64 ", seq %u",
					   i, w->eff_tick, w->deadline, w->seq, rc->prev_eff_tick,
					   rc->prev_deadline, rc->prev_seq);
		}
		rc->have_prev = true;
		rc->prev_eff_tick = w->eff_tick;
		rc->prev_deadline = w->deadline;
		rc->prev_seq = w->seq;
		bg_task_free(task_pool, t);
		w->t = NULL;
	}
}

/* Allocate n tasks for wt[0..n-1]. Returns how many it got. */
static unsigned
wt_alloc(unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		wt[i].t = bg_task_alloc(task_pool);
		if (wt[i].t == NULL)
			break;
		wt[i].seq = i;
	}
	CHECK(i == n, "allocated %u of %u tasks", i, n);
	return i;
}

/* Expire every tick from now on until every task is out (or a bound). Returns
 * the last now. */
static uint64_t
run_ticks(struct bg_await *a, uint64_t now, unsigned total, uint64_t max_ticks,
	  struct release_check *rc, unsigned *timer_errors)
{
	const uint64_t tick = tick_cycles(a);

	for (uint64_t k = 0; k < max_ticks && rc->released < total; k++) {
		uint64_t before = a->timers;
		unsigned n;

		now += tick;
		n = bg_await_expire(a, now);
		if (a->timers != before - n)
			note_error(timer_errors, "timers", "%" PRIu64 " before, %u out, %" PRIu64 " after",
				   before, n, a->timers);
		release_ready(a, now, rc);
	}
	return now;
}

static void
test_wheel_random(void)
{
	enum { N = 20000 };
	uint64_t equal[4], same_tick[4];
	struct release_check rc = { .check_order = true };
	unsigned timer_errors = 0, n;
	const uint64_t now0 = rte_get_tsc_cycles() + (1ull << 40);
	uint64_t tick, now;

	bg_await_init(&wheel, TICK_NS, now0);
	tick = tick_cycles(&wheel);
	CHECK(bg_await_tick_ns(&wheel) <= TICK_NS && bg_await_tick_ns(&wheel) > TICK_NS / 2,
	      "tick %.1f ns for %d asked", bg_await_tick_ns(&wheel), TICK_NS);
	CHECK(wheel.timers == 0 && wheel.waiting == 0, "a new wheel is empty");
	/* Expire every tick: a task is out by the second tick boundary after
	 * its deadline (its own tick, then the one in progress). */
	rc.max_late = 2 * tick;

	n = wt_alloc(N);
	pick_specials(&wheel, now0, equal, same_tick);
	for (unsigned i = 0; i < n; i++) {
		wt[i].deadline = random_deadline(&wheel, now0, equal, same_tick);
		wheel_insert(&wheel, i, now0);
	}
	CHECK(wheel.timers == n, "timers %" PRIu64 " after %u suspended", wheel.timers, n);
	CHECK(bg_await_next(&wheel) == NULL, "nothing ready before expire");
	CHECK(bg_await_expire(&wheel, now0) == 0, "nothing ready at the start time");

	/* Start mid-tick, then one expire per tick. */
	now = now0 + rand_max(tick);
	now = run_ticks(&wheel, now, n, 16 * HORIZON, &rc, &timer_errors);
	CHECK(rc.released == n, "%u of %u tasks released", rc.released, n);
	CHECK(rc.errors == 0, "%u release errors (seed %" PRIu64 ")", rc.errors, seed);
	CHECK(timer_errors == 0, "%u timer count errors", timer_errors);
	CHECK(wheel.timers == 0, "timers %" PRIu64 " at the end", wheel.timers);
	CHECK(pool_in_use(task_pool) == 0, "%u tasks still in use", pool_in_use(task_pool));
	(void)now;
}

/*
 * Tasks suspended while the wheel turns, with deadlines relative to the
 * current time: past ones, ones in the tick in progress, and ones beyond the
 * horizon.
 */
static void
test_wheel_insert_while_running(void)
{
	enum { N = 20000, PER_TICK = 5 };
	uint64_t equal[4], same_tick[4];
	struct release_check rc = { .check_order = true };
	unsigned timer_errors = 0, n, inserted = 0;
	const uint64_t now0 = rte_get_tsc_cycles() + (1ull << 40) + 12345;
	uint64_t tick, now, in_wheel = 0;

	bg_await_init(&wheel, TICK_NS, now0);
	tick = tick_cycles(&wheel);
	rc.max_late = 2 * tick;
	n = wt_alloc(N);
	now = now0;
	for (uint64_t k = 0; rc.released < n && k < 40 * HORIZON; k++) {
		unsigned out;

		if (inserted < n) {
			if (k % 512 == 0)
				pick_specials(&wheel, now, equal, same_tick);
			for (unsigned j = 0; j < PER_TICK && inserted < n; j++, inserted++) {
				wt[inserted].deadline = random_deadline(&wheel, now, equal, same_tick);
				wheel_insert(&wheel, inserted, now);
				in_wheel++;
			}
		}
		if (wheel.timers != in_wheel)
			note_error(&timer_errors, "timers", "%" PRIu64 ", expected %" PRIu64,
				   wheel.timers, in_wheel);
		now += tick;
		out = bg_await_expire(&wheel, now);
		in_wheel -= out;
		release_ready(&wheel, now, &rc);
	}
	CHECK(inserted == n, "inserted %u of %u", inserted, n);
	CHECK(rc.released == n, "%u of %u tasks released", rc.released, n);
	CHECK(rc.errors == 0, "%u release errors (seed %" PRIu64 ")", rc.errors, seed);
	CHECK(timer_errors == 0, "%u timer count errors", timer_errors);
	CHECK(wheel.timers == 0, "timers %" PRIu64 " at the end", wheel.timers);
	CHECK(pool_in_use(task_pool) == 0, "%u tasks still in use", pool_in_use(task_pool));
}

/*
 * The lcore stalls: now jumps by part of a turn, then by many turns. Exactly
 * the tasks whose deadline tick is before now's tick come out, whatever slot
 * they were in; the rest keep their place and their order.
 */
static void
test_wheel_long_gap(void)
{
	enum { N = 10000 };
	uint64_t equal[4], same_tick[4];
	struct release_check rc = { .check_order = false };
	unsigned timer_errors = 0, n, early = 0, missed = 0, expect;
	const uint64_t now0 = rte_get_tsc_cycles() + (1ull << 41);
	uint64_t tick, now, now_tick;

	bg_await_init(&wheel, TICK_NS, now0);
	tick = tick_cycles(&wheel);
	n = wt_alloc(N);
	pick_specials(&wheel, now0, equal, same_tick);
	for (unsigned i = 0; i < n; i++) {
		wt[i].deadline = random_deadline(&wheel, now0, equal, same_tick);
		wheel_insert(&wheel, i, now0);
	}

	/* A gap of a turn and a half: per-slot order only, but exactly the
	 * tasks that are due. */
	now = now0 + HORIZON * tick + HORIZON * tick / 2 + rand_max(tick);
	now_tick = now >> wheel.tick_shift;
	expect = 0;
	for (unsigned i = 0; i < n; i++)
		expect += (wt[i].deadline >> wheel.tick_shift) < now_tick;
	CHECK(bg_await_expire(&wheel, now) == expect, "expire after a gap released %u",
	      expect);
	release_ready(&wheel, now, &rc);
	for (unsigned i = 0; i < n; i++) {
		bool due = (wt[i].deadline >> wheel.tick_shift) < now_tick;

		early += !due && wt[i].released;
		missed += due && !wt[i].released;
	}
	CHECK(early == 0, "%u tasks released before their tick after a gap", early);
	CHECK(missed == 0, "%u due tasks not released after a gap", missed);
	CHECK(rc.released == expect, "%u released, %u due", rc.released, expect);
	CHECK(wheel.timers == n - expect, "timers %" PRIu64 ", expected %u", wheel.timers,
	      n - expect);

	/* Then the wheel turns normally again: order and lateness hold for the
	 * rest. */
	rc.check_order = true;
	rc.have_prev = false;
	rc.max_late = 2 * tick;
	for (unsigned i = 0; i < n; i++)
		if (!wt[i].released)
			wt[i].inserted_at = now;
	now = run_ticks(&wheel, now, n, 4 * HORIZON, &rc, &timer_errors);
	CHECK(timer_errors == 0, "%u timer count errors", timer_errors);

	/* Still some far beyond the horizon: a jump of many turns releases them
	 * all at once. */
	CHECK(wheel.timers > 0, "tasks several turns ahead still wait (%" PRIu64 ")",
	      wheel.timers);
	rc.check_order = false;
	rc.max_late = 0;
	now += 1000 * HORIZON * tick;
	expect = (unsigned)wheel.timers;
	CHECK(bg_await_expire(&wheel, now) == expect, "a jump of 1000 turns releases the %u left",
	      expect);
	release_ready(&wheel, now, &rc);
	CHECK(rc.released == n, "%u of %u tasks released", rc.released, n);
	CHECK(rc.errors == 0, "%u release errors (seed %" PRIu64 ")", rc.errors, seed);
	CHECK(wheel.timers == 0, "timers %" PRIu64 " at the end", wheel.timers);

	/* An idle wheel (no timers) that was not expired for a long time: a new
	 * task comes out on time, neither at once nor late. */
	{
		uint64_t idle_now = now + 77 * HORIZON * tick + 3;
		struct bg_task *t = bg_task_alloc(task_pool);
		unsigned k;

		CHECK(bg_await_expire(&wheel, idle_now) == 0, "nothing to expire");
		CHECK(t != NULL, "a task");
		if (t != NULL) {
			bg_await_timer(&wheel, t, idle_now + 10 * tick);
			for (k = 1; k < 20; k++)
				if (bg_await_expire(&wheel, idle_now + k * tick) != 0)
					break;
			CHECK(idle_now + k * tick >= t->deadline &&
			      idle_now + k * tick - t->deadline < 2 * tick,
			      "after an idle gap a task comes out on time (tick %u of 10)", k);
			if (bg_await_next(&wheel) == t)
				bg_task_free(task_pool, t);
			else
				CU_FAIL("the task did not come out");
		}
	}
	CHECK(pool_in_use(task_pool) == 0, "%u tasks still in use", pool_in_use(task_pool));
}

/* Equal deadlines come out in suspension order, even when later ones are
 * inserted into a slot that already holds later deadlines; a deadline exactly
 * on a tick boundary waits for the tick after. */
static void
test_wheel_equal_and_boundary(void)
{
	enum { N = 64 };
	struct bg_task *t[N];
	const uint64_t now0 = 1ull << 42;     /* a tick boundary */
	uint64_t tick, d;
	unsigned got = 0, bad = 0;

	bg_await_init(&wheel, TICK_NS, now0);
	tick = tick_cycles(&wheel);
	d = now0 + 5 * tick;                  /* on a boundary */
	for (unsigned i = 0; i < N; i++) {
		t[i] = bg_task_alloc(task_pool);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t[i]);
		t[i]->state[0] = i;
	}
	/* Into one slot: later deadline first, then alternating equal
	 * deadlines d and d + 1 (sorted insertion), then earlier ones. */
	bg_await_timer(&wheel, t[0], d + tick - 1);
	for (unsigned i = 1; i < N - 2; i++)
		bg_await_timer(&wheel, t[i], d + (i % 2));
	bg_await_timer(&wheel, t[N - 2], d);
	bg_await_timer(&wheel, t[N - 1], d - 1);     /* the tick before */
	CHECK(wheel.timers == N, "timers %" PRIu64, wheel.timers);

	/* now = d: t[N-1] (tick before) is out, nothing of d's tick. */
	CHECK(bg_await_expire(&wheel, d) == 1, "only the previous tick at d");
	CHECK(bg_await_next(&wheel) == t[N - 1], "the previous tick's task");
	CHECK(bg_await_expire(&wheel, d + tick - 1) == 0, "nothing until d's tick is over");
	CHECK(bg_await_expire(&wheel, d + tick) == N - 1, "all of d's tick at its end");
	/* Order: the even ones (deadline d) in insertion order, then t[N-2]
	 * (d, inserted last), then the odd ones (d + 1), then t[0]. */
	{
		unsigned expect[N], k = 0;
		struct bg_task *x;

		for (unsigned i = 2; i < N - 2; i += 2)
			expect[k++] = i;
		expect[k++] = N - 2;
		for (unsigned i = 1; i < N - 2; i += 2)
			expect[k++] = i;
		expect[k++] = 0;
		while ((x = bg_await_next(&wheel)) != NULL) {
			if (got >= k || x->state[0] != expect[got]) {
				if (bad++ == 0)
					fprintf(stderr, "\n    #%u out is task %" PRIu64 ", expected %u",
						got, x->state[0], got < k ? expect[got] : 9999);
			}
			got++;
		}
		CHECK(got == k, "%u out of %u", got, k);
	}
	CHECK(bad == 0, "%u out of order", bad);
	CHECK(wheel.timers == 0, "timers %" PRIu64, wheel.timers);
	for (unsigned i = 0; i < N; i++)
		bg_task_free(task_pool, t[i]);
	CHECK(pool_in_use(task_pool) == 0, "%u tasks still in use", pool_in_use(task_pool));
}

/* ---- events ---- */

static void
test_events(void)
{
	enum { N = 50 };
	struct bg_event ev1, ev2;
	struct bg_task *t[N], *x, *timer_task;
	unsigned k, bad = 0;
	const uint64_t now0 = 1ull << 40;
	uint64_t tick;

	memset(&ev1, 0, sizeof(ev1));
	memset(&ev2, 0, sizeof(ev2));
	bg_await_init(&wheel, TICK_NS, now0);
	tick = tick_cycles(&wheel);
	for (unsigned i = 0; i < N; i++) {
		t[i] = bg_task_alloc(task_pool);
		CU_ASSERT_PTR_NOT_NULL_FATAL(t[i]);
		t[i]->state[0] = i;
	}
	/* Even tasks on ev1, odd ones on ev2, interleaved. */
	for (unsigned i = 0; i < N; i++) {
		bg_await_event(&wheel, i % 2 ? &ev2 : &ev1, t[i]);
		CHECK(wheel.waiting == i + 1, "waiting %" PRIu64 " after %u", wheel.waiting, i + 1);
	}
	CHECK(wheel.timers == 0, "events are not timers");
	CHECK(bg_await_next(&wheel) == NULL, "nothing ready before a signal");
	CHECK(bg_await_expire(&wheel, now0 + 100 * tick) == 0, "time does not release waiters");
	CHECK(bg_await_next(&wheel) == NULL, "nothing ready after expire");

	/* A timer task is ready first; the signal appends after it. */
	timer_task = bg_task_alloc(task_pool);
	CU_ASSERT_PTR_NOT_NULL_FATAL(timer_task);
	timer_task->state[0] = 1000;
	bg_await_timer(&wheel, timer_task, now0 + 100 * tick);
	CHECK(bg_await_expire(&wheel, now0 + 102 * tick) == 1, "the timer");

	CHECK(bg_event_signal(&wheel, &ev2) == N / 2, "ev2 releases its %d", N / 2);
	CHECK(ev2.signals == 1 && ev1.signals == 0, "signals: ev1 %" PRIu64 ", ev2 %" PRIu64,
	      ev1.signals, ev2.signals);
	CHECK(wheel.waiting == N / 2, "waiting %" PRIu64 " after one signal", wheel.waiting);
	CHECK(bg_await_next(&wheel) == timer_task, "the ready timer comes first");
	for (k = 1; (x = bg_await_next(&wheel)) != NULL; k += 2)
		bad += x->state[0] != k;
	CHECK(k == N + 1, "ev2's waiters all ready (%u)", k / 2);
	CHECK(bad == 0, "%u of ev2's waiters out of order", bad);

	/* A signal with nobody waiting counts, releases nothing. */
	CHECK(bg_event_signal(&wheel, &ev2) == 0, "nobody waits on ev2 any more");
	CHECK(ev2.signals == 2, "ev2 signalled twice (%" PRIu64 ")", ev2.signals);
	CHECK(wheel.waiting == N / 2, "waiting %" PRIu64, wheel.waiting);

	/* Waiting again after a signal: a fresh list. */
	bg_await_event(&wheel, &ev2, timer_task);
	CHECK(bg_event_signal(&wheel, &ev1) == N / 2, "ev1 releases its %d", N / 2);
	CHECK(bg_event_signal(&wheel, &ev2) == 1, "ev2 releases the one that came back");
	CHECK(wheel.waiting == 0, "waiting %" PRIu64 " at the end", wheel.waiting);
	bad = 0;
	for (k = 0; (x = bg_await_next(&wheel)) != NULL; k += 2)
		bad += x->state[0] != (k < N ? k : 1000u);
	CHECK(k == N + 2, "ev1's then ev2's waiters ready (%u)", k / 2);
	CHECK(bad == 0, "%u out of order", bad);
	CHECK(ev1.signals == 1 && ev2.signals == 3, "signals: ev1 %" PRIu64 ", ev2 %" PRIu64,
	      ev1.signals, ev2.signals);

	for (unsigned i = 0; i < N; i++)
		bg_task_free(task_pool, t[i]);
	bg_task_free(task_pool, timer_task);
	CHECK(pool_in_use(task_pool) == 0, "%u tasks still in use", pool_in_use(task_pool));
}

int
main(void)
{
	static const struct bg_test_case tests[] = {
		{ "wheel: random deadlines, expire every tick", test_wheel_random },
		{ "wheel: tasks suspended while it turns", test_wheel_insert_while_running },
		{ "wheel: long gaps release exactly what is due", test_wheel_long_gap },
		{ "wheel: equal deadlines, tick boundaries", test_wheel_equal_and_boundary },
		{ "events: signal, order, counts", test_events },
		{ "chain: resume at the next stage after the deadline", test_resume_next_stage },
		{ "chain: resume at the suspending stage (x->resumed)", test_resume_self },
		{ "chain: a thousand ready at once resume in bursts", test_resume_many_at_once },
		{ "chain: task pool exhausted, drain", test_task_pool_exhausted },
		{ "chain: worker drain counts shutdown drops", test_worker_drain_tasks },
	};
	const char *env = getenv("BG_TEST_SEED");
	int ret;

	if (bg_test_eal_init("-l0", 1) != 0)
		return 1;
	seed = env != NULL ? strtoull(env, NULL, 0) : rte_rdtsc();
	rte_srand(seed);
	printf("await: seed %" PRIu64 " (BG_TEST_SEED to replay)\n", seed);
	task_pool = bg_task_pool_create("await_tasks", NB_TASKS, (int)rte_socket_id());
	mbuf_pool = rte_pktmbuf_pool_create("await_mbufs", NB_MBUFS, 0, 0,
					    RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (task_pool == NULL || mbuf_pool == NULL) {
		fprintf(stderr, "cannot create pools: %s\n", rte_strerror(rte_errno));
		bg_test_eal_cleanup();
		return 1;
	}
	ret = BG_TEST_RUN_SUITE("await", tests);
	rte_mempool_free(task_pool);
	rte_mempool_free(mbuf_pool);
	bg_test_eal_cleanup();
	return ret;
}
