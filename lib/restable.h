/* restable — AWS resource types described as data.
 *
 * Each managed AWS resource type is one res_type_t in a table under
 * lib/resources/<service>.c. The engine (diff, plan, apply) walks these
 * tables and knows no service by name: which operation reads a type, which
 * creates it, which attribute is changed by which operation, what AWS fills
 * in by default, what is secret. A behaviour the table cannot say is a named
 * hook next to the entry (res_hooks_t), never a strcmp on a type name in the
 * engine.
 *
 * Request templates. Operations are given their parameters as a JSON
 * template (a string in the table, parsed once) in which these string values
 * are placeholders the engine substitutes:
 *   "$id"          the resource's AWS id (the type's id_path in live state)
 *   "$arn"         the resource's ARN (arn_path)
 *   "$value"       the attribute's desired value (any JSON type)
 *   "$added"       set attributes: the elements to add (array)
 *   "$removed"     set attributes: the elements to remove (array)
 *   "$element"     per-element operations: the one element
 *   "$tags"        tags in the type's tag style (see res_tag_style_t); for
 *                  RES_TAGS_SPEC the create template gets the wrapped
 *                  TagSpecifications list, tag/untag the plain
 *                  [{"Key","Value"}] list EC2 CreateTags takes
 *   "$tag_keys"    tag keys to remove (array of strings)
 *   "$token"       a fresh idempotency token, recorded in the journal
 *   "$env"         the environment's name (settings.environment)
 *   "$address"     the resource's address ("ec2.vpc.main")
 *   "$name"        the resource's name, the address's last part
 *   "$attr:Name"   the desired value of another attribute of this resource
 *   "$live:Path"   a value from this resource's live state
 *   "$element:Name" per-element operations: member Name of the element
 *   "$tag_key_objects" tag keys to remove as [{"Key":k}] (EC2 DeleteTags)
 * A member whose name is "*" and whose value is "$element" or "$value"
 * merges that object's members into the enclosing object. A placeholder
 * whose value is absent removes its member. Filled params are in the
 * operation's botocore input shape; a RES_DOCUMENT value given as an
 * object is sent as its compact JSON text (AWS takes policies as strings).
 *
 * The rules the engine follows (and the tables rely on):
 *
 * Read. read.op with read.params once per type and region, all pages
 * concatenated; the items are at read.result. fix_live runs on each item
 * (and on the read_one item), then every attribute with a live_read is
 * filled in for the items driftd manages (see res_attr_t.live_read).
 * RES_ID_NAME items match config by name_attrs; RES_ID_TAGS items by the
 * tags driftd:address = "$address" and driftd:env = "$env". A name
 * attribute may be a dotted path into a required attribute
 * ("BackupPlan.BackupPlanName": the name inside the document AWS takes),
 * found at the same path in the live item when no attribute has that
 * name.
 *
 * Create. The params are create.params with placeholders filled, plus each
 * attribute set in config that is not RES_READ_ONLY, not RES_NOT_IN_CREATE
 * and not RES_TAGS, at its own name, unless the template already has a
 * member of that name or places the value itself with "$attr:Name" at
 * any depth (CreateBudget's {"Budget": {"BudgetLimit": "$attr:BudgetLimit"}},
 * an event destination's members nested in EventDestination). "$tags" is
 * the configured tags plus the ownership
 * tags, in the type's tag style (RES_TAGS_SPEC wraps them as
 * [{"ResourceType": tag_resource_type, "Tags": [...]}]). Then fix_create.
 * The new item is at create.result (NULL or "": the response itself).
 *
 * After create. The engine waits with read_one until status_path is in
 * ready (when the type has one), then diffs the RES_NOT_IN_CREATE
 * attributes set in config against the refreshed item and applies those
 * changes like updates. A RES_SET therefore also loses what AWS added by
 * itself (the default egress rule of a security group) exactly when the
 * config sets the attribute. Documents and tags the create sent that
 * neither its answer nor the refresh carries are taken as the item's (AWS
 * holds what it accepted), so they are not sent again.
 *
 * Update, per changed attribute, in table order:
 *   - plan hook set: the calls it returns, in order (see res_plan_fn);
 *   - RES_SET: remove_op with "$removed" first, then update_op with
 *     "$added" (per_element: one call per element with "$element");
 *     removing first lets a rule that changes only in a detail that is not
 *     part of AWS's identity of it be re-added without a duplicate error;
 *   - RES_TAGS: tag with "$tags" of the added/changed keys, untag with
 *     "$tag_keys"/"$tag_key_objects" of keys driftd owned and dropped;
 *   - otherwise: when remove_op is set and live has a value, remove_op
 *     first (detach the old), then update_op with "$value" when config
 *     sets a value (attach the new);
 * then a read_one refresh. "$value" is the value as configured (references
 * resolved); "$added", "$removed" and "$element" are elements as diff
 * left them: normalized and cut to the attribute's fields, which the
 * tables choose so that they are valid request members (an exploded
 * security group rule is one IpPermission).
 *
 * Refresh. fix_live runs on the read_one item (given the id at id_path
 * when the answer does not echo it, as GetOpenIDConnectProvider does not),
 * which is merged over the item of the last read (after a create: the
 * create answer): members it has replace, members it lacks stay (GetRole
 * carries no inline policies, GetPolicy no versions); live_read
 * attributes are read again.
 *
 * Checks. A type with neither create nor remove is a check: driftd reads
 * it and compares it, and a configured item that does not exist is a
 * failed read naming it (REC_READ_FAILED), never a create.
 *
 * Gone. An item whose status_path value is one of gone is dropped from
 * the read after fix_live, as if AWS had not listed it.
 *
 * Read each. When read_each is set, every listed item (a string becomes
 * {id_path: string}) gets those calls, in parallel, and their answers
 * merged in before fix_live and matching. An item whose call fails with a
 * code that names it missing (…NotFound…, NoSuch…, SQS's
 * QueueDoesNotExist) was deleted between
 * the list and the call and is dropped; a code in absent leaves that
 * value out; any other error fails the type's read.
 *
 * Create from the request. Put-style creates (PutMetricAlarm,
 * CreateLogGroup) answer with nothing: when the create result holds no
 * id, the request itself (or, with create_item, the part of it at that
 * path: a record set inside its change batch), merged under the answer,
 * is the new item; when the request wraps the item in one member
 * (CreateBudget's Budget), the member that holds the id is. A type
 * without read_one keeps that item until the next read (no refresh after
 * writes).
 *
 * live_read templates may name "$attr:Name": the value as configured
 * (Budgets calls need the AccountId that no Describe answer carries).
 *
 * Batched writes. A type with batch.op has its calls of that operation
 * held until the end of the loop turn in which they are made (the graph
 * starts every resource whose dependencies are done in one turn), then
 * merged: requests equal but for the list at batch.list become one call
 * with the lists concatenated, batch.max elements at most. Each resource
 * gets the one answer. When a merged call fails, each part is made again
 * alone, so that the error names the resource it belongs to (a Route 53
 * change batch is all or nothing). Identical calls queued for one
 * resource (two changed attributes written by one whole-item UPSERT) are
 * made once.
 *
 * Identity. RES_ID_NAME items match when every name attribute is equal
 * after its normalize and RES_CASE_INSENSITIVE rule; an attribute that is
 * not RES_REQUIRED and absent on both sides counts as equal.
 *
 * Scope. The items of a scoped read get the scope they were read in
 * (each top-level "$attr:Name" member of the request, at Name's live
 * path) where the answer leaves it out: record sets carry no zone id.
 *
 * Checks that wait. A check with status_path and ready that is not ready
 * is polled with read_one during apply until it is (or is failed, or the
 * wait times out), so what depends on it starts only then; a check whose
 * scope is made in the same apply is read when its turn comes.
 *
 * Scoped reads. A read template that names "$attr:Name" is made once per
 * distinct filled template among the type's configured resources, with
 * their references resolved, after the reads of its depends_on_types
 * (DescribeListeners per load balancer, DescribeRules per listener); the
 * items of all its calls together are the type's read. A resource whose
 * references do not resolve yet (its load balancer is not made) has no
 * call. The read result may name one object (Get* answers). A listed
 * string of a scoped read becomes {id_path: string} plus the members the
 * read template fills from "$attr:" (ListNodegroups lists names: the item
 * is {"nodegroupName", "clusterName"}), so that read_each and read_one
 * templates can name them ("$live:clusterName").
 *
 * Members owned elsewhere. An attribute whose name is a dotted path into
 * another attribute ("scalingConfig.desiredSize") and that is
 * RES_OWNED_ELSEWHERE (and RES_READ_ONLY: it is no config property of its
 * own) takes that member out of both sides before the other attribute is
 * compared: the cluster autoscaler's desired size is never drift while
 * minSize and maxSize are. The config may still set it for the create.
 *
 * Drivers. A type with a driver (res_driver_t) is not an AWS resource:
 * driftd reaches it by other means (libpq for postgres.migrations). The
 * engine reads it once per configured resource whose references resolve
 * (as a scoped read, after its depends_on_types), with driver->read off
 * the loop (libuv's thread pool), and matches the item by name_attrs as
 * usual. Before each diff, driver->expand adds to the desired value what
 * the config implies but does not spell (the checksums of a directory's
 * files). Create and update are one driver->apply, off the loop, followed
 * by a driver->read; a driver type is never deleted or replaced by
 * driftd. Its attributes need no operations: the driver applies them.
 * Secrets: an attribute flagged RES_SECRET_REF names a Secrets Manager
 * secret (its ARN or name, typically a reference such as
 * ${rds.db_instance.main.MasterUserSecret.SecretArn}). Just before each
 * driver->read and driver->apply the engine reads it, on the loop, with
 * GetSecretValue (in the ARN's region, else the resource's) and hands the
 * driver `secrets`: {attribute name: the SecretString, parsed when it is
 * a JSON object, else the string}. The value lives only there: it is
 * never in desired or live state, plans, logs, alerts or the journal, and
 * it is wiped when the call is done. The attribute itself (the secret's
 * name) is an ordinary write-only value. A secret that cannot be read
 * fails the read or apply with AWS's error, which names the secret only.
 *
 * Generated values. An attribute with a generate operation
 * (secretsmanager.secret's GenerateSecretString) is not sent as itself:
 * when config sets it, the engine calls generate.op with the attribute's
 * value as its request, after the journal's intent and just before the
 * create, and places the answer's string at generate.result as
 * generate_into in the create request, in place of the attribute
 * (GetRandomPassword's RandomPassword as CreateSecret's SecretString). The
 * value is in that request only: never in desired or live state, plans,
 * events, logs or the journal, and the request is wiped once answered. A
 * failed generate call fails the create, with AWS's error.
 *
 * Secret values. An attribute flagged RES_SECRET_VALUE (and RES_SENSITIVE
 * | RES_WRITE_ONLY: a Redis AuthToken) may be given in config as
 * {"secret": ID}, ID a Secrets Manager secret's ARN or name (typically
 * ${secretsmanager.secret.NAME.ARN}); its value is then the secret's
 * SecretString. The engine reads it with GetSecretValue (in the ARN's
 * region, else the resource's) when it reads the live resource, and just
 * before a create, into the item's memory only (rec_item_t.secret_values,
 * wiped): never into state, plans, events, logs or the journal. AWS never
 * returns it, so it is compared by the keyed fingerprint the journal
 * keeps after each write of it (secret.h): when the secret's value has
 * another fingerprint, or none was recorded, the attribute is an update
 * (its update_op) that sends it once. A secret that cannot be read makes
 * the resource unreadable, never missing. A value written in config is
 * write-only as before.
 *
 * Singletons. A RES_ID_SINGLETON type (SES's account settings) has one
 * item per account and region: its read's result is that object (GetAccount
 * answers it whole), and it is the live item of the type's one configured
 * resource there (a second in one region fails the run). Without an id_path its id is
 * its region. Usually a check with an update: nothing to create or delete.
 *
 * Held. A type with held ("PENDING|DENIED") names statuses at status_path
 * that only something outside driftd ends (a human review of a request).
 * An item in one of them that differs from config is reported as a failed
 * read naming the status, every run, and is neither changed nor waited on
 * (a request is made once); a write after which the refreshed item is in
 * one fails the same way. Once the status leaves held, the item is
 * compared as usual.
 *
 * A read_one answer that is a list (GetConfigurationSetEventDestinations
 * lists every destination of its set) is searched for the element whose
 * id_path is the item's id. A create answered without an id whose request
 * lacks it too gets one from fix_live run on the request (the request
 * names EventDestinationName, the read Name).
 *
 * Delete. First each RES_NOT_IN_CREATE attribute with a live value and a
 * remove_op or plan hook is changed as if config had dropped it (desired
 * NULL, removed = every live element): the internet gateway is detached,
 * subnets disassociated, managed policies detached and inline policies
 * deleted, roles taken out of an instance profile, as AWS requires before
 * the delete. Then remove.op.
 */
