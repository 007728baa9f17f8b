/* estate_check: the cases the config-bad corpus cannot pin, as data: the
 * support tables' dates at their edges (the corpus runs on today's date),
 * and configurations each check must accept. Each case is one config
 * (resources only), the date, and the messages expected (a substring of
 * each, in order; none: the estate passes). */
#define _XOPEN_SOURCE 700
#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "estate.h"
#include "testutil.h"

typedef struct estate_case {
	const char *name, *date, *config;
	const char *expect[3];
} estate_case_t;

#define SG(name, rules) \
	"\"ec2.security_group." name "\": { \"GroupName\": \"" name "\", \"Description\": \"d\", " \
	"\"IpPermissions\": [ " rules " ] }"
#define FROM(src) \
	"{ \"IpProtocol\": \"tcp\", \"FromPort\": 1, \"ToPort\": 1, \"UserIdGroupPairs\": " \
	"[ { \"GroupId\": \"${ec2.security_group." src ".GroupId}\" } ] }"
#define ALARM_TO(topic) \
	"\"cloudwatch.metric_alarm.a\": { \"AlarmActions\": [ \"${sns.topic." topic ".TopicArn}\" ] }"
#define KEY(policy) \
	"\"kms.key.k\": { \"KeyPolicy\": " policy " }, " \
	"\"sns.topic.t\": { \"KmsMasterKeyId\": \"${kms.key.k.Arn}\" }, " ALARM_TO("t")

static const estate_case_t cases[] = {
	{ "version on its last day of standard support", "2026-12-02",
	  "\"eks.cluster.c\": { \"version\": \"1.34\" }", { NULL } },
	{ "version the day after", "2026-12-03",
	  "\"eks.cluster.c\": { \"version\": \"1.34\" }",
	  { "Kubernetes 1.34 is past the end of its standard support in EKS (2026-12-02" } },
	{ "version newer than the table", "2026-12-06",
	  "\"eks.cluster.c\": { \"version\": \"1.40\" }", { NULL } },
	{ "node group version too", "2026-12-06",
	  "\"eks.nodegroup.n\": { \"version\": \"1.29\", \"amiType\": \"AL2023_x86_64_STANDARD\" }",
	  { "Kubernetes 1.29 is past" } },
	{ "AL2 on its last day", "2025-11-26",
	  "\"eks.nodegroup.n\": { \"amiType\": \"AL2_x86_64_GPU\" }", { NULL } },
	{ "AL2 the day after", "2025-11-27",
	  "\"eks.nodegroup.n\": { \"amiType\": \"AL2_x86_64_GPU\" }",
	  { "use AL2023_x86_64_NVIDIA" } },
	{ "key policy by wildcard action and one statement object", "2026-12-06",
	  KEY("{ \"Statement\": { \"Effect\": \"Allow\", \"Principal\": { \"Service\": "
	      "\"cloudwatch.amazonaws.com\" }, \"Action\": \"kms:*\", \"Resource\": \"*\" } }"),
	  { NULL } },
	{ "key policy as text, actions across two statements", "2026-12-06",
	  KEY("\"{\\\"Statement\\\":[{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{\\\"Service\\\":"
	      "[\\\"cloudwatch.amazonaws.com\\\"]},\\\"Action\\\":\\\"kms:Decrypt\\\"},"
	      "{\\\"Effect\\\":\\\"Allow\\\",\\\"Principal\\\":{\\\"Service\\\":"
	      "\\\"cloudwatch.amazonaws.com\\\"},\\\"Action\\\":\\\"KMS:GenerateDataKey*\\\"}]}\""),
	  { NULL } },
	{ "key policy that denies is no grant", "2026-12-06",
	  KEY("{ \"Statement\": [ { \"Effect\": \"Deny\", \"Principal\": { \"Service\": "
	      "\"cloudwatch.amazonaws.com\" }, \"Action\": \"kms:*\", \"Resource\": \"*\" } ] }"),
	  { "kms.key.k encrypts sns.topic.t" } },
	{ "everyone under a condition is not a service grant", "2026-12-06",
	  KEY("{ \"Statement\": [ { \"Effect\": \"Allow\", \"Principal\": { \"AWS\": \"*\" }, "
	      "\"Action\": \"kms:*\", \"Condition\": { \"StringEquals\": { "
	      "\"kms:ViaService\": \"sns.us-east-1.amazonaws.com\" } } } ] }"),
	  { "does not allow cloudwatch.amazonaws.com" } },
	{ "everyone without a condition is", "2026-12-06",
	  KEY("{ \"Statement\": [ { \"Effect\": \"Allow\", \"Principal\": \"*\", "
	      "\"Action\": \"kms:*\" } ] }"), { NULL } },
	{ "key policy missing Decrypt", "2026-12-06",
	  KEY("{ \"Statement\": [ { \"Effect\": \"Allow\", \"Principal\": { \"Service\": "
	      "\"cloudwatch.amazonaws.com\" }, \"Action\": \"kms:GenerateDataKey*\" } ] }"),
	  { "does not allow cloudwatch.amazonaws.com" } },
	{ "a key the config does not hold is not guessed at", "2026-12-06",
	  "\"sns.topic.t\": { \"KmsMasterKeyId\": \"arn:aws:kms:us-east-1:1:key/x\" }, "
	  ALARM_TO("t"), { NULL } },
	{ "an AWS managed key by ARN", "2026-12-06",
	  "\"sns.topic.t\": { \"KmsMasterKeyId\": \"arn:aws:kms:us-east-1:1:alias/aws/sns\" }, "
	  ALARM_TO("t"), { "is an AWS managed key" } },
	{ "a topic nobody's alerts use may have any key", "2026-12-06",
	  "\"sns.topic.t\": { \"KmsMasterKeyId\": \"alias/aws/sns\" }", { NULL } },
	{ "selection by reference, tag by default_tags", "2026-12-06",
	  "\"rds.db_instance.d\": { \"DBInstanceIdentifier\": \"d\" }, "
	  "\"backup.selection.s\": { \"BackupSelection\": { "
	  "\"Resources\": [ \"${rds.db_instance.d.DBInstanceArn}\" ], "
	  "\"Conditions\": { \"StringEquals\": [ { \"ConditionKey\": \"aws:ResourceTag/team\", "
	  "\"ConditionValue\": \"ops\" } ] } } }", { NULL } },
	{ "tags as a list; the pattern's service must match", "2026-12-06",
	  "\"s3.bucket.b\": { \"Bucket\": \"b\", \"Tags\": [ { \"Key\": \"backup\", \"Value\": \"d\" } ] }, "
	  "\"backup.selection.s\": { \"BackupSelection\": { "
	  "\"Resources\": [ \"arn:aws:rds:*:*:db:*\" ], "
	  "\"ListOfTags\": [ { \"ConditionType\": \"STRINGEQUALS\", \"ConditionKey\": \"backup\", "
	  "\"ConditionValue\": \"d\" } ] } }",
	  { "carries the tag backup=d" } },
	{ "a group admitted and attached is fine", "2026-12-06",
	  SG("db", FROM("app")) ", " SG("app", "") ", "
	  "\"rds.db_instance.d\": { \"VpcSecurityGroupIds\": [ \"${ec2.security_group.app.GroupId}\" ] }",
	  { NULL } },
	{ "a group only other rules name", "2026-12-06",
	  SG("db", FROM("app")) ", " SG("app", "") ", "
	  "\"rds.db_instance.d\": { \"VpcSecurityGroupIds\": [ \"${ec2.security_group.db.GroupId}\" ] }",
	  { "ec2.security_group.db admits ec2.security_group.app as a source" } },
	{ "a separate rule's source counts, its target does not attach", "2026-12-06",
	  SG("alb", "") ", "
	  "\"ec2.security_group_ingress.r\": { \"GroupId\": \"sg-1\", "
	  "\"SourceSecurityGroupId\": \"${ec2.security_group.alb.GroupId}\" }, "
	  "\"ec2.security_group_ingress.q\": { \"GroupId\": \"${ec2.security_group.alb.GroupId}\", "
	  "\"SourceSecurityGroupId\": \"sg-2\" }",
	  { "ec2.security_group_ingress.r admits ec2.security_group.alb" } },
};

