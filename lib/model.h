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
 * are advice (a config warning), never a reason to refuse a call.
 *
 * Everything here is static const data; nothing is allocated. The tables
 * hold no pointers: a name is a model_str_t, an offset into one string
 * pool (model_str() turns it into a C string, NULL for 0), and a shape,
 * member or paginator is an index into its table. A pointer in a PIE is
 * relocated at startup, which writes every page holding one: 0.5 MiB of
 * private memory in every daemon, read or not. Without them the tables
 * stay in .rodata, shared with the page cache, and only the pages a
 * request reads are ever resident. */
#ifndef DRIFTD_MODEL_H
#define DRIFTD_MODEL_H

#include <stddef.h>
#include <stdint.h>

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

/* A string of the tables: an offset into model_strings, 0 = none. */
typedef uint32_t model_str_t;

/* The string pool, in lib/model_data.c with the tables below. */
extern const char model_strings[];

/* The string at off, NULL for 0 (none). */
static inline const char *model_str(model_str_t off)
{
	return off ? model_strings + off : NULL;
}

typedef struct model_member {
	model_str_t name;           /* AWS member name ("member", "key")   */
	model_str_t wire_name;      /* locationName, 0 = name              */
	model_str_t query_name;     /* EC2 queryName, 0 = none             */
	model_str_t xml_ns;         /* xmlNamespace uri, 0 = none          */
	model_str_t xml_ns_prefix;
	uint16_t    shape;          /* index into the shape table          */
	uint8_t     location;       /* model_location_t                    */
	uint8_t     flags;          /* MODEL_F_*                           */
	uint8_t     ts_format;      /* model_ts_format_t                   */
} model_member_t;

typedef struct model_shape {
	model_str_t name;
	uint8_t     type;           /* model_type_t                        */
	uint8_t     flags;          /* MODEL_F_FLATTENED                   */
	uint16_t    n_members;
	uint32_t    first_member;
	model_str_t payload;        /* structure: payload member, 0 = none */
	model_str_t wire_name;      /* shape locationName (XML root)       */
	model_str_t xml_ns;         /* shape xmlNamespace uri              */
	model_str_t enum_values;    /* string: AWS's values "a|b|c", 0 = none */
} model_shape_t;

#define MODEL_TOKENS_MAX 3

typedef struct model_paginator {
	model_str_t input_token[MODEL_TOKENS_MAX];  /* 0-padded             */
	model_str_t output_token[MODEL_TOKENS_MAX]; /* dotted member paths  */
	model_str_t more_results;                   /* e.g. "IsTruncated"   */
	model_str_t limit_key;
	model_str_t result_key;                     /* first result key     */
} model_paginator_t;

typedef struct model_operation {
	model_str_t service;        /* driftd service name                 */
	model_str_t name;           /* "DescribeVpcs"                      */
	model_str_t http_method;
	model_str_t request_uri;    /* URI template                        */
	int         input;          /* shape index, -1 = none              */
	int         output;         /* shape index, -1 = none              */
	model_str_t result_wrapper; /* query: "DescribeDBInstancesResult"  */
	model_str_t input_wire_name;/* rest-xml: input ref locationName    */
	model_str_t input_xml_ns;   /* rest-xml: input ref xmlNamespace    */
	int         paginator;      /* index, -1 = not paginated           */
	int         flags;          /* MODEL_OP_*                          */
} model_operation_t;

/* The generated tables, in lib/model_data.c, and their lengths. */
extern const model_shape_t model_shapes[];
extern const int model_n_shapes;
extern const model_member_t model_members[];
extern const int model_n_members;
extern const model_paginator_t model_paginators[];
extern const int model_n_paginators;
extern const model_operation_t model_operations[];
extern const int model_n_operations;

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
