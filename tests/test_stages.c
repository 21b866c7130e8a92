/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stages: delay, pace and work, end to end in the pinned model on net_ring
 * ports with one real worker; and (test_stages_pace.c) delay and pace on a
 * synthetic clock.
 *
 * Every timing property of delay and pace (never early, late by at most a
 * tick, jitter's range and spread, pace's rate in packets and in bits, the
 * queue bound's exact drops) is checked on the synthetic clock, where it is
 * exact and does not depend on the machine. The runs here check what real
 * workers and ports add, none of which depends on how fast the machine is
 * or how busy: every frame comes out (or is counted as dropped, by reason),
 * in order where the stage keeps order, never before its delay (a lower bound
 * that load can only make easier to meet), each waiting packet suspended and
 * resumed once, a stop with packets waiting counts each as a shutdown drop,
 * and conservation and both pools (mbufs, tasks) back where they started
 * after every run. Waits for frames are bounded (WAIT_S) only so that a
 * broken run ends; nothing is asserted about how long they took.
 *
 * Frames carry their sequence number and the TSC at which the test put them
 * on the RX ring; the main lcore polls the TX ring and takes the TSC at which
 * each frame appears.
 *
 * The EAL has lcore 0 (control, on CPU 0) and one worker (lcore 1 on CPU 1);
 * each port has one RX and one TX ring. Port 0's frames leave on port 1.
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
#include "dataplane/stage_work.h"
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
#define WAIT_S 30.0               /* bound on any wait for frames: a
				   * broken run ends, a slow one passes */
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
	uint64_t next = rte_get_tsc_cycles();
	unsigned sent = 0;

	memset(&tr, 0, sizeof(tr));
	while (tr.n + tr.bad < expect && rte_get_tsc_cycles() < limit) {
		const uint64_t now = rte_get_tsc_cycles();

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

/* Frames that left earlier than `floor` cycles after they went in; the
 * worst of them in *worst. */
static unsigned
early_frames(uint64_t floor, uint64_t *worst)
{
	unsigned below = 0;

	*worst = 0;
	for (unsigned i = 0; i < tr.n; i++) {
		uint64_t dl = tr.out_tsc[i] - tr.in_tsc[i];

		if (dl < floor) {
			below++;
			if (floor - dl > *worst)
				*worst = floor - dl;
		}
	}
	return below;
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

enum { DELAY_N = 1000 };

/*
 * 1000 frames through delay (+- jitter), one every 2 us (on the test's
 * clock, so frames arrive while others wait): every one comes out, none
 * before delay - jitter, in order with a fixed delay; each waited once.
 */
static void
run_delay(double delay_us, double jitter_us)
{
	struct bg_test_fixture f;
	struct bg_counters c0, c1;
	uint64_t worst;
	unsigned early;

	if (fixture_setup(&f) != 0)
		goto fail;
	f.cfg.delay_us = delay_us;
	f.cfg.jitter_us = jitter_us;
	if (fixture_init(&f) != 0 || frames_make(&f, DELAY_N, 64) != 0 ||
	    bg_test_fixture_launch(&f) != 0)
		goto fail;
	CHECK(send_and_collect(&f, DELAY_N, us_to_cycles(2), DELAY_N) == DELAY_N,
	      "%u of %d frames out", tr.n, DELAY_N);
	CHECK(tr.bad == 0, "%u foreign frames", tr.bad);
	bg_runtime_stop(&f.rt);

	/* Never earlier than asked, whatever the machine does: exact, in
	 * cycles as the stage computes them (the wheel rounds up to a tick,
	 * never down), between the test's stamp and its seeing the frame. */
	early = early_frames(us_to_cycles(delay_us - jitter_us), &worst);
	CHECK(early == 0, "%u frames left before %.0f us, the worst %.3f us early", early,
	      delay_us - jitter_us, cycles_to_us(worst));
	if (jitter_us == 0)
		CHECK(out_of_order() == 0, "%u frames out of order with a fixed delay",
		      out_of_order());
	c0 = port_counters(&f, 0);
	c1 = port_counters(&f, 1);
	CHECK(c0.rx == DELAY_N && c1.tx == DELAY_N, "rx %" PRIu64 ", tx %" PRIu64, c0.rx, c1.tx);
	CHECK(bg_counters_drops(&c0) + bg_counters_drops(&c1) == 0, "no drop");
	CHECK(f.rt.workers[0]->x.suspended == DELAY_N && f.rt.workers[0]->x.resumed_count == DELAY_N,
	      "suspended %" PRIu64 ", resumed %" PRIu64, f.rt.workers[0]->x.suspended,
	      f.rt.workers[0]->x.resumed_count);
	fixture_finish(&f, true);
	return;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
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

/* Wait until the worker has taken every frame off port 0's RX ring. A frame
 * it has taken has been through the chain by the time it is joined: it
 * checks the stop flag only between loop iterations. */
static bool
wait_rx_taken(struct bg_test_fixture *f)
{
	const uint64_t limit = rte_get_tsc_cycles() + (uint64_t)(WAIT_S * hz);

	while (rte_ring_count(f->port[0].rx[0]) != 0 && rte_get_tsc_cycles() < limit)
		usleep(100);
	CHECK(rte_ring_count(f->port[0].rx[0]) == 0, "the worker took every frame (%u left)",
	      rte_ring_count(f->port[0].rx[0]));
	return rte_ring_count(f->port[0].rx[0]) == 0;
}

/* A stop while every packet still waits (a 100 s delay): all are shutdown
 * drops, nothing is sent, the wheel is drained. */
static void
test_delay_shutdown(void)
{
	enum { N = 100 };
	struct bg_test_fixture f;
	struct bg_counters c0, c1;

	if (fixture_setup(&f) != 0)
		goto fail;
	f.cfg.delay_us = 100e6;
	if (fixture_init(&f) != 0 || frames_make(&f, N, 64) != 0 ||
	    bg_test_fixture_launch(&f) != 0)
		goto fail;
	for (unsigned i = 0; i < N; i++)
		frame_stamp(frames[i], rte_get_tsc_cycles());
	CHECK(rte_ring_enqueue_bulk(f.port[0].rx[0], (void **)frames, N, NULL) == N, "sent");
	wait_rx_taken(&f);
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

/*
 * n frames of len bytes at once through pace with a bucket of one and room
 * for all of them in the queue: every one comes out, in order, none
 * dropped, every one but the first waited once.
 */
static void
run_pace(unsigned n, uint16_t len, double rate_pps, double rate_mbps)
{
	struct bg_test_fixture f;
	struct bg_counters c0, c1;

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
	CHECK(out_of_order() == 0, "%u frames out of order", out_of_order());
	c0 = port_counters(&f, 0);
	c1 = port_counters(&f, 1);
	CHECK(c0.rx == n && c1.tx == n, "rx %" PRIu64 ", tx %" PRIu64, c0.rx, c1.tx);
	CHECK(bg_counters_drops(&c0) + bg_counters_drops(&c1) == 0, "no drop");
	/* Bucket of one: the first goes at once, every other one waited. */
	CHECK(f.rt.workers[0]->x.suspended == n - 1 && f.rt.workers[0]->x.resumed_count == n - 1,
	      "suspended %" PRIu64 ", resumed %" PRIu64 ", want %u", f.rt.workers[0]->x.suspended,
	      f.rt.workers[0]->x.resumed_count, n - 1);
	fixture_finish(&f, true);
	return;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
}

static void
test_pace_pps(void)
{
	run_pace(1000, 64, 20000, 0);          /* 50 ms */
}

static void
test_pace_mbps(void)
{
	run_pace(500, 1000, 0, 80);            /* 10000 pps, 50 ms */
}

/*
 * A burst of 1000 into a bucket of 4 tokens at 1 packet/s and a queue of
 * 100, stopped once the worker has taken the burst. How many leave before
 * the stop depends on the machine (the exact figures are checked on the
 * synthetic clock); what holds whatever the timing: every frame is sent, or
 * dropped as pace_queue, or still waiting and a shutdown drop; only the
 * bucket's 4 go without waiting; never more than 100 wait at once; some are
 * turned away; those sent are the first ones, in order.
 */
static void
test_pace_queue_bound(void)
{
	enum { N = 1000, DEPTH = 4, QUEUE = 100 };
	struct bg_test_fixture f;
	struct bg_counters c0, c1;
	uint64_t waited, back;

	if (fixture_setup(&f) != 0)
		goto fail;
	f.cfg.rate_pps = 1;
	f.cfg.burst_pkts = DEPTH;
	f.cfg.pace_queue = QUEUE;
	if (fixture_init(&f) != 0 || frames_make(&f, N, 64) != 0)
		goto fail;
	for (unsigned i = 0; i < N; i++)
		frame_stamp(frames[i], rte_get_tsc_cycles());
	CHECK(rte_ring_enqueue_bulk(f.port[0].rx[0], (void **)frames, N, NULL) == N, "sent");
	if (bg_test_fixture_launch(&f) != 0)
		goto fail;
	wait_rx_taken(&f);
	bg_runtime_stop(&f.rt);
	memset(&tr, 0, sizeof(tr));
	poll_tx(&f);
	c0 = port_counters(&f, 0);
	c1 = port_counters(&f, 1);
	waited = f.rt.workers[0]->x.suspended;
	back = f.rt.workers[0]->x.resumed_count;
	printf("\n    %u sent, %" PRIu64 " waited, %" PRIu64 " turned away, %" PRIu64 " still waiting at the stop ",
	       tr.n, waited, c0.drop[BG_DROP_PACE_QUEUE], c0.drop[BG_DROP_SHUTDOWN]);
	CHECK(c0.rx == N, "rx %" PRIu64, c0.rx);
	CHECK(c1.tx == tr.n, "tx %" PRIu64 ", %u on the ring", c1.tx, tr.n);
	CHECK(c1.tx + c0.drop[BG_DROP_PACE_QUEUE] + c0.drop[BG_DROP_SHUTDOWN] == N,
	      "tx %" PRIu64 " + pace_queue %" PRIu64 " + shutdown %" PRIu64 " == %d", c1.tx,
	      c0.drop[BG_DROP_PACE_QUEUE], c0.drop[BG_DROP_SHUTDOWN], N);
	CHECK(c0.drop[BG_DROP_SHUTDOWN] == waited - back && waited - back <= QUEUE,
	      "%" PRIu64 " still waiting at the stop (waited %" PRIu64 ", back %" PRIu64 "), at most %d",
	      c0.drop[BG_DROP_SHUTDOWN], waited, back, QUEUE);
	/* Once one waits, none goes ahead of it: only the bucket's went at
	 * once (until the line empties, 100 s on). */
	CHECK(c1.tx - back == DEPTH, "%" PRIu64 " went without waiting, the bucket holds %d",
	      c1.tx - back, DEPTH);
	CHECK(c0.drop[BG_DROP_PACE_QUEUE] == N - DEPTH - waited,
	      "pace_queue drops %" PRIu64 ": every frame went at once, waited or was turned away",
	      c0.drop[BG_DROP_PACE_QUEUE]);
	CHECK(c0.drop[BG_DROP_PACE_QUEUE] > 0, "a burst of %d into %d + %d turned some away", N,
	      DEPTH, QUEUE);
	CHECK(bg_counters_drops(&c0) ==
	      c0.drop[BG_DROP_PACE_QUEUE] + c0.drop[BG_DROP_SHUTDOWN] &&
	      bg_counters_drops(&c1) == 0, "no other drop");
	CHECK(out_of_order() == 0 && (tr.n == 0 || tr.seq[0] == 0), "the first ones, in order");
	fixture_finish(&f, true);
	return;
fail:
	CU_FAIL("set-up failed");
	fixture_finish(&f, false);
}

/* ---- work ---- */

/* The work stage's per-worker data in w's chain, or NULL. */
static struct bg_work *
work_of(struct bg_worker *w)
{
	for (unsigned i = 0; i < w->x.nb_stages; i++)
		if (strcmp(w->x.stage_def[i]->reg.name, "work") == 0)
			return w->x.data[i];
	return NULL;
}

/*
 * 1000 frames through --work exp:2us (and --cycles): every one comes out,
 * in order, none dropped, each served once; the worker was busy at least
 * the service time it drew (a lower bound, which load can only make easier
 * to meet).
 */
static void
test_work_end_to_end(void)
{
	enum { N = 1000 };
	struct bg_test_fixture f;
	struct bg_counters c0, c1;
	struct bg_work *w;
	char names[64];

	if (fixture_setup(&f) != 0)
		goto fail;
	f.cfg.work_dist = BG_WORK_EXP;
	f.cfg.work_mean_ns = 2000;
	f.cfg.count_cycles = true;
	if (fixture_init(&f) != 0 || frames_make(&f, N, 64) != 0)
		goto fail;
	bg_exec_chain_names(&f.rt.workers[0]->x, names, sizeof(names));
	CHECK(strcmp(names, "work") == 0, "chain %s", names);
	w = work_of(f.rt.workers[0]);
	CHECK(w != NULL, "a work stage");
	if (w == NULL || bg_test_fixture_launch(&f) != 0)
		goto fail;
	CHECK(send_and_collect(&f, N, us_to_cycles(1), N) == N, "%u of %d frames out", tr.n, N);
	bg_runtime_stop(&f.rt);
	CHECK(tr.bad == 0, "%u foreign frames", tr.bad);
	CHECK(out_of_order() == 0, "%u frames out of order", out_of_order());
	c0 = port_counters(&f, 0);
	c1 = port_counters(&f, 1);
	CHECK(c0.rx == N && c1.tx == N, "rx %" PRIu64 ", tx %" PRIu64, c0.rx, c1.tx);
	CHECK(bg_counters_drops(&c0) + bg_counters_drops(&c1) == 0, "no drop");
	printf("\n    %" PRIu64 " served, %.1f us of service drawn, the worker busy %.1f us ",
	       w->packets, cycles_to_us(w->cycles), cycles_to_us(f.rt.workers[0]->busy_cycles));
	CHECK(w->packets == N, "%" PRIu64 " served", w->packets);
	CHECK(f.rt.workers[0]->busy_cycles >= w->cycles,
	      "busy %" PRIu64 " cycles, service drawn %" PRIu64, f.rt.workers[0]->busy_cycles,
	      w->cycles);
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
		{ "delay (synthetic clock): never early, at the first poll past its tick, order, stalls", test_sim_delay_exact },
		{ "delay (synthetic clock): jitter within range, uniform spread", test_sim_delay_jitter },
		{ "delay (synthetic clock): stop with every packet waiting", test_sim_delay_shutdown },
		{ "pace (synthetic clock): 20000 pps exact, order", test_sim_pace_pps },
		{ "pace (synthetic clock): 80 Mbit/s of mixed sizes exact, order", test_sim_pace_mbps },
		{ "pace (synthetic clock): bucket + queue admitted, exact pace_queue drops, stop", test_sim_pace_queue_bound },
		{ "delay then pace (synthetic clock): each waits once, paced after the delay", test_sim_delay_then_pace },
		{ "pace (synthetic clock): new packet after a stall with waiters", test_pace_stall_with_waiters },
		{ "pace (synthetic clock): bursts at 95% of 1 Gbit/s", test_pace_bursty_synthetic },
		{ "delay 2000 us end to end: all out, none early, order", test_delay_fixed },
		{ "delay 2000 +- 500 us end to end: all out, none early", test_delay_jitter },
		{ "delay 100 s end to end: stop with every packet waiting", test_delay_shutdown },
		{ "pace 20000 pps end to end: all out, order", test_pace_pps },
		{ "pace 80 Mbit/s end to end: all out, order", test_pace_mbps },
		{ "pace end to end: queue bound, counts add up", test_pace_queue_bound },
		{ "work exp:2us end to end: all out, order, served", test_work_end_to_end },
	};
	int ret;

	if (bg_test_eal_init("--lcores=0@0,1@1", 2) != 0)
		return 1;
	hz = (double)rte_get_tsc_hz();
	ret = BG_TEST_RUN_SUITE("stages", tests);
	bg_test_eal_cleanup();
	return ret;
}
