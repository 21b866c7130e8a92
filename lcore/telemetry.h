/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_TELEMETRY_H
#define BG_TELEMETRY_H

/*
 * brigade's live state through DPDK's telemetry socket, beside DPDK's own
 * commands there (/ethdev/stats,<port>, /mempool/list, ...). Read it with
 * dpdk-telemetry.py -f <file-prefix> from a brigade that runs with that
 * --file-prefix (see README.md, "Watching a running brigade").
 *
 *   bg_telemetry_register()  register the /brigade/... commands; once per
 *                            process, after rte_eal_init()
 *   bg_telemetry_attach(rt)  the commands answer from rt; after
 *                            bg_runtime_init() succeeded
 *   bg_telemetry_detach()    the commands answer null again; before
 *                            bg_runtime_close() (which closes ports and
 *                            frees pools) and bg_runtime_free()
 *
 * Commands (every number is an integer: DPDK 22.11's telemetry has no
 * floating-point values, so units are in the key names):
 *
 *   /brigade/info          mode, model_options (the model's describe hook),
 *                          fwd, stages, workers, lcores[], ports[],
 *                          state (starting, forwarding, stopped),
 *                          duration_us, latency (0/1)
 *   /brigade/ports         per port in use: name, rx_packets, tx_packets,
 *                          drop_packets
 *   /brigade/port,<id>     one port: the same plus drops{reason},
 *                          nic{ipackets, opackets, ibytes, obytes, imissed,
 *                          rx_nombuf, ierrors, oerrors} (rte_eth_stats_get)
 *   /brigade/lcores        per worker lcore: rx_packets, tx_packets,
 *                          drop_packets, polls, busy_polls, busy_ppm,
 *                          in_flight
 *   /brigade/lcore,<id>    one worker: the same plus socket, drops{reason},
 *                          busy_cycles, wait_cycles, suspended, resumed,
 *                          model_stats{} (the model's stats hook)
 *   /brigade/drops         drop_packets, every reason's total, by_port{},
 *                          help{reason: meaning}
 *   /brigade/latency       measured (0/1); when 1: rel_error_ppm, and all{}
 *                          and one {} per egress port with samples,
 *                          unstamped, mean_ns, p50_ns, p90_ns, p99_ns,
 *                          p999_ns, max_ns
 *
 * The counters are those of the summary (lcore/report.h), summed the same
 * way from the workers' own copies: approximate while the workers run (a
 * worker may be half-way through a burst), exact once they are joined.
 * busy_ppm = busy_polls / polls since launch, in parts per million;
 * in_flight = suspended - resumed (packets waiting as tasks).
 * A command answers null (the callback returns an error) when no runtime
 * is attached, or for a port or lcore id that brigade does not use.
 *
 * Concurrency: the callbacks run on DPDK's telemetry threads (one per
 * connected client). They read the attached runtime with plain loads, under
 * a lock that attach and detach also take: once bg_telemetry_detach() has
 * returned, no callback reads the runtime any more. attach and detach:
 * control thread only.
 */

struct bg_runtime;

/* Register the /brigade/... commands with DPDK's telemetry. Idempotent.
 * Returns 0, or the first rte_telemetry_register_cmd() error (-EINVAL,
 * -ENOMEM). Call after rte_eal_init(). */
int bg_telemetry_register(void);

/* Make the commands answer from rt, which must have been initialised
 * (bg_runtime_init() returned 0) and stays valid until
 * bg_telemetry_detach(). */
void bg_telemetry_attach(const struct bg_runtime *rt);

/* Stop answering from the attached runtime; waits for a callback that is
 * reading it. Idempotent. */
void bg_telemetry_detach(void);

#endif /* BG_TELEMETRY_H */
