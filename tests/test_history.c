/* history: drift records as JSON lines, rotation, late attribution
 * updated once, pending records found again after a restart, and no
 * secret values. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "history.h"
#include "readfile.h"
#include "testutil.h"

static char dir[64];

static void mkdir_tmp(void)
{
	snprintf(dir, sizeof(dir), "/tmp/driftd-history-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void rm_tmp(void)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/" HISTORY_FILE, dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/" HISTORY_FILE ".1", dir);
	unlink(p);
	rmdir(dir);
}

static char *file_text(const char *name, size_t *len)
{
	char p[128], *buf = NULL;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	if (readfile(p, 1 << 24, &buf, len, NULL))
		return NULL;
	return buf;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

static ct_change_t alice(time_t when)
{
	ct_change_t ch;

	memset(&ch, 0, sizeof(ch));
	snprintf(ch.event_name, sizeof(ch.event_name), "AuthorizeSecurityGroupIngress");
	snprintf(ch.principal, sizeof(ch.principal), "arn:aws:iam::123456789012:user/alice");
	snprintf(ch.source_ip, sizeof(ch.source_ip), "203.0.113.7");
	snprintf(ch.user_agent, sizeof(ch.user_agent), "aws-cli/2.15.0");
	ch.event_time = when;
	return ch;
}

static history_drift_t drift(const char *address, time_t detected,
			     history_attribution_t a, const ct_change_t *ch,
			     const cJSON *changes)
{
	history_drift_t d = {
		.environment = "prod", .address = address,
		.type = "ec2.security_group", .region = "us-east-1",
		.resource_id = "sg-0a1b", .names = { "sg-0a1b", "web" },
		.changes = changes, .action = "reverted in place",
		.since = detected - 60, .detected = detected,
		.attribution = a, .changed_by = ch,
	};
	return d;
}

static const char *rec_str(const cJSON *r, const char *path)
{
	const cJSON *v = r;
	char buf[128], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok; tok = strtok_r(NULL, ".", &save))
		v = cJSON_GetObjectItem(v, tok);
	return cJSON_GetStringValue(v);
}

START_TEST(a_drift_is_one_json_line_read_back_whole)
{
	history_t *h;
	ct_change_t ch = alice(1765000000 - 42);
	cJSON *changes = cJSON_Parse("[{\"attribute\":\"IpPermissions\","
				     "\"expected\":\"[]\",\"live\":\"[22]\"}]"), *all, *r;
	history_drift_t d = drift("ec2.security_group.web", 1765000000,
				  HISTORY_FOUND, &ch, changes);
	char id[HISTORY_ID_MAX], *text, p[128];
	struct stat st;
	size_t len;

	mkdir_tmp();
	ck_assert_int_eq(history_open(dir, 0, &h, NULL), 0);
	ck_assert_int_eq(history_drift(h, &d, id, NULL), 0);
	ck_assert_int_eq(history_npending(h), 0);
	text = file_text(HISTORY_FILE, &len);
	ck_assert_ptr_nonnull(text);
	ck_assert_int_eq(count_lines(text), 1);
	ck_assert_int_eq(text[len - 1], '\n');
	free(text);
	snprintf(p, sizeof(p), "%s/" HISTORY_FILE, dir);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(history_read(dir, 0, NULL, &all, NULL, NULL), 0);
	ck_assert_int_eq(cJSON_GetArraySize(all), 1);
	r = cJSON_GetArrayItem(all, 0);
	ck_assert_str_eq(rec_str(r, "id"), id);
	ck_assert_str_eq(rec_str(r, "address"), "ec2.security_group.web");
	ck_assert_str_eq(rec_str(r, "time"), "2025-12-06T05:46:40Z");
	ck_assert_str_eq(rec_str(r, "action"), "reverted in place");
	ck_assert_str_eq(rec_str(r, "attribution"), "found");
	ck_assert_str_eq(rec_str(r, "changed_by.principal"), "arn:aws:iam::123456789012:user/alice");
	ck_assert_str_eq(rec_str(r, "changed_by.event"), "AuthorizeSecurityGroupIngress");
	ck_assert_str_eq(rec_str(r, "changed_by.source_ip"), "203.0.113.7");
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(r, "detect_seconds")), 42);
	ck_assert_str_eq(rec_str(cJSON_GetArrayItem(cJSON_GetObjectItem(r, "changes"), 0), "live"), "[22]");
	cJSON_Delete(all);
	cJSON_Delete(changes);
	history_free(h);
	rm_tmp();
}
END_TEST

START_TEST(a_pending_attribution_is_updated_once_and_survives_a_restart)
{
	history_t *h;
	ct_change_t ch = alice(1765000000 - 300);
	history_drift_t d = drift("ec2.security_group.web", 1765000000,
				  HISTORY_PENDING, NULL, NULL);
	const history_pending_t *p;
	char id[HISTORY_ID_MAX], *text;
	cJSON *all, *r;
	err_t e;

	mkdir_tmp();
	ck_assert_int_eq(history_open(dir, 0, &h, NULL), 0);
	ck_assert_int_eq(history_drift(h, &d, id, NULL), 0);
	ck_assert_int_eq(history_npending(h), 1);
	history_free(h);
	/* the daemon restarts: the record is still waiting */
	ck_assert_int_eq(history_open(dir, 0, &h, NULL), 0);
	ck_assert_int_eq(history_npending(h), 1);
	p = history_pending_at(h, 0);
	ck_assert_str_eq(p->id, id);
	ck_assert_str_eq(p->address, "ec2.security_group.web");
	ck_assert_str_eq(p->region, "us-east-1");
	ck_assert_str_eq(p->names[0], "sg-0a1b");
	ck_assert_str_eq(p->names[1], "web");
	ck_assert_int_eq(p->since, 1765000000 - 60);
	ck_assert_int_eq(p->detected, 1765000000);
	ck_assert_int_eq(history_update(h, id, HISTORY_FOUND, &ch, NULL,
					1765000900, NULL), 0);
	ck_assert_int_eq(history_npending(h), 0);
	/* once: a second update is refused and writes nothing */
	ck_assert_int_eq(history_update(h, id, HISTORY_NOT_FOUND, NULL, NULL,
					1765001000, &e), -ENOENT);
	text = file_text(HISTORY_FILE, NULL);
	ck_assert_int_eq(count_lines(text), 2);
	free(text);
	history_free(h);
	ck_assert_int_eq(history_open(dir, 0, &h, NULL), 0);
	ck_assert_int_eq(history_npending(h), 0);
	history_free(h);
	ck_assert_int_eq(history_read(dir, 0, NULL, &all, NULL, NULL), 0);
	ck_assert_int_eq(cJSON_GetArraySize(all), 1);
	r = cJSON_GetArrayItem(all, 0);
	ck_assert_str_eq(rec_str(r, "attribution"), "found");
	ck_assert_str_eq(rec_str(r, "changed_by.principal"), "arn:aws:iam::123456789012:user/alice");
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(r, "detect_seconds")), 300);
	ck_assert_str_eq(rec_str(r, "updated"), "2025-12-06T06:01:40Z");
	cJSON_Delete(all);
	rm_tmp();
}
END_TEST

