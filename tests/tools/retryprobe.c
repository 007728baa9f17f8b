/* retryprobe — drives lib/retry.c line by line so tests/test_retry_oracle.py
 * can compare it with botocore. One retry_state_t (standard mode, 1000
 * attempts) lives for the whole run.
 *
 *   classify STATUS CODE|- ERRNO|-   ->  kind name (retry_kind_name)
 *   decide KIND ATTEMPT RAND         ->  RETRY DELAY_MS COST QUOTA
 *   release COST                     ->  QUOTA
 * KIND is a number (retry_kind_t); ERRNO a name: ETIMEDOUT, ECONNRESET ... */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "retry.h"

static const struct {
	const char *name;
	int         value;
} errnos[] = {
	{ "ETIMEDOUT", ETIMEDOUT },       { "ECONNREFUSED", ECONNREFUSED },
	{ "ECONNRESET", ECONNRESET },     { "EHOSTUNREACH", EHOSTUNREACH },
	{ "EPROTO", EPROTO },             { "EFBIG", EFBIG },
};

static int errno_of(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (!strcmp(errnos[i].name, name))
			return -errnos[i].value;
	return 0;
}

int main(void)
{
	retry_config_t cfg = { RETRY_MODE_STANDARD, 1000 };
	retry_state_t s;
	retry_decision_t d;
	char line[512], a[128], b[128];
	int status, kind, attempt, cost;
	double r;

	retry_state_init(&s, &cfg);
	while (fgets(line, sizeof(line), stdin)) {
		if (sscanf(line, "classify %d %127s %127s", &status, a, b) == 3) {
			printf("%s\n", retry_kind_name(retry_classify(
				status, strcmp(a, "-") ? a : NULL,
				strcmp(b, "-") ? errno_of(b) : 0)));
		} else if (sscanf(line, "decide %d %d %lf", &kind, &attempt,
				  &r) == 3) {
			d = retry_decide(&s, (retry_kind_t)kind, attempt, r);
			printf("%d %u %d %d\n", d.retry, d.delay_ms, d.cost,
			       s.quota);
		} else if (sscanf(line, "release %d", &cost) == 1) {
			retry_quota_release(&s, cost);
			printf("%d\n", s.quota);
		} else {
			printf("? %s", line);
		}
	}
	return 0;
}
