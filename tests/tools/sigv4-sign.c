/* sigv4-sign — runs lib/sigv4 on a request in the layout of the published
 * SigV4 conformance suites (request.txt + context.json).
 *
 *   sigv4-sign --request FILE --context FILE
 *              (--canonical-request | --string-to-sign | --signature |
 *               --signed-request) [--presign]
 *
 * Prints only the requested text; on bad input exits 1 with one line on
 * stderr. Besides the suite's context keys, "signed_body_value" (e.g.
 * "UNSIGNED-PAYLOAD") replaces the body hash. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cJSON.h>

#include "err.h"
#include "sigv4.h"

#define MAX_INPUT (16u << 20)

enum output { OUT_NONE, OUT_CREQ, OUT_STS, OUT_SIG, OUT_SIGNED };

typedef struct parsed_request {
	char           *method;
	const char     *path, *query;
	size_t          path_len, query_len;
	const char     *target;            /* request-target as given */
	size_t          target_len;
	sigv4_header_t *headers;
	size_t          n_headers;
	const char     *body;
	size_t          body_len;
} parsed_request_t;

static int fail(const char *fmt, const char *arg)
{
	fprintf(stderr, "sigv4-sign: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 1;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t n = 0, cap = 0;

	if (!f)
		return NULL;
	for (;;) {
		size_t got;

		if (cap - n < 4096) {
			char *nd;

			cap = cap ? 2 * cap : 8192;
			if (cap > MAX_INPUT + 8192 || !(nd = realloc(data, cap + 1)))
				goto bad;
			data = nd;
		}
		got = fread(data + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f) || n > MAX_INPUT)
		goto bad;
	fclose(f);
	data[n] = '\0';
	*len = n;
	return data;
bad:
	fclose(f);
	free(data);
	return NULL;
}

static const char *line_end(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *e = nl ? nl : end;

	*next = nl ? nl + 1 : end;
	if (e > p && e[-1] == '\r')
		e--;
	return e;
}

/* A continuation line (leading whitespace: an obs-fold, RFC 7230 3.2.4)
 * belongs to the previous header's value, line break and all: the signer
 * folds the whitespace run to one space, as AWS's SigV4 test suite
 * expects (get-header-value-multiline: "my-header1:value1 value2
 * value3"), and --signed-request prints the lines as given. */
static int parse_request(char *data, size_t len, parsed_request_t *r)
{
	const char *p = data, *end = data + len, *next, *e, *sp1, *sp2, *q;
	size_t cap = 0;

	e = line_end(p, end, &next);
	sp1 = memchr(p, ' ', (size_t)(e - p));
	if (!sp1)
		return -1;
	sp2 = e;
	while (sp2 > sp1 + 1 && sp2[-1] != ' ')
		sp2--;
	if (sp2 <= sp1 + 1 || strncmp(sp2, "HTTP/", 5))
		return -1;
	sp2--;
	r->method = strndup(p, (size_t)(sp1 - p));
	if (!r->method)
		return -1;
	r->target = sp1 + 1;
	r->target_len = (size_t)(sp2 - r->target);
	q = memchr(r->target, '?', r->target_len);
	r->path = r->target;
	r->path_len = q ? (size_t)(q - r->target) : r->target_len;
	r->query = q ? q + 1 : "";
	r->query_len = q ? (size_t)(sp2 - q - 1) : 0;

	for (p = next; p < end; p = next) {
		const char *colon;
		sigv4_header_t *h;

		e = line_end(p, end, &next);
		if (e == p)
			break;
		if (r->n_headers == cap) {
			sigv4_header_t *nh;

			cap = cap ? 2 * cap : 16;
			nh = realloc(r->headers, cap * sizeof(*nh));
			if (!nh)
				return -1;
			r->headers = nh;
		}
		h = &r->headers[r->n_headers];
		if (*p == ' ' || *p == '\t') {
			if (r->n_headers == 0)
				return -1;
			h[-1].value_len = (size_t)(e - h[-1].value);
			continue;
		}
		colon = memchr(p, ':', (size_t)(e - p));
		if (!colon || colon == p)
			return -1;
		h->name = p;
		h->name_len = (size_t)(colon - p);
		h->value = colon + 1;
		h->value_len = (size_t)(e - colon - 1);
		r->n_headers++;
	}
	r->body = next;
	r->body_len = (size_t)(end - next);
	return 0;
}

static const char *json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int json_bool(const cJSON *o, const char *key, int dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsBool(v) ? cJSON_IsTrue(v) : dflt;
}

static int parse_time(const char *s, int64_t *out)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = s ? strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) : NULL;
	if (!end || *end)
		return -1;
	*out = (int64_t)timegm(&tm);
	return 0;
}

