/* PostgreSQL schema migrations: a type driftd reaches with libpq, not AWS
 * (a res_driver_t, see restable.h "Drivers").
 *
 * The SQL files of Directory (*.sql, in byte order of their names) are
 * applied to the database once each, every file in its own transaction
 * together with its row in schema_migrations (filename, sha256 checksum,
 * applied_at): a file that fails rolls back alone, leaves the files before
 * it applied, and stops the run. Files must therefore not hold their own
 * BEGIN/COMMIT. The live item is what the database has recorded
 * (Migrations: filename -> checksum) and which of the expected Tables
 * exist; expand gives the desired value the checksums of the files on
 * disk, so that a pending file (missing live) and an applied file edited
 * since (another checksum) are both a change in Migrations. Apply runs
 * the pending files only: an edited applied file is reported, as an
 * error naming it, and never run again. A table in Tables that is missing
 * while every file is applied is reported the same way.
 *
 * Connection: Host, Port, DBName, User, SSLMode and SSLRootCert from
 * config (Host is typically ${rds.db_instance.main.Endpoint.Address}).
 * SSLMode defaults to verify-full, which checks the server's certificate
 * and name against SSLRootCert (the RDS CA bundle, then required): with
 * require, an impersonating server receives the password. A weaker mode
 * needs AllowUnverifiedServer: true besides, and the log says so whenever
 * the config is loaded (the driver's notice).
 * The password: with PasswordSecretArn (a RES_SECRET_REF, typically
 * ${rds.db_instance.main.MasterUserSecret.SecretArn}) the engine reads the
 * secret for each read and apply and hands it over in memory only; its
 * "password" member (a JSON secret, as RDS keeps it) or the whole string
 * is the password, and its "username" the user when config gives no
 * User. Without it libpq finds the password itself (PGPASSWORD, a
 * PGPASSFILE, ~/.pgpass), as for psql. connect_timeout is 10 s. A
 * relative Directory is relative to driftd's working directory (the
 * daemon's is /, so config gives an absolute path). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <openssl/evp.h>

#include "readfile.h"
#include "resources.h"
#include "trust.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
/* A migration file larger than this is refused (a schema, not data). */
#define MIGRATION_MAX (4u << 20)
#define FILES_MAX 10000

static const char *member(const cJSON *obj, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* ---- the directory ----------------------------------------------------- */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int pg_migration_is_file(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && name[0] != '.' && !strcmp(name + n - 4, ".sql");
}

/* The *.sql names of dir, sorted; *out is a NULL-terminated array the
 * caller frees with pg_names_free. */
int pg_migration_names(const char *dir, char ***out, err_t *err)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL, **grown;
	size_t n = 0;
	int rc;

	*out = NULL;
	/* SQL run with the master password: trusted as config is (trust.h) */
	if ((rc = trust_check(NULL, geteuid(), dir, err)) && rc != -ENOENT)
		return rc;
	rc = 0;
	if (!(d = opendir(dir)))
		return err_set(err, -errno, "migrations directory %s: %s", dir,
			       strerror(errno));
	while ((de = readdir(d))) {
		if (!pg_migration_is_file(de->d_name))
			continue;
		if (n + 2 > FILES_MAX ||
		    !(grown = realloc(names, (n + 2) * sizeof(*names)))) {
			rc = err_set(err, -ENOMEM, "%s: too many migration files", dir);
			goto out;
		}
		names = grown;
		if (!(names[n] = strdup(de->d_name))) {
			rc = err_set(err, -ENOMEM, "out of memory");
			goto out;
		}
		names[++n] = NULL;
	}
	if (names)
		qsort(names, n, sizeof(*names), by_name);
	else if (!(names = calloc(1, sizeof(*names))))
		rc = err_set(err, -ENOMEM, "out of memory");
out:
	closedir(d);
	if (rc) {
		pg_names_free(names);
		return rc;
	}
	*out = names;
	return 0;
}

void pg_names_free(char **names)
{
	size_t i;

	for (i = 0; names && names[i]; i++)
		free(names[i]);
	free(names);
}

/* sha256 of text as 64 lower-case hex digits into hex[65]. */
int pg_checksum(const char *text, size_t len, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (EVP_Digest(text, len, md, &n, EVP_sha256(), NULL) != 1 || n != 32)
		return -EIO;
	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return 0;
}

