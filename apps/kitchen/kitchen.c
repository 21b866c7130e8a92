/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * kitchen: DESIGN.md's order of eggs and toast, cooked under three execution
 * models on brigade's tasks, timer wheels and channels, with a timeline of
 * who did what when. A cook is an lcore.
 *
 * An order is eggs (crack, on the stove for --eggs-ms, plate) and toast
 * (bread in, in the toaster for --toast-ms, butter), then serving, and it
 * leaves a kitchen to clean. Hands-on steps keep the cook's CPU busy (it
 * spins on the TSC); the stove and the toaster are waits.
 *
 * 1. sync, one cook: one lcore cooks each order start to finish and stands
 *    by the stove while the eggs cook. A wait holds the worker.
 * 2. async, one cook: one lcore runs tasks (struct bg_task; ->stage is the
 *    step it runs next). Eggs on the stove are a task suspended on the
 *    lcore's timer wheel: 64 bytes, no thread. Meanwhile the cook takes the
 *    next ticket or cleans, and resumes the task when its timer rings.
 *    Serving waits on the order's event, which its second dish signals.
 * 3. async, three cooks: the pass (main lcore) takes tickets, serves and
 *    cleans; an eggs station and a toast station (two more lcores, each with
 *    its own wheel) cook. Tasks go pass -> station over SPSC channels and
 *    come back over one MPSC channel; every hop is counted and timed. It
 *    pays only with several orders in flight: eggs take as long on the stove
 *    whoever watches them, and the extra cooks mostly wait.
 *
 * Each model runs one order, then --orders orders ticketed at once.
 *
 *   kitchen --lcores=0@0,1@1,2@1 --in-memory --no-pci -- --orders 4
 */
#define _GNU_SOURCE                /* rte_cpuset_t, CPU_AND */
#include <getopt.h>
#include <inttypes.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mempool.h>

#include "dataplane/await.h"
#include "dataplane/task.h"
#include "rings/chan.h"

#define EXIT_USAGE 2
#define MAX_ORDERS 1000
#define BURST 32
#define TICK_NS 5000               /* timer wheel tick: a few microseconds */
#define TASKS_PER_ORDER 5          /* eggs, toast, serving, two chores */
#define NOTES_PER_ORDER 10         /* a cook's timeline lines, at most */

/* What a cook does: the hands-on steps (microseconds of work), then the rest. */
enum what {
	EGG_CRACK, EGG_PLATE, TOAST_IN, TOAST_BUTTER, SERVE, WIPE, WASH, NB_STEPS,
	WAIT_STOVE = NB_STEPS, WAIT_TOASTER,               /* sync: blocked */
	TICKETS_OUT, EGG_TICKET, TOAST_TICKET, EGGS_BACK, TOAST_BACK, /* channels */
};

static const struct {
	const char *text;
	unsigned us;
} whats[] = {
	[EGG_CRACK]    = { "eggs cracked, on the stove", 300 },
	[EGG_PLATE]    = { "eggs off the stove, plated", 200 },
	[TOAST_IN]     = { "bread in the toaster", 100 },
	[TOAST_BUTTER] = { "toast out, buttered", 300 },
	[SERVE]        = { "SERVED", 100 },
	[WIPE]         = { "cleaning: wipe the counter", 300 },
	[WASH]         = { "cleaning: wash the dishes", 300 },
	[WAIT_STOVE]   = { "stands by the stove (blocked)", 0 },
	[WAIT_TOASTER] = { "stands by the toaster (blocked)", 0 },
	[TICKETS_OUT]  = { "tickets out to the stations", 0 },
	[EGG_TICKET]   = { "eggs ticket reaches the eggs station", 0 },
	[TOAST_TICKET] = { "toast ticket reaches the toast station", 0 },
	[EGGS_BACK]    = { "eggs reach the pass", 0 },
	[TOAST_BACK]   = { "toast reaches the pass", 0 },
};

struct note {
	uint64_t tsc;
	uint64_t hop;              /* cycles from send to receive, or 0 */
	uint16_t what, order;
};

/* A cook: written only by its lcore while a model runs. */
struct cook {
	unsigned lcore;
	bool yield;                /* shares its CPU with another cook */
	uint64_t busy;             /* cycles of hands-on work */
	uint64_t hops, hop_cycles; /* tasks received over a channel */
	struct note *log;
	unsigned nb_log;
	struct bg_await await;
} __rte_cache_aligned;

