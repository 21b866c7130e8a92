/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stages: delay and pace, end to end in the pinned model on net_ring ports,
 * with one worker; plus the pace stage alone on a synthetic clock.
 *
 * Frames carry their sequence number and the TSC at which the test put them
 * on the RX ring; the main lcore polls the TX ring in a tight loop and takes
 * the TSC at which each frame appears. What a user relies on and what is
 * checked: a delayed packet never leaves before its delay (the wheel may add
 * up to a tick, never take one away), with the median near what was asked
 * and order kept; jitter stays within +-jitter and really spreads; pace holds
 * the rate (pps and Mbps) and the order, and its queue admits exactly bucket
 * + --pace-queue packets of a burst, dropping the rest as pace_queue; a stop
 * with packets still waiting counts each as a shutdown drop; conservation and
 * both pools (mbufs, tasks) back where they started after every run.
 *
 * The pace stage also runs alone, looked up in the stage registry, on a
 * synthetic clock driven the way the pinned loop drives it (RX, then expire
 * and resume): exact, and independent of the machine's speed. Those tests
 * are in test_stages_pace.c; this file has the end-to-end runs and main().
 *
 * The EAL has lcore 0 (control, on CPU 0) and one worker (lcore 1 on CPU 1);
 * each port has one RX and one TX ring. Port 0's frames leave on port 1.
 *
 * Timing tolerances: this runs on small VMs that stall now and then. The
 * lower bound of a delay is exact: nothing may leave early, whatever the
 * machine does. The rest (median +-20%, jitter range + 1 ms, pace rate
 * +-10%, order) is checked on runs without a stall longer than 1 ms; a run
 * with one is repeated, up to 5 times (see STALL_US).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dataplane/config.h"
#include "dataplane/counters.h"
#include "dataplane/fwd.h"
#include "lcore/report.h"
#include "lcore/runtime.h"
#include "lcore/sched.h"
#include "lcore/worker.h"
#include "eal_helper.h"
#include "ring_ports.h"
#include "test_helper.h"
#include "test_stages.h"

#define NB_PORTS BG_TEST_NB_PORTS
#define RING_SIZE 8192            /* holds every frame a test sends */
#define WAIT_S 5.0                /* bound on any wait for frames */
#define TASKS 8192                /* --tasks: keeps the mbuf pool small */

#define TAG_OFF RTE_ETHER_HDR_LEN
#define TEST_ETHERTYPE 0x88b5

double hz;                        /* see test_stages.h */

static double
cycles_to_us(uint64_t c)
{
	return (double)c * 1e6 / hz;
}

/* ---- frames ---- */

struct rte_mbuf *
frame_make(struct rte_mempool *pool, uint32_t seq, uint16_t len)
{
	struct rte_mbuf *m = bg_test_mbuf_new(pool, len);
	struct rte_ether_hdr *eth;
	struct tag tag = { .magic = TAG_MAGIC, .seq = seq };
	uint8_t *d;

	if (m == NULL)
		return NULL;
	d = rte_pktmbuf_mtod(m, uint8_t *);
	memset(d, 0xa5, len);
	eth = (struct rte_ether_hdr *)d;
	memset(&eth->dst_addr, 0x02, sizeof(eth->dst_addr));
	memset(&eth->src_addr, 0x04, sizeof(eth->src_addr));
	eth->ether_type = rte_cpu_to_be_16(TEST_ETHERTYPE);
	memcpy(d + TAG_OFF, &tag, sizeof(tag));
	return m;
}

static void
frame_stamp(struct rte_mbuf *m, uint64_t tsc)
{
	memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, TAG_OFF + offsetof(struct tag, tsc)),
	       &tsc, sizeof(tsc));
}

bool
frame_tag(const struct rte_mbuf *m, struct tag *tag)
{
	if (rte_pktmbuf_data_len(m) < TAG_OFF + sizeof(*tag))
		return false;
	memcpy(tag, rte_pktmbuf_mtod_offset(m, const uint8_t *, TAG_OFF), sizeof(*tag));
	return tag->magic == TAG_MAGIC;
}

