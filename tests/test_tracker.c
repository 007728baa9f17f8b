/* The daemon's per-address policy (lib/tracker.c), cases as data: each
 * case is a run of cycles, each cycle the observations the daemon maps
 * from the engine's result and the alerts that must come out, in order
 * and no others. Faults 4, 5 and the "alerts tell the truth" rule of
 * issue 12 are among them. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <cJSON.h>

#include "tracker.h"
#include "testutil.h"

/* Table rows leave trailing members out: they are NULL. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#define MAX_OBS    3
#define MAX_ALERTS 3
#define MAX_CYCLES 8

/* One observation as table text. changes: JSON (CH builds one);
 * err: "CODE|message|request id". */
typedef struct tobs {
	const char      *address;
	tracker_state_t  state;
	tracker_action_t action;
	int              present;
	const char      *changes, *err, *owner, *id;
} tobs_t;

/* Expected alert: "EVENT|ADDRESS|in the subject|in the text" (the text
 * part may be left out). log: a phrase some log line of the cycle has. */
typedef struct tcycle {
	tobs_t      obs[MAX_OBS];
	const char *alerts[MAX_ALERTS];
	const char *log;
} tcycle_t;

typedef struct tcase {
	const char *name;
	unsigned    unreadable_cycles;   /* 0: the default (3) */
	tcycle_t    cycles[MAX_CYCLES];
} tcase_t;

#define VPC "ec2.vpc.main"
#define NG  "eks.nodegroup.critical"
#define CH(attr, expected, live) \
	"[{\"attribute\":\"" attr "\",\"expected\":\"" expected \
	"\",\"live\":\"" live "\"}]"
#define THROTTLED "Throttling|Rate exceeded|req-0001"
#define REFUSED_WHY "not changed: needs a replacement and allow_replace " \
	"is not set"

#define IN_SYNC(a)     { a, TRACKER_IN_SYNC, TRACKER_ACT_NONE, 1, NULL, NULL, NULL, NULL }
#define UNREADABLE(a)  { a, TRACKER_UNREADABLE, TRACKER_ACT_NONE, 0, NULL, THROTTLED, NULL, NULL }