static int read_migration(const char *dir, const char *name, char **text,
			  size_t *len, err_t *err)
{
	char path[4096];
	int rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path))
		return err_set(err, -ENAMETOOLONG, "%s/%s: path too long", dir, name);
	if ((rc = trust_check(NULL, geteuid(), path, err)))
		return rc;
	return readfile(path, MIGRATION_MAX, text, len, err);
}

/* desired.Migrations = {file: checksum} of Directory's files. */
static int pg_expand(const res_type_t *t, cJSON *desired, err_t *err)
{
	const char *dir = member(desired, "Directory");
	cJSON *map;
	char **names = NULL, hex[65], *text;
	size_t i, len;
	int rc;

	(void)t;
	if (!dir)
		return err_set(err, -EINVAL, "postgres.migrations needs a Directory");
	if ((rc = pg_migration_names(dir, &names, err)))
		return rc;
	if (!(map = cJSON_CreateObject())) {
		pg_names_free(names);
		return err_set(err, -ENOMEM, "out of memory");
	}
	for (i = 0; !rc && names[i]; i++) {
		rc = read_migration(dir, names[i], &text, &len, err);
		if (rc)
			break;
		rc = pg_checksum(text, len, hex);
		free(text);
		if (rc || !cJSON_AddStringToObject(map, names[i], hex))
			rc = err_set(err, -ENOMEM, "%s: cannot checksum", names[i]);
	}
	pg_names_free(names);
	if (rc) {
		cJSON_Delete(map);
		return rc;
	}
	cJSON_DeleteItemFromObjectCaseSensitive(desired, "Migrations");
	cJSON_AddItemToObject(desired, "Migrations", map);
	return 0;
}

/* ---- the database ------------------------------------------------------ */

/* libpq's message without its trailing newline, into err. */
static int pg_error(err_t *err, int code, const char *what, const char *msg)
{
	size_t n = msg ? strcspn(msg, "\n") : 0;

	return err_set(err, code, "%s: %.*s", what, (int)n, msg ? msg : "");
}

#define SSLMODE_DEFAULT "verify-full"

const char *pg_sslmode(const cJSON *desired)
{
	const char *m = member(desired, "SSLMode");

	return m ? m : SSLMODE_DEFAULT;
}

/* Does the mode check who the server is (its certificate's chain)? */
static int sslmode_verifies(const char *mode)
{
	return !strcmp(mode, "verify-full") || !strcmp(mode, "verify-ca");
}

/* verify-* needs the CA bundle; a mode that does not check the server
 * needs AllowUnverifiedServer: true. */
static int pg_check(const res_type_t *t, const char *environment,
		    const cJSON *desired, const cJSON **at, err_t *err)
{
	const char *mode = pg_sslmode(desired);
	const cJSON *allow = cJSON_GetObjectItemCaseSensitive(desired, "AllowUnverifiedServer");

	(void)t;
	(void)environment;
	*at = cJSON_GetObjectItemCaseSensitive(desired, "SSLMode");
	/* A reference is checked once resolved, by libpq. */
	if (*at && !cJSON_IsString(*at))
		return 0;
	if (sslmode_verifies(mode)) {
		if (!cJSON_GetObjectItemCaseSensitive(desired, "SSLRootCert"))
			return err_set(err, -EINVAL, "SSLMode %s checks the server "
				       "against SSLRootCert: set it to the RDS CA "
				       "bundle (global-bundle.pem)", mode);
		return 0;
	}
	if (!cJSON_IsTrue(allow))
		return err_set(err, -EINVAL, "SSLMode %s does not check who the "
			       "server is, so an impersonator would receive the "
			       "password: use verify-full with SSLRootCert, or "
			       "set AllowUnverifiedServer to true", mode);
	return 0;
}

static int pg_notice(const res_type_t *t, const cJSON *desired, char *buf,
		     size_t len)
{
	const char *mode = pg_sslmode(desired);

	(void)t;
	if (sslmode_verifies(mode) ||
	    !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(desired, "AllowUnverifiedServer")))
		return 0;
	snprintf(buf, len, "SSLMode %s with AllowUnverifiedServer: the "
		 "PostgreSQL server's identity is not checked, and the password "
		 "goes to whichever server answers at %s", mode,
		 member(desired, "Host") ? member(desired, "Host") : "its Host");
	return 1;
}

