#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "credentials.h"
#include "testenv.h"
#include "testutil.h"

#define SECRET   "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
#define TOKEN    "FwoGZXIvYXdzSESSIONTOKENVALUE"
#define T0       1700000000   /* the fake clock's start */

/* ---- fake transport: records every call, answered by the test ---------- */

typedef struct fake_call {
	char         kind[8];          /* "http" or "sts" */
	char         method[8];
	char         url[512];
	char         headers[1024];    /* "a\nb\n" */
	char         action[64];
	char         region[64];
	char         params[2048];     /* "Name=value\n" */
	char         source_key[CRED_KEY_MAX];   /* "" = unsigned */
	cred_http_cb http_cb;
	cred_sts_cb  sts_cb;
	void        *data;
	int          answered;
} fake_call_t;

static fake_call_t calls[16];
static int ncalls;
static time_t fake_now;

static time_t fake_clock(void *ctx)
{
	(void)ctx;
	return fake_now;
}

static int fake_http(void *ctx, const char *method, const char *url,
		     const char *const *headers, const char *body,
		     long timeout_ms, cred_http_cb cb, void *data, err_t *e)
{
	fake_call_t *c = &calls[ncalls++];

	(void)ctx; (void)body; (void)e;
	ck_assert_int_le(ncalls, 16);
	ck_assert_int_gt(timeout_ms, 0);
	memset(c, 0, sizeof(*c));
	strcpy(c->kind, "http");
	snprintf(c->method, sizeof(c->method), "%s", method);
	snprintf(c->url, sizeof(c->url), "%s", url);
	for (; headers && *headers; headers++) {
		strcat(c->headers, *headers);
		strcat(c->headers, "\n");
	}
	c->http_cb = cb;
	c->data = data;
	return 0;
}

static int fake_sts(void *ctx, const char *region, const char *action,
		    const char *const *params, const cred_t *source,
		    cred_sts_cb cb, void *data, err_t *e)
{
	fake_call_t *c = &calls[ncalls++];

	(void)ctx; (void)e;
	ck_assert_int_le(ncalls, 16);
	memset(c, 0, sizeof(*c));
	strcpy(c->kind, "sts");
	snprintf(c->action, sizeof(c->action), "%s", action);
	snprintf(c->region, sizeof(c->region), "%s", region);
	for (; params[0]; params += 2) {
		ck_assert_ptr_nonnull(params[1]);
		strcat(c->params, params[0]);
		strcat(c->params, "=");
		strcat(c->params, params[1]);
		strcat(c->params, "\n");
	}
	if (source)
		snprintf(c->source_key, sizeof(c->source_key), "%s",
			 source->access_key_id);
	c->sts_cb = cb;
	c->data = data;
	return 0;
}

static void answer_http(int i, int status, const char *body)
{
	ck_assert_int_lt(i, ncalls);
	ck_assert(!calls[i].answered);
	calls[i].answered = 1;
	calls[i].http_cb(calls[i].data, status, body, strlen(body), NULL);
}

static void answer_sts(int i, const char *akid, time_t expiration)
{
	cred_t c;

	ck_assert_int_lt(i, ncalls);
	memset(&c, 0, sizeof(c));
	strcpy(c.access_key_id, akid);
	strcpy(c.secret_access_key, SECRET);
	strcpy(c.session_token, TOKEN);
	c.expiration = expiration;
	calls[i].answered = 1;
	calls[i].sts_cb(calls[i].data, &c, NULL);
}

/* ---- gets --------------------------------------------------------------- */

typedef struct got {
	int    calls;
	cred_t cred;
	int    ok;
	err_t  err;
} got_t;

static void got_cb(void *data, const cred_t *cred, const err_t *e)
{
	got_t *g = data;

	g->calls++;
	g->ok = cred != NULL;
	if (cred)
		g->cred = *cred;
	else
		g->err = *e;
}

static uv_loop_t loop;
static testenv_t env;
static cred_provider_t *prov;

static void setup(void)
{
	ck_assert_int_eq(uv_loop_init(&loop), 0);
	testenv_init(&env);
	ncalls = 0;
	fake_now = T0;
	prov = NULL;
}

/* Options wired to the fake environment, transport and clock. */
static void fake_opts(cred_provider_opts_t *o)
{
	memset(o, 0, sizeof(*o));
	o->loop = &loop;
	o->env.getenv = testenv_get;
	o->env.ctx = &env;
	o->transport.http = fake_http;
	o->transport.sts = fake_sts;
	o->now = fake_clock;
}

static cred_provider_t *provider(void)
{
	cred_provider_opts_t o;
	err_t e;

	fake_opts(&o);
	ck_assert_msg(cred_provider_new(&o, &prov, &e) == 0, "%s", e.message);
	return prov;
}

static void teardown(void)
{
	cred_provider_free(prov);
	ck_assert_int_eq(uv_run(&loop, UV_RUN_DEFAULT), 0);
	ck_assert_int_eq(uv_loop_close(&loop), 0);
	testenv_done(&env);
}

static void run_until(const int *flag)
{
	int spins = 0;

	while (!*flag && spins++ < 1000)
		uv_run(&loop, UV_RUN_ONCE);
	ck_assert(*flag);
}

static void assert_no_secret(const err_t *e)
{
	char buf[1024];

	err_format(e, buf, sizeof(buf));
	ck_assert_ptr_null(strstr(buf, SECRET));
	ck_assert_ptr_null(strstr(buf, TOKEN));
}

/* g must outlive the get: the callback may run later. */
static void get_now(got_t *g)
{
	memset(g, 0, sizeof(*g));
	ck_assert_int_eq(cred_provider_get(prov, got_cb, g), 0);
}

