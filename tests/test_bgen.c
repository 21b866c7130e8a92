/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_bgen, the traffic-generator vdev: the frames it writes, its arrival
 * schedules and per-queue shares on a clock the test advances by hand (no
 * assertion depends on the machine's speed or load), the emulated ring's
 * losses, count=, the TX latency histogram, stats and xstats, every bad
 * devarg, leaks, and dpdk-testpmd loading the built librte_net_bgen.so.
 *
 * The driver is linked in statically here; the testpmd case runs the .so
 * (argv[1]) with dpdk-testpmd (argv[2]). Both need hugepages
 * (scripts/setup.sh hugepages).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_thash.h>
#include <rte_udp.h>

#include "dataplane/hist.h"
#include "dataplane/net_bgen/rte_pmd_bgen.h"
#include "eal_helper.h"
#include "test_helper.h"

#define NB_MBUF 16383
#define BURST 32
#define TEST_HZ UINT64_C(1000000000)     /* the test clock counts ns */
#define CLOCK_START UINT64_C(1000000000000)

static const char *bgen_so;
static const char *testpmd;
static struct rte_mempool *pool;
static int ts_off;
static uint64_t ts_flag;

/* The test clock: what the test last set. */
static uint64_t clock_now;

static uint64_t
test_clock(void *arg)
{
	return *(const uint64_t *)arg;
}

/* Intel's default Toeplitz key, which net_bgen uses unless told otherwise. */
static const uint8_t rss_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3,
	0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3,
	0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

/* ---- ports ---- */

struct port {
	char name[32];
	uint16_t id;
	bool open;
};

struct port_opts {
	uint16_t nb_rxq;               /* default 1 */
	uint16_t nb_txq;               /* default 1 */
	uint16_t nb_desc;              /* default 1024 */
	uint64_t hz;                   /* 0: the TSC; else the test clock at hz */
};

/* Create name with args, configure, set up and start it. False (and a
 * failed check at line) if any step fails. */
static bool
port_open_at(int line, struct port *p, const char *name, const char *args,
	     struct port_opts o)
{
	struct rte_eth_conf conf;
	int ret;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	o.nb_rxq = o.nb_rxq ? o.nb_rxq : 1;
	o.nb_txq = o.nb_txq ? o.nb_txq : 1;
	o.nb_desc = o.nb_desc ? o.nb_desc : 1024;
	ret = rte_vdev_init(name, args);
	CHECK_AT(line, ret == 0, "rte_vdev_init(%s, %s): %d", name, args, ret);
	if (ret != 0)
		return false;
	p->open = true;
	ret = rte_eth_dev_get_port_by_name(name, &p->id);
	CHECK_AT(line, ret == 0, "no port %s", name);
	if (ret != 0)
		return false;
	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(p->id, o.nb_rxq, o.nb_txq, &conf);
	CHECK_AT(line, ret == 0, "configure %s: %d", name, ret);
	if (ret != 0)
		return false;
	if (o.hz != 0) {
		ret = rte_pmd_bgen_set_clock(p->id, test_clock, &clock_now, o.hz);
		CHECK_AT(line, ret == 0, "set_clock %s: %d", name, ret);
	}
	for (uint16_t q = 0; q < o.nb_rxq; q++) {
		ret = rte_eth_rx_queue_setup(p->id, q, o.nb_desc, SOCKET_ID_ANY, NULL, pool);
		CHECK_AT(line, ret == 0, "rx queue %u of %s: %d", q, name, ret);
		if (ret != 0)
			return false;
	}
	for (uint16_t q = 0; q < o.nb_txq; q++) {
		ret = rte_eth_tx_queue_setup(p->id, q, o.nb_desc, SOCKET_ID_ANY, NULL);
		CHECK_AT(line, ret == 0, "tx queue %u of %s: %d", q, name, ret);
		if (ret != 0)
			return false;
	}
	ret = rte_eth_dev_start(p->id);
	CHECK_AT(line, ret == 0, "start %s: %d", name, ret);
	return ret == 0;
}

#define port_open(p, name, args, ...) \
	port_open_at(__LINE__, (p), (name), (args), (struct port_opts){ __VA_ARGS__ })

static void
port_close(struct port *p)
{
	if (!p->open)
		return;
	rte_eth_dev_stop(p->id);
	rte_eth_dev_close(p->id);
	rte_vdev_uninit(p->name);
	p->open = false;
}

/* Every mbuf is back in the pool. */
static void
check_pool_at(int line)
{
	unsigned used = rte_mempool_in_use_count(pool);

	CHECK_AT(line, used == 0, "%u mbufs still in use", used);
}
#define check_pool() check_pool_at(__LINE__)

static struct rte_eth_stats
stats_of(uint16_t port)
{
	struct rte_eth_stats st;

	memset(&st, 0, sizeof(st));
	CHECK(rte_eth_stats_get(port, &st) == 0, "stats of port %u", port);
	return st;
}

/* The xstat called name of port, or UINT64_MAX when there is none. */
static uint64_t
xstat(uint16_t port, const char *name)
{
	uint64_t id, v;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0)
		return UINT64_MAX;
	if (rte_eth_xstats_get_by_id(port, &id, &v, 1) != 1)
		return UINT64_MAX;
	return v;
}

typedef void (*pkt_fn)(struct rte_mbuf *m, void *arg);

/* Poll RX queue q until a poll returns nothing, give every packet to fn
 * (when not NULL), free them. Returns the packets received. For paced ports
 * or count= only: a rate=0 port never runs dry. */
static uint64_t
drain(uint16_t port, uint16_t q, pkt_fn fn, void *arg)
{
	struct rte_mbuf *m[BURST];
	uint64_t total = 0;
	uint16_t n;

	while ((n = rte_eth_rx_burst(port, q, m, BURST)) != 0) {
		for (uint16_t i = 0; i < n; i++) {
			if (fn != NULL)
				fn(m[i], arg);
			rte_pktmbuf_free(m[i]);
		}
		total += n;
	}
	return total;
}

/* Exactly n packets from a rate=0 port, in bursts of at most BURST. */
static uint16_t
rx_some(uint16_t port, uint16_t q, struct rte_mbuf **m, uint16_t n)
{
	uint16_t got = 0;

	while (got < n) {
		uint16_t k = rte_eth_rx_burst(port, q, m + got, RTE_MIN(BURST, n - got));

		if (k == 0)
			break;
		got += k;
	}
	return got;
}

static void
free_all(struct rte_mbuf **m, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		rte_pktmbuf_free(m[i]);
}

static uint64_t
stamp_of(const struct rte_mbuf *m)
{
	return *RTE_MBUF_DYNFIELD(m, ts_off, const uint64_t *);
}

/* ---- frames ---- */

struct tuple {
	uint32_t sip, dip;
	uint16_t sport, dport;
};

static int
tuple_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct tuple));
}

/* Distinct tuples among t[0..n-1] (sorts t). */
static unsigned
distinct(struct tuple *t, unsigned n)
{
	unsigned d = n != 0;

	qsort(t, n, sizeof(*t), tuple_cmp);
	for (unsigned i = 1; i < n; i++)
		d += tuple_cmp(&t[i - 1], &t[i]) != 0;
	return d;
}

static struct tuple
tuple_of(const struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
								sizeof(struct rte_ether_hdr));
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(ip + 1);
	struct tuple t;

	memset(&t, 0, sizeof(t));
	t.sip = rte_be_to_cpu_32(ip->src_addr);
	t.dip = rte_be_to_cpu_32(ip->dst_addr);
	t.sport = rte_be_to_cpu_16(udp->src_port);
	t.dport = rte_be_to_cpu_16(udp->dst_port);
	return t;
}

static uint32_t
toeplitz(const struct tuple *t)
{
	union rte_thash_tuple x;

	memset(&x, 0, sizeof(x));
	x.v4.src_addr = t->sip;
	x.v4.dst_addr = t->dip;
	x.v4.sport = t->sport;
	x.v4.dport = t->dport;
	return rte_softrss((uint32_t *)&x, RTE_THASH_V4_L4_LEN, rss_key);
}

/* Is m a well-formed frame of net_bgen on port, between src and dst? Says
 * why not in why. */
