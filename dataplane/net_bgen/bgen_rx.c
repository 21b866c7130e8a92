/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_bgen RX: packets generated when a queue is polled.
 *
 * Each RX queue carries its part of the port's arrival process (the port's
 * rate times its weight: its share, or its part of the flows in RSS mode).
 * Nothing runs between polls: a poll first brings the schedule up to the
 * clock, putting each arrival's stamp in the emulated descriptor ring while
 * there is room and counting the rest as missed, then turns the oldest
 * stamps into packets. One clock read per burst; the stamps come from the
 * schedule.
 *
 * - const: arrival j at t0 + floor(j * hz / rate_q) cycles, kept exactly
 *   with integers (quotient and remainder); a stall is skipped in closed
 *   form, so imissed is exact.
 * - poisson: exponential inter-arrival times from a table (no libm on the
 *   fast path); a stall's missed arrivals are drawn one by one when they
 *   are few, else their number is drawn at once (see bgen_miss_poisson()).
 * - rate 0: every poll gets a full burst stamped with the poll's time.
 *
 * The burst functions are specialised at compile time on the arrival kind
 * and on whether all frames have one size (final templates, nothing to
 * patch), and picked once at dev_start.
 */
#include <math.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_memcpy.h>
#include <rte_prefetch.h>
#include <rte_udp.h>

#include <ethdev_driver.h>

#include "bgen.h"

/* Zeros to write over the flow's sums in a frame. */
static const uint8_t bgen_zero[16] __rte_aligned(16);

/* ln(1 + i / BGEN_LN_TAB), i = 0..BGEN_LN_TAB, for exponential draws. */
#define BGEN_LN_TAB_BITS 10
#define BGEN_LN_TAB (1u << BGEN_LN_TAB_BITS)
static double bgen_ln_tab[BGEN_LN_TAB + 1];

RTE_INIT(bgen_ln_tab_init)
{
	for (unsigned i = 0; i <= BGEN_LN_TAB; i++)
		bgen_ln_tab[i] = log1p((double)i / BGEN_LN_TAB);
}

/*
 * An exponential variate of mean 1 from 64 random bits r, read as
 * U = r / 2^64 = 2^-(e+1) * (1 + frac) with e the leading zeros of r:
 * -ln U = (e + 1) ln 2 - ln(1 + frac), the last term from the table with
 * linear interpolation (error below 2e-7). No division, no libm.
 */
static inline double
bgen_expo(uint64_t r)
{
	unsigned e = r != 0 ? (unsigned)__builtin_clzll(r) : 63;
	uint64_t frac = (r << e) << 1;      /* the bits after the leading one */
	unsigned i = (unsigned)(frac >> (64 - BGEN_LN_TAB_BITS));
	double f = (double)((frac << BGEN_LN_TAB_BITS) >> 32) * 0x1p-32;
	double lo = bgen_ln_tab[i];

	return (double)(e + 1) * M_LN2 - (lo + (bgen_ln_tab[i + 1] - lo) * f);
}

void
bgen_rxq_restart(struct bgen_rxq *q, const struct bgen_conf *conf, uint64_t hz, uint64_t t0)
{
	q->t0 = t0;
	q->head = 0;
	q->occ = 0;
	/* Seeds from seed= and the queue, not the port: two ports with the
	 * same devargs give the same packets. */
	q->rng_pkt = bgen_mix64(conf->seed ^ bgen_mix64(2u * q->queue_id + 1));
	q->rng_arr = bgen_mix64(conf->seed ^ bgen_mix64(2u * q->queue_id + 2));
	q->left = q->quota;
	q->j = 0;
	q->rate = 0;
	if (conf->rate == 0 || q->weight_num == 0)
		return;
	/* Interval hz * den / (rate * num) cycles: hz <= 2^40 and den <= 2^16;
	 * rate <= 10^10 and num <= 2^16, so both fit in 64 bits. */
	q->per_num = hz * q->weight_den;
	q->per_den = conf->rate * q->weight_num;
	q->per_q = q->per_num / q->per_den;
	q->per_rem = q->per_num % q->per_den;
	q->next = q->per_q;                 /* arrival 1 */
	q->acc = q->per_rem;
	q->mean = (double)q->per_num / (double)q->per_den;
	q->next_d = q->mean * bgen_expo(bgen_rand(&q->rng_arr));
	q->rate = (double)conf->rate * q->weight_num / q->weight_den;
}

