#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* Root once overwrote a root-only file through a link another user
 * planted at the temporary file's name (issue 14, item 7). */
START_TEST(a_link_planted_at_the_temporary_name_is_not_written_through)
{
	char tmp[160], victim[160], text[64] = { 0 };
	journal_t *j;
	FILE *f;
	err_t err;

	setup();
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	f = fopen(victim, "w");
	fputs("root only\n", f);
	fclose(f);
	ck_assert_int_eq(symlink(victim, tmp), 0);
	ck_assert_int_eq(journal_open(path, &j, &err), 0);
	ck_assert_int_eq(journal_intent(j, "ec2.vpc.main", "ec2.vpc", "t", &err), 0);
	journal_free(j);
	f = fopen(victim, "r");
	ck_assert_ptr_nonnull(fgets(text, sizeof(text), f));
	fclose(f);
	ck_assert_str_eq(text, "root only\n");
	ck_assert_int_eq(access(tmp, F_OK), -1);
	unlink(victim);
	teardown();
}
END_TEST

START_TEST(a_journal_that_is_a_link_is_refused)
{
	char target[160], want[256];
	journal_t *j = NULL;
	FILE *f;
	err_t err;

	setup();
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	f = fopen(target, "w");
	fputs("{\"entries\": [], \"version\": 1}", f);
	fclose(f);
	ck_assert_int_eq(symlink(target, path), 0);
	ck_assert_int_eq(journal_open(path, &j, &err), -ELOOP);
	ck_assert_ptr_null(j);
	snprintf(want, sizeof(want), "%s: a symbolic link; driftd does not "
		 "follow it (move it away)", path);
	ck_assert_str_eq(err.message, want);
	unlink(target);
	teardown();
}
END_TEST

