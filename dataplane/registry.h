/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef BG_REGISTRY_H
#define BG_REGISTRY_H

/*
 * Named registries (forwarding functions, execution models, ...): a list kept
 * sorted by name, filled from constructors before main() and read-only after.
 * Not safe to insert concurrently; lookups may run anywhere once main() runs.
 */

#include <stddef.h>

struct bg_reg_entry {
	const char *name;
	const char *help;              /* one line for --help */
	struct bg_reg_entry *next;
};

/* Insert e in name order. */
void bg_reg_insert(struct bg_reg_entry **head, struct bg_reg_entry *e);

/* The entry called name, or NULL. */
const struct bg_reg_entry *bg_reg_find(const struct bg_reg_entry *head,
				       const char *name);

/* Write the names as "a|b|c" into buf (truncated to len). Returns buf. */
char *bg_reg_names(const struct bg_reg_entry *head, char *buf, size_t len);

#endif /* BG_REGISTRY_H */
