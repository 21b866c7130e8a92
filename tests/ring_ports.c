/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "dataplane/counters.h"
#include "lcore/sched.h"
#include "lcore/worker.h"
#include "ring_ports.h"
#include "test_helper.h"

static unsigned serial;

int
bg_test_model_opt(const struct bg_sched *s, const char *name, const char *arg)
{
	char err[256] = "";

	for (const struct bg_sched_opt *o = s->opts; o != NULL && o->name != NULL; o++) {
		int ret;

		if (strcmp(o->name, name) != 0)
			continue;
		ret = o->parse(arg, err, sizeof(err));
		if (ret != 0)
			fprintf(stderr, "--%s %s: %s\n", name, arg, err);
		return ret;
	}
	fprintf(stderr, "model %s has no option --%s\n", s->reg.name, name);
	return -ENOENT;
}

unsigned
bg_test_serial(void)
{
	return serial++;
}

struct rte_ring *
bg_test_ring_make(const char *port_name, const char *dir, unsigned q, unsigned size)
{
	char name[RTE_RING_NAMESIZE];
	struct rte_ring *r;

	snprintf(name, sizeof(name), "%.20s_%.2s%u", port_name, dir, q % 10u);
	r = rte_ring_create(name, size, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (r == NULL)
		fprintf(stderr, "rte_ring_create(%s, %u): %s\n", name, size,
			rte_strerror(rte_errno));
	return r;
}

int
bg_test_fixture_ports(struct bg_test_fixture *f, const char *prefix, unsigned nrx,
		      unsigned rx_size, unsigned ntx, const unsigned tx_size[BG_TEST_NB_PORTS])
{
	const unsigned n = bg_test_serial();

	memset(f, 0, sizeof(*f));
	f->nrx = nrx;
	f->ntx = ntx;
	for (int p = 0; p < BG_TEST_NB_PORTS; p++) {
		struct bg_test_port *tp = &f->port[p];

		tp->id = -1;
		snprintf(tp->name, sizeof(tp->name), "%s%u_%d", prefix, n, p);
		snprintf(tp->ethdev, sizeof(tp->ethdev), "net_ring_%s", tp->name);
		for (unsigned q = 0; q < nrx; q++)
			if ((tp->rx[q] = bg_test_ring_make(tp->name, "rx", q, rx_size)) == NULL)
				return -1;
		for (unsigned q = 0; q < ntx; q++)
			if ((tp->tx[q] = bg_test_ring_make(tp->name, "tx", q, tx_size[p])) == NULL)
				return -1;
		tp->id = rte_eth_from_rings(tp->name, tp->rx, nrx, tp->tx, ntx,
					    (unsigned)rte_socket_id());
		if (tp->id < 0) {
			fprintf(stderr, "rte_eth_from_rings(%s): %s\n", tp->name,
				rte_strerror(rte_errno));
			return -1;
		}
	}
	return 0;
}

int
bg_test_fixture_init(struct bg_test_fixture *f, unsigned nb_workers, bool check_init)
{
	char err[256] = "";
	int ret;

	if (f->cfg.sched == NULL || f->cfg.fwd == NULL)
		return -1;
	ret = bg_config_resolve_ports(&f->cfg, rte_eth_dev_count_avail(), err, sizeof(err));
	CHECK(ret == 0, "resolve_ports: %s", err);
	if (ret != 0)
		return -1;
	ret = bg_runtime_init(&f->rt, &f->cfg);
	f->rt_inited = true;
	if (check_init)
		CHECK(ret == 0, "bg_runtime_init: %d", ret);
	if (ret != 0)
		return ret;
	CHECK(f->rt.nb_workers == nb_workers, "%u workers, expected %u", f->rt.nb_workers,
	      nb_workers);
	for (int s = 0; s < RTE_MAX_NUMA_NODES && f->pool == NULL; s++)
		f->pool = bg_runtime_pool(&f->rt, s);
	CHECK(f->pool != NULL, "an mbuf pool");
	return f->pool != NULL && f->rt.nb_workers == nb_workers ? 0 : -1;
}

int
bg_test_fixture_launch(struct bg_test_fixture *f)
{
	int ret;

	bg_stop_reset();
	ret = bg_runtime_launch(&f->rt);
	CHECK(ret == 0, "launch: %d", ret);
	return ret;
}

unsigned
bg_test_rings_count(struct rte_ring *const *r, unsigned n)
{
	unsigned c = 0;

	for (unsigned q = 0; q < n; q++)
		c += rte_ring_count(r[q]);
	return c;
}

bool
bg_test_wait_forwarded(const struct bg_test_fixture *f, const bool *polled, unsigned tx_total,
		       double timeout_s)
{
	const uint64_t hz = rte_get_timer_hz();
	const uint64_t deadline = rte_get_timer_cycles() + (uint64_t)(timeout_s * (double)hz);

	for (;;) {
		unsigned rx_left = 0, tx = 0;

		for (int p = 0; p < BG_TEST_NB_PORTS; p++) {
			if (polled == NULL || polled[p])
				rx_left += bg_test_rings_count(f->port[p].rx, f->nrx);
			tx += bg_test_rings_count(f->port[p].tx, f->ntx);
		}
		if (rx_left == 0 && tx == tx_total)
			return true;
		if (rte_get_timer_cycles() > deadline) {
			fprintf(stderr, "timeout: %u packets left on RX rings, %u of %u on TX rings\n",
				rx_left, tx, tx_total);
			return false;
		}
		usleep(1000);
	}
}

static void
ring_free_mbufs(struct rte_ring *r)
{
	void *m;

	while (r != NULL && rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
}

void
bg_test_fixture_stop(struct bg_test_fixture *f)
{
	if (f->rt_inited)
		bg_runtime_stop(&f->rt);
	for (int p = 0; p < BG_TEST_NB_PORTS; p++)
		for (unsigned q = 0; q < BG_TEST_MAX_Q; q++) {
			ring_free_mbufs(f->port[p].rx[q]);
			ring_free_mbufs(f->port[p].tx[q]);
		}
	if (f->rt_inited)
		bg_runtime_close(&f->rt);
}

const struct bg_summary *
bg_test_check_summary(const struct bg_test_fixture *f, const char *mode, unsigned nb_lcores)
{
	static struct bg_summary s;     /* per-port and per-lcore tables: large */

	bg_summary_collect(&s, &f->rt);
	CU_ASSERT_TRUE(s.packets_conserved);
	CU_ASSERT_TRUE(s.pools_returned);
	CU_ASSERT_TRUE(s.conserved);
	CU_ASSERT_EQUAL(s.total.rx, s.total.tx + bg_counters_drops(&s.total));
	CU_ASSERT_STRING_EQUAL(s.mode, mode);
	CU_ASSERT_EQUAL(s.nb_lcores, nb_lcores);
	for (unsigned i = 0; i < s.nb_pools; i++)
		if (s.pools[i].in_use_end != s.pools[i].in_use_start)
			fprintf(stderr, "%s pool socket %d: %u in use at start, %u at end\n",
				s.pools[i].kind, s.pools[i].socket, s.pools[i].in_use_start,
				s.pools[i].in_use_end);
	if (!s.packets_conserved)
		fprintf(stderr, "rx %" PRIu64 " != tx %" PRIu64 " + drops %" PRIu64 "\n",
			s.total.rx, s.total.tx, bg_counters_drops(&s.total));
	return &s;
}

void
bg_test_fixture_release(struct bg_test_fixture *f)
{
	if (f->rt_inited) {
		bg_runtime_free(&f->rt);
		f->rt_inited = false;
	}
	for (int p = 0; p < BG_TEST_NB_PORTS; p++) {
		struct bg_test_port *tp = &f->port[p];
		uint16_t id;

		/* Ports the runtime closed are released; close the others. */
		if (tp->id >= 0 && rte_eth_dev_get_port_by_name(tp->ethdev, &id) == 0) {
			rte_eth_dev_stop(id);
			rte_eth_dev_close(id);
		}
		/* net_ring ports made from our rings leave the rings to us. */
		for (unsigned q = 0; q < BG_TEST_MAX_Q; q++) {
			rte_ring_free(tp->rx[q]);
			rte_ring_free(tp->tx[q]);
		}
	}
	CHECK(rte_eth_dev_count_avail() == 0, "every port closed (%u open)",
	      rte_eth_dev_count_avail());
}

void
bg_test_tally_stopped(const struct bg_test_fixture *f, const uint64_t in[BG_TEST_NB_PORTS],
		      struct bg_test_tally *t)
{
	memset(t, 0, sizeof(*t));
	for (uint16_t p = 0; p < BG_TEST_NB_PORTS; p++) {
		const unsigned left = bg_test_rings_count(f->port[p].rx, f->nrx);
		const unsigned out = bg_test_rings_count(f->port[p].tx, f->ntx);
		struct bg_counters c;

		bg_runtime_port_counters(&f->rt, p, &c);
		t->left += left;
		t->out += out;
		t->rx += c.rx;
		t->tx += c.tx;
		t->drops += bg_counters_drops(&c);
		t->shutdown += c.drop[BG_DROP_SHUTDOWN];
		/* what a port received left on the other one, or is left */
		CHECK(c.rx + left == in[p], "port %u: rx %" PRIu64 " + %u left, %" PRIu64 " in",
		      p, c.rx, left, in[p]);
		CHECK(c.tx == out, "port %u: tx %" PRIu64 ", %u on its TX rings", p, c.tx, out);
	}
	CHECK(t->rx + t->left == in[0] + in[1], "rx %" PRIu64 " + %u left, %" PRIu64 " in",
	      t->rx, t->left, in[0] + in[1]);
	CHECK(t->tx == t->out, "tx %" PRIu64 ", %u on the TX rings", t->tx, t->out);
	CHECK(t->rx == t->tx + t->drops, "rx %" PRIu64 " == tx %" PRIu64 " + drops %" PRIu64,
	      t->rx, t->tx, t->drops);
}
