/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_tasks: what a task costs, beside what a thread costs.
 *
 *   bench_tasks [EAL options] -- [--iterations N] [--json FILE] [--help]
 *
 * Two benchmarks in one run, on the main lcore:
 *
 * task start   pthread_create+pthread_join of an empty thread against a task
 *              allocated, scheduled (bg_await_ready: the path a resumed task
 *              takes), run (bg_await_next, then its stage function through a
 *              table indexed by t->stage) and freed; an idle thread's resident
 *              memory against a task's bytes.
 * await        cycles per suspend+resume of a task on the timer wheel and on
 *              an event, and, as the reference the wheel was chosen against,
 *              rte_timer armed and fired on the same deadlines.
 *
 * A benchmark prints figures; it asserts nothing about speed. The figures
 * drift from run to run (a virtual machine with 2 vCPUs): compare ratios.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_timer.h>

#include "dataplane/await.h"
#include "dataplane/task.h"

#define PROG "bench_tasks"

#define DEFAULT_ITERATIONS 10000000ull   /* task starts; the rest scale with it */
#define MIN_ITERATIONS 1000ull
#define POOL_SIZE 8191                   /* 2^q - 1, as rte_mempool likes */
#define BURST 32
#define IN_FLIGHT 1024                   /* tasks / timers in flight at once */
#define SPREAD_TICKS 64                  /* deadlines fall 1..64 ticks ahead */
#define THREAD_BATCHES 10
#define RSS_THREADS 64
#define NB_STAGES 4
#define TICK_NS 1000     /* as the workers' wheels (lcore/runtime.h BG_AWAIT_TICK_NS) */

/* ---------------------------------------------------------------- stages */

/*
 * The work a task does when it runs: trivial, but the compiler cannot drop
 * it (the sum is printed at the end), reached through a table indexed by
 * t->stage as a scheduler would.
 */
typedef void (*stage_fn)(struct bg_task *t);

static uint64_t sink;
static stage_fn stage_tab[NB_STAGES + 1];

/* For the steady-state timer run: the resumed task waits again. */
static struct bg_await *g_await;
static uint64_t g_now;
static uint64_t g_off[IN_FLIGHT];
static unsigned g_off_i;

static void stage_a(struct bg_task *t) { sink += t->state[0]; }
static void stage_b(struct bg_task *t) { sink ^= t->state[0]; }
static void stage_c(struct bg_task *t) { sink += t->state[0] ^ t->stage; }
static void stage_d(struct bg_task *t) { sink -= t->state[0]; }

static void
stage_again(struct bg_task *t)
{
	sink += t->state[0];
	bg_await_timer(g_await, t, g_now + g_off[g_off_i++ & (IN_FLIGHT - 1)]);
}

static inline void
run_task(struct bg_task *t)
{
	stage_tab[t->stage](t);
}

/* --------------------------------------------------------------- helpers */

static uint64_t
xorshift64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Resident bytes of this process, from /proc/self/statm; 0 on failure. */
static uint64_t
rss_bytes(void)
{
	unsigned long size, resident;
	FILE *f = fopen("/proc/self/statm", "r");
	int ok;

	if (f == NULL)
		return 0;
	ok = fscanf(f, "%lu %lu", &size, &resident) == 2;
	fclose(f);
	return ok ? (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE) : 0;
}

static double
cycles_to_ns(double cycles)
{
	return cycles * 1e9 / (double)rte_get_tsc_hz();
}

/* ------------------------------------------------------------ the threads */

static void *
empty_thread(void *arg)
{
	return arg;
}

struct thread_start {
	double mean_ns;
	double median_ns;          /* median of the batches' means */
	unsigned n;
};

static int
bench_thread_start(unsigned n, struct thread_start *r)
{
	double batch_ns[THREAD_BATCHES];
	const unsigned per = (n + THREAD_BATCHES - 1) / THREAD_BATCHES;
	uint64_t total = 0;

	/* Warm up: glibc keeps a few freed stacks for the next thread. */
	for (unsigned i = 0; i < 16; i++) {
		pthread_t th;

		if (pthread_create(&th, NULL, empty_thread, NULL) != 0)
			return -1;
		pthread_join(th, NULL);
	}
	for (unsigned b = 0; b < THREAD_BATCHES; b++) {
		uint64_t t0 = mono_ns();

		for (unsigned i = 0; i < per; i++) {
			pthread_t th;
			int rc = pthread_create(&th, NULL, empty_thread, NULL);

			if (rc != 0) {
				fprintf(stderr, PROG ": pthread_create: %s\n", strerror(rc));
				return -1;
			}
			pthread_join(th, NULL);
		}
		uint64_t dt = mono_ns() - t0;

		total += dt;
		batch_ns[b] = (double)dt / per;
	}
	r->n = per * THREAD_BATCHES;
	r->mean_ns = (double)total / r->n;
	r->median_ns = median(batch_ns, THREAD_BATCHES);
	return 0;
}

