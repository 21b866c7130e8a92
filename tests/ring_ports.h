/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_TEST_RING_PORTS_H
#define BG_TEST_RING_PORTS_H

/*
 * Shared by the suites that run the runtime end to end, in process (pinned,
 * pipeline, stages): two net_ring ports made from rings the test owns, so
 * that it puts frames on the RX rings and reads what the workers left on the
 * TX rings; and the runtime set up, launched, stopped and torn down around
 * them. Everything here runs on the main lcore. The rings are single
 * producer, single consumer: the test on one side, the worker that owns the
 * queue on the other, so the test touches an RX ring only before launch or
 * after stop, and a TX ring only while no worker transmits on it or by
 * dequeueing.
 *
 * The assertions a suite makes about its ports and runtime stay in the
 * suite; the ones made here are the same for every suite that calls them.
 */
#include <stdbool.h>
#include <stdint.h>

#include "dataplane/config.h"
#include "lcore/report.h"
#include "lcore/runtime.h"

#define BG_TEST_NB_PORTS 2
#define BG_TEST_MAX_Q 4           /* RX or TX rings per port */

struct rte_ring;
struct bg_sched;

struct bg_test_port {
	char name[32];                 /* given to rte_eth_from_rings */
	char ethdev[48];               /* the ethdev's name: net_ring_<name> */
	int id;                        /* -1 until made */
	struct rte_ring *rx[BG_TEST_MAX_Q];
	struct rte_ring *tx[BG_TEST_MAX_Q];
};

struct bg_test_fixture {
	struct bg_test_port port[BG_TEST_NB_PORTS];
	unsigned nrx, ntx;             /* RX and TX rings (queues) per port */
	struct bg_config cfg;
	struct bg_runtime rt;
	bool rt_inited;                /* close/free also unwind a failed init */
	struct rte_mempool *pool;      /* the runtime's mbuf pool */
};

/* A number not given out before in this process, for unique names of
 * rings, ports and pools. */
unsigned bg_test_serial(void);

/*
 * A ring "<port_name>_<dir><q>" of size slots (a power of two; one fewer
 * usable), single producer and single consumer. Returns NULL after printing
 * why.
 */
struct rte_ring *bg_test_ring_make(const char *port_name, const char *dir, unsigned q,
				   unsigned size);

/*
 * Zero f and make ports 0 and 1, named "<prefix><serial>_<port>", each with
 * nrx RX rings of rx_size slots and ntx TX rings of tx_size[port] slots
 * (1 <= nrx, ntx <= BG_TEST_MAX_Q). Earlier tests must have closed their
 * ports for the ids to be 0 and 1: the caller checks them.
 * Returns 0, or -1 after printing why (bg_test_fixture_release() frees what
 * was made).
 */
int bg_test_fixture_ports(struct bg_test_fixture *f, const char *prefix, unsigned nrx,
			  unsigned rx_size, unsigned ntx, const unsigned tx_size[BG_TEST_NB_PORTS]);

/*
 * Resolve the ports of f->cfg (sched and fwd set) and initialise the
 * runtime; assert that resolving worked, that bg_runtime_init() did when
 * check_init (false where a test expects it to fail), that it made
 * nb_workers workers, and that it has an mbuf pool, which f->pool then is.
 * Returns 0; bg_runtime_init()'s error (-EINVAL, ...); or -1 when anything
 * else failed.
 */
int bg_test_fixture_init(struct bg_test_fixture *f, unsigned nb_workers, bool check_init);

/*
 * Clear the stop flag the last run left set (worker.h: tests reset it
 * before launching again), launch the runtime and assert that it did.
 * Returns bg_runtime_launch()'s result.
 */
int bg_test_fixture_launch(struct bg_test_fixture *f);

/*
 * Set option `name` (without dashes) of model s to arg as the command line
 * would, printing the parser's message when it refuses. Returns the
 * option's parse result, or -ENOENT when s has no such option.
 */
int bg_test_model_opt(const struct bg_sched *s, const char *name, const char *arg);

/* Packets on the rings r[0..n-1]. */
unsigned bg_test_rings_count(struct rte_ring *const *r, unsigned n);

/*
 * Wait up to timeout_s until the RX rings of the polled ports (polled NULL:
 * both) are empty and the TX rings of both hold tx_total packets in all.
 * Returns false after printing what was left.
 */
bool bg_test_wait_forwarded(const struct bg_test_fixture *f, const bool *polled,
			    unsigned tx_total, double timeout_s);

/* Stop the runtime (when initialised), free every mbuf the rings still
 * hold, close the runtime: what comes before checking its summary. */
void bg_test_fixture_stop(struct bg_test_fixture *f);

/*
 * The summary of a stopped and closed runtime (bg_test_fixture_stop()),
 * with what every run must show asserted: packets conserved (rx == tx +
 * drops), pools back where they started, the model `mode` on nb_lcores
 * lcores. Points to storage the next call overwrites.
 */
const struct bg_summary *bg_test_check_summary(const struct bg_test_fixture *f,
					       const char *mode, unsigned nb_lcores);

/* Free the runtime (when initialised), close the ports it did not, free
 * the rings; assert that no port is left. */
void bg_test_fixture_release(struct bg_test_fixture *f);

/* What a run stopped early left: frames still on the RX rings (left) and on
 * the TX rings (out), and the port counters summed. */
struct bg_test_tally {
	unsigned left, out;
	uint64_t rx, tx, drops, shutdown;
};

/*
 * Sum what a stopped run left into t, and assert per port p that what it
 * received plus what is left on its RX rings is in[p] and that it sent
 * exactly what is on its TX rings; then, over both, that every frame is
 * received or left, and that rx == tx + drops.
 */
void bg_test_tally_stopped(const struct bg_test_fixture *f,
			   const uint64_t in[BG_TEST_NB_PORTS], struct bg_test_tally *t);

#endif
