#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonc.h"
#include "testutil.h"

static jsonc_doc_t *parse_ok(const char *text)
{
	jsonc_doc_t *doc = NULL;
	err_t e;

	err_clear(&e);
	ck_assert_msg(jsonc_parse("t.json", text, strlen(text), &doc, &e) == 0,
		      "%s", e.message);
	return doc;
}

static void parse_fails(const char *text, int line, int column, const char *msg)
{
	jsonc_doc_t *doc = (jsonc_doc_t *)1;
	err_t e;

	ck_assert_int_eq(jsonc_parse("t.json", text, strlen(text), &doc, &e), -EINVAL);
	ck_assert_ptr_null(doc);
	ck_assert_str_eq(e.message, msg);
	ck_assert_str_eq(e.file, "t.json");
	ck_assert_int_eq(e.line, line);
	ck_assert_int_eq(e.column, column);
}

START_TEST(comments_are_ignored_and_data_matches_cjson)
{
	jsonc_doc_t *doc = parse_ok("// head\n{ /* a */ \"a\": 1, // x\n \"b\": [true, \"//not\", \"/*no*/\"] }\n");
	cJSON *root = jsonc_root(doc);

	ck_assert_int_eq(cJSON_GetObjectItem(root, "a")->valueint, 1);
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "b"), 1)->valuestring,
			 "//not");
	ck_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "b"), 2)->valuestring,
			 "/*no*/");
	jsonc_free(doc);
}
END_TEST

START_TEST(every_value_and_key_maps_to_line_and_column)
{
	jsonc_doc_t *doc = parse_ok("{\n  \"vpc\": {\n    /* c\n c */ \"Cidr\":  \"10.0.0.0/16\"\n  },\n  \"l\": [1,\n   2]\n}");
	cJSON *root = jsonc_root(doc), *vpc = cJSON_GetObjectItem(root, "vpc");
	cJSON *cidr = cJSON_GetObjectItem(vpc, "Cidr");
	cJSON *two = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "l"), 1);
	jsonc_pos_t p;

	ck_assert_int_eq(jsonc_value_pos(doc, root, &p), 0);
	ck_assert_int_eq(p.line, 1);
	ck_assert_int_eq(p.column, 1);
	jsonc_key_pos(doc, vpc, &p);
	ck_assert_int_eq(p.line, 2);
	ck_assert_int_eq(p.column, 3);
	jsonc_value_pos(doc, vpc, &p);
	ck_assert_int_eq(p.column, 10);
	jsonc_key_pos(doc, cidr, &p);
	ck_assert_int_eq(p.line, 4);
	ck_assert_int_eq(p.column, 7);
	jsonc_value_pos(doc, cidr, &p);
	ck_assert_int_eq(p.line, 4);
	ck_assert_int_eq(p.column, 16);
	ck_assert_str_eq(p.file, "t.json");
	jsonc_value_pos(doc, two, &p);
	ck_assert_int_eq(p.line, 7);
	ck_assert_int_eq(p.column, 4);
	jsonc_key_pos(doc, two, &p);
	ck_assert_int_eq(p.column, 4);
	ck_assert_int_eq(jsonc_value_pos(doc, (cJSON *)&p, &p), -ENOENT);
	jsonc_free(doc);
}
END_TEST

START_TEST(trailing_comma_is_named_at_the_comma)
{
	parse_fails("{\n  \"a\": 1,\n}", 2, 9, "trailing comma before '}'");
	parse_fails("[1, 2, ]", 1, 6, "trailing comma before ']'");
}
END_TEST

START_TEST(syntax_errors_say_what_was_expected)
{
	parse_fails("{\"a\": 1 \"b\": 2}", 1, 9, "expected ',' or '}' after object member");
	parse_fails("[1 2]", 1, 4, "expected ',' or ']' after array element");
	parse_fails("{\"a\" 1}", 1, 6, "expected ':' after object key");
	parse_fails("{a: 1}", 1, 2, "expected '\"' to start an object key");
	parse_fails("{\"a\": }", 1, 7, "expected a value");
	parse_fails("{\"a\": 'x'}", 1, 7, "expected a value (strings use double quotes)");
	parse_fails("{\"a\": tru}", 1, 7, "expected a value");
	parse_fails("{\"a\": 01}", 1, 7, "invalid number");
	parse_fails("{\"a\": 1.}", 1, 7, "invalid number");
	parse_fails("{\"a\": 1} x", 1, 10, "unexpected content after the top-level value");
	parse_fails("{\"a\": 1", 1, 8, "expected ',' or '}' after object member");
	parse_fails("", 1, 1, "unexpected end of file, expected a value");
}
END_TEST

