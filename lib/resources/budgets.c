/* AWS Budgets: cost budgets and their notifications. Member names are the
 * botocore budgets model's (2016-10-20). Budgets is global (one endpoint,
 * signed in us-east-1) and every call names the account: AccountId is an
 * attribute the config sets (a variable per environment), sent with each
 * call by "$attr:AccountId" and never returned by AWS, hence write-only.
 * The read is scoped by it: DescribeBudgets once per account.
 *
 * CreateBudget wraps the budget in Budget; its template places those
 * attributes itself. UpdateBudget replaces the whole budget (NewBudget).
 *
 * Notifications are read with DescribeNotificationsForBudget, one call
 * per budget. They are compared by the notification alone (type,
 * operator, threshold): reading each notification's subscribers would
 * need a call per notification, so subscribers are sent when a
 * notification is made and not compared afterwards. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "resources.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

#define BUDGET_MEMBERS \
	"\"BudgetType\":\"$attr:BudgetType\",\"TimeUnit\":\"$attr:TimeUnit\"," \
	"\"BudgetLimit\":\"$attr:BudgetLimit\",\"CostFilters\":\"$attr:CostFilters\""

#define UPDATE_BUDGET \
	"{\"AccountId\":\"$attr:AccountId\",\"NewBudget\":{\"BudgetName\":\"$id\"," \
	BUDGET_MEMBERS "}}"

#define BUDGET_KEY "{\"AccountId\":\"$attr:AccountId\",\"BudgetName\":\"$id\"}"

/* A number AWS takes as text ("100.0"): 0, or -EINVAL for anything else. */
static int amount_value(const cJSON *v, double *out)
{
	char *end;

	if (cJSON_IsNumber(v)) {
		*out = v->valuedouble;
		return 0;
	}
	if (!cJSON_IsString(v) || !v->valuestring[0])
		return -EINVAL;
	*out = strtod(v->valuestring, &end);
	return *end ? -EINVAL : 0;
}

/* BudgetLimit.Amount is text in AWS ("500.0" for a config's "500"):
 * compared as a number. */
static cJSON *budget_limit(const cJSON *value, err_t *err)
{
	cJSON *out = cJSON_Duplicate(value, 1);
	const cJSON *amount = cJSON_GetObjectItemCaseSensitive(value, "Amount");
	double d;

	if (!out)
		return res_nomem(NULL, err);
	if (amount && !amount_value(amount, &d)) {
		cJSON_DeleteItemFromObjectCaseSensitive(out, "Amount");
		if (!cJSON_AddNumberToObject(out, "Amount", d))
			return res_nomem(out, err);
	}
	return out;
}

/* Budgets takes amounts as decimal text (Spend.Amount is a string). */
static int check_limit(const cJSON *value, err_t *err)
{
	const cJSON *amount = cJSON_GetObjectItemCaseSensitive(value, "Amount");
	double d;

	if (!cJSON_IsObject(value) || !cJSON_IsString(amount) ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(value, "Unit")))
		return err_set(err, -EINVAL, "BudgetLimit must be {\"Amount\": \"100\", "
			       "\"Unit\": \"USD\"} with the amount as text");
	/* ${var.x} not resolved: the loader reported it */
	if (strstr(amount->valuestring, "${"))
		return 0;
	if (amount_value(amount, &d) || d <= 0)
		return err_set(err, -EINVAL, "BudgetLimit.Amount \"%s\" is not a "
			       "positive number", amount->valuestring);
	return 0;
}

/* One notification as compared: the Notification of a
 * NotificationsWithSubscribers element (or the element, as AWS lists
 * it), with AWS's default ThresholdType filled in and its state
 * (NotificationState: OK or ALARM) dropped. */
static cJSON *notification_one(const cJSON *el)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(el, "Notification");
	cJSON *out = cJSON_Duplicate(n ? n : el, 1);

	if (!out)
		return NULL;
	cJSON_DeleteItemFromObjectCaseSensitive(out, "NotificationState");
	if (!cJSON_HasObjectItem(out, "ThresholdType") &&
	    !cJSON_AddStringToObject(out, "ThresholdType", "PERCENTAGE")) {
		cJSON_Delete(out);
		return NULL;
	}
	return out;
}

static cJSON *budget_notifications(const cJSON *value, err_t *err)
{
	cJSON *out = cJSON_CreateArray(), *one;
	const cJSON *el;

	if (!out)
		return res_nomem(NULL, err);
	cJSON_ArrayForEach(el, value) {
		if (!(one = notification_one(el)))
			return res_nomem(out, err);
		cJSON_AddItemToArray(out, one);
	}
	return out;
}

/* The Subscribers configured with the notification n (normalized). */
static const cJSON *subscribers_of(const cJSON *desired, const cJSON *n)
{
	const cJSON *el;
	cJSON *one;
	int eq;

	cJSON_ArrayForEach(el, desired) {
		if (!(one = notification_one(el)))
			return NULL;
		eq = json_equal(one, n);
		cJSON_Delete(one);
		if (eq)
			return cJSON_GetObjectItemCaseSensitive(el, "Subscribers");
	}
	return NULL;
}

