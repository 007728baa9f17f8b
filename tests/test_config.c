#define _XOPEN_SOURCE 700
#include <check.h>
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfgmem.h"
#include "config.h"
#include "jsonc.h"
#include "schema.h"
#include "strbuf.h"
#include "testutil.h"

static char root[64];

static void put(const char *name, const char *text)
{
	char path[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash;
	     slash = strchr(slash + 1, '/')) {
		*slash = 0;
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static const char *at(const char *name)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, name);
	return path;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void setup(void)
{
	strcpy(root, "/tmp/cfgtestXXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	chmod(root, 0755);
}

static void teardown(void)
{
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static config_t *load_ok(const char *dir)
{
	config_errors_t *errs;
	config_t *cfg;
	char buf[1024];
	int rc = config_load(at(dir), &cfg, &errs);

	ck_assert_msg(rc == 0, "first error: %s",
		      errs->count ? err_format(&errs->items[0], buf, sizeof(buf)) : "none");
	ck_assert_uint_eq(errs->count, 0);
	config_errors_free(errs);
	return cfg;
}

/* All errors formatted, one per line, paths relative to root. */
static char *load_errors(const char *dir, const config_schema_t *schema)
{
	static char text[8192];
	config_errors_t *errs;
	config_t *cfg;
	char line[1024];
	size_t i, len = 0;

	ck_assert_int_eq(config_load_with_schema(at(dir), schema, &cfg, &errs), -EINVAL);
	ck_assert_ptr_null(cfg);
	text[0] = 0;
	for (i = 0; i < errs->count; i++) {
		const char *f = err_format(&errs->items[i], line, sizeof(line));
		const char *hit;

		/* drop every "ROOT/" so expectations read as relative paths */
		while ((hit = strstr(f, root))) {
			len += (size_t)snprintf(text + len, sizeof(text) - len, "%.*s",
						(int)(hit - f), f);
			f = hit + strlen(root) + 1;
		}
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s\n", f);
	}
	config_errors_free(errs);
	return text;
}

/* The last alternative of an enum message once computed NULL + 1
 * (UBSan pointer-overflow with clang). Unknown values warn (AWS adds
 * values): the warning lists every known one. */
START_TEST(enum_message_lists_every_alternative)
{
	config_errors_t *errs;
	config_t *cfg;
	char line[1024];

	put("main.json", "{\"resources\": {\"ec2.vpc.main\": {\"CidrBlock\": \"10.0.0.0/16\","
	    " \"InstanceTenancy\": \"shared\"}}}");
	ck_assert_int_eq(config_load_with_schema(at("."), schema_config(), &cfg, &errs), 0);
	ck_assert_uint_eq(errs->nwarnings, 1);
	err_format(&errs->warnings[0], line, sizeof(line));
	ck_assert_msg(strstr(line, "known: \"default\", \"dedicated\", \"host\""), "%s", line);
	config_errors_free(errs);
	config_free(cfg);
}
END_TEST

START_TEST(files_merge_in_sorted_order_with_positions)
{
	config_t *cfg;
	const config_resource_t *r;

	put("env/b.json", "{\"resources\": {\n  \"sns.topic.b\": {\"TopicName\": \"b\"}}}");
	put("env/a.json", "// first\n{\"resources\": {\"sns.topic.a\": {}}}");
	put("env/notes.txt", "not json");
	cfg = load_ok("env");
	ck_assert_uint_eq(config_file_count(cfg), 2);
	ck_assert_uint_eq(config_resource_count(cfg), 2);
	r = config_resource_at(cfg, 1);
	ck_assert_str_eq(r->address, "sns.topic.b");
	ck_assert_str_eq(r->service, "sns");
	ck_assert_str_eq(r->type, "topic");
	ck_assert_str_eq(r->name, "b");
	ck_assert_str_eq(r->pos.file, at("env/b.json"));
	ck_assert_int_eq(r->pos.line, 2);
	ck_assert_int_eq(r->pos.column, 3);
	ck_assert_str_eq(cJSON_GetObjectItem(r->body, "TopicName")->valuestring, "b");
	ck_assert_ptr_null(config_resource_find(cfg, "sns.topic.c"));
	config_free(cfg);
}
END_TEST

START_TEST(environment_variables_override_included_defaults)
{
	config_t *cfg;
	const config_resource_t *r;

	put("base/vars.json", "{\"variables\": {\"size\": 20, \"name\": \"base\", \"only_base\": true},"
	    " \"settings\": {\"mode\": \"observe\", \"poll_interval\": 30}}");
	put("base/more.json", "{\"include\": [\"vars.json\"]}");
	put("env/main.json", "{\"include\": [\"../base\"], \"variables\": {\"size\": 100},"
	    " \"settings\": {\"poll_interval\": \"5m\"},"
	    " \"resources\": {\"rds.db_instance.main\": {\"AllocatedStorage\": \"${var.size}\","
	    " \"DBName\": \"${var.name}\", \"Multi\": \"${var.only_base}\"}}}");
	cfg = load_ok("env");
	/* base/more.json includes vars.json which base also lists: loaded once */
	ck_assert_uint_eq(config_file_count(cfg), 3);
	ck_assert_int_eq(config_variable(cfg, "size")->valueint, 100);
	ck_assert_str_eq(config_variable(cfg, "name")->valuestring, "base");
	r = config_resource_find(cfg, "rds.db_instance.main");
	ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(r->body, "AllocatedStorage")));
	ck_assert_int_eq(cJSON_GetObjectItem(r->body, "AllocatedStorage")->valueint, 100);
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(r->body, "Multi")));
	ck_assert_int_eq(config_settings(cfg)->poll_interval, 300);
	ck_assert_int_eq(config_settings(cfg)->mode, CONFIG_MODE_OBSERVE);
	/* policy.mode follows settings.mode unless the resource sets it */
	ck_assert_int_eq(r->policy.mode, CONFIG_MODE_OBSERVE);
	config_free(cfg);
}
END_TEST

START_TEST(interpolation_keeps_whole_variable_type_and_formats_partial_ones)
{
	config_t *cfg;
	const config_resource_t *r;
	cJSON *tags;

	put("env/x.json", "{\"variables\": {\"tags\": [{\"Key\": \"a\", \"Value\": \"${var.n}\"}],"
	    " \"n\": 3, \"f\": 1.5, \"s\": \"str\", \"b\": false},"
	    " \"resources\": {\"ec2.vpc.main\": {\"Tags\": \"${var.tags}\","
	    " \"Name\": \"n-${var.n}-${var.f}-${var.s}-${var.b}\", \"Lit\": \"$${var.n} costs $5\","
	    " \"Body\": \"<${file(\\\"t/body.txt\\\")}>\"}}}");
	put("env/t/body.txt", "hello ${x}\n");
	cfg = load_ok("env");
	r = config_resource_find(cfg, "ec2.vpc.main");
	tags = cJSON_GetObjectItem(r->body, "Tags");
	ck_assert(cJSON_IsArray(tags));
	/* variable values are literal: no interpolation inside them */
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(tags, 0), "Value")->valuestring,
			 "${var.n}");
	ck_assert_str_eq(cJSON_GetObjectItem(r->body, "Name")->valuestring, "n-3-1.5-str-false");
	ck_assert_str_eq(cJSON_GetObjectItem(r->body, "Lit")->valuestring, "${var.n} costs $5");
	ck_assert_str_eq(cJSON_GetObjectItem(r->body, "Body")->valuestring, "<hello ${x}\n>");
	ck_assert_uint_eq(r->nrefs, 0);
	config_free(cfg);
}
END_TEST

