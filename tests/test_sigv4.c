#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "sigv4.h"
#include "testutil.h"

#define AKID   "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TOKEN  "FQoGZXIvYXdzEXAMPLE/token+with=chars"
#define T0     1440938160 /* 2015-08-30T12:36:00Z */

static sigv4_signer_t *signer;
static sigv4_result_t res;
static char line[4096];

static void setup(void)
{
	signer = sigv4_signer_new();
	ck_assert_ptr_nonnull(signer);
}

static void teardown(void)
{
	sigv4_signer_free(signer);
	signer = NULL;
}

static sigv4_params_t params(const char *service, unsigned flags)
{
	sigv4_params_t p = {
		.creds = { AKID, SECRET, NULL },
		.region = "us-east-1", .service = service, .time = T0,
		.flags = flags, .expires = 3600,
	};
	return p;
}

/* Signs with only a Host header plus the given ones. */
static int sign_hdrs(const char *method, const char *path, const char *query,
		     const sigv4_header_t *extra, size_t n_extra,
		     const sigv4_params_t *p)
{
	sigv4_header_t h[16] = { { "Host", 4, "example.amazonaws.com", 21 } };
	sigv4_request_t req = {
		.method = method, .path = path, .path_len = strlen(path),
		.query = query, .query_len = strlen(query), .headers = h,
		.n_headers = 1 + n_extra,
	};

	if (n_extra)
		memcpy(h + 1, extra, n_extra * sizeof(*extra));
	return sigv4_sign(signer, &req, p, &res, NULL);
}

static int sign_simple(const char *path, const char *query,
		       const sigv4_params_t *p)
{
	return sign_hdrs("GET", path, query, NULL, 0, p);
}

/* Line n (0-based) of the canonical request. */
static const char *cr_line(int n)
{
	const char *s = res.canonical_request, *e;

	while (n-- > 0) {
		s = strchr(s, '\n');
		ck_assert_ptr_nonnull(s);
		s++;
	}
	e = strchr(s, '\n');
	if (!e)
		e = s + strlen(s);
	ck_assert_uint_lt((size_t)(e - s), sizeof(line));
	memcpy(line, s, (size_t)(e - s));
	line[e - s] = '\0';
	return line;
}

static const char *canonical_path(const char *path, const char *service,
				  unsigned flags)
{
	sigv4_params_t p = params(service, flags);

	ck_assert_int_eq(sign_simple(path, "", &p), 0);
	return cr_line(1);
}

static const char *canonical_query(const char *query)
{
	sigv4_params_t p = params("service", 0);

	ck_assert_int_eq(sign_simple("/", query, &p), 0);
	return cr_line(2);
}

#define H(n, v) { n, sizeof(n) - 1, v, sizeof(v) - 1 }

START_TEST(uri_encode_keeps_only_unreserved_characters)
{
	char out[128];
	const char in[] = "AZaz09-_.~ /+=%é";

	ck_assert_uint_eq(sigv4_uri_encode(in, strlen(in), 0, out, sizeof(out)),
			  strlen(out));
	ck_assert_str_eq(out, "AZaz09-_.~%20%2F%2B%3D%25%C3%A9");
	sigv4_uri_encode("/a b/", 5, 1, out, sizeof(out));
	ck_assert_str_eq(out, "/a%20b/");
}
END_TEST

START_TEST(uri_encode_truncates_but_reports_full_length)
{
	char out[4];

	ck_assert_uint_eq(sigv4_uri_encode("a b", 3, 0, out, sizeof(out)), 5);
	ck_assert_str_eq(out, "a%2");
}
END_TEST

START_TEST(path_dot_segments_and_double_slashes_are_removed)
{
	ck_assert_str_eq(canonical_path("/a/./b/../c", "service", 0), "/a/c");
	ck_assert_str_eq(canonical_path("//a//b//", "service", 0), "/a/b/");
	ck_assert_str_eq(canonical_path("/a/..", "service", 0), "/");
	ck_assert_str_eq(canonical_path("/../../x", "service", 0), "/x");
	ck_assert_str_eq(canonical_path("", "service", 0), "/");
}
END_TEST

START_TEST(path_is_encoded_twice_except_for_s3)
{
	ck_assert_str_eq(canonical_path("/a%20b/c d", "service", 0),
			 "/a%2520b/c%20d");
	ck_assert_str_eq(canonical_path("/a%20b/~x", "s3", 0), "/a%20b/~x");
}
END_TEST

