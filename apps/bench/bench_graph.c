/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench_graph: what it costs to move a burst through K trivial stages with
 * brigade's chain (bg_exec_run) and with DPDK's rte_graph, side by side, on
 * the main lcore. A benchmark, not a test: it prints figures.
 *
 * Every way does the same per-packet work: each stage adds one to a field of
 * each mbuf (m->hash.usr). Every way also pays the same per-burst ends: 32
 * mbuf pointers copied into the burst (what rx_burst would write) and the
 * survivors counted at the end (what tx_burst would take). The mbufs are
 * allocated once and reused; nothing is allocated or freed while timing.
 *
 *   chain            bg_exec_run over K stage functions that keep the whole
 *                    burst (return n): brigade's fast case.
 *   chain_keep       the same, but each stage decides per packet and compacts
 *                    (pkts[k++] = m): brigade's general case, the counterpart
 *                    of graph_x1.
 *   graph_move       source -> K nodes -> sink, each node passing its whole
 *                    stream on with rte_node_next_stream_move (a pointer swap).
 *   graph_x1         the same graph, each node enqueuing packet by packet with
 *                    rte_node_enqueue_x1 (the path for packets going different
 *                    ways).
 *   *_nostats        the same graphs walked by a copy of rte_graph_walk
 *                    without its per-node statistics (two TSC reads and three
 *                    adds per node visit), which is what a DPDK built with
 *                    RTE_LIBRTE_GRAPH_STATS=0 runs; Debian's 22.11, like
 *                    upstream's default, has them on.
 *
 * Figures are TSC cycles per packet over --walks bursts, the best of --reps
 * runs (and their median), every cell's runs interleaved with the others' so
 * drift hits all alike.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_graph.h>
#include <rte_graph_worker.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "dataplane/stage.h"

#define PROG "bench_graph"
#define EXIT_USAGE 2

#define BURST 32
#define NB_K 3
static const unsigned k_values[NB_K] = { 1, 2, 4 };
#define K_MAX 4

#define DEFAULT_WALKS 2000000ULL
#define DEFAULT_REPS 5U
#define MAX_REPS 99U

enum way {
	WAY_CHAIN,
	WAY_CHAIN_KEEP,
	WAY_GRAPH_MOVE,
	WAY_GRAPH_X1,
	WAY_GRAPH_MOVE_NOSTATS,
	WAY_GRAPH_X1_NOSTATS,
	NB_WAYS
};

static const char *const way_name[NB_WAYS] = {
	[WAY_CHAIN] = "chain",
	[WAY_CHAIN_KEEP] = "chain_keep",
	[WAY_GRAPH_MOVE] = "graph_move",
	[WAY_GRAPH_X1] = "graph_x1",
	[WAY_GRAPH_MOVE_NOSTATS] = "graph_move_nostats",
	[WAY_GRAPH_X1_NOSTATS] = "graph_x1_nostats",
};

struct opts {
	uint64_t walks;
	unsigned reps;
	const char *json;
	bool node_stats;
};

/* The burst every way starts from; never handed to the graph itself, only
 * copied into a node's stream, since rte_graph swaps streams between nodes. */
static struct rte_mbuf *bench_pkts[BURST];
/* Packets that reached a graph's sink. */
static uint64_t sink_pkts;

/* The per-packet work of one stage, the same in every way. */
static __rte_always_inline void
touch(struct rte_mbuf *m)
{
	m->hash.usr++;
}

/* ---- brigade's chain ---------------------------------------------------- */

static uint16_t
stage_touch(struct bg_exec *x, void *data, struct rte_mbuf **pkts, uint16_t n)
{
	RTE_SET_USED(x);
	RTE_SET_USED(data);
	for (uint16_t i = 0; i < n; i++)
		touch(pkts[i]);
	return n;
}

/* Decides per packet, as a stage that may drop or suspend does; the test
 * (a field on the line touch() writes) never fails, but the compiler cannot
 * know that. */
static uint16_t
stage_touch_keep(struct bg_exec *x, void *data, struct rte_mbuf **pkts, uint16_t n)
{
	uint16_t k = 0;

	RTE_SET_USED(x);
	RTE_SET_USED(data);
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		touch(m);
		if (likely(m->nb_segs != 0))
			pkts[k++] = m;
	}
	return k;
}

