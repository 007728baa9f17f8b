/* The lease's state machine against scripted DynamoDB answers: each case is
 * a list of steps (the clock, the call that must be in flight, a piece of
 * its parameters, the answer, the state after it). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "lease.h"
#include "testutil.h"

#define ME    "hostA:100:aaaaaaaaaaaa"
#define OTHER "hostB:200:bbbbbbbbbbbb"

enum { TICK, RELEASE, CHECK };

typedef struct step {
	uint64_t      at_ms;
	int           action;     /* TICK (the timer), RELEASE, CHECK
				     (max age 1000 ms)                    */
	const char   *op;         /* the call in flight then; NULL: none  */
	const char   *expect;     /* in its parameters, or NULL           */
	const char   *answer;     /* a result, "!Code" an AWS error, "!net";
				     NULL: left in flight                  */
	lease_state_t state;      /* after the answer                     */
	int           may_write;
} step_t;

typedef struct fake {
	uint64_t       now;
	char           op[64];
	char          *params;
	lease_reply_fn done;
	void          *data;
	int            checked;
	char           events[2048];  /* what opts.event was told */
} fake_t;

/* The events of the last run(), for the cases that check them. */
static char last_events[2048];

static int fake_call(void *ctx, const char *operation, const cJSON *params,
		     lease_reply_fn done, void *data, err_t *e)
{
	fake_t *f = ctx;

	(void)e;
	ck_assert_ptr_null(f->done);
	snprintf(f->op, sizeof(f->op), "%s", operation);
	f->params = cJSON_PrintUnformatted(params);
	f->done = done;
	f->data = data;
	return 0;
}

static uint64_t fake_now(void *ctx)
{
	return ((fake_t *)ctx)->now;
}

static time_t fake_wall(void *ctx)
{
	return (time_t)(1700000000 + ((fake_t *)ctx)->now / 1000);
}

static void fake_event(void *ctx, lease_state_t from, lease_state_t to,
		       const char *why, const err_t *e)
{
	fake_t *f = ctx;
	size_t len = strlen(f->events);

	snprintf(f->events + len, sizeof(f->events) - len, "%s%c%s:%s%s%s|",
		 lease_state_name(from), from == to ? '=' : '>',
		 lease_state_name(to), why, e ? ":" : "",
		 e ? (e->aws_code[0] ? e->aws_code : "-") : "");
}

static void on_checked(void *data)
{
	((fake_t *)data)->checked++;
}

static void answer(fake_t *f, const char *text)
{
	lease_reply_fn done = f->done;
	void *data = f->data;
	err_t e;

	memset(&e, 0, sizeof(e));
	f->done = NULL;
	free(f->params);
	f->params = NULL;
	if (!strcmp(text, "!net")) {
		err_set(&e, -ECONNRESET, "connection reset");
		done(data, NULL, &e);
	} else if (text[0] == '!') {
		err_set_aws(&e, -EIO, 400, text + 1, "rid-1", "scripted");
		done(data, NULL, &e);
	} else {
		cJSON *r = cJSON_Parse(text);

		ck_assert_ptr_nonnull(r);
		done(data, r, NULL);
	}
}

