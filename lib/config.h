/* config — driftd's desired state: one directory per environment, every
 * *.json in it (sorted by name), JSON with comments (see jsonc.h).
 *
 * Top-level keys of a file:
 *   include    [paths]        files or directories (their *.json, sorted),
 *                             relative to the including file, inside
 *                             the config root (trust.h)
 *   variables  {name: any}    used as ${var.name}
 *   settings   {...}          driftd's own (table in config.c)
 *   resources  {address: {}}  address = service.type.name, lower_snake
 *
 * Precedence: a file's includes load before it. A variable or setting
 * defined in a file closer to the environment directory (fewer include
 * steps; the directory's own files are step 0) overrides one from farther
 * away; two definitions at the same distance are an error. Resources are
 * never overridden: an address defined twice is an error.
 *
 * Strings interpolate ${var.name} (a string that is exactly one ${var.x}
 * takes the variable's JSON type), ${file("path")} (the file's text, path
 * relative to the config file and inside the config root, read at load),
 * references
 * ${service.type.name.Attribute} (kept as written and listed as references;
 * resolved at apply time by config_resolve), and $${ for a literal ${.
 * Variable values themselves are not interpolated. Object keys inside a
 * value interpolate the same way, always as text (a variable or attribute
 * in a key must have a text form); a key that becomes equal to a sibling's
 * is an error, at load or at config_resolve.
 *
 * Every file and directory loading reads, and each directory on the way
 * from the config root, must be trusted (trust.h): owned by root or
 * driftd's user, writable by no one else, links followed only to targets
 * that pass the same. An include or file() naming a path outside the
 * config root is an error at its position.
 *
 * Loading collects every error it finds, each with file:line:column. */
#ifndef DRIFTD_CONFIG_H
#define DRIFTD_CONFIG_H

#include <stddef.h>
#include <cJSON.h>

#include "err.h"
#include "graph.h"
#include "jsonc.h"

#define CONFIG_MAX_ERRORS 1000

typedef jsonc_pos_t config_pos_t;
typedef struct config config_t;

typedef struct config_errors {
	err_t *items;                /* sorted by file, line, column */
	size_t count, cap;
	int truncated;               /* more than CONFIG_MAX_ERRORS */
	/* What config may say but driftd cannot vouch for (an enum value
	 * newer than AWS's model as driftd was built): reported, never a
	 * reason to refuse the config. Sorted the same way; at most
	 * CONFIG_MAX_ERRORS, then truncated is set too. */
	err_t *warnings;
	size_t nwarnings, wcap;
} config_errors_t;

typedef enum config_mode {
	CONFIG_MODE_ENFORCE,
	CONFIG_MODE_OBSERVE,
} config_mode_t;

typedef enum config_ensure {
	CONFIG_ENSURE_PRESENT,
	CONFIG_ENSURE_ABSENT,
} config_ensure_t;

typedef struct config_ref {
	char *address;               /* "rds.db_instance.main" */
	char *attribute;             /* "Endpoint.Address"; NULL for a
				      * depends_on entry; in address's
				      * allocation */
	const cJSON *node;           /* string in the body that holds it, or
				      * the member whose key holds it */
	int in_key;                  /* in node's key, not its value */
	int whole;                   /* the string is exactly this reference:
				      * it takes the attribute's JSON type */
	config_pos_t pos;
} config_ref_t;

typedef struct config_policy {
	config_mode_t mode;          /* settings.mode unless set here */
	char **ignore;               /* property paths */
	size_t nignore;
	int prevent_destroy;
	int allow_replace;
} config_policy_t;

typedef struct config_resource {
	char *address, *service, *type, *name; /* one allocation, at address */
	cJSON *body;                 /* AWS properties only, reserved keys
				      * removed, variables and file() applied */
	config_pos_t pos;            /* of the address key */
	config_policy_t policy;
	config_ensure_t ensure;
	char *region;                /* NULL: settings.region */
	char **depends_on;
	size_t ndepends_on;
	config_ref_t *refs;          /* depends_on entries (attribute NULL,
				      * node the array entry), then
				      * ${...} references in document order */
	size_t nrefs;
	const jsonc_doc_t *doc;      /* where body's positions live */
} config_resource_t;

/* settings.lease: two daemons for one environment, one writer (lease.h). */
typedef struct config_lease {
	char *table;                 /* DynamoDB table */
	char *name;                  /* the item's key; NULL: the environment */
	int duration_s;              /* default 30 */
	int create_table;            /* default false */
} config_lease_t;

/* settings.event_queues: one SQS queue event-driven mode long-polls
 * (issue 16 item 3). */
typedef struct config_event_queue {
	char *value;                 /* queue ARN, or the reference as written */
	config_ref_t *ref;           /* non-NULL when value is one */
} config_event_queue_t;

