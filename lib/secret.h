/* secret — what driftd does so that secrets stay secret: masking values
 * wherever they are shown, keyed fingerprints of write-only secrets, the
 * per-host fingerprint key, and the process's own memory.
 *
 * Masking. A value is shown (plan text, --json, the log, SNS alert bodies,
 * `driftd drift`) only through secret_masked: a RES_SENSITIVE attribute is
 * SECRET_MASK as a whole; the table's secret_members (restable.h) are
 * replaced by SECRET_MASK at any depth of a structured value; a
 * RES_SECRET_URL attribute keeps scheme, host, port and path of a URL and
 * masks its userinfo, query and fragment (an HTTPS webhook's key), the URL
 * parsed by libcurl's URL API.
 *
 * Write-only secrets. AWS never returns an ALB's OIDC ClientSecret, so it
 * cannot be compared with live state. The engine compares instead a keyed
 * fingerprint, HMAC-SHA256 under a random per-host key kept in the state
 * directory (never the secret, nor a plain hash an attacker could test
 * guesses against), that it records in the journal after each successful
 * write:
 *   1-2. diff_opts_t.secret_changed (diff.h; secret_check_changed is a
 *      ready one, given the journal's lookup): diff then strips the secret
 *      members from both sides (no perpetual drift from a member live never
 *      has) and asks the engine, which compares secret_fingerprint(desired)
 *      with the journal's record for (address, attribute): when it differs
 *      the attribute is a change to send whole, and the new fingerprint is
 *      journaled once the write succeeds;
 *   3. when the attribute is sent for another reason and the fingerprint
 *      is unchanged, secret_keep_existing turns each secret member into its
 *      keep_flag, so the secret itself is sent only when it changed.
 *
 * Memory. secret_harden_process makes the process undumpable (no core
 * dump, no ptrace by the same user, /proc/PID/mem and environ unreadable
 * to it) and its core limit 0; buffers that held a secret are wiped with
 * secret_wipe (OPENSSL_cleanse, which the compiler cannot elide). */
#ifndef DRIFTD_SECRET_H
#define DRIFTD_SECRET_H

#include <stddef.h>

#include <cJSON.h>

#include "err.h"
#include "restable.h"

#define SECRET_MASK "(sensitive value)"
#define SECRET_KEY_LEN 32
#define SECRET_KEY_FILE "secret-hmac.key"
#define SECRET_FP_HEX 65      /* 64 hex digits and NUL */

/* A new tree to show in place of v (NULL for NULL, or out of memory). */
cJSON *secret_masked(const res_attr_t *a, const cJSON *v);

/* text with its userinfo, query and fragment replaced by SECRET_MASK when
 * it is an http(s) URL; other text unchanged; text that names a scheme
 * but does not parse, all masked. malloc'd; NULL when out of memory. */
char *secret_mask_url(const char *text);

/* Removes a's secret members from v in place; how many were removed. */
int secret_strip(const res_attr_t *a, cJSON *v);

/* Each secret member of v replaced by its keep_flag = true (members with
 * no keep_flag are removed). How many were replaced. */
int secret_keep_existing(const res_attr_t *a, cJSON *v);

/* HMAC-SHA256 under key of (address, a->name, every secret member of v in
 * document order: its path and value) as lower-case hex into out. 1 when v
 * holds a secret member, 0 when it holds none (out ""), -ENOMEM. A
 * RES_SECRET_VALUE attribute's string value is one member, path "". */
int secret_fingerprint(const unsigned char key[SECRET_KEY_LEN],
		       const char *address, const res_attr_t *a,
		       const cJSON *v, char out[SECRET_FP_HEX]);

/* A ready diff_opts_t.secret_changed (diff.h) for one resource: ctx is a
 * secret_check_t. The secret changed when the fingerprint of desired
 * differs from the one recorded (journaled after the last successful
 * write of the attribute; NULL when none was, which is a change). */
typedef struct secret_check {
	const unsigned char *key;          /* SECRET_KEY_LEN bytes */
	const char          *address;
	const char        *(*recorded)(void *ctx, const char *address,
				      const char *attribute);
	void                *ctx;
} secret_check_t;

int secret_check_changed(void *check, const res_attr_t *a, const cJSON *desired);

/* The per-host fingerprint key, STATE_DIR/SECRET_KEY_FILE: made with 32
 * random bytes (mode 0600, O_EXCL) when missing; refused when it is a
 * symlink, not a regular file of SECRET_KEY_LEN bytes, not owned by the
 * effective user, or readable by group or others. */
int secret_key_load(const char *state_dir, unsigned char key[SECRET_KEY_LEN],
		    err_t *e);

void secret_wipe(void *p, size_t len);

/* prctl(PR_SET_DUMPABLE, 0) and RLIMIT_CORE 0; 0 or a negative errno. */
int secret_harden_process(err_t *e);

#endif