static void run(const step_t *steps, size_t n, int create_table)
{
	fake_t f;
	lease_opts_t o;
	lease_t *l;
	err_t e;
	size_t i;

	memset(&f, 0, sizeof(f));
	memset(&o, 0, sizeof(o));
	o.table = "driftd-lease";
	o.name = "production";
	o.owner = ME;
	o.duration_s = 30;
	o.create_table = create_table;
	o.call = fake_call;
	o.call_ctx = &f;
	o.now_ms = fake_now;
	o.wall = fake_wall;
	o.clock_ctx = &f;
	o.event = fake_event;
	o.event_ctx = &f;
	ck_assert_int_eq(lease_new(&o, &l, &e), 0);
	ck_assert_int_eq(lease_state(l), LEASE_STARTING);
	for (i = 0; i < n; i++) {
		const step_t *s = &steps[i];

		f.now = s->at_ms;
		if (s->action == RELEASE)
			lease_release(l, on_checked, &f);
		else if (s->action == CHECK)
			ck_assert_int_eq(lease_check(l, 1000, on_checked, &f), 0);
		else
			lease_tick(l);   /* in flight: only the deadline */
		if (!s->op) {
			ck_assert_msg(!f.done, "step %zu: %s in flight", i, f.op);
		} else {
			ck_assert_msg(f.done, "step %zu: nothing in flight, "
				      "expected %s", i, s->op);
			ck_assert_msg(!strcmp(f.op, s->op), "step %zu: %s, "
				      "expected %s", i, f.op, s->op);
			ck_assert_msg(!s->expect || strstr(f.params, s->expect),
				      "step %zu: %s lacks %s", i, f.params,
				      s->expect);
			if (s->answer)
				answer(&f, s->answer);
		}
		ck_assert_msg(lease_state(l) == s->state, "step %zu: state %s, "
			      "expected %s", i, lease_state_name(lease_state(l)),
			      lease_state_name(s->state));
		ck_assert_msg(lease_may_write(l) == s->may_write, "step %zu: "
			      "may_write %d", i, lease_may_write(l));
	}
	if (f.done)
		answer(&f, "!net");
	snprintf(last_events, sizeof(last_events), "%s", f.events);
	lease_free(l);
}

#define RUN(steps, create) run(steps, sizeof(steps) / sizeof(*steps), create)

#define ACTIVE "{\"Table\":{\"TableName\":\"driftd-lease\",\"TableStatus\":\"ACTIVE\"}}"
#define ITEM(owner, fence, version)                                        \
	"{\"Item\":{\"name\":{\"S\":\"production\"},\"owner\":{\"S\":\""    \
	owner "\"},\"fence\":{\"N\":\"" #fence "\"},\"version\":{\"N\":\"" \
	#version "\"},\"expires\":{\"N\":\"1700000030\"}}}"
#define RELEASED(fence, version)                                           \
	"{\"Item\":{\"name\":{\"S\":\"production\"},\"fence\":{\"N\":\""    \
	#fence "\"},\"version\":{\"N\":\"" #version "\"},\"expires\":"      \
	"{\"N\":\"0\"}}}"
#define ABSENT_COND "attribute_not_exists(#k)"
#define SEEN_COND   "#f = :of AND #v = :ov"
#define MINE_COND   "#o = :me AND #f = :mf"
#define START                                                              \
	{ 0, TICK, "DescribeTable", NULL, ACTIVE, LEASE_STANDBY, 0 }
#define TAKE_ABSENT                                                        \
	START,                                                             \
	{ 0, TICK, "GetItem", "\"ConsistentRead\":true", "{}",             \
	  LEASE_ACQUIRING, 0 },                                            \
	{ 0, TICK, "UpdateItem", ABSENT_COND, "{}", LEASE_HOLDER, 1 }

START_TEST(acquires_a_lease_nobody_holds_with_counter_1_and_renews_it)
{
	static const step_t s[] = {
		START,
		{ 0, TICK, "GetItem", "\"ConsistentRead\":true", "{}",
		  LEASE_ACQUIRING, 0 },
		{ 0, TICK, "UpdateItem", "\":f\":{\"N\":\"1\"}", "{}",
		  LEASE_HOLDER, 1 },
		{ 10000, TICK, "UpdateItem", MINE_COND, "{}", LEASE_HOLDER, 1 },
		{ 20000, TICK, "UpdateItem", "\":mf\":{\"N\":\"1\"}", "{}",
		  LEASE_HOLDER, 1 },
		/* 20 s renewal + 25 s: still inside the deadline */
		{ 44999, CHECK, "UpdateItem", MINE_COND, "{}", LEASE_HOLDER, 1 },
	};

	RUN(s, 0);
}
END_TEST

START_TEST(a_renewal_refused_by_the_condition_stops_writes_at_once)
{
	static const step_t s[] = {
		TAKE_ABSENT,
		{ 10000, TICK, "UpdateItem", MINE_COND,
		  "!ConditionalCheckFailedException", LEASE_LOST, 0 },
		{ 10000, TICK, "GetItem", NULL, ITEM(OTHER, 2, 5),
		  LEASE_STANDBY, 0 },
	};

	RUN(s, 0);
}
END_TEST