typedef struct config_settings {
	char *environment;
	char *region;
	cJSON *default_tags;         /* object of strings, never NULL */
	int poll_interval;           /* seconds; default 60 */
	size_t history_max_bytes;    /* per drift history file; 0: the
				      * default (history.h)               */
	config_mode_t mode;          /* default enforce */
	char *alert_topic;           /* ARN, or the reference as written */
	config_ref_t *alert_topic_ref; /* non-NULL when alert_topic is one */
	config_event_queue_t *event_queues; /* none: event-driven mode off */
	size_t nevent_queues;
	char *metrics_namespace;     /* default "Driftd" */
	cJSON *endpoints;            /* object service -> URL, never NULL */
	char *state_dir;             /* default "/var/lib/driftd" */
	char **prune;                /* types whose orphans apply deletes
				      * ("ec2.security_group"); default none */
	size_t nprune;
	int prune_max_per_cycle;     /* deletes by pruning per run; default 5 */
	int adopt;                   /* an untagged live item with the
				      * configured name becomes this
				      * environment's (tagged); default 1 */
	int allow_plain_http;        /* http:// endpoints beyond loopback;
				      * default false */
	int credential_process_timeout; /* seconds; default 60 */
	config_lease_t *lease;       /* NULL: no lease; this daemon writes */
} config_settings_t;

/* Pluggable per-type schema checks. validate_resource is called once per
 * resource after the language checks; it reports each problem with
 * config_report() and returns 0, or a negative code for its own failure
 * (which is reported too). The resource table module implements this by
 * walking its tables. */
typedef struct config_check config_check_t;
typedef struct config_schema {
	void *ctx;
	int (*validate_resource)(void *ctx, const config_resource_t *res,
				 config_check_t *chk);
	/* Optional: whether type_name ("ec2.vpc") is a known resource type;
	 * on no, *suggestion may name a close one. For settings.prune. */
	int (*known_type)(void *ctx, const char *type_name,
			  const char **suggestion);
} config_schema_t;

/* Reports a problem at node (a node of res->body; at_key: at its key, else
 * at its value; NULL: at the resource's address). */
void config_report(config_check_t *chk, const cJSON *node, int at_key,
		   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* As config_report, for a warning (errs->warnings): the load still
 * succeeds. */
void config_warn(config_check_t *chk, const cJSON *node, int at_key,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* settings.environment of the configuration being checked, or NULL. */
const char *config_check_environment(const config_check_t *chk);

/* The candidate nearest to word by edit distance when close enough to be a
 * likely typo, else NULL. For "did you mean" messages. */
const char *config_suggest(const char *word, const char *const *candidates,
			   size_t n);

/* "10.0.0.0/16" or "2001:db8::/56": address, prefix length in range, no
 * host bits set. 0 or -EINVAL with err saying why (no position). */
int config_check_cidr(const char *text, err_t *err);

/* Refuses a directory, or a *.json in it, that driftd does not trust
 * (trust.h: owned by another user, writable by group or others, or
 * reached through such a component or link): -EPERM naming it. For the
 * daemon before it loads; config_load checks the same of every file and
 * directory it reads. */
int config_check_permissions(const char *dir, err_t *err);

/* Loads and checks dir. Returns 0 with *out set, or -EINVAL (or -ENOMEM)
 * with *out NULL. When errs is non-NULL, *errs is always set (maybe
 * empty); free with config_errors_free. schema may be NULL. */
int config_load(const char *dir, config_t **out, config_errors_t **errs);
int config_load_with_schema(const char *dir, const config_schema_t *schema,
			    config_t **out, config_errors_t **errs);
void config_free(config_t *cfg);

/* Once loading and every check that reports at positions is done (the
 * schema's, at load; estate_check): forgets the position of every value
 * but those config_resolve may report at (its references, and the keys
 * of an object a reference names a key of). A value's position was 24
 * bytes; at 100,000 resources, 23 MB. The rest of res->body then maps to
 * its file's start. */
void config_forget_positions(config_t *cfg);
void config_errors_free(config_errors_t *errs);
/* For checks made after loading (estate.h): appends e (past
 * CONFIG_MAX_ERRORS only sets truncated), 0 or -ENOMEM; and sorts the
 * errors by file, line, column and message, as loading does. */
int config_errors_add(config_errors_t *errs, const err_t *e);
void config_errors_sort(config_errors_t *errs);

const config_settings_t *config_settings(const config_t *cfg);
size_t config_file_count(const config_t *cfg);
/* The real path of the i-th file loaded (includes too), NULL past the
 * end: what the daemon watches for changes. */
const char *config_file_path(const config_t *cfg, size_t i);
size_t config_resource_count(const config_t *cfg);
/* Sorted by address. */
const config_resource_t *config_resource_at(const config_t *cfg, size_t i);
const config_resource_t *config_resource_find(const config_t *cfg,
					      const char *address);
/* The value in effect after precedence; NULL when undefined. */
const cJSON *config_variable(const config_t *cfg, const char *name);

/* A new graph of every resource with edges from references and depends_on;
 * caller frees. NULL on allocation failure. */
graph_t *config_graph(const config_t *cfg);

/* At apply time: a copy of res->body with every reference replaced by
 * lookup's value (a whole reference takes its type; a reference inside a
 * longer string is formatted as text). lookup returns NULL when the value
 * is not known (yet); that is -EAGAIN naming the reference. *out is the
 * caller's to cJSON_Delete. */
typedef const cJSON *(*config_lookup_fn)(const char *address,
					 const char *attribute, void *ctx);
int config_resolve(const config_t *cfg, const config_resource_t *res,
		   config_lookup_fn lookup, void *ctx, cJSON **out, err_t *err);

#endif