/* Gets and expects an error at once, without any network call. */
static err_t get_error(void)
{
	got_t g;

	get_now(&g);
	ck_assert_int_eq(g.calls, 1);
	ck_assert(!g.ok);
	assert_no_secret(&g.err);
	return g.err;
}

static void set_config(const char *text)
{
	testenv_set(&env, "AWS_CONFIG_FILE", testenv_file(&env, "config", text));
}

static void set_credentials(const char *text)
{
	testenv_set(&env, "AWS_SHARED_CREDENTIALS_FILE",
		    testenv_file(&env, "credentials", text));
}

static const char *ecs_json(const char *akid, const char *expiration)
{
	static char buf[512];

	snprintf(buf, sizeof(buf),
		 "{\"AccessKeyId\":\"%s\",\"SecretAccessKey\":\"" SECRET
		 "\",\"Token\":\"" TOKEN "\",\"Expiration\":\"%s\"}",
		 akid, expiration);
	return buf;
}

/* ---- tests -------------------------------------------------------------- */

START_TEST(environment_beats_shared_files)
{
	got_t g;

	setup();
	set_credentials("[default]\naws_access_key_id = AKIAFILE\n"
			"aws_secret_access_key = " SECRET "\n");
	testenv_set(&env, "AWS_ACCESS_KEY_ID", "AKIAENV");
	testenv_set(&env, "AWS_SECRET_ACCESS_KEY", SECRET);
	testenv_set(&env, "AWS_SESSION_TOKEN", TOKEN);
	provider();
	get_now(&g);
	ck_assert_int_eq(g.calls, 1);          /* synchronous */
	ck_assert(g.ok);
	ck_assert_str_eq(g.cred.access_key_id, "AKIAENV");
	ck_assert_str_eq(g.cred.secret_access_key, SECRET);
	ck_assert_str_eq(g.cred.session_token, TOKEN);
	ck_assert_str_eq(g.cred.source, "environment");
	ck_assert_int_eq(g.cred.expiration, 0);
	ck_assert_int_eq(ncalls, 0);
	teardown();
}
END_TEST

START_TEST(half_an_environment_pair_is_an_error)
{
	err_t e;

	setup();
	testenv_set(&env, "AWS_ACCESS_KEY_ID", "AKIAENV");
	provider();
	e = get_error();
	ck_assert_int_eq(e.code, -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.message, "environment"));
	ck_assert_ptr_nonnull(strstr(e.message, "AWS_SECRET_ACCESS_KEY"));
	teardown();
}
END_TEST

START_TEST(static_profile_credentials_file_beats_config)
{
	got_t g;

	setup();
	set_config("[profile dev]\naws_access_key_id = AKIACONFIG\n"
		   "aws_secret_access_key = x\n");
	set_credentials("[default]\naws_access_key_id = AKIADEFAULT\n"
			"aws_secret_access_key = y\n"
			"[dev]\naws_access_key_id = AKIADEV\n"
			"aws_secret_access_key = " SECRET "\n");
	testenv_set(&env, "AWS_PROFILE", "dev");
	provider();
	get_now(&g);
	ck_assert(g.ok);
	ck_assert_str_eq(g.cred.access_key_id, "AKIADEV");
	ck_assert_str_eq(g.cred.secret_access_key, SECRET);
	ck_assert_str_eq(g.cred.session_token, "");
	ck_assert_str_eq(g.cred.source, "shared-files");
	teardown();
}
END_TEST

START_TEST(explicit_missing_profile_is_an_error)
{
	err_t e;

	setup();
	set_config("[default]\nregion = us-east-1\n");
	testenv_set(&env, "AWS_PROFILE", "nope");
	provider();
	e = get_error();
	ck_assert_int_eq(e.code, -ENOENT);
	ck_assert_ptr_nonnull(strstr(e.message, "\"nope\" not found"));
	teardown();
}
END_TEST

START_TEST(half_a_profile_pair_names_file_and_line)
{
	err_t e;
	const char *path;

	setup();
	path = testenv_file(&env, "credentials",
			    "[default]\n\naws_secret_access_key = " SECRET "\n");
	testenv_set(&env, "AWS_SHARED_CREDENTIALS_FILE", path);
	provider();
	e = get_error();
	ck_assert_str_eq(e.file, path);
	ck_assert_int_eq(e.line, 3);
	ck_assert_ptr_nonnull(strstr(e.message, "aws_access_key_id"));
	teardown();
}
END_TEST

START_TEST(assume_role_chain_calls_sts_with_each_source)
{
	got_t g;

	setup();
	set_config("[default]\nregion = eu-west-1\n"
		   "[profile app]\nrole_arn = arn:aws:iam::1:role/app\n"
		   "source_profile = hop\nexternal_id = ext-42\n"
		   "role_session_name = deploy\nduration_seconds = 1800\n"
		   "[profile hop]\nrole_arn = arn:aws:iam::1:role/hop\n"
		   "source_profile = base\n");
	set_credentials("[base]\naws_access_key_id = AKIABASE\n"
			"aws_secret_access_key = " SECRET "\n");
	testenv_set(&env, "AWS_PROFILE", "app");
	testenv_set(&env, "AWS_REGION", "eu-west-2");
	provider();
	get_now(&g);
	ck_assert_int_eq(g.calls, 0);
	ck_assert_int_eq(ncalls, 1);
	ck_assert_str_eq(calls[0].kind, "sts");
	ck_assert_str_eq(calls[0].action, "AssumeRole");
	ck_assert_str_eq(calls[0].region, "eu-west-2");
	ck_assert_str_eq(calls[0].source_key, "AKIABASE");
	ck_assert_ptr_nonnull(strstr(calls[0].params,
				     "RoleArn=arn:aws:iam::1:role/hop\n"));
	ck_assert_ptr_null(strstr(calls[0].params, "ExternalId"));
	answer_sts(0, "ASIAHOP", T0 + 3600);
	ck_assert_int_eq(ncalls, 2);
	ck_assert_str_eq(calls[1].source_key, "ASIAHOP");
	ck_assert_str_eq(calls[1].params,
			 "RoleArn=arn:aws:iam::1:role/app\n"
			 "RoleSessionName=deploy\nExternalId=ext-42\n"
			 "DurationSeconds=1800\n");
	ck_assert_int_eq(g.calls, 0);
	answer_sts(1, "ASIAAPP", T0 + 1800);
	ck_assert_int_eq(g.calls, 1);
	ck_assert(g.ok);
	ck_assert_str_eq(g.cred.access_key_id, "ASIAAPP");
	ck_assert_str_eq(g.cred.source, "assume-role");
	ck_assert_int_eq(g.cred.expiration, T0 + 1800);
	teardown();
}
END_TEST