static char root[64];

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static time_t day(const char *date)
{
	struct tm tm = { 0 };

	ck_assert_ptr_nonnull(strptime(date, "%Y-%m-%d", &tm));
	tm.tm_hour = 12;
	return timegm(&tm);
}

static void run_case(const estate_case_t *c)
{
	config_errors_t *errs = NULL;
	config_t *cfg = NULL;
	char path[128], line[1024];
	size_t n = 0, i;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/main.json", root);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "{ \"settings\": { \"default_tags\": { \"team\": \"ops\" } },\n"
		"  \"resources\": { %s } }\n", c->config);
	fclose(f);
	rc = config_load(root, &cfg, &errs);
	ck_assert_msg(rc == 0, "%s: %s", c->name, errs->count ?
		      err_format(&errs->items[0], line, sizeof(line)) : "load failed");
	while (n < 3 && c->expect[n])
		n++;
	rc = estate_check(cfg, day(c->date), errs);
	ck_assert_msg(rc == (int)n && errs->count == n, "%s: %d problems, %s", c->name, rc,
		      errs->count ? err_format(&errs->items[0], line, sizeof(line)) : "none");
	for (i = 0; i < n; i++)
		ck_assert_msg(strstr(errs->items[i].message, c->expect[i]), "%s: %s", c->name,
			      errs->items[i].message);
	config_free(cfg);
	config_errors_free(errs);
}

START_TEST(each_check_passes_and_fails_the_estates_of_its_cases)
{
	size_t i;

	strcpy(root, "/tmp/estatetestXXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	chmod(root, 0755);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
END_TEST

START_TEST(errors_are_positioned_and_sorted_after_the_loaders)
{
	config_errors_t *errs = NULL;
	config_t *cfg = NULL;
	char path[128];
	FILE *f;

	strcpy(root, "/tmp/estatetestXXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	chmod(root, 0755);
	snprintf(path, sizeof(path), "%s/main.json", root);
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("{ \"resources\": {\n"
	      "  \"eks.nodegroup.z\": { \"amiType\": \"AL2_ARM_64\" },\n"
	      "  \"eks.cluster.a\": {\n"
	      "    \"version\": \"1.20\" } } }\n", f);
	fclose(f);
	ck_assert_int_eq(config_load(root, &cfg, &errs), 0);
	ck_assert_int_eq(estate_check(cfg, day("2026-12-06"), errs), 2);
	ck_assert_int_eq(errs->items[0].line, 2);
	ck_assert_int_eq(errs->items[0].column, 35);
	ck_assert_int_eq(errs->items[1].line, 4);
	ck_assert_int_eq(errs->items[1].column, 16);
	ck_assert_ptr_nonnull(strstr(errs->items[1].message, "no longer supported"));
	config_free(cfg);
	config_errors_free(errs);
	nftw(root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
END_TEST

TESTUTIL_MAIN("estate", each_check_passes_and_fails_the_estates_of_its_cases,
	      errors_are_positioned_and_sorted_after_the_loaders)