static const cJSON *lookup(const char *address, const char *attribute, void *ctx)
{
	cJSON *known = ctx;
	char key[256];

	snprintf(key, sizeof(key), "%s.%s", address, attribute);
	return cJSON_GetObjectItem(known, key);
}

/* The dependency graph's order, addresses separated by spaces. */
static void assert_apply_order(const config_t *cfg, const char *expected)
{
	graph_t *g = config_graph(cfg);
	const char **order;
	char text[1024];
	size_t i, len = 0;
	err_t e;

	ck_assert_int_eq(graph_topo_order(g, &order, &e), 0);
	text[0] = 0;
	for (i = 0; i < config_resource_count(cfg); i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s",
					i ? " " : "", order[i]);
	ck_assert_str_eq(text, expected);
	free(order);
	graph_free(g);
}

START_TEST(references_are_recorded_and_resolved_at_apply_time)
{
	config_t *cfg;
	const config_resource_t *r;
	cJSON *known, *out = NULL;
	err_t e;

	put("env/m.json", "{\"variables\": {\"p\": \"pre\"}, \"resources\": {\n"
	    "\"ec2.vpc.main\": {},\n"
	    "\"ec2.subnet.a\": {\"VpcId\": \"${ec2.vpc.main.VpcId}\",\n"
	    "  \"Name\": \"${var.p}-${ec2.vpc.main.Cidr.Block}-$${x}\", \"depends_on\": [\"sns.topic.t\"]},\n"
	    "\"sns.topic.t\": {}}}");
	cfg = load_ok("env");
	r = config_resource_find(cfg, "ec2.subnet.a");
	ck_assert_uint_eq(r->nrefs, 3);
	ck_assert_str_eq(r->depends_on[0], "sns.topic.t");
	ck_assert_ptr_null(r->refs[0].attribute);
	ck_assert_str_eq(r->refs[1].address, "ec2.vpc.main");
	ck_assert_str_eq(r->refs[1].attribute, "VpcId");
	ck_assert(r->refs[1].whole);
	ck_assert_int_eq(r->refs[1].pos.line, 3);
	ck_assert_int_eq(r->refs[1].pos.column, 28);
	ck_assert_str_eq(r->refs[2].attribute, "Cidr.Block");
	ck_assert(!r->refs[2].whole);
	ck_assert_int_eq(r->refs[2].pos.line, 4);
	ck_assert_int_eq(r->refs[2].pos.column, 21);
	/* kept as written until apply time */
	ck_assert_str_eq(cJSON_GetObjectItem(r->body, "VpcId")->valuestring,
			 "${ec2.vpc.main.VpcId}");
	ck_assert_ptr_null(cJSON_GetObjectItem(r->body, "depends_on"));

	known = cJSON_Parse("{\"ec2.vpc.main.VpcId\": {\"id\": \"vpc-1\"}}");
	ck_assert_int_eq(config_resolve(cfg, r, lookup, known, &out, &e), -EAGAIN);
	ck_assert_str_eq(e.message, "value of ec2.vpc.main.Cidr.Block is not known yet");
	ck_assert_ptr_null(out);
	cJSON_AddStringToObject(known, "ec2.vpc.main.Cidr.Block", "10.0.0.0/16");
	ck_assert_int_eq(config_resolve(cfg, r, lookup, known, &out, &e), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(out, "VpcId"), "id")->valuestring,
			 "vpc-1");
	ck_assert_str_eq(cJSON_GetObjectItem(out, "Name")->valuestring, "pre-10.0.0.0/16-${x}");
	cJSON_Delete(out);
	cJSON_Delete(known);

	assert_apply_order(cfg, "ec2.vpc.main sns.topic.t ec2.subnet.a");
	config_free(cfg);
}
END_TEST

START_TEST(variables_in_keys_are_substituted_at_load)
{
	config_t *cfg;
	const config_resource_t *r;
	cJSON *cond;

	put("env/k.json", "{\"variables\": {\"host\": \"oidc.example/id/1\", \"n\": 2},\n"
	    "\"resources\": {\"iam.role.r\": {\"Doc\": {\"Condition\": {\n"
	    "  \"${var.host}:sub\": \"a\", \"k${var.n}\": \"b\", \"$${lit}\": \"c\"}},\n"
	    "  \"x-${var.n}\": 1}}}");
	cfg = load_ok("env");
	r = config_resource_find(cfg, "iam.role.r");
	cond = cJSON_GetObjectItem(cJSON_GetObjectItem(r->body, "Doc"), "Condition");
	ck_assert_str_eq(cJSON_GetObjectItem(cond, "oidc.example/id/1:sub")->valuestring, "a");
	ck_assert_str_eq(cJSON_GetObjectItem(cond, "k2")->valuestring, "b");
	ck_assert_str_eq(cJSON_GetObjectItem(cond, "${lit}")->valuestring, "c");
	/* a top-level property name too; the schema then judges it */
	ck_assert_int_eq(cJSON_GetObjectItem(r->body, "x-2")->valueint, 1);
	ck_assert_uint_eq(r->nrefs, 0);
	config_free(cfg);
}
END_TEST

