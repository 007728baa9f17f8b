/* The logs, cloudwatch, budgets and ce tables' hooks: what AWS answers
 * compares equal to the config that made it, config AWS would refuse is
 * refused at validate, and changes become the calls AWS takes. */
#include <check.h>
#include <string.h>

#include "diff.h"
#include "jsonutil.h"
#include "restable.h"
#include "testutil.h"
#include "restest.h"

/* The diff between config and a live item; the caller frees it. */
static diff_t *diff_of(const char *type_name, const char *desired_json,
		       const char *live_json)
{
	cJSON *desired = parse(desired_json), *live = parse(live_json);
	diff_opts_t opts;
	diff_t *d = NULL;
	err_t e;

	memset(&opts, 0, sizeof(opts));
	ck_assert_msg(diff_resource(type(type_name), desired, live, &opts, &d, &e) == 0,
		      "diff failed: %s", e.message);
	cJSON_Delete(desired);
	cJSON_Delete(live);
	return d;
}

static size_t raw_changes(const char *type_name, const char *desired_json,
		      const char *live_json)
{
	diff_t *d = diff_of(type_name, desired_json, live_json);
	size_t n = d->n_changes;

	diff_free(d);
	return n;
}

static int type_check(const char *type_name, const char *json, err_t *e)
{
	const res_type_t *t = type(type_name);
	cJSON *v = parse(json);
	const cJSON *at = NULL;
	int rc = t->hooks->check(t, "dev", v, &at, e);

	cJSON_Delete(v);
	return rc;
}

START_TEST(retention_takes_only_the_days_cloudwatch_logs_accepts)
{
	ck_assert_int_eq(attr_check("logs.log_group", "retentionInDays", "30"), 0);
	ck_assert_int_eq(attr_check("logs.log_group", "retentionInDays", "3653"), 0);
	ck_assert_int_ne(attr_check("logs.log_group", "retentionInDays", "31"), 0);
	ck_assert_int_ne(attr_check("logs.log_group", "retentionInDays", "\"30\""), 0);
}
END_TEST

START_TEST(retention_change_is_an_update_and_absent_retention_is_drift)
{
	ck_assert_uint_eq(raw_changes("logs.log_group",
		"{\"logGroupName\":\"/app\",\"retentionInDays\":30}",
		"{\"logGroupName\":\"/app\",\"retentionInDays\":30,\"storedBytes\":0}"), 0);
	ck_assert_uint_eq(raw_changes("logs.log_group",
		"{\"logGroupName\":\"/app\",\"retentionInDays\":30}",
		"{\"logGroupName\":\"/app\"}"), 1);
}
END_TEST

#define ALARM "\"AlarmName\":\"cpu\",\"EvaluationPeriods\":3,\"ComparisonOperator\":" \
	"\"GreaterThanThreshold\",\"Threshold\":80"

START_TEST(alarm_needs_one_metric_or_metric_math_not_both)
{
	err_t e;

	ck_assert_int_eq(type_check("cloudwatch.metric_alarm", "{" ALARM ",\"MetricName\":\"x\","
		"\"Namespace\":\"AWS/RDS\",\"Period\":300,\"Statistic\":\"Average\"}", &e), 0);
	ck_assert_int_eq(type_check("cloudwatch.metric_alarm", "{" ALARM ",\"Metrics\":"
		"[{\"Id\":\"e\",\"Expression\":\"1\",\"ReturnData\":true}]}", &e), 0);
	ck_assert_int_ne(type_check("cloudwatch.metric_alarm", "{" ALARM "}", &e), 0);
	ck_assert_int_ne(type_check("cloudwatch.metric_alarm", "{" ALARM ",\"MetricName\":\"x\","
		"\"Namespace\":\"n\",\"Period\":60,\"Statistic\":\"Sum\",\"Metrics\":[]}", &e), 0);
	ck_assert_int_ne(type_check("cloudwatch.metric_alarm", "{" ALARM ",\"Metrics\":[],"
		"\"Period\":60}", &e), 0);
	ck_assert_ptr_nonnull(strstr(e.message, "Period belongs to a single-metric alarm"));
	ck_assert_int_ne(type_check("cloudwatch.metric_alarm", "{" ALARM ",\"MetricName\":\"x\","
		"\"Namespace\":\"n\",\"Period\":60}", &e), 0);
	ck_assert_ptr_nonnull(strstr(e.message, "Statistic and ExtendedStatistic"));
}
END_TEST

