"""SigV4 signing speed: driftd (build/tests/bench/sigv4_bench) against
botocore's SigV4Auth.add_auth and awscrt's aws_sign_request, in one run, on
the same EC2 query POST. Rates are signatures per CPU-second of one process
(CPU time, so a busy machine skews the three alike); each figure is the
best of three runs.
"""
import datetime
import io
import os
import subprocess
import sys
import time

from awscrt import auth as crt_auth
from awscrt import http as crt_http
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
HOST = "ec2.eu-west-1.amazonaws.com"
# Same request as tests/bench/sigv4_bench.c.
BODY = (b"Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=tag%3AOwner"
        b"&Filter.1.Value.1=driftd&MaxResults=100")
HEADERS = [("Host", HOST),
           ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
           ("X-Amz-Date", "20150830T123600Z")]
WHEN = datetime.datetime(2015, 8, 30, 12, 36, 0,
                         tzinfo=datetime.timezone.utc)
SECONDS = float(os.environ.get("BENCH_SECONDS", "2"))


def rate(sign_once):
    sign_once()
    n, t0 = 0, time.process_time()
    while True:
        for _ in range(100):
            sign_once()
        n += 100
        t = time.process_time() - t0
        if t >= SECONDS:
            return n / t


def botocore_rate():
    signer = SigV4Auth(Credentials(AKID, SECRET), "ec2", "eu-west-1")
    req = AWSRequest(method="POST", url="https://" + HOST + "/", data=BODY,
                     headers=dict(HEADERS))
    return rate(lambda: signer.add_auth(req))


def awscrt_rate():
    provider = crt_auth.AwsCredentialsProvider.new_static(AKID, SECRET)
    config = crt_auth.AwsSigningConfig(
        crt_auth.AwsSigningAlgorithm.V4,
        crt_auth.AwsSignatureType.HTTP_REQUEST_HEADERS,
        provider, "eu-west-1", "ec2", date=WHEN)

    def sign_once():
        # The signer adds headers to the request, so each round gets a
        # fresh one, as a client would. awscrt refuses a request that
        # already has X-Amz-Date (it adds its own), so it is left out.
        req = crt_http.HttpRequest("POST", "/",
                                   crt_http.HttpHeaders(HEADERS[:2]),
                                   io.BytesIO(BODY))
        crt_auth.aws_sign_request(req, config).result()
    return rate(sign_once)


def driftd_rate():
    tool = os.path.join(os.environ.get("DRIFTD_BUILD", "build"),
                        "tests/bench/sigv4_bench")
    out = subprocess.run([tool, str(SECONDS)], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    return float(out.strip())


def main():
    rows = [("driftd", driftd_rate), ("botocore", botocore_rate),
            ("awscrt", awscrt_rate)]
    results = [(name, max(fn() for _ in range(3))) for name, fn in rows]
    print("%-10s %16s %10s" % ("signer", "signatures/s", "vs driftd"))
    base = results[0][1]
    for name, r in results:
        print("%-10s %16.0f %9.1fx" % (name, r, base / r))
    return 0


if __name__ == "__main__":
    sys.exit(main())