static bool
frame_ok(const struct rte_mbuf *m, uint16_t port, const struct rte_ether_addr *src,
	 const struct rte_ether_addr *dst, char *why, size_t len)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	const struct rte_ipv4_hdr *ip = (const struct rte_ipv4_hdr *)(eth + 1);
	const struct rte_udp_hdr *udp = (const struct rte_udp_hdr *)(ip + 1);
	const uint8_t *payload = (const uint8_t *)(udp + 1);
	struct tuple t = tuple_of(m);

#define BAD(...) do { snprintf(why, len, __VA_ARGS__); return false; } while (0)
	if (m->nb_segs != 1 || m->data_len != m->pkt_len)
		BAD("segments %u, data_len %u, pkt_len %u", m->nb_segs, m->data_len, m->pkt_len);
	if (m->port != port)
		BAD("mbuf port %u", m->port);
	if (!rte_is_same_ether_addr(&eth->dst_addr, dst) ||
	    !rte_is_same_ether_addr(&eth->src_addr, src))
		BAD("MAC addresses");
	if (eth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4))
		BAD("ether type %#x", rte_be_to_cpu_16(eth->ether_type));
	if (ip->version_ihl != 0x45 || ip->next_proto_id != IPPROTO_UDP || ip->time_to_live == 0)
		BAD("IPv4 header fields");
	if (rte_be_to_cpu_16(ip->total_length) != m->pkt_len - sizeof(*eth))
		BAD("IP total length %u in a frame of %u", rte_be_to_cpu_16(ip->total_length),
		    m->pkt_len);
	if (rte_ipv4_cksum(ip) != 0)
		BAD("IP checksum %#x wrong", ip->hdr_checksum);
	if (rte_be_to_cpu_16(udp->dgram_len) != m->pkt_len - sizeof(*eth) - sizeof(*ip))
		BAD("UDP length %u in a frame of %u", rte_be_to_cpu_16(udp->dgram_len),
		    m->pkt_len);
	if (udp->dgram_cksum == 0 || rte_ipv4_udptcp_cksum_verify(ip, udp) != 0)
		BAD("UDP checksum %#x wrong", udp->dgram_cksum);
	for (const uint8_t *b = payload; b < rte_pktmbuf_mtod(m, const uint8_t *) + m->pkt_len; b++)
		if (*b != 0)
			BAD("payload byte %td is %#x", b - payload, *b);
	if (!(m->ol_flags & ts_flag) || !(m->ol_flags & RTE_MBUF_F_RX_RSS_HASH))
		BAD("ol_flags %#" PRIx64 " without the timestamp or RSS flag", m->ol_flags);
	if (m->packet_type != (RTE_PTYPE_L2_ETHER | RTE_PTYPE_L3_IPV4 | RTE_PTYPE_L4_UDP))
		BAD("packet type %#x", m->packet_type);
	if (m->hash.rss != toeplitz(&t))
		BAD("hash.rss %#x, Toeplitz says %#x", m->hash.rss, toeplitz(&t));
#undef BAD
	return true;
}

