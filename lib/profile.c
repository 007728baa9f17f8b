#include "profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ini.h"

struct profile {
	profile_env_t env;
	char         *name;
	int           is_explicit;
	ini_t        *config;
	ini_t        *credentials;
};

static const char *env_get(const profile_env_t *env, const char *name)
{
	const char *v = env->getenv ? env->getenv(env->ctx, name)
				    : getenv(name);

	return v && *v ? v : NULL;
}

/* Loads one file, treating a missing one as empty. */
static int load_file(const profile_env_t *env, const char *var,
		     const char *home_rel, ini_t **out, err_t *e)
{
	const char *path = env_get(env, var), *home;
	char buf[4096];
	int rc;

	*out = NULL;
	if (!path) {
		home = env_get(env, "HOME");
		if (!home)
			return 0;
		if ((size_t)snprintf(buf, sizeof(buf), "%s/%s", home,
				     home_rel) >= sizeof(buf))
			return err_set(e, -ENAMETOOLONG,
				       "HOME is too long to locate %s", home_rel);
		path = buf;
	} else if (path[0] == '~' && path[1] == '/' &&
		   (home = env_get(env, "HOME"))) {
		if ((size_t)snprintf(buf, sizeof(buf), "%s%s", home,
				     path + 1) >= sizeof(buf))
			return err_set(e, -ENAMETOOLONG, "%s is too long", var);
		path = buf;
	}
	rc = ini_load(path, out, e);
	if (rc == -ENOENT) {
		err_clear(e);
		return 0;
	}
	return rc;
}

int profile_load(const profile_env_t *env, const char *name, profile_t **out,
		 err_t *e)
{
	static const profile_env_t process_env = { NULL, NULL };
	profile_t *p;
	int rc;

	*out = NULL;
	if (!env)
		env = &process_env;
	p = calloc(1, sizeof(*p));
	if (!p)
		return err_set(e, -ENOMEM, "out of memory");
	p->env = *env;
	p->is_explicit = 1;
	if (!name && !(name = env_get(env, "AWS_PROFILE"))) {
		name = "default";
		p->is_explicit = 0;
	}
	if (!(p->name = strdup(name))) {
		rc = err_set(e, -ENOMEM, "out of memory");
		goto out;
	}
	rc = load_file(env, "AWS_CONFIG_FILE", ".aws/config", &p->config, e);
	if (rc)
		goto out;
	rc = load_file(env, "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials",
		       &p->credentials, e);
	if (rc)
		goto out;
	*out = p;
	p = NULL;
out:
	profile_free(p);
	return rc;
}

void profile_free(profile_t *p)
{
	if (!p)
		return;
	ini_free(p->config);
	ini_free(p->credentials);
	free(p->name);
	free(p);
}

const char *profile_name(const profile_t *p)
{
	return p->name;
}

int profile_explicit(const profile_t *p)
{
	return p->is_explicit;
}

const char *profile_getenv(const profile_t *p, const char *name)
{
	return env_get(&p->env, name);
}

/* The config file names profiles "[profile NAME]"; "[default]" is the one
 * exception (https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html). */
static const char *config_section(const profile_t *p, const char *name,
				  char *buf, size_t len)
{
	snprintf(buf, len, "profile %s", name);
	if (!strcmp(name, "default") && !ini_has_section(p->config, buf))
		return "default";
	return buf;
}

int profile_exists(const profile_t *p, const char *name)
{
	char buf[512];

	return ini_has_section(p->credentials, name) ||
	       ini_has_section(p->config,
			       config_section(p, name, buf, sizeof(buf)));
}

static const char *found(const ini_t *ini, const char *v, const char **file)
{
	if (v && file)
		*file = ini_file(ini);
	return v;
}

const char *profile_get_in(const profile_t *p, profile_file_t which,
			   const char *name, const char *key,
			   const char **file, int *line)
{
	const char *v;
	char buf[512];

	if (!name)
		name = p->name;
	if (which != PROFILE_CONFIG) {
		v = ini_get(p->credentials, name, key, line);
		if (v && *v)
			return found(p->credentials, v, file);
	}
	if (which == PROFILE_CREDENTIALS)
		return NULL;
	v = ini_get(p->config, config_section(p, name, buf, sizeof(buf)), key,
		    line);
	return v && *v ? found(p->config, v, file) : NULL;
}

const char *profile_get(const profile_t *p, const char *name, const char *key,
			const char **file, int *line)
{
	return profile_get_in(p, PROFILE_ANY, name, key, file, line);
}

const char *profile_services_get(const profile_t *p, const char *section,
				 const char *key, const char *subkey,
				 const char **file, int *line)
{
	const char *v;
	char buf[512];

	snprintf(buf, sizeof(buf), "services %s", section);
	v = ini_get_sub(p->config, buf, key, subkey, line);
	return v && *v ? found(p->config, v, file) : NULL;
}

int profile_true(const char *value)
{
	return value && !strcasecmp(value, "true");
}
