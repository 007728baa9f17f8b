#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
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

/* ---- the journal (a socket of the test's own in journald's place) ---- */

/* A datagram socket bound at a fresh path, which log sends to. */
static int journal_listen(char *path, size_t size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { 2, 0 };
	char dir[] = "/tmp/driftd-log-XXXXXX";
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, size, "%s/journal", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
				    sizeof(tv)), 0);
	log_set_journal_socket(path);
	log_open("driftd", LOG_TARGET_JOURNAL, LOG_INFO);
	return fd;
}

static void journal_close(int fd, const char *path)
{
	char dir[128];

	close(fd);
	unlink(path);
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = 0;
	rmdir(dir);
	log_set_journal_socket(NULL);
}

/* One entry: the message, its priority, the identifier, then the context's
 * fields in a fixed order, as the daemon has always sent them. */
START_TEST(journal_entry_carries_the_fields)
{
	static const char want[] =
		"MESSAGE=Role is not readable.\n"
		"PRIORITY=4\n"
		"SYSLOG_IDENTIFIER=driftd\n"
		"DRIFTD_ENV=dev\n"
		"DRIFTD_ADDRESS=iam.role.app\n"
		"DRIFTD_EVENT=drift\n"
		"AWS_ERROR_CODE=AccessDenied\n"
		"AWS_REQUEST_ID=req-7\n"
		"DRIFTD_CHANGED_BY=arn:aws:iam::123456789012:user/alice\n"
		"DRIFTD_DETECT_SECONDS=12\n";
	static const char *const more[] = {
		"DRIFTD_CHANGED_BY=arn:aws:iam::123456789012:user/alice",
		"DRIFTD_DETECT_SECONDS=12", NULL,
	};
	char path[128], buf[4096];
	err_t e;
	log_ctx_t ctx = { "dev", "iam.role.app", "drift", &e, more };
	int fd = journal_listen(path, sizeof(path));
	ssize_t n;

	err_set_aws(&e, -EREMOTEIO, 403, "AccessDenied", "req-7", "x");
	log_warning(&ctx, "Role is not readable.");
	log_debug(&ctx, "below the threshold, not sent");
	n = recv(fd, buf, sizeof(buf), 0);
	ck_assert_int_eq(n, (ssize_t)sizeof(want) - 1);
	ck_assert(!memcmp(buf, want, sizeof(want) - 1));
	ck_assert_int_lt(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), 0);
	journal_close(fd, path);
}
END_TEST

/* A message of several lines stays one entry (binary-safe MESSAGE). */
START_TEST(journal_entry_keeps_a_message_of_several_lines)
{
	static const char want[] = "MESSAGE\n\x07\0\0\0\0\0\0\0one\ntwo\n"
				   "PRIORITY=6\nSYSLOG_IDENTIFIER=driftd\n";
	char path[128], buf[4096];
	int fd = journal_listen(path, sizeof(path));
	ssize_t n;

	log_info(NULL, "one\ntwo");
	n = recv(fd, buf, sizeof(buf), 0);
	ck_assert_int_eq(n, (ssize_t)sizeof(want) - 1);
	ck_assert(!memcmp(buf, want, sizeof(want) - 1));
	journal_close(fd, path);
}
END_TEST

/* What log_warning wrote to stderr while the journal socket was path. */
static void stderr_with_journal_at(const char *path, char *out, size_t size)
{
	char file[] = "/tmp/driftd-log-XXXXXX";
	int fd = mkstemp(file), saved = dup(STDERR_FILENO);
	FILE *f;

	ck_assert_int_ge(fd, 0);
	log_set_journal_socket(path);
	log_open("driftd", LOG_TARGET_JOURNAL, LOG_INFO);
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	log_warning(NULL, "Journal test.");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	log_set_journal_socket(NULL);
	f = fopen(file, "r");
	ck_assert_ptr_nonnull(f);
	out[0] = 0;
	if (!fgets(out, (int)size, f))
		out[0] = 0;
	fclose(f);
	close(fd);
	unlink(file);
}

/* A journal that refuses the entry: the line goes to stderr instead. No
 * journal at all (its socket missing): nothing, as with libsystemd. */
START_TEST(journal_refusal_falls_back_to_stderr_and_absence_is_silent)
{
	char file[] = "/tmp/driftd-log-XXXXXX", line[256];
	int fd = mkstemp(file);

	ck_assert_int_ge(fd, 0);
	close(fd);
	stderr_with_journal_at(file, line, sizeof(line));   /* not a socket */
	ck_assert_str_eq(line, "driftd: warning: Journal test.\n");
	unlink(file);
	stderr_with_journal_at(file, line, sizeof(line));   /* gone */
	ck_assert_str_eq(line, "");
}
END_TEST

TESTUTIL_MAIN("log",
	sink_receives_message_and_structured_fields,
	stderr_line_carries_fields,
	journal_entry_carries_the_fields,
	journal_entry_keeps_a_message_of_several_lines,
	journal_refusal_falls_back_to_stderr_and_absence_is_silent)
