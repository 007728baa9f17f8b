#include "secret.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonutil.h"
#include "strbuf.h"

#define MAX_DEPTH 64

/* ---- finding secret members --------------------------------------------- */

/* Called for each secret member found: parent holds item, m says which. */
typedef int (*found_fn)(cJSON *parent, cJSON *item,
			const res_secret_member_t *m, void *ctx);

/* The member at dotted path under obj, and its parent; NULL if absent. */
static cJSON *chain(cJSON *obj, const char *path, cJSON **parent)
{
	char seg[128];
	const char *p = path;
	size_t n;
	cJSON *cur = obj, *next = NULL;

	while (*p) {
		n = strcspn(p, ".");
		if (!cJSON_IsObject(cur) || n >= sizeof(seg))
			return NULL;
		memcpy(seg, p, n);
		seg[n] = 0;
		if (!(next = cJSON_GetObjectItemCaseSensitive(cur, seg)))
			return NULL;
		p += n + (p[n] == '.');
		if (*p)
			cur = next;
	}
	*parent = cur;
	return next;
}

/* Depth-first, members before their children: the order fingerprints
 * depend on. Stops at the first non-zero return. */
static int visit(cJSON *v, const res_secret_member_t *m, found_fn fn,
		 void *ctx, int depth)
{
	const res_secret_member_t *d;
	cJSON *c, *next, *parent, *item;
	int rc;

	if (depth > MAX_DEPTH || (!cJSON_IsObject(v) && !cJSON_IsArray(v)))
		return 0;
	if (cJSON_IsObject(v))
		for (d = m; d->path; d++)
			if ((item = chain(v, d->path, &parent)) &&
			    (rc = fn(parent, item, d, ctx)))
				return rc;
	for (c = v->child; c; c = next) {
		next = c->next;
		if ((rc = visit(c, m, fn, ctx, depth + 1)))
			return rc;
	}
	return 0;
}

static int has_members(const res_attr_t *a)
{
	return a && a->secret_members && a->secret_members[0].path;
}

/* ---- masking ------------------------------------------------------------ */

static int mask_one(cJSON *parent, cJSON *item, const res_secret_member_t *m,
		    void *ctx)
{
	cJSON *s = cJSON_CreateString(SECRET_MASK);

	(void)m;
	if (!s) {
		*(int *)ctx = -ENOMEM;
		return -ENOMEM;
	}
	json_wipe(item);        /* the copy of the secret goes, wiped */
	/* By key: replacing via pointer would drop the member's name. */
	cJSON_ReplaceItemInObjectCaseSensitive(parent, item->string, s);
	return 0;
}

/* Every string in v, at any depth, through secret_mask_url. */
static int mask_urls(cJSON *v, int depth)
{
	cJSON *c;
	char *m;

	if (depth > MAX_DEPTH)
		return 0;
	if (cJSON_IsString(v)) {
		if (!(m = secret_mask_url(v->valuestring)))
			return -ENOMEM;
		if (strcmp(m, v->valuestring)) {
			/* Wiped first: the copy of the token is freed, not
			 * overwritten, when the mask is longer. */
			secret_wipe(v->valuestring, strlen(v->valuestring));
			if (!cJSON_SetValuestring(v, m)) {
				free(m);
				return -ENOMEM;
			}
		}
		free(m);
		return 0;
	}
	for (c = v->child; c; c = c->next)
		if (mask_urls(c, depth + 1))
			return -ENOMEM;
	return 0;
}

cJSON *secret_masked(const res_attr_t *a, const cJSON *v)
{
	cJSON *out;
	int rc = 0;

	if (!v)
		return NULL;
	if (a && (a->flags & RES_SENSITIVE))
		return cJSON_CreateString(SECRET_MASK);
	if (!(out = cJSON_Duplicate(v, 1)))
		return NULL;
	if (has_members(a))
		visit(out, a->secret_members, mask_one, &rc, 0);
	if (!rc && a && (a->flags & RES_SECRET_URL))
		rc = mask_urls(out, 0);
	if (rc) {
		cJSON_Delete(out);
		return NULL;
	}
	return out;
}

static int url_part(CURLU *u, CURLUPart part, char **out)
{
	CURLUcode rc = curl_url_get(u, part, out, 0);

	*out = rc == CURLUE_OK ? *out : NULL;
	return rc == CURLUE_OK || rc == CURLUE_NO_USER ||
	       rc == CURLUE_NO_PASSWORD || rc == CURLUE_NO_OPTIONS ||
	       rc == CURLUE_NO_PORT || rc == CURLUE_NO_QUERY ||
	       rc == CURLUE_NO_FRAGMENT ? 0 : -EINVAL;
}