START_TEST(a_second_update_line_in_the_file_does_not_change_the_record)
{
	history_t *h;
	history_drift_t d = drift("a.b.c", 1765000000, HISTORY_PENDING, NULL, NULL);
	char id[HISTORY_ID_MAX], p[128], line[256];
	cJSON *all;
	int fd;

	mkdir_tmp();
	ck_assert_int_eq(history_open(dir, 0, &h, NULL), 0);
	ck_assert_int_eq(history_drift(h, &d, id, NULL), 0);
	ck_assert_int_eq(history_update(h, id, HISTORY_NOT_FOUND, NULL, NULL,
					1765001800, NULL), 0);
	history_free(h);
	snprintf(p, sizeof(p), "%s/" HISTORY_FILE, dir);
	fd = open(p, O_WRONLY | O_APPEND);
	snprintf(line, sizeof(line), "{\"update\":\"%s\",\"attribution\":\"found\"}\n"
		 "{\"address\":\"torn", id);
	ck_assert_int_eq(write(fd, line, strlen(line)), (ssize_t)strlen(line));
	close(fd);
	{
		size_t skipped;

		ck_assert_int_eq(history_read(dir, 0, NULL, &all, &skipped, NULL), 0);
		ck_assert_int_eq(skipped, 1);     /* the torn last line */
	}
	ck_assert_str_eq(rec_str(cJSON_GetArrayItem(all, 0), "attribution"), "not found");
	cJSON_Delete(all);
	rm_tmp();
}
END_TEST

