#include <check.h>
#include <string.h>

#include <cJSON.h>

#include "metrics.h"
#include "testutil.h"

static const cJSON *datum(const cJSON *params, int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(params, "MetricData"), i);
}

static const char *dim(const cJSON *d, const char *name)
{
	const cJSON *x;

	cJSON_ArrayForEach(x, cJSON_GetObjectItem(d, "Dimensions"))
		if (!strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(x, "Name")),
			    name))
			return cJSON_GetStringValue(cJSON_GetObjectItem(x, "Value"));
	return NULL;
}

START_TEST(one_batch_carries_every_point_with_its_dimensions)
{
	metrics_t *m = metrics_new(NULL, "prod", 0);
	cJSON *p;

	ck_assert_int_eq(metrics_add(m, "DriftedResources", "Count", 2, NULL, 1000), 0);
	ck_assert_int_eq(metrics_add(m, "DriftedResources", "Count", 1, "ec2.vpc", 1000), 0);
	ck_assert_int_eq(metrics_add(m, "ReconcileSeconds", "Seconds", 0.5, NULL, 1001), 0);
	p = metrics_take(m);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(p, "Namespace")),
			 METRICS_DEFAULT_NAMESPACE);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(p, "MetricData")), 3);
	ck_assert_str_eq(dim(datum(p, 0), "Environment"), "prod");
	ck_assert_ptr_null(dim(datum(p, 0), "ResourceType"));
	ck_assert_str_eq(dim(datum(p, 1), "ResourceType"), "ec2.vpc");
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(datum(p, 2), "Unit")),
			 "Seconds");
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(datum(p, 2), "Value")),
			    0.5);
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(datum(p, 2), "Timestamp")),
			    1001);
	cJSON_Delete(p);
	metrics_sent(m, 1);
	ck_assert_uint_eq(metrics_pending(m), 0);
	ck_assert_ptr_null(metrics_take(m));
	metrics_free(m);
}
END_TEST

START_TEST(a_failed_send_keeps_the_points_for_the_next_take)
{
	metrics_t *m = metrics_new("Custom", "dev", 0);
	cJSON *p;

	metrics_add(m, "ApiCalls", "Count", 7, NULL, 1);
	p = metrics_take(m);
	cJSON_Delete(p);
	/* in flight: no second batch until the first one's outcome is known */
	metrics_add(m, "ApiCalls", "Count", 8, NULL, 2);
	ck_assert_ptr_null(metrics_take(m));
	metrics_sent(m, 0);
	ck_assert_uint_eq(metrics_pending(m), 2);
	p = metrics_take(m);
	ck_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(p, "Namespace")), "Custom");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(p, "MetricData")), 2);
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(datum(p, 0), "Value")), 7);
	cJSON_Delete(p);
	metrics_sent(m, 1);
	ck_assert_uint_eq(metrics_pending(m), 0);
	ck_assert_uint_eq(metrics_dropped(m), 0);
	metrics_free(m);
}
END_TEST

START_TEST(a_full_buffer_drops_the_oldest_and_counts_it)
{
	metrics_t *m = metrics_new(NULL, "dev", 3);
	cJSON *p;
	int i;

	for (i = 0; i < 5; i++)
		metrics_add(m, "ApiCalls", "Count", i, NULL, i);
	ck_assert_uint_eq(metrics_pending(m), 3);
	ck_assert_uint_eq(metrics_dropped(m), 2);
	p = metrics_take(m);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(p, "MetricData")), 3);
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(datum(p, 0), "Value")), 2);
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(datum(p, 2), "Value")), 4);
	cJSON_Delete(p);
	metrics_free(m);
}
END_TEST

START_TEST(points_dropped_while_in_flight_are_not_removed_twice)
{
	metrics_t *m = metrics_new(NULL, "dev", 3);
	cJSON *p;
	int i;

	for (i = 0; i < 3; i++)
		metrics_add(m, "ApiCalls", "Count", i, NULL, i);
	p = metrics_take(m);
	cJSON_Delete(p);
	/* Two newer points push out two of the three in flight. */
	metrics_add(m, "ApiCalls", "Count", 10, NULL, 10);
	metrics_add(m, "ApiCalls", "Count", 11, NULL, 11);
	metrics_sent(m, 1);
	ck_assert_uint_eq(metrics_pending(m), 2);
	p = metrics_take(m);
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(datum(p, 0), "Value")), 10);
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(datum(p, 1), "Value")), 11);
	cJSON_Delete(p);
	metrics_free(m);
}
END_TEST

START_TEST(a_batch_never_exceeds_the_putmetricdata_limit)
{
	metrics_t *m = metrics_new(NULL, "dev", METRICS_BATCH_MAX + 50);
	cJSON *p;
	int i;

	for (i = 0; i < METRICS_BATCH_MAX + 50; i++)
		metrics_add(m, "ApiCalls", "Count", i, NULL, i);
	p = metrics_take(m);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(p, "MetricData")),
			 METRICS_BATCH_MAX);
	cJSON_Delete(p);
	metrics_sent(m, 1);
	ck_assert_uint_eq(metrics_pending(m), 50);
	p = metrics_take(m);
	ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(datum(p, 0), "Value")),
			    METRICS_BATCH_MAX);
	cJSON_Delete(p);
	metrics_free(m);
	metrics_free(NULL);
}
END_TEST

/* The buffer is as large as the points waiting need, not its cap (the
 * daemon's 2,000-point ring was 375 KiB of its heap at rest), and a
 * wrapped ring that grows keeps its points in order. */
START_TEST(the_buffer_grows_as_points_wait_and_keeps_their_order)
{
	metrics_t *m = metrics_new(NULL, "dev", 0);
	cJSON *p;
	int i;

	ck_assert_uint_eq(metrics_slots(m), 0);
	for (i = 0; i < 10; i++)
		metrics_add(m, "ApiCalls", "Count", i, NULL, i);
	ck_assert_uint_le(metrics_slots(m), 64);
	p = metrics_take(m);
	cJSON_Delete(p);
	/* While 10 are in flight, more fill the ring; once they are sent
	 * the rest wrap around its end before it must grow. */
	for (i = 10; i < 40; i++)
		metrics_add(m, "ApiCalls", "Count", i, NULL, i);
	metrics_sent(m, 1);
	for (i = 40; i < 80; i++)
		metrics_add(m, "ApiCalls", "Count", i, NULL, i);
	ck_assert_uint_eq(metrics_pending(m), 70);
	ck_assert_uint_le(metrics_slots(m), 128);
	p = metrics_take(m);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(p, "MetricData")), 70);
	for (i = 0; i < 70; i++)
		ck_assert_double_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(
			datum(p, i), "Value")), 10 + i);
	cJSON_Delete(p);
	metrics_sent(m, 1);
	ck_assert_uint_eq(metrics_dropped(m), 0);
	metrics_free(m);
}
END_TEST

TESTUTIL_MAIN("metrics",
	      one_batch_carries_every_point_with_its_dimensions,
	      a_failed_send_keeps_the_points_for_the_next_take,
	      a_full_buffer_drops_the_oldest_and_counts_it,
	      points_dropped_while_in_flight_are_not_removed_twice,
	      a_batch_never_exceeds_the_putmetricdata_limit,
	      the_buffer_grows_as_points_wait_and_keeps_their_order)
