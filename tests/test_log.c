#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "testutil.h"

static char captured[4096];
static int captured_prio;

static void capture(const log_record_t *r, void *data)
{
	(void)data;
	captured_prio = r->priority;
	snprintf(captured, sizeof(captured), "%s|%s|%s|%s|%s", r->message,
		 r->ctx && r->ctx->env ? r->ctx->env : "",
		 r->ctx && r->ctx->address ? r->ctx->address : "",
		 r->ctx && r->ctx->event ? r->ctx->event : "",
		 r->ctx && r->ctx->err ? r->ctx->err->request_id : "");
}

START_TEST(sink_receives_message_and_structured_fields)
{
	err_t e;
	log_ctx_t ctx = { "production", "ec2.vpc.main", "apply", &e, NULL };

	err_set_aws(&e, -EREMOTEIO, 400, "InvalidVpcID.NotFound", "r-42", "x");
	log_set_sink(capture, NULL);
	log_error(&ctx, "Creating %s failed; driftd retries next cycle.",
		  "ec2.vpc.main");
	log_set_sink(NULL, NULL);
	ck_assert_int_eq(captured_prio, LOG_ERR);
	ck_assert_str_eq(captured,
			 "Creating ec2.vpc.main failed; driftd retries next cycle."
			 "|production|ec2.vpc.main|apply|r-42");
}
END_TEST

/* Without systemd, records go to stderr with the fields as key=value. */
START_TEST(stderr_line_carries_fields)
{
	char path[] = "/tmp/driftd-log-XXXXXX";
	int fd = mkstemp(path), saved = dup(STDERR_FILENO);
	char buf[1024] = { 0 };
	err_t e;
	static const char *const more[] = {
		"DRIFTD_CHANGED_BY=arn:aws:iam::123456789012:user/alice",
		"DRIFTD_DETECT_SECONDS=12", NULL,
	};
	log_ctx_t ctx = { "dev", "iam.role.app", NULL, &e, more };
	FILE *f;

	ck_assert_int_ge(fd, 0);
	err_set_aws(&e, -EREMOTEIO, 403, "AccessDenied", "req-7", "x");
	unsetenv("JOURNAL_STREAM");
	log_open("driftd", LOG_TARGET_AUTO, LOG_INFO);
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	log_warning(&ctx, "Role is not readable.");
	log_debug(&ctx, "below the threshold, not printed");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	ck_assert_str_eq(buf, "driftd: warning: Role is not readable. env=dev "
			      "address=iam.role.app aws_error=AccessDenied "
			      "request_id=req-7 changed_by=arn:aws:iam::"
			      "123456789012:user/alice detect_seconds=12\n");
	ck_assert_ptr_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	close(fd);
	unlink(path);
}
END_TEST

TESTUTIL_MAIN("log",
	sink_receives_message_and_structured_fields,
	stderr_line_carries_fields)