START_TEST(network_errors_keep_the_holder_until_its_deadline_only)
{
	static const step_t s[] = {
		TAKE_ABSENT,
		{ 10000, TICK, "UpdateItem", MINE_COND, "!net", LEASE_HOLDER, 1 },
		{ 15000, TICK, "UpdateItem", MINE_COND,
		  "!ServiceUnavailable", LEASE_HOLDER, 1 },
		{ 20000, TICK, "UpdateItem", MINE_COND, "!net", LEASE_HOLDER, 1 },
		{ 24999, TICK, "UpdateItem", MINE_COND, "!net", LEASE_HOLDER, 1 },
		/* 30 s - 5 s margin after the acquisition was sent */
		{ 25000, TICK, "GetItem", NULL, ITEM(ME, 1, 1), LEASE_LOST, 0 },
		/* the item still names it: renewed with the item's counter */
		{ 25000, TICK, "UpdateItem", "\":mf\":{\"N\":\"1\"}", "{}",
		  LEASE_HOLDER, 1 },
	};

	RUN(s, 0);
}
END_TEST

START_TEST(the_deadline_runs_from_when_the_renewal_was_sent)
{
	static const step_t s[] = {
		TAKE_ABSENT,
		{ 10000, TICK, "UpdateItem", MINE_COND, NULL, LEASE_HOLDER, 1 },
		/* answered 2 s later: it may have been applied at 10000 */
		{ 12000, TICK, "UpdateItem", MINE_COND, "{}", LEASE_HOLDER, 1 },
		{ 20000, TICK, "UpdateItem", MINE_COND, "!net", LEASE_HOLDER, 1 },
		{ 34999, TICK, "UpdateItem", MINE_COND, NULL, LEASE_HOLDER, 1 },
		{ 35000, TICK, "UpdateItem", MINE_COND, "!net", LEASE_LOST, 0 },
	};
	/* a renewal answered after the deadline is too late to write on */
	static const step_t late[] = {
		TAKE_ABSENT,
		{ 10000, TICK, "UpdateItem", MINE_COND, NULL, LEASE_HOLDER, 1 },
		{ 35000, CHECK, "UpdateItem", MINE_COND, "{}", LEASE_LOST, 0 },
	};

	RUN(s, 0);
	RUN(late, 0);
}
END_TEST

START_TEST(every_transition_says_why_and_a_problem_is_told_once_per_code)
{
	static const step_t s[] = {
		TAKE_ABSENT,
		{ 10000, TICK, "UpdateItem", MINE_COND, "!net", LEASE_HOLDER, 1 },
		{ 15000, TICK, "UpdateItem", MINE_COND, "!net", LEASE_HOLDER, 1 },
		{ 20000, TICK, "UpdateItem", MINE_COND, "!ServiceUnavailable",
		  LEASE_HOLDER, 1 },
		{ 25000, TICK, "GetItem", NULL, ITEM(OTHER, 2, 1),
		  LEASE_STANDBY, 0 },
	};

	RUN(s, 0);
	ck_assert_str_eq(last_events,
		"starting>standby:the lease table driftd-lease is active|"
		"standby>acquiring:the lease item production does not exist "
		"yet|"
		"acquiring>holder:acquired with fencing counter 1|"
		"holder=holder:renewing the lease:-|"
		"holder=holder:renewing the lease:ServiceUnavailable|"
		"holder>lost:no renewal succeeded within 25000 ms (the lease "
		"time less the margin); writes stop|"
		"lost>standby:" OTHER " holds the lease (fencing counter 2)|");
}
END_TEST

START_TEST(network_errors_keep_a_standby_a_standby)
{
	static const step_t s[] = {
		START,
		{ 0, TICK, "GetItem", NULL, "!net", LEASE_STANDBY, 0 },
		{ 10000, TICK, "GetItem", NULL, "!InternalServerError",
		  LEASE_STANDBY, 0 },
		{ 20000, TICK, "GetItem", NULL, ITEM(OTHER, 3, 7),
		  LEASE_STANDBY, 0 },
	};

	RUN(s, 0);
}
END_TEST