START_TEST(source_profile_loop_is_detected_with_line)
{
	const char *path;
	err_t e;

	setup();
	path = testenv_file(&env, "config",
			    "[profile a]\nrole_arn = arn:aws:iam::1:role/a\n"
			    "source_profile = b\n"
			    "[profile b]\nrole_arn = arn:aws:iam::1:role/b\n"
			    "source_profile = a\n");
	testenv_set(&env, "AWS_CONFIG_FILE", path);
	testenv_set(&env, "AWS_PROFILE", "a");
	provider();
	e = get_error();
	ck_assert_int_eq(e.code, -ELOOP);
	ck_assert_str_eq(e.file, path);
	ck_assert_int_eq(e.line, 6);
	ck_assert_ptr_nonnull(strstr(e.message, "a -> b -> a"));
	ck_assert_int_eq(ncalls, 0);
	teardown();
}
END_TEST

START_TEST(self_source_profile_with_keys_assumes_role)
{
	got_t g;

	setup();
	set_credentials("[default]\naws_access_key_id = AKIASELF\n"
			"aws_secret_access_key = " SECRET "\n"
			"role_arn = arn:aws:iam::1:role/self\n"
			"source_profile = default\n");
	provider();
	get_now(&g);
	ck_assert_int_eq(ncalls, 1);
	ck_assert_str_eq(calls[0].source_key, "AKIASELF");
	ck_assert_str_eq(calls[0].region, "us-east-1");
	answer_sts(0, "ASIASELF", T0 + 3600);
	ck_assert_str_eq(g.cred.access_key_id, "ASIASELF");
	teardown();
}
END_TEST

START_TEST(sts_error_keeps_aws_code_and_names_role)
{
	got_t g;
	err_t e;

	setup();
	set_config("[profile a]\nrole_arn = arn:aws:iam::1:role/a\n"
		   "source_profile = a\naws_access_key_id = AKIAA\n"
		   "aws_secret_access_key = " SECRET "\n");
	testenv_set(&env, "AWS_PROFILE", "a");
	provider();
	get_now(&g);
	ck_assert_int_eq(ncalls, 1);
	err_set_aws(&e, -EACCES, 403, "AccessDenied", "req-9",
		    "not authorized to perform sts:AssumeRole");
	calls[0].sts_cb(calls[0].data, NULL, &e);
	ck_assert_int_eq(g.calls, 1);
	ck_assert(!g.ok);
	ck_assert_str_eq(g.err.aws_code, "AccessDenied");
	ck_assert_str_eq(g.err.request_id, "req-9");
	ck_assert_int_eq(g.err.code, -EACCES);
	ck_assert_ptr_nonnull(strstr(g.err.message, "assume-role arn:aws:iam::1:role/a"));
	assert_no_secret(&g.err);
	teardown();
}
END_TEST

static void process_get(got_t *g, const char *command)
{
	char cfg[2048];

	snprintf(cfg, sizeof(cfg), "[default]\ncredential_process = %s\n",
		 command);
	set_config(cfg);
	provider();
	get_now(g);
	ck_assert_int_eq(g->calls, 0);
	run_until(&g->calls);
	ck_assert_int_eq(g->calls, 1);
	if (!g->ok)
		assert_no_secret(&g->err);
}

START_TEST(credential_process_json_is_parsed)
{
	char cmd[600];
	got_t g;

	setup();
	snprintf(cmd, sizeof(cmd), "cat %s",
		 testenv_file(&env, "out.json",
			      "{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC\","
			      " \"SecretAccessKey\": \"" SECRET "\","
			      " \"SessionToken\": \"" TOKEN "\","
			      " \"Expiration\": \"2023-11-14T23:13:20Z\"}\n"));
	process_get(&g, cmd);
	ck_assert(g.ok);
	ck_assert_str_eq(g.cred.access_key_id, "AKIAPROC");
	ck_assert_str_eq(g.cred.session_token, TOKEN);
	ck_assert_str_eq(g.cred.source, "process");
	ck_assert_int_eq(g.cred.expiration, 1700003600);
	ck_assert_int_eq(ncalls, 0);
	teardown();
}
END_TEST

START_TEST(credential_process_exit_status_is_reported_truncated)
{
	got_t g;

	setup();
	process_get(&g, "echo token expired, run sso login >&2; "
			"head -c 5000 /dev/zero | tr '\\0' x >&2; exit 3");
	ck_assert(!g.ok);
	ck_assert_int_eq(g.err.code, -ECHILD);
	ck_assert_ptr_nonnull(strstr(g.err.message, "credential_process of profile \"default\""));
	ck_assert_ptr_nonnull(strstr(g.err.message, "exited with status 3"));
	ck_assert_ptr_nonnull(strstr(g.err.message, "token expired"));
	ck_assert_uint_lt(strlen(g.err.message), 480);
	teardown();
}
END_TEST

