/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the files of src/plan/ only. */
#ifndef TJ_PLAN_INTERNAL_H
#define TJ_PLAN_INTERNAL_H

#include "tj/plan/plan.h"

/* The seccomp part of the plan (plan_filter.c): the supervisor's and the
 * agent's needs, the compiled filter (cached for a run), and what the
 * filter must allow for a command to start at all. */
int tj_plan_filter(const struct tj_plan_request *req, const struct tj_profile *profile, struct tj_launch_plan *lp,
		   struct tj_err **err);

/* Puts the profile's file, the JSON path and its line:column on err; -1. */
int tj_plan_fail_at(const struct tj_profile *p, const char *json_path, struct tj_err **err);

#endif
