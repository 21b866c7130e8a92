/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * hist: the log-linear latency histogram. Bucket edges tile the value range
 * with no gap or overlap and within the stated width; quantiles of known
 * sets (uniform, exponential, two spikes) come back within BG_HIST_REL_ERROR
 * of the exact order statistic; merging equals recording everything in one;
 * the maximum and minimum are exact; huge values clamp into the last bucket.
 */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/hist.h"
#include "test_helper.h"

#define N_VALUES 200000

static struct bg_hist h, h2, merged;
static uint64_t values[N_VALUES];

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The exact q-quantile as bg_hist_quantile defines it: the ceil(q n)-th
 * smallest value. */
static uint64_t
exact_quantile(const uint64_t *sorted, size_t n, double q)
{
	size_t rank = (size_t)bg_hist_rank(q, n);

	return sorted[(rank == 0 ? 1 : rank) - 1];
}

static void
check_quantiles(const char *what, size_t n)
{
	static const double qs[] = { 0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 0.9999 };

	qsort(values, n, sizeof(values[0]), cmp_u64);
	for (size_t k = 0; k < RTE_DIM(qs); k++) {
		uint64_t want = exact_quantile(values, n, qs[k]);
		uint64_t got = bg_hist_quantile(&h, qs[k]);
		double err = fabs((double)got - (double)want);

		/* Half a bucket, and a bucket is 1/32 of its lower edge wide;
		 * exact (one value per bucket) below 64. */
		CHECK(err <= BG_HIST_REL_ERROR * (double)want + 0.5,
		      "%s: q %.4f: got %" PRIu64 ", exact %" PRIu64 " (error %.4f%%)",
		      what, qs[k], got, want, 100.0 * err / (double)(want ? want : 1));
	}
	CHECK(bg_hist_quantile(&h, 1.0) == values[n - 1], "%s: max %" PRIu64 " != %" PRIu64,
	      what, bg_hist_quantile(&h, 1.0), values[n - 1]);
	CHECK(h.min == values[0], "%s: min %" PRIu64 " != %" PRIu64, what, h.min, values[0]);
	CHECK(h.count == n, "%s: count %" PRIu64 " != %zu", what, h.count, n);
}

static void
test_bucket_edges(void)
{
	uint64_t expect_low = 0;

	for (unsigned i = 0; i < BG_HIST_BUCKETS - 1; i++) {
		uint64_t low = bg_hist_bucket_low(i), high = bg_hist_bucket_high(i);

		CHECK(low == expect_low, "bucket %u starts at %" PRIu64 ", not %" PRIu64,
		      i, low, expect_low);
		CHECK(high > low, "bucket %u is empty", i);
		CHECK((double)(high - low) <= 2 * BG_HIST_REL_ERROR * (double)low || high - low == 1,
		      "bucket %u [%" PRIu64 ", %" PRIu64 ") wider than stated", i, low, high);
		CHECK(bg_hist_index(low) == i && bg_hist_index(high - 1) == i,
		      "values at the edges of bucket %u map elsewhere (%u, %u)", i,
		      bg_hist_index(low), bg_hist_index(high - 1));
		expect_low = high;
	}
	/* The last bucket takes the top of the range and everything past it. */
	CHECK(expect_low == bg_hist_bucket_low(BG_HIST_BUCKETS - 1),
	      "the last bucket starts at %" PRIu64 ", not %" PRIu64,
	      bg_hist_bucket_low(BG_HIST_BUCKETS - 1), expect_low);
	CHECK(bg_hist_index((UINT64_C(1) << BG_HIST_MAX_BITS) - 1) == BG_HIST_BUCKETS - 1,
	      "the top of the range is not in the last bucket");
	CHECK(bg_hist_index(UINT64_MAX) == BG_HIST_BUCKETS - 1, "UINT64_MAX not in the last bucket");
}

static void
test_empty(void)
{
	bg_hist_reset(&h);
	CHECK(bg_hist_quantile(&h, 0.5) == 0, "empty median is not 0");
	CHECK(bg_hist_quantile(&h, 1.0) == 0, "empty max is not 0");
	CHECK(bg_hist_mean(&h) == 0.0, "empty mean is not 0");
}

