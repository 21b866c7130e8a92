/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * fwd: the forwarding functions (--fwd io, mac, macswap) on crafted bursts:
 * exact output bytes, order, runt drops and their counter, no mbuf leak.
 * Also the drop reason names.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dataplane/config.h"
#include "dataplane/counters.h"
#include "dataplane/fwd.h"
#include "eal_helper.h"
#include "test_helper.h"

#define POOL_SIZE 1023
#define MAX_FRAME 1514
#define MAX_BURST BG_BURST_MAX
#define DROPS_TX_FULL_START 100
#define DROPS_RUNT_START 200

enum kind { KIND_IO, KIND_MAC, KIND_MACSWAP };

static struct rte_mempool *pool;
static struct bg_fwd_ctx ctx;

/* Byte k of frame i: distinct dst and src MACs, IPv4 ethertype, a pattern. */
static uint8_t
frame_byte(unsigned i, unsigned k)
{
	static const uint8_t hdr[RTE_ETHER_HDR_LEN] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x00,     /* dst, last byte = i */
		0x00, 0xa1, 0xb2, 0xc3, 0xd4, 0x80,     /* src, last byte = 0x80 + i */
		0x08, 0x00,
	};

	if (k == 5)
		return (uint8_t)i;
	if (k == 11)
		return (uint8_t)(0x80 + i);
	if (k < RTE_ETHER_HDR_LEN)
		return hdr[k];
	return (uint8_t)(k * 31 + i * 7 + 1);
}

/* A one-segment frame of len bytes starting shift bytes after the headroom. */
static struct rte_mbuf *
make_frame(unsigned i, uint16_t len, uint16_t shift)
{
	struct rte_mbuf *m = bg_test_mbuf_new(pool, (uint16_t)(shift + len));
	uint8_t *p;

	if (m == NULL)
		return NULL;
	p = rte_pktmbuf_mtod_offset(m, uint8_t *, shift);
	for (unsigned k = 0; k < len; k++)
		p[k] = frame_byte(i, k);
	if (shift != 0 && rte_pktmbuf_adj(m, shift) == NULL) {
		rte_pktmbuf_free(m);
		return NULL;
	}
	return m;
}

static void
fill_ctx(void)
{
	memset(&ctx, 0, sizeof(ctx));
	/* a different pair for every port, so the wrong port shows */
	for (unsigned p = 0; p < RTE_MAX_ETHPORTS; p++) {
		ctx.port[p].dst = (struct rte_ether_addr){
			{ 0x02, 0xd0, 0xd1, 0xd2, (uint8_t)p, 0x01 } };
		ctx.port[p].src = (struct rte_ether_addr){
			{ 0x02, 0x50, 0x51, 0x52, (uint8_t)p, 0x02 } };
	}
}

/* What byte k of frame i (len bytes) must be after kind on tx_port. */
static uint8_t
want_byte(enum kind kind, unsigned i, unsigned k, uint16_t tx_port)
{
	switch (kind) {
	case KIND_MAC:
		if (k < RTE_ETHER_ADDR_LEN)
			return ctx.port[tx_port].dst.addr_bytes[k];
		if (k < 2 * RTE_ETHER_ADDR_LEN)
			return ctx.port[tx_port].src.addr_bytes[k - RTE_ETHER_ADDR_LEN];
		return frame_byte(i, k);
	case KIND_MACSWAP:
		if (k < RTE_ETHER_ADDR_LEN)
			return frame_byte(i, k + RTE_ETHER_ADDR_LEN);
		if (k < 2 * RTE_ETHER_ADDR_LEN)
			return frame_byte(i, k - RTE_ETHER_ADDR_LEN);
		return frame_byte(i, k);
	case KIND_IO:
	default:
		return frame_byte(i, k);
	}
}

static const struct bg_fwd *
find_fwd(enum kind kind)
{
	static const char *const names[] = {
		[KIND_IO] = "io", [KIND_MAC] = "mac", [KIND_MACSWAP] = "macswap",
	};

	return bg_fwd_find(names[kind]);
}

/*
 * Build n frames of lens[i] bytes (data shift bytes into the buffer), run the
 * forwarding function of kind on them for tx_port, and check: the count, that
 * the survivors are the non-runts (all frames for io) in order, their exact
 * bytes and lengths, the runt counter, that runts went back to the pool, that
 * ctx was not written; then free everything and check the pool is empty.
 */
