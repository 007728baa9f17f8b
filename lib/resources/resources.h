/* resources — the per-service tables restable.c registers. Private to
 * lib/: the public face is restable.h. One pair per lib/resources/<svc>.c. */
#ifndef DRIFTD_RESOURCES_H
#define DRIFTD_RESOURCES_H

#include <stddef.h>

#include "restable.h"

extern const res_type_t res_ec2_types[];
extern const size_t res_ec2_n_types;
extern const res_type_t res_iam_types[];
extern const size_t res_iam_n_types;

#endif
