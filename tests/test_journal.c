#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "journal.h"
#include "testutil.h"

static char dir[64], path[128];

static void setup(void)
{
	strcpy(dir, "/tmp/driftd-journal-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/journal", dir);
}

static void teardown(void)
{
	char tmp[160];

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	unlink(path);
	rmdir(dir);
}

START_TEST(intent_survives_a_restart_until_done)
{
	journal_t *j, *again;
	const journal_entry_t *e;
	err_t err;

	setup();
	ck_assert_int_eq(journal_open(path, &j, &err), 0);
	ck_assert_uint_eq(journal_count(j), 0);
	ck_assert_int_eq(journal_intent(j, "ec2.vpc.main", "ec2.vpc", "tok-1", &err), 0);
	ck_assert_int_eq(journal_intent(j, "ec2.subnet.a", "ec2.subnet", "tok-2", &err), 0);
	ck_assert_int_eq(journal_created(j, "ec2.vpc.main", "vpc-123", &err), 0);
	/* A second process (the restarted daemon) sees both intents. */
	ck_assert_int_eq(journal_open(path, &again, &err), 0);
	ck_assert_uint_eq(journal_count(again), 2);
	e = journal_find(again, "ec2.vpc.main");
	ck_assert_str_eq(e->token, "tok-1");
	ck_assert_str_eq(e->id, "vpc-123");
	ck_assert_ptr_null(journal_find(again, "ec2.subnet.a")->id);
	journal_free(again);
	ck_assert_int_eq(journal_done(j, "ec2.vpc.main", &err), 0);
	ck_assert_int_eq(journal_done(j, "ec2.subnet.a", &err), 0);
	journal_free(j);
	ck_assert_int_eq(journal_open(path, &again, &err), 0);
	ck_assert_uint_eq(journal_count(again), 0);
	journal_free(again);
	teardown();
}
END_TEST

START_TEST(no_temporary_file_is_left_behind)
{
	journal_t *j;
	char tmp[160];
	err_t err;

	setup();
	ck_assert_int_eq(journal_open(path, &j, &err), 0);
	ck_assert_int_eq(journal_intent(j, "iam.role.app", "iam.role", "t", &err), 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	ck_assert_int_eq(access(tmp, F_OK), -1);
	ck_assert_int_eq(access(path, F_OK), 0);
	journal_free(j);
	teardown();
}
END_TEST

START_TEST(corrupt_journal_is_refused_naming_the_file)
{
	journal_t *j = NULL;
	FILE *f;
	err_t err;
	char want[256];

	setup();
	f = fopen(path, "w");
	fputs("{\"entries\": [", f);
	fclose(f);
	ck_assert_int_eq(journal_open(path, &j, &err), -EINVAL);
	ck_assert_ptr_null(j);
	snprintf(want, sizeof(want), "%s: not a driftd journal (no \"entries\" "
		 "array); move it away to start over", path);
	ck_assert_str_eq(err.message, want);
	teardown();
}
END_TEST

START_TEST(created_without_intent_is_an_error)
{
	journal_t *j;
	err_t err;

	setup();
	ck_assert_int_eq(journal_open(path, &j, &err), 0);
	ck_assert_int_eq(journal_created(j, "x.y.z", "id", &err), -ENOENT);
	ck_assert_int_eq(journal_done(j, "x.y.z", &err), 0);
	journal_free(j);
	journal_free(NULL);
	teardown();
}
END_TEST

START_TEST(created_record_outlives_done_until_forgotten)
{
	journal_t *j, *again;
	const journal_entry_t *e;
	err_t err;

	setup();
	ck_assert_int_eq(journal_open(path, &j, &err), 0);
	ck_assert_int_eq(journal_intent(j, "logs.log_group.app", "logs.log_group", "t", &err), 0);
	ck_assert_int_eq(journal_created(j, "logs.log_group.app", "/app/a", &err), 0);
	ck_assert_int_eq(journal_record_created(j, "logs.log_group.app", "logs.log_group",
						"/app/a", &err), 0);
	ck_assert_int_eq(journal_done(j, "logs.log_group.app", &err), 0);
	/* The intent is gone; the proof of ownership stays, across a restart. */
	ck_assert_int_eq(journal_open(path, &again, &err), 0);
	ck_assert_uint_eq(journal_count(again), 0);
	ck_assert_uint_eq(journal_made_count(again), 1);
	e = journal_made_find(again, "logs.log_group", "/app/a");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->address, "logs.log_group.app");
	ck_assert_ptr_null(journal_made_find(again, "logs.log_group", "/app/b"));
	ck_assert_ptr_null(journal_made_find(again, "ec2.vpc", "/app/a"));
	ck_assert_int_eq(journal_forget(again, "logs.log_group", "/app/a", &err), 0);
	journal_free(again);
	ck_assert_int_eq(journal_open(path, &again, &err), 0);
	ck_assert_uint_eq(journal_made_count(again), 0);
	journal_free(again);
	journal_free(j);
	teardown();
}
END_TEST

TESTUTIL_MAIN("journal",
	intent_survives_a_restart_until_done,
	no_temporary_file_is_left_behind,
	corrupt_journal_is_refused_naming_the_file,
	created_without_intent_is_an_error,
	created_record_outlives_done_until_forgotten)
