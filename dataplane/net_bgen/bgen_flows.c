/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_bgen flows: the 5-tuples, their frame templates, and which RX queue
 * each flow arrives on. Built at dev_start, read by the RX burst functions.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_thash.h>
#include <rte_udp.h>

#include <ethdev_driver.h>

#include "bgen.h"

static uint64_t
range_len(const struct bgen_range *r)
{
	return (uint64_t)r->hi - r->lo + 1;
}

/*
 * src_ip varies fastest, then dst_ip, dst_port, src_port. Only src_port has
 * a range by default, and it varies last: the ranges a user gives vary
 * first.
 */
void
bgen_flow_tuple(const struct bgen_conf *conf, uint32_t i, uint32_t *sip, uint32_t *dip,
		uint16_t *sport, uint16_t *dport)
{
	uint64_t x = i, n;

	n = range_len(&conf->src_ip);
	*sip = conf->src_ip.lo + (uint32_t)(x % n);
	x /= n;
	n = range_len(&conf->dst_ip);
	*dip = conf->dst_ip.lo + (uint32_t)(x % n);
	x /= n;
	n = range_len(&conf->dst_port);
	*dport = (uint16_t)(conf->dst_port.lo + x % n);
	x /= n;
	n = range_len(&conf->src_port);
	*sport = (uint16_t)(conf->src_port.lo + x % n);
}

uint64_t
bgen_tuple_space(const struct bgen_conf *conf)
{
	const struct bgen_range *r[] = { &conf->src_ip, &conf->dst_ip, &conf->src_port,
					 &conf->dst_port };
	uint64_t space = 1;

	for (unsigned i = 0; i < RTE_DIM(r); i++) {
		uint64_t n = range_len(r[i]);

		if (space > UINT64_MAX / n)
			return UINT64_MAX;
		space *= n;
	}
	return space;
}

void
bgen_split(uint64_t total, const uint32_t *num, uint32_t den, unsigned n, uint64_t *out)
{
	uint64_t rem[BGEN_MAX_QUEUES], given = 0;

	for (unsigned i = 0; i < n; i++) {
		__uint128_t x = (__uint128_t)total * num[i];

		out[i] = (uint64_t)(x / den);
		rem[i] = (uint64_t)(x % den);
		given += out[i];
	}
	while (given < total) {
		unsigned best = 0;

		for (unsigned i = 1; i < n; i++)
			if (rem[i] > rem[best])
				best = i;
		out[best]++;
		rem[best] = 0;
		given++;
	}
}

static void
size_init(struct bgen_size *s, uint16_t len)
{
	s->len = len;
	s->ip_len = rte_cpu_to_be_16((uint16_t)(len - sizeof(struct rte_ether_hdr)));
	s->udp_len = rte_cpu_to_be_16((uint16_t)(len - sizeof(struct rte_ether_hdr) -
						 sizeof(struct rte_ipv4_hdr)));
	s->tail = len > BGEN_TMPL_LEN ? (uint16_t)(len - BGEN_TMPL_LEN) : 0;
}

void
bgen_sizes_init(const struct bgen_conf *conf, struct bgen_rxq *q)
{
	for (unsigned i = 0; i < conf->nb_size; i++)
		size_init(&q->size[i], conf->size[i]);
	q->nb_size = conf->nb_size;
}

/* Flow i's template; with one frame size, its final bytes. */
static void
flow_init(struct bgen_flow *f, const struct bgen_conf *conf, uint32_t i,
	  const struct rte_ether_addr *dst, const struct rte_ether_addr *src,
	  const uint8_t *rss_key, const struct bgen_size *only)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)f->frame;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	union rte_thash_tuple t;
	uint32_t sip, dip;
	uint16_t sport, dport, proto = rte_cpu_to_be_16(IPPROTO_UDP);

	bgen_flow_tuple(conf, i, &sip, &dip, &sport, &dport);
	memset(f, 0, sizeof(*f));
	rte_ether_addr_copy(dst, &eth->dst_addr);
	rte_ether_addr_copy(src, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->fragment_offset = rte_cpu_to_be_16(RTE_IPV4_HDR_DF_FLAG);
	ip->time_to_live = 64;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = rte_cpu_to_be_32(sip);
	ip->dst_addr = rte_cpu_to_be_32(dip);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(dport);

	/* Unfolded sums, lengths and checksums still zero. */
	f->ip_sum = __rte_raw_cksum(ip, sizeof(*ip), 0);
	f->udp_sum = __rte_raw_cksum(&ip->src_addr, 2 * sizeof(ip->src_addr), 0);
	f->udp_sum = __rte_raw_cksum(udp, sizeof(*udp), f->udp_sum);
	f->udp_sum += proto;

	memset(&t, 0, sizeof(t));
	t.v4.src_addr = sip;
	t.v4.dst_addr = dip;
	t.v4.sport = sport;
	t.v4.dport = dport;
	f->rss = rte_softrss((uint32_t *)&t, RTE_THASH_V4_L4_LEN, rss_key);

	if (only != NULL) {
		ip->total_length = only->ip_len;
		ip->hdr_checksum = bgen_ip_csum(f, only);
		udp->dgram_len = only->udp_len;
		udp->dgram_cksum = bgen_udp_csum(f, only);
	}
}

