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

unsigned
bg_await_drain(struct bg_await *a, struct bg_event *const evs[], unsigned nb_evs,
	       void (*fn)(struct bg_task *t, void *arg), void *arg)
{
	struct bg_task *t;
	unsigned n = 0;

	for (unsigned i = 0; i < nb_evs; i++) {
		bg_task_list_splice(&a->ready, &evs[i]->waiters);
		evs[i]->nb_waiters = 0;
	}
	for (unsigned s = 0; s < BG_WHEEL_SLOTS; s++)
		bg_task_list_splice(&a->ready, &a->slot[s]);
	while ((t = bg_await_next(a)) != NULL) {
		fn(t, arg);
		n++;
	}
	a->timers = 0;
	a->waiting = 0;
	return n;
}