/* The password and user of the secret the engine read for
 * PasswordSecretArn: *password NULL when config names no secret. */
static int pg_credentials(const cJSON *secrets, const char **user,
			  const char **password, err_t *err)
{
	const cJSON *secret = cJSON_GetObjectItemCaseSensitive(secrets, "PasswordSecretArn");

	*password = NULL;
	if (!secret)
		return 0;
	if (cJSON_IsString(secret)) {
		*password = secret->valuestring;
		return 0;
	}
	*password = member(secret, "password");
	if (!*user)
		*user = member(secret, "username");
	if (!*password)
		return err_set(err, -EINVAL, "the secret of PasswordSecretArn is a JSON "
			       "object without a \"password\" string");
	return 0;
}

static PGconn *pg_connect(const cJSON *desired, const cJSON *secrets, err_t *err)
{
	const char *keys[] = { "host", "port", "dbname", "user", "sslmode",
			       "connect_timeout", "application_name", "sslrootcert",
			       "password", NULL };
	const char *vals[N_ELEMS(keys)];
	const cJSON *port = cJSON_GetObjectItemCaseSensitive(desired, "Port");
	const char *user = member(desired, "User"), *password;
	char port_text[16] = "5432";
	PGconn *c;

	if (pg_credentials(secrets, &user, &password, err))
		return NULL;
	if (cJSON_IsNumber(port))
		snprintf(port_text, sizeof(port_text), "%d", port->valueint);
	else if (cJSON_IsString(port))
		snprintf(port_text, sizeof(port_text), "%s", port->valuestring);
	vals[0] = member(desired, "Host");
	vals[1] = port_text;
	vals[2] = member(desired, "DBName");
	vals[3] = user;
	vals[4] = pg_sslmode(desired);
	vals[5] = "10";
	vals[6] = "driftd";
	/* libpq skips a key whose value is NULL (its defaults apply). */
	vals[7] = member(desired, "SSLRootCert");
	vals[8] = password;
	vals[9] = NULL;
	c = PQconnectdbParams(keys, vals, 0);
	if (!c) {
		err_set(err, -ENOMEM, "out of memory");
		return NULL;
	}
	if (PQstatus(c) != CONNECTION_OK) {
		pg_error(err, -ECONNREFUSED, "cannot connect to PostgreSQL",
			 PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	return c;
}

/* Runs sql (one or more statements, no parameters); 0 or -EIO. */
static int pg_exec(PGconn *c, const char *sql, const char *what, err_t *err)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	int rc = 0;

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		rc = pg_error(err, -EIO, what, PQresultErrorMessage(r));
	PQclear(r);
	return rc;
}

/* {filename: checksum} of schema_migrations; an empty object when the
 * table does not exist yet. */
static cJSON *applied_map(PGconn *c, err_t *err)
{
	cJSON *map = cJSON_CreateObject();
	PGresult *r;
	int i;

	if (!map) {
		err_set(err, -ENOMEM, "out of memory");
		return NULL;
	}
	r = PQexec(c, "SELECT to_regclass('schema_migrations') IS NOT NULL");
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1 ||
	    strcmp(PQgetvalue(r, 0, 0), "t")) {
		/* Nothing applied yet, or the lookup failed. */
		if (PQresultStatus(r) != PGRES_TUPLES_OK) {
			pg_error(err, -EIO, "reading schema_migrations",
				 PQresultErrorMessage(r));
			cJSON_Delete(map);
			map = NULL;
		}
		PQclear(r);
		return map;
	}
	PQclear(r);
	r = PQexec(c, "SELECT filename, checksum FROM schema_migrations");
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		pg_error(err, -EIO, "reading schema_migrations", PQresultErrorMessage(r));
		PQclear(r);
		cJSON_Delete(map);
		return NULL;
	}
	for (i = 0; i < PQntuples(r); i++)
		cJSON_AddStringToObject(map, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1));
	PQclear(r);
	return map;
}