static void
run_case(int line, enum kind kind, const uint16_t *lens, uint16_t n,
	 uint16_t tx_port, uint16_t shift)
{
	const struct bg_fwd *fwd = find_fwd(kind);
	struct rte_mbuf *pkts[MAX_BURST + 1] = { NULL };
	struct rte_mbuf *orig[MAX_BURST];
	unsigned kept_idx[MAX_BURST];
	uint64_t drops[BG_DROP_MAX] = {
		[BG_DROP_TX_FULL] = DROPS_TX_FULL_START,
		[BG_DROP_RUNT] = DROPS_RUNT_START,
	};
	struct bg_fwd_ctx ctx_copy;
	uint16_t want_kept = 0, runts = 0, ret;
	bool built = true;

	CHECK_AT(line, fwd != NULL && fwd->fn != NULL, "no forwarding function");
	CHECK_AT(line, rte_mempool_in_use_count(pool) == 0, "pool not empty before the case");
	if (fwd == NULL || n > MAX_BURST)
		return;

	for (uint16_t i = 0; i < n; i++) {
		pkts[i] = orig[i] = make_frame(i, lens[i], shift);
		built &= pkts[i] != NULL;
		if (kind != KIND_IO && lens[i] < RTE_ETHER_HDR_LEN)
			runts++;
		else
			kept_idx[want_kept++] = i;
	}
	CHECK_AT(line, built, "could not build %u frames", n);
	if (!built) {
		for (uint16_t i = 0; i < n; i++)
			rte_pktmbuf_free(orig[i]);
		return;
	}
	CHECK_AT(line, rte_mempool_in_use_count(pool) == n, "pool in use %u, want %u",
		 rte_mempool_in_use_count(pool), n);
	ctx_copy = ctx;

	ret = fwd->fn(pkts, n, tx_port, &ctx, drops);

	CHECK_AT(line, ret == want_kept, "%s: returned %u of %u, want %u",
		 fwd->reg.name, ret, n, want_kept);
	CHECK_AT(line, drops[BG_DROP_RUNT] == (uint64_t)DROPS_RUNT_START + runts,
		 "%s: drops[runt] %" PRIu64 ", want %u", fwd->reg.name,
		 drops[BG_DROP_RUNT], DROPS_RUNT_START + runts);
	CHECK_AT(line, drops[BG_DROP_TX_FULL] == DROPS_TX_FULL_START,
		 "%s: drops[tx_full] written", fwd->reg.name);
	CHECK_AT(line, rte_mempool_in_use_count(pool) == want_kept,
		 "%s: pool in use %u after the burst, want %u (runts freed)",
		 fwd->reg.name, rte_mempool_in_use_count(pool), want_kept);
	CHECK_AT(line, memcmp(&ctx, &ctx_copy, sizeof(ctx)) == 0, "%s: ctx written",
		 fwd->reg.name);

	if (ret > n)
		ret = n;
	for (uint16_t k = 0; k < ret && k < want_kept; k++) {
		unsigned i = kept_idx[k];
		struct rte_mbuf *m = pkts[k];
		const uint8_t *d;
		int bad = -1;

		CHECK_AT(line, m == orig[i], "%s: out[%u] is not in[%u] (order)",
			 fwd->reg.name, k, i);
		if (m != orig[i])
			continue;
		CHECK_AT(line, rte_pktmbuf_data_len(m) == lens[i] && rte_pktmbuf_pkt_len(m) == lens[i]
			 && m->nb_segs == 1,
			 "%s: out[%u] length %u/%u, want %u", fwd->reg.name, k,
			 rte_pktmbuf_data_len(m), rte_pktmbuf_pkt_len(m), lens[i]);
		CHECK_AT(line, m->data_off == RTE_PKTMBUF_HEADROOM + shift,
			 "%s: out[%u] data_off moved", fwd->reg.name, k);
		d = rte_pktmbuf_mtod(m, const uint8_t *);
		for (unsigned b = 0; b < lens[i] && bad < 0; b++)
			if (d[b] != want_byte(kind, i, b, tx_port))
				bad = (int)b;
		CHECK_AT(line, bad < 0, "%s: out[%u] (in[%u], %u bytes) byte %d is 0x%02x, want 0x%02x",
			 fwd->reg.name, k, i, lens[i], bad, bad < 0 ? 0 : d[bad],
			 bad < 0 ? 0 : want_byte(kind, i, (unsigned)bad, tx_port));
	}

	rte_pktmbuf_free_bulk(pkts, ret);
	CHECK_AT(line, rte_mempool_in_use_count(pool) == 0, "%s: %u mbufs leaked",
		 fwd->reg.name, rte_mempool_in_use_count(pool));
}

