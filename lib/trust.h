/* trust — whether a file or directory driftd reads can be changed by
 * someone driftd does not trust.
 *
 * driftd acts with credentials that can change production, so whoever can
 * change what it reads (config, included files, file() targets, templates,
 * the migrations' SQL) can act with them. A path is trusted when every
 * component driftd passes through, from the config root down (from "/"
 * for a path outside the root), is owned by root or driftd's own user and
 * is not writable by group or others. A directory writable by all but
 * sticky (/tmp) may be passed through: others cannot replace what they do
 * not own in it, and what is in it is checked in turn. A symbolic link is
 * followed only when the link itself is owned by root or driftd's user;
 * its target, in the tree or out of it, then passes the same checks from
 * its own start. Components are read with lstat, never through a link.
 *
 * (config.c adds one rule of its own: a file a link leads to outside the
 * config root is read only when all may read it.)
 *
 * The config root: the directory a config may reach with include and
 * file(). For an environment directory ENV it is ENV's parent, or ENV's
 * grandparent when the parent is named "environments": config/ for
 * config/environments/dev (which includes ../../base and reads
 * ../templates), /etc/driftd for /etc/driftd/prod. */
#ifndef DRIFTD_TRUST_H
#define DRIFTD_TRUST_H

#include <sys/types.h>

#include "err.h"

/* The config root of the environment directory env_dir, as a real path
 * (malloc'd into *root). 0, or -errno with err naming env_dir. */
int trust_config_root(const char *env_dir, char **root, err_t *err);

/* The same by name, links not followed (malloc'd; NULL on allocation
 * failure): what include and file() paths, folded by name from the
 * environment directory as given, are confined to. */
char *trust_config_root_by_name(const char *env_dir);

/* path, made absolute against the working directory and with "." and ".."
 * folded by name (as config's include paths are); malloc'd, NULL on
 * allocation failure. */
char *trust_absolute(const char *path);

/* Whether the absolute, folded path is root or below it. */
int trust_inside(const char *root, const char *abs_path);

/* Checks path (any form) as the header says, with root as the config root
 * (NULL: checks from "/") and uid as driftd's user. 0; -EPERM with err
 * naming the component at fault (err_set_at(component, 0, 0, ...)); -ELOOP
 * for more than 40 links; -errno when a component cannot be examined
 * (-ENOENT: the caller's own open reports a missing file). */
int trust_check(const char *root, uid_t uid, const char *path, err_t *err);

#endif
