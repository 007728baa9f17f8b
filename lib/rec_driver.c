/* rec_driver — drivers and secrets: types reached without AWS (libpq), run on
 * libuv's thread pool after their Secrets Manager references are read. */
#include "rec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "jsonutil.h"
#include "services.h"
#include "template.h"

static void driver_work_free(driver_work_t *w)
{
	cJSON_Delete(w->desired);
	cJSON_Delete(w->before);
	cJSON_Delete(w->live);
	json_delete_wiped(w->secrets);
	free(w);
}

static void driver_run(uv_work_t *req)
{
	driver_work_t *w = req->data;
	const res_driver_t *d = w->type->driver;

	memset(&w->err, 0, sizeof(w->err));
	if (w->task && (w->rc = d->apply(w->type, w->desired, w->before,
					 w->secrets, &w->err)))
		return;
	w->rc = d->read(w->type, w->desired, w->secrets, &w->live, &w->err);
}

static int read_secret(driver_work_t *w);

/* A failure after driver_start returned: reported through done, as the
 * driver's own failure would be. */
static void driver_fail(driver_work_t *w, const err_t *e)
{
	w->err = *e;
	w->rc = e->code ? e->code : -EIO;
	w->done(&w->req, 0);
}

/* GetSecretValue's answer: the SecretString, parsed when it is a JSON
 * object (RDS's {"username","password"}), kept for the driver only. The
 * answer is wiped before it is freed. */
static void on_secret(void *data, cJSON *result, const err_t *e)
{
	driver_work_t *w = data;
	const res_attr_t *a = &w->type->attrs[w->next_attr - 1];
	cJSON *text = cJSON_GetObjectItemCaseSensitive(result, "SecretString");
	cJSON *value = NULL;
	err_t fail;

	if (e) {
		/* AWS's message names the secret, never its value. */
		err_set(&fail, e->code, "%s: cannot read the secret of %s: %s",
			w->type->name, a->name, e->message);
		json_delete_wiped(result);
		driver_fail(w, &fail);
		return;
	}
	if (cJSON_IsString(text)) {
		value = cJSON_Parse(text->valuestring);
		if (!cJSON_IsObject(value)) {
			json_delete_wiped(value);
			value = cJSON_CreateString(text->valuestring);
		}
	}
	json_delete_wiped(result);
	if (!value) {
		err_set(&fail, -EINVAL, "%s: the secret of %s has no SecretString",
			w->type->name, a->name);
		driver_fail(w, &fail);
		return;
	}
	cJSON_AddItemToObject(w->secrets, a->name, value);
	if (read_secret(w))
		driver_fail(w, &w->err);
}

/* The region of a secret's ARN (arn:aws:secretsmanager:REGION:...), else
 * fallback. */
static void secret_region(const char *id, const char *fallback, char *out,
			  size_t size)
{
	const char *p = id;
	size_t n = 0;
	int field;

	for (field = 0; field < 3 && p; field++)
		p = (p = strchr(p, ':')) ? p + 1 : NULL;
	if (p)
		n = strcspn(p, ":");
	if (!strncmp(id, "arn:", 4) && n > 0 && p[n] == ':')
		snprintf(out, size, "%.*s", (int)n, p);
	else
		snprintf(out, size, "%s", fallback);
}

/* ---- secret values (restable.h, "Secret values") --------------------- */

int rec__read_secret(rec_run_t *run, const char *id, const char *region,
		     aws_done_cb cb, void *data, err_t *e)
{
	char where[64];
	cJSON *params;
	int rc;

	secret_region(id, region, where, sizeof(where));
	params = cJSON_CreateObject();
	if (!params || !cJSON_AddStringToObject(params, "SecretId", id)) {
		cJSON_Delete(params);
		return err_set(e, -ENOMEM, "out of memory");
	}
	rc = rec__call(run, "secretsmanager", where, "GetSecretValue", params,
		       0, cb, data, e);
	cJSON_Delete(params);
	return rc ? (e->code ? e->code : -EIO) : 0;
}

const char *rec__secret_ref(const res_attr_t *a, const cJSON *v)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(v, "secret");

	return (a->flags & RES_SECRET_VALUE) && cJSON_IsObject(v) &&
	       cJSON_IsString(id) ? id->valuestring : NULL;
}

int rec__keep_secret_value(rec_item_t *item, const res_attr_t *a,
			   const char *id, const cJSON *answer, err_t *e)
{
	const cJSON *text = cJSON_GetObjectItemCaseSensitive(answer, "SecretString");
	cJSON *kept = NULL;

	if (!cJSON_IsString(text))
		return err_set(e, -EINVAL, "%s: the secret of %s has no "
			       "SecretString", item->address, a->name);
	if ((!item->secret_values &&
	     !(item->secret_values = cJSON_CreateObject())) ||
	    !(kept = cJSON_CreateObject()) ||
	    !cJSON_AddStringToObject(kept, "id", id) ||
	    !cJSON_AddStringToObject(kept, "value", text->valuestring)) {
		json_delete_wiped(kept);
		return err_set(e, -ENOMEM, "out of memory");
	}
	json_delete_wiped(cJSON_DetachItemFromObjectCaseSensitive(
		item->secret_values, a->name));
	cJSON_AddItemToObject(item->secret_values, a->name, kept);
	return 0;
}