START_TEST(references_in_keys_are_dependencies_resolved_at_apply_time)
{
	config_t *cfg;
	const config_resource_t *r;
	cJSON *known, *out = NULL, *cond;
	const cJSON *member;
	err_t e;

	put("env/k.json", "{\"variables\": {\"suffix\": \"sub\"}, \"resources\": {\n"
	    "\"iam.role.r\": {\"Doc\": {\"Condition\": {\"StringEquals\": {\n"
	    "  \"${iam.oidc.eks.Host}:${var.suffix}\": \"system:serviceaccount:a:b\",\n"
	    "  \"${iam.oidc.eks.Host}:aud\": \"sts.amazonaws.com\"}}}},\n"
	    "\"iam.oidc.eks\": {}}}");
	cfg = load_ok("env");
	r = config_resource_find(cfg, "iam.role.r");
	ck_assert_uint_eq(r->nrefs, 2);
	member = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(
		r->body, "Doc"), "Condition"), "StringEquals")->child;
	ck_assert_ptr_eq(r->refs[0].node, member);
	ck_assert(r->refs[0].in_key);
	ck_assert(!r->refs[0].whole);
	ck_assert_str_eq(r->refs[0].address, "iam.oidc.eks");
	ck_assert_str_eq(r->refs[0].attribute, "Host");
	ck_assert_int_eq(r->refs[0].pos.line, 3);
	ck_assert_int_eq(r->refs[0].pos.column, 4);
	ck_assert_int_eq(r->refs[1].pos.line, 4);
	/* kept as written, variables included, until apply time */
	ck_assert_str_eq(member->string, "${iam.oidc.eks.Host}:${var.suffix}");

	known = cJSON_CreateObject();
	ck_assert_int_eq(config_resolve(cfg, r, lookup, known, &out, &e), -EAGAIN);
	ck_assert_str_eq(e.message, "value of iam.oidc.eks.Host is not known yet");
	ck_assert_int_eq(e.line, 3);
	ck_assert_int_eq(e.column, 4);
	ck_assert_ptr_null(out);
	cJSON_AddStringToObject(known, "iam.oidc.eks.Host", "oidc.example/id/1");
	ck_assert_int_eq(config_resolve(cfg, r, lookup, known, &out, &e), 0);
	cond = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(
		out, "Doc"), "Condition"), "StringEquals");
	ck_assert_str_eq(cJSON_GetObjectItem(cond, "oidc.example/id/1:sub")->valuestring,
			 "system:serviceaccount:a:b");
	ck_assert_str_eq(cJSON_GetObjectItem(cond, "oidc.example/id/1:aud")->valuestring,
			 "sts.amazonaws.com");
	/* the body itself keeps the written keys */
	ck_assert_str_eq(member->string, "${iam.oidc.eks.Host}:${var.suffix}");
	cJSON_Delete(out);

	/* an attribute without a text form cannot be part of a key */
	cJSON_DeleteItemFromObject(known, "iam.oidc.eks.Host");
	cJSON_AddItemToObject(known, "iam.oidc.eks.Host", cJSON_CreateArray());
	ck_assert_int_eq(config_resolve(cfg, r, lookup, known, &out, &e), -EINVAL);
	ck_assert_str_eq(e.message, "iam.oidc.eks.Host is an array and cannot be part of a string");
	ck_assert_int_eq(e.line, 3);
	ck_assert_ptr_null(out);
	cJSON_Delete(known);

	assert_apply_order(cfg, "iam.oidc.eks iam.role.r");
	config_free(cfg);
}
END_TEST

START_TEST(keys_equal_after_interpolation_are_errors_at_the_key)
{
	config_t *cfg;
	const config_resource_t *r;
	cJSON *known, *out = NULL;
	err_t e;

	/* at load: variables */
	put("env/a.json", "{\"variables\": {\"h\": \"x\"}, \"resources\": {\n"
	    "\"sns.topic.a\": {\"M\": {\"x:sub\": 1,\n"
	    "    \"${var.h}:sub\": 2, \"y\": 3, \"${var.h}:s${var.x}\": 4}}}}");
	ck_assert_str_eq(load_errors("env", NULL),
			 "env/a.json:3:5: duplicate key \"x:sub\" after interpolation "
			 "(first at line 2, column 23)\n"
			 "env/a.json:3:43: undefined variable \"x\"\n");

	/* at apply time: references */
	put("env/a.json", "{\"variables\": {\"h\": \"x\"}, \"resources\": {\n"
	    "\"sns.topic.a\": {\"M\": {\"${var.h}:sub\": 1,\n"
	    "    \"${sns.topic.b.Host}:sub\": 2}},\n"
	    "\"sns.topic.b\": {}}}");
	cfg = load_ok("env");
	r = config_resource_find(cfg, "sns.topic.a");
	known = cJSON_Parse("{\"sns.topic.b.Host\": \"y\"}");
	ck_assert_int_eq(config_resolve(cfg, r, lookup, known, &out, &e), 0);
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(cJSON_GetObjectItem(out, "M"), "y:sub"));
	cJSON_Delete(out);
	cJSON_ReplaceItemInObject(known, "sns.topic.b.Host", cJSON_CreateString("x"));
	ck_assert_int_eq(config_resolve(cfg, r, lookup, known, &out, &e), -EINVAL);
	ck_assert_ptr_null(out);
	ck_assert_str_eq(e.message, "duplicate key \"x:sub\" after interpolation "
			 "(first at line 2, column 23)");
	ck_assert_int_eq(e.line, 3);
	ck_assert_int_eq(e.column, 5);
	cJSON_Delete(known);
	config_free(cfg);
}
END_TEST

START_TEST(key_interpolation_errors_name_the_place_in_the_key)
{
	put("env/a.json", "{\"variables\": {\"list\": [1]}, \"resources\": {\n"
	    "\"sns.topic.a\": {\"M\": {\"a\\\"b${var.nope}\": 1,\n"
	    "  \"${var.list}\": 2, \"${oops\": 3}},\n"
	    "\"sns.topic.b\": {\"M\": {\"${sns.topic.c.X}\": 1}}}, \"settings\": {\n"
	    "\"default_tags\": {\"${sns.topic.a.Arn}\": \"v\"}}}");
	ck_assert_str_eq(load_errors("env", NULL),
			 "env/a.json:2:28: undefined variable \"nope\"\n"
			 "env/a.json:3:4: variable \"list\" is an array and cannot be part of a string\n"
			 "env/a.json:3:22: unterminated \"${\" in key (write $${ for a literal ${)\n"
			 "env/a.json:4:24: reference to unknown resource \"sns.topic.c\" "
			 "(did you mean \"sns.topic.a\"?)\n"
			 "env/a.json:5:19: settings.default_tags cannot refer to resources\n");
}
END_TEST

START_TEST(settings_and_policy_are_parsed)
{
	config_t *cfg;
	const config_settings_t *s;
	const config_resource_t *r;

	put("env/s.json", "{\"settings\": {\"environment\": \"prod\", \"region\": \"us-gov-west-1\","
	    " \"default_tags\": {\"team\": \"infra\"}, \"alert_topic\": \"${sns.topic.a.TopicArn}\","
	    " \"metrics_namespace\": \"Drift\", \"endpoints\": {\"sns\": \"http://127.0.0.1:1\"},"
	    " \"state_dir\": \"/srv/driftd\", \"poll_interval\": 45, \"allow_plain_http\": true,"
	    " \"credential_process_timeout\": \"2m\", \"history_max_bytes\": \"64k\"},"
	    " \"resources\": {\"sns.topic.a\": {\"ensure\": \"absent\", \"region\": \"eu-west-2\","
	    " \"policy\": {\"mode\": \"observe\", \"ignore\": [\"Tags\", \"Policy.Statement\"],"
	    " \"prevent_destroy\": true, \"allow_replace\": true}}}}");
	cfg = load_ok("env");
	s = config_settings(cfg);
	ck_assert_str_eq(s->environment, "prod");
	ck_assert_str_eq(s->region, "us-gov-west-1");
	ck_assert_str_eq(cJSON_GetObjectItem(s->default_tags, "team")->valuestring, "infra");
	ck_assert_str_eq(s->alert_topic, "${sns.topic.a.TopicArn}");
	ck_assert_str_eq(s->alert_topic_ref->address, "sns.topic.a");
	ck_assert_str_eq(s->alert_topic_ref->attribute, "TopicArn");
	ck_assert_str_eq(s->metrics_namespace, "Drift");
	ck_assert_str_eq(cJSON_GetObjectItem(s->endpoints, "sns")->valuestring, "http://127.0.0.1:1");
	ck_assert_str_eq(s->state_dir, "/srv/driftd");
	ck_assert_int_eq(s->poll_interval, 45);
	ck_assert_int_eq(s->allow_plain_http, 1);
	ck_assert_int_eq(s->credential_process_timeout, 120);
	ck_assert_uint_eq(s->history_max_bytes, 65536);
	ck_assert_int_eq(s->mode, CONFIG_MODE_ENFORCE);
	r = config_resource_find(cfg, "sns.topic.a");
	ck_assert_int_eq(r->ensure, CONFIG_ENSURE_ABSENT);
	ck_assert_str_eq(r->region, "eu-west-2");
	ck_assert_int_eq(r->policy.mode, CONFIG_MODE_OBSERVE);
	ck_assert_uint_eq(r->policy.nignore, 2);
	ck_assert_str_eq(r->policy.ignore[1], "Policy.Statement");
	ck_assert(r->policy.prevent_destroy);
	ck_assert(r->policy.allow_replace);
	ck_assert_ptr_null(r->body->child);
	config_free(cfg);
}
END_TEST