START_TEST(unterminated_string_and_comment_point_at_their_start)
{
	parse_fails("{\n \"a\": \"abc\n}", 2, 7, "unterminated string");
	parse_fails("{\"a\": \"abc", 1, 7, "unterminated string");
	parse_fails("{ /* never\n closed }", 1, 3, "unterminated comment");
}
END_TEST

START_TEST(bad_escapes_are_rejected)
{
	parse_fails("[\"a\\qb\"]", 1, 4, "invalid escape in string");
	parse_fails("[\"\\u12G4\"]", 1, 3, "expected four hex digits after '\\u'");
	parse_fails("[\"a\tb\"]", 1, 4, "control character in string (escape it)");
	parse_fails("[\"x\\u0000\"]", 1, 4, "\\u0000 is not allowed in strings");
	parse_fails("[\"\\ud83d\"]", 1, 3, "unpaired UTF-16 surrogate in '\\u' escape");
	parse_fails("[\"\\ud83d\\u0041\"]", 1, 3, "unpaired UTF-16 surrogate in '\\u' escape");
	parse_fails("[\"\\udc00\"]", 1, 3, "unpaired UTF-16 surrogate in '\\u' escape");
}
END_TEST

START_TEST(nesting_depth_is_limited)
{
	char deep[200];
	jsonc_doc_t *doc;

	memset(deep, '[', 65);
	memset(deep + 65, ']', 65);
	deep[130] = 0;
	parse_fails(deep, 1, 65, "nesting deeper than 64 levels");
	deep[64] = 0;
	memset(deep, '[', 64);
	memset(deep + 64, ']', 64);
	deep[128] = 0;
	doc = parse_ok(deep);
	jsonc_free(doc);
}
END_TEST

START_TEST(oversized_input_is_refused)
{
	jsonc_doc_t *doc;
	err_t e;

	ck_assert_int_eq(jsonc_parse("big.json", "{}", JSONC_MAX_SIZE + 1, &doc, &e),
			 -EFBIG);
	ck_assert_ptr_null(doc);
}
END_TEST

START_TEST(load_file_uses_the_path_in_positions)
{
	char path[] = "/tmp/jsoncXXXXXX";
	int fd = mkstemp(path);
	jsonc_doc_t *doc;
	jsonc_pos_t p;
	err_t e;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "{\n\"k\": 2}", 9), 9);
	close(fd);
	ck_assert_int_eq(jsonc_load_file(path, &doc, &e), 0);
	jsonc_value_pos(doc, cJSON_GetObjectItem(jsonc_root(doc), "k"), &p);
	ck_assert_str_eq(p.file, path);
	ck_assert_int_eq(p.line, 2);
	ck_assert_int_eq(p.column, 6);
	jsonc_free(doc);
	unlink(path);
	ck_assert_int_eq(jsonc_load_file(path, &doc, &e), -ENOENT);
}
END_TEST

START_TEST(duplicate_key_names_both_places)
{
	parse_fails("{\"a\": {\"x\": 1,\n  \"y\": 2, \"x\": 3}, \"b\": 1}", 2, 11,
		    "duplicate key \"x\" (first at line 1, column 8)");
}
END_TEST

/* Several keys repeated, in a small object (every pair compared) and a
 * large one (sorted): the same repeat is named, the first in key order,
 * at its second place. One member a line, from line 2. */
START_TEST(the_first_repeat_in_key_order_is_named)
{
	const char *keys[] = { "m", "b", "m", "b", "b" };
	char text[512], msg[128];
	size_t pad, len, i;

	for (pad = 0; pad <= 10; pad += 10) {
		len = (size_t)snprintf(text, sizeof(text), "{\n");
		for (i = 0; i < pad; i++)
			len += (size_t)snprintf(text + len, sizeof(text) - len, "\"p%zu\": 0,\n", i);
		for (i = 0; i < 5; i++)
			len += (size_t)snprintf(text + len, sizeof(text) - len, "\"%s\": 0%s\n",
						keys[i], i < 4 ? "," : "}");
		snprintf(msg, sizeof(msg), "duplicate key \"b\" (first at line %zu, column 1)", pad + 3);
		parse_fails(text, (int)pad + 5, 1, msg);
	}
}
END_TEST

START_TEST(byte_order_mark_is_skipped)
{
	jsonc_doc_t *doc = parse_ok("\xef\xbb\xbf{\"a\": 1}");
	jsonc_pos_t p;

	jsonc_key_pos(doc, cJSON_GetObjectItem(jsonc_root(doc), "a"), &p);
	ck_assert_int_eq(p.column, 5);
	jsonc_free(doc);
}
END_TEST

/* Column of a decoded offset inside node's value, or its key. */
static int column_at(const jsonc_doc_t *doc, const cJSON *node, int in_key,
		     size_t offset)
{
	jsonc_pos_t p;

	ck_assert_int_eq(in_key ? jsonc_key_string_pos(doc, node, offset, &p) :
			 jsonc_string_pos(doc, node, offset, &p), 0);
	return p.column;
}

