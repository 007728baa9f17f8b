/* history — every drift the daemon found, what it did about it and who
 * made the change, as JSON lines in the state directory.
 *
 * STATE_DIR/history.jsonl holds the newest records; when a record would
 * take it past max_bytes it is renamed to history.jsonl.1 (replacing the
 * older one, rename(2) is atomic) and a new file is started, so the
 * history takes at most twice max_bytes. Each record is one write(2) of a
 * whole line to a file opened O_APPEND, so a reader never sees half a
 * line from a writer that finished, and a failed write is cut back off.
 *
 * A drift whose change CloudTrail does not show yet is recorded with
 * "attribution": "pending"; when a later lookup finds it (or gives up),
 * one update line {"update": ID, ...} completes it. Readers fold updates
 * into their records. Pending records are found again when the history is
 * opened, so a restart keeps looking them up.
 *
 * Nothing secret is written: the changes are the plan's masked values
 * (history_changes_json, planfmt_value), and of a CloudTrail event only
 * who, when, from where and with what (cloudtrail.h). The module never
 * logs. */
#ifndef DRIFTD_HISTORY_H
#define DRIFTD_HISTORY_H

#include <stddef.h>
#include <time.h>

#include <cJSON.h>

#include "cloudtrail.h"
#include "err.h"
#include "reconcile.h"

#define HISTORY_FILE          "history.jsonl"
#define HISTORY_DEFAULT_MAX   (1024 * 1024)   /* bytes per file */
#define HISTORY_MIN_MAX       4096
#define HISTORY_LINE_MAX      (64 * 1024)     /* bigger changes are cut */
#define HISTORY_ID_MAX        64

typedef struct history history_t;

typedef enum history_attribution {
	HISTORY_FOUND,      /* changed_by names the change                */
	HISTORY_PENDING,    /* not in CloudTrail yet: looked up again     */
	HISTORY_NOT_FOUND,  /* given up (CT_GIVE_UP_S after the drift)    */
	HISTORY_FAILED,     /* the lookup failed: error says why          */
	HISTORY_OFF,        /* no lookup (no name to look up by)          */
} history_attribution_t;

/* One drift found. Strings may be NULL (left out). */
typedef struct history_drift {
	const char   *environment;
	const char   *address;
	const char   *type;          /* "ec2.security_group"                */
	const char   *region;
	const char   *resource_id;
	const char   *names[CT_NAMES_MAX];  /* what CloudTrail is asked by */
	const cJSON  *changes;       /* history_changes_json: masked        */
	const char   *action;        /* what driftd did: "reverted in place" */
	time_t        since;         /* last seen in sync (0: unknown)      */
	time_t        detected;
	history_attribution_t attribution;
	const ct_change_t    *changed_by;  /* HISTORY_FOUND                 */
	const char           *error;       /* HISTORY_FAILED                */
} history_drift_t;

/* A pending record as read back: what a later lookup needs. */
typedef struct history_pending {
	char       id[HISTORY_ID_MAX];
	char      *address, *region;
	char      *names[CT_NAMES_MAX];
	time_t     since, detected;
} history_pending_t;

/* Opens the history in dir (made, mode 0700, when missing) and finds the
 * pending records. max_bytes 0: HISTORY_DEFAULT_MAX; less than
 * HISTORY_MIN_MAX is raised to it. */
int history_open(const char *dir, size_t max_bytes, history_t **out,
		 err_t *e);
void history_free(history_t *h);   /* NULL is a no-op */

/* Appends one drift; its id goes to id (HISTORY_ID_MAX bytes) when not
 * NULL. A pending one joins the pending list. */
int history_drift(history_t *h, const history_drift_t *d, char *id,
		  err_t *e);
/* Completes a pending record once: HISTORY_FOUND with ch, or
 * HISTORY_NOT_FOUND / HISTORY_FAILED (error). -ENOENT when id is not
 * pending (already updated, or never was). */
int history_update(history_t *h, const char *id,
		   history_attribution_t attribution, const ct_change_t *ch,
		   const char *error, time_t now, err_t *e);

size_t history_npending(const history_t *h);
const history_pending_t *history_pending_at(const history_t *h, size_t i);

/* Every record in dir, oldest first, updates folded in, filtered: since
 * (0: all) on the detection time, address (NULL: all). *out is a JSON
 * array (the caller's). Lines that do not parse are skipped and counted
 * in *skipped (may be NULL). No history at all is an empty array. */
int history_read(const char *dir, time_t since, const char *address,
		 cJSON **out, size_t *skipped, err_t *e);

/* The drift of one item as [{attribute, expected, live}], values masked
 * as plans mask them (planfmt_value); a create of what vanished is one
 * {"(resource)", "present", "missing"}. NULL when out of memory. */
cJSON *history_changes_json(const rec_item_t *it);

const char *history_attribution_name(history_attribution_t a);

#endif