static const tcase_t cases[] = {
	{ "a reverted drift alerts once, and again after an in-sync cycle", 0, {
		{ { IN_SYNC(VPC) }, { NULL }, NULL },
		{ { { VPC, TRACKER_CHANGED, TRACKER_ACT_UPDATE, 1, CH("Tags", "a", "b") } },
		  { "drift|" VPC "|drift on " VPC " (reverted)|expected a, live b" },
		  "Drift on " VPC ": Tags is b, the config says a" },
		{ { { VPC, TRACKER_CHANGED, TRACKER_ACT_UPDATE, 1, CH("Tags", "a", "b") } },
		  { NULL }, NULL },
		{ { IN_SYNC(VPC) }, { NULL }, NULL },
		{ { { VPC, TRACKER_CHANGED, TRACKER_ACT_UPDATE, 1, CH("Tags", "a", "b") } },
		  { "drift|" VPC "|(reverted)" }, NULL },
	} },
	{ "fault 5: a refused replacement alerts once, as refused, not reverted", 0, {
		{ { { VPC, TRACKER_REFUSED, TRACKER_ACT_REPLACE, 1, CH("CidrBlock", "10.1.0.0/16", "10.2.0.0/16"), NULL, NULL, NULL } },
		  { "refused|" VPC "|drift on " VPC " (not fixed: refused)|allow_replace" },
		  NULL },
		{ { { VPC, TRACKER_REFUSED, TRACKER_ACT_REPLACE, 1, CH("CidrBlock", "10.1.0.0/16", "10.2.0.0/16") } },
		  { NULL }, NULL },
		{ { { VPC, TRACKER_REFUSED, TRACKER_ACT_REPLACE, 1, CH("CidrBlock", "10.1.0.0/16", "10.2.0.0/16") } },
		  { NULL }, NULL },
		{ { IN_SYNC(VPC) }, { "converged|" VPC "|converged|is gone" }, NULL },
	} },
	{ "drift left in place (observe) alerts once per distinct drift", 0, {
		{ { { VPC, TRACKER_DRIFTED, TRACKER_ACT_UPDATE, 1, CH("Tags", "a", "b") } },
		  { "drift|" VPC "|(observe only)|observe only" }, NULL },
		{ { { VPC, TRACKER_DRIFTED, TRACKER_ACT_UPDATE, 1, CH("Tags", "a", "b") } },
		  { NULL }, NULL },
		{ { { VPC, TRACKER_DRIFTED, TRACKER_ACT_UPDATE, 1, CH("Tags", "a", "c") } },
		  { "drift|" VPC "|(observe only)|live c" }, NULL },
		{ { IN_SYNC(VPC) }, { "converged|" VPC "|converged" }, NULL },
		{ { IN_SYNC(VPC) }, { NULL }, NULL },
	} },
	{ "unknown is not missing: unreadable is alerted once, after 3 cycles, "
	  "with the AWS code and request id", 0, {
		{ { IN_SYNC(NG) }, { NULL }, NULL },
		{ { UNREADABLE(NG) }, { NULL },
		  "Reading " NG " failed: Rate exceeded (AWS error Throttling, "
		  "request id req-0001)" },
		{ { UNREADABLE(NG) }, { NULL }, "(2 in a row)" },
		{ { UNREADABLE(NG) },
		  { "unreadable|" NG "|" NG " unreadable|Throttling, request id req-0001" },
		  NULL },
		{ { UNREADABLE(NG) }, { NULL }, NULL },
		{ { IN_SYNC(NG) }, { "recovered|" NG "|readable again" }, NULL },
		{ { IN_SYNC(NG) }, { NULL }, NULL },
	} },
	{ "fault 4: throttled reads for two cycles alert nothing, then a real "
	  "drift is one alert", 0, {
		{ { IN_SYNC(NG), IN_SYNC(VPC) }, { NULL }, NULL },
		{ { UNREADABLE(NG), UNREADABLE(VPC) }, { NULL }, NULL },
		{ { UNREADABLE(NG), IN_SYNC(VPC) }, { NULL }, NULL },
		{ { IN_SYNC(NG), UNREADABLE(VPC) }, { NULL }, NULL },
		{ { UNREADABLE(NG), IN_SYNC(VPC) }, { NULL }, NULL },
		{ { IN_SYNC(NG), { VPC, TRACKER_CHANGED, TRACKER_ACT_UPDATE, 1, CH("Tags", "a", "b") } },
		  { "drift|" VPC "|(reverted)" }, NULL },
	} },
	{ "an unreadable resource that was there and is then recreated was "
	  "missing: drift; provisioning is not", 0, {
		{ { IN_SYNC(VPC),
		    { NG, TRACKER_CHANGED, TRACKER_ACT_CREATE, 0, "[]" } },
		  { NULL }, NULL },
		{ { UNREADABLE(VPC), IN_SYNC(NG) }, { NULL }, NULL },
		{ { { VPC, TRACKER_CHANGED, TRACKER_ACT_CREATE, 0, CH("(resource)", "present", "missing") },
		    IN_SYNC(NG) },
		  { "drift|" VPC "|(reverted)|recreated" }, NULL },
	} },
	{ "unreadable between two observations of the same drift does not "
	  "alert it again", 0, {
		{ { { VPC, TRACKER_DRIFTED, TRACKER_ACT_UPDATE, 1, CH("Tags", "a", "b") } },
		  { "drift|" VPC "|(observe only)" }, NULL },
		{ { UNREADABLE(VPC) }, { NULL }, NULL },
		{ { { VPC, TRACKER_BLOCKED, TRACKER_ACT_NONE, 1 } }, { NULL }, NULL },
		{ { { VPC, TRACKER_DEFERRED, TRACKER_ACT_UPDATE, 1 } }, { NULL }, NULL },
		{ { { VPC, TRACKER_DRIFTED, TRACKER_ACT_UPDATE, 1, CH("Tags", "a", "b") } },
		  { NULL }, NULL },
	} },
	{ "a failed change alerts once per error, backs off, and recovers", 0, {
		{ { { VPC, TRACKER_FAILED, TRACKER_ACT_UPDATE, 1, CH("Tags", "a", "b"), "InvalidParameterValue|bad|req-9" } },
		  { "action_failed|" VPC "|action failed|InvalidParameterValue" },
		  "retries it in 1 s (attempt 1)" },
		{ { { VPC, TRACKER_FAILED, TRACKER_ACT_UPDATE, 1, CH("Tags", "a", "b"), "InvalidParameterValue|bad|req-10" } },
		  { NULL }, "retries it in 2 s (attempt 2)" },
		{ { { VPC, TRACKER_DEFERRED, TRACKER_ACT_UPDATE, 1 } }, { NULL }, NULL },
		{ { { VPC, TRACKER_FAILED, TRACKER_ACT_UPDATE, 1, CH("Tags", "a", "b"), "InvalidParameterValue|bad|req-11" } },
		  { NULL }, "retries it in 4 s (attempt 3)" },
		{ { { VPC, TRACKER_FAILED, TRACKER_ACT_UPDATE, 1, CH("Tags", "a", "b"), "AccessDenied|no|req-12" } },
		  { "action_failed|" VPC "|action failed|AccessDenied" }, NULL },
		{ { { VPC, TRACKER_CHANGED, TRACKER_ACT_UPDATE, 1, CH("Tags", "a", "b") } },
		  { "recovered|" VPC "|recovered|after earlier failures" }, NULL },
		{ { IN_SYNC(VPC) }, { NULL }, NULL },
	} },
	{ "owned by another environment: one alert naming it, until it ends", 0, {
		{ { { VPC, TRACKER_OWNED_ELSEWHERE, TRACKER_ACT_NONE, 1, NULL, NULL, "staging", "vpc-0abc" } },
		  { "owned_elsewhere|" VPC "|owned by staging|vpc-0abc" }, NULL },
		{ { { VPC, TRACKER_OWNED_ELSEWHERE, TRACKER_ACT_NONE, 1, NULL, NULL, "staging", "vpc-0abc" } },
		  { NULL }, NULL },
		{ { { VPC, TRACKER_OWNED_ELSEWHERE, TRACKER_ACT_NONE, 1, NULL, NULL, "staging", "vpc-0abc" } },
		  { NULL }, NULL },
		{ { { VPC, TRACKER_CHANGED, TRACKER_ACT_CREATE, 1, "[]" } },
		  { "converged|" VPC "|converged" }, NULL },
	} },
	{ "an orphan is alerted once", 0, {
		{ { { "ec2.vpc.old", TRACKER_ORPHAN, TRACKER_ACT_NONE, 1, NULL, NULL, NULL, "vpc-0123" } },
		  { "orphan|ec2.vpc.old|orphan found|vpc-0123" }, NULL },
		{ { { "ec2.vpc.old", TRACKER_ORPHAN, TRACKER_ACT_NONE, 1, NULL, NULL, NULL, "vpc-0123" } },
		  { NULL }, NULL },
	} },
	{ "an orphan settings.prune deleted is alerted once, as deleted", 0, {
		{ { { "ec2.vpc.old", TRACKER_ORPHAN, TRACKER_ACT_DELETE, 0, NULL, NULL, NULL, "vpc-0456" } },
		  { "orphan|ec2.vpc.old|orphan deleted|deleted ec2.vpc.old (id vpc-0456)" }, NULL },
		{ { { "ec2.vpc.old", TRACKER_ORPHAN, TRACKER_ACT_NONE, 1, NULL, NULL, NULL, "vpc-0789" } },
		  { "orphan|ec2.vpc.old|orphan found|vpc-0789" }, NULL },
	} },
	{ "the unreadable threshold is configurable", 1, {
		{ { UNREADABLE(NG) }, { "unreadable|" NG "|unreadable" }, NULL },
		{ { UNREADABLE(NG) }, { NULL }, NULL },
	} },
};