#define RUN(kind, tx_port, shift, ...)                                         \
	do {                                                                   \
		static const uint16_t lens_[] = { __VA_ARGS__ };               \
		run_case(__LINE__, (kind), lens_, RTE_DIM(lens_), (tx_port), (shift)); \
	} while (0)

static const enum kind all_kinds[] = { KIND_IO, KIND_MAC, KIND_MACSWAP };

/* ---- lookups ----------------------------------------------------------- */

static void
test_registry(void)
{
	static const char *const names[] = { "io", "mac", "macswap" };
	const struct bg_reg_entry *e;
	char list[256];

	for (size_t i = 0; i < RTE_DIM(names); i++) {
		const struct bg_fwd *f = bg_fwd_find(names[i]);

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		CU_ASSERT_STRING_EQUAL(f->reg.name, names[i]);
		CU_ASSERT_PTR_NOT_NULL(f->fn);
		CU_ASSERT_PTR_NOT_NULL_FATAL(f->reg.help);
		CU_ASSERT(strlen(f->reg.help) > 0);
		CU_ASSERT_PTR_NULL(strchr(f->reg.help, '\n'));
	}
	CU_ASSERT_PTR_NOT_EQUAL(bg_fwd_find("mac")->fn, bg_fwd_find("macswap")->fn);
	CU_ASSERT_PTR_NOT_EQUAL(bg_fwd_find("io")->fn, bg_fwd_find("mac")->fn);
	CU_ASSERT_PTR_NULL(bg_fwd_find("bogus"));
	CU_ASSERT_PTR_NULL(bg_fwd_find(""));
	CU_ASSERT_PTR_NULL(bg_fwd_find("MAC"));
	/* in name order */
	for (e = bg_fwd_registry; e != NULL && e->next != NULL; e = e->next)
		CU_ASSERT(strcmp(e->name, e->next->name) < 0);
	bg_reg_names(bg_fwd_registry, list, sizeof(list));
	CU_ASSERT_PTR_NOT_NULL(strstr(list, "io|mac|macswap"));
}

static void
test_drop_names(void)
{
	CU_ASSERT_STRING_EQUAL(bg_drop_name(BG_DROP_TX_FULL), "tx_full");
	CU_ASSERT_STRING_EQUAL(bg_drop_name(BG_DROP_RUNT), "runt");
	CU_ASSERT_STRING_EQUAL(bg_drop_name(BG_DROP_NO_TASK), "no_task");
	CU_ASSERT_STRING_EQUAL(bg_drop_name(BG_DROP_PACE_QUEUE), "pace_queue");
	CU_ASSERT_STRING_EQUAL(bg_drop_name(BG_DROP_CHAN_FULL), "chan_full");
	CU_ASSERT_STRING_EQUAL(bg_drop_name(BG_DROP_SHUTDOWN), "shutdown");
	CU_ASSERT_EQUAL(BG_DROP_MAX, 6);
	for (int r = 0; r < BG_DROP_MAX; r++) {
		const char *name = bg_drop_name((enum bg_drop)r);
		const char *help = bg_drop_help((enum bg_drop)r);

		CU_ASSERT_PTR_NOT_NULL_FATAL(name);
		CU_ASSERT_PTR_NOT_NULL_FATAL(help);
		CU_ASSERT(strlen(name) > 0);
		CU_ASSERT(strlen(help) > strlen(name));
		CU_ASSERT_PTR_NULL(strchr(help, '\n'));
		CU_ASSERT_PTR_NULL(strchr(name, ' '));
		for (int o = 0; o < r; o++) {
			CU_ASSERT_STRING_NOT_EQUAL(name, bg_drop_name((enum bg_drop)o));
			CU_ASSERT_STRING_NOT_EQUAL(help, bg_drop_help((enum bg_drop)o));
		}
	}
	CU_ASSERT_PTR_NOT_NULL(strstr(bg_drop_help(BG_DROP_RUNT), "Ethernet header"));
	CU_ASSERT_PTR_NOT_NULL(strstr(bg_drop_help(BG_DROP_TX_FULL), "TX queue"));
	CU_ASSERT_PTR_NULL(bg_drop_name(BG_DROP_MAX));
	CU_ASSERT_PTR_NULL(bg_drop_help(BG_DROP_MAX));
	CU_ASSERT_PTR_NULL(bg_drop_name((enum bg_drop)(BG_DROP_MAX + 1)));
	CU_ASSERT_PTR_NULL(bg_drop_help((enum bg_drop)1000));
	CU_ASSERT_PTR_NULL(bg_drop_name((enum bg_drop)-1));
	CU_ASSERT_PTR_NULL(bg_drop_help((enum bg_drop)-1));
}

