/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_CHAN_H
#define BG_CHAN_H

/*
 * Channels: an rte_ring between lcores carrying task or mbuf pointers in
 * bursts.
 *
 * The concurrency class follows the topology and is in every fast-path call:
 *   BG_CHAN_SPSC  one producer lcore, one consumer lcore (a pipeline hop)
 *   BG_CHAN_MPSC  many producers, one consumer (fan-in to a station)
 *   BG_CHAN_MPMC  many producers, many consumers (a shared pool of work)
 * Calling the wrong class is a bug; RTE_ASSERT catches it in debug builds.
 *
 * Nothing is lost silently. A send hands the channel all n objects: those
 * that fit are queued, the rest go to the drop callback given at creation
 * (which frees them) and are counted as dropped. Under BG_CHAN_FULL_RETRY a
 * send that does not fit first retries a bounded number of times.
 *
 * Ordering: objects leave in the order they entered. With several producers
 * the order of each producer's own objects is kept; with several consumers
 * each consumer sees each producer's objects in order, but a later object may
 * be taken by another consumer before an earlier one is processed.
 * Memory: what a producer wrote to an object before sending it is visible to
 * the consumer that receives it; rte_ring's release store of prod.tail pairs
 * with the acquire load of it in the consumer's head move.
 *
 * Counters are per lcore (rte_lcore_id()), bumped with plain additions by the
 * lcore that sends or receives, and summed by bg_chan_stats_get(). Threads
 * that are not EAL lcores (LCORE_ID_ANY) may use a channel too; they all
 * share one spare slot, so their counts are exact only while at most one such
 * thread uses the channel at a time.
 */

#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>
#include <rte_debug.h>
#include <rte_lcore.h>
#include <rte_pause.h>
#include <rte_ring.h>

enum bg_chan_kind {
	BG_CHAN_SPSC,
	BG_CHAN_MPSC,
	BG_CHAN_MPMC,
};

/* What a send does with objects that do not fit. */
enum bg_chan_full {
	BG_CHAN_FULL_DROP,         /* drop and count at once */
	BG_CHAN_FULL_RETRY,        /* retry up to conf.retries times, then drop */
};

/*
 * Frees (or otherwise disposes of) n objects the channel could not queue.
 * Called on the lcore that sent them, or from bg_chan_drain()/bg_chan_free().
 * It owns the objects, not the array, and must not send on the same channel.
 */
typedef void (*bg_chan_drop_fn)(void **objs, unsigned n, void *arg);

struct bg_chan_conf {
	const char *name;          /* unique; < RTE_RING_NAMESIZE chars */
	enum bg_chan_kind kind;
	unsigned size;             /* usable capacity, in objects, >= 1 */
	int socket;                /* NUMA socket or SOCKET_ID_ANY */
	enum bg_chan_full full;
	unsigned retries;          /* BG_CHAN_FULL_RETRY: >= 1; ignored otherwise */
	bg_chan_drop_fn drop;      /* required */
	void *drop_arg;
	/* BG_CHAN_FULL_RETRY: stop retrying as soon as *cancel != 0 (say, the
	 * stop flag, so that a consumer that has stopped cannot hold a sender
	 * for conf.retries rounds). NULL: always retry conf.retries times. */
	const volatile int *cancel;
};

/*
 * One lcore's counts. sent + dropped = objects handed to send calls; full =
 * send calls that did not fit at the first attempt (one per call, however
 * many retries follow); hwm = highest occupancy a send observed.
 */
struct bg_chan_stats {
	uint64_t sent;
	uint64_t received;
	uint64_t full;
	uint64_t dropped;
	uint64_t hwm;
} __rte_cache_aligned;

#define BG_CHAN_STATS_SLOTS (RTE_MAX_LCORE + 1)    /* + one for non-EAL threads */

struct bg_chan {
	/* Read-only after bg_chan_create(); read by every sender and receiver. */
	struct rte_ring *ring;
	enum bg_chan_kind kind;
	enum bg_chan_full full;
	unsigned retries;          /* 0 under BG_CHAN_FULL_DROP */
	unsigned capacity;
	bg_chan_drop_fn drop;
	void *drop_arg;
	const volatile int *cancel;

	/* Slot i written only by lcore i (slot RTE_MAX_LCORE: non-EAL threads). */
	struct bg_chan_stats stats[BG_CHAN_STATS_SLOTS] __rte_cache_aligned;
} __rte_cache_aligned;

/*
 * Create a channel. Control path; not safe to call concurrently with
 * bg_chan_create() or bg_chan_free() of the same name.
 * Returns the channel, or NULL with rte_errno set: EINVAL for a bad conf (NULL
 * or over-long name, size 0 or too large, unknown kind or policy, RETRY with
 * 0 retries, no drop callback), EEXIST when the name is taken, ENOMEM.
 */
struct bg_chan *bg_chan_create(const struct bg_chan_conf *conf);

/*
 * Drop everything queued through the drop callback, counting it as dropped
 * in the caller's slot. Returns how many objects were dropped. Acts as a
 * consumer: on SPSC/MPSC only while no consumer runs; on MPMC any time.
 */
