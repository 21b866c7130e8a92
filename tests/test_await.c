/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * await: the per-lcore timer wheel, events, and tasks resuming through the
 * chain (dataplane/await.h, dataplane/stage.h, bg_worker_resume()).
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
#include <errno.h>
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
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_random.h>

#include "dataplane/await.h"
#include "dataplane/counters.h"
#include "dataplane/stage.h"
#include "dataplane/task.h"
#include "lcore/worker.h"
#include "eal_helper.h"

#define NB_TASKS 32767            /* the suite's task pool */
#define NB_MBUFS 4095             /* the suite's mbuf pool */
#define TICK_NS 1000              /* as the runtime's BG_AWAIT_TICK_NS */
#define HORIZON ((uint64_t)BG_WHEEL_SLOTS)   /* ticks in one turn */
#define MAX_ERRORS 5              /* details printed per check and test */

static struct rte_mempool *task_pool;
static struct rte_mempool *mbuf_pool;
static uint64_t seed;

/* The wheel under test: 64 KiB, so not on the stack. */
static struct bg_await wheel;

/* Assert cond at the caller's line with a printf-style message. */
static void __attribute__((format(printf, 4, 5)))
check_at(int line, const char *func, bool cond, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	CU_assertImplementation(cond ? CU_TRUE : CU_FALSE, (unsigned)line, msg,
				__FILE__, func, CU_FALSE);
}
#define CHECK(cond, ...) check_at(__LINE__, __func__, (cond), __VA_ARGS__)

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

static uint64_t
tick_cycles(const struct bg_await *a)
{
	return 1ull << a->tick_shift;
}

static uint64_t
rand_max(uint64_t n)
{
	return n == 0 ? 0 : rte_rand_max(n);
}