START_TEST(s3_and_normalize_off_keep_the_path_shape)
{
	ck_assert_str_eq(canonical_path("/b/./x//y/../z", "s3", 0),
			 "/b/./x//y/../z");
	ck_assert_str_eq(canonical_path("/b/./x//y", "service",
					SIGV4_NO_NORMALIZE), "/b/./x//y");
}
END_TEST

START_TEST(query_is_sorted_by_name_then_value)
{
	ck_assert_str_eq(canonical_query("b=2&a=10&a=1&c"), "a=1&a=10&b=2&c=");
}
END_TEST

START_TEST(query_is_decoded_then_reencoded)
{
	ck_assert_str_eq(canonical_query("k=%7e%41+b%20c&%C3%A9=a/b"),
			 "%C3%A9=a%2Fb&k=~A%2Bb%20c");
	ck_assert_str_eq(canonical_query("bad=%zz%4"), "bad=%25zz%254");
}
END_TEST

START_TEST(query_empty_pieces_are_dropped_and_equals_kept_in_value)
{
	ck_assert_str_eq(canonical_query("&a=b=c&&"), "a=b%3Dc");
	ck_assert_str_eq(canonical_query(""), "");
}
END_TEST

START_TEST(headers_are_lowercased_trimmed_folded_and_sorted)
{
	sigv4_params_t p = params("service", 0);
	sigv4_header_t h[] = {
		H("Zeta", "  z  "), H("My-Header", "  a   b \t c "),
		H("my-header", "second"), H("MY-HEADER", "line1\r\n   line2"),
	};

	ck_assert_int_eq(sign_hdrs("GET", "/", "", h, 4, &p), 0);
	ck_assert_str_eq(cr_line(3), "host:example.amazonaws.com");
	ck_assert_str_eq(cr_line(4), "my-header:a b c,second,line1 line2");
	ck_assert_str_eq(cr_line(5), "x-amz-date:20150830T123600Z");
	ck_assert_str_eq(cr_line(6), "zeta:z");
	ck_assert_str_eq(cr_line(8), "host;my-header;x-amz-date;zeta");
}
END_TEST

START_TEST(unsigned_and_replaced_headers_are_left_out)
{
	sigv4_params_t p = params("service", 0);
	sigv4_header_t h[] = {
		H("User-Agent", "x"), H("Authorization", "old"),
		H("X-Amz-Date", "19990101T000000Z"), H("Expect", "100-continue"),
	};

	ck_assert_int_eq(sign_hdrs("GET", "/", "", h, 4, &p), 0);
	ck_assert_str_eq(cr_line(5), "");
	ck_assert_str_eq(cr_line(6), "host;x-amz-date");
	ck_assert_str_eq(cr_line(4), "x-amz-date:20150830T123600Z");
}
END_TEST

START_TEST(header_signing_returns_authorization_and_date)
{
	sigv4_params_t p = params("service", 0);
	char want[256];

	ck_assert_int_eq(sign_simple("/", "", &p), 0);
	ck_assert_uint_eq(res.n_add, 2);
	snprintf(want, sizeof(want),
		 "AWS4-HMAC-SHA256 Credential=" AKID "/20150830/us-east-1/service/"
		 "aws4_request, SignedHeaders=host;x-amz-date, Signature=%s",
		 res.signature);
	ck_assert_str_eq(res.add[0].name, "Authorization");
	ck_assert_uint_eq(res.add[0].value_len, strlen(want));
	ck_assert(!memcmp(res.add[0].value, want, strlen(want)));
	ck_assert_str_eq(res.add[1].name, "X-Amz-Date");
	ck_assert(!memcmp(res.add[1].value, "20150830T123600Z", 16));
	ck_assert_ptr_null(res.query);
}
END_TEST

START_TEST(session_token_is_signed_unless_omitted)
{
	sigv4_params_t p = params("service", 0);

	p.creds.session_token = TOKEN;
	ck_assert_int_eq(sign_simple("/", "", &p), 0);
	ck_assert_str_eq(cr_line(7), "host;x-amz-date;x-amz-security-token");
	ck_assert_uint_eq(res.n_add, 3);
	ck_assert_str_eq(res.add[2].name, "X-Amz-Security-Token");

	p.flags = SIGV4_OMIT_SESSION_TOKEN;
	ck_assert_int_eq(sign_simple("/", "", &p), 0);
	ck_assert_str_eq(cr_line(6), "host;x-amz-date");
	ck_assert_uint_eq(res.n_add, 3);
	ck_assert(!memcmp(res.add[2].value, TOKEN, strlen(TOKEN)));
}
END_TEST

