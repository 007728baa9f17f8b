/* Amazon SQS: queues (the queue EventBridge delivers CloudTrail API-call
 * events to, which driftd long-polls in event-driven mode).
 *
 * ListQueues names only queue URLs, so each listed queue is read again with
 * GetQueueAttributes (AttributeNames All) and ListQueueTags (read_each,
 * through the engine's per-service read window). A queue's name is unique
 * in its account and region and is its identity; fix_live takes it from the
 * URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME) and the ARN from
 * the attributes. The URL is the id every call takes.
 *
 * SQS keeps a queue's settings in one map of strings (Amazon SQS API
 * Reference, SetQueueAttributes: "Attributes ... String to string map").
 * Config may write numbers and booleans (20, true) or SQS's own text
 * ("20", "true"): sqs_text compares both as the text. The create sends the
 * configured settings in CreateQueue's Attributes, and fix_create turns
 * each value into the text SQS takes (a policy written as an object into
 * its JSON text); a changed setting is one SetQueueAttributes
 * (sqs_plan_set). Policy is compared as an IAM policy document, the
 * redrive policy as JSON.
 *
 * Tags are a map (CreateQueue's "tags", TagQueue's "Tags"). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "normalize.h"
#include "resources.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* A setting as the text SQS keeps: numbers without a fraction as
 * integers, booleans as "true"/"false", objects and arrays as their
 * compact JSON; NULL for null (or on ENOMEM). Caller frees. */
static char *sqs_value_text(const cJSON *v)
{
	char buf[64];

	if (cJSON_IsString(v))
		return strdup(v->valuestring);
	if (cJSON_IsBool(v))
		return strdup(cJSON_IsTrue(v) ? "true" : "false");
	if (cJSON_IsNumber(v)) {
		if (v->valuedouble == (double)(long long)v->valuedouble)
			snprintf(buf, sizeof(buf), "%lld", (long long)v->valuedouble);
		else
			snprintf(buf, sizeof(buf), "%.17g", v->valuedouble);
		return strdup(buf);
	}
	if (cJSON_IsObject(v) || cJSON_IsArray(v))
		return cJSON_PrintUnformatted(v);
	return NULL;
}

/* Normalizer of the scalar settings: 20, "20" and 20.0 compare equal. */
static cJSON *sqs_text(const cJSON *value, err_t *err)
{
	char *text;
	cJSON *out;

	if (!cJSON_IsString(value) && !cJSON_IsNumber(value) && !cJSON_IsBool(value)) {
		err_set(err, -EINVAL, "expected a string, number or boolean");
		return NULL;
	}
	text = sqs_value_text(value);
	out = text ? cJSON_CreateString(text) : NULL;
	free(text);
	return out ? out : res_nomem(NULL, err);
}

/* A number of seconds in [lo, hi], given as a number or as its text (the
 * caller names the attribute in the error). */
static int check_seconds(const cJSON *value, double lo, double hi, err_t *err)
{
	double d;
	char *end;

	if (cJSON_IsNumber(value))
		d = value->valuedouble;
	else if (cJSON_IsString(value) && value->valuestring[0]) {
		d = strtod(value->valuestring, &end);
		if (*end)
			return err_set(err, -EINVAL, "expected a whole number of "
				       "seconds, not \"%s\"", value->valuestring);
	} else
		return err_set(err, -EINVAL, "expected a number of seconds");
	if (d != (double)(long long)d || d < lo || d > hi)
		return err_set(err, -EINVAL, "expected a whole number of seconds "
			       "from %g to %g (SetQueueAttributes)", lo, hi);
	return 0;
}

/* The ranges of the SQS API Reference, SetQueueAttributes. */
static int check_visibility(const cJSON *v, err_t *e)
{
	return check_seconds(v, 0, 43200, e);
}

static int check_retention(const cJSON *v, err_t *e)
{
	return check_seconds(v, 60, 1209600, e);
}

static int check_wait(const cJSON *v, err_t *e)
{
	return check_seconds(v, 0, 20, e);
}

static int check_bool(const cJSON *v, err_t *e)
{
	if (cJSON_IsBool(v) || (cJSON_IsString(v) && (!strcmp(v->valuestring, "true") ||
						      !strcmp(v->valuestring, "false"))))
		return 0;
	return err_set(e, -EINVAL, "expected true or false");
}

/* One SetQueueAttributes of the attribute's desired value as text; none
 * when config dropped it (SQS has no "unset": the value stays). */
