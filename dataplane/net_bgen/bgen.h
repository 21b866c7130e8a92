/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BGEN_H
#define BGEN_H

/*
 * net_bgen internals: the device's configuration (from its devargs), its
 * queues, and the functions the driver's files share. The public side is
 * rte_pmd_bgen.h.
 *
 * Who writes what:
 * - struct bgen_conf: the probe, once; read-only afterwards.
 * - struct bgen_port: the control thread (configure, start, stop, stats).
 * - struct bgen_rxq / bgen_txq: the control thread fills the first part at
 *   queue setup and dev_start; the lcore polling the queue owns the second
 *   part (its schedule and counters) while the port runs. Readers of the
 *   counters (stats, xstats, the public API) read them with plain loads, so
 *   their sums are approximate while the queue is polled.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_dev.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "dataplane/hist.h"

struct rte_eth_dev;

extern int bgen_logtype;

/* One line, naming the device where there is one. */
#define BGEN_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, bgen_logtype, "net_bgen: " fmt "\n", ##__VA_ARGS__)

#define BGEN_MAX_QUEUES 64          /* RX and TX queues per port */
#define BGEN_MAX_FLOWS 65536
#define BGEN_MAX_SIZE_SLOTS 16      /* size= entries (imix uses 12 weighted slots) */
#define BGEN_MIN_FRAME 42           /* Ethernet + IPv4 + UDP headers, no payload */
#define BGEN_MAX_FRAME 9600
#define BGEN_MAX_RATE UINT64_C(10000000000)   /* packets per second per port */
#define BGEN_TMPL_LEN 64            /* frame bytes copied from a flow's template */
#define BGEN_RETA_SIZE 128
#define BGEN_RSS_KEY_LEN 40
#define BGEN_MIN_DESC 32
#define BGEN_MAX_DESC 32768
#define BGEN_DEFAULT_DESC 1024
/* Missed Poisson arrivals: drawn one by one when a stall holds at most
 * BGEN_POISSON_MISS_LAMBDA of them on average (and never more than
 * BGEN_POISSON_MISS_LOOP draws), else counted by one draw (bgen_rx.c). */
#define BGEN_POISSON_MISS_LAMBDA 64.0
#define BGEN_POISSON_MISS_LOOP 1024

/* An inclusive range of IPv4 addresses or UDP ports, host byte order. */
struct bgen_range {
	uint32_t lo;
	uint32_t hi;
};

/* What the devargs say; fixed after the probe. */
struct bgen_conf {
	uint16_t size[BGEN_MAX_SIZE_SLOTS]; /* frame length per slot, drawn uniformly */
	unsigned nb_size;
	uint16_t max_size;
	uint32_t flows;
	struct bgen_range src_ip, dst_ip, src_port, dst_port;
	uint8_t share[BGEN_MAX_QUEUES];     /* percent per RX queue */
	unsigned nb_share;                  /* 0: flows go to queues by RSS hash */
	uint64_t rate;                      /* per port, 0: as fast as polled */
	bool poisson;
	uint64_t count;                     /* arrivals per port, 0: unlimited */
	uint64_t seed;
	struct rte_ether_addr mac, src_mac, dst_mac;
	bool mac_set, src_mac_set, dst_mac_set;
};

/* Parse and check devargs (NULL or "" for none) into conf, defaults first.
 * Returns 0, or -EINVAL after one log line naming the key and value. */
int bgen_args_parse(const char *name, const char *params, struct bgen_conf *conf);

/* The devargs summary for RTE_PMD_REGISTER_PARAM_STRING. */
#define BGEN_PARAM_STRING                                                      \
	"size=<64|64:128:1518|imix> flows=<1-65536> "                          \
	"src_ip=<a.b.c.d[-a.b.c.d]> dst_ip=<a.b.c.d[-a.b.c.d]> "               \
	"src_port=<p[-q]> dst_port=<p[-q]> share=<pct:pct:...> "               \
	"rate=<pps per port> arrival=<const|poisson> count=<packets> "         \
	"seed=<u64> mac=<xx:xx:xx:xx:xx:xx> src_mac=<mac> dst_mac=<mac>"

/*
 * A flow, in one cache line: the first BGEN_HDR_LEN bytes of its frames
 * (headers, then zero) with the IPv4 total length, the UDP length and both
 * checksums zero, and the one's-complement sums a size's lengths are added
 * to (the payload is zero, so it adds nothing). With a single frame size
 * the headers are final and the sums unused. A packet gets the whole line
 * copied (BGEN_TMPL_LEN bytes) and bytes BGEN_HDR_LEN.. zeroed again.
 */
#define BGEN_HDR_LEN 48
struct bgen_flow {
	uint8_t frame[BGEN_HDR_LEN];
	uint32_t ip_sum;      /* IPv4 header, total length and checksum zero */
	uint32_t udp_sum;     /* pseudo-header and UDP header, lengths and checksum zero */
	uint32_t rss;         /* Toeplitz hash of the 5-tuple */
	uint32_t pad;
} __rte_cache_aligned;

