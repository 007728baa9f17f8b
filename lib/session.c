#include "session.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "schema.h"
#include "secret.h"
#include "services.h"

struct session {
	uv_loop_t    *loop;
	config_t     *config;
	aws_client_t *aws;
	journal_t    *journal;
	unsigned char secret_key[SECRET_KEY_LEN]; /* loaded with the journal */
	char         *environment;
	char         *state_dir;
	char          endpoint_buf[1024];
};

/* settings.endpoints {"ec2": URL} act as AWS_ENDPOINT_URL_EC2 would, so a
 * config can point one service elsewhere without touching the unit's
 * environment; a variable set in the environment still wins. */
static const char *session_getenv(void *ctx, const char *name)
{
	session_t *s = ctx;
	const char *v = getenv(name), *suffix;
	const service_def_t *svc;
	const cJSON *url;
	int i;

	if (v || strncmp(name, "AWS_ENDPOINT_URL_", 17))
		return v;
	suffix = name + 17;
	for (i = 0; (svc = service_at(i)); i++) {
		if (strcmp(svc->env_suffix, suffix))
			continue;
		url = cJSON_GetObjectItemCaseSensitive(
			config_settings(s->config)->endpoints, svc->name);
		if (!cJSON_IsString(url))
			return NULL;
		snprintf(s->endpoint_buf, sizeof(s->endpoint_buf), "%s",
			 url->valuestring);
		return s->endpoint_buf;
	}
	return NULL;
}

static char *dir_name_of(const char *dir)
{
	char *copy = strdup(dir), *end, *base;

	if (!copy)
		return NULL;
	end = copy + strlen(copy);
	while (end > copy + 1 && end[-1] == '/')
		*--end = 0;
	base = strrchr(copy, '/');
	base = strdup(base ? base + 1 : copy);
	free(copy);
	return base;
}

int session_open(const session_opts_t *o, session_t **out,
		 config_errors_t **errs, err_t *err)
{
	session_t *s = calloc(1, sizeof(*s));
	const config_settings_t *st;
	int rc;

	*out = NULL;
	if (errs)
		*errs = NULL;
	if (!s)
		return err_set(err, -ENOMEM, "out of memory");
	s->loop = o->loop;
	rc = config_load_with_schema(o->config_dir, schema_config(),
				     &s->config, errs);
	if (rc) {
		err_set(err, rc, "%s: the config has errors", o->config_dir);
		session_close(s);
		return rc;
	}
	/* everything that reports at positions has run (validate, which
	 * also runs estate_check, loads for itself) */
	config_forget_positions(s->config);
	st = config_settings(s->config);
	s->environment = o->environment ? strdup(o->environment) :
			 st->environment ? strdup(st->environment) :
					   dir_name_of(o->config_dir);
	if (o->state_dir)
		s->state_dir = strdup(o->state_dir);
	else if (asprintf(&s->state_dir, "%s/%s", st->state_dir,
			  s->environment ? s->environment : "") < 0)
		s->state_dir = NULL;
	if (!s->environment || !s->state_dir) {
		session_close(s);
		return err_set(err, -ENOMEM, "out of memory");
	}
	*out = s;
	return 0;
}

static void aws_closed(void *data)
{
	(void)data;
}

void session_close(session_t *s)
{
	if (!s)
		return;
	if (s->aws) {
		aws_client_close(s->aws, aws_closed, NULL);
		uv_run(s->loop, UV_RUN_DEFAULT);
	}
	journal_free(s->journal);
	config_free(s->config);
	free(s->environment);
	free(s->state_dir);
	secret_wipe(s->secret_key, sizeof(s->secret_key));
	free(s);
}

typedef struct close_req {
	session_t *s;
	void     (*cb)(void *data);
	void      *data;
} close_req_t;

static void async_closed(void *data)
{
	close_req_t *req = data;

	req->s->aws = NULL;
	session_close(req->s);
	if (req->cb)
		req->cb(req->data);
	free(req);
}

void session_close_async(session_t *s, void (*cb)(void *data), void *data)
{
	close_req_t *req;

	if (s && s->aws && (req = malloc(sizeof(*req)))) {
		req->s = s;
		req->cb = cb;
		req->data = data;
		aws_client_close(s->aws, async_closed, req);
		return;
	}
	/* Without a client nothing waits on the loop; out of memory, the
	 * client is abandoned to the loop's own teardown rather than
	 * run the loop from inside a callback. */
	if (s)
		s->aws = NULL;
	session_close(s);
	if (cb)
		cb(data);
}

const config_t *session_config(const session_t *s)
{
	return s->config;
}

const char *session_environment(const session_t *s)
{
	return s->environment;
}

aws_client_t *session_aws(session_t *s, err_t *err)
{
	aws_options_t o;
	const config_settings_t *st = config_settings(s->config);
	const char *region = st->region;

	if (s->aws)
		return s->aws;
	memset(&o, 0, sizeof(o));
	o.loop = s->loop;
	o.env.getenv = session_getenv;
	o.env.ctx = s;
	o.region = region && *region ? region : NULL;
	o.allow_plain_http = st->allow_plain_http;
	o.credential_process_timeout_ms = st->credential_process_timeout * 1000;
	if (aws_client_new(&o, &s->aws, err))
		return NULL;
	return s->aws;
}

/* mkdir -p, owner only: the journal names every resource driftd makes. */
static int make_dirs(const char *path, err_t *err)
{
	char *copy = strdup(path), *p;

	if (!copy)
		return err_set(err, -ENOMEM, "out of memory");
	for (p = copy + 1; ; p++) {
		if (*p && *p != '/')
			continue;
		char saved = *p;

		*p = 0;
		if (mkdir(copy, 0700) < 0 && errno != EEXIST) {
			int rc = -errno;

			err_set(err, rc, "cannot make state directory %s: %s",
				copy, strerror(-rc));
			free(copy);
			return rc;
		}
		*p = saved;
		if (!saved)
			break;
	}
	free(copy);
	return 0;
}

journal_t *session_journal(session_t *s, err_t *err)
{
	char *path;

	if (s->journal)
		return s->journal;
	if (make_dirs(s->state_dir, err))
		return NULL;
	if (asprintf(&path, "%s/journal", s->state_dir) < 0) {
		err_set(err, -ENOMEM, "out of memory");
		return NULL;
	}
	if (journal_open(path, &s->journal, err))
		s->journal = NULL;
	else if (secret_key_load(s->state_dir, s->secret_key, err)) {
		journal_free(s->journal);
		s->journal = NULL;
	}
	free(path);
	return s->journal;
}

const unsigned char *session_secret_key(const session_t *s)
{
	return s->journal ? s->secret_key : NULL;
}
