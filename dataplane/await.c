/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_cycles.h>

#include "dataplane/await.h"

void
bg_await_init(struct bg_await *a, uint64_t tick_ns, uint64_t now)
{
	const uint64_t cycles = tick_ns * rte_get_tsc_hz() / 1000000000ull;

	memset(a, 0, sizeof(*a));
	/* The largest power of two of cycles not above the asked tick. */
	while (a->tick_shift < 40 && (2ull << a->tick_shift) <= cycles)
		a->tick_shift++;
	a->next_tick = now >> a->tick_shift;
}

double
bg_await_tick_ns(const struct bg_await *a)
{
	return (double)(1ull << a->tick_shift) * 1e9 / (double)rte_get_tsc_hz();
}

/* Stable merge sort of a NULL-terminated list by deadline. */
static struct bg_task *
sort_by_deadline(struct bg_task *head, unsigned n)
{
	struct bg_task *a, *b, **tail, *out;
	unsigned half = n / 2;

	if (n < 2)
		return head;
	b = head;
	for (unsigned i = 1; i < half; i++)
		b = b->next;
	a = head;
	head = b->next;
	b->next = NULL;
	a = sort_by_deadline(a, half);
	b = sort_by_deadline(head, n - half);
	tail = &out;
	while (a != NULL && b != NULL) {
		/* <=: on a tie the earlier half (earlier suspended) goes first */
		struct bg_task **pick = a->deadline <= b->deadline ? &a : &b;

		*tail = *pick;
		tail = &(*pick)->next;
		*pick = (*pick)->next;
	}
	*tail = a != NULL ? a : b;
	return out;
}

unsigned
bg_await_expire_gap(struct bg_await *a, uint64_t now_tick)
{
	struct bg_task_list due = { NULL, NULL };
	unsigned n = 0;

	for (unsigned s = 0; s < BG_WHEEL_SLOTS && a->timers != 0; s++) {
		struct bg_task_list *l = &a->slot[s];

		/* Sorted: what is due is a prefix of the slot. */
		while (l->head != NULL && (l->head->deadline >> a->tick_shift) < now_tick) {
			bg_task_list_push(&due, bg_task_list_pop(l));
			a->timers--;
			n++;
		}
	}
	if (n != 0) {
		struct bg_task *t = sort_by_deadline(due.head, n);

		due.head = t;
		while (t->next != NULL)
			t = t->next;
		due.tail = t;
		bg_task_list_splice(&a->ready, &due);
	}
	a->next_tick = now_tick;
	return n;
}

unsigned
bg_await_drain(struct bg_await *a, struct bg_event *const evs[], unsigned nb_evs,
	       void (*fn)(struct bg_task *t, void *arg), void *arg)
{
	struct bg_task *t;
	unsigned n = 0;

	for (unsigned i = 0; i < nb_evs; i++) {
		bg_task_list_splice(&a->ready, &evs[i]->waiters);
		a->waiting -= evs[i]->nb_waiters;
		evs[i]->nb_waiters = 0;
	}
	for (unsigned s = 0; s < BG_WHEEL_SLOTS; s++)
		bg_task_list_splice(&a->ready, &a->slot[s]);
	while ((t = bg_await_next(a)) != NULL) {
		fn(t, arg);
		n++;
	}
	a->timers = 0;
	return n;
}