#ifndef DRIFTD_RESTABLE_H
#define DRIFTD_RESTABLE_H

#include <stddef.h>

#include <cJSON.h>

#include "err.h"

/* How an attribute's value is compared. */
typedef enum res_kind {
	RES_SCALAR,     /* string, number or bool, compared after normalizing  */
	RES_SET,        /* array, order does not matter, no duplicates          */
	RES_LIST,       /* array, order matters                                 */
	RES_MAP,        /* object of string values, compared key by key         */
	RES_OBJECT,     /* nested object: only members set in config compared   */
	RES_DOCUMENT,   /* JSON document (policy, dashboard), compared semantically */
	RES_TAGS,       /* AWS tags; aws: and driftd: keys handled by the engine */
} res_kind_t;

/* Whether and how a change is applied. */
typedef enum res_mutability {
	RES_IN_PLACE,     /* changed by the attribute's update operation      */
	RES_REPLACE,      /* changing it means a new resource (allow_replace) */
	RES_CREATE_ONLY,  /* set at create, changes are reported and ignored  */
	RES_READ_ONLY,    /* exported for references, never in config         */
} res_mutability_t;

enum res_attr_flags {
	RES_REQUIRED       = 1u << 0,  /* must be set in config                    */
	RES_SENSITIVE      = 1u << 1,  /* never printed, journaled or alerted;
					  compared by version or hash           */
	RES_OWNED_ELSEWHERE = 1u << 2, /* another controller owns it (autoscaler's
					  DesiredSize): read, never drift         */
	RES_CASE_INSENSITIVE = 1u << 3,
	RES_NOT_IN_CREATE  = 1u << 4,  /* not a create parameter: set afterwards
					  by its update operation                 */
	RES_WRITE_ONLY     = 1u << 5,  /* AWS never returns it: not diffed       */
	RES_SECRET_REF     = 1u << 6,  /* driver types: names a Secrets Manager
					  secret read for the driver ("Drivers") */
	RES_SECRET_URL     = 1u << 7,  /* a URL (or URLs) that may carry a token:
					  shown with its userinfo and query
					  masked (secret.h)                     */
	RES_SECRET_VALUE   = 1u << 8,  /* may be {"secret": ID}: the value of a
					  Secrets Manager secret ("Secret
					  values")                              */
};

