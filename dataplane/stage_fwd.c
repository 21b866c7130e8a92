/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The first stage of the chain: the forwarding function chosen with --fwd
 * (mac, macswap), applied to the burst for its egress port. io changes
 * nothing, so with io the chain starts at the next stage, or is empty.
 */
#include <rte_malloc.h>

#include "dataplane/stage.h"

struct fwd_stage {
	bg_fwd_fn fn;
	const struct bg_fwd_ctx *ctx;
};

static uint16_t
stage_fwd(struct bg_exec *x, void *data, struct rte_mbuf **pkts, uint16_t n)
{
	const struct fwd_stage *f = data;

	return f->fn(pkts, n, x->out_port, f->ctx, x->ctr[x->in_port].drop);
}

/* A forwarding function that does nothing (io) needs no stage. */
static bool
stage_fwd_wanted(const struct bg_config *cfg)
{
	return !cfg->fwd->noop;
}

static int
stage_fwd_init(void **data, const struct bg_stage_env *env)
{
	struct fwd_stage *f = rte_zmalloc_socket("bg_stage_fwd", sizeof(*f), 0, env->socket);

	if (f == NULL)
		return -ENOMEM;
	f->fn = env->cfg->fwd->fn;
	f->ctx = env->fwd_ctx;
	*data = f;
	return 0;
}

static struct bg_stage stage_fwd_def = {
	.reg = { .name = "fwd", .help = "the forwarding function (--fwd)" },
	.order = 0,
	.fn = stage_fwd,
	.wanted = stage_fwd_wanted,
	.worker_init = stage_fwd_init,
	.worker_fini = rte_free,
};
BG_STAGE_REGISTER(stage_fwd_def);