static struct cook cooks[3];

struct order {
	struct bg_event ready;     /* its serving waits here */
	unsigned dishes;           /* done, of two */
};

/* The kitchen: the options, what they set up, and one run's state. */
static struct {
	unsigned orders, timeline;
	double eggs_ms, toast_ms;
	uint64_t hz, stove, toaster;
	struct rte_mempool *pool;
	unsigned pool_size;
	/* One run. */
	unsigned n, served;        /* served: the pass's own */
	uint64_t t0;
	struct order *order;
	struct bg_chan *to_eggs, *to_toast, *to_pass;
	unsigned up;               /* stations running */
	bool go;                   /* the pass starts them */
	volatile bool lost;        /* a channel dropped tasks: stop */
} k = { .orders = 4, .timeline = 2, .eggs_ms = 3.0, .toast_ms = 2.0 };

static void
note(struct cook *c, enum what w, unsigned order, uint64_t hop, uint64_t now)
{
	if (c->nb_log < k.orders * NOTES_PER_ORDER)
		c->log[c->nb_log++] = (struct note){ now, hop, w, order };
}

static void
spin_until(uint64_t end)
{
	while (rte_rdtsc() < end)
		rte_pause();
}

/* The end of a turn of a cook's loop. A cook that shares its CPU lets the
 * other cook on it have a turn: a syscall, which a worker with a core of its
 * own never makes. */
static void
next_turn(const struct cook *c, bool worked)
{
	if (c->yield)
		sched_yield();
	else if (!worked)
		rte_pause();
}

/* Hands-on work. */
static void
work(struct cook *c, enum what w, unsigned order)
{
	const uint64_t start = rte_rdtsc();

	note(c, w, order, 0, start);
	spin_until(start + whats[w].us * k.hz / 1000000);
	c->busy += rte_rdtsc() - start;
}

/* The sync cook's wait: nothing else happens on this lcore meanwhile. */
static void
blocked(struct cook *c, enum what w, unsigned order, uint64_t cycles)
{
	const uint64_t start = rte_rdtsc();

	note(c, w, order, 0, start);
	spin_until(start + cycles);
}

static void
model_sync(void)
{
	struct cook *c = &cooks[0];

	for (unsigned i = 0; i < k.n; i++) {
		work(c, EGG_CRACK, i);
		blocked(c, WAIT_STOVE, i, k.stove);
		work(c, EGG_PLATE, i);
		work(c, TOAST_IN, i);
		blocked(c, WAIT_TOASTER, i, k.toaster);
		work(c, TOAST_BUTTER, i);
		work(c, SERVE, i);
		k.served++;
		work(c, WIPE, i);
		work(c, WASH, i);
	}
}

static struct bg_task *
task_new(enum what step, unsigned order)
{
	struct bg_task *t = bg_task_alloc(k.pool);

	RTE_VERIFY(t != NULL);     /* the pool holds TASKS_PER_ORDER per order */
	t->m = NULL;
	t->stage = step;
	t->state[0] = order;
	return t;
}

/* Take order i's ticket: its eggs and toast (returned), a serving that waits
 * for both, and the cleaning it leaves. */
static void
take_ticket(struct cook *c, unsigned i, struct bg_task **eggs, struct bg_task **toast,
	    struct bg_task_list *chores)
{
	*eggs = task_new(EGG_CRACK, i);
	*toast = task_new(TOAST_IN, i);
	bg_await_event(&c->await, &k.order[i].ready, task_new(SERVE, i));
	bg_task_list_push(chores, task_new(WIPE, i));
	bg_task_list_push(chores, task_new(WASH, i));
}

/* A dish of order t is done: the second one makes the order ready to serve. */
static void
dish_done(struct cook *c, struct bg_task *t)
{
	struct order *o = &k.order[t->state[0]];

	bg_task_free(k.pool, t);
	if (++o->dishes == 2)
		bg_event_signal(&c->await, &o->ready);
}

/* Run t's step. Returns t when it is a finished dish; NULL when it waits on
 * a timer, or is done and freed. */
static struct bg_task *
run_step(struct cook *c, struct bg_task *t)
{
	work(c, t->stage, t->state[0]);
	switch (t->stage) {
	case EGG_CRACK:
		t->stage = EGG_PLATE;
		bg_await_timer(&c->await, t, rte_rdtsc() + k.stove);
		return NULL;
	case TOAST_IN:
		t->stage = TOAST_BUTTER;
		bg_await_timer(&c->await, t, rte_rdtsc() + k.toaster);
		return NULL;
	case EGG_PLATE:
	case TOAST_BUTTER:
		return t;
	case SERVE:
		k.served++;
		break;
	}
	bg_task_free(k.pool, t);
	return NULL;
}

