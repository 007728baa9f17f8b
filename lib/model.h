/* model — the AWS API shapes driftd needs, generated from botocore's
 * service models by contrib/gen-model into lib/model_data.c.
 *
 * A shape is a typed node; structures, lists and maps own a run of members
 * in one shared member table (a list has one member, "member"; a map has
 * two, "key" and "value"). Members carry the wire bindings the protocols
 * need: location (body, URI label, query string, header), locationName,
 * EC2's queryName, flattening, XML namespace and attribute flags, timestamp
 * format and the required / idempotency-token traits. A string shape
 * carries its enum values as the model had them when the tables were
 * generated: AWS adds values faster than any model is refreshed, so they
 * are advice (a config warning), never a reason to refuse a call. Everything here is
 * static const data; nothing is allocated. */
#ifndef DRIFTD_MODEL_H
#define DRIFTD_MODEL_H

typedef enum model_type {
	MODEL_STRUCTURE, MODEL_LIST, MODEL_MAP, MODEL_STRING, MODEL_INTEGER,
	MODEL_LONG, MODEL_FLOAT, MODEL_DOUBLE, MODEL_BOOLEAN, MODEL_TIMESTAMP,
	MODEL_BLOB,
} model_type_t;

typedef enum model_location {
	MODEL_LOC_BODY, MODEL_LOC_URI, MODEL_LOC_QUERYSTRING, MODEL_LOC_HEADER,
	MODEL_LOC_HEADERS, MODEL_LOC_STATUS,
} model_location_t;

typedef enum model_ts_format {
	MODEL_TS_DEFAULT, MODEL_TS_ISO8601, MODEL_TS_UNIX, MODEL_TS_RFC822,
} model_ts_format_t;

#define MODEL_F_REQUIRED     0x01 /* member must be present             */
#define MODEL_F_IDEMPOTENCY  0x02 /* filled with a UUID when absent     */
#define MODEL_F_XML_ATTR     0x04 /* XML attribute, not element         */
#define MODEL_F_FLATTENED    0x08 /* list/map without wrapper element   */
#define MODEL_F_JSONVALUE    0x10 /* header holds base64 JSON           */
#define MODEL_F_HOSTLABEL    0x20 /* bound into the endpoint host       */

typedef struct model_member {
	const char    *name;        /* AWS member name ("member", "key")   */
	const char    *wire_name;   /* locationName, NULL = name           */
	const char    *query_name;  /* EC2 queryName, NULL = none          */
	const char    *xml_ns;      /* xmlNamespace uri, NULL = none       */
	const char    *xml_ns_prefix;
	unsigned short shape;       /* index into the shape table          */
	unsigned char  location;    /* model_location_t                    */
	unsigned char  flags;       /* MODEL_F_*                           */
	unsigned char  ts_format;   /* model_ts_format_t                   */
} model_member_t;

typedef struct model_shape {
	const char    *name;
	unsigned char  type;        /* model_type_t                        */
	unsigned char  flags;       /* MODEL_F_FLATTENED                   */
	unsigned short n_members;
	unsigned int   first_member;
	const char    *payload;     /* structure: payload member, NULL     */
	const char    *wire_name;   /* shape locationName (XML root)       */
	const char    *xml_ns;      /* shape xmlNamespace uri              */
	const char    *enum_values; /* string: AWS's values "a|b|c", or NULL */
} model_shape_t;

#define MODEL_TOKENS_MAX 3

typedef struct model_paginator {
	const char *input_token[MODEL_TOKENS_MAX];  /* NULL-padded          */
	const char *output_token[MODEL_TOKENS_MAX]; /* dotted member paths  */
	const char *more_results;                   /* e.g. "IsTruncated"   */
	const char *limit_key;
	const char *result_key;                     /* first result key     */
} model_paginator_t;

typedef struct model_operation {
	const char *service;        /* driftd service name                 */
	const char *name;           /* "DescribeVpcs"                      */
	const char *http_method;
	const char *request_uri;    /* URI template                        */
	int         input;          /* shape index, -1 = none              */
	int         output;         /* shape index, -1 = none              */
	const char *result_wrapper; /* query: "DescribeDBInstancesResult"  */
	const char *input_wire_name;/* rest-xml: input ref locationName    */
	const char *input_xml_ns;   /* rest-xml: input ref xmlNamespace    */
	int         paginator;      /* index, -1 = not paginated           */
	int         flags;          /* MODEL_OP_*                          */
} model_operation_t;

/* S3 rejects some PUTs without a body checksum (httpChecksumRequired). */
#define MODEL_OP_CHECKSUM_REQUIRED 0x01
/* Sent unsigned: the model's auth list names smithy.api#noAuth first, or
 * (older models) its authtype is "none"; STS AssumeRoleWithWebIdentity
 * and AssumeRoleWithSAML. The SDKs send these without Authorization,
 * X-Amz-Date or X-Amz-Security-Token (botocore: resolve_auth_type in
 * auth.py, disable_signing for auth type "none"). */
#define MODEL_OP_NO_AUTH           0x02

/* NULL when the operation is not in the generated tables. */
const model_operation_t *model_operation_find(const char *service,
					      const char *name);
/* 1 when op is sent unsigned (MODEL_OP_NO_AUTH); 0 for NULL. */
int model_operation_no_auth(const model_operation_t *op);
/* NULL-terminated walk over every operation. */
const model_operation_t *model_operation_at(int index);
/* NULL for an out-of-range index (including -1). */
const model_shape_t *model_shape(int index);
/* The i-th member of a structure/list/map, NULL when out of range. */
const model_member_t *model_member(const model_shape_t *shape, int i);
/* A structure's member by AWS name, NULL when it has none. */
const model_member_t *model_member_find(const model_shape_t *shape,
					const char *name);
const model_paginator_t *model_paginator(const model_operation_t *op);
/* Name on the wire: locationName when set, else the member name. */
const char *model_member_wire_name(const model_member_t *m);

#endif