static unsigned
pool_in_use(struct rte_mempool *mp)
{
	return rte_mempool_in_use_count(mp);
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

/* ---- tasks through the chain ---- */

#define MAX_PKTS 1024
#define IN_PORT 3
#define OUT_PORT 5

/* What the fake stages and the emit function saw. */
struct chain_log {
	unsigned s0_calls, s0_pkts, s0_resumed;  /* stage 0: pass-through */
	unsigned s1_new, s1_back, s1_bad_back;   /* stage 1: suspends */
	unsigned s1_nobufs;
	unsigned s2_seen[MAX_PKTS];              /* stage 2: records */
	unsigned s2_total, s2_early, s2_bad_ctx, s2_resumed;
	unsigned s2_order_bad;
	uint64_t s2_last_deadline;
	unsigned emitted[MAX_PKTS];
	unsigned emit_total, emit_bad_port, emit_before_s2;
	uint64_t deadline[MAX_PKTS];
	bool self;                               /* stage 1 resumes at itself */
	uint8_t flag;                            /* stage 1's own flag byte */
};

static struct chain_log lg;

static uint32_t
pkt_seq(const struct rte_mbuf *m)
{
	uint32_t seq;

	memcpy(&seq, rte_pktmbuf_mtod(m, const void *), sizeof(seq));
	return seq;
}

static uint16_t
fake_stage0(struct bg_exec *x, void *data, struct rte_mbuf **pkts, uint16_t n)
{
	(void)data;
	(void)pkts;
	lg.s0_calls++;
	lg.s0_pkts += n;
	lg.s0_resumed += x->resumed != NULL;
	return n;
}

/* Suspend every new packet until its deadline; let a comeback through. */
static uint16_t
fake_stage1(struct bg_exec *x, void *data, struct rte_mbuf **pkts, uint16_t n)
{
	(void)data;
	if (x->resumed != NULL) {
		const struct bg_task *t = x->resumed;

		lg.s1_back += n;
		if (n != 1 || t->m != pkts[0] || (t->flags & 0xff) != lg.flag ||
		    !(t->flags & BG_TASK_F_SELF) || t->stage != x->stage ||
		    t->in_port != IN_PORT || t->out_port != OUT_PORT)
			lg.s1_bad_back++;
		return n;
	}
	for (uint16_t i = 0; i < n; i++) {
		uint32_t seq = pkt_seq(pkts[i]);
		uint16_t resume = lg.self ? x->stage : (uint16_t)(x->stage + 1);

		lg.s1_new++;
		if (bg_exec_suspend_until(x, pkts[i], lg.deadline[seq], resume, lg.flag) == -ENOBUFS)
			lg.s1_nobufs++;
	}
	return 0;
}

static uint16_t
fake_stage2(struct bg_exec *x, void *data, struct rte_mbuf **pkts, uint16_t n)
{
	(void)data;
	for (uint16_t i = 0; i < n; i++) {
		uint32_t seq = pkt_seq(pkts[i]);

		lg.s2_total++;
		if (seq >= MAX_PKTS)
			continue;
		lg.s2_seen[seq]++;
		if (x->now < lg.deadline[seq])
			lg.s2_early++;
		if (lg.deadline[seq] < lg.s2_last_deadline)
			lg.s2_order_bad++;
		lg.s2_last_deadline = lg.deadline[seq];
		if (x->stage != 2 || x->in_port != IN_PORT || x->out_port != OUT_PORT)
			lg.s2_bad_ctx++;
		/* Stage 2 did not suspend the packet: it is not a comeback for
		 * it, whichever stage the task resumed at. */
		lg.s2_resumed += x->resumed != NULL;
	}
	return n;
}

static void
fake_emit(struct bg_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	(void)w;
	for (uint16_t i = 0; i < n; i++) {
		uint32_t seq = pkt_seq(pkts[i]);

		lg.emit_total++;
		if (port != OUT_PORT)
			lg.emit_bad_port++;
		if (seq < MAX_PKTS) {
			lg.emitted[seq]++;
			if (lg.s2_seen[seq] != lg.emitted[seq])
				lg.emit_before_s2++;
		}
		rte_pktmbuf_free(pkts[i]);
	}
}

/* A worker context with the three fake stages, on its own wheel. */
static struct bg_worker *
fake_worker(struct rte_mempool *tasks, uint64_t now0)
{
	struct bg_worker *w = rte_zmalloc("test_worker", sizeof(*w), RTE_CACHE_LINE_SIZE);
	struct bg_exec *x;

	if (w == NULL)
		return NULL;
	x = &w->x;
	bg_await_init(&w->await, TICK_NS, now0);
	x->ctr = w->ctr;
	x->await = &w->await;
	x->task_pool = tasks;
	x->nb_stages = 3;
	x->needs_clock = true;
	x->fn[0] = fake_stage0;
	x->fn[1] = fake_stage1;
	x->fn[2] = fake_stage2;
	x->now = now0;
	memset(&lg, 0, sizeof(lg));
	return w;
}

static struct rte_mbuf *
pkt_make(uint32_t seq)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(mbuf_pool);
	void *d;

	if (m == NULL)
		return NULL;
	d = rte_pktmbuf_append(m, 64);
	if (d == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	memset(d, 0, 64);
	memcpy(d, &seq, sizeof(seq));
	return m;
}

/* Run n packets through the chain from stage 0 in bursts of up to 32, the
 * way a scheduler would after RX. Returns how many went through unsuspended
 * (none should). */
static unsigned
feed(struct bg_worker *w, unsigned n)
{
	struct rte_mbuf *pkts[32];
	unsigned through = 0;

	for (unsigned seq = 0; seq < n;) {
		uint16_t k = 0;

		while (k < 32 && seq < n) {
			pkts[k] = pkt_make(seq++);
			CU_ASSERT_PTR_NOT_NULL_FATAL(pkts[k]);
			k++;
		}
		w->x.in_port = IN_PORT;
		w->x.out_port = OUT_PORT;
		through += bg_exec_run(&w->x, 0, pkts, k);
		/* later bursts arrive later */
		w->x.now += 100;
	}
	return through;
}

/* Expire and resume every tick until all n came out, or max_ticks. */
static uint64_t
turn(struct bg_worker *w, uint64_t now, unsigned n, unsigned max_ticks)
{
	const uint64_t tick = tick_cycles(&w->await);

	for (unsigned k = 0; k < max_ticks && lg.emit_total < n; k++) {
		now += tick;
		w->x.now = now;
		bg_await_expire(&w->await, now);
		bg_worker_resume(w, fake_emit);
	}
	return now;
}

static void
check_chain_out(unsigned n)
{
	unsigned missing = 0, dup = 0;

	for (unsigned s = 0; s < n; s++) {
		missing += lg.s2_seen[s] == 0 || lg.emitted[s] == 0;
		dup += lg.s2_seen[s] > 1 || lg.emitted[s] > 1;
	}
	CHECK(missing == 0, "%u packets never reached stage 2 or TX", missing);
	CHECK(dup == 0, "%u packets seen twice", dup);
	CHECK(lg.s2_total == n, "stage 2 saw %u of %u", lg.s2_total, n);
	CHECK(lg.emit_total == n, "emitted %u of %u", lg.emit_total, n);
	CHECK(lg.s2_early == 0, "%u packets reached stage 2 before their deadline", lg.s2_early);
	CHECK(lg.s2_order_bad == 0, "%u packets reached stage 2 out of deadline order",
	      lg.s2_order_bad);
	CHECK(lg.s2_bad_ctx == 0, "%u packets resumed with the wrong stage or ports",
	      lg.s2_bad_ctx);
	CHECK(lg.emit_bad_port == 0, "%u packets emitted on the wrong port", lg.emit_bad_port);
	CHECK(lg.emit_before_s2 == 0, "%u packets emitted before stage 2 saw them",
	      lg.emit_before_s2);
	CHECK(lg.s0_pkts == n, "stage 0 saw %u of %u (a resumed packet must not run it again)",
	      lg.s0_pkts, n);
}

/* Stage 1 suspends every packet until its own deadline, to go on at stage 2. */
static void
test_resume_next_stage(void)
{
	enum { N = 1000 };
	const uint64_t now0 = 1ull << 40;
	struct bg_worker *w = fake_worker(task_pool, now0);
	uint64_t tick;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	tick = tick_cycles(&w->await);
	lg.flag = 0x12;
	for (unsigned s = 0; s < N; s++)
		lg.deadline[s] = now0 + tick / 3 + rand_max(300 * tick);
	lg.deadline[7] = now0 - 5 * tick;     /* already past */
	lg.deadline[8] = lg.deadline[9] = lg.deadline[10];

	CHECK(feed(w, N) == 0, "stage 1 holds every packet");
	CHECK(lg.s1_new == N && lg.s1_back == 0, "stage 1: %u new, %u back", lg.s1_new,
	      lg.s1_back);
	CHECK(w->x.suspended == N, "suspended %" PRIu64, w->x.suspended);
	CHECK(w->await.timers == N, "timers %" PRIu64, w->await.timers);
	CHECK(pool_in_use(task_pool) == N, "%u tasks in use", pool_in_use(task_pool));
	CHECK(lg.s2_total == 0, "nothing reached stage 2 yet");

	turn(w, now0, N, 400);
	check_chain_out(N);
	CHECK(lg.s2_resumed == 0, "x->resumed set at a stage that did not suspend (%u)",
	      lg.s2_resumed);
	CHECK(lg.s0_resumed == 0, "x->resumed set for new packets");
	CHECK(w->x.resumed == NULL, "x->resumed cleared after resuming");
	CHECK(w->x.resumed_count == N, "resumed %" PRIu64, w->x.resumed_count);
	CHECK(w->await.timers == 0, "timers %" PRIu64, w->await.timers);
	CHECK(pool_in_use(task_pool) == 0, "%u tasks in use", pool_in_use(task_pool));
	CHECK(pool_in_use(mbuf_pool) == 0, "%u mbufs in use", pool_in_use(mbuf_pool));
	rte_free(w);
}

/*
 * Stage 1 suspends at itself (BG_TASK_F_SELF): it sees the comeback in
 * x->resumed with its flag byte; stage 2, which suspended nothing, must not.
 */
static void
test_resume_self(void)
{
	enum { N = 500 };
	const uint64_t now0 = 1ull << 40;
	struct bg_worker *w = fake_worker(task_pool, now0);
	uint64_t tick;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	tick = tick_cycles(&w->await);
	lg.self = true;
	lg.flag = 7;
	for (unsigned s = 0; s < N; s++)
		lg.deadline[s] = now0 + rand_max(100 * tick);

	CHECK(feed(w, N) == 0, "stage 1 holds every packet");
	turn(w, now0, N, 200);
	CHECK(lg.s1_new == N, "stage 1 saw %u new packets", lg.s1_new);
	CHECK(lg.s1_back == N, "stage 1 saw %u of %u come back", lg.s1_back, N);
	CHECK(lg.s1_bad_back == 0, "%u comebacks with the wrong task, flags or ports",
	      lg.s1_bad_back);
	check_chain_out(N);
	CHECK(lg.s2_resumed == 0,
	      "stage 2 saw x->resumed set for %u packets stage 1 suspended", lg.s2_resumed);
	CHECK(w->x.resumed == NULL, "x->resumed cleared after resuming");
	CHECK(pool_in_use(task_pool) == 0, "%u tasks in use", pool_in_use(task_pool));
	CHECK(pool_in_use(mbuf_pool) == 0, "%u mbufs in use", pool_in_use(mbuf_pool));
	rte_free(w);
}

struct drain_arg {
	struct rte_mempool *tasks;
	unsigned calls, with_mbuf;
};

static void
drain_fn(struct bg_task *t, void *arg)
{
	struct drain_arg *d = arg;

	d->calls++;
	if (t->m != NULL) {
		d->with_mbuf++;
		rte_pktmbuf_free(t->m);
	}
	bg_task_free(d->tasks, t);
}

/*
 * More packets than tasks: the excess is dropped as no_task on the ingress
 * port and its mbuf freed; the rest wait; drain frees them all.
 */
static void
test_task_pool_exhausted(void)
{
	enum { POOL = 400, N = 500 };   /* a pool of 400 holds its 256 cache */
	const uint64_t now0 = 1ull << 40;
	struct rte_mempool *small = bg_task_pool_create("await_small", POOL, (int)rte_socket_id());
	struct bg_worker *w;
	struct drain_arg d = { .tasks = NULL };
	struct bg_event ev;
	struct bg_event *evs[1] = { &ev };
	struct bg_task *t;
	unsigned drained;
	uint64_t tick;

	CU_ASSERT_PTR_NOT_NULL_FATAL(small);
	d.tasks = small;
	w = fake_worker(small, now0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	tick = tick_cycles(&w->await);
	for (unsigned s = 0; s < N; s++)
		lg.deadline[s] = now0 + (1 + rand_max(2 * HORIZON)) * tick;
	lg.deadline[0] = now0 + 2 * tick;     /* ready by tick 50 below */

	CHECK(feed(w, N) == 0, "nothing goes through");
	CHECK(lg.s1_nobufs == N - POOL, "%u packets found no task, expected %d", lg.s1_nobufs,
	      N - POOL);
	CHECK(w->ctr[IN_PORT].drop[BG_DROP_NO_TASK] == N - POOL,
	      "no_task drops on the ingress port: %" PRIu64,
	      w->ctr[IN_PORT].drop[BG_DROP_NO_TASK]);
	CHECK(w->ctr[OUT_PORT].drop[BG_DROP_NO_TASK] == 0, "no drop on the egress port");
	CHECK(bg_counters_drops(&w->ctr[IN_PORT]) == N - POOL, "no other drop");
	CHECK(w->x.suspended == POOL, "suspended %" PRIu64, w->x.suspended);
	CHECK(w->await.timers == POOL, "timers %" PRIu64, w->await.timers);
	CHECK(pool_in_use(small) == POOL, "%u tasks in use", pool_in_use(small));
	CHECK(pool_in_use(mbuf_pool) == POOL, "%u mbufs in use: the dropped ones are freed",
	      pool_in_use(mbuf_pool));

	/* Some ready, some on an event, the rest in the wheel: drain takes
	 * all. A stand-alone task (no packet) too. */
	memset(&ev, 0, sizeof(ev));
	bg_await_expire(&w->await, now0 + 50 * tick);
	t = bg_task_alloc(small);
	CHECK(t == NULL, "the pool is empty");
	if (t != NULL)
		bg_task_free(small, t);
	t = bg_await_next(&w->await);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);       /* some deadlines are before tick 50 */
	rte_pktmbuf_free(t->m);
	t->m = NULL;
	bg_await_event(&w->await, &ev, t);
	CHECK(w->await.waiting == 1, "one waits on the event");
	drained = bg_await_drain(&w->await, evs, 1, drain_fn, &d);
	CHECK(drained == POOL, "drained %u of %d", drained, POOL);
	CHECK(d.calls == POOL && d.with_mbuf == POOL - 1, "fn called %u times, %u with mbufs",
	      d.calls, d.with_mbuf);
	CHECK(w->await.timers == 0 && w->await.waiting == 0,
	      "after drain: timers %" PRIu64 ", waiting %" PRIu64, w->await.timers,
	      w->await.waiting);
	CHECK(bg_await_next(&w->await) == NULL, "nothing ready after drain");
	CHECK(ev.waiters.head == NULL, "the event has no waiter left");
	CHECK(pool_in_use(small) == 0, "%u tasks in use after drain", pool_in_use(small));
	CHECK(pool_in_use(mbuf_pool) == 0, "%u mbufs in use after drain", pool_in_use(mbuf_pool));

	/* The wheel works after a drain. */
	CHECK(bg_await_expire(&w->await, now0 + 3 * HORIZON * tick) == 0, "drained wheel is empty");
	rte_free(w);
	rte_mempool_free(small);
}

/* At shutdown the runtime drains a worker's tasks: each packet counted as a
 * shutdown drop on its ingress port, mbufs and tasks freed. */
static void
test_worker_drain_tasks(void)
{
	enum { N = 300 };
	const uint64_t now0 = 1ull << 40;
	struct bg_worker *w = fake_worker(task_pool, now0);
	uint64_t tick;
	unsigned n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	tick = tick_cycles(&w->await);
	for (unsigned s = 0; s < N; s++)
		lg.deadline[s] = now0 + rand_max(3 * HORIZON * tick);
	CHECK(feed(w, N) == 0, "every packet waits");
	/* some ready, not yet resumed */
	bg_await_expire(&w->await, now0 + HORIZON * tick);
	n = bg_worker_drain_tasks(w);
	CHECK(n == N, "drained %u of %d", n, N);
	CHECK(w->ctr[IN_PORT].drop[BG_DROP_SHUTDOWN] == N, "shutdown drops %" PRIu64,
	      w->ctr[IN_PORT].drop[BG_DROP_SHUTDOWN]);
	CHECK(bg_counters_drops(&w->ctr[OUT_PORT]) == 0, "nothing on the egress port");
	CHECK(w->await.timers == 0, "timers %" PRIu64, w->await.timers);
	CHECK(lg.s2_total == 0, "nothing resumed");
	CHECK(pool_in_use(task_pool) == 0, "%u tasks in use", pool_in_use(task_pool));
	CHECK(pool_in_use(mbuf_pool) == 0, "%u mbufs in use", pool_in_use(mbuf_pool));
	rte_free(w);
}

int
main(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{ "wheel: random deadlines, expire every tick", test_wheel_random },
		{ "wheel: tasks suspended while it turns", test_wheel_insert_while_running },
		{ "wheel: long gaps release exactly what is due", test_wheel_long_gap },
		{ "wheel: equal deadlines, tick boundaries", test_wheel_equal_and_boundary },
		{ "events: signal, order, counts", test_events },
		{ "chain: resume at the next stage after the deadline", test_resume_next_stage },
		{ "chain: resume at the suspending stage (x->resumed)", test_resume_self },
		{ "chain: task pool exhausted, drain", test_task_pool_exhausted },
		{ "chain: worker drain counts shutdown drops", test_worker_drain_tasks },
	};
	const char *env = getenv("BG_TEST_SEED");
	CU_pSuite suite;
	unsigned failed;

	if (bg_test_eal_init("-l0") != 0)
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
	if (CU_initialize_registry() != CUE_SUCCESS) {
		bg_test_eal_cleanup();
		return 1;
	}
	suite = CU_add_suite("await", NULL, NULL);
	if (suite == NULL)
		goto fail;
	for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		if (CU_add_test(suite, tests[i].name, tests[i].fn) == NULL)
			goto fail;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	rte_mempool_free(task_pool);
	rte_mempool_free(mbuf_pool);
	bg_test_eal_cleanup();
	return failed != 0;
fail:
	CU_cleanup_registry();
	bg_test_eal_cleanup();
	return 1;
}
