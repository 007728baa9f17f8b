"""driftd plan at scale: wall time and peak RSS of one `driftd plan` for
10,000 and 100,000 managed resources, all in sync, against the fake AWS
endpoint with 20 ms added to every call, and of an account with 20,000
SNS topics (each read one by one: GetTopicAttributes and
ListTagsForResource). Targets (issue 17): 10,000 resources in under 1 s
and 48 MiB; 100,000 in under 10 s and 256 MiB; 20,000 topics under 64 MiB.

The fake's own time to answer is reported beside driftd's wall time (the
sum of its calls' durations; the paginated Describe calls are made one
after the other, so the fake's serving time is a floor under the wall
time that driftd cannot go below).

The estate is one VPC, subnets (30 %) and security groups with one ingress
rule each (the rest). Creating 10,000 resources through the API would take
the fake minutes, so the bench writes them straight into the fake's state
file, in the records the fake itself keeps, before starting it. The fake
answers with pages of up to 1000 items, the largest page EC2's Describe
calls give (without MaxResults they give everything in one).

Terraform is not installable here, so it is not measured; its AWS provider
refreshes each aws_security_group and aws_subnet with its own Describe call
(GroupIds=[id], SubnetIds=[id]): 10,000 calls for this estate, 200 s of
added latency alone at 20 ms each before any parallelism."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from driftdtest import DRIFTD, FakeAWS, write_config  # noqa: E402

ENV = "bench"
LATENCY_MS = 20
SIZES = tuple(int(x) for x in os.environ.get("BENCH_PLAN_SIZES", "10000,100000").split(",") if x)
TOPICS = int(os.environ.get("BENCH_PLAN_TOPICS", "20000"))
RUNS = int(os.environ.get("BENCH_PLAN_RUNS", "3"))
TARGETS = {10000: (1, 48), 100000: (10, 256)}
ACCOUNT = "123456789012"


def hex_id(prefix, n):
    return "%s-%017x" % (prefix, n)


def tags(address):
    return [{"Key": "driftd:address", "Value": address}, {"Key": "driftd:env", "Value": ENV}]


def estate(total):
    """(fake state, driftd config) for total resources."""
    vpc_id = hex_id("vpc", 1)
    now = time.time()
    res = {"vpc": {vpc_id: {
        "VpcId": vpc_id, "CidrBlock": "10.0.0.0/16", "State": "available",
        "DhcpOptionsId": "dopt-0fake000000000001", "InstanceTenancy": "default",
        "IsDefault": False, "OwnerId": ACCOUNT,
        "CidrBlockAssociationSet": [{"AssociationId": hex_id("vpc-cidr-assoc", 1),
                                     "CidrBlock": "10.0.0.0/16",
                                     "CidrBlockState": {"State": "associated"}}],
        "_attrs": {"EnableDnsSupport": True, "EnableDnsHostnames": False},
        "Tags": tags("ec2.vpc.main"), "_born": now}},
        "subnet": {}, "sg": {}, "sgr": {}}
    cfg = {"ec2.vpc.main": {"CidrBlock": "10.0.0.0/16"}}
    n_subnets = (total - 1) * 3 // 10
    for i in range(n_subnets):
        sid = hex_id("subnet", i)
        cidr = "10.%d.%d.%d/28" % (i // 4096, (i // 16) % 256, (i % 16) * 16)
        address = "ec2.subnet.s%05d" % i
        res["subnet"][sid] = {
            "SubnetId": sid, "VpcId": vpc_id, "CidrBlock": cidr,
            "AvailabilityZone": "us-east-1a", "AvailabilityZoneId": "use1-az1",
            "State": "available", "AvailableIpAddressCount": 11, "DefaultForAz": False,
            "MapPublicIpOnLaunch": False, "OwnerId": ACCOUNT,
            "AssignIpv6AddressOnCreation": False,
            "SubnetArn": "arn:aws:ec2:us-east-1:%s:subnet/%s" % (ACCOUNT, sid),
            "Tags": tags(address), "_born": now}
        cfg[address] = {"VpcId": "${ec2.vpc.main.VpcId}", "CidrBlock": cidr,
                        "AvailabilityZone": "us-east-1a"}
    for i in range(total - 1 - n_subnets):
        gid, name = hex_id("sg", i), "g%05d" % i
        address = "ec2.security_group." + name
        port = 1024 + i % 60000
        res["sg"][gid] = {"GroupId": gid, "GroupName": name, "Description": name,
                          "VpcId": vpc_id, "OwnerId": ACCOUNT, "Tags": tags(address),
                          "_born": now}
        for n, (egress, proto, lo, cidr) in enumerate(((True, "-1", -1, "0.0.0.0/0"),
                                                       (False, "tcp", port, "10.0.0.0/16"))):
            rid = hex_id("sgr", 2 * i + n)
            res["sgr"][rid] = {"SecurityGroupRuleId": rid, "GroupId": gid,
                               "GroupOwnerId": ACCOUNT, "IsEgress": egress, "IpProtocol": proto,
                               "FromPort": lo, "ToPort": lo, "Tags": [], "CidrIpv4": cidr,
                               "_born": now}
        cfg[address] = {"GroupName": name, "Description": name, "VpcId": "${ec2.vpc.main.VpcId}",
                        "IpPermissions": [{"IpProtocol": "tcp", "FromPort": port, "ToPort": port,
                                           "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}]}
    state = {"resources": res, "tokens": {}, "published": {"sns": [], "cloudwatch": []},
             "clock": now}
    return state, {"settings": {"environment": ENV, "region": "us-east-1"}, "resources": cfg}


def topics_estate(total):
    """(fake state, driftd config): total SNS topics, one of them managed."""
    now = time.time()
    topics = {}
    for i in range(total):
        arn = "arn:aws:sns:us-east-1:%s:t%06d" % (ACCOUNT, i)
        topics[arn] = {"TopicArn": arn, "Tags": tags("sns.topic.t%06d" % i) if i == 0 else [],
                       "Attributes": {
                           "TopicArn": arn, "Owner": ACCOUNT, "DisplayName": "",
                           "SubscriptionsPending": "0", "SubscriptionsDeleted": "0",
                           "EffectiveDeliveryPolicy": json.dumps({"http": {"defaultHealthyRetryPolicy": {
                               "minDelayTarget": 20, "maxDelayTarget": 20, "numRetries": 3,
                               "numMaxDelayRetries": 0, "numNoDelayRetries": 0,
                               "numMinDelayRetries": 0, "backoffFunction": "linear"},
                               "disableSubscriptionOverrides": False}}),
                           "Policy": json.dumps({"Version": "2008-10-17", "Id": "__default_policy_ID",
                                                 "Statement": [{"Sid": "__default_statement_ID",
                                                                "Effect": "Allow",
                                                                "Principal": {"AWS": "*"},
                                                                "Action": ["SNS:Publish", "SNS:Subscribe"],
                                                                "Resource": arn}]})}}
    state = {"resources": {"sns_topic": topics}, "tokens": {},
             "published": {"sns": [], "cloudwatch": []}, "clock": now}
    cfg = {"sns.topic.t000000": {"Name": "t000000"}}
    return state, {"settings": {"environment": ENV, "region": "us-east-1"}, "resources": cfg}


# A child's peak RSS (ru_maxrss) counts what it shared with its parent
# when it was forked: a plan started from this process, grown by a
# 100,000-resource estate, reported this process's size (822 MiB) and not
# driftd's. Plans are started by a small process made at import, before
# any estate exists.
LAUNCHER = r"""
import json, os, subprocess, sys, time
for line in sys.stdin:
    req = json.loads(line)
    start = time.monotonic()
    proc = subprocess.Popen(req["argv"], env=req["env"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.stdout.close()
    print(json.dumps([time.monotonic() - start, usage.ru_utime + usage.ru_stime,
                      usage.ru_maxrss, os.waitstatus_to_exitcode(status),
                      out.decode(errors="replace")[-8000:]]), flush=True)
"""
_launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, text=True)


def plan_once(config, state_dir, env):
    """(seconds, driftd's CPU seconds, peak RSS in KiB, exit code, output)
    of one driftd plan."""
    _launcher.stdin.write(json.dumps({"argv": [DRIFTD, "plan", "--detailed-exitcode",
                                               "--config", config, "--state-dir", state_dir],
                                      "env": env}) + "\n")
    _launcher.stdin.flush()
    return tuple(json.loads(_launcher.stdout.readline()))


def fake_seconds(calls):
    """The fake's own time answering the longest chain of calls: a
    paginated read's pages are asked for one after the other, so the
    operation the fake spent longest on (its calls' durations summed,
    the added latency included) is a floor under driftd's wall time."""
    per_op = {}
    for c in calls:
        d = max(0.0, c.get("time", c.get("started", 0)) - c.get("started", 0))
        per_op[c["operation"]] = per_op.get(c["operation"], 0.0) + d
    return max(per_op.values()) if per_op else 0.0


def write_split_config(parent, doc, chunk=5000):
    """write_config, with the resources split over files of at most chunk
    resources: driftd reads no config file over 4 MiB."""
    res = list(doc["resources"].items())
    config = write_config(parent, {"settings": doc["settings"],
                                   "resources": dict(res[:chunk])})
    for n in range(chunk, len(res), chunk):
        with open(os.path.join(config, "resources-%03d.json" % (n // chunk)), "w") as f:
            json.dump({"resources": dict(res[n:n + chunk])}, f, indent=1)
    return config


def bench(name, state, cfg, work, runs, page_size, latency_ms):
    fake_dir = os.path.join(work, "fake-" + name)
    os.mkdir(fake_dir)
    with open(os.path.join(fake_dir, "state.json"), "w") as f:
        json.dump(state, f)
    config = write_split_config(os.path.join(work, "cfg-" + name), cfg)
    fake = FakeAWS(state_dir=fake_dir, extra_args=["--page-size", str(page_size)])
    try:
        env = fake.env()
        # Unmeasured: the fake loads its service models on the first call.
        warm = plan_once(config, os.path.join(work, "state"), env)
        if warm[3] != 0:
            sys.exit("bench_plan: %s: not all in sync (exit %d):\n%s"
                     % (name, warm[3], warm[4][-4000:]))
        if latency_ms:
            fake.fault(kind="latency", ms=latency_ms)
        out = []
        for _ in range(runs):
            fake.clear_calls()
            seconds, cpu, rss, rc, text = plan_once(config, os.path.join(work, "state"), env)
            if rc != 0:
                sys.exit("bench_plan: plan exited %d:\n%s" % (rc, text[-4000:]))
            calls = fake.calls()
            out.append((seconds, cpu, rss, len(calls), fake_seconds(calls)))
        return out
    finally:
        fake.stop()


def median(runs, k):
    return sorted(r[k] for r in runs)[len(runs) // 2]


def main():
    import figures
    work = tempfile.mkdtemp(prefix="driftd-bench-plan-")
    try:
        print("driftd plan, all in sync, fake AWS on loopback with %d ms per call"
              % LATENCY_MS)
        print("%-16s %9s %11s %11s %10s %13s" % ("estate", "time", "driftd CPU", "peak RSS",
                                              "AWS calls", "fake, longest"))
        for n in SIZES:
            state, cfg = estate(n)
            runs = bench("ec2-%d" % n, state, cfg, work, RUNS if n <= 10000 else 1, 1000,
                         LATENCY_MS)
            del state, cfg
            secs, cpu, rss, fake_s = (median(runs, k) for k in (0, 1, 2, 4))
            print("%-16s %7.2f s %9.2f s %7.1f MiB %10d %11.2f s" % (
                "%d resources" % n, secs, cpu, rss / 1024, runs[0][3], fake_s))
            t_s, t_mib = TARGETS.get(n, (None, None))
            figures.record("plan %d resources: time" % n, secs, "s", t_s)
            figures.record("plan %d resources: the fake's longest read" % n, fake_s, "s")
            figures.record("plan %d resources: driftd CPU" % n, cpu, "s")
            figures.record("plan %d resources: peak RSS" % n, rss / 1024, "MiB", t_mib)
        if TOPICS:
            # ListTopics returns up to 100 topics a call (SNS API
            # Reference, ListTopics); no added latency: 40,000 calls.
            state, cfg = topics_estate(TOPICS)
            runs = bench("sns", state, cfg, work, 1, 100, 0)
            del state, cfg
            secs, cpu, rss, fake_s = (median(runs, k) for k in (0, 1, 2, 4))
            print("%-16s %7.2f s %9.2f s %7.1f MiB %10d %11.2f s" % (
                "%d topics" % TOPICS, secs, cpu, rss / 1024, runs[0][3], fake_s))
            figures.record("plan %d SNS topics: peak RSS" % TOPICS, rss / 1024, "MiB",
                           64 if TOPICS == 20000 else None)
            figures.record("plan %d SNS topics: time" % TOPICS, secs, "s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
