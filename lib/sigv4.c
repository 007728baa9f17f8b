/* sigv4 — AWS Signature Version 4 (see sigv4.h). */
#include "sigv4.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#define KEY_CACHE_SLOTS 8
#define SCOPE_PART_MAX  64

/* Growable byte buffer with a sticky failure flag, so a sequence of
 * appends needs one check at the end instead of one per append. */
typedef struct buf {
	char  *p;
	size_t len, cap;
	int    failed;
} buf_t;

typedef struct query_param {
	size_t name_off, name_len, value_off, value_len; /* into enc buf */
} query_param_t;

typedef struct canon_header {
	size_t      name_off, name_len;     /* lowercased, into lname buf */
	size_t      order;                  /* position in input: stable sort */
	const char *value;
	size_t      value_len;
} canon_header_t;

typedef struct key_slot {
	unsigned char secret_id[32];  /* SHA-256(salt || secret), never the secret */
	char          date[9];
	char          region[SCOPE_PART_MAX];
	char          service[SCOPE_PART_MAX];
	unsigned char ipad[64], opad[64]; /* signing key ^ 0x36 / ^ 0x5c */
	int           valid;
	uint64_t      used;            /* LRU clock */
} key_slot_t;

struct sigv4_signer {
	EVP_MD       *sha256;
	EVP_MAC      *hmac;
	EVP_MD_CTX   *md;
	EVP_MAC_CTX  *derive;          /* rekeyed for each derivation step */
	unsigned char salt[32];        /* random per signer */
	int64_t       last_time;       /* -1, or the time last_date shows */
	char          last_date[17];
	key_slot_t    slots[KEY_CACHE_SLOTS];
	uint64_t      clock, derivations;
	buf_t         cr, sts, auth, query, scratch, enc, lname, hblock;
	query_param_t *params;
	size_t        params_cap;
	canon_header_t *hdrs;
	size_t        hdrs_cap;
};

/* Services whose canonical URI is the path as sent: no normalization and no
 * second round of encoding, and which want x-amz-content-sha256 on every
 * request ("Signature Calculations for the Authorization Header", S3 API
 * reference). Presigned S3 URLs carry UNSIGNED-PAYLOAD. */
typedef struct name_entry {
	const char *name;
	size_t      len;
} name_entry_t;

#define NAME(s) { s, sizeof(s) - 1 }

static const name_entry_t s3_like_services[] = {
	NAME("s3"), NAME("s3-object-lambda"), NAME("s3-outposts"), { NULL, 0 },
};

/* Headers never signed: they are changed by proxies and HTTP clients
 * (botocore's SIGNED_HEADERS_BLACKLIST) or are the signature itself. */
static const name_entry_t unsigned_headers[] = {
	NAME("authorization"), NAME("expect"), NAME("user-agent"),
	NAME("x-amzn-trace-id"), { NULL, 0 },
};

static const char hexdigits[] = "0123456789abcdef";
static const char HEXDIGITS[] = "0123456789ABCDEF";

static int buf_grow_slow(buf_t *b, size_t extra)
{
	size_t want;
	char *np;

	if (b->failed)
		return -1;
	if (b->len + extra + 1 <= b->cap)
		return 0;
	want = b->cap ? b->cap : 256;
	while (want < b->len + extra + 1) {
		if (want > SIZE_MAX / 2) {
			b->failed = 1;
			return -1;
		}
		want *= 2;
	}
	np = realloc(b->p, want);
	if (!np) {
		b->failed = 1;
		return -1;
	}
	b->p = np;
	b->cap = want;
	return 0;
}

static inline int buf_grow(buf_t *b, size_t extra)
{
	if (__builtin_expect(!b->failed && b->len + extra + 1 <= b->cap, 1))
		return 0;
	return buf_grow_slow(b, extra);
}

