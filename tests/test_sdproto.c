/* sdproto: the bytes sd_notify(3) and the journal's native protocol put on
 * the wire, read back from datagram sockets this suite binds itself (a
 * path in a temporary directory, and an abstract name), so that no
 * systemd is needed. The expected bytes are written out from the
 * documents (sd_notify(3) NOTES; systemd.io/JOURNAL_NATIVE_PROTOCOL). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "sdproto.h"
#include "testutil.h"

static char dir[64];
static char path[128];       /* the bound socket's path, or "@name" */
static int sock = -1;

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/driftd-sdproto-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	if (sock >= 0)
		close(sock);
	sock = -1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* A datagram socket bound at dir/name, or at the abstract name when
 * abstract (path then reads "@name", as NOTIFY_SOCKET would). */
static void listen_at(const char *name, int abstract)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { 2, 0 };
	socklen_t len;

	if (abstract) {
		snprintf(path, sizeof(path), "@%s-%d", name, (int)getpid());
		memcpy(sa.sun_path + 1, path + 1, strlen(path) - 1);
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path));
	} else {
		snprintf(path, sizeof(path), "%s/%s", dir, name);
		ck_assert_uint_lt(strlen(path), sizeof(sa.sun_path));
		memcpy(sa.sun_path, path, strlen(path) + 1);
		len = sizeof(sa);
	}
	sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(sock, 0);
	ck_assert_int_eq(bind(sock, (struct sockaddr *)&sa, len), 0);
	ck_assert_int_eq(setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &tv,
				    sizeof(tv)), 0);
}

/* The next datagram into buf (its length returned); *fd the descriptor
 * passed with it, or -1. */
static ssize_t receive(char *buf, size_t size, int *fd)
{
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(4 * sizeof(int))];
	} control;
	struct iovec iov = { buf, size };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = &control,
			     .msg_controllen = sizeof(control.buf) };
	struct cmsghdr *cm;
	ssize_t n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);

	*fd = -1;
	ck_assert_msg(n >= 0, "recvmsg: %s", strerror(errno));
	ck_assert_int_eq(mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC), 0);
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		ck_assert_int_eq(cm->cmsg_type, SCM_RIGHTS);
		ck_assert_uint_eq(cm->cmsg_len, CMSG_LEN(sizeof(int)));
		memcpy(fd, CMSG_DATA(cm), sizeof(int));
	}
	return n;
}

/* Nothing waits on the socket. */
static void assert_nothing_received(void)
{
	char buf[16];

	ck_assert_int_lt(recv(sock, buf, sizeof(buf), MSG_DONTWAIT), 0);
	ck_assert_int_eq(errno, EAGAIN);
}

static void assert_datagram(const char *want, size_t want_len)
{
	static char buf[65536];
	int fd;
	ssize_t n = receive(buf, sizeof(buf), &fd);

	ck_assert_int_eq(fd, -1);
	ck_assert_int_eq(n, (ssize_t)want_len);
	ck_assert_msg(!memcmp(buf, want, want_len), "datagram differs: %.*s",
		      (int)n, buf);
}

/* ---- sd_notify ---------------------------------------------------------- */

START_TEST(notify_sends_the_state_alone_to_a_path)
{
	listen_at("notify", 0);
	ck_assert_int_eq(sdproto_notify_to(path, "READY=1"), 1);
	assert_datagram("READY=1", 7);
	ck_assert_int_eq(sdproto_notify_to(path, "STATUS=12 resources\nREADY=1"), 1);
	assert_datagram("STATUS=12 resources\nREADY=1", 27);
}
END_TEST

/* "@name": the '@' is the abstract address's leading NUL, and the address
 * is exactly as long as the name (a trailing NUL would name another). */
START_TEST(notify_reaches_an_abstract_socket)
{
	listen_at("driftd-sdproto-abstract", 1);
	ck_assert_int_eq(sdproto_notify_to(path, "WATCHDOG=1"), 1);
	assert_datagram("WATCHDOG=1", 10);
}
END_TEST

START_TEST(notify_finds_the_socket_in_notify_socket)
{
	listen_at("notify", 0);
	ck_assert_int_eq(setenv("NOTIFY_SOCKET", path, 1), 0);
	ck_assert_int_eq(sdproto_notify("STOPPING=1"), 1);
	assert_datagram("STOPPING=1", 10);
	ck_assert_int_eq(sdproto_notifyf("STATUS=%d resources, %s", 3, "ok"), 1);
	assert_datagram("STATUS=3 resources, ok", 22);
	ck_assert_str_eq(getenv("NOTIFY_SOCKET"), path);   /* left set */
	unsetenv("NOTIFY_SOCKET");
}
END_TEST