/* The tables of want that exist (search_path), as an array. */
static cJSON *existing_tables(PGconn *c, const cJSON *want, err_t *err)
{
	cJSON *out = cJSON_CreateArray();
	const cJSON *t;
	const char *param[1];
	PGresult *r;

	cJSON_ArrayForEach(t, want) {
		if (!out || !cJSON_IsString(t))
			continue;
		param[0] = t->valuestring;
		r = PQexecParams(c, "SELECT to_regclass($1) IS NOT NULL", 1, NULL,
				 param, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
			pg_error(err, -EIO, "looking up tables", PQresultErrorMessage(r));
			PQclear(r);
			cJSON_Delete(out);
			return NULL;
		}
		if (!strcmp(PQgetvalue(r, 0, 0), "t"))
			cJSON_AddItemToArray(out, cJSON_CreateString(t->valuestring));
		PQclear(r);
	}
	if (!out)
		err_set(err, -ENOMEM, "out of memory");
	return out;
}

static int pg_read(const res_type_t *t, const cJSON *desired,
		   const cJSON *secrets, cJSON **live, err_t *err)
{
	static const char *const copied[] = { "Host", "Port", "DBName", "User",
					      "SSLMode", "Directory" };
	PGconn *c;
	cJSON *item = NULL, *applied = NULL, *tables = NULL;
	const cJSON *v;
	size_t i;
	int rc = -ENOMEM;

	(void)t;
	*live = NULL;
	if (!(c = pg_connect(desired, secrets, err)))
		return err->code;
	if (!(applied = applied_map(c, err)) ||
	    !(tables = existing_tables(c, cJSON_GetObjectItemCaseSensitive(desired,
									   "Tables"), err))) {
		rc = err->code;
		goto out;
	}
	if (!(item = cJSON_CreateObject()))
		goto nomem;
	for (i = 0; i < N_ELEMS(copied); i++)
		if ((v = cJSON_GetObjectItemCaseSensitive(desired, copied[i])) &&
		    !cJSON_AddItemToObject(item, copied[i], cJSON_Duplicate(v, 1)))
			goto nomem;
	cJSON_AddItemToObject(item, "Migrations", applied);
	cJSON_AddItemToObject(item, "Tables", tables);
	applied = tables = NULL;
	*live = item;
	item = NULL;
	rc = 0;
	goto out;
nomem:
	err_set(err, -ENOMEM, "out of memory");
out:
	cJSON_Delete(item);
	cJSON_Delete(applied);
	cJSON_Delete(tables);
	PQfinish(c);
	return rc;
}