static cJSON *parsed[MAX_OBS];
static char errbuf[MAX_OBS][256];

static tracker_obs_t to_obs(const tobs_t *t, size_t slot)
{
	tracker_obs_t o;
	char *bar, *bar2;

	memset(&o, 0, sizeof(o));
	o.address = t->address;
	o.type = t->address;   /* "ec2.vpc.main": good enough as a type */
	o.state = t->state;
	o.action = t->action;
	o.present = t->present;
	o.owner_env = t->owner;
	o.id = t->id;
	if (t->state == TRACKER_REFUSED)
		o.reason = REFUSED_WHY;
	parsed[slot] = t->changes ? cJSON_Parse(t->changes) : NULL;
	o.changes = parsed[slot];
	if (t->err) {
		snprintf(errbuf[slot], sizeof(errbuf[slot]), "%s", t->err);
		bar = strchr(errbuf[slot], '|');
		bar2 = strchr(bar + 1, '|');
		*bar = *bar2 = '\0';
		o.err_code = errbuf[slot];
		o.err_message = bar + 1;
		o.err_request_id = bar2 + 1;
	}
	return o;
}

/* Whether notice n is the alert "EVENT|ADDRESS|subject part|text part". */
static int alert_matches(const tracker_notice_t *n, const char *want)
{
	char buf[512], *part[4] = { NULL };
	char *details;
	int i = 0, ok;

	snprintf(buf, sizeof(buf), "%s", want);
	part[0] = strtok(buf, "|");
	while (i < 3 && (part[++i] = strtok(NULL, "|")))
		;
	details = n->details ? cJSON_PrintUnformatted(n->details) : NULL;
	ok = n->kind == TRACKER_NOTICE_ALERT &&
	     !strcmp(alerts_event_name(n->event), part[0]) &&
	     !strcmp(n->address, part[1]) &&
	     (!part[2] || strstr(n->subject, part[2])) &&
	     (!part[3] || strstr(n->text, part[3]) ||
	      (details && strstr(details, part[3])));
	free(details);
	return ok;
}