static inline void buf_put(buf_t *b, const void *s, size_t n)
{
	if (n == 0 || buf_grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Appends b's own bytes [off, off+n): copied after growing, since growing
 * may move them. */
static void buf_put_self(buf_t *b, size_t off, size_t n)
{
	if (buf_grow(b, n))
		return;
	memcpy(b->p + b->len, b->p + off, n);
	b->len += n;
	b->p[b->len] = '\0';
}

#define buf_lit(b, lit) buf_put(b, lit, sizeof(lit) - 1)

static inline void buf_puts(buf_t *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

static inline void buf_putc(buf_t *b, char c)
{
	if (buf_grow(b, 1))
		return;
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

static void buf_reset(buf_t *b)
{
	b->len = 0;
	b->failed = 0;
	if (b->p)
		b->p[0] = '\0';
}

static inline int is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	       c == '~';
}

static inline int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

static void buf_uri_encode(buf_t *b, const char *in, size_t len, int keep_slash)
{
	size_t i;
	char *o;

	if (buf_grow(b, 3 * len))
		return;
	o = b->p + b->len;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (is_unreserved(c) || (keep_slash && c == '/')) {
			*o++ = (char)c;
		} else {
			*o++ = '%';
			*o++ = HEXDIGITS[c >> 4];
			*o++ = HEXDIGITS[c & 15];
		}
	}
	b->len = (size_t)(o - b->p);
	b->p[b->len] = '\0';
}

size_t sigv4_uri_encode(const char *in, size_t len, int keep_slash,
			char *out, size_t cap)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];
		char enc[3];
		size_t k, m;

		if (is_unreserved(c) || (keep_slash && c == '/')) {
			enc[0] = (char)c;
			m = 1;
		} else {
			enc[0] = '%';
			enc[1] = HEXDIGITS[c >> 4];
			enc[2] = HEXDIGITS[c & 15];
			m = 3;
		}
		for (k = 0; k < m; k++, n++)
			if (cap && n < cap - 1)
				out[n] = enc[k];
	}
	if (cap)
		out[n < cap ? n : cap - 1] = '\0';
	return n;
}

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Appends the percent-decoding of in; a '%' not followed by two hex digits
 * stays literal. '+' is a literal plus, not a space: AWS decodes query
 * strings per RFC 3986, not as HTML forms. */
static void buf_uri_decode(buf_t *b, const char *in, size_t len)
{
	size_t i;
	char *o;

	if (buf_grow(b, len))
		return;
	o = b->p + b->len;
	for (i = 0; i < len; i++) {
		int hi, lo;

		if (in[i] == '%' && i + 2 < len &&
		    (hi = hexval((unsigned char)in[i + 1])) >= 0 &&
		    (lo = hexval((unsigned char)in[i + 2])) >= 0) {
			*o++ = (char)(hi << 4 | lo);
			i += 2;
		} else {
			*o++ = in[i];
		}
	}
	b->len = (size_t)(o - b->p);
	b->p[b->len] = '\0';
}

static void hex_encode(const unsigned char *in, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = in[i];

		*out++ = hexdigits[c >> 4];
		*out++ = hexdigits[c & 15];
	}
	*out = '\0';
	return;
}

static int sha256_hex(sigv4_signer_t *s, const void *data, size_t len,
		      char out[65])
{
	unsigned char d[32];
	unsigned int n = 0;

	if (!EVP_DigestInit_ex(s->md, s->sha256, NULL) ||
	    !EVP_DigestUpdate(s->md, data, len) ||
	    !EVP_DigestFinal_ex(s->md, d, &n) || n != 32)
		return -EIO;
	hex_encode(d, 32, out);
	return 0;
}

static int mac_run(EVP_MAC_CTX *ctx, const void *key, size_t key_len,
		   const void *msg, size_t msg_len, unsigned char out[32])
{
	size_t n = 0;

	if (!EVP_MAC_init(ctx, key, key_len, NULL) ||
	    !EVP_MAC_update(ctx, msg, msg_len) ||
	    !EVP_MAC_final(ctx, out, &n, 32) || n != 32)
		return -EIO;
	return 0;
}

