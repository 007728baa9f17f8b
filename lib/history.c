/* history — see history.h. */
#include "history.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "planfmt.h"
#include "proto.h"
#include "readfile.h"

#define HISTORY_READ_MAX (64u << 20)

struct history {
	char              *dir;
	char              *path, *path_old;   /* for messages */
	int                dirfd;
	size_t             max_bytes;
	unsigned long      seq;
	history_pending_t *pending;
	size_t             npending;
};

static const char *const attribution_names[] = {
	[HISTORY_FOUND] = "found",
	[HISTORY_PENDING] = "pending",
	[HISTORY_NOT_FOUND] = "not found",
	[HISTORY_FAILED] = "failed",
	[HISTORY_OFF] = "off",
};

const char *history_attribution_name(history_attribution_t a)
{
	return (unsigned)a < sizeof(attribution_names) / sizeof(attribution_names[0]) ?
	       attribution_names[a] : "?";
}

cJSON *history_changes_json(const rec_item_t *it)
{
	cJSON *arr = cJSON_CreateArray(), *o;
	char *exp, *live;
	size_t i;

	for (i = 0; arr && it->diff && i < it->diff->n_changes; i++) {
		const diff_change_t *ch = &it->diff->changes[i];

		exp = planfmt_value(ch->attr, ch->attr->kind == RES_TAGS ?
				    ch->added : ch->desired);
		live = planfmt_value(ch->attr, ch->live);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "attribute", ch->attr->name);
		cJSON_AddStringToObject(o, "expected", exp ? exp : "?");
		cJSON_AddStringToObject(o, "live", live ? live : "(absent)");
		cJSON_AddItemToArray(arr, o);
		free(exp);
		free(live);
	}
	if (arr && it->action == REC_CREATE && !cJSON_GetArraySize(arr)) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "attribute", "(resource)");
		cJSON_AddStringToObject(o, "expected", "present");
		cJSON_AddStringToObject(o, "live", "missing");
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* ---- pending records --------------------------------------------------- */

static void pending_clear(history_pending_t *p)
{
	size_t i;

	free(p->address);
	free(p->region);
	for (i = 0; i < CT_NAMES_MAX; i++)
		free(p->names[i]);
	memset(p, 0, sizeof(*p));
}

static int json_time(const cJSON *v, time_t *t)
{
	double d;

	if (cJSON_IsNumber(v)) {
		*t = (time_t)v->valuedouble;
		return 0;
	}
	if (cJSON_IsString(v) && !proto_time_parse(v->valuestring, &d)) {
		*t = (time_t)d;
		return 0;
	}
	return -EINVAL;
}

