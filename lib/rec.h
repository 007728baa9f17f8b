/* rec — the private header of the engine's file family (reconcile.h is the
 * public API). One run's context (rec_run_t), its reads, tasks and batched
 * writes, and the functions the files share, grouped by the file that
 * defines them. Names shared inside the family take the rec__ prefix.
 *
 *   rec_run.c     the orchestrator: options, items and reads, result
 *   rec_match.c   identity: which live item is a configured resource
 *   rec_read.c    reading AWS: batched, scoped, per-item reads
 *   rec_plan.c    planning: what converging would do
 *   rec_orphan.c  orphans and pruning
 *   rec_apply.c   applying: tasks, writes, readiness, the dispatcher
 *   rec_driver.c  drivers (libpq) and their secrets
 *
 * Only reconcile.h and lower modules are included here: no file of the
 * family includes another's .c or a header above it. */
#ifndef DRIFTD_REC_H
#define DRIFTD_REC_H

#include <stdarg.h>

#include "reconcile.h"
#include "template.h"

typedef struct lr_batch {
	size_t pending;
	void (*done)(void *ctx);
	void  *ctx;
} lr_batch_t;

/* One batched read: every live item of one type in one region. */
typedef struct rec_read {
	struct rec_run   *run;
	const res_type_t *type;
	char              region[64];
	cJSON            *items;      /* array; NULL until read */
	err_t             err;
	int               scoped;     /* read.params names "$attr:": read once
					 per distinct scope after the reads
					 of the types it depends on */
	int               started, done;
	size_t            pending;    /* its calls in flight */
	cJSON           **each_queue; /* listed items whose read_each calls
					 wait for room in the service's
					 window (rec_read.c)              */
	size_t            n_queued, next_queued, cap_queued;
	struct live_key  *index;      /* items by identity key, built once
					 the read is done (see rec__match_live) */
	size_t            n_index;
	/* The top-level members its items keep (rec__compact_item): what the
	 * type's table compares, identifies or fills templates with, and what
	 * the config's references name. keep_all: the type has C code (hooks,
	 * plan functions, a driver) that may read any member. Built on the
	 * first item. */
	char            **keep;
	size_t            n_keep;
	int               keep_built, keep_all;
	int               needed;     /* an incremental run reads it */
} rec_read_t;

/* One paginated read call, made page by page so that each page's items
 * are compacted before the next page arrives (10,000 security groups
 * whole are tens of MiB). scope: what a scoped read's answer leaves out of
 * its items, the scope it was read in: {"HostedZoneId": "Z1"} for
 * ListResourceRecordSets; NULL for a batched read. */
typedef struct page_call {
	rec_read_t *rd;
	cJSON      *scope;
	cJSON      *params;   /* the request, its page token advanced */
} page_call_t;

/* An operation the apply of one resource still has to make. */
typedef struct rec_op {
	char  *op;
	cJSON *params;
} rec_op_t;

/* The apply of one resource. Where it is in its life is its item's state
 * (creating, updating, replacing, deleting, waiting); rec_apply.c's
 * dispatcher moves it on when the step of that state is done. */
typedef struct rec_task {
	struct rec_run *run;
	rec_item_t     *item;
	rec_op_t       *ops;
	size_t          n_ops, next_op;
	rec_state_t     resume;       /* waiting: the state that started the
					 wait (creating: the update pass
					 after create follows)            */
	lr_batch_t      batch;        /* the refresh's attribute reads     */
	uv_timer_t      timer;
	double          poll_delay_s;
	double          wait_started;
	double          started;
	char            token[40];
	cJSON          *create_request;  /* until on_create: the item of a
					    create that answers nothing */
} rec_task_t;

/* Listed items whose read_each calls are in flight, per service: at most
 * REC_EACH_WINDOW, so that reading 10,000 SNS topics or KMS keys one by
 * one keeps memory flat instead of holding every request at once. */
#define REC_EACH_WINDOW 16
#define REC_MAX_SERVICES 32

