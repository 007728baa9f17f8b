/* The sesv2 configuration set, event destination, template and account
 * tables: their hooks and normalizers, and what diff finds between config
 * and what SES answers. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "jsonutil.h"
#include "resources/resources.h"
#include "restable.h"
#include "restest.h"
#include "testutil.h"

#define DEST_CONFIG \
	"{\"ConfigurationSetName\":\"tx\",\"EventDestinationName\":\"status\"," \
	"\"Enabled\":true,\"MatchingEventTypes\":[\"DELIVERY\",\"BOUNCE\",\"COMPLAINT\"]," \
	"\"SnsDestination\":{\"TopicArn\":\"arn:aws:sns:us-east-1:1:t\"}}"

START_TEST(suppressed_reasons_are_a_set)
{
	const res_attr_t *a = res_type_attr(type("sesv2.configuration_set"), "SuppressionOptions");
	cJSON *bad = parse("{\"SuppressedReasons\":[1]}");
	err_t e;

	ck_assert_uint_eq(changes("sesv2.configuration_set",
		"{\"ConfigurationSetName\":\"tx\",\"SuppressionOptions\":"
		"{\"SuppressedReasons\":[\"COMPLAINT\",\"BOUNCE\"]}}",
		"{\"ConfigurationSetName\":\"tx\",\"SuppressionOptions\":"
		"{\"SuppressedReasons\":[\"BOUNCE\",\"COMPLAINT\"]}}"), 0);
	ck_assert_uint_eq(changes("sesv2.configuration_set",
		"{\"ConfigurationSetName\":\"tx\",\"SuppressionOptions\":"
		"{\"SuppressedReasons\":[\"COMPLAINT\",\"BOUNCE\"]}}",
		"{\"ConfigurationSetName\":\"tx\",\"SuppressionOptions\":"
		"{\"SuppressedReasons\":[\"BOUNCE\"]}}"), 1);
	ck_assert_ptr_null(a->normalize(bad, &e));
	ck_assert_int_eq(e.code, -EINVAL);
	cJSON_Delete(bad);
}
END_TEST

START_TEST(listed_destination_matches_its_config)
{
	ck_assert_uint_eq(changes("sesv2.configuration_set_event_destination", DEST_CONFIG,
		"{\"Name\":\"status\",\"ConfigurationSetName\":\"tx\",\"Enabled\":true,"
		"\"MatchingEventTypes\":[\"COMPLAINT\",\"BOUNCE\",\"DELIVERY\"],"
		"\"SnsDestination\":{\"TopicArn\":\"arn:aws:sns:us-east-1:1:t\"}}"), 0);
	ck_assert_uint_eq(changes("sesv2.configuration_set_event_destination", DEST_CONFIG,
		"{\"Name\":\"status\",\"ConfigurationSetName\":\"tx\",\"Enabled\":true,"
		"\"MatchingEventTypes\":[\"BOUNCE\",\"DELIVERY\"],"
		"\"SnsDestination\":{\"TopicArn\":\"arn:aws:sns:us-east-1:1:t\"}}"), 1);
}
END_TEST

/* The item of a create is its request: named EventDestinationName, the
 * definition nested; fix_live makes it a listed item. */
START_TEST(created_destination_looks_like_a_listed_one)
{
	const res_type_t *t = type("sesv2.configuration_set_event_destination");
	cJSON *item = parse("{\"ConfigurationSetName\":\"tx\",\"EventDestinationName\":\"status\","
			    "\"EventDestination\":{\"Enabled\":true,\"MatchingEventTypes\":[\"BOUNCE\"],"
			    "\"SnsDestination\":{\"TopicArn\":\"arn\"}}}");
	err_t e;

	ck_assert_int_eq(t->hooks->fix_live(t, item, &e), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(item, "Name")->valuestring, "status");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(item, "Enabled")));
	ck_assert_str_eq(json_get_path(item, "SnsDestination.TopicArn")->valuestring, "arn");
	ck_assert_ptr_null(cJSON_GetObjectItem(item, "EventDestination"));
	cJSON_Delete(item);
}
END_TEST

/* Adding and removing event types are the same whole-definition write,
 * which names every attribute, so that either keeps the others. */
START_TEST(destination_writes_are_whole_definitions)
{
	const res_type_t *t = type("sesv2.configuration_set_event_destination");
	const res_attr_t *types = res_type_attr(t, "MatchingEventTypes");
	const char *const names[] = { "Enabled", "MatchingEventTypes", "SnsDestination", NULL };
	const char *const *n;

	ck_assert_str_eq(types->update_op, types->remove_op);
	ck_assert_str_eq(types->update_params, types->remove_params);
	for (n = names; *n; n++) {
		ck_assert_str_eq(res_type_attr(t, *n)->update_params, types->update_params);
		ck_assert_ptr_nonnull(strstr(t->create.params, *n));
	}
}
END_TEST

START_TEST(template_html_is_compared_exactly)
{
	const char *cfg = "{\"TemplateName\":\"x\",\"TemplateContent\":{\"Subject\":\"Hi\","
			  "\"Html\":\"<p>Hi</p>\\n\"}}";

	ck_assert_uint_eq(changes("sesv2.email_template", cfg,
		"{\"TemplateName\":\"x\",\"TemplateContent\":{\"Subject\":\"Hi\","
		"\"Html\":\"<p>Hi</p>\\n\",\"Text\":\"Hi\"}}"), 0);
	ck_assert_uint_eq(changes("sesv2.email_template", cfg,
		"{\"TemplateName\":\"x\",\"TemplateContent\":{\"Subject\":\"Hi\","
		"\"Html\":\"<p>Hi</p>\"}}"), 1);
}
END_TEST

#define ACCOUNT_CONFIG \
	"{\"ProductionAccessEnabled\":true,\"MailType\":\"TRANSACTIONAL\"," \
	"\"WebsiteURL\":\"https://example.com\",\"UseCaseDescription\":\"receipts\"}"

/* Only the access itself is compared: what AWS keeps of the request is
 * no drift. The review status holds the request while it is decided. */
START_TEST(production_access_compares_the_access_only)
{
	const res_type_t *t = type("sesv2.account_production_access");
	const res_attr_t *a = res_type_attr(t, "ProductionAccessEnabled");
	cJSON *no = cJSON_CreateFalse(), *yes = cJSON_CreateTrue();
	err_t e;

	ck_assert_uint_eq(changes("sesv2.account_production_access", ACCOUNT_CONFIG,
		"{\"ProductionAccessEnabled\":true,\"Details\":{\"MailType\":\"MARKETING\","
		"\"WebsiteURL\":\"https://old.example.com\"}}"), 0);
	ck_assert_uint_eq(changes("sesv2.account_production_access", ACCOUNT_CONFIG,
		"{\"ProductionAccessEnabled\":false}"), 1);
	ck_assert_int_eq(a->check(no, &e), -EINVAL);
	ck_assert_int_eq(a->check(yes, &e), 0);
	ck_assert_int_eq(t->identity, RES_ID_SINGLETON);
	ck_assert_str_eq(t->held, "PENDING|DENIED");
	ck_assert_ptr_null(t->create.op);
	cJSON_Delete(no);
	cJSON_Delete(yes);
}
END_TEST

TESTUTIL_MAIN("res_email",
	suppressed_reasons_are_a_set,
	listed_destination_matches_its_config,
	created_destination_looks_like_a_listed_one,
	destination_writes_are_whole_definitions,
	template_html_is_compared_exactly,
	production_access_compares_the_access_only)
