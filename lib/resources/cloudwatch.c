/* Amazon CloudWatch: metric alarms and dashboards. Member names are the
 * botocore cloudwatch model's (2010-08-01).
 *
 * Alarms. PutMetricAlarm creates an alarm and replaces its whole
 * definition: an update sends every configured member again ("$attr:" for
 * each), so a member the config drops goes back to AWS's default. It
 * answers nothing; the request is the new item until DescribeAlarms
 * refreshes it. Tags are set by PutMetricAlarm only at create (AWS ignores
 * them on update), later by TagResource. DescribeAlarms reads every metric
 * alarm of the region in one paginated call.
 *
 * Dashboards. ListDashboards lists names only; GetDashboard per dashboard
 * (read_each) brings the body, which is compared as JSON (key order and
 * spacing are not drift). PutDashboard creates and replaces. */
#include <errno.h>

#include "normalize.h"
#include "resources.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Every member of a metric alarm's definition, for the update call. */
#define ALARM_PUT \
	"{\"AlarmName\":\"$id\",\"AlarmDescription\":\"$attr:AlarmDescription\"," \
	"\"ActionsEnabled\":\"$attr:ActionsEnabled\",\"OKActions\":\"$attr:OKActions\"," \
	"\"AlarmActions\":\"$attr:AlarmActions\"," \
	"\"InsufficientDataActions\":\"$attr:InsufficientDataActions\"," \
	"\"MetricName\":\"$attr:MetricName\",\"Namespace\":\"$attr:Namespace\"," \
	"\"Statistic\":\"$attr:Statistic\",\"ExtendedStatistic\":\"$attr:ExtendedStatistic\"," \
	"\"Dimensions\":\"$attr:Dimensions\",\"Period\":\"$attr:Period\"," \
	"\"Unit\":\"$attr:Unit\",\"EvaluationPeriods\":\"$attr:EvaluationPeriods\"," \
	"\"DatapointsToAlarm\":\"$attr:DatapointsToAlarm\",\"Threshold\":\"$attr:Threshold\"," \
	"\"ComparisonOperator\":\"$attr:ComparisonOperator\"," \
	"\"TreatMissingData\":\"$attr:TreatMissingData\"," \
	"\"EvaluateLowSampleCountPercentile\":\"$attr:EvaluateLowSampleCountPercentile\"," \
	"\"Metrics\":\"$attr:Metrics\",\"ThresholdMetricId\":\"$attr:ThresholdMetricId\"}"

#define ALARM_ATTR(n, k, ...) \
	{ .name = n, .kind = k, .mutability = RES_IN_PLACE, \
	  .update_op = "PutMetricAlarm", .update_params = ALARM_PUT, \
	  .plan = res_plan_update_whole, __VA_ARGS__ }

static const char *const dimension_fields[] = { "Name", "Value", NULL };

/* An alarm watches one metric (MetricName, Namespace, a statistic and a
 * period) or a metric math expression (Metrics), never both
 * (PutMetricAlarm: "you must specify either MetricName or Metrics"). */
static int alarm_check(const res_type_t *t, const char *environment,
		       const cJSON *desired, const cJSON **at, err_t *err)
{
	static const char *const single[] = { "Namespace", "Period", NULL };
	int metric = cJSON_HasObjectItem(desired, "MetricName");
	int math = cJSON_HasObjectItem(desired, "Metrics");
	size_t i;

	(void)t;
	(void)environment;
	if (metric == math)
		return err_set(err, -EINVAL, "a metric alarm needs exactly one of "
			       "MetricName (one metric) and Metrics (metric math)");
	if (math) {
		for (i = 0; single[i]; i++)
			if (cJSON_HasObjectItem(desired, single[i]) &&
			    (*at = cJSON_GetObjectItemCaseSensitive(desired, single[i])))
				return err_set(err, -EINVAL, "%s belongs to a single-metric "
					       "alarm; with Metrics each query has its own",
					       single[i]);
		return 0;
	}
	for (i = 0; single[i]; i++)
		if (!cJSON_HasObjectItem(desired, single[i]))
			return err_set(err, -EINVAL, "an alarm on MetricName needs %s",
				       single[i]);
	if (cJSON_HasObjectItem(desired, "Statistic") ==
	    cJSON_HasObjectItem(desired, "ExtendedStatistic"))
		return err_set(err, -EINVAL, "an alarm on MetricName needs exactly one "
			       "of Statistic and ExtendedStatistic");
	return 0;
}

