/* AWS Cost Explorer anomaly detection: monitors (what spend is watched)
 * and subscriptions (who hears of an anomaly, above what amount). Member
 * names are the botocore ce model's (2017-10-25). Cost Explorer is
 * global: one endpoint in us-east-1. Both are found by name; AWS's id is
 * the ARN CreateAnomaly* answers with. The create calls wrap the item
 * (AnomalyMonitor, AnomalySubscription); their templates place the
 * attributes there. A monitor can only be renamed, so everything else is
 * a replacement; UpdateAnomalySubscription takes each member whole. */
#include <errno.h>
#include <string.h>

#include "resources.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

#define UPDATE_SUB "{\"SubscriptionArn\":\"$id\"}"

#define SUB_ATTR(n, k, ...) \
	{ .name = n, .kind = k, .mutability = RES_IN_PLACE, \
	  .update_op = "UpdateAnomalySubscription", .update_params = UPDATE_SUB, \
	  .plan = res_plan_whole_set, __VA_ARGS__ }

static const char *const subscriber_fields[] = { "Address", "Type", NULL };

/* Cost Explorer sends to SNS topics only as anomalies are found
 * (AnomalySubscription, Frequency: "IMMEDIATE" is required for SNS
 * subscribers; DAILY and WEEKLY are email summaries). */
static int subscription_check(const res_type_t *t, const char *environment,
			      const cJSON *desired, const cJSON **at, err_t *err)
{
	const cJSON *subs = cJSON_GetObjectItemCaseSensitive(desired, "Subscribers");
	const cJSON *freq = cJSON_GetObjectItemCaseSensitive(desired, "Frequency");
	const cJSON *s, *type;

	(void)t;
	(void)environment;
	*at = freq;
	cJSON_ArrayForEach(s, subs) {
		type = cJSON_GetObjectItemCaseSensitive(s, "Type");
		if (cJSON_IsString(type) && !strcmp(type->valuestring, "SNS") &&
		    (!cJSON_IsString(freq) || strcmp(freq->valuestring, "IMMEDIATE")))
			return err_set(err, -EINVAL, "an anomaly subscription with an SNS "
				       "subscriber needs Frequency \"IMMEDIATE\"");
	}
	return 0;
}

static const res_attr_t monitor_attrs[] = {
	{ .name = "MonitorName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "MonitorType", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED, .enum_values = "DIMENSIONAL|CUSTOM" },
	{ .name = "MonitorDimension", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .enum_values = "SERVICE" },
	{ .name = "MonitorSpecification", .kind = RES_OBJECT, .mutability = RES_REPLACE },
	{ .name = "MonitorArn", .mutability = RES_READ_ONLY },
};

static const res_attr_t subscription_attrs[] = {
	{ .name = "SubscriptionName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	SUB_ATTR("MonitorArnList", RES_SET, .flags = RES_REQUIRED),
	SUB_ATTR("Subscribers", RES_SET, .flags = RES_REQUIRED, .fields = subscriber_fields),
	SUB_ATTR("Frequency", RES_SCALAR, .flags = RES_REQUIRED,
		 .enum_values = "DAILY|IMMEDIATE|WEEKLY"),
	/* The absolute amount in dollars above which an anomaly is told. */
	SUB_ATTR("Threshold", RES_SCALAR, .flags = RES_REQUIRED),
	{ .name = "SubscriptionArn", .mutability = RES_READ_ONLY },
};

static const char *const monitor_names[] = { "MonitorName", NULL };
static const char *const subscription_names[] = { "SubscriptionName", NULL };
static const char *const after_monitor[] = { "ce.anomaly_monitor", NULL };

static const res_hooks_t subscription_hooks = { .check = subscription_check };

const res_type_t res_ce_types[] = {
	{ .name = "ce.anomaly_monitor", .arn = "arn:{partition}:ce::{account}:anomalymonitor/*", .service = "ce",
	  .summary = "a Cost Explorer anomaly monitor: which spend is watched",
	  .identity = RES_ID_NAME, .name_attrs = monitor_names,
	  .id_path = "MonitorArn", .arn_path = "MonitorArn",
	  .read = { "GetAnomalyMonitors", NULL, "AnomalyMonitors" },
	  .read_one = { "GetAnomalyMonitors", "{\"MonitorArnList\":[\"$id\"]}",
			"AnomalyMonitors.0" },
	  .create = { "CreateAnomalyMonitor",
		      "{\"AnomalyMonitor\":{\"MonitorName\":\"$attr:MonitorName\","
		      "\"MonitorType\":\"$attr:MonitorType\","
		      "\"MonitorDimension\":\"$attr:MonitorDimension\","
		      "\"MonitorSpecification\":\"$attr:MonitorSpecification\"}}", NULL },
	  .remove = { "DeleteAnomalyMonitor", "{\"MonitorArn\":\"$id\"}", NULL },
	  .attrs = monitor_attrs, .n_attrs = N_ELEMS(monitor_attrs) },
	{ .name = "ce.anomaly_subscription", .arn = "arn:{partition}:ce::{account}:anomalysubscription/*", .service = "ce",
	  .summary = "a Cost Explorer anomaly subscription: who is told, above what amount",
	  .identity = RES_ID_NAME, .name_attrs = subscription_names,
	  .id_path = "SubscriptionArn", .arn_path = "SubscriptionArn",
	  .read = { "GetAnomalySubscriptions", NULL, "AnomalySubscriptions" },
	  .read_one = { "GetAnomalySubscriptions", "{\"SubscriptionArnList\":[\"$id\"]}",
			"AnomalySubscriptions.0" },
	  .create = { "CreateAnomalySubscription",
		      "{\"AnomalySubscription\":{\"SubscriptionName\":\"$attr:SubscriptionName\","
		      "\"MonitorArnList\":\"$attr:MonitorArnList\","
		      "\"Subscribers\":\"$attr:Subscribers\",\"Frequency\":\"$attr:Frequency\","
		      "\"Threshold\":\"$attr:Threshold\"}}", NULL },
	  .remove = { "DeleteAnomalySubscription", "{\"SubscriptionArn\":\"$id\"}", NULL },
	  .depends_on_types = after_monitor,
	  .attrs = subscription_attrs, .n_attrs = N_ELEMS(subscription_attrs),
	  .hooks = &subscription_hooks },
};

const size_t res_ce_n_types = N_ELEMS(res_ce_types);