START_TEST(sign_body_adds_content_sha256_and_unsigned_payload_replaces_it)
{
	sigv4_params_t p = params("service", SIGV4_SIGN_BODY);
	const char *empty =
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

	ck_assert_int_eq(sign_simple("/", "", &p), 0);
	ck_assert_str_eq(cr_line(7), "host;x-amz-content-sha256;x-amz-date");
	ck_assert_str_eq(cr_line(8), empty);
	ck_assert_str_eq(res.add[res.n_add - 1].name, "X-Amz-Content-SHA256");
	ck_assert(!memcmp(res.add[res.n_add - 1].value, empty, 64));

	p.flags |= SIGV4_UNSIGNED_PAYLOAD;
	ck_assert_int_eq(sign_simple("/", "", &p), 0);
	ck_assert_str_eq(cr_line(8), "UNSIGNED-PAYLOAD");
	ck_assert_str_eq(cr_line(4), "x-amz-content-sha256:UNSIGNED-PAYLOAD");
}
END_TEST

START_TEST(s3_always_signs_content_sha256)
{
	sigv4_params_t p = params("s3", 0);

	ck_assert_int_eq(sign_simple("/bucket/key", "", &p), 0);
	ck_assert_str_eq(cr_line(7), "host;x-amz-content-sha256;x-amz-date");
}
END_TEST

START_TEST(presign_query_carries_every_auth_field)
{
	sigv4_params_t p = params("service", SIGV4_PRESIGN);
	char want[512];

	p.expires = 900;
	ck_assert_int_eq(sign_simple("/", "Action=X", &p), 0);
	ck_assert_uint_eq(res.n_add, 0);
	ck_assert_ptr_nonnull(res.query);
	ck_assert_uint_eq(strlen(res.query), res.query_len);
	ck_assert_str_eq(cr_line(2), "Action=X&X-Amz-Algorithm=AWS4-HMAC-SHA256"
			 "&X-Amz-Credential=" AKID "%2F20150830%2Fus-east-1%2F"
			 "service%2Faws4_request&X-Amz-Date=20150830T123600Z"
			 "&X-Amz-Expires=900&X-Amz-SignedHeaders=host");
	/* Sent in the order of AWS's SigV4 test suite's presigned requests
	 * (query-signed-request.txt), not the canonical order. */
	snprintf(want, sizeof(want), "Action=X&X-Amz-Algorithm=AWS4-HMAC-SHA256"
		 "&X-Amz-Credential=" AKID "%%2F20150830%%2Fus-east-1%%2F"
		 "service%%2Faws4_request&X-Amz-Date=20150830T123600Z"
		 "&X-Amz-SignedHeaders=host&X-Amz-Expires=900&X-Amz-Signature=%s",
		 res.signature);
	ck_assert_str_eq(res.query, want);
	ck_assert_str_eq(cr_line(5), "host");
}
END_TEST

START_TEST(presign_query_keeps_the_callers_order_and_encoding)
{
	sigv4_params_t p = params("service", SIGV4_PRESIGN);
	const char *q = "Param2=value2&Param1=value1&k=a%2fb";

	p.expires = 3600;
	ck_assert_int_eq(sign_simple("/", q, &p), 0);
	ck_assert(!strncmp(res.query, q, strlen(q)));
	ck_assert(!strncmp(res.query + strlen(q), "&X-Amz-Algorithm=", 17));
	ck_assert_str_eq(cr_line(2), "Param1=value1&Param2=value2"
			 "&X-Amz-Algorithm=AWS4-HMAC-SHA256"
			 "&X-Amz-Credential=" AKID "%2F20150830%2Fus-east-1%2F"
			 "service%2Faws4_request&X-Amz-Date=20150830T123600Z"
			 "&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&k=a%2Fb");
}
END_TEST