static EVP_MAC_CTX *mac_new(sigv4_signer_t *s, const void *key, size_t len)
{
	OSSL_PARAM params[2];
	EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(s->hmac);

	if (!ctx)
		return NULL;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(ctx, key, len, params)) {
		EVP_MAC_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

sigv4_signer_t *sigv4_signer_new(void)
{
	sigv4_signer_t *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	s->hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	s->md = EVP_MD_CTX_new();
	if (!s->sha256 || !s->hmac || !s->md || RAND_bytes(s->salt, 32) != 1)
		goto fail;
	s->derive = mac_new(s, s->salt, sizeof(s->salt));
	s->last_time = -1;
	if (!s->derive)
		goto fail;
	return s;
fail:
	sigv4_signer_free(s);
	return NULL;
}

void sigv4_signer_free(sigv4_signer_t *s)
{
	if (!s)
		return;
	EVP_MAC_CTX_free(s->derive);
	EVP_MD_CTX_free(s->md);
	EVP_MAC_free(s->hmac);
	EVP_MD_free(s->sha256);
	free(s->cr.p);
	free(s->sts.p);
	free(s->auth.p);
	free(s->query.p);
	free(s->scratch.p);
	free(s->enc.p);
	free(s->lname.p);
	free(s->hblock.p);
	free(s->params);
	free(s->hdrs);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

uint64_t sigv4_signer_key_derivations(const sigv4_signer_t *s)
{
	return s ? s->derivations : 0;
}

/* HMAC-SHA256 (RFC 2104) of msg under the cached signing key, as two
 * SHA-256 passes over the stored pad blocks. EVP_MAC would do the same, but
 * in OpenSSL 3.0 every EVP_MAC_init/final on a keyed context duplicates
 * the digest state with a malloc/free pair, which was a third of the
 * signing hot path. The HMAC is checked against botocore's in the oracle
 * test and against EVP_MAC in test_sigv4. */
static int slot_hmac(sigv4_signer_t *s, const key_slot_t *slot,
		     const void *msg, size_t len, unsigned char out[32])
{
	unsigned char inner[32];
	unsigned int n1 = 0, n2 = 0;

	if (!EVP_DigestInit_ex(s->md, s->sha256, NULL) ||
	    !EVP_DigestUpdate(s->md, slot->ipad, 64) ||
	    !EVP_DigestUpdate(s->md, msg, len) ||
	    !EVP_DigestFinal_ex(s->md, inner, &n1) ||
	    !EVP_DigestInit_ex(s->md, s->sha256, NULL) ||
	    !EVP_DigestUpdate(s->md, slot->opad, 64) ||
	    !EVP_DigestUpdate(s->md, inner, 32) ||
	    !EVP_DigestFinal_ex(s->md, out, &n2) || n1 != 32 || n2 != 32)
		return -EIO;
	return 0;
}

/* Returns the cache slot holding the signing key for this scope,
 * deriving it on a miss (kSecret -> kDate -> kRegion -> kService ->
 * kSigning, "Derive a signing key", IAM user guide). */
static const key_slot_t *signing_key(sigv4_signer_t *s, const char *secret,
				const char *date, const char *region,
				const char *service)
{
	unsigned char id[32], k[32];
	unsigned char *kinit = NULL;
	size_t secret_len = strlen(secret), i;
	key_slot_t *slot = NULL, *victim = &s->slots[0];
	const key_slot_t *found = NULL;
	unsigned int id_len = 0;

	if (!EVP_DigestInit_ex(s->md, s->sha256, NULL) ||
	    !EVP_DigestUpdate(s->md, s->salt, sizeof(s->salt)) ||
	    !EVP_DigestUpdate(s->md, secret, secret_len) ||
	    !EVP_DigestFinal_ex(s->md, id, &id_len) || id_len != 32)
		return NULL;
	for (i = 0; i < KEY_CACHE_SLOTS; i++) {
		key_slot_t *c = &s->slots[i];

		if (c->valid && !memcmp(c->secret_id, id, 32) &&
		    !strcmp(c->date, date) && !strcmp(c->region, region) &&
		    !strcmp(c->service, service)) {
			slot = c;
			break;
		}
		if (victim->valid && (!c->valid || c->used < victim->used))
			victim = c;
	}
	if (slot) {
		slot->used = ++s->clock;
		return slot;
	}

	kinit = malloc(secret_len + 4);
	if (!kinit)
		return NULL;
	memcpy(kinit, "AWS4", 4);
	memcpy(kinit + 4, secret, secret_len);
	if (mac_run(s->derive, kinit, secret_len + 4, date, strlen(date), k) ||
	    mac_run(s->derive, k, 32, region, strlen(region), k) ||
	    mac_run(s->derive, k, 32, service, strlen(service), k) ||
	    mac_run(s->derive, k, 32, "aws4_request", 12, k))
		goto out;
	for (i = 0; i < 64; i++) {
		victim->ipad[i] = (unsigned char)((i < 32 ? k[i] : 0) ^ 0x36);
		victim->opad[i] = (unsigned char)((i < 32 ? k[i] : 0) ^ 0x5c);
	}
	victim->valid = 1;
	memcpy(victim->secret_id, id, 32);
	strcpy(victim->date, date);
	strcpy(victim->region, region);
	strcpy(victim->service, service);
	victim->used = ++s->clock;
	s->derivations++;
	found = victim;
out:
	OPENSSL_cleanse(kinit, secret_len + 4);
	OPENSSL_cleanse(k, sizeof(k));
	free(kinit);
	return found;
}

static int in_table(const name_entry_t *table, const char *s, size_t n)
{
	for (; table->name; table++)
		if (table->len == n && !memcmp(table->name, s, n))
			return 1;
	return 0;
}

/* Canonical URI. With normalization, "." and empty segments go and ".."
 * removes the previous segment (RFC 3986 5.2.4, plus AWS's merging of
 * duplicate slashes); a trailing slash survives. */
static void canonical_path(sigv4_signer_t *s, const char *path, size_t len,
			   int s3_like, int normalize)
{
	buf_t *np = &s->scratch;
	size_t i = 0;

	if (len == 0) {
		buf_putc(&s->cr, '/');
		return;
	}
	if (s3_like) {
		buf_put(&s->cr, path, len);
		return;
	}
	if (!normalize) {
		buf_uri_encode(&s->cr, path, len, 1);
		return;
	}
	buf_reset(np);
	while (i < len) {
		size_t start = i, seg;

		while (i < len && path[i] != '/')
			i++;
		seg = i - start;
		if (i < len)
			i++;
		if (seg == 0 || (seg == 1 && path[start] == '.'))
			continue;
		if (seg == 2 && path[start] == '.' && path[start + 1] == '.') {
			while (np->len > 0 && np->p[np->len - 1] != '/')
				np->len--;
			if (np->len > 0)
				np->len--;
			continue;
		}
		buf_putc(np, '/');
		buf_put(np, path + start, seg);
	}
	if (np->len == 0) {
		buf_putc(&s->cr, '/');
		return;
	}
	if (path[len - 1] == '/')
		buf_putc(np, '/');
	if (np->failed) {
		s->cr.failed = 1;
		return;
	}
	buf_uri_encode(&s->cr, np->p, np->len, 1);
}

static int param_cmp(const void *a, const void *b, void *arg)
{
	const query_param_t *x = a, *y = b;
	const char *base = arg;
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = memcmp(base + x->name_off, base + y->name_off, n);

	if (c || x->name_len != y->name_len)
		return c ? c : (x->name_len < y->name_len ? -1 : 1);
	n = x->value_len < y->value_len ? x->value_len : y->value_len;
	c = memcmp(base + x->value_off, base + y->value_off, n);
	if (c || x->value_len == y->value_len)
		return c;
	return x->value_len < y->value_len ? -1 : 1;
}

/* Stable insertion sort for the handful of elements a request has; qsort_r
 * (glibc's merge sort) for the rest. */
static void sort_items(void *base, size_t n, size_t size,
		       int (*cmp)(const void *, const void *, void *), void *arg)
{
	char *a = base, tmp[64];
	size_t i, j;

	if (n > 16 || size > sizeof(tmp)) {
		qsort_r(base, n, size, cmp, arg);
		return;
	}
	for (i = 1; i < n; i++) {
		memcpy(tmp, a + i * size, size);
		for (j = i; j > 0 && cmp(a + (j - 1) * size, tmp, arg) > 0; j--)
			memcpy(a + j * size, a + (j - 1) * size, size);
		memcpy(a + j * size, tmp, size);
	}
}

/* Makes room for element n in a signer-owned array; arrays only grow, so
 * steady-state signing does not allocate. */
static int array_room(void **arr, size_t *cap, size_t n, size_t size)
{
	size_t want;
	void *na;

	if (n < *cap)
		return 0;
	want = *cap ? 2 * *cap : 16;
	if (want > SIZE_MAX / size || !(na = realloc(*arr, want * size)))
		return -ENOMEM;
	*arr = na;
	*cap = want;
	return 0;
}

static int param_push(sigv4_signer_t *s, size_t *n)
{
	if (array_room((void **)&s->params, &s->params_cap, *n,
		       sizeof(*s->params)))
		return -ENOMEM;
	(*n)++;
	return 0;
}

/* Adds one already-decoded name/value, encoded, to the parameter list. */
static int param_add(sigv4_signer_t *s, size_t *n, const char *name,
		     size_t name_len, const char *value, size_t value_len)
{
	query_param_t *q;

	if (param_push(s, n))
		return -ENOMEM;
	q = &s->params[*n - 1];
	q->name_off = s->enc.len;
	buf_uri_encode(&s->enc, name, name_len, 0);
	q->name_len = s->enc.len - q->name_off;
	q->value_off = s->enc.len;
	buf_uri_encode(&s->enc, value, value_len, 0);
	q->value_len = s->enc.len - q->value_off;
	return s->enc.failed ? -ENOMEM : 0;
}

/* Splits the raw query on '&', decodes each name and value and queues it
 * for re-encoding. Empty pieces ("a=1&&b=2") carry nothing and are
 * dropped; a key without '=' has an empty value. */
static int query_collect(sigv4_signer_t *s, const char *q, size_t len,
			 size_t *n)
{
	size_t i = 0;

	while (i < len) {
		size_t start = i, eq = (size_t)-1, dn, dv;

		while (i < len && q[i] != '&') {
			if (q[i] == '=' && eq == (size_t)-1)
				eq = i;
			i++;
		}
		if (i > start) {
			size_t name_end = eq == (size_t)-1 ? i : eq;
			size_t val_start = eq == (size_t)-1 ? i : eq + 1;

			buf_reset(&s->scratch);
			buf_uri_decode(&s->scratch, q + start, name_end - start);
			dn = s->scratch.len;
			buf_uri_decode(&s->scratch, q + val_start, i - val_start);
			dv = s->scratch.len - dn;
			if (s->scratch.failed ||
			    param_add(s, n, s->scratch.p, dn, s->scratch.p + dn, dv))
				return -ENOMEM;
		}
		i++;
	}
	return 0;
}

static void query_emit(sigv4_signer_t *s, buf_t *out, size_t n)
{
	size_t i;

	sort_items(s->params, n, sizeof(*s->params), param_cmp, s->enc.p);
	for (i = 0; i < n; i++) {
		const query_param_t *q = &s->params[i];

		if (i)
			buf_putc(out, '&');
		buf_put(out, s->enc.p + q->name_off, q->name_len);
		buf_putc(out, '=');
		buf_put(out, s->enc.p + q->value_off, q->value_len);
	}
}

static int header_cmp(const void *a, const void *b, void *arg)
{
	const canon_header_t *x = a, *y = b;
	const char *base = arg;
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = memcmp(base + x->name_off, base + y->name_off, n);

	if (c)
		return c;
	if (x->name_len != y->name_len)
		return x->name_len < y->name_len ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

static int header_add(sigv4_signer_t *s, size_t *n, const char *lname,
		      size_t lname_len, const char *value, size_t value_len)
{
	canon_header_t *h;

	if (array_room((void **)&s->hdrs, &s->hdrs_cap, *n, sizeof(*s->hdrs)))
		return -ENOMEM;
	h = &s->hdrs[(*n)++];
	h->name_off = s->lname.len;
	buf_put(&s->lname, lname, lname_len);
	h->name_len = lname_len;
	h->order = *n;
	h->value = value;
	h->value_len = value_len;
	return s->lname.failed ? -ENOMEM : 0;
}

/* Trimall from the SigV4 spec: strip the ends and fold every run of
 * whitespace (including the line breaks of folded values) to one space. */
static void put_trimmed(buf_t *b, const char *v, size_t len)
{
	const char *end = v + len;
	char *o;

	if (buf_grow(b, len))
		return;
	o = b->p + b->len;
	while (v < end && is_space((unsigned char)*v))
		v++;
	while (end > v && is_space((unsigned char)end[-1]))
		end--;
	while (v < end) {
		if (is_space((unsigned char)*v)) {
			while (is_space((unsigned char)*v))
				v++;
			*o++ = ' ';
		}
		*o++ = *v++;
	}
	*o = '\0';
	b->len = (size_t)(o - b->p);
}

/* Lowercases and trims the input header names, drops the ones we never
 * sign or replace with our own, and adds ours. */
static int headers_collect(sigv4_signer_t *s, const sigv4_request_t *req,
			   const name_entry_t *replaced, const sigv4_header_t *extra,
			   size_t n_extra, size_t *n)
{
	char lower[128];
	size_t i, j;

	for (i = 0; i < req->n_headers; i++) {
		const sigv4_header_t *h = &req->headers[i];
		const char *nm = h->name;
		size_t len = h->name_len;
		char *l;

		while (len && is_space((unsigned char)*nm))
			nm++, len--;
		while (len && is_space((unsigned char)nm[len - 1]))
			len--;
		if (len == 0)
			continue;
		l = len <= sizeof(lower) ? lower : NULL;
		if (!l) {
			/* No header worth skipping is that long. */
			if (header_add(s, n, nm, len, h->value, h->value_len))
				return -ENOMEM;
			l = s->lname.p + s->hdrs[*n - 1].name_off;
			for (j = 0; j < len; j++)
				if (l[j] >= 'A' && l[j] <= 'Z')
					l[j] = (char)(l[j] + 32);
			continue;
		}
		for (j = 0; j < len; j++)
			l[j] = (nm[j] >= 'A' && nm[j] <= 'Z') ? (char)(nm[j] + 32)
							      : nm[j];
		if (in_table(unsigned_headers, l, len) ||
		    in_table(replaced, l, len))
			continue;
		if (header_add(s, n, l, len, h->value, h->value_len))
			return -ENOMEM;
	}
	for (i = 0; i < n_extra; i++)
		if (header_add(s, n, extra[i].name, extra[i].name_len,
			       extra[i].value, extra[i].value_len))
			return -ENOMEM;
	return 0;
}

/* Writes "name:v1,v2\n" lines into lines and "name;name" into names. */
static void headers_emit(sigv4_signer_t *s, size_t n, buf_t *lines,
			 buf_t *signed_names)
{
	size_t i = 0;

	sort_items(s->hdrs, n, sizeof(*s->hdrs), header_cmp, s->lname.p);
	while (i < n) {
		const canon_header_t *h = &s->hdrs[i];
		const char *name = s->lname.p + h->name_off;
		size_t j = i;

		buf_put(lines, name, h->name_len);
		buf_putc(lines, ':');
		if (signed_names->len)
			buf_putc(signed_names, ';');
		buf_put(signed_names, name, h->name_len);
		for (; j < n && s->hdrs[j].name_len == h->name_len &&
		       !memcmp(s->lname.p + s->hdrs[j].name_off, name,
			       h->name_len); j++) {
			if (j > i)
				buf_putc(lines, ',');
			put_trimmed(lines, s->hdrs[j].value, s->hdrs[j].value_len);
		}
		buf_putc(lines, '\n');
		i = j;
	}
}

static int is_s3_like(const char *service)
{
	return in_table(s3_like_services, service, strlen(service));
}

/* A field that becomes one line of the canonical request: printable,
 * no spaces. */
static int is_token(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v <= ' ' || *v == 0x7f)
			return 0;
	return 1;
}

/* 1 when the query of a request to presign already has an X-Amz-Date
 * parameter: the signer adds its own, and two need not agree. The AWS CRT
 * signer refuses it too (aws-c-auth's aws_signing.c, s_forbidden_params). */
static int presign_query_has_date(const sigv4_request_t *req)
{
	const char *q = req->query, *end = req->query + req->query_len;

	for (; q && q < end; q++)
		if ((q == req->query || q[-1] == '&') &&
		    (size_t)(end - q) >= 10 && !memcmp(q, "X-Amz-Date", 10) &&
		    (q + 10 == end || q[10] == '=' || q[10] == '&'))
			return 1;
	return 0;
}

static int check_params(const sigv4_request_t *req, const sigv4_params_t *p,
			err_t *e)
{
	size_t rl, sl;

	if (!req || !p || !req->method || !*req->method)
		return err_set(e, -EINVAL, "sigv4: request has no method");
	if (!is_token(req->method) ||
	    (req->payload_hash && (!*req->payload_hash ||
				   !is_token(req->payload_hash))))
		return err_set(e, -EINVAL,
			       "sigv4: method or payload hash has spaces or control characters");
	if (!p->creds.access_key_id || !*p->creds.access_key_id ||
	    !p->creds.secret_access_key)
		return err_set(e, -EINVAL, "sigv4: credentials are incomplete");
	if (!p->region || !p->service)
		return err_set(e, -EINVAL, "sigv4: region or service missing");
	rl = strlen(p->region);
	sl = strlen(p->service);
	if (!rl || rl >= SCOPE_PART_MAX || !sl || sl >= SCOPE_PART_MAX ||
	    strpbrk(p->region, "/ \t\r\n") || strpbrk(p->service, "/ \t\r\n"))
		return err_set(e, -EINVAL,
			       "sigv4: region or service is empty, too long or has '/' or spaces");
	if ((req->path_len && !req->path) || (req->query_len && !req->query) ||
	    (req->n_headers && !req->headers) || (req->body_len && !req->body))
		return err_set(e, -EINVAL, "sigv4: request field length without data");
	if (p->time < 0 || p->time > 253402300799LL) /* 9999-12-31 */
		return err_set(e, -EINVAL, "sigv4: time %lld is out of range",
			       (long long)p->time);
	if ((p->flags & SIGV4_PRESIGN) &&
	    (p->expires < 1 || p->expires > SIGV4_MAX_EXPIRES))
		return err_set(e, -EINVAL,
			       "sigv4: X-Amz-Expires must be 1..%d seconds, not %u",
			       SIGV4_MAX_EXPIRES, (unsigned)p->expires);
	if ((p->flags & SIGV4_PRESIGN) && presign_query_has_date(req))
		return err_set(e, -EINVAL,
			       "sigv4: a presigned request takes its X-Amz-Date "
			       "query parameter from the signer; remove the "
			       "caller's");
	return 0;
}

static int format_date(int64_t t, char out[17], err_t *e)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (!gmtime_r(&tt, &tm))
		return err_set(e, -EINVAL, "sigv4: time %lld is out of range",
			       (long long)t);
	if (strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm) != 16)
		return err_set(e, -EINVAL, "sigv4: time %lld is out of range",
			       (long long)t);
	return 0;
}