/* Not run by systemd: nothing to do, and not an error. */
START_TEST(notify_without_notify_socket_does_nothing)
{
	listen_at("notify", 0);
	unsetenv("NOTIFY_SOCKET");
	ck_assert_int_eq(sdproto_notify("READY=1"), 0);
	ck_assert_int_eq(sdproto_notifyf("STATUS=%d", 1), 0);
	ck_assert_int_eq(sdproto_notify_to(NULL, "READY=1"), 0);
	assert_nothing_received();
}
END_TEST

static const struct {
	const char *address;
	int         want;
} bad_addresses[] = {
	{ "relative/notify", -EINVAL },
	{ "", -EINVAL },
	{ "@", -EINVAL },
	{ "/", -EINVAL },
	/* sun_path holds 108 bytes: a path needs its NUL, a name does not. */
	{ "/123456789/123456789/123456789/123456789/123456789/123456789/"
	  "123456789/123456789/123456789/123456789/12345678", -EINVAL },
	{ "@123456789/123456789/123456789/123456789/123456789/123456789/"
	  "123456789/123456789/123456789/123456789/123456789", -EINVAL },
	{ "/nonexistent/driftd/notify", -ENOENT },
};

START_TEST(notify_refuses_what_is_no_address)
{
	ck_assert_int_eq(sdproto_notify_to(bad_addresses[_i].address, "READY=1"),
			 bad_addresses[_i].want);
}
END_TEST

/* ---- the watchdog ------------------------------------------------------- */

#define SELF "self"     /* WATCHDOG_PID: this process */

static const struct {
	const char *usec, *pid;
	int         want;
	uint64_t    want_usec;
} watchdog_cases[] = {
	{ NULL, NULL, 0, 0 },
	{ NULL, SELF, 0, 0 },
	{ "240000000", NULL, 1, 240000000 },
	{ "1000000", SELF, 1, 1000000 },
	{ "1000000", "1", 0, 0 },                  /* another process's */
	{ "18446744073709551614", NULL, 1, 18446744073709551614ULL },
	{ "0", NULL, -EINVAL, 0 },
	{ "18446744073709551615", NULL, -EINVAL, 0 },   /* infinity */
	{ "18446744073709551616", NULL, -EINVAL, 0 },   /* overflows */
	{ "", NULL, -EINVAL, 0 },
	{ "12s", NULL, -EINVAL, 0 },
	{ "-5", NULL, -EINVAL, 0 },
	{ "1000000", "", -EINVAL, 0 },
	{ "1000000", "0", -EINVAL, 0 },
	{ "1000000", "12x", -EINVAL, 0 },
	{ "1000000", "99999999999", -EINVAL, 0 },
};

START_TEST(watchdog_reads_watchdog_usec_and_pid)
{
	char self[32];
	uint64_t usec = 7;
	const char *pid = watchdog_cases[_i].pid;

	snprintf(self, sizeof(self), "%d", (int)getpid());
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	if (watchdog_cases[_i].usec)
		setenv("WATCHDOG_USEC", watchdog_cases[_i].usec, 1);
	if (pid)
		setenv("WATCHDOG_PID", strcmp(pid, SELF) ? pid : self, 1);
	ck_assert_int_eq(sdproto_watchdog_usec(&usec), watchdog_cases[_i].want);
	ck_assert_uint_eq(usec, watchdog_cases[_i].want > 0 ?
			  watchdog_cases[_i].want_usec : 7);
	ck_assert_int_eq(!!getenv("WATCHDOG_USEC"), !!watchdog_cases[_i].usec);
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}
END_TEST

/* ---- the journal -------------------------------------------------------- */

#define F(s) { s, sizeof(s) - 1 }
#define JOURNAL_FIELDS_MAX 4

typedef struct field {
	const char *bytes;
	size_t      len;
} field_t;

