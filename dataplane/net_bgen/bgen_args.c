/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * net_bgen devargs: every key parsed and range-checked; a bad one is one
 * log line naming the device, the key and the value, and the probe fails.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_kvargs.h>

#include "bgen.h"

/* The defaults, also in rte_pmd_bgen.h's table. */
#define BGEN_DEF_SRC_IP RTE_IPV4(198, 18, 0, 1)     /* RFC 2544's benchmark range */
#define BGEN_DEF_DST_IP RTE_IPV4(198, 19, 0, 1)
#define BGEN_DEF_SRC_PORT_LO 1024
#define BGEN_DEF_SRC_PORT_HI 65535
#define BGEN_DEF_DST_PORT 1024
#define BGEN_DEF_SEED 1

/* A parser stores a good value in conf, or returns why it is bad. */
typedef const char *(*bgen_parse_fn)(const char *value, struct bgen_conf *conf);

/* value is all decimal digits, in [lo, hi]; no sign, space or suffix.
 * range is the message for a number out of range. */
static const char *
parse_u64(const char *value, uint64_t lo, uint64_t hi, const char *range, uint64_t *out)
{
	char *end;
	uint64_t v;

	if (value[0] < '0' || value[0] > '9')
		return "not a number";
	errno = 0;
	v = strtoull(value, &end, 10);
	if (*end != '\0')
		return "not a number";
	if (errno == ERANGE || v < lo || v > hi)
		return range;
	*out = v;
	return NULL;
}

static const char *
parse_size(const char *value, struct bgen_conf *conf)
{
	/* IMIX: 7 frames of 64 bytes, 4 of 570, 1 of 1518 in every 12. */
	static const uint16_t imix[] = { 64, 64, 64, 64, 64, 64, 64, 570, 570, 570, 570, 1518 };
	char buf[128], *tok, *save = NULL;
	unsigned n = 0;

	if (strcmp(value, "imix") == 0) {
		memcpy(conf->size, imix, sizeof(imix));
		conf->nb_size = RTE_DIM(imix);
		conf->max_size = 1518;
		return NULL;
	}
	if (strlen(value) >= sizeof(buf))
		return "too long";
	if (value[0] == ':' || value[strlen(value) - 1] == ':' || strstr(value, "::") != NULL)
		return "empty size in the list";
	snprintf(buf, sizeof(buf), "%s", value);
	conf->max_size = 0;
	for (tok = strtok_r(buf, ":", &save); tok != NULL; tok = strtok_r(NULL, ":", &save)) {
		uint64_t v;
		const char *why;

		if (n == BGEN_MAX_SIZE_SLOTS)
			return "more than 16 sizes";
		why = parse_u64(tok, BGEN_MIN_FRAME, BGEN_MAX_FRAME, "a size is out of range 42..9600", &v);
		if (why != NULL)
			return why;
		conf->size[n++] = (uint16_t)v;
		if (v > conf->max_size)
			conf->max_size = (uint16_t)v;
	}
	if (n == 0)
		return "no size";
	conf->nb_size = n;
	return NULL;
}

static const char *
parse_flows(const char *value, struct bgen_conf *conf)
{
	uint64_t v;
	const char *why = parse_u64(value, 1, BGEN_MAX_FLOWS, "out of range 1..65536", &v);

	if (why == NULL)
		conf->flows = (uint32_t)v;
	return why;
}

static const char *
parse_ip(const char *s, uint32_t *ip)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return "not an IPv4 address";
	*ip = rte_be_to_cpu_32(a.s_addr);
	return NULL;
}

/* "a.b.c.d" or "a.b.c.d-e.f.g.h", low end first. */
static const char *
parse_ip_range(const char *value, struct bgen_range *r)
{
	char buf[64], *dash;
	const char *why;

	if (strlen(value) >= sizeof(buf))
		return "not an IPv4 address or range";
	snprintf(buf, sizeof(buf), "%s", value);
	dash = strchr(buf, '-');
	if (dash != NULL)
		*dash = '\0';
	why = parse_ip(buf, &r->lo);
	if (why != NULL)
		return why;
	r->hi = r->lo;
	if (dash != NULL) {
		why = parse_ip(dash + 1, &r->hi);
		if (why != NULL)
			return why;
		if (r->hi < r->lo)
			return "range ends below its start";
	}
	return NULL;
}

static const char *
parse_src_ip(const char *value, struct bgen_conf *conf)
{
	return parse_ip_range(value, &conf->src_ip);
}