static cJSON *sqs_plan_set(const res_attr_t *a, const cJSON *desired,
			   const cJSON *added, const cJSON *removed,
			   const cJSON *item, err_t *err)
{
	cJSON *calls = cJSON_CreateArray(), *params, *attrs;
	char *text;

	(void)added;
	(void)removed;
	(void)item;
	if (!calls)
		return res_nomem(NULL, err);
	if (!desired || cJSON_IsNull(desired))
		return calls;
	text = sqs_value_text(desired);
	params = cJSON_CreateObject();
	attrs = cJSON_AddObjectToObject(params, "Attributes");
	if (!text || !attrs || !cJSON_AddStringToObject(params, "QueueUrl", "$id") ||
	    !cJSON_AddStringToObject(attrs, a->name, text)) {
		free(text);
		cJSON_Delete(params);
		return res_nomem(calls, err);
	}
	free(text);
	if (res_plan_call(calls, "SetQueueAttributes", params))
		return res_nomem(calls, err);
	return calls;
}

#define QUEUE_SETTING(attr_name) \
	.live_path = "Attributes." attr_name, .plan = sqs_plan_set, \
	.update_op = "SetQueueAttributes"

static const res_attr_t queue_attrs[] = {
	{ .name = "QueueName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	/* Who may send and receive: EventBridge's events.amazonaws.com
	 * SendMessage for a rule's ARN. */
	{ .name = "Policy", .kind = RES_DOCUMENT, .mutability = RES_IN_PLACE,
	  .normalize = norm_iam_policy, QUEUE_SETTING("Policy") },
	/* SSE-KMS: a customer managed key (EventBridge cannot use
	 * alias/aws/sqs). One of this and SqsManagedSseEnabled. */
	{ .name = "KmsMasterKeyId", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  QUEUE_SETTING("KmsMasterKeyId") },
	{ .name = "SqsManagedSseEnabled", .kind = RES_SCALAR,
	  .mutability = RES_IN_PLACE, .normalize = sqs_text, .check = check_bool,
	  QUEUE_SETTING("SqsManagedSseEnabled") },
	{ .name = "VisibilityTimeout", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .default_json = "\"30\"", .normalize = sqs_text, .check = check_visibility,
	  QUEUE_SETTING("VisibilityTimeout") },
	{ .name = "MessageRetentionPeriod", .kind = RES_SCALAR,
	  .mutability = RES_IN_PLACE, .default_json = "\"345600\"",
	  .normalize = sqs_text, .check = check_retention,
	  QUEUE_SETTING("MessageRetentionPeriod") },
	{ .name = "ReceiveMessageWaitTimeSeconds", .kind = RES_SCALAR,
	  .mutability = RES_IN_PLACE, .default_json = "\"0\"",
	  .normalize = sqs_text, .check = check_wait,
	  QUEUE_SETTING("ReceiveMessageWaitTimeSeconds") },
	/* {"deadLetterTargetArn", "maxReceiveCount"}. */
	{ .name = "RedrivePolicy", .kind = RES_DOCUMENT, .mutability = RES_IN_PLACE,
	  .normalize = norm_json_document, QUEUE_SETTING("RedrivePolicy") },
	{ .name = "Tags", .kind = RES_TAGS, .mutability = RES_IN_PLACE },
	{ .name = "QueueUrl", .mutability = RES_READ_ONLY },
	/* From Attributes.QueueArn (queue_fix_live): references
	 * (${sqs.queue.NAME.QueueArn}) read the live item's top level. */
	{ .name = "QueueArn", .mutability = RES_READ_ONLY },
};

/* The queue's name is the URL's last path segment; its ARN, which
 * GetQueueAttributes answers among the settings, is lifted to QueueArn. */
static int queue_fix_live(const res_type_t *t, cJSON *item, err_t *err)
{
	const cJSON *url = cJSON_GetObjectItemCaseSensitive(item, "QueueUrl");
	const cJSON *arn = json_get_path(item, "Attributes.QueueArn");
	const char *name;

	(void)t;
	if (cJSON_IsString(arn)) {
		cJSON_DeleteItemFromObjectCaseSensitive(item, "QueueArn");
		if (!cJSON_AddStringToObject(item, "QueueArn", arn->valuestring))
			return err_set(err, -ENOMEM, "out of memory");
	}
	if (!cJSON_IsString(url))
		return 0;
	name = strrchr(url->valuestring, '/');
	cJSON_DeleteItemFromObjectCaseSensitive(item, "QueueName");
	if (!cJSON_AddStringToObject(item, "QueueName", name ? name + 1 : url->valuestring))
		return err_set(err, -ENOMEM, "out of memory");
	return 0;
}

/* CreateQueue's Attributes as SQS takes them: every value its text. */
static int queue_fix_create(const res_type_t *t, const cJSON *desired,
			    cJSON *params, err_t *err)
{
	cJSON *attrs = cJSON_GetObjectItemCaseSensitive(params, "Attributes");
	cJSON *v, *next;
	char *text;

	(void)t;
	(void)desired;
	for (v = attrs ? attrs->child : NULL; v; v = next) {
		next = v->next;  /* v is freed when replaced */
		if (cJSON_IsString(v))
			continue;
		if (!(text = sqs_value_text(v)))
			return err_set(err, -ENOMEM, "out of memory");
		if (!cJSON_ReplaceItemInObjectCaseSensitive(attrs, v->string,
							      cJSON_CreateString(text))) {
			free(text);
			return err_set(err, -ENOMEM, "out of memory");
		}
		free(text);
	}
	return 0;
}

/* SSE-KMS and SSE-SQS exclude each other (SetQueueAttributes:
 * "Only one server-side encryption option is supported per queue"). */
static int queue_check(const res_type_t *t, const char *environment,
		       const cJSON *desired, const cJSON **at, err_t *err)
{
	const cJSON *kms = cJSON_GetObjectItemCaseSensitive(desired, "KmsMasterKeyId");
	const cJSON *sse = cJSON_GetObjectItemCaseSensitive(desired, "SqsManagedSseEnabled");

	(void)t;
	(void)environment;
	if (kms && sse && (cJSON_IsTrue(sse) ||
			   (cJSON_IsString(sse) && !strcmp(sse->valuestring, "true")))) {
		*at = sse;
		return err_set(err, -EINVAL, "SqsManagedSseEnabled and KmsMasterKeyId "
			       "exclude each other: a queue has one server-side "
			       "encryption");
	}
	return 0;
}

static const res_hooks_t queue_hooks = {
	.fix_live = queue_fix_live, .fix_create = queue_fix_create,
	.check = queue_check,
};

static const char *const queue_names[] = { "QueueName", NULL };

const res_type_t res_sqs_types[] = {
	{ .name = "sqs.queue", .arn = "arn:{partition}:sqs:{region}:{account}:{QueueName}",
	  .service = "sqs",
	  .summary = "an SQS queue: where EventBridge delivers events driftd long-polls",
	  .identity = RES_ID_NAME, .name_attrs = queue_names,
	  .id_path = "QueueUrl", .arn_path = "QueueArn",
	  /* Without MaxResults ListQueues answers 1000 URLs and no token. */
	  .read = { "ListQueues", "{\"MaxResults\":1000}", "QueueUrls" },
	  .read_each = {
		  { "GetQueueAttributes",
		    "{\"QueueUrl\":\"$id\",\"AttributeNames\":[\"All\"]}",
		    "Attributes", "Attributes", NULL },
		  { "ListQueueTags", "{\"QueueUrl\":\"$id\"}", "Tags", "Tags", NULL },
	  },
	  .read_one = { "GetQueueAttributes",
			"{\"QueueUrl\":\"$id\",\"AttributeNames\":[\"All\"]}", NULL },
	  .create = { "CreateQueue",
		      "{\"tags\":\"$tags\",\"Attributes\":{"
		      "\"Policy\":\"$attr:Policy\","
		      "\"KmsMasterKeyId\":\"$attr:KmsMasterKeyId\","
		      "\"SqsManagedSseEnabled\":\"$attr:SqsManagedSseEnabled\","
		      "\"VisibilityTimeout\":\"$attr:VisibilityTimeout\","
		      "\"MessageRetentionPeriod\":\"$attr:MessageRetentionPeriod\","
		      "\"ReceiveMessageWaitTimeSeconds\":\"$attr:ReceiveMessageWaitTimeSeconds\","
		      "\"RedrivePolicy\":\"$attr:RedrivePolicy\"}}", NULL },
	  .remove = { "DeleteQueue", "{\"QueueUrl\":\"$id\"}", NULL },
	  .tag = { "TagQueue", "{\"QueueUrl\":\"$id\",\"Tags\":\"$tags\"}", NULL },
	  .untag = { "UntagQueue", "{\"QueueUrl\":\"$id\",\"TagKeys\":\"$tag_keys\"}", NULL },
	  .tag_style = RES_TAGS_MAP,
	  .attrs = queue_attrs, .n_attrs = N_ELEMS(queue_attrs),
	  .hooks = &queue_hooks },
};

const size_t res_sqs_n_types = N_ELEMS(res_sqs_types);
