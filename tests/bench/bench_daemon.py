"""driftd run at rest: memory and CPU of the daemon with the full example
config (config/environments/dev) against the fake AWS endpoint.

Reported: VmRSS and PSS once ready, after cycle 100 and after cycle 1,000
(cycles 0.2 s apart for the measurement: a cycle of the dev estate takes
less on the fake), the private (anonymous) memory, and CPU seconds per
reconcile cycle, from which the CPU seconds per hour at the default 60 s
interval follow. Targets (issue 17 item 4): RSS after cycle 100 and after
cycle 1,000 within 64 KiB, and driftd's own share above the libcurl floor
(tests/bench/curl_floor.c, measured in the same run) under 4 MiB. The
daemon runs with the GLIBC_TUNABLES the shipped unit sets
(systemd/driftd@.service), as systemd starts it; the floor without.

"At rest" is between cycles: each figure is read when the daemon's
end-of-cycle STATUS reaches the notify socket (the daemon sends it once a
cycle's result is processed and the heap trimmed, 0.2 s before the next
cycle starts). Read at any moment instead, half the samples fall inside a
cycle, whose working memory is up to 2 MiB more (the peak, VmHWM, is
printed too). The own share is then split, mapping by mapping against the
floor program's own: the heap, other anonymous memory, driftd's binary,
the libraries the floor does not load, and the further pages of the
libraries both load."""
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
from devestate import converge_dev, dev_fake  # noqa: E402
from driftdtest import BUILD, DRIFTD, driftd  # noqa: E402

INTERVAL = float(os.environ.get("BENCH_DAEMON_INTERVAL", "0.2"))
EARLY = int(os.environ.get("BENCH_DAEMON_EARLY", "100"))
CYCLES = int(os.environ.get("BENCH_DAEMON_CYCLES", "1000"))


UNIT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "systemd",
                    "driftd@.service")


def unit_tunables():
    """The GLIBC_TUNABLES the shipped unit sets (systemd/driftd@.service),
    so that the daemon is measured as systemd runs it: glibc reads them
    at exec only, and the unit is the one place they are chosen."""
    with open(UNIT) as f:
        for line in f:
            if line.startswith("Environment=GLIBC_TUNABLES="):
                return {"GLIBC_TUNABLES": line.strip().split("=", 2)[2]}
    return {}