char *secret_mask_url(const char *text)
{
	CURLU *u;
	char *scheme = NULL, *user = NULL, *pass = NULL, *opts = NULL,
	     *host = NULL, *port = NULL, *path = NULL, *query = NULL,
	     *frag = NULL;
	strbuf_t b = STRBUF_INIT;
	char *out;

	/* Email addresses, phone numbers and ARNs are shown as they are. */
	if (!strstr(text, "://"))
		return strdup(text);
	if (!(u = curl_url()))
		return NULL;
	if (curl_url_set(u, CURLUPART_URL, text, CURLU_NON_SUPPORT_SCHEME) ||
	    url_part(u, CURLUPART_SCHEME, &scheme) ||
	    url_part(u, CURLUPART_USER, &user) ||
	    url_part(u, CURLUPART_PASSWORD, &pass) ||
	    url_part(u, CURLUPART_OPTIONS, &opts) ||
	    url_part(u, CURLUPART_HOST, &host) ||
	    url_part(u, CURLUPART_PORT, &port) ||
	    url_part(u, CURLUPART_PATH, &path) ||
	    url_part(u, CURLUPART_QUERY, &query) ||
	    url_part(u, CURLUPART_FRAGMENT, &frag) || !host) {
		/* Names a scheme but is no URL libcurl reads: all of it. */
		strbuf_add(&b, SECRET_MASK);
	} else {
		strbuf_printf(&b, "%s://%s%s", scheme,
			      user || pass || opts ? SECRET_MASK "@" : "", host);
		if (port)
			strbuf_printf(&b, ":%s", port);
		strbuf_add(&b, path ? path : "/");
		if (query)
			strbuf_add(&b, "?" SECRET_MASK);
		if (frag)
			strbuf_add(&b, "#" SECRET_MASK);
	}
	out = strbuf_take(&b);
	curl_free(scheme);
	if (user)
		secret_wipe(user, strlen(user));
	if (pass)
		secret_wipe(pass, strlen(pass));
	if (query)
		secret_wipe(query, strlen(query));
	curl_free(user);
	curl_free(pass);
	curl_free(opts);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_free(frag);
	curl_url_cleanup(u);
	return out;
}

/* ---- write-only secrets ------------------------------------------------- */

static int strip_one(cJSON *parent, cJSON *item, const res_secret_member_t *m,
		     void *ctx)
{
	(void)m;
	json_delete_wiped(cJSON_DetachItemViaPointer(parent, item));
	++*(int *)ctx;
	return 0;
}

int secret_strip(const res_attr_t *a, cJSON *v)
{
	int n = 0;

	if (has_members(a))
		visit(v, a->secret_members, strip_one, &n, 0);
	return n;
}

static int keep_one(cJSON *parent, cJSON *item, const res_secret_member_t *m,
		    void *ctx)
{
	json_delete_wiped(cJSON_DetachItemViaPointer(parent, item));
	if (m->keep_flag) {
		cJSON_DeleteItemFromObjectCaseSensitive(parent, m->keep_flag);
		if (!cJSON_AddTrueToObject(parent, m->keep_flag))
			return -ENOMEM;
	}
	++*(int *)ctx;
	return 0;
}

int secret_keep_existing(const res_attr_t *a, cJSON *v)
{
	int n = 0, rc = 0;

	if (has_members(a))
		rc = visit(v, a->secret_members, keep_one, &n, 0);
	return rc ? rc : n;
}

typedef struct fp_ctx {
	EVP_MAC_CTX *mac;
	int          found;
} fp_ctx_t;

static int mac_text(EVP_MAC_CTX *mac, const char *s)
{
	/* With its NUL: ("ab","c") and ("a","bc") differ. */
	return EVP_MAC_update(mac, (const unsigned char *)s, strlen(s) + 1) ? 0 : -ENOMEM;
}

static int fp_one(cJSON *parent, cJSON *item, const res_secret_member_t *m,
		  void *ctx)
{
	fp_ctx_t *f = ctx;
	char *text = cJSON_PrintUnformatted(item);
	int rc;

	(void)parent;
	if (!text)
		return -ENOMEM;
	rc = mac_text(f->mac, m->path);
	if (!rc)
		rc = mac_text(f->mac, text);
	secret_wipe(text, strlen(text));
	free(text);
	f->found = 1;
	return rc;
}

