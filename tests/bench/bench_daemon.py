"""driftd run at rest: memory and CPU of the daemon with the full example
config (config/environments/dev) against the fake AWS endpoint.

Reported: VmRSS and PSS once ready and after several cycles, the private
(anonymous) memory, and CPU seconds per reconcile cycle, from which the
CPU seconds per hour at the default 60 s interval follow. Between cycles
the loop sleeps in epoll: the idle window is measured too."""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from driftdtest import BUILD, DRIFTD, ROOT, FakeAWS, driftd  # noqa: E402

INTERVAL = 3          # seconds between cycles while measuring
CYCLES = 6
DEV_ACCOUNT = "111111111111"


def proc_stat(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick     # utime + stime


def memory(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                out[line.split(":")[0]] = int(line.split()[1])
    with open("/proc/%d/smaps_rollup" % pid) as f:
        for line in f:
            if line.startswith(("Pss:", "Private_Dirty:")):
                out[line.split(":")[0]] = int(line.split()[1])
    return out


def main():
    # The fake is the dev account (config/environments/dev), which has SES
    # production access; databases and clusters come up 120 times faster.
    fake = FakeAWS(extra_args=["--time-scale", "120"], account=DEV_ACCOUNT)
    driftd(["aws", "sesv2", "GetAccount"], fake.env())     # the fake makes the account
    fake.control("POST", "state", {"type": "ses_account", "id": DEV_ACCOUNT,
                                   "set": {"production_access": True,
                                           "review_status": "GRANTED"}})
    work = tempfile.mkdtemp(prefix="driftd-bench-daemon-")
    try:
        shutil.copytree(os.path.join(ROOT, "config"), os.path.join(work, "config"))
        for dirpath, dirs, files in os.walk(work):
            os.chmod(dirpath, 0o700)
            for n in files:
                os.chmod(os.path.join(dirpath, n), 0o600)
        cfg = os.path.join(work, "config", "environments", "dev")
        state = os.path.join(work, "state")
        env = fake.env()
        p = driftd(["apply", "--auto-approve", "--config", cfg, "--state-dir", state], env, timeout=300)
        if p.returncode != 0:
            sys.exit("bench_daemon: the example config did not converge:\n" + p.stdout + p.stderr)
        notify = os.path.join(work, "notify")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(notify)
        sock.settimeout(60)
        env["NOTIFY_SOCKET"] = notify
        daemon = subprocess.Popen([DRIFTD, "run", "--config", cfg, "--state-dir", state,
                                   "--interval", str(INTERVAL), "--socket", os.path.join(work, "ctl")],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while b"READY=1" not in sock.recv(4096):
                pass
            ready = memory(daemon.pid)
            cpu0, t0 = proc_stat(daemon.pid), time.monotonic()
            time.sleep(INTERVAL * CYCLES)
            cpu1, t1 = proc_stat(daemon.pid), time.monotonic()
            later = memory(daemon.pid)
            cycles = (t1 - t0) / INTERVAL
            per_cycle = (cpu1 - cpu0) / cycles
        finally:
            daemon.terminate()
            daemon.wait(15)
            sock.close()
        floor = int(subprocess.run([os.path.join(BUILD, "tests", "bench", "curl_floor")],
                                   stdout=subprocess.PIPE, text=True, check=True).stdout.split()[0])
        v = driftd(["validate", cfg], env)
        print("driftd run, config/environments/dev (%s), fake AWS on loopback"
              % (v.stdout + v.stderr).strip().split(", ")[1])
        print("%-34s %10s %10s" % ("", "ready", "after %d cycles" % CYCLES))
        print("%-34s %7.1f MiB %7.1f MiB" % ("VmRSS", ready["VmRSS"] / 1024, later["VmRSS"] / 1024))
        print("%-34s %7.1f MiB %7.1f MiB" % ("PSS (shared pages split)", ready["Pss"] / 1024, later["Pss"] / 1024))
        print("%-34s %7.1f MiB %7.1f MiB" % ("private dirty (heap, data)", ready["Private_Dirty"] / 1024,
                                             later["Private_Dirty"] / 1024))
        print("%-34s %7.1f MiB" % ("floor: libcurl initialized, no more", floor / 1024))
        print("target: VmRSS under 10 MiB: %s" % ("PASS" if later["VmRSS"] < 10 * 1024 else "MISS"))
        print("CPU per cycle: %.4f s; at a 60 s interval: %.1f CPU seconds per hour"
              % (per_cycle, per_cycle * 60))
    finally:
        fake.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
