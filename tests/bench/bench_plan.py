"""driftd plan at scale: wall time and peak RSS of one `driftd plan` for
1,000 and 10,000 managed resources, all in sync, against the fake AWS
endpoint with 20 ms added to every call. Targets (issue 4): 10,000
resources planned in under 5 s and under 64 MiB.

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
SIZES = tuple(int(x) for x in os.environ.get("BENCH_PLAN_SIZES", "1000,10000").split(","))
RUNS = 3
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
        sid, cidr = hex_id("subnet", i), "10.0.%d.%d/28" % (i // 16, (i % 16) * 16)
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


def plan_once(config, state_dir, env):
    """(seconds, driftd's CPU seconds, peak RSS in KiB, exit code, output)
    of one driftd plan."""
    start = time.monotonic()
    proc = subprocess.Popen([DRIFTD, "plan", "--detailed-exitcode", "--config", config,
                             "--state-dir", state_dir], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stdout.close()
    return (seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, proc.returncode,
            out.decode(errors="replace"))


def bench(total, work):
    state, cfg = estate(total)
    fake_dir = os.path.join(work, "fake-%d" % total)
    os.mkdir(fake_dir)
    with open(os.path.join(fake_dir, "state.json"), "w") as f:
        json.dump(state, f)
    config = write_config(os.path.join(work, "cfg-%d" % total), cfg)
    fake = FakeAWS(state_dir=fake_dir, extra_args=["--page-size", "1000"])
    try:
        env = fake.env()
        # Unmeasured: the fake loads its service models on the first call.
        warm = plan_once(config, os.path.join(work, "state"), env)
        if warm[3] != 0:
            sys.exit("bench_plan: %d resources are not all in sync (exit %d):\n%s"
                     % (total, warm[3], warm[4][-4000:]))
        fake.fault(kind="latency", ms=LATENCY_MS)
        runs = []
        for _ in range(RUNS):
            fake.clear_calls()
            seconds, cpu, rss, rc, out = plan_once(config, os.path.join(work, "state"), env)
            if rc != 0:
                sys.exit("bench_plan: plan exited %d:\n%s" % (rc, out[-4000:]))
            runs.append((seconds, cpu, rss, len(fake.calls())))
        return runs
    finally:
        fake.stop()


def main():
    work = tempfile.mkdtemp(prefix="driftd-bench-plan-")
    try:
        results = [(n, bench(n, work)) for n in SIZES]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("driftd plan, all in sync, fake AWS on loopback with %d ms per call, median of %d"
          % (LATENCY_MS, RUNS))
    print("%-10s %10s %12s %12s %10s" % ("resources", "time", "driftd CPU", "peak RSS", "AWS calls"))
    medians = {}
    for n, runs in results:
        seconds, cpu, rss = (sorted(r[k] for r in runs)[len(runs) // 2] for k in range(3))
        medians[n] = (seconds, rss / 1024)
        print("%-10d %8.2f s %10.2f s %8.1f MiB %10d" % (n, seconds, cpu, rss / 1024, runs[0][3]))
    if 10000 in medians:
        seconds, mib = medians[10000]
        print("target: 10,000 resources under 5 s and 64 MiB: %s"
              % ("PASS" if seconds < 5 and mib < 64 else "MISS"))


if __name__ == "__main__":
    main()