static const char *
parse_dst_ip(const char *value, struct bgen_conf *conf)
{
	return parse_ip_range(value, &conf->dst_ip);
}

/* "p" or "p-q", 0..65535. */
static const char *
parse_port_range(const char *value, struct bgen_range *r)
{
	char buf[32], *dash;
	uint64_t lo, hi;
	const char *why;

	if (strlen(value) >= sizeof(buf))
		return "not a port or port range";
	snprintf(buf, sizeof(buf), "%s", value);
	dash = strchr(buf, '-');
	if (dash != NULL)
		*dash = '\0';
	why = parse_u64(buf, 0, UINT16_MAX, "out of range 0..65535", &lo);
	if (why != NULL)
		return why;
	hi = lo;
	if (dash != NULL) {
		why = parse_u64(dash + 1, 0, UINT16_MAX, "out of range 0..65535", &hi);
		if (why != NULL)
			return why;
		if (hi < lo)
			return "range ends below its start";
	}
	r->lo = (uint32_t)lo;
	r->hi = (uint32_t)hi;
	return NULL;
}

static const char *
parse_src_port(const char *value, struct bgen_conf *conf)
{
	return parse_port_range(value, &conf->src_port);
}

static const char *
parse_dst_port(const char *value, struct bgen_conf *conf)
{
	return parse_port_range(value, &conf->dst_port);
}

