#include "trust.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "strbuf.h"

#define TRUST_MAX_LINKS 40   /* as the kernel's MAXSYMLINKS */

/* The next component of the path at *p (its length in *n), moving *p
 * past it; NULL at the end. */
static const char *next_component(const char **p, size_t *n)
{
	const char *start = *p, *end;

	while (*start == '/')
		start++;
	if (!*start)
		return NULL;
	end = strchr(start, '/');
	*n = end ? (size_t)(end - start) : strlen(start);
	*p = start + *n;
	return start;
}

/* Whether no component follows in the path at p. */
static int at_end(const char *p)
{
	size_t n;

	return !next_component(&p, &n);
}

/* Appends the components of rel to out (an absolute path being built),
 * folding "." and ".." by name. */
static void fold_into(strbuf_t *out, const char *rel)
{
	const char *p = rel;
	size_t n;

	while ((p = next_component(&rel, &n))) {
		if (n == 1 && p[0] == '.') {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = strrchr(out->data, '/');

			out->len = slash && slash != out->data ?
				   (size_t)(slash - out->data) : 1;
			out->data[out->len] = 0;
		} else {
			if (out->len > 1)
				strbuf_add(out, "/");
			strbuf_addn(out, p, n);
		}
	}
}

/* rel folded onto the absolute directory base ("/" when rel is absolute). */
static char *absolute_from(const char *base, const char *rel)
{
	strbuf_t out = STRBUF_INIT;

	strbuf_add(&out, "/");
	if (rel[0] != '/')
		fold_into(&out, base);
	fold_into(&out, rel);
	if (out.failed) {
		strbuf_free(&out);
		return NULL;
	}
	return out.data;
}

char *trust_absolute(const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] != '/' && !getcwd(cwd, sizeof(cwd)))
		return NULL;
	return absolute_from(path[0] == '/' ? "/" : cwd, path);
}

int trust_inside(const char *root, const char *abs_path)
{
	size_t n = strlen(root);

	if (!strcmp(root, "/"))
		return abs_path[0] == '/';
	return !strncmp(abs_path, root, n) &&
	       (abs_path[n] == 0 || abs_path[n] == '/');
}

/* Cuts path (absolute, folded) to its config root in place. */
static void cut_to_root(char *path)
{
	char *slash;
	int n;

	for (n = 0; n < 2; n++) {
		slash = strrchr(path, '/');
		if (!slash || slash == path) {
			strcpy(path, "/");
			break;
		}
		*slash = 0;
		/* ENV's parent is the root unless it is .../environments */
		if (n == 0 && strcmp(strrchr(path, '/') + 1, "environments"))
			break;
	}
}

int trust_config_root(const char *env_dir, char **root, err_t *err)
{
	char *real = realpath(env_dir, NULL);

	*root = NULL;
	if (!real)
		return err_set_at(err, -errno, env_dir, 0, 0, "%s", strerror(errno));
	cut_to_root(real);
	*root = real;
	return 0;
}

char *trust_config_root_by_name(const char *env_dir)
{
	char *path = trust_absolute(env_dir);

	if (path)
		cut_to_root(path);
	return path;
}

typedef struct walk {
	const char *root;
	uid_t uid;
	int links;
	err_t *err;
} walk_t;

/* One component as lstat saw it. A sticky directory may be writable by
 * all when passed through (last is 0), not when it is what is read. */
static int check_component(walk_t *w, const char *path, const struct stat *st,
			   int last)
{
	if (st->st_uid != 0 && st->st_uid != w->uid)
		return err_set_at(w->err, -EPERM, path, 0, 0, "owned by uid %u, "
				  "not by root or driftd's user (uid %u); driftd "
				  "does not trust it", (unsigned)st->st_uid,
				  (unsigned)w->uid);
	if (S_ISLNK(st->st_mode))
		return 0;
	if (S_ISDIR(st->st_mode) && !last && (st->st_mode & S_ISVTX))
		return 0;
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return err_set_at(w->err, -EPERM, path, 0, 0, "writable by group "
				  "or others (mode %04o); driftd does not trust "
				  "it (chmod go-w)", (unsigned)(st->st_mode & 07777));
	return 0;
}

static int walk_path(walk_t *w, const char *abs_path);

/* The link at path (already checked itself): its target, folded against
 * the link's directory, walked from its own start. */
static int follow(walk_t *w, const char *path)
{
	char target[PATH_MAX], *dir, *next;
	ssize_t n;
	int rc;

	if (++w->links > TRUST_MAX_LINKS)
		return err_set_at(w->err, -ELOOP, path, 0, 0, "too many levels "
				  "of symbolic links");
	if ((n = readlink(path, target, sizeof(target) - 1)) < 0)
		return err_set_at(w->err, -errno, path, 0, 0, "%s", strerror(errno));
	target[n] = 0;
	if (!(dir = strdup(path)))
		return err_set(w->err, -ENOMEM, "out of memory");
	*strrchr(dir, '/') = 0;
	next = absolute_from(dir[0] ? dir : "/", target);
	free(dir);
	if (!next)
		return err_set(w->err, -ENOMEM, "out of memory");
	rc = walk_path(w, next);
	free(next);
	return rc;
}

/* Every component of abs_path from where its checks start: the root when
 * it lies inside it, else "/". After a link, the walk goes on from the
 * link's real location. */
static int walk_path(walk_t *w, const char *abs_path)
{
	const char *start = w->root && trust_inside(w->root, abs_path) ?
			    w->root : "/";
	const char *p = abs_path + strlen(start), *c;
	strbuf_t cur = STRBUF_INIT;
	struct stat st;
	size_t n;
	int rc = 0;

	strbuf_add(&cur, start);
	if (lstat(cur.data, &st) < 0)
		rc = err_set_at(w->err, -errno, cur.data, 0, 0, "%s", strerror(errno));
	else
		rc = check_component(w, cur.data, &st, at_end(p));
	while (!rc && (c = next_component(&p, &n))) {
		if (cur.len > 1)
			strbuf_add(&cur, "/");
		strbuf_addn(&cur, c, n);
		if (cur.failed) {
			rc = err_set(w->err, -ENOMEM, "out of memory");
			break;
		}
		if (lstat(cur.data, &st) < 0) {
			rc = err_set_at(w->err, -errno, cur.data, 0, 0, "%s",
					strerror(errno));
			break;
		}
		if ((rc = check_component(w, cur.data, &st, at_end(p))))
			break;
		if (S_ISLNK(st.st_mode)) {
			char *real;

			if ((rc = follow(w, cur.data)))
				break;
			if (!(real = realpath(cur.data, NULL))) {
				rc = err_set_at(w->err, -errno, cur.data, 0, 0,
						"%s", strerror(errno));
				break;
			}
			cur.len = 0;
			cur.data[0] = 0;
			strbuf_add(&cur, real);
			free(real);
		}
	}
	strbuf_free(&cur);
	return rc;
}

int trust_check(const char *root, uid_t uid, const char *path, err_t *err)
{
	walk_t w = { root, uid, 0, err };
	char *abs_path = trust_absolute(path);
	int rc;

	if (!abs_path)
		return err_set(err, -ENOMEM, "out of memory");
	rc = walk_path(&w, abs_path);
	free(abs_path);
	return rc;
}