/* Idle threads: started, then blocked on a barrier until measured. */
static pthread_barrier_t rss_started, rss_release;

static void *
idle_thread(void *arg)
{
	pthread_barrier_wait(&rss_started);
	pthread_barrier_wait(&rss_release);
	return arg;
}

struct thread_rss {
	double bytes;              /* resident bytes per idle thread */
	size_t stack;              /* default stack size (virtual) */
};

static int
bench_thread_rss(struct thread_rss *r)
{
	pthread_t th[RSS_THREADS];
	pthread_attr_t attr;
	uint64_t before, after;
	int rc = 0;

	if (pthread_attr_init(&attr) != 0 || pthread_attr_getstacksize(&attr, &r->stack) != 0)
		r->stack = 0;
	pthread_attr_destroy(&attr);

	pthread_barrier_init(&rss_started, NULL, RSS_THREADS + 1);
	pthread_barrier_init(&rss_release, NULL, RSS_THREADS + 1);
	before = rss_bytes();
	for (unsigned i = 0; i < RSS_THREADS; i++) {
		rc = pthread_create(&th[i], NULL, idle_thread, NULL);
		if (rc != 0) {
			/* Cannot happen half-way without leaving the others
			 * blocked; give up loudly. */
			fprintf(stderr, PROG ": pthread_create: %s\n", strerror(rc));
			exit(1);
		}
	}
	pthread_barrier_wait(&rss_started);
	after = rss_bytes();
	pthread_barrier_wait(&rss_release);
	for (unsigned i = 0; i < RSS_THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&rss_started);
	pthread_barrier_destroy(&rss_release);
	if (before == 0 || after == 0)
		return -1;
	r->bytes = ((double)after - (double)before) / RSS_THREADS;
	return 0;
}

/* -------------------------------------------------------------- the tasks */

static struct bg_await aw;         /* 64 KiB of wheel: not on the stack */

/* One task at a time: allocate, schedule, run, free. Cycles per task. */
static double
bench_task_start(struct rte_mempool *pool, uint64_t n)
{
	uint64_t t0 = rte_rdtsc_precise();

	for (uint64_t i = 0; i < n; i++) {
		struct bg_task *t = bg_task_alloc(pool);

		if (unlikely(t == NULL))
			rte_panic("task pool empty\n");
		t->stage = i & (NB_STAGES - 1);
		t->state[0] = i;
		t->m = NULL;
		bg_await_ready(&aw, t);
		/* Scheduling and running happen at different places in a
		 * real loop: do not let the compiler fuse push and pop. */
		rte_compiler_barrier();
		t = bg_await_next(&aw);
		run_task(t);
		bg_task_free(pool, t);
	}
	return (double)(rte_rdtsc_precise() - t0) / (double)n;
}

/* Bursts: allocate 32, schedule 32, run 32, free 32. Cycles per task. */
static double
bench_task_start_burst(struct rte_mempool *pool, uint64_t n)
{
	struct bg_task *ts[BURST];
	const uint64_t bursts = (n + BURST - 1) / BURST;
	uint64_t t0 = rte_rdtsc_precise();

	for (uint64_t b = 0; b < bursts; b++) {
		if (unlikely(rte_mempool_get_bulk(pool, (void **)ts, BURST) != 0))
			rte_panic("task pool empty\n");
		for (unsigned i = 0; i < BURST; i++) {
			ts[i]->stage = i & (NB_STAGES - 1);
			ts[i]->state[0] = b;
			ts[i]->m = NULL;
			bg_await_ready(&aw, ts[i]);
		}
		rte_compiler_barrier();
		for (unsigned i = 0; i < BURST; i++) {
			struct bg_task *t = bg_await_next(&aw);

			run_task(t);
			ts[i] = t;
		}
		rte_mempool_put_bulk(pool, (void **)ts, BURST);
	}
	return (double)(rte_rdtsc_precise() - t0) / (double)(bursts * BURST);
}

/* -------------------------------------------------------------- the await */

/* Deadline offsets, in TSC cycles, 1..SPREAD_TICKS ticks ahead: in order
 * (as a delay stage makes them) or shuffled (the general case). */
