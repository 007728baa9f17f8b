#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonutil.h"
#include "planfmt.h"
#include "restable.h"
#include "secret.h"
#include "testutil.h"

#define OIDC_SECRET "oidc-client-secret-sentinel"

/* An OIDC action as config writes it (the AWS API reference's
 * AuthenticateOidcActionConfig), then a forward. */
#define OIDC_ACTIONS \
	"[{\"Type\":\"authenticate-oidc\",\"Order\":1,\"AuthenticateOidcConfig\":{" \
	"\"Issuer\":\"https://idp.example.com\",\"ClientId\":\"app\"," \
	"\"ClientSecret\":\"" OIDC_SECRET "\"," \
	"\"AuthorizationEndpoint\":\"https://idp.example.com/auth\"," \
	"\"TokenEndpoint\":\"https://idp.example.com/token\"," \
	"\"UserInfoEndpoint\":\"https://idp.example.com/userinfo\"}}," \
	"{\"Type\":\"forward\",\"Order\":2,\"TargetGroupArn\":\"arn:tg\"}]"

static const res_attr_t *attr(const char *type, const char *name)
{
	const res_attr_t *a = res_type_attr(res_table_find(type), name);

	ck_assert_ptr_nonnull(a);
	return a;
}

static char *shown(const res_attr_t *a, const char *json)
{
	cJSON *v = cJSON_Parse(json);
	char *text;

	ck_assert_ptr_nonnull(v);
	text = planfmt_value(a, v);
	cJSON_Delete(v);
	return text;
}

/* Whole lists, one element, a lone config object: masked at any depth, the
 * rest of the value shown as it is. */
START_TEST(oidc_client_secret_is_masked_at_any_depth)
{
	static const struct { const char *type, *attr, *json; } cases[] = {
		{ "elbv2.listener", "DefaultActions", OIDC_ACTIONS },
		{ "elbv2.listener_rule", "Actions", OIDC_ACTIONS },
		{ "elbv2.listener_rule", "Actions",
		  "{\"AuthenticateOidcConfig\":{\"ClientSecret\":\"" OIDC_SECRET "\"}}" },
		{ "elbv2.listener", "DefaultActions",
		  "[[{\"x\":{\"AuthenticateOidcConfig\":{\"ClientSecret\":\"" OIDC_SECRET "\"}}}]]" },
	};
	size_t i;
	char *t;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = shown(attr(cases[i].type, cases[i].attr), cases[i].json);
		ck_assert_msg(!strstr(t, OIDC_SECRET), "%s", t);
		ck_assert_msg(strstr(t, "\"ClientSecret\":\"" SECRET_MASK "\""), "%s", t);
		free(t);
	}
	t = shown(attr("elbv2.listener", "DefaultActions"), OIDC_ACTIONS);
	ck_assert_ptr_nonnull(strstr(t, "\"Issuer\":\"https://idp.example.com\""));
	ck_assert_ptr_nonnull(strstr(t, "\"TargetGroupArn\":\"arn:tg\""));
	free(t);
	/* A member of that name elsewhere is no secret of this table. */
	t = shown(attr("elbv2.listener", "DefaultActions"), "[{\"ClientSecret\":\"plain\"}]");
	ck_assert_str_eq(t, "[{\"ClientSecret\":\"plain\"}]");
	free(t);
}
END_TEST

/* Userinfo, query and fragment of an endpoint URL are masked; email
 * addresses, phone numbers and ARNs are not URLs and stay. */
