#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"
#include "testenv.h"
#include "testutil.h"

static ini_t *parse_ok(const char *text)
{
	ini_t *ini = NULL;
	err_t e;

	ck_assert_msg(ini_parse("t.ini", text, strlen(text), &ini, &e) == 0,
		      "%s", e.message);
	return ini;
}

static void parse_fails_at(const char *text, size_t len, int line,
			   const char *what)
{
	ini_t *ini = (ini_t *)1;
	err_t e;

	ck_assert_int_eq(ini_parse("cfg", text, len, &ini, &e), -EINVAL);
	ck_assert_ptr_null(ini);
	ck_assert_str_eq(e.file, "cfg");
	ck_assert_int_eq(e.line, line);
	ck_assert_msg(strstr(e.message, what), "message: %s", e.message);
}

START_TEST(sections_keys_and_comments)
{
	ini_t *ini = parse_ok("# top comment\n"
			      "[default]\n"
			      "  region = eu-west-1  \n"
			      "; another\n"
			      "\n"
			      "[profile dev]\r\n"
			      "Region=us-east-2\r\n"
			      "output =\n");
	int line = 0;

	ck_assert(ini_has_section(ini, "default"));
	ck_assert(ini_has_section(ini, "profile dev"));
	ck_assert(!ini_has_section(ini, "dev"));
	ck_assert_str_eq(ini_get(ini, "default", "region", &line), "eu-west-1");
	ck_assert_int_eq(line, 3);
	ck_assert_str_eq(ini_get(ini, "profile dev", "region", &line),
			 "us-east-2");
	ck_assert_int_eq(line, 7);
	ck_assert_str_eq(ini_get(ini, "profile dev", "output", NULL), "");
	ck_assert_ptr_null(ini_get(ini, "default", "output", NULL));
	ck_assert_str_eq(ini_file(ini), "t.ini");
	ini_free(ini);
}
END_TEST

START_TEST(value_keeps_hash_and_equals_verbatim)
{
	ini_t *ini = parse_ok("[a]\nk = x=y # not a comment\n");

	ck_assert_str_eq(ini_get(ini, "a", "k", NULL), "x=y # not a comment");
	ini_free(ini);
}
END_TEST

START_TEST(later_duplicate_key_wins)
{
	ini_t *ini = parse_ok("[a]\nk = 1\n[b]\nk = 2\n[a]\nk = 3\n");

	ck_assert_str_eq(ini_get(ini, "a", "k", NULL), "3");
	ck_assert_str_eq(ini_get(ini, "b", "k", NULL), "2");
	ini_free(ini);
}
END_TEST

START_TEST(nested_services_subsection)
{
	ini_t *ini = parse_ok("[services local]\n"
			      "ec2 =\n"
			      "  endpoint_url = http://127.0.0.1:4566\n"
			      "\tregion = us-west-2\n"
			      "sts =\n"
			      "  endpoint_url = http://127.0.0.1:4567\n"
			      "top = 1\n");
	int line;

	ck_assert_str_eq(ini_get_sub(ini, "services local", "ec2",
				     "endpoint_url", &line),
			 "http://127.0.0.1:4566");
	ck_assert_int_eq(line, 3);
	ck_assert_str_eq(ini_get_sub(ini, "services local", "ec2", "region",
				     NULL), "us-west-2");
	ck_assert_str_eq(ini_get_sub(ini, "services local", "sts",
				     "endpoint_url", NULL),
			 "http://127.0.0.1:4567");
	ck_assert_ptr_null(ini_get(ini, "services local", "endpoint_url", NULL));
	ck_assert_str_eq(ini_get(ini, "services local", "top", NULL), "1");
	ini_free(ini);
}
END_TEST

START_TEST(setting_outside_section_names_line)
{
	const char *t = "# c\nregion = x\n";

	parse_fails_at(t, strlen(t), 2, "outside");
}
END_TEST

START_TEST(missing_equals_names_line)
{
	const char *t = "[a]\nk = 1\njust words\n";

	parse_fails_at(t, strlen(t), 3, "key = value");
}
END_TEST

START_TEST(unterminated_header_names_line)
{
	const char *t = "[a]\n\n[profile dev\nk=1\n";

	parse_fails_at(t, strlen(t), 3, "']'");
}
END_TEST

START_TEST(indented_line_without_subsection_names_line)
{
	const char *t = "[a]\nk = 1\n  sub = 2\n";

	parse_fails_at(t, strlen(t), 3, "sub-section");
}
END_TEST

START_TEST(overlong_line_names_line)
{
	size_t n = INI_MAX_LINE + 100;
	char *t = malloc(n + 16);

	strcpy(t, "[a]\nk = ");
	memset(t + 8, 'v', n);
	t[8 + n] = 0;
	parse_fails_at(t, strlen(t), 2, "longer");
	free(t);
}
END_TEST

START_TEST(nul_byte_names_line)
{
	static const char t[] = "[a]\nk = 1\nx = a\0b\n";

	parse_fails_at(t, sizeof(t) - 1, 3, "NUL");
}
END_TEST

START_TEST(oversized_input_is_refused)
{
	ini_t *ini = NULL;
	err_t e;

	ck_assert_int_eq(ini_parse("big", "", INI_MAX_FILE + 1, &ini, &e),
			 -EFBIG);
	ck_assert_ptr_null(ini);
}
END_TEST

START_TEST(load_names_path_in_errors_and_missing_is_enoent)
{
	testenv_t t;
	const char *path;
	ini_t *ini = NULL;
	err_t e;

	testenv_init(&t);
	path = testenv_file(&t, "config", "[default]\nregion = a\nbad\n");
	ck_assert_int_eq(ini_load(path, &ini, &e), -EINVAL);
	ck_assert_str_eq(e.file, path);
	ck_assert_int_eq(e.line, 3);
	path = testenv_file(&t, "ok", "[default]\nregion = a\n");
	ck_assert_int_eq(ini_load(path, &ini, &e), 0);
	ck_assert_str_eq(ini_get(ini, "default", "region", NULL), "a");
	ini_free(ini);
	ck_assert_int_eq(ini_load("/nonexistent/driftd/x", &ini, &e), -ENOENT);
	ini_free(NULL);
	testenv_done(&t);
}
END_TEST

TESTUTIL_MAIN("ini", sections_keys_and_comments,
	      value_keeps_hash_and_equals_verbatim, later_duplicate_key_wins,
	      nested_services_subsection, setting_outside_section_names_line,
	      missing_equals_names_line, unterminated_header_names_line,
	      indented_line_without_subsection_names_line,
	      overlong_line_names_line, nul_byte_names_line,
	      oversized_input_is_refused,
	      load_names_path_in_errors_and_missing_is_enoent)
