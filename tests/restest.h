/* restest — helpers of the Check suites for resource tables
 * (tests/test_res_*.c): a type by name, test JSON, and what diff finds
 * between a config and a live item as AWS answers it. */
#ifndef DRIFTD_RESTEST_H
#define DRIFTD_RESTEST_H

#include <check.h>
#include <string.h>

#include "diff.h"
#include "restable.h"

static inline const res_type_t *type(const char *name)
{
	const res_type_t *t = res_table_find(name);

	ck_assert_msg(t != NULL, "no table for %s", name);
	return t;
}

static inline const res_attr_t *attr(const char *type_name, const char *name)
{
	const res_attr_t *a = res_type_attr(type(type_name), name);

	ck_assert_msg(a != NULL, "%s has no attribute %s", type_name, name);
	return a;
}

static inline cJSON *parse(const char *text)
{
	cJSON *v = cJSON_Parse(text);

	ck_assert_msg(v != NULL, "test JSON does not parse: %s", text);
	return v;
}

/* The attribute's check hook on a JSON value: 0 or -EINVAL. */
static inline int attr_check(const char *type_name, const char *name, const char *json)
{
	cJSON *v = parse(json);
	err_t e;
	int rc = attr(type_name, name)->check(v, &e);

	cJSON_Delete(v);
	return rc;
}

/* The number of changes diff finds between config and a live item. */
static inline size_t changes(const char *type_name, const char *desired_json,
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

/* The params of the only call in calls, a plan hook's answer, after
 * checking that it is op on the resource itself (id_member: "$id"). */
static inline const cJSON *only_call(const cJSON *calls, const char *op,
				     const char *id_member)
{
	const cJSON *params;

	ck_assert_int_eq(cJSON_GetArraySize(calls), 1);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(calls->child, "op")->valuestring, op);
	params = cJSON_GetObjectItemCaseSensitive(calls->child, "params");
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(params, id_member)->valuestring, "$id");
	return params;
}

#endif
