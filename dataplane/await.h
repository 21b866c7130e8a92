/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_AWAIT_H
#define BG_AWAIT_H

/*
 * Await points: where a task waits, per lcore.
 *
 * Each lcore owns one struct bg_await: a hashed timer wheel for tasks waiting
 * on a deadline, and a ready list of tasks whose wait is over (deadline
 * passed, event signalled), to be resumed by the lcore's scheduler at the
 * stage they named. Nothing here is shared: every call is for the owning
 * lcore only (NOT multi-thread safe). A task handed over from another lcore
 * (for example a completion arriving over a channel) is put on the ready list
 * by the receiving lcore with bg_await_ready().
 *
 * Timers: a task waiting for deadline d (TSC) becomes ready at the first
 * bg_await_expire(now) with now >= d rounded up to the next wheel tick (never
 * earlier). Tasks become ready in deadline order (equal deadlines: in the
 * order they were suspended), also after the lcore stalled for longer than a
 * turn of the wheel. Deadlines beyond the wheel's horizon wait in their slot
 * for as many turns as they need.
 *
 * Why not rte_timer: an rte_timer is 120 bytes on its own, nearly two cache
 * lines against a whole task's one, and arming and firing it through its skip
 * list costs several times a slot insert; apps/bench/bench_tasks prints both
 * side by side.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

#include "dataplane/task.h"

#define BG_WHEEL_SLOTS 4096        /* power of two */

struct bg_await {
	unsigned tick_shift;       /* a tick is 2^tick_shift TSC cycles */
	uint64_t next_tick;        /* first tick whose slot is not processed */
	uint64_t timers;           /* tasks in the wheel */
	uint64_t waiting;          /* tasks parked on events */
	struct bg_task_list ready;
	struct bg_task_list slot[BG_WHEEL_SLOTS];
};

/*
 * Set up an empty wheel whose ticks last about tick_ns nanoseconds (rounded
 * to a power of two of TSC cycles), starting at TSC now.
 */
void bg_await_init(struct bg_await *a, uint64_t tick_ns, uint64_t now);

/* Nanoseconds one tick lasts (not to be fed back to bg_await_init(), which
 * rounds down: pass the tick asked for originally). */
double bg_await_tick_ns(const struct bg_await *a);

/* Suspend t until TSC deadline. The caller has set t->stage (where it
 * resumes). */
static inline void
bg_await_timer(struct bg_await *a, struct bg_task *t, uint64_t deadline)
{
	uint64_t tick = deadline >> a->tick_shift;
	struct bg_task_list *l;

	/* A deadline in an already processed tick goes to the next one. */
	if (tick < a->next_tick)
		tick = a->next_tick;
	l = &a->slot[tick & (BG_WHEEL_SLOTS - 1)];
	t->deadline = deadline;
	a->timers++;
	if (likely(l->tail == NULL || l->tail->deadline <= deadline)) {
		bg_task_list_push(l, t);   /* in order: the common case */
		return;
	}
	/* Keep the slot sorted by deadline (equal ones in arrival order). */
	struct bg_task **pp = &l->head;

	while ((*pp)->deadline <= deadline)
		pp = &(*pp)->next;
	t->next = *pp;
	*pp = t;
}

/* The slow path of bg_await_expire() after a stall: takes what is due from
 * every slot and sorts it by deadline. */
unsigned bg_await_expire_gap(struct bg_await *a, uint64_t now_tick);

/*
 * Move every task whose deadline tick is before now's tick to the ready
 * list, in deadline order. Returns how many became ready.
 */
static inline unsigned
bg_await_expire(struct bg_await *a, uint64_t now)
{
	const uint64_t now_tick = now >> a->tick_shift;
	uint64_t tick = a->next_tick;
	unsigned n = 0;

	if (a->timers == 0 || tick >= now_tick) {
		if (tick < now_tick)
			a->next_tick = now_tick;
		return 0;
	}
	/* After a stall longer than a turn, every slot is due at once. */
	if (unlikely(now_tick - tick > BG_WHEEL_SLOTS))
		return bg_await_expire_gap(a, now_tick);
	for (; tick < now_tick && a->timers != 0; tick++) {
		struct bg_task_list *l = &a->slot[tick & (BG_WHEEL_SLOTS - 1)];

		/* Sorted: this turn's tasks first, later turns' after. */
		while (l->head != NULL && (l->head->deadline >> a->tick_shift) <= tick) {
			bg_task_list_push(&a->ready, bg_task_list_pop(l));
			a->timers--;
			n++;
		}
	}
	a->next_tick = now_tick;
	return n;
}

/* Make t ready now (an event it waited for happened, or it arrived from
 * another lcore). */
static inline void
bg_await_ready(struct bg_await *a, struct bg_task *t)
{
	bg_task_list_push(&a->ready, t);
}

/* The next ready task, or NULL. */
static inline struct bg_task *
bg_await_next(struct bg_await *a)
{
	return bg_task_list_pop(&a->ready);
}

/*
 * An event: tasks wait on it until it is signalled. Owned by one lcore, like
 * the bg_await its waiters are released to. A zeroed struct is a new event
 * (static, memset, or = BG_EVENT_INIT).
 */
#define BG_EVENT_INIT { { NULL, NULL }, 0, 0 }
struct bg_event {
	struct bg_task_list waiters;
	uint32_t nb_waiters;
	uint64_t signals;
};

/* Suspend t until ev is signalled; it resumes at t->stage. */
static inline void
bg_await_event(struct bg_await *a, struct bg_event *ev, struct bg_task *t)
{
	bg_task_list_push(&ev->waiters, t);
	ev->nb_waiters++;
	a->waiting++;
}

/* Signal ev: every task waiting on it becomes ready, in the order they
 * started to wait. Returns how many. */
static inline unsigned
bg_event_signal(struct bg_await *a, struct bg_event *ev)
{
	const unsigned n = ev->nb_waiters;

	ev->nb_waiters = 0;
	bg_task_list_splice(&a->ready, &ev->waiters);
	a->waiting -= n;
	ev->signals++;
	return n;
}

/*
 * Take every task out of the wheel, the ready list and the events given,
 * calling fn on each (typically: free its mbuf, count it, free the task).
 * For shutdown. Returns how many.
 */
unsigned bg_await_drain(struct bg_await *a, struct bg_event *const evs[], unsigned nb_evs,
			void (*fn)(struct bg_task *t, void *arg), void *arg);

#endif /* BG_AWAIT_H */
