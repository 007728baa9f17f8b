/* driftd aws SERVICE OPERATION [NAME=VALUE ...] [--json BODY]
 *
 * One call with driftd's own credentials, endpoints and retries; the
 * result is printed as JSON. Operators use it to see what driftd sees. The
 * call is signed unless the model marks the operation noAuth (aws.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <uv.h>

#include "aws.h"
#include "cli.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: driftd aws SERVICE OPERATION [NAME=VALUE ...] "
		"[--json BODY] [--region REGION] [--all-pages]\n"
		"       [--timeout SECONDS]\n"
		"  NAME=VALUE sets one top-level parameter; VALUE is read as "
		"JSON when it is\n"
		"  valid JSON (7, true, [\"a\"], {\"k\":1}), else as a string.\n"
		"  --json BODY gives all parameters as one JSON object.\n");
}

/* NAME=VALUE: the value is JSON when it parses as JSON. */
static int add_param(cJSON *params, const char *arg)
{
	const char *eq = strchr(arg, '=');
	cJSON *value;
	char *name;

	if (!eq || eq == arg)
		return -1;
	name = strndup(arg, (size_t)(eq - arg));
	if (!name)
		return -1;
	value = cJSON_ParseWithOpts(eq + 1, NULL, 1);
	if (!value)
		value = cJSON_CreateString(eq + 1);
	cJSON_DeleteItemFromObjectCaseSensitive(params, name);
	cJSON_AddItemToObject(params, name, value);
	free(name);
	return 0;
}

static void close_done(void *data)
{
	(void)data;
}

int cmd_aws(int argc, char **argv)
{
	const char *service = NULL, *operation = NULL, *region = NULL;
	cJSON *params = cJSON_CreateObject(), *result = NULL, *body;
	aws_options_t opts;
	aws_client_t *client = NULL;
	unsigned flags = 0;
	double timeout_s = 0;
	char *end;
	char msg[1024], *text;
	uv_loop_t loop;
	err_t e;
	int i, rc = 2;

	uv_loop_init(&loop);
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && i + 1 < argc) {
			body = cJSON_Parse(argv[++i]);
			if (!cJSON_IsObject(body)) {
				fprintf(stderr, "driftd aws: --json needs a JSON "
					"object\n");
				cJSON_Delete(body);
				goto out;
			}
			cJSON_Delete(params);
			params = body;
		} else if (!strcmp(argv[i], "--region") && i + 1 < argc) {
			region = argv[++i];
		} else if (!strcmp(argv[i], "--timeout") && i + 1 < argc) {
			timeout_s = strtod(argv[++i], &end);
			if (*end || timeout_s <= 0 || timeout_s > 3600) {
				fprintf(stderr, "driftd aws: --timeout takes "
					"seconds, more than 0 and at most 3600\n");
				goto out;
			}
		} else if (!strcmp(argv[i], "--all-pages")) {
			flags |= AWS_ALL_PAGES;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			rc = 0;
			goto out;
		} else if (!service) {
			service = argv[i];
		} else if (!operation) {
			operation = argv[i];
		} else if (add_param(params, argv[i])) {
			fprintf(stderr, "driftd aws: expected NAME=VALUE, got "
				"\"%s\"\n", argv[i]);
			goto out;
		}
	}
	if (!service || !operation) {
		usage(stderr);
		goto out;
	}
	memset(&opts, 0, sizeof(opts));
	opts.loop = &loop;
	opts.region = region;
	opts.timeout_ms = (long)(timeout_s * 1000);
	rc = 1;
	if (aws_client_new(&opts, &client, &e) ||
	    aws_call_sync(client, service, region, operation, params, flags,
			  &result, &e)) {
		fprintf(stderr, "driftd aws: %s\n", err_format(&e, msg,
							       sizeof(msg)));
		goto out;
	}
	text = cJSON_Print(result);
	if (text)
		printf("%s\n", text);
	free(text);
	rc = 0;
out:
	cJSON_Delete(result);
	cJSON_Delete(params);
	aws_client_close(client, close_done, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	return rc;
}
