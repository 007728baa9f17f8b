#include "normalize.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"

cJSON *norm_json_document(const cJSON *value, err_t *err)
{
	cJSON *doc;

	if (cJSON_IsString(value)) {
		doc = cJSON_Parse(value->valuestring);
		if (!doc)
			err_set(err, -EINVAL, "document is not valid JSON");
		return doc;
	}
	if (!cJSON_IsObject(value) && !cJSON_IsArray(value)) {
		err_set(err, -EINVAL, "expected a JSON document (object or text)");
		return NULL;
	}
	return cJSON_Duplicate(value, 1);
}

static void lower_string(cJSON *s)
{
	char *p;

	if (!cJSON_IsString(s))
		return;
	for (p = s->valuestring; *p; p++)
		*p = (char)tolower((unsigned char)*p);
}

/* A string or an array of strings becomes a sorted array of strings. */
static void as_string_set(cJSON *parent, const char *key, int lower)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(parent, key), *arr, *c;

	if (!v)
		return;
	if (cJSON_IsString(v)) {
		arr = cJSON_CreateArray();
		if (!arr)
			return;
		cJSON_AddItemToArray(arr, cJSON_CreateString(v->valuestring));
		cJSON_ReplaceItemInObjectCaseSensitive(parent, key, arr);
		v = arr;
	}
	if (!cJSON_IsArray(v))
		return;
	if (lower)
		cJSON_ArrayForEach(c, v)
			lower_string(c);
	json_sort_array(v);
}

/* Every member of obj as a string set; as_string_set may replace the
 * member, so the walk keeps the next one first. */
static void members_as_string_sets(cJSON *obj)
{
	cJSON *k, *next;

	if (!cJSON_IsObject(obj))
		return;
	for (k = obj->child; k; k = next) {
		next = k->next;
		as_string_set(obj, k->string, 0);
	}
}

static void norm_statement(cJSON *st)
{
	static const char *const lists[] = { "Resource", "NotResource" };
	cJSON *m, *op;
	size_t i;

	if (!cJSON_IsObject(st))
		return;
	as_string_set(st, "Action", 1);
	as_string_set(st, "NotAction", 1);
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		as_string_set(st, lists[i], 0);
	/* "Principal": "*" stays a string; {"AWS": "arn"} values become sets. */
	members_as_string_sets(cJSON_GetObjectItemCaseSensitive(st, "Principal"));
	members_as_string_sets(cJSON_GetObjectItemCaseSensitive(st,
								 "NotPrincipal"));
	m = cJSON_GetObjectItemCaseSensitive(st, "Condition");
	if (cJSON_IsObject(m))
		cJSON_ArrayForEach(op, m)
			members_as_string_sets(op);
}

cJSON *norm_iam_policy(const cJSON *value, err_t *err)
{
	cJSON *doc = norm_json_document(value, err), *st, *arr, *c;

	if (!doc)
		return NULL;
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		err_set(err, -EINVAL, "a policy document must be a JSON object");
		return NULL;
	}
	st = cJSON_GetObjectItemCaseSensitive(doc, "Statement");
	if (cJSON_IsObject(st)) {
		arr = cJSON_CreateArray();
		if (!arr) {
			cJSON_Delete(doc);
			err_set(err, -ENOMEM, "out of memory");
			return NULL;
		}
		cJSON_AddItemToArray(arr, cJSON_Duplicate(st, 1));
		cJSON_ReplaceItemInObjectCaseSensitive(doc, "Statement", arr);
		st = arr;
	}
	if (cJSON_IsArray(st)) {
		cJSON_ArrayForEach(c, st)
			norm_statement(c);
		json_sort_array(st);
	}
	return doc;
}

/* Parses "addr/len"; returns the family or 0, with the address and the
 * prefix length filled in and a reason on failure. */