static __rte_noinline uint64_t
run_chain(struct bg_exec *x, uint64_t walks)
{
	struct rte_mbuf *pkts[BURST];
	uint64_t out = 0;

	for (uint64_t w = 0; w < walks; w++) {
		memcpy(pkts, bench_pkts, sizeof(pkts));
		out += bg_exec_run(x, 0, pkts, BURST);
	}
	return out;
}

/* ---- rte_graph ---------------------------------------------------------- */

static uint16_t
node_src(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t nb)
{
	RTE_SET_USED(objs);
	RTE_SET_USED(nb);
	memcpy(node->objs, bench_pkts, sizeof(bench_pkts));
	node->idx = BURST;
	rte_node_next_stream_move(graph, node, 0);
	return BURST;
}

static uint16_t
node_move(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t nb)
{
	for (uint16_t i = 0; i < nb; i++)
		touch(objs[i]);
	rte_node_next_stream_move(graph, node, 0);
	return nb;
}

static uint16_t
node_x1(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t nb)
{
	for (uint16_t i = 0; i < nb; i++) {
		touch(objs[i]);
		rte_node_enqueue_x1(graph, node, 0, objs[i]);
	}
	return nb;
}

static uint16_t
node_sink(struct rte_graph *graph, struct rte_node *node, void **objs, uint16_t nb)
{
	RTE_SET_USED(graph);
	RTE_SET_USED(node);
	RTE_SET_USED(objs);
	sink_pkts += nb;
	return nb;
}

/* Templates, edgeless; each graph wires clones of them. */
static struct rte_node_register bgb_src = {
	.name = "bgb_src", .flags = RTE_NODE_SOURCE_F, .process = node_src,
};
static struct rte_node_register bgb_move = { .name = "bgb_move", .process = node_move };
static struct rte_node_register bgb_x1 = { .name = "bgb_x1", .process = node_x1 };
static struct rte_node_register bgb_sink = { .name = "bgb_sink", .process = node_sink };
RTE_NODE_REGISTER(bgb_src);
RTE_NODE_REGISTER(bgb_move);
RTE_NODE_REGISTER(bgb_x1);
RTE_NODE_REGISTER(bgb_sink);

/* rte_graph_walk() as 22.11 has it, less the node statistics. */
static inline void
walk_nostats(struct rte_graph *graph)
{
	const rte_graph_off_t *cir_start = graph->cir_start;
	const rte_node_t mask = graph->cir_mask;
	uint32_t head = graph->head;

	while (likely(head != graph->tail)) {
		struct rte_node *node = RTE_PTR_ADD(graph, cir_start[(int32_t)head++]);

		rte_prefetch0(node->objs);
		node->process(graph, node, node->objs, node->idx);
		node->idx = 0;
		head = likely((int32_t)head > 0) ? head & mask : head;
	}
	graph->tail = 0;
}

static __rte_noinline void
run_graph(struct rte_graph *graph, uint64_t walks)
{
	for (uint64_t w = 0; w < walks; w++)
		rte_graph_walk(graph);
}

static __rte_noinline void
run_graph_nostats(struct rte_graph *graph, uint64_t walks)
{
	for (uint64_t w = 0; w < walks; w++)
		walk_nostats(graph);
}

/* Clone tmpl as "<tmpl>-<suffix>" with one edge, to `next`. Returns the
 * clone's name, or NULL with rte_errno set. */
static const char *
clone_to(rte_node_t tmpl, const char *suffix, const char *next)
{
	rte_node_t node = rte_node_clone(tmpl, suffix);

	if (node == RTE_NODE_ID_INVALID)
		return NULL;
	if (rte_node_edge_update(node, RTE_EDGE_ID_INVALID, &next, 1) != 1) {
		rte_errno = EINVAL;
		return NULL;
	}
	return rte_node_id_to_name(node);
}

/*
 * Build graph "bgb_k<K>_<kind>": a clone of bgb_src, K clones of tmpl in a
 * line, then bgb_sink. Returns 0 or -errno.
 */
