"""A config edit to its first write: `driftd run` with the dev estate
(config/environments/dev, converged) against the fake; one variable of
main.json (app_log_retention_days, the app log group's retention) is
edited eight times, alternating 14 and 30 days. Each trial measures the
fake's `started` time of the PutRetentionPolicy call that follows minus
the time the edited file was closed. The daemon's interval is an hour,
so only the edit makes it write. Target (issue 17 item 3): under 100 ms.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from devestate import converge_dev, dev_fake, drain  # noqa: E402
from driftdtest import DRIFTD  # noqa: E402

TRIALS = int(os.environ.get("BENCH_EDIT_TRIALS", "8"))



def main():
    fake = dev_fake()
    work = tempfile.mkdtemp(prefix="driftd-bench-edit-")
    daemon = None
    try:
        cfg, state = converge_dev(fake, work, "bench_edit")
        main_json = os.path.join(cfg, "main.json")
        env = fake.env()
        notify = os.path.join(work, "notify")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(notify)
        sock.settimeout(120)
        env["NOTIFY_SOCKET"] = notify
        daemon = subprocess.Popen([DRIFTD, "run", "--config", cfg, "--state-dir", state,
                                   "--interval", "3600", "--socket", os.path.join(work, "ctl")],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while b"READY=1" not in sock.recv(4096):
            pass
        threading.Thread(target=drain, args=(sock,), daemon=True).start()
        with open(main_json) as f:
            text = f.read()
        latencies = []
        for trial in range(TRIALS):
            days = 30 if trial % 2 == 0 else 14
            time.sleep(1.0)        # the daemon settles between trials
            fake.clear_calls()
            new = re.sub(r'"app_log_retention_days": \d+', '"app_log_retention_days": %d' % days,
                         text)
            with open(main_json, "w") as f:
                f.write(new)
            closed = time.time()
            deadline = closed + 90
            writes = []
            while not writes and time.time() < deadline:
                time.sleep(0.01)
                writes = [c for c in fake.calls(operation="PutRetentionPolicy")
                          if c["started"] >= closed and
                          c["parameters"].get("retentionInDays") == days]
            if not writes:
                sys.exit("bench_edit: no PutRetentionPolicy within 90 s of the edit")
            latencies.append(min(c["started"] for c in writes) - closed)
        latencies.sort()
        median = latencies[len(latencies) // 2]
        print("a one-resource config edit to its first write call, dev estate, %d trials" % TRIALS)
        print("  %s ms" % ", ".join("%.0f" % (x * 1000) for x in latencies))
        import figures
        figures.record("edit to first write: median", median * 1000, "ms", 100)
        figures.record("edit to first write: slowest", latencies[-1] * 1000, "ms")
    finally:
        if daemon:
            daemon.terminate()
            daemon.wait(15)
        fake.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