/* ---- fixture: two ring ports, one worker ---- */

/* Ports 0 and 1 (one RX, one TX ring each) and the defaults every test
 * starts from: pinned, io, no link wait, a small task pool. */
static int
fixture_setup(struct bg_test_fixture *f)
{
	static const unsigned tx_size[NB_PORTS] = { RING_SIZE, RING_SIZE };

	if (bg_test_fixture_ports(f, "stg", 1, RING_SIZE, 1, tx_size) != 0)
		return -1;
	CHECK(f->port[0].id == 0 && f->port[1].id == 1, "ports %d and %d", f->port[0].id,
	      f->port[1].id);
	if (f->port[0].id != 0 || f->port[1].id != 1)
		return -1;
	bg_config_defaults(&f->cfg);
	f->cfg.sched = bg_sched_find("pinned");
	f->cfg.fwd = bg_fwd_find("io");
	f->cfg.link_wait_s = 0;
	f->cfg.tasks = TASKS;
	CHECK(f->cfg.sched != NULL && f->cfg.fwd != NULL, "pinned and io exist");
	return f->cfg.sched != NULL && f->cfg.fwd != NULL ? 0 : -1;
}

static int
fixture_init(struct bg_test_fixture *f)
{
	return bg_test_fixture_init(f, 1, true) == 0 ? 0 : -1;
}

/* Counters of port p, exact once the worker is joined. */
static struct bg_counters
port_counters(const struct bg_test_fixture *f, uint16_t p)
{
	struct bg_counters c;

	bg_runtime_port_counters(&f->rt, p, &c);
	return c;
}

/*
 * Stop, free what the rings hold, close, and check conservation and the
 * pools (an mbuf pool and a task pool, both back where they started); free
 * everything.
 */
static void
fixture_finish(struct bg_test_fixture *f, bool check)
{
	static struct bg_summary sum;     /* per-port and per-lcore tables: large */

	bg_test_fixture_stop(f);
	if (f->rt_inited) {
		bg_summary_collect(&sum, &f->rt);
		if (check) {
			unsigned kinds = 0;

			CHECK(sum.packets_conserved, "rx %" PRIu64 " == tx %" PRIu64 " + drops %" PRIu64,
			      sum.total.rx, sum.total.tx, bg_counters_drops(&sum.total));
			CHECK(sum.total.rx == sum.total.tx + bg_counters_drops(&sum.total),
			      "conservation");
			CHECK(sum.pools_returned, "pools back where they started");
			for (unsigned i = 0; i < sum.nb_pools; i++) {
				const struct bg_pool_summary *pl = &sum.pools[i];

				kinds |= strcmp(pl->kind, "mbuf") == 0 ? 1u :
					 strcmp(pl->kind, "task") == 0 ? 2u : 4u;
				CHECK(pl->in_use_end == pl->in_use_start,
				      "%s pool: %u in use at start, %u at end", pl->kind,
				      pl->in_use_start, pl->in_use_end);
			}
			CHECK(kinds == 3, "an mbuf pool and a task pool (kinds %#x)", kinds);
		}
	}
	bg_test_fixture_release(f);
}

/* ---- send and time ---- */

/* What came out, in the order it came out. */
struct trace {
	unsigned n;                    /* frames out */
	unsigned bad;                  /* frames without our tag */
	uint32_t seq[MAX_PKTS];
	uint64_t in_tsc[MAX_PKTS];     /* put on the RX ring */
	uint64_t out_tsc[MAX_PKTS];    /* seen on the TX ring */
};

static struct trace tr;
static struct rte_mbuf *frames[MAX_PKTS];

/*
 * Timing checks need a run without a stall. A stall shows as a gap: in the
 * main lcore's polling loop (it was descheduled) or in the output stream
 * while frames were still due (the worker was). Runs with a stall longer
 * than STALL_US are repeated, up to ATTEMPTS times; the exact checks
 * (nothing early, counters, conservation, pools) hold for every run.
 */
#define STALL_US 1000.0
#define ATTEMPTS 5

static uint64_t main_gap;         /* longest gap in the polling loop, cycles */

