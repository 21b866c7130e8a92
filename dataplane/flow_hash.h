/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_FLOW_HASH_H
#define BG_FLOW_HASH_H

/*
 * A packet's flow, as a 32-bit hash: what models that spread packets over
 * lcores (pipeline, migrate, eventdev) use to keep a flow's packets together.
 * Reads only the first segment's data; no alignment assumed.
 */

#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_mbuf.h>

/*
 * The NIC's RSS hash when it gave one, else a CRC of the IP addresses and,
 * for TCP/UDP/SCTP outside fragments, the ports; the MAC addresses for
 * anything else; 0 for a frame shorter than an Ethernet header. Any lcore.
 */
static inline uint32_t
bg_flow_hash(const struct rte_mbuf *m)
{
	const uint8_t *d = rte_pktmbuf_mtod(m, const uint8_t *);
	const uint32_t len = m->data_len;
	uint32_t off = RTE_ETHER_HDR_LEN, h, ports;
	uint64_t addrs;
	uint16_t type;
	uint8_t proto;

	if (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH)
		return m->hash.rss;
	if (unlikely(len < RTE_ETHER_HDR_LEN))
		return 0;
	type = (uint16_t)(d[12] << 8 | d[13]);
	for (int tags = 0; tags < 2 && (type == RTE_ETHER_TYPE_VLAN ||
					type == RTE_ETHER_TYPE_QINQ); tags++) {
		if (len < off + 4)
			break;
		type = (uint16_t)(d[off + 2] << 8 | d[off + 3]);
		off += 4;
	}
	if (type == RTE_ETHER_TYPE_IPV4 && len >= off + sizeof(struct rte_ipv4_hdr)) {
		const uint8_t *ip = d + off;
		const uint32_t ihl = (ip[0] & RTE_IPV4_HDR_IHL_MASK) * 4u;
		uint16_t frag;

		memcpy(&addrs, ip + offsetof(struct rte_ipv4_hdr, src_addr), 8);
		memcpy(&frag, ip + offsetof(struct rte_ipv4_hdr, fragment_offset), 2);
		h = rte_hash_crc_8byte(addrs, 0);
		proto = ip[offsetof(struct rte_ipv4_hdr, next_proto_id)];
		if ((frag & rte_cpu_to_be_16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) != 0 ||
		    ihl < sizeof(struct rte_ipv4_hdr))
			return h;
		off += ihl;
	} else if (type == RTE_ETHER_TYPE_IPV6 && len >= off + sizeof(struct rte_ipv6_hdr)) {
		const uint8_t *ip = d + off;
		uint64_t a[4];

		memcpy(a, ip + offsetof(struct rte_ipv6_hdr, src_addr), 32);
		h = rte_hash_crc_8byte(a[0], 0);
		h = rte_hash_crc_8byte(a[1], h);
		h = rte_hash_crc_8byte(a[2], h);
		h = rte_hash_crc_8byte(a[3], h);
		proto = ip[offsetof(struct rte_ipv6_hdr, proto)];
		off += sizeof(struct rte_ipv6_hdr);
	} else {
		memcpy(&addrs, d, 8);
		memcpy(&ports, d + 8, 4);
		return rte_hash_crc_4byte(ports, rte_hash_crc_8byte(addrs, 0));
	}
	if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP) &&
	    len >= off + 4) {
		memcpy(&ports, d + off, 4);
		h = rte_hash_crc_4byte(ports, h);
	}
	return h;
}

/* hash -> 0..n-1 by multiply-shift, without a division per packet. */
static inline unsigned
bg_flow_pick(uint32_t hash, unsigned n)
{
	return (unsigned)(((uint64_t)hash * n) >> 32);
}

#endif /* BG_FLOW_HASH_H */
