#include "metrics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The ring's first size, in points: a dev cycle adds about 30. */
#define METRICS_FIRST_SIZE 32

typedef struct metric_point {
	char   name[64];
	char   unit[16];
	char   resource_type[96];   /* "" : no ResourceType dimension */
	double value, when;
} metric_point_t;

struct metrics {
	char           *namespace_;
	char           *environment;
	metric_point_t *ring;        /* size slots, grown up to cap      */
	size_t          cap, size, head, count;
	size_t          in_flight;   /* oldest points being sent; 0: none */
	int             sending;
	uint64_t        dropped;
};

metrics_t *metrics_new(const char *namespace_, const char *environment,
		       size_t cap)
{
	metrics_t *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->cap = cap ? cap : 2000;
	m->namespace_ = strdup(namespace_ && *namespace_ ? namespace_ :
			       METRICS_DEFAULT_NAMESPACE);
	m->environment = strdup(environment ? environment : "");
	if (!m->namespace_ || !m->environment) {
		metrics_free(m);
		return NULL;
	}
	return m;
}

void metrics_free(metrics_t *m)
{
	if (!m)
		return;
	free(m->namespace_);
	free(m->environment);
	free(m->ring);
	free(m);
}

static void drop_oldest(metrics_t *m)
{
	m->head = (m->head + 1) % m->size;
	m->count--;
	m->dropped++;
	if (m->in_flight)
		m->in_flight--;
}

/* The ring grows as points come, doubling, up to cap: a cycle adds a few
 * dozen and sends them, and a ring allocated for the worst case held
 * 375 KiB of the daemon's heap for nothing. Grown, its points move in
 * order to the start of the new one. */
static int grow(metrics_t *m)
{
	size_t size = m->size ? m->size * 2 : METRICS_FIRST_SIZE, i;
	metric_point_t *ring;

	if (size > m->cap)
		size = m->cap;
	if (!(ring = malloc(size * sizeof(*ring))))
		return -ENOMEM;
	for (i = 0; i < m->count; i++)
		ring[i] = m->ring[(m->head + i) % m->size];
	free(m->ring);
	m->ring = ring;
	m->size = size;
	m->head = 0;
	return 0;
}

int metrics_add(metrics_t *m, const char *name, const char *unit,
		double value, const char *resource_type, double when)
{
	metric_point_t *p;

	if (m->count == m->cap)
		drop_oldest(m);
	else if (m->count == m->size && grow(m))
		return -ENOMEM;
	p = &m->ring[(m->head + m->count) % m->size];
	snprintf(p->name, sizeof(p->name), "%s", name);
	snprintf(p->unit, sizeof(p->unit), "%s", unit ? unit : "None");
	snprintf(p->resource_type, sizeof(p->resource_type), "%s",
		 resource_type ? resource_type : "");
	p->value = value;
	p->when = when;
	m->count++;
	return 0;
}

static cJSON *dimension(const char *name, const char *value)
{
	cJSON *d = cJSON_CreateObject();

	if (d && (!cJSON_AddStringToObject(d, "Name", name) ||
		  !cJSON_AddStringToObject(d, "Value", value))) {
		cJSON_Delete(d);
		return NULL;
	}
	return d;
}

static cJSON *point_json(const metrics_t *m, const metric_point_t *p)
{
	cJSON *o = cJSON_CreateObject(), *dims;

	if (!o || !cJSON_AddStringToObject(o, "MetricName", p->name) ||
	    !(dims = cJSON_AddArrayToObject(o, "Dimensions")) ||
	    !cJSON_AddNumberToObject(o, "Timestamp", p->when) ||
	    !cJSON_AddNumberToObject(o, "Value", p->value) ||
	    !cJSON_AddStringToObject(o, "Unit", p->unit))
		goto fail;
	if (!cJSON_AddItemToArray(dims, dimension("Environment",
						  m->environment)))
		goto fail;
	if (p->resource_type[0] &&
	    !cJSON_AddItemToArray(dims, dimension("ResourceType",
						  p->resource_type)))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

cJSON *metrics_take(metrics_t *m)
{
	cJSON *params = NULL, *data;
	size_t i, n;

	if (m->sending || !m->count)
		return NULL;
	n = m->count < METRICS_BATCH_MAX ? m->count : METRICS_BATCH_MAX;
	params = cJSON_CreateObject();
	if (!params || !cJSON_AddStringToObject(params, "Namespace",
						m->namespace_) ||
	    !(data = cJSON_AddArrayToObject(params, "MetricData")))
		goto fail;
	for (i = 0; i < n; i++)
		if (!cJSON_AddItemToArray(data, point_json(m,
				&m->ring[(m->head + i) % m->size])))
			goto fail;
	m->in_flight = n;
	m->sending = 1;
	return params;
fail:
	cJSON_Delete(params);
	return NULL;
}

void metrics_sent(metrics_t *m, int ok)
{
	if (!m->sending)
		return;
	if (ok) {
		m->head = (m->head + m->in_flight) % m->size;
		m->count -= m->in_flight;
		/* Emptied, the ring starts over at its first point: else the
		 * next point goes on where the last left off, and over a few
		 * hundred cycles the writes walk (and keep resident) every
		 * page of a ring grown for a backlog, though a cycle needs
		 * a few (bench_daemon: RSS grew 144 KiB from cycle 100 to
		 * 1,000 when the ring was 2,000 points from the start). */
		if (!m->count)
			m->head = 0;
	}
	m->in_flight = 0;
	m->sending = 0;
}

size_t metrics_slots(const metrics_t *m)
{
	return m->size;
}

size_t metrics_pending(const metrics_t *m)
{
	return m->count;
}

uint64_t metrics_dropped(const metrics_t *m)
{
	return m->dropped;
}

const char *metrics_namespace(const metrics_t *m)
{
	return m->namespace_;
}
