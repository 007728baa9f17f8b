/* attribution: a drift looked up in (scripted) CloudTrail, recorded in
 * the history, handed to the daemon; a late one settled once. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cJSON.h>
#include <uv.h>

#include "attribution.h"
#include "testutil.h"

static const char *const sg_names[] = { "GroupName", NULL };
static const res_type_t sg_type = {
	.name = "ec2.security_group", .service = "ec2",
	.identity = RES_ID_NAME, .name_attrs = sg_names, .id_path = "GroupId",
	.arn_path = "SecurityGroupArn",
};

#define T0 1765000000

/* Scripted LookupEvents: each call takes the next page. */
static const char *pages[8];
static size_t npages, ncalls;
static uint64_t answer_ms = 1;   /* how long AWS takes to answer */
static char asked[8][64];
static uv_loop_t loop;

typedef struct pend {
	uv_timer_t  timer;
	aws_done_cb cb;
	void       *data;
	const char *page;
} pend_t;

/* A page "!Code" answers that AWS error. */
static void answer(uv_timer_t *t)
{
	pend_t *p = t->data;
	err_t e;

	if (p->page[0] == '!') {
		err_set_aws(&e, -EIO, 400, p->page + 1, "req-9", "User is not "
			    "authorized to perform: cloudtrail:LookupEvents");
		p->cb(p->data, NULL, &e);
	} else {
		p->cb(p->data, cJSON_Parse(p->page), NULL);
	}
	uv_close((uv_handle_t *)t, (uv_close_cb)free);
}

static int call(void *ctx, const char *service, const char *region,
		const char *operation, const cJSON *params, unsigned flags,
		aws_done_cb cb, void *data, err_t *e)
{
	pend_t *p;

	(void)ctx; (void)service; (void)region; (void)operation; (void)flags;
	if (ncalls >= npages)
		return err_set(e, -EINVAL, "no scripted answer left");
	snprintf(asked[ncalls], sizeof(asked[0]), "%s", cJSON_GetStringValue(
		cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(
			params, "LookupAttributes"), 0), "AttributeValue")));
	p = calloc(1, sizeof(*p));
	p->cb = cb;
	p->data = data;
	p->page = pages[ncalls++];
	uv_timer_init(&loop, &p->timer);
	p->timer.data = p;
	uv_timer_start(&p->timer, answer, answer_ms, 0);
	return 0;
}

#define FOUND_PAGE \
	"{\"Events\":[{\"EventName\":\"AuthorizeSecurityGroupIngress\",\"ReadOnly\":\"false\"," \
	"\"EventTime\":\"2025-12-06T05:46:30Z\",\"Username\":\"alice\"," \
	"\"CloudTrailEvent\":\"{\\\"userIdentity\\\":{\\\"arn\\\":\\\"arn:aws:iam::123456789012:user/alice\\\"}," \
	"\\\"sourceIPAddress\\\":\\\"203.0.113.7\\\",\\\"userAgent\\\":\\\"aws-cli/2\\\"}\"}]}"

typedef struct got {
	int    n;
	int    late[4];
	history_attribution_t at[4];
	char   text[4][512];
	char   field0[4][256];
	double detect[4];
} got_t;

static void on_result(void *data, const attrib_result_t *r)
{
	got_t *g = data;

	if (g->n >= 4)
		return;
	g->late[g->n] = r->late;
	g->at[g->n] = r->attribution;
	snprintf(g->text[g->n], sizeof(g->text[0]), "%s", r->text);
	snprintf(g->field0[g->n], sizeof(g->field0[0]), "%s",
		 r->fields[0] ? r->fields[0] : "");
	g->detect[g->n] = r->detect_seconds;
	g->n++;
}

static char dir[64];

static got_t late_got;

static attrib_t *setup_wait(double wait_s)
{
	attrib_opts_t o = { &loop, call, NULL, dir, 0, "prod", wait_s,
			    on_result, &late_got };
	attrib_t *a;

	ncalls = npages = 0;
	answer_ms = 1;
	memset(&late_got, 0, sizeof(late_got));
	uv_loop_init(&loop);
	snprintf(dir, sizeof(dir), "/tmp/driftd-attrib-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(attrib_open(&o, &a, NULL), 0);
	return a;
}

static attrib_t *setup(void)
{
	return setup_wait(5.0);
}

static void teardown(attrib_t *a)
{
	char p[128];

	attrib_free(a);
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(uv_loop_close(&loop), 0);
	snprintf(p, sizeof(p), "%s/" HISTORY_FILE, dir);
	unlink(p);
	rmdir(dir);
}

/* The history holds one record, settled as attribution says. */
static void assert_one_record(const char *attribution)
{
	cJSON *all;

	ck_assert_int_eq(history_read(dir, 0, NULL, &all, NULL, NULL), 0);
	ck_assert_int_eq(cJSON_GetArraySize(all), 1);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(
		cJSON_GetArrayItem(all, 0), "attribution")), attribution);
	cJSON_Delete(all);
}

