/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * await, continued: tasks resuming through the chain (dataplane/stage.h,
 * bg_worker_resume()). Three fake stages on a worker context made here, on
 * the synthetic clock: stage 1 suspends every packet until its deadline and
 * names the stage it resumes at. What a user relies on and what is checked:
 * a packet resumes at the stage it named, never before its deadline, in
 * deadline order, once; x->resumed is set only for the stage that suspended
 * it; an empty task pool is a counted no_task drop on the ingress port;
 * drain frees everything and both pools come back to zero.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include <CUnit/Basic.h>

#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "dataplane/counters.h"
#include "dataplane/stage.h"
#include "dataplane/task.h"
#include "lcore/worker.h"
#include "eal_helper.h"
#include "test_await.h"
#include "test_helper.h"

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
	w->burst = 32;
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
	struct rte_mbuf *m = bg_test_mbuf_new(mbuf_pool, 64);
	void *d;

	if (m == NULL)
		return NULL;
	d = rte_pktmbuf_mtod(m, void *);
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
void
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
 * Many tasks ready at once, with one deadline: they resume in bursts of at
 * most the worker's burst, in the order they were suspended.
 */
void
test_resume_many_at_once(void)
{
	enum { N = 1000 };
	const uint64_t now0 = 1ull << 40;
	struct bg_worker *w = fake_worker(task_pool, now0);
	uint64_t tick;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	tick = tick_cycles(&w->await);
	lg.flag = 0x12;
	for (unsigned s = 0; s < N; s++)
		lg.deadline[s] = now0 + 5 * tick;

	CHECK(feed(w, N) == 0, "stage 1 holds every packet");
	CHECK(w->await.timers == N, "timers %" PRIu64, w->await.timers);
	turn(w, now0, N, 20);
	check_chain_out(N);
	CHECK(w->x.resumed_count == N, "resumed %" PRIu64, w->x.resumed_count);
	CHECK(pool_in_use(task_pool) == 0, "%u tasks in use", pool_in_use(task_pool));
	CHECK(pool_in_use(mbuf_pool) == 0, "%u mbufs in use", pool_in_use(mbuf_pool));
	rte_free(w);
}

/*
 * Stage 1 suspends at itself (BG_TASK_F_SELF): it sees the comeback in
 * x->resumed with its flag byte; stage 2, which suspended nothing, must not.
 */
void
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
void
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
void
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