/* A secret member inside a structured value (an ALB action's
 * AuthenticateOidcConfig.ClientSecret). path is dotted member names,
 * matched wherever that chain of members occurs in the value, at any depth
 * (a whole action list, one element, a diff fragment). AWS never returns
 * these, so they are write-only: compared by keyed hash and sent only when
 * they changed, when keep_flag (a sibling boolean member AWS takes instead,
 * "UseExistingClientSecret") is set true. See secret.h. */
typedef struct res_secret_member {
	const char *path;
	const char *keep_flag;
} res_secret_member_t;

/* Turns a value (desired or live) into the canonical form compared.
 * Returns a new tree (caller frees) or NULL on error with err set. */
typedef cJSON *(*res_normalize_fn)(const cJSON *value, err_t *err);

/* Validates a desired value at config time; 0 or -EINVAL with err set
 * (the caller adds file:line:column). */
typedef int (*res_check_fn)(const cJSON *value, err_t *err);

typedef struct res_op {
	const char *op;         /* AWS operation name                        */
	const char *params;     /* request template                          */
	const char *result;     /* dotted path of the item(s) in the response */
	const char *absent;     /* "A|B": AWS error codes that mean "no such
				   value" (NoSuchLifecycleConfiguration): a
				   live_read or read_each leaves the value
				   out instead of failing the read          */
} res_op_t;

