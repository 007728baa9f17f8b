/* cloudtrail: who changed a resource, from scripted LookupEvents answers
 * (no server). The events are shaped as the CloudTrail API Reference
 * (LookupEvents, Event) and the User Guide (userIdentity element) give
 * them, in the form driftd's JSON protocol layer hands them over. */
#include <check.h>
#include <errno.h>
#include <string.h>

#include <cJSON.h>
#include <uv.h>

#include "cloudtrail.h"
#include "testutil.h"

#define MAX_CALLS 16

/* One scripted answer: a page (JSON text) or an AWS error code. */
typedef struct answer {
	const char *page;
	const char *aws_code;
} answer_t;

typedef struct script script_t;

typedef struct pending {
	script_t   *s;
	uv_timer_t  timer;
	aws_done_cb cb;
	void       *data;
	int         idx;
} pending_t;

struct script {
	uv_loop_t      *loop;
	const answer_t *answers;
	size_t          n, next;
	cJSON          *params[MAX_CALLS];
	char            region[MAX_CALLS][32];
	uint64_t        at[MAX_CALLS];       /* uv_now at each call */
	pending_t       pending[MAX_CALLS];  /* answered on the next turn */
};

static void answer_now(uv_timer_t *t)
{
	pending_t *p = t->data;
	const answer_t *a = &p->s->answers[p->idx];
	err_t e;

	uv_close((uv_handle_t *)t, NULL);
	err_clear(&e);
	if (a->aws_code) {
		err_set_aws(&e, -EIO, 400, a->aws_code, "req-1", "scripted");
		p->cb(p->data, NULL, &e);
		return;
	}
	p->cb(p->data, cJSON_Parse(a->page), NULL);
}

static int scripted_call(void *ctx, const char *service, const char *region,
			 const char *operation, const cJSON *params,
			 unsigned flags, aws_done_cb cb, void *data, err_t *e)
{
	script_t *s = ctx;
	pending_t *p;

	(void)flags;
	ck_assert_str_eq(service, "cloudtrail");
	ck_assert_str_eq(operation, "LookupEvents");
	if (s->next >= s->n || s->next >= MAX_CALLS)
		return err_set(e, -EINVAL, "no scripted answer left");
	p = &s->pending[s->next];
	s->params[s->next] = cJSON_Duplicate(params, 1);
	snprintf(s->region[s->next], sizeof(s->region[0]), "%s", region);
	s->at[s->next] = uv_now(s->loop);
	p->s = s;
	p->idx = (int)s->next++;
	p->cb = cb;
	p->data = data;
	uv_timer_init(s->loop, &p->timer);
	p->timer.data = p;
	uv_timer_start(&p->timer, answer_now, 1, 0);
	return 0;
}

typedef struct got {
	int          calls;
	ct_outcome_t outcome;
	ct_change_t  ch;
	err_t        e;
} got_t;

static void on_done(void *data, ct_outcome_t outcome, const ct_change_t *ch,
		    const err_t *e)
{
	got_t *g = data;

	g->calls++;
	g->outcome = outcome;
	if (ch)
		g->ch = *ch;
	if (e)
		g->e = *e;
}

static uv_loop_t loop;

static ct_t *setup(script_t *s, const answer_t *answers, size_t n)
{
	ct_opts_t o = { &loop, scripted_call, s, NULL };

	uv_loop_init(&loop);
	memset(s, 0, sizeof(*s));
	s->loop = &loop;
	s->answers = answers;
	s->n = n;
	return ct_new(&o);
}

static void teardown(script_t *s, ct_t *t)
{
	size_t i;

	ct_free(t);
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(uv_loop_close(&loop), 0);
	for (i = 0; i < s->next; i++)
		cJSON_Delete(s->params[i]);
}

static const char *param_str(const cJSON *p, const char *path)
{
	if (!strcmp(path, "name"))
		return cJSON_GetStringValue(cJSON_GetObjectItem(
			cJSON_GetArrayItem(cJSON_GetObjectItem(p, "LookupAttributes"), 0),
			"AttributeValue"));
	return cJSON_GetStringValue(cJSON_GetObjectItem(p, path));
}

