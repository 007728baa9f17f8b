/* http against tests/tools/httpfixture.py, a loopback HTTP/1.1 server run
 * as a child process and stopped by PID. */
#include <arpa/inet.h>
#include <check.h>
#include <cJSON.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include "http.h"
#include "testutil.h"

static pid_t fixture_pid = -1;
static int fixture_port;
static uv_loop_t loop;

typedef struct result {
	bool     done;
	long     status;
	int      err;
	char     message[ERR_MSG_MAX];
	char    *body;
	size_t   body_len;
	char     x_fixture[32];
	time_t   date;
	uint64_t total_us;
	unsigned in_flight_at_done;
	int      order;
} result_t;

static int n_done;
static http_client_t *client;

static const char *fixture_path(void)
{
	static char path[4096];
	const char *root = getenv("DRIFTD_ROOT");

	if (root && *root) {
		snprintf(path, sizeof(path), "%s/tests/tools/httpfixture.py",
			 root);
		return path;
	}
	/* Run by hand from the repository root or from build/tests. */
	if (access("tests/tools/httpfixture.py", R_OK) == 0)
		return "tests/tools/httpfixture.py";
	return "../../tests/tools/httpfixture.py";
}

/* tls_dir: NULL for plain HTTP, else where the fixture writes its
 * self-signed cert.pem. */