/* ---- bursts ------------------------------------------------------------ */

static void
test_io_burst(void)
{
	RUN(KIND_IO, 1, 0, 64, 64, 64, 64, 64, 64, 64, 64);
	RUN(KIND_IO, 1, 0, 64);
	RUN(KIND_IO, 0, 0, 60, 1514, 14, 128, 64);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

static void
test_mac_burst(void)
{
	RUN(KIND_MAC, 1, 0, 64, 64, 64, 64, 64, 64, 64, 64);
	RUN(KIND_MAC, 1, 0, 64);
	RUN(KIND_MAC, 1, 0, 60, 1514, 128, 64, 65);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

static void
test_macswap_burst(void)
{
	RUN(KIND_MACSWAP, 1, 0, 64, 64, 64, 64, 64, 64, 64, 64);
	RUN(KIND_MACSWAP, 1, 0, 64);
	RUN(KIND_MACSWAP, 1, 0, 60, 1514, 128, 64, 65);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

/* mac writes the egress port's pair, not another port's. */
static void
test_mac_tx_port(void)
{
	RUN(KIND_MAC, 0, 0, 64, 64, 64);
	RUN(KIND_MAC, 2, 0, 64, 64, 64);
	RUN(KIND_MAC, RTE_MAX_ETHPORTS - 1, 0, 64, 64, 64);
	/* the 12 bytes exactly: a next hop with all bits set, a zero source */
	memset(&ctx.port[3].dst, 0xff, sizeof(ctx.port[3].dst));
	memset(&ctx.port[3].src, 0x00, sizeof(ctx.port[3].src));
	RUN(KIND_MAC, 3, 0, 64, 14, 64);
	fill_ctx();
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

static void
test_empty_burst(void)
{
	for (size_t k = 0; k < RTE_DIM(all_kinds); k++) {
		const struct bg_fwd *fwd = find_fwd(all_kinds[k]);
		struct rte_mbuf *pkts[4] = { NULL };
		uint64_t drops[BG_DROP_MAX] = { 0 };

		CU_ASSERT_PTR_NOT_NULL_FATAL(fwd);
		CU_ASSERT_EQUAL(fwd->fn(pkts, 0, 1, &ctx, drops), 0);
		CU_ASSERT_EQUAL(drops[BG_DROP_RUNT], 0);
		CU_ASSERT_EQUAL(drops[BG_DROP_TX_FULL], 0);
		CU_ASSERT_PTR_NULL(pkts[0]);
		run_case(__LINE__, all_kinds[k], NULL, 0, 1, 0);
	}
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

/* Bursts longer than the prefetch distance, up to the largest --burst. */
static void
test_long_burst(void)
{
	static const uint16_t sizes[] = { 2, 3, 4, 5, 7, 32, 33, MAX_BURST };
	uint16_t lens[MAX_BURST];

	for (uint16_t i = 0; i < MAX_BURST; i++)
		lens[i] = (uint16_t)(60 + (i * 37) % (MAX_FRAME - 59));
	for (size_t k = 0; k < RTE_DIM(all_kinds); k++)
		for (size_t s = 0; s < RTE_DIM(sizes); s++)
			run_case(__LINE__, all_kinds[k], lens, sizes[s], 1, 0);
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

/* Frames not at the start of the headroom: rewrite at the data, not the buffer. */
static void
test_shifted_data(void)
{
	for (size_t k = 0; k < RTE_DIM(all_kinds); k++) {
		RUN(all_kinds[k], 1, 1, 64, 64, 14, 64, 1000);
		RUN(all_kinds[k], 1, 5, 64, 64, 14, 64, 1000);
		RUN(all_kinds[k], 1, 64, 64, 64, 14, 64, 1000);
	}
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

/* ---- runts ------------------------------------------------------------- */

/*
 * Runts (shorter than 14 bytes) mixed in: mac and macswap free and count
 * them and compact the rest in order; io passes them untouched. 14 bytes is
 * not a runt.
 */
static void
test_runts(void)
{
	for (size_t k = 0; k < RTE_DIM(all_kinds); k++) {
		enum kind kind = all_kinds[k];

		RUN(kind, 1, 0, 64, 0, 13, 64, 14, 1, 60, 12, 64);
		RUN(kind, 1, 0, 0);
		RUN(kind, 1, 0, 13);
		RUN(kind, 1, 0, 14);
		RUN(kind, 1, 0, 0, 13, 5);                 /* all runts */
		RUN(kind, 1, 0, 13, 64, 64);               /* at the start */
		RUN(kind, 1, 0, 64, 64, 0);                /* at the end */
		RUN(kind, 1, 0, 14, 14, 14, 14);           /* none */
		RUN(kind, 1, 0, 64, 64, 64, 13, 13, 64, 64, 64, 0, 64); /* past the prefetch */
		RUN(kind, 1, 3, 64, 7, 64, 13);            /* shifted */
	}
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

/* A long burst with a runt every few frames, up to the largest --burst. */
static void
test_runts_long_burst(void)
{
	uint16_t lens[MAX_BURST];

	for (uint16_t i = 0; i < MAX_BURST; i++)
		lens[i] = i % 7 == 3 ? (uint16_t)(i % 14) : (uint16_t)(14 + i * 5);
	for (size_t k = 0; k < RTE_DIM(all_kinds); k++) {
		run_case(__LINE__, all_kinds[k], lens, MAX_BURST, 1, 0);
		run_case(__LINE__, all_kinds[k], lens, 40, 1, 0);
	}
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

/* drops[] is added to, not overwritten; other reasons untouched. */
static void
test_runt_counter_accumulates(void)
{
	const struct bg_fwd *fwd = bg_fwd_find("mac");
	uint64_t drops[BG_DROP_MAX] = { 0 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(fwd);
	for (int round = 1; round <= 3; round++) {
		struct rte_mbuf *pkts[3];
		uint16_t ret;

		pkts[0] = make_frame(0, 64, 0);
		pkts[1] = make_frame(1, 10, 0);
		pkts[2] = make_frame(2, 0, 0);
		CU_ASSERT_FATAL(pkts[0] != NULL && pkts[1] != NULL && pkts[2] != NULL);
		ret = fwd->fn(pkts, 3, 1, &ctx, drops);
		CU_ASSERT_EQUAL(ret, 1);
		CU_ASSERT_EQUAL(drops[BG_DROP_RUNT], (uint64_t)round * 2);
		CU_ASSERT_EQUAL(drops[BG_DROP_TX_FULL], 0);
		CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 1);
		rte_pktmbuf_free_bulk(pkts, ret);
	}
	CU_ASSERT_EQUAL(rte_mempool_in_use_count(pool), 0);
}

int
main(void)
{
	static const struct bg_test_case tests[] = {
		{ "registry", test_registry },
		{ "drop names", test_drop_names },
		{ "io burst", test_io_burst },
		{ "mac burst", test_mac_burst },
		{ "macswap burst", test_macswap_burst },
		{ "mac uses the egress port", test_mac_tx_port },
		{ "empty burst", test_empty_burst },
		{ "long bursts", test_long_burst },
		{ "shifted data", test_shifted_data },
		{ "runts", test_runts },
		{ "runts in a long burst", test_runts_long_burst },
		{ "runt counter accumulates", test_runt_counter_accumulates },
	};
	int ret;

	if (bg_test_eal_init("-l0", 1) != 0)
		return 1;
	pool = rte_pktmbuf_pool_create("test_fwd", POOL_SIZE, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, "mbuf pool: %s\n", rte_strerror(rte_errno));
		bg_test_eal_cleanup();
		return 1;
	}
	fill_ctx();
	ret = BG_TEST_RUN_SUITE("fwd", tests);
	rte_mempool_free(pool);
	bg_test_eal_cleanup();
	return ret;
}