/* Headers, addresses, sizes, flows and hashes on a rate=0 port. */
static void
test_frames(void)
{
	static const struct rte_ether_addr mac = { { 0x02, 0, 0, 0, 0, 0xaa } };
	static const struct rte_ether_addr src = { { 0x02, 0, 0, 0, 0, 0xbb } };
	static const struct rte_ether_addr dst = { { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	enum { N = 4096 };
	struct rte_mbuf *m[N];
	static struct tuple t[N];
	struct rte_ether_addr got_mac, def_mac, def_src;
	unsigned seen60 = 0, seen100 = 0, seen1518 = 0, bad = 0;
	struct port p, d;
	char why[128];

	memset(&d, 0, sizeof(d));
	if (!port_open(&p, "net_bgen10", "flows=60,size=60:100:1518,src_ip=10.0.0.1-10.0.0.5,"
		       "dst_ip=10.1.0.1-10.1.0.3,src_port=7-10,dst_port=99,mac=02:00:00:00:00:aa,"
		       "src_mac=02:00:00:00:00:bb,dst_mac=ff:ff:ff:ff:ff:ff"))
		goto out;
	CHECK(rte_eth_macaddr_get(p.id, &got_mac) == 0 && rte_is_same_ether_addr(&got_mac, &mac),
	      "mac= is the port's address");
	CHECK(rx_some(p.id, 0, m, N) == N, "a rate=0 port gives every burst in full");
	for (unsigned i = 0; i < N; i++) {
		t[i] = tuple_of(m[i]);
		if (!frame_ok(m[i], p.id, &src, &dst, why, sizeof(why)) && bad++ == 0)
			CHECK(false, "packet %u: %s", i, why);
		seen60 += m[i]->pkt_len == 60;
		seen100 += m[i]->pkt_len == 100;
		seen1518 += m[i]->pkt_len == 1518;
		/* 5 source IPs vary fastest, then 3 destinations, then 4 source ports */
		if (t[i].sip < RTE_IPV4(10, 0, 0, 1) || t[i].sip > RTE_IPV4(10, 0, 0, 5) ||
		    t[i].dip < RTE_IPV4(10, 1, 0, 1) || t[i].dip > RTE_IPV4(10, 1, 0, 3) ||
		    t[i].sport < 7 || t[i].sport > 10 || t[i].dport != 99)
			CHECK(bad++ != 0, "packet %u: 5-tuple outside the ranges", i);
	}
	CHECK(bad == 0, "%u bad packets of %u", bad, N);
	CHECK(seen60 + seen100 + seen1518 == N && seen60 > N / 4 && seen100 > N / 4 &&
	      seen1518 > N / 4, "sizes 60/100/1518: %u/%u/%u", seen60, seen100, seen1518);
	CHECK(distinct(t, N) == 60, "%u distinct flows, want 60", distinct(t, N));
	free_all(m, N);
	port_close(&p);

	/* Defaults: frames to the port's own MAC from 02:62:67:01:<port>. */
	if (!port_open(&d, "net_bgen11", ""))
		goto out;
	def_mac = (struct rte_ether_addr){ { 0x02, 0x62, 0x67, 0x00, (uint8_t)(d.id >> 8),
					     (uint8_t)d.id } };
	def_src = (struct rte_ether_addr){ { 0x02, 0x62, 0x67, 0x01, (uint8_t)(d.id >> 8),
					     (uint8_t)d.id } };
	CHECK(rte_eth_macaddr_get(d.id, &got_mac) == 0 &&
	      rte_is_same_ether_addr(&got_mac, &def_mac), "default port MAC");
	CHECK(rx_some(d.id, 0, m, 64) == 64, "64 default packets");
	for (unsigned i = 0; i < 64; i++) {
		if (!frame_ok(m[i], d.id, &def_src, &def_mac, why, sizeof(why)))
			CHECK(bad++ != 0, "default packet %u: %s", i, why);
		t[i] = tuple_of(m[i]);
		CHECK(m[i]->pkt_len == 64 && t[i].sip == RTE_IPV4(198, 18, 0, 1) &&
		      t[i].dip == RTE_IPV4(198, 19, 0, 1) && t[i].sport == 1024 &&
		      t[i].dport == 1024, "default frame %u: 64 bytes, one flow", i);
	}
	free_all(m, 64);
	port_close(&d);

	/* A range given varies before the default src_port range. */
	if (!port_open(&d, "net_bgen11", "flows=3,dst_port=5-7"))
		goto out;
	CHECK(rx_some(d.id, 0, m, 64) == 64, "64 packets");
	for (unsigned i = 0; i < 64; i++) {
		t[i] = tuple_of(m[i]);
		CHECK(t[i].sport == 1024 && t[i].dport >= 5 && t[i].dport <= 7,
		      "flows=3,dst_port=5-7: packet %u from port %u to %u", i, t[i].sport,
		      t[i].dport);
	}
	CHECK(distinct(t, 64) == 3, "3 flows");
	free_all(m, 64);
	port_close(&d);

	/* Many flows on a queue take the prefetching path: same frames. */
	if (!port_open(&d, "net_bgen11", "flows=1000,size=64:300,src_ip=10.0.0.0-10.0.3.255"))
		goto out;
	CHECK(rx_some(d.id, 0, m, N) == N, "packets of 1000 flows");
	def_src = (struct rte_ether_addr){ { 0x02, 0x62, 0x67, 0x01, (uint8_t)(d.id >> 8),
					     (uint8_t)d.id } };
	rte_eth_macaddr_get(d.id, &def_mac);
	for (unsigned i = 0; i < N; i++) {
		t[i] = tuple_of(m[i]);
		if (!frame_ok(m[i], d.id, &def_src, &def_mac, why, sizeof(why)))
			CHECK(bad++ != 0, "1000 flows, packet %u: %s", i, why);
	}
	/* 4096 draws of 1000 flows leave about 17 unseen */
	CHECK(distinct(t, N) > 950, "%u distinct flows of 1000", distinct(t, N));
	free_all(m, N);
out:
	port_close(&p);
	port_close(&d);
	check_pool();
}

/* size=imix: 7:4:1 of 64, 570 and 1518 bytes. */
static void
test_imix(void)
{
	enum { N = 60000 };
	unsigned n64 = 0, n570 = 0, n1518 = 0;
	struct rte_mbuf *m[BURST];
	struct port p;

	if (!port_open(&p, "net_bgen10", "size=imix,flows=8"))
		goto out;
	for (unsigned got = 0; got < N; got += BURST) {
		uint16_t n = rte_eth_rx_burst(p.id, 0, m, BURST);

		CHECK(n == BURST, "full bursts");
		for (uint16_t i = 0; i < n; i++) {
			n64 += m[i]->pkt_len == 64;
			n570 += m[i]->pkt_len == 570;
			n1518 += m[i]->pkt_len == 1518;
		}
		free_all(m, n);
		if (n != BURST)
			break;
	}
	/* 0.01 is about 5 standard deviations of these fractions at N. */
	CHECK(fabs((double)n64 / N - 7.0 / 12) < 0.01 && fabs((double)n570 / N - 4.0 / 12) < 0.01 &&
	      fabs((double)n1518 / N - 1.0 / 12) < 0.01 && n64 + n570 + n1518 >= N,
	      "imix 64/570/1518: %u/%u/%u of %u", n64, n570, n1518, N);
out:
	port_close(&p);
	check_pool();
}

/* Same seed, same bytes on two devices; another seed, other bytes. */
static void
test_seed(void)
{
	enum { N = 2000 };
	static struct rte_mbuf *a[N], *b[N], *c[N];
	unsigned same_ab = 0, same_ac = 0;
	struct port pa, pb, pc;

	memset(&pb, 0, sizeof(pb));
	memset(&pc, 0, sizeof(pc));
	/* The default MACs name the port: give the frames' addresses. */
#define SEED_ARGS "flows=100,size=64:128:1518,src_mac=02:00:00:00:00:01,dst_mac=02:00:00:00:00:02"
	if (!port_open(&pa, "net_bgen10", SEED_ARGS ",seed=42") ||
	    !port_open(&pb, "net_bgen11", SEED_ARGS ",seed=42") ||
	    !port_open(&pc, "net_bgen12", SEED_ARGS ",seed=43"))
		goto out;
	CHECK(rx_some(pa.id, 0, a, N) == N && rx_some(pb.id, 0, b, N) == N &&
	      rx_some(pc.id, 0, c, N) == N, "packets from the three ports");
	for (unsigned i = 0; i < N; i++) {
		same_ab += a[i]->pkt_len == b[i]->pkt_len &&
			   memcmp(rte_pktmbuf_mtod(a[i], void *), rte_pktmbuf_mtod(b[i], void *),
				  a[i]->pkt_len) == 0;
		same_ac += a[i]->pkt_len == c[i]->pkt_len &&
			   memcmp(rte_pktmbuf_mtod(a[i], void *), rte_pktmbuf_mtod(c[i], void *),
				  a[i]->pkt_len) == 0;
	}
	CHECK(same_ab == N, "seed=42 twice: %u of %u packets identical", same_ab, N);
	/* 1 in 300 pairs match by chance (same flow and size) */
	CHECK(same_ac < N / 20, "seed=42 and 43: %u of %u packets identical", same_ac, N);
	free_all(a, N);
	free_all(b, N);
	free_all(c, N);
out:
	port_close(&pa);
	port_close(&pb);
	port_close(&pc);
	check_pool();
}

/* ---- arrivals on the test clock ---- */

struct stamps {
	uint64_t *v;
	size_t n, cap;
	uint64_t last_clock;           /* no stamp may be later */
	unsigned late;
};

static void
take_stamp(struct rte_mbuf *m, void *arg)
{
	struct stamps *s = arg;
	uint64_t st = stamp_of(m);

	s->late += st > s->last_clock;
	if (s->n < s->cap)
		s->v[s->n++] = st;
}

/* const: the count over a simulated interval, each stamp on the schedule. */
static void
const_rate_case(const char *args, uint64_t rate, uint64_t step_ns, uint64_t steps)
{
	struct stamps s = { 0 };
	uint64_t total = 0, want = rate * step_ns * steps / TEST_HZ, bad_gap = 0;
	struct port p;

	clock_now = CLOCK_START;
	s.cap = want + 16;
	s.v = malloc(s.cap * sizeof(*s.v));
	if (!port_open(&p, "net_bgen10", args, .hz = TEST_HZ))
		goto out;
	for (uint64_t i = 0; i < steps; i++) {
		clock_now += step_ns;
		s.last_clock = clock_now;
		total += drain(p.id, 0, take_stamp, &s);
	}
	CHECK(total + 1 >= want && total <= want + 1 && fabs((double)total - want) <= want * 0.01,
	      "%s: %" PRIu64 " packets over %.3f s, want %" PRIu64, args,
	      total, (double)(step_ns * steps) / TEST_HZ, want);
	/* Arrival k at t0 + floor(k * hz / rate). */
	for (size_t k = 0; k < s.n; k++)
		bad_gap += s.v[k] != CLOCK_START + (k + 1) * TEST_HZ / rate;
	CHECK(bad_gap == 0, "%s: %" PRIu64 " stamps off the schedule", args, bad_gap);
	CHECK(s.late == 0, "%s: %u stamps later than the clock", args, s.late);
	CHECK(stats_of(p.id).imissed == 0 && stats_of(p.id).ipackets == total,
	      "%s: no loss, ipackets counts them", args);
out:
	free(s.v);
	port_close(&p);
	check_pool();
}

static void
test_rate_const(void)
{
	/* 1 Mpps for 100 ms in 10 us steps; 333333 pps (not a whole number of
	 * ns apart) for 1 s in 1 ms steps. */
	const_rate_case("rate=1000000", 1000000, 10000, 10000);
	const_rate_case("rate=333333,arrival=const", 333333, 1000000, 1000);
}

/* poisson: mean and coefficient of variation of 10^5 inter-arrival times. */
static void
test_rate_poisson(void)
{
	enum { N = 100001 };
	const uint64_t rate = 100000, mean_ns = TEST_HZ / rate, step = 100000;
	struct stamps s = { 0 };
	double sum = 0, sum2 = 0, mean, cv;
	uint64_t one_second = 0;
	struct port p;

	clock_now = CLOCK_START;
	s.cap = N;
	s.v = malloc(N * sizeof(*s.v));
	if (!port_open(&p, "net_bgen10", "rate=100000,arrival=poisson,flows=4", .hz = TEST_HZ))
		goto out;
	/* 1.1 s: 110000 arrivals expected, 100001 kept (30 standard deviations
	 * below); the count at 1 s checks the rate. */
	while (clock_now < CLOCK_START + TEST_HZ + TEST_HZ / 10) {
		clock_now += step;
		s.last_clock = clock_now;
		drain(p.id, 0, take_stamp, &s);
		if (clock_now == CLOCK_START + TEST_HZ)
			one_second = stats_of(p.id).ipackets;
	}
	CHECK(s.n == N, "%zu arrivals", s.n);
	for (size_t k = 1; k < s.n; k++) {
		double d = (double)(s.v[k] - s.v[k - 1]);

		sum += d;
		sum2 += d * d;
	}
	mean = sum / (double)(s.n - 1);
	cv = sqrt(sum2 / (double)(s.n - 1) - mean * mean) / mean;
	CHECK(fabs(mean - (double)mean_ns) <= 0.02 * mean_ns,
	      "poisson mean inter-arrival %.1f ns, want %" PRIu64 " within 2%%", mean, mean_ns);
	CHECK(fabs(cv - 1.0) <= 0.05, "poisson coefficient of variation %.4f, want 1 within 5%%",
	      cv);
	CHECK(fabs((double)one_second - rate) <= 0.01 * rate,
	      "poisson: %" PRIu64 " arrivals in 1 s at %" PRIu64 "/s", one_second, rate);
	CHECK(s.late == 0 && stats_of(p.id).imissed == 0, "no late stamp, no loss");
out:
	free(s.v);
	port_close(&p);
	check_pool();
}

static void
collect_tuple(struct rte_mbuf *m, void *arg)
{
	struct stamps *s = arg;      /* reused as a growable byte store */
	struct tuple t = tuple_of(m);

	if (s->n + sizeof(t) / sizeof(uint64_t) + 1 <= s->cap) {
		memcpy(&s->v[s->n], &t, sizeof(t));
		s->n += (sizeof(t) + sizeof(uint64_t) - 1) / sizeof(uint64_t);
	}
}

/* share=80:20 on two queues; share=100:0 leaves queue 1 dry. */
static void
test_share_explicit(void)
{
	const uint64_t rate = 1000000, steps = 1000, step_ns = 1000000;
	uint64_t got[2] = { 0 };
	struct stamps fl[2] = { { 0 }, { 0 } };
	struct rte_pmd_bgen_rxq_state st[2];
	struct rte_mbuf *m[BURST];
	unsigned overlap = 0;
	struct port p, z;

	memset(&z, 0, sizeof(z));
	clock_now = CLOCK_START;
	for (int q = 0; q < 2; q++) {
		fl[q].cap = 2 * 4096;
		fl[q].v = malloc(fl[q].cap * sizeof(uint64_t));
	}
	if (!port_open(&p, "net_bgen10", "share=80:20,flows=10,rate=1000000", .nb_rxq = 2,
		       .hz = TEST_HZ))
		goto out;
	for (uint64_t i = 0; i < steps; i++) {
		clock_now += step_ns;
		for (uint16_t q = 0; q < 2; q++)
			got[q] += drain(p.id, q, i < 4096 / 2 ? collect_tuple : NULL, &fl[q]);
	}
	for (int q = 0; q < 2; q++) {
		double want = (q == 0 ? 0.8 : 0.2) * (double)(rate * steps * step_ns / TEST_HZ);

		CHECK(fabs((double)got[q] - want) <= 0.01 * want,
		      "queue %d: %" PRIu64 " packets, want %.0f within 1%%", q, got[q], want);
	}
	CHECK(rte_pmd_bgen_rxq_state_get(p.id, 0, &st[0]) == 0 &&
	      rte_pmd_bgen_rxq_state_get(p.id, 1, &st[1]) == 0 && st[0].nb_flows == 8 &&
	      st[1].nb_flows == 2, "flows per queue %u/%u, want 8/2", st[0].nb_flows,
	      st[1].nb_flows);
	CHECK(fabs(st[0].rate - 800000) < 1 && fabs(st[1].rate - 200000) < 1,
	      "queue rates %.1f/%.1f", st[0].rate, st[1].rate);
	/* A flow stays on its queue. */
	for (size_t a = 0; a < fl[0].n; a += 2)
		for (size_t b = 0; b < fl[1].n; b += 2)
			overlap += memcmp(&fl[0].v[a], &fl[1].v[b], sizeof(struct tuple)) == 0;
	CHECK(overlap == 0 && fl[0].n > 0 && fl[1].n > 0, "%u packets share a flow across queues",
	      overlap);
	port_close(&p);

	if (!port_open(&z, "net_bgen11", "share=100:0,flows=3", .nb_rxq = 2))
		goto out;
	CHECK(rte_eth_rx_burst(z.id, 1, m, BURST) == 0, "share 0: nothing, even at rate=0");
	CHECK(rx_some(z.id, 0, m, BURST) == BURST, "share 100: full bursts");
	free_all(m, BURST);
out:
	for (int q = 0; q < 2; q++)
		free(fl[q].v);
	port_close(&p);
	port_close(&z);
	check_pool();
}

struct rss_check {
	uint16_t queue, nb_queues;
	unsigned wrong;
};

static void
check_rss(struct rte_mbuf *m, void *arg)
{
	struct rss_check *c = arg;
	struct tuple t = tuple_of(m);
	uint32_t h = toeplitz(&t);

	c->wrong += m->hash.rss != h || (h % 128) % c->nb_queues != c->queue;
}

/* No share=: flows go where RSS would put them; every queue gets some,
 * each in proportion to its flows. */
static void
test_share_hash(void)
{
	enum { NQ = 4 };
	const uint64_t rate = 1000000, steps = 200, step_ns = 1000000;
	uint64_t got[NQ] = { 0 }, total = 0;
	uint32_t flows = 0;
	struct port p;

	clock_now = CLOCK_START;
	if (!port_open(&p, "net_bgen10", "flows=1000,rate=1000000", .nb_rxq = NQ, .hz = TEST_HZ))
		goto out;
	for (uint64_t i = 0; i < steps; i++) {
		clock_now += step_ns;
		for (uint16_t q = 0; q < NQ; q++) {
			struct rss_check c = { q, NQ, 0 };

			got[q] += drain(p.id, q, check_rss, &c);
			if (c.wrong != 0)
				CHECK(false, "queue %u: %u packets with a hash that is not theirs "
				      "or not this queue's", q, c.wrong);
		}
	}
	for (uint16_t q = 0; q < NQ; q++)
		total += got[q];
	CHECK(total == rate * steps * step_ns / TEST_HZ, "%" PRIu64 " packets in all", total);
	for (uint16_t q = 0; q < NQ; q++) {
		struct rte_pmd_bgen_rxq_state st;
		double share = (double)got[q] / (double)total, want;

		CHECK(rte_pmd_bgen_rxq_state_get(p.id, q, &st) == 0, "state of queue %u", q);
		flows += st.nb_flows;
		want = st.nb_flows / 1000.0;
		CHECK(share > 0.15 && share < 0.35, "queue %u: %.3f of the packets", q, share);
		CHECK(fabs(share - want) <= 0.01 * want,
		      "queue %u: %.4f of the packets, its flows %.4f", q, share, want);
	}
	CHECK(flows == 1000, "%u flows over the queues", flows);
out:
	port_close(&p);
	check_pool();
}

/* A ring of 512 at 1 Mpps const: a known stall loses a known number. */
static void
test_imissed(void)
{
	struct rte_eth_stats st;
	uint64_t got;
	struct port p, q;

	memset(&q, 0, sizeof(q));
	clock_now = CLOCK_START;
	if (!port_open(&p, "net_bgen10", "rate=1000000", .nb_desc = 512, .hz = TEST_HZ))
		goto out;
	clock_now += 100000;                /* 100 us: 100 arrivals, polled */
	got = drain(p.id, 0, NULL, NULL);
	CHECK(got == 100 && stats_of(p.id).imissed == 0, "100 arrivals in 100 us: %" PRIu64, got);
	clock_now += 10000000;              /* 10 ms unpolled: 10000 arrivals */
	got = drain(p.id, 0, NULL, NULL);
	st = stats_of(p.id);
	CHECK(got == 512 && st.imissed == 10000 - 512,
	      "10 ms unpolled: %" PRIu64 " received (ring 512), %" PRIu64 " missed, want %u",
	      got, st.imissed, 10000 - 512);
	clock_now += UINT64_C(1000) * TEST_HZ;  /* 1000 s: 10^9 arrivals, in closed form */
	got = drain(p.id, 0, NULL, NULL);
	st = stats_of(p.id);
	CHECK(got == 512 && st.imissed == 10000 - 512 + UINT64_C(1000000000) - 512,
	      "1000 s unpolled: %" PRIu64 " received, %" PRIu64 " missed", got, st.imissed);
	CHECK(st.ipackets == 100 + 512 + 512, "ipackets %" PRIu64, st.ipackets);
	CHECK(xstat(p.id, "rx_offered_packets") == st.ipackets + st.imissed,
	      "offered = received + missed");
	port_close(&p);

	/* Poisson: the same stall, lost arrivals by draws and expectation. */
	clock_now = CLOCK_START;
	if (!port_open(&q, "net_bgen11", "rate=1000000,arrival=poisson", .nb_desc = 512,
		       .hz = TEST_HZ))
		goto out;
	clock_now += 100000000;             /* 100 ms: 10^5 arrivals expected */
	got = drain(q.id, 0, NULL, NULL);
	st = stats_of(q.id);
	CHECK(got == 512 && fabs((double)(st.imissed + got) - 1e5) <= 0.02 * 1e5,
	      "poisson 100 ms unpolled: %" PRIu64 " received, %" PRIu64 " missed", got,
	      st.imissed);
	clock_now += UINT64_C(1000) * TEST_HZ;
	got = drain(q.id, 0, NULL, NULL);
	st = stats_of(q.id);
	CHECK(got == 512 && fabs((double)(st.imissed + st.ipackets) - 1.0001e9) <= 1e6,
	      "poisson 1000 s unpolled: %" PRIu64 " missed of 1.0001e9", st.imissed);
out:
	port_close(&p);
	port_close(&q);
	check_pool();
}

/* count=N: exactly N packets, split over queues, paced or not. */
static void
test_count(void)
{
	uint64_t got;
	struct port a, b, c;

	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	if (!port_open(&a, "net_bgen10", "count=1000"))
		goto out;
	got = drain(a.id, 0, NULL, NULL);
	got += drain(a.id, 0, NULL, NULL);
	CHECK(got == 1000 && stats_of(a.id).ipackets == 1000, "count=1000 gave %" PRIu64, got);
	port_close(&a);

	if (!port_open(&b, "net_bgen11", "count=1001,flows=100", .nb_rxq = 2))
		goto out;
	got = drain(b.id, 0, NULL, NULL) + drain(b.id, 1, NULL, NULL);
	CHECK(got == 1001, "count=1001 on two queues gave %" PRIu64, got);
	port_close(&b);

	clock_now = CLOCK_START;
	if (!port_open(&c, "net_bgen12", "count=500,rate=1000000", .hz = TEST_HZ))
		goto out;
	clock_now += TEST_HZ;
	got = drain(c.id, 0, NULL, NULL);
	clock_now += TEST_HZ;
	got += drain(c.id, 0, NULL, NULL);
	CHECK(got == 500 && stats_of(c.id).imissed == 0, "paced count=500 gave %" PRIu64, got);
out:
	port_close(&a);
	port_close(&b);
	port_close(&c);
	check_pool();
}

/* ---- TX: latency and counters ---- */

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The value of rank ceil(q n) among sorted v[0..n-1]. */
static uint64_t
exact_quantile(const uint64_t *v, size_t n, double q)
{
	size_t rank = (size_t)ceil(q * (double)n);

	return v[rank == 0 ? 0 : rank - 1];
}

static bool
near(uint64_t got, double want, double rel, double abs_slack)
{
	return fabs((double)got - want) <= want * rel + abs_slack;
}

/* Send n packets on TX queue q of port, stamped clock_now - d[i] (or
 * without a stamp when d is NULL). Returns the bytes sent. */
static uint64_t
send_stamped(uint16_t port, uint16_t q, const uint64_t *d, unsigned n)
{
	uint64_t bytes = 0;

	for (unsigned i = 0; i < n; i += BURST) {
		struct rte_mbuf *m[BURST];
		uint16_t k = (uint16_t)RTE_MIN((unsigned)BURST, n - i), sent;

		for (uint16_t j = 0; j < k; j++) {
			m[j] = bg_test_mbuf_new(pool, (uint16_t)(60 + (i + j) % 64));
			if (m[j] == NULL) {
				CHECK(false, "mbuf");
				free_all(m, j);
				return bytes;
			}
			bytes += m[j]->pkt_len;
			if (d != NULL) {
				*RTE_MBUF_DYNFIELD(m[j], ts_off, uint64_t *) = clock_now - d[i + j];
				m[j]->ol_flags |= ts_flag;
			}
		}
		sent = rte_eth_tx_burst(port, q, m, k);
		CHECK(sent == k, "the sink takes every packet: %u of %u", sent, k);
		free_all(m + sent, k - sent);
	}
	return bytes;
}

static void
test_latency(void)
{
	enum { N = 10000, NOSTAMP = 100 };
	const uint64_t hz = 2 * TEST_HZ;   /* 2 cycles a ns: the ns figures are halves */
	static const double qs[] = { 0.5, 0.9, 0.99, 0.999 };
	static uint64_t d[N], sorted[N];
	struct rte_pmd_bgen_latency lat, lq[2];
	struct bg_hist *h = malloc(sizeof(*h)), *hq = malloc(sizeof(*hq));
	struct rte_eth_stats st;
	uint64_t bytes = 0, sum = 0, clk = 0;
	struct port p;

	clock_now = CLOCK_START;
	for (unsigned i = 0; i < N; i++) {
		d[i] = 2000 + (uint64_t)i * 7919 % 198000;   /* 1 to 100 us */
		sorted[i] = d[i];
		sum += d[i];
	}
	qsort(sorted, N, sizeof(sorted[0]), u64_cmp);
	if (h == NULL || hq == NULL || !port_open(&p, "net_bgen10", "", .nb_txq = 2, .hz = hz))
		goto out;
	CHECK(rte_pmd_bgen_clock_hz(p.id, &clk) == 0 && clk == hz, "clock hz %" PRIu64, clk);
	/* Even packets on queue 0, odd on queue 1. */
	for (unsigned i = 0; i < N; i += 2 * BURST) {
		uint64_t a[BURST], b[BURST];
		unsigned na = 0, nb = 0;

		for (unsigned j = i; j < RTE_MIN(i + 2 * BURST, (unsigned)N); j++) {
			if (j % 2 == 0)
				a[na++] = d[j];
			else
				b[nb++] = d[j];
		}
		bytes += send_stamped(p.id, 0, a, na);
		bytes += send_stamped(p.id, 1, b, nb);
	}
	bytes += send_stamped(p.id, 1, NULL, NOSTAMP);

	CHECK(rte_pmd_bgen_latency_hist_get(p.id, RTE_PMD_BGEN_ALL_QUEUES, h) == 0 &&
	      h->count == N, "merged histogram of %" PRIu64 " samples", h->count);
	CHECK(h->min == sorted[0] && h->max == sorted[N - 1] && h->sum == sum,
	      "histogram min %" PRIu64 " max %" PRIu64 " exact", h->min, h->max);
	for (unsigned k = 0; k < RTE_DIM(qs); k++) {
		uint64_t want = exact_quantile(sorted, N, qs[k]), got = bg_hist_quantile(h, qs[k]);

		CHECK(near(got, (double)want, BG_HIST_REL_ERROR, 0),
		      "quantile %.3f: %" PRIu64 " cycles, exact %" PRIu64, qs[k], got, want);
	}
	CHECK(rte_pmd_bgen_latency_get(p.id, RTE_PMD_BGEN_ALL_QUEUES, &lat) == 0, "latency");
	CHECK(lat.samples == N && lat.no_stamp == NOSTAMP, "samples %" PRIu64 ", no stamp %" PRIu64,
	      lat.samples, lat.no_stamp);
	CHECK(near(lat.p50_ns, exact_quantile(sorted, N, 0.5) / 2.0, BG_HIST_REL_ERROR, 1) &&
	      near(lat.p90_ns, exact_quantile(sorted, N, 0.9) / 2.0, BG_HIST_REL_ERROR, 1) &&
	      near(lat.p99_ns, exact_quantile(sorted, N, 0.99) / 2.0, BG_HIST_REL_ERROR, 1) &&
	      near(lat.p999_ns, exact_quantile(sorted, N, 0.999) / 2.0, BG_HIST_REL_ERROR, 1),
	      "percentiles in ns: %" PRIu64 "/%" PRIu64 "/%" PRIu64 "/%" PRIu64, lat.p50_ns,
	      lat.p90_ns, lat.p99_ns, lat.p999_ns);
	CHECK(near(lat.min_ns, sorted[0] / 2.0, 0, 1) && near(lat.max_ns, sorted[N - 1] / 2.0, 0, 1) &&
	      near(lat.mean_ns, (double)sum / N / 2.0, 0, 1), "min/mean/max in ns");

	/* Per queue: half each, the no-stamp packets on queue 1. */
	CHECK(rte_pmd_bgen_latency_get(p.id, 0, &lq[0]) == 0 &&
	      rte_pmd_bgen_latency_get(p.id, 1, &lq[1]) == 0 && lq[0].samples == N / 2 &&
	      lq[1].samples == N / 2 && lq[0].no_stamp == 0 && lq[1].no_stamp == NOSTAMP,
	      "per queue samples %" PRIu64 "/%" PRIu64, lq[0].samples, lq[1].samples);
	CHECK(rte_pmd_bgen_latency_hist_get(p.id, 1, hq) == 0 && hq->count == N / 2,
	      "queue 1's histogram");
	CHECK(rte_pmd_bgen_latency_get(p.id, 2, &lat) == -EINVAL &&
	      rte_pmd_bgen_latency_hist_get(p.id, 0, NULL) == -EINVAL &&
	      rte_pmd_bgen_latency_get(RTE_MAX_ETHPORTS - 1, 0, &lat) == -ENODEV,
	      "bad queue, NULL, bad port");

	/* ethdev counters and xstats carry the same figures. */
	st = stats_of(p.id);
	CHECK(st.opackets == N + NOSTAMP && st.obytes == bytes && st.q_opackets[1] == N / 2 + NOSTAMP,
	      "opackets %" PRIu64 " obytes %" PRIu64, st.opackets, st.obytes);
	rte_pmd_bgen_latency_get(p.id, RTE_PMD_BGEN_ALL_QUEUES, &lat);
	CHECK(xstat(p.id, "tx_latency_samples") == N &&
	      xstat(p.id, "tx_no_stamp_packets") == NOSTAMP &&
	      xstat(p.id, "tx_latency_p50_ns") == lat.p50_ns &&
	      xstat(p.id, "tx_latency_p90_ns") == lat.p90_ns &&
	      xstat(p.id, "tx_latency_p99_ns") == lat.p99_ns &&
	      xstat(p.id, "tx_latency_p99_9_ns") == lat.p999_ns &&
	      xstat(p.id, "tx_latency_max_ns") == lat.max_ns &&
	      xstat(p.id, "tx_latency_min_ns") == lat.min_ns &&
	      xstat(p.id, "tx_latency_mean_ns") == lat.mean_ns &&
	      xstat(p.id, "rx_offered_packets") == 0, "xstats by name");

	/* A reset while started reads as zero at once, and counting goes on. */
	CHECK(rte_eth_stats_reset(p.id) == 0, "stats reset");
	st = stats_of(p.id);
	rte_pmd_bgen_latency_hist_get(p.id, RTE_PMD_BGEN_ALL_QUEUES, h);
	CHECK(st.opackets == 0 && st.obytes == 0 && h->count == 0 &&
	      xstat(p.id, "tx_latency_samples") == 0 && xstat(p.id, "tx_no_stamp_packets") == 0,
	      "zero after reset");
	send_stamped(p.id, 0, d, 10);
	st = stats_of(p.id);
	CHECK(st.opackets == 10 && xstat(p.id, "tx_latency_samples") == 10,
	      "10 after reset: %" PRIu64, st.opackets);
out:
	free(h);
	free(hq);
	port_close(&p);
	check_pool();
}

/* RX counters reset too, started or stopped. */
static void
test_rx_reset(void)
{
	struct rte_mbuf *m[BURST];
	struct rte_eth_stats st;
	struct port p;

	if (!port_open(&p, "net_bgen10", "count=100"))
		goto out;
	CHECK(drain(p.id, 0, NULL, NULL) == 100, "100 packets");
	CHECK(rte_eth_stats_reset(p.id) == 0, "reset");
	st = stats_of(p.id);
	CHECK(st.ipackets == 0 && st.ibytes == 0 && xstat(p.id, "rx_offered_packets") == 0,
	      "RX zero after reset");
	/* a restart gives count= again; the counters go on from zero */
	rte_eth_dev_stop(p.id);
	CHECK(rte_eth_stats_reset(p.id) == 0, "reset while stopped");
	CHECK(rte_eth_dev_start(p.id) == 0, "restart");
	CHECK(rx_some(p.id, 0, m, 10) == 10, "10 packets");
	free_all(m, 10);
	st = stats_of(p.id);
	CHECK(st.ipackets == 10 && st.ibytes == 640 && st.q_ipackets[0] == 10,
	      "ipackets %" PRIu64 " ibytes %" PRIu64, st.ipackets, st.ibytes);
	/* The clock is the port's: only while stopped. */
	CHECK(rte_pmd_bgen_set_clock(p.id, test_clock, &clock_now, TEST_HZ) == -EBUSY,
	      "set_clock while started: -EBUSY");
	rte_eth_dev_stop(p.id);
	CHECK(rte_pmd_bgen_set_clock(p.id, test_clock, &clock_now, 0) == -EINVAL &&
	      rte_pmd_bgen_set_clock(p.id, NULL, NULL, 0) == 0, "set_clock bad hz, back to TSC");
out:
	port_close(&p);
	check_pool();
}

/* ---- bad devargs ---- */

struct heap_mark {
	unsigned alloc_count;
	size_t alloc_bytes;
	uint16_t ports;
};

static struct heap_mark
heap_mark(void)
{
	struct rte_malloc_socket_stats s;
	struct heap_mark h = { 0, 0, rte_eth_dev_count_total() };

	for (int sock = 0; sock < RTE_MAX_NUMA_NODES; sock++)
		if (rte_malloc_get_socket_stats(sock, &s) == 0) {
			h.alloc_count += s.alloc_count;
			h.alloc_bytes += s.heap_allocsz_bytes;
		}
	return h;
}

static void
check_heap_at(int line, struct heap_mark before, const char *what)
{
	struct heap_mark after = heap_mark();

	CHECK_AT(line, after.alloc_count == before.alloc_count &&
		 after.alloc_bytes == before.alloc_bytes && after.ports == before.ports,
		 "%s: heap %u blocks %zu bytes -> %u blocks %zu bytes, ports %u -> %u", what,
		 before.alloc_count, before.alloc_bytes, after.alloc_count, after.alloc_bytes,
		 before.ports, after.ports);
}

/* The log lines written while capturing. */
static FILE *log_mem;
static char *log_text;
static size_t log_size;

static void
log_capture(void)
{
	free(log_text);
	log_text = NULL;
	log_mem = open_memstream(&log_text, &log_size);
	rte_openlog_stream(log_mem);
}

static void
log_release(void)
{
	rte_openlog_stream(NULL);
	if (log_mem != NULL)
		fclose(log_mem);
	log_mem = NULL;
}

/* Exactly one line of the driver's ("net_bgen: ..."), containing want. */
static bool
one_driver_line(const char *text, const char *want)
{
	const char *at = text, *line = NULL;
	unsigned n = 0;

	while (at != NULL && *at != '\0') {
		const char *nl = strchr(at, '\n');

		if (strncmp(at, "net_bgen: ", 10) == 0) {
			n++;
			line = at;
		}
		at = nl != NULL ? nl + 1 : NULL;
	}
	if (n != 1)
		return false;
	{
		const char *nl = strchr(line, '\n');
		size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);
		char buf[512];

		snprintf(buf, sizeof(buf), "%.*s", (int)len, line);
		return strstr(buf, want) != NULL;
	}
}

static void
test_bad_devargs(void)
{
	static const struct {
		const char *args;
		const char *want;              /* in the one log line */
	} cases[] = {
		{ "foo=1", "unknown devarg foo=1" },
		{ "flows=abc", "bad flows=abc: not a number" },
		{ "flows=0", "bad flows=0: out of range" },
		{ "flows=65537", "bad flows=65537" },
		{ "flows=", "bad flows=: no value" },
		{ "flows", "bad flows=: no value" },
		{ "flows=5,flows=6", "bad flows=6: given twice" },
		{ "size=41", "bad size=41: a size is out of range" },
		{ "size=9601", "bad size=9601" },
		{ "size=64:abc", "bad size=64:abc: not a number" },
		{ "size=64::128", "bad size=64::128: empty size" },
		{ "size=64:", "bad size=64:: empty size" },
		{ "size=64:64:64:64:64:64:64:64:64:64:64:64:64:64:64:64:64", "more than 16 sizes" },
		{ "size=mix", "bad size=mix" },
		{ "share=50:40", "bad share=50:40: shares do not add up to 100" },
		{ "share=50:x:50", "bad share=50:x:50" },
		{ "share=101", "bad share=101" },
		{ "share=50:50", "bad share=50:50: 2 queues with a share need at least 2 flows" },
		{ "rate=-1", "bad rate=-1: not a number" },
		{ "rate=1e6", "bad rate=1e6: not a number" },
		{ "rate=10000000001", "bad rate=10000000001: out of range" },
		{ "rate= 5", "bad rate= 5: not a number" },
		{ "arrival=uniform", "bad arrival=uniform: not const or poisson" },
		{ "count=-5", "bad count=-5" },
		{ "count=99999999999999999999", "bad count=99999999999999999999: out of range" },
		{ "seed=0x10", "bad seed=0x10: not a number" },
		{ "src_ip=10.0.0.256", "bad src_ip=10.0.0.256: not an IPv4 address" },
		{ "dst_ip=10.0.0.5-10.0.0.1", "bad dst_ip=10.0.0.5-10.0.0.1: range ends below" },
		{ "dst_ip=host", "bad dst_ip=host" },
		{ "src_port=70000", "bad src_port=70000: out of range 0..65535" },
		{ "dst_port=9-1", "bad dst_port=9-1: range ends below" },
		{ "src_port=5,flows=2", "bad flows=2: src_ip, dst_ip, src_port and dst_port give only 1" },
		{ "mac=01:00:5e:00:00:01", "bad mac=01:00:5e:00:00:01: not a unicast address" },
		{ "mac=zz", "bad mac=zz: not a MAC address" },
		{ "src_mac=ff:ff:ff:ff:ff:ff", "bad src_mac=ff:ff:ff:ff:ff:ff" },
		{ "dst_mac=1:2:3", "bad dst_mac=1:2:3" },
	};
	struct heap_mark before = heap_mark();

	for (unsigned i = 0; i < RTE_DIM(cases); i++) {
		uint16_t id;
		int ret;
		bool ok;

		log_capture();
		ret = rte_vdev_init("net_bgen9", cases[i].args);
		log_release();
		ok = ret < 0 && rte_eth_dev_get_port_by_name("net_bgen9", &id) != 0 &&
		     one_driver_line(log_text, cases[i].want) &&
		     strstr(log_text, "net_bgen9") != NULL;
		CHECK(ok, "'%s': rte_vdev_init %d, want one line with '%s', log:\n%s", cases[i].args,
		      ret, cases[i].want, log_text != NULL ? log_text : "");
		if (ret == 0)
			rte_vdev_uninit("net_bgen9");
	}
	check_heap_at(__LINE__, before, "after the bad devargs");
}

/* share= names the RX queues: configure and start check it. */
static void
test_bad_share_queues(void)
{
	static const struct {
		const char *args;
		uint16_t nb_rxq;
	} cases[] = {
		{ "share=50:50,flows=2", 1 },
		{ "share=30:30:40,flows=3", 2 },
		{ "share=100", 4 },
	};
	struct rte_eth_conf conf;

	memset(&conf, 0, sizeof(conf));
	for (unsigned i = 0; i < RTE_DIM(cases); i++) {
		struct heap_mark before = heap_mark();
		uint16_t id = 0;
		int ret;

		CHECK(rte_vdev_init("net_bgen9", cases[i].args) == 0, "%s is good", cases[i].args);
		CHECK(rte_eth_dev_get_port_by_name("net_bgen9", &id) == 0, "port");
		log_capture();
		ret = rte_eth_dev_configure(id, cases[i].nb_rxq, 1, &conf);
		log_release();
		CHECK(ret == -EINVAL && one_driver_line(log_text, "share= names"),
		      "%s with %u RX queues: configure %d, log:\n%s", cases[i].args,
		      cases[i].nb_rxq, ret, log_text != NULL ? log_text : "");
		/* A start after a failed configure is refused too. */
		CHECK(rte_eth_dev_start(id) != 0, "no start");
		rte_eth_dev_close(id);
		rte_vdev_uninit("net_bgen9");
		check_heap_at(__LINE__, before, cases[i].args);
	}
}

/* A port's whole life leaves nothing behind: heap, ports, mbufs. A warm-up
 * port first, for what the EAL allocates once per process. */
static void
test_no_leak(void)
{
	struct rte_mbuf *m[BURST];
	struct heap_mark before;
	struct port p;

	if (port_open(&p, "net_bgen10", "flows=1000,size=64:1518", .nb_rxq = 2, .nb_txq = 2))
		port_close(&p);
	before = heap_mark();
	clock_now = CLOCK_START;
	if (!port_open(&p, "net_bgen10", "flows=1000,size=64:1518,rate=1000000", .nb_rxq = 2,
		       .nb_txq = 2, .hz = TEST_HZ))
		goto out;
	clock_now += 1000000;
	for (uint16_t q = 0; q < 2; q++) {
		uint16_t n = rte_eth_rx_burst(p.id, q, m, BURST);

		CHECK(rte_eth_tx_burst(p.id, q, m, n) == n, "loop back %u", n);
	}
	/* Restart, reconfigure to one queue each, start again. */
	rte_eth_dev_stop(p.id);
	CHECK(rte_eth_dev_start(p.id) == 0, "restart");
	rte_eth_dev_stop(p.id);
	{
		struct rte_eth_conf conf;

		memset(&conf, 0, sizeof(conf));
		CHECK(rte_eth_dev_configure(p.id, 1, 1, &conf) == 0, "reconfigure");
		CHECK(rte_eth_rx_queue_setup(p.id, 0, 256, SOCKET_ID_ANY, NULL, pool) == 0 &&
		      rte_eth_tx_queue_setup(p.id, 0, 256, SOCKET_ID_ANY, NULL) == 0, "queues again");
		CHECK(rte_eth_dev_start(p.id) == 0, "start again");
	}
	clock_now += 1000000;
	CHECK(drain(p.id, 0, NULL, NULL) > 0, "packets after the reconfiguration");
out:
	port_close(&p);
	check_heap_at(__LINE__, before, "after a port's life");
	check_pool();
}

/* ---- dpdk-testpmd with librte_net_bgen.so ---- */

#define TESTPMD_N 10000
#define TESTPMD_DEADLINE_S 30.0

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	if (f != NULL) {
		FILE *out = open_memstream(&buf, &len);
		char chunk[4096];
		size_t got;

		while ((got = fread(chunk, 1, sizeof(chunk), f)) != 0)
			fwrite(chunk, 1, got, out);
		fclose(out);
		fclose(f);
	}
	return buf != NULL ? buf : strdup("");
}