int rec__use_secret_values(rec_item_t *item)
{
	const res_attr_t *a;
	const cJSON *kept, *value;
	const char *id;
	cJSON *copy;
	size_t i;
	int n = 0;

	for (i = 0; item->desired && i < item->type->n_attrs; i++) {
		a = &item->type->attrs[i];
		id = rec__secret_ref(a, cJSON_GetObjectItemCaseSensitive(
			item->desired, a->name));
		kept = cJSON_GetObjectItemCaseSensitive(item->secret_values, a->name);
		value = cJSON_GetObjectItemCaseSensitive(kept, "value");
		if (!id || !cJSON_IsString(value) ||
		    strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
			    kept, "id")) ?: "", id) ||
		    !(copy = cJSON_CreateString(value->valuestring)))
			continue;
		cJSON_ReplaceItemInObjectCaseSensitive(item->desired, a->name, copy);
		n++;
	}
	return n;
}

/* Reads the next RES_SECRET_REF attribute's secret or, when every one is
 * read, queues the driver. 0 when a call or the work is under way (done
 * follows), else the error, in w->err. */
static int read_secret(driver_work_t *w)
{
	const res_type_t *t = w->type;
	const cJSON *id = NULL;

	for (; w->next_attr < t->n_attrs; w->next_attr++) {
		id = cJSON_GetObjectItemCaseSensitive(w->desired,
						      t->attrs[w->next_attr].name);
		if ((t->attrs[w->next_attr].flags & RES_SECRET_REF) &&
		    cJSON_IsString(id))
			break;
	}
	if (w->next_attr == t->n_attrs) {
		if (uv_queue_work(w->run->o.loop, &w->req, driver_run, w->done))
			return err_set(&w->err, -EIO, "%s: cannot start the driver",
				       t->name);
		return 0;
	}
	w->next_attr++;
	return rec__read_secret(w->run, id->valuestring, w->region, on_secret,
				w, &w->err);
}

/* Starts a driver read or apply: its secrets first (restable.h,
 * "Drivers"), on the loop, then the driver on the thread pool. 0: done
 * runs once, later; else nothing was started and w->err says why. */
static int driver_start(rec_run_t *run, driver_work_t *w, const char *region,
			uv_after_work_cb done)
{
	w->run = run;
	w->done = done;
	w->req.data = w;
	snprintf(w->region, sizeof(w->region), "%s", region);
	if (!w->secrets && !(w->secrets = cJSON_CreateObject()))
		return err_set(&w->err, -ENOMEM, "out of memory");
	return read_secret(w);
}

static void on_driver_applied(uv_work_t *req, int status)
{
	driver_work_t *w = req->data;
	rec_task_t *task = w->task;
	rec_item_t *item = task->item;

	if (status)
		err_set(&w->err, status, "%s: %s", item->address, uv_strerror(status));
	if (status || w->rc) {
		rec__task_fail(task, &w->err);
	} else {
		rec__set_live(item, w->live);
		w->live = NULL;
		rec__emit(task->run, REC_EVENT_DONE, item, "Applied");
		rec__task_end(task, REC_STATUS_OK);
	}
	driver_work_free(w);
}

/* Create and update of a driver type are one apply. */
void rec__start_driver_apply(rec_task_t *task)
{
	rec_item_t *item = task->item;
	driver_work_t *w;
	err_t e;

	if (item->action != REC_CREATE && item->action != REC_UPDATE) {
		err_set(&e, -ENOTSUP, "%s: driftd does not delete or replace a %s",
			item->address, item->type->name);
		rec__task_fail(task, &e);
		return;
	}
	if (item->unknown || !item->desired)
		rec__evaluate(task->run, item);
	if (!item->desired || item->unknown) {
		err_set(&e, -EAGAIN, "%s: references could not be resolved",
			item->address);
		rec__task_fail(task, &e);
		return;
	}
	w = calloc(1, sizeof(*w));
	if (!w || !(w->desired = cJSON_Duplicate(item->desired, 1)) ||
	    (item->live && !(w->before = cJSON_Duplicate(item->live, 1)))) {
		if (w)
			driver_work_free(w);
		err_set(&e, -ENOMEM, "out of memory");
		rec__task_fail(task, &e);
		return;
	}
	w->type = item->type;
	w->task = task;
	rec__emit(task->run, REC_EVENT_START, item, "Applying...");
	if (driver_start(task->run, w, item->region, on_driver_applied)) {
		e = w->err;
		driver_work_free(w);
		rec__task_fail(task, &e);
	}
}

static void on_driver_read(uv_work_t *req, int status)
{
	driver_work_t *w = req->data;
	rec_read_t *rd = w->rd;

	if (status && !rd->err.code)
		err_set(&rd->err, status, "%s: %s", rd->type->name, uv_strerror(status));
	else if (w->rc && !rd->err.code)
		rd->err = w->err;
	else if (!status && !w->rc && w->live && rd->items) {
		cJSON_AddItemToArray(rd->items, w->live);
		rec__fix_live_item(rd, w->live);
		w->live = NULL;
	}
	driver_work_free(w);
	rec__read_step(rd);
}

/* A driver read of one configured resource; takes desired. */
void rec__start_driver_read(rec_run_t *run, rec_read_t *rd, cJSON *desired)
{
	driver_work_t *w = calloc(1, sizeof(*w));

	if (!w) {
		cJSON_Delete(desired);
		err_set(&rd->err, -ENOMEM, "out of memory");
		return;
	}
	w->type = rd->type;
	w->rd = rd;
	w->desired = desired;
	if (driver_start(run, w, rd->region, on_driver_read)) {
		rd->err = w->err;
		driver_work_free(w);
		return;
	}
	rd->pending++;
	run->reads_pending++;
}