START_TEST(endpoint_url_tokens_are_masked)
{
	static const struct { const char *in, *want; } cases[] = {
		{ "https://hooks.example.com/notify?key=tok-sentinel&x=1",
		  "https://hooks.example.com/notify?" SECRET_MASK },
		{ "https://user:tok-sentinel@hooks.example.com:8443/a/b",
		  "https://" SECRET_MASK "@hooks.example.com:8443/a/b" },
		{ "http://tok-sentinel@hooks.example.com",
		  "http://" SECRET_MASK "@hooks.example.com/" },
		{ "https://hooks.example.com/p#tok-sentinel",
		  "https://hooks.example.com/p#" SECRET_MASK },
		{ "https://hooks.example.com/plain", "https://hooks.example.com/plain" },
		{ "https://[::1]:99/x?tok-sentinel", "https://[::1]:99/x?" SECRET_MASK },
		{ "oncall@example.com", "oncall@example.com" },
		{ "+15555550100", "+15555550100" },
		{ "arn:aws:sqs:us-east-1:123456789012:q", "arn:aws:sqs:us-east-1:123456789012:q" },
		{ "https://bad host/?tok-sentinel", SECRET_MASK },
	};
	const res_attr_t *a = attr("sns.subscription", "Endpoint");
	char json[512], *t;
	size_t i;

	ck_assert_uint_ne(a->flags & RES_SECRET_URL, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = secret_mask_url(cases[i].in);
		ck_assert_msg(!strcmp(t, cases[i].want), "%s: %s", cases[i].in, t);
		free(t);
		snprintf(json, sizeof(json), "\"%s\"", cases[i].in);
		t = shown(a, json);
		ck_assert_msg(!strstr(t, "tok-sentinel"), "%s", t);
		free(t);
	}
}
END_TEST

START_TEST(sensitive_attributes_stay_masked_whole)
{
	static const res_attr_t a = { .name = "Password", .flags = RES_SENSITIVE };
	cJSON *m, *v = cJSON_Parse("{\"x\":1}");
	char *t = planfmt_value(&a, v);

	ck_assert_str_eq(t, SECRET_MASK);
	free(t);
	m = secret_masked(&a, v);
	ck_assert_str_eq(cJSON_GetStringValue(m), SECRET_MASK);
	cJSON_Delete(m);
	cJSON_Delete(v);
	ck_assert_ptr_null(secret_masked(&a, NULL));
}
END_TEST

/* What the engine does with a write-only secret: strip it before the
 * diff, and when unchanged send the keep flag in its place. */
START_TEST(strip_and_keep_existing_replace_the_secret)
{
	const res_attr_t *a = attr("elbv2.listener", "DefaultActions");
	cJSON *v = cJSON_Parse(OIDC_ACTIONS), *w = cJSON_Parse(OIDC_ACTIONS);
	char *t;

	ck_assert_int_eq(secret_strip(a, v), 1);
	t = json_canonical(v);
	ck_assert_ptr_null(strstr(t, "ClientSecret"));
	ck_assert_ptr_nonnull(strstr(t, "\"ClientId\":\"app\""));
	free(t);
	ck_assert_int_eq(secret_strip(a, v), 0);
	ck_assert_int_eq(secret_keep_existing(a, w), 1);
	ck_assert(cJSON_IsTrue(json_get_path(w, "0.AuthenticateOidcConfig.UseExistingClientSecret")));
	ck_assert_ptr_null(json_get_path(w, "0.AuthenticateOidcConfig.ClientSecret"));
	cJSON_Delete(v);
	cJSON_Delete(w);
}
END_TEST

/* Keyed: another key or another secret gives another fingerprint, the
 * same ones the same; the secret is not in it; no secret, no print. */
