/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include "lcore/sched.h"

struct bg_reg_entry *bg_sched_registry;

const struct bg_sched *
bg_sched_find_opt(const char *name, const struct bg_sched_opt **opt)
{
	for (const struct bg_reg_entry *e = bg_sched_registry; e != NULL; e = e->next) {
		const struct bg_sched *s = (const struct bg_sched *)e;

		for (const struct bg_sched_opt *o = s->opts; o != NULL && o->name != NULL; o++)
			if (strcmp(o->name, name) == 0) {
				if (opt != NULL)
					*opt = o;
				return s;
			}
	}
	return NULL;
}

const struct bg_sched *
bg_sched_default(void)
{
	for (const struct bg_reg_entry *e = bg_sched_registry; e != NULL; e = e->next)
		if (((const struct bg_sched *)e)->is_default)
			return (const struct bg_sched *)e;
	return (const struct bg_sched *)bg_sched_registry;
}
