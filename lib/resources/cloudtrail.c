/* AWS CloudTrail: trails (the trail that records the account's management
 * events, which EventBridge turns into the "AWS API Call via CloudTrail"
 * events driftd's event-driven mode reacts to).
 *
 * DescribeTrails lists a region's trails in one call; includeShadowTrails
 * false keeps a multi-region trail to its home region, where it is managed
 * (CloudTrail API Reference, DescribeTrails). A trail's name is unique in
 * its region and is its identity; its ARN is the id every call takes (each
 * accepts a name or an ARN, ListTags only ARNs). Tags are read per trail
 * (ListTags, read_each).
 *
 * Whether the trail logs is no part of its definition: GetTrailStatus says
 * it (a live_read, so that the refresh and a read of the one trail see it)
 * and StartLogging/StopLogging change it (trail_plan_logging). A trail is
 * created not logging. Stopping a trail is how an intruder hides: a
 * configured "IsLogging": true that is found false is drift and is
 * started again.
 *
 * Every other setting is changed by UpdateTrail. The create and update
 * member EnableLogFileValidation is read as LogFileValidationEnabled. The
 * trail's bucket must allow CloudTrail to write first (CreateTrail fails
 * with InsufficientS3BucketPolicyException): config gives it by reference
 * (${s3.bucket.NAME.Bucket}), so the bucket and its policy come first. */
#include <errno.h>
#include <string.h>

#include "resources.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

#define UPDATE_TRAIL(member) \
	.update_op = "UpdateTrail", \
	.update_params = "{\"Name\":\"$id\",\"" member "\":\"$value\"}"

/* StartLogging for true, StopLogging for false; nothing when config
 * leaves IsLogging out. */
static cJSON *trail_plan_logging(const res_attr_t *a, const cJSON *desired,
				 const cJSON *added, const cJSON *removed,
				 const cJSON *item, err_t *err)
{
	cJSON *calls = cJSON_CreateArray();

	(void)a;
	(void)added;
	(void)removed;
	(void)item;
	if (!calls)
		return res_nomem(NULL, err);
	if (!cJSON_IsBool(desired))
		return calls;
	if (res_plan_call(calls, cJSON_IsTrue(desired) ? "StartLogging" : "StopLogging",
			  cJSON_Parse("{\"Name\":\"$id\"}")))
		return res_nomem(calls, err);
	return calls;
}

static int check_bool(const cJSON *v, err_t *e)
{
	return cJSON_IsBool(v) ? 0 : err_set(e, -EINVAL, "expected true or false");
}

/* CloudTrail takes an alias too (UpdateTrail, KmsKeyId), but answers the
 * key's ARN: an alias would be drift on every read. */
static int check_trail_key(const cJSON *v, err_t *e)
{
	if (!cJSON_IsString(v))
		return err_set(e, -EINVAL, "expected a KMS key id or key ARN");
	if (!strncmp(v->valuestring, "alias/", 6) || strstr(v->valuestring, ":alias/"))
		return err_set(e, -EINVAL, "CloudTrail answers the key's ARN, not "
			       "the alias \"%s\": give the key's id or ARN (a "
			       "reference such as ${kms.key.NAME.Arn})", v->valuestring);
	return 0;
}

static const res_attr_t trail_attrs[] = {
	{ .name = "Name", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "S3BucketName", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED, UPDATE_TRAIL("S3BucketName") },
	{ .name = "S3KeyPrefix", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  UPDATE_TRAIL("S3KeyPrefix") },
	{ .name = "IsMultiRegionTrail", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .default_json = "false", .check = check_bool,
	  UPDATE_TRAIL("IsMultiRegionTrail") },
	{ .name = "IncludeGlobalServiceEvents", .kind = RES_SCALAR,
	  .mutability = RES_IN_PLACE, .default_json = "true", .check = check_bool,
	  UPDATE_TRAIL("IncludeGlobalServiceEvents") },
	{ .name = "EnableLogFileValidation", .live_path = "LogFileValidationEnabled",
	  .kind = RES_SCALAR, .mutability = RES_IN_PLACE, .default_json = "false",
	  .check = check_bool, UPDATE_TRAIL("EnableLogFileValidation") },
	/* SSE-KMS of the log files: a key id or ARN (the read answers the
	 * ARN, compared as the id). */
	{ .name = "KmsKeyId", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .normalize = res_kms_key_id, .check = check_trail_key,
	  UPDATE_TRAIL("KmsKeyId") },
	{ .name = "IsLogging", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE, .check = check_bool,
	  .update_op = "StartLogging", .plan = trail_plan_logging,
	  .plan_ops = "StopLogging",
	  .live_read = { "GetTrailStatus", "{\"Name\":\"$id\"}", "IsLogging", NULL } },
	{ .name = "Tags", .kind = RES_TAGS, .mutability = RES_IN_PLACE },
	{ .name = "TrailARN", .mutability = RES_READ_ONLY },
	{ .name = "HomeRegion", .mutability = RES_READ_ONLY },
};

static const char *const trail_names[] = { "Name", NULL };

const res_type_t res_cloudtrail_types[] = {
	{ .name = "cloudtrail.trail",
	  .arn = "arn:{partition}:cloudtrail:{region}:{account}:trail/{Name}",
	  .service = "cloudtrail",
	  .summary = "a CloudTrail trail: the account's API calls, logged to S3",
	  .identity = RES_ID_NAME, .name_attrs = trail_names,
	  .id_path = "TrailARN", .arn_path = "TrailARN",
	  .read = { "DescribeTrails", "{\"includeShadowTrails\":false}", "trailList" },
	  .read_each = {
		  { "ListTags", "{\"ResourceIdList\":[\"$id\"]}",
		    "ResourceTagList.0.TagsList", "Tags", NULL },
	  },
	  .read_one = { "GetTrail", "{\"Name\":\"$id\"}", "Trail" },
	  .create = { "CreateTrail", "{\"TagsList\":\"$tags\"}", NULL },
	  .remove = { "DeleteTrail", "{\"Name\":\"$id\"}", NULL },
	  .tag = { "AddTags", "{\"ResourceId\":\"$id\",\"TagsList\":\"$tags\"}", NULL },
	  .untag = { "RemoveTags",
		     "{\"ResourceId\":\"$id\",\"TagsList\":\"$tag_key_objects\"}", NULL },
	  .tag_style = RES_TAGS_LIST,
	  .attrs = trail_attrs, .n_attrs = N_ELEMS(trail_attrs) },
};

const size_t res_cloudtrail_n_types = N_ELEMS(res_cloudtrail_types);