/* Events, newest first. T0 = 1765000000 (2025-12-06T05:46:40Z). */
#define ALICE "{\\\"userIdentity\\\":{\\\"type\\\":\\\"IAMUser\\\",\\\"principalId\\\":\\\"AIDAJ45Q7YFFAREXAMPLE\\\",\\\"arn\\\":\\\"arn:aws:iam::123456789012:user/Alice\\\",\\\"accountId\\\":\\\"123456789012\\\",\\\"accessKeyId\\\":\\\"AKIAIOSFODNN7EXAMPLE\\\",\\\"userName\\\":\\\"Alice\\\"},\\\"sourceIPAddress\\\":\\\"203.0.113.7\\\",\\\"userAgent\\\":\\\"aws-cli/2.15.0 Python/3.11\\\",\\\"readOnly\\\":false}"
#define BOB_SESSION "{\\\"userIdentity\\\":{\\\"type\\\":\\\"AssumedRole\\\",\\\"arn\\\":\\\"arn:aws:sts::123456789012:assumed-role/ops/bob\\\",\\\"sessionContext\\\":{\\\"sessionIssuer\\\":{\\\"type\\\":\\\"Role\\\",\\\"arn\\\":\\\"arn:aws:iam::123456789012:role/ops\\\"}}},\\\"sourceIPAddress\\\":\\\"198.51.100.9\\\",\\\"userAgent\\\":\\\"Boto3/1.34\\\",\\\"readOnly\\\":false}"
#define DRIFTD_SELF "{\\\"userIdentity\\\":{\\\"type\\\":\\\"IAMUser\\\",\\\"arn\\\":\\\"arn:aws:iam::123456789012:user/driftd\\\"},\\\"sourceIPAddress\\\":\\\"10.0.0.5\\\",\\\"userAgent\\\":\\\"driftd/0.1\\\",\\\"readOnly\\\":false}"
#define SERVICE "{\\\"userIdentity\\\":{\\\"type\\\":\\\"AWSService\\\",\\\"invokedBy\\\":\\\"autoscaling.amazonaws.com\\\"},\\\"sourceIPAddress\\\":\\\"autoscaling.amazonaws.com\\\",\\\"userAgent\\\":\\\"autoscaling.amazonaws.com\\\",\\\"readOnly\\\":false}"
#define READER "{\\\"userIdentity\\\":{\\\"type\\\":\\\"IAMUser\\\",\\\"arn\\\":\\\"arn:aws:iam::123456789012:user/auditor\\\"},\\\"sourceIPAddress\\\":\\\"203.0.113.8\\\",\\\"userAgent\\\":\\\"console\\\",\\\"readOnly\\\":true}"

#define EV(name, ro, time, user, rec) \
	"{\"EventId\":\"e-" name "\",\"EventName\":\"" name "\",\"ReadOnly\":\"" ro "\"," \
	"\"EventTime\":\"" time "\",\"EventSource\":\"ec2.amazonaws.com\",\"Username\":\"" user "\"," \
	"\"Resources\":[{\"ResourceType\":\"AWS::EC2::SecurityGroup\",\"ResourceName\":\"sg-0a1b\"}]," \
	"\"CloudTrailEvent\":\"" rec "\"}"

static const struct { const char *name; const char *page; const char *event;
		      const char *principal; const char *ip; } page_cases[] = {
	{ "a read is skipped, the newest write names the change",
	  "{\"Events\":[" EV("DescribeSecurityGroups", "true", "2025-12-06T05:46:30Z", "auditor", READER) ","
	  EV("AuthorizeSecurityGroupIngress", "false", "2025-12-06T05:46:20Z", "Alice", ALICE) ","
	  EV("CreateSecurityGroup", "false", "2025-12-06T05:40:00Z", "Alice", ALICE) "]}",
	  "AuthorizeSecurityGroupIngress", "arn:aws:iam::123456789012:user/Alice", "203.0.113.7" },
	{ "driftd's own revert after the drift is not the change",
	  "{\"Events\":[" EV("RevokeSecurityGroupIngress", "false", "2025-12-06T05:46:39Z", "driftd", DRIFTD_SELF) ","
	  EV("AuthorizeSecurityGroupIngress", "false", "2025-12-06T05:46:10Z", "bob", BOB_SESSION) "]}",
	  "AuthorizeSecurityGroupIngress", "arn:aws:sts::123456789012:assumed-role/ops/bob", "198.51.100.9" },
	{ "an AWS service is named by invokedBy",
	  "{\"Events\":[" EV("ModifySecurityGroupRules", "false", "2025-12-06T05:45:00Z", "", SERVICE) "]}",
	  "ModifySecurityGroupRules", "autoscaling.amazonaws.com", "autoscaling.amazonaws.com" },
	{ "an event after the window is not the change",
	  "{\"Events\":[" EV("AuthorizeSecurityGroupIngress", "false", "2025-12-06T05:50:00Z", "Alice", ALICE) "]}",
	  NULL, NULL, NULL },
	{ "an event before the window is not the change",
	  "{\"Events\":[" EV("AuthorizeSecurityGroupIngress", "false", "2025-12-06T05:00:00Z", "Alice", ALICE) "]}",
	  NULL, NULL, NULL },
	{ "only reads", "{\"Events\":[" EV("DescribeSecurityGroups", "true", "2025-12-06T05:46:30Z", "auditor", READER) "]}",
	  NULL, NULL, NULL },
	{ "an empty answer", "{}", NULL, NULL, NULL },
};