static unsigned
occurrences(const char *s, const char *needle)
{
	unsigned n = 0;

	for (const char *at = strstr(s, needle); at != NULL; at = strstr(at + 1, needle))
		n++;
	return n;
}

/* The value of "key: value" in the last xstats block of port in s. */
static bool
xstat_in(const char *s, unsigned port, const char *key, uint64_t *v)
{
	char head[64], pat[80];
	const char *block = NULL, *at, *end;

	snprintf(head, sizeof(head), "NIC extended statistics for port %u", port);
	for (at = strstr(s, head); at != NULL; at = strstr(at + 1, head))
		block = at;
	if (block == NULL)
		return false;
	end = strstr(block + 1, "NIC extended statistics for port");
	snprintf(pat, sizeof(pat), "\n%s: ", key);
	at = strstr(block, pat);
	if (at == NULL || (end != NULL && at > end))
		return false;
	return sscanf(at + strlen(pat), "%" SCNu64, v) == 1;
}

/*
 * The EAL loads no plugin from under a world-writable directory ("directory
 * path /tmp is world-writable and insecure"), and a clone may well live in
 * /tmp: testpmd gets a copy in a private directory under /run (root's) or
 * $HOME. Returns the path to load, bgen_so itself when no copy was made.
 */
static const char *
plugin_path(char *dir, size_t dirlen, char *path, size_t pathlen)
{
	const char *bases[] = { "/run", getenv("HOME") };
	char buf[65536];
	ssize_t n = 0;
	int in, out;

	for (size_t b = 0; b < RTE_DIM(bases); b++) {
		if (bases[b] == NULL)
			continue;
		snprintf(dir, dirlen, "%s/bg_test_bgen_XXXXXX", bases[b]);
		if (mkdtemp(dir) != NULL)
			break;
		dir[0] = '\0';
	}
	if (dir[0] == '\0')
		return bgen_so;
	snprintf(path, pathlen, "%s/librte_net_bgen.so", dir);
	in = open(bgen_so, O_RDONLY);
	out = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	if (in < 0 || out < 0 || n < 0) {
		unlink(path);
		rmdir(dir);
		dir[0] = '\0';
		return bgen_so;
	}
	return path;
}