START_TEST(the_history_rotates_at_its_cap_and_keeps_the_newest)
{
	history_t *h;
	char addr[64], *cur, *old;
	size_t i, lcur, lold, n;
	cJSON *all;
	history_drift_t d;

	mkdir_tmp();
	ck_assert_int_eq(history_open(dir, HISTORY_MIN_MAX, &h, NULL), 0);
	for (i = 0; i < 100; i++) {
		snprintf(addr, sizeof(addr), "ec2.security_group.sg%03zu", i);
		d = drift(addr, 1765000000 + (time_t)i, HISTORY_NOT_FOUND, NULL, NULL);
		ck_assert_int_eq(history_drift(h, &d, NULL, NULL), 0);
	}
	history_free(h);
	cur = file_text(HISTORY_FILE, &lcur);
	old = file_text(HISTORY_FILE ".1", &lold);
	ck_assert_ptr_nonnull(cur);
	ck_assert_ptr_nonnull(old);
	ck_assert_uint_le(lcur, HISTORY_MIN_MAX);
	ck_assert_uint_le(lold, HISTORY_MIN_MAX);
	ck_assert_uint_gt(lold, HISTORY_MIN_MAX / 2);
	free(cur);
	free(old);
	ck_assert_int_eq(history_read(dir, 0, NULL, &all, NULL, NULL), 0);
	n = (size_t)cJSON_GetArraySize(all);
	ck_assert_uint_lt(n, 100);
	ck_assert_uint_gt(n, 10);
	/* oldest first, ending with the newest; nothing lost in between */
	ck_assert_str_eq(rec_str(cJSON_GetArrayItem(all, (int)n - 1), "address"),
			 "ec2.security_group.sg099");
	snprintf(addr, sizeof(addr), "ec2.security_group.sg%03zu", 100 - n);
	ck_assert_str_eq(rec_str(cJSON_GetArrayItem(all, 0), "address"), addr);
	cJSON_Delete(all);
	/* filters: by detection time and by address */
	ck_assert_int_eq(history_read(dir, 1765000000 + 97, NULL, &all, NULL, NULL), 0);
	ck_assert_int_eq(cJSON_GetArraySize(all), 3);
	cJSON_Delete(all);
	ck_assert_int_eq(history_read(dir, 0, "ec2.security_group.sg098", &all, NULL, NULL), 0);
	ck_assert_int_eq(cJSON_GetArraySize(all), 1);
	cJSON_Delete(all);
	rm_tmp();
}
END_TEST

START_TEST(no_history_reads_as_empty)
{
	cJSON *all;

	mkdir_tmp();
	ck_assert_int_eq(history_read(dir, 0, NULL, &all, NULL, NULL), 0);
	ck_assert_int_eq(cJSON_GetArraySize(all), 0);
	cJSON_Delete(all);
	rm_tmp();
}
END_TEST

START_TEST(a_sensitive_attribute_is_masked_as_plans_mask_it)
{
	static const res_attr_t secret = { .name = "MasterUserPassword",
					   .kind = RES_SCALAR, .flags = RES_SENSITIVE };
	static const res_attr_t plain = { .name = "Port", .kind = RES_SCALAR };
	diff_change_t chs[2];
	diff_t diff = { chs, 2, 0 };
	rec_item_t it;
	cJSON *j;
	char *text;

	memset(&it, 0, sizeof(it));
	memset(chs, 0, sizeof(chs));
	chs[0].attr = &secret;
	chs[0].desired = cJSON_CreateString("config-secret-value");
	chs[0].live = cJSON_CreateString("live-secret-value");
	chs[1].attr = &plain;
	chs[1].desired = cJSON_CreateNumber(5432);
	chs[1].live = cJSON_CreateNumber(5433);
	it.action = REC_UPDATE;
	it.diff = &diff;
	j = history_changes_json(&it);
	text = cJSON_PrintUnformatted(j);
	ck_assert_ptr_null(strstr(text, "secret-value"));
	ck_assert_ptr_nonnull(strstr(text, "\"attribute\":\"Port\",\"expected\":\"5432\",\"live\":\"5433\""));
	cJSON_free(text);
	cJSON_Delete(j);
	cJSON_Delete(chs[0].desired);
	cJSON_Delete(chs[0].live);
	cJSON_Delete(chs[1].desired);
	cJSON_Delete(chs[1].live);
}
END_TEST

START_TEST(a_link_planted_as_the_history_is_not_followed)
{
	history_t *h;
	history_drift_t d = drift("a.b.c", 1765000000, HISTORY_OFF, NULL, NULL);
	char p[128], target[128], *text;
	err_t e;

	mkdir_tmp();
	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	snprintf(p, sizeof(p), "%s/" HISTORY_FILE, dir);
	ck_assert_int_eq(symlink(target, p), 0);
	ck_assert_int_eq(history_open(dir, 0, &h, NULL), -ELOOP);
	unlink(p);
	ck_assert_int_eq(history_open(dir, 0, &h, NULL), 0);
	ck_assert_int_eq(symlink(target, p), 0);
	ck_assert_int_eq(history_drift(h, &d, NULL, &e), -ELOOP);
	ck_assert_ptr_nonnull(strstr(e.message, "symbolic link"));
	ck_assert_int_eq(access(target, F_OK), -1);    /* nothing written there */
	text = file_text("elsewhere", NULL);
	ck_assert_ptr_null(text);
	history_free(h);
	unlink(p);
	rm_tmp();
}
END_TEST

TESTUTIL_MAIN("history",
	      a_link_planted_as_the_history_is_not_followed,
	      a_drift_is_one_json_line_read_back_whole,
	      a_pending_attribution_is_updated_once_and_survives_a_restart,
	      a_second_update_line_in_the_file_does_not_change_the_record,
	      the_history_rotates_at_its_cap_and_keeps_the_newest,
	      no_history_reads_as_empty,
	      a_sensitive_attribute_is_masked_as_plans_mask_it)