static void fixture_start(const char *tls_dir)
{
	int fds[2];
	char line[32] = { 0 };
	ssize_t n, got = 0;

	ck_assert_int_eq(pipe(fds), 0);
	fixture_pid = fork();
	ck_assert_int_ge(fixture_pid, 0);
	if (fixture_pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		if (tls_dir)
			execl("/usr/bin/python3", "python3", fixture_path(),
			      "--tls", tls_dir, (char *)NULL);
		else
			execl("/usr/bin/python3", "python3", fixture_path(),
			      (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	while (got < (ssize_t)sizeof(line) - 1 && !strchr(line, '\n')) {
		n = read(fds[0], line + got, sizeof(line) - 1 - (size_t)got);
		if (n <= 0)
			break;
		got += n;
	}
	close(fds[0]);
	fixture_port = atoi(line);
	ck_assert_msg(fixture_port > 0, "fixture %s printed no port",
		      fixture_path());
}

static void fixture_stop(void)
{
	if (fixture_pid > 0) {
		kill(fixture_pid, SIGTERM);
		waitpid(fixture_pid, NULL, 0);
		fixture_pid = -1;
	}
}

static void setup(void)
{
	signal(SIGPIPE, SIG_IGN);
	fixture_start(NULL);
	ck_assert_int_eq(uv_loop_init(&loop), 0);
	n_done = 0;
	client = NULL;
}

static void teardown(void)
{
	fixture_stop();
}

static void on_done(const http_response_t *r, const err_t *e, void *data)
{
	result_t *res = data;
	http_stats_t st;
	const char *h;

	res->done = true;
	res->order = ++n_done;
	/* A request can finish inside a timer callback at the start of a
	 * UV_RUN_ONCE iteration; without this the poll phase that follows
	 * would block until the next timer. */
	uv_stop(&loop);
	http_client_stats(client, &st);
	res->in_flight_at_done = st.in_flight;
	if (e) {
		res->err = e->code;
		snprintf(res->message, sizeof(res->message), "%s", e->message);
		return;
	}
	ck_assert_ptr_nonnull(r);
	res->status = r->status;
	res->body = malloc(r->body_len + 1);
	memcpy(res->body, r->body, r->body_len + 1);
	res->body_len = r->body_len;
	h = http_response_header(r, "x-FIXTURE");
	snprintf(res->x_fixture, sizeof(res->x_fixture), "%s", h ? h : "");
	res->date = r->date;
	res->total_us = r->total_us;
}

static void on_guard(uv_timer_t *t)
{
	*(bool *)t->data = true;
}

/* Runs the loop until n_done reaches want or timeout_ms passes. */
static void run_until(int want, unsigned timeout_ms)
{
	uv_timer_t guard;
	bool expired = false;

	uv_timer_init(&loop, &guard);
	guard.data = &expired;
	uv_timer_start(&guard, on_guard, timeout_ms, 0);
	while (n_done < want && !expired)
		uv_run(&loop, UV_RUN_ONCE);
	uv_close((uv_handle_t *)&guard, NULL);
	uv_run(&loop, UV_RUN_NOWAIT);
	ck_assert_msg(n_done >= want, "only %d of %d requests finished", n_done,
		      want);
}

/* Runs the loop for ms milliseconds. */
static void run_for(unsigned ms)
{
	uv_timer_t guard;
	bool expired = false;

	uv_timer_init(&loop, &guard);
	guard.data = &expired;
	uv_timer_start(&guard, on_guard, ms, 0);
	while (!expired)
		uv_run(&loop, UV_RUN_ONCE);
	uv_close((uv_handle_t *)&guard, NULL);
	uv_run(&loop, UV_RUN_NOWAIT);
}

static void on_closed(void *data)
{
	*(bool *)data = true;
	uv_stop(&loop);
}

static void close_client(void)
{
	bool closed = false;

	http_client_close(client, on_closed, &closed);
	client = NULL;
	while (!closed)
		ck_assert_int_ge(uv_run(&loop, UV_RUN_ONCE), 0);
	uv_run(&loop, UV_RUN_NOWAIT);
	ck_assert_int_eq(uv_loop_close(&loop), 0);
}

static void make_client(const http_options_t *opts)
{
	err_t e;

	client = http_client_new(&loop, opts, &e);
	ck_assert_ptr_nonnull(client);
}

static void submit_url(const char *url, result_t *res)
{
	http_request_t req = { .method = "GET", .url = url };
	err_t e;

	ck_assert_msg(http_submit(client, &req, on_done, res, &e) == 0, "%s",
		      e.message);
}

static void submit(const char *method, const char *path, const char *pool,
		   const http_header_t *hdr, size_t n_hdr, const char *body,
		   long timeout_ms, result_t *res)
{
	char url[256];
	http_request_t req = {
		.method = method, .url = url, .headers = hdr,
		.n_headers = n_hdr, .body = body,
		.body_len = body ? strlen(body) : 0, .pool = pool,
		.timeout_ms = timeout_ms,
	};
	err_t e;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", fixture_port, path);
	ck_assert_msg(http_submit(client, &req, on_done, res, &e) == 0, "%s",
		      e.message);
}

static cJSON *json_of(const result_t *r)
{
	cJSON *j = cJSON_ParseWithLength(r->body, r->body_len);

	ck_assert_ptr_nonnull(j);
	return j;
}

static const char *json_str(const cJSON *j, const char *a, const char *b)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, a);

	if (b)
		v = cJSON_GetObjectItemCaseSensitive(v, b);
	ck_assert_msg(cJSON_IsString(v), "no string at %s.%s", a, b ? b : "");
	return v->valuestring;
}

static int json_int(const cJSON *j, const char *a)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, a);

	ck_assert(cJSON_IsNumber(v));
	return v->valueint;
}

/* Asks the fixture for its counters through a fresh client request. */
static cJSON *fixture_counts(void)
{
	result_t r = { 0 };
	cJSON *j;
	int want = n_done + 1;

	submit("GET", "/count", "admin", NULL, 0, NULL, 0, &r);
	run_until(want, 5000);
	ck_assert_int_eq(r.status, 200);
	j = json_of(&r);
	free(r.body);
	return j;
}

