/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stages, continued: the pace stage alone, looked up in the stage registry,
 * on a synthetic clock driven the way the pinned loop drives it (RX, then
 * expire and resume): exact, and independent of the machine's speed. No
 * ports and no runtime: a worker context made here runs the stage directly.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_random.h>

#include "dataplane/config.h"
#include "dataplane/counters.h"
#include "dataplane/stage.h"
#include "lcore/worker.h"
#include "ring_ports.h"
#include "test_helper.h"
#include "test_stages.h"

/* The pace stage as registered, with its worker data for cfg. */
static const struct bg_stage *
pace_find(void)
{
	for (const struct bg_reg_entry *e = bg_stage_registry; e != NULL; e = e->next)
		if (strcmp(e->name, "pace") == 0)
			return (const struct bg_stage *)e;
	return NULL;
}

struct emit_log {
	unsigned n;
	unsigned bad_port;
	uint32_t seq[MAX_PKTS];
	uint64_t at[MAX_PKTS];         /* x->now when it left */
};

static struct emit_log el;

static void
log_emit(struct bg_worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n)
{
	for (uint16_t i = 0; i < n; i++) {
		struct tag tag;

		if (port != 1)
			el.bad_port++;
		if (el.n < MAX_PKTS && frame_tag(pkts[i], &tag)) {
			el.seq[el.n] = tag.seq;
			el.at[el.n] = w->x.now;
			el.n++;
		}
		rte_pktmbuf_free(pkts[i]);
	}
}

/* A worker running only the pace stage, as the pinned loop would. */
struct pace_rig {
	struct bg_worker *w;
	struct rte_mempool *mbufs, *tasks;
	struct bg_config cfg;
	const struct bg_stage *s;
};

static int
pace_rig_init(struct pace_rig *r, double pps, double mbps, uint32_t depth, uint32_t queue)
{
	struct bg_stage_env env = { .cfg = &r->cfg, .nb_workers = 1, .worker = 0,
				    .socket = (int)rte_socket_id() };
	const unsigned serial = bg_test_serial();
	char name[RTE_MEMPOOL_NAMESIZE];
	struct bg_exec *x;
	int ret;

	memset(r, 0, sizeof(*r));
	memset(&el, 0, sizeof(el));
	bg_config_defaults(&r->cfg);
	r->cfg.rate_pps = pps;
	r->cfg.rate_mbps = mbps;
	r->cfg.burst_pkts = depth;
	r->cfg.burst_bytes = depth;
	r->cfg.pace_queue = queue;
	r->s = pace_find();
	CHECK(r->s != NULL, "a stage called pace");
	if (r->s == NULL)
		return -1;
	snprintf(name, sizeof(name), "pace_m%u", serial);
	r->mbufs = rte_pktmbuf_pool_create(name, MAX_PKTS + 1023, 0, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE, env.socket);
	snprintf(name, sizeof(name), "pace_t%u", serial);
	r->tasks = bg_task_pool_create(name, MAX_PKTS, env.socket);
	r->w = rte_zmalloc("pace_rig", sizeof(*r->w), RTE_CACHE_LINE_SIZE);
	CHECK(r->mbufs != NULL && r->tasks != NULL && r->w != NULL, "pools and a worker");
	if (r->mbufs == NULL || r->tasks == NULL || r->w == NULL)
		return -1;
	x = &r->w->x;
	r->w->burst = 32;
	bg_await_init(&r->w->await, 1000, rte_get_tsc_cycles());
	x->ctr = r->w->ctr;
	x->await = &r->w->await;
	x->task_pool = r->tasks;
	x->nb_stages = 1;
	x->fn[0] = r->s->fn;
	x->stage_def[0] = r->s;
	ret = r->s->worker_init(&x->data[0], &env);
	CHECK(ret == 0, "pace worker_init: %d", ret);
	return ret == 0 ? 0 : -1;
}

static void
pace_rig_free(struct pace_rig *r)
{
	if (r->w != NULL) {
		bg_worker_drain_tasks(r->w);
		if (r->s != NULL && r->w->x.data[0] != NULL)
			r->s->worker_fini(r->w->x.data[0]);
		CHECK(r->tasks == NULL || rte_mempool_in_use_count(r->tasks) == 0, "tasks back");
		CHECK(r->mbufs == NULL || rte_mempool_in_use_count(r->mbufs) == 0, "mbufs back");
	}
	rte_free(r->w);
	rte_mempool_free(r->tasks);
	rte_mempool_free(r->mbufs);
}

/* One iteration of the pinned loop at time now: a burst of n new frames
 * (seq from *seq on) through the stage, then expire and resume. */
static void
pace_rig_poll(struct pace_rig *r, uint64_t now, unsigned n, uint32_t *seq, uint16_t len)
{
	struct bg_exec *x = &r->w->x;
	struct rte_mbuf *pkts[64];
	uint16_t k = 0;

	x->now = now;
	for (unsigned i = 0; i < n && i < RTE_DIM(pkts); i++) {
		pkts[k] = frame_make(r->mbufs, (*seq)++, len);
		if (pkts[k] != NULL)
			k++;
	}
	if (k != 0) {
		x->in_port = 0;
		x->out_port = 1;
		k = bg_exec_run(x, 0, pkts, k);
		log_emit(r->w, 1, pkts, k);
	}
	bg_await_expire(&r->w->await, now);
	bg_worker_resume(r->w, log_emit);
}

