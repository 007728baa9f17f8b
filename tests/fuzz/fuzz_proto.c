/* The wire protocols: the first byte picks an operation (one or more of
 * each of the five protocols) and what is fuzzed: a reply body with a 200
 * or an error status, or, as JSON, request parameters to serialize (the
 * path a config value takes to AWS). */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto.h"
#include "services.h"

static const struct { const char *svc, *op; } ops[] = {
	{ "iam", "GetRole" },                      /* query    */
	{ "sns", "ListSubscriptions" },            /* query    */
	{ "cloudwatch", "PutMetricData" },         /* query    */
	{ "ec2", "DescribeVpcs" },                 /* ec2      */
	{ "ec2", "DescribeSecurityGroups" },       /* ec2      */
	{ "kms", "DescribeKey" },                  /* json     */
	{ "logs", "DescribeLogGroups" },           /* json     */
	{ "eks", "DescribeCluster" },              /* rest-json */
	{ "eks", "CreateNodegroup" },              /* rest-json */
	{ "route53", "ListResourceRecordSets" },   /* rest-xml */
	{ "s3", "GetBucketTagging" },              /* rest-xml */
	{ "s3", "PutBucketLifecycleConfiguration" }, /* rest-xml */
};

#define N_OPS (sizeof(ops) / sizeof(ops[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int statuses[] = { 200, 200, 400, 404, 500, 503, 301, 204 };
	static char k1[] = "x-amzn-RequestId", v1[] = "req-1",
		    k2[] = "x-amzn-ErrorType", v2[] = "ThrottlingException:http://internal";
	proto_header_t h[] = { { k1, v1 }, { k2, v2 } };
	const service_def_t *svc;
	proto_request_t *req = NULL;
	cJSON *out = NULL, *params;
	char *text;
	size_t pick;
	err_t e;

	if (size < 2)
		return 0;
	pick = data[0] % N_OPS;
	svc = service_find(ops[pick].svc);
	if (!svc)
		return 0;
	if (data[1] & 0x80) {
		if (!(text = fuzz_text(data + 2, size - 2)))
			return 0;
		params = cJSON_Parse(text);
		free(text);
		if (params && !proto_build_request(svc, ops[pick].op, params, &req, &e))
			proto_request_free(req);
		cJSON_Delete(params);
		return 0;
	}
	if (!proto_parse_response(svc, ops[pick].op, statuses[data[1] & 7],
				  h, data[1] & 8 ? 2 : 0, (const char *)data + 2,
				  size - 2, &out, &e)) {
		if (!(data[1] & 0x40) || !(params = cJSON_CreateObject())) {
			cJSON_Delete(out);
			return 0;
		}
		proto_page_next(svc, ops[pick].op, out, params, &e);
		cJSON_Delete(params);
		cJSON_Delete(out);
	}
	return 0;
}
