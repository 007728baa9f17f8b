/* metrics — the daemon's CloudWatch metrics: a bounded buffer of data
 * points and the PutMetricData request that sends them.
 *
 * The module holds state only; the caller sends. Each cycle the daemon
 * adds its points, takes one batch (metrics_take) and reports the call's
 * outcome (metrics_sent). A failed call leaves its points buffered for
 * the next cycle; when the buffer is full the oldest point is dropped and
 * counted, so a CloudWatch outage never blocks reconciling nor grows
 * memory. */
#ifndef DRIFTD_METRICS_H
#define DRIFTD_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include <cJSON.h>

/* PutMetricData takes up to 1000 data points per request
 * (CloudWatch API Reference, PutMetricData, MetricData). */
#define METRICS_BATCH_MAX 1000
#define METRICS_DEFAULT_NAMESPACE "Driftd"

typedef struct metrics metrics_t;

/* namespace NULL or "": METRICS_DEFAULT_NAMESPACE. cap: points buffered
 * at most (0: 2000); the buffer grows to it as points wait, no further
 * than they need. NULL when out of memory. Free with metrics_free. */
metrics_t *metrics_new(const char *namespace_, const char *environment,
		       size_t cap);
void metrics_free(metrics_t *m);

/* Buffers one point with dimension Environment, plus ResourceType when
 * resource_type is non-NULL. unit: a CloudWatch unit ("Count",
 * "Seconds"). when: Unix time. 0, or -ENOMEM. */
int metrics_add(metrics_t *m, const char *name, const char *unit,
		double value, const char *resource_type, double when);

/* The PutMetricData parameters for the oldest points (at most
 * METRICS_BATCH_MAX), which are then in flight; NULL when nothing is
 * buffered or a batch is already in flight. The caller cJSON_Deletes. */
cJSON *metrics_take(metrics_t *m);
/* The outcome of the batch metrics_take gave: ok drops its points (those
 * not already dropped for space), failure keeps them for the next take. */
void metrics_sent(metrics_t *m, int ok);

size_t metrics_pending(const metrics_t *m);     /* buffered, in flight too */
size_t metrics_slots(const metrics_t *m);       /* allocated, at most cap  */
uint64_t metrics_dropped(const metrics_t *m);   /* dropped for space, ever */
const char *metrics_namespace(const metrics_t *m);

#endif
