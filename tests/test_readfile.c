#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readfile.h"
#include "testutil.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/driftd-readfile-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* dir/name holding len bytes of text; returns its path (static buffer). */
static const char *file_with(const char *name, const char *text, size_t len)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

START_TEST(whole_file_is_read_with_its_length_and_a_nul)
{
	const char *path = file_with("a", "one\0two\n", 8);
	char *text;
	size_t len;
	err_t e;

	ck_assert_int_eq(readfile(path, 100, &text, &len, &e), 0);
	ck_assert_uint_eq(len, 8);
	ck_assert_int_eq(memcmp(text, "one\0two\n", 9), 0);
	free(text);
	ck_assert_int_eq(readfile(path, 100, &text, NULL, NULL), 0);
	ck_assert_str_eq(text, "one");
	free(text);
}
END_TEST

START_TEST(empty_file_is_an_empty_string)
{
	const char *path = file_with("empty", "", 0);
	char *text;
	size_t len = 99;

	ck_assert_int_eq(readfile(path, 0, &text, &len, NULL), 0);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(text, "");
	free(text);
}
END_TEST

START_TEST(size_bound_admits_max_bytes_and_refuses_one_more)
{
	const char *path = file_with("ten", "0123456789", 10);
	char *text = (char *)"untouched";
	char want[300], line[300];
	size_t len = 99;
	err_t e;

	ck_assert_int_eq(readfile(path, 10, &text, &len, &e), 0);
	ck_assert_str_eq(text, "0123456789");
	free(text);
	ck_assert_int_eq(readfile(path, 9, &text, &len, &e), -EFBIG);
	ck_assert_ptr_null(text);
	ck_assert_uint_eq(len, 0);
	ck_assert_str_eq(e.file, path);
	ck_assert_int_eq(e.line, 0);
	ck_assert_str_eq(e.message, "file is larger than 9 bytes");
	snprintf(want, sizeof(want), "%s: file is larger than 9 bytes", path);
	ck_assert_str_eq(err_format(&e, line, sizeof(line)), want);
}
END_TEST

START_TEST(missing_file_is_enoent_with_cannot_open)
{
	char path[128], *text;
	err_t e;

	snprintf(path, sizeof(path), "%s/nothing-here", dir);
	ck_assert_int_eq(readfile(path, 100, &text, NULL, &e), -ENOENT);
	ck_assert_ptr_null(text);
	ck_assert_str_eq(e.file, path);
	ck_assert_str_eq(e.message, "cannot open: No such file or directory");
	ck_assert_int_eq(readfile(path, 100, &text, NULL, NULL), -ENOENT);
}
END_TEST

START_TEST(directory_fifo_and_device_are_refused_without_blocking)
{
	char path[128], *text;
	err_t e;

	ck_assert_int_eq(readfile(dir, 100, &text, NULL, &e), -EINVAL);
	ck_assert_ptr_null(text);
	ck_assert_str_eq(e.message, "not a regular file");
	/* no writer: a plain open for reading would wait for one forever */
	snprintf(path, sizeof(path), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(readfile(path, 100, &text, NULL, &e), -EINVAL);
	ck_assert_str_eq(e.file, path);
	ck_assert_str_eq(e.message, "not a regular file");
	ck_assert_int_eq(readfile("/dev/zero", 100, &text, NULL, &e), -EINVAL);
	ck_assert_ptr_null(text);
}
END_TEST

START_TEST(readfile_at_reads_under_a_directory_and_refuses_a_link)
{
	char *text = NULL, link[160];
	size_t len;
	int dfd;
	err_t e;

	file_with("real", "ok", 2);
	snprintf(link, sizeof(link), "%s/link", dir);
	ck_assert_int_eq(symlink("real", link), 0);
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	ck_assert_int_ge(dfd, 0);
	ck_assert_int_eq(readfile_at(dfd, "real", "R", 100, &text, &len, &e), 0);
	ck_assert_str_eq(text, "ok");
	ck_assert_uint_eq(len, 2);
	free(text);
	ck_assert_int_eq(readfile_at(dfd, "link", "L", 100, &text, &len, &e), -ELOOP);
	ck_assert_ptr_null(text);
	ck_assert_str_eq(e.file, "L");
	ck_assert_str_eq(e.message, "is a symbolic link; driftd does not follow it here");
	close(dfd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("readfile");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, whole_file_is_read_with_its_length_and_a_nul);
	tcase_add_test(tc, empty_file_is_an_empty_string);
	tcase_add_test(tc, size_bound_admits_max_bytes_and_refuses_one_more);
	tcase_add_test(tc, missing_file_is_enoent_with_cannot_open);
	tcase_add_test(tc, directory_fifo_and_device_are_refused_without_blocking);
	tcase_add_test(tc, readfile_at_reads_under_a_directory_and_refuses_a_link);
	suite_add_tcase(s, tc);
	return testutil_run(s);
}