static int
graph_build(unsigned k, const struct rte_node_register *tmpl, const char *kind,
	    rte_graph_t *id, struct rte_graph **graph)
{
	char gname[RTE_GRAPH_NAMESIZE], suffix[32];
	const char *next = bgb_sink.name, *pattern[1];
	struct rte_graph_param prm = { .socket_id = (int)rte_socket_id(),
				       .nb_node_patterns = 1, .node_patterns = pattern };

	/* Built from the sink back, each node's edge naming the one after it. */
	for (unsigned i = k; i > 0; i--) {
		snprintf(suffix, sizeof(suffix), "k%u_%u", k, i - 1);
		next = clone_to(tmpl->id, suffix, next);
		if (next == NULL)
			return rte_errno ? -rte_errno : -EINVAL;
	}
	snprintf(suffix, sizeof(suffix), "k%u_%s", k, kind);
	next = clone_to(bgb_src.id, suffix, next);
	if (next == NULL)
		return rte_errno ? -rte_errno : -EINVAL;
	/* The graph takes in every node reachable from its source. */
	pattern[0] = next;
	snprintf(gname, sizeof(gname), "bgb_k%u_%s", k, kind);
	*id = rte_graph_create(gname, &prm);
	if (*id == RTE_GRAPH_ID_INVALID)
		return -rte_errno ? -rte_errno : -EINVAL;
	*graph = rte_graph_lookup(gname);
	if (*graph == NULL) {
		rte_graph_destroy(*id);
		*id = RTE_GRAPH_ID_INVALID;
		return -ENOENT;
	}
	return 0;
}

/* ---- measuring ---------------------------------------------------------- */

struct bench {
	struct opts o;
	struct bg_exec chain[NB_K];
	struct bg_exec chain_keep[NB_K];
	rte_graph_t gid[NB_K][2];                  /* [k][0 move, 1 x1] */
	struct rte_graph *graph[NB_K][2];
	double cpp[NB_WAYS][NB_K][MAX_REPS];
};

static void
reset_marks(void)
{
	for (unsigned i = 0; i < BURST; i++)
		bench_pkts[i]->hash.usr = 0;
	sink_pkts = 0;
}

/* Every mbuf was touched k times per walk, and every packet came out. */
static int
check_marks(unsigned k, uint64_t walks, uint64_t out)
{
	const uint32_t want = (uint32_t)(walks * k);

	for (unsigned i = 0; i < BURST; i++)
		if (bench_pkts[i]->hash.usr != want)
			return -1;
	return out == walks * BURST ? 0 : -1;
}

/* Run one cell for `walks` bursts. Returns TSC cycles, or 0 when the packets
 * did not come out as they should have. */
static uint64_t
run_cell(struct bench *b, enum way way, unsigned ki, uint64_t walks)
{
	const unsigned k = k_values[ki];
	uint64_t start, cycles, out;

	reset_marks();
	start = rte_rdtsc_precise();
	switch (way) {
	case WAY_CHAIN:
		out = run_chain(&b->chain[ki], walks);
		break;
	case WAY_CHAIN_KEEP:
		out = run_chain(&b->chain_keep[ki], walks);
		break;
	case WAY_GRAPH_MOVE:
	case WAY_GRAPH_X1:
		run_graph(b->graph[ki][way == WAY_GRAPH_X1], walks);
		out = sink_pkts;
		break;
	default:
		run_graph_nostats(b->graph[ki][way == WAY_GRAPH_X1_NOSTATS], walks);
		out = sink_pkts;
		break;
	}
	cycles = rte_rdtsc_precise() - start;
	if (check_marks(k, walks, out) != 0) {
		fprintf(stderr, PROG ": %s K=%u: packets did not come out as sent\n",
			way_name[way], k);
		return 0;
	}
	return cycles;
}

