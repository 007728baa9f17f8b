"""An out-of-band change to its revert in event-driven mode (issue 16 item
3): `driftd run` with the dev estate (config/environments/dev, converged)
against the fake, at a 60 s poll interval, long-polling an SQS queue
(settings.event_queues). Another IAM user (a key added with /_fake/keys)
sets the app log group's retention by hand; each trial measures the fake's
`started` time of driftd's reverting PutRetentionPolicy minus the `time`
the fake answered the out-of-band call. Target: under 5 s.

Where the estate has no settings.event_queues of its own (no EventBridge
rule delivering CloudTrail events to a queue), the bench makes a queue and
puts on it, right after the change, the event EventBridge would deliver
(AWS's documented envelope, the CloudTrail record as the detail). The
figure then still counts everything the daemon does: the long poll's
answer, matching, the read-one and the write.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import boto3  # noqa: E402
import botocore.session  # noqa: E402
from devestate import DEV_ACCOUNT, converge_dev, dev_fake, drain  # noqa: E402
from driftdtest import ACCESS_KEY, DRIFTD, FAKE_MODELS, SECRET_KEY  # noqa: E402

TRIALS = int(os.environ.get("BENCH_EVENTS_TRIALS", "6"))
OTHER = ("AKIABENCHOTHER000001", "bench-other-secret-not-real")
GROUP = "/cloudpartner/dev/app"


def event(group, days, when):
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(when))
    return json.dumps({
        "version": "0", "id": str(uuid.uuid4()),
        "detail-type": "AWS API Call via CloudTrail", "source": "aws.logs",
        "account": DEV_ACCOUNT, "time": now, "region": "us-east-1", "resources": [],
        "detail": {
            "eventVersion": "1.08",
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::%s:user/other" % DEV_ACCOUNT,
                             "accountId": DEV_ACCOUNT, "accessKeyId": OTHER[0],
                             "userName": "other"},
            "eventTime": now, "eventSource": "logs.amazonaws.com",
            "eventName": "PutRetentionPolicy", "awsRegion": "us-east-1",
            "sourceIPAddress": "127.0.0.1", "userAgent": "Boto3/bench",
            "requestParameters": {"logGroupName": group, "retentionInDays": days},
            "responseElements": None, "eventID": str(uuid.uuid4()), "readOnly": False,
            "eventType": "AwsApiCall", "managementEvent": True,
            "recipientAccountId": DEV_ACCOUNT}})


def with_queue(cfg, arn):
    """settings.event_queues added to the dev environment's main.json."""
    path = os.path.join(cfg, "main.json")
    with open(path) as f:
        text = f.read()
    text = text.replace('"settings": {', '"settings": {\n    "event_queues": [ "%s" ],' % arn, 1)
    with open(path, "w") as f:
        f.write(text)


def main():
    fake = dev_fake()
    work = tempfile.mkdtemp(prefix="driftd-bench-events-")
    daemon = None
    try:
        cfg, state = converge_dev(fake, work, "bench_events")
        fake.control("POST", "keys", {"user": "other", "access_key": OTHER[0],
                                      "secret_key": OTHER[1]})
        kw = dict(endpoint_url=fake.url, region_name="us-east-1")
        core = botocore.session.get_session()
        core.set_config_variable("data_path", FAKE_MODELS)
        sqs = boto3.session.Session(botocore_session=core).client(
            "sqs", aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, **kw)
        logs = boto3.client("logs", aws_access_key_id=OTHER[0],
                            aws_secret_access_key=OTHER[1], **kw)
        with open(os.path.join(cfg, "main.json")) as f:
            delivered = "event_queues" in f.read()
        url = None
        if not delivered:
            url = sqs.create_queue(QueueName="bench-events")["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
                "Attributes"]["QueueArn"]
            with_queue(cfg, arn)
        env = fake.env()
        notify = os.path.join(work, "notify")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(notify)
        sock.settimeout(300)
        env["NOTIFY_SOCKET"] = notify
        daemon = subprocess.Popen([DRIFTD, "run", "--config", cfg, "--state-dir", state,
                                   "--interval", "60", "--socket", os.path.join(work, "ctl")],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while b"READY=1" not in sock.recv(4096):
            pass
        threading.Thread(target=drain, args=(sock,), daemon=True).start()
        time.sleep(1.0)            # the first long poll is out
        with open(os.path.join(cfg, "main.json")) as f:
            want = int(re.search(r'"app_log_retention_days": (\d+)', f.read()).group(1))
        latencies = []
        for trial in range(TRIALS):
            days = 3 if trial % 2 == 0 else 5
            fake.clear_calls()
            logs.put_retention_policy(logGroupName=GROUP, retentionInDays=days)
            done = [c for c in fake.calls(operation="PutRetentionPolicy")
                    if c["parameters"].get("retentionInDays") == days][0]["time"]
            if url:
                sqs.send_message(QueueUrl=url, MessageBody=event(GROUP, days, done))
            deadline = time.time() + 90
            writes = []
            while not writes and time.time() < deadline:
                time.sleep(0.02)
                writes = [c for c in fake.calls(operation="PutRetentionPolicy")
                          if c["started"] >= done and
                          c["parameters"].get("retentionInDays") == want]
            if not writes:
                sys.exit("bench_events: no revert within 90 s of the change")
            latencies.append(min(c["started"] for c in writes) - done)
            time.sleep(0.5)        # the event's run settles
        latencies.sort()
        median = latencies[len(latencies) // 2]
        print("an out-of-band change to driftd's revert, event-driven mode, 60 s poll "
              "interval, dev estate, %d trials (%s)" % (
                  TRIALS, "events delivered by the fake's EventBridge rule" if delivered
                  else "events put on the queue by the bench"))
        print("  %s ms" % ", ".join("%.0f" % (x * 1000) for x in latencies))
        import figures
        figures.record("event to revert: median", median, "s", 5)
        figures.record("event to revert: slowest", latencies[-1], "s", 5)
    finally:
        if daemon:
            daemon.terminate()
            daemon.wait(15)
        fake.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