START_TEST(presign_token_is_signed_or_appended_after_signature)
{
	sigv4_params_t p = params("service", SIGV4_PRESIGN);
	const char *tail;

	p.creds.session_token = TOKEN;
	ck_assert_int_eq(sign_simple("/", "", &p), 0);
	ck_assert_ptr_nonnull(strstr(res.canonical_request,
				     "X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLE%2F"
				     "token%2Bwith%3Dchars"));
	ck_assert_ptr_nonnull(strstr(res.query,
				     "&X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLE%2F"
				     "token%2Bwith%3Dchars&X-Amz-Signature="));
	p.flags |= SIGV4_OMIT_SESSION_TOKEN;
	ck_assert_int_eq(sign_simple("/", "", &p), 0);
	ck_assert_ptr_null(strstr(res.canonical_request, "Security-Token"));
	tail = strstr(res.query, res.signature);
	ck_assert_ptr_nonnull(tail);
	ck_assert_str_eq(tail + 64, "&X-Amz-Security-Token=FQoGZXIvYXdzEXAMPLE%2F"
			 "token%2Bwith%3Dchars");
}
END_TEST

START_TEST(presign_s3_uses_unsigned_payload)
{
	sigv4_params_t p = params("s3", SIGV4_PRESIGN);

	ck_assert_int_eq(sign_simple("/b/k", "", &p), 0);
	ck_assert_str_eq(cr_line(6), "UNSIGNED-PAYLOAD");
}
END_TEST

START_TEST(presign_expiry_out_of_range_is_rejected)
{
	sigv4_params_t p = params("service", SIGV4_PRESIGN);

	p.expires = 0;
	ck_assert_int_eq(sign_simple("/", "", &p), -EINVAL);
	p.expires = SIGV4_MAX_EXPIRES + 1;
	ck_assert_int_eq(sign_simple("/", "", &p), -EINVAL);
	p.expires = SIGV4_MAX_EXPIRES;
	ck_assert_int_eq(sign_simple("/", "", &p), 0);
}
END_TEST

/* A presigned request's date is the X-Amz-Date query parameter the signer
 * adds: a caller's X-Amz-Date header is not signed (AWS's SigV4 suite,
 * get-header-value-multiline's query-signed-request.txt), and a caller's
 * X-Amz-Date parameter is refused, as the AWS CRT signer refuses it. */
START_TEST(presign_leaves_the_callers_date_header_unsigned)
{
	sigv4_params_t p = params("service", SIGV4_PRESIGN);
	sigv4_header_t date[] = { H("X-Amz-Date", "19990101T000000Z"),
				  H("My-Header1", "v") },
		       other[] = { H("X-Amz-Dates", "1") };
	err_t e;

	p.expires = 60;
	ck_assert_int_eq(sign_hdrs("GET", "/", "", date, 2, &p), 0);
	ck_assert_ptr_null(strstr(res.canonical_request, "19990101"));
	ck_assert_str_eq(cr_line(5), "");
	ck_assert_str_eq(cr_line(6), "host;my-header1");
	ck_assert_ptr_nonnull(strstr(res.query, "&X-Amz-Date=20150830T123600Z&"
				     "X-Amz-SignedHeaders=host%3Bmy-header1&"));
	/* Only that name: one that merely starts alike is signed. */
	ck_assert_int_eq(sign_hdrs("GET", "/", "", other, 1, &p), 0);
	ck_assert_str_eq(cr_line(5), "");
	ck_assert_str_eq(cr_line(6), "host;x-amz-dates");
	err_clear(&e);
	ck_assert_int_eq(sigv4_sign(signer, &(sigv4_request_t){ .method = "GET",
		.path = "/", .path_len = 1, .query = "a=1&X-Amz-Date=1",
		.query_len = 16 }, &p, &res, &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.message, "X-Amz-Date"));
	ck_assert_int_eq(sign_simple("/", "X-Amz-Date", &p), -EINVAL);
	ck_assert_int_eq(sign_simple("/", "X-Amz-Dates=1&b=X-Amz-Date", &p), 0);
}
END_TEST

START_TEST(key_cache_reuses_key_for_same_scope_and_secret)
{
	sigv4_params_t p = params("service", 0);
	char first[65];

	ck_assert_int_eq(sign_simple("/", "", &p), 0);
	strcpy(first, res.signature);
	ck_assert_int_eq(sign_simple("/", "", &p), 0);
	ck_assert_uint_eq(sigv4_signer_key_derivations(signer), 1);
	ck_assert_str_eq(res.signature, first);
	p.time = T0 + 3600; /* same day */
	ck_assert_int_eq(sign_simple("/", "", &p), 0);
	ck_assert_uint_eq(sigv4_signer_key_derivations(signer), 1);
}
END_TEST

