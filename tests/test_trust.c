#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "trust.h"

START_TEST(paths_fold_dot_and_dot_dot_by_name)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "/a/b/../c", "/a/c" },
		{ "/a/./b//c/", "/a/b/c" },
		{ "/../..", "/" },
		{ "/a/b/../../..", "/" },
		{ "/", "/" },
	};
	size_t i;
	char *got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		got = trust_absolute(cases[i].in);
		ck_assert_str_eq(got, cases[i].out);
		free(got);
	}
}
END_TEST

START_TEST(inside_is_by_whole_components)
{
	ck_assert(trust_inside("/etc/driftd", "/etc/driftd"));
	ck_assert(trust_inside("/etc/driftd", "/etc/driftd/base/x.json"));
	ck_assert(!trust_inside("/etc/driftd", "/etc/driftd-other/x.json"));
	ck_assert(!trust_inside("/etc/driftd", "/etc"));
	ck_assert(trust_inside("/", "/etc"));
}
END_TEST

/* config/environments/dev reaches config/ (../../base, ../templates);
 * any other ENV reaches its parent. */
START_TEST(config_root_is_the_parent_or_above_environments)
{
	char dir[] = "/tmp/driftd-trust-XXXXXX", path[128], *root;
	err_t e;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/environments", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/environments/dev", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	ck_assert_int_eq(trust_config_root(path, &root, &e), 0);
	ck_assert_str_eq(root, dir);
	free(root);
	snprintf(path, sizeof(path), "%s/environments", dir);
	ck_assert_int_eq(trust_config_root(path, &root, &e), 0);
	ck_assert_str_eq(root, dir);
	free(root);
	snprintf(path, sizeof(path), "%s/environments/dev", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/environments", dir);
	rmdir(path);
	ck_assert_int_eq(trust_config_root(path, &root, &e), -ENOENT);
	ck_assert_str_eq(e.file, path);
	rmdir(dir);
}
END_TEST

/* A link cycle ends with -ELOOP, not a hang. */
START_TEST(a_link_cycle_is_refused)
{
	char dir[] = "/tmp/driftd-trust-XXXXXX", a[128], b[128];
	err_t e;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/a", dir);
	snprintf(b, sizeof(b), "%s/b", dir);
	ck_assert_int_eq(symlink("b", a), 0);
	ck_assert_int_eq(symlink("a", b), 0);
	ck_assert_int_eq(trust_check(dir, geteuid(), a, &e), -ELOOP);
	ck_assert_str_eq(e.message, "too many levels of symbolic links");
	unlink(a);
	unlink(b);
	rmdir(dir);
}
END_TEST

TESTUTIL_MAIN("trust",
	paths_fold_dot_and_dot_dot_by_name,
	inside_is_by_whole_components,
	config_root_is_the_parent_or_above_environments,
	a_link_cycle_is_refused)