/* A record read back (or just written) as a pending entry. */
static int pending_add(history_t *h, const cJSON *rec)
{
	history_pending_t *grown, *p;
	const cJSON *n;
	size_t i = 0;

	grown = realloc(h->pending, (h->npending + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	h->pending = grown;
	p = &h->pending[h->npending];
	memset(p, 0, sizeof(*p));
	snprintf(p->id, sizeof(p->id), "%s",
		 cJSON_GetStringValue(cJSON_GetObjectItem(rec, "id")));
	p->address = strdup(cJSON_GetStringValue(cJSON_GetObjectItem(rec, "address")) ?: "");
	p->region = strdup(cJSON_GetStringValue(cJSON_GetObjectItem(rec, "region")) ?: "");
	cJSON_ArrayForEach(n, cJSON_GetObjectItem(rec, "lookup"))
		if (i < CT_NAMES_MAX && cJSON_IsString(n))
			p->names[i++] = strdup(n->valuestring);
	json_time(cJSON_GetObjectItem(rec, "since"), &p->since);
	json_time(cJSON_GetObjectItem(rec, "detected"), &p->detected);
	if (!p->address || !p->region) {
		pending_clear(p);
		return -ENOMEM;
	}
	h->npending++;
	return 0;
}

static history_pending_t *pending_find(history_t *h, const char *id)
{
	size_t i;

	for (i = 0; i < h->npending; i++)
		if (!strcmp(h->pending[i].id, id))
			return &h->pending[i];
	return NULL;
}

static void pending_remove(history_t *h, history_pending_t *p)
{
	pending_clear(p);
	memmove(p, p + 1, (size_t)(&h->pending[h->npending] - (p + 1)) *
		sizeof(*p));
	h->npending--;
}

size_t history_npending(const history_t *h)
{
	return h->npending;
}

const history_pending_t *history_pending_at(const history_t *h, size_t i)
{
	return i < h->npending ? &h->pending[i] : NULL;
}

/* ---- open, append, rotate ---------------------------------------------- */

/* The state directory, its last component not followed if a link. */
static int open_dir(const char *dir, int *fd, err_t *e)
{
	*fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0)
		return err_set(e, -errno, "state directory %s: %s%s", dir,
			       strerror(errno), errno == ENOTDIR || errno == ELOOP ?
			       " (a symbolic link or not a directory; driftd does "
			       "not follow it)" : "");
	return 0;
}

static int read_all(int dirfd, const char *dir, cJSON **out, size_t *skipped,
		    err_t *e);

int history_open(const char *dir, size_t max_bytes, history_t **out, err_t *e)
{
	history_t *h = calloc(1, sizeof(*h));
	cJSON *all = NULL, *rec;
	int rc;

	*out = NULL;
	if (!h)
		return err_set(e, -ENOMEM, "out of memory");
	h->dirfd = -1;
	h->max_bytes = max_bytes ? max_bytes : HISTORY_DEFAULT_MAX;
	if (h->max_bytes < HISTORY_MIN_MAX)
		h->max_bytes = HISTORY_MIN_MAX;
	if (!(h->dir = strdup(dir)) ||
	    asprintf(&h->path, "%s/" HISTORY_FILE, dir) < 0 ||
	    asprintf(&h->path_old, "%s/" HISTORY_FILE ".1", dir) < 0) {
		h->path = h->path_old = NULL;
		history_free(h);
		return err_set(e, -ENOMEM, "out of memory");
	}
	if (mkdir(dir, 0700) && errno != EEXIST) {
		rc = -errno;
		history_free(h);
		return err_set(e, rc, "cannot make the state directory %s: %s",
			       dir, strerror(-rc));
	}
	if ((rc = open_dir(dir, &h->dirfd, e)) ||
	    (rc = read_all(h->dirfd, dir, &all, NULL, e))) {
		history_free(h);
		return rc;
	}
	cJSON_ArrayForEach(rec, all)
		if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(rec, "attribution")) ?: "",
			    attribution_names[HISTORY_PENDING]) &&
		    cJSON_IsString(cJSON_GetObjectItem(rec, "id")) &&
		    pending_add(h, rec)) {
			cJSON_Delete(all);
			history_free(h);
			return err_set(e, -ENOMEM, "out of memory");
		}
	cJSON_Delete(all);
	*out = h;
	return 0;
}

void history_free(history_t *h)
{
	if (!h)
		return;
	while (h->npending)
		pending_remove(h, &h->pending[0]);
	free(h->pending);
	if (h->dirfd >= 0)
		close(h->dirfd);
	free(h->dir);
	free(h->path);
	free(h->path_old);
	free(h);
}

/* One whole line, one write(2), O_APPEND; rotated first when it would
 * pass the cap. A short write is cut back off so no half line stays.
 * Files are reached through the directory opened once, never through a
 * link (a link planted there must not make driftd write elsewhere). */