#define HDR(n, v) { n, sizeof(n) - 1, v, strlen(v) }

/* "20150830/us-east-1/iam/aws4_request", the credential scope. */
static void put_scope(buf_t *b, const char *amz_date, const sigv4_params_t *p)
{
	buf_put(b, amz_date, 8);
	buf_putc(b, '/');
	buf_puts(b, p->region);
	buf_putc(b, '/');
	buf_puts(b, p->service);
	buf_lit(b, "/aws4_request");
}

/* The X-Amz-* parameters a presigned URL signs ("Authenticating Requests:
 * Using Query Parameters", S3 API reference). s->auth already holds the
 * signed header names. token is NULL when it is not signed. */
static int presign_params(sigv4_signer_t *s, const sigv4_params_t *p,
			  const char *amz_date, const char *token, size_t *n)
{
	char expires[16];
	buf_t *cred = &s->query;   /* unused until the query is emitted */
	int rc;

	buf_puts(cred, p->creds.access_key_id);
	buf_putc(cred, '/');
	put_scope(cred, amz_date, p);
	snprintf(expires, sizeof(expires), "%u", (unsigned)p->expires);
	rc = cred->failed || s->auth.failed ||
	     param_add(s, n, "X-Amz-Algorithm", 15, "AWS4-HMAC-SHA256", 16) ||
	     param_add(s, n, "X-Amz-Credential", 16, cred->p, cred->len) ||
	     param_add(s, n, "X-Amz-Date", 10, amz_date, 16) ||
	     param_add(s, n, "X-Amz-Expires", 13, expires, strlen(expires)) ||
	     param_add(s, n, "X-Amz-SignedHeaders", 19, s->auth.p, s->auth.len) ||
	     (token && param_add(s, n, "X-Amz-Security-Token", 20, token,
				 strlen(token)));
	buf_reset(cred);
	return rc ? -ENOMEM : 0;
}

