#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>

#include "config.h"
#include "jsonutil.h"
#include "reconcile.h"
#include "restable.h"
#include "schema.h"
#include "testutil.h"

/* rec_result_carry: the cache an edit's run leaves for the next edit
 * (reconcile.h). */

static config_t *load(const char *resources)
{
	char dir[] = "/tmp/driftd-carry-XXXXXX", path[256];
	config_t *cfg = NULL;
	config_errors_t *errs = NULL;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/main.json", dir);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "{\"settings\": {\"environment\": \"t\", \"region\": "
		"\"us-east-1\"}, \"resources\": {%s}}", resources);
	fclose(f);
	ck_assert_int_eq(config_load_with_schema(dir, schema_config(), &cfg,
						 &errs), 0);
	config_errors_free(errs);
	unlink(path);
	rmdir(dir);
	return cfg;
}

static void item(rec_item_t *it, const config_t *cfg, const char *address,
		 const char *id, const char *cidr)
{
	memset(it, 0, sizeof(*it));
	it->address = strdup(address);
	it->type = res_table_find("ec2.vpc");
	it->res = cfg ? config_resource_find(cfg, address) : NULL;
	it->region = "us-east-1";
	it->state = REC_S_IN_SYNC;
	if (id)
		it->id = strdup(id);
	if (cidr) {
		it->live = cJSON_CreateObject();
		cJSON_AddStringToObject(it->live, "CidrBlock", cidr);
	}
}

static rec_result_t *result(size_t n)
{
	rec_result_t *r = calloc(1, sizeof(*r));

	r->items = calloc(n, sizeof(rec_item_t));
	r->n_items = n;
	return r;
}

static const rec_item_t *find(const rec_result_t *r, const char *address)
{
	size_t i;

	for (i = 0; i < r->n_items; i++)
		if (!strcmp(r->items[i].address, address))
			return &r->items[i];
	return NULL;
}

static const char *cidr_of(const rec_item_t *it)
{
	static char buf[64];
	cJSON *v = json_is_packed(it->live) ? json_unpack(it->live) :
		   cJSON_Duplicate(it->live, 1);

	snprintf(buf, sizeof(buf), "%s",
		 cJSON_GetStringValue(cJSON_GetObjectItem(v, "CidrBlock")));
	cJSON_Delete(v);
	return buf;
}

/* What the edit read replaces the cache's, what it added joins, what
 * its read failed keeps the cache's, and what the new config lacks is no
 * longer a cache hit (res NULL); every item points into the new config. */
START_TEST(the_edit_is_merged_into_the_cache_on_the_new_config)
{
	config_t *old_cfg = load("\"ec2.vpc.a\": {\"CidrBlock\": \"10.1.0.0/16\"},"
				 "\"ec2.vpc.b\": {\"CidrBlock\": \"10.2.0.0/16\"},"
				 "\"ec2.vpc.gone\": {\"CidrBlock\": \"10.3.0.0/16\"}");
	config_t *cfg = load("\"ec2.vpc.a\": {\"CidrBlock\": \"10.1.0.0/16\"},"
			     "\"ec2.vpc.b\": {\"CidrBlock\": \"10.2.0.0/16\"},"
			     "\"ec2.vpc.new\": {\"CidrBlock\": \"10.4.0.0/16\"}");
	rec_result_t *cache = result(3), *edit = result(3), *r;
	const rec_item_t *it;

	item(&cache->items[0], old_cfg, "ec2.vpc.a", "vpc-a", "10.1.0.0/16");
	item(&cache->items[1], old_cfg, "ec2.vpc.b", "vpc-b", "10.2.0.0/16");
	item(&cache->items[2], old_cfg, "ec2.vpc.gone", "vpc-g", "10.3.0.0/16");
	cache->n_in_sync = 3;
	rec_result_keep(cache);
	/* a: read again, changed; b: its read failed; new: created */
	item(&edit->items[0], cfg, "ec2.vpc.a", "vpc-a2", "10.9.0.0/16");
	item(&edit->items[1], cfg, "ec2.vpc.b", NULL, NULL);
	edit->items[1].read_failed = 1;
	item(&edit->items[2], cfg, "ec2.vpc.new", "vpc-n", "10.4.0.0/16");
	/* the old config may go before the carry: nothing reads it */
	config_free(old_cfg);

	ck_assert_ptr_nonnull(r = rec_result_carry(cache, cfg, edit));
	ck_assert_uint_eq(r->n_items, 4);
	ck_assert_uint_eq(r->n_in_sync, 3);
	ck_assert_ptr_nonnull(r->kept);

	ck_assert_ptr_nonnull(it = find(r, "ec2.vpc.a"));
	ck_assert_ptr_eq(it->res, config_resource_find(cfg, "ec2.vpc.a"));
	ck_assert_str_eq(it->id, "vpc-a2");
	ck_assert(json_is_packed(it->live));
	ck_assert_str_eq(cidr_of(it), "10.9.0.0/16");

	ck_assert_ptr_nonnull(it = find(r, "ec2.vpc.b"));
	ck_assert_ptr_eq(it->res, config_resource_find(cfg, "ec2.vpc.b"));
	ck_assert_str_eq(it->id, "vpc-b");
	ck_assert_str_eq(cidr_of(it), "10.2.0.0/16");

	ck_assert_ptr_nonnull(it = find(r, "ec2.vpc.gone"));
	ck_assert_ptr_null(it->res);

	ck_assert_ptr_nonnull(it = find(r, "ec2.vpc.new"));
	ck_assert_ptr_eq(it->res, config_resource_find(cfg, "ec2.vpc.new"));
	ck_assert_str_eq(it->id, "vpc-n");
	ck_assert_str_eq(cidr_of(it), "10.4.0.0/16");

	rec_result_free(r);
	config_free(cfg);
}
END_TEST

/* Without an edit it is the cache, copied onto the new config. */
START_TEST(without_an_edit_the_cache_is_copied)
{
	config_t *cfg = load("\"ec2.vpc.a\": {\"CidrBlock\": \"10.1.0.0/16\"}");
	rec_result_t *cache = result(1), *r;

	item(&cache->items[0], cfg, "ec2.vpc.a", "vpc-a", "10.1.0.0/16");
	ck_assert_ptr_nonnull(r = rec_result_carry(cache, cfg, NULL));
	ck_assert_uint_eq(r->n_items, 1);
	ck_assert_str_eq(r->items[0].id, "vpc-a");
	ck_assert_str_eq(cidr_of(&r->items[0]), "10.1.0.0/16");
	rec_result_free(r);
	config_free(cfg);
}
END_TEST

TESTUTIL_MAIN("carry",
	      the_edit_is_merged_into_the_cache_on_the_new_config,
	      without_an_edit_the_cache_is_copied)