void
bgen_rxq_apply_reset(struct bgen_rxq *q)
{
	memset(&q->c, 0, sizeof(q->c));
	/* Pairs with the acquire load in bgen_reset_pending(). */
	__atomic_store_n(&q->reset_seen, __atomic_load_n(&q->reset_gen, __ATOMIC_RELAXED),
			 __ATOMIC_RELEASE);
}

static __rte_always_inline void
bgen_rx_check_reset(struct bgen_rxq *q)
{
	if (unlikely(__atomic_load_n(&q->reset_gen, __ATOMIC_RELAXED) != q->reset_seen))
		bgen_rxq_apply_reset(q);
}

/* Const: the ring is full and arrival j + 1 is due by e (cycles after t0):
 * count every arrival due by e as missed, and jump past them. */
static void __rte_noinline
bgen_miss_const(struct bgen_rxq *q, uint64_t e)
{
	/* Last arrival due: the largest j with floor(j * num / den) <= e. */
	__uint128_t last = (((__uint128_t)e + 1) * q->per_den - 1) / q->per_num;
	uint64_t n = (uint64_t)last - q->j;
	__uint128_t x;

	if (n > q->left)
		n = q->left;
	q->j += n;
	q->left -= n;
	q->c.missed += n;
	q->c.offered += n;
	x = (__uint128_t)(q->j + 1) * q->per_num;
	q->next = (uint64_t)(x / q->per_den);
	q->acc = (uint64_t)(x % q->per_den);
}

/* A standard normal variate (Box-Muller): for stalls only, not per packet. */
static double
bgen_normal(uint64_t *rng)
{
	double u1 = (double)((bgen_rand(rng) >> 11) + 1) * 0x1p-53;   /* (0, 1] */
	double u2 = (double)(bgen_rand(rng) >> 11) * 0x1p-53;

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/*
 * Poisson: the ring is full and an arrival is due by e. It is missed, and
 * so are the Poisson(lambda) arrivals in the rest of the stall, lambda its
 * length over the mean interval. Up to BGEN_POISSON_MISS_LAMBDA they are
 * drawn one by one (exact); beyond, their number is drawn from the normal
 * approximation N(lambda, lambda) and the process restarts at e, which a
 * Poisson process allows (it is memoryless). So a poll costs at most about
 * BGEN_POISSON_MISS_LAMBDA draws, however long the stall.
 */
static void __rte_noinline
bgen_miss_poisson(struct bgen_rxq *q, double e)
{
	const double lambda = (e - q->next_d) / q->mean;
	uint64_t n = 0;

	if (lambda <= BGEN_POISSON_MISS_LAMBDA)
		while (q->next_d <= e && n < q->left && n < BGEN_POISSON_MISS_LOOP) {
			n++;
			q->next_d += q->mean * bgen_expo(bgen_rand(&q->rng_arr));
		}
	if (q->next_d <= e && n < q->left) {
		const double rest = (e - q->next_d) / q->mean;
		double x = rest + sqrt(rest) * bgen_normal(&q->rng_arr);
		uint64_t more = 1 + (x > 0 ? (uint64_t)(x + 0.5) : 0);

		n += RTE_MIN(more, q->left - n);
		q->next_d = e + q->mean * bgen_expo(bgen_rand(&q->rng_arr));
	}
	q->left -= n;
	q->c.missed += n;
	q->c.offered += n;
}

/* Bring q's schedule up to the clock reading now. */
static __rte_always_inline void
bgen_arrive(struct bgen_rxq *q, uint64_t now, const bool poisson)
{
	/* Locals: the stamp stores could alias the queue's 64-bit fields. */
	const uint32_t mask = q->ring_mask;
	const uint64_t t0 = q->t0;
	uint64_t e = now - t0, *ring = q->ring;
	uint32_t occ = q->occ, tail, room;
	uint64_t left = q->left, pushed = 0;

	if (unlikely((int64_t)e < 0))       /* a test clock set back: nothing due */
		return;
	if (poisson ? q->next_d > (double)e : q->next > e)
		return;
	room = q->nb_desc - occ;
	tail = (q->head + occ) & mask;
	if (poisson) {
		const double ed = (double)e, mean = q->mean;
		double next = q->next_d;
		uint64_t rng = q->rng_arr;

		while (next <= ed && pushed < room && pushed < left) {
			ring[tail] = t0 + (uint64_t)next;
			tail = (tail + 1) & mask;
			pushed++;
			next += mean * bgen_expo(bgen_rand(&rng));
		}
		q->next_d = next;
		q->rng_arr = rng;
	} else {
		const uint64_t per_q = q->per_q, per_rem = q->per_rem, den = q->per_den;
		uint64_t next = q->next, acc = q->acc;

		while (next <= e && pushed < room && pushed < left) {
			ring[tail] = t0 + next;
			tail = (tail + 1) & mask;
			pushed++;
			next += per_q;
			acc += per_rem;
			if (acc >= den) {
				acc -= den;
				next++;
			}
		}
		q->next = next;
		q->acc = acc;
		q->j += pushed;
	}
	q->occ = occ + (uint32_t)pushed;
	q->left = left - pushed;
	q->c.offered += pushed;
	if (q->occ == q->nb_desc && q->left != 0) {
		if (poisson && q->next_d <= (double)e)
			bgen_miss_poisson(q, (double)e);
		else if (!poisson && q->next <= e)
			bgen_miss_const(q, e);
	}
}

/*
 * What writing packets needs from the queue, copied to locals for a burst:
 * the mbuf stores could alias the queue, so the compiler would reload its
 * fields for every packet.
 */
struct bgen_gen {
	const struct bgen_flow *flows;
	const struct bgen_size *size;
	uint64_t rng;
	uint64_t ol_flags;
	uint32_t nb_flows;
	uint32_t nb_size;
	uint32_t packet_type;
	int ts_off;
	uint16_t port_id;
};

static __rte_always_inline void
bgen_gen_load(struct bgen_gen *g, const struct bgen_rxq *q)
{
	g->flows = q->flows;
	g->size = q->size;
	g->rng = q->rng_pkt;
	g->ol_flags = q->ol_flags;
	g->nb_flows = q->nb_flows;
	g->nb_size = q->nb_size;
	g->packet_type = q->packet_type;
	g->ts_off = q->ts_off;
	g->port_id = q->port_id;
}

/* Write one packet of flow f into m, stamped stamp; r picks its size.
 * Returns its length. */
static __rte_always_inline uint32_t
bgen_fill(const struct bgen_gen *g, struct rte_mbuf *m, const struct bgen_flow *f, uint32_t r,
	  uint64_t stamp, const bool fixed)
{
	const struct bgen_size *s = fixed ? &g->size[0] : &g->size[bgen_pick(r, g->nb_size)];
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);

	rte_mov64(p, (const uint8_t *)f);
	rte_mov16(p + BGEN_HDR_LEN, bgen_zero);     /* over the flow's sums */
	if (!fixed) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(p + sizeof(struct rte_ether_hdr));
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

		ip->total_length = s->ip_len;
		ip->hdr_checksum = bgen_ip_csum(f, s);
		udp->dgram_len = s->udp_len;
		udp->dgram_cksum = bgen_udp_csum(f, s);
	}
	if (s->tail != 0)
		memset(p + BGEN_TMPL_LEN, 0, s->tail);
	m->data_len = s->len;
	m->pkt_len = s->len;
	m->port = g->port_id;
	m->ol_flags |= g->ol_flags;
	m->packet_type = g->packet_type;
	m->hash.rss = f->rss;
	*RTE_MBUF_DYNFIELD(m, g->ts_off, uint64_t *) = stamp;
	return s->len;
}

