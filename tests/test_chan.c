/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CUnit suite for rings/chan.h: no loss, no duplicates and order under
 * contention for each concurrency class; exact counters and drop callback on
 * a full channel; bad configurations; drain and free returning every mbuf.
 *
 * Lcores are spread over both CPUs (two producers or consumers of a run on
 * different CPUs, a consumer sharing its CPU with a producer). Threads yield
 * instead of spinning when the channel is empty or too full to take their
 * burst, so that both CPUs enqueue and dequeue at the same time: without that,
 * a producer spins through the time slice of the consumer it shares a CPU
 * with, and the runs would only interleave, never race. Racing producers
 * still find the channel full at times, which exercises the retry path.
 */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>

#include "rings/chan.h"
#include "eal_helper.h"
#include "test_helper.h"

#define LCORES "--lcores=0@0,1@1,2@0,3@1,4@1"
#define NB_PROD_MAX 3
#define NB_CONS_MAX 2
#define PER_PROD 100000u
#define BURST 32
#define UNBOUNDED (1u << 26)       /* retries: seconds of rte_pause() */

/* Values carried as pointers: producer (from 1) in the high half, sequence
 * (from 1) in the low half. Never freed, so the drop callback only counts. */
#define VAL(p, s) ((void *)(((uintptr_t)(p) + 1) << 32 | (uintptr_t)(s)))
#define VAL_PROD(v) ((unsigned)((uintptr_t)(v) >> 32) - 1)
#define VAL_SEQ(v) ((uint32_t)(uintptr_t)(v))

/* The counting drop callback: remembers the objects in the order given. */
struct drop_log {
	unsigned calls;
	unsigned n;
	void *objs[64];
};

static void
drop_count(void **objs, unsigned n, void *arg)
{
	struct drop_log *log = arg;

	log->calls++;
	for (unsigned i = 0; i < n; i++, log->n++)
		if (log->n < RTE_DIM(log->objs))
			log->objs[log->n] = objs[i];
}

static struct bg_chan *
chan_new(const char *name, enum bg_chan_kind kind, unsigned size,
	 enum bg_chan_full full, unsigned retries, struct drop_log *log)
{
	struct bg_chan_conf conf = {
		.name = name, .kind = kind, .size = size, .socket = SOCKET_ID_ANY,
		.full = full, .retries = retries, .drop = drop_count, .drop_arg = log,
	};

	return bg_chan_create(&conf);
}

/* Contention runs: a shared template for the three classes. */

struct run {
	struct bg_chan *chan;
	enum bg_chan_kind kind;
	unsigned nb_prod, nb_cons;
	unsigned prod_done;                /* producers finished, atomic */
	unsigned short_sends[NB_PROD_MAX]; /* send calls that returned < n */
	uint64_t sent[NB_PROD_MAX];
	unsigned lcore[NB_PROD_MAX];
	struct cons {
		uint64_t got;
		uint64_t out_of_order;
		uint32_t last[NB_PROD_MAX];
		uint8_t *seen;             /* [prod * PER_PROD + seq - 1] */
	} cons[NB_CONS_MAX];
};

static struct run run;

static int
producer(void *arg)
{
	unsigned p = (unsigned)(uintptr_t)arg;
	void *objs[BURST];
	uint32_t seq = 1;
	unsigned n = 1;

	run.lcore[p] = rte_lcore_id();
	while (seq <= PER_PROD) {
		unsigned k = 0, sent;

		for (; k < n && seq <= PER_PROD; k++)
			objs[k] = VAL(p, seq++);
		/* Let a consumer on this CPU run rather than spin on a full
		 * channel; racing producers still find it full at times. */
		while (run.chan->capacity - bg_chan_count(run.chan) <
		       RTE_MIN(k, run.chan->capacity))
			sched_yield();
		if (run.kind == BG_CHAN_SPSC)
			sent = bg_chan_spsc_send_burst(run.chan, objs, k);
		else if (run.kind == BG_CHAN_MPSC)
			sent = bg_chan_mpsc_send_burst(run.chan, objs, k);
		else
			sent = bg_chan_mpmc_send_burst(run.chan, objs, k);
		run.sent[p] += sent;
		run.short_sends[p] += sent < k;
		n = n % BURST + 1;         /* bursts of 1..32 */
	}
	/* Pairs with the acquire load in consumer(): our sends precede it. */
	__atomic_fetch_add(&run.prod_done, 1, __ATOMIC_RELEASE);
	return 0;
}

