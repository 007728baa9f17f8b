#include <check.h>
#include <stdio.h>
#include <string.h>

#include <cJSON.h>

#include "alerts.h"
#include "testutil.h"

static alerts_t *make(unsigned cap, size_t queue)
{
	alerts_opts_t o = { "prod", 0, cap, queue };

	return alerts_new(&o);
}

/* Sends everything alerts_next gives at time now; returns how many. */
static int drain(alerts_t *a, double now, int ok)
{
	int n = 0;

	while (alerts_next(a, now)) {
		alerts_sent(a, ok);
		n++;
		if (!ok)
			break;
	}
	return n;
}

START_TEST(the_same_drift_alerts_once_until_it_resolves)
{
	alerts_t *a = make(0, 0);

	ck_assert_int_eq(alerts_raise(a, ALERT_DRIFT, "drift|ec2.vpc.main|x",
				      "s", "t", NULL, 100), 1);
	ck_assert_int_eq(alerts_raise(a, ALERT_DRIFT, "drift|ec2.vpc.main|x",
				      "s", "t", NULL, 200), 0);
	ck_assert_uint_eq(alerts_queued(a), 1);
	ck_assert(alerts_known(a, "drift|ec2.vpc.main|"));
	ck_assert_uint_eq(alerts_resolve(a, "drift|ec2.vpc.main|"), 1);
	ck_assert(!alerts_known(a, "drift|ec2.vpc.main|"));
	ck_assert_int_eq(alerts_raise(a, ALERT_DRIFT, "drift|ec2.vpc.main|x",
				      "s", "t", NULL, 300), 1);
	ck_assert_uint_eq(alerts_queued(a), 2);
	alerts_free(a);
}
END_TEST

START_TEST(an_unresolved_drift_alerts_again_after_the_interval)
{
	alerts_opts_t o = { "prod", 600, 0, 0 };
	alerts_t *a = alerts_new(&o);

	ck_assert_int_eq(alerts_raise(a, ALERT_DRIFT, "k", "s", "t", NULL, 0), 1);
	ck_assert_int_eq(alerts_raise(a, ALERT_DRIFT, "k", "s", "t", NULL, 599), 0);
	ck_assert_int_eq(alerts_raise(a, ALERT_DRIFT, "k", "s", "t", NULL, 600), 1);
	/* a different drift on the same resource is its own alert */
	ck_assert_int_eq(alerts_raise(a, ALERT_DRIFT, "k2", "s", "t", NULL, 601), 1);
	alerts_free(a);
}
END_TEST

START_TEST(the_default_realert_interval_is_a_day)
{
	alerts_t *a = make(0, 0);

	ck_assert_int_eq(alerts_raise(a, ALERT_DRIFT, "k", "s", "t", NULL, 0), 1);
	ck_assert_int_eq(alerts_raise(a, ALERT_DRIFT, "k", "s", "t", NULL, 86399), 0);
	ck_assert_int_eq(alerts_raise(a, ALERT_DRIFT, "k", "s", "t", NULL, 86400), 1);
	alerts_free(a);
}
END_TEST

