"""driftd run at rest: memory and CPU of the daemon with the full example
config (config/environments/dev) against the fake AWS endpoint.

Reported: VmRSS and PSS once ready, after cycle 100 and after cycle 1,000
(cycles 0.2 s apart for the measurement: a cycle of the dev estate takes
less on the fake), the private (anonymous) memory, and CPU seconds per
reconcile cycle, from which the CPU seconds per hour at the default 60 s
interval follow. Targets (issue 17 item 4): RSS after cycle 100 and after
cycle 1,000 within 64 KiB, and driftd's own share above the libcurl floor
(tests/bench/curl_floor.c, measured in the same run) under 4 MiB."""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from devestate import converge_dev, dev_fake, drain  # noqa: E402
from driftdtest import BUILD, DRIFTD, driftd  # noqa: E402

INTERVAL = float(os.environ.get("BENCH_DAEMON_INTERVAL", "0.2"))
EARLY = int(os.environ.get("BENCH_DAEMON_EARLY", "100"))
CYCLES = int(os.environ.get("BENCH_DAEMON_CYCLES", "1000"))


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



def cycles(path):
    """The daemon's cycle count, from its control socket."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(path)
    s.sendall(b"status\n")
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return json.loads(data)["cycles"]


def wait_cycles(path, n, pid):
    while cycles(path) < n:
        if not os.path.exists("/proc/%d" % pid):
            sys.exit("bench_daemon: the daemon exited")
        time.sleep(INTERVAL / 2)


def main():
    fake = dev_fake()
    work = tempfile.mkdtemp(prefix="driftd-bench-daemon-")
    try:
        cfg, state = converge_dev(fake, work, "bench_daemon")
        env = fake.env()
        notify = os.path.join(work, "notify")
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(notify)
        sock.settimeout(60)
        env["NOTIFY_SOCKET"] = notify
        # BENCH_DAEMON_WRAP runs the daemon under a tool, for diagnosis:
        # "valgrind --tool=massif --massif-out-file=/tmp/massif.out".
        wrap = os.environ.get("BENCH_DAEMON_WRAP", "").split()
        daemon = subprocess.Popen(wrap + [DRIFTD, "run", "--config", cfg, "--state-dir", state,
                                   "--interval", str(INTERVAL), "--socket", os.path.join(work, "ctl")],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while b"READY=1" not in sock.recv(4096):
                pass
            ready = memory(daemon.pid)
            # The daemon reports each cycle to the notify socket: keep
            # reading it, or its sends would block once the buffer fills.
            threading.Thread(target=drain, args=(sock,), daemon=True).start()
            ctl = os.path.join(work, "ctl")
            wait_cycles(ctl, EARLY, daemon.pid)
            early = memory(daemon.pid)
            cpu0, c0 = proc_stat(daemon.pid), cycles(ctl)
            wait_cycles(ctl, CYCLES, daemon.pid)
            cpu1, c1 = proc_stat(daemon.pid), cycles(ctl)
            later = memory(daemon.pid)
            per_cycle = (cpu1 - cpu0) / max(1, c1 - c0)
        finally:
            daemon.terminate()
            daemon.wait(15)
            sock.close()
        floor = int(subprocess.run([os.path.join(BUILD, "tests", "bench", "curl_floor")],
                                   stdout=subprocess.PIPE, text=True, check=True).stdout.split()[0])
        v = driftd(["validate", cfg], env)
        print("driftd run, config/environments/dev (%s), fake AWS on loopback, cycles %.1f s apart"
              % ((v.stdout + v.stderr).strip().split(", ")[1], INTERVAL))
        print("%-34s %10s %14s %14s" % ("", "ready", "cycle %d" % EARLY, "cycle %d" % CYCLES))
        for label, key in (("VmRSS", "VmRSS"), ("PSS (shared pages split)", "Pss"),
                           ("private dirty (heap, data)", "Private_Dirty")):
            print("%-34s %6.1f MiB %10.1f MiB %10.1f MiB" % (label, ready[key] / 1024,
                                                              early[key] / 1024, later[key] / 1024))
        print("%-34s %6.1f MiB" % ("floor: libcurl initialized, no more", floor / 1024))
        print("CPU per cycle: %.4f s; at a 60 s interval: %.1f CPU seconds per hour"
              % (per_cycle, per_cycle * 60))
        if wrap:
            return             # a diagnosis: its figures are not driftd's
        import figures
        figures.record("daemon: RSS growth, cycle %d to %d" % (EARLY, CYCLES),
                       later["VmRSS"] - early["VmRSS"], "KiB", 64 if CYCLES == 1000 else None)
        figures.record("daemon: RSS after cycle %d" % CYCLES, later["VmRSS"] / 1024, "MiB")
        figures.record("daemon: libcurl floor", floor / 1024, "MiB")
        figures.record("daemon: own share above the libcurl floor",
                       (later["VmRSS"] - floor) / 1024, "MiB", 4)
        figures.record("daemon: CPU per cycle", per_cycle, "s")
    finally:
        fake.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