START_TEST(cycles_of_observations_give_the_expected_alerts)
{
	const tcase_t *tc = &cases[_i];
	tracker_opts_t opts = { 0, tc->unreadable_cycles };
	tracker_t *t = tracker_new(&opts);
	tracker_report_t rep;
	tracker_obs_t obs[MAX_OBS];
	size_t c, i, n, na, nwant;

	ck_assert_ptr_nonnull(t);
	for (c = 0; c < MAX_CYCLES && tc->cycles[c].obs[0].address; c++) {
		const tcycle_t *cy = &tc->cycles[c];
		tracker_clock_t clk = { "prod", 1.0, 1000 + (time_t)c,
					(double)c };
		int log_seen = !cy->log;

		for (n = 0; n < MAX_OBS && cy->obs[n].address; n++)
			obs[n] = to_obs(&cy->obs[n], n);
		ck_assert_int_eq(tracker_cycle(t, obs, n, &clk, &rep), 0);
		for (nwant = 0; nwant < MAX_ALERTS && cy->alerts[nwant]; nwant++)
			;
		for (i = 0, na = 0; i < rep.n_notices; i++) {
			const tracker_notice_t *no = &rep.notices[i];

			if (no->kind == TRACKER_NOTICE_LOG) {
				ck_assert_ptr_nonnull(no->text);
				if (cy->log && strstr(no->text, cy->log))
					log_seen = 1;
				continue;
			}
			ck_assert_msg(na < nwant, "%s, cycle %zu: unexpected "
				      "alert \"%s\"", tc->name, c + 1,
				      no->subject);
			ck_assert_msg(alert_matches(no, cy->alerts[na]),
				      "%s, cycle %zu: alert \"%s\" / \"%s\" is "
				      "not %s", tc->name, c + 1, no->subject,
				      no->text, cy->alerts[na]);
			ck_assert_uint_lt(strlen(no->subject), 200);
			na++;
		}
		ck_assert_msg(na == nwant, "%s, cycle %zu: %zu alerts, wanted "
			      "%zu", tc->name, c + 1, na, nwant);
		ck_assert_msg(log_seen, "%s, cycle %zu: no log line has \"%s\"",
			      tc->name, c + 1, cy->log);
		tracker_report_free(&rep);
		for (i = 0; i < n; i++)
			cJSON_Delete(parsed[i]);
	}
	tracker_free(t);
}
END_TEST