START_TEST(takes_over_after_the_same_version_for_duration_and_margin)
{
	static const step_t s[] = {
		START,
		{ 0, TICK, "GetItem", NULL, ITEM(OTHER, 3, 7), LEASE_STANDBY, 0 },
		{ 10000, TICK, "GetItem", NULL, ITEM(OTHER, 3, 7),
		  LEASE_STANDBY, 0 },
		{ 34999, TICK, "GetItem", NULL, ITEM(OTHER, 3, 7),
		  LEASE_STANDBY, 0 },
		{ 35000, TICK, "GetItem", NULL, ITEM(OTHER, 3, 7),
		  LEASE_ACQUIRING, 0 },
		/* conditioned on exactly what was seen; the counter goes up */
		{ 35000, TICK, "UpdateItem", SEEN_COND, "{}", LEASE_HOLDER, 1 },
	};
	static const step_t fence[] = {
		START,
		{ 0, TICK, "GetItem", NULL, ITEM(OTHER, 3, 7), LEASE_STANDBY, 0 },
		{ 35000, TICK, "GetItem", NULL, ITEM(OTHER, 3, 7),
		  LEASE_ACQUIRING, 0 },
		{ 35000, TICK, "UpdateItem",
		  "\":f\":{\"N\":\"4\"},\":v\":{\"N\":\"8\"}", "{}",
		  LEASE_HOLDER, 1 },
		{ 45000, TICK, "UpdateItem", "\":mf\":{\"N\":\"4\"}", "{}",
		  LEASE_HOLDER, 1 },
	};

	RUN(s, 0);
	RUN(fence, 0);
}
END_TEST

START_TEST(a_renewal_seen_by_the_standby_restarts_its_wait)
{
	static const step_t s[] = {
		START,
		{ 0, TICK, "GetItem", NULL, ITEM(OTHER, 3, 7), LEASE_STANDBY, 0 },
		{ 20000, TICK, "GetItem", NULL, ITEM(OTHER, 3, 8),
		  LEASE_STANDBY, 0 },
		{ 35000, TICK, "GetItem", NULL, ITEM(OTHER, 3, 8),
		  LEASE_STANDBY, 0 },
		/* a new holder (counter 4) starts the wait again too */
		{ 54999, TICK, "GetItem", NULL, ITEM(OTHER, 4, 8),
		  LEASE_STANDBY, 0 },
		{ 60000, TICK, "GetItem", NULL, ITEM(OTHER, 4, 8),
		  LEASE_STANDBY, 0 },
		{ 89999, TICK, "GetItem", NULL, ITEM(OTHER, 4, 8),
		  LEASE_ACQUIRING, 0 },
		{ 89999, TICK, "UpdateItem", "\":f\":{\"N\":\"5\"}", "{}",
		  LEASE_HOLDER, 1 },
	};

	RUN(s, 0);
}
END_TEST

START_TEST(a_released_lease_is_taken_at_once_with_the_next_counter)
{
	static const step_t s[] = {
		START,
		{ 0, TICK, "GetItem", NULL, RELEASED(3, 9), LEASE_ACQUIRING, 0 },
		{ 0, TICK, "UpdateItem", "\":f\":{\"N\":\"4\"}", "{}",
		  LEASE_HOLDER, 1 },
	};

	RUN(s, 0);
}
END_TEST

START_TEST(losing_the_race_to_acquire_leaves_a_standby)
{
	static const step_t s[] = {
		START,
		{ 0, TICK, "GetItem", NULL, "{}", LEASE_ACQUIRING, 0 },
		{ 0, TICK, "UpdateItem", ABSENT_COND,
		  "!ConditionalCheckFailedException", LEASE_STANDBY, 0 },
		{ 0, TICK, "GetItem", NULL, ITEM(OTHER, 1, 1), LEASE_STANDBY, 0 },
	};

	RUN(s, 0);
}
END_TEST

START_TEST(an_acquisition_whose_answer_was_lost_is_found_by_its_owner)
{
	static const step_t s[] = {
		START,
		{ 0, TICK, "GetItem", NULL, "{}", LEASE_ACQUIRING, 0 },
		{ 0, TICK, "UpdateItem", ABSENT_COND, "!net", LEASE_STANDBY, 0 },
		{ 10000, TICK, "GetItem", NULL, ITEM(ME, 1, 1), LEASE_STANDBY, 0 },
		{ 10000, TICK, "UpdateItem", MINE_COND, "{}", LEASE_HOLDER, 1 },
	};

	RUN(s, 0);
}
END_TEST