START_TEST(get_and_post_round_trip_headers_and_body)
{
	http_header_t get_hdr[] = { { "X-Test", "hello world" },
				    { "X-Empty", "" } };
	http_header_t post_hdr[] = {
		{ "Content-Type", "application/x-www-form-urlencoded; charset=utf-8" },
	};
	const char *form = "Action=DescribeVpcs&Version=2016-11-15";
	result_t get = { 0 }, post = { 0 };
	cJSON *j;

	make_client(NULL);
	submit("GET", "/echo?a=1", "ec2", get_hdr, 2, NULL, 0, &get);
	submit("POST", "/echo", "ec2", post_hdr, 1, form, 0, &post);
	run_until(2, 10000);

	ck_assert_int_eq(get.err, 0);
	ck_assert_int_eq(get.status, 200);
	ck_assert_str_eq(get.x_fixture, "yes");   /* case-insensitive */
	ck_assert_int_gt(get.date, time(NULL) - 120);
	ck_assert_int_lt(get.date, time(NULL) + 120);
	ck_assert_uint_gt(get.total_us, 0);
	j = json_of(&get);
	ck_assert_str_eq(json_str(j, "method", NULL), "GET");
	ck_assert_str_eq(json_str(j, "path", NULL), "/echo?a=1");
	ck_assert_str_eq(json_str(j, "headers", "x-test"), "hello world");
	ck_assert_str_eq(json_str(j, "headers", "x-empty"), "");
	ck_assert_str_eq(json_str(j, "body", NULL), "");
	cJSON_Delete(j);

	ck_assert_int_eq(post.err, 0);
	ck_assert_int_eq(post.status, 200);
	j = json_of(&post);
	ck_assert_str_eq(json_str(j, "method", NULL), "POST");
	ck_assert_str_eq(json_str(j, "body", NULL), form);
	ck_assert_str_eq(json_str(j, "headers", "content-type"),
			 "application/x-www-form-urlencoded; charset=utf-8");
	ck_assert_str_eq(json_str(j, "headers", "content-length"), "38");
	cJSON_Delete(j);
	free(get.body);
	free(post.body);
	close_client();
}
END_TEST

/* libcurl's own defaults would reach the wire: Content-Type
 * application/x-www-form-urlencoded on every POSTFIELDS body (rest-xml
 * bodies read as forms), an Accept of any type, Expect: 100-continue. Only the
 * caller's headers go out, and Content-Length goes with every method but
 * GET and HEAD, as botocore sends it. */
START_TEST(only_the_callers_headers_and_content_length_as_botocore_sends)
{
	const char *xml = "<VersioningConfiguration><Status>Enabled</Status>"
			  "</VersioningConfiguration>";
	http_header_t json_hdr[] = { { "Content-Type", "application/x-amz-json-1.1" } };
	result_t put = { 0 }, del = { 0 }, get = { 0 }, post = { 0 };
	cJSON *j;

	make_client(NULL);
	submit("PUT", "/echo", "s3", NULL, 0, xml, 0, &put);
	submit("DELETE", "/echo", "s3", NULL, 0, NULL, 0, &del);
	submit("GET", "/echo", "s3", NULL, 0, NULL, 0, &get);
	submit("POST", "/echo", "kms", json_hdr, 1, "{}", 0, &post);
	run_until(4, 10000);

	j = json_of(&put);
	ck_assert_str_eq(json_str(j, "method", NULL), "PUT");
	ck_assert_str_eq(json_str(j, "body", NULL), xml);
	ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "headers"), "content-type"));
	ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "headers"), "accept"));
	ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "headers"), "expect"));
	cJSON_Delete(j);
	j = json_of(&del);
	ck_assert_str_eq(json_str(j, "method", NULL), "DELETE");
	ck_assert_str_eq(json_str(j, "headers", "content-length"), "0");
	ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "headers"), "content-type"));
	cJSON_Delete(j);
	j = json_of(&get);
	ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "headers"), "content-length"));
	ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "headers"), "accept"));
	cJSON_Delete(j);
	j = json_of(&post);
	ck_assert_str_eq(json_str(j, "headers", "content-type"), "application/x-amz-json-1.1");
	cJSON_Delete(j);
	free(put.body);
	free(del.body);
	free(get.body);
	free(post.body);
	close_client();
}
END_TEST

START_TEST(http_error_status_is_a_response_not_a_failure)
{
	result_t r = { 0 };

	make_client(NULL);
	submit("GET", "/status/503", NULL, NULL, 0, NULL, 0, &r);
	run_until(1, 10000);
	ck_assert_int_eq(r.err, 0);
	ck_assert_int_eq(r.status, 503);
	free(r.body);
	close_client();
}
END_TEST

