/* sigv4_bench — signatures per second for a typical EC2 query POST on one
 * core with the derived key cached (the daemon's steady state). Time is
 * this thread's CPU time, so other load on the machine does not count.
 *
 *   sigv4_bench [seconds]      prints "<signatures/s>" on one line */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sigv4.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const char body[] =
		"Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=tag%3AOwner"
		"&Filter.1.Value.1=driftd&MaxResults=100";
	static const sigv4_header_t headers[] = {
		{ "Host", 4, "ec2.eu-west-1.amazonaws.com", 27 },
		{ "Content-Type", 12,
		  "application/x-www-form-urlencoded; charset=utf-8", 48 },
		{ "X-Amz-Date", 10, "20150830T123600Z", 16 },
	};
	double seconds = argc > 1 ? atof(argv[1]) : 2.0, t0, t;
	sigv4_signer_t *s = sigv4_signer_new();
	sigv4_request_t req = {
		.method = "POST", .path = "/", .path_len = 1,
		.headers = headers, .n_headers = 3,
		.body = body, .body_len = sizeof(body) - 1,
	};
	sigv4_params_t p = {
		.creds = { "AKIDEXAMPLE",
			   "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", NULL },
		.region = "eu-west-1", .service = "ec2", .time = 1440938160,
	};
	sigv4_result_t res;
	unsigned long n = 0, i;
	unsigned sink = 0;

	if (!s || seconds <= 0)
		return 1;
	if (sigv4_sign(s, &req, &p, &res, NULL))
		return 1;
	t0 = now();
	do {
		for (i = 0; i < 1000; i++) {
			if (sigv4_sign(s, &req, &p, &res, NULL))
				return 1;
			sink += (unsigned char)res.signature[0];
		}
		n += 1000;
		t = now();
	} while (t - t0 < seconds);
	printf("%.0f\n", (double)n / (t - t0));
	sigv4_signer_free(s);
	return sink == 0xffffffffu;
}
