/* Amazon S3: buckets. Member names are the botocore s3 model's
 * (2006-03-01). A bucket's name is its identity and its id. ListBuckets
 * answers only names and creation dates, for every region at once; each
 * configuration of a bucket is its own sub-resource with its own Get/Put
 * pair, read per managed bucket (live_read). S3 answers a configuration
 * that was never set with an error, not an empty value
 * (NoSuchLifecycleConfiguration, NoSuchPublicAccessBlockConfiguration,
 * ServerSideEncryptionConfigurationNotFoundError, NoSuchTagSet): those
 * codes are the table's absent codes, so such a bucket reads as "not set"
 * and the Put makes it. driftd never calls a Delete* for a configuration:
 * an attribute the config does not set is not managed, so dropping one
 * from config leaves the bucket as it is.
 *
 * Outside us-east-1 CreateBucket needs CreateBucketConfiguration with the
 * bucket's region as LocationConstraint (API_CreateBucket); in us-east-1
 * AWS rejects it, so the config sets it only for other regions. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "jsonutil.h"
#include "normalize.h"
#include "resources.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

#define BUCKET "{\"Bucket\":\"$id\"}"

/* ListBuckets names a bucket "Name" where every request says "Bucket":
 * the item gets Bucket too, so that the id, the name attribute and the
 * create request (an item made from it: CreateBucket answers only a
 * Location) all use one member. */
static int bucket_fix_live(const res_type_t *t, cJSON *item, err_t *err)
{
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "Name");

	(void)t;
	if (!cJSON_IsString(name) || cJSON_GetObjectItemCaseSensitive(item, "Bucket"))
		return 0;
	if (!cJSON_AddStringToObject(item, "Bucket", name->valuestring))
		return err_set(err, -ENOMEM, "out of memory");
	return 0;
}

/* Lifecycle rules as compared: rules by ID, transitions by age. AWS
 * answers the rules of PutBucketLifecycleConfiguration in no promised
 * order; a rule's Prefix is the legacy form of Filter.Prefix, and an
 * empty Prefix beside a Filter says nothing. */
static cJSON *s3_lifecycle(const cJSON *value, err_t *err)
{
	cJSON *out, *rule, *prefix;
	int rc;

	if (!cJSON_IsObject(value)) {
		err_set(err, -EINVAL, "LifecycleConfiguration must be an object with Rules");
		return NULL;
	}
	if (!(out = cJSON_Duplicate(value, 1)))
		return res_nomem(NULL, err);
	rc = res_sort_members(out, "Rules", "ID");
	cJSON_ArrayForEach(rule, cJSON_GetObjectItemCaseSensitive(out, "Rules")) {
		prefix = cJSON_GetObjectItemCaseSensitive(rule, "Prefix");
		if (cJSON_IsString(prefix) && !*prefix->valuestring &&
		    cJSON_GetObjectItemCaseSensitive(rule, "Filter"))
			cJSON_DeleteItemFromObjectCaseSensitive(rule, "Prefix");
		if (!rc)
			rc = res_sort_members(rule, "Transitions", "Days");
		if (!rc)
			rc = res_sort_members(rule, "NoncurrentVersionTransitions",
					      "NoncurrentDays");
	}
	if (rc)
		return res_nomem(out, err);
	return out;
}

/* Default encryption as compared: GetBucketEncryption answers every rule
 * with BucketKeyEnabled, false when the Put left it out. */
static cJSON *s3_encryption(const cJSON *value, err_t *err)
{
	cJSON *out, *rule;

	if (!cJSON_IsObject(value)) {
		err_set(err, -EINVAL, "ServerSideEncryptionConfiguration must be an "
			"object with Rules");
		return NULL;
	}
	if (!(out = cJSON_Duplicate(value, 1)))
		return res_nomem(NULL, err);
	cJSON_ArrayForEach(rule, cJSON_GetObjectItemCaseSensitive(out, "Rules"))
		if (cJSON_IsObject(rule) &&
		    !cJSON_GetObjectItemCaseSensitive(rule, "BucketKeyEnabled") &&
		    !cJSON_AddFalseToObject(rule, "BucketKeyEnabled"))
			return res_nomem(out, err);
	return out;
}

/* PutBucketTagging replaces the whole tag set: the call carries the tags
 * the bucket has (others may have tagged it) with driftd's added or
 * changed keys over them. */
static cJSON *s3_plan_tags(const res_attr_t *a, const cJSON *desired,
			   const cJSON *added, const cJSON *removed,
			   const cJSON *item, err_t *err)
{
	cJSON *calls = cJSON_CreateArray(), *map, *params, *set, *tag, *el;

	(void)a;
	(void)desired;
	(void)removed;
	if (!calls)
		return res_nomem(NULL, err);
	if (!cJSON_GetArraySize(added))
		return calls;
	map = diff_tags_to_map(json_get_path(item, "TagSet"));
	params = cJSON_Parse("{\"Bucket\":\"$id\",\"Tagging\":{}}");
	set = params ? cJSON_AddArrayToObject(
		cJSON_GetObjectItemCaseSensitive(params, "Tagging"), "TagSet") : NULL;
	if (!map || !set) {
		cJSON_Delete(map);
		cJSON_Delete(params);
		return res_nomem(calls, err);
	}
	cJSON_ArrayForEach(tag, added) {
		cJSON_DeleteItemFromObjectCaseSensitive(map, tag->string);
		cJSON_AddItemToObject(map, tag->string, cJSON_Duplicate(tag, 1));
	}
	cJSON_ArrayForEach(tag, map) {
		el = cJSON_CreateObject();
		if (!el || !cJSON_AddItemToArray(set, el) ||
		    !cJSON_AddStringToObject(el, "Key", tag->string) ||
		    !cJSON_AddStringToObject(el, "Value", cJSON_IsString(tag) ?
					     tag->valuestring : "")) {
			cJSON_Delete(map);
			cJSON_Delete(params);
			return res_nomem(calls, err);
		}
	}
	cJSON_Delete(map);
	if (res_plan_call(calls, "PutBucketTagging", params))
		return res_nomem(calls, err);
	return calls;
}

