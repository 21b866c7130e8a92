/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_TASK_H
#define BG_TASK_H

/*
 * Tasks: the unit of work that can wait.
 *
 * A packet runs through the stages of its chain as part of a burst and needs
 * no task while it keeps moving. When a stage suspends it (a timer, an
 * event), the packet gets a task: one 64-byte descriptor that records the
 * stage it resumes at, a few words of state and its arrival time. A suspended
 * packet holds exactly that descriptor and its mbuf, nothing else: no stack,
 * no thread. Tasks also stand alone (m == NULL) for work that is not a
 * packet, as in the kitchen example.
 *
 * Descriptors come from a mempool with a per-lcore cache, so starting a task
 * is a pop from the lcore's cache and finishing one a push back.
 */

#include <assert.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define BG_TASK_STATE_WORDS 3

struct bg_task {
	struct bg_task *next;      /* link: timer slot, ready list or event */
	uint64_t deadline;         /* TSC, while it waits on a timer */
	uint64_t arrival;          /* TSC when its packet arrived */
	struct rte_mbuf *m;        /* the packet it carries, or NULL */
	uint16_t stage;            /* the stage it runs next */
	uint16_t in_port;          /* where its packet came from */
	uint16_t out_port;         /* where its packet goes */
	uint16_t flags;            /* BG_TASK_F_*, and the suspending stage's */
	uint64_t state[BG_TASK_STATE_WORDS];   /* the stage's words */
} __rte_aligned(64);

static_assert(sizeof(struct bg_task) == 64, "a task is one cache line");

/* The task resumes at the stage that suspended it (which then sees it in
 * bg_exec.resumed). The low byte of flags is that stage's own. */
#define BG_TASK_F_SELF 0x8000

#define BG_TASK_CACHE 256          /* per-lcore cache of the task pool */

/*
 * Create a task pool of n descriptors on socket, named name; the per-lcore
 * cache is BG_TASK_CACHE, smaller for pools under 384 tasks.
 * Returns the pool, or NULL with rte_errno set (EINVAL for n == 0, ENOMEM,
 * EEXIST).
 * Control path.
 */
struct rte_mempool *bg_task_pool_create(const char *name, unsigned n, int socket);

/*
 * Take a descriptor from the pool; its fields are not cleared. NULL when the
 * pool is empty. Safe on any lcore (the pool is multi-producer/consumer);
 * fastest on EAL lcores, which have a cache.
 */
static inline struct bg_task *
bg_task_alloc(struct rte_mempool *pool)
{
	void *t;

	return rte_mempool_get(pool, &t) == 0 ? t : NULL;
}

/* Give a descriptor back. Any lcore. Does not free t->m. */
static inline void
bg_task_free(struct rte_mempool *pool, struct bg_task *t)
{
	rte_mempool_put(pool, t);
}

/* A FIFO of tasks linked through ->next. */
struct bg_task_list {
	struct bg_task *head;
	struct bg_task *tail;
};

static inline void
bg_task_list_push(struct bg_task_list *l, struct bg_task *t)
{
	t->next = NULL;
	if (l->tail != NULL)
		l->tail->next = t;
	else
		l->head = t;
	l->tail = t;
}

static inline struct bg_task *
bg_task_list_pop(struct bg_task_list *l)
{
	struct bg_task *t = l->head;

	if (t != NULL) {
		l->head = t->next;
		if (l->head == NULL)
			l->tail = NULL;
	}
	return t;
}

/* Move every task of src to the end of dst; src ends empty. */
static inline void
bg_task_list_splice(struct bg_task_list *dst, struct bg_task_list *src)
{
	if (src->head == NULL)
		return;
	if (dst->tail != NULL)
		dst->tail->next = src->head;
	else
		dst->head = src->head;
	dst->tail = src->tail;
	src->head = src->tail = NULL;
}

#endif /* BG_TASK_H */