typedef struct rec_window {
	const char *service;
	size_t      in_flight;
} rec_window_t;

typedef struct rec_run {
	rec_opts_t    o;
	rec_window_t  windows[REC_MAX_SERVICES];
	size_t        n_windows;
	int           each_pumping;
	rec_caller_t  caller;
	rec_done_fn   done;
	void         *ctx;
	const char   *env;
	rec_read_t   *reads;
	size_t        n_reads, reads_pending;
	rec_result_t *res;
	graph_t      *graph;
	size_t        tasks_running;
	lr_batch_t    live_batch;
	int           delivered;
	uv_timer_t    finish_timer;
	struct batch_part *parts;   /* batched writes not yet made */
	uv_timer_t    batch_timer;
	double        started;
	unsigned char *selected;    /* incremental runs: per item, 1 when it
				       is planned in this run (rec_incr.c) */
} rec_run_t;

/* One resource's call of a batched operation (restable.h). */
typedef struct batch_part {
	struct batch_part *next;
	const res_type_t  *type;
	char               region[64];
	char              *op;
	cJSON             *params;
	aws_done_cb        cb;
	void              *data;
} batch_part_t;

/* The parts made together in one call. */
typedef struct batch_call {
	rec_run_t     *run;
	batch_part_t **parts;
	size_t         n;
} batch_call_t;

/* A read's items sorted by identity key: the driftd:address tag, or the
 * first name attribute. Matching every configured resource against every
 * live item was quadratic: 7,000 security groups took over a minute. */
typedef struct live_key {
	char              *key;
	size_t             pos;   /* in the read, so equal keys keep read order */
	cJSON             *live;  /* in the read's items until taken */
	struct rec_item   *taken; /* the item it was moved to: its live */
} live_key_t;

/* ---- drivers: types driftd reaches without AWS ----------------------- */

/* One driver call on libuv's thread pool: a read (rd set) or an apply
 * and the read after it (task set). The worker touches only this. */
typedef struct driver_work {
	uv_work_t         req;
	rec_run_t        *run;
	const res_type_t *type;
	rec_read_t       *rd;
	rec_task_t       *task;
	char              region[64];
	cJSON            *desired;   /* owned */
	cJSON            *before;    /* owned: the live item before apply */
	cJSON            *live;      /* the read's answer */
	cJSON            *secrets;   /* owned, wiped: attribute -> secret */
	size_t            next_attr; /* the secret reference to read next */
	uv_after_work_cb  done;
	err_t             err;
	int               rc;
} driver_work_t;

/* rec_run.c */
int rec__call(rec_run_t *run, const char *service, const char *region,
		    const char *operation, const cJSON *params, unsigned flags,
		    aws_done_cb cb, void *data, err_t *e);
