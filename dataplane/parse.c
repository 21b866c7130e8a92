/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_lcore.h>

#include "dataplane/parse.h"

/* A whole decimal number in [min, max], nothing else. */
int
bg_parse_uint(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')      /* no sign, no space, not empty */
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* A number in [0, max], decimals allowed. */
int
bg_parse_number(const char *s, double max, double *out)
{
	char *end;
	double v;

	/* Digits and a point only: no sign, space, exponent or hex. */
	if (*s == '\0' || s[strspn(s, "0123456789.")] != '\0')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < 0 || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* "1,3-4": lcore ids, each once, into ids[]. */
int
bg_parse_lcores(const char *flag, const char *arg, uint16_t *ids, uint16_t *nb,
		char *err, size_t errlen)
{
	char buf[1024];
	char *save = NULL;
	bool seen[RTE_MAX_LCORE] = { false };

	*nb = 0;
	if (*arg == '\0' || strlen(arg) >= sizeof(buf) || arg[0] == ',' ||
	    arg[strlen(arg) - 1] == ',' || strstr(arg, ",,") != NULL) {
		snprintf(err, errlen, "--%s: '%s' is not an lcore list such as 1,3-4", flag, arg);
		return -EINVAL;
	}
	strcpy(buf, arg);
	for (char *tok = strtok_r(buf, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		char *dash = strchr(tok, '-');
		unsigned long lo, hi;

		if (dash != NULL)
			*dash = '\0';
		if (bg_parse_uint(tok, 0, RTE_MAX_LCORE - 1, &lo) != 0 ||
		    (dash != NULL && bg_parse_uint(dash + 1, 0, RTE_MAX_LCORE - 1, &hi) != 0)) {
			snprintf(err, errlen, "--%s: '%s' is not an lcore list such as 1,3-4 (lcores 0..%d)",
				 flag, arg, RTE_MAX_LCORE - 1);
			return -EINVAL;
		}
		if (dash == NULL)
			hi = lo;
		if (hi < lo) {
			snprintf(err, errlen, "--%s: range %lu-%lu goes backwards", flag, lo, hi);
			return -EINVAL;
		}
		for (unsigned long l = lo; l <= hi; l++) {
			if (seen[l]) {
				snprintf(err, errlen, "--%s: lcore %lu is listed twice", flag, l);
				return -EINVAL;
			}
			seen[l] = true;
			ids[(*nb)++] = (uint16_t)l;
		}
	}
	return 0;
}
