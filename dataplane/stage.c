/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "dataplane/log.h"
#include "dataplane/stage.h"

struct bg_reg_entry *bg_stage_registry;

int
bg_exec_init(struct bg_exec *x, const struct bg_stage_env *env)
{
	const struct bg_stage *want[BG_CHAIN_MAX];
	unsigned n = 0;

	/* Registered in name order; the chain is in stage order. */
	for (const struct bg_reg_entry *e = bg_stage_registry; e != NULL; e = e->next) {
		const struct bg_stage *s = (const struct bg_stage *)e;
		unsigned i;

		if (s->wanted != NULL && !s->wanted(env->cfg))
			continue;
		if (n == BG_CHAIN_MAX) {
			BG_LOG(ERR, "more than %d stages want to be in the chain", BG_CHAIN_MAX);
			return -E2BIG;
		}
		for (i = n; i > 0 && want[i - 1]->order > s->order; i--)
			want[i] = want[i - 1];
		want[i] = s;
		n++;
	}
	x->nb_stages = 0;
	x->needs_clock = false;
	for (unsigned i = 0; i < n; i++) {
		int ret = 0;

		x->stage_def[i] = want[i];
		x->fn[i] = want[i]->fn;
		x->data[i] = NULL;
		if (want[i]->worker_init != NULL)
			ret = want[i]->worker_init(&x->data[i], env);
		if (ret != 0) {
			BG_LOG(ERR, "stage %s: cannot set up worker %u: %s",
			       want[i]->reg.name, env->worker, strerror(-ret));
			bg_exec_fini(x);
			return ret;
		}
		x->nb_stages++;
		x->needs_clock |= want[i]->needs_clock;
	}
	return 0;
}

void
bg_exec_fini(struct bg_exec *x)
{
	for (unsigned i = 0; i < x->nb_stages; i++) {
		if (x->stage_def[i]->worker_fini != NULL && x->data[i] != NULL)
			x->stage_def[i]->worker_fini(x->data[i]);
		x->data[i] = NULL;
	}
	x->nb_stages = 0;
}

char *
bg_exec_chain_names(const struct bg_exec *x, char *buf, size_t len)
{
	size_t off = 0;

	if (len == 0)
		return buf;
	buf[0] = '\0';
	for (unsigned i = 0; i < x->nb_stages && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%s", i ? ">" : "",
				x->stage_def[i]->reg.name);
	return buf;
}
