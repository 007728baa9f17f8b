/* session — what one driftd invocation (plan, apply, the daemon) works
 * with: the environment's config, checked against the resource tables; an
 * AWS client whose endpoints honour the config's settings.endpoints; and
 * the journal in the state directory. */
#ifndef DRIFTD_SESSION_H
#define DRIFTD_SESSION_H

#include <uv.h>

#include "aws.h"
#include "config.h"
#include "journal.h"

typedef struct session session_t;

typedef struct session_opts {
	uv_loop_t  *loop;
	const char *config_dir;
	const char *state_dir;    /* NULL: settings.state_dir/ENV          */
	const char *environment;  /* NULL: settings.environment, else the
				     config directory's name                */
} session_opts_t;

/* Loads the config. On config errors returns -EINVAL with *errs listing
 * them (file:line:column); other failures set err. *errs, when set, is
 * the caller's (config_errors_free). */
int session_open(const session_opts_t *o, session_t **out,
		 config_errors_t **errs, err_t *err);
/* Closes the AWS client (running the loop until it is closed) and frees
 * everything. NULL is a no-op. */
void session_close(session_t *s);
/* For a caller already inside the loop (the daemon swapping in a reloaded
 * config): starts closing the AWS client, frees everything once it is
 * closed, then calls cb (may be NULL). NULL s: cb runs at once. */
void session_close_async(session_t *s, void (*cb)(void *data), void *data);

const config_t *session_config(const session_t *s);
const char *session_environment(const session_t *s);
/* The AWS client, made on first use. NULL with err set on failure (a
 * malformed shared config file, a bad AWS_MAX_ATTEMPTS). */
aws_client_t *session_aws(session_t *s, err_t *err);
/* The journal (STATE_DIR/journal), opened on first use with the per-host
 * key of write-only secrets' fingerprints (STATE_DIR/secret-hmac.key,
 * secret_key_load: made when missing, refused when not the daemon's
 * alone); the state directory is made (mode 0700) when missing. */
journal_t *session_journal(session_t *s, err_t *err);
/* That key (SECRET_KEY_LEN bytes), for rec_opts_t.secret_key; NULL until
 * session_journal succeeded. */
const unsigned char *session_secret_key(const session_t *s);

#endif
