/* reconcile — driftd's engine: read what AWS has, compare it with what the
 * config wants, and (when applying) converge it, in dependency order.
 *
 * One run:
 *   1. read: one batched, paginated call per (type, region) in the config,
 *      all in parallel (the HTTP layer caps each service's concurrency);
 *   2. match every configured resource to its live item by identity (name
 *      attributes, or the ownership tags driftd:address + driftd:env), and
 *      find orphans: live items tagged for this environment whose address
 *      is no longer in the config (reported, never deleted);
 *   3. evaluate each resource in dependency order: resolve references
 *      from live state, diff, and classify (in sync, create, update,
 *      replace, delete, ...);
 *   4. apply (only when asked): walk the dependency graph; a resource
 *      starts when everything it depends on is done, is evaluated again
 *      with its dependencies' fresh state, changes what differs, and waits
 *      for readiness before its dependants start. A failure blocks only
 *      the resources that depend on it.
 * Before every create the journal records an intent; after a crash, the
 * next run finds what the create made by its ownership tags or name, so
 * nothing is made twice. Nothing is deleted unless the config says
 * "ensure": "absent" (and the policy does not prevent_destroy). */
#ifndef DRIFTD_RECONCILE_H
#define DRIFTD_RECONCILE_H

#include <stddef.h>

#include <cJSON.h>
#include <uv.h>

#include "aws.h"
#include "config.h"
#include "diff.h"
#include "err.h"
#include "journal.h"
#include "restable.h"

typedef enum rec_action {
	REC_NOOP,             /* in sync                                     */
	REC_CREATE,
	REC_UPDATE,           /* in place                                    */
	REC_REPLACE,          /* allow_replace: delete, then create          */
	REC_REPLACE_REFUSED,  /* needs a new resource; allow_replace not set */
	REC_DELETE,           /* "ensure": "absent", and it exists           */
	REC_DELETE_REFUSED,   /* ... but policy.prevent_destroy              */
	REC_ABSENT,           /* "ensure": "absent", and it is               */
	REC_ORPHAN,           /* tagged for this environment, not in config  */
	REC_READ_FAILED,      /* AWS could not be read for this type         */
} rec_action_t;

typedef enum rec_status {
	REC_STATUS_PLANNED,   /* plan only, or not reached yet               */
	REC_STATUS_OK,        /* applied, or nothing to apply                */
	REC_STATUS_FAILED,    /* err says why                                */
	REC_STATUS_BLOCKED,   /* a dependency failed                         */
	REC_STATUS_OBSERVED,  /* observe mode: drift reported, not changed   */
	REC_STATUS_DEFERRED,  /* opts->skip held its change back this run;
				 its dependants are blocked               */
} rec_status_t;

/* A resource's life in one run (issue 12). Every item ends a run in one
 * final state; CREATING, WAITING, UPDATING, REPLACING, DELETING and
 * PENDING are only ever passed through. The enum is REC_S_<name>. Changed only by the engine's one
 * transition function, which reports each change and its reason through
 * rec_opts_t.event (REC_EVENT_STATE). XX(name, final, text). */
#define REC_STATE_MAP(XX)                                                     \
	XX(PENDING,         0, "pending")         /* not evaluated yet     */ \
	XX(UNREADABLE,      1, "unreadable")      /* its own or a dependency's
						     read failed: err has the
						     AWS code, request id   */ \
	XX(IN_SYNC,         1, "in sync")                                     \
	XX(DRIFTED,         1, "drifted")         /* differs; plan only or
						     observe: not changed  */ \
	XX(CREATING,        0, "creating")                                    \
	XX(WAITING,         0, "waiting")         /* until AWS says ready  */ \
	XX(UPDATING,        0, "updating")                                    \
	XX(REPLACING,       0, "replacing")                                   \
	XX(DELETING,        0, "deleting")                                    \
	XX(CHANGED,         1, "changed")         /* applied: action says
						     what was done          */ \
	XX(REFUSED,         1, "refused")         /* err says why          */ \
	XX(FAILED,          1, "failed")          /* err                   */ \
	XX(BLOCKED,         1, "blocked")         /* a dependency failed or
						     is unreadable          */ \
	XX(DEFERRED,        1, "deferred")        /* the daemon's backoff  */ \
	XX(OWNED_ELSEWHERE, 1, "owned elsewhere") /* owner_env             */ \
	XX(ORPHAN,          1, "orphan")                                      \
	XX(ABSENT,          1, "absent")

typedef enum rec_state {
#define XX(name, final, text) REC_S_##name,
	REC_STATE_MAP(XX)
#undef XX
	REC_STATE_COUNT
} rec_state_t;

const char *rec_state_name(rec_state_t s);
/* 1 for the states a run ends in. */
int rec_state_final(rec_state_t s);