/*
 * Write n packets into bufs: stamped now, or (paced) with the stamps at
 * ring[head..]. With many flows (templates beyond the L1 cache) in chunks:
 * first every packet's draw and a prefetch of its flow, then the packets,
 * so that the misses overlap; with few, straight through, which is cheaper
 * when the templates are in cache. Chosen per burst.
 */
#define BGEN_CHUNK 32
#define BGEN_PREFETCH_FLOWS 512         /* 32 KiB of templates */
static __rte_always_inline uint64_t
bgen_fill_all(struct bgen_gen *g, struct rte_mbuf **bufs, uint16_t n, uint64_t now,
	      const uint64_t *ring, uint32_t head, uint32_t mask, const bool paced,
	      const bool fixed)
{
	uint64_t bytes = 0;

	if (g->nb_flows < BGEN_PREFETCH_FLOWS) {
		for (uint16_t i = 0; i < n; i++) {
			const uint64_t r = bgen_rand(&g->rng);

			bytes += bgen_fill(g, bufs[i], &g->flows[bgen_pick((uint32_t)r, g->nb_flows)],
					   (uint32_t)(r >> 32),
					   paced ? ring[(head + i) & mask] : now, fixed);
		}
		return bytes;
	}
	for (uint16_t base = 0; base < n; base += BGEN_CHUNK) {
		const uint16_t k = (uint16_t)RTE_MIN(n - base, BGEN_CHUNK);
		const struct bgen_flow *f[BGEN_CHUNK];
		uint32_t rs[BGEN_CHUNK];

		for (uint16_t i = 0; i < k; i++) {
			const uint64_t r = bgen_rand(&g->rng);

			f[i] = &g->flows[bgen_pick((uint32_t)r, g->nb_flows)];
			rs[i] = (uint32_t)(r >> 32);
			rte_prefetch0(f[i]);
		}
		for (uint16_t i = 0; i < k; i++)
			bytes += bgen_fill(g, bufs[base + i], f[i], rs[i],
					   paced ? ring[(head + base + i) & mask] : now, fixed);
	}
	return bytes;
}