/* One file in one transaction with its schema_migrations row. */
static int apply_file(PGconn *c, const char *name, const char *sql,
		      const char *checksum, err_t *err)
{
	const char *params[2] = { name, checksum };
	PGresult *r;
	int rc;

	if ((rc = pg_exec(c, "BEGIN", name, err)))
		return rc;
	rc = pg_exec(c, sql, name, err);
	if (!rc) {
		r = PQexecParams(c, "INSERT INTO schema_migrations (filename, checksum) "
				 "VALUES ($1, $2)", 2, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			rc = pg_error(err, -EIO, name, PQresultErrorMessage(r));
		PQclear(r);
	}
	if (!rc)
		return pg_exec(c, "COMMIT", name, err);
	r = PQexec(c, "ROLLBACK");
	PQclear(r);
	return rc;
}

static int pg_apply(const res_type_t *t, const cJSON *desired,
		    const cJSON *live, const cJSON *secrets, err_t *err)
{
	const char *dir = member(desired, "Directory");
	const cJSON *want = cJSON_GetObjectItemCaseSensitive(desired, "Migrations");
	const cJSON *f, *have;
	char changed[512] = "", hex[65], *sql = NULL;
	cJSON *applied = NULL;
	PGconn *c;
	size_t len;
	int rc;

	(void)t;
	(void)live;
	if (!dir || !cJSON_IsObject(want))
		return err_set(err, -EINVAL, "postgres.migrations: no Directory");
	if (!(c = pg_connect(desired, secrets, err)))
		return err->code;
	rc = pg_exec(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
		     "filename text PRIMARY KEY, checksum text NOT NULL, "
		     "applied_at timestamptz NOT NULL DEFAULT now())",
		     "creating schema_migrations", err);
	if (rc || !(applied = applied_map(c, err))) {
		rc = rc ? rc : err->code;
		goto out;
	}
	/* Migrations was built from the sorted names: its order is theirs. */
	cJSON_ArrayForEach(f, want) {
		have = cJSON_GetObjectItemCaseSensitive(applied, f->string);
		if (cJSON_IsString(have)) {
			if (strcmp(have->valuestring, f->valuestring))
				snprintf(changed + strlen(changed), sizeof(changed) -
					 strlen(changed), "%s%s", *changed ? ", " : "",
					 f->string);
			continue;
		}
		if ((rc = read_migration(dir, f->string, &sql, &len, err)))
			goto out;
		/* Checksummed again: what runs is what is recorded. */
		if ((rc = pg_checksum(sql, len, hex)) ||
		    (rc = apply_file(c, f->string, sql, hex, err)))
			goto out;
		free(sql);
		sql = NULL;
	}
	if (*changed)
		rc = err_set(err, -EEXIST, "migrations changed after they were applied "
			     "(driftd does not run them again): %s", changed);
out:
	free(sql);
	cJSON_Delete(applied);
	PQfinish(c);
	return rc;
}

static int pg_check_bool(const cJSON *value, err_t *err)
{
	return cJSON_IsBool(value) ? 0 :
	       err_set(err, -EINVAL, "AllowUnverifiedServer must be true or false");
}

/* Migrations is computed from Directory; config never sets it. */
static int pg_check_computed(const cJSON *value, err_t *err)
{
	(void)value;
	return err_set(err, -EINVAL, "Migrations is computed from the files of "
		       "Directory; it cannot be set");
}

static const res_attr_t migration_attrs[] = {
	{ .name = "Host", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "DBName", .kind = RES_SCALAR, .mutability = RES_REPLACE,
	  .flags = RES_REQUIRED },
	{ .name = "Port", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_WRITE_ONLY },
	/* Absent: the secret's "username", else libpq's default. */
	{ .name = "User", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_WRITE_ONLY },
	{ .name = "PasswordSecretArn", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_WRITE_ONLY | RES_SECRET_REF },
	/* Absent: verify-full. */
	{ .name = "SSLMode", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_WRITE_ONLY,
	  .enum_values = "disable|allow|prefer|require|verify-ca|verify-full" },
	/* true lets SSLMode be one that does not check the server. */
	{ .name = "AllowUnverifiedServer", .kind = RES_SCALAR,
	  .mutability = RES_IN_PLACE, .flags = RES_WRITE_ONLY,
	  .check = pg_check_bool },
	/* The CA bundle verify-ca/verify-full check the server against
	 * (RDS: global-bundle.pem from AWS's trust store). */
	{ .name = "SSLRootCert", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_WRITE_ONLY },
	{ .name = "Directory", .kind = RES_SCALAR, .mutability = RES_IN_PLACE,
	  .flags = RES_REQUIRED | RES_WRITE_ONLY },
	/* The tables the schema must have: one missing is drift. */
	{ .name = "Tables", .kind = RES_SET, .mutability = RES_IN_PLACE },
	{ .name = "Migrations", .kind = RES_MAP, .mutability = RES_IN_PLACE,
	  .check = pg_check_computed },
};

static const char *const migration_names[] = { "Host", "DBName", NULL };

static const res_driver_t migration_driver = {
	.read = pg_read, .expand = pg_expand, .apply = pg_apply,
	.notice = pg_notice,
};

static const res_hooks_t migration_hooks = { .check = pg_check };

const res_type_t res_postgres_types[] = {
	{ .name = "postgres.migrations", .service = "postgres",
	  .summary = "the SQL files of a directory applied once each, in order, "
		     "to a PostgreSQL database",
	  .identity = RES_ID_NAME, .name_attrs = migration_names,
	  .id_path = "DBName",
	  .depends_on_types = NULL,
	  .attrs = migration_attrs, .n_attrs = N_ELEMS(migration_attrs),
	  .hooks = &migration_hooks, .driver = &migration_driver },
};

const size_t res_postgres_n_types = N_ELEMS(res_postgres_types);
