#include "sdproto.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* What the native protocol asks of a client: a send buffer raised "in
 * order to delay blocking I/O as much as possible" (libsystemd asks for
 * 8 MiB; the kernel grants up to net.core.wmem_max). */
#define JOURNAL_SNDBUF (8 << 20)
/* A field serialized the binary way: KEY, \n, length, value, \n. */
#define IOV_PER_FIELD  5

static char newline[] = "\n";

/* name as an AF_UNIX address: "/path" (sent with its NUL) or "@name", an
 * abstract name whose '@' stands for the leading NUL byte and whose
 * length is exactly its bytes. */
static int unix_address(const char *name, struct sockaddr_un *sa,
			socklen_t *len)
{
	size_t l = strlen(name);

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if ((name[0] != '/' && name[0] != '@') || !name[1])
		return -EINVAL;
	if (name[0] == '/') {
		if (l >= sizeof(sa->sun_path))
			return -EINVAL;
		memcpy(sa->sun_path, name, l + 1);
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + l + 1);
	} else {
		if (l > sizeof(sa->sun_path))
			return -EINVAL;
		memcpy(sa->sun_path + 1, name + 1, l - 1);
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + l);
	}
	return 0;
}

/* ---- sd_notify ---------------------------------------------------------- */

int sdproto_notify_to(const char *address, const char *state)
{
	struct sockaddr_un sa;
	struct iovec iov;
	struct msghdr mh;
	socklen_t salen;
	int fd, r;

	if (!state)
		return -EINVAL;
	if (!address)
		return 0;
	if ((r = unix_address(address, &sa, &salen)))
		return r;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	iov.iov_base = (char *)state;
	iov.iov_len = strlen(state);
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &sa;
	mh.msg_namelen = salen;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	r = sendmsg(fd, &mh, MSG_NOSIGNAL) >= 0 ? 1 : -errno;
	close(fd);
	return r;
}

int sdproto_notify(const char *state)
{
	return sdproto_notify_to(getenv("NOTIFY_SOCKET"), state);
}

int sdproto_notifyf(const char *fmt, ...)
{
	char *state;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&state, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -ENOMEM;
	r = sdproto_notify(state);
	free(state);
	return r;
}

/* A decimal number, digits only, that fits. */
static int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

int sdproto_watchdog_usec(uint64_t *usec)
{
	const char *s = getenv("WATCHDOG_USEC"), *p;
	uint64_t u, pid;

	if (!s)
		return 0;
	/* 0 and UINT64_MAX are systemd's "unset" and "infinity". */
	if (parse_u64(s, &u) || !u || u == UINT64_MAX)
		return -EINVAL;
	if ((p = getenv("WATCHDOG_PID"))) {
		if (parse_u64(p, &pid) || !pid || pid > INT32_MAX)
			return -EINVAL;
		if (pid != (uint64_t)getpid())
			return 0;
	}
	if (usec)
		*usec = u;
	return 1;
}

/* ---- the journal's native protocol -------------------------------------- */

static int journal_socket(void)
{
	static int shared = -1;
	int fd = __atomic_load_n(&shared, __ATOMIC_ACQUIRE), expect = -1;
	int size = JOURNAL_SNDBUF;

	if (fd >= 0)
		return fd;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	if (!__atomic_compare_exchange_n(&shared, &expect, fd, 0,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		close(fd);      /* another thread's won */
		return expect;
	}
	return fd;
}

/* The fields as the protocol's byte stream, into w (IOV_PER_FIELD * n
 * entries; lens holds the binary form's lengths); the count of w used,
 * or -EINVAL. */
static int journal_serialize(const struct iovec *iov, int n, struct iovec *w,
			     uint64_t *lens)
{
	int i, j = 0;

	for (i = 0; i < n; i++) {
		char *f = iov[i].iov_base, *eq, *nl;
		size_t len = iov[i].iov_len, klen;

		if (!f || len < 2)
			return -EINVAL;
		eq = memchr(f, '=', len);
		if (!eq || eq == f)
			return -EINVAL;
		klen = (size_t)(eq - f);
		nl = memchr(f, '\n', len);
		if (nl && nl < eq)
			return -EINVAL;
		if (nl) {
			lens[i] = htole64((uint64_t)(len - klen - 1));
			w[j++] = (struct iovec){ f, klen };
			w[j++] = (struct iovec){ newline, 1 };
			w[j++] = (struct iovec){ &lens[i], sizeof(lens[i]) };
			w[j++] = (struct iovec){ eq + 1, len - klen - 1 };
		} else {
			w[j++] = (struct iovec){ f, len };
		}
		w[j++] = (struct iovec){ newline, 1 };
	}
	return j;
}

static int write_all(int fd, const struct iovec *w, int nw)
{
	int i;

	for (i = 0; i < nw; i++) {
		const char *p = w[i].iov_base;
		size_t left = w[i].iov_len;

		while (left) {
			ssize_t k = write(fd, p, left);

			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0)
				return -errno;
			p += k;
			left -= (size_t)k;
		}
	}
	return 0;
}

/* The entry too large for a datagram: in a memfd, sealed so that journald
 * may read it as it is, passed alone in an empty datagram. */
static int journal_send_memfd(int fd, struct msghdr *mh, const struct iovec *w,
			      int nw)
{
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	struct cmsghdr *cm;
	int mfd, r;

	mfd = memfd_create("driftd-journal", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return -errno;
	if ((r = write_all(mfd, w, nw)))
		goto out;
	if (fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
		  F_SEAL_WRITE | F_SEAL_SEAL) < 0) {
		r = -errno;
		goto out;
	}
	memset(&control, 0, sizeof(control));
	mh->msg_iov = NULL;
	mh->msg_iovlen = 0;
	mh->msg_control = &control;
	mh->msg_controllen = sizeof(control.buf);
	cm = CMSG_FIRSTHDR(mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &mfd, sizeof(int));
	r = sendmsg(fd, mh, MSG_NOSIGNAL) >= 0 || errno == ENOENT ? 0 : -errno;
out:
	close(mfd);
	return r;
}

int sdproto_journal_sendv_to(const char *path, const struct iovec *iov, int n)
{
	struct sockaddr_un sa;
	struct msghdr mh;
	struct iovec *w;
	uint64_t *lens;
	socklen_t salen;
	int fd, nw, r;

	if (!iov || n <= 0 || !path)
		return -EINVAL;
	if ((r = unix_address(path, &sa, &salen)))
		return r;
	w = calloc((size_t)n * IOV_PER_FIELD, sizeof(*w));
	lens = calloc((size_t)n, sizeof(*lens));
	if (!w || !lens) {
		r = -ENOMEM;
		goto out;
	}
	if ((r = nw = journal_serialize(iov, n, w, lens)) < 0)
		goto out;
	if ((r = fd = journal_socket()) < 0)
		goto out;
	memset(&mh, 0, sizeof(mh));
	mh.msg_name = &sa;
	mh.msg_namelen = salen;
	mh.msg_iov = w;
	mh.msg_iovlen = (size_t)nw;
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) >= 0 || errno == ENOENT)
		r = 0;          /* no journal listening: nothing to do */
	else if (errno == EMSGSIZE || errno == ENOBUFS || errno == EAGAIN)
		r = journal_send_memfd(fd, &mh, w, nw);
	else
		r = -errno;
out:
	free(w);
	free(lens);
	return r;
}

int sdproto_journal_sendv(const struct iovec *iov, int n)
{
	return sdproto_journal_sendv_to(SDPROTO_JOURNAL_SOCKET, iov, n);
}