static int
cmp_double(const void *a, const void *b)
{
	const double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of the reps, sorting them in place. */
static double
median(double *v, unsigned n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int
measure(struct bench *b)
{
	const uint64_t warm = b->o.walks / 10 + 1;

	for (unsigned ki = 0; ki < NB_K; ki++)
		for (unsigned w = 0; w < NB_WAYS; w++)
			if (run_cell(b, w, ki, warm) == 0)
				return -1;
	for (unsigned r = 0; r < b->o.reps; r++)
		for (unsigned ki = 0; ki < NB_K; ki++)
			for (unsigned w = 0; w < NB_WAYS; w++) {
				uint64_t c = run_cell(b, w, ki, b->o.walks);

				if (c == 0)
					return -1;
				b->cpp[w][ki][r] = (double)c / (double)(b->o.walks * BURST);
			}
	return 0;
}

/* ---- reporting ---------------------------------------------------------- */

/* Each cell's reps sorted, then its best (the least disturbed: on a shared
 * machine other work only ever adds cycles) and its median. */
static void
summarise(struct bench *b, double best[NB_WAYS][NB_K], double med[NB_WAYS][NB_K])
{
	for (unsigned w = 0; w < NB_WAYS; w++)
		for (unsigned ki = 0; ki < NB_K; ki++) {
			med[w][ki] = median(b->cpp[w][ki], b->o.reps);
			best[w][ki] = b->cpp[w][ki][0];
		}
}

static void
print_ratio(unsigned w, unsigned base, double best[NB_WAYS][NB_K])
{
	printf("%-19s", way_name[w]);
	for (unsigned ki = 0; ki < NB_K; ki++)
		printf(" %8.2f", best[w][ki] / best[base][ki]);
	printf(" %10.2f\n", (best[w][2] - best[w][0]) / (best[base][2] - best[base][0]));
}

static void
print_results(const struct bench *b, double best[NB_WAYS][NB_K], double med[NB_WAYS][NB_K])
{
	printf("\nTSC cycles per packet: best of %u runs (median); 'per stage' is (K=4 - K=1) / 3 of the best\n",
	       b->o.reps);
	printf("%-19s %15s %15s %15s %10s\n", "way", "K=1", "K=2", "K=4", "per stage");
	for (unsigned w = 0; w < NB_WAYS; w++) {
		printf("%-19s", way_name[w]);
		for (unsigned ki = 0; ki < NB_K; ki++) {
			char cell[32];

			snprintf(cell, sizeof(cell), "%.2f (%.2f)", best[w][ki], med[w][ki]);
			printf(" %15s", cell);
		}
		printf(" %10.2f\n", (best[w][2] - best[w][0]) / 3);
	}

	printf("\nratio to chain at the same K, best of runs\n");
	printf("%-19s %8s %8s %8s %10s\n", "way", "K=1", "K=2", "K=4", "per stage");
	for (unsigned w = WAY_CHAIN_KEEP; w < NB_WAYS; w++)
		print_ratio(w, WAY_CHAIN, best);
	printf("per-packet paths, like for like: ratio to chain_keep\n");
	print_ratio(WAY_GRAPH_X1, WAY_CHAIN_KEEP, best);
	print_ratio(WAY_GRAPH_X1_NOSTATS, WAY_CHAIN_KEEP, best);

	printf("\nWhat rte_graph (DPDK 22.11) offers and lacks for brigade:\n"
	       "  node stats   yes: calls, objects and cycles per node, per graph, summed by\n"
	       "               rte_graph_cluster_stats; compiled in (RTE_LIBRTE_GRAPH_STATS=1)\n"
	       "               and paid on every node visit (the *_nostats rows show how much)\n"
	       "  await        no: a node cannot park a packet and be resumed later; brigade\n"
	       "               would need a source node that polls its timer wheel and\n"
	       "               re-enqueues due packets at the node after the one that\n"
	       "               suspended them (and, for resuming at the same node, a way to\n"
	       "               tell a comeback from a new packet)\n"
	       "  hand-off     no: a graph is walked by one lcore; cross-lcore dispatch\n"
	       "               (the mcore model) arrived in 23.07, so 22.11 would need\n"
	       "               ring-backed source/sink nodes written by brigade\n"
	       "  edges        fixed per node at graph creation; brigade's chain is a list of\n"
	       "               functions whose order is the stage order\n");
}

static void
json_ways(FILE *f, const char *indent, double v[NB_WAYS][NB_K])
{
	for (unsigned w = 0; w < NB_WAYS; w++) {
		fprintf(f, ",\n%s\"%s\": {", indent, way_name[w]);
		for (unsigned ki = 0; ki < NB_K; ki++)
			fprintf(f, "%s\"%u\": %.3f", ki ? ", " : "", k_values[ki], v[w][ki]);
		fprintf(f, "}");
	}
}

/* The best of the runs at the top level; the medians under "median". */
static int
write_json(const struct bench *b, FILE *f, double best[NB_WAYS][NB_K],
	   double med[NB_WAYS][NB_K])
{
	fprintf(f, "{\"unit\": \"tsc_cycles_per_packet\", \"statistic\": \"best_of_reps\", "
		   "\"burst\": %d, \"walks\": %" PRIu64 ", \"reps\": %u, \"tsc_hz\": %" PRIu64,
		BURST, b->o.walks, b->o.reps, rte_get_tsc_hz());
	json_ways(f, " ", best);
	fprintf(f, ",\n \"median\": {\"statistic\": \"median_of_reps\"");
	json_ways(f, "  ", med);
	fprintf(f, "}}\n");
	if (fflush(f) != 0 || ferror(f)) {
		fprintf(stderr, PROG ": cannot write %s: %s\n", b->o.json, strerror(errno));
		return -1;
	}
	return 0;
}

static void
print_node_stats(void)
{
	const char *pattern[] = { "bgb_k4_*" };
	struct rte_graph_cluster_stats_param prm = {
		.socket_id = (int)rte_socket_id(), .fn = NULL, .f = stdout,
		.nb_graph_patterns = 1, .graph_patterns = pattern,
	};
	struct rte_graph_cluster_stats *st = rte_graph_cluster_stats_create(&prm);

	if (st == NULL) {
		fprintf(stderr, PROG ": cannot read node stats: %s\n", rte_strerror(rte_errno));
		return;
	}
	printf("\nrte_graph's own node stats for the K=4 graphs, summed over both, all runs\n"
	       "(stats-on walks only; its cycles include its own TSC reads):\n");
	rte_graph_cluster_stats_get(st, false);
	rte_graph_cluster_stats_destroy(st);
}

/* ---- set-up ------------------------------------------------------------- */

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [EAL options] -- [--walks N] [--reps N] [--json FILE] [--node-stats]\n"
		"  --walks N     bursts of %d per run (default %llu)\n"
		"  --reps N      runs per cell, the best and the median reported, 1-%u (default %u)\n"
		"  --json FILE   also write the figures as JSON\n"
		"  --node-stats  also print rte_graph's node stats for the K=4 graphs\n"
		"e.g. " PROG " -l 0 --in-memory --no-pci -- --json graph.json\n",
		BURST, DEFAULT_WALKS, MAX_REPS, DEFAULT_REPS);
}