static void
model_async(void)
{
	struct cook *c = &cooks[0];
	struct bg_task_list chores = { NULL, NULL };
	struct bg_task *t, *eggs, *toast;
	unsigned next = 0;

	while (k.served < k.n || chores.head != NULL) {
		bg_await_expire(&c->await, rte_rdtsc());
		if ((t = bg_await_next(&c->await)) != NULL) {
			/* A timer rang, a ticket came in, an order is ready. */
			if ((t = run_step(c, t)) != NULL)
				dish_done(c, t);
		} else if (next < k.n) {
			take_ticket(c, next++, &eggs, &toast, &chores);
			bg_await_ready(&c->await, eggs);
			bg_await_ready(&c->await, toast);
		} else if ((t = bg_task_list_pop(&chores)) != NULL) {
			run_step(c, t);
		}
	}
}

static void
received(struct cook *c, struct bg_task *t, enum what w, uint64_t now)
{
	const uint64_t d = now - t->state[1];

	c->hops++;
	c->hop_cycles += d;
	note(c, w, t->state[0], d, now);
}

struct station {
	struct cook *cook;
	struct bg_chan *in;        /* SPSC from the pass */
	enum what ticket;
};

/* A station cooks what comes in and sends each dish to the pass. */
static int
station_main(void *arg)
{
	const struct station *s = arg;
	struct cook *c = s->cook;
	void *in[BURST];
	struct bg_task *t;
	unsigned done = 0;

	__atomic_fetch_add(&k.up, 1, __ATOMIC_RELAXED);
	/* Pairs with the release store in model_three(). */
	while (!__atomic_load_n(&k.go, __ATOMIC_ACQUIRE))
		next_turn(c, false);
	while (done < k.n && !k.lost) {
		const unsigned nb = bg_chan_sc_recv_burst(s->in, in, BURST);
		const uint64_t now = rte_rdtsc();

		for (unsigned j = 0; j < nb; j++) {
			received(c, in[j], s->ticket, now);
			bg_await_ready(&c->await, in[j]);
		}
		bg_await_expire(&c->await, now);
		if ((t = bg_await_next(&c->await)) == NULL) {
			next_turn(c, nb != 0);
			continue;
		}
		if ((t = run_step(c, t)) != NULL) {
			t->state[1] = rte_rdtsc();
			bg_chan_mpsc_send_burst(k.to_pass, (void **)&t, 1);
			done++;
		}
		next_turn(c, true);
	}
	return 0;
}

/* The pass: dishes in, serve, tickets out, clean. */
static void
model_pass(struct cook *c)
{
	struct bg_task_list chores = { NULL, NULL };
	struct bg_task *eggs[BURST], *toast[BURST], *t;
	void *back[BURST];
	unsigned next = 0;

	while ((k.served < k.n || chores.head != NULL) && !k.lost) {
		const unsigned nb = bg_chan_sc_recv_burst(k.to_pass, back, BURST);
		const uint64_t now = rte_rdtsc();
		bool worked = true;

		for (unsigned j = 0; j < nb; j++) {
			t = back[j];
			received(c, t, t->stage == EGG_PLATE ? EGGS_BACK : TOAST_BACK, now);
			dish_done(c, t);
		}
		if ((t = bg_await_next(&c->await)) != NULL) {
			run_step(c, t);
		} else if (next < k.n) {
			const unsigned m = RTE_MIN(k.n - next, (unsigned)BURST);

			for (unsigned j = 0; j < m; j++) {
				note(c, TICKETS_OUT, next, 0, rte_rdtsc());
				take_ticket(c, next++, &eggs[j], &toast[j], &chores);
				eggs[j]->state[1] = toast[j]->state[1] = rte_rdtsc();
			}
			bg_chan_spsc_send_burst(k.to_eggs, (void **)eggs, m);
			bg_chan_spsc_send_burst(k.to_toast, (void **)toast, m);
		} else if ((t = bg_task_list_pop(&chores)) != NULL) {
			run_step(c, t);
		} else {
			worked = nb != 0;
		}
		next_turn(c, worked);
	}
}