static int
consumer(void *arg)
{
	struct cons *c = &run.cons[(uintptr_t)arg];
	void *objs[BURST];
	int done = 0;

	for (;;) {
		unsigned k = run.kind == BG_CHAN_MPMC ?
			bg_chan_mc_recv_burst(run.chan, objs, BURST) :
			bg_chan_sc_recv_burst(run.chan, objs, BURST);

		if (k == 0) {
			if (done)
				break;
			sched_yield();
			/* Pairs with the release add in producer(). */
			done = __atomic_load_n(&run.prod_done, __ATOMIC_ACQUIRE) ==
			       run.nb_prod;
			continue;
		}
		for (unsigned i = 0; i < k; i++) {
			unsigned p = VAL_PROD(objs[i]);
			uint32_t s = VAL_SEQ(objs[i]);

			if (p >= run.nb_prod || s == 0 || s > PER_PROD) {
				c->out_of_order++;
				continue;
			}
			c->out_of_order += s <= c->last[p];
			c->last[p] = s;
			c->seen[p * PER_PROD + s - 1]++;
		}
		c->got += k;
	}
	return 0;
}

/* Producers on lcores 1.., consumers on the main lcore and after them. */
static void
contention(enum bg_chan_kind kind, unsigned nb_prod, unsigned nb_cons,
	   unsigned size)
{
	static const char *const names[] = { "t_spsc", "t_mpsc", "t_mpmc" };
	struct drop_log log = { 0 };
	struct bg_chan_stats s;
	uint64_t total = (uint64_t)nb_prod * PER_PROD;
	unsigned lc = 1;

	memset(&run, 0, sizeof(run));
	run.kind = kind;
	run.nb_prod = nb_prod;
	run.nb_cons = nb_cons;
	run.chan = chan_new(names[kind], kind, size, BG_CHAN_FULL_RETRY,
			    UNBOUNDED, &log);
	CU_ASSERT_FATAL(run.chan != NULL);
	for (unsigned c = 0; c < nb_cons; c++) {
		run.cons[c].seen = calloc(total, 1);
		CU_ASSERT_FATAL(run.cons[c].seen != NULL);
	}

	for (unsigned p = 0; p < nb_prod; p++)
		CU_ASSERT_FATAL(rte_eal_remote_launch(producer, (void *)(uintptr_t)p,
						      lc++) == 0);
	for (unsigned c = 1; c < nb_cons; c++)
		CU_ASSERT_FATAL(rte_eal_remote_launch(consumer, (void *)(uintptr_t)c,
						      lc++) == 0);
	consumer((void *)0);
	rte_eal_mp_wait_lcore();

	/* Nothing lost, nothing duplicated, each producer's order kept. */
	uint64_t got = 0, missing = 0, dup = 0, disorder = 0;

	for (unsigned c = 0; c < nb_cons; c++) {
		got += run.cons[c].got;
		disorder += run.cons[c].out_of_order;
	}
	for (uint64_t i = 0; i < total; i++) {
		unsigned n = 0;

		for (unsigned c = 0; c < nb_cons; c++)
			n += run.cons[c].seen[i];
		missing += n == 0;
		dup += n > 1;
	}
	CU_ASSERT_EQUAL(got, total);
	CU_ASSERT_EQUAL(missing, 0);
	CU_ASSERT_EQUAL(dup, 0);
	CU_ASSERT_EQUAL(disorder, 0);
	CU_ASSERT_EQUAL(log.n, 0);

	/* Counters: totals, and each producer's count in its own lcore slot. */
	bg_chan_stats_get(run.chan, &s);
	CU_ASSERT_EQUAL(s.sent, total);
	CU_ASSERT_EQUAL(s.received, total);
	CU_ASSERT_EQUAL(s.dropped, 0);
	CU_ASSERT(s.hwm >= 1 && s.hwm <= size);
	for (unsigned p = 0; p < nb_prod; p++) {
		CU_ASSERT_EQUAL(run.short_sends[p], 0);
		CU_ASSERT_EQUAL(run.sent[p], PER_PROD);
		CU_ASSERT_EQUAL(run.chan->stats[run.lcore[p]].sent, PER_PROD);
	}
	CU_ASSERT_EQUAL(bg_chan_count(run.chan), 0);

	for (unsigned c = 0; c < nb_cons; c++)
		free(run.cons[c].seen);
	bg_chan_free(run.chan);
}

