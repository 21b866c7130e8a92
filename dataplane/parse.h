/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_PARSE_H
#define BG_PARSE_H

/*
 * Parsing command-line values, for the application's options and the models'
 * own (struct bg_sched_opt). Strict: no sign, space, exponent or hex where a
 * number is asked for. Control thread; no shared state.
 */

#include <stddef.h>
#include <stdint.h>

/* A whole decimal number in [min, max], nothing else. Returns 0 or -EINVAL. */
int bg_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out);

/* A number in [0, max], decimals allowed. Returns 0 or -EINVAL. */
int bg_parse_number(const char *s, double max, double *out);

/*
 * "1,3-4": lcore ids 0..RTE_MAX_LCORE-1, each at most once, into ids[] (room
 * for RTE_MAX_LCORE), their count into *nb. Returns 0, or -EINVAL with a
 * one-line message in err that starts with --flag.
 */
int bg_parse_lcores(const char *flag, const char *arg, uint16_t *ids, uint16_t *nb,
		    char *err, size_t errlen);

#endif /* BG_PARSE_H */
