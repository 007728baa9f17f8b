/* planfmt — a reconcile result for people (text that reads like
 * terraform's plan: +, ~, -/+, -, property-level old -> new) and for
 * machines (JSON). Sensitive attributes are masked here, where values are
 * formatted, and nowhere else. */
#ifndef DRIFTD_PLANFMT_H
#define DRIFTD_PLANFMT_H

#include <cJSON.h>

#include "reconcile.h"
#include "secret.h"

typedef struct planfmt_opts {
	int color;          /* ANSI colours (a terminal) */
} planfmt_opts_t;

/* malloc'd text, caller frees; NULL when out of memory. */
char *planfmt_text(const rec_result_t *r, const planfmt_opts_t *o);
/* One line: "Plan: 1 to add, 2 to change, 0 to replace, 0 to destroy." */
char *planfmt_summary(const rec_result_t *r);
/* {"resources":[...],"summary":{...}}; caller cJSON_Deletes. */
cJSON *planfmt_json(const rec_result_t *r);

/* The text shown for a value: "(sensitive value)" for RES_SENSITIVE
 * attributes, else compact JSON with secret members and URL tokens masked
 * (secret_masked). malloc'd. */
char *planfmt_value(const res_attr_t *a, const cJSON *v);

#define PLANFMT_MASK SECRET_MASK

#endif