START_TEST(defaults_apply_when_settings_are_absent)
{
	config_t *cfg;
	const config_settings_t *s;

	put("env/e.json", "{}");
	cfg = load_ok("env");
	s = config_settings(cfg);
	ck_assert_int_eq(s->poll_interval, 60);
	ck_assert_int_eq(s->allow_plain_http, 0);
	ck_assert_int_eq(s->credential_process_timeout, 60);
	ck_assert_int_eq(s->mode, CONFIG_MODE_ENFORCE);
	ck_assert_str_eq(s->metrics_namespace, "Driftd");
	ck_assert_str_eq(s->state_dir, "/var/lib/driftd");
	ck_assert_ptr_null(s->region);
	ck_assert_ptr_null(s->alert_topic_ref);
	config_free(cfg);
}
END_TEST

START_TEST(lease_defaults_and_its_missing_table_at_its_place)
{
	config_t *cfg;
	const config_lease_t *l;

	put("env/e.json", "{\"settings\": {\"lease\": {\"table\": \"t-1.x\"}}}");
	cfg = load_ok("env");
	l = config_settings(cfg)->lease;
	ck_assert_ptr_nonnull(l);
	ck_assert_str_eq(l->table, "t-1.x");
	ck_assert_ptr_null(l->name);
	ck_assert_int_eq(l->duration_s, 30);
	ck_assert_int_eq(l->create_table, 0);
	config_free(cfg);
	put("two/e.json", "{\"settings\": {\"lease\": {\"name\": \"p\", "
	    "\"duration_s\": 60, \"create_table\": true, \"table\": \"abc\"}}}");
	cfg = load_ok("two");
	l = config_settings(cfg)->lease;
	ck_assert_str_eq(l->name, "p");
	ck_assert_int_eq(l->duration_s, 60);
	ck_assert_int_eq(l->create_table, 1);
	config_free(cfg);
	put("bad/e.json", "{\"settings\": {\"lease\": {\"name\": \"p\"}}}");
	ck_assert_str_eq(load_errors("bad", NULL),
			 "bad/e.json:1:24: settings.lease needs \"table\", the "
			 "DynamoDB table that holds the lease\n");
	put("none/e.json", "{}");
	cfg = load_ok("none");
	ck_assert_ptr_null(config_settings(cfg)->lease);
	config_free(cfg);
}
END_TEST

START_TEST(event_queues_take_arns_and_references_one_or_a_list)
{
	config_t *cfg;
	const config_settings_t *s;

	put("q1/e.json", "{\"settings\": {\"event_queues\": "
	    "\"arn:aws:sqs:us-east-1:123456789012:drift-events\"}}");
	cfg = load_ok("q1");
	s = config_settings(cfg);
	ck_assert_uint_eq(s->nevent_queues, 1);
	ck_assert_str_eq(s->event_queues[0].value,
			 "arn:aws:sqs:us-east-1:123456789012:drift-events");
	ck_assert_ptr_null(s->event_queues[0].ref);
	config_free(cfg);
	put("q2/e.json", "{\"settings\": {\"event_queues\": ["
	    "\"${sqs.queue.events.QueueArn}\", "
	    "\"arn:aws:sqs:eu-west-1:123456789012:other\"]},"
	    " \"resources\": {\"sqs.queue.events\": {}}}");
	cfg = load_ok("q2");
	s = config_settings(cfg);
	ck_assert_uint_eq(s->nevent_queues, 2);
	ck_assert_str_eq(s->event_queues[0].value, "${sqs.queue.events.QueueArn}");
	ck_assert_str_eq(s->event_queues[0].ref->address, "sqs.queue.events");
	ck_assert_str_eq(s->event_queues[0].ref->attribute, "QueueArn");
	ck_assert_ptr_null(s->event_queues[1].ref);
	config_free(cfg);
	put("none/e.json", "{}");
	cfg = load_ok("none");
	ck_assert_uint_eq(config_settings(cfg)->nevent_queues, 0);
	config_free(cfg);
	put("bad/e.json", "{\"settings\": {\"event_queues\": [\"arn:aws:sns:"
	    "us-east-1:123456789012:t\", 7, \"q-${sqs.queue.x.QueueArn}\"]}}");
	ck_assert_str_eq(load_errors("bad", NULL),
			 "bad/e.json:1:32: settings.event_queues: \"arn:aws:sns:"
			 "us-east-1:123456789012:t\" is not an SQS queue ARN "
			 "(arn:aws:sqs:REGION:ACCOUNT:NAME)\n"
			 "bad/e.json:1:72: settings.event_queues must hold SQS "
			 "queue ARNs or references\n"
			 "bad/e.json:1:75: settings.event_queues: each entry must "
			 "be exactly one reference\n");
	put("dangling/e.json", "{\"settings\": {\"event_queues\": "
	    "\"${sqs.queue.nope.QueueArn}\"}}");
	ck_assert_str_eq(load_errors("dangling", NULL),
			 "dangling/e.json:1:32: reference to unknown resource "
			 "\"sqs.queue.nope\"\n");
	put("obj/e.json", "{\"settings\": {\"event_queues\": {}}}");
	ck_assert_str_eq(load_errors("obj", NULL),
			 "obj/e.json:1:31: settings.event_queues must be an SQS "
			 "queue ARN or reference, or a list of them\n");
}
END_TEST

START_TEST(errors_from_every_file_are_collected_and_sorted)
{
	put("env/b.json", "{\"resources\": {\"sns.topic.a\": {}}, \"settings\": {\"mode\": 1, \"allow_plain_http\": \"yes\"}}");
	put("env/a.json", "{\n \"resources\": {\n  \"sns.topic.a\": {\"X\": \"${var.nope}\"}}}");
	put("env/c.json", "{\"variables\": {\"x\": 1,}}");
	ck_assert_str_eq(load_errors("env", NULL),
			 "env/a.json:3:25: undefined variable \"nope\"\n"
			 "env/b.json:1:16: resource \"sns.topic.a\" is already defined at "
			 "env/a.json:3:3\n"
			 "env/b.json:1:57: settings.mode must be \"enforce\" or \"observe\"\n"
			 "env/b.json:1:80: settings.allow_plain_http must be true or false\n"
			 "env/c.json:1:22: trailing comma before '}'\n");
}
END_TEST