/* Dropped notifications are deleted, new ones created with the
 * subscribers the config gives them. */
static cJSON *budget_plan_notifications(const res_attr_t *a, const cJSON *desired,
					const cJSON *added, const cJSON *removed,
					const cJSON *item, err_t *err)
{
	cJSON *calls = cJSON_CreateArray(), *params;
	const cJSON *el, *subs;

	(void)a;
	(void)item;
	if (!calls)
		return res_nomem(NULL, err);
	cJSON_ArrayForEach(el, removed) {
		params = cJSON_Parse(BUDGET_KEY);
		if (params)
			cJSON_AddItemToObject(params, "Notification", cJSON_Duplicate(el, 1));
		if (res_plan_call(calls, "DeleteNotification", params))
			return res_nomem(calls, err);
	}
	cJSON_ArrayForEach(el, added) {
		if (!(subs = subscribers_of(desired, el))) {
			cJSON_Delete(calls);
			err_set(err, -EINVAL, "a budget notification has no Subscribers");
			return NULL;
		}
		params = cJSON_Parse(BUDGET_KEY);
		if (params) {
			cJSON_AddItemToObject(params, "Notification", cJSON_Duplicate(el, 1));
			cJSON_AddItemToObject(params, "Subscribers", cJSON_Duplicate(subs, 1));
		}
		if (res_plan_call(calls, "CreateNotification", params))
			return res_nomem(calls, err);
	}
	return calls;
}

/* Each element is {"Notification": {...}, "Subscribers": [1..]}, as
 * CreateBudget takes it. */
static int check_notifications(const cJSON *value, err_t *err)
{
	const cJSON *el, *subs;

	if (!cJSON_IsArray(value))
		return err_set(err, -EINVAL, "NotificationsWithSubscribers must be an array");
	cJSON_ArrayForEach(el, value) {
		subs = cJSON_GetObjectItemCaseSensitive(el, "Subscribers");
		if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(el, "Notification")) ||
		    !cJSON_IsArray(subs) || !cJSON_GetArraySize(subs))
			return err_set(err, -EINVAL, "each of NotificationsWithSubscribers "
				       "needs a Notification object and at least one "
				       "of Subscribers");
	}
	return 0;
}

static const res_attr_t budget_attrs[] = {
	{ .name = "AccountId", .kind = RES_SCALAR, .mutability = RES_CREATE_ONLY,
	  .flags = RES_REQUIRED | RES_WRITE_ONLY },
	{ .name = "BudgetName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "BudgetType", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED, .enum_values = "COST|USAGE" },
	{ .name = "TimeUnit", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED, .enum_values = "DAILY|MONTHLY|QUARTERLY|ANNUALLY",
	  .update_op = "UpdateBudget", .update_params = UPDATE_BUDGET },
	{ .name = "BudgetLimit", .kind = RES_OBJECT, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED, .normalize = budget_limit, .check = check_limit,
	  .update_op = "UpdateBudget", .update_params = UPDATE_BUDGET },
	{ .name = "CostFilters", .kind = RES_OBJECT, .mutability = RES_IN_PLACE,
	  .update_op = "UpdateBudget", .update_params = UPDATE_BUDGET },
	{ .name = "NotificationsWithSubscribers", .kind = RES_SET,
	  .mutability = RES_IN_PLACE, .normalize = budget_notifications,
	  .check = check_notifications, .plan = budget_plan_notifications,
	  .update_op = "CreateNotification", .remove_op = "DeleteNotification",
	  .live_read = { "DescribeNotificationsForBudget", BUDGET_KEY, "Notifications" } },
	{ .name = "CalculatedSpend", .mutability = RES_READ_ONLY },
};

static const char *const budget_names[] = { "BudgetName", NULL };

const res_type_t res_budgets_types[] = {
	{ .name = "budgets.budget", .arn = "arn:{partition}:budgets::{account}:budget/{BudgetName}", .service = "budgets",
	  .summary = "a cost or usage budget with its notifications",
	  .identity = RES_ID_NAME, .name_attrs = budget_names,
	  .id_path = "BudgetName",
	  .read = { "DescribeBudgets", "{\"AccountId\":\"$attr:AccountId\"}", "Budgets" },
	  .read_one = { "DescribeBudget", BUDGET_KEY, "Budget" },
	  .create = { "CreateBudget",
		      "{\"AccountId\":\"$attr:AccountId\",\"Budget\":{"
		      "\"BudgetName\":\"$attr:BudgetName\"," BUDGET_MEMBERS "}}", NULL },
	  .remove = { "DeleteBudget", BUDGET_KEY, NULL },
	  .attrs = budget_attrs, .n_attrs = N_ELEMS(budget_attrs) },
};

const size_t res_budgets_n_types = N_ELEMS(res_budgets_types);