static rec_item_t item(cJSON *desired, cJSON *live)
{
	rec_item_t it;

	memset(&it, 0, sizeof(it));
	it.address = "ec2.security_group.web";
	it.type = &sg_type;
	it.res = (const config_resource_t *)&sg_type;   /* configured */
	it.region = "us-east-1";
	it.action = REC_UPDATE;
	it.id = "sg-0a1b";
	it.desired = desired;
	it.live = live;
	return it;
}

START_TEST(a_drift_is_attributed_recorded_and_handed_over)
{
	attrib_t *a = setup();
	cJSON *desired = cJSON_Parse("{\"GroupName\":\"web\"}");
	cJSON *live = cJSON_Parse("{\"GroupName\":\"web\",\"SecurityGroupArn\":"
				  "\"arn:aws:ec2:us-east-1:123456789012:security-group/sg-0a1b\"}");
	rec_item_t it = item(desired, live);
	got_t g = { 0 };
	cJSON *all, *r;

	pages[0] = "{}";            /* by id: nothing (only by ARN in this story) */
	pages[1] = FOUND_PAGE;
	npages = 2;
	attrib_seen(a, &it, 0, T0 - 60);
	ck_assert_int_eq(attrib_drift(a, &it, "reverted in place", T0, on_result, &g, NULL), 0);
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(g.n, 1);
	ck_assert_int_eq(g.late[0], 0);
	ck_assert_int_eq(g.at[0], HISTORY_FOUND);
	ck_assert_str_eq(asked[0], "sg-0a1b");
	ck_assert_str_eq(asked[1], "arn:aws:ec2:us-east-1:123456789012:security-group/sg-0a1b");
	ck_assert_str_eq(g.field0[0], "DRIFTD_CHANGED_BY=arn:aws:iam::123456789012:user/alice");
	ck_assert_ptr_nonnull(strstr(g.text[0], "Changed by arn:aws:iam::123456789012:user/alice "
				     "(AuthorizeSecurityGroupIngress at 2025-12-06T05:46:30Z "
				     "from 203.0.113.7, aws-cli/2)"));
	ck_assert_double_eq(g.detect[0], 10);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(
		attrib_latest(a, it.address), "attribution")), "found");
	ck_assert_int_eq(history_read(dir, 0, NULL, &all, NULL, NULL), 0);
	r = cJSON_GetArrayItem(all, 0);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(r, "attribution")), "found");
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(r, "since")), T0 - 60);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(r, "action")), "reverted in place");
	cJSON_Delete(all);
	cJSON_Delete(desired);
	cJSON_Delete(live);
	teardown(a);
}
END_TEST

START_TEST(a_known_change_is_recorded_found_without_asking_cloudtrail)
{
	attrib_t *a = setup();
	cJSON *desired = cJSON_Parse("{\"GroupName\":\"web\"}");
	cJSON *live = cJSON_Parse("{\"GroupName\":\"web\"}");
	rec_item_t it = item(desired, live);
	ct_change_t ch;
	got_t g = { 0 };

	memset(&ch, 0, sizeof(ch));
	snprintf(ch.event_name, sizeof(ch.event_name), "AuthorizeSecurityGroupIngress");
	snprintf(ch.principal, sizeof(ch.principal), "arn:aws:iam::123456789012:user/bob");
	snprintf(ch.source_ip, sizeof(ch.source_ip), "198.51.100.2");
	snprintf(ch.user_agent, sizeof(ch.user_agent), "aws-cli/2");
	ch.event_time = T0 - 2;
	ck_assert_int_eq(attrib_drift_known(a, &it, "reverted in place", T0,
					    &ch, on_result, &g, NULL), 0);
	/* Handed over at once: no lookup, no waiting on the loop. */
	ck_assert_int_eq(g.n, 1);
	ck_assert_int_eq(ncalls, 0);
	ck_assert_int_eq(g.at[0], HISTORY_FOUND);
	ck_assert_str_eq(g.field0[0], "DRIFTD_CHANGED_BY=arn:aws:iam::123456789012:user/bob");
	ck_assert_double_eq(g.detect[0], 2);
	assert_one_record("found");
	cJSON_Delete(desired);
	cJSON_Delete(live);
	teardown(a);
}
END_TEST