typedef struct rec_item {
	char                    *address;
	const res_type_t        *type;
	const config_resource_t *res;      /* NULL for orphans              */
	const char              *region;   /* interned (intern.c), or
					      region_copy                   */
	char                    *region_copy; /* owned: when intern()
					      declined                      */
	rec_action_t             action;
	int                      observe;  /* policy mode observe           */
	int                      unknown;  /* depends on values not known
					      until dependencies are applied */
	int                      read_failed; /* its own read failed: err */
	diff_t                  *diff;     /* REC_UPDATE / REC_REPLACE*     */
	cJSON                   *desired;  /* references resolved; NULL when
					      not all are known yet         */
	cJSON                   *live;     /* NULL when absent              */
	char                    *id;
	rec_status_t             status;
	err_t                   *err;      /* NULL: no error; else owned */
	double                   seconds;  /* time spent applying           */
	rec_state_t              state;
	char                    *owner_env; /* REC_OWNED_ELSEWHERE: the
					      driftd:env it carries; else NULL */
	char                    *old_id;   /* an identity change: the item
					      this address had before       */
	cJSON                   *secret_values; /* {attribute: {"id",
					      "value"}}: secrets read for
					      RES_SECRET_VALUE attributes;
					      wiped when freed              */
} rec_item_t;

typedef struct rec_result {
	rec_item_t *items;                 /* config order, then orphans   */
	size_t      n_items;
	size_t      n_create, n_update, n_replace, n_delete, n_refused,
		    n_orphan, n_failed, n_in_sync;
	double      read_seconds, total_seconds;
	/* What applying did (zero in a plan): counted from the final
	 * states, so an attempted create that failed is not "created". */
	struct {
		size_t created, changed, replaced, deleted, failed, refused;
	} applied;
	/* rec_result_keep: one block holding the items, their strings and
	 * packed live items, which rec_result_free frees whole. */
	char       *kept;
	size_t      kept_size;
} rec_result_t;

typedef enum rec_event {
	REC_EVENT_START,      /* an action begins: "Creating..."             */
	REC_EVENT_WAITING,    /* waiting for readiness                        */
	REC_EVENT_DONE,       /* an action finished                           */
	REC_EVENT_FAILED,     /* item->err says why                           */
	REC_EVENT_RECOVERED,  /* a journal intent from an interrupted run     */
	REC_EVENT_STATE,      /* item->state changed; message: "old -> new:
				 why"                                       */
} rec_event_t;

typedef void (*rec_event_fn)(void *ctx, rec_event_t event,
			     const rec_item_t *item, const char *message);

/* How the engine reaches AWS: the one seam between the engine and the
 * network, as cred_transport_t is for credentials (credentials.h). call
 * has aws_call's contract: 0 and cb exactly once, never before call
 * returns; else a negative errno with e set and no cb. region gives the
 * region calls go to when none is configured ("" when none). The default,
 * rec_caller_aws(), wraps an aws_client_t; tests/test_engine.c scripts
 * the answers. */
typedef struct rec_caller {
	void *ctx;
	int (*call)(void *ctx, const char *service, const char *region,
		    const char *operation, const cJSON *params, unsigned flags,
		    aws_done_cb cb, void *data, err_t *e);
	const char *(*region)(void *ctx);
} rec_caller_t;

/* The caller that makes aws_call on c. */
rec_caller_t rec_caller_aws(aws_client_t *c);

typedef struct rec_opts {
	uv_loop_t      *loop;
	aws_client_t   *aws;          /* used when caller is NULL          */
	const rec_caller_t *caller;   /* NULL: rec_caller_aws(aws)         */
	const config_t *config;
	const char     *environment;  /* NULL: settings.environment      */
	int             apply;        /* 0: plan only                    */
	journal_t      *journal;      /* required when applying          */
	rec_event_fn    event;        /* may be NULL                     */
	void           *event_ctx;
	double          wait_timeout_s; /* readiness; 0: 3600            */
	double          poll_max_s;     /* longest wait between polls; 0: 15 */
	/* May be NULL. Asked, when applying, for each resource with a change
	 * to make: non-zero holds the change back for this run (status
	 * REC_STATUS_DEFERRED). The daemon's per-resource retry backoff. */
	int           (*skip)(void *ctx, const rec_item_t *item);
	void           *skip_ctx;
	/* The per-host key of write-only secrets' fingerprints
	 * (SECRET_KEY_LEN bytes, secret_key_load; secret.h). With it and a
	 * journal, a write-only secret member (an ALB's OIDC ClientSecret)
	 * is compared by the fingerprint the journal kept after its last
	 * write, and sent only when it changed. NULL: compared like any
	 * member (AWS never returns it: it always differs). */
	const unsigned char *secret_key;
	/* An incremental run (issue 17 item 3), made when cached is set: the
	 * result of a finished run on the same estate (the caller's, not
	 * changed; read only inside rec_run, which copies what it takes, so
	 * it may be freed, with the config it points into, once rec_run
	 * returns). Only the resources at
	 * `only` (n_only addresses: those whose desired state changed) and
	 * their dependants, through references and depends_on, are planned
	 * and applied, and only they are in the result. Each is re-read on
	 * its own (read_one by the id cached) before it is judged; one the
	 * cache has no live item for, or whose type has no read_one, is found
	 * by its type's batched read. Every other resource takes its live
	 * state from the cache for references and is neither read nor
	 * judged; no orphans are looked for. */
	const rec_result_t *cached;
	const char *const *only;
	size_t          n_only;
	/* A plan-only run whose caller reads no item's live state after it,
	 * nor an in-sync item's desired state (driftd plan): each item's
	 * live state is packed once it is judged (rec_compact.c, json_pack),
	 * and is then not a tree to read, and an in-sync one's desired state
	 * is dropped (NULL). 10,000 security groups' live states take 6 MiB
	 * packed, 22 MiB as trees. */
	int             pack_live;
} rec_opts_t;

