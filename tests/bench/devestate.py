"""The dev estate converged against the fake, for the benchmarks that run
`driftd run` on it (bench_daemon, bench_edit): one setup, so both measure
the same estate the same way."""
import os
import shutil
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from driftdtest import ROOT, FakeAWS, driftd  # noqa: E402

DEV_ACCOUNT = "111111111111"


def dev_fake():
    """The fake as the dev account (config/environments/dev), which has SES
    production access; databases and clusters come up 120 times faster."""
    fake = FakeAWS(extra_args=["--time-scale", "120"], account=DEV_ACCOUNT)
    driftd(["aws", "sesv2", "GetAccount"], fake.env())     # the fake makes the account
    fake.control("POST", "state", {"type": "ses_account", "id": DEV_ACCOUNT,
                                   "set": {"production_access": True,
                                           "review_status": "GRANTED"}})
    return fake


def converge_dev(fake, work, name):
    """config/ copied into work with the modes driftd trusts, its dev
    environment applied to the fake. Returns (config dir, state dir); exits
    naming the bench when it does not converge."""
    shutil.copytree(os.path.join(ROOT, "config"), os.path.join(work, "config"))
    for dirpath, dirs, files in os.walk(work):
        os.chmod(dirpath, 0o700)
        for n in files:
            os.chmod(os.path.join(dirpath, n), 0o600)
    cfg = os.path.join(work, "config", "environments", "dev")
    state = os.path.join(work, "state")
    p = driftd(["apply", "--auto-approve", "--config", cfg, "--state-dir", state], fake.env(),
               timeout=300)
    if p.returncode != 0:
        sys.exit("%s: the example config did not converge:\n%s%s" % (name, p.stdout, p.stderr))
    return cfg, state


def drain(sock):
    """Reads a notify socket until it closes, so sd_notify never blocks."""
    try:
        while True:
            sock.recv(4096)
    except OSError:
        pass