START_TEST(subjects_stay_under_100_printable_characters)
{
	alerts_t *a = make(0, 0);
	char longer[300];
	const alert_t *al;
	size_t i;

	memset(longer, 'x', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	longer[10] = '\n';
	alerts_raise(a, ALERT_DRIFT, NULL, longer, "t", NULL, 0);
	al = alerts_next(a, 0);
	ck_assert_ptr_nonnull(al);
	ck_assert_uint_eq(strlen(al->subject), ALERTS_SUBJECT_MAX);
	ck_assert_uint_lt(strlen(al->subject), 100);
	for (i = 0; al->subject[i]; i++)
		ck_assert(al->subject[i] >= 0x20 && al->subject[i] < 0x7f);
	ck_assert_str_eq(al->subject + ALERTS_SUBJECT_MAX - 3, "...");
	alerts_sent(a, 1);
	alerts_raise(a, ALERT_DRIFT, NULL, "short", "t", NULL, 0);
	al = alerts_next(a, 0);
	ck_assert_str_eq(al->subject, "short");
	alerts_sent(a, 1);
	alerts_free(a);
}
END_TEST

START_TEST(over_the_hourly_cap_one_summary_counts_the_rest)
{
	alerts_t *a = make(3, 0);
	const alert_t *al;
	char key[16];
	int i;

	for (i = 0; i < 8; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		alerts_raise(a, i < 6 ? ALERT_DRIFT : ALERT_ORPHAN, key, "s",
			     "t", NULL, 10);
	}
	ck_assert_int_eq(drain(a, 10, 1), 3);
	ck_assert_uint_eq(alerts_queued(a), 0);
	ck_assert_uint_eq(alerts_held(a), 5);
	/* still the same hour: nothing more goes out */
	alerts_raise(a, ALERT_DRIFT, "late", "s", "t", NULL, 100);
	ck_assert_ptr_null(alerts_next(a, 100));
	ck_assert_uint_eq(alerts_held(a), 6);
	/* the next hour starts with the summary */
	al = alerts_next(a, 10 + 3600);
	ck_assert_ptr_nonnull(al);
	ck_assert_int_eq(al->event, ALERT_SUMMARY);
	ck_assert_ptr_nonnull(strstr(al->subject, "6 alerts held back"));
	ck_assert_ptr_nonnull(strstr(al->message, "4 drift"));
	ck_assert_ptr_nonnull(strstr(al->message, "2 orphan"));
	alerts_sent(a, 1);
	ck_assert_uint_eq(alerts_held(a), 0);
	ck_assert_ptr_null(alerts_next(a, 10 + 3600));
	alerts_free(a);
}
END_TEST

START_TEST(a_failed_send_is_retried_and_nothing_is_lost)
{
	alerts_t *a = make(0, 0);
	const alert_t *al;

	alerts_raise(a, ALERT_ACTION_FAILED, "f", "first", "t", NULL, 0);
	alerts_raise(a, ALERT_DRIFT, "d", "second", "t", NULL, 0);
	al = alerts_next(a, 0);
	ck_assert_str_eq(al->subject, "first");
	ck_assert_ptr_null(alerts_next(a, 0));   /* one in flight at a time */
	alerts_sent(a, 0);
	ck_assert_uint_eq(alerts_queued(a), 2);
	al = alerts_next(a, 60);
	ck_assert_str_eq(al->subject, "first");
	alerts_sent(a, 1);
	al = alerts_next(a, 60);
	ck_assert_str_eq(al->subject, "second");
	alerts_sent(a, 1);
	ck_assert_uint_eq(alerts_queued(a), 0);
	ck_assert_uint_eq(alerts_dropped(a), 0);
	alerts_free(a);
}
END_TEST

START_TEST(a_full_queue_drops_the_oldest_waiting_and_counts_it)
{
	alerts_t *a = make(0, 2);
	const alert_t *al;

	alerts_raise(a, ALERT_DRIFT, NULL, "one", "t", NULL, 0);
	al = alerts_next(a, 0);                  /* "one" in flight */
	alerts_raise(a, ALERT_DRIFT, NULL, "two", "t", NULL, 0);
	alerts_raise(a, ALERT_DRIFT, NULL, "three", "t", NULL, 0);
	ck_assert_uint_eq(alerts_queued(a), 2);
	ck_assert_uint_eq(alerts_dropped(a), 1);
	ck_assert_str_eq(al->subject, "one");   /* the one in flight stays */
	alerts_sent(a, 1);
	al = alerts_next(a, 0);
	ck_assert_str_eq(al->subject, "three");
	alerts_sent(a, 1);
	alerts_free(a);
}
END_TEST

START_TEST(publish_carries_string_attributes_and_a_json_block)
{
	alerts_t *a = make(0, 0);
	cJSON *details = cJSON_CreateObject(), *p, *attrs, *parsed;
	const alert_t *al;
	const char *msg, *json;

	cJSON_AddStringToObject(details, "address", "ec2.vpc.main");
	alerts_raise(a, ALERT_ACTION_FAILED, NULL, "subject", "It failed.",
		     details, 0);
	cJSON_Delete(details);
	al = alerts_next(a, 0);
	p = alerts_publish_params(a, al, "arn:aws:sns:us-east-1:123456789012:t");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(p, "TopicArn")),
			 "arn:aws:sns:us-east-1:123456789012:t");
	attrs = cJSON_GetObjectItem(p, "MessageAttributes");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(
		cJSON_GetObjectItem(attrs, "severity"), "StringValue")), "error");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(
		cJSON_GetObjectItem(attrs, "event"), "StringValue")), "action_failed");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(
		cJSON_GetObjectItem(attrs, "environment"), "StringValue")), "prod");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(
		cJSON_GetObjectItem(attrs, "environment"), "DataType")), "String");
	msg = cJSON_GetStringValue(cJSON_GetObjectItem(p, "Message"));
	ck_assert(!strncmp(msg, "It failed.", 10));
	json = strchr(msg, '{');
	ck_assert_ptr_nonnull(json);
	parsed = cJSON_Parse(json);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(parsed, "address")),
			 "ec2.vpc.main");
	cJSON_Delete(parsed);
	cJSON_Delete(p);
	alerts_sent(a, 1);
	alerts_free(a);
	alerts_free(NULL);
}
END_TEST