#define T0 1765000000       /* until: the drift was found */
#define SINCE (T0 - 600)    /* last seen in sync */

START_TEST(one_page_names_the_newest_write_in_the_window)
{
	cJSON *page = cJSON_Parse(page_cases[_i].page);
	ct_change_t ch;
	int rc;

	ck_assert_msg(page != NULL, "%s: fixture parses", page_cases[_i].name);
	memset(&ch, 0, sizeof(ch));
	rc = ct_page_change(page, SINCE, T0, "driftd/", &ch);
	ck_assert_msg(rc == (page_cases[_i].event ? 1 : 0), "%s: rc %d",
		      page_cases[_i].name, rc);
	if (page_cases[_i].event) {
		ck_assert_str_eq(ch.event_name, page_cases[_i].event);
		ck_assert_str_eq(ch.principal, page_cases[_i].principal);
		ck_assert_str_eq(ch.source_ip, page_cases[_i].ip);
	}
	cJSON_Delete(page);
}
END_TEST

START_TEST(a_page_that_is_not_lookup_events_answer_is_a_protocol_error)
{
	cJSON *page = cJSON_Parse("{\"Events\":\"nope\"}");
	ct_change_t ch;

	ck_assert_int_eq(ct_page_change(page, SINCE, T0, NULL, &ch), -EPROTO);
	cJSON_Delete(page);
}
END_TEST

START_TEST(a_lookup_asks_by_resource_name_in_the_window_and_names_the_change)
{
	static const answer_t a[] = {
		{ "{\"Events\":[" EV("AuthorizeSecurityGroupIngress", "false", "2025-12-06T05:46:20Z", "Alice", ALICE) "]}", NULL },
	};
	script_t s;
	ct_t *t = setup(&s, a, 1);
	ct_query_t q = { "eu-west-1", { "sg-0a1b", "web" }, SINCE, T0 };
	got_t g = { 0 };
	char *text;
	cJSON *j;

	ck_assert_int_eq(ct_lookup(t, &q, on_done, &g, NULL), 0);
	ck_assert_int_eq(g.calls, 0);      /* never from inside ct_lookup */
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(g.calls, 1);
	ck_assert_int_eq(g.outcome, CT_FOUND);
	ck_assert_str_eq(g.ch.event_name, "AuthorizeSecurityGroupIngress");
	ck_assert_str_eq(g.ch.principal, "arn:aws:iam::123456789012:user/Alice");
	ck_assert_str_eq(g.ch.user_agent, "aws-cli/2.15.0 Python/3.11");
	ck_assert_str_eq(g.ch.username, "Alice");
	ck_assert_str_eq(g.ch.resource, "sg-0a1b");
	ck_assert_int_eq(g.ch.event_time, T0 - 20);
	ck_assert_double_eq(ct_detect_seconds(&g.ch, T0), 20.0);
	ck_assert_str_eq(s.region[0], "eu-west-1");
	ck_assert_str_eq(param_str(s.params[0], "name"), "sg-0a1b");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetArrayItem(
		cJSON_GetObjectItem(s.params[0], "LookupAttributes"), 0), "AttributeKey")),
		"ResourceName");
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(s.params[0], "StartTime")), SINCE);
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(s.params[0], "EndTime")), T0);
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(s.params[0], "MaxResults")), 50);
	ck_assert_ptr_null(cJSON_GetObjectItem(s.params[0], "NextToken"));
	/* the record kept in alerts and history reads back the same */
	j = ct_change_json(&g.ch);
	text = cJSON_PrintUnformatted(j);
	ck_assert_ptr_nonnull(strstr(text, "\"time\":\"2025-12-06T05:46:20"));
	{
		ct_change_t back;

		ck_assert_int_eq(ct_change_from_json(j, &back), 0);
		ck_assert_str_eq(back.principal, g.ch.principal);
		ck_assert_int_eq(back.event_time, g.ch.event_time);
	}
	cJSON_free(text);
	cJSON_Delete(j);
	teardown(&s, t);
}
END_TEST