START_TEST(cycle_is_reported_at_the_edge_that_starts_it)
{
	put("env/c.json", "{\"resources\": {\n"
	    "\"a.b.c\": {\"depends_on\": [\"a.b.d\"]},\n"
	    "\"a.b.d\": {\"X\": \"${a.b.c.Id}\"}}}");
	ck_assert_str_eq(load_errors("env", NULL),
			 "env/c.json:2:26: cycle: a.b.c -> a.b.d -> a.b.c\n");
}
END_TEST

START_TEST(include_cycle_names_every_file)
{
	put("env/main.json", "{\"include\": [\"../lib/one.json\"]}");
	put("lib/one.json", "{\"include\": [\"two.json\"]}");
	put("lib/two.json", "{\n\"include\": [\"./one.json\"]}");
	ck_assert_str_eq(load_errors("env", NULL),
			 "lib/two.json:2:13: include cycle: lib/one.json -> lib/two.json -> lib/one.json\n");
}
END_TEST

START_TEST(same_distance_redefinition_is_an_error)
{
	put("env/a.json", "{\"settings\": {\"region\": \"eu-west-1\"}}");
	put("env/b.json", "{\"settings\": {\"region\": \"eu-west-2\"}}");
	ck_assert_str_eq(load_errors("env", NULL),
			 "env/b.json:1:15: setting \"region\" is already defined at "
			 "env/a.json:1:15\n");
}
END_TEST

/* A tiny schema: the real one walks the resource tables the same way. */
typedef struct prop {
	const char *type, *name;
	int kind;                        /* 0 string, 1 bool, 2 cidr, 3 enum */
	const char *const *values;
} prop_t;

static const char *const tenancy[] = { "default", "dedicated", NULL };
static const prop_t test_props[] = {
	{ "vpc", "CidrBlock", 2, NULL },
	{ "vpc", "EnableDnsSupport", 1, NULL },
	{ "vpc", "InstanceTenancy", 3, tenancy },
	{ "subnet", "VpcId", 0, NULL },
};

static int test_validate(void *ctx, const config_resource_t *res, config_check_t *chk)
{
	const char *names[8];
	const cJSON *v;
	size_t i, n = 0;

	(*(int *)ctx)++;
	for (i = 0; i < sizeof(test_props) / sizeof(test_props[0]); i++)
		if (!strcmp(test_props[i].type, res->type))
			names[n++] = test_props[i].name;
	if (!n) {
		config_report(chk, NULL, 0, "unknown resource type \"%s.%s\"", res->service,
			      res->type);
		return 0;
	}
	cJSON_ArrayForEach(v, res->body) {
		const prop_t *p = NULL;
		err_t e;

		for (i = 0; i < sizeof(test_props) / sizeof(test_props[0]); i++)
			if (!strcmp(test_props[i].type, res->type) &&
			    !strcmp(test_props[i].name, v->string))
				p = &test_props[i];
		if (!p) {
			const char *s = config_suggest(v->string, names, n);

			config_report(chk, v, 1, "unknown property \"%s\"%s%s%s", v->string,
				      s ? " (did you mean \"" : "", s ? s : "", s ? "\"?)" : "");
		} else if (p->kind == 1 && !cJSON_IsBool(v)) {
			config_report(chk, v, 0, "%s must be true or false", v->string);
		} else if (p->kind == 2 && cJSON_IsString(v) &&
			   config_check_cidr(v->valuestring, &e)) {
			config_report(chk, v, 0, "%s", e.message);
		} else if (p->kind == 3) {
			for (i = 0; p->values[i] && strcmp(p->values[i], v->valuestring); i++)
				;
			if (!p->values[i])
				config_report(chk, v, 0, "%s must be one of: default, dedicated",
					      v->string);
		}
	}
	return 0;
}

START_TEST(schema_plugin_reports_through_positions)
{
	int calls = 0;
	config_schema_t schema = { &calls, test_validate, NULL };

	put("env/s.json", "{\"resources\": {\n"
	    "\"ec2.vpc.main\": {\"CidrBlok\": \"10.0.0.0/16\", \"EnableDnsSupport\": \"yes\",\n"
	    "  \"InstanceTenancy\": \"shared\"},\n"
	    "\"ec2.vpc.other\": {\"CidrBlock\": \"10.0.0.1/16\"},\n"
	    "\"ec2.gateway.g\": {}}}");
	ck_assert_str_eq(load_errors("env", &schema),
			 "env/s.json:2:18: unknown property \"CidrBlok\" (did you mean \"CidrBlock\"?)\n"
			 "env/s.json:2:65: EnableDnsSupport must be true or false\n"
			 "env/s.json:3:22: InstanceTenancy must be one of: default, dedicated\n"
			 "env/s.json:4:32: \"10.0.0.1/16\" has host bits set beyond /16\n"
			 "env/s.json:5:1: unknown resource type \"ec2.gateway\"\n");
	ck_assert_int_eq(calls, 3);
}
END_TEST

START_TEST(cidr_check_accepts_networks_and_explains_rejections)
{
	err_t e;

	ck_assert_int_eq(config_check_cidr("10.0.0.0/16", &e), 0);
	ck_assert_int_eq(config_check_cidr("0.0.0.0/0", &e), 0);
	ck_assert_int_eq(config_check_cidr("2001:db8::/56", &e), 0);
	ck_assert_int_eq(config_check_cidr("10.0.0.0", &e), -EINVAL);
	ck_assert_str_eq(e.message, "\"10.0.0.0\" is not a CIDR block (ADDRESS/PREFIX)");
	ck_assert_int_eq(config_check_cidr("10.0.0.0/33", &e), -EINVAL);
	ck_assert_str_eq(e.message, "\"10.0.0.0/33\" is not a CIDR block: prefix must be 0 to 32");
	ck_assert_int_eq(config_check_cidr("10.0.300.0/24", &e), -EINVAL);
	ck_assert_int_eq(config_check_cidr("10.0.0.0/ 8", &e), -EINVAL);
	ck_assert_int_eq(config_check_cidr("2001:db8::1/64", &e), -EINVAL);
	ck_assert_str_eq(e.message, "\"2001:db8::1/64\" has host bits set beyond /64");
}
END_TEST

START_TEST(permissions_check_refuses_group_or_world_writable)
{
	err_t e;

	put("env/a.json", "{}");
	chmod(at("env"), 0755);
	chmod(at("env/a.json"), 0644);
	ck_assert_int_eq(config_check_permissions(at("env"), &e), 0);
	chmod(at("env/a.json"), 0664);
	ck_assert_int_eq(config_check_permissions(at("env"), &e), -EPERM);
	ck_assert_str_eq(e.file, at("env/a.json"));
	ck_assert_str_eq(e.message, "writable by group or others (mode 0664); "
			 "driftd does not trust it (chmod go-w)");
	chmod(at("env/a.json"), 0644);
	chmod(at("env"), 0757);
	ck_assert_int_eq(config_check_permissions(at("env"), &e), -EPERM);
	ck_assert_ptr_nonnull(strstr(e.message, "(mode 0757)"));
	chmod(at("env"), 0755);
	/* the owner, not only the mode (issue 14, item 5) */
	ck_assert_int_eq(chown(at("env/a.json"), 4242, 4242), 0);
	ck_assert_int_eq(config_check_permissions(at("env"), &e), -EPERM);
	ck_assert_str_eq(e.message, "owned by uid 4242, not by root or driftd's "
			 "user (uid 0); driftd does not trust it");
}
END_TEST