/* The helper sees only stdin, stdout and stderr: the daemon's sockets and
 * files (here a descriptor opened without O_CLOEXEC) stay with it. */
START_TEST(credential_process_inherits_only_descriptors_0_to_2)
{
	int leak;
	got_t g;

	setup();
	leak = open(testenv_file(&env, "daemon-private", ""), O_RDONLY);
	ck_assert_int_ge(leak, 3);
	ck_assert_int_eq(fcntl(leak, F_GETFD) & FD_CLOEXEC, 0);
	/* What each of the shell's descriptors points at, on stderr. */
	process_get(&g, "readlink /proc/$$/fd/* >&2; exit 3");
	ck_assert(!g.ok);
	ck_assert_msg(strstr(g.err.message, "status 3: /dev/null socket:"),
		      "%s", g.err.message);
	ck_assert_msg(!strstr(g.err.message, "daemon-private"), "%s", g.err.message);
	teardown();
	close(leak);
}
END_TEST

/* A hung helper is killed (its whole process group: sh runs sleep as a
 * child that holds the pipes) and the get fails with a clear error. */
START_TEST(credential_process_is_killed_after_the_timeout)
{
	cred_provider_opts_t o;
	uint64_t t0;
	got_t g;
	err_t e;

	setup();
	set_config("[default]\ncredential_process = sleep 30; echo never\n");
	fake_opts(&o);
	o.process_timeout_ms = 300;
	ck_assert_msg(cred_provider_new(&o, &prov, &e) == 0, "%s", e.message);
	t0 = uv_hrtime();
	get_now(&g);
	run_until(&g.calls);
	ck_assert(!g.ok);
	ck_assert_int_eq(g.err.code, -ETIMEDOUT);
	ck_assert_msg(strstr(g.err.message, "credential_process of profile \"default\"") &&
		      strstr(g.err.message, "no answer within 1 s; the helper was killed"),
		      "%s", g.err.message);
	ck_assert_uint_lt(uv_hrtime() - t0, 5000000000ull);
	teardown();
}
END_TEST

START_TEST(credential_process_bad_json_is_an_error)
{
	got_t g;

	setup();
	process_get(&g, "echo '{\"AccessKeyId\": \"AKIA\", "
			"\"SecretAccessKey\": \"" SECRET "\"'");
	ck_assert(!g.ok);
	ck_assert_int_eq(g.err.code, -EPROTO);
	ck_assert_ptr_nonnull(strstr(g.err.message, "not a JSON object"));
	teardown();
}
END_TEST

START_TEST(credential_process_without_version_1_is_an_error)
{
	got_t g;

	setup();
	process_get(&g, "echo '{\"Version\": 2, \"AccessKeyId\": \"AKIA\", "
			"\"SecretAccessKey\": \"" SECRET "\"}'");
	ck_assert(!g.ok);
	ck_assert_ptr_nonnull(strstr(g.err.message, "\"Version\": 1"));
	teardown();
}
END_TEST

START_TEST(web_identity_from_environment_is_unsigned_sts_call)
{
	got_t g;

	setup();
	testenv_set(&env, "AWS_WEB_IDENTITY_TOKEN_FILE",
		    testenv_file(&env, "token", "eyJhbGciOi.jwt.sig\n"));
	testenv_set(&env, "AWS_ROLE_ARN", "arn:aws:iam::1:role/pod");
	testenv_set(&env, "AWS_ROLE_SESSION_NAME", "pod-1");
	provider();
	get_now(&g);
	ck_assert_int_eq(ncalls, 1);
	ck_assert_str_eq(calls[0].action, "AssumeRoleWithWebIdentity");
	ck_assert_str_eq(calls[0].source_key, "");
	ck_assert_str_eq(calls[0].params,
			 "RoleArn=arn:aws:iam::1:role/pod\nRoleSessionName=pod-1\n"
			 "WebIdentityToken=eyJhbGciOi.jwt.sig\n");
	answer_sts(0, "ASIAPOD", T0 + 3600);
	ck_assert(g.ok);
	ck_assert_str_eq(g.cred.source, "web-identity");
	teardown();
}
END_TEST

START_TEST(web_identity_in_profile_and_missing_token_file)
{
	got_t g;

	setup();
	set_config("[default]\nrole_arn = arn:aws:iam::1:role/wi\n"
		   "web_identity_token_file = /nonexistent/driftd/token\n");
	provider();
	get_now(&g);
	ck_assert_int_eq(g.calls, 1);
	ck_assert(!g.ok);
	ck_assert_int_eq(g.err.code, -ENOENT);
	ck_assert_ptr_nonnull(strstr(g.err.message, "web identity role arn:aws:iam::1:role/wi"));
	ck_assert_ptr_nonnull(strstr(g.err.message, "/nonexistent/driftd/token"));
	ck_assert_int_eq(ncalls, 0);
	teardown();
}
END_TEST