static void
make_offsets(uint64_t *off, unsigned n, uint64_t tick, bool in_order, uint64_t *seed)
{
	const uint64_t span = (SPREAD_TICKS - 1) * tick;

	for (unsigned i = 0; i < n; i++)
		off[i] = in_order ? tick + span * i / n : tick + xorshift64(seed) % span;
}

/*
 * Batches of IN_FLIGHT tasks: suspend each on the wheel at base + off[i],
 * expire them all at a later (virtual) now, resume each. The clock is
 * virtual: the wheel is given times, it does not read them, so nothing waits.
 * Cycles per task.
 */
static double
bench_wheel_batch(struct bg_task **ts, const uint64_t *off, uint64_t rounds, uint64_t tick)
{
	uint64_t now = rte_rdtsc();
	uint64_t cycles = 0, done = 0;

	bg_await_init(&aw, TICK_NS, now);
	for (uint64_t r = 0; r < rounds; r++) {
		uint64_t t0 = rte_rdtsc_precise();

		for (unsigned i = 0; i < IN_FLIGHT; i++) {
			ts[i]->stage = i & (NB_STAGES - 1);
			bg_await_timer(&aw, ts[i], now + off[i]);
		}
		now += (SPREAD_TICKS + 1) * tick;
		bg_await_expire(&aw, now);
		struct bg_task *t;

		while ((t = bg_await_next(&aw)) != NULL) {
			run_task(t);
			done++;
		}
		cycles += rte_rdtsc_precise() - t0;
	}
	if (done != rounds * IN_FLIGHT)
		rte_panic("wheel: %" PRIu64 " of %" PRIu64 " resumed\n", done, rounds * IN_FLIGHT);
	return (double)cycles / (double)done;
}

/*
 * Steady state: IN_FLIGHT tasks wait on the wheel; each loop iteration the
 * (virtual) clock moves one tick, the due tasks expire and resume, and each
 * resumed task waits again 1..SPREAD_TICKS ticks ahead. Cycles per resume.
 */
static double
bench_wheel_steady(struct bg_task **ts, uint64_t n, uint64_t tick)
{
	uint64_t now = rte_rdtsc();
	uint64_t resumed = 0;

	bg_await_init(&aw, TICK_NS, now);
	g_await = &aw;
	g_now = now;
	for (unsigned i = 0; i < IN_FLIGHT; i++) {
		ts[i]->stage = NB_STAGES;  /* stage_again */
		stage_again(ts[i]);
	}
	uint64_t t0 = rte_rdtsc_precise();

	while (resumed < n) {
		struct bg_task *t;

		now += tick;
		g_now = now;
		bg_await_expire(&aw, now);
		while ((t = bg_await_next(&aw)) != NULL) {
			run_task(t);
			resumed++;
		}
	}
	double c = (double)(rte_rdtsc_precise() - t0) / (double)resumed;

	/* Take the tasks back out of the wheel. */
	bg_await_expire(&aw, now + (SPREAD_TICKS + 2) * tick);
	for (unsigned i = 0; i < IN_FLIGHT; i++)
		if (bg_await_next(&aw) == NULL)
			rte_panic("steady: a task was lost\n");
	return c;
}

static uint64_t rte_timer_fired;

static void
rte_timer_cb(struct rte_timer *tim, void *arg)
{
	struct bg_task *t = arg;

	RTE_SET_USED(tim);
	/* The same work the task's stage does, without the table. */
	sink += t->state[0];
	rte_timer_fired++;
}

/*
 * The reference: the same batches with rte_timer. rte_timer reads the real
 * clock, so after arming the batch this waits (untimed) until every timer is
 * due, then times rte_timer_manage(). Cycles per timer, arm + fire.
 */
static double
bench_rte_timer_batch(struct rte_timer *tim, struct bg_task **ts, const uint64_t *off,
		      uint64_t rounds)
{
	const unsigned lcore = rte_lcore_id();
	uint64_t cycles = 0, max_off = 0;

	for (unsigned i = 0; i < IN_FLIGHT; i++)
		max_off = RTE_MAX(max_off, off[i]);
	rte_timer_fired = 0;
	for (uint64_t r = 0; r < rounds; r++) {
		uint64_t t0 = rte_rdtsc_precise();

		for (unsigned i = 0; i < IN_FLIGHT; i++) {
			rte_timer_init(&tim[i]);
			if (rte_timer_reset(&tim[i], off[i], SINGLE, lcore, rte_timer_cb, ts[i]) != 0)
				rte_panic("rte_timer_reset failed\n");
		}
		uint64_t armed = rte_rdtsc_precise();

		cycles += armed - t0;
		while (rte_get_timer_cycles() <= armed + max_off)
			rte_pause();
		t0 = rte_rdtsc_precise();
		while (rte_timer_fired < (r + 1) * IN_FLIGHT)
			rte_timer_manage();
		cycles += rte_rdtsc_precise() - t0;
	}
	return (double)cycles / (double)(rounds * IN_FLIGHT);
}

