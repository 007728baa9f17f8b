/* proto — the five AWS wire protocols (query, ec2, json, rest-json,
 * rest-xml), driven by the generated shape tables in model.
 *
 * Pure functions: no I/O, no clock other than the idempotency-token UUIDs
 * (RAND_bytes). Parameters and results are cJSON in the operation's
 * shapes, keyed by AWS member names ({"Filters":[{"Name":..}]}). Results
 * are uniform across protocols: lists are arrays, numbers and booleans
 * typed, timestamps ISO 8601 UTC strings, query resultWrapper stripped,
 * header- and status-bound output members included, JSON nulls dropped.
 * Blobs stay base64 text both ways (params give the raw string). */
#ifndef DRIFTD_PROTO_H
#define DRIFTD_PROTO_H

#include <stddef.h>
#include <cJSON.h>
#include "err.h"
#include "services.h"

#define PROTO_MAX_DEPTH 32   /* params / response nesting bound */

typedef struct proto_header {
	char *name;
	char *value;
} proto_header_t;

/* A serialized request. All strings are owned; free with
 * proto_request_free. path is the expanded URI path (percent-encoded),
 * query the encoded query string without '?' ("" when none; keys without
 * value such as S3's "versioning" appear bare). body may hold NULs only
 * for blob payloads; body_len is authoritative. */
typedef struct proto_request {
	const char     *method;     /* static string */
	char           *path;
	char           *query;
	proto_header_t *headers;
	size_t          n_headers;
	char           *body;
	size_t          body_len;
} proto_request_t;

/* Serializes operation `op` of `svc` with `params` (NULL = {}). Unknown or
 * missing required members, wrong JSON types and unknown operations fail
 * with -EINVAL and a message naming the member path. On success *out is
 * set; the caller frees it with proto_request_free. */
int proto_build_request(const service_def_t *svc, const char *op,
			const cJSON *params, proto_request_t **out, err_t *e);
void proto_request_free(proto_request_t *r);
/* Case-insensitive header lookup; NULL when absent. */
const char *proto_request_header(const proto_request_t *r, const char *name);

/* Parses an HTTP response. status < 300: *result gets the output (caller
 * cJSON_Deletes it); a body that does not parse gives -EPROTO. status >=
 * 300: returns -EREMOTEIO with the AWS error code, message, request id and
 * HTTP status in e (err_set_aws) and *result = NULL; a body that is
 * neither AWS XML nor JSON still yields a code derived from the status.
 * headers may be NULL when n_headers is 0. */
int proto_parse_response(const service_def_t *svc, const char *op, int status,
			 const proto_header_t *headers, size_t n_headers,
			 const char *body, size_t body_len, cJSON **result,
			 err_t *e);

/* Pagination: from the operation's paginator, copy the next-page tokens
 * of `result` into `params` (the previous request's params, modified in
 * place). Returns 1 when another page should be fetched, 0 when done (no
 * paginator, no token, IsTruncated false, or the token did not change),
 * negative on error. */
int proto_page_next(const service_def_t *svc, const char *op,
		    const cJSON *result, cJSON *params, err_t *e);

/* Formats a UNIX time (seconds, may have a fraction) as ISO 8601 UTC into
 * buf ("2024-01-02T03:04:05Z", or with .mmm); -ERANGE (and "") outside
 * years 1-9999 or for NaN, which proto_time_in_range tells. Parses ISO 8601,
 * RFC 822 or epoch-seconds text into *t; returns 0 or -EINVAL (also when
 * out of range). */
int proto_time_in_range(double t);
int proto_time_format(double t, char *buf, size_t len);
int proto_time_parse(const char *s, double *t);

#endif
