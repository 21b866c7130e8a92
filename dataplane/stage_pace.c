/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pace: a token-bucket rate limit per egress port (--rate-mbps or
 * --rate-pps). A packet that finds tokens goes on at once; one that does not
 * waits, as a task on the worker's timer wheel, until the tokens it needs
 * will have accrued, keeping its place in line. At most --pace-queue packets
 * wait per port; more are dropped as pace_queue.
 *
 * Each worker has its own buckets and paces its share of the port's rate
 * (rate / workers), so the limit needs no shared state: with RSS the share
 * follows the flows a worker gets.
 *
 * Tokens are kept in units of 1/hz (hz = TSC cycles per second), so accrual
 * is one multiply: credit += elapsed_cycles * rate, with rate in bytes (or
 * packets) per second. Credit goes negative while packets wait: the debt says
 * when the last of them may leave.
 *
 * Time is x->now and nothing else: the stage reads no clock of its own (not
 * even at set-up), so a test can drive it on a synthetic clock
 * (tests/test_stages_pace.c).
 */
#include <rte_cycles.h>
#include <rte_malloc.h>

#include "dataplane/stage.h"

#define PACE_WAITING 1             /* task flag: waited for tokens */
#define PACE_MAX_DEPTH (1u << 26)  /* keeps depth * hz well inside int64;
				    * debt stops at INT64_MIN / 2 */

struct pace_bucket {
	int64_t credit;            /* tokens x hz; negative: debt of waiters */
	uint64_t last;             /* x->now of the last accrual; 0 before the
				    * first, which finds the bucket full */
	uint32_t waiting;          /* packets suspended here */
};

struct pace_stage {
	uint64_t rate;             /* tokens per second (this worker's share) */
	int64_t depth;             /* bucket depth, tokens x hz */
	int64_t hz;
	bool bytes;                /* a token is a byte (Mbps) or a packet (pps) */
	uint32_t queue;            /* --pace-queue */
	struct pace_bucket bucket[RTE_MAX_ETHPORTS];
};

static bool
pace_wanted(const struct bg_config *cfg)
{
	return cfg->rate_mbps > 0 || cfg->rate_pps > 0;
}

static inline void
pace_accrue(const struct pace_stage *p, struct pace_bucket *b, uint64_t now)
{
	uint64_t elapsed = now - b->last;

	b->last = now;
	/* Past the point where the bucket is full, time adds nothing. */
	if (elapsed >= (uint64_t)(p->depth - b->credit) / p->rate + 1)
		b->credit = p->depth;
	else
		b->credit += (int64_t)(elapsed * p->rate);
	if (b->credit > p->depth)
		b->credit = p->depth;
}

/* The burst, specialised on the unit of a token (no test per packet). */
static __rte_always_inline uint16_t
pace_burst(struct bg_exec *x, struct pace_stage *p, struct pace_bucket *b,
	   struct rte_mbuf **pkts, uint16_t n, const bool bytes)
{
	uint16_t kept = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		const int64_t cost = (bytes ? (int64_t)rte_pktmbuf_pkt_len(m) : 1) * p->hz;

		if (b->waiting == 0 && b->credit >= cost) {
			b->credit -= cost;
			pkts[kept++] = m;
			continue;
		}
		/* A full line, or a debt that would overflow (huge frames times
		 * a long queue), turns the packet away. */
		if (b->waiting >= p->queue || b->credit - INT64_MIN / 2 < cost) {
			bg_exec_drop(x, m, BG_DROP_PACE_QUEUE);
			continue;
		}
		b->credit -= cost;
		/* Leave when the debt, this packet's included, is paid. */
		/* With waiters overdue the bucket may be in credit still: then
		 * the packet leaves at the next tick, behind them. */
		if (bg_exec_suspend_until(x, m, x->now + (b->credit < 0 ?
					  (uint64_t)(-b->credit) / p->rate + 1 : 0),
					  x->stage, PACE_WAITING) == 0)
			b->waiting++;
		else
			b->credit += cost;         /* dropped: no task */
	}
	return kept;
}

static uint16_t
stage_pace(struct bg_exec *x, void *data, struct rte_mbuf **pkts, uint16_t n)
{
	struct pace_stage *p = data;
	struct pace_bucket *b = &p->bucket[x->out_port];

	/* A packet back from waiting has paid already: it goes on. */
	if (x->resumed != NULL && (x->resumed->flags & 0xff) == PACE_WAITING) {
		b->waiting--;
		return n;
	}
	pace_accrue(p, b, x->now);
	return p->bytes ? pace_burst(x, p, b, pkts, n, true)
			: pace_burst(x, p, b, pkts, n, false);
}

static int
pace_init(void **data, const struct bg_stage_env *env)
{
	const struct bg_config *cfg = env->cfg;
	struct pace_stage *p = rte_zmalloc_socket("bg_stage_pace", sizeof(*p),
						  RTE_CACHE_LINE_SIZE, env->socket);
	double rate, depth;

	if (p == NULL)
		return -ENOMEM;
	p->bytes = cfg->rate_mbps > 0;
	rate = p->bytes ? cfg->rate_mbps * 1e6 / 8 : cfg->rate_pps;
	depth = p->bytes ? cfg->burst_bytes : cfg->burst_pkts;
	if (depth > PACE_MAX_DEPTH)
		depth = PACE_MAX_DEPTH;
	p->rate = (uint64_t)(rate / env->nb_workers);
	if (p->rate == 0)
		p->rate = 1;
	p->hz = (int64_t)rte_get_tsc_hz();
	p->depth = (int64_t)depth * p->hz;
	p->queue = cfg->pace_queue;
	/* Start full. last = 0: however far the first packet's x->now is
	 * from it, the bucket is full then, as it was to start with. */
	for (unsigned i = 0; i < RTE_MAX_ETHPORTS; i++)
		p->bucket[i].credit = p->depth;
	*data = p;
	return 0;
}

static struct bg_stage stage_pace_def = {
	.reg = { .name = "pace", .help = "token-bucket rate limit per egress port (--rate-*)" },
	.needs_clock = true,
	.order = 30,
	.fn = stage_pace,
	.wanted = pace_wanted,
	.worker_init = pace_init,
	.worker_fini = rte_free,
};
BG_STAGE_REGISTER(stage_pace_def);