double rec__now_s(rec_run_t *run);
void rec__emit(rec_run_t *run, rec_event_t ev, const rec_item_t *item,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void rec__finish_run(rec_run_t *run);
void rec__set_state(rec_run_t *run, rec_item_t *item, rec_state_t state,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int rec__status_in(const char *status, const char *list);
/* item->err, allocated (empty) the first time: for err_set and friends.
 * NULL when out of memory, which err_set takes and ignores. */
err_t *rec__item_err(rec_item_t *item);
/* item->region set to a copy of region (shared: intern()). 0 or -ENOMEM. */
int rec__item_region(rec_item_t *item, const char *region);
/* item->err becomes a copy of e (e may be item->err itself). */
void rec__item_set_err(rec_item_t *item, const err_t *e);
void rec__after_reads(rec_run_t *run);

/* rec_match.c */
const res_attr_t *rec__tags_attr(const res_type_t *t);
char *rec__live_tag(const res_type_t *t, const cJSON *live, const char *key);
/* rec_read.c: whether an AWS error code says the item does not exist. */
int rec__code_names_missing(const char *code);
const char *rec__attr_live_path(const res_type_t *t, const char *name);
rec_read_t *rec__read_for(rec_run_t *run, const res_type_t *t,
			    const char *region);
void rec__update_id(rec_item_t *item);
void rec__set_live(rec_item_t *item, cJSON *live);
void rec__index_free(rec_read_t *rd);
void rec__match_live(rec_run_t *run, rec_item_t *item, const cJSON *desired);
rec_item_t *rec__item_find(rec_run_t *run, const char *address);
const cJSON *rec__previous_identity(rec_run_t *run, const rec_item_t *item);
void rec__match_configured(rec_run_t *run, rec_item_t *item);
void rec__match_resolved(rec_run_t *run, rec_item_t *item);
const cJSON *rec__lookup_ref(const char *address, const char *attribute,
			       void *ctx);

/* rec_read.c */
void rec__batch_step(lr_batch_t *b);
void rec__issue_live_reads(rec_run_t *run, rec_item_t *item, lr_batch_t *b);
int rec__start_scoped_reads(rec_run_t *run);
void rec__fix_live_item(rec_read_t *rd, cJSON *it);
void rec__merge_into(cJSON *item, const res_each_op_t *op, const cJSON *v);
void rec__read_step(rec_read_t *rd);
int rec__start_read_call(rec_read_t *rd, cJSON *params, cJSON *scope,
			 err_t *e);
int rec__type_has_code(const res_type_t *t);
void rec__compact_item(rec_read_t *rd, cJSON *it);
void rec__pack_item(rec_read_t *rd, cJSON *it);
cJSON *rec__items_open(rec_read_t *rd, cJSON *it);
cJSON *rec__live_copy(const cJSON *live);
int rec__live_open(rec_item_t *item);
void rec__live_pack(rec_run_t *run, rec_item_t *item);
int rec__live_thaw(rec_item_t *item);
void rec__keep_free(rec_read_t *rd);

/* rec_plan.c */
struct secret_check;
int rec__secret_check(const rec_run_t *run, const rec_item_t *item,
		      struct secret_check *c);
int rec__held(const rec_item_t *item, err_t *err);
void rec__evaluate(rec_run_t *run, rec_item_t *item);
void rec__count(rec_result_t *r, int applied);

/* rec_orphan.c */
void rec__add_orphans(rec_run_t *run);
int rec__start_next_prune(rec_run_t *run);

/* rec_apply.c */
void rec__merge_live(rec_item_t *item, cJSON *fresh);
/* The item a read_one answer holds (result is taken): 0 with *live as a
 * listed item looks (id set, fix_live run), NULL when the answer does not
 * hold it; else an error. */
int rec__read_one_item(const rec_item_t *item, cJSON *result, cJSON **live,
		       err_t *err);
void rec__task_end(rec_task_t *task, rec_status_t status);
void rec__task_fail(rec_task_t *task, const err_t *e);
void rec__start_task(rec_run_t *run, rec_item_t *item);
void rec__pump(rec_run_t *run);

/* rec_incr.c */
int rec__incr_select(rec_run_t *run, err_t *e);
int rec__incr_selected(const rec_run_t *run, const rec_item_t *item);
void rec__incr_start_reads(rec_run_t *run);
void rec__incr_trim(rec_run_t *run);

/* rec_driver.c */
/* restable.h, "Secret values": GetSecretValue of id (in its ARN's region,
 * else region); the ID of a {"secret": ID} value of a, else NULL; the
 * answer's SecretString kept in item->secret_values (wiped when
 * replaced); and the kept values put in item->desired in place of the
 * references they were read for (how many). */
int rec__read_secret(rec_run_t *run, const char *id, const char *region,
		     aws_done_cb cb, void *data, err_t *e);
const char *rec__secret_ref(const res_attr_t *a, const cJSON *v);
int rec__keep_secret_value(rec_item_t *item, const res_attr_t *a,
			   const char *id, const cJSON *answer, err_t *e);
int rec__use_secret_values(rec_item_t *item);
void rec__start_driver_apply(rec_task_t *task);
void rec__start_driver_read(rec_run_t *run, rec_read_t *rd, cJSON *desired);

#endif
