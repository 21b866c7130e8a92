/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef RTE_PMD_BGEN_H
#define RTE_PMD_BGEN_H

/**
 * @file
 * net_bgen: a traffic-generator virtual NIC.
 *
 * RX queues deliver generated Ethernet/IPv4/UDP frames on an open-loop
 * arrival schedule; TX queues are a sink that counts packets and records
 * their latency. Everything ethdev can say goes through ethdev
 * (rte_eth_stats_get, rte_eth_xstats_get); this header has the rest: the
 * latency histogram, the clock, and each RX queue's generator state.
 *
 * Created with --vdev net_bgen0,key=value,... or rte_vdev_init(); the keys:
 *
 * | key        | value                                   | default               |
 * |------------|-----------------------------------------|-----------------------|
 * | size       | one frame length 42..9600, a list       | 64                    |
 * |            | 64:128:1518 (each drawn equally often,  |                       |
 * |            | at most 16), or imix (64/570/1518 7:4:1)|                       |
 * | flows      | distinct 5-tuples, 1..65536, at most    | 1                     |
 * |            | what the four ranges hold               |                       |
 * | src_ip     | a.b.c.d or a.b.c.d-e.f.g.h              | 198.18.0.1            |
 * | dst_ip     | a.b.c.d or a.b.c.d-e.f.g.h              | 198.19.0.1            |
 * | src_port   | p or p-q, 0..65535                      | 1024-65535            |
 * | dst_port   | p or p-q, 0..65535                      | 1024                  |
 * | share      | percent per RX queue, p0:p1:..., sum 100| (RSS hash)            |
 * | rate       | packets per second per port, 0..10^10;  | 0                     |
 * |            | 0: every poll gets a full burst         |                       |
 * | arrival    | const or poisson                        | const                 |
 * | count      | arrivals per port, 0 = unlimited        | 0                     |
 * | seed       | 0..2^64-1                               | 1                     |
 * | mac        | the port's MAC (unicast)                | 02:62:67:00:<port id> |
 * | src_mac    | source MAC of the frames (not multicast)| 02:62:67:01:<port id> |
 * | dst_mac    | destination MAC of the frames           | the port's MAC        |
 *
 * Frames: frame length = size (no FCS), IPv4 with DF, TTL 64, valid header
 * checksum, UDP with valid length and checksum, zero payload. Flow i takes
 * the i-th 5-tuple of the ranges, src_ip varying fastest, then dst_ip,
 * dst_port, src_port (only src_port has a range by default, so the ranges
 * given vary first); flows must not exceed the tuples the ranges hold
 * (64512 with the default ranges).
 * Every packet picks its flow (among its queue's) and its size uniformly
 * with the queue's generator; the k-th packet an RX queue delivers after
 * dev_start is the same for the same devargs and queue count, whatever
 * the timing.
 *
 * Queues: without share=, a flow arrives on the RX queue its Toeplitz hash
 * (the default 40-byte key, or the one set by rte_eth_dev_rss_hash_update)
 * picks through a 128-entry RETA (default entry i -> queue i mod queues),
 * as a NIC's RSS would, and mbuf hash.rss carries that hash. With share=,
 * the flows are cut into contiguous parts per queue in proportion to the
 * shares, and each queue receives its share of the rate; share= must name
 * as many queues as rte_eth_dev_configure() gives the port (else configure
 * and start fail with -EINVAL).
 *
 * Arrivals: rate is per port, split over the RX queues by their weight
 * (share, or their part of the flows); count is split the same way, exactly.
 * Nothing runs between polls: a poll brings its queue's schedule up to the
 * clock. Each RX queue emulates a descriptor ring of the nb_rx_desc given
 * to rte_eth_rx_queue_setup() (32..32768): arrivals that find it full are
 * lost and counted in imissed. const: exact, also across long stalls (a
 * stall is skipped in closed form). poisson: when a stall holds at most 64
 * missed arrivals on average they are drawn one by one (exact); beyond, their
 * number is drawn from the normal approximation N(lambda, lambda) and the
 * process restarts at the poll (it is memoryless), so a poll's work stays
 * bounded. ipackets + imissed + (packets still in the ring) = arrivals,
 * which xstat rx_offered_packets counts. arrival= has no effect at rate=0.
 *
 * Stamps: every RX packet carries its scheduled arrival time, in cycles of
 * the port's clock (the TSC, rte_get_tsc_cycles(), unless
 * rte_pmd_bgen_set_clock() set another), in the mbuf's RX timestamp dynamic
 * field (rte_mbuf_dyn_rx_timestamp_register()), with its flag set in
 * ol_flags. Rate 0 stamps a burst with the time of its poll.
 *
 * TX: packets are freed; one with the RX timestamp flag adds its latency
 * (the TX port's clock at the burst minus the stamp, cycles; 0 if negative)
 * to its TX queue's histogram, one without counts as no-stamp. xstats give
 * rx_offered_packets, tx_latency_samples, tx_no_stamp_packets and
 * tx_latency_{min,mean,p50,p90,p99,p99_9,max}_ns over all TX queues.
 * rte_eth_stats_reset() zeroes counters and histograms (see
 * rte_pmd_bgen_latency_hist_get() for when).
 *
 * Life cycle: rte_eth_dev_start() builds the flows (with the port's MAC
 * of that moment), empties the rings and starts every queue's schedule
 * (and count=) afresh from the clock's reading; arrivals run from there,
 * polled or not, so an application that polls late starts with full rings
 * and imissed. Counters survive stop and start; rte_eth_stats_reset()
 * clears them. Frames must fit one mbuf: the pool's data room must hold
 * RTE_PKTMBUF_HEADROOM plus the largest size (at least 64), or
 * rte_eth_rx_queue_setup() fails. Primary process only.
 *
 * Counters and histograms have one writer each (the lcore polling the
 * queue) and are read with plain loads: while queues are polled the
 * functions below return approximate values, exact once they stopped.
 */

