/* Amazon Bedrock: the foundation models an application needs, checked
 * each poll. A model is not a resource driftd makes: access to it is
 * granted in the console (model access), so the type is a read-only
 * check. Its read is GetFoundationModel per model the config names (the
 * read is scoped by modelId); a model that is not offered in the region
 * fails that read with AWS's error code (ResourceNotFoundException), which
 * plan and apply report as a failed read while the other types converge.
 * GetFoundationModel describes a model whether or not the account may use
 * it: whether it may is GetFoundationModelAvailability's answer
 * (Availability), which the config pins and driftd reports when it
 * differs (Bedrock API reference, GetFoundationModelAvailability). */
#include "resources.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Bedrock's members are lowerCamelCase and config keys in lower case are
 * driftd's own (region, policy): attributes are named in UpperCamelCase
 * and read from AWS's members by live_path. */
static const res_attr_t model_attrs[] = {
	{ .name = "ModelId", .live_path = "modelId", .kind = RES_SCALAR,
	  .mutability = RES_CREATE_ONLY,
	  .flags = RES_REQUIRED },
	/* An operator may pin the lifecycle the application expects: a
	 * model AWS marks LEGACY is then reported (never changed). */
	{ .name = "ModelLifecycleStatus", .live_path = "modelLifecycle.status",
	  .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY },
	/* {authorizationStatus AUTHORIZED|NOT_AUTHORIZED,
	 *  entitlementAvailability and regionAvailability AVAILABLE|NOT_AVAILABLE,
	 *  agreementAvailability {status AVAILABLE|PENDING|NOT_AVAILABLE|ERROR}}:
	 * only the members config sets are compared; a difference is reported
	 * every poll and never changed (access is granted in the console). */
	{ .name = "Availability", .kind = RES_OBJECT, .mutability = RES_CREATE_ONLY,
	  .live_read = { "GetFoundationModelAvailability", "{\"modelId\":\"$id\"}", "", NULL } },
	{ .name = "ModelArn", .live_path = "modelArn", .mutability = RES_READ_ONLY },
	{ .name = "ModelName", .live_path = "modelName", .mutability = RES_READ_ONLY },
	{ .name = "ProviderName", .live_path = "providerName", .mutability = RES_READ_ONLY },
};

static const char *const model_names[] = { "ModelId", NULL };

const res_type_t res_bedrock_types[] = {
	{ .name = "bedrock.foundation_model_access", .service = "bedrock",
	  .summary = "a check that a Bedrock foundation model is available to the account",
	  .identity = RES_ID_NAME, .name_attrs = model_names,
	  .id_path = "modelId", .arn_path = "modelArn",
	  .read = { "GetFoundationModel", "{\"modelIdentifier\":\"$attr:ModelId\"}",
		    "modelDetails" },
	  .read_one = { "GetFoundationModel", "{\"modelIdentifier\":\"$id\"}",
			"modelDetails" },
	  .attrs = model_attrs, .n_attrs = N_ELEMS(model_attrs) },
};

const size_t res_bedrock_n_types = N_ELEMS(res_bedrock_types);