unsigned bg_chan_drain(struct bg_chan *c);

/*
 * Drain (as above), then free the channel. NULL is a no-op. Control path; no
 * lcore may use the channel any more.
 */
void bg_chan_free(struct bg_chan *c);

/* Objects queued now. Any thread; a snapshot, stale while others run. */
unsigned bg_chan_count(const struct bg_chan *c);

/*
 * Sum the per-lcore counters into *sum (hwm: the maximum). Any thread; the sum
 * is approximate while lcores use the channel, exact once they have stopped.
 */
void bg_chan_stats_get(const struct bg_chan *c, struct bg_chan_stats *sum);

/* Print the configuration, occupancy and summed counters. Any thread. */
void bg_chan_dump(FILE *f, const struct bg_chan *c);

/* A drop callback for mbufs: rte_pktmbuf_free_bulk(); arg is unused. */
void bg_chan_drop_mbufs(void **objs, unsigned n, void *arg);

/* Fast path. */

static inline struct bg_chan_stats *
__bg_chan_stats(struct bg_chan *c)
{
	unsigned id = rte_lcore_id();

	return &c->stats[id < RTE_MAX_LCORE ? id : RTE_MAX_LCORE];
}

static __rte_always_inline unsigned
__bg_chan_enqueue(struct bg_chan *c, void **objs, unsigned n, const int mp,
		  struct bg_chan_stats *st)
{
	unsigned free_space, k;

	k = mp ? rte_ring_mp_enqueue_burst(c->ring, objs, n, &free_space)
	       : rte_ring_sp_enqueue_burst(c->ring, objs, n, &free_space);
	if (c->capacity - free_space > st->hwm)
		st->hwm = c->capacity - free_space;
	return k;
}

static __rte_always_inline unsigned
__bg_chan_send(struct bg_chan *c, void **objs, unsigned n, const int mp)
{
	struct bg_chan_stats *st = __bg_chan_stats(c);
	unsigned sent = __bg_chan_enqueue(c, objs, n, mp, st);

	if (unlikely(sent < n)) {
		st->full++;
		for (unsigned r = c->retries; r != 0 && sent < n; r--) {
			/* Only a flag: nothing to order against it. */
			if (c->cancel != NULL &&
			    __atomic_load_n(c->cancel, __ATOMIC_RELAXED) != 0)
				break;
			rte_pause();
			sent += __bg_chan_enqueue(c, objs + sent, n - sent, mp, st);
		}
		if (sent < n) {
			c->drop(objs + sent, n - sent, c->drop_arg);
			st->dropped += n - sent;
		}
	}
	st->sent += sent;
	return sent;
}

/*
 * Send objs[0..n-1]. The channel takes all n: it queues as many as fit, in
 * order, and under BG_CHAN_FULL_RETRY retries the rest up to conf.retries
 * times (rte_pause() between; no more once *conf.cancel is set); what still
 * does not fit, objs[sent..n-1], goes
 * to the drop callback before the call returns. objs itself stays the
 * caller's. Returns the number queued, 0..n.
 *
 * spsc: NOT multi-producer safe: one producer lcore per channel.
 * mpsc, mpmc: multi-producer safe.
 */
static inline unsigned
bg_chan_spsc_send_burst(struct bg_chan *c, void **objs, unsigned n)
{
	RTE_ASSERT(c->kind == BG_CHAN_SPSC);
	return __bg_chan_send(c, objs, n, 0);
}

static inline unsigned
bg_chan_mpsc_send_burst(struct bg_chan *c, void **objs, unsigned n)
{
	RTE_ASSERT(c->kind == BG_CHAN_MPSC);
	return __bg_chan_send(c, objs, n, 1);
}

static inline unsigned
bg_chan_mpmc_send_burst(struct bg_chan *c, void **objs, unsigned n)
{
	RTE_ASSERT(c->kind == BG_CHAN_MPMC);
	return __bg_chan_send(c, objs, n, 1);
}

/*
 * Receive up to n objects into objs, oldest first; the caller owns them.
 * Returns the number received, 0 when the channel is empty. Never blocks.
 *
 * sc (SPSC, MPSC): NOT multi-consumer safe: one consumer lcore per channel.
 * mc (MPMC): multi-consumer safe.
 */
static inline unsigned
bg_chan_sc_recv_burst(struct bg_chan *c, void **objs, unsigned n)
{
	unsigned k;

	RTE_ASSERT(c->kind == BG_CHAN_SPSC || c->kind == BG_CHAN_MPSC);
	k = rte_ring_sc_dequeue_burst(c->ring, objs, n, NULL);
	__bg_chan_stats(c)->received += k;
	return k;
}

static inline unsigned
bg_chan_mc_recv_burst(struct bg_chan *c, void **objs, unsigned n)
{
	unsigned k;

	RTE_ASSERT(c->kind == BG_CHAN_MPMC);
	k = rte_ring_mc_dequeue_burst(c->ring, objs, n, NULL);
	__bg_chan_stats(c)->received += k;
	return k;
}

#endif /* BG_CHAN_H */