/* Each channel can hold every order of a run, so a send never finds it full;
 * were one to drop anyway, the tasks go back to the pool and the run stops. */
static void
drop_tasks(void **objs, unsigned n, void *arg __rte_unused)
{
	rte_mempool_put_bulk(k.pool, objs, n);
	k.lost = true;
}

static struct bg_chan *
chan(const char *name, enum bg_chan_kind kind, unsigned size)
{
	const struct bg_chan_conf conf = {
		.name = name, .kind = kind, .size = size, .socket = (int)rte_socket_id(),
		.full = BG_CHAN_FULL_DROP, .drop = drop_tasks,
	};
	struct bg_chan *ch = bg_chan_create(&conf);

	if (ch == NULL)
		rte_exit(EXIT_FAILURE, "kitchen: channel %s: %s\n", name, rte_strerror(rte_errno));
	return ch;
}

static void
model_three(void)
{
	struct station st[2] = {
		{ &cooks[1], NULL, EGG_TICKET },
		{ &cooks[2], NULL, TOAST_TICKET },
	};

	st[0].in = k.to_eggs = chan("kitchen_pass_eggs_spsc", BG_CHAN_SPSC, k.n);
	st[1].in = k.to_toast = chan("kitchen_pass_toast_spsc", BG_CHAN_SPSC, k.n);
	k.to_pass = chan("kitchen_stations_pass_mpsc", BG_CHAN_MPSC, 2 * k.n);
	k.up = 0;
	k.go = false;
	for (unsigned i = 0; i < 2; i++)
		if (rte_eal_remote_launch(station_main, &st[i], st[i].cook->lcore) != 0)
			rte_exit(EXIT_FAILURE, "kitchen: lcore %u is busy\n", st[i].cook->lcore);
	while (__atomic_load_n(&k.up, __ATOMIC_RELAXED) != 2)
		next_turn(&cooks[0], false);
	k.t0 = rte_rdtsc();        /* every cook is at work: the clock starts */
	/* Pairs with the acquire load in station_main(). */
	__atomic_store_n(&k.go, true, __ATOMIC_RELEASE);
	model_pass(&cooks[0]);
	rte_eal_mp_wait_lcore();
	bg_chan_free(k.to_eggs);
	bg_chan_free(k.to_toast);
	bg_chan_free(k.to_pass);
}

static const struct model {
	const char *name;
	unsigned cooks;
	void (*run)(void);
} models[] = {
	{ "sync, one cook", 1, model_sync },
	{ "async, one cook", 1, model_async },
	{ "async, three cooks", 3, model_three },
};

struct result {
	const struct model *m;
	unsigned orders;
	double ms, busy, hop_us;   /* busy: hands-on share of cook time */
	uint64_t hops;
	bool clean;                /* the pool full again, the wheels empty */
};

/* Every cook's notes, merged by time; runs of later orders' in one line. */
static void
print_timeline(const struct model *m)
{
	unsigned next[RTE_DIM(cooks)] = { 0 }, hidden = 0;

	for (;;) {
		const struct note *e = NULL;
		unsigned by = 0;

		for (unsigned c = 0; c < m->cooks; c++) {
			const struct note *n = &cooks[c].log[next[c]];

			if (next[c] < cooks[c].nb_log && (e == NULL || n->tsc < e->tsc)) {
				e = n;
				by = c;
			}
		}
		if (e != NULL && e->order >= k.timeline) {
			hidden++;
			next[by]++;
			continue;
		}
		if (hidden != 0)
			printf("      ...           (%u more for order%s %u%s)\n", hidden,
			       k.n > k.timeline + 1 ? "s" : "", k.timeline + 1,
			       k.n > k.timeline + 1 ? "+" : "");
		hidden = 0;
		if (e == NULL)
			return;
		next[by]++;
		printf("%7.0f us  lcore %u  order %u: %s", (double)(e->tsc - k.t0) * 1e6 / k.hz,
		       cooks[by].lcore, e->order + 1, whats[e->what].text);
		if (e->hop != 0)
			printf(" (%.1f us after it was sent)", (double)e->hop * 1e6 / k.hz);
		printf("\n");
	}
}