START_TEST(key_cache_derives_new_key_per_date_region_service_secret)
{
	sigv4_params_t p = params("service", 0);
	char secret2[] = SECRET;

	ck_assert_int_eq(sign_simple("/", "", &p), 0);
	p.time = T0 + 86400;
	ck_assert_int_eq(sign_simple("/", "", &p), 0);
	ck_assert_uint_eq(sigv4_signer_key_derivations(signer), 2);
	p.region = "eu-west-1";
	ck_assert_int_eq(sign_simple("/", "", &p), 0);
	ck_assert_uint_eq(sigv4_signer_key_derivations(signer), 3);
	p.service = "ec2";
	ck_assert_int_eq(sign_simple("/", "", &p), 0);
	ck_assert_uint_eq(sigv4_signer_key_derivations(signer), 4);
	/* Same pointer, changed content: must not reuse the old key. */
	p.creds.secret_access_key = secret2;
	ck_assert_int_eq(sign_simple("/", "", &p), 0);
	ck_assert_uint_eq(sigv4_signer_key_derivations(signer), 4);
	secret2[0] = 'X';
	ck_assert_int_eq(sign_simple("/", "", &p), 0);
	ck_assert_uint_eq(sigv4_signer_key_derivations(signer), 5);
	/* The first scope is still cached. */
	p = params("service", 0);
	ck_assert_int_eq(sign_simple("/", "", &p), 0);
	ck_assert_uint_eq(sigv4_signer_key_derivations(signer), 5);
}
END_TEST

static void evp_hmac(const void *key, size_t klen, const char *msg,
		     unsigned char out[32])
{
	size_t n = 0;

	ck_assert_ptr_nonnull(EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key,
					klen, (const unsigned char *)msg,
					strlen(msg), out, 32, &n));
	ck_assert_uint_eq(n, 32);
}

START_TEST(signature_equals_evp_mac_over_derived_key)
{
	sigv4_params_t p = params("ec2", 0);
	unsigned char k[32];
	char hex[65], msg[1024];
	int i;

	p.region = "eu-west-1";
	ck_assert_int_eq(sign_simple("/", "Action=DescribeVpcs", &p), 0);
	evp_hmac("AWS4" SECRET, strlen("AWS4" SECRET), "20150830", k);
	evp_hmac(k, 32, "eu-west-1", k);
	evp_hmac(k, 32, "ec2", k);
	evp_hmac(k, 32, "aws4_request", k);
	memcpy(msg, res.string_to_sign, res.string_to_sign_len);
	msg[res.string_to_sign_len] = '\0';
	evp_hmac(k, 32, msg, k);
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", k[i]);
	ck_assert_str_eq(res.signature, hex);
}
END_TEST

START_TEST(no_output_contains_the_secret_or_signed_token)
{
	sigv4_params_t p = params("service", 0);
	err_t e;
	sigv4_request_t req = { .method = "GET", .path = "/", .path_len = 1 };

	p.creds.session_token = TOKEN;
	ck_assert_int_eq(sign_simple("/" SECRET, SECRET "=" SECRET, &p), 0);
	/* The secret was put in the path and query on purpose: only those
	 * encoded forms may appear, never the raw secret from credentials
	 * elsewhere. */
	ck_assert_ptr_null(strstr(res.string_to_sign, SECRET));
	ck_assert_ptr_null(strstr(res.add[0].value, SECRET));
	ck_assert_int_eq(sign_simple("/", "", &p), 0);
	ck_assert_ptr_null(strstr(res.canonical_request, SECRET));
	p.flags = SIGV4_PRESIGN;
	ck_assert_int_eq(sign_simple("/", "", &p), 0);
	ck_assert_ptr_null(strstr(res.query, SECRET));
	ck_assert_ptr_null(strstr(res.canonical_request, SECRET));
	p.region = "";
	ck_assert_int_eq(sigv4_sign(signer, &req, &p, &res, &e), -EINVAL);
	ck_assert_ptr_null(strstr(e.message, SECRET));
	ck_assert_ptr_null(strstr(e.message, TOKEN));
}
END_TEST