/* A call made for each item a list returns (read_each), when the list
 * carries only ids (ListKeys, ListClusters) or lacks what identity needs
 * (KMS keys' tags). params is a template of the listed item ("$id",
 * "$live:Path"); the value at result goes into the item at into, or, when
 * into is NULL, its members are merged into the item. */
typedef struct res_each_op {
	const char *op;
	const char *params;
	const char *result;
	const char *into;
	const char *absent;     /* as res_op_t.absent */
} res_each_op_t;

#define RES_MAX_EACH 4

/* Writes of many resources merged into one call (batch on res_type_t):
 * calls of op made by the type's resources in the same turn of the loop
 * whose requests are equal but for the list at list are made as one call
 * holding every list, up to max elements. */
typedef struct res_batch {
	const char *op;         /* "ChangeResourceRecordSets"   */
	const char *list;       /* "ChangeBatch.Changes"        */
	int         max;
} res_batch_t;

struct res_attr;

/* An attribute change the templates cannot say (a removal that needs an id
 * only the live item holds, a version limit to make room under). Given the
 * attribute's desired value as configured (references resolved; NULL when
 * config drops it), the set difference diff computed (added/removed, NULL
 * for other kinds) and the whole live item after fix_live (the refreshed
 * item after create), returns a new array of calls to make in order:
 *   [{"op": "DeleteRolePolicy", "params": {"RoleName": "$id", ...}}, ...]
 * params may hold the placeholders above; the engine fills them as for
 * templates. An empty array means nothing to do. NULL with err set on
 * failure. */
