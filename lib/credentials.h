/* credentials — the AWS SDKs' default credential chain, asynchronous on a
 * libuv loop, with cached credentials refreshed ahead of expiry.
 *
 * Chain, first source that is configured wins (a configured source that
 * then fails is an error; the chain does not fall through past it):
 *   1. environment: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
 *      AWS_SESSION_TOKEN — skipped when the caller names a profile in
 *      cred_provider_opts_t.profile, as the CLI's --profile does
 *   2. the profile in the shared files (see profile.h), in this order:
 *      role_arn + source_profile (STS AssumeRole, chained, loops detected)
 *      or + credential_source (Environment, Ec2InstanceMetadata,
 *      EcsContainer),
 *      role_arn + web_identity_token_file (AssumeRoleWithWebIdentity),
 *      aws_access_key_id/aws_secret_access_key(/aws_session_token) in the
 *      credentials file, credential_process (run as /bin/sh -c COMMAND with
 *      the daemon's real environment), the same keys in the config file —
 *      botocore's order
 *   3. AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME);
 *      botocore checks this before the profile's static keys, driftd after
 *      (as its design asks)
 *   4. ECS container: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or
 *      AWS_CONTAINER_CREDENTIALS_FULL_URI, with
 *      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE / _TOKEN
 *   5. EC2 instance metadata (IMDSv2) unless AWS_EC2_METADATA_DISABLED=true;
 *      AWS_EC2_METADATA_SERVICE_ENDPOINT overrides http://169.254.169.254.
 *
 * Network sources go through an injected cred_transport_t, so this module
 * knows nothing of HTTP or SigV4. Error messages name the source (and
 * file:line for the shared files) and never contain a secret. */
#ifndef DRIFTD_CREDENTIALS_H
#define DRIFTD_CREDENTIALS_H

#include <stddef.h>
#include <time.h>
#include <uv.h>

#include "err.h"
#include "profile.h"

#define CRED_KEY_MAX    129
#define CRED_TOKEN_MAX  4096

typedef struct cred {
	char   access_key_id[CRED_KEY_MAX];
	char   secret_access_key[CRED_KEY_MAX];
	char   session_token[CRED_TOKEN_MAX];   /* "" when none */
	time_t expiration;                      /* 0 = does not expire */
	char   source[64];       /* "environment", "assume-role", ... */
} cred_t;

/* Completion of one HTTP request: status is the HTTP status, or 0 with e
 * set when no response arrived. body is valid during the call only. */
typedef void (*cred_http_cb)(void *data, int status, const char *body,
			     size_t len, const err_t *e);

/* Completion of one STS call: cred (source "" — the caller names it) on
 * success, else e with the AWS error code and request id. */
typedef void (*cred_sts_cb)(void *data, const cred_t *cred, const err_t *e);

typedef struct cred_transport {
	void *ctx;
	/* headers: "Name: value" strings, NULL-terminated. Returns 0 when the
	 * callback will be called (never before http returns), else a
	 * negative errno with e set and no callback. */
	int (*http)(void *ctx, const char *method, const char *url,
		    const char *const *headers, const char *body,
		    long timeout_ms, cred_http_cb cb, void *data, err_t *e);
	/* action: "AssumeRole", "AssumeRoleWithWebIdentity". params: name,
	 * value pairs, NULL-terminated. source NULL = unsigned call. Same
	 * return and callback rules as http. */
	int (*sts)(void *ctx, const char *region, const char *action,
		   const char *const *params, const cred_t *source,
		   cred_sts_cb cb, void *data, err_t *e);
} cred_transport_t;

typedef struct cred_provider_opts {
	uv_loop_t        *loop;
	profile_env_t     env;            /* getenv NULL: process environment */
	const char       *profile;        /* NULL: AWS_PROFILE or "default";
					     set: environment keys ignored   */
	const char       *sts_region;     /* NULL: configured region, else
					     us-east-1                       */
	cred_transport_t  transport;
	time_t          (*now)(void *ctx);  /* NULL: time(NULL)             */
	void             *now_ctx;
	int               refresh_window_s; /* 0: 300 — refresh when less
					       than this is left             */
	int               process_timeout_ms; /* 0: 60000 — credential_process
					       is killed (its process group)
					       after this, -ETIMEDOUT       */
} cred_provider_opts_t;

typedef struct cred_provider cred_provider_t;

/* cred is valid during the call only; copy what you keep. */
typedef void (*cred_get_cb)(void *data, const cred_t *cred, const err_t *e);

/* Loads the shared files (a malformed file fails here, with file:line).
 * The caller frees *out with cred_provider_free(). */
int cred_provider_new(const cred_provider_opts_t *opts, cred_provider_t **out,
		      err_t *e);

/* Hands credentials to cb.
 *
 * cb is called SYNCHRONOUSLY, before cred_provider_get returns, when
 * credentials are cached and not yet expired, or when the chain resolves
 * without waiting (environment, static profile) or fails at once (e.g. no
 * source configured). Otherwise cb runs later from the loop. Callers must
 * be ready for both. Cached credentials inside the refresh window are
 * still handed out at once, while a background refresh starts; a timer
 * also starts that refresh on its own. Gets made while a refresh is under
 * way and nothing valid is cached are queued and all completed once, in
 * order, when it ends. Returns 0 (cb will have been or will be called).
 * The refresh timer is unreferenced: it never keeps the loop alive alone. */
int cred_provider_get(cred_provider_t *p, cred_get_cb cb, void *data);

/* Cancels queued gets (their callbacks run now with -ECANCELED) and stops
 * the timer. Memory is released once the timer is closed and any
 * in-flight request or child process has finished, so the loop must keep
 * running; the transport must eventually call back. NULL is a no-op. */
void cred_provider_free(cred_provider_t *p);

/* "AKIA... (source)" — never the secret or the token. Returns buf. */
const char *cred_describe(const cred_t *cred, char *buf, size_t len);

/* Overwrites the secret fields. */
void cred_wipe(cred_t *cred);

/* ISO 8601 UTC as used by STS, ECS, IMDS and credential_process
 * ("2026-11-25T12:00:00Z", fractions and +00:00 allowed). -EINVAL if not. */
int cred_parse_time(const char *s, time_t *out);

/* Marks every descriptor >= lowfd close-on-exec (close_range, else a walk
 * of /proc/self/fd): what credential_process runs inherits only 0-2.
 * 0 or a negative errno. */
int cred_cloexec_from(int lowfd);

/* Fills cred from a JSON credentials document: the ECS/IMDS shape
 * (AccessKeyId, SecretAccessKey, Token, Expiration) or credential_process
 * Version 1 (SessionToken instead of Token, Version required). what names
 * the source in errors; the body never appears in them. */
int cred_from_json(const char *body, size_t len, int process_format,
		   const char *what, cred_t *cred, err_t *e);

#endif