/*
 * The worker stalls (10 ms) while two packets wait for tokens; when it comes
 * back, a new packet arrives in the same loop iteration, before the overdue
 * waiters are resumed. The bucket is full again by then: the new packet must
 * leave right after them, not be held for days.
 */
void
test_pace_stall_with_waiters(void)
{
	struct pace_rig r;
	uint32_t seq = 0;
	uint64_t t0, ms, tick;

	if (pace_rig_init(&r, 1000, 0, 4, 100) != 0)
		goto out;
	t0 = rte_get_tsc_cycles();
	ms = (uint64_t)(hz / 1000);
	tick = 1ull << r.w->await.tick_shift;
	pace_rig_poll(&r, t0, 6, &seq, 64);     /* 4 tokens: 4 go, 2 wait */
	CHECK(el.n == 4, "%u went at once, bucket of 4", el.n);
	CHECK(r.w->x.suspended == 2, "%" PRIu64 " wait", r.w->x.suspended);
	pace_rig_poll(&r, t0 + 10 * ms, 1, &seq, 64);
	CHECK(el.n == 6, "the 2 overdue waiters left after the stall (%u out)", el.n);
	for (uint64_t now = t0 + 10 * ms; now < t0 + 12 * ms + 2 * tick; now += tick)
		pace_rig_poll(&r, now, 0, &seq, 64);
	CHECK(el.n == 7, "the packet that came after the stall left within a token's time (%u out of 7)",
	      el.n);
	CHECK(r.w->await.timers == 0, "%" PRIu64 " still waiting", r.w->await.timers);
	for (unsigned i = 0; i < el.n; i++)
		CHECK(el.seq[i] == i, "#%u out is seq %u", i, el.seq[i]);
out:
	pace_rig_free(&r);
}

/*
 * 1 Gbit/s of 64-byte frames with a bucket of ten frames (640 bytes),
 * offered in random bursts of 1..16 frames at 95% of the rate, one loop
 * iteration per tick (RX, then expire and resume, as the pinned loop does),
 * until 4000 frames were offered; then up to 50 ms to drain.
 * Waiters are resumed up to two ticks after their deadline, and new bursts
 * often arrive in that window, when the bucket has credit again: they must
 * still queue behind the waiters and leave in time. Every frame leaves, in
 * order, and the output never exceeds the bucket: by any time t, at most
 * depth + rate x t bytes.
 */
void
test_pace_bursty_synthetic(void)
{
	enum { LEN = 64, DEPTH = 640, N = 4000 };
	const double mbps = 1000, bytes_per_s = mbps * 1e6 / 8;
	struct pace_rig r;
	uint32_t seq = 0;
	uint64_t t0, tick, now, end;
	unsigned dropped, bad = 0, over = 0;
	uint32_t p_burst;              /* chance of a burst per tick, in 1/2^20 */
	double bytes = 0, worst = 0;

	if (pace_rig_init(&r, 0, mbps, DEPTH, MAX_PKTS) != 0)
		goto out;
	tick = 1ull << r.w->await.tick_shift;
	t0 = rte_get_tsc_cycles();
	/* 95% of the rate in bursts of 8.5 frames on average */
	p_burst = (uint32_t)(0.95 * bytes_per_s / LEN * (double)tick / hz / 8.5 * (1 << 20));
	end = t0 + (uint64_t)(0.05 * hz);
	for (now = t0; now < end && el.n < N; now += tick) {
		unsigned k = 0;

		if (seq < N && rte_rand_max(1 << 20) < p_burst) {
			k = 1 + (unsigned)rte_rand_max(16);
			if (seq + k > N)
				k = N - seq;
		}
		pace_rig_poll(&r, now, k, &seq, LEN);
	}
	dropped = (unsigned)bg_counters_drops(&r.w->ctr[0]);
	printf("\n    %u offered in %.1f ms, %u out, %u dropped, %" PRIu64 " still waiting ", seq,
	       (double)(now - t0) * 1e3 / hz, el.n, dropped, r.w->await.timers);
	CHECK(seq == N, "%u of %d offered", seq, N);
	CHECK(dropped == 0, "%u dropped", dropped);
	CHECK(el.n == seq, "%u of %u frames out, %" PRIu64 " still waiting 50 ms on",
	      el.n, seq, r.w->await.timers);
	for (unsigned i = 0; i < el.n; i++) {
		double allowed = DEPTH + bytes_per_s * (double)(el.at[i] - t0) / hz;

		bad += i > 0 && el.seq[i] <= el.seq[i - 1];
		bytes += LEN;
		if (bytes > allowed + 1) {
			over++;
			if (bytes - allowed > worst)
				worst = bytes - allowed;
		}
	}
	CHECK(bad == 0, "%u frames out of order", bad);
	CHECK(over == 0, "%u frames beyond the bucket, by up to %.0f bytes", over, worst);
out:
	pace_rig_free(&r);
}