START_TEST(backoff_doubles_holds_changes_back_and_an_operator_clears_it)
{
	tracker_opts_t opts = { 5.0, 0 };
	tracker_t *t = tracker_new(&opts);
	tracker_obs_t o = { .address = VPC, .type = "ec2.vpc",
			    .state = TRACKER_FAILED,
			    .action = TRACKER_ACT_UPDATE, .present = 1,
			    .err_code = "X", .err_message = "m" };
	tracker_clock_t clk = { "prod", 2.0, 0, 100.0 };
	tracker_report_t rep;

	ck_assert(!tracker_backing_off(t, VPC, 100));
	ck_assert_int_eq(tracker_retry_now(t, VPC), -ENOENT);
	ck_assert_int_eq(tracker_cycle(t, &o, 1, &clk, &rep), 0);
	tracker_report_free(&rep);
	ck_assert(tracker_backing_off(t, VPC, 101.9));   /* 2 s */
	ck_assert(!tracker_backing_off(t, VPC, 102.0));
	ck_assert_int_eq(tracker_cycle(t, &o, 1, &clk, &rep), 0);
	tracker_report_free(&rep);
	/* 4 s, capped at 5 s from the third failure on */
	ck_assert(tracker_backing_off(t, VPC, 103.9));
	ck_assert_int_eq(tracker_cycle(t, &o, 1, &clk, &rep), 0);
	tracker_report_free(&rep);
	ck_assert(tracker_backing_off(t, VPC, 104.9));
	ck_assert(!tracker_backing_off(t, VPC, 105.0));
	ck_assert_uint_eq(tracker_find(t, VPC)->failures, 3);
	ck_assert_int_eq(tracker_retry_now(t, VPC), 0);
	ck_assert(!tracker_backing_off(t, VPC, 100));
	/* Unreadable reads are not held back and do not reset failures. */
	o.state = TRACKER_IN_SYNC;
	ck_assert_int_eq(tracker_cycle(t, &o, 1, &clk, &rep), 0);
	tracker_report_free(&rep);
	ck_assert_uint_eq(tracker_find(t, VPC)->failures, 0);
	ck_assert_str_eq(tracker_state_name(tracker_find(t, VPC)->state),
			 "in sync");
	tracker_free(t);
}
END_TEST