/* The longest gap in the output between the first and the last frame out. */
static uint64_t
out_gap(void)
{
	uint64_t gap = 0;

	for (unsigned i = 1; i < tr.n; i++)
		if (tr.out_tsc[i] - tr.out_tsc[i - 1] > gap)
			gap = tr.out_tsc[i] - tr.out_tsc[i - 1];
	return gap;
}

/* The longest stall seen in the last run, in microseconds. */
static double
stall_us(void)
{
	uint64_t g = out_gap();

	return cycles_to_us(g > main_gap ? g : main_gap);
}

/* Dequeue what the TX ring of port 1 holds, timestamping it. */
static void
poll_tx(struct bg_test_fixture *f)
{
	void *objs[64];
	unsigned k = rte_ring_dequeue_burst(f->port[1].tx[0], objs, RTE_DIM(objs), NULL);
	const uint64_t now = rte_get_tsc_cycles();

	for (unsigned i = 0; i < k; i++) {
		struct rte_mbuf *m = objs[i];
		struct tag tag;

		if (!frame_tag(m, &tag) || tr.n >= MAX_PKTS) {
			tr.bad++;
		} else {
			tr.seq[tr.n] = tag.seq;
			tr.in_tsc[tr.n] = tag.tsc;
			tr.out_tsc[tr.n] = now;
			tr.n++;
		}
		rte_pktmbuf_free(m);
	}
}

/* Build n frames of len bytes (seq 0..n-1), not yet sent. */
static int
frames_make(struct bg_test_fixture *f, unsigned n, uint16_t len)
{
	for (unsigned i = 0; i < n; i++) {
		frames[i] = frame_make(f->pool, i, len);
		if (frames[i] == NULL) {
			CHECK(false, "cannot build frame %u", i);
			while (i-- > 0)
				rte_pktmbuf_free(frames[i]);
			return -1;
		}
	}
	return 0;
}

/*
 * Send n frames on port 0, one every `spacing` cycles (0: all at once),
 * stamping each right before it goes on the ring, and collect what comes out
 * of port 1 until `expect` frames are out or WAIT_S passes. Returns frames out.
 */
