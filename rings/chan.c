/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "rings/chan.h"

#define BG_CHAN_DRAIN_BURST 64

static const char *const kind_names[] = {
	[BG_CHAN_SPSC] = "spsc",
	[BG_CHAN_MPSC] = "mpsc",
	[BG_CHAN_MPMC] = "mpmc",
};

static const unsigned kind_flags[] = {
	[BG_CHAN_SPSC] = RING_F_SP_ENQ | RING_F_SC_DEQ,
	[BG_CHAN_MPSC] = RING_F_SC_DEQ,
	[BG_CHAN_MPMC] = 0,
};

static int
conf_valid(const struct bg_chan_conf *conf)
{
	return conf != NULL && conf->name != NULL &&
	       strnlen(conf->name, RTE_RING_NAMESIZE) < RTE_RING_NAMESIZE &&
	       conf->size != 0 && conf->size <= RTE_RING_SZ_MASK / 2 &&
	       (unsigned)conf->kind < RTE_DIM(kind_names) &&
	       (conf->full == BG_CHAN_FULL_DROP ||
		(conf->full == BG_CHAN_FULL_RETRY && conf->retries != 0)) &&
	       conf->drop != NULL;
}

struct bg_chan *
bg_chan_create(const struct bg_chan_conf *conf)
{
	struct bg_chan *c;
	int err;

	/* Each slot has its own cache lines: no false sharing between lcores. */
	RTE_BUILD_BUG_ON(offsetof(struct bg_chan, stats) & RTE_CACHE_LINE_MASK);
	RTE_BUILD_BUG_ON(sizeof(struct bg_chan_stats) & RTE_CACHE_LINE_MASK);

	if (!conf_valid(conf)) {
		rte_errno = EINVAL;
		return NULL;
	}
	/* rte_ring_create() would fail too, but log "Cannot reserve memory". */
	if (rte_ring_lookup(conf->name) != NULL) {
		rte_errno = EEXIST;
		return NULL;
	}
	c = rte_zmalloc_socket("bg_chan", sizeof(*c), RTE_CACHE_LINE_SIZE,
			       conf->socket);
	if (c == NULL) {
		rte_errno = ENOMEM;
		return NULL;
	}
	c->ring = rte_ring_create(conf->name, conf->size, conf->socket,
				  kind_flags[conf->kind] | RING_F_EXACT_SZ);
	if (c->ring == NULL) {
		err = rte_errno;
		rte_free(c);
		rte_errno = err;
		return NULL;
	}
	c->kind = conf->kind;
	c->full = conf->full;
	c->retries = conf->full == BG_CHAN_FULL_RETRY ? conf->retries : 0;
	c->capacity = rte_ring_get_capacity(c->ring);
	c->drop = conf->drop;
	c->drop_arg = conf->drop_arg;
	c->cancel = conf->cancel;
	return c;
}

unsigned
bg_chan_drain(struct bg_chan *c)
{
	void *objs[BG_CHAN_DRAIN_BURST];
	unsigned k, total = 0;

	/* The ring's own flags pick sc or mc dequeue, hence the contract. */
	while ((k = rte_ring_dequeue_burst(c->ring, objs, RTE_DIM(objs), NULL)) != 0) {
		c->drop(objs, k, c->drop_arg);
		total += k;
	}
	__bg_chan_stats(c)->dropped += total;
	return total;
}

void
bg_chan_free(struct bg_chan *c)
{
	if (c == NULL)
		return;
	bg_chan_drain(c);
	rte_ring_free(c->ring);
	rte_free(c);
}

unsigned
bg_chan_count(const struct bg_chan *c)
{
	return rte_ring_count(c->ring);
}

void
bg_chan_stats_get(const struct bg_chan *c, struct bg_chan_stats *sum)
{
	memset(sum, 0, sizeof(*sum));
	for (unsigned i = 0; i < BG_CHAN_STATS_SLOTS; i++) {
		const struct bg_chan_stats *s = &c->stats[i];
		/* Relaxed loads of fields their owners bump with plain stores:
		 * no ordering, only no torn or cached reads. */
		uint64_t hwm = __atomic_load_n(&s->hwm, __ATOMIC_RELAXED);

		sum->sent += __atomic_load_n(&s->sent, __ATOMIC_RELAXED);
		sum->received += __atomic_load_n(&s->received, __ATOMIC_RELAXED);
		sum->full += __atomic_load_n(&s->full, __ATOMIC_RELAXED);
		sum->dropped += __atomic_load_n(&s->dropped, __ATOMIC_RELAXED);
		if (hwm > sum->hwm)
			sum->hwm = hwm;
	}
}

void
bg_chan_dump(FILE *f, const struct bg_chan *c)
{
	struct bg_chan_stats s;

	bg_chan_stats_get(c, &s);
	fprintf(f, "chan %s: %s, %u/%u queued, full=%s retries=%u\n"
		"  sent=%" PRIu64 " received=%" PRIu64 " full=%" PRIu64
		" dropped=%" PRIu64 " hwm=%" PRIu64 "\n",
		c->ring->name, kind_names[c->kind], bg_chan_count(c), c->capacity,
		c->full == BG_CHAN_FULL_RETRY ? "retry" : "drop", c->retries,
		s.sent, s.received, s.full, s.dropped, s.hwm);
}

void
bg_chan_drop_mbufs(void **objs, unsigned n, void *arg __rte_unused)
{
	rte_pktmbuf_free_bulk((struct rte_mbuf **)objs, n);
}