START_TEST(counts_for_the_metrics_follow_the_states)
{
	tracker_t *t = tracker_new(NULL);
	cJSON *ch = cJSON_Parse(CH("Tags", "a", "b"));
	tracker_obs_t o[] = {
		{ .address = "a.b.1", .type = "ec2.vpc", .state = TRACKER_IN_SYNC },
		{ .address = "a.b.2", .type = "ec2.vpc", .state = TRACKER_CHANGED,
		  .action = TRACKER_ACT_UPDATE, .changes = ch },
		{ .address = "a.b.3", .type = "ec2.subnet", .state = TRACKER_DRIFTED,
		  .action = TRACKER_ACT_UPDATE, .changes = ch },
		{ .address = "a.b.4", .type = "ec2.subnet", .state = TRACKER_FAILED,
		  .action = TRACKER_ACT_CREATE },
		{ .address = "a.b.5", .type = "ec2.subnet", .state = TRACKER_UNREADABLE },
		{ .address = "a.b.6", .type = "ec2.vpc", .state = TRACKER_ORPHAN },
		{ .address = "a.b.7", .type = "ec2.vpc", .state = TRACKER_REFUSED,
		  .action = TRACKER_ACT_REPLACE, .changes = ch },
	};
	tracker_clock_t clk = { "prod", 1.0, 0, 0 };
	tracker_report_t rep;
	size_t j, vpc = 0, subnet = 0;

	ck_assert_int_eq(tracker_cycle(t, o, 7, &clk, &rep), 0);
	ck_assert_uint_eq(rep.managed, 6);
	ck_assert_uint_eq(rep.drifted, 4);
	ck_assert_uint_eq(rep.unreadable, 1);
	ck_assert_uint_eq(rep.succeeded, 1);
	ck_assert_uint_eq(rep.failed, 1);
	for (j = 0; j < rep.n_types; j++) {
		if (!strcmp(rep.types[j].type, "ec2.vpc"))
			vpc = rep.types[j].drifted;
		if (!strcmp(rep.types[j].type, "ec2.subnet"))
			subnet = rep.types[j].drifted;
	}
	ck_assert_uint_eq(vpc, 2);
	ck_assert_uint_eq(subnet, 2);
	ck_assert_uint_eq(tracker_count(t), 7);
	ck_assert_uint_eq(tracker_entry(t, 1)->drift, 1);
	ck_assert_ptr_null(tracker_entry(t, 7));
	ck_assert_uint_eq(tracker_cycles(t), 1);
	tracker_report_free(&rep);
	cJSON_Delete(ch);
	tracker_free(t);
	tracker_free(NULL);
}
END_TEST

START_TEST(a_partial_run_counts_as_the_full_cycle_that_saw_the_rest)
{
	tracker_t *t = tracker_new(NULL);
	tracker_obs_t o[] = {
		{ .address = "a.b.1", .type = "ec2.vpc", .state = TRACKER_IN_SYNC },
		{ .address = "a.b.2", .type = "ec2.vpc", .state = TRACKER_IN_SYNC },
	};
	tracker_clock_t clk = { "prod", 1.0, 0, 0, 0 };
	tracker_report_t rep;

	ck_assert_int_eq(tracker_cycle(t, o, 2, &clk, &rep), 0);
	tracker_report_free(&rep);
	/* An event's run sees a.b.2 again: both stay in the cycle's view
	 * (`driftd status` lists the resources the cycle saw). */
	clk.partial = 1;
	o[1].state = TRACKER_CHANGED;
	o[1].action = TRACKER_ACT_UPDATE;
	ck_assert_int_eq(tracker_cycle(t, &o[1], 1, &clk, &rep), 0);
	tracker_report_free(&rep);
	ck_assert_uint_eq(tracker_cycles(t), 1);
	ck_assert_uint_eq(tracker_entry(t, 0)->seen, 1);
	ck_assert_uint_eq(tracker_entry(t, 1)->seen, 1);
	ck_assert_str_eq(tracker_state_name(tracker_entry(t, 1)->state),
			 "changed");
	clk.partial = 0;
	ck_assert_int_eq(tracker_cycle(t, o, 1, &clk, &rep), 0);
	tracker_report_free(&rep);
	ck_assert_uint_eq(tracker_cycles(t), 2);
	tracker_free(t);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("tracker");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, cycles_of_observations_give_the_expected_alerts,
			    0, sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, backoff_doubles_holds_changes_back_and_an_operator_clears_it);
	tcase_add_test(tc, counts_for_the_metrics_follow_the_states);
	tcase_add_test(tc, a_partial_run_counts_as_the_full_cycle_that_saw_the_rest);
	suite_add_tcase(s, tc);
	return testutil_run(s);
}
