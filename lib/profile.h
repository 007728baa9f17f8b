/* profile — the AWS shared configuration an SDK sees: the environment (read
 * through an injectable lookup, so tests never touch the process
 * environment), the config file and the credentials file, and the name of
 * the selected profile.
 *
 * Files: AWS_CONFIG_FILE (default ~/.aws/config, sections "[default]" and
 * "[profile NAME]") and AWS_SHARED_CREDENTIALS_FILE (default
 * ~/.aws/credentials, sections "[NAME]"). Profile: the name passed in, else
 * AWS_PROFILE, else "default". For one key, the credentials file wins over
 * the config file, as in botocore. */
#ifndef DRIFTD_PROFILE_H
#define DRIFTD_PROFILE_H

#include "err.h"

/* Returns the variable's value or NULL; the string must stay valid while
 * the profile_t lives. */
typedef const char *(*profile_getenv_fn)(void *ctx, const char *name);

typedef struct profile_env {
	profile_getenv_fn getenv;   /* NULL: the process environment */
	void             *ctx;
} profile_env_t;

typedef struct profile profile_t;

/* Loads both files. A missing file counts as empty; a malformed one fails
 * with file:line in e. name may be NULL (AWS_PROFILE, else "default").
 * env may be NULL. The caller frees *out with profile_free(). */
int profile_load(const profile_env_t *env, const char *name, profile_t **out,
		 err_t *e);
void profile_free(profile_t *p);

/* The selected profile's name, and whether it was asked for explicitly
 * (argument or AWS_PROFILE) rather than defaulted. */
const char *profile_name(const profile_t *p);
int profile_explicit(const profile_t *p);

/* Environment lookup through the injected function; "" counts as unset. */
const char *profile_getenv(const profile_t *p, const char *name);

/* Non-zero when profile `name` appears in either file. */
int profile_exists(const profile_t *p, const char *name);

/* key in profile `name` (NULL: the selected one); credentials file first.
 * When file/line are not NULL they receive where the value was set. An empty
 * value counts as unset. */
const char *profile_get(const profile_t *p, const char *name, const char *key,
			const char **file, int *line);

typedef enum profile_file {
	PROFILE_ANY,            /* credentials file, then config file */
	PROFILE_CREDENTIALS,
	PROFILE_CONFIG,
} profile_file_t;

/* profile_get restricted to one file. */
const char *profile_get_in(const profile_t *p, profile_file_t which,
			   const char *name, const char *key,
			   const char **file, int *line);

/* subkey under key in the config file's "[services SECTION]". */
const char *profile_services_get(const profile_t *p, const char *section,
				 const char *key, const char *subkey,
				 const char **file, int *line);

/* "true" in any case, as botocore's ensure_boolean. */
int profile_true(const char *value);

#endif
