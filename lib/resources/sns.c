/* Amazon SNS: topics (the alerts topic driftd publishes to, SES event
 * publishing) and their subscriptions.
 *
 * ListTopics names only ARNs, so each listed topic is read again with
 * GetTopicAttributes and ListTagsForResource (read_each). A topic's name is
 * unique in its account and region and is its identity; fix_live takes it
 * from the ARN. Topic attributes are one name/value map in AWS; the ones an
 * operator sets (DisplayName, KmsMasterKeyId, Policy) are attributes here,
 * each changed by SetTopicAttributes after the create.
 *
 * A subscription is identified by what it connects: topic, protocol and
 * endpoint (Subscribe is idempotent on the three). ListSubscriptions reads
 * every subscription of the account in one paginated call. */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "jsonutil.h"
#include "normalize.h"
#include "resources.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define TAGS_ATTR { .name = "Tags", .kind = RES_TAGS, .mutability = RES_IN_PLACE }

#define TOPIC_ATTR(attr_name) \
	.update_op = "SetTopicAttributes", \
	.update_params = "{\"TopicArn\":\"$id\",\"AttributeName\":\"" attr_name \
			 "\",\"AttributeValue\":\"$value\"}"

static const res_attr_t topic_attrs[] = {
	{ .name = "Name", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "DisplayName", .live_path = "Attributes.DisplayName",
	  .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE, .default_json = "\"\"",
	  TOPIC_ATTR("DisplayName") },
	/* Encryption at rest: a KMS key id, alias or ARN. */
	{ .name = "KmsMasterKeyId", .live_path = "Attributes.KmsMasterKeyId",
	  .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE, TOPIC_ATTR("KmsMasterKeyId") },
	/* The topic policy: who may publish (CloudWatch, Budgets, SES). */
	{ .name = "Policy", .live_path = "Attributes.Policy",
	  .kind = RES_DOCUMENT, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE, .normalize = norm_iam_policy,
	  TOPIC_ATTR("Policy") },
	TAGS_ATTR,
	{ .name = "TopicArn", .mutability = RES_READ_ONLY },
};

/* "arn:aws:sns:us-east-1:123456789012:alerts" names the topic "alerts".
 * The listed item has the ARN at TopicArn, GetTopicAttributes (the
 * refresh) under Attributes. */
static int topic_fix_live(const res_type_t *t, cJSON *item, err_t *err)
{
	const cJSON *arn = cJSON_GetObjectItemCaseSensitive(item, "TopicArn");
	const char *name;

	(void)t;
	(void)err;
	if (!cJSON_IsString(arn)) {
		arn = json_get_path(item, "Attributes.TopicArn");
		if (!cJSON_IsString(arn))
			return 0;
		cJSON_AddStringToObject(item, "TopicArn", arn->valuestring);
	}
	name = strrchr(arn->valuestring, ':');
	cJSON_DeleteItemFromObjectCaseSensitive(item, "Name");
	cJSON_AddStringToObject(item, "Name", name ? name + 1 : arn->valuestring);
	return 0;
}

static const res_hooks_t topic_hooks = { .fix_live = topic_fix_live };

static const char *const topic_names[] = { "Name", NULL };

/* The protocols Subscribe takes (SNS's model has no enum for them). */
static int check_protocol(const cJSON *value, err_t *err)
{
	static const char *const known[] = {
		"http", "https", "email", "email-json", "sms", "sqs",
		"application", "lambda", "firehose", NULL
	};
	const char *const *k;

	if (!cJSON_IsString(value))
		return err_set(err, -EINVAL, "expected a protocol string");
	for (k = known; *k; k++)
		if (!strcasecmp(*k, value->valuestring))
			return 0;
	return err_set(err, -EINVAL, "unknown SNS protocol \"%s\" (expected "
		       "http, https, email, email-json, sms, sqs, application, "
		       "lambda or firehose)", value->valuestring);
}

static const res_attr_t subscription_attrs[] = {
	{ .name = "TopicArn", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "Protocol", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED | RES_CASE_INSENSITIVE, .check = check_protocol },
	/* An HTTPS endpoint may carry a token in its query or userinfo. */
	{ .name = "Endpoint", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED | RES_SECRET_URL },
	/* Not in ListSubscriptions: read per managed subscription. */
	{ .name = "RawMessageDelivery", .live_path = "Attributes.RawMessageDelivery",
	  .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_NOT_IN_CREATE, .default_json = "\"false\"",
	  .update_op = "SetSubscriptionAttributes",
	  .update_params = "{\"SubscriptionArn\":\"$id\",\"AttributeName\":"
			   "\"RawMessageDelivery\",\"AttributeValue\":\"$value\"}",
	  .live_read = { "GetSubscriptionAttributes",
			 "{\"SubscriptionArn\":\"$id\"}",
			 "Attributes.RawMessageDelivery", NULL } },
	{ .name = "SubscriptionArn", .mutability = RES_READ_ONLY },
};

static const char *const subscription_names[] = {
	"TopicArn", "Protocol", "Endpoint", NULL
};
static const char *const after_topic[] = { "sns.topic", NULL };

const res_type_t res_sns_types[] = {
	{ .name = "sns.topic", .arn = "arn:{partition}:sns:{region}:{account}:{Name}", .service = "sns",
	  .summary = "an SNS topic: alerts, alarm actions, SES events",
	  .identity = RES_ID_NAME, .name_attrs = topic_names,
	  .id_path = "TopicArn", .arn_path = "TopicArn",
	  .read = { "ListTopics", NULL, "Topics" },
	  .read_each = {
		  { "GetTopicAttributes", "{\"TopicArn\":\"$id\"}",
		    "Attributes", "Attributes", NULL },
		  { "ListTagsForResource", "{\"ResourceArn\":\"$id\"}",
		    "Tags", "Tags", NULL },
	  },
	  .read_one = { "GetTopicAttributes", "{\"TopicArn\":\"$id\"}", NULL },
	  .create = { "CreateTopic", "{\"Tags\":\"$tags\"}", NULL },
	  .remove = { "DeleteTopic", "{\"TopicArn\":\"$id\"}", NULL },
	  .tag = { "TagResource", "{\"ResourceArn\":\"$id\",\"Tags\":\"$tags\"}", NULL },
	  .untag = { "UntagResource",
		     "{\"ResourceArn\":\"$id\",\"TagKeys\":\"$tag_keys\"}", NULL },
	  .tag_style = RES_TAGS_LIST,
	  .attrs = topic_attrs, .n_attrs = N_ELEMS(topic_attrs),
	  .hooks = &topic_hooks },
	{ .name = "sns.subscription", .arn = "{TopicArn}", .service = "sns",
	  .summary = "a subscription of an endpoint (email, HTTPS) to an SNS topic",
	  .identity = RES_ID_NAME, .name_attrs = subscription_names,
	  .id_path = "SubscriptionArn", .arn_path = "SubscriptionArn",
	  .read = { "ListSubscriptions", NULL, "Subscriptions" },
	  .read_one = { "GetSubscriptionAttributes",
			"{\"SubscriptionArn\":\"$id\"}", "Attributes" },
	  .create = { "Subscribe", "{\"ReturnSubscriptionArn\":true}", NULL },
	  .remove = { "Unsubscribe", "{\"SubscriptionArn\":\"$id\"}", NULL },
	  .depends_on_types = after_topic,
	  .attrs = subscription_attrs, .n_attrs = N_ELEMS(subscription_attrs) },
};

const size_t res_sns_n_types = N_ELEMS(res_sns_types);