START_TEST(ecs_relative_uri_with_auth_token)
{
	got_t g;

	setup();
	testenv_set(&env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds/abc");
	testenv_set(&env, "AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic c2VjcmV0");
	provider();
	get_now(&g);
	ck_assert_int_eq(ncalls, 1);
	ck_assert_str_eq(calls[0].method, "GET");
	ck_assert_str_eq(calls[0].url, "http://169.254.170.2/v2/creds/abc");
	ck_assert_str_eq(calls[0].headers, "Authorization: Basic c2VjcmV0\n");
	answer_http(0, 200, ecs_json("ASIAECS", "2023-11-14T23:13:20Z"));
	ck_assert(g.ok);
	ck_assert_str_eq(g.cred.access_key_id, "ASIAECS");
	ck_assert_str_eq(g.cred.session_token, TOKEN);
	ck_assert_str_eq(g.cred.source, "container");
	ck_assert_int_eq(g.cred.expiration, T0 + 3600);
	teardown();
}
END_TEST

START_TEST(ecs_full_uri_reads_token_file_and_rejects_remote_http)
{
	got_t g;
	err_t e;

	setup();
	testenv_set(&env, "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		    "http://127.0.0.1:8080/creds");
	testenv_set(&env, "AWS_CONTAINER_AUTHORIZATION_TOKEN", "ignored");
	testenv_set(&env, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
		    testenv_file(&env, "ecs-token", "from-file\n"));
	provider();
	get_now(&g);
	ck_assert_int_eq(ncalls, 1);
	ck_assert_str_eq(calls[0].url, "http://127.0.0.1:8080/creds");
	ck_assert_str_eq(calls[0].headers, "Authorization: from-file\n");
	answer_http(0, 500, "oops");
	ck_assert(!g.ok);
	ck_assert_ptr_nonnull(strstr(g.err.message, "AWS_CONTAINER_CREDENTIALS_FULL_URI"));
	ck_assert_ptr_nonnull(strstr(g.err.message, "HTTP 500"));
	cred_provider_free(prov);
	prov = NULL;
	testenv_set(&env, "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		    "http://evil.example.com/creds");
	provider();
	e = get_error();
	ck_assert_int_eq(e.code, -EINVAL);
	ck_assert_int_eq(ncalls, 1);
	teardown();
}
END_TEST

/* The SDKs check the real host of AWS_CONTAINER_CREDENTIALS_FULL_URI
 * (botocore's urlparse hostname): userinfo that looks like an allowed
 * address is not the host, and the token must never reach evil.example. */
START_TEST(ecs_full_uri_allow_list_checks_the_real_host)
{
	static const struct { const char *url; int ok; } cases[] = {
		{ "http://169.254.170.2:80@evil.example.com/creds", 0 },
		{ "http://127.0.0.1@evil.example.com/creds", 0 },
		{ "http://localhost:1@evil.example.com/creds", 0 },
		{ "http://169.254.170.2.evil.example.com/creds", 0 },
		{ "http://127.0.0.1.evil.example.com/creds", 0 },
		{ "http://[fd00:ec2::23]@evil.example.com/", 0 },
		{ "ftp://169.254.170.2/creds", 0 },
		{ "http://169.254.170.2/v2/credentials", 1 },
		{ "http://169.254.170.23/v1/credentials", 1 },
		{ "http://[fd00:ec2::23]/v1/credentials", 1 },
		{ "http://127.0.0.2:8080/creds", 1 },
		{ "http://[::1]:8080/creds", 1 },
		{ "https://creds.example.com/c", 1 },
	};
	size_t i;
	got_t g;
	err_t e;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setup();
		testenv_set(&env, "AWS_CONTAINER_CREDENTIALS_FULL_URI", cases[i].url);
		testenv_set(&env, "AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok");
		provider();
		if (cases[i].ok) {
			get_now(&g);
			ck_assert_msg(ncalls == 1, "%s", cases[i].url);
			ck_assert_str_eq(calls[0].url, cases[i].url);
			answer_http(0, 200, ecs_json("ASIAECS", "2023-11-14T23:13:20Z"));
		} else {
			e = get_error();
			ck_assert_msg(e.code == -EINVAL && ncalls == 0, "%s", cases[i].url);
			ck_assert_ptr_nonnull(strstr(e.message, "FULL_URI"));
		}
		teardown();
	}
}
END_TEST

START_TEST(imds_v2_puts_token_then_gets_role_and_credentials)
{
	got_t g;

	setup();
	testenv_set(&env, "AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1338/");
	provider();
	get_now(&g);
	ck_assert_int_eq(ncalls, 1);
	ck_assert_str_eq(calls[0].method, "PUT");
	ck_assert_str_eq(calls[0].url, "http://127.0.0.1:1338/latest/api/token");
	ck_assert_str_eq(calls[0].headers, "X-aws-ec2-metadata-token-ttl-seconds: 21600\n");
	answer_http(0, 200, "AQAEAtoken==");
	ck_assert_int_eq(ncalls, 2);
	ck_assert_str_eq(calls[1].method, "GET");
	ck_assert_str_eq(calls[1].url,
			 "http://127.0.0.1:1338/latest/meta-data/iam/security-credentials/");
	ck_assert_str_eq(calls[1].headers, "X-aws-ec2-metadata-token: AQAEAtoken==\n");
	answer_http(1, 200, "web-role\n");
	ck_assert_int_eq(ncalls, 3);
	ck_assert_str_eq(calls[2].url,
			 "http://127.0.0.1:1338/latest/meta-data/iam/security-credentials/web-role");
	ck_assert_str_eq(calls[2].headers, "X-aws-ec2-metadata-token: AQAEAtoken==\n");
	ck_assert_int_eq(g.calls, 0);
	answer_http(2, 200, ecs_json("ASIAIMDS", "2023-11-14T23:13:20Z"));
	ck_assert(g.ok);
	ck_assert_str_eq(g.cred.access_key_id, "ASIAIMDS");
	ck_assert_str_eq(g.cred.source, "imds");
	teardown();
}
END_TEST

START_TEST(imds_default_address_and_disabled_flag)
{
	got_t g;
	err_t e;

	setup();
	provider();
	get_now(&g);
	ck_assert_int_eq(ncalls, 1);
	ck_assert_str_eq(calls[0].url, "http://169.254.169.254/latest/api/token");
	answer_http(0, 404, "");
	ck_assert(!g.ok);
	ck_assert_ptr_nonnull(strstr(g.err.message, "EC2 instance metadata"));
	ck_assert_ptr_nonnull(strstr(g.err.message, "HTTP 404"));
	cred_provider_free(prov);
	prov = NULL;
	testenv_set(&env, "AWS_EC2_METADATA_DISABLED", "true");
	provider();
	e = get_error();
	ck_assert_int_eq(e.code, -ENOENT);
	ck_assert_ptr_nonnull(strstr(e.message, "no AWS credentials found"));
	ck_assert_int_eq(ncalls, 1);
	teardown();
}
END_TEST

/* ECS with an expiring answer: the simplest refreshable source. */
static void ecs_provider(void)
{
	testenv_set(&env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c");
	provider();
}

static char *iso(time_t t)
{
	static char buf[4][32];
	static int slot;
	struct tm tm;
	char *b = buf[slot++ % 4];

	gmtime_r(&t, &tm);
	strftime(b, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return b;
}

START_TEST(refresh_starts_ahead_of_expiry_without_waiting)
{
	got_t g1, g2, g3;

	setup();
	ecs_provider();
	get_now(&g1);
	answer_http(0, 200, ecs_json("ASIAONE", iso(T0 + 3600)));
	ck_assert(g1.ok);
	fake_now = T0 + 3600 - 600;             /* 10 min left: no refresh */
	get_now(&g2);
	ck_assert_int_eq(g2.calls, 1);
	ck_assert_int_eq(ncalls, 1);
	fake_now = T0 + 3600 - 200;             /* inside the 5 min window */
	get_now(&g2);
	ck_assert_int_eq(g2.calls, 1);          /* cached, synchronously */
	ck_assert_str_eq(g2.cred.access_key_id, "ASIAONE");
	ck_assert_int_eq(ncalls, 2);            /* background refresh */
	get_now(&g3);                         /* no second refresh */
	ck_assert_str_eq(g3.cred.access_key_id, "ASIAONE");
	ck_assert_int_eq(ncalls, 2);
	answer_http(1, 200, ecs_json("ASIATWO", iso(T0 + 7200)));
	get_now(&g3);
	ck_assert_str_eq(g3.cred.access_key_id, "ASIATWO");
	ck_assert_int_eq(ncalls, 2);
	teardown();
}
END_TEST

START_TEST(expired_credentials_queue_concurrent_gets_once)
{
	got_t a, b, c;

	setup();
	ecs_provider();
	get_now(&a);
	answer_http(0, 200, ecs_json("ASIAONE", iso(T0 + 3600)));
	fake_now = T0 + 3601;
	get_now(&a);
	get_now(&b);
	ck_assert_int_eq(a.calls, 0);
	ck_assert_int_eq(b.calls, 0);
	ck_assert_int_eq(ncalls, 2);
	answer_http(1, 200, ecs_json("ASIATWO", iso(T0 + 7200)));
	ck_assert_int_eq(a.calls, 1);
	ck_assert_int_eq(b.calls, 1);
	ck_assert_str_eq(a.cred.access_key_id, "ASIATWO");
	ck_assert_str_eq(b.cred.access_key_id, "ASIATWO");
	get_now(&c);
	ck_assert_int_eq(c.calls, 1);
	ck_assert_int_eq(ncalls, 2);
	teardown();
}
END_TEST

START_TEST(failed_refresh_keeps_valid_credentials)
{
	got_t g;

	setup();
	ecs_provider();
	get_now(&g);
	answer_http(0, 200, ecs_json("ASIAONE", iso(T0 + 3600)));
	fake_now = T0 + 3600 - 100;
	get_now(&g);
	ck_assert_int_eq(ncalls, 2);
	answer_http(1, 503, "");
	get_now(&g);
	ck_assert(g.ok);
	ck_assert_str_eq(g.cred.access_key_id, "ASIAONE");
	ck_assert_int_eq(ncalls, 2);            /* backs off before retrying */
	fake_now = T0 + 3601;
	get_now(&g);
	ck_assert_int_eq(g.calls, 0);
	ck_assert_int_eq(ncalls, 3);
	answer_http(2, 503, "");
	ck_assert_int_eq(g.calls, 1);
	ck_assert(!g.ok);
	teardown();
}
END_TEST

static uv_timer_t keepalive;

static void keepalive_cb(uv_timer_t *t)
{
	(void)t;
	ck_abort_msg("the refresh timer never fired");
}

START_TEST(timer_refreshes_before_window_without_a_get)
{
	got_t g;

	setup();
	ecs_provider();
	get_now(&g);
	/* Refresh is due 1 s from now (expiry minus the 300 s window). */
	answer_http(0, 200, ecs_json("ASIAONE", iso(T0 + 301)));
	ck_assert(g.ok);
	ck_assert_int_eq(ncalls, 1);
	/* The provider's timer is unreferenced; hold the loop open. */
	uv_timer_init(&loop, &keepalive);
	uv_timer_start(&keepalive, keepalive_cb, 10000, 0);
	while (ncalls < 2)
		uv_run(&loop, UV_RUN_ONCE);
	uv_close((uv_handle_t *)&keepalive, NULL);
	ck_assert_str_eq(calls[1].url, "http://169.254.170.2/c");
	answer_http(1, 200, ecs_json("ASIATWO", iso(T0 + 3600)));
	get_now(&g);
	ck_assert_str_eq(g.cred.access_key_id, "ASIATWO");
	teardown();
}
END_TEST

START_TEST(free_cancels_queued_gets)
{
	got_t g;

	setup();
	ecs_provider();
	get_now(&g);
	ck_assert_int_eq(ncalls, 1);
	cred_provider_free(prov);
	ck_assert_int_eq(g.calls, 1);
	ck_assert_int_eq(g.err.code, -ECANCELED);
	prov = NULL;
	answer_http(0, 200, ecs_json("ASIALATE", iso(T0 + 3600)));
	ck_assert_int_eq(g.calls, 1);
	teardown();
}
END_TEST

START_TEST(malformed_config_fails_provider_with_file_and_line)
{
	cred_provider_opts_t o;
	const char *path;
	err_t e;

	setup();
	path = testenv_file(&env, "config", "[default]\nregion = x\n[profile broken\n");
	testenv_set(&env, "AWS_CONFIG_FILE", path);
	fake_opts(&o);
	ck_assert_int_eq(cred_provider_new(&o, &prov, &e), -EINVAL);
	ck_assert_ptr_null(prov);
	ck_assert_str_eq(e.file, path);
	ck_assert_int_eq(e.line, 3);
	teardown();
}
END_TEST

START_TEST(describe_shows_key_id_and_source_only)
{
	cred_t c;
	char buf[256];

	memset(&c, 0, sizeof(c));
	strcpy(c.access_key_id, "AKIADESCRIBE");
	strcpy(c.secret_access_key, SECRET);
	strcpy(c.session_token, TOKEN);
	strcpy(c.source, "environment");
	ck_assert_str_eq(cred_describe(&c, buf, sizeof(buf)),
			 "AKIADESCRIBE (environment)");
	cred_wipe(&c);
	ck_assert_ptr_null(strstr(c.secret_access_key, "wJal"));
}
END_TEST

START_TEST(iso8601_times_parse_with_fraction_and_offset)
{
	time_t t;

	ck_assert_int_eq(cred_parse_time("2023-11-14T22:13:20Z", &t), 0);
	ck_assert_int_eq(t, T0);
	ck_assert_int_eq(cred_parse_time("2023-11-14T22:13:20.123Z", &t), 0);
	ck_assert_int_eq(t, T0);
	ck_assert_int_eq(cred_parse_time("2023-11-15T00:13:20+02:00", &t), 0);
	ck_assert_int_eq(t, T0);
	ck_assert_int_eq(cred_parse_time("2023-11-14 22:13:20Z", &t), -EINVAL);
	ck_assert_int_eq(cred_parse_time("2023-11-14T22:13:20", &t), -EINVAL);
	ck_assert_int_eq(cred_parse_time("2023-13-14T22:13:20Z", &t), -EINVAL);
}
END_TEST

START_TEST(json_errors_never_echo_the_body)
{
	static const char body[] = "{\"AccessKeyId\":\"AKIA\",\"SecretAccessKey\":\""
				   SECRET "\",\"Token\":\"" TOKEN
				   "\",\"Expiration\":\"" SECRET "\"}";
	cred_t c;
	err_t e;

	ck_assert_int_eq(cred_from_json(body, sizeof(body) - 1, 0, "test", &c, &e),
			 -EPROTO);
	ck_assert_ptr_nonnull(strstr(e.message, "Expiration"));
	assert_no_secret(&e);
	ck_assert_str_eq(c.secret_access_key, "");
}
END_TEST

START_TEST(web_identity_in_profile_uses_default_session_name)
{
	char cfg[1024];
	got_t g;

	setup();
	snprintf(cfg, sizeof(cfg),
		 "[profile wi]\nrole_arn = arn:aws:iam::1:role/wi\n"
		 "web_identity_token_file = %s\nregion = ap-south-1\n",
		 testenv_file(&env, "tok", "jwt-from-profile"));
	set_config(cfg);
	testenv_set(&env, "AWS_PROFILE", "wi");
	provider();
	get_now(&g);
	ck_assert_int_eq(ncalls, 1);
	ck_assert_str_eq(calls[0].action, "AssumeRoleWithWebIdentity");
	ck_assert_str_eq(calls[0].region, "ap-south-1");
	ck_assert_str_eq(calls[0].source_key, "");
	ck_assert_str_eq(calls[0].params,
			 "RoleArn=arn:aws:iam::1:role/wi\n"
			 "RoleSessionName=driftd-1700000000\n"
			 "WebIdentityToken=jwt-from-profile\n");
	answer_sts(0, "ASIAWI", T0 + 3600);
	ck_assert(g.ok);
	ck_assert_str_eq(g.cred.source, "web-identity");
	teardown();
}
END_TEST

START_TEST(ecs_token_with_newline_is_refused_before_any_request)
{
	got_t g;

	setup();
	testenv_set(&env, "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/c");
	testenv_set(&env, "AWS_CONTAINER_AUTHORIZATION_TOKEN",
		    "tok\r\nX-Injected: 1");
	provider();
	get_now(&g);
	ck_assert_int_eq(g.calls, 1);
	ck_assert(!g.ok);
	ck_assert_ptr_nonnull(strstr(g.err.message, "control characters"));
	ck_assert_ptr_null(strstr(g.err.message, "Injected"));
	ck_assert_int_eq(ncalls, 0);
	teardown();
}
END_TEST

START_TEST(imds_role_name_with_path_characters_is_refused)
{
	got_t g;

	setup();
	provider();
	get_now(&g);
	answer_http(0, 200, "tok");
	answer_http(1, 200, "../../latest/user-data");
	ck_assert(!g.ok);
	ck_assert_ptr_nonnull(strstr(g.err.message, "no valid IAM role"));
	ck_assert_int_eq(ncalls, 2);
	teardown();
}
END_TEST

START_TEST(free_during_credential_process_waits_for_the_child)
{
	got_t g;

	setup();
	set_config("[default]\ncredential_process = sleep 0.2\n");
	provider();
	get_now(&g);
	ck_assert_int_eq(g.calls, 0);
	cred_provider_free(prov);
	prov = NULL;
	ck_assert_int_eq(g.calls, 1);
	ck_assert_int_eq(g.err.code, -ECANCELED);
	teardown();                     /* runs the loop until the child exits */
	ck_assert_int_eq(g.calls, 1);
}
END_TEST

START_TEST(sts_region_option_overrides_configured_region)
{
	cred_provider_opts_t o;
	got_t g;
	err_t e;

	setup();
	set_credentials("[default]\naws_access_key_id = AKIAB\n"
			"aws_secret_access_key = " SECRET "\n"
			"role_arn = arn:aws:iam::1:role/r\nsource_profile = default\n");
	testenv_set(&env, "AWS_REGION", "eu-west-1");
	fake_opts(&o);
	o.sts_region = "us-west-2";
	ck_assert_int_eq(cred_provider_new(&o, &prov, &e), 0);
	get_now(&g);
	ck_assert_int_eq(ncalls, 1);
	ck_assert_str_eq(calls[0].region, "us-west-2");
	answer_sts(0, "ASIAR", T0 + 3600);
	ck_assert(g.ok);
	teardown();
}
END_TEST

START_TEST(credential_source_imds_feeds_assume_role)
{
	got_t g;

	setup();
	set_config("[default]\nrole_arn = arn:aws:iam::1:role/ec2\n"
		   "credential_source = Ec2InstanceMetadata\n");
	provider();
	get_now(&g);
	answer_http(0, 200, "tok");
	answer_http(1, 200, "instance-role");
	answer_http(2, 200, ecs_json("ASIAINSTANCE", iso(T0 + 3600)));
	ck_assert_int_eq(ncalls, 4);
	ck_assert_str_eq(calls[3].action, "AssumeRole");
	ck_assert_str_eq(calls[3].source_key, "ASIAINSTANCE");
	answer_sts(3, "ASIAROLE", T0 + 3600);
	ck_assert(g.ok);
	ck_assert_str_eq(g.cred.access_key_id, "ASIAROLE");
	teardown();
}
END_TEST

START_TEST(named_profile_beats_environment_keys_and_sources_them)
{
	cred_provider_opts_t o;
	got_t g;
	err_t e;

	setup();
	set_config("[profile r]\nrole_arn = arn:aws:iam::1:role/r\n"
		   "credential_source = Environment\n"
		   "[profile bad]\nrole_arn = arn:aws:iam::1:role/r\n"
		   "credential_source = Bogus\n");
	testenv_set(&env, "AWS_ACCESS_KEY_ID", "AKIAENV");
	testenv_set(&env, "AWS_SECRET_ACCESS_KEY", SECRET);
	fake_opts(&o);
	o.profile = "r";
	ck_assert_int_eq(cred_provider_new(&o, &prov, &e), 0);
	get_now(&g);
	ck_assert_int_eq(ncalls, 1);
	ck_assert_str_eq(calls[0].source_key, "AKIAENV");
	answer_sts(0, "ASIAR", T0 + 3600);
	ck_assert_str_eq(g.cred.access_key_id, "ASIAR");
	cred_provider_free(prov);
	o.profile = "bad";
	ck_assert_int_eq(cred_provider_new(&o, &prov, &e), 0);
	e = get_error();
	ck_assert_int_eq(e.code, -EINVAL);
	ck_assert_int_eq(e.line, 6);
	ck_assert_ptr_nonnull(strstr(e.message, "credential_source must be"));
	teardown();
}
END_TEST

TESTUTIL_MAIN("credentials", environment_beats_shared_files,
	      half_an_environment_pair_is_an_error,
	      static_profile_credentials_file_beats_config,
	      explicit_missing_profile_is_an_error,
	      half_a_profile_pair_names_file_and_line,
	      assume_role_chain_calls_sts_with_each_source,
	      source_profile_loop_is_detected_with_line,
	      self_source_profile_with_keys_assumes_role,
	      sts_error_keeps_aws_code_and_names_role,
	      credential_process_json_is_parsed,
	      credential_process_exit_status_is_reported_truncated,
	      credential_process_bad_json_is_an_error,
	      credential_process_inherits_only_descriptors_0_to_2,
	      credential_process_is_killed_after_the_timeout,
	      credential_process_without_version_1_is_an_error,
	      web_identity_from_environment_is_unsigned_sts_call,
	      web_identity_in_profile_and_missing_token_file,
	      ecs_relative_uri_with_auth_token,
	      ecs_full_uri_reads_token_file_and_rejects_remote_http,
	      ecs_full_uri_allow_list_checks_the_real_host,
	      imds_v2_puts_token_then_gets_role_and_credentials,
	      imds_default_address_and_disabled_flag,
	      refresh_starts_ahead_of_expiry_without_waiting,
	      expired_credentials_queue_concurrent_gets_once,
	      failed_refresh_keeps_valid_credentials,
	      timer_refreshes_before_window_without_a_get,
	      free_cancels_queued_gets,
	      malformed_config_fails_provider_with_file_and_line,
	      describe_shows_key_id_and_source_only,
	      iso8601_times_parse_with_fraction_and_offset,
	      json_errors_never_echo_the_body,
	      web_identity_in_profile_uses_default_session_name,
	      ecs_token_with_newline_is_refused_before_any_request,
	      imds_role_name_with_path_characters_is_refused,
	      free_during_credential_process_waits_for_the_child,
	      sts_region_option_overrides_configured_region,
	      credential_source_imds_feeds_assume_role,
	      named_profile_beats_environment_keys_and_sources_them)
