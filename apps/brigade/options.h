/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_OPTIONS_H
#define BG_OPTIONS_H

/*
 * brigade's command line (the part after the EAL's "--").
 */

#include <stddef.h>
#include <stdio.h>

#include "dataplane/config.h"

#define BG_OPTIONS_HELP 1

/*
 * Parse argv[1..argc-1] into cfg (which it first resets to the defaults).
 * argv[0] is the program name. argv may be permuted.
 *
 * Returns 0; BG_OPTIONS_HELP when --help was given (nothing else is checked);
 * or -EINVAL with a one-line message in err that starts with the flag at
 * fault ("--rxd: ..."). Port numbers are checked for range only: whether the
 * ports exist is bg_config_resolve_ports()'s to say, after the EAL is up.
 * Uses getopt: not safe to call concurrently.
 */
int bg_options_parse(int argc, char **argv, struct bg_config *cfg,
		     char *err, size_t errlen);

/* Print the usage text. */
void bg_options_usage(FILE *out, const char *prog);

#endif /* BG_OPTIONS_H */