/* The query a presigned request sends: the caller's as given, then the
 * signing parameters in the order AWS's SigV4 test suite shows them (its
 * query-signed-request.txt files): algorithm, credential, date, signed
 * headers, expiry, a signed session token, the signature, and last a
 * session token that is not signed. s->auth holds the signed header
 * names. */
static int finish_presign(sigv4_signer_t *s, sigv4_result_t *out,
			  const sigv4_request_t *req, const sigv4_params_t *p,
			  const char *token, int sign_token)
{
	buf_t *q = &s->query, *cred = &s->scratch;
	char expires[16];

	buf_reset(q);
	buf_reset(cred);
	buf_puts(cred, p->creds.access_key_id);
	buf_putc(cred, '/');
	put_scope(cred, out->amz_date, p);
	snprintf(expires, sizeof(expires), "%u", (unsigned)p->expires);
	buf_put(q, req->query ? req->query : "", req->query_len);
	if (req->query_len)
		buf_putc(q, '&');
	buf_lit(q, "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=");
	buf_uri_encode(q, cred->p, cred->len, 0);
	buf_lit(q, "&X-Amz-Date=");
	buf_put(q, out->amz_date, 16);
	buf_lit(q, "&X-Amz-SignedHeaders=");
	buf_uri_encode(q, s->auth.p, s->auth.len, 0);
	buf_lit(q, "&X-Amz-Expires=");
	buf_puts(q, expires);
	if (token && sign_token) {
		buf_lit(q, "&X-Amz-Security-Token=");
		buf_uri_encode(q, token, strlen(token), 0);
	}
	buf_lit(q, "&X-Amz-Signature=");
	buf_put(q, out->signature, 64);
	if (token && !sign_token) {
		buf_lit(q, "&X-Amz-Security-Token=");
		buf_uri_encode(q, token, strlen(token), 0);
	}
	if (q->failed || cred->failed)
		return -ENOMEM;
	out->query = q->p;
	out->query_len = q->len;
	return 0;
}

