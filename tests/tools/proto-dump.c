/* proto-dump — shows what lib/proto does, for the botocore oracle.
 *
 *   proto-dump build SERVICE OPERATION PARAMS_JSON
 *       prints {"method","path","query","headers":{..},"body"}
 *   proto-dump parse SERVICE OPERATION STATUS [HEADERS_JSON] < body
 *       prints the parsed result, or {"error":{code,message,request_id,
 *       http_status}} for an AWS error.
 * Exit status 0 on success, 1 on an error printed as {"error": ..}, 2 on
 * usage errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "err.h"
#include "proto.h"
#include "services.h"

static int print_error(const err_t *e)
{
	cJSON *o = cJSON_CreateObject(), *er = cJSON_AddObjectToObject(o, "error");
	char *s;

	cJSON_AddStringToObject(er, "code", e->aws_code);
	cJSON_AddStringToObject(er, "message", e->message);
	cJSON_AddStringToObject(er, "request_id", e->request_id);
	cJSON_AddNumberToObject(er, "http_status", e->http_status);
	cJSON_AddNumberToObject(er, "errno", e->code);
	s = cJSON_PrintUnformatted(o);
	puts(s);
	free(s);
	cJSON_Delete(o);
	return 1;
}

static int do_build(const service_def_t *svc, const char *op, const char *json)
{
	cJSON *params = cJSON_Parse(json), *o, *h;
	proto_request_t *r = NULL;
	err_t e = { 0 };
	char *s;
	size_t i;

	if (!params) {
		fprintf(stderr, "proto-dump: params are not JSON\n");
		return 2;
	}
	if (proto_build_request(svc, op, params, &r, &e)) {
		cJSON_Delete(params);
		return print_error(&e);
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "method", r->method);
	cJSON_AddStringToObject(o, "path", r->path);
	cJSON_AddStringToObject(o, "query", r->query);
	h = cJSON_AddObjectToObject(o, "headers");
	for (i = 0; i < r->n_headers; i++)
		cJSON_AddStringToObject(h, r->headers[i].name, r->headers[i].value);
	cJSON_AddStringToObject(o, "body", r->body);
	s = cJSON_PrintUnformatted(o);
	puts(s);
	free(s);
	cJSON_Delete(o);
	cJSON_Delete(params);
	proto_request_free(r);
	return 0;
}

static int do_parse(const service_def_t *svc, const char *op, int status,
		    const char *headers_json)
{
	cJSON *hj = headers_json ? cJSON_Parse(headers_json) : NULL, *it, *result = NULL;
	proto_header_t *hs = NULL;
	size_t nh = 0, len = 0, cap = 0;
	char *body = NULL, *s;
	err_t e = { 0 };
	int rc = 0, ch;

	hs = calloc((size_t)cJSON_GetArraySize(hj) + 1, sizeof(*hs));
	cJSON_ArrayForEach(it, hj) {
		hs[nh].name = it->string;
		hs[nh].value = it->valuestring;
		nh++;
	}
	while ((ch = getchar()) != EOF) {
		if (len + 2 > cap) {
			cap = cap ? cap * 2 : 4096;
			body = realloc(body, cap);
		}
		body[len++] = (char)ch;
	}
	if (body)
		body[len] = '\0';
	if (proto_parse_response(svc, op, status, hs, nh, body, len, &result, &e)) {
		rc = print_error(&e);
	} else {
		s = cJSON_PrintUnformatted(result);
		puts(s);
		free(s);
	}
	cJSON_Delete(result);
	cJSON_Delete(hj);
	free(hs);
	free(body);
	return rc;
}

int main(int argc, char **argv)
{
	const service_def_t *svc;

	if (argc < 5 || (strcmp(argv[1], "build") && strcmp(argv[1], "parse"))) {
		fprintf(stderr, "usage: proto-dump build SERVICE OP PARAMS_JSON\n"
				"       proto-dump parse SERVICE OP STATUS [HEADERS_JSON] < body\n");
		return 2;
	}
	if (!(svc = service_find(argv[2]))) {
		fprintf(stderr, "proto-dump: unknown service %s\n", argv[2]);
		return 2;
	}
	if (!strcmp(argv[1], "build"))
		return do_build(svc, argv[3], argv[4]);
	return do_parse(svc, argv[3], atoi(argv[4]), argc > 5 ? argv[5] : NULL);
}