/* Every file and directory the loader reads, and each directory from the
 * config root (ROOT: env's parent) down to it, is owned by root or
 * driftd's user and writable by no one else; a link is followed only to
 * a target that passes the same (issue 14, item 5). Each case breaks one
 * thing in a config that loads, and names the error it must give. The
 * tests run as root: another owner is made with chown. */
typedef enum { BREAK_CHMOD, BREAK_CHOWN, BREAK_LCHOWN } break_how_t;

START_TEST(every_file_and_directory_read_must_be_trusted)
{
	static const struct {
		const char *what, *path;
		break_how_t how;
		unsigned mode;
		const char *error;
	} cases[] = {
		{ "a file of the environment owned by another user",
		  "env/main.json", BREAK_CHOWN, 0,
		  "env/main.json: owned by uid 4242, not by root or driftd's user "
		  "(uid 0); driftd does not trust it\n" },
		{ "the environment directory writable by its group",
		  "env", BREAK_CHMOD, 0775,
		  "env: writable by group or others (mode 0775); driftd does not "
		  "trust it (chmod go-w)\n" },
		{ "the config root writable by others, though sticky on the way",
		  "", BREAK_CHMOD, 01777,
		  NULL },
		{ "an included directory owned by another user",
		  "base", BREAK_CHOWN, 0,
		  "env/main.json:1:14: cannot include \"../base\": base: owned "
		  "by uid 4242, not by root or driftd's user (uid 0); driftd does "
		  "not trust it\n" },
		{ "a directory on the way to an included file writable by others",
		  "lib", BREAK_CHMOD, 0777,
		  "env/main.json:1:25: cannot include \"../lib/more.json\": "
		  "lib: writable by group or others (mode 0777); driftd does not "
		  "trust it (chmod go-w)\n" },
		{ "a file() target writable by its group (a template)",
		  "templates/body.txt", BREAK_CHMOD, 0664,
		  "env/main.json:1:137: file(\"../templates/body.txt\"): templates/"
		  "body.txt: writable by group or others (mode 0664); driftd does "
		  "not trust it (chmod go-w)\n" },
		{ "a link in the tree owned by another user",
		  "templates/link.txt", BREAK_LCHOWN, 0,
		  "env/main.json:1:253: file(\"../templates/link.txt\"): templates/"
		  "link.txt: owned by uid 4242, not by root or driftd's user (uid 0); "
		  "driftd does not trust it\n" },
		{ "a link leading out of the tree to a directory others can write",
		  "outside", BREAK_CHMOD, 0777,
		  "env/main.json:1:253: file(\"../templates/link.txt\"): outside: "
		  "writable by group or others (mode 0777); driftd does not trust it "
		  "(chmod go-w)\n" },
		{ "a link leading out of the tree to a file only its owner may read",
		  "outside/target.txt", BREAK_CHMOD, 0600,
		  "env/main.json:1:253: file(\"../templates/link.txt\"): outside/"
		  "target.txt: outside the config root and not readable by others "
		  "(mode 0600); driftd does not read a private file through a link\n" },
		{ "a link leading out of the tree to a file of another user",
		  "outside/target.txt", BREAK_CHOWN, 0,
		  "env/main.json:1:253: file(\"../templates/link.txt\"): outside/"
		  "target.txt: owned by uid 4242, not by root or driftd's user (uid "
		  "0); driftd does not trust it\n" },
	};
	char want[1024], outside[96], target[128];
	const char *got, *hit;
	config_t *cfg;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (i)
			setup();   /* the fixture made the first */
		/* the link's target lies outside ROOT, in a sibling of it */
		snprintf(outside, sizeof(outside), "%s-outside", root);
		ck_assert_int_eq(mkdir(outside, 0755), 0);
		snprintf(target, sizeof(target), "%s/target.txt", outside);
		fclose(fopen(target, "w"));
		put("env/main.json", "{\"include\": [\"../base\", \"../lib/more.json\"], "
		    "\"resources\": {\"sesv2.email_template.a\": {\"TemplateName\": "
		    "\"a\", \"TemplateContent\": {\"Html\": \"${file(\\\"../templates/"
		    "body.txt\\\")}\"}}, \"sesv2.email_template.b\": {\"TemplateName\": "
		    "\"b\", \"TemplateContent\": {\"Html\": \"${file(\\\"../templates/"
		    "link.txt\\\")}\"}}}}");
		put("base/vars.json", "{\"variables\": {\"x\": 1}}");
		put("lib/more.json", "{\"variables\": {\"y\": 1}}");
		put("templates/body.txt", "<p>hello</p>");
		ck_assert_int_eq(symlink(target, at("templates/link.txt")), 0);
		cfg = load_ok("env");
		config_free(cfg);

		if (cases[i].how == BREAK_CHMOD && !strcmp(cases[i].path, "outside"))
			ck_assert_int_eq(chmod(outside, cases[i].mode), 0);
		else if (!strncmp(cases[i].path, "outside/", 8) &&
			 cases[i].how == BREAK_CHMOD)
			ck_assert_int_eq(chmod(target, cases[i].mode), 0);
		else if (!strncmp(cases[i].path, "outside/", 8))
			ck_assert_int_eq(chown(target, 4242, 4242), 0);
		else if (cases[i].how == BREAK_CHMOD)
			ck_assert_int_eq(chmod(*cases[i].path ? at(cases[i].path) : root,
					       cases[i].mode), 0);
		else if (cases[i].how == BREAK_CHOWN)
			ck_assert_int_eq(chown(at(cases[i].path), 4242, 4242), 0);
		else
			ck_assert_int_eq(lchown(at(cases[i].path), 4242, 4242), 0);

		if (!cases[i].error) {
			cfg = load_ok("env");
			config_free(cfg);
		} else {
			got = load_errors("env", NULL);
			/* the link's target is named by its absolute path */
			snprintf(want, sizeof(want), "%s", cases[i].error);
			while ((hit = strstr(got, outside)) && hit > got) {
				static char fixed[2048];

				snprintf(fixed, sizeof(fixed), "%.*soutside%s",
					 (int)(hit - got), got, hit + strlen(outside));
				got = fixed;
			}
			ck_assert_msg(!strcmp(got, want), "%s:\n got: %s want: %s",
				      cases[i].what, got, want);
		}
		unlink(target);
		rmdir(outside);
		chmod(root, 0755);
		if (i + 1 < sizeof(cases) / sizeof(cases[0]))
			teardown();   /* the fixture removes the last */
	}
}
END_TEST

/* /etc/driftd a link to /srv/driftd: the environment named through the
 * link includes ../base by that name, inside the root it names. */