static const res_attr_t bucket_attrs[] = {
	{ .name = "Bucket", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	/* GetBucketLocation answers {"LocationConstraint": region}, the
	 * member CreateBucket took it in (null for us-east-1). */
	{ .name = "CreateBucketConfiguration", .kind = RES_OBJECT,
	  .mutability = RES_REPLACE,
	  .live_read = { "GetBucketLocation", BUCKET, "", NULL } },
	{ .name = "VersioningConfiguration", .kind = RES_OBJECT,
	  .mutability = RES_IN_PLACE, .flags = RES_NOT_IN_CREATE,
	  .update_op = "PutBucketVersioning",
	  .update_params = "{\"Bucket\":\"$id\",\"VersioningConfiguration\":\"$value\"}",
	  .live_read = { "GetBucketVersioning", BUCKET, "", NULL } },
	{ .name = "ServerSideEncryptionConfiguration", .kind = RES_OBJECT,
	  .mutability = RES_IN_PLACE, .flags = RES_NOT_IN_CREATE,
	  .normalize = s3_encryption,
	  .update_op = "PutBucketEncryption",
	  .update_params = "{\"Bucket\":\"$id\",\"ServerSideEncryptionConfiguration\":\"$value\"}",
	  .live_read = { "GetBucketEncryption", BUCKET, "ServerSideEncryptionConfiguration",
			 "ServerSideEncryptionConfigurationNotFoundError" } },
	{ .name = "PublicAccessBlockConfiguration", .kind = RES_OBJECT,
	  .mutability = RES_IN_PLACE, .flags = RES_NOT_IN_CREATE,
	  .update_op = "PutPublicAccessBlock",
	  .update_params = "{\"Bucket\":\"$id\",\"PublicAccessBlockConfiguration\":\"$value\"}",
	  .live_read = { "GetPublicAccessBlock", BUCKET, "PublicAccessBlockConfiguration",
			 "NoSuchPublicAccessBlockConfiguration" } },
	{ .name = "LifecycleConfiguration", .kind = RES_OBJECT,
	  .mutability = RES_IN_PLACE, .flags = RES_NOT_IN_CREATE,
	  .normalize = s3_lifecycle,
	  .update_op = "PutBucketLifecycleConfiguration",
	  .update_params = "{\"Bucket\":\"$id\",\"LifecycleConfiguration\":\"$value\"}",
	  .live_read = { "GetBucketLifecycleConfiguration", BUCKET, "",
			 "NoSuchLifecycleConfiguration" } },
	/* The bucket policy: a document S3 takes and answers as text
	 * (PutBucketPolicy, GetBucketPolicy); a bucket without one answers
	 * NoSuchBucketPolicy. Set right after the create, so that a service
	 * the bucket is for (ELB's access log delivery) may write to it
	 * before anything that needs it is made. */
	{ .name = "Policy", .kind = RES_DOCUMENT, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE, .normalize = norm_iam_policy,
	  .update_op = "PutBucketPolicy",
	  .update_params = "{\"Bucket\":\"$id\",\"Policy\":\"$value\"}",
	  .live_read = { "GetBucketPolicy", BUCKET, "Policy", "NoSuchBucketPolicy" } },
	{ .name = "Tags", .live_path = "TagSet", .kind = RES_TAGS,
	  .mutability = RES_IN_PLACE, .plan = s3_plan_tags,
	  .live_read = { "GetBucketTagging", BUCKET, "TagSet", "NoSuchTagSet" } },
	{ .name = "Name", .mutability = RES_READ_ONLY },
	{ .name = "CreationDate", .mutability = RES_READ_ONLY },
};

static const char *const bucket_names[] = { "Bucket", NULL };

static const res_hooks_t bucket_hooks = { .fix_live = bucket_fix_live };

const res_type_t res_s3_types[] = {
	{ .name = "s3.bucket", .arn = "arn:{partition}:s3:::{Bucket}", .service = "s3",
	  .summary = "an S3 bucket with its versioning, default encryption, public "
		     "access block, lifecycle rules, policy and tags",
	  .identity = RES_ID_NAME, .name_attrs = bucket_names,
	  .id_path = "Bucket",
	  .read = { "ListBuckets", NULL, "Buckets" },
	  .read_one = { "HeadBucket", BUCKET, NULL },
	  .create = { "CreateBucket", NULL, NULL },
	  .remove = { "DeleteBucket", BUCKET, NULL },
	  /* Tagged right after the create; the plan hook keeps others' tags. */
	  .tag = { "PutBucketTagging", "{\"Bucket\":\"$id\",\"Tagging\":{\"TagSet\":\"$tags\"}}", NULL },
	  .untag = { "DeleteBucketTagging", BUCKET, NULL },
	  .tag_style = RES_TAGS_LIST,
	  .attrs = bucket_attrs, .n_attrs = N_ELEMS(bucket_attrs),
	  .hooks = &bucket_hooks },
};

const size_t res_s3_n_types = N_ELEMS(res_s3_types);