/* Events: IN_FLIGHT tasks wait on one event, it is signalled, each resumes. */
static double
bench_event_batch(struct bg_task **ts, uint64_t rounds, unsigned waiters)
{
	struct bg_event ev = { .waiters = { NULL, NULL }, .signals = 0 };
	uint64_t done = 0;

	bg_await_init(&aw, TICK_NS, rte_rdtsc());
	uint64_t t0 = rte_rdtsc_precise();

	for (uint64_t r = 0; r < rounds; r++) {
		struct bg_task *t;

		for (unsigned i = 0; i < waiters; i++) {
			ts[i]->stage = i & (NB_STAGES - 1);
			bg_await_event(&aw, &ev, ts[i]);
		}
		rte_compiler_barrier();
		bg_event_signal(&aw, &ev);
		rte_compiler_barrier();
		while ((t = bg_await_next(&aw)) != NULL) {
			run_task(t);
			done++;
		}
	}
	double c = (double)(rte_rdtsc_precise() - t0) / (double)done;

	if (done != rounds * waiters)
		rte_panic("event: %" PRIu64 " of %" PRIu64 " resumed\n", done, rounds * waiters);
	return c;
}

/* ------------------------------------------------------------------ main */

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [EAL options] -- [--iterations N] [--json FILE] [--help]\n"
		"  --iterations N  task starts to time (default %llu, at least %llu);\n"
		"                  the other measurements scale with it\n"
		"  --json FILE     also write the figures to FILE as JSON\n"
		"  --help          this text\n"
		"Run on one lcore, e.g.: " PROG " -l 0 --in-memory --no-pci --\n",
		DEFAULT_ITERATIONS, MIN_ITERATIONS);
}