static struct result
run(const struct model *m, unsigned n, bool verbose)
{
	struct result r = { .m = m, .orders = n };
	uint64_t busy = 0, hop_cycles = 0, end;

	k.n = n;
	k.served = 0;
	k.lost = false;
	k.order = calloc(n, sizeof(*k.order));
	if (k.order == NULL)
		rte_exit(EXIT_FAILURE, "kitchen: out of memory\n");
	for (unsigned c = 0; c < m->cooks; c++) {
		cooks[c].busy = cooks[c].hops = cooks[c].hop_cycles = 0;
		cooks[c].nb_log = 0;
		bg_await_init(&cooks[c].await, TICK_NS, rte_rdtsc());
	}
	k.t0 = rte_rdtsc();
	m->run();
	end = rte_rdtsc();
	free(k.order);

	r.clean = !k.lost && rte_mempool_avail_count(k.pool) == k.pool_size;
	for (unsigned c = 0; c < m->cooks; c++) {
		busy += cooks[c].busy;
		r.hops += cooks[c].hops;
		hop_cycles += cooks[c].hop_cycles;
		r.clean &= cooks[c].await.timers == 0 && cooks[c].await.waiting == 0;
	}
	r.ms = (double)(end - k.t0) * 1e3 / k.hz;
	r.busy = (double)busy / (double)(m->cooks * (end - k.t0));
	r.hop_us = r.hops != 0 ? (double)hop_cycles * 1e6 / k.hz / r.hops : 0;
	if (verbose) {
		printf("\n== %s, %u order%s ==\n", m->name, n, n == 1 ? "" : "s");
		print_timeline(m);
		printf("%u served in %.2f ms (%.2f ms per order); hands-on %.0f%% of cook time%s\n",
		       k.served, r.ms, r.ms / n, 100 * r.busy, r.clean ? "" : "; TASKS LOST");
	}
	return r;
}

static const char usage[] =
	"usage: kitchen [EAL options] -- [--orders N] [--eggs-ms X] [--toast-ms Y] [--timeline N]\n"
	"  --orders N     orders each model cooks, 1..1000 (default 4)\n"
	"  --eggs-ms X    time the eggs spend on the stove, 0..1000 ms (default 3)\n"
	"  --toast-ms Y   time the bread spends in the toaster, 0..1000 ms (default 2)\n"
	"  --timeline N   print every step of the first N orders, 0..1000 (default 2)\n"
	"The three-cook model needs three lcores, e.g. --lcores=0@0,1@1,2@1.\n";

/* Returns 0 to run, 1 after --help, -1 after a one-line error. */
static int
parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "orders", required_argument, NULL, 0 },
		{ "eggs-ms", required_argument, NULL, 1 },
		{ "toast-ms", required_argument, NULL, 2 },
		{ "timeline", required_argument, NULL, 3 },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct {
		double min, max;
		bool whole;
	} limits[] = {
		{ 1, MAX_ORDERS, true }, { 0, 1000, false }, { 0, 1000, false },
		{ 0, MAX_ORDERS, true },
	};
	double v[] = { k.orders, k.eggs_ms, k.toast_ms, k.timeline };
	int opt;

	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		char *end;

		if (opt == 'h') {
			fputs(usage, stdout);
			return 1;
		}
		if (opt == ':' || opt == '?') {
			fprintf(stderr, "kitchen: %s: %s (see --help)\n", argv[optind - 1],
				opt == ':' ? "needs a value" : "unknown option");
			return -1;
		}
		v[opt] = strtod(optarg, &end);
		if (end == optarg || *end != '\0' || !(v[opt] >= limits[opt].min) ||
		    v[opt] > limits[opt].max || (limits[opt].whole && v[opt] != (unsigned)v[opt])) {
			fprintf(stderr, "kitchen: --%s: expected %s %g..%g, got '%s'\n",
				opts[opt].name, limits[opt].whole ? "a whole number" : "milliseconds",
				limits[opt].min, limits[opt].max, optarg);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "kitchen: %s: unexpected argument (see --help)\n", argv[optind]);
		return -1;
	}
	k.orders = (unsigned)v[0];
	k.eggs_ms = v[1];
	k.toast_ms = v[2];
	k.timeline = (unsigned)v[3];
	return 0;
}

/* Not rte_lcore_to_cpu_id(): under --lcores it is not the CPU an lcore runs on. */
static bool
share_cpu(unsigned a, unsigned b)
{
	rte_cpuset_t x = rte_lcore_cpuset(a), y = rte_lcore_cpuset(b), both;

	CPU_AND(&both, &x, &y);
	return CPU_COUNT(&both) != 0;
}