static unsigned
send_and_collect(struct bg_test_fixture *f, unsigned n, uint64_t spacing, unsigned expect)
{
	const uint64_t limit = rte_get_tsc_cycles() + (uint64_t)(WAIT_S * hz);
	uint64_t next = rte_get_tsc_cycles(), prev = next;
	unsigned sent = 0;

	memset(&tr, 0, sizeof(tr));
	main_gap = 0;
	while (tr.n + tr.bad < expect && rte_get_tsc_cycles() < limit) {
		const uint64_t now = rte_get_tsc_cycles();

		if (now - prev > main_gap)
			main_gap = now - prev;
		prev = now;
		if (sent < n && now >= next) {
			unsigned k = spacing == 0 ? n : 1;

			for (unsigned i = 0; i < k; i++)
				frame_stamp(frames[sent + i], rte_get_tsc_cycles());
			if (rte_ring_enqueue_bulk(f->port[0].rx[0], (void **)&frames[sent], k,
						  NULL) != k) {
				CHECK(false, "RX ring full at frame %u", sent);
				break;
			}
			sent += k;
			next += spacing;
		}
		poll_tx(f);
	}
	CHECK(sent == n, "sent %u of %u", sent, n);
	/* Frames not sent are ours to free. */
	for (unsigned i = sent; i < n; i++)
		rte_pktmbuf_free(frames[i]);
	return tr.n;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct delays {
	uint64_t min, max, median, p99;
	unsigned below;                /* out earlier than `floor` cycles */
	uint64_t worst_early;          /* cycles */
};

static uint64_t sorted[MAX_PKTS];

static struct delays
delay_stats(uint64_t floor)
{
	struct delays d = { .min = UINT64_MAX };

	for (unsigned i = 0; i < tr.n; i++) {
		uint64_t dl = tr.out_tsc[i] - tr.in_tsc[i];

		sorted[i] = dl;
		if (dl < floor) {
			d.below++;
			if (floor - dl > d.worst_early)
				d.worst_early = floor - dl;
		}
	}
	if (tr.n == 0)
		return d;
	qsort(sorted, tr.n, sizeof(sorted[0]), cmp_u64);
	d.min = sorted[0];
	d.max = sorted[tr.n - 1];
	d.median = sorted[tr.n / 2];
	d.p99 = sorted[(tr.n * 99) / 100];
	printf("\n    %u frames: delay min %.1f, median %.1f, p99 %.1f, max %.1f us ", tr.n,
	       cycles_to_us(d.min), cycles_to_us(d.median), cycles_to_us(d.p99),
	       cycles_to_us(d.max));
	return d;
}

/* How many frames came out of sequence (each one after a higher seq). */
static unsigned
out_of_order(void)
{
	unsigned bad = 0;

	for (unsigned i = 1; i < tr.n; i++)
		bad += tr.seq[i] <= tr.seq[i - 1];
	return bad;
}

/* Cycles the delay stage waits for us microseconds (as it computes them). */
static uint64_t
us_to_cycles(double us)
{
	return (uint64_t)(us * (hz / 1e6));
}

/* ---- delay ---- */

enum { DELAY_N = 1000, DELAY_SPACING_US = 20 };

/* The worker's wheel turn, in microseconds: after a stall longer than that,
 * tasks due during it come out in per-slot order only (await.h). */
static double
turn_us(const struct bg_test_fixture *f)
{
	return bg_await_tick_ns(&f->rt.workers[0]->await) * BG_WHEEL_SLOTS / 1000.0;
}

/* One run of 1000 frames through delay (+- jitter). Returns the longest
 * stall seen (us), or a negative number when set-up failed. */
static double
run_delay_once(double delay_us, double jitter_us)
{
	struct bg_test_fixture f;
	struct delays d;
	struct bg_counters c0, c1;
	double stall, turn;

	if (fixture_setup(&f) != 0)
		goto fail;
	f.cfg.delay_us = delay_us;
	f.cfg.jitter_us = jitter_us;
	if (fixture_init(&f) != 0 || frames_make(&f, DELAY_N, 64) != 0 ||
	    bg_test_fixture_launch(&f) != 0)
		goto fail;
	/* Spread over 20 ms, so frames arrive while others wait. */
	CHECK(send_and_collect(&f, DELAY_N, us_to_cycles(DELAY_SPACING_US), DELAY_N) == DELAY_N,
	      "%u of %d frames out", tr.n, DELAY_N);
	CHECK(tr.bad == 0, "%u foreign frames", tr.bad);
	bg_runtime_stop(&f.rt);
	stall = stall_us();
	turn = turn_us(&f);

	/* Never earlier than asked, whatever the machine does: exact, in
	 * cycles as the stage computes them (the wheel rounds up to a tick,
	 * never down). */
	d = delay_stats(us_to_cycles(delay_us - jitter_us));
	printf("longest stall %.0f us ", stall);
	CHECK(d.below == 0, "%u frames left before %.0f us, the worst %.3f us early", d.below,
	      delay_us - jitter_us, cycles_to_us(d.worst_early));
	if (jitter_us == 0 && stall < turn)
		CHECK(out_of_order() == 0, "%u frames out of order with a fixed delay",
		      out_of_order());
	if (stall < STALL_US && jitter_us == 0) {
		/* Median within 20% of the delay. */
		CHECK(cycles_to_us(d.median) >= delay_us * 0.8 &&
		      cycles_to_us(d.median) <= delay_us * 1.2,
		      "median %.1f us for %.0f asked (+-20%%)", cycles_to_us(d.median), delay_us);
	} else if (stall < STALL_US) {
		/* Uniform in delay +- jitter: all inside, with STALL_US of
		 * room above; and really spread. */
		const double hi = delay_us + jitter_us + STALL_US;

		CHECK(cycles_to_us(d.max) <= hi, "max %.1f us, bound %.0f", cycles_to_us(d.max), hi);
		CHECK(cycles_to_us(d.max - d.min) > 200, "spread %.1f us",
		      cycles_to_us(d.max - d.min));
		/* The middle half of a uniform [d-j, d+j] spans about j. */
		CHECK(cycles_to_us(sorted[tr.n * 3 / 4] - sorted[tr.n / 4]) > jitter_us / 2,
		      "interquartile range %.1f us for +-%.0f us of jitter",
		      cycles_to_us(sorted[tr.n * 3 / 4] - sorted[tr.n / 4]), jitter_us);
		CHECK(cycles_to_us(d.median) >= delay_us - jitter_us / 2 &&
		      cycles_to_us(d.median) <= delay_us + jitter_us / 2,
		      "median %.1f us", cycles_to_us(d.median));
	}
	c0 = port_counters(&f, 0);
	c1 = port_counters(&f, 1);
	CHECK(c0.rx == DELAY_N && c1.tx == DELAY_N, "rx %" PRIu64 ", tx %" PRIu64, c0.rx, c1.tx);
	CHECK(bg_counters_drops(&c0) + bg_counters_drops(&c1) == 0, "no drop");
	CHECK(f.rt.workers[0]->x.suspended == DELAY_N && f.rt.workers[0]->x.resumed_count == DELAY_N,
	      "suspended %" PRIu64 ", resumed %" PRIu64, f.rt.workers[0]->x.suspended,
	      f.rt.workers[0]->x.resumed_count);
	fixture_finish(&f, true);
	return stall;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
	return -1;
}

/* Repeat a timed run until one has no stall longer than STALL_US. */
static void
repeat_unstalled(double (*run)(double, double), double a, double b)
{
	double stall = 0;

	for (int i = 0; i < ATTEMPTS; i++) {
		stall = run(a, b);
		if (stall < STALL_US)
			return;
		printf("\n    stalled for %.0f us: timing not checked, again ", stall);
	}
	CHECK(false, "%d runs in a row stalled for more than %.0f us: the machine is too busy to time",
	      ATTEMPTS, STALL_US);
}

static void
run_delay(double delay_us, double jitter_us)
{
	repeat_unstalled(run_delay_once, delay_us, jitter_us);
}

static void
test_delay_fixed(void)
{
	run_delay(2000, 0);
}

static void
test_delay_jitter(void)
{
	run_delay(2000, 500);
}

/* A stop while every packet still waits: all are shutdown drops. */
static void
test_delay_shutdown(void)
{
	enum { N = 100 };
	struct bg_test_fixture f;
	struct bg_counters c0, c1;

	if (fixture_setup(&f) != 0)
		goto fail;
	f.cfg.delay_us = 1e6;
	if (fixture_init(&f) != 0 || frames_make(&f, N, 64) != 0 ||
	    bg_test_fixture_launch(&f) != 0)
		goto fail;
	for (unsigned i = 0; i < N; i++)
		frame_stamp(frames[i], rte_get_tsc_cycles());
	CHECK(rte_ring_enqueue_bulk(f.port[0].rx[0], (void **)frames, N, NULL) == N, "sent");
	usleep(50 * 1000);
	CHECK(rte_ring_count(f.port[0].rx[0]) == 0, "the worker took every frame");
	bg_runtime_stop(&f.rt);
	c0 = port_counters(&f, 0);
	c1 = port_counters(&f, 1);
	CHECK(rte_ring_count(f.port[1].tx[0]) == 0, "nothing transmitted (%u)",
	      rte_ring_count(f.port[1].tx[0]));
	CHECK(c0.rx == N && c1.tx == 0, "rx %" PRIu64 ", tx %" PRIu64, c0.rx, c1.tx);
	CHECK(c0.drop[BG_DROP_SHUTDOWN] == N, "shutdown drops %" PRIu64,
	      c0.drop[BG_DROP_SHUTDOWN]);
	CHECK(bg_counters_drops(&c0) == N && bg_counters_drops(&c1) == 0, "no other drop");
	CHECK(f.rt.workers[0]->x.suspended == N && f.rt.workers[0]->x.resumed_count == 0,
	      "suspended %" PRIu64 ", resumed %" PRIu64, f.rt.workers[0]->x.suspended,
	      f.rt.workers[0]->x.resumed_count);
	CHECK(f.rt.workers[0]->await.timers == 0, "the wheel is drained");
	fixture_finish(&f, true);
	return;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
}

/* ---- pace ---- */

/* Send n frames of len bytes at once through pace; check the output rate
 * (first to last frame out) is within 10% of pps, and the order. */
static unsigned pace_n;
static uint16_t pace_len;

static double
run_pace_once(double rate_pps, double rate_mbps)
{
	const unsigned n = pace_n;
	const uint16_t len = pace_len;
	const double expect_pps = rate_pps > 0 ? rate_pps : rate_mbps * 1e6 / 8 / len;
	struct bg_test_fixture f;
	struct bg_counters c0, c1;
	double pps, stall;

	if (fixture_setup(&f) != 0)
		goto fail;
	f.cfg.rate_pps = rate_pps;
	f.cfg.rate_mbps = rate_mbps;
	f.cfg.burst_pkts = 1;
	f.cfg.burst_bytes = len;
	f.cfg.pace_queue = n;
	if (fixture_init(&f) != 0 || frames_make(&f, n, len) != 0 ||
	    bg_test_fixture_launch(&f) != 0)
		goto fail;
	CHECK(send_and_collect(&f, n, 0, n) == n, "%u of %u frames out", tr.n, n);
	bg_runtime_stop(&f.rt);
	if (tr.n < 2)
		goto fail;
	stall = stall_us();
	pps = (double)(tr.n - 1) * hz / (double)(tr.out_tsc[tr.n - 1] - tr.out_tsc[0]);
	printf("\n    %u frames of %u bytes at %.0f pps (asked %.0f), longest stall %.0f us ",
	       tr.n, len, pps, expect_pps, stall);
	/* 10%: what is left of the VM's jitter on a run without a stall. */
	if (stall < STALL_US)
		CHECK(pps >= expect_pps * 0.9 && pps <= expect_pps * 1.1,
		      "%.0f pps, asked %.0f +-10%%", pps, expect_pps);
	if (stall < turn_us(&f))
		CHECK(out_of_order() == 0, "%u frames out of order", out_of_order());
	c0 = port_counters(&f, 0);
	c1 = port_counters(&f, 1);
	CHECK(c0.rx == n && c1.tx == n, "rx %" PRIu64 ", tx %" PRIu64, c0.rx, c1.tx);
	CHECK(bg_counters_drops(&c0) + bg_counters_drops(&c1) == 0, "no drop");
	/* Bucket of one: the first goes at once, every other one waited. */
	CHECK(f.rt.workers[0]->x.suspended == n - 1, "suspended %" PRIu64 " of %u",
	      f.rt.workers[0]->x.suspended, n - 1);
	fixture_finish(&f, true);
	return stall;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
	return -1;
}

static void
test_pace_pps(void)
{
	pace_n = 4000;                     /* 200 ms */
	pace_len = 64;
	repeat_unstalled(run_pace_once, 20000, 0);
}

static void
test_pace_mbps(void)
{
	pace_n = 2000;                     /* 10000 pps, 200 ms */
	pace_len = 1000;
	repeat_unstalled(run_pace_once, 0, 80);
}

/*
 * A burst of 1000 into a bucket of 4 tokens and a queue of 100: the first 4
 * find tokens and go on, the next 100 wait, the other 896 are pace_queue
 * drops, exactly. The rate (50 pps) is low enough that no waiter leaves
 * before the worker has taken the whole burst off the RX ring (the first
 * leaves after 20 ms; a run where the ring took longer than 15 ms to empty
 * is repeated); a few leave before the stop, the rest are shutdown drops.
 */
static double
run_pace_queue_once(double rate_pps, double unused)
{
	enum { N = 1000, DEPTH = 4, QUEUE = 100 };
	struct bg_test_fixture f;
	struct bg_counters c0, c1;
	uint64_t start, took = 0;
	unsigned out;

	(void)unused;
	if (fixture_setup(&f) != 0)
		goto fail;
	f.cfg.rate_pps = rate_pps;
	f.cfg.burst_pkts = DEPTH;
	f.cfg.pace_queue = QUEUE;
	if (fixture_init(&f) != 0 || frames_make(&f, N, 64) != 0)
		goto fail;
	/* All on the RX ring before the worker starts. */
	for (unsigned i = 0; i < N; i++)
		frame_stamp(frames[i], rte_get_tsc_cycles());
	CHECK(rte_ring_enqueue_bulk(f.port[0].rx[0], (void **)frames, N, NULL) == N, "sent");
	if (bg_test_fixture_launch(&f) != 0)
		goto fail;
	start = rte_get_tsc_cycles();
	while (rte_ring_count(f.port[0].rx[0]) != 0 && took < us_to_cycles(1e6))
		took = rte_get_tsc_cycles() - start;
	usleep(70 * 1000);
	bg_runtime_stop(&f.rt);
	memset(&tr, 0, sizeof(tr));
	poll_tx(&f);
	out = tr.n;
	c0 = port_counters(&f, 0);
	c1 = port_counters(&f, 1);
	printf("\n    RX ring empty after %.0f us, %u of %d out before the stop ",
	       cycles_to_us(took), out, DEPTH + QUEUE);
	CHECK(c0.rx == N, "rx %" PRIu64, c0.rx);
	if (cycles_to_us(took) < 15000) {
		CHECK(c0.drop[BG_DROP_PACE_QUEUE] == N - DEPTH - QUEUE,
		      "pace_queue drops %" PRIu64 ", expected %d", c0.drop[BG_DROP_PACE_QUEUE],
		      N - DEPTH - QUEUE);
		CHECK(f.rt.workers[0]->x.suspended == QUEUE, "suspended %" PRIu64,
		      f.rt.workers[0]->x.suspended);
		/* The bucket's 4, then waiters every 20 ms: some, not all. */
		CHECK(out > DEPTH && out < DEPTH + QUEUE, "%u out", out);
		CHECK(c1.tx + c0.drop[BG_DROP_SHUTDOWN] == DEPTH + QUEUE,
		      "tx %" PRIu64 " + shutdown %" PRIu64 " == %d", c1.tx,
		      c0.drop[BG_DROP_SHUTDOWN], DEPTH + QUEUE);
	}
	CHECK(c1.tx == out, "tx %" PRIu64 ", %u on the ring", c1.tx, out);
	CHECK(bg_counters_drops(&c0) ==
	      c0.drop[BG_DROP_PACE_QUEUE] + c0.drop[BG_DROP_SHUTDOWN] &&
	      bg_counters_drops(&c1) == 0, "no other drop");
	CHECK(out_of_order() == 0 && (out == 0 || tr.seq[0] == 0), "the first ones, in order");
	fixture_finish(&f, true);
	return cycles_to_us(took) < 15000 ? 0 : cycles_to_us(took);
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
	return -1;
}

static void
test_pace_queue_bound(void)
{
	repeat_unstalled(run_pace_queue_once, 50, 0);
}

int
main(void)
{
	static const struct bg_test_case tests[] = {
		{ "delay 2000 us: never early, median, order", test_delay_fixed },
		{ "delay 2000 +- 500 us: in range, spread", test_delay_jitter },
		{ "delay 1 s: stop with every packet waiting", test_delay_shutdown },
		{ "pace 20000 pps: rate, order", test_pace_pps },
		{ "pace 80 Mbit/s of 1000-byte frames: rate, order", test_pace_mbps },
		{ "pace: bucket + queue admitted, exact pace_queue drops", test_pace_queue_bound },
		{ "pace (synthetic clock): new packet after a stall with waiters", test_pace_stall_with_waiters },
		{ "pace (synthetic clock): bursts at 95% of 1 Gbit/s", test_pace_bursty_synthetic },
	};
	int ret;

	if (bg_test_eal_init("--lcores=0@0,1@1", 2) != 0)
		return 1;
	hz = (double)rte_get_tsc_hz();
	ret = BG_TEST_RUN_SUITE("stages", tests);
	bg_test_eal_cleanup();
	return ret;
}