START_TEST(bad_input_is_rejected_with_einval)
{
	sigv4_params_t p = params("service", 0);
	sigv4_request_t req = { .method = NULL };
	err_t e;

	ck_assert_int_eq(sigv4_sign(signer, &req, &p, &res, &e), -EINVAL);
	req.method = "GET";
	req.path_len = 3; /* no data behind it */
	ck_assert_int_eq(sigv4_sign(signer, &req, &p, &res, &e), -EINVAL);
	req.path_len = 0;
	p.service = "a/b";
	ck_assert_int_eq(sigv4_sign(signer, &req, &p, &res, &e), -EINVAL);
	p = params("service", 0);
	p.creds.access_key_id = "";
	ck_assert_int_eq(sigv4_sign(signer, &req, &p, &res, &e), -EINVAL);
	p = params("service", 0);
	req.method = "GET\nX";
	ck_assert_int_eq(sigv4_sign(signer, &req, &p, &res, &e), -EINVAL);
	req.method = "GET";
	req.payload_hash = "abc def";
	ck_assert_int_eq(sigv4_sign(signer, &req, &p, &res, &e), -EINVAL);
	req.payload_hash = NULL;
	p.time = -1;
	ck_assert_int_eq(sigv4_sign(signer, &req, &p, &res, &e), -EINVAL);
	sigv4_signer_free(NULL);
}
END_TEST

START_TEST(many_headers_and_params_sort_like_few)
{
	sigv4_params_t p = params("service", 0);
	sigv4_header_t h[15];
	char names[15][8], query[512] = "";
	int i;

	for (i = 0; i < 15; i++) {
		snprintf(names[i], sizeof(names[i]), "x-%02d", 14 - i);
		h[i] = (sigv4_header_t){ names[i], 4, "v", 1 };
	}
	for (i = 39; i >= 0; i--)
		snprintf(query + strlen(query), sizeof(query) - strlen(query),
			 "%sk%02d=%d", i == 39 ? "" : "&", i, i);
	ck_assert_int_eq(sign_hdrs("GET", "/", query, h, 15, &p), 0);
	ck_assert(!strncmp(cr_line(2), "k00=0&k01=1&k02=2", 17));
	ck_assert_str_eq(cr_line(3), "host:example.amazonaws.com");
	ck_assert_str_eq(cr_line(5), "x-01:v");
	ck_assert_str_eq(cr_line(19), "x-amz-date:20150830T123600Z");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sigv4");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, uri_encode_keeps_only_unreserved_characters);
	tcase_add_test(tc, uri_encode_truncates_but_reports_full_length);
	tcase_add_test(tc, path_dot_segments_and_double_slashes_are_removed);
	tcase_add_test(tc, path_is_encoded_twice_except_for_s3);
	tcase_add_test(tc, s3_and_normalize_off_keep_the_path_shape);
	tcase_add_test(tc, query_is_sorted_by_name_then_value);
	tcase_add_test(tc, query_is_decoded_then_reencoded);
	tcase_add_test(tc, query_empty_pieces_are_dropped_and_equals_kept_in_value);
	tcase_add_test(tc, headers_are_lowercased_trimmed_folded_and_sorted);
	tcase_add_test(tc, unsigned_and_replaced_headers_are_left_out);
	tcase_add_test(tc, header_signing_returns_authorization_and_date);
	tcase_add_test(tc, session_token_is_signed_unless_omitted);
	tcase_add_test(tc, sign_body_adds_content_sha256_and_unsigned_payload_replaces_it);
	tcase_add_test(tc, s3_always_signs_content_sha256);
	tcase_add_test(tc, presign_query_carries_every_auth_field);
	tcase_add_test(tc, presign_query_keeps_the_callers_order_and_encoding);
	tcase_add_test(tc, presign_token_is_signed_or_appended_after_signature);
	tcase_add_test(tc, presign_s3_uses_unsigned_payload);
	tcase_add_test(tc, presign_expiry_out_of_range_is_rejected);
	tcase_add_test(tc, presign_leaves_the_callers_date_header_unsigned);
	tcase_add_test(tc, key_cache_reuses_key_for_same_scope_and_secret);
	tcase_add_test(tc, key_cache_derives_new_key_per_date_region_service_secret);
	tcase_add_test(tc, signature_equals_evp_mac_over_derived_key);
	tcase_add_test(tc, no_output_contains_the_secret_or_signed_token);
	tcase_add_test(tc, bad_input_is_rejected_with_einval);
	tcase_add_test(tc, many_headers_and_params_sort_like_few);
	suite_add_tcase(s, tc);
	return testutil_run(s);
}
