/* SPDX-License-Identifier: BSD-3-Clause */
#include "dataplane/fwd.h"

struct bg_reg_entry *bg_fwd_registry;