static int append_line(history_t *h, const char *line, size_t len, err_t *e)
{
	struct stat st;
	ssize_t n;
	int fd, rc = 0;

	if (!fstatat(h->dirfd, HISTORY_FILE, &st, AT_SYMLINK_NOFOLLOW) &&
	    S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (size_t)st.st_size + len > h->max_bytes &&
	    renameat(h->dirfd, HISTORY_FILE, h->dirfd, HISTORY_FILE ".1"))
		return err_set(e, -errno, "cannot rotate %s: %s", h->path,
			       strerror(errno));
	fd = openat(h->dirfd, HISTORY_FILE, O_WRONLY | O_APPEND | O_CREAT |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(e, -errno, "cannot open %s: %s%s", h->path,
			       strerror(errno), errno == ELOOP ? " (a symbolic "
			       "link; driftd does not follow it)" : "");
	if (fstat(fd, &st)) {
		rc = err_set(e, -errno, "cannot stat %s: %s", h->path,
			     strerror(errno));
		goto out;
	}
	n = write(fd, line, len);
	if (n != (ssize_t)len) {
		rc = err_set(e, n < 0 ? -errno : -ENOSPC, "cannot write %s: %s",
			     h->path, n < 0 ? strerror(errno) : "short write");
		/* Cut the half line back off; if even that fails, the
		 * reader skips a line that does not parse. */
		(void)!ftruncate(fd, st.st_size);
		goto out;
	}
	if (fdatasync(fd))
		rc = err_set(e, -errno, "cannot sync %s: %s", h->path,
			     strerror(errno));
out:
	close(fd);
	return rc;
}

static int append_json(history_t *h, cJSON *rec, err_t *e)
{
	char *text = cJSON_PrintUnformatted(rec), *line;
	size_t len;
	int rc;

	if (!text)
		return err_set(e, -ENOMEM, "out of memory");
	len = strlen(text);
	if (len + 1 > HISTORY_LINE_MAX && cJSON_GetObjectItem(rec, "changes")) {
		/* Too long to keep whole: the changes are counted. */
		int n = cJSON_GetArraySize(cJSON_GetObjectItem(rec, "changes"));
		cJSON *note = cJSON_CreateArray(), *o = cJSON_CreateObject();
		char what[64];

		snprintf(what, sizeof(what), "(%d changes, too long to record)", n);
		cJSON_AddStringToObject(o, "attribute", what);
		cJSON_AddStringToObject(o, "expected", "");
		cJSON_AddStringToObject(o, "live", "");
		cJSON_AddItemToArray(note, o);
		cJSON_ReplaceItemInObject(rec, "changes", note);
		cJSON_free(text);
		if (!(text = cJSON_PrintUnformatted(rec)))
			return err_set(e, -ENOMEM, "out of memory");
		len = strlen(text);
	}
	if (!(line = malloc(len + 2))) {
		cJSON_free(text);
		return err_set(e, -ENOMEM, "out of memory");
	}
	memcpy(line, text, len);
	line[len] = '\n';
	line[len + 1] = '\0';
	cJSON_free(text);
	rc = append_line(h, line, len + 1, e);
	free(line);
	return rc;
}

static void add_time(cJSON *o, const char *iso_key, const char *key, time_t t)
{
	char ts[40];

	proto_time_format((double)t, ts, sizeof(ts));
	cJSON_AddStringToObject(o, iso_key, ts);
	cJSON_AddNumberToObject(o, key, (double)t);
}

static void add_str(cJSON *o, const char *key, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, key, v);
}

/* attribution, changed_by, detect_seconds, error: the part an update
 * replaces. */
static void add_attribution(cJSON *o, history_attribution_t a,
			    const ct_change_t *ch, const char *error,
			    time_t detected)
{
	cJSON_AddStringToObject(o, "attribution", history_attribution_name(a));
	if (a == HISTORY_FOUND && ch) {
		cJSON_AddItemToObject(o, "changed_by", ct_change_json(ch));
		cJSON_AddNumberToObject(o, "detect_seconds",
					ct_detect_seconds(ch, detected));
	}
	if (a == HISTORY_FAILED && error)
		cJSON_AddStringToObject(o, "error", error);
}

int history_drift(history_t *h, const history_drift_t *d, char *id, err_t *e)
{
	cJSON *rec = cJSON_CreateObject(), *names;
	char myid[HISTORY_ID_MAX];
	size_t i;
	int rc;

	if (!rec)
		return err_set(e, -ENOMEM, "out of memory");
	snprintf(myid, sizeof(myid), "%lld-%ld-%lu", (long long)d->detected,
		 (long)getpid(), ++h->seq);
	cJSON_AddStringToObject(rec, "id", myid);
	add_time(rec, "time", "detected", d->detected);
	if (d->since)
		cJSON_AddNumberToObject(rec, "since", (double)d->since);
	add_str(rec, "environment", d->environment);
	add_str(rec, "address", d->address);
	add_str(rec, "type", d->type);
	add_str(rec, "region", d->region);
	add_str(rec, "resource_id", d->resource_id);
	names = cJSON_AddArrayToObject(rec, "lookup");
	for (i = 0; names && i < CT_NAMES_MAX && d->names[i]; i++)
		if (*d->names[i])
			cJSON_AddItemToArray(names, cJSON_CreateString(d->names[i]));
	cJSON_AddItemToObject(rec, "changes", d->changes ?
			      cJSON_Duplicate(d->changes, 1) : cJSON_CreateArray());
	add_str(rec, "action", d->action);
	add_attribution(rec, d->attribution, d->changed_by, d->error,
			d->detected);
	rc = append_json(h, rec, e);
	if (!rc && d->attribution == HISTORY_PENDING && pending_add(h, rec))
		rc = err_set(e, -ENOMEM, "out of memory");
	cJSON_Delete(rec);
	if (!rc && id)
		snprintf(id, HISTORY_ID_MAX, "%s", myid);
	return rc;
}