static void
test_mpsc_contention(void)
{
	contention(BG_CHAN_MPSC, 3, 1, 1024);
}

static void
test_mpmc_contention(void)
{
	contention(BG_CHAN_MPMC, 2, 2, 1024);
}

/* One consumer, one producer: the consumer checks every value in turn. */
static void
test_spsc_order(void)
{
	contention(BG_CHAN_SPSC, 1, 1, 16);
}

static void
test_full_drop_counters(void)
{
	struct drop_log log = { 0 };
	struct bg_chan_stats s;
	struct bg_chan *c;
	void *objs[20], *out[20];

	c = chan_new("t_full", BG_CHAN_SPSC, 8, BG_CHAN_FULL_DROP, 0, &log);
	CU_ASSERT_FATAL(c != NULL);
	for (unsigned i = 0; i < 20; i++)
		objs[i] = VAL(0, i + 1);

	CU_ASSERT_EQUAL(bg_chan_spsc_send_burst(c, objs, 20), 8);
	bg_chan_stats_get(c, &s);
	CU_ASSERT_EQUAL(s.sent, 8);
	CU_ASSERT_EQUAL(s.full, 1);
	CU_ASSERT_EQUAL(s.dropped, 12);
	CU_ASSERT_EQUAL(s.hwm, 8);
	CU_ASSERT_EQUAL(log.calls, 1);
	CU_ASSERT_EQUAL(log.n, 12);
	CU_ASSERT_EQUAL(memcmp(log.objs, objs + 8, 12 * sizeof(void *)), 0);
	CU_ASSERT_EQUAL(bg_chan_count(c), 8);

	CU_ASSERT_EQUAL(bg_chan_spsc_send_burst(c, objs, 5), 0);
	bg_chan_stats_get(c, &s);
	CU_ASSERT_EQUAL(s.sent, 8);
	CU_ASSERT_EQUAL(s.full, 2);
	CU_ASSERT_EQUAL(s.dropped, 17);
	CU_ASSERT_EQUAL(log.n, 17);

	/* The first 8 come out, in order, and are counted. */
	CU_ASSERT_EQUAL(bg_chan_sc_recv_burst(c, out, 20), 8);
	CU_ASSERT_EQUAL(memcmp(out, objs, 8 * sizeof(void *)), 0);
	CU_ASSERT_EQUAL(bg_chan_sc_recv_burst(c, out, 20), 0);
	bg_chan_stats_get(c, &s);
	CU_ASSERT_EQUAL(s.received, 8);
	CU_ASSERT_EQUAL(s.hwm, 8);

	/* A burst that fits is no full event. */
	CU_ASSERT_EQUAL(bg_chan_spsc_send_burst(c, objs, 8), 8);
	bg_chan_stats_get(c, &s);
	CU_ASSERT_EQUAL(s.full, 2);
	CU_ASSERT_EQUAL(s.sent, 16);
	bg_chan_free(c);
}

/* Retry on a full channel that nobody drains: one full event, then drop. */
static void
test_full_retry_exhausted(void)
{
	struct drop_log log = { 0 };
	struct bg_chan_stats s;
	struct bg_chan *c;
	void *objs[8];

	c = chan_new("t_retry", BG_CHAN_MPSC, 4, BG_CHAN_FULL_RETRY, 3, &log);
	CU_ASSERT_FATAL(c != NULL);
	for (unsigned i = 0; i < 8; i++)
		objs[i] = VAL(0, i + 1);
	CU_ASSERT_EQUAL(bg_chan_mpsc_send_burst(c, objs, 4), 4);
	CU_ASSERT_EQUAL(bg_chan_mpsc_send_burst(c, objs + 4, 4), 0);
	bg_chan_stats_get(c, &s);
	CU_ASSERT_EQUAL(s.sent, 4);
	CU_ASSERT_EQUAL(s.full, 1);
	CU_ASSERT_EQUAL(s.dropped, 4);
	CU_ASSERT_EQUAL(log.calls, 1);
	CU_ASSERT_EQUAL(memcmp(log.objs, objs + 4, 4 * sizeof(void *)), 0);
	bg_chan_free(c);
}

/* Retry that succeeds: another lcore drains while the send retries. */
static struct bg_chan *late_chan;
static unsigned late_go;

