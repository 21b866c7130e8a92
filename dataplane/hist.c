/* SPDX-License-Identifier: BSD-3-Clause */
/* Log-linear histogram: the reader's side. */
#include <math.h>

#include "dataplane/hist.h"

uint64_t
bg_hist_bucket_low(unsigned i)
{
	unsigned shift;

	if (i < 2 * BG_HIST_SUB)
		return i;            /* the first two ranges are exact */
	shift = i / BG_HIST_SUB - 1;
	return (uint64_t)(BG_HIST_SUB + i % BG_HIST_SUB) << shift;
}

uint64_t
bg_hist_bucket_high(unsigned i)
{
	unsigned shift;

	if (i < 2 * BG_HIST_SUB)
		return (uint64_t)i + 1;
	if (i == BG_HIST_BUCKETS - 1)
		return UINT64_MAX;
	shift = i / BG_HIST_SUB - 1;
	return bg_hist_bucket_low(i) + (UINT64_C(1) << shift);
}

void
bg_hist_merge(struct bg_hist *dst, const struct bg_hist *src)
{
	dst->count += src->count;
	dst->sum += src->sum;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	for (unsigned i = 0; i < BG_HIST_BUCKETS; i++)
		dst->bucket[i] += src->bucket[i];
}

uint64_t
bg_hist_rank(double q, uint64_t count)
{
	const double x = q * (double)count;
	uint64_t rank = (uint64_t)x;

	/* ceil(x), where a product a rounding error put just above a whole
	 * number (0.07 * 100 = 7.000000000000001) counts as that number. */
	if (x - (double)rank > 1e-9 * (x > 1.0 ? x : 1.0))
		rank++;
	return rank;
}

uint64_t
bg_hist_quantile(const struct bg_hist *h, double q)
{
	uint64_t rank, seen = 0, low, high, mid;

	if (h->count == 0)
		return 0;
	if (q >= 1.0)
		return h->max;
	if (q <= 0.0)
		return h->min;
	rank = bg_hist_rank(q, h->count);
	if (rank == 0)
		rank = 1;
	for (unsigned i = 0; i < BG_HIST_BUCKETS; i++) {
		seen += h->bucket[i];
		if (seen < rank)
			continue;
		low = bg_hist_bucket_low(i);
		high = bg_hist_bucket_high(i);
		mid = i == BG_HIST_BUCKETS - 1 ? h->max : low + (high - 1 - low) / 2;
		if (mid < h->min)
			mid = h->min;
		if (mid > h->max)
			mid = h->max;
		return mid;
	}
	return h->max;   /* counts read mid-update: the max is the safe answer */
}

double
bg_hist_mean(const struct bg_hist *h)
{
	return h->count == 0 ? 0.0 : (double)h->sum / (double)h->count;
}