/* Percent per RX queue, ':'-separated, adding up to 100. */
static const char *
parse_share(const char *value, struct bgen_conf *conf)
{
	const char *p = value;
	unsigned n = 0, sum = 0;

	for (;;) {
		char buf[8];
		size_t len = strcspn(p, ":");
		uint64_t v;

		if (len == 0 || len >= sizeof(buf))
			return len == 0 ? "empty share in the list" : "a share is not a percentage";
		if (n == BGEN_MAX_QUEUES)
			return "more shares than the 64 queues a port can have";
		memcpy(buf, p, len);
		buf[len] = '\0';
		if (parse_u64(buf, 0, 100, "", &v) != NULL)
			return "a share is not a percentage 0..100";
		conf->share[n++] = (uint8_t)v;
		sum += (unsigned)v;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	if (sum != 100)
		return "shares do not add up to 100";
	conf->nb_share = n;
	return NULL;
}

static const char *
parse_rate(const char *value, struct bgen_conf *conf)
{
	return parse_u64(value, 0, BGEN_MAX_RATE, "out of range 0..10000000000 packets per second",
			 &conf->rate);
}

static const char *
parse_arrival(const char *value, struct bgen_conf *conf)
{
	if (strcmp(value, "const") == 0)
		conf->poisson = false;
	else if (strcmp(value, "poisson") == 0)
		conf->poisson = true;
	else
		return "not const or poisson";
	return NULL;
}

static const char *
parse_count(const char *value, struct bgen_conf *conf)
{
	return parse_u64(value, 0, INT64_MAX, "out of range 0..2^63-1", &conf->count);
}

static const char *
parse_seed(const char *value, struct bgen_conf *conf)
{
	return parse_u64(value, 0, UINT64_MAX, "out of range 0..2^64-1", &conf->seed);
}

static const char *
parse_mac_addr(const char *value, struct rte_ether_addr *a)
{
	if (rte_ether_unformat_addr(value, a) != 0)
		return "not a MAC address xx:xx:xx:xx:xx:xx";
	return NULL;
}

static const char *
parse_mac(const char *value, struct bgen_conf *conf)
{
	const char *why = parse_mac_addr(value, &conf->mac);

	if (why == NULL && !rte_is_valid_assigned_ether_addr(&conf->mac))
		why = "not a unicast address";
	conf->mac_set = why == NULL;
	return why;
}

static const char *
parse_src_mac(const char *value, struct bgen_conf *conf)
{
	const char *why = parse_mac_addr(value, &conf->src_mac);

	if (why == NULL && rte_is_multicast_ether_addr(&conf->src_mac))
		why = "a source address cannot be multicast";
	conf->src_mac_set = why == NULL;
	return why;
}

static const char *
parse_dst_mac(const char *value, struct bgen_conf *conf)
{
	const char *why = parse_mac_addr(value, &conf->dst_mac);

	conf->dst_mac_set = why == NULL;
	return why;
}

static const struct {
	const char *key;
	bgen_parse_fn parse;
} bgen_keys[] = {
	{ "size", parse_size },
	{ "flows", parse_flows },
	{ "src_ip", parse_src_ip },
	{ "dst_ip", parse_dst_ip },
	{ "src_port", parse_src_port },
	{ "dst_port", parse_dst_port },
	{ "share", parse_share },
	{ "rate", parse_rate },
	{ "arrival", parse_arrival },
	{ "count", parse_count },
	{ "seed", parse_seed },
	{ "mac", parse_mac },
	{ "src_mac", parse_src_mac },
	{ "dst_mac", parse_dst_mac },
};

static void
bgen_conf_defaults(struct bgen_conf *conf)
{
	memset(conf, 0, sizeof(*conf));
	conf->size[0] = 64;
	conf->nb_size = 1;
	conf->max_size = 64;
	conf->flows = 1;
	conf->src_ip = (struct bgen_range){ BGEN_DEF_SRC_IP, BGEN_DEF_SRC_IP };
	conf->dst_ip = (struct bgen_range){ BGEN_DEF_DST_IP, BGEN_DEF_DST_IP };
	conf->src_port = (struct bgen_range){ BGEN_DEF_SRC_PORT_LO, BGEN_DEF_SRC_PORT_HI };
	conf->dst_port = (struct bgen_range){ BGEN_DEF_DST_PORT, BGEN_DEF_DST_PORT };
	conf->seed = BGEN_DEF_SEED;
}

static const char *
kv_value(const struct rte_kvargs *kv, const char *key)
{
	for (unsigned i = 0; i < kv->count; i++)
		if (strcmp(kv->pairs[i].key, key) == 0)
			return kv->pairs[i].value;
	return NULL;
}

/* What the keys say together. */
static int
bgen_args_check(const char *name, const struct rte_kvargs *kv, const struct bgen_conf *conf)
{
	uint64_t space = bgen_tuple_space(conf);
	unsigned fed = 0;

	if (conf->flows > space) {
		BGEN_LOG(ERR, "%s: bad flows=%u: src_ip, dst_ip, src_port and dst_port give only %" PRIu64
			 " distinct 5-tuples", name, conf->flows, space);
		return -EINVAL;
	}
	for (unsigned q = 0; q < conf->nb_share; q++)
		fed += conf->share[q] != 0;
	if (fed > conf->flows) {
		BGEN_LOG(ERR, "%s: bad share=%s: %u queues with a share need at least %u flows, flows=%u",
			 name, kv_value(kv, "share"), fed, fed, conf->flows);
		return -EINVAL;
	}
	return 0;
}

int
bgen_args_parse(const char *name, const char *params, struct bgen_conf *conf)
{
	struct rte_kvargs *kv;
	int ret = 0;

	bgen_conf_defaults(conf);
	if (params == NULL || params[0] == '\0')
		return 0;
	/* No key list: an unknown key gets our own message, naming it. */
	kv = rte_kvargs_parse(params, NULL);
	if (kv == NULL) {
		BGEN_LOG(ERR, "%s: cannot parse devargs '%s' (key=value,... at most %d)", name,
			 params, RTE_KVARGS_MAX);
		return -EINVAL;
	}
	for (unsigned i = 0; i < kv->count && ret == 0; i++) {
		const char *key = kv->pairs[i].key, *value = kv->pairs[i].value;
		const char *why = NULL;
		unsigned k;

		for (k = 0; k < RTE_DIM(bgen_keys); k++)
			if (strcmp(key, bgen_keys[k].key) == 0)
				break;
		if (k == RTE_DIM(bgen_keys)) {
			BGEN_LOG(ERR, "%s: unknown devarg %s=%s (known: size flows src_ip dst_ip src_port "
				 "dst_port share rate arrival count seed mac src_mac dst_mac)",
				 name, key, value != NULL ? value : "");
			ret = -EINVAL;
			break;
		}
		for (unsigned m = 0; m < i; m++)
			if (strcmp(kv->pairs[m].key, key) == 0)
				why = "given twice";
		if (why == NULL && (value == NULL || value[0] == '\0'))
			why = "no value";
		if (why == NULL)
			why = bgen_keys[k].parse(value, conf);
		if (why != NULL) {
			BGEN_LOG(ERR, "%s: bad %s=%s: %s", name, key, value != NULL ? value : "", why);
			ret = -EINVAL;
		}
	}
	if (ret == 0)
		ret = bgen_args_check(name, kv, conf);
	rte_kvargs_free(kv);
	return ret;
}