START_TEST(a_late_change_updates_the_record_once)
{
	attrib_t *a = setup();
	cJSON *desired = cJSON_Parse("{\"GroupName\":\"web\"}");
	rec_item_t it = item(desired, NULL);
	time_t now = T0;
	got_t g = { 0 };

	pages[0] = "{}";           /* sg-0a1b: nothing yet */
	pages[1] = "{}";           /* web: nothing yet */
	pages[2] = "{}";           /* next cycle, sg-0a1b: still nothing */
	pages[3] = FOUND_PAGE;     /* web: there it is */
	npages = 4;
	ck_assert_int_eq(attrib_drift(a, &it, "reverted in place", now, on_result, &g, NULL), 0);
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(g.n, 1);
	ck_assert_int_eq(g.at[0], HISTORY_PENDING);
	ck_assert_str_eq(g.field0[0], "DRIFTD_ATTRIBUTION=pending");
	attrib_retry(a, now + 60);
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(late_got.n, 1);
	ck_assert_int_eq(late_got.late[0], 1);
	ck_assert_int_eq(late_got.at[0], HISTORY_FOUND);
	/* settled: later cycles ask nothing more */
	attrib_retry(a, now + 120);
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq((int)ncalls, 4);
	ck_assert_int_eq(g.n, 1);
	ck_assert_int_eq(late_got.n, 1);
	assert_one_record("found");
	cJSON_Delete(desired);
	teardown(a);
}
END_TEST

START_TEST(a_change_never_shown_is_given_up_once)
{
	attrib_t *a = setup();
	cJSON *desired = cJSON_Parse("{\"GroupName\":\"web\"}");
	rec_item_t it = item(desired, NULL);
	time_t now = T0;
	got_t g = { 0 };

	pages[0] = "{}";
	pages[1] = "{}";
	npages = 2;
	ck_assert_int_eq(attrib_drift(a, &it, "observe only", now, on_result, &g, NULL), 0);
	uv_run(&loop, UV_RUN_DEFAULT);
	attrib_retry(a, now + CT_GIVE_UP_S + 1);
	uv_run(&loop, UV_RUN_DEFAULT);
	attrib_retry(a, now + CT_GIVE_UP_S + 60);
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(g.n, 1);
	ck_assert_int_eq(late_got.n, 1);
	ck_assert_int_eq(late_got.late[0], 1);
	ck_assert_int_eq(late_got.at[0], HISTORY_NOT_FOUND);
	ck_assert_int_eq((int)ncalls, 2);
	assert_one_record("not found");
	cJSON_Delete(desired);
	teardown(a);
}
END_TEST

START_TEST(a_resource_deleted_out_of_band_is_looked_up_by_the_id_it_had)
{
	attrib_t *a = setup();
	cJSON *live = cJSON_Parse("{\"GroupId\":\"sg-0a1b\"}");
	rec_item_t seen = item(NULL, live), gone = item(NULL, NULL);
	got_t g = { 0 };

	pages[0] = FOUND_PAGE;
	npages = 1;
	attrib_seen(a, &seen, 0, T0 - 60);
	gone.id = "sg-0new";        /* recreated this cycle */
	gone.live = live;
	gone.action = REC_CREATE;
	attrib_seen(a, &gone, 1, T0);   /* the daemon sees each item first */
	ck_assert_int_eq(attrib_drift(a, &gone, "recreated", T0, on_result, &g, NULL), 0);
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(g.n, 1);
	ck_assert_str_eq(asked[0], "sg-0a1b");
	ck_assert_int_eq(g.at[0], HISTORY_FOUND);
	cJSON_Delete(live);
	teardown(a);
}
END_TEST

/* The id kept for an address follows the in-sync reads: one of the same
 * length is written over the old in its room, a longer one takes more
 * (the ids live in a pool, pool.h); the lookup asks by the latest. */
START_TEST(the_id_looked_up_is_the_latest_in_sync_one)
{
	attrib_t *a = setup();
	cJSON *live = cJSON_Parse("{\"GroupId\":\"sg-0a1b\"}");
	rec_item_t seen = item(NULL, live), gone = item(NULL, NULL);
	got_t g = { 0 };

	pages[0] = FOUND_PAGE;
	npages = 1;
	attrib_seen(a, &seen, 0, T0 - 180);
	seen.id = "sg-0c2d";
	attrib_seen(a, &seen, 0, T0 - 120);
	seen.id = "sg-0123456789abcdef0";
	attrib_seen(a, &seen, 0, T0 - 60);
	gone.id = "sg-0new";
	gone.live = live;
	gone.action = REC_CREATE;
	attrib_seen(a, &gone, 1, T0);
	ck_assert_int_eq(attrib_drift(a, &gone, "recreated", T0, on_result, &g, NULL), 0);
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(g.n, 1);
	ck_assert_str_eq(asked[0], "sg-0123456789abcdef0");
	cJSON_Delete(live);
	teardown(a);
}
END_TEST