START_TEST(pages_are_followed_by_next_token_two_calls_a_second_at_most)
{
	static const answer_t a[] = {
		{ "{\"Events\":[" EV("DescribeSecurityGroups", "true", "2025-12-06T05:46:30Z", "auditor", READER) "],\"NextToken\":\"tok-2\"}", NULL },
		{ "{\"Events\":[" EV("DescribeSecurityGroups", "true", "2025-12-06T05:46:29Z", "auditor", READER) "],\"NextToken\":\"tok-3\"}", NULL },
		{ "{\"Events\":[" EV("AuthorizeSecurityGroupIngress", "false", "2025-12-06T05:46:20Z", "bob", BOB_SESSION) "]}", NULL },
	};
	script_t s;
	ct_t *t = setup(&s, a, 3);
	ct_query_t q = { "us-east-1", { "sg-0a1b" }, SINCE, T0 };
	got_t g = { 0 };

	ck_assert_int_eq(ct_lookup(t, &q, on_done, &g, NULL), 0);
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(g.outcome, CT_FOUND);
	ck_assert_str_eq(g.ch.principal, "arn:aws:sts::123456789012:assumed-role/ops/bob");
	ck_assert_int_eq((int)s.next, 3);
	ck_assert_str_eq(param_str(s.params[1], "NextToken"), "tok-2");
	ck_assert_str_eq(param_str(s.params[2], "NextToken"), "tok-3");
	/* the same parameters with the token, as AWS requires */
	ck_assert_str_eq(param_str(s.params[2], "name"), "sg-0a1b");
	ck_assert_uint_ge(s.at[1] - s.at[0], CT_INTERVAL_MS);
	ck_assert_uint_ge(s.at[2] - s.at[1], CT_INTERVAL_MS);
	teardown(&s, t);
}
END_TEST

START_TEST(the_id_then_the_name_is_asked_and_nothing_found_says_so)
{
	static const answer_t a[] = {
		{ "{\"Events\":[]}", NULL },
		{ "{\"Events\":[" EV("PutRolePolicy", "false", "2025-12-06T05:46:00Z", "Alice", ALICE) "]}", NULL },
		{ "{}", NULL },
		{ "{\"Events\":[" EV("GetRole", "true", "2025-12-06T05:46:00Z", "auditor", READER) "]}", NULL },
	};
	script_t s;
	ct_t *t = setup(&s, a, 4);
	ct_query_t q = { "us-east-1", { "AROAEXAMPLEID", "", "app-role" }, SINCE, T0 };
	got_t g = { 0 }, g2 = { 0 };

	ck_assert_int_eq(ct_lookup(t, &q, on_done, &g, NULL), 0);
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(g.outcome, CT_FOUND);
	ck_assert_str_eq(g.ch.resource, "app-role");
	ck_assert_str_eq(param_str(s.params[0], "name"), "AROAEXAMPLEID");
	ck_assert_str_eq(param_str(s.params[1], "name"), "app-role");
	/* CloudTrail has nothing yet (eventually consistent): not found */
	ck_assert_int_eq(ct_lookup(t, &q, on_done, &g2, NULL), 0);
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(g2.calls, 1);
	ck_assert_int_eq(g2.outcome, CT_NOT_FOUND);
	ck_assert_int_eq((int)s.next, 4);
	teardown(&s, t);
}
END_TEST

START_TEST(lookups_started_together_are_spaced_per_region)
{
	static const answer_t a[] = {
		{ "{}", NULL }, { "{}", NULL }, { "{}", NULL }, { "{}", NULL },
	};
	script_t s;
	ct_t *t = setup(&s, a, 4);
	ct_query_t q1 = { "us-east-1", { "sg-1" }, SINCE, T0 };
	ct_query_t q2 = { "us-east-1", { "sg-2" }, SINCE, T0 };
	ct_query_t q3 = { "eu-west-1", { "sg-3" }, SINCE, T0 };
	ct_query_t q4 = { "us-east-1", { "sg-4" }, SINCE, T0 };
	got_t g[4] = { { 0 } };
	int i;

	ck_assert_int_eq(ct_lookup(t, &q1, on_done, &g[0], NULL), 0);
	ck_assert_int_eq(ct_lookup(t, &q2, on_done, &g[1], NULL), 0);
	ck_assert_int_eq(ct_lookup(t, &q3, on_done, &g[2], NULL), 0);
	ck_assert_int_eq(ct_lookup(t, &q4, on_done, &g[3], NULL), 0);
	uv_run(&loop, UV_RUN_DEFAULT);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(g[i].outcome, CT_NOT_FOUND);
	/* calls in start order per region: sg-1, then eu-west-1's sg-3 at
	 * once, then sg-2 and sg-4 half a second apart */
	ck_assert_str_eq(param_str(s.params[0], "name"), "sg-1");
	ck_assert_str_eq(param_str(s.params[1], "name"), "sg-3");
	ck_assert_str_eq(param_str(s.params[2], "name"), "sg-2");
	ck_assert_str_eq(param_str(s.params[3], "name"), "sg-4");
	ck_assert_uint_lt(s.at[1] - s.at[0], CT_INTERVAL_MS);
	ck_assert_uint_ge(s.at[2] - s.at[0], CT_INTERVAL_MS);
	ck_assert_uint_ge(s.at[3] - s.at[2], CT_INTERVAL_MS);
	teardown(&s, t);
}
END_TEST