static const struct {
	const char *name;
	field_t     fields[JOURNAL_FIELDS_MAX];   /* ends at a NULL */
	field_t     want;
} journal_cases[] = {
	{ "plain fields, each KEY=value and a newline",
	  { F("MESSAGE=Drift on ec2.vpc.main."), F("PRIORITY=4"),
	    F("SYSLOG_IDENTIFIER=driftd") },
	  F("MESSAGE=Drift on ec2.vpc.main.\nPRIORITY=4\n"
	    "SYSLOG_IDENTIFIER=driftd\n") },
	{ "a value with a newline: KEY, newline, 64-bit LE length, bytes, newline",
	  { F("MESSAGE=line one\nline two"), F("PRIORITY=6") },
	  F("MESSAGE\n\x11\0\0\0\0\0\0\0line one\nline two\nPRIORITY=6\n") },
	{ "a value that is only a newline",
	  { F("K=\n") },
	  F("K\n\x01\0\0\0\0\0\0\0\n\n") },
	{ "binary bytes without a newline go as they are",
	  { F("BLOB=a\0\xff\x01z") },
	  F("BLOB=a\0\xff\x01z\n") },
	{ "an empty value",
	  { F("EMPTY="), F("MESSAGE=x") },
	  F("EMPTY=\nMESSAGE=x\n") },
	{ "'=' in the value belongs to the value",
	  { F("DRIFTD_FILTER=a=b"), F("X=\n=") },
	  F("DRIFTD_FILTER=a=b\nX\n\x02\0\0\0\0\0\0\0\n=\n") },
};

static struct iovec *fields_iov(const field_t *f, int *n)
{
	static struct iovec iov[JOURNAL_FIELDS_MAX];

	for (*n = 0; *n < JOURNAL_FIELDS_MAX && f[*n].bytes; (*n)++)
		iov[*n] = (struct iovec){ (char *)f[*n].bytes, f[*n].len };
	return iov;
}

START_TEST(journal_entry_is_serialized_as_documented)
{
	struct iovec *iov;
	int n;

	listen_at("journal", 0);
	iov = fields_iov(journal_cases[_i].fields, &n);
	ck_assert_msg(sdproto_journal_sendv_to(path, iov, n) == 0, "%s",
		      journal_cases[_i].name);
	assert_datagram(journal_cases[_i].want.bytes, journal_cases[_i].want.len);
}
END_TEST

START_TEST(journal_reaches_an_abstract_socket)
{
	struct iovec iov = { "MESSAGE=hello", 13 };

	listen_at("driftd-sdproto-journal", 1);
	ck_assert_int_eq(sdproto_journal_sendv_to(path, &iov, 1), 0);
	assert_datagram("MESSAGE=hello\n", 14);
}
END_TEST

static const struct {
	field_t fields[JOURNAL_FIELDS_MAX];
	int     n;
} bad_entries[] = {
	{ { F("MESSAGE") }, 1 },           /* no '=' */
	{ { F("=value") }, 1 },            /* empty key */
	{ { F("A") }, 1 },
	{ { F("BAD\nKEY=x") }, 1 },        /* newline in the key */
	{ { F("MESSAGE=ok"), F("NOPE") }, 2 },
	{ { F("MESSAGE=ok") }, 0 },        /* no fields */
	{ { { NULL, 4 } }, 1 },
};

START_TEST(journal_refuses_what_is_no_field)
{
	struct iovec iov[JOURNAL_FIELDS_MAX];
	int i;

	listen_at("journal", 0);
	for (i = 0; i < bad_entries[_i].n; i++)
		iov[i] = (struct iovec){ (char *)bad_entries[_i].fields[i].bytes,
					 bad_entries[_i].fields[i].len };
	ck_assert_int_eq(sdproto_journal_sendv_to(path, iov, bad_entries[_i].n),
			 -EINVAL);
	assert_nothing_received();
}
END_TEST

/* No journald (the socket is missing): libsystemd fails silently, and so
 * does this; a socket that refuses is an error the caller sees. */
START_TEST(journal_missing_is_silent_and_refusal_is_an_error)
{
	struct iovec iov = { "MESSAGE=x", 9 };
	char file[160];
	int fd;

	snprintf(file, sizeof(file), "%s/absent", dir);
	ck_assert_int_eq(sdproto_journal_sendv_to(file, &iov, 1), 0);
	ck_assert_int_eq(sdproto_journal_sendv(&iov, 1) == 0 ||
			 access(SDPROTO_JOURNAL_SOCKET, F_OK) == 0, 1);
	snprintf(file, sizeof(file), "%s/plain-file", dir);
	fd = open(file, O_CREAT | O_WRONLY, 0600);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(sdproto_journal_sendv_to(file, &iov, 1), -ECONNREFUSED);
	ck_assert_int_eq(sdproto_journal_sendv_to("relative", &iov, 1), -EINVAL);
}
END_TEST