int history_update(history_t *h, const char *id,
		   history_attribution_t attribution, const ct_change_t *ch,
		   const char *error, time_t now, err_t *e)
{
	history_pending_t *p = pending_find(h, id);
	cJSON *up;
	int rc;

	if (!p)
		return err_set(e, -ENOENT, "history record %s is not pending", id);
	if (attribution == HISTORY_PENDING || (attribution == HISTORY_FOUND && !ch))
		return err_set(e, -EINVAL, "an update must settle the attribution");
	if (!(up = cJSON_CreateObject()))
		return err_set(e, -ENOMEM, "out of memory");
	cJSON_AddStringToObject(up, "update", id);
	add_str(up, "address", p->address);
	add_time(up, "updated", "updated_at", now);
	add_attribution(up, attribution, ch, error, p->detected);
	rc = append_json(h, up, e);
	cJSON_Delete(up);
	if (!rc)
		pending_remove(h, p);
	return rc;
}

/* ---- reading back --------------------------------------------------- */

static cJSON *find_id(cJSON *arr, const char *id)
{
	cJSON *r;

	cJSON_ArrayForEach(r, arr)
		if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(r, "id")) ?: "", id))
			return r;
	return NULL;
}

/* An update replaces the record's attribution, once. */
static void fold_update(cJSON *all, const cJSON *up)
{
	static const char *const keys[] = {
		"attribution", "changed_by", "detect_seconds", "error", "updated",
	};
	cJSON *rec = find_id(all, cJSON_GetStringValue(cJSON_GetObjectItem(up, "update")));
	const cJSON *v;
	size_t i;

	if (!rec || cJSON_GetObjectItem(rec, "updated"))
		return;   /* its record was rotated away, or already updated */
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		cJSON_DeleteItemFromObject(rec, keys[i]);
		if ((v = cJSON_GetObjectItem(up, keys[i])))
			cJSON_AddItemToObject(rec, keys[i], cJSON_Duplicate(v, 1));
	}
}

static int read_file_lines(int dirfd, const char *dir, const char *name,
			   cJSON *all, size_t *skipped, err_t *e)
{
	char *buf = NULL, *line, *nl, display[4096];
	size_t len = 0;
	cJSON *rec;
	int rc;

	snprintf(display, sizeof(display), "%s/%s", dir, name);
	rc = readfile_at(dirfd, name, display, HISTORY_READ_MAX, &buf, &len, e);
	if (rc == -ENOENT) {
		err_clear(e);
		return 0;
	}
	if (rc)
		return rc;
	for (line = buf; line < buf + len; line = nl + 1) {
		if (!(nl = memchr(line, '\n', (size_t)(buf + len - line))))
			nl = buf + len;   /* a last line without its newline */
		*nl = '\0';
		if (!*line)
			continue;
		rec = cJSON_Parse(line);
		if (!cJSON_IsObject(rec)) {
			cJSON_Delete(rec);
			if (skipped)
				(*skipped)++;
			continue;
		}
		if (cJSON_IsString(cJSON_GetObjectItem(rec, "update"))) {
			fold_update(all, rec);
			cJSON_Delete(rec);
		} else {
			cJSON_AddItemToArray(all, rec);
		}
	}
	free(buf);
	return 0;
}

/* Both files, oldest first, updates folded in. */
static int read_all(int dirfd, const char *dir, cJSON **out, size_t *skipped,
		    err_t *e)
{
	cJSON *all = cJSON_CreateArray();
	int rc;

	*out = NULL;
	if (!all)
		return err_set(e, -ENOMEM, "out of memory");
	if ((rc = read_file_lines(dirfd, dir, HISTORY_FILE ".1", all, skipped, e)) ||
	    (rc = read_file_lines(dirfd, dir, HISTORY_FILE, all, skipped, e))) {
		cJSON_Delete(all);
		return rc;
	}
	*out = all;
	return 0;
}

int history_read(const char *dir, time_t since, const char *address,
		 cJSON **out, size_t *skipped, err_t *e)
{
	cJSON *all = NULL, *r, *next;
	time_t when;
	int dirfd, rc;

	*out = NULL;
	if (skipped)
		*skipped = 0;
	if ((rc = open_dir(dir, &dirfd, e))) {
		if (rc != -ENOENT)
			return rc;
		err_clear(e);
		return (*out = cJSON_CreateArray()) ? 0 :
		       err_set(e, -ENOMEM, "out of memory");
	}
	rc = read_all(dirfd, dir, &all, skipped, e);
	close(dirfd);
	if (rc)
		return rc;
	for (r = all->child; r; r = next) {
		next = r->next;
		if ((since && (json_time(cJSON_GetObjectItem(r, "detected"), &when) ||
			       when < since)) ||
		    (address && strcmp(cJSON_GetStringValue(
			    cJSON_GetObjectItem(r, "address")) ?: "", address)))
			cJSON_Delete(cJSON_DetachItemViaPointer(all, r));
	}
	*out = all;
	return 0;
}