#include <stdint.h>

#include "dataplane/hist.h"

#ifdef __cplusplus
extern "C" {
#endif

/** A TX queue argument meaning all TX queues of the port, merged. */
#define RTE_PMD_BGEN_ALL_QUEUES UINT16_MAX

/** Highest clock frequency rte_pmd_bgen_set_clock() takes (about 1.1 THz). */
#define RTE_PMD_BGEN_MAX_HZ (UINT64_C(1) << 40)

/** A clock: its current reading, in its own cycles, never decreasing. */
typedef uint64_t (*rte_pmd_bgen_clock_t)(void *arg);

/**
 * Set the clock a port schedules, stamps and measures latency with.
 * Arrival stamps and latencies are then in cycles of this clock, and the
 * ns figures of xstats and rte_pmd_bgen_latency_get() are converted with
 * hz. For tests: a clock the test advances by hand makes every rate and
 * latency exact and independent of the machine's speed.
 *
 * Preconditions: the port is stopped (the schedule starts from the clock
 * at rte_eth_dev_start()). Call from the control thread, NOT concurrently
 * with other control calls on the same port. now is called from the
 * lcores polling the port's queues, once per burst: it must be safe to call
 * from them.
 *
 * @param port_id  a net_bgen port
 * @param now      the clock, or NULL for the TSC again (arg and hz ignored)
 * @param arg      passed to now
 * @param hz       cycles of now per second, 1..RTE_PMD_BGEN_MAX_HZ
 * @return 0; -ENODEV if port_id is not a net_bgen port; -EINVAL if hz is
 *         out of range; -EBUSY if the port is started.
 */
int rte_pmd_bgen_set_clock(uint16_t port_id, rte_pmd_bgen_clock_t now, void *arg, uint64_t hz);

/**
 * The frequency of the port's clock (rte_get_tsc_hz() unless set), to turn
 * stamps and histogram values into time. Any thread.
 *
 * @return 0; -ENODEV if port_id is not a net_bgen port; -EINVAL if hz is NULL.
 */
int rte_pmd_bgen_clock_hz(uint16_t port_id, uint64_t *hz);

/** Latency figures of a port's TX queue(s), in ns of the port's clock. */
struct rte_pmd_bgen_latency {
	uint64_t samples;      /**< stamped packets transmitted */
	uint64_t no_stamp;     /**< packets transmitted without a stamp */
	uint64_t min_ns;       /**< exact */
	uint64_t mean_ns;      /**< exact (sum / samples) */
	uint64_t p50_ns;       /**< percentiles: within BG_HIST_REL_ERROR */
	uint64_t p90_ns;
	uint64_t p99_ns;
	uint64_t p999_ns;      /**< 99.9th percentile */
	uint64_t max_ns;       /**< exact */
};

/**
 * Latency percentiles of TX queue tx_queue, or of all TX queues merged
 * (RTE_PMD_BGEN_ALL_QUEUES), since setup or the last stats reset. All
 * fields are 0 without samples (no_stamp still counted).
 *
 * Any thread, concurrently with the port's bursts (approximate then); NOT
 * concurrently with queue setup, rte_eth_dev_configure() or close.
 *
 * @return 0; -ENODEV if port_id is not a net_bgen port; -EINVAL if lat is
 *         NULL or tx_queue is not a set-up TX queue.
 */
int rte_pmd_bgen_latency_get(uint16_t port_id, uint16_t tx_queue,
			     struct rte_pmd_bgen_latency *lat);

/**
 * The whole latency histogram of TX queue tx_queue, or of all TX queues
 * merged (RTE_PMD_BGEN_ALL_QUEUES): values in cycles of the port's clock
 * (rte_pmd_bgen_clock_hz()), read with bg_hist_quantile() and friends.
 * hist is overwritten.
 *
 * After rte_eth_stats_reset() a queue reads as empty at once; its writer
 * clears its histogram at its next burst (or the reset itself does while
 * the port is stopped), so packets of a burst in flight during the reset
 * may land on either side of it.
 *
 * Same concurrency as rte_pmd_bgen_latency_get().
 *
 * @return 0; -ENODEV if port_id is not a net_bgen port; -EINVAL if hist is
 *         NULL or tx_queue is not a set-up TX queue.
 */
int rte_pmd_bgen_latency_hist_get(uint16_t port_id, uint16_t tx_queue, struct bg_hist *hist);

/** An RX queue's generator, as of its last poll. */
struct rte_pmd_bgen_rxq_state {
	uint32_t nb_flows;     /**< flows arriving on this queue */
	uint32_t nb_desc;      /**< size of its emulated ring */
	double rate;           /**< its arrivals per second; 0 with rate=0 */
	uint64_t offered;      /**< arrivals: delivered, missed or in the ring */
	uint64_t delivered;    /**< packets returned by rte_eth_rx_burst() */
	uint64_t missed;       /**< arrivals that found the ring full */
	uint32_t in_ring;      /**< arrivals waiting in the ring */
	uint64_t left;         /**< arrivals left under count=; UINT64_MAX: no limit */
	uint64_t next_arrival; /**< clock cycles of the next arrival; 0 with rate=0 */
};

/**
 * The state of RX queue rx_queue. Counters since setup or the last stats
 * reset; the schedule (left, next_arrival, in_ring) since the last start.
 *
 * Same concurrency as rte_pmd_bgen_latency_get().
 *
 * @return 0; -ENODEV if port_id is not a net_bgen port; -EINVAL if st is
 *         NULL or rx_queue is not a set-up RX queue.
 */
int rte_pmd_bgen_rxq_state_get(uint16_t port_id, uint16_t rx_queue,
			       struct rte_pmd_bgen_rxq_state *st);

#ifdef __cplusplus
}
#endif

#endif /* RTE_PMD_BGEN_H */
