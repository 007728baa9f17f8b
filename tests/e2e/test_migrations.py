"""End to end: postgres.migrations against a real PostgreSQL server from
Debian, started by the test (initdb + postgres on a free port in a
temporary directory, as the postgres user when the test runs as root,
stopped by PID). The files are config/migrations/*.sql, the first user's
schema. The password is in a (fake) Secrets Manager secret, as RDS keeps
it ({"username", "password"}): driftd reads it for each read and apply
and hands it to libpq in memory only."""
import glob
import hashlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from driftdtest import EstateTestCase, FakeAWS, ROOT, aws_cli, driftd  # noqa: E402

TABLES = ["inquiries", "reports", "activities", "chat_sessions", "chat_messages", "email_events"]
PASSWORD = "pg-test-secret-3f9a1c"


def pg_bin(name):
    found = shutil.which(name) or sorted(glob.glob("/usr/lib/postgresql/*/bin/" + name))
    if isinstance(found, list):
        found = found[-1] if found else None
    if not found:
        raise RuntimeError("PostgreSQL's %s is not installed (Debian package postgresql)" % name)
    return found


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """A throwaway cluster: superuser driftd with PASSWORD (scram), database app."""

    def __init__(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="driftd-pg-")
        self.data = os.path.join(self.tmp.name, "data")
        self.port = free_port()
        # initdb and postgres refuse to run as root.
        self.as_user = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.tmp.name, pw.pw_uid, pw.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        pwfile = os.path.join(self.tmp.name, "pw")
        with open(pwfile, "w") as f:
            f.write(PASSWORD + "\n")
        os.chmod(pwfile, 0o644)
        subprocess.run(self.as_user + [pg_bin("initdb"), "-D", self.data, "-U", "driftd",
                                       "--auth=scram-sha-256", "--pwfile", pwfile, "-E", "UTF8"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        os.unlink(pwfile)
        self.log = open(os.path.join(self.tmp.name, "postgres.log"), "w")
        self.proc = subprocess.Popen(
            self.as_user + [pg_bin("postgres"), "-D", self.data, "-p", str(self.port),
                            "-c", "listen_addresses=127.0.0.1",
                            "-c", "unix_socket_directories=" + self.tmp.name],
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while self.sql("postgres", "SELECT 1", check=False).returncode != 0:
            if time.time() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError("PostgreSQL did not start")
            time.sleep(0.2)
        self.sql("postgres", "CREATE DATABASE app")

    def env(self):
        return dict(os.environ, PGPASSWORD=PASSWORD)

    def sql(self, db, query, check=True):
        p = subprocess.run([pg_bin("psql"), "-X", "-At", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                            "-p", str(self.port), "-U", "driftd", "-d", db, "-c", query],
                           env=self.env(), text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if check and p.returncode:
            raise RuntimeError(p.stderr)
        return p

    def rows(self, query):
        return [r for r in self.sql("app", query).stdout.splitlines() if r]

    def stop(self):
        if self.proc.poll() is None:
            # runuser passes SIGTERM on to postgres: a smart shutdown.
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()
        self.tmp.cleanup()


class MigrationsTest(EstateTestCase):
    @classmethod
    def setUpClass(cls):
        cls.pg = PostgresServer()
        cls.fake = FakeAWS()
        cls.tmp = tempfile.TemporaryDirectory(prefix="driftd-migrations-")
        cls.migrations = os.path.join(cls.tmp.name, "migrations")
        shutil.copytree(os.path.join(ROOT, "config", "migrations"), cls.migrations)
        cls.config = os.path.join(cls.tmp.name, "config")
        os.makedirs(cls.config)
        cls.secret_arn = aws_cli(cls.fake, [
            "secretsmanager", "create-secret", "--name", "rds!db-e2e",
            "--secret-string", json.dumps({"username": "driftd", "password": PASSWORD})])["ARN"]
        # No User: the secret's username.
        cls.write_config(cls.config, {"PasswordSecretArn": cls.secret_arn})
        # libpq finds no password of its own: only the secret's works.
        cls.env = cls.fake.env(PGPASSWORD=None, PGPASSFILE=os.path.join(cls.tmp.name, "no-pgpass"))
        cls.first = cls.run_driftd("apply", "--auto-approve")
        cls.outputs = [cls.first]

    @classmethod
    def write_config(cls, config, extra):
        body = {"Host": "127.0.0.1", "Port": cls.pg.port, "DBName": "app",
                # The test server has no TLS: explicitly allowed, and said.
                "SSLMode": "disable", "AllowUnverifiedServer": True,
                "Directory": cls.migrations, "Tables": TABLES}
        body.update(extra)
        body = {k: v for k, v in body.items() if v is not None}
        main = {"settings": {"environment": "e2e", "region": "us-east-1"},
                "resources": {"postgres.migrations.app": body}}
        with open(os.path.join(config, "main.json"), "w") as f:
            json.dump(main, f)

    @classmethod
    def run_driftd(cls, *args):
        p = super().run_driftd(*args)
        if hasattr(cls, "outputs"):
            cls.outputs.append(p)
        return p

    @classmethod
    def tearDownClass(cls):
        cls.fake.stop()
        cls.pg.stop()
        cls.tmp.cleanup()

    def applied(self):
        return dict(r.split("|") for r in self.pg.rows(
            "SELECT filename, checksum FROM schema_migrations ORDER BY filename"))

    def write(self, name, text):
        with open(os.path.join(self.migrations, name), "w") as f:
            f.write(text)

    def assertNoSecret(self, p):
        self.assertNotIn(PASSWORD, p.stdout + p.stderr)

    def test_1_apply_on_an_empty_database_creates_the_schema(self):
        self.assertEqual(self.first.returncode, 0, self.first.stdout + self.first.stderr)
        self.assertNoSecret(self.first)
        for table in TABLES:
            self.assertEqual(self.pg.rows("SELECT to_regclass('%s') IS NOT NULL" % table), ["t"])
        files = sorted(os.listdir(self.migrations))
        want = {}
        for name in files:
            with open(os.path.join(self.migrations, name), "rb") as f:
                want[name] = hashlib.sha256(f.read()).hexdigest()
        self.assertEqual(self.applied(), want)
        # Applied in name order, one transaction each.
        order = self.pg.rows("SELECT filename FROM schema_migrations ORDER BY applied_at, filename")
        self.assertEqual(order, files)
        self.assertIn("chat_messages_session_id_seq_key",
                      " ".join(self.pg.rows("SELECT indexname FROM pg_indexes")))

    def test_2_reapply_is_a_no_op(self):
        before = self.pg.rows("SELECT filename, applied_at FROM schema_migrations ORDER BY 1")
        p = self.plan()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        p = self.run_driftd("apply", "--auto-approve")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(self.pg.rows("SELECT filename, applied_at FROM schema_migrations ORDER BY 1"),
                         before)

    def test_3_an_edited_applied_file_is_drift_and_not_run_again(self):
        path = os.path.join(self.migrations, "0002_reports.sql")
        with open(path) as f:
            original = f.read()
        recorded = self.applied()["0002_reports.sql"]
        try:
            self.write("0002_reports.sql", original + "\nCREATE TABLE edited_after_apply (x int);\n")
            p = self.plan()
            self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
            self.assertIn("postgres.migrations.app", p.stdout)
            p = self.run_driftd("apply", "--auto-approve")
            self.assertNotEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertIn("0002_reports.sql", p.stdout + p.stderr)
            self.assertNoSecret(p)
            self.assertEqual(self.pg.rows("SELECT to_regclass('edited_after_apply') IS NULL"), ["t"])
            self.assertEqual(self.applied()["0002_reports.sql"], recorded)
        finally:
            self.write("0002_reports.sql", original)
        p = self.plan()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_4_a_failing_file_rolls_back_and_leaves_earlier_ones_applied(self):
        self.write("0006_tags.sql", "CREATE TABLE inquiry_tags (inquiry_id bigint REFERENCES inquiries (id),"
                   " tag text NOT NULL);\n")
        self.write("0007_broken.sql", "CREATE TABLE half_done (x int);\nSELECT * FROM no_such_table;\n")
        try:
            p = self.run_driftd("apply", "--auto-approve")
            self.assertNotEqual(p.returncode, 0, p.stdout + p.stderr)
            self.assertIn("0007_broken.sql", p.stdout + p.stderr)
            self.assertIn("no_such_table", p.stdout + p.stderr)
            applied = self.applied()
            self.assertIn("0006_tags.sql", applied)
            self.assertNotIn("0007_broken.sql", applied)
            self.assertEqual(self.pg.rows("SELECT to_regclass('inquiry_tags') IS NOT NULL"), ["t"])
            self.assertEqual(self.pg.rows("SELECT to_regclass('half_done') IS NULL"), ["t"])
        finally:
            os.unlink(os.path.join(self.migrations, "0007_broken.sql"))
        p = self.plan()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_5_a_missing_expected_table_is_drift(self):
        self.pg.sql("app", "DROP TABLE email_events")
        p = self.plan()
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("Tables", p.stdout)

    def test_6_the_password_comes_from_the_secret_on_every_read_and_apply(self):
        self.fake.clear_calls()
        p = self.plan()
        self.assertIn(p.returncode, (0, 2), p.stdout + p.stderr)
        # One read of the one configured resource (the fake masks SecretId).
        reads = self.fake.calls("secretsmanager", "GetSecretValue")
        self.assertEqual([(c["status"], c["parameters"]["SecretId"]) for c in reads], [(200, "***")])
        self.fake.clear_calls()
        self.pg.sql("app", "DROP TABLE IF EXISTS email_events")
        self.run_driftd("apply", "--auto-approve")
        # Read again for the apply's own read and for the apply: never kept.
        self.assertGreaterEqual(len(self.fake.calls("secretsmanager", "GetSecretValue")), 2)

    def test_7_the_password_is_nowhere_in_output_or_the_state_directory(self):
        self.plan()
        self.run_driftd("apply", "--auto-approve")
        texts = [p.stdout + p.stderr for p in self.outputs]
        state = os.path.join(self.tmp.name, "state")
        self.assertTrue(os.path.isdir(state), "apply made no state directory")
        # The journal holds only intents of AWS creates: none here, so
        # whatever the state directory holds is searched.
        for dirpath, _, files in os.walk(state):
            for name in files:
                with open(os.path.join(dirpath, name), "rb") as f:
                    texts.append(f.read().decode("utf-8", "replace"))
        self.assertTrue(any("postgres.migrations.app" in t for t in texts))
        for text in texts:
            self.assertNotIn(PASSWORD, text)

    def test_8_a_secret_that_cannot_be_read_fails_and_names_only_the_secret(self):
        config = os.path.join(self.tmp.name, "config-missing-secret")
        os.makedirs(config, exist_ok=True)
        missing = self.secret_arn.replace("rds!db-e2e", "rds!db-gone")
        self.write_config(config, {"PasswordSecretArn": missing})
        p = driftd(["plan", "--config", config, "--state-dir", os.path.join(self.tmp.name, "state-missing")],
                   self.env, timeout=120)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("PasswordSecretArn", p.stdout + p.stderr)
        self.assertIn("ResourceNotFoundException", p.stdout + p.stderr)
        self.assertNotIn(PASSWORD, p.stdout + p.stderr)

    def test_9_without_a_secret_libpq_finds_the_password_itself(self):
        config = os.path.join(self.tmp.name, "config-libpq")
        os.makedirs(config, exist_ok=True)
        self.write_config(config, {"User": "driftd"})
        args = ["plan", "--detailed-exitcode", "--config", config,
                "--state-dir", os.path.join(self.tmp.name, "state-libpq")]
        self.fake.clear_calls()
        p = driftd(args, self.fake.env(PGPASSWORD=PASSWORD), timeout=120)
        self.assertIn(p.returncode, (0, 2), p.stdout + p.stderr)
        self.assertEqual(self.fake.calls("secretsmanager", "GetSecretValue"), [])
        # And without one, libpq is refused.
        p = driftd(args, self.env, timeout=120)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("cannot connect to PostgreSQL", p.stdout + p.stderr)

    def test_10_an_unverified_server_needs_an_explicit_setting_and_is_logged(self):
        # The apply above ran with SSLMode disable, allowed: it said so.
        self.assertIn("warning: postgres.migrations.app: SSLMode disable with "
                      "AllowUnverifiedServer: the PostgreSQL server's identity is not "
                      "checked", self.first.stderr)
        config = os.path.join(self.tmp.name, "config-unverified")
        os.makedirs(config, exist_ok=True)
        state = os.path.join(self.tmp.name, "state-unverified")
        # Without the setting, "require" (the old default) is refused.
        self.write_config(config, {"SSLMode": "require", "AllowUnverifiedServer": None,
                                   "PasswordSecretArn": self.secret_arn})
        p = driftd(["plan", "--config", config, "--state-dir", state], self.env, timeout=120)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("SSLMode require does not check who the server is", p.stdout + p.stderr)
        self.assertIn("main.json:1:", p.stdout + p.stderr)
        # The default is verify-full: against this server without TLS the
        # connection fails before any password is sent.
        self.write_config(config, {"SSLMode": None, "AllowUnverifiedServer": None,
                                   "SSLRootCert": os.path.join(self.tmp.name, "no-ca.pem"),
                                   "PasswordSecretArn": self.secret_arn})
        p = driftd(["plan", "--config", config, "--state-dir", state], self.env, timeout=120)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("cannot connect to PostgreSQL", p.stdout + p.stderr)
        self.assertIn("SSL", p.stdout + p.stderr)
        self.assertNotIn("warning:", p.stderr)


class ShippedSchemaConfigTest(unittest.TestCase):
    """config/schema/migrations.json is not in the environments (see its
    comment); run beside an environment, as contrib/docs/daemon.md shows,
    it validates."""

    def test_schema_validates_beside_each_environment(self):
        with tempfile.TemporaryDirectory(prefix="driftd-schema-") as top:
            # include reaches the config root only: the schema's
            # environment sits beside the others, as in /etc/driftd.
            shutil.copytree(os.path.join(ROOT, "config"), os.path.join(top, "config"))
            tmp = os.path.join(top, "config", "environments", "schema")
            os.mkdir(tmp)
            for env in ("dev", "staging", "production"):
                main = {"include": ["../" + env, "../../schema/migrations.json"],
                        "settings": {"mode": "observe"},
                        "variables": {"db_name": "cloudpartner", "db_migrations_user": "cloudpartner",
                                      "migrations_dir": "/etc/driftd/%s-schema/migrations" % env,
                                      "rds_ca_bundle": "/etc/ssl/certs/rds-global-bundle.pem"}}
                with open(os.path.join(tmp, "main.json"), "w") as f:
                    json.dump(main, f)
                p = driftd(["validate", tmp], {"PATH": os.environ.get("PATH", "")})
                self.assertEqual(p.returncode, 0, env + ": " + p.stdout + p.stderr)
            # The variables are the schema's own: without them it fails.
            del main["variables"]["migrations_dir"]
            with open(os.path.join(tmp, "main.json"), "w") as f:
                json.dump(main, f)
            p = driftd(["validate", tmp], {"PATH": os.environ.get("PATH", "")})
            self.assertNotEqual(p.returncode, 0)
            self.assertIn("migrations_dir", p.stdout + p.stderr)


if __name__ == "__main__":
    unittest.main()