static const res_attr_t alarm_attrs[] = {
	{ .name = "AlarmName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	ALARM_ATTR("AlarmDescription", RES_SCALAR),
	ALARM_ATTR("ActionsEnabled", RES_SCALAR, .default_json = "true"),
	ALARM_ATTR("OKActions", RES_SET),
	ALARM_ATTR("AlarmActions", RES_SET),
	ALARM_ATTR("InsufficientDataActions", RES_SET),
	ALARM_ATTR("MetricName", RES_SCALAR),
	ALARM_ATTR("Namespace", RES_SCALAR),
	ALARM_ATTR("Statistic", RES_SCALAR,
		   .enum_values = "SampleCount|Average|Sum|Minimum|Maximum"),
	ALARM_ATTR("ExtendedStatistic", RES_SCALAR),
	ALARM_ATTR("Dimensions", RES_SET, .fields = dimension_fields),
	ALARM_ATTR("Period", RES_SCALAR),
	ALARM_ATTR("Unit", RES_SCALAR),
	ALARM_ATTR("EvaluationPeriods", RES_SCALAR, .flags = RES_REQUIRED),
	ALARM_ATTR("DatapointsToAlarm", RES_SCALAR),
	ALARM_ATTR("Threshold", RES_SCALAR),
	ALARM_ATTR("ComparisonOperator", RES_SCALAR, .flags = RES_REQUIRED,
		   .enum_values = "GreaterThanOrEqualToThreshold|GreaterThanThreshold|"
				  "LessThanThreshold|LessThanOrEqualToThreshold"),
	ALARM_ATTR("TreatMissingData", RES_SCALAR, .default_json = "\"missing\""),
	ALARM_ATTR("EvaluateLowSampleCountPercentile", RES_SCALAR),
	ALARM_ATTR("Metrics", RES_LIST),
	ALARM_ATTR("ThresholdMetricId", RES_SCALAR),
	{ .name = "Tags", .kind = RES_TAGS, .mutability = RES_IN_PLACE,
	  .live_read = { "ListTagsForResource", "{\"ResourceARN\":\"$live:AlarmArn\"}",
			 "Tags" } },
	{ .name = "AlarmArn", .mutability = RES_READ_ONLY },
	{ .name = "StateValue", .mutability = RES_READ_ONLY },
};

static const res_attr_t dashboard_attrs[] = {
	{ .name = "DashboardName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "DashboardBody", .kind = RES_DOCUMENT, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED, .normalize = norm_json_document,
	  .update_op = "PutDashboard",
	  .update_params = "{\"DashboardName\":\"$id\",\"DashboardBody\":\"$value\"}" },
	{ .name = "DashboardArn", .mutability = RES_READ_ONLY },
};

static const char *const alarm_names[] = { "AlarmName", NULL };
static const char *const dashboard_names[] = { "DashboardName", NULL };

static const res_hooks_t alarm_hooks = { .check = alarm_check };

const res_type_t res_cloudwatch_types[] = {
	{ .name = "cloudwatch.metric_alarm", .arn = "arn:{partition}:cloudwatch:{region}:{account}:alarm:{AlarmName}", .service = "cloudwatch",
	  .summary = "a CloudWatch alarm on one metric or a metric math expression",
	  .identity = RES_ID_NAME, .name_attrs = alarm_names,
	  .id_path = "AlarmName", .arn_path = "AlarmArn",
	  .read = { "DescribeAlarms", "{\"AlarmTypes\":[\"MetricAlarm\"]}", "MetricAlarms" },
	  .read_one = { "DescribeAlarms", "{\"AlarmNames\":[\"$id\"]}", "MetricAlarms.0" },
	  .create = { "PutMetricAlarm", "{\"Tags\":\"$tags\"}", NULL },
	  .remove = { "DeleteAlarms", "{\"AlarmNames\":[\"$id\"]}", NULL },
	  .tag = { "TagResource", "{\"ResourceARN\":\"$arn\",\"Tags\":\"$tags\"}", NULL },
	  .untag = { "UntagResource", "{\"ResourceARN\":\"$arn\",\"TagKeys\":\"$tag_keys\"}",
		     NULL },
	  .tag_style = RES_TAGS_LIST,
	  .attrs = alarm_attrs, .n_attrs = N_ELEMS(alarm_attrs), .hooks = &alarm_hooks },
	{ .name = "cloudwatch.dashboard", .arn = "arn:{partition}:cloudwatch::{account}:dashboard/{DashboardName}", .service = "cloudwatch",
	  .summary = "a CloudWatch dashboard, its body compared as JSON",
	  .identity = RES_ID_NAME, .name_attrs = dashboard_names,
	  .id_path = "DashboardName", .arn_path = "DashboardArn",
	  .read = { "ListDashboards", NULL, "DashboardEntries" },
	  .read_one = { "GetDashboard", "{\"DashboardName\":\"$id\"}", NULL },
	  .read_each = { { "GetDashboard", "{\"DashboardName\":\"$id\"}", NULL, NULL, NULL } },
	  .create = { "PutDashboard", NULL, NULL },
	  .remove = { "DeleteDashboards", "{\"DashboardNames\":[\"$id\"]}", NULL },
	  .attrs = dashboard_attrs, .n_attrs = N_ELEMS(dashboard_attrs) },
};

const size_t res_cloudwatch_n_types = N_ELEMS(res_cloudwatch_types);