static int parse_cidr(const char *text, unsigned char addr[16], int *len,
		      const char **why)
{
	char host[64];
	const char *slash = strchr(text, '/');
	char *end;
	long n;
	int family, bits;

	if (!slash || (size_t)(slash - text) >= sizeof(host)) {
		*why = "expected ADDRESS/PREFIX, such as 10.0.0.0/16";
		return 0;
	}
	memcpy(host, text, (size_t)(slash - text));
	host[slash - text] = 0;
	family = strchr(host, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, host, addr) != 1) {
		*why = family == AF_INET ? "not an IPv4 address"
					 : "not an IPv6 address";
		return 0;
	}
	bits = family == AF_INET ? 32 : 128;
	n = strtol(slash + 1, &end, 10);
	if (!slash[1] || *end || n < 0 || n > bits) {
		*why = family == AF_INET ? "prefix length must be 0 to 32"
					 : "prefix length must be 0 to 128";
		return 0;
	}
	*len = (int)n;
	return family;
}

static int host_bits_set(const unsigned char *addr, int family, int len)
{
	int bytes = family == AF_INET ? 4 : 16, i;

	for (i = 0; i < bytes * 8; i++)
		if (i >= len && (addr[i / 8] & (0x80 >> (i % 8))))
			return 1;
	return 0;
}

int norm_check_cidr(const cJSON *value, err_t *err)
{
	unsigned char addr[16];
	const char *why = NULL;
	int len, family;

	if (!cJSON_IsString(value))
		return err_set(err, -EINVAL, "a CIDR block must be a string");
	family = parse_cidr(value->valuestring, addr, &len, &why);
	if (!family)
		return err_set(err, -EINVAL, "invalid CIDR block \"%s\": %s",
			       value->valuestring, why);
	if (host_bits_set(addr, family, len))
		return err_set(err, -EINVAL,
			       "invalid CIDR block \"%s\": host bits are set "
			       "beyond the /%d prefix", value->valuestring, len);
	return 0;
}

static cJSON *cidr_one(const cJSON *value, err_t *err)
{
	unsigned char addr[16];
	char host[INET6_ADDRSTRLEN], out[INET6_ADDRSTRLEN + 8];
	const char *why = NULL;
	int len, family;

	if (!cJSON_IsString(value)) {
		err_set(err, -EINVAL, "a CIDR block must be a string");
		return NULL;
	}
	family = parse_cidr(value->valuestring, addr, &len, &why);
	if (!family || !inet_ntop(family, addr, host, sizeof(host))) {
		err_set(err, -EINVAL, "invalid CIDR block \"%s\": %s",
			value->valuestring, why ? why : "unprintable");
		return NULL;
	}
	snprintf(out, sizeof(out), "%s/%d", host, len);
	return cJSON_CreateString(out);
}

/* An array is normalized element by element: a set of CIDRs. */
static cJSON *map_array(const cJSON *value, err_t *err,
			cJSON *(*one)(const cJSON *, err_t *))
{
	cJSON *out, *c, *n;

	if (!cJSON_IsArray(value))
		return one(value, err);
	out = cJSON_CreateArray();
	if (!out) {
		err_set(err, -ENOMEM, "out of memory");
		return NULL;
	}
	cJSON_ArrayForEach(c, value) {
		n = one(c, err);
		if (!n) {
			cJSON_Delete(out);
			return NULL;
		}
		cJSON_AddItemToArray(out, n);
	}
	return out;
}

cJSON *norm_cidr(const cJSON *value, err_t *err)
{
	return map_array(value, err, cidr_one);
}

static cJSON *lower_one(const cJSON *value, err_t *err)
{
	cJSON *copy = cJSON_Duplicate(value, 1);

	if (!copy) {
		err_set(err, -ENOMEM, "out of memory");
		return NULL;
	}
	lower_string(copy);
	return copy;
}

cJSON *norm_lower(const cJSON *value, err_t *err)
{
	return map_array(value, err, lower_one);
}