static void
test_testpmd(void)
{
	char so_dir[PATH_MAX] = "", so_copy[PATH_MAX + 32];
	const char *so;
	char out_path[] = "/tmp/bg_test_bgen_testpmd_XXXXXX", prefix[64], *out = NULL;
	char n_arg[64], n_arg1[64];
	int out_fd, in[2] = { -1, -1 }, status = 0;
	bool done = false, exited = false;
	double deadline;
	FILE *cmd = NULL;
	pid_t pid;

	if (access(testpmd, X_OK) != 0 || access(bgen_so, R_OK) != 0) {
		CHECK(false, "need %s and %s", testpmd, bgen_so);
		return;
	}
	out_fd = mkstemp(out_path);
	if (out_fd < 0 || pipe(in) != 0) {
		CHECK(false, "mkstemp/pipe: %s", strerror(errno));
		return;
	}
	so = plugin_path(so_dir, sizeof(so_dir), so_copy, sizeof(so_copy));
	snprintf(prefix, sizeof(prefix), "--file-prefix=bgen_test_%d", (int)getpid());
	snprintf(n_arg, sizeof(n_arg), "net_bgen0,count=%d,flows=16", TESTPMD_N);
	snprintf(n_arg1, sizeof(n_arg1), "net_bgen1,count=%d,size=imix", TESTPMD_N);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		const char *argv[] = {
			testpmd, "-d", so, "--no-pci", "--in-memory", prefix, "-l", "0,1",
			"--no-telemetry", "--log-level=lib.eal:warning", "--vdev", n_arg, "--vdev",
			n_arg1, "--", "-i", "--forward-mode=io", "--no-flush-rx",
			"--total-num-mbufs=8192", NULL,
		};

		dup2(in[0], STDIN_FILENO);
		dup2(out_fd, STDOUT_FILENO);
		dup2(out_fd, STDERR_FILENO);
		close(in[1]);
		execv(testpmd, (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(out_fd);
	if (pid < 0) {
		CHECK(false, "fork: %s", strerror(errno));
		close(in[1]);
		unlink(out_path);
		if (so_dir[0] != '\0') {
			unlink(so_copy);
			rmdir(so_dir);
		}
		return;
	}
	signal(SIGPIPE, SIG_IGN);
	cmd = fdopen(in[1], "w");
	fprintf(cmd, "start\n");
	fflush(cmd);
	/* Ask for xstats until both sinks counted every packet: no timing. */
	deadline = now_s() + TESTPMD_DEADLINE_S;
	while (!done && now_s() < deadline) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			exited = true;
			break;
		}
		fprintf(cmd, "show port xstats all\n");
		fflush(cmd);
		usleep(200 * 1000);
		free(out);
		out = slurp(out_path);
		done = occurrences(out, "tx_latency_samples: 10000\n") >= 2;
	}
	CHECK(done, "both ports' sinks saw %d packets within %.0f s", TESTPMD_N,
	      TESTPMD_DEADLINE_S);
	fprintf(cmd, "stop\nshow port xstats all\nquit\n");
	fclose(cmd);
	deadline = now_s() + 15;
	while (!exited && now_s() < deadline) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			exited = true;
		else
			usleep(50 * 1000);
	}
	if (!exited) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	CHECK(exited && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "testpmd quit with status 0 (status %#x)", status);
	free(out);
	out = slurp(out_path);
	{
		uint64_t rx0 = 0, tx0 = 0, rx1 = 0, tx1 = 0, lat0 = 0, lat1 = 0, ns0 = 0, ns1 = 0,
			 nostamp0 = 1, nostamp1 = 1, off0 = 0, off1 = 0, p99 = 0;
		bool found;

		CHECK(strstr(out, "Port 0: 02:62:67:00:00:00") != NULL &&
		      strstr(out, "Port 1: 02:62:67:00:00:01") != NULL, "two net_bgen ports");
		CHECK(strstr(out, "RX-packets: 20000") != NULL &&
		      strstr(out, "TX-packets: 20000") != NULL, "forwarded 2 x %d", TESTPMD_N);
		found = xstat_in(out, 0, "rx_good_bytes", &rx0) &&
			xstat_in(out, 0, "tx_good_bytes", &tx0) &&
			xstat_in(out, 1, "rx_good_bytes", &rx1) &&
			xstat_in(out, 1, "tx_good_bytes", &tx1) &&
			xstat_in(out, 0, "tx_latency_samples", &lat0) &&
			xstat_in(out, 1, "tx_latency_samples", &lat1) &&
			xstat_in(out, 0, "tx_no_stamp_packets", &nostamp0) &&
			xstat_in(out, 1, "tx_no_stamp_packets", &nostamp1) &&
			xstat_in(out, 0, "rx_offered_packets", &off0) &&
			xstat_in(out, 1, "rx_offered_packets", &off1) &&
			xstat_in(out, 0, "tx_latency_p50_ns", &ns0) &&
			xstat_in(out, 1, "tx_latency_max_ns", &ns1) &&
			xstat_in(out, 1, "tx_latency_p99_9_ns", &p99);
		CHECK(found, "xstats of both ports");
		/* port 0's frames (64 bytes) left by port 1 and back */
		CHECK(rx0 == 64 * TESTPMD_N && tx1 == rx0 && tx0 == rx1 && rx1 > rx0,
		      "bytes: port 0 rx %" PRIu64 " tx %" PRIu64 ", port 1 rx %" PRIu64 " tx %" PRIu64,
		      rx0, tx0, rx1, tx1);
		CHECK(lat0 == TESTPMD_N && lat1 == TESTPMD_N && nostamp0 == 0 && nostamp1 == 0 &&
		      off0 == TESTPMD_N && off1 == TESTPMD_N, "every packet stamped and measured");
		CHECK(ns0 > 0 && ns1 > 0 && p99 <= ns1, "latencies present: p50 %" PRIu64
		      " ns, max %" PRIu64 " ns", ns0, ns1);
	}
	if (CU_get_number_of_failures() != 0)
		fprintf(stderr, "\n--- testpmd output ---\n%s---\n", out);
	free(out);
	unlink(out_path);
	if (so_dir[0] != '\0') {
		unlink(so_copy);
		rmdir(so_dir);
	}
}

