/* restest — helpers of the table hook suites (test_res_*.c): a type by
 * name, test JSON, and how many changes diff finds between a config and a
 * live item after the type's fix_live. */
#ifndef DRIFTD_RESTEST_H
#define DRIFTD_RESTEST_H

#include <check.h>
#include <string.h>

#include "diff.h"
#include "restable.h"

static const res_type_t *type(const char *name)
{
	const res_type_t *t = res_table_find(name);

	ck_assert_msg(t != NULL, "no table for %s", name);
	return t;
}

static cJSON *parse(const char *text)
{
	cJSON *v = cJSON_Parse(text);

	ck_assert_msg(v != NULL, "test JSON does not parse: %s", text);
	return v;
}

static size_t changes(const char *type_name, const char *desired_json,
		      const char *live_json)
{
	cJSON *desired = parse(desired_json), *live = parse(live_json);
	const res_type_t *t = type(type_name);
	diff_opts_t opts;
	diff_t *d = NULL;
	size_t n;
	err_t e;

	memset(&opts, 0, sizeof(opts));
	if (t->hooks && t->hooks->fix_live)
		ck_assert_int_eq(t->hooks->fix_live(t, live, &e), 0);
	ck_assert_msg(diff_resource(t, desired, live, &opts, &d, &e) == 0,
		      "diff failed: %s", e.message);
	n = d->n_changes;
	diff_free(d);
	cJSON_Delete(desired);
	cJSON_Delete(live);
	return n;
}

#endif
