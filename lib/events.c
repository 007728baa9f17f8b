/* events — see events.h. */
#include "events.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "jsonutil.h"
#include "reconcile.h"
#include "services.h"

#define EV_OWN_UA "driftd/"

static const char *const kind_names[] = {
#define XX(name, text) text,
	EV_KIND_MAP(XX)
#undef XX
};

const char *ev_kind_name(ev_kind_t k)
{
	return (unsigned)k < EV_KIND_COUNT ? kind_names[k] : "?";
}

void ev_event_free(ev_event_t *ev)
{
	size_t i;

	if (!ev)
		return;
	for (i = 0; i < ev->n_ids; i++)
		free(ev->ids[i]);
	ev->n_ids = 0;
}

static void copy_str(char *dst, size_t len, const cJSON *v)
{
	snprintf(dst, len, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

static int add_id(ev_event_t *ev, const char *s)
{
	size_t i, len = strlen(s);

	if (!len || len > EV_ID_LEN_MAX || ev->n_ids >= EV_IDS_MAX)
		return 0;
	for (i = 0; i < ev->n_ids; i++)
		if (!strcmp(ev->ids[i], s))
			return 0;
	return (ev->ids[ev->n_ids] = strdup(s)) ? (ev->n_ids++, 0) : -ENOMEM;
}

/* Every string under v, depth first, to EV_DEPTH_MAX levels. */
static int collect_ids(ev_event_t *ev, const cJSON *v, int depth)
{
	const cJSON *c;
	int rc = 0;

	if (cJSON_IsString(v))
		return add_id(ev, v->valuestring);
	if (depth >= EV_DEPTH_MAX || !(cJSON_IsObject(v) || cJSON_IsArray(v)))
		return 0;
	for (c = v->child; c && !rc; c = c->next)
		rc = collect_ids(ev, c, depth + 1);
	return rc;
}

static int malformed(ev_event_t *ev, err_t *e, const char *why)
{
	ev->kind = EV_MALFORMED;
	err_set(e, -EBADMSG, "the message is not an EventBridge event: %s", why);
	return 0;
}

int ev_parse(const char *body, size_t len, const char *own_ua,
	     ev_event_t *ev, err_t *e)
{
	cJSON *root, *d, *res, *c;
	const char *dt, *src, *ua;
	int rc = 0;

	memset(ev, 0, sizeof(*ev));
	if (!own_ua)
		own_ua = EV_OWN_UA;
	if (!body || len > EV_BODY_MAX)
		return malformed(ev, e, "it is empty or larger than SQS allows");
	if (!(root = cJSON_ParseWithLength(body, len)))
		return malformed(ev, e, "it is not JSON");
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return malformed(ev, e, "it is not a JSON object");
	}
	dt = cJSON_GetStringValue(cJSON_GetObjectItem(root, "detail-type"));
	d = cJSON_GetObjectItem(root, "detail");
	copy_str(ev->id, sizeof(ev->id), cJSON_GetObjectItem(root, "id"));
	if (!dt || !cJSON_IsObject(d)) {
		cJSON_Delete(root);
		return malformed(ev, e, "it has no detail-type and detail");
	}
	if (strcmp(dt, EV_DETAIL_TYPE)) {
		ev->kind = EV_OTHER;
		cJSON_Delete(root);
		return 0;
	}
	if (!cJSON_IsString(cJSON_GetObjectItem(d, "eventName")) ||
	    !cJSON_IsString(cJSON_GetObjectItem(d, "eventSource"))) {
		cJSON_Delete(root);
		return malformed(ev, e, "its detail has no eventName and "
				 "eventSource");
	}
	ct_change_from_record(d, &ev->change);
	copy_str(ev->region, sizeof(ev->region),
		 cJSON_GetObjectItem(d, "awsRegion"));
	if (!ev->region[0])
		copy_str(ev->region, sizeof(ev->region),
			 cJSON_GetObjectItem(root, "region"));
	src = ev->change.event_source;
	snprintf(ev->source_prefix, sizeof(ev->source_prefix), "%.*s",
		 (int)strcspn(src, "."), src);
	ua = ev->change.user_agent;
	if (cJSON_IsTrue(cJSON_GetObjectItem(d, "readOnly")))
		ev->kind = EV_READ_ONLY;
	else if (*own_ua && !strncmp(ua, own_ua, strlen(own_ua)))
		ev->kind = EV_OWN;
	else
		ev->kind = EV_API_CALL;
	if (ev->kind == EV_API_CALL) {
		rc = collect_ids(ev, cJSON_GetObjectItem(d, "requestParameters"), 0);
		if (!rc)
			rc = collect_ids(ev, cJSON_GetObjectItem(d,
					 "responseElements"), 0);
		res = cJSON_GetObjectItem(d, "resources");
		if (!cJSON_IsArray(res))
			res = NULL;
		cJSON_ArrayForEach(c, res) {
			const char *arn = cJSON_GetStringValue(
				cJSON_GetObjectItem(c, "ARN"));

			if (!rc && arn)
				rc = add_id(ev, arn);
		}
		res = cJSON_GetObjectItem(root, "resources");
		if (!cJSON_IsArray(res))
			res = NULL;
		cJSON_ArrayForEach(c, res)
			if (!rc && cJSON_IsString(c))
				rc = add_id(ev, c->valuestring);
	}
	cJSON_Delete(root);
	if (rc) {
		ev_event_free(ev);
		return err_set(e, rc, "out of memory");
	}
	return 0;
}

/* ---- matching ---------------------------------------------------------- */

/* The strings of m[0..n) moved into one allocation with the array:
 * the copy outlives the result they were read from. */
static ev_managed_t *own_copy(const ev_managed_t *m, size_t n)
{
	size_t bytes = n * sizeof(*m), i, k;
	ev_managed_t *c;
	char *p;

	for (i = 0; i < n; i++) {
		bytes += strlen(m[i].address) + strlen(m[i].region) +
			 strlen(m[i].service_prefix) + 3;
		for (k = 0; k < EV_NAMES_MAX && m[i].names[k]; k++)
			bytes += strlen(m[i].names[k]) + 1;
	}
	if (!(c = malloc(bytes ? bytes : 1)))
		return NULL;
	p = (char *)(c + n);
#define EV_COPY(dst, src) ((dst) = strcpy(p, (src)), p += strlen(p) + 1)
	for (i = 0; i < n; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		EV_COPY(c[i].address, m[i].address);
		EV_COPY(c[i].region, m[i].region);
		EV_COPY(c[i].service_prefix, m[i].service_prefix);
		for (k = 0; k < EV_NAMES_MAX && m[i].names[k]; k++)
			EV_COPY(c[i].names[k], m[i].names[k]);
	}
#undef EV_COPY
	return c;
}

ev_managed_t *ev_managed_from(const struct rec_result *r, size_t *n, int *rc)
{
	ev_managed_t *m, *owned;
	const char *const *na;
	const service_def_t *svc;
	size_t i, k;

	*n = 0;
	*rc = 0;
	if (!r || !r->n_items)
		return NULL;
	if (!(m = calloc(r->n_items, sizeof(*m)))) {
		*rc = -ENOMEM;
		return NULL;
	}
	for (i = 0; i < r->n_items; i++) {
		const rec_item_t *it = &r->items[i];
		ev_managed_t *x = &m[*n];

		if (!it->res || !it->live || !it->type)
			continue;
		svc = service_find(it->type->service);
		x->address = it->address;
		x->region = it->region;
		x->service_prefix = svc ? svc->endpoint_prefix : "";
		k = 0;
		if (it->id && *it->id)
			x->names[k++] = it->id;
		if (it->type->arn_path)
			x->names[k] = cJSON_GetStringValue(json_get_path(
				it->live, it->type->arn_path));
		k += x->names[k] != NULL;
		for (na = it->type->name_attrs; na && *na &&
		     k < EV_NAMES_MAX; na++) {
			const cJSON *v = cJSON_GetObjectItem(it->live, *na);

			if (!cJSON_IsString(v) && it->desired)
				v = cJSON_GetObjectItem(it->desired, *na);
			if (cJSON_IsString(v) && *v->valuestring)
				x->names[k++] = v->valuestring;
		}
		if (k)
			(*n)++;
	}
	owned = own_copy(m, *n);
	free(m);
	if (!owned) {
		*n = 0;
		*rc = -ENOMEM;
	}
	return owned;
}

/* The last path segment of s ("/hostedzone/Z1" -> "Z1"), NULL when s
 * has none. */
static const char *last_segment(const char *s)
{
	const char *p = strrchr(s, '/');

	return p && p[1] ? p + 1 : NULL;
}

static int touches(const ev_event_t *ev, const ev_managed_t *m)
{
	int same_service = m->service_prefix && *m->service_prefix &&
			   !strcmp(m->service_prefix, ev->source_prefix);
	size_t i, k;

	if (!m->region || strcmp(m->region, ev->region))
		return 0;
	for (i = 0; i < ev->n_ids; i++) {
		const char *seg = same_service ? last_segment(ev->ids[i]) : NULL;

		for (k = 0; k < EV_NAMES_MAX && m->names[k]; k++)
			if (!strcmp(ev->ids[i], m->names[k]) ||
			    (seg && !strcmp(seg, m->names[k])))
				return 1;
	}
	return 0;
}

size_t ev_match(const ev_event_t *ev, const ev_managed_t *m, size_t n,
		size_t *out, size_t max)
{
	size_t i, found = 0;

	if (ev->kind != EV_API_CALL)
		return 0;
	for (i = 0; i < n && found < max; i++)
		if (touches(ev, &m[i]))
			out[found++] = i;
	return found;
}

int ev_queue_arn_parse(const char *arn, char *region, size_t region_len,
		       char *account, size_t account_len, char *name,
		       size_t name_len, err_t *e)
{
	const char *f[6];
	size_t i, n = 0;
	const char *p = arn;

	if (!arn || strncmp(arn, "arn:", 4))
		goto bad;
	f[n++] = arn;
	while (n < 6 && (p = strchr(p, ':')))
		f[n++] = ++p;
	if (n != 6 || strncmp(f[2], "sqs:", 4) || f[3][0] == ':' ||
	    f[4][0] == ':' || !f[5][0] || strchr(f[5], ':') ||
	    strchr(f[5], '/'))
		goto bad;
	for (i = 0; f[4][i] != ':'; i++)
		if (f[4][i] < '0' || f[4][i] > '9')
			goto bad;
	snprintf(region, region_len, "%.*s", (int)(f[4] - f[3] - 1), f[3]);
	snprintf(account, account_len, "%.*s", (int)(f[5] - f[4] - 1), f[4]);
	snprintf(name, name_len, "%s", f[5]);
	return 0;
bad:
	return err_set(e, -EINVAL, "\"%s\" is not an SQS queue ARN "
		       "(arn:aws:sqs:REGION:ACCOUNT:NAME)", arn ? arn : "");
}