/* Rate 0: a full burst at every poll (fewer at the end of count=). */
static __rte_always_inline uint16_t
bgen_rx_unpaced(struct bgen_rxq *q, struct rte_mbuf **bufs, uint16_t nb, const bool fixed)
{
	struct bgen_gen g;
	uint64_t now, bytes;

	bgen_rx_check_reset(q);
	if (unlikely(q->left < nb)) {
		nb = (uint16_t)q->left;
		if (nb == 0)
			return 0;
	}
	if (unlikely(rte_pktmbuf_alloc_bulk(q->mp, bufs, nb) != 0)) {
		q->c.nombuf += nb;
		return 0;
	}
	now = q->now(q->now_arg);
	bgen_gen_load(&g, q);
	bytes = bgen_fill_all(&g, bufs, nb, now, NULL, 0, 0, false, fixed);
	q->rng_pkt = g.rng;
	q->left -= nb;
	q->c.offered += nb;
	q->c.packets += nb;
	q->c.bytes += bytes;
	return nb;
}

/* Paced: what the schedule put in the ring, oldest first. */
static __rte_always_inline uint16_t
bgen_rx_paced(struct bgen_rxq *q, struct rte_mbuf **bufs, uint16_t nb, const bool poisson,
	      const bool fixed)
{
	const uint32_t mask = q->ring_mask;
	const uint64_t *ring = q->ring;
	struct bgen_gen g;
	uint64_t bytes;
	uint32_t head;
	uint16_t n;

	bgen_rx_check_reset(q);
	bgen_arrive(q, q->now(q->now_arg), poisson);
	n = (uint16_t)RTE_MIN((uint32_t)nb, q->occ);
	if (n == 0)
		return 0;
	if (unlikely(rte_pktmbuf_alloc_bulk(q->mp, bufs, n) != 0)) {
		/* They stay in the ring, as on a NIC out of buffers. */
		q->c.nombuf += n;
		return 0;
	}
	head = q->head;
	bgen_gen_load(&g, q);
	bytes = bgen_fill_all(&g, bufs, n, 0, ring, head, mask, true, fixed);
	q->rng_pkt = g.rng;
	q->head = (head + n) & mask;
	q->occ -= n;
	q->c.packets += n;
	q->c.bytes += bytes;
	return n;
}

#define BGEN_RX_FN(name, body)                                                 \
	static uint16_t name(void *qp, struct rte_mbuf **bufs, uint16_t nb)    \
	{                                                                      \
		return body;                                                   \
	}

BGEN_RX_FN(bgen_rx_unpaced_fixed, bgen_rx_unpaced(qp, bufs, nb, true))
BGEN_RX_FN(bgen_rx_unpaced_mixed, bgen_rx_unpaced(qp, bufs, nb, false))
BGEN_RX_FN(bgen_rx_const_fixed, bgen_rx_paced(qp, bufs, nb, false, true))
BGEN_RX_FN(bgen_rx_const_mixed, bgen_rx_paced(qp, bufs, nb, false, false))
BGEN_RX_FN(bgen_rx_poisson_fixed, bgen_rx_paced(qp, bufs, nb, true, true))
BGEN_RX_FN(bgen_rx_poisson_mixed, bgen_rx_paced(qp, bufs, nb, true, false))

void
bgen_rx_select(struct rte_eth_dev *dev)
{
	const struct bgen_port *p = dev->data->dev_private;
	const bool fixed = p->conf.nb_size == 1;

	if (p->conf.rate == 0)
		dev->rx_pkt_burst = fixed ? bgen_rx_unpaced_fixed : bgen_rx_unpaced_mixed;
	else if (p->conf.poisson)
		dev->rx_pkt_burst = fixed ? bgen_rx_poisson_fixed : bgen_rx_poisson_mixed;
	else
		dev->rx_pkt_burst = fixed ? bgen_rx_const_fixed : bgen_rx_const_mixed;
}