START_TEST(offsets_inside_strings_account_for_escapes)
{
	/* decoded: a " é 😀 x  -> offsets a=0 "=1 é=2..3 😀=4..7 x=8 */
	jsonc_doc_t *doc = parse_ok("{\"k\": \"a\\\"\\u00e9\\ud83d\\ude00x\"}");
	cJSON *k = cJSON_GetObjectItem(jsonc_root(doc), "k");
	jsonc_pos_t p;

	ck_assert_str_eq(k->valuestring, "a\"\xc3\xa9\xf0\x9f\x98\x80x");
	ck_assert_int_eq(column_at(doc, k, 0, 0), 8);
	ck_assert_int_eq(column_at(doc, k, 0, 1), 9);
	ck_assert_int_eq(column_at(doc, k, 0, 2), 11);
	ck_assert_int_eq(column_at(doc, k, 0, 4), 17);
	ck_assert_int_eq(column_at(doc, k, 0, 8), 29);
	ck_assert_int_eq(jsonc_string_pos(doc, jsonc_root(doc), 0, &p), -ENOENT);
	jsonc_free(doc);
}
END_TEST

/* The file's text is not kept (issue 17, memory): positions inside a
 * string written without escapes come from the decoded string, and past
 * its end stop at the closing quote, as they did from the text. */
START_TEST(offsets_inside_strings_without_escapes)
{
	jsonc_doc_t *doc = parse_ok("{\"a\": 1,\n \"k${x}\": [\"v ${y}\", \"\\u0024{z}\"]}");
	cJSON *k = jsonc_root(doc)->child->next;
	jsonc_pos_t p;

	ck_assert_int_eq(column_at(doc, k, 1, 0), 3);
	ck_assert_int_eq(column_at(doc, k, 1, 1), 4);
	ck_assert_int_eq(column_at(doc, k, 1, 5), 8);
	ck_assert_int_eq(column_at(doc, k, 1, 99), 8);
	ck_assert_int_eq(column_at(doc, k->child, 0, 2), 15);
	ck_assert_int_eq(column_at(doc, k->child, 0, 99), 19);
	/* escaped: the written string is kept for it */
	ck_assert_str_eq(k->child->next->valuestring, "${z}");
	ck_assert_int_eq(column_at(doc, k->child->next, 0, 0), 23);
	ck_assert_int_eq(column_at(doc, k->child->next, 0, 1), 29);
	ck_assert_int_eq(column_at(doc, k->child->next, 0, 4), 32);
	ck_assert_int_eq(jsonc_key_string_pos(doc, k->child, 0, &p), -ENOENT);
	jsonc_free(doc);
}
END_TEST

START_TEST(offsets_inside_keys_account_for_escapes)
{
	/* the key decodes to  a " é x  -> offsets a=0 "=1 é=2..3 x=4 */
	jsonc_doc_t *doc = parse_ok("{\"v\": 1,\n  \"a\\\"\\u00e9x\": [true]}");
	cJSON *root = jsonc_root(doc), *k = root->child->next;
	jsonc_pos_t p;

	ck_assert_str_eq(k->string, "a\"\xc3\xa9x");
	ck_assert_int_eq(jsonc_key_string_pos(doc, k, 0, &p), 0);
	ck_assert_int_eq(p.line, 2);
	ck_assert_int_eq(column_at(doc, k, 1, 0), 4);
	ck_assert_int_eq(column_at(doc, k, 1, 1), 5);
	ck_assert_int_eq(column_at(doc, k, 1, 2), 7);
	ck_assert_int_eq(column_at(doc, k, 1, 4), 13);
	/* keyless nodes: the root and an array element */
	ck_assert_int_eq(jsonc_key_string_pos(doc, root, 0, &p), -ENOENT);
	ck_assert_int_eq(jsonc_key_string_pos(doc, k->child, 0, &p), -ENOENT);
	ck_assert_int_eq(p.line, 2);
	ck_assert_int_eq(p.column, 18);
	jsonc_free(doc);
}
END_TEST

TESTUTIL_MAIN("jsonc",
	      comments_are_ignored_and_data_matches_cjson,
	      every_value_and_key_maps_to_line_and_column,
	      offsets_inside_keys_account_for_escapes,
	      trailing_comma_is_named_at_the_comma,
	      syntax_errors_say_what_was_expected,
	      unterminated_string_and_comment_point_at_their_start,
	      bad_escapes_are_rejected,
	      nesting_depth_is_limited,
	      oversized_input_is_refused,
	      load_file_uses_the_path_in_positions,
	      duplicate_key_names_both_places,
	      the_first_repeat_in_key_order_is_named,
	      byte_order_mark_is_skipped,
	      offsets_inside_strings_account_for_escapes,
	      offsets_inside_strings_without_escapes)
