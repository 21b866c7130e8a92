/* SPDX-License-Identifier: BSD-3-Clause */
#include "lcore/sched.h"

struct bg_reg_entry *bg_sched_registry;