static int
parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (s == NULL || *s == '\0' || *s == '-')
		return -EINVAL;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || x < min || x > max)
		return -EINVAL;
	*v = x;
	return 0;
}

/* argv[0] is "--" or the program name. Returns 0, 1 for --help, or -EINVAL
 * with the one-line reason in err. */
static int
parse_opts(int argc, char **argv, struct opts *o, char *err, size_t len)
{
	*o = (struct opts){ .walks = DEFAULT_WALKS, .reps = DEFAULT_REPS };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t x;

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
			return 1;
		if (strcmp(a, "--node-stats") == 0) {
			o->node_stats = true;
		} else if (strcmp(a, "--walks") == 0) {
			if (parse_u64(v, 1, UINT64_MAX / (BURST * K_MAX), &x) != 0) {
				snprintf(err, len, "--walks wants a positive integer, not '%s'",
					 v ? v : "");
				return -EINVAL;
			}
			o->walks = x;
			i++;
		} else if (strcmp(a, "--reps") == 0) {
			if (parse_u64(v, 1, MAX_REPS, &x) != 0) {
				snprintf(err, len, "--reps wants an integer from 1 to %u, not '%s'",
					 MAX_REPS, v ? v : "");
				return -EINVAL;
			}
			o->reps = (unsigned)x;
			i++;
		} else if (strcmp(a, "--json") == 0) {
			if (v == NULL || *v == '\0') {
				snprintf(err, len, "--json wants a file name");
				return -EINVAL;
			}
			o->json = v;
			i++;
		} else {
			snprintf(err, len, "unknown option '%s' (try --help)", a);
			return -EINVAL;
		}
	}
	return 0;
}

static void
chain_setup(struct bg_exec *x, unsigned k, bg_stage_fn fn)
{
	memset(x, 0, sizeof(*x));
	x->nb_stages = (uint16_t)k;
	for (unsigned i = 0; i < k; i++)
		x->fn[i] = fn;
}

static void
bench_free(struct bench *b)
{
	for (unsigned ki = 0; ki < NB_K; ki++)
		for (unsigned g = 0; g < 2; g++)
			if (b->gid[ki][g] != RTE_GRAPH_ID_INVALID)
				rte_graph_destroy(b->gid[ki][g]);
}

