/* services — what driftd knows about each AWS service it talks to: wire
 * protocol, API version, signing name, endpoint prefix, and whether it is a
 * global service signed in us-east-1. One table in services.c. */
#ifndef DRIFTD_SERVICES_H
#define DRIFTD_SERVICES_H

typedef enum proto_kind {
	PROTO_QUERY,      /* form-encoded Action=..&Version=.., XML reply */
	PROTO_EC2,        /* like query, EC2's own list and error rules   */
	PROTO_JSON,       /* POST /, X-Amz-Target, application/x-amz-json */
	PROTO_REST_JSON,  /* HTTP method + URI template, JSON body         */
	PROTO_REST_XML,   /* HTTP method + URI template, XML body          */
} proto_kind_t;

typedef struct service_def {
	const char  *name;            /* driftd's name: "ec2", "elbv2", ...   */
	const char  *endpoint_prefix; /* host label: "elasticloadbalancing"   */
	const char  *signing_name;    /* SigV4 scope service                   */
	const char  *env_suffix;      /* AWS_ENDPOINT_URL_<suffix>             */
	const char  *config_key;      /* shared-config services section key    */
	proto_kind_t protocol;
	const char  *api_version;     /* "2016-11-15"                          */
	const char  *target_prefix;   /* json: X-Amz-Target prefix             */
	const char  *json_version;    /* json: "1.0" or "1.1"                  */
	const char  *global_region;   /* signing region of a global service    */
	const char  *global_host;     /* its single endpoint host              */
	/* Calls of this service driftd has started and not finished (retries
	 * and backoff included) at most; more wait in aws.c's queue in call
	 * order. 0 = no cap. For account-wide rate limits a retry cannot
	 * outrun (Route 53: five requests a second per account, and
	 * PriorRequestNotComplete while a change is applied). */
	int          max_in_flight;
} service_def_t;

const service_def_t *service_find(const char *name);
/* NULL-terminated walk: for (i = 0; (s = service_at(i)); i++) */
const service_def_t *service_at(int index);

#endif