static int replaced_by_signer(const sigv4_header_t *h, const sigv4_result_t *res)
{
	size_t i;

	for (i = 0; i < res->n_add; i++)
		if (h->name_len == res->add[i].name_len &&
		    !strncasecmp(h->name, res->add[i].name, h->name_len))
			return 1;
	return 0;
}

static void print_signed(const parsed_request_t *r, const sigv4_result_t *res)
{
	size_t i;

	fputs(r->method, stdout);
	putchar(' ');
	fwrite(r->path, 1, r->path_len, stdout);
	if (res->query) {             /* the caller's query, then signing's */
		putchar('?');
		fwrite(res->query, 1, res->query_len, stdout);
	} else if (r->query_len) {
		putchar('?');
		fwrite(r->query, 1, r->query_len, stdout);
	}
	fputs(" HTTP/1.1\n", stdout);
	for (i = 0; i < r->n_headers; i++) {
		const sigv4_header_t *h = &r->headers[i];

		if (replaced_by_signer(h, res))
			continue;
		fwrite(h->name, 1, h->name_len, stdout);
		putchar(':');
		fwrite(h->value, 1, h->value_len, stdout);
		putchar('\n');
	}
	for (i = 0; i < res->n_add; i++) {
		fwrite(res->add[i].name, 1, res->add[i].name_len, stdout);
		putchar(':');
		fwrite(res->add[i].value, 1, res->add[i].value_len, stdout);
		putchar('\n');
	}
	putchar('\n');
	fwrite(r->body, 1, r->body_len, stdout);
}