static int
bench_setup(struct bench *b)
{
	static const char *const kind[2] = { "move", "x1" };
	const struct rte_node_register *tmpl[2] = { &bgb_move, &bgb_x1 };

	for (unsigned ki = 0; ki < NB_K; ki++)
		for (unsigned g = 0; g < 2; g++)
			b->gid[ki][g] = RTE_GRAPH_ID_INVALID;
	for (unsigned ki = 0; ki < NB_K; ki++) {
		chain_setup(&b->chain[ki], k_values[ki], stage_touch);
		chain_setup(&b->chain_keep[ki], k_values[ki], stage_touch_keep);
		for (unsigned g = 0; g < 2; g++) {
			int ret = graph_build(k_values[ki], tmpl[g], kind[g], &b->gid[ki][g],
					      &b->graph[ki][g]);

			if (ret != 0) {
				fprintf(stderr, PROG ": cannot build the K=%u %s graph: %s\n",
					k_values[ki], kind[g], rte_strerror(-ret));
				bench_free(b);
				return ret;
			}
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static struct bench b;
	double best[NB_WAYS][NB_K], med[NB_WAYS][NB_K];
	struct rte_mempool *pool;
	FILE *json = NULL;
	char err[256];
	int ret, status = EXIT_FAILURE;

	/* Bad options are answered before the EAL takes hugepages. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			ret = parse_opts(argc - i, argv + i, &b.o, err, sizeof(err));
			if (ret == 1) {
				usage(stdout);
				return EXIT_SUCCESS;
			}
			if (ret != 0) {
				fprintf(stderr, PROG ": %s\n", err);
				return EXIT_USAGE;
			}
			break;
		}
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return EXIT_SUCCESS;
		}
	}

	ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, PROG ": EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		return rte_errno == EINVAL ? EXIT_USAGE : EXIT_FAILURE;
	}
	argc -= ret;
	argv += ret;
	if (parse_opts(argc, argv, &b.o, err, sizeof(err)) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		status = EXIT_USAGE;
		goto out_eal;
	}

	/* Opened now so that a bad path costs no run. */
	if (b.o.json != NULL) {
		json = fopen(b.o.json, "w");
		if (json == NULL) {
			fprintf(stderr, PROG ": cannot write %s: %s\n", b.o.json, strerror(errno));
			status = EXIT_USAGE;
			goto out_eal;
		}
	}
	pool = rte_pktmbuf_pool_create("bgb_pool", 63, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, PROG ": cannot create the mbuf pool: %s\n", rte_strerror(rte_errno));
		goto out_close_json;
	}
	if (rte_pktmbuf_alloc_bulk(pool, bench_pkts, BURST) != 0) {
		fprintf(stderr, PROG ": cannot allocate %d mbufs\n", BURST);
		goto out_free_pool;
	}
	if (bench_setup(&b) != 0)
		goto out_free_mbufs;

	printf(PROG ": %d-packet bursts, K = 1, 2, 4 stages each adding 1 to m->hash.usr;\n"
	       "  %" PRIu64 " bursts per run, %u runs per cell, lcore %u, TSC %.3f GHz,\n"
	       "  rte_graph burst size %d, node stats compiled %s\n",
	       BURST, b.o.walks, b.o.reps, rte_lcore_id(), (double)rte_get_tsc_hz() / 1e9,
	       RTE_GRAPH_BURST_SIZE, rte_graph_has_stats_feature() ? "in" : "out");
	fflush(stdout);

	if (measure(&b) != 0)
		goto out_graphs;
	summarise(&b, best, med);
	print_results(&b, best, med);
	if (b.o.node_stats)
		print_node_stats();
	if (json != NULL && write_json(&b, json, best, med) != 0)
		goto out_graphs;
	status = EXIT_SUCCESS;

out_graphs:
	bench_free(&b);
out_free_mbufs:
	rte_pktmbuf_free_bulk(bench_pkts, BURST);
out_free_pool:
	rte_mempool_free(pool);
out_close_json:
	if (json != NULL) {
		if (fclose(json) != 0 && status == EXIT_SUCCESS) {
			fprintf(stderr, PROG ": cannot write %s: %s\n", b.o.json, strerror(errno));
			status = EXIT_FAILURE;
		}
		if (status != EXIT_SUCCESS)
			remove(b.o.json);     /* no half-written figures */
	}
out_eal:
	rte_eal_cleanup();
	return status;
}