/* result is the receiver's: free with rec_result_free. err is set when the
 * run as a whole could not proceed (the per-resource outcomes are in the
 * items either way). */
typedef void (*rec_done_fn)(void *ctx, rec_result_t *result, const err_t *err);

/* Starts a run on opts->loop. Returns 0 (done will be called, never from
 * inside rec_run) or a negative errno with err set. */
int rec_run(const rec_opts_t *opts, rec_done_fn done, void *ctx, err_t *err);
/* Runs the loop until the run finishes. */
int rec_run_sync(const rec_opts_t *opts, rec_result_t **result, err_t *err);
void rec_result_free(rec_result_t *r);
/* What went wrong with item: item->err, or, when it has none (NULL), an
 * empty record (code 0, every string ""), so that readers need not test
 * for NULL. An item's err_t is allocated only when it has an error: at
 * 10,000 items an inline one was 11 MiB of a plan's peak. */
const err_t *rec_item_err(const rec_item_t *item);

/* Trims a finished result r to what a later incremental run takes from it
 * as opts.cached, for a caller that keeps it between runs (the daemon):
 * each item's address, type, config resource, region, id, state and
 * action stay; its live state is packed (json_pack: one allocation
 * instead of three per value), those of types with code of their own
 * too (the engine opens a cached item before that code reads it); its
 * desired state, diff, secret values (wiped), error, owner and old id are
 * freed. The items, their strings and packed live items then move into
 * one block (r->kept), made once the rest is freed. Read its live items
 * through json_unpack when json_is_packed; change none of what it keeps.
 * Out of memory leaves an item's live tree as it was. For the dev estate
 * between cycles: 0.6 MB of trees in 5,000 allocations, 0.1 MB in 140
 * (README, "The daemon at rest"). */
void rec_result_keep(rec_result_t *r);

/* The cache an edit's run leaves for the next edit: a new kept result
 * (rec_result_keep) on cfg, holding cache's items, each pointed at cfg's
 * resource of its address (an address cfg lacks is kept as an orphan
 * is: res NULL, never a cache hit), with edit's items (an incremental
 * run's result on cfg, or NULL) in place of those of the same address
 * or added. The counts are cache's: the last full cycle's. cache and
 * edit are freed; NULL (both freed) when out of memory. Without it an
 * edit's run, which keeps only what it touched, left the next edit no
 * cache, and that edit read everything. */
rec_result_t *rec_result_carry(rec_result_t *cache, const config_t *cfg,
			       rec_result_t *edit);

/* What a config edit changed, for an incremental run (opts.only): the
 * addresses of new_cfg that old_cfg lacks or configures otherwise (body,
 * region, ensure, policy). Returns 0 with *out a NULL-terminated array of
 * n addresses (free each, then the array); 1 when the edit changed the
 * settings every resource depends on (environment, region, mode, default
 * tags, endpoints, adopt, prune), so that only a full run will do (*out
 * NULL); or a negative errno. Addresses the edit removed are not listed:
 * what they leave behind is an orphan, the full run's to report. */
int rec_edited(const config_t *old_cfg, const config_t *new_cfg, char ***out,
	       size_t *n, err_t *e);

const char *rec_action_name(rec_action_t a);
/* A change that converging would make (create, update, replace, delete). */
int rec_action_changes(rec_action_t a);

/* The ownership tags driftd puts on every resource it creates. */
#define REC_TAG_ADDRESS "driftd:address"
#define REC_TAG_ENV     "driftd:env"

#endif