/* Fault 6 of issue 12: with nothing queued after the hour, the summary
 * of what the cap held back is still due, at a time the daemon can arm a
 * timer for, and alerts_pending says so (the daemon's send loop asked
 * only for queued alerts before). */
START_TEST(the_summary_is_due_at_the_end_of_the_hour_with_nothing_queued)
{
	alerts_t *a = make(2, 0);
	const alert_t *al;
	int i;

	ck_assert(alerts_summary_due(a) < 0);
	ck_assert(!alerts_pending(a, 0));
	for (i = 0; i < 5; i++)
		alerts_raise(a, ALERT_DRIFT, NULL, "s", "t", NULL, 100);
	ck_assert(alerts_pending(a, 100));
	ck_assert_int_eq(drain(a, 100, 1), 2);
	ck_assert_uint_eq(alerts_held(a), 3);
	ck_assert_uint_eq(alerts_queued(a), 0);
	ck_assert(alerts_summary_due(a) == 100 + 3600);
	ck_assert(!alerts_pending(a, 100 + 3599));
	ck_assert(alerts_pending(a, 100 + 3600));
	al = alerts_next(a, 100 + 3600);
	ck_assert_ptr_nonnull(al);
	ck_assert_int_eq(al->event, ALERT_SUMMARY);
	ck_assert(!alerts_pending(a, 100 + 3600));   /* in flight */
	alerts_sent(a, 1);
	ck_assert(alerts_summary_due(a) < 0);
	ck_assert(!alerts_pending(a, 100 + 3600));
	alerts_free(a);
}
END_TEST

/* The event list is one X-macro: every event has a name and a severity,
 * and the new ones are told apart. */
START_TEST(every_event_has_a_distinct_name_and_a_severity)
{
	int i, j;

	for (i = 0; i < ALERT_EVENT_COUNT_; i++) {
		ck_assert_ptr_nonnull(alerts_event_name((alert_event_t)i));
		ck_assert_ptr_nonnull(alerts_severity((alert_event_t)i));
		for (j = 0; j < i; j++)
			ck_assert_str_ne(alerts_event_name((alert_event_t)i),
					 alerts_event_name((alert_event_t)j));
	}
	ck_assert_str_eq(alerts_event_name(ALERT_UNREADABLE), "unreadable");
	ck_assert_str_eq(alerts_event_name(ALERT_REFUSED), "refused");
	ck_assert_str_eq(alerts_event_name(ALERT_OWNED_ELSEWHERE),
			 "owned_elsewhere");
}
END_TEST

TESTUTIL_MAIN("alerts",
	      the_same_drift_alerts_once_until_it_resolves,
	      an_unresolved_drift_alerts_again_after_the_interval,
	      the_default_realert_interval_is_a_day,
	      subjects_stay_under_100_printable_characters,
	      over_the_hourly_cap_one_summary_counts_the_rest,
	      a_failed_send_is_retried_and_nothing_is_lost,
	      a_full_queue_drops_the_oldest_waiting_and_counts_it,
	      publish_carries_string_attributes_and_a_json_block,
	      the_summary_is_due_at_the_end_of_the_hour_with_nothing_queued,
	      every_event_has_a_distinct_name_and_a_severity)