START_TEST(a_state_directory_of_another_user_or_writable_by_others_is_refused)
{
	journal_t *j = NULL;
	char want[256];
	err_t err;

	setup();
	ck_assert_int_eq(chown(dir, 4242, 4242), 0);
	ck_assert_int_eq(journal_open(path, &j, &err), -EPERM);
	snprintf(want, sizeof(want), "state directory %s is owned by uid 4242, "
		 "not by driftd's user (uid %u); driftd refuses it", dir,
		 (unsigned)geteuid());
	ck_assert_str_eq(err.message, want);
	ck_assert_int_eq(chown(dir, geteuid(), getegid()), 0);
	ck_assert_int_eq(chmod(dir, 0770), 0);
	ck_assert_int_eq(journal_open(path, &j, &err), -EPERM);
	snprintf(want, sizeof(want), "state directory %s is writable by group "
		 "or others (mode 0770); driftd refuses it (chmod go-w)", dir);
	ck_assert_str_eq(err.message, want);
	ck_assert_ptr_null(j);
	ck_assert_int_eq(chmod(dir, 0700), 0);
	ck_assert_int_eq(journal_open(path, &j, &err), 0);
	journal_free(j);
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

typedef struct bad_case {
	const char *text, *message;
} bad_case_t;

/* Each journal text is refused with its message, naming the file. */
static void refused_each(const bad_case_t *cases, size_t n)
{
	char want[512];
	journal_t *j;
	size_t i;
	FILE *f;
	err_t err;

	setup();
	for (i = 0; i < n; i++) {
		f = fopen(path, "w");
		fputs(cases[i].text, f);
		fclose(f);
		j = NULL;
		ck_assert_int_eq(journal_open(path, &j, &err), -EINVAL);
		ck_assert_ptr_null(j);
		snprintf(want, sizeof(want), "%s: %s; move the journal away to "
			 "start over", path, cases[i].message);
		ck_assert_str_eq(err.message, want);
	}
	teardown();
}

/* Each member of an entry is checked, so nothing the engine reads later
 * is NULL (issue 14, item 9; more cases in tests/journal-bad). */
START_TEST(an_entry_with_a_member_of_the_wrong_type_is_refused_naming_it)
{
	static const bad_case_t cases[] = {
		{ "{\"version\": 1, \"entries\": [\"x\"]}",
		  "entry 1 is not an object" },
		{ "{\"version\": 1, \"entries\": [{\"address\": \"a.b.c\", "
		  "\"type\": \"a.b\", \"token\": 3, \"started\": 1}]}",
		  "entry 1: \"token\" is not a non-empty string" },
		{ "{\"version\": 1, \"entries\": [{\"address\": \"a.b.c\", "
		  "\"type\": \"a.b\", \"token\": \"t\", \"started\": -5}]}",
		  "entry 1: \"started\" is not a time in seconds" },
	};
	refused_each(cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

#define FP_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define FP_B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

/* Write-only secrets (issue 14, item 1): the fingerprint of the last write
 * per (address, attribute) outlives a restart, is replaced by the next,
 * and goes with its item. */
START_TEST(secret_fingerprint_is_kept_per_attribute_until_forgotten)
{
	journal_t *j, *again;
	err_t err;

	setup();
	ck_assert_int_eq(journal_open(path, &j, &err), 0);
	ck_assert_ptr_null(journal_secret(j, "elbv2.listener.web", "DefaultActions"));
	ck_assert_int_eq(journal_secret_set(j, "elbv2.listener.web",
					    "DefaultActions", FP_A, &err), 0);
	ck_assert_int_eq(journal_secret_set(j, "elbv2.listener_rule.r",
					    "Actions", FP_A, &err), 0);
	ck_assert_int_eq(journal_secret_set(j, "elbv2.listener.web",
					    "DefaultActions", FP_B, &err), 0);
	ck_assert_int_eq(journal_secret_set(j, "elbv2.listener.web",
					    "Actions", "not-hex", &err), -EINVAL);
	ck_assert_int_eq(journal_open(path, &again, &err), 0);
	ck_assert_str_eq(journal_secret(again, "elbv2.listener.web",
					"DefaultActions"), FP_B);
	ck_assert_str_eq(journal_secret(again, "elbv2.listener_rule.r",
					"Actions"), FP_A);
	ck_assert_ptr_null(journal_secret(again, "elbv2.listener.web", "Actions"));
	ck_assert_int_eq(journal_secret_set(again, "elbv2.listener.web",
					    "Actions", FP_A, &err), 0);
	ck_assert_int_eq(journal_secret_forget(again, "elbv2.listener.web",
					       "Actions", &err), 0);
	ck_assert_str_eq(journal_secret(again, "elbv2.listener.web",
					"DefaultActions"), FP_B);
	ck_assert_int_eq(journal_secret_forget(again, "elbv2.listener.web",
					       NULL, &err), 0);
	journal_free(again);
	ck_assert_int_eq(journal_open(path, &again, &err), 0);
	ck_assert_ptr_null(journal_secret(again, "elbv2.listener.web",
					  "DefaultActions"));
	ck_assert_str_eq(journal_secret(again, "elbv2.listener_rule.r",
					"Actions"), FP_A);
	journal_free(again);
	journal_free(j);
	teardown();
}
END_TEST

/* Every member of a secret record is checked, as the entries are. */
START_TEST(a_damaged_secret_record_is_refused_naming_it)
{
	static const bad_case_t cases[] = {
		{ "{\"version\": 1, \"entries\": [], \"secrets\": {}}",
		  "\"secrets\" is not an array" },
		{ "{\"version\": 1, \"entries\": [], \"secrets\": [7]}",
		  "secret 1 is not an object" },
		{ "{\"version\": 1, \"entries\": [], \"secrets\": [{"
		  "\"address\": \"a.b.c\", \"fingerprint\": \"" FP_A "\"}]}",
		  "secret 1: \"attribute\" is missing" },
		{ "{\"version\": 1, \"entries\": [], \"secrets\": [{"
		  "\"address\": \"a.b.c\", \"attribute\": \"X\", "
		  "\"fingerprint\": \"" FP_A "0\"}]}",
		  "secret 1: \"fingerprint\" is not 64 lower-case hex digits" },
		{ "{\"version\": 1, \"entries\": [], \"secrets\": [{"
		  "\"address\": \"a.b.c\", \"attribute\": \"X\", "
		  "\"fingerprint\": \"" FP_A "\"}, {\"address\": \"a.b.c\", "
		  "\"attribute\": \"X\", \"fingerprint\": \"" FP_B "\"}]}",
		  "secret 2 repeats a.b.c X" },
		{ "{\"version\": 1, \"entries\": [], \"secrets\": [{"
		  "\"address\": 1, \"attribute\": \"X\", "
		  "\"fingerprint\": \"" FP_A "\"}]}",
		  "secret 1: \"address\" is not a non-empty string" },
	};
	refused_each(cases, sizeof(cases) / sizeof(cases[0]));
}
END_TEST

TESTUTIL_MAIN("journal",
	secret_fingerprint_is_kept_per_attribute_until_forgotten,
	a_damaged_secret_record_is_refused_naming_it,
	a_link_planted_at_the_temporary_name_is_not_written_through,
	a_journal_that_is_a_link_is_refused,
	a_state_directory_of_another_user_or_writable_by_others_is_refused,
	an_entry_with_a_member_of_the_wrong_type_is_refused_naming_it,
	intent_survives_a_restart_until_done,
	no_temporary_file_is_left_behind,
	corrupt_journal_is_refused_naming_the_file,
	created_without_intent_is_an_error,
	created_record_outlives_done_until_forgotten)