void
bgen_flows_free(struct bgen_rxq *q)
{
	rte_free(q->flows_mem);
	q->flows_mem = NULL;
	q->flows = NULL;
	q->nb_flows = 0;
}

/* Share mode: queue q gets a contiguous part of the flows in proportion to
 * its share, at least one when its share is not zero. */
static void
share_flows(const struct bgen_conf *conf, unsigned nq, uint64_t *nflows)
{
	uint32_t num[BGEN_MAX_QUEUES] = { 0 };

	for (unsigned q = 0; q < nq; q++)
		num[q] = conf->share[q];
	bgen_split(conf->flows, num, 100, nq, nflows);
	for (unsigned q = 0; q < nq; q++) {
		unsigned most = 0;

		if (conf->share[q] == 0 || nflows[q] != 0)
			continue;
		/* flows >= queues with a share (checked at probe): most has 2+ */
		for (unsigned k = 1; k < nq; k++)
			if (nflows[k] > nflows[most])
				most = k;
		nflows[most]--;
		nflows[q]++;
	}
}

int
bgen_flows_build(struct rte_eth_dev *dev)
{
	struct bgen_port *p = dev->data->dev_private;
	const struct bgen_conf *conf = &p->conf;
	const unsigned nq = dev->data->nb_rx_queues;
	struct rte_ether_addr src, dst;
	uint64_t nflows[BGEN_MAX_QUEUES] = { 0 }, quota[BGEN_MAX_QUEUES];
	uint32_t num[BGEN_MAX_QUEUES], den, fill[BGEN_MAX_QUEUES] = { 0 };
	uint16_t *queue_of = NULL;
	struct bgen_size only;

	/* The frames are addressed to the port unless dst_mac= says otherwise;
	 * they come from a peer 02:62:67:01:<port id>. */
	dst = conf->dst_mac_set ? conf->dst_mac : dev->data->mac_addrs[0];
	src = conf->src_mac;
	if (!conf->src_mac_set)
		src = (struct rte_ether_addr){ { 0x02, 0x62, 0x67, 0x01,
						 (uint8_t)(p->port_id >> 8), (uint8_t)p->port_id } };

	queue_of = malloc(conf->flows * sizeof(*queue_of));
	if (queue_of == NULL)
		return -ENOMEM;
	if (conf->nb_share != 0) {
		uint32_t f = 0;

		share_flows(conf, nq, nflows);
		for (unsigned q = 0; q < nq; q++)
			for (uint64_t k = 0; k < nflows[q]; k++)
				queue_of[f++] = (uint16_t)q;
	} else {
		/* As a NIC's RSS would: the hash's low bits index the RETA. */
		for (uint32_t i = 0; i < conf->flows; i++) {
			struct bgen_flow f;

			flow_init(&f, conf, i, &dst, &src, p->rss_key, NULL);
			queue_of[i] = p->reta[f.rss % BGEN_RETA_SIZE];
			nflows[queue_of[i]]++;
		}
	}

	for (unsigned q = 0; q < nq; q++) {
		struct bgen_rxq *rxq = dev->data->rx_queues[q];

		bgen_flows_free(rxq);
		if (nflows[q] == 0)
			continue;
		rxq->flows_mem = rte_zmalloc_socket("bgen_flows", nflows[q] * sizeof(struct bgen_flow),
						    RTE_CACHE_LINE_SIZE, dev->data->numa_node);
		if (rxq->flows_mem == NULL) {
			for (unsigned k = 0; k <= q; k++)
				bgen_flows_free(dev->data->rx_queues[k]);
			free(queue_of);
			return -ENOMEM;
		}
	}

	size_init(&only, conf->size[0]);
	for (uint32_t i = 0; i < conf->flows; i++) {
		struct bgen_rxq *rxq = dev->data->rx_queues[queue_of[i]];

		flow_init(&rxq->flows_mem[fill[queue_of[i]]++], conf, i, &dst, &src, p->rss_key,
			  conf->nb_size == 1 ? &only : NULL);
	}
	free(queue_of);

	/* Each queue carries its part of the port's rate and count. */
	den = conf->nb_share != 0 ? 100 : conf->flows;
	for (unsigned q = 0; q < nq; q++)
		num[q] = conf->nb_share != 0 ? conf->share[q] : (uint32_t)nflows[q];
	bgen_split(conf->count, num, den, nq, quota);
	for (unsigned q = 0; q < nq; q++) {
		struct bgen_rxq *rxq = dev->data->rx_queues[q];

		bgen_sizes_init(conf, rxq);
		rxq->flows = rxq->flows_mem;
		rxq->nb_flows = (uint32_t)nflows[q];
		rxq->weight_num = nflows[q] != 0 ? num[q] : 0;
		rxq->weight_den = den;
		rxq->quota = conf->count != 0 ? quota[q] : UINT64_MAX;
		if (rxq->weight_num == 0)
			rxq->quota = 0;
	}
	return 0;
}