START_TEST(a_config_root_reached_through_a_link_confines_by_both_names)
{
	char link[96], env[128];
	config_t *cfg;

	put("real/env/main.json", "{\"include\": [\"../base\"], \"resources\": "
	    "{\"sns.topic.a\": {\"DisplayName\": \"${file(\\\"../t/x.txt\\\")}\"}}}");
	put("real/base/vars.json", "{\"variables\": {\"x\": 1}}");
	put("real/t/x.txt", "text");
	snprintf(link, sizeof(link), "%s/named", root);
	ck_assert_int_eq(symlink("real", link), 0);
	snprintf(env, sizeof(env), "named/env");
	cfg = load_ok(env);
	ck_assert_uint_eq(config_file_count(cfg), 2);
	config_free(cfg);
}
END_TEST

/* include and file() reach the config root and nothing else (issue 14,
 * item 6; more in tests/config-bad/60-reach-outside-config-root). */
START_TEST(include_and_file_outside_the_config_root_are_errors_at_their_place)
{
	put("env/main.json", "{\"include\": [\"../../etc\"],\n\"resources\": "
	    "{\"sns.topic.a\": {\"DisplayName\": \"${file(\\\"/etc/hostname\\\")}\"}}}");
	ck_assert_str_eq(load_errors("env", NULL),
			 "env/main.json:1:14: cannot include \"../../etc\": outside the config root\n"
			 "env/main.json:2:47: file(\"/etc/hostname\"): outside the config root\n");
}
END_TEST

START_TEST(suggestions_only_for_near_misses)
{
	static const char *const words[] = { "depends_on", "ensure", "policy", "region" };

	ck_assert_str_eq(config_suggest("dependson", words, 4), "depends_on");
	ck_assert_str_eq(config_suggest("polcy", words, 4), "policy");
	ck_assert_ptr_null(config_suggest("count", words, 4));
	ck_assert_ptr_null(config_suggest("x", words, 4));
}
END_TEST

START_TEST(missing_directory_is_one_error_without_position)
{
	config_errors_t *errs;
	config_t *cfg;

	ck_assert_int_eq(config_load(at("nowhere"), &cfg, &errs), -EINVAL);
	ck_assert_uint_eq(errs->count, 1);
	ck_assert_int_eq(errs->items[0].line, 0);
	ck_assert_ptr_nonnull(strstr(errs->items[0].message, "No such file or directory"));
	config_errors_free(errs);
	config_free(NULL);
}
END_TEST

/* JSON and REST services name members in lowerCamel (logGroupName,
 * roleArn): they are properties like any other; only driftd's own keys
 * are taken out of the body. */
START_TEST(lower_camel_properties_stay_in_the_body)
{
	config_t *cfg;
	const config_resource_t *r;

	put("env/l.json", "{\"resources\": {\"logs.log_group.app\": {"
	    "\"logGroupName\": \"/app\", \"retentionInDays\": 30,"
	    " \"region\": \"eu-west-1\", \"policy\": {\"mode\": \"observe\"}}}}");
	cfg = load_ok("env");
	r = config_resource_find(cfg, "logs.log_group.app");
	ck_assert_str_eq(cJSON_GetObjectItem(r->body, "logGroupName")->valuestring, "/app");
	ck_assert_int_eq(cJSON_GetObjectItem(r->body, "retentionInDays")->valueint, 30);
	ck_assert_ptr_null(cJSON_GetObjectItem(r->body, "region"));
	ck_assert_ptr_null(cJSON_GetObjectItem(r->body, "policy"));
	ck_assert_str_eq(r->region, "eu-west-1");
	config_free(cfg);
}
END_TEST

/* Memory (issue 17): every resource names the same attributes, so a body
 * keeps one shared copy of each name, not a copy per resource; a copy of a
 * body (config_resolve's, the engine's) may outlive the config and still
 * reads its keys. The address's parts are one allocation. */
START_TEST(bodies_share_attribute_names_that_outlive_the_config)
{
	config_t *cfg;
	const config_resource_t *a, *b;
	const cJSON *ka, *kb;
	cJSON *copy;

	put("env/m.json", "{\"resources\": {"
	    "\"ec2.subnet.a\": {\"CidrBlock\": \"10.0.0.0/24\", \"Tags\": {\"team\": \"x\"}},"
	    "\"ec2.subnet.b\": {\"CidrBlock\": \"10.0.1.0/24\", \"Tags\": {\"team\": \"y\"},"
	    " \"region\": \"eu-west-1\"}}}");
	cfg = load_ok("env");
	a = config_resource_find(cfg, "ec2.subnet.a");
	b = config_resource_find(cfg, "ec2.subnet.b");
	ka = cJSON_GetObjectItemCaseSensitive(a->body, "CidrBlock");
	kb = cJSON_GetObjectItemCaseSensitive(b->body, "CidrBlock");
	ck_assert_ptr_eq(ka->string, kb->string);
	ck_assert(ka->type & cJSON_StringIsConst);
	ck_assert_ptr_eq(cJSON_GetObjectItemCaseSensitive(a->body, "Tags")->child->string,
			 cJSON_GetObjectItemCaseSensitive(b->body, "Tags")->child->string);
	ck_assert_str_eq(a->service, "ec2");
	ck_assert_str_eq(a->type, "subnet");
	ck_assert_str_eq(b->name, "b");
	ck_assert_ptr_eq(b->name, b->address + strlen("ec2.subnet."));
	copy = cJSON_Duplicate(b->body, 1);
	config_free(cfg);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(copy, "CidrBlock")->valuestring,
			 "10.0.1.0/24");
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(copy, "Tags")->child->string, "team");
	cJSON_Delete(copy);
}
END_TEST

/* Resolves r against known: its error, as "LINE:COLUMN: message", or "ok". */
static const char *resolve_error(const config_t *cfg, const config_resource_t *r,
				 cJSON *known)
{
	static char text[ERR_MSG_MAX + 64];
	cJSON *out = NULL;
	err_t e;

	if (!config_resolve(cfg, r, lookup, known, &out, &e)) {
		cJSON_Delete(out);
		return "ok";
	}
	snprintf(text, sizeof(text), "%d:%d: %s", e.line, e.column, e.message);
	return text;
}

/* Memory (issue 17): the positions of values kept after loading are only
 * those config_resolve can report at; its errors stay where they were. */
START_TEST(forgotten_positions_keep_apply_time_errors_in_place)
{
	const char *cases[][2] = {
		{ "{}", "2:28: value of sns.topic.b.Id is not known yet" },
		{ "{\"sns.topic.b.Id\": \"i\"}", "4:5: value of sns.topic.b.Host is not known yet" },
		{ "{\"sns.topic.b.Id\": \"i\", \"sns.topic.b.Host\": \"x\"}",
		  "4:4: duplicate key \"x:sub\" after interpolation (first at line 3, column 9)" },
		{ "{\"sns.topic.b.Id\": \"i\", \"sns.topic.b.Host\": \"y\"}", "ok" },
	};
	config_t *cfg;
	const config_resource_t *r;
	jsonc_pos_t p;
	size_t i;
	int pass;

	put("env/p.json", "{\"resources\": {\n"
	    "\"sns.topic.a\": {\"Name\": \"a-${sns.topic.b.Id}\", \"Other\": \"plain\",\n"
	    "  \"M\": {\"x:sub\": 1,\n"
	    "   \"${sns.topic.b.Host}:sub\": 2}},\n"
	    "\"sns.topic.b\": {}}}");
	cfg = load_ok("env");
	r = config_resource_find(cfg, "sns.topic.a");
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			cJSON *known = cJSON_Parse(cases[i][0]);

			ck_assert_str_eq(resolve_error(cfg, r, known), cases[i][1]);
			cJSON_Delete(known);
		}
		ck_assert_int_eq(jsonc_value_pos(r->doc, cJSON_GetObjectItem(r->body, "Other"), &p),
				 pass ? -ENOENT : 0);
		config_forget_positions(cfg);
	}
	config_free(cfg);
}
END_TEST

