/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_TEST_MODEL_RUN_H
#define BG_TEST_MODEL_RUN_H

/*
 * Runs of a model end to end, in process, on the net_ring ports of
 * ring_ports.h, for the suites that check what a model promises (models,
 * migrate): flows of tagged frames pumped in, every frame that leaves
 * checked (bytes, port, once), per-flow order at TX hand-off, exact
 * counters, conservation.
 *
 * Traffic is pumped: at most MR_WINDOW frames are in flight at once (or a
 * scenario's preload, put on the RX rings before launch, until it has
 * drained to that), fewer than any RX or TX ring holds, so neither the test
 * nor a worker ever finds a ring full, however the CPUs are shared. No
 * timing is asserted: a wait fails only after MR_STUCK_S seconds without
 * progress.
 *
 * Order is the order in which frames were handed to the ports: a TX
 * callback on every queue numbers each frame from one counter inside the
 * sender's rte_eth_tx_burst(). Reading the TX rings one after the other
 * could not tell it when a model spreads a flow over several TX queues.
 *
 * Lcores: the main lcore (0, control) and MR_NB_WORKERS workers on two CPUs
 * (MR_EAL_LCORES). Ports are made with BG_TEST_MAX_Q rings each way, and
 * after bg_runtime_init() a run uses as many as the model gave the port.
 *
 * Main lcore only, like everything in ring_ports.h; one run at a time.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dataplane/config.h"
#include "lcore/report.h"
#include "ring_ports.h"
#include "test_helper.h"

struct rte_eth_rxtx_callback;

#define MR_EAL_LCORES "--lcores=0@0,(1,3)@1,(2,4)@0"
#define MR_NB_WORKERS 4
#define MR_NB_PORTS BG_TEST_NB_PORTS
#define MR_RING 8192               /* slots of every RX and TX ring */
/* Frames in flight at most: fewer than a ring holds, and half of the
 * smallest buffer a model keeps between lcores by default (a channel, an
 * event device: 4096), so that what is measured is forwarding, not what a
 * model does when its own buffer is full (each model's suite tests that).
 * -DMR_WINDOW=n tries another. */
#ifndef MR_WINDOW
#define MR_WINDOW 2048
#endif
#define MR_TASKS 8192              /* cfg.tasks: more than can wait at once */
_Static_assert(MR_WINDOW < MR_RING && MR_WINDOW <= MR_TASKS, "rings and tasks hold what is in flight");
#define MR_STUCK_S 30.0            /* nothing moved for this long: stuck */

enum mr_out_kind { MR_OUT_IO, MR_OUT_MACSWAP };

/* A scenario's traffic and configuration. */
struct mr_traffic {
	const char *name;
	const char *fwd;
	enum mr_out_kind kind;
	uint32_t nb_flows, per_flow;   /* frames: nb_flows * per_flow */
	bool one_queue;                /* every flow on port 0, RX queue 0 */
	bool rxq0;                     /* every flow on RX queue 0 of its port */
	bool loopback;                 /* --portmap 0:0,1:1 */
	double delay_us;
	enum bg_work_dist work;        /* --work, with work_ns as its mean */
	double work_ns;
	uint32_t preload;              /* frames on the RX rings before launch
					* (at most a ring's worth on any ring) */
	bool order;                    /* per-flow order is asserted */
};

/* One run of a scenario under one model. */
struct mr_run {
	const struct bg_sched *model;
	const struct mr_traffic *t;
	struct bg_test_fixture f;
	uint64_t total;                /* frames the scenario sends */
	uint64_t injected, collected;
	uint64_t in[MR_NB_PORTS], out[MR_NB_PORTS];
	uint8_t *seen;                 /* [flow index * per_flow + seq] */
	uint64_t *sent_as;             /* the same: its number in TX order */
	uint32_t txq_used;             /* bit port * BG_TEST_MAX_Q + queue */
	unsigned bad_tag, bad_port, bad_bytes, dup, reordered;
	const struct rte_eth_rxtx_callback *tx_cb[MR_NB_PORTS][BG_TEST_MAX_Q];
};