/* v is walked, never changed (fp_one only reads): hence the cast. */
int secret_fingerprint(const unsigned char key[SECRET_KEY_LEN],
		       const char *address, const res_attr_t *a,
		       const cJSON *v, char out[SECRET_FP_HEX])
{
	OSSL_PARAM params[2];
	EVP_MAC *hmac = NULL;
	fp_ctx_t f = { NULL, 0 };
	unsigned char md[EVP_MAX_MD_SIZE];
	static const res_secret_member_t whole = { "", NULL };
	size_t n = 0, i;
	int rc = -ENOMEM;

	out[0] = 0;
	/* A RES_SECRET_VALUE attribute's string is a secret as a whole (path
	 * ""); another value of it (a reference not read) is none. */
	if (!v || (a && (a->flags & RES_SECRET_VALUE) ? !cJSON_IsString(v) :
		   !has_members(a)))
		return 0;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!(hmac = EVP_MAC_fetch(NULL, "HMAC", NULL)) ||
	    !(f.mac = EVP_MAC_CTX_new(hmac)) ||
	    !EVP_MAC_init(f.mac, key, SECRET_KEY_LEN, params) ||
	    mac_text(f.mac, address) || mac_text(f.mac, a->name) ||
	    ((a->flags & RES_SECRET_VALUE) ?
	     fp_one(NULL, (cJSON *)v, &whole, &f) :
	     visit((cJSON *)v, a->secret_members, fp_one, &f, 0)) ||
	    !EVP_MAC_final(f.mac, md, &n, sizeof(md)))
		goto out;
	if (f.found)
		for (i = 0; i < n && i < (SECRET_FP_HEX - 1) / 2; i++)
			snprintf(out + 2 * i, 3, "%02x", md[i]);
	rc = f.found;
out:
	EVP_MAC_CTX_free(f.mac);
	EVP_MAC_free(hmac);
	return rc;
}

int secret_check_changed(void *check, const res_attr_t *a, const cJSON *desired)
{
	const secret_check_t *c = check;
	char fp[SECRET_FP_HEX];
	const char *was;

	/* Out of memory counts as changed: the secret is sent again. */
	if (secret_fingerprint(c->key, c->address, a, desired, fp) < 0)
		return 1;
	was = c->recorded ? c->recorded(c->ctx, c->address, a->name) : NULL;
	return !was || strcmp(was, fp);
}

int secret_key_load(const char *state_dir, unsigned char key[SECRET_KEY_LEN],
		    err_t *e)
{
	char path[4096];
	struct stat st;
	ssize_t n;
	int fd, made = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", state_dir,
			     SECRET_KEY_FILE) >= sizeof(path))
		return err_set(e, -ENAMETOOLONG, "%s: path too long", state_dir);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			  0600);
		made = fd >= 0;
	}
	if (fd < 0)
		return err_set(e, -errno, "%s: %s", path, errno == ELOOP ?
			       "is a symbolic link" : strerror(errno));
	if (made) {
		if (RAND_bytes(key, SECRET_KEY_LEN) != 1) {
			close(fd);
			unlink(path);
			return err_set(e, -EIO, "%s: no random bytes", path);
		}
		n = write(fd, key, SECRET_KEY_LEN);
		if (n != SECRET_KEY_LEN || fsync(fd)) {
			close(fd);
			unlink(path);
			secret_wipe(key, SECRET_KEY_LEN);
			return err_set(e, -EIO, "%s: cannot write the key", path);
		}
		close(fd);
		return 0;
	}
	if (fstat(fd, &st)) {
		close(fd);
		return err_set(e, -errno, "%s: %s", path, strerror(errno));
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077) || st.st_size != SECRET_KEY_LEN) {
		close(fd);
		return err_set(e, -EPERM, "%s must be a file of %d bytes owned "
			       "by uid %u with mode 0600", path, SECRET_KEY_LEN,
			       (unsigned)geteuid());
	}
	n = read(fd, key, SECRET_KEY_LEN);
	close(fd);
	if (n != SECRET_KEY_LEN) {
		secret_wipe(key, SECRET_KEY_LEN);
		return err_set(e, -EIO, "%s: short read", path);
	}
	return 0;
}

/* ---- memory ------------------------------------------------------------- */

void secret_wipe(void *p, size_t len)
{
	if (p && len)
		OPENSSL_cleanse(p, len);
}

int secret_harden_process(err_t *e)
{
	struct rlimit none = { 0, 0 };

	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		return err_set(e, -errno, "prctl(PR_SET_DUMPABLE): %s",
			       strerror(errno));
	if (setrlimit(RLIMIT_CORE, &none))
		return err_set(e, -errno, "setrlimit(RLIMIT_CORE): %s",
			       strerror(errno));
	return 0;
}
