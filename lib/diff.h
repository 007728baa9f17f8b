/* diff — desired against live for one resource, attribute by attribute,
 * as the type's table says: only attributes set in config are compared;
 * ignore rules, AWS defaults, normalizers, sets and tags are applied here,
 * so that what remains is real drift. */
#ifndef DRIFTD_DIFF_H
#define DRIFTD_DIFF_H

#include <stddef.h>

#include <cJSON.h>

#include "err.h"
#include "restable.h"

typedef enum diff_kind {
	DIFF_UPDATE,        /* changed in place by the attribute's operation  */
	DIFF_REPLACE,       /* only a new resource can change it              */
	DIFF_CREATE_ONLY,   /* set at create; drift is reported, not changed  */
} diff_kind_t;

typedef struct diff_change {
	const res_attr_t *attr;
	diff_kind_t       kind;
	cJSON            *desired;  /* as normalized for comparison          */
	cJSON            *live;     /* NULL when AWS returned nothing        */
	cJSON            *added;    /* sets: elements to add; tags: map      */
	cJSON            *removed;  /* sets: elements to remove; tags: keys  */
} diff_change_t;

typedef struct diff {
	diff_change_t *changes;
	size_t         n_changes;
	int            replace;     /* some change is DIFF_REPLACE */
} diff_t;

typedef struct diff_opts {
	const char *const *ignore;  /* NULL-terminated property paths:
				       "EngineVersion", "Tags.team"        */
	const cJSON *extra_tags;    /* tags driftd adds to every resource
				       (ownership, default_tags): a map     */
	/* Write-only secret members (res_attr_t.secret_members), which AWS
	 * never returns: when set, they are taken out of both sides, and the
	 * attribute differs as well when this says the secret changed (the
	 * engine compares secret_fingerprint of desired with the one it
	 * journaled, secret.h). NULL: compared like any member. */
	int (*secret_changed)(void *ctx, const res_attr_t *a,
			      const cJSON *desired);
	void *secret_ctx;
	/* A RES_SECRET_VALUE attribute's value read from Secrets Manager
	 * (restable.h, "Secret values"), which AWS never returns: a change
	 * when this says it changed (ctx: secret_ctx). NULL: never compared. */
	int (*secret_value_changed)(void *ctx, const res_attr_t *a,
				    const cJSON *desired);
} diff_opts_t;

/* Compares desired (the resource's config properties, references
 * resolved) with live (one item as read). *out is set to a new diff (free
 * with diff_free), empty when in sync. 0 or negative with err set, naming
 * the attribute, when a value cannot be normalized. */
int diff_resource(const res_type_t *t, const cJSON *desired,
		  const cJSON *live, const diff_opts_t *opts, diff_t **out,
		  err_t *err);
void diff_free(diff_t *d);

/* Tags in any of AWS's shapes ([{"Key","Value"}], [{"key","value"}],
 * [{"TagKey","TagValue"}], {"k":"v"}) as a {"k":"v"} map. New tree. */
cJSON *diff_tags_to_map(const cJSON *tags);

#endif
