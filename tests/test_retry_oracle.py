"""lib/retry.c against botocore's standard retry mode (botocore/retries/
standard.py and quota.py), driven through build/tests/tools/retryprobe.

Known, deliberate differences are excluded from the comparison and named
where they are: clock-skew codes (botocore's standard mode has no skew
handling), a bare 429 (the JS v3 and Java v2 SDKs treat it as throttling;
botocore needs a throttling code) and InternalError without a 5xx status.
"""
import os
import random
import subprocess
import types
import unittest

from botocore.awsrequest import AWSResponse
from botocore.exceptions import (ConnectionClosedError, EndpointConnectionError,
                                 ReadTimeoutError)
from botocore.retries import quota, standard

BUILD = os.environ.get("DRIFTD_BUILD", os.path.join("..", "build"))
PROBE = os.path.join(BUILD, "tests", "tools", "retryprobe")

RETRYABLE_KINDS = {"transient error", "throttled", "timeout"}
KIND = {"transient": 2, "throttling": 3, "timeout": 4}

OPERATION = types.SimpleNamespace(
    error_shapes=[], service_model=types.SimpleNamespace(service_name="ec2"))

CODES = [None, "Throttling", "ThrottlingException", "ThrottledException",
         "RequestThrottledException", "TooManyRequestsException",
         "ProvisionedThroughputExceededException",
         "TransactionInProgressException", "RequestLimitExceeded",
         "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
         "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException",
         "RequestTimeout", "RequestTimeoutException", "ValidationError",
         "InvalidParameterValue", "AccessDenied", "UnauthorizedOperation",
         "DependencyViolation", "InvalidVpcID.NotFound", "InternalFailure"]
STATUSES = [200, 400, 403, 404, 409, 500, 501, 502, 503, 504]

TRANSPORT = {
    "ETIMEDOUT": ReadTimeoutError(endpoint_url="http://127.0.0.1"),
    "ECONNREFUSED": EndpointConnectionError(endpoint_url="http://127.0.0.1"),
    "ECONNRESET": ConnectionClosedError(endpoint_url="http://127.0.0.1"),
}


def probe(lines):
    p = subprocess.run([PROBE], input="".join(l + "\n" for l in lines),
                       stdout=subprocess.PIPE, text=True, check=True)
    return p.stdout.splitlines()


def context(attempt=1, status=None, code=None, exc=None):
    http = AWSResponse("http://127.0.0.1/", status, {}, None) if status else None
    parsed = {"Error": {"Code": code}} if code else None
    return standard.RetryContext(attempt_number=attempt,
                                 operation_model=OPERATION,
                                 http_response=http, parsed_response=parsed,
                                 caught_exception=exc, request_context={})


class RetryAgainstBotocore(unittest.TestCase):
    def test_classification_matches_botocore_standard_conditions(self):
        cases = [(s, c) for s in STATUSES for c in CODES if s != 200 or c is None]
        got = probe(["classify %d %s -" % (s, c or "-") for s, c in cases])
        checker = standard.StandardRetryConditions(max_attempts=3)
        throttled = standard.ThrottledRetryableChecker()
        for (status, code), kind in zip(cases, got):
            ctx = context(status=status, code=code)
            with self.subTest(status=status, code=code, kind=kind):
                self.assertEqual(kind in RETRYABLE_KINDS,
                                 checker.is_retryable(ctx))
                if code:
                    self.assertEqual(kind == "throttled",
                                     throttled.is_retryable(ctx))

    def test_transport_errors_match_botocore(self):
        names = sorted(TRANSPORT)
        got = probe(["classify 0 - %s" % n for n in names])
        checker = standard.StandardRetryConditions(max_attempts=3)
        for name, kind in zip(names, got):
            with self.subTest(errno=name):
                self.assertEqual(kind in RETRYABLE_KINDS,
                                 checker.is_retryable(context(exc=TRANSPORT[name])))
                # botocore charges the timeout cost for read/connect timeouts.
                self.assertEqual(kind == "timeout", name == "ETIMEDOUT")

    def test_backoff_matches_botocore_exponential_backoff(self):
        rng = random.Random(7)
        cases = [(a, rng.random()) for a in range(1, 12) for _ in range(5)]
        got = probe(["decide %d %d %.17g" % (KIND["transient"], a, r)
                     for a, r in cases])
        for (attempt, r), line in zip(cases, got):
            backoff = standard.ExponentialBackoff(random=lambda r=r: r)
            want_ms = backoff.delay_amount(context(attempt=attempt)) * 1000
            with self.subTest(attempt=attempt, rand=r):
                self.assertEqual(line.split()[0], "1")
                self.assertAlmostEqual(int(line.split()[1]), want_ms, delta=1)

    def test_quota_follows_botocore_through_a_random_history(self):
        """Random request histories (retries with transient or timeout
        errors, then success or giving up) drain and refill both quotas
        alike, including running dry."""
        rng = random.Random(11)
        bucket = quota.RetryQuota()
        checker = standard.RetryQuotaChecker(bucket)
        lines, want = [], []
        for _ in range(400):
            request_context = {}
            failures = rng.choice([0, 0, 1, 2, 3, 5])
            for attempt in range(1, failures + 1):
                kind = rng.choice(["transient", "timeout", "throttling"])
                exc = TRANSPORT["ETIMEDOUT"] if kind == "timeout" else None
                ctx = context(attempt=attempt, exc=exc)
                ctx.request_context = request_context
                ok = checker.acquire_retry_quota(ctx)
                lines.append("decide %d %d 0.5" % (KIND[kind], attempt))
                want.append((ok, bucket.available_capacity,
                             request_context.get("retry_quota_capacity")))
                if not ok:
                    break
            else:
                checker.release_retry_quota(
                    request_context, AWSResponse("http://x/", 200, {}, None))
                cost = request_context.get("retry_quota_capacity", 0)
                lines.append("release %d" % cost)
                want.append((None, bucket.available_capacity, None))
        got = probe(lines)
        self.assertEqual(len(got), len(want))
        drained = False
        for line, (ok, capacity, cost) in zip(got, want):
            f = line.split()
            if ok is None:
                self.assertEqual(int(f[0]), capacity, line)
            else:
                self.assertEqual(f[0] == "1", ok, line)
                self.assertEqual(int(f[3]), capacity, line)
                if ok:
                    self.assertEqual(int(f[2]), cost, line)
                drained |= not ok
        self.assertTrue(drained, "history never ran the quota dry")


if __name__ == "__main__":
    unittest.main()