def proc_stat(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick     # utime + stime


def smaps_rss(lines):
    """Resident kB per mapped file, from smaps text or from curl_floor
    --smaps lines ("RSS PATH"); anonymous mappings count as "[anon]"."""
    out = {}
    path = None
    for line in lines:
        head = line.split(None, 5)
        if len(head) >= 5 and "-" in head[0] and ":" not in head[0]:
            path = head[5].strip() if len(head) > 5 else "[anon]"
        elif line.startswith("Rss:"):
            out[path] = out.get(path, 0) + int(line.split()[1])
        elif len(head) == 2 and head[0].isdigit():
            out[head[1]] = out.get(head[1], 0) + int(head[0])
    return out


def breakdown(daemon_maps, floor_maps, floor_bin):
    """The own share (daemon minus floor, in kB) split into parts, each a
    list of (kB, name) beside its total."""
    binary = os.path.realpath(DRIFTD)
    parts = {"heap": [], "other anonymous": [], "driftd's binary": [],
             "libraries the floor does not load": [],
             "more pages of libraries both load": []}
    for path in set(daemon_maps) | set(floor_maps):
        diff = daemon_maps.get(path, 0) - floor_maps.get(path, 0)
        if path == "[heap]":
            part = "heap"
        elif path.startswith("[") :
            part = "other anonymous"
        elif path in (binary, floor_bin):
            part = "driftd's binary"
        elif path not in floor_maps:
            part = "libraries the floor does not load"
        else:
            part = "more pages of libraries both load"
        if diff:
            parts[part].append((diff, os.path.basename(path)))
    return parts


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



class AtRest:
    """Reads the notify socket (or the daemon's sends would block once its
    buffer fills) and takes memory() at each end-of-cycle STATUS, the
    daemon between cycles; sample(n) is the first taken once the daemon
    reports n cycles, smaps(n) the mappings with it."""

    def __init__(self, sock, pid):
        self.sock, self.pid = sock, pid
        self.cond = threading.Condition()
        self.seq, self.last, self.maps = 0, None, None
        self.want_maps = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            while True:
                msg = self.sock.recv(4096)
                if not msg.startswith(b"STATUS="):
                    continue
                m = memory(self.pid)
                maps = None
                if self.want_maps:
                    with open("/proc/%d/smaps" % self.pid) as f:
                        maps = smaps_rss(f)
                with self.cond:
                    self.seq += 1
                    self.last, self.maps = m, maps
                    self.cond.notify_all()
        except (OSError, ValueError):
            pass

    def sample(self, ctl, n, maps=False):
        wait_cycles(ctl, n, self.pid)
        with self.cond:
            self.want_maps = maps
            seq = self.seq
            while self.seq == seq or (maps and self.maps is None):
                if not self.cond.wait(60):
                    sys.exit("bench_daemon: no end-of-cycle STATUS from the daemon")
            return self.last, self.maps


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
        env.update(unit_tunables())
        # BENCH_DAEMON_WRAP runs the daemon under a tool, for diagnosis:
        # "valgrind --tool=massif --massif-out-file=/tmp/massif.out".
        wrap = os.environ.get("BENCH_DAEMON_WRAP", "").split()
        daemon = subprocess.Popen(wrap + [DRIFTD, "run", "--config", cfg, "--state-dir", state,
                                   "--interval", str(INTERVAL), "--socket", os.path.join(work, "ctl")],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            # READY=1 follows the first cycle's trim: the daemon at rest.
            while b"READY=1" not in sock.recv(4096):
                pass
            ready = memory(daemon.pid)
            rest = AtRest(sock, daemon.pid)
            ctl = os.path.join(work, "ctl")
            early, _ = rest.sample(ctl, EARLY)
            cpu0, c0 = proc_stat(daemon.pid), cycles(ctl)
            later, maps = rest.sample(ctl, CYCLES, maps=True)
            cpu1, c1 = proc_stat(daemon.pid), cycles(ctl)
            peak = memory(daemon.pid)["VmHWM"]
            per_cycle = (cpu1 - cpu0) / max(1, c1 - c0)
        finally:
            daemon.terminate()
            daemon.wait(15)
            sock.close()
        floor_bin = os.path.join(BUILD, "tests", "bench", "curl_floor")
        out = subprocess.run([floor_bin, "--smaps"], stdout=subprocess.PIPE, text=True,
                             check=True).stdout.splitlines()
        floor = int(out[0].split()[0])
        parts = breakdown(maps, smaps_rss(out[1:]), os.path.realpath(floor_bin))
        v = driftd(["validate", cfg], env)
        print("driftd run, config/environments/dev (%s), fake AWS on loopback, cycles %.1f s apart%s"
              % ((v.stdout + v.stderr).strip().split(", ")[1], INTERVAL,
                 "".join(", %s=%s as the unit sets" % kv for kv in unit_tunables().items())))
        print("%-34s %10s %14s %14s" % ("", "ready", "cycle %d" % EARLY, "cycle %d" % CYCLES))
        for label, key in (("VmRSS", "VmRSS"), ("PSS (shared pages split)", "Pss"),
                           ("private dirty (heap, data)", "Private_Dirty")):
            print("%-34s %6.1f MiB %10.1f MiB %10.1f MiB" % (label, ready[key] / 1024,
                                                              early[key] / 1024, later[key] / 1024))
        print("%-34s %6.1f MiB" % ("floor: libcurl initialized, no more", floor / 1024))
        print("%-34s %6.1f MiB  (within a cycle; the figures above are between cycles)"
              % ("peak RSS (VmHWM)", peak / 1024))
        print("own share after cycle %d, %.1f MiB, by mapping against the floor's:"
              % (CYCLES, (later["VmRSS"] - floor) / 1024))
        for part, rows in parts.items():
            rows.sort(reverse=True)
            print("  %-36s %6.2f MiB  %s" % (part, sum(k for k, _ in rows) / 1024,
                                            ", ".join("%s %d KiB" % (n, k) for k, n in rows[:6]
                                                      if part.startswith(("lib", "more")))))
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