START_TEST(release_removes_the_owner_conditioned_on_the_counter)
{
	static const step_t s[] = {
		TAKE_ABSENT,
		{ 1000, RELEASE, "UpdateItem", "REMOVE #o", "{}",
		  LEASE_STANDBY, 0 },
		{ 50000, TICK, NULL, NULL, NULL, LEASE_STANDBY, 0 },
	};

	RUN(s, 0);
}
END_TEST

START_TEST(a_release_asked_during_a_renewal_follows_its_answer)
{
	static const step_t s[] = {
		TAKE_ABSENT,
		{ 10000, TICK, "UpdateItem", MINE_COND, NULL, LEASE_HOLDER, 1 },
		{ 10000, RELEASE, "UpdateItem", MINE_COND, "{}",
		  LEASE_HOLDER, 1 },
		{ 10001, TICK, "UpdateItem", "REMOVE #o", "{}",
		  LEASE_STANDBY, 0 },
	};
	static const step_t refused[] = {
		TAKE_ABSENT,
		{ 10000, TICK, "UpdateItem", MINE_COND, NULL, LEASE_HOLDER, 1 },
		{ 10000, RELEASE, "UpdateItem", MINE_COND,
		  "!ConditionalCheckFailedException", LEASE_LOST, 0 },
		{ 10001, TICK, NULL, NULL, NULL, LEASE_LOST, 0 },
	};

	RUN(s, 0);
	RUN(refused, 0);
}
END_TEST

START_TEST(the_table_is_created_when_asked_and_waited_for)
{
	static const step_t s[] = {
		{ 0, TICK, "DescribeTable", NULL, "!ResourceNotFoundException",
		  LEASE_STARTING, 0 },
		{ 0, TICK, "CreateTable", "\"BillingMode\":\"PAY_PER_REQUEST\"",
		  "{}", LEASE_STARTING, 0 },
		{ 1000, TICK, "DescribeTable", NULL,
		  "{\"Table\":{\"TableStatus\":\"CREATING\"}}",
		  LEASE_STARTING, 0 },
		{ 2000, TICK, "DescribeTable", NULL, ACTIVE, LEASE_STANDBY, 0 },
		{ 2000, TICK, "GetItem", NULL, "{}", LEASE_ACQUIRING, 0 },
	};
	static const step_t absent[] = {
		{ 0, TICK, "DescribeTable", NULL, "!ResourceNotFoundException",
		  LEASE_STARTING, 0 },
		{ 10000, TICK, "DescribeTable", NULL,
		  "!ResourceNotFoundException", LEASE_STARTING, 0 },
	};

	RUN(s, 1);
	RUN(absent, 0);
}
END_TEST

START_TEST(margin_and_period_follow_the_duration)
{
	ck_assert_uint_eq(lease_margin_ms(30), 5000);
	ck_assert_uint_eq(lease_period_ms(30), 10000);
	ck_assert_uint_eq(lease_margin_ms(3), 1000);
	ck_assert_str_eq(lease_state_name(LEASE_HOLDER), "holder");
	ck_assert_str_eq(lease_state_name(LEASE_LOST), "lost");
}
END_TEST

TESTUTIL_MAIN("lease",
	      acquires_a_lease_nobody_holds_with_counter_1_and_renews_it,
	      a_renewal_refused_by_the_condition_stops_writes_at_once,
	      network_errors_keep_the_holder_until_its_deadline_only,
	      the_deadline_runs_from_when_the_renewal_was_sent,
	      every_transition_says_why_and_a_problem_is_told_once_per_code,
	      network_errors_keep_a_standby_a_standby,
	      takes_over_after_the_same_version_for_duration_and_margin,
	      a_renewal_seen_by_the_standby_restarts_its_wait,
	      a_released_lease_is_taken_at_once_with_the_next_counter,
	      losing_the_race_to_acquire_leaves_a_standby,
	      an_acquisition_whose_answer_was_lost_is_found_by_its_owner,
	      release_removes_the_owner_conditioned_on_the_counter,
	      a_release_asked_during_a_renewal_follows_its_answer,
	      the_table_is_created_when_asked_and_waited_for,
	      margin_and_period_follow_the_duration)