int
main(int argc, char **argv)
{
	struct result res[2 * RTE_DIM(models)];
	unsigned nb_models = RTE_DIM(models), nb_res = 0, hands_on = 0;
	int ret = rte_eal_init(argc, argv);

	if (ret < 0)
		rte_exit(EXIT_FAILURE, "kitchen: EAL init failed: %s\n", rte_strerror(rte_errno));
	ret = parse_args(argc - ret, argv + ret);
	if (ret != 0) {
		rte_eal_cleanup();
		return ret < 0 ? EXIT_USAGE : EXIT_SUCCESS;
	}
	k.hz = rte_get_tsc_hz();
	k.stove = (uint64_t)(k.eggs_ms * 1e-3 * k.hz);
	k.toaster = (uint64_t)(k.toast_ms * 1e-3 * k.hz);
	/* The pool's per-lcore cache (BG_TASK_CACHE) needs 1.5 times its size. */
	k.pool_size = RTE_MAX(TASKS_PER_ORDER * k.orders, BG_TASK_CACHE * 3 / 2);
	k.pool = bg_task_pool_create("kitchen_tasks", k.pool_size, (int)rte_socket_id());
	if (k.pool == NULL)
		rte_exit(EXIT_FAILURE, "kitchen: task pool: %s\n", rte_strerror(rte_errno));
	for (unsigned c = 0; c < RTE_DIM(cooks); c++) {
		cooks[c].lcore = c == 0 ? rte_get_main_lcore()
				        : rte_get_next_lcore(cooks[c - 1].lcore, 1, 0);
		cooks[c].log = calloc(k.orders * NOTES_PER_ORDER, sizeof(struct note));
		if (cooks[c].log == NULL)
			rte_exit(EXIT_FAILURE, "kitchen: out of memory\n");
	}
	for (unsigned s = 0; s < NB_STEPS; s++)
		hands_on += whats[s].us;
	bg_await_init(&cooks[0].await, TICK_NS, 0);

	printf("kitchen: eggs %.1f ms on the stove, toast %.1f ms in the toaster, %u us of\n"
	       "hands-on work per order; timer wheel tick %.1f us\n", k.eggs_ms, k.toast_ms,
	       hands_on, bg_await_tick_ns(&cooks[0].await) / 1e3);
	if (rte_lcore_count() < 3) {
		printf("note: skipping \"%s\": it needs 3 lcores, e.g. --lcores=0@0,1@1,2@1\n",
		       models[2].name);
		nb_models--;
	} else {
		const char *sep = "note: lcores";

		for (unsigned c = 0; c < 3; c++) {
			for (unsigned d = 0; d < 3; d++)
				cooks[c].yield |= c != d && share_cpu(cooks[c].lcore, cooks[d].lcore);
			if (cooks[c].yield) {
				printf("%s %u", sep, cooks[c].lcore);
				sep = ",";
			}
		}
		if (*sep == ',')
			printf(" share CPUs: their cooks take turns, step by step\n");
	}

	for (unsigned i = 0; i < nb_models; i++) {
		if (k.orders > 1)
			res[nb_res++] = run(&models[i], 1, false);
		res[nb_res++] = run(&models[i], k.orders, true);
	}

	printf("\n%-19s %5s %6s %8s %8s %8s %5s %7s\n", "model", "cooks", "orders",
	       "total ms", "ms/order", "hands-on", "hops", "us/hop");
	ret = EXIT_SUCCESS;
	for (unsigned i = 0; i < nb_res; i++) {
		const struct result *r = &res[i];

		printf("%-19s %5u %6u %8.2f %8.2f %7.0f%% %5" PRIu64, r->m->name, r->m->cooks,
		       r->orders, r->ms, r->ms / r->orders, 100 * r->busy, r->hops);
		if (r->hops != 0)
			printf(" %7.1f\n", r->hop_us);
		else
			printf(" %7s\n", "-");
		if (!r->clean)
			ret = EXIT_FAILURE;
	}
	printf("(us/hop: from send to receive, including waiting for the receiving cook)\n"
	       "task pool: %u of %u descriptors free after every run%s\n",
	       rte_mempool_avail_count(k.pool), k.pool_size,
	       ret == EXIT_SUCCESS ? "" : "; SOME RUN LOST TASKS");

	for (unsigned c = 0; c < RTE_DIM(cooks); c++)
		free(cooks[c].log);
	rte_mempool_free(k.pool);
	rte_eal_cleanup();
	return ret;
}