START_TEST(twenty_requests_reuse_kept_alive_connections)
{
	http_options_t o = { .pool_cap = 2 };
	result_t r[20] = { { 0 } };
	http_stats_t st;
	cJSON *j;
	int i;

	make_client(&o);
	for (i = 0; i < 20; i++)
		submit("GET", "/ok", "sts", NULL, 0, NULL, 0, &r[i]);
	run_until(20, 10000);
	for (i = 0; i < 20; i++) {
		ck_assert_int_eq(r[i].status, 200);
		ck_assert_str_eq(r[i].body, "ok");
		free(r[i].body);
	}
	http_client_stats(client, &st);
	ck_assert_uint_eq(st.completed, 20);
	ck_assert_uint_ge(st.connections_opened, 1);
	ck_assert_uint_le(st.connections_opened, 3);
	j = fixture_counts();
	/* The server saw as few connections as the client says it opened
	 * (the /count request may have opened one more). */
	ck_assert_int_le(json_int(j, "connections"), 4);
	cJSON_Delete(j);
	close_client();
}
END_TEST

START_TEST(pool_cap_bounds_requests_in_flight_and_queues_fifo)
{
	result_t slow[6] = { { 0 } }, other = { 0 };
	http_stats_t st;
	cJSON *j;
	int i;

	make_client(NULL);
	ck_assert_int_eq(http_set_pool_cap(client, "ec2", 2), 0);
	for (i = 0; i < 6; i++)
		submit("GET", "/slow?ms=300", "ec2", NULL, 0, NULL, 0, &slow[i]);
	http_client_stats(client, &st);
	ck_assert_uint_eq(st.in_flight, 2);
	ck_assert_uint_eq(st.queued, 4);
	/* Another pool is not held up by ec2's queue. */
	submit("GET", "/ok", "s3", NULL, 0, NULL, 0, &other);
	run_until(7, 10000);
	ck_assert_int_eq(other.status, 200);
	ck_assert_int_eq(other.order, 1);
	for (i = 0; i < 6; i++) {
		ck_assert_int_eq(slow[i].status, 200);
		ck_assert_uint_le(slow[i].in_flight_at_done, 2);
		j = json_of(&slow[i]);
		ck_assert_int_le(json_int(j, "concurrent"), 2);
		cJSON_Delete(j);
		free(slow[i].body);
	}
	/* FIFO: the last two submitted finish in the last round. */
	ck_assert_int_ge(slow[4].order, 6);
	ck_assert_int_ge(slow[5].order, 6);
	free(other.body);
	j = fixture_counts();
	ck_assert_int_eq(json_int(j, "max_concurrent"), 2);
	cJSON_Delete(j);
	close_client();
}
END_TEST

START_TEST(total_timeout_is_an_error)
{
	result_t r = { 0 };
	uint64_t t0 = uv_hrtime();

	make_client(NULL);
	submit("GET", "/slow?ms=3000", NULL, NULL, 0, NULL, 200, &r);
	run_until(1, 10000);
	ck_assert_int_eq(r.err, -ETIMEDOUT);
	ck_assert_ptr_nonnull(strstr(r.message, "timed out"));
	ck_assert_ptr_nonnull(strstr(r.message, "GET http://127.0.0.1:"));
	ck_assert_uint_lt((uv_hrtime() - t0) / 1000000, 2000);
	close_client();
}
END_TEST

START_TEST(connection_refused_names_the_cause)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	result_t r = { 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	/* A port that was free a moment ago and has no listener. */
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	close(fd);
	fixture_port = ntohs(a.sin_port);

	make_client(NULL);
	submit("GET", "/ok", NULL, NULL, 0, NULL, 0, &r);
	run_until(1, 10000);
	ck_assert_int_eq(r.err, -ECONNREFUSED);
	ck_assert_ptr_nonnull(strstr(r.message, "refused"));
	close_client();
}
END_TEST