typedef cJSON *(*res_plan_fn)(const struct res_attr *a, const cJSON *desired,
			      const cJSON *added, const cJSON *removed,
			      const cJSON *item, err_t *err);

typedef struct res_attr {
	const char        *name;        /* config property = AWS member name    */
	const char        *live_path;   /* dotted path in the read item; NULL =
					   same as name                          */
	res_kind_t         kind;
	res_mutability_t   mutability;
	unsigned           flags;       /* enum res_attr_flags                 */
	const char        *default_json;/* AWS's default: absent in config and
					   equal to this live is not drift        */
	const char        *enum_values; /* "a|b|c": config check               */
	const char *const *fields;      /* set/list of objects: element members
					   compared (others dropped); NULL = all  */
	res_normalize_fn   normalize;
	res_check_fn       check;
	/* In-place change. For RES_SET with add/remove operations, update_op
	 * is the add operation and remove_op the removal. */
	const char        *update_op;
	const char        *update_params;  /* template */
	const char        *remove_op;
	const char        *remove_params;  /* template */
	int                per_element;    /* one call per added/removed element */
	res_plan_fn        plan;           /* replaces the ops above, if set */
	const char        *plan_ops;       /* "A|B": operations plan calls
					      besides update_op and remove_op
					      (for driftd policy)          */
	/* AWS leaves the attribute out of the read (VPC DNS settings, an IAM
	 * role's Description under GetAccountAuthorizationDetails): for each
	 * item driftd manages, the engine calls live_read.op with its params
	 * ("$id" filled) and sets the response's value at live_read.result
	 * into the item at live_path. One call per resource and poll, made
	 * when config sets the attribute (tags: always, for the ownership
	 * tags). */
	res_op_t           live_read;  /* result "" places the whole answer
					   (GetBucketVersioning's {Status}) */
	/* Made by a call just before the create ("Generated values"). */
	res_op_t           generate;
	const char        *generate_into;
	/* Secret members of the value; terminated by { NULL }. */
	const res_secret_member_t *secret_members;
} res_attr_t;