static int
late_consumer(void *arg __rte_unused)
{
	void *out[8];
	unsigned got = 0;

	/* Pairs with the release store in test_full_retry_succeeds(). */
	while (__atomic_load_n(&late_go, __ATOMIC_ACQUIRE) == 0)
		rte_pause();
	rte_delay_us_block(50 * 1000);     /* let the send find it full */
	while (got < 8)
		got += bg_chan_mc_recv_burst(late_chan, out, 8);
	return 0;
}

static void
test_full_retry_succeeds(void)
{
	struct drop_log log = { 0 };
	struct bg_chan_stats s;
	void *objs[12];

	late_go = 0;
	late_chan = chan_new("t_late", BG_CHAN_MPMC, 8, BG_CHAN_FULL_RETRY,
			     UNBOUNDED, &log);
	CU_ASSERT_FATAL(late_chan != NULL);
	for (unsigned i = 0; i < 12; i++)
		objs[i] = VAL(0, i + 1);
	CU_ASSERT_EQUAL(bg_chan_mpmc_send_burst(late_chan, objs, 8), 8);
	CU_ASSERT_FATAL(rte_eal_remote_launch(late_consumer, NULL, 1) == 0);
	__atomic_store_n(&late_go, 1, __ATOMIC_RELEASE);
	CU_ASSERT_EQUAL(bg_chan_mpmc_send_burst(late_chan, objs + 8, 4), 4);
	rte_eal_mp_wait_lcore();

	bg_chan_stats_get(late_chan, &s);
	CU_ASSERT_EQUAL(s.sent, 12);
	CU_ASSERT_EQUAL(s.full, 1);
	CU_ASSERT_EQUAL(s.dropped, 0);
	CU_ASSERT_EQUAL(s.received, 8);
	CU_ASSERT_EQUAL(log.n, 0);
	CU_ASSERT_EQUAL(bg_chan_count(late_chan), 4);
	bg_chan_free(late_chan);
	CU_ASSERT_EQUAL(log.n, 4);
}

static void
test_bad_conf(void)
{
	struct drop_log log = { 0 };
	struct bg_chan_conf good = {
		.name = "t_conf", .kind = BG_CHAN_MPSC, .size = 16,
		.socket = SOCKET_ID_ANY, .full = BG_CHAN_FULL_DROP,
		.drop = drop_count, .drop_arg = &log,
	};
	struct bg_chan_conf bad[8];
	char long_name[RTE_RING_NAMESIZE + 1];
	struct bg_chan *c;
	unsigned i;

	memset(long_name, 'x', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	for (i = 0; i < RTE_DIM(bad); i++)
		bad[i] = good;
	bad[0].name = NULL;
	bad[1].size = 0;
	bad[2].kind = (enum bg_chan_kind)7;
	bad[3].full = (enum bg_chan_full)7;
	bad[4].full = BG_CHAN_FULL_RETRY;   /* with 0 retries */
	bad[5].drop = NULL;
	bad[6].name = long_name;
	bad[7].size = RTE_RING_SZ_MASK / 2 + 1;

	rte_errno = 0;
	CU_ASSERT_PTR_NULL(bg_chan_create(NULL));
	CU_ASSERT_EQUAL(rte_errno, EINVAL);
	for (i = 0; i < RTE_DIM(bad); i++) {
		rte_errno = 0;
		CU_ASSERT_PTR_NULL(bg_chan_create(&bad[i]));
		CU_ASSERT_EQUAL(rte_errno, EINVAL);
	}

	c = bg_chan_create(&good);
	CU_ASSERT_FATAL(c != NULL);
	rte_errno = 0;
	CU_ASSERT_PTR_NULL(bg_chan_create(&good));
	CU_ASSERT_EQUAL(rte_errno, EEXIST);
	bg_chan_free(c);
	/* The name is free again once the channel is. */
	c = bg_chan_create(&good);
	CU_ASSERT_PTR_NOT_NULL(c);
	bg_chan_free(c);
	CU_ASSERT_EQUAL(log.n, 0);
}

/* Drain and free hand what is queued to the callback, counted as dropped. */
static void
test_drain_free_counts(void)
{
	struct drop_log log = { 0 };
	struct bg_chan_stats s;
	struct bg_chan *c;
	void *objs[8];

	c = chan_new("t_drain", BG_CHAN_SPSC, 8, BG_CHAN_FULL_DROP, 0, &log);
	CU_ASSERT_FATAL(c != NULL);
	for (unsigned i = 0; i < 8; i++)
		objs[i] = VAL(0, i + 1);
	CU_ASSERT_EQUAL(bg_chan_spsc_send_burst(c, objs, 5), 5);
	CU_ASSERT_EQUAL(bg_chan_drain(c), 5);
	CU_ASSERT_EQUAL(bg_chan_count(c), 0);
	CU_ASSERT_EQUAL(log.n, 5);
	CU_ASSERT_EQUAL(memcmp(log.objs, objs, 5 * sizeof(void *)), 0);
	bg_chan_stats_get(c, &s);
	CU_ASSERT_EQUAL(s.sent, 5);
	CU_ASSERT_EQUAL(s.dropped, 5);
	CU_ASSERT_EQUAL(s.full, 0);
	CU_ASSERT_EQUAL(bg_chan_drain(c), 0);

	CU_ASSERT_EQUAL(bg_chan_spsc_send_burst(c, objs + 5, 3), 3);
	bg_chan_free(c);
	CU_ASSERT_EQUAL(log.n, 8);
	CU_ASSERT_EQUAL(memcmp(log.objs + 5, objs + 5, 3 * sizeof(void *)), 0);
	bg_chan_free(NULL);
}

/* With real mbufs and bg_chan_drop_mbufs, every mbuf returns to its pool. */
static void
test_free_mbufs(void)
{
	struct bg_chan_conf conf = {
		.name = "t_mbuf", .kind = BG_CHAN_MPMC, .size = 16,
		.socket = SOCKET_ID_ANY, .full = BG_CHAN_FULL_DROP,
		.drop = bg_chan_drop_mbufs,
	};
	struct rte_mbuf *m[40];
	struct rte_mempool *mp;
	struct bg_chan_stats s;
	struct bg_chan *c;

	mp = rte_pktmbuf_pool_create("t_chan_pool", 63, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	CU_ASSERT_FATAL(mp != NULL);
	c = bg_chan_create(&conf);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_FATAL(rte_pktmbuf_alloc_bulk(mp, m, 40) == 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(mp), 40);

	CU_ASSERT_EQUAL(bg_chan_mpmc_send_burst(c, (void **)m, 40), 16);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(mp), 16);
	bg_chan_stats_get(c, &s);
	CU_ASSERT_EQUAL(s.dropped, 24);

	bg_chan_free(c);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(mp), 0);
	rte_mempool_free(mp);
}

