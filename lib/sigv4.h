/* sigv4 — AWS Signature Version 4 for every request driftd sends.
 *
 * A signer owns its scratch buffers and a small cache of derived signing
 * keys (8 scopes, keyed by a salted SHA-256 of the secret, never the
 * secret itself), so that once warm, signing allocates nothing of its own
 * (OpenSSL 3.0's EVP digest init still does one small malloc per hash). A
 * signer is not thread safe: use one per libuv loop.
 *
 * Reference: "Create a signed AWS API request" and "Authenticating
 * Requests: Using Query Parameters (AWS Signature Version 4)" in the IAM
 * and S3 user guides. */
#ifndef DRIFTD_SIGV4_H
#define DRIFTD_SIGV4_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef struct sigv4_signer sigv4_signer_t;

/* Name/value pair; not NUL-terminated (lengths rule). Repeated names are
 * combined in the order given. */
typedef struct sigv4_header {
	const char *name;
	size_t      name_len;
	const char *value;
	size_t      value_len;
} sigv4_header_t;

typedef struct sigv4_credentials {
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token;       /* NULL or "" when none */
} sigv4_credentials_t;

enum sigv4_flags {
	SIGV4_NO_NORMALIZE       = 1u << 0, /* keep . / .. / // in the path  */
	SIGV4_SIGN_BODY          = 1u << 1, /* add + sign x-amz-content-sha256 */
	SIGV4_OMIT_SESSION_TOKEN = 1u << 2, /* sign without it, add it after  */
	SIGV4_UNSIGNED_PAYLOAD   = 1u << 3, /* payload hash "UNSIGNED-PAYLOAD" */
	SIGV4_PRESIGN            = 1u << 4, /* query-string auth, X-Amz-Expires */
};

#define SIGV4_UNSIGNED_PAYLOAD_HASH "UNSIGNED-PAYLOAD"
#define SIGV4_MAX_EXPIRES 604800         /* seven days, AWS's limit */

/* What is signed. path and query are as they appear on the request line
 * (percent-encoded, query without '?'). */
typedef struct sigv4_request {
	const char           *method;
	const char           *path;
	size_t                path_len;
	const char           *query;
	size_t                query_len;
	const sigv4_header_t *headers;
	size_t                n_headers;
	const void           *body;
	size_t                body_len;
	const char           *payload_hash; /* hex digest or UNSIGNED-PAYLOAD;
					       NULL: hash the body */
} sigv4_request_t;

typedef struct sigv4_params {
	sigv4_credentials_t creds;
	const char         *region;
	const char         *service;       /* signing name; "s3" switches
					       to S3 path rules */
	int64_t             time;          /* unix seconds, UTC */
	unsigned            flags;         /* enum sigv4_flags */
	uint32_t            expires;       /* presign: 1..SIGV4_MAX_EXPIRES */
} sigv4_params_t;

#define SIGV4_MAX_ADD 4

/* Everything a sigv4_sign call produced. All pointers point into the
 * signer (or, for the session token, into the caller's credentials) and
 * stay valid until the next sigv4_sign on the same signer or its free. */
typedef struct sigv4_result {
	const char    *canonical_request;
	size_t         canonical_request_len;
	const char    *string_to_sign;
	size_t         string_to_sign_len;
	char           signature[65];     /* lowercase hex */
	char           amz_date[17];      /* 20150830T123600Z */
	/* Header signing: the headers to add to the request, in this order:
	 * Authorization, X-Amz-Date, X-Amz-Security-Token,
	 * X-Amz-Content-SHA256 (the last two when applicable). */
	sigv4_header_t add[SIGV4_MAX_ADD];
	size_t         n_add;
	/* Presign: the complete query string (no '?') to send instead of the
	 * request's own: the request's query as given, in its order, then
	 * the signing parameters as AWS's SigV4 test suite orders them,
	 * X-Amz-Signature last (but for the session token when
	 * SIGV4_OMIT_SESSION_TOKEN). NULL when not presigning. */
	const char    *query;
	size_t         query_len;
} sigv4_result_t;

/* Returns NULL when out of memory. Free with sigv4_signer_free. */
sigv4_signer_t *sigv4_signer_new(void);
void sigv4_signer_free(sigv4_signer_t *s);

/* Signs req. Returns 0, -EINVAL (bad input, described in e) or -ENOMEM.
 * Never writes the secret key or session token into e. Presigning, the
 * date is the X-Amz-Date query parameter the signer adds: an X-Amz-Date
 * header of req is not signed, and an X-Amz-Date parameter is -EINVAL. */
int sigv4_sign(sigv4_signer_t *s, const sigv4_request_t *req,
	       const sigv4_params_t *p, sigv4_result_t *out, err_t *e);

/* Number of derived-key cache misses since sigv4_signer_new: one key
 * derivation (four HMACs) per miss. For tests and metrics. */
uint64_t sigv4_signer_key_derivations(const sigv4_signer_t *s);

/* Percent-encodes in[0..len) with AWS's unreserved set (A-Z a-z 0-9 - _ .
 * ~), keeping '/' when keep_slash. Writes at most cap-1 bytes and a NUL;
 * returns the full encoded length (like snprintf). */
size_t sigv4_uri_encode(const char *in, size_t len, int keep_slash,
			char *out, size_t cap);

#endif