START_TEST(reset_without_response_is_a_transport_error)
{
	result_t r = { 0 };

	make_client(NULL);
	submit("GET", "/reset", NULL, NULL, 0, NULL, 0, &r);
	run_until(1, 10000);
	ck_assert_int_eq(r.err, -ECONNRESET);
	ck_assert_int_eq(r.status, 0);
	close_client();
}
END_TEST

START_TEST(oversized_body_is_rejected)
{
	http_options_t o = { .max_body = 10000 };
	result_t fits = { 0 }, big = { 0 }, unannounced = { 0 }, head = { 0 };

	make_client(&o);
	submit("GET", "/big?bytes=10000", NULL, NULL, 0, NULL, 0, &fits);
	submit("GET", "/big?bytes=200000", NULL, NULL, 0, NULL, 0, &big);
	/* No Content-Length: caught while the body streams in. */
	submit("GET", "/big?bytes=200000&nolength=1", NULL, NULL, 0, NULL, 0,
	       &unannounced);
	/* HEAD announces the length of a body it does not send. */
	submit("HEAD", "/big?bytes=200000", NULL, NULL, 0, NULL, 0, &head);
	run_until(4, 10000);
	ck_assert_int_eq(head.err, 0);
	ck_assert_int_eq(head.status, 200);
	ck_assert_uint_eq(head.body_len, 0);
	ck_assert_int_eq(fits.err, 0);
	ck_assert_uint_eq(fits.body_len, 10000);
	ck_assert_int_eq(big.err, -EFBIG);
	ck_assert_ptr_nonnull(strstr(big.message, "10000 byte limit"));
	ck_assert_int_eq(unannounced.err, -EFBIG);
	free(fits.body);
	free(head.body);
	close_client();
}
END_TEST

START_TEST(header_with_crlf_is_refused_before_sending)
{
	http_header_t bad[] = { { "X-Evil", "a\r\nInjected: yes" } };
	http_request_t req = { .method = "GET", .url = "http://127.0.0.1:1/",
			       .headers = bad, .n_headers = 1 };
	result_t r = { 0 };
	err_t e;

	make_client(NULL);
	ck_assert_int_eq(http_submit(client, &req, on_done, &r, &e), -EINVAL);
	ck_assert(!r.done);
	close_client();
}
END_TEST

START_TEST(close_with_requests_in_flight_cancels_and_frees)
{
	http_options_t o = { .pool_cap = 2 };
	result_t r[4] = { { 0 } };
	result_t warm = { 0 };
	http_stats_t st;
	int i;

	make_client(&o);
	/* A kept-alive idle connection in the cache as well. */
	submit("GET", "/ok", "iam", NULL, 0, NULL, 0, &warm);
	run_until(1, 10000);
	free(warm.body);
	for (i = 0; i < 4; i++)
		submit("GET", "/slow?ms=5000", "ec2", NULL, 0, NULL, 0, &r[i]);
	run_for(200);   /* let the transfers get going */
	http_client_stats(client, &st);
	ck_assert_uint_eq(st.in_flight, 2);
	ck_assert_uint_eq(st.queued, 2);
	close_client();
	for (i = 0; i < 4; i++) {
		ck_assert(r[i].done);
		ck_assert_int_eq(r[i].err, -ECANCELED);
	}
}
END_TEST

static bool closed_from_callback;

static void on_done_then_close(const http_response_t *r, const err_t *e,
			       void *data)
{
	on_done(r, e, data);
	http_client_close(client, on_closed, &closed_from_callback);
}