/* Fills out->add. s->auth holds the signed header names; the
 * Authorization value is built after them. content_hash is NULL when no
 * x-amz-content-sha256 header is sent; otherwise it is the tail of the
 * canonical request, which outlives the caller's stack. */
static int finish_headers(sigv4_signer_t *s, sigv4_result_t *out,
			  const sigv4_params_t *p, const char *token,
			  const char *content_hash)
{
	size_t names_len = s->auth.len;

	buf_lit(&s->auth, "AWS4-HMAC-SHA256 Credential=");
	buf_puts(&s->auth, p->creds.access_key_id);
	buf_putc(&s->auth, '/');
	put_scope(&s->auth, out->amz_date, p);
	buf_lit(&s->auth, ", SignedHeaders=");
	buf_put_self(&s->auth, 0, names_len);
	buf_lit(&s->auth, ", Signature=");
	buf_put(&s->auth, out->signature, 64);
	if (s->auth.failed)
		return -ENOMEM;
	out->add[out->n_add++] = (sigv4_header_t){
		"Authorization", 13, s->auth.p + names_len,
		s->auth.len - names_len };
	out->add[out->n_add++] =
		(sigv4_header_t){ "X-Amz-Date", 10, out->amz_date, 16 };
	if (token)
		out->add[out->n_add++] =
			(sigv4_header_t)HDR("X-Amz-Security-Token", token);
	if (content_hash) {
		size_t len = strlen(content_hash);

		out->add[out->n_add++] = (sigv4_header_t){
			"X-Amz-Content-SHA256", 20,
			s->cr.p + s->cr.len - len, len };
	}
	return 0;
}

