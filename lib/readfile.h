/* readfile — one whole, bounded, regular file into memory.
 *
 * For the files driftd reads in full (config, AWS shared config, the
 * journal): each has a size bound, and a FIFO or device in its place is
 * refused at once rather than waited on or read without end. */
#ifndef DRIFTD_READFILE_H
#define DRIFTD_READFILE_H

#include <stddef.h>

#include "err.h"

/* Reads path into *out (malloc'd, NUL-terminated; the caller frees it) and
 * its length into *len (len may be NULL; the text may hold NUL bytes).
 * Returns 0; -errno when the file cannot be opened, stat'ed or read;
 * -EINVAL when it is not a regular file; -EFBIG when it is larger than max
 * bytes; -ENOMEM. On failure *out is NULL, and err (may be NULL) holds
 * err_set_at(path, 0, 0) with "cannot open: <strerror>", "cannot stat:
 * <strerror>", "not a regular file", "file is larger than <max> bytes" or
 * "cannot read: <strerror>"; or "out of memory" without a file. */
int readfile(const char *path, size_t max, char **out, size_t *len,
	     err_t *err);

/* The same for name under the open directory dirfd, never following a
 * symbolic link in name's last component (O_NOFOLLOW): for files in a
 * directory driftd owns (the journal), where a link planted there must
 * not make driftd read another file. A link is refused with -ELOOP and
 * "is a symbolic link; driftd does not follow it here". err names
 * display. */
int readfile_at(int dirfd, const char *name, const char *display, size_t max,
		char **out, size_t *len, err_t *err);

#endif
