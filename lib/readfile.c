#include "readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads the open file fd (closed here); path only names it in err. */
static int read_fd(int fd, const char *path, size_t max, char **out,
		   size_t *len, err_t *err)
{
	struct stat st;
	char *buf = NULL;
	size_t size, got = 0;
	int rc;

	if (fstat(fd, &st) < 0) {
		rc = err_set_at(err, -errno, path, 0, 0, "cannot stat: %s",
				strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = err_set_at(err, -EINVAL, path, 0, 0, "not a regular file");
		goto out;
	}
	if ((unsigned long long)st.st_size > max) {
		rc = err_set_at(err, -EFBIG, path, 0, 0,
				"file is larger than %zu bytes", max);
		goto out;
	}
	size = (size_t)st.st_size;
	if (!(buf = malloc(size + 1))) {
		rc = err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	/* A file that shrinks while read is taken as it ends; one that grows
	 * is taken at the size it had. */
	while (got < size) {
		ssize_t r = read(fd, buf + got, size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = err_set_at(err, -errno, path, 0, 0,
					"cannot read: %s", strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	buf[got] = 0;
	*out = buf;
	buf = NULL;
	if (len)
		*len = got;
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

/* O_NONBLOCK: a FIFO must be refused by read_fd, not waited on at open;
 * it changes nothing for a regular file. */
int readfile(const char *path, size_t max, char **out, size_t *len,
	     err_t *err)
{
	int fd;

	*out = NULL;
	if (len)
		*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return err_set_at(err, -errno, path, 0, 0, "cannot open: %s",
				  strerror(errno));
	return read_fd(fd, path, max, out, len, err);
}

int readfile_at(int dirfd, const char *name, const char *display, size_t max,
		char **out, size_t *len, err_t *err)
{
	int fd;

	*out = NULL;
	if (len)
		*len = 0;
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0 && errno == ELOOP)
		return err_set_at(err, -ELOOP, display, 0, 0, "is a symbolic "
				  "link; driftd does not follow it here");
	if (fd < 0)
		return err_set_at(err, -errno, display, 0, 0, "cannot open: %s",
				  strerror(errno));
	return read_fd(fd, display, max, out, len, err);
}