/* Counters read while the workers run (each written by its worker alone: a
 * sum is approximate, never more than the truth). */
struct mr_live {
	uint64_t rx, drops, suspended;
};

/*
 * A suite's main(): start the EAL on MR_EAL_LCORES, register the mbuf
 * field the TX callback numbers frames in, run the CUnit suite `name` with
 * tests[0..n-1], release the EAL. Returns main()'s exit status: 0 when
 * every test passed.
 */
int mr_run_suite(const char *name, const struct bg_test_case *tests, size_t n);

#define MR_RUN_SUITE(name, tests) mr_run_suite((name), (tests), sizeof(tests) / sizeof((tests)[0]))

static inline const char *
mr_model_name(const struct mr_run *r)
{
	return r->model->reg.name;
}

/* Seconds since the timer read tsc. */
double mr_seconds_since(uint64_t tsc);

/* Sum the workers' counters of rt into l, while they run. */
void mr_live_read(const struct bg_runtime *rt, struct mr_live *l);

/*
 * Ports, config (t's, and the model with the options it has now), runtime,
 * TX callbacks. The model decides how many queues each port has; the run
 * then uses that many of its rings. Returns 0, or -1 after a failed
 * assertion (call mr_finish() either way).
 */
int mr_setup(struct mr_run *r, const struct bg_sched *model, const struct mr_traffic *t);

/* Put frame number r->injected on its RX ring: seq injected / nb_flows of
 * flow index injected % nb_flows (flows interleaved). Returns false after
 * a failed assertion. */
bool mr_inject_one(struct mr_run *r);

/* Dequeue, check and free what is on the TX rings. Returns how many. */
unsigned mr_collect(struct mr_run *r);

/*
 * Feed the scenario's frames in, MR_WINDOW at most in flight, and take what
 * comes out, until `until` frames left or (until == r->total) the model
 * dropped the rest. Fails only when nothing moved for MR_STUCK_S seconds.
 */
bool mr_pump(struct mr_run *r, uint64_t until);

/* Count the frames handed to a port before an earlier frame of their flow
 * (of those that left) into r->reordered. */
void mr_count_reordered(struct mr_run *r);

/*
 * What every frame that left must have done: left once, exact, on its
 * port, and (t->order) after the earlier frames of its flow; with all,
 * every frame left.
 */
void mr_check_output(const struct mr_run *r, bool all);

/* Exact per-port counters of a run in which every frame left: port p
 * received what went in on it and sent what left on it, nothing dropped. */
void mr_check_ports_forwarded(const struct mr_run *r, const struct bg_summary *s);

/*
 * Of a run stopped with left[p] frames still on port p's RX rings: port p
 * received what went in on it less those and sent what is on its TX rings;
 * everything received and not sent is a shutdown drop, and nothing else is
 * dropped.
 */
void mr_check_stopped(const struct mr_run *r, const struct bg_summary *s,
		      const unsigned left[MR_NB_PORTS]);

/*
 * Stop, free what the rings hold, close; when the run got that far and
 * summary is set, collect the summary with what every run must show
 * (conservation, pools back, counter names, no failed loop) and copy it
 * into s; then free everything. Returns whether s holds a summary.
 */
bool mr_finish(struct mr_run *r, bool summary, struct bg_summary *s);

/*
 * A whole run of t under model: set up, preload, launch, pump until every
 * frame left, stop, check the output (mr_check_output) and the counters
 * (mr_check_ports_forwarded), finish. Returns whether s holds the summary.
 */
bool mr_forward(struct mr_run *r, const struct bg_sched *model, const struct mr_traffic *t,
		struct bg_summary *s);

/* The drops of c, "shutdown 12, runt 3", into buf. */
const char *mr_drops_str(const struct bg_counters *c, char *buf, size_t len);

#endif