int main(int argc, char **argv)
{
	const char *req_path = NULL, *ctx_path = NULL, *ts;
	enum output what = OUT_NONE;
	int presign = 0, rc = 1, i;
	char *req_data = NULL, *ctx_data = NULL, msg[700];
	size_t req_len, ctx_len;
	cJSON *ctx = NULL, *creds, *exp;
	parsed_request_t r;
	sigv4_signer_t *signer = NULL;
	sigv4_request_t sreq;
	sigv4_params_t params;
	sigv4_result_t res;
	err_t e;

	memset(&r, 0, sizeof(r));
	memset(&params, 0, sizeof(params));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		enum output o = OUT_NONE;

		if (!strcmp(a, "--request") && i + 1 < argc)
			req_path = argv[++i];
		else if (!strcmp(a, "--context") && i + 1 < argc)
			ctx_path = argv[++i];
		else if (!strcmp(a, "--presign"))
			presign = 1;
		else if (!strcmp(a, "--canonical-request"))
			o = OUT_CREQ;
		else if (!strcmp(a, "--string-to-sign"))
			o = OUT_STS;
		else if (!strcmp(a, "--signature"))
			o = OUT_SIG;
		else if (!strcmp(a, "--signed-request"))
			o = OUT_SIGNED;
		else
			return fail("unknown or incomplete argument %s", a);
		if (o != OUT_NONE) {
			if (what != OUT_NONE)
				return fail("give only one output option%s", "");
			what = o;
		}
	}
	if (!req_path || !ctx_path || what == OUT_NONE)
		return fail("usage: sigv4-sign --request FILE --context FILE "
			    "(--canonical-request|--string-to-sign|--signature|"
			    "--signed-request) [--presign]%s", "");

	req_data = read_file(req_path, &req_len);
	if (!req_data) {
		fail("cannot read request file %s", req_path);
		goto out;
	}
	ctx_data = read_file(ctx_path, &ctx_len);
	if (!ctx_data) {
		fail("cannot read context file %s", ctx_path);
		goto out;
	}
	if (parse_request(req_data, req_len, &r)) {
		fail("%s is not an HTTP/1.1 request", req_path);
		goto out;
	}
	ctx = cJSON_ParseWithLength(ctx_data, ctx_len);
	creds = cJSON_GetObjectItemCaseSensitive(ctx, "credentials");
	if (!cJSON_IsObject(ctx) || !cJSON_IsObject(creds)) {
		fail("%s is not a context object with credentials", ctx_path);
		goto out;
	}
	params.creds.access_key_id = json_str(creds, "access_key_id");
	params.creds.secret_access_key = json_str(creds, "secret_access_key");
	params.creds.session_token = json_str(creds, "token");
	params.region = json_str(ctx, "region");
	params.service = json_str(ctx, "service");
	ts = json_str(ctx, "timestamp");
	if (parse_time(ts, &params.time)) {
		fail("context timestamp must look like 2015-08-30T12:36:00Z%s", "");
		goto out;
	}
	if (!json_bool(ctx, "normalize", 1))
		params.flags |= SIGV4_NO_NORMALIZE;
	if (json_bool(ctx, "sign_body", 0))
		params.flags |= SIGV4_SIGN_BODY;
	if (json_bool(ctx, "omit_session_token", 0))
		params.flags |= SIGV4_OMIT_SESSION_TOKEN;
	if (presign) {
		params.flags |= SIGV4_PRESIGN;
		exp = cJSON_GetObjectItemCaseSensitive(ctx, "expiration_in_seconds");
		if (!cJSON_IsNumber(exp) || exp->valuedouble < 1 ||
		    exp->valuedouble > SIGV4_MAX_EXPIRES) {
			fail("--presign needs expiration_in_seconds in 1..604800%s", "");
			goto out;
		}
		params.expires = (uint32_t)exp->valuedouble;
	}

	memset(&sreq, 0, sizeof(sreq));
	sreq.method = r.method;
	sreq.path = r.path;
	sreq.path_len = r.path_len;
	sreq.query = r.query;
	sreq.query_len = r.query_len;
	sreq.headers = r.headers;
	sreq.n_headers = r.n_headers;
	sreq.body = r.body;
	sreq.body_len = r.body_len;
	/* Optional, as in aws-c-auth's signing config: a fixed payload hash
	 * such as UNSIGNED-PAYLOAD instead of hashing the body. */
	sreq.payload_hash = json_str(ctx, "signed_body_value");

	signer = sigv4_signer_new();
	if (!signer) {
		fail("out of memory%s", "");
		goto out;
	}
	err_clear(&e);
	if (sigv4_sign(signer, &sreq, &params, &res, &e)) {
		fail("%s", err_format(&e, msg, sizeof(msg)));
		goto out;
	}
	switch (what) {
	case OUT_CREQ:
		fwrite(res.canonical_request, 1, res.canonical_request_len, stdout);
		break;
	case OUT_STS:
		fwrite(res.string_to_sign, 1, res.string_to_sign_len, stdout);
		break;
	case OUT_SIG:
		fputs(res.signature, stdout);
		break;
	default:
		print_signed(&r, &res);
	}
	rc = fflush(stdout) ? 1 : 0;
out:
	sigv4_signer_free(signer);
	cJSON_Delete(ctx);
	free(r.headers);
	free(r.method);
	free(req_data);
	free(ctx_data);
	return rc;
}