_Static_assert(sizeof(struct bgen_flow) == BGEN_TMPL_LEN, "a flow is one cache line");

/* A frame size and its length fields, as stored (network byte order). */
struct bgen_size {
	uint16_t len;
	rte_be16_t ip_len;
	rte_be16_t udp_len;
	uint16_t tail;        /* payload bytes past the template: len - 64, or 0 */
};

typedef uint64_t (*bgen_clock_fn)(void *arg);

/* Counters of an RX queue; one writer, the polling lcore. */
struct bgen_rx_counters {
	uint64_t packets;     /* delivered */
	uint64_t bytes;
	uint64_t missed;      /* arrived to a full ring */
	uint64_t offered;     /* arrivals: delivered, missed, or still in the ring */
	uint64_t nombuf;      /* bursts' packets left in the ring for want of mbufs */
};

struct bgen_rxq {
	/* Set by the control thread (setup, start); read by the poller. */
	struct rte_mempool *mp;
	const struct bgen_flow *flows;
	uint32_t nb_flows;
	uint32_t nb_size;
	struct bgen_size size[BGEN_MAX_SIZE_SLOTS];
	bgen_clock_fn now;
	void *now_arg;
	uint64_t ol_flags;
	uint32_t packet_type;
	int ts_off;
	uint16_t port_id;
	uint16_t queue_id;
	uint64_t *ring;       /* arrival stamps of the emulated descriptor ring */
	uint32_t ring_mask;
	uint32_t nb_desc;
	uint64_t t0;          /* the clock at dev_start: arrivals are t0 + ... */
	uint64_t per_q;       /* const: an arrival every per_q + per_rem / per_den cycles */
	uint64_t per_rem;
	uint64_t per_den;
	uint64_t per_num;     /* per_q * per_den + per_rem */
	double mean;          /* poisson: mean inter-arrival time, cycles */
	double rate;          /* arrivals per second on this queue (0: as polled) */
	uint32_t reset_gen;   /* bumped by stats_reset; the poller applies it */
	uint32_t weight_num;  /* this queue's part of the port: num / den */
	uint32_t weight_den;
	uint64_t quota;       /* its part of count= (UINT64_MAX: no limit) */
	struct bgen_flow *flows_mem;

	/* Owned by the polling lcore while the port runs. */
	uint64_t rng_pkt __rte_cache_aligned;  /* flows and sizes */
	uint64_t rng_arr;     /* poisson inter-arrival times */
	uint64_t left;        /* arrivals left under count= (UINT64_MAX: no limit) */
	uint64_t j;           /* const: arrivals since start */
	uint64_t next;        /* const: cycles from t0 to arrival j + 1 */
	uint64_t acc;         /* const: (j + 1) * per_num mod per_den */
	double next_d;        /* poisson: cycles from t0 to the next arrival */
	uint32_t head;        /* oldest stamp in the ring */
	uint32_t occ;         /* stamps in the ring */
	uint32_t reset_seen;
	struct bgen_rx_counters c;
};

struct bgen_tx_counters {
	uint64_t packets;
	uint64_t bytes;
	uint64_t nostamp;     /* without the RX timestamp flag */
};

struct bgen_txq {
	/* Set by the control thread. */
	bgen_clock_fn now;
	void *now_arg;
	uint64_t ts_flag;
	int ts_off;
	uint16_t queue_id;
	uint32_t reset_gen;

	/* Owned by the transmitting lcore. */
	uint32_t reset_seen __rte_cache_aligned;
	struct bgen_tx_counters c;
	struct bg_hist lat;   /* now - stamp, clock cycles */
};

/* Each queue's writer owns whole cache lines. */
_Static_assert(offsetof(struct bgen_rxq, rng_pkt) % RTE_CACHE_LINE_SIZE == 0,
	       "the RX poller's fields start a cache line");
_Static_assert(offsetof(struct bgen_txq, reset_seen) % RTE_CACHE_LINE_SIZE == 0,
	       "the TX writer's fields start a cache line");

/* The device's private data. */
struct bgen_port {
	struct bgen_conf conf;
	struct rte_ether_addr mac;          /* data->mac_addrs points here */
	bgen_clock_fn now;
	void *now_arg;
	uint64_t hz;
	int ts_off;
	uint64_t ts_flag;
	uint16_t port_id;
	uint8_t rss_key[BGEN_RSS_KEY_LEN];
	uint16_t reta[BGEN_RETA_SIZE];
	char name[RTE_DEV_NAME_MAX_LEN];
};

/* ---- bgen_flows.c: templates, queues' flows and weights ---- */