/* A thread that is not an EAL lcore counts in the spare slot. */
static void *
non_eal_sender(void *arg)
{
	void *objs[3] = { VAL(0, 1), VAL(0, 2), VAL(0, 3) };

	return (void *)(uintptr_t)bg_chan_mpsc_send_burst(arg, objs, 3);
}

static void
test_non_eal_thread(void)
{
	struct drop_log log = { 0 };
	struct bg_chan_stats s;
	struct bg_chan *c;
	pthread_t t;
	void *ret;

	c = chan_new("t_noneal", BG_CHAN_MPSC, 2, BG_CHAN_FULL_DROP, 0, &log);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_FATAL(pthread_create(&t, NULL, non_eal_sender, c) == 0);
	pthread_join(t, &ret);
	CU_ASSERT_EQUAL((uintptr_t)ret, 2);
	CU_ASSERT_EQUAL(c->stats[RTE_MAX_LCORE].sent, 2);
	CU_ASSERT_EQUAL(c->stats[RTE_MAX_LCORE].dropped, 1);
	bg_chan_stats_get(c, &s);
	CU_ASSERT_EQUAL(s.sent, 2);
	CU_ASSERT_EQUAL(s.full, 1);
	CU_ASSERT_EQUAL(s.dropped, 1);
	CU_ASSERT_EQUAL(s.hwm, 2);
	bg_chan_free(c);
}

int
main(void)
{
	static const struct bg_test_case tests[] = {
		{ "mpsc_contention", test_mpsc_contention },
		{ "mpmc_contention", test_mpmc_contention },
		{ "spsc_order", test_spsc_order },
		{ "full_drop_counters", test_full_drop_counters },
		{ "full_retry_exhausted", test_full_retry_exhausted },
		{ "full_retry_succeeds", test_full_retry_succeeds },
		{ "bad_conf", test_bad_conf },
		{ "drain_free_counts", test_drain_free_counts },
		{ "free_mbufs", test_free_mbufs },
		{ "non_eal_thread", test_non_eal_thread },
	};
	int ret;

	if (bg_test_eal_init(LCORES, 5) != 0)
		return 1;
	ret = BG_TEST_RUN_SUITE("chan", tests);
	bg_test_eal_cleanup();
	return ret;
}
