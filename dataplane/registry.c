/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include "dataplane/registry.h"

void
bg_reg_insert(struct bg_reg_entry **head, struct bg_reg_entry *e)
{
	/* Sorted, so listings do not depend on link order. */
	while (*head != NULL && strcmp((*head)->name, e->name) < 0)
		head = &(*head)->next;
	e->next = *head;
	*head = e;
}

const struct bg_reg_entry *
bg_reg_find(const struct bg_reg_entry *head, const char *name)
{
	for (; head != NULL; head = head->next)
		if (strcmp(head->name, name) == 0)
			return head;
	return NULL;
}

char *
bg_reg_names(const struct bg_reg_entry *head, char *buf, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (; head != NULL && off < len; head = head->next)
		off += snprintf(buf + off, len - off, "%s%s", off ? "|" : "", head->name);
	return buf;
}