START_TEST(an_aws_error_fails_the_lookup_with_its_code)
{
	static const answer_t a[] = { { NULL, "AccessDeniedException" } };
	script_t s;
	ct_t *t = setup(&s, a, 1);
	ct_query_t q = { "us-east-1", { "sg-1" }, 0, T0 };
	got_t g = { 0 };

	ck_assert_int_eq(ct_lookup(t, &q, on_done, &g, NULL), 0);
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(g.outcome, CT_FAILED);
	ck_assert_str_eq(g.e.aws_code, "AccessDeniedException");
	/* no "since": the default window */
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(s.params[0], "StartTime")),
			    T0 - CT_DEFAULT_WINDOW_S);
	teardown(&s, t);
}
END_TEST

START_TEST(bad_queries_are_refused_without_a_callback)
{
	script_t s;
	ct_t *t = setup(&s, NULL, 0);
	ct_query_t none = { "us-east-1", { "" }, SINCE, T0 };
	ct_query_t backwards = { "us-east-1", { "sg-1" }, T0 + 1, T0 };
	ct_query_t noregion = { NULL, { "sg-1" }, SINCE, T0 };
	got_t g = { 0 };
	err_t e;

	ck_assert_int_eq(ct_lookup(t, &none, on_done, &g, &e), -EINVAL);
	ck_assert_int_eq(ct_lookup(t, &backwards, on_done, &g, &e), -EINVAL);
	ck_assert_int_eq(ct_lookup(t, &noregion, on_done, &g, &e), -EINVAL);
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(g.calls, 0);
	teardown(&s, t);
}
END_TEST

START_TEST(free_cancels_the_lookups_waiting_for_a_token)
{
	static const answer_t a[] = { { "{}", NULL }, { "{}", NULL } };
	script_t s;
	ct_t *t = setup(&s, a, 2);
	ct_query_t q = { "us-east-1", { "sg-1" }, SINCE, T0 };
	got_t g1 = { 0 }, g2 = { 0 };

	ck_assert_int_eq(ct_lookup(t, &q, on_done, &g1, NULL), 0);
	ck_assert_int_eq(ct_lookup(t, &q, on_done, &g2, NULL), 0);
	uv_run(&loop, UV_RUN_NOWAIT);       /* the first call is in flight */
	ck_assert_int_eq((int)s.next, 1);
	ct_free(t);
	ck_assert_int_eq(g2.calls, 1);
	ck_assert_int_eq(g2.outcome, CT_FAILED);
	ck_assert_int_eq(g2.e.code, -ECANCELED);
	uv_run(&loop, UV_RUN_DEFAULT);      /* the one in flight finishes */
	ck_assert_int_eq(g1.calls, 1);
	ck_assert_int_eq(g1.outcome, CT_NOT_FOUND);
	teardown(&s, NULL);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("cloudtrail");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, one_page_names_the_newest_write_in_the_window, 0,
			    (int)(sizeof(page_cases) / sizeof(page_cases[0])));
	tcase_add_test(tc, a_page_that_is_not_lookup_events_answer_is_a_protocol_error);
	tcase_add_test(tc, a_lookup_asks_by_resource_name_in_the_window_and_names_the_change);
	tcase_add_test(tc, pages_are_followed_by_next_token_two_calls_a_second_at_most);
	tcase_add_test(tc, the_id_then_the_name_is_asked_and_nothing_found_says_so);
	tcase_add_test(tc, lookups_started_together_are_spaced_per_region);
	tcase_add_test(tc, an_aws_error_fails_the_lookup_with_its_code);
	tcase_add_test(tc, bad_queries_are_refused_without_a_callback);
	tcase_add_test(tc, free_cancels_the_lookups_waiting_for_a_token);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(su, tc);
	return testutil_run(su);
}