START_TEST(close_from_a_completion_callback_is_safe)
{
	http_request_t req = { .method = "GET", .url = NULL };
	result_t first = { 0 }, r[3] = { { 0 } };
	char url[64];
	err_t e;
	int i;

	make_client(NULL);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/ok", fixture_port);
	req.url = url;
	closed_from_callback = false;
	ck_assert_int_eq(http_submit(client, &req, on_done_then_close, &first,
				     &e), 0);
	for (i = 0; i < 3; i++)
		submit("GET", "/slow?ms=3000", NULL, NULL, 0, NULL, 0, &r[i]);
	while (!closed_from_callback)
		uv_run(&loop, UV_RUN_ONCE);
	client = NULL;
	uv_run(&loop, UV_RUN_NOWAIT);
	ck_assert_int_eq(uv_loop_close(&loop), 0);
	ck_assert_int_eq(first.status, 200);
	free(first.body);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(r[i].err, -ECANCELED);
}
END_TEST

START_TEST(cancel_all_leaves_the_client_usable)
{
	result_t slow[3] = { { 0 } }, after = { 0 };
	int i;

	make_client(NULL);
	for (i = 0; i < 3; i++)
		submit("GET", "/slow?ms=3000", NULL, NULL, 0, NULL, 0, &slow[i]);
	run_for(100);
	http_cancel_all(client);
	ck_assert_int_eq(n_done, 3);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(slow[i].err, -ECANCELED);
	submit("GET", "/ok", NULL, NULL, 0, NULL, 0, &after);
	run_until(4, 10000);
	ck_assert_int_eq(after.status, 200);
	free(after.body);
	close_client();
}
END_TEST

START_TEST(https_verifies_the_peer_and_takes_a_ca_bundle)
{
	char dir[] = "/tmp/driftd-http-XXXXXX", ca[64], url[64];
	http_options_t with_ca = { .ca_bundle = ca };
	result_t trusted = { 0 }, untrusted = { 0 };

	ck_assert_ptr_nonnull(mkdtemp(dir));
	fixture_stop();
	fixture_start(dir);
	snprintf(ca, sizeof(ca), "%s/cert.pem", dir);
	snprintf(url, sizeof(url), "https://127.0.0.1:%d/ok", fixture_port);

	make_client(&with_ca);
	submit_url(url, &trusted);
	run_until(1, 10000);
	ck_assert_msg(trusted.err == 0, "%s", trusted.message);
	ck_assert_int_eq(trusted.status, 200);
	free(trusted.body);
	close_client();

	/* The system store does not know the self-signed certificate. */
	ck_assert_int_eq(uv_loop_init(&loop), 0);
	n_done = 0;
	make_client(NULL);
	submit_url(url, &untrusted);
	run_until(1, 10000);
	ck_assert_int_eq(untrusted.err, -EPROTO);
	ck_assert_ptr_nonnull(strstr(untrusted.message, "TLS"));
	close_client();

	unlink(ca);
	snprintf(ca, sizeof(ca), "%s/key.pem", dir);
	unlink(ca);
	rmdir(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("loopback");

	/* A proxy from the environment must not see loopback traffic. */
	setenv("NO_PROXY", "127.0.0.1,localhost", 1);
	setenv("no_proxy", "127.0.0.1,localhost", 1);
	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, get_and_post_round_trip_headers_and_body);
	tcase_add_test(tc, only_the_callers_headers_and_content_length_as_botocore_sends);
	tcase_add_test(tc, http_error_status_is_a_response_not_a_failure);
	tcase_add_test(tc, twenty_requests_reuse_kept_alive_connections);
	tcase_add_test(tc, pool_cap_bounds_requests_in_flight_and_queues_fifo);
	tcase_add_test(tc, total_timeout_is_an_error);
	tcase_add_test(tc, connection_refused_names_the_cause);
	tcase_add_test(tc, reset_without_response_is_a_transport_error);
	tcase_add_test(tc, oversized_body_is_rejected);
	tcase_add_test(tc, header_with_crlf_is_refused_before_sending);
	tcase_add_test(tc, close_with_requests_in_flight_cancels_and_frees);
	tcase_add_test(tc, close_from_a_completion_callback_is_safe);
	tcase_add_test(tc, cancel_all_leaves_the_client_usable);
	tcase_add_test(tc, https_verifies_the_peer_and_takes_a_ca_bundle);
	suite_add_tcase(s, tc);
	return testutil_run(s);
}