static void
test_small_exact(void)
{
	bg_hist_reset(&h);
	for (uint64_t v = 1; v <= 50; v++)
		bg_hist_record(&h, v);
	/* One bucket per value below 64: quantiles are exact. */
	CHECK(bg_hist_quantile(&h, 0.5) == 25, "median of 1..50 is %" PRIu64, bg_hist_quantile(&h, 0.5));
	CHECK(bg_hist_quantile(&h, 0.9) == 45, "p90 of 1..50 is %" PRIu64, bg_hist_quantile(&h, 0.9));
	CHECK(bg_hist_quantile(&h, 0.02) == 1, "p2 of 1..50 is %" PRIu64, bg_hist_quantile(&h, 0.02));
	/* 0.14 * 50 is 7.000000000000001 in doubles: still the 7th value. */
	CHECK(bg_hist_quantile(&h, 0.14) == 7, "p14 of 1..50 is %" PRIu64, bg_hist_quantile(&h, 0.14));
	CHECK(bg_hist_rank(0.07, 100) == 7 && bg_hist_rank(0.071, 100) == 8 &&
	      bg_hist_rank(1.0, 3) == 3 && bg_hist_rank(0.5, 3) == 2, "ranks");
	CHECK(fabs(bg_hist_mean(&h) - 25.5) < 1e-9, "mean of 1..50 is %f", bg_hist_mean(&h));
}

static void
test_uniform(void)
{
	uint64_t s = 88172645463325252ull;

	bg_hist_reset(&h);
	for (size_t i = 0; i < N_VALUES; i++) {
		values[i] = 100 + xorshift(&s) % 1000000;
		bg_hist_record(&h, values[i]);
	}
	check_quantiles("uniform", N_VALUES);
}

static void
test_exponential(void)
{
	uint64_t s = 0x9e3779b97f4a7c15ull;

	bg_hist_reset(&h);
	for (size_t i = 0; i < N_VALUES; i++) {
		double u = ((double)(xorshift(&s) >> 11) + 1.0) / 9007199254740993.0;

		values[i] = (uint64_t)(-log(u) * 25000.0);
		bg_hist_record(&h, values[i]);
	}
	check_quantiles("exponential", N_VALUES);
}

static void
test_spikes(void)
{
	/* 99% at 1000, 1% at 3,000,000: p99 is the low spike, p99.9 the high. */
	bg_hist_reset(&h);
	for (size_t i = 0; i < 100000; i++) {
		values[i] = i % 100 == 0 ? 3000000 : 1000;
		bg_hist_record(&h, values[i]);
	}
	check_quantiles("spikes", 100000);
	CHECK(fabs((double)bg_hist_quantile(&h, 0.99) - 1000) <= 1000 * BG_HIST_REL_ERROR,
	      "p99 %" PRIu64, bg_hist_quantile(&h, 0.99));
	CHECK(fabs((double)bg_hist_quantile(&h, 0.995) - 3e6) <= 3e6 * BG_HIST_REL_ERROR,
	      "p99.5 %" PRIu64, bg_hist_quantile(&h, 0.995));
}

static void
test_merge(void)
{
	uint64_t s = 12345;

	bg_hist_reset(&h);
	bg_hist_reset(&h2);
	bg_hist_reset(&merged);
	for (size_t i = 0; i < N_VALUES; i++) {
		uint64_t v = xorshift(&s) % 5000000;

		bg_hist_record(i % 3 ? &h : &h2, v);
		bg_hist_record(&merged, v);
	}
	bg_hist_merge(&h, &h2);
	CHECK(memcmp(&h, &merged, sizeof(h)) == 0, "merged histogram differs from one fed everything");
}

static void
test_huge(void)
{
	bg_hist_reset(&h);
	bg_hist_record(&h, 10);
	bg_hist_record(&h, UINT64_C(1) << 50);
	CHECK(h.bucket[BG_HIST_BUCKETS - 1] == 1, "2^50 not in the last bucket");
	CHECK(bg_hist_quantile(&h, 1.0) == UINT64_C(1) << 50, "max of a clamped value not exact");
	CHECK(bg_hist_quantile(&h, 0.99) == UINT64_C(1) << 50, "p99 of a clamped value is %" PRIu64,
	      bg_hist_quantile(&h, 0.99));
	CHECK(bg_hist_quantile(&h, 0.5) == 10, "median is %" PRIu64, bg_hist_quantile(&h, 0.5));
}

static const struct bg_test_case tests[] = {
	{ "bucket edges tile the range within the stated width", test_bucket_edges },
	{ "an empty histogram reads 0", test_empty },
	{ "small values are exact", test_small_exact },
	{ "uniform values: quantiles within the error", test_uniform },
	{ "exponential values: quantiles within the error", test_exponential },
	{ "two spikes: p99 and p99.5 land on each", test_spikes },
	{ "merge equals recording everything in one", test_merge },
	{ "values past the range clamp, max stays exact", test_huge },
};

int
main(void)
{
	return BG_TEST_RUN_SUITE("hist", tests);
}