static void count_null(void *data, const attrib_result_t *r)
{
	if (!r)
		(*(int *)data)++;
}

START_TEST(a_drift_still_being_looked_up_at_exit_is_recorded_pending)
{
	attrib_t *a = setup();
	cJSON *desired = cJSON_Parse("{\"GroupName\":\"web\"}");
	rec_item_t it = item(desired, NULL);
	int dropped = 0;
	history_t *h;
	char p[128];

	npages = 0;
	ck_assert_int_eq(attrib_drift(a, &it, "reverted in place", T0, count_null, &dropped, NULL), 0);
	attrib_free(a);                 /* the daemon stops before the answer */
	ck_assert_int_eq(dropped, 1);
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(uv_loop_close(&loop), 0);
	ck_assert_int_eq(history_open(dir, 0, &h, NULL), 0);
	ck_assert_int_eq(history_npending(h), 1);   /* the next start asks */
	ck_assert_str_eq(history_pending_at(h, 0)->address, it.address);
	history_free(h);
	snprintf(p, sizeof(p), "%s/" HISTORY_FILE, dir);
	unlink(p);
	rmdir(dir);
	cJSON_Delete(desired);
}
END_TEST

START_TEST(a_failed_lookup_says_why_with_the_aws_code_and_request_id)
{
	attrib_t *a = setup();
	cJSON *desired = cJSON_Parse("{\"GroupName\":\"web\"}");
	rec_item_t it = item(desired, NULL);
	got_t g = { 0 };
	cJSON *all;

	pages[0] = "!AccessDeniedException";
	npages = 1;
	ck_assert_int_eq(attrib_drift(a, &it, "reverted in place", T0, on_result, &g, NULL), 0);
	uv_run(&loop, UV_RUN_DEFAULT);
	ck_assert_int_eq(g.at[0], HISTORY_FAILED);
	ck_assert_ptr_nonnull(strstr(g.text[0], "the CloudTrail lookup failed: "));
	ck_assert_ptr_nonnull(strstr(g.text[0], "AccessDeniedException"));
	ck_assert_ptr_nonnull(strstr(g.text[0], "req-9"));
	ck_assert_str_eq(g.field0[0], "DRIFTD_ATTRIBUTION=failed");
	ck_assert_int_eq(history_read(dir, 0, NULL, &all, NULL, NULL), 0);
	ck_assert_ptr_nonnull(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(
		cJSON_GetArrayItem(all, 0), "error")), "AccessDeniedException"));
	cJSON_Delete(all);
	cJSON_Delete(desired);
	teardown(a);
}
END_TEST

START_TEST(a_slow_lookup_hands_the_drift_over_pending_then_settles_it_late)
{
	attrib_t *a = setup_wait(0.05);
	cJSON *desired = cJSON_Parse("{\"GroupName\":\"web\"}");
	rec_item_t it = item(desired, NULL);
	got_t g = { 0 };

	pages[0] = FOUND_PAGE;
	npages = 1;
	answer_ms = 400;            /* CloudTrail is slow today */
	ck_assert_int_eq(attrib_drift(a, &it, "reverted in place", T0, on_result, &g, NULL), 0);
	uv_run(&loop, UV_RUN_DEFAULT);
	/* the alert went out after wait_s, without who */
	ck_assert_int_eq(g.n, 1);
	ck_assert_int_eq(g.late[0], 0);
	ck_assert_int_eq(g.at[0], HISTORY_PENDING);
	/* the answer then settled the record, once, through the late path */
	ck_assert_int_eq(late_got.n, 1);
	ck_assert_int_eq(late_got.at[0], HISTORY_FOUND);
	ck_assert_int_eq((int)ncalls, 1);
	assert_one_record("found");
	cJSON_Delete(desired);
	teardown(a);
}
END_TEST

TESTUTIL_MAIN("attribution",
	      a_known_change_is_recorded_found_without_asking_cloudtrail,
	      a_slow_lookup_hands_the_drift_over_pending_then_settles_it_late,
	      a_failed_lookup_says_why_with_the_aws_code_and_request_id,
	      a_drift_still_being_looked_up_at_exit_is_recorded_pending,
	      a_resource_deleted_out_of_band_is_looked_up_by_the_id_it_had,
	      the_id_looked_up_is_the_latest_in_sync_one,
	      a_drift_is_attributed_recorded_and_handed_over,
	      a_late_change_updates_the_record_once,
	      a_change_never_shown_is_given_up_once)