/* Memory (issue 17): a file of JSONC_ARENA_MIN bytes or more keeps its
 * tree in cfgmem's arena, its bodies' strings too; loading (variables,
 * references, keys made by interpolation, reserved keys taken out)
 * reads the same, a copy of a body outlives the config, and freeing the
 * config frees every allocation of the arena and gives its blocks back. */
START_TEST(a_large_file_lives_in_the_arena_and_leaves_nothing_when_freed)
{
	strbuf_t b = { 0 };
	config_t *cfg;
	const config_resource_t *r, *vpc;
	cJSON *known, *out = NULL, *copy;
	char *text;
	err_t e;
	int i;

	strbuf_add(&b, "{\"variables\": {\"az\": \"us-east-1a\"}, \"resources\": {\n"
		   "\"ec2.vpc.main\": {\"CidrBlock\": \"10.0.0.0/16\", \"region\": \"eu-west-1\"}");
	for (i = 0; i < 3000; i++)
		strbuf_printf(&b, ",\n\"ec2.subnet.s%05d\": {\"VpcId\": \"${ec2.vpc.main.VpcId}\", "
			    "\"CidrBlock\": \"10.%d.%d.0/24\", \"AvailabilityZone\": \"${var.az}\", "
			    "\"Tags\": {\"k-${var.az}\": \"v%d\"}, \"depends_on\": [\"ec2.vpc.main\"]}",
			    i, i / 256, i % 256, i);
	strbuf_add(&b, "}}\n");
	ck_assert(!b.failed);
	ck_assert_uint_ge(b.len, JSONC_ARENA_MIN);
	put("env/big.json", b.data);
	strbuf_free(&b);
	cfg = load_ok("env");
	ck_assert_uint_eq(config_resource_count(cfg), 3001);
	vpc = config_resource_find(cfg, "ec2.vpc.main");
	ck_assert_str_eq(vpc->region, "eu-west-1");
	ck_assert_ptr_null(cJSON_GetObjectItem(vpc->body, "region"));
	r = config_resource_find(cfg, "ec2.subnet.s02999");
	ck_assert(cfgmem_owns(r->body));
	ck_assert(cfgmem_owns(r->body->string));
	ck_assert(cfgmem_owns(cJSON_GetObjectItem(r->body, "CidrBlock")->valuestring));
	ck_assert_str_eq(cJSON_GetObjectItem(r->body, "CidrBlock")->valuestring, "10.11.183.0/24");
	ck_assert_str_eq(cJSON_GetObjectItem(r->body, "AvailabilityZone")->valuestring,
			 "us-east-1a");
	ck_assert_str_eq(cJSON_GetObjectItem(r->body, "Tags")->child->string, "k-us-east-1a");
	ck_assert_str_eq(cJSON_GetObjectItem(r->body, "Tags")->child->valuestring, "v2999");
	ck_assert_uint_eq(r->nrefs, 2);
	ck_assert_str_eq(r->refs[1].attribute, "VpcId");
	ck_assert_int_eq(r->refs[1].pos.line, 3002);
	config_forget_positions(cfg);
	known = cJSON_Parse("{\"ec2.vpc.main.VpcId\": \"vpc-1\"}");
	ck_assert_int_eq(config_resolve(cfg, r, lookup, known, &out, &e), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(out, "VpcId")->valuestring, "vpc-1");
	ck_assert(!cfgmem_owns(out));
	cJSON_Delete(out);
	cJSON_Delete(known);
	copy = cJSON_Duplicate(r->body, 1);
	ck_assert_uint_gt(cfgmem_live(), 3000 * 8);
	config_free(cfg);
	ck_assert_uint_eq(cfgmem_live(), 0);
	ck_assert_uint_eq(cfgmem_blocks(), 0);
	text = cJSON_PrintUnformatted(copy);
	ck_assert_str_eq(text, "{\"VpcId\":\"${ec2.vpc.main.VpcId}\",\"CidrBlock\":\"10.11.183.0/24\","
			 "\"AvailabilityZone\":\"us-east-1a\",\"Tags\":{\"k-us-east-1a\":\"v2999\"}}");
	cJSON_free(text);
	cJSON_Delete(copy);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, enum_message_lists_every_alternative);
	tcase_add_test(tc, files_merge_in_sorted_order_with_positions);
	tcase_add_test(tc, environment_variables_override_included_defaults);
	tcase_add_test(tc, interpolation_keeps_whole_variable_type_and_formats_partial_ones);
	tcase_add_test(tc, references_are_recorded_and_resolved_at_apply_time);
	tcase_add_test(tc, variables_in_keys_are_substituted_at_load);
	tcase_add_test(tc, references_in_keys_are_dependencies_resolved_at_apply_time);
	tcase_add_test(tc, keys_equal_after_interpolation_are_errors_at_the_key);
	tcase_add_test(tc, key_interpolation_errors_name_the_place_in_the_key);
	tcase_add_test(tc, settings_and_policy_are_parsed);
	tcase_add_test(tc, defaults_apply_when_settings_are_absent);
	tcase_add_test(tc, lease_defaults_and_its_missing_table_at_its_place);
	tcase_add_test(tc, event_queues_take_arns_and_references_one_or_a_list);
	tcase_add_test(tc, errors_from_every_file_are_collected_and_sorted);
	tcase_add_test(tc, cycle_is_reported_at_the_edge_that_starts_it);
	tcase_add_test(tc, include_cycle_names_every_file);
	tcase_add_test(tc, same_distance_redefinition_is_an_error);
	tcase_add_test(tc, schema_plugin_reports_through_positions);
	tcase_add_test(tc, cidr_check_accepts_networks_and_explains_rejections);
	tcase_add_test(tc, permissions_check_refuses_group_or_world_writable);
	tcase_add_test(tc, every_file_and_directory_read_must_be_trusted);
	tcase_add_test(tc, include_and_file_outside_the_config_root_are_errors_at_their_place);
	tcase_add_test(tc, a_config_root_reached_through_a_link_confines_by_both_names);
	tcase_add_test(tc, suggestions_only_for_near_misses);
	tcase_add_test(tc, missing_directory_is_one_error_without_position);
	tcase_add_test(tc, lower_camel_properties_stay_in_the_body);
	tcase_add_test(tc, bodies_share_attribute_names_that_outlive_the_config);
	tcase_add_test(tc, forgotten_positions_keep_apply_time_errors_in_place);
	tcase_add_test(tc, a_large_file_lives_in_the_arena_and_leaves_nothing_when_freed);
	suite_add_tcase(s, tc);
	return testutil_run(s);
}