int sigv4_sign(sigv4_signer_t *s, const sigv4_request_t *req,
	       const sigv4_params_t *p, sigv4_result_t *out, err_t *e)
{
	/* Input headers the signer sets itself (botocore replaces them too). */
	static const name_entry_t replaced_hdr[] = {
		NAME("x-amz-date"), NAME("x-amz-security-token"),
		NAME("x-amz-content-sha256"), { NULL, 0 },
	};
	/* Presigning, the date is a query parameter: a caller's X-Amz-Date
	 * header is left out of the signature (and on the request), as in
	 * AWS's SigV4 test suite (aws-c-auth tests/aws-signing-test-suite/v4,
	 * get-header-value-multiline/query-signed-request.txt: SignedHeaders
	 * host;my-header1 for a request with an X-Amz-Date header). botocore's
	 * SigV4QueryAuth signs it, beside a query date that need not agree. */
	static const name_entry_t replaced_presign[] = {
		NAME("x-amz-date"), { NULL, 0 },
	};
	const char *token, *payload;
	char payload_buf[65], cr_hash[65], date[9];
	sigv4_header_t extra[3];
	size_t n_extra = 0, n_params = 0, n_hdrs = 0;
	unsigned char sig[32];
	const key_slot_t *key;
	int rc, presign, s3, sign_token, content_hdr;

	if (!s || !out)
		return err_set(e, -EINVAL, "sigv4: no signer or result");
	rc = check_params(req, p, e);
	if (rc)
		return rc;
	out->n_add = 0;
	out->query = NULL;
	out->query_len = 0;
	if (p->time != s->last_time) {
		rc = format_date(p->time, s->last_date, e);
		if (rc)
			return rc;
		s->last_time = p->time;
	}
	memcpy(out->amz_date, s->last_date, sizeof(out->amz_date));
	memcpy(date, out->amz_date, 8);
	date[8] = '\0';

	presign = !!(p->flags & SIGV4_PRESIGN);
	s3 = is_s3_like(p->service);
	token = p->creds.session_token && *p->creds.session_token
			? p->creds.session_token : NULL;
	sign_token = token && !(p->flags & SIGV4_OMIT_SESSION_TOKEN);
	content_hdr = !presign && ((p->flags & SIGV4_SIGN_BODY) || s3);

	if (req->payload_hash) {
		payload = req->payload_hash;
	} else if ((p->flags & SIGV4_UNSIGNED_PAYLOAD) || (presign && s3)) {
		payload = SIGV4_UNSIGNED_PAYLOAD_HASH;
	} else {
		if (sha256_hex(s, req->body ? req->body : "", req->body_len,
			       payload_buf))
			return err_set(e, -EIO, "sigv4: SHA-256 failed");
		payload = payload_buf;
	}

	buf_reset(&s->cr);
	buf_reset(&s->sts);
	buf_reset(&s->auth);
	buf_reset(&s->query);
	buf_reset(&s->enc);
	buf_reset(&s->lname);

	if (!presign) {
		extra[n_extra++] = (sigv4_header_t)HDR("x-amz-date", out->amz_date);
		if (sign_token)
			extra[n_extra++] =
				(sigv4_header_t)HDR("x-amz-security-token", token);
		if (content_hdr)
			extra[n_extra++] =
				(sigv4_header_t)HDR("x-amz-content-sha256", payload);
	}
	rc = headers_collect(s, req, presign ? replaced_presign : replaced_hdr,
			     extra, n_extra, &n_hdrs);
	if (rc)
		goto nomem;

	/* Method and path. */
	buf_puts(&s->cr, req->method);
	buf_putc(&s->cr, '\n');
	canonical_path(s, req->path, req->path_len, s3,
		       !(p->flags & SIGV4_NO_NORMALIZE));
	buf_putc(&s->cr, '\n');

	/* Headers before the query: a presigned query carries the list of
	 * signed header names. */
	buf_reset(&s->hblock);
	headers_emit(s, n_hdrs, &s->hblock, &s->auth);

	rc = query_collect(s, req->query, req->query_len, &n_params);
	if (rc || (presign && presign_params(s, p, out->amz_date,
					     sign_token ? token : NULL,
					     &n_params)))
		goto nomem;
	query_emit(s, &s->cr, n_params);
	buf_putc(&s->cr, '\n');
	buf_put(&s->cr, s->hblock.p, s->hblock.len);
	buf_putc(&s->cr, '\n');
	buf_put(&s->cr, s->auth.p, s->auth.len);
	buf_putc(&s->cr, '\n');
	buf_puts(&s->cr, payload);
	if (s->cr.failed || s->hblock.failed || s->auth.failed)
		goto nomem;

	if (sha256_hex(s, s->cr.p, s->cr.len, cr_hash))
		return err_set(e, -EIO, "sigv4: SHA-256 failed");
	buf_lit(&s->sts, "AWS4-HMAC-SHA256\n");
	buf_put(&s->sts, out->amz_date, 16);
	buf_putc(&s->sts, '\n');
	put_scope(&s->sts, out->amz_date, p);
	buf_putc(&s->sts, '\n');
	buf_put(&s->sts, cr_hash, 64);
	if (s->sts.failed)
		goto nomem;

	key = signing_key(s, p->creds.secret_access_key, date, p->region,
			  p->service);
	if (!key)
		return err_set(e, -ENOMEM, "sigv4: deriving the signing key failed");
	if (slot_hmac(s, key, s->sts.p, s->sts.len, sig))
		return err_set(e, -EIO, "sigv4: HMAC-SHA256 failed");
	hex_encode(sig, 32, out->signature);

	out->canonical_request = s->cr.p;
	out->canonical_request_len = s->cr.len;
	out->string_to_sign = s->sts.p;
	out->string_to_sign_len = s->sts.len;
	if (presign ? finish_presign(s, out, req, p, token, sign_token)
		    : finish_headers(s, out, p, token, content_hdr ? payload : NULL))
		goto nomem;
	return 0;
nomem:
	return err_set(e, -ENOMEM, "sigv4: out of memory");
}
