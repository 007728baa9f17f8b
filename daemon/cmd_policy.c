/* driftd policy [--account ID] [--partition P] [--env NAME] [--boundary]
 * DIR | --config DIR — prints the least-privilege IAM policy driftd needs
 * for the config (iampolicy.h: per service, writes scoped by ARN and by
 * the driftd:env tag, iam:PassRole only on configured roles, role writes
 * only within driftd's permissions boundary), or with --boundary that
 * boundary, to create as the managed policy driftd-ENV-boundary. Exit 0,
 * 1 when the config does not load, 2 on usage. */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "iampolicy.h"
#include "schema.h"

static int account_ok(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!isdigit((unsigned char)s[n]))
			return 0;
	return n == 12;
}

/* The policy lets driftd create a role only within its boundary: a role
 * in config that names none (or another) would be refused by AWS. A
 * reference or variable is taken as naming it. */
static void warn_roles_without_boundary(const config_t *cfg,
					const iampolicy_opts_t *o)
{
	char *arn = iampolicy_boundary_arn(cfg, o);
	const config_resource_t *r;
	const cJSON *b;
	size_t i;

	for (i = 0; arn && (r = config_resource_at(cfg, i)); i++) {
		if (strcmp(r->service, "iam") || strcmp(r->type, "role"))
			continue;
		b = cJSON_GetObjectItemCaseSensitive(r->body, "PermissionsBoundary");
		if (cJSON_IsString(b) && (strstr(b->valuestring, "${") ||
		    !strcmp(b->valuestring, arn) ||
		    (!o->account && !strncmp(b->valuestring, "arn:", 4) &&
		     strstr(b->valuestring, strrchr(arn, ':')))))
			continue;
		if (cJSON_IsString(b))
			fprintf(stderr, "driftd policy: warning: %s has PermissionsBoundary "
				"%s, not %s; under this policy AWS refuses to create "
				"it\n", r->address, b->valuestring, arn);
		else
			fprintf(stderr, "driftd policy: warning: %s has no "
				"PermissionsBoundary %s; under this policy AWS "
				"refuses to create it\n", r->address, arn);
	}
	free(arn);
}

typedef struct policy_args {
	const char *dir, *account, *partition;
	int boundary;
} policy_args_t;

static const cli_option_t policy_options[] = {
	{ "--config", 1, offsetof(policy_args_t, dir) },
	{ "--account", 1, offsetof(policy_args_t, account) },
	{ "--partition", 1, offsetof(policy_args_t, partition) },
	{ "--boundary", 0, offsetof(policy_args_t, boundary) },
	{ NULL, 0, 0 },
};

int cmd_policy(int argc, char **argv)
{
	static const cli_spec_t spec = {
		CLI_ENV, policy_options, offsetof(policy_args_t, dir),
	};
	policy_args_t a = { NULL, NULL, NULL, 0 };
	iampolicy_opts_t o = { 0 };
	config_errors_t *errs = NULL;
	config_t *cfg = NULL;
	const char *dir, *bad;
	cJSON *doc = NULL;
	char *text = NULL;
	err_t e = { 0 };
	int rc = 1, boundary;
	cli_common_t c;

	if (cli_parse(argc, argv, &spec, &a, &c, &bad) || !a.dir ||
	    (a.account && !account_ok(a.account)))
		goto usage;
	dir = a.dir;
	boundary = a.boundary;
	o.account = a.account;
	o.partition = a.partition;
	o.environment = c.environment;
	if (config_load_with_schema(dir, schema_config(), &cfg, &errs)) {
		if (errs && errs->count)
			cli_print_config_errors(dir, errs);
		else
			fprintf(stderr, "%s: cannot load: out of memory\n", dir);
		goto out;
	}
	if ((boundary ? iampolicy_boundary(&doc, &e) :
	     iampolicy_for_config(cfg, &o, &doc, &e)) || !(text = cJSON_Print(doc))) {
		fprintf(stderr, "driftd policy: %s\n", e.code ? e.message : "out of memory");
		goto out;
	}
	printf("%s\n", text);
	if (!boundary)
		warn_roles_without_boundary(cfg, &o);
	rc = 0;
out:
	free(text);
	cJSON_Delete(doc);
	config_free(cfg);
	config_errors_free(errs);
	return rc;
usage:
	fprintf(stderr, "usage: driftd policy [--account ID] [--partition P] "
		"[--env NAME] [--boundary] DIR | --config DIR\n");
	return 2;
}