/* The 5-tuple of flow i of conf (host byte order). */
void bgen_flow_tuple(const struct bgen_conf *conf, uint32_t i, uint32_t *sip, uint32_t *dip,
		     uint16_t *sport, uint16_t *dport);

/* Number of distinct 5-tuples conf's ranges allow, capped at UINT64_MAX. */
uint64_t bgen_tuple_space(const struct bgen_conf *conf);

/* Fill size[] of q from conf. */
void bgen_sizes_init(const struct bgen_conf *conf, struct bgen_rxq *q);

/*
 * Give each RX queue of dev its flows (by RSS hash through the RETA, or by
 * share= in contiguous parts), its weight (the part of the port's rate and
 * count it carries) and, with one frame size, final templates.
 * Returns 0 or -ENOMEM (nothing kept).
 */
int bgen_flows_build(struct rte_eth_dev *dev);

/* Free what bgen_flows_build() gave q. */
void bgen_flows_free(struct bgen_rxq *q);

/* ---- bgen_rx.c, bgen_tx.c: the burst functions ---- */

/* Pick the RX burst function for conf (after bgen_flows_build). */
void bgen_rx_select(struct rte_eth_dev *dev);

/* Restart q's arrival schedule at time t0 (the port is stopped). */
void bgen_rxq_restart(struct bgen_rxq *q, const struct bgen_conf *conf, uint64_t hz,
		      uint64_t t0);

uint16_t bgen_tx_burst(void *qp, struct rte_mbuf **pkts, uint16_t nb);

/* A stats_reset the queue's owner has not applied yet reads as zero. */
static inline bool
bgen_reset_pending(const uint32_t *gen, const uint32_t *seen)
{
	/* Pairs with the owner's release store of *seen after zeroing. */
	return __atomic_load_n(seen, __ATOMIC_ACQUIRE) != __atomic_load_n(gen, __ATOMIC_RELAXED);
}

/* Apply a pending reset from the queue's owner (or from the control thread
 * while nobody polls). */
void bgen_rxq_apply_reset(struct bgen_rxq *q);
void bgen_txq_apply_reset(struct bgen_txq *q);

/* The device behind port_id if it is a net_bgen port, else NULL. */
struct bgen_port *bgen_port_of(uint16_t port_id, struct rte_eth_dev **dev);

/* Split total into n parts in proportion num[i] / den, exactly (largest
 * remainder, ties to the lower index). */
void bgen_split(uint64_t total, const uint32_t *num, uint32_t den, unsigned n, uint64_t *out);

/* One's-complement sum folded to 16 bits. */
static inline uint16_t
bgen_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* IPv4 header checksum of flow f's frames of size s (as stored). */
static inline uint16_t
bgen_ip_csum(const struct bgen_flow *f, const struct bgen_size *s)
{
	return (uint16_t)~bgen_fold(f->ip_sum + s->ip_len);
}

/* UDP checksum of flow f's frames of size s (as stored): the length is in
 * the pseudo-header and in the UDP header; the payload is zero. */
static inline uint16_t
bgen_udp_csum(const struct bgen_flow *f, const struct bgen_size *s)
{
	uint16_t c = (uint16_t)~bgen_fold(f->udp_sum + 2u * s->udp_len);

	return c == 0 ? 0xffff : c;
}

static inline void
bgen_rxq_apply_reset_if_pending(struct bgen_rxq *q)
{
	if (bgen_reset_pending(&q->reset_gen, &q->reset_seen))
		bgen_rxq_apply_reset(q);
}

static inline void
bgen_txq_apply_reset_if_pending(struct bgen_txq *q)
{
	if (bgen_reset_pending(&q->reset_gen, &q->reset_seen))
		bgen_txq_apply_reset(q);
}

/* ---- bgen_stats.c: the ethdev counter operations ---- */

struct rte_eth_stats;
struct rte_eth_xstat;
struct rte_eth_xstat_name;

int bgen_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *stats);
int bgen_stats_reset(struct rte_eth_dev *dev);
int bgen_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xstats, unsigned int n);
int bgen_xstats_get_names(struct rte_eth_dev *dev, struct rte_eth_xstat_name *names,
			  unsigned int size);

/* Next value of a wyrand generator (64-bit state, passes BigCrush). */
static inline uint64_t
bgen_rand(uint64_t *s)
{
	__uint128_t t;

	*s += UINT64_C(0xa0761d6478bd642f);
	t = (__uint128_t)*s * (*s ^ UINT64_C(0xe7037ed1a0b428db));
	return (uint64_t)(t >> 64) ^ (uint64_t)t;
}

/* splitmix64: seeds from a seed. */
static inline uint64_t
bgen_mix64(uint64_t x)
{
	x += UINT64_C(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

/* Uniform index in [0, n) from 32 random bits, without a division. */
static inline uint32_t
bgen_pick(uint32_t r, uint32_t n)
{
	return (uint32_t)(((uint64_t)r * n) >> 32);
}

#endif /* BGEN_H */
