/* sdproto — the two systemd protocols the daemon speaks, spoken without
 * libsystemd: readiness and status notification (sd_notify(3)) and
 * structured logging to journald (the native journal protocol).
 *
 * systemd documents both as stable interfaces for implementations of
 * their own: sd_notify(3), NOTES ("These functions send a single datagram
 * with the state string as payload to the AF_UNIX socket referenced in
 * the $NOTIFY_SOCKET environment variable"; a leading '@' names an
 * abstract socket), and https://systemd.io/JOURNAL_NATIVE_PROTOCOL/ (one
 * datagram per entry to /run/systemd/journal/socket; each field
 * KEY=value\n, or, when the value holds a newline, KEY\n, its length as a
 * 64-bit little-endian integer, the bytes and \n; an entry too large for
 * a datagram goes as a sealed memfd passed with SCM_RIGHTS in an empty
 * one). Linking libsystemd for these two loaded it and libgcrypt,
 * libgpg-error, liblz4, liblzma and libcap, about 0.9 MiB resident.
 *
 * The return values are libsystemd's, so callers read them the same way.
 * The *_to forms take the address the plain forms find themselves: the
 * seam the unit tests (tests/test_sdproto.c) use with sockets of their
 * own. Nothing here logs; nothing is kept between calls but one socket
 * for the journal, opened on first use (close-on-exec). */
#ifndef DRIFTD_SDPROTO_H
#define DRIFTD_SDPROTO_H

#include <stdint.h>
#include <sys/uio.h>

#define SDPROTO_JOURNAL_SOCKET "/run/systemd/journal/socket"

/* sd_notify(0, state): state ("READY=1", "STATUS=...", newline-separated
 * assignments) as one datagram to $NOTIFY_SOCKET. Returns 1 when sent; 0
 * when NOTIFY_SOCKET is unset (not run by systemd: nothing to do);
 * -EINVAL when it is neither an absolute path nor an '@' name, or too
 * long for an AF_UNIX address; -errno from socket() or sendmsg(). */
int sdproto_notify(const char *state);
int sdproto_notifyf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* The same to the address socket (as NOTIFY_SOCKET would hold it; NULL
 * is "unset"). */
int sdproto_notify_to(const char *socket, const char *state);

/* sd_watchdog_enabled(0, usec): 1 and *usec the interval when
 * $WATCHDOG_USEC is set (decimal, non-zero) and $WATCHDOG_PID, if set,
 * is this process; 0 when the watchdog is off or meant for another
 * process; -EINVAL when either variable is malformed. The environment is
 * left as it is. */
int sdproto_watchdog_usec(uint64_t *usec);

/* sd_journal_sendv(iov, n): one journal entry, each iov one field
 * "KEY=value" (the value may hold any bytes, newlines included; iov_len
 * counts them, no NUL needed). The caller sends SYSLOG_IDENTIFIER=
 * itself (libsystemd adds one when it is missing; this does not). Returns
 * 0 when sent, and also when no journal listens (the socket is missing:
 * ENOENT, libsystemd's "fail silently"); -EINVAL for an entry with no
 * fields or a field that is not KEY=... with a non-empty KEY free of
 * newlines; -errno otherwise. */
int sdproto_journal_sendv(const struct iovec *iov, int n);
/* The same to the journal socket at path. */
int sdproto_journal_sendv_to(const char *path, const struct iovec *iov, int n);

#endif