typedef enum res_tag_style {
	RES_TAGS_NONE,
	RES_TAGS_LIST,      /* [{"Key":k,"Value":v}]                          */
	RES_TAGS_SPEC,      /* EC2 TagSpecifications [{"ResourceType",Tags}]  */
	RES_TAGS_MAP,       /* {"k":"v"} (rest-json services)                 */
	RES_TAGS_LIST_LC,   /* [{"key":k,"value":v}] (some rest-json services) */
	RES_TAGS_TAGKEY,    /* [{"TagKey":k,"TagValue":v}] (KMS)              */
} res_tag_style_t;

/* How driftd finds its resource among those AWS returns. */
typedef enum res_identity {
	RES_ID_NAME,   /* natural, unique name attribute(s): name_attrs      */
	RES_ID_TAGS,   /* ownership tags driftd:address + driftd:env           */
	RES_ID_SINGLETON, /* one per account and region: see "Singletons"     */
} res_identity_t;

struct res_type;
struct res_ctx;

/* Named hooks for what the table cannot say. Each is optional. */
typedef struct res_hooks {
	/* Adjust one live item after reading (e.g. URL-decode a policy). */
	int (*fix_live)(const struct res_type *t, cJSON *item, err_t *err);
	/* Adjust the create request after the template is filled. */
	int (*fix_create)(const struct res_type *t, const cJSON *desired,
			  cJSON *params, err_t *err);
	/* Extra config checks for the whole resource (cross-attribute rules,
	 * environment rules such as instance class minimums). environment
	 * is settings.environment (NULL when unset). On failure *at may name
	 * the member of desired at fault: the error is reported at its
	 * value's file:line:column, else at the resource's address. */
	int (*check)(const struct res_type *t, const char *environment,
		     const cJSON *desired, const cJSON **at, err_t *err);
} res_hooks_t;

/* A type driftd reaches without AWS (restable.h, "Drivers"). read and
 * apply block (network, files) and run on a worker thread: they may use
 * only their arguments. secrets holds the values of the RES_SECRET_REF
 * attributes that config sets ({} when none; the caller owns and wipes
 * it): the driver copies nothing of it anywhere else. Each returns 0 or a
 * negative code with err set; the error message may be shown and
 * journaled, so it never holds a secret. */
typedef struct res_driver {
	/* The target as it is, for one configured resource (references
	 * resolved): a new object whose members are at the attributes' live
	 * paths, and the name_attrs' values (the caller frees). */
	int (*read)(const struct res_type *t, const cJSON *desired,
		    const cJSON *secrets, cJSON **live, err_t *err);
	/* Adds to desired, in place and on the loop, the values config
	 * implies. May be NULL. */
	int (*expand)(const struct res_type *t, cJSON *desired, err_t *err);
	/* Makes the target what desired says; live is the last read (NULL
	 * when it was not reached). */
	int (*apply)(const struct res_type *t, const cJSON *desired,
		     const cJSON *live, const cJSON *secrets, err_t *err);
	/* What the log must say about a configured resource whenever its
	 * config is loaded (a weakened safeguard it explicitly allows): 1 with
	 * buf set, 0 when nothing. May be NULL. The daemon and the commands
	 * log it as a warning. */
	int (*notice)(const struct res_type *t, const cJSON *desired,
		      char *buf, size_t len);
} res_driver_t;