START_TEST(alarm_dimensions_and_actions_compare_as_sets_with_aws_defaults)
{
	ck_assert_uint_eq(raw_changes("cloudwatch.metric_alarm",
		"{" ALARM ",\"Dimensions\":[{\"Name\":\"A\",\"Value\":\"1\"},{\"Name\":\"B\",\"Value\":\"2\"}],"
		"\"AlarmActions\":[\"arn:t1\",\"arn:t2\"],\"TreatMissingData\":\"missing\",\"ActionsEnabled\":true}",
		"{" ALARM ",\"Dimensions\":[{\"Name\":\"B\",\"Value\":\"2\"},{\"Name\":\"A\",\"Value\":\"1\"}],"
		"\"AlarmActions\":[\"arn:t2\",\"arn:t1\"],\"StateValue\":\"OK\"}"), 0);
	ck_assert_uint_eq(raw_changes("cloudwatch.metric_alarm", "{" ALARM "}",
		"{\"AlarmName\":\"cpu\",\"EvaluationPeriods\":3,\"ComparisonOperator\":"
		"\"GreaterThanThreshold\",\"Threshold\":90}"), 1);
}
END_TEST

/* A dropped action is a change too: the whole definition is put again. */
START_TEST(alarm_change_puts_the_whole_definition_even_for_a_removal)
{
	diff_t *d = diff_of("cloudwatch.metric_alarm", "{" ALARM ",\"AlarmActions\":[\"arn:a\"]}",
			    "{" ALARM ",\"AlarmActions\":[\"arn:a\",\"arn:b\"]}");
	const res_attr_t *a;
	cJSON *calls;
	err_t e;

	ck_assert_uint_eq(d->n_changes, 1);
	a = d->changes[0].attr;
	ck_assert_str_eq(a->name, "AlarmActions");
	calls = a->plan(a, d->changes[0].desired, d->changes[0].added,
			d->changes[0].removed, NULL, &e);
	ck_assert_int_eq(cJSON_GetArraySize(calls), 1);
	ck_assert_str_eq(json_get_path(calls, "0.op")->valuestring, "PutMetricAlarm");
	ck_assert_str_eq(json_get_path(calls, "0.params.AlarmActions")->valuestring,
			 "$attr:AlarmActions");
	ck_assert_str_eq(json_get_path(calls, "0.params.Threshold")->valuestring,
			 "$attr:Threshold");
	cJSON_Delete(calls);
	diff_free(d);
}
END_TEST

START_TEST(dashboard_body_is_compared_as_json_not_text)
{
	ck_assert_uint_eq(raw_changes("cloudwatch.dashboard",
		"{\"DashboardName\":\"d\",\"DashboardBody\":{\"widgets\":[{\"type\":\"text\",\"x\":0}]}}",
		"{\"DashboardName\":\"d\",\"DashboardBody\":\"{ \\\"widgets\\\": [ { \\\"x\\\": 0, "
		"\\\"type\\\": \\\"text\\\" } ] }\"}"), 0);
	ck_assert_uint_eq(raw_changes("cloudwatch.dashboard",
		"{\"DashboardName\":\"d\",\"DashboardBody\":\"{\\\"widgets\\\":[]}\"}",
		"{\"DashboardName\":\"d\",\"DashboardBody\":\"{\\\"widgets\\\":[{\\\"type\\\":\\\"text\\\"}]}\"}"), 1);
}
END_TEST

#define BUDGET "\"AccountId\":\"123456789012\",\"BudgetName\":\"m\",\"BudgetType\":\"COST\"," \
	"\"TimeUnit\":\"MONTHLY\""
#define NOTE(type, pct) "{\"Notification\":{\"NotificationType\":\"" type "\"," \
	"\"ComparisonOperator\":\"GREATER_THAN\",\"Threshold\":" pct "}," \
	"\"Subscribers\":[{\"SubscriptionType\":\"SNS\",\"Address\":\"arn:topic\"}]}"
#define LIVE_NOTE(type, pct) "{\"NotificationType\":\"" type "\"," \
	"\"ComparisonOperator\":\"GREATER_THAN\",\"Threshold\":" pct "," \
	"\"ThresholdType\":\"PERCENTAGE\",\"NotificationState\":\"ALARM\"}"

