/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_HIST_H
#define BG_HIST_H

/*
 * Log-linear latency histogram (the HDR histogram's layout).
 *
 * Values are unsigned integers in any unit (brigade and net_bgen record TSC
 * cycles). Values below 2^BG_HIST_SUB_BITS get a bucket each; above, every
 * power-of-two range [2^e, 2^(e+1)) is cut into 2^BG_HIST_SUB_BITS equal
 * buckets. A bucket is therefore at most 1/32 of its lower bound wide, and a
 * percentile read back as the bucket's midpoint is within
 * BG_HIST_REL_ERROR (1/64, about 1.6%) of a value that was recorded.
 * Values of 2^BG_HIST_MAX_BITS and more land in the last bucket; the exact
 * maximum is kept beside the buckets.
 *
 * One histogram has one writer: bg_hist_record() is NOT multi-writer safe.
 * Per-lcore or per-queue histograms are merged by a reader with
 * bg_hist_merge(); a reader that merges while the writer runs gets an
 * approximate result (counts read with plain loads), exact once it stopped.
 */

#include <stdint.h>
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_common.h>

#define BG_HIST_SUB_BITS 5
#define BG_HIST_SUB (1u << BG_HIST_SUB_BITS)
#define BG_HIST_MAX_BITS 44            /* 2^44 cycles: over an hour at 4 GHz */
#define BG_HIST_BUCKETS ((BG_HIST_MAX_BITS - BG_HIST_SUB_BITS + 1) * BG_HIST_SUB)
#define BG_HIST_REL_ERROR (1.0 / (2 * BG_HIST_SUB))

struct bg_hist {
	uint64_t count;                /* values recorded */
	uint64_t sum;                  /* their sum (wraps after 2^64) */
	uint64_t min;                  /* UINT64_MAX when empty */
	uint64_t max;                  /* 0 when empty */
	uint64_t bucket[BG_HIST_BUCKETS];
};

/* Bucket index of value v. */
static inline unsigned
bg_hist_index(uint64_t v)
{
	unsigned e, shift;

	if (v < BG_HIST_SUB)
		return (unsigned)v;
	if (unlikely(v >= (UINT64_C(1) << BG_HIST_MAX_BITS)))
		return BG_HIST_BUCKETS - 1;
	e = 63u - (unsigned)__builtin_clzll(v);        /* 2^e <= v < 2^(e+1) */
	shift = e - BG_HIST_SUB_BITS;
	/* (v >> shift) is in [SUB, 2 SUB): its low bits pick the sub-bucket. */
	return (shift + 1) * BG_HIST_SUB + (unsigned)((v >> shift) - BG_HIST_SUB);
}

/* Empty h. */
static inline void
bg_hist_reset(struct bg_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

/* Record one value. The histogram's one writer only. */
static inline void
bg_hist_record(struct bg_hist *h, uint64_t v)
{
	h->bucket[bg_hist_index(v)]++;
	h->count++;
	h->sum += v;
	if (v > h->max)
		h->max = v;
	if (v < h->min)
		h->min = v;
}

/* Lowest value that lands in bucket i. */
uint64_t bg_hist_bucket_low(unsigned i);

/* One past the highest value that lands in bucket i. */
uint64_t bg_hist_bucket_high(unsigned i);

/* dst += src. dst is the caller's; src may be written concurrently (the
 * result is then approximate). */
void bg_hist_merge(struct bg_hist *dst, const struct bg_hist *src);

/*
 * The value at quantile q (0 < q <= 1: 0.5 for the median, 0.99 for p99):
 * the midpoint of the bucket holding the ceil(q * count)-th smallest value,
 * clamped to [min, max]. q = 1 gives the exact maximum. 0 when h is empty.
 */
uint64_t bg_hist_quantile(const struct bg_hist *h, double q);

/* The rank of the q-quantile among count values, ceil(q * count), immune to
 * the product's rounding. */
uint64_t bg_hist_rank(double q, uint64_t count);

/* Mean of the recorded values, 0 when empty. */
double bg_hist_mean(const struct bg_hist *h);

#endif /* BG_HIST_H */