typedef struct res_type {
	const char        *name;        /* "ec2.vpc": service.type              */
	const char        *service;     /* services.h name: "ec2"              */
	const char        *summary;     /* one line for docs and did-you-mean  */
	res_identity_t     identity;
	const char *const *name_attrs;  /* RES_ID_NAME: identifying attributes */
	const char        *id_path;     /* live path of the AWS id: "VpcId";
					   NULL for a singleton: the region */
	const char        *arn_path;    /* live path of the ARN, if any        */
	/* The ARNs of the type's resources as driftd policy scopes its own
	 * writes to them (Service Authorization Reference, "Resource types"
	 * of the service): patterns separated by spaces, with {partition},
	 * {region} and {account} filled by driftd policy and {Attr.Path} by
	 * the resource's configured value (a whole ${...} reference: the
	 * referenced resource's own pattern; unknown: "*"). NULL: the type
	 * writes nothing AWS authorizes by ARN (a driver, a singleton). */
	const char        *arn;
	res_op_t           read;        /* batched, paginated list/describe;
					   for RES_ID_TAGS types the template
					   should filter on tag driftd:env =
					   "$env" where the API can           */
	res_op_t           read_one;    /* the same item by "$id": readiness
					   polls and the refresh after a write */
	res_each_op_t      read_each[RES_MAX_EACH]; /* per listed item, before
					   matching; a listed string becomes
					   the object {id_path: string}      */
	res_op_t           create;
	const char        *create_item; /* a create answered without the item:
					   where in the request the new item
					   is (NULL: the request itself)     */
	res_op_t           remove;      /* delete */
	res_op_t           tag;         /* add/overwrite tags                  */
	res_op_t           untag;
	res_tag_style_t    tag_style;
	const char        *tag_resource_type;  /* RES_TAGS_SPEC ResourceType */
	/* Readiness after create/update: status at status_path must become one
	 * of ready ("available|active"); one of failed stops waiting. */
	const char        *status_path;
	const char        *ready;
	const char        *failed;
	/* Status values of an item on its way out (a KMS key pending
	 * deletion): such items are dropped from reads, neither matched nor
	 * orphans. */
	const char        *gone;
	const char        *held;        /* statuses only AWS ends: "Held"    */
	const char *const *depends_on_types; /* types that must exist first   */
	res_batch_t        batch;       /* writes merged across resources  */
	const res_attr_t  *attrs;
	size_t             n_attrs;
	const res_hooks_t *hooks;
	const res_driver_t *driver;     /* not AWS: see "Drivers" above     */
} res_type_t;

/* The registry: every type of every service file. */
const res_type_t *res_table_find(const char *type_name);
const res_type_t *res_table_at(size_t index);    /* NULL past the end */
const res_attr_t *res_type_attr(const res_type_t *t, const char *name);

/* Whether a request template names "$attr:<attr>" anywhere (the create
 * template places the attribute itself, nested: CreateBudget's
 * Budget.BudgetLimit). 0 for a NULL template. */
int res_template_places(const char *template_json, const char *attr);

/* Whether driftd lists t's resources without being told their names: a
 * type it creates, with a read that needs no scope ("$attr:") and no
 * driver. Such types are read wherever their service is configured, so
 * that orphans of types gone from config are found (and driftd's own IAM
 * policy, iampolicy.h, allows those reads). */
int res_type_listable(const res_type_t *t);

/* The closest known type / attribute name, for "did you mean". NULL when
 * nothing is close. */
const char *res_table_suggest_type(const char *type_name);
const char *res_type_suggest_attr(const res_type_t *t, const char *name);

#endif
