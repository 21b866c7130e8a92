/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_LOG_H
#define BG_LOG_H

#include <rte_log.h>

/* brigade's log type ("brigade" in --log-level), registered at start-up. */
extern int bg_logtype;

#define BG_LOG(level, fmt, ...)                                                \
	rte_log(RTE_LOG_##level, bg_logtype, "brigade: " fmt "\n", ##__VA_ARGS__)

#endif /* BG_LOG_H */