START_TEST(budget_amount_text_compares_as_a_number_and_account_is_not_read)
{
	ck_assert_uint_eq(raw_changes("budgets.budget",
		"{" BUDGET ",\"BudgetLimit\":{\"Amount\":\"500\",\"Unit\":\"USD\"}}",
		"{\"BudgetName\":\"m\",\"BudgetType\":\"COST\",\"TimeUnit\":\"MONTHLY\","
		"\"BudgetLimit\":{\"Amount\":\"500.0\",\"Unit\":\"USD\"}}"), 0);
	ck_assert_uint_eq(raw_changes("budgets.budget",
		"{" BUDGET ",\"BudgetLimit\":{\"Amount\":\"500\",\"Unit\":\"USD\"}}",
		"{\"BudgetName\":\"m\",\"BudgetType\":\"COST\",\"TimeUnit\":\"MONTHLY\","
		"\"BudgetLimit\":{\"Amount\":\"750.0\",\"Unit\":\"USD\"}}"), 1);
}
END_TEST

START_TEST(budget_limit_must_be_a_positive_amount_as_text)
{
	ck_assert_int_eq(attr_check("budgets.budget", "BudgetLimit",
				    "{\"Amount\":\"12.5\",\"Unit\":\"USD\"}"), 0);
	ck_assert_int_ne(attr_check("budgets.budget", "BudgetLimit",
				    "{\"Amount\":500,\"Unit\":\"USD\"}"), 0);
	ck_assert_int_ne(attr_check("budgets.budget", "BudgetLimit",
				    "{\"Amount\":\"lots\",\"Unit\":\"USD\"}"), 0);
	ck_assert_int_ne(attr_check("budgets.budget", "BudgetLimit", "{\"Amount\":\"5\"}"), 0);
	ck_assert_int_ne(attr_check("budgets.budget", "NotificationsWithSubscribers",
				    "[{\"Notification\":{},\"Subscribers\":[]}]"), 0);
	ck_assert_int_eq(attr_check("budgets.budget", "NotificationsWithSubscribers",
				    "[" NOTE("ACTUAL", "80") "]"), 0);
}
END_TEST

START_TEST(budget_notifications_as_listed_are_in_sync_with_config)
{
	ck_assert_uint_eq(raw_changes("budgets.budget",
		"{" BUDGET ",\"NotificationsWithSubscribers\":[" NOTE("ACTUAL", "80") ","
		NOTE("FORECASTED", "100") "]}",
		"{\"BudgetName\":\"m\",\"BudgetType\":\"COST\",\"TimeUnit\":\"MONTHLY\",\"NotificationsWithSubscribers\":[" LIVE_NOTE("FORECASTED", "100.0")
		"," LIVE_NOTE("ACTUAL", "80.0") "]}"), 0);
}
END_TEST

START_TEST(changed_notification_is_deleted_and_created_with_its_subscribers)
{
	diff_t *d = diff_of("budgets.budget",
		"{" BUDGET ",\"NotificationsWithSubscribers\":[" NOTE("ACTUAL", "90") "]}",
		"{\"BudgetName\":\"m\",\"BudgetType\":\"COST\",\"TimeUnit\":\"MONTHLY\",\"NotificationsWithSubscribers\":[" LIVE_NOTE("ACTUAL", "80") "]}");
	const diff_change_t *c = &d->changes[0];
	cJSON *desired, *calls;
	err_t e;

	ck_assert_uint_eq(d->n_changes, 1);
	desired = parse("[" NOTE("ACTUAL", "90") "]");
	calls = c->attr->plan(c->attr, desired, c->added, c->removed, NULL, &e);
	ck_assert_int_eq(cJSON_GetArraySize(calls), 2);
	ck_assert_str_eq(json_get_path(calls, "0.op")->valuestring, "DeleteNotification");
	ck_assert_int_eq(json_get_path(calls, "0.params.Notification.Threshold")->valueint, 80);
	ck_assert_ptr_null(json_get_path(calls, "0.params.Notification.NotificationState"));
	ck_assert_str_eq(json_get_path(calls, "0.params.AccountId")->valuestring, "$attr:AccountId");
	ck_assert_str_eq(json_get_path(calls, "1.op")->valuestring, "CreateNotification");
	ck_assert_int_eq(json_get_path(calls, "1.params.Notification.Threshold")->valueint, 90);
	ck_assert_str_eq(json_get_path(calls, "1.params.Subscribers.0.Address")->valuestring,
			 "arn:topic");
	cJSON_Delete(calls);
	cJSON_Delete(desired);
	diff_free(d);
}
END_TEST

