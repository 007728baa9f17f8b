/* Event queue messages (anyone who may send to the queue writes them, so
 * untrusted): one SQS message body read as an EventBridge event, and
 * matched against a small managed estate. */
#include <stdlib.h>

#include "events.h"
#include "fuzz.h"

static const ev_managed_t estate[] = {
	{ "ec2.security_group.web", "us-east-1", "ec2",
	  { "sg-0123456789abcdef0", "web" } },
	{ "iam.role.app", "us-east-1", "iam",
	  { "app", "arn:aws:iam::123456789012:role/app" } },
	{ "route53.hosted_zone.main", "us-east-1", "route53", { "Z1" } },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	ev_event_t ev;
	size_t out[4];
	err_t e;

	err_clear(&e);
	if (ev_parse((const char *)data, size, NULL, &ev, &e))
		return 0;
	ev_match(&ev, estate, sizeof(estate) / sizeof(estate[0]), out, 4);
	ev_event_free(&ev);
	return 0;
}