static void
bad_args(const char *fmt, const char *what)
{
	fprintf(stderr, PROG ": ");
	fprintf(stderr, fmt, what);
	fprintf(stderr, " (try --help)\n");
	rte_eal_cleanup();
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "iterations", required_argument, NULL, 'i' },
		{ "json", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t iters = DEFAULT_ITERATIONS;
	const char *json = NULL;
	int ret, opt;

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, PROG ": EAL init failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= ret;
	argv += ret;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
		switch (opt) {
		case 'i': {
			char *end;

			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 10);

			if (errno != 0 || end == optarg || *end != '\0' || optarg[0] == '-' ||
			    v < MIN_ITERATIONS || v > (1ull << 40))
				bad_args("--iterations: '%s' is not a count from 1000 to 2^40",
					 optarg);
			iters = v;
			break;
		}
		case 'j':
			json = optarg;
			break;
		case 'h':
			usage(stdout);
			rte_eal_cleanup();
			return 0;
		case ':':
			bad_args("option '%s' needs a value", argv[optind - 1]);
			break;
		default:
			bad_args("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		bad_args("unexpected argument '%s'", argv[optind]);

	/* Open the JSON file now: fail before minutes of measuring, not after. */
	FILE *f = NULL;

	if (json != NULL && (f = fopen(json, "w")) == NULL) {
		fprintf(stderr, PROG ": %s: %s\n", json, strerror(errno));
		rte_eal_cleanup();
		return 1;
	}

	const uint64_t tsc_hz = rte_get_tsc_hz();
	const unsigned nb_threads = RTE_MAX(100u, (unsigned)RTE_MIN(iters / 5000, 1000000ull));
	const uint64_t await_rounds = RTE_MAX(1ull, iters / IN_FLIGHT);
	const uint64_t rte_timer_rounds = RTE_MAX(1ull, iters / 4 / IN_FLIGHT);
	const uint64_t event1_rounds = iters;
	struct rte_mempool *pool = NULL;
	struct rte_timer *tim = NULL;
	struct bg_task *ts[IN_FLIGHT];
	uint64_t off_inorder[IN_FLIGHT], off_random[IN_FLIGHT];
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	bool rte_timer_inited = false;
	int rc = 1;

	stage_tab[0] = stage_a;
	stage_tab[1] = stage_b;
	stage_tab[2] = stage_c;
	stage_tab[3] = stage_d;
	stage_tab[NB_STAGES] = stage_again;   /* the steady-state timer run */
	RTE_BUILD_BUG_ON(NB_STAGES != 4);

	printf(PROG ": TSC %.3f GHz, lcore %u; figures drift between runs "
	       "(2 vCPUs, a virtual machine): compare ratios\n",
	       (double)tsc_hz / 1e9, rte_lcore_id());

	/* --- threads: resident memory first, before glibc caches stacks --- */
	struct thread_rss trss = { 0, 0 };
	struct thread_start tst;

	if (bench_thread_rss(&trss) != 0)
		fprintf(stderr, PROG ": cannot read /proc/self/statm\n");
	if (bench_thread_start(nb_threads, &tst) != 0)
		goto out;

	/* --- tasks --- */
	pool = bg_task_pool_create("bench_tasks", POOL_SIZE, (int)rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, PROG ": task pool: %s\n", rte_strerror(rte_errno));
		goto out;
	}
	struct rte_mempool_objsz objsz;
	/* What one task takes in the pool bg_task_pool_create() made. */
	const uint32_t pool_obj = rte_mempool_calc_obj_size(sizeof(struct bg_task),
							    pool->flags, &objsz);

	bg_await_init(&aw, TICK_NS, rte_rdtsc());
	bench_task_start(pool, iters / 10);                       /* warm up */
	const double task_cyc = bench_task_start(pool, iters);
	bench_task_start_burst(pool, iters / 10);
	const double burst_cyc = bench_task_start_burst(pool, iters);
	const double task_ns = cycles_to_ns(task_cyc);
	const double burst_ns = cycles_to_ns(burst_cyc);

	/* --- await --- */
	if (rte_mempool_get_bulk(pool, (void **)ts, IN_FLIGHT) != 0) {
		fprintf(stderr, PROG ": cannot take %u tasks\n", IN_FLIGHT);
		goto out;
	}
	for (unsigned i = 0; i < IN_FLIGHT; i++) {
		ts[i]->state[0] = i;
		ts[i]->m = NULL;
	}
	const uint64_t tick = 1ull << aw.tick_shift;

	make_offsets(off_inorder, IN_FLIGHT, tick, true, &seed);
	make_offsets(off_random, IN_FLIGHT, tick, false, &seed);
	make_offsets(g_off, IN_FLIGHT, tick, false, &seed);

	bench_wheel_batch(ts, off_random, RTE_MAX(1ull, await_rounds / 10), tick);
	const double wheel_rand = bench_wheel_batch(ts, off_random, await_rounds, tick);
	const double wheel_inorder = bench_wheel_batch(ts, off_inorder, await_rounds, tick);

	const double wheel_steady = bench_wheel_steady(ts, iters, tick);

	tim = rte_zmalloc("bench_tasks_timers", sizeof(*tim) * IN_FLIGHT, RTE_CACHE_LINE_SIZE);
	ret = rte_timer_subsystem_init();
	if (tim == NULL || (ret != 0 && ret != -EALREADY)) {
		fprintf(stderr, PROG ": rte_timer set-up failed\n");
		goto out;
	}
	rte_timer_inited = true;
	bench_rte_timer_batch(tim, ts, off_random, RTE_MAX(1ull, rte_timer_rounds / 10));
	const double rtet_rand = bench_rte_timer_batch(tim, ts, off_random, rte_timer_rounds);
	const double rtet_inorder = bench_rte_timer_batch(tim, ts, off_inorder, rte_timer_rounds);

	bench_event_batch(ts, RTE_MAX(1ull, await_rounds / 10), IN_FLIGHT);
	const double event_batch = bench_event_batch(ts, await_rounds, IN_FLIGHT);
	const double event_single = bench_event_batch(ts, event1_rounds, 1);

	rte_mempool_put_bulk(pool, (void **)ts, IN_FLIGHT);

	/* --- report --- */
	const double start_ratio = tst.mean_ns / task_ns;

	printf("task start (%" PRIu64 " tasks, %u threads)\n", iters, tst.n);
	printf("  pthread_create+join          %9.0f ns   (median of %u batches: %.0f ns)\n",
	       tst.mean_ns, THREAD_BATCHES, tst.median_ns);
	printf("  task alloc+schedule+run+free %9.1f ns   (%.1f cycles; burst of %u: %.1f ns)\n",
	       task_ns, task_cyc, BURST, burst_ns);
	printf("  ratio                        %9.0fx\n", start_ratio);
	printf("  idle thread RSS              %9.0f bytes (mean of %u; stack %.0f MiB virtual)\n",
	       trss.bytes, RSS_THREADS, (double)trss.stack / (1024.0 * 1024.0));
	printf("  task descriptor              %9zu bytes (%u in its pool: header %u + task %u + "
	       "trailer %u)\n",
	       sizeof(struct bg_task), pool_obj, objsz.header_size, objsz.elt_size,
	       objsz.trailer_size);
	printf("await (cycles per suspend+resume; %u in flight, deadlines 1-%u ticks of %.0f ns)\n",
	       IN_FLIGHT, SPREAD_TICKS, bg_await_tick_ns(&aw));
	printf("  timer wheel                  %9.1f      (deadlines in order: %.1f; steady state: %.1f)\n",
	       wheel_rand, wheel_inorder, wheel_steady);
	printf("  rte_timer (reference)        %9.1f      wheel is %.1fx cheaper "
	       "(in order: %.1f, %.1fx)\n",
	       rtet_rand, rtet_rand / wheel_rand, rtet_inorder, rtet_inorder / wheel_inorder);
	printf("  event                        %9.1f      (one waiter at a time: %.1f)\n",
	       event_batch, event_single);
	printf("  sizes: struct rte_timer %zu bytes, struct bg_task %zu bytes\n",
	       sizeof(struct rte_timer), sizeof(struct bg_task));

	if (f != NULL) {
		fprintf(f, "{\n");
		fprintf(f, "  \"tsc_hz\": %" PRIu64 ",\n", tsc_hz);
		fprintf(f, "  \"iterations\": %" PRIu64 ",\n", iters);
		fprintf(f, "  \"thread_start_ns\": %.1f,\n", tst.mean_ns);
		fprintf(f, "  \"thread_start_median_ns\": %.1f,\n", tst.median_ns);
		fprintf(f, "  \"thread_starts\": %u,\n", tst.n);
		fprintf(f, "  \"task_start_ns\": %.3f,\n", task_ns);
		fprintf(f, "  \"task_start_cycles\": %.2f,\n", task_cyc);
		fprintf(f, "  \"task_start_burst_ns\": %.3f,\n", burst_ns);
		fprintf(f, "  \"task_start_burst\": %u,\n", BURST);
		fprintf(f, "  \"start_ratio\": %.1f,\n", start_ratio);
		fprintf(f, "  \"thread_rss_bytes\": %.0f,\n", trss.bytes);
		fprintf(f, "  \"thread_stack_bytes\": %zu,\n", trss.stack);
		fprintf(f, "  \"task_bytes\": %zu,\n", sizeof(struct bg_task));
		fprintf(f, "  \"task_pool_bytes\": %u,\n", pool_obj);
		fprintf(f, "  \"await_in_flight\": %u,\n", IN_FLIGHT);
		fprintf(f, "  \"await_tick_ns\": %.1f,\n", bg_await_tick_ns(&aw));
		fprintf(f, "  \"timer_await_cycles\": %.2f,\n", wheel_rand);
		fprintf(f, "  \"timer_await_inorder_cycles\": %.2f,\n", wheel_inorder);
		fprintf(f, "  \"timer_await_steady_cycles\": %.2f,\n", wheel_steady);
		fprintf(f, "  \"rte_timer_cycles\": %.2f,\n", rtet_rand);
		fprintf(f, "  \"rte_timer_inorder_cycles\": %.2f,\n", rtet_inorder);
		fprintf(f, "  \"rte_timer_ratio\": %.2f,\n", rtet_rand / wheel_rand);
		fprintf(f, "  \"rte_timer_bytes\": %zu,\n", sizeof(struct rte_timer));
		fprintf(f, "  \"event_await_cycles\": %.2f,\n", event_batch);
		fprintf(f, "  \"event_await_single_cycles\": %.2f\n", event_single);
		fprintf(f, "}\n");
		ret = fclose(f);
		f = NULL;
		if (ret != 0) {
			fprintf(stderr, PROG ": %s: %s\n", json, strerror(errno));
			goto out;
		}
	}
	/* Keep the stages' work observable. */
	*(volatile uint64_t *)&sink = sink;
	rc = 0;
out:
	if (f != NULL)
		fclose(f);
	if (rte_timer_inited)
		rte_timer_subsystem_finalize();
	rte_free(tim);
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return rc;
}
