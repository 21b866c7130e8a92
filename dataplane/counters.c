/* SPDX-License-Identifier: BSD-3-Clause */
#include <stddef.h>

#include "dataplane/counters.h"

static const char *const drop_names[BG_DROP_MAX] = {
#define BG_DROP_NAME(e, name, help) [BG_DROP_##e] = name,
	BG_FOREACH_DROP(BG_DROP_NAME)
#undef BG_DROP_NAME
};

static const char *const drop_helps[BG_DROP_MAX] = {
#define BG_DROP_HELP(e, name, help) [BG_DROP_##e] = help,
	BG_FOREACH_DROP(BG_DROP_HELP)
#undef BG_DROP_HELP
};

const char *
bg_drop_name(enum bg_drop reason)
{
	return (unsigned)reason < BG_DROP_MAX ? drop_names[reason] : NULL;
}

const char *
bg_drop_help(enum bg_drop reason)
{
	return (unsigned)reason < BG_DROP_MAX ? drop_helps[reason] : NULL;
}
