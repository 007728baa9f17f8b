/* cred_resolve — runs driftd's default credential chain once against the
 * real environment and files and prints the outcome as JSON, so tests can
 * compare it with botocore's. Network sources are unavailable (the
 * transport refuses every call). Secrets are printed only as SHA-256. */
#include <cJSON.h>
#include <errno.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "credentials.h"

static int refuse_http(void *ctx, const char *method, const char *url,
		       const char *const *headers, const char *body,
		       long timeout_ms, cred_http_cb cb, void *data, err_t *e)
{
	(void)ctx; (void)method; (void)headers; (void)body; (void)timeout_ms;
	(void)cb; (void)data;
	return err_set(e, -ENETUNREACH, "no network in cred_resolve (%s)", url);
}

static int refuse_sts(void *ctx, const char *region, const char *action,
		      const char *const *params, const cred_t *source,
		      cred_sts_cb cb, void *data, err_t *e)
{
	(void)ctx; (void)region; (void)params; (void)source; (void)cb;
	(void)data;
	return err_set(e, -ENETUNREACH, "no network in cred_resolve (%s)",
		       action);
}

static void add_sha256(cJSON *o, const char *name, const char *value)
{
	unsigned char md[32];
	unsigned int n = 0;
	char hex[65];
	unsigned int i;

	EVP_Digest(value, strlen(value), md, &n, EVP_sha256(), NULL);
	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	cJSON_AddStringToObject(o, name, hex);
}

static void done(void *data, const cred_t *cred, const err_t *e)
{
	cJSON *o = cJSON_CreateObject();
	char *text;

	if (cred) {
		cJSON_AddStringToObject(o, "access_key_id", cred->access_key_id);
		add_sha256(o, "secret_sha256", cred->secret_access_key);
		add_sha256(o, "token_sha256", cred->session_token);
		cJSON_AddNumberToObject(o, "expiration", (double)cred->expiration);
		cJSON_AddStringToObject(o, "source", cred->source);
	} else {
		cJSON_AddStringToObject(o, "error", e->message);
		cJSON_AddNumberToObject(o, "code", e->code);
	}
	text = cJSON_PrintUnformatted(o);
	printf("%s\n", text);
	free(text);
	cJSON_Delete(o);
	*(int *)data = 1;
}

int main(void)
{
	cred_provider_opts_t o;
	cred_provider_t *p;
	uv_loop_t loop;
	char buf[1024];
	int finished = 0;
	err_t e;

	uv_loop_init(&loop);
	memset(&o, 0, sizeof(o));
	o.loop = &loop;
	o.transport.http = refuse_http;
	o.transport.sts = refuse_sts;
	if (cred_provider_new(&o, &p, &e)) {
		printf("{\"error\": \"%s\", \"code\": %d}\n", "provider", e.code);
		fprintf(stderr, "%s\n", err_format(&e, buf, sizeof(buf)));
		uv_loop_close(&loop);
		return 1;
	}
	cred_provider_get(p, done, &finished);
	while (!finished && uv_run(&loop, UV_RUN_ONCE))
		;
	cred_provider_free(p);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	return finished ? 0 : 1;
}