START_TEST(fingerprints_are_keyed_and_hold_no_secret)
{
	const res_attr_t *a = attr("elbv2.listener", "DefaultActions");
	unsigned char k1[SECRET_KEY_LEN] = { 1 }, k2[SECRET_KEY_LEN] = { 2 };
	cJSON *v = cJSON_Parse(OIDC_ACTIONS), *other;
	char f1[SECRET_FP_HEX], f2[SECRET_FP_HEX], f3[SECRET_FP_HEX], f4[SECRET_FP_HEX];
	char *text = cJSON_PrintUnformatted(v), *p;

	ck_assert_int_eq(secret_fingerprint(k1, "elbv2.listener.https", a, v, f1), 1);
	ck_assert_int_eq(secret_fingerprint(k1, "elbv2.listener.https", a, v, f2), 1);
	ck_assert_str_eq(f1, f2);
	ck_assert_uint_eq(strlen(f1), 64);
	ck_assert_int_eq(secret_fingerprint(k2, "elbv2.listener.https", a, v, f3), 1);
	ck_assert_str_ne(f1, f3);
	ck_assert_int_eq(secret_fingerprint(k1, "elbv2.listener.other", a, v, f3), 1);
	ck_assert_str_ne(f1, f3);
	p = strstr(text, OIDC_SECRET);
	p[0] = 'O';
	other = cJSON_Parse(text);
	ck_assert_int_eq(secret_fingerprint(k1, "elbv2.listener.https", a, other, f4), 1);
	ck_assert_str_ne(f1, f4);
	ck_assert_ptr_null(strstr(f1, "oidc"));
	ck_assert_int_eq(secret_strip(a, other), 1);
	ck_assert_int_eq(secret_fingerprint(k1, "elbv2.listener.https", a, other, f4), 0);
	ck_assert_str_eq(f4, "");
	free(text);
	cJSON_Delete(v);
	cJSON_Delete(other);
}
END_TEST

START_TEST(host_key_is_made_once_and_refused_when_unsafe)
{
	char dir[] = "/tmp/driftd-secret-XXXXXX", path[256], link[256];
	unsigned char k1[SECRET_KEY_LEN], k2[SECRET_KEY_LEN];
	struct stat st;
	err_t e;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/" SECRET_KEY_FILE, dir);
	snprintf(link, sizeof(link), "%s/elsewhere", dir);
	ck_assert_int_eq(secret_key_load(dir, k1, &e), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(st.st_size, SECRET_KEY_LEN);
	ck_assert_int_eq(secret_key_load(dir, k2, &e), 0);
	ck_assert_int_eq(memcmp(k1, k2, SECRET_KEY_LEN), 0);
	ck_assert_int_eq(chmod(path, 0644), 0);
	ck_assert_int_eq(secret_key_load(dir, k2, &e), -EPERM);
	ck_assert_ptr_nonnull(strstr(e.message, "mode 0600"));
	/* A planted symlink is never followed, for reading or making. */
	ck_assert_int_eq(rename(path, link), 0);
	ck_assert_int_eq(symlink(link, path), 0);
	ck_assert_int_eq(secret_key_load(dir, k2, &e), -ELOOP);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(symlink("/tmp/driftd-secret-nowhere", path), 0);
	ck_assert_int_eq(secret_key_load(dir, k2, &e), -ELOOP);
	ck_assert_int_eq(access("/tmp/driftd-secret-nowhere", F_OK), -1);
	unlink(path);
	unlink(link);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/* A core dump or a gcore of the daemon would hold config secrets and AWS
 * keys: the process is not dumpable and its core limit is 0. */
START_TEST(hardened_process_is_not_dumpable)
{
	struct rlimit rl;
	err_t e;

	ck_assert_int_eq(secret_harden_process(&e), 0);
	ck_assert_int_eq(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
	ck_assert_int_eq(getrlimit(RLIMIT_CORE, &rl), 0);
	ck_assert_uint_eq(rl.rlim_cur, 0);
	ck_assert_uint_eq(rl.rlim_max, 0);
}
END_TEST

TESTUTIL_MAIN("secret",
	oidc_client_secret_is_masked_at_any_depth,
	endpoint_url_tokens_are_masked,
	sensitive_attributes_stay_masked_whole,
	strip_and_keep_existing_replace_the_secret,
	fingerprints_are_keyed_and_hold_no_secret,
	host_key_is_made_once_and_refused_when_unsafe,
	hardened_process_is_not_dumpable)
