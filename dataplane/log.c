/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_log.h>

#include "dataplane/log.h"

RTE_LOG_REGISTER(bg_logtype, brigade, INFO);