/* An entry larger than a datagram may be (twice net.core.wmem_max) goes
 * as a sealed memfd in an empty datagram; the memfd holds the same bytes
 * a datagram would. */
static size_t datagram_limit(void)
{
	FILE *f = fopen("/proc/sys/net/core/wmem_max", "r");
	unsigned long wmem = 0;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%lu", &wmem), 1);
	fclose(f);
	return 2 * wmem;
}

static void assert_memfd_entry(const char *want, size_t want_len)
{
	char empty[16];
	char *got;
	struct stat st;
	int fd;

	ck_assert_int_eq(receive(empty, sizeof(empty), &fd), 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(fcntl(fd, F_GET_SEALS), F_SEAL_SHRINK | F_SEAL_GROW |
			 F_SEAL_WRITE | F_SEAL_SEAL);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert_uint_eq((size_t)st.st_size, want_len);
	got = malloc(want_len);
	ck_assert_ptr_nonnull(got);
	ck_assert_int_eq(pread(fd, got, want_len, 0), (ssize_t)want_len);
	ck_assert(!memcmp(got, want, want_len));
	free(got);
	close(fd);
}

START_TEST(journal_entry_too_large_for_a_datagram_goes_as_a_sealed_memfd)
{
	size_t vlen = datagram_limit() + 65536, wlen;
	char *field = malloc(vlen + 8), *want = malloc(vlen + 32);
	struct iovec iov[2];

	ck_assert_ptr_nonnull(field);
	ck_assert_ptr_nonnull(want);
	listen_at("journal", 0);
	memcpy(field, "MESSAGE=", 8);
	memset(field + 8, 'x', vlen);
	field[8 + vlen / 2] = '\n';
	iov[0] = (struct iovec){ "PRIORITY=3", 10 };
	iov[1] = (struct iovec){ field, vlen + 8 };
	ck_assert_int_eq(sdproto_journal_sendv_to(path, iov, 2), 0);
	memcpy(want, "PRIORITY=3\nMESSAGE\n", 19);
	for (wlen = 0; wlen < 8; wlen++)
		want[19 + wlen] = (char)((uint64_t)vlen >> (8 * wlen));
	memcpy(want + 27, field + 8, vlen);
	want[27 + vlen] = '\n';
	assert_memfd_entry(want, 28 + vlen);
	free(field);
	free(want);
}
END_TEST

/* More fields than one sendmsg() takes iovecs for (UIO_MAXIOV, 1024) go
 * the same way. */
START_TEST(journal_entry_of_many_fields_goes_as_a_sealed_memfd)
{
	enum { N = 400 };
	static struct iovec iov[N];
	static char want[N * 32];
	size_t wlen = 0;
	int i;

	listen_at("journal", 0);
	for (i = 0; i < N; i++) {
		iov[i] = (struct iovec){ "F=a\nb", 5 };
		memcpy(want + wlen, "F\n\x03\0\0\0\0\0\0\0a\nb\n", 14);
		wlen += 14;
	}
	ck_assert_int_eq(sdproto_journal_sendv_to(path, iov, N), 0);
	assert_memfd_entry(want, wlen);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("sdproto");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, notify_sends_the_state_alone_to_a_path);
	tcase_add_test(tc, notify_reaches_an_abstract_socket);
	tcase_add_test(tc, notify_finds_the_socket_in_notify_socket);
	tcase_add_test(tc, notify_without_notify_socket_does_nothing);
	tcase_add_loop_test(tc, notify_refuses_what_is_no_address, 0,
			    (int)(sizeof(bad_addresses) / sizeof(bad_addresses[0])));
	tcase_add_loop_test(tc, watchdog_reads_watchdog_usec_and_pid, 0,
			    (int)(sizeof(watchdog_cases) / sizeof(watchdog_cases[0])));
	tcase_add_loop_test(tc, journal_entry_is_serialized_as_documented, 0,
			    (int)(sizeof(journal_cases) / sizeof(journal_cases[0])));
	tcase_add_test(tc, journal_reaches_an_abstract_socket);
	tcase_add_loop_test(tc, journal_refuses_what_is_no_field, 0,
			    (int)(sizeof(bad_entries) / sizeof(bad_entries[0])));
	tcase_add_test(tc, journal_missing_is_silent_and_refusal_is_an_error);
	tcase_add_test(tc, journal_entry_too_large_for_a_datagram_goes_as_a_sealed_memfd);
	tcase_add_test(tc, journal_entry_of_many_fields_goes_as_a_sealed_memfd);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(su, tc);
	return testutil_run(su);
}