int
main(int argc, char **argv)
{
	static const struct bg_test_case tests[] = {
		{ "frames", test_frames },
		{ "imix", test_imix },
		{ "seed", test_seed },
		{ "rate_const", test_rate_const },
		{ "rate_poisson", test_rate_poisson },
		{ "share_explicit", test_share_explicit },
		{ "share_hash", test_share_hash },
		{ "imissed", test_imissed },
		{ "count", test_count },
		{ "latency", test_latency },
		{ "rx_reset", test_rx_reset },
		{ "bad_devargs", test_bad_devargs },
		{ "bad_share_queues", test_bad_share_queues },
		{ "no_leak", test_no_leak },
		{ "testpmd", test_testpmd },
	};
	int ret;

	if (argc < 3) {
		fprintf(stderr, "usage: %s <librte_net_bgen.so> <dpdk-testpmd>\n", argv[0]);
		return 1;
	}
	bgen_so = argv[1];
	testpmd = argv[2];
	if (bg_test_eal_init("-l0", 1) != 0)
		return 1;
	pool = rte_pktmbuf_pool_create("bgen_test", NB_MBUF, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	if (pool == NULL || rte_mbuf_dyn_rx_timestamp_register(&ts_off, &ts_flag) != 0) {
		fprintf(stderr, "cannot create the mbuf pool or the timestamp field\n");
		bg_test_eal_cleanup();
		return 1;
	}
	ret = BG_TEST_RUN_SUITE("bgen", tests);
	rte_mempool_free(pool);
	free(log_text);
	bg_test_eal_cleanup();
	return ret;
}