START_TEST(sns_anomaly_subscribers_need_immediate_frequency)
{
	err_t e;

	ck_assert_int_eq(type_check("ce.anomaly_subscription",
		"{\"Frequency\":\"IMMEDIATE\",\"Subscribers\":[{\"Type\":\"SNS\",\"Address\":\"a\"}]}",
		&e), 0);
	ck_assert_int_eq(type_check("ce.anomaly_subscription",
		"{\"Frequency\":\"DAILY\",\"Subscribers\":[{\"Type\":\"EMAIL\",\"Address\":\"a@b\"}]}",
		&e), 0);
	ck_assert_int_ne(type_check("ce.anomaly_subscription",
		"{\"Frequency\":\"DAILY\",\"Subscribers\":[{\"Type\":\"SNS\",\"Address\":\"a\"}]}",
		&e), 0);
}
END_TEST

START_TEST(anomaly_subscription_update_sends_the_whole_list)
{
	const res_attr_t *a = attr("ce.anomaly_subscription", "Subscribers");
	cJSON *desired = parse("[{\"Type\":\"EMAIL\",\"Address\":\"a@b\"},"
			       "{\"Type\":\"EMAIL\",\"Address\":\"c@d\"}]");
	cJSON *calls;
	err_t e;

	calls = a->plan(a, desired, NULL, NULL, NULL, &e);
	ck_assert_int_eq(cJSON_GetArraySize(calls), 1);
	ck_assert_str_eq(json_get_path(calls, "0.op")->valuestring, "UpdateAnomalySubscription");
	ck_assert_str_eq(json_get_path(calls, "0.params.SubscriptionArn")->valuestring, "$id");
	ck_assert_int_eq(cJSON_GetArraySize(json_get_path(calls, "0.params.Subscribers")), 2);
	cJSON_Delete(calls);
	calls = a->plan(a, NULL, NULL, NULL, NULL, &e);
	ck_assert_int_eq(cJSON_GetArraySize(calls), 0);
	cJSON_Delete(calls);
	cJSON_Delete(desired);
}
END_TEST

START_TEST(template_places_names_only_whole_attr_placeholders)
{
	const char *tmpl = "{\"Budget\":{\"BudgetLimit\":\"$attr:BudgetLimit\"}}";

	ck_assert(res_template_places(tmpl, "BudgetLimit"));
	ck_assert(!res_template_places(tmpl, "Budget"));
	ck_assert(!res_template_places(tmpl, "BudgetLim"));
	ck_assert(!res_template_places(NULL, "BudgetLimit"));
	ck_assert(res_template_places(type("budgets.budget")->create.params, "CostFilters"));
}
END_TEST

/* Alarms on a load balancer name it as CloudWatch does: app/NAME/ID. */
START_TEST(load_balancer_full_name_is_the_metric_dimension_from_the_arn)
{
	const res_type_t *t = type("elbv2.load_balancer");
	cJSON *live = parse("{\"LoadBalancerArn\":\"arn:aws:elasticloadbalancing:us-east-1:"
			    "123456789012:loadbalancer/app/web/50dc6c495c0c9188\"}");
	err_t e;

	ck_assert_int_eq(t->hooks->fix_live(t, live, &e), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(live, "LoadBalancerFullName")->valuestring,
			 "app/web/50dc6c495c0c9188");
	cJSON_Delete(live);
	live = parse("{\"LoadBalancerArn\":\"not-an-arn\"}");
	ck_assert_int_eq(t->hooks->fix_live(t, live, &e), 0);
	ck_assert_ptr_null(cJSON_GetObjectItem(live, "LoadBalancerFullName"));
	cJSON_Delete(live);
}
END_TEST

TESTUTIL_MAIN("res_obs",
	load_balancer_full_name_is_the_metric_dimension_from_the_arn,
	retention_takes_only_the_days_cloudwatch_logs_accepts,
	retention_change_is_an_update_and_absent_retention_is_drift,
	alarm_needs_one_metric_or_metric_math_not_both,
	alarm_dimensions_and_actions_compare_as_sets_with_aws_defaults,
	alarm_change_puts_the_whole_definition_even_for_a_removal,
	dashboard_body_is_compared_as_json_not_text,
	budget_amount_text_compares_as_a_number_and_account_is_not_read,
	budget_limit_must_be_a_positive_amount_as_text,
	budget_notifications_as_listed_are_in_sync_with_config,
	changed_notification_is_deleted_and_created_with_its_subscribers,
	sns_anomaly_subscribers_need_immediate_frequency,
	anomaly_subscription_update_sends_the_whole_list,
	template_places_names_only_whole_attr_placeholders)
