#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xml.h"
#include "testutil.h"

static cJSON *parse_ok(const char *doc)
{
	cJSON *root = NULL;
	err_t e = { 0 };

	ck_assert_int_eq(xml_parse(doc, strlen(doc), &root, &e), 0);
	ck_assert_ptr_nonnull(root);
	return root;
}

static int parse_rc(const char *doc, err_t *e)
{
	cJSON *root = (cJSON *)1;
	int rc = xml_parse(doc, strlen(doc), &root, e);

	ck_assert_ptr_null(root);
	return rc;
}

START_TEST(elements_text_and_attributes_become_a_tree)
{
	cJSON *root = parse_ok("<?xml version=\"1.0\"?>\n<a:Root xmlns:a=\"urn:x\" id=\"7\">\n"
			       "  <Name>web &amp; api</Name>\n  <Empty/>\n</a:Root>");

	ck_assert_str_eq(xml_name(root), "Root");
	ck_assert_str_eq(xml_attr(root, "id"), "7");
	ck_assert_str_eq(xml_text(root), "");
	ck_assert_str_eq(xml_path_text(root, "Name"), "web & api");
	ck_assert_str_eq(xml_path_text(root, "Empty"), "");
	ck_assert_ptr_null(xml_path_text(root, "Missing"));
	cJSON_Delete(root);
}
END_TEST

START_TEST(leaf_text_keeps_its_whitespace)
{
	cJSON *root = parse_ok("<R><V>  two words  </V></R>");

	ck_assert_str_eq(xml_path_text(root, "V"), "  two words  ");
	cJSON_Delete(root);
}
END_TEST

START_TEST(nested_path_lookup_walks_children)
{
	cJSON *root = parse_ok("<R><A><B><C>deep</C></B></A></R>");

	ck_assert_str_eq(xml_path_text(root, "A/B/C"), "deep");
	ck_assert_ptr_null(xml_path_text(root, "A/X/C"));
	cJSON_Delete(root);
}
END_TEST

START_TEST(doctype_is_rejected_so_entities_never_expand)
{
	err_t e = { 0 };
	const char *laughs =
		"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
		"<!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]><lolz>&lol2;</lolz>";

	ck_assert_int_eq(parse_rc(laughs, &e), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(e.message, "document type"));
}
END_TEST

START_TEST(undeclared_entity_is_malformed)
{
	err_t e = { 0 };

	ck_assert_int_eq(parse_rc("<a>&xxe;</a>", &e), -EBADMSG);
}
END_TEST

START_TEST(nesting_deeper_than_the_bound_is_rejected)
{
	char doc[(XML_DEPTH_MAX + 2) * 8];
	err_t e = { 0 };
	cJSON *root = NULL;
	size_t off = 0;
	int i, depth;

	for (depth = XML_DEPTH_MAX; depth <= XML_DEPTH_MAX + 1; depth++) {
		off = 0;
		for (i = 0; i < depth; i++)
			off += (size_t)sprintf(doc + off, "<a>");
		for (i = 0; i < depth; i++)
			off += (size_t)sprintf(doc + off, "</a>");
		if (depth == XML_DEPTH_MAX) {
			ck_assert_int_eq(xml_parse(doc, off, &root, &e), 0);
			cJSON_Delete(root);
		} else {
			ck_assert_int_eq(parse_rc(doc, &e), -EBADMSG);
			ck_assert_ptr_nonnull(strstr(e.message, "deeper"));
		}
	}
}
END_TEST

START_TEST(malformed_documents_are_rejected_without_a_tree)
{
	static const char *bad[] = {
		"", "   ", "<a>", "<a></b>", "not xml at all", "<a><b></a></b>",
		"<a>\x01</a>", "<a x=\"1\" x=\"2\"/>", "<a/><b/>",
	};
	err_t e;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&e, 0, sizeof(e));
		ck_assert_int_eq(parse_rc(bad[i], &e), -EBADMSG);
		ck_assert_str_ne(e.message, "");
	}
}
END_TEST

START_TEST(truncated_input_is_rejected_at_every_length)
{
	const char *doc = "<R><A k=\"v\">text</A><B><C/></B></R>";
	size_t n, len = strlen(doc);
	cJSON *root;
	err_t e;

	for (n = 0; n < len; n++) {
		root = NULL;
		ck_assert_int_lt(xml_parse(doc, n, &root, &e), 0);
		ck_assert_ptr_null(root);
	}
}
END_TEST

/* cJSON allocations failing one after the other: every failure is an
 * -ENOMEM without a tree, and nothing is freed twice (a child element
 * whose parent's "children" array could not be made was). */
static int allocs_left;

static void *failing_malloc(size_t n)
{
	return allocs_left-- > 0 ? malloc(n) : NULL;
}

START_TEST(out_of_memory_at_every_allocation_leaves_no_tree)
{
	const char *doc = "<R><A k=\"v\">text</A><B><C/></B></R>";
	cJSON_Hooks hooks = { failing_malloc, free };
	int limit, rc, done = 0;
	cJSON *root;
	err_t e;

	for (limit = 0; !done; limit++) {
		ck_assert_int_lt(limit, 1000);
		allocs_left = limit;
		cJSON_InitHooks(&hooks);
		root = NULL;
		rc = xml_parse(doc, strlen(doc), &root, &e);
		cJSON_InitHooks(NULL);
		if (rc) {
			ck_assert_int_eq(rc, -ENOMEM);
			ck_assert_ptr_null(root);
		} else {
			ck_assert_str_eq(xml_path_text(root, "B/C"), "");
			done = 1;
		}
		cJSON_Delete(root);
	}
}
END_TEST

START_TEST(escape_covers_markup_characters)
{
	char *s = xml_escape("a<b>&\"c'\r");

	ck_assert_str_eq(s, "a&lt;b&gt;&amp;&quot;c&apos;&#13;");
	free(s);
}
END_TEST

TESTUTIL_MAIN("xml",
	      elements_text_and_attributes_become_a_tree,
	      leaf_text_keeps_its_whitespace,
	      nested_path_lookup_walks_children,
	      doctype_is_rejected_so_entities_never_expand,
	      undeclared_entity_is_malformed,
	      nesting_deeper_than_the_bound_is_rejected,
	      malformed_documents_are_rejected_without_a_tree,
	      truncated_input_is_rejected_at_every_length,
	      out_of_memory_at_every_allocation_leaves_no_tree,
	      escape_covers_markup_characters)
