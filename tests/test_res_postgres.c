/* postgres.migrations: which files are migrations, the order they are
 * applied in, their checksums, and how desired and recorded state compare
 * (a pending file and an edited one are changes). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unistd.h>

#include "resources/resources.h"
#include "restest.h"
#include "testutil.h"

START_TEST(only_visible_sql_files_are_migrations)
{
	ck_assert(pg_migration_is_file("0001_init.sql"));
	ck_assert(!pg_migration_is_file("README.md"));
	ck_assert(!pg_migration_is_file(".0001_init.sql"));
	ck_assert(!pg_migration_is_file(".sql"));
	ck_assert(!pg_migration_is_file("0001_init.sql~"));
}
END_TEST

static void put(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(migrations_are_applied_in_byte_order_of_names)
{
	char dir[] = "/tmp/driftd-pgtest-XXXXXX", **names = NULL, cmd[64];
	const res_type_t *t = type("postgres.migrations");
	cJSON *desired;
	err_t e;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	put(dir, "0010_b.sql", "SELECT 10;");
	put(dir, "0002_a.sql", "SELECT 2;");
	put(dir, "0001_z.sql", "SELECT 1;");
	put(dir, "notes.txt", "not a migration");
	ck_assert_int_eq(pg_migration_names(dir, &names, &e), 0);
	ck_assert_str_eq(names[0], "0001_z.sql");
	ck_assert_str_eq(names[1], "0002_a.sql");
	ck_assert_str_eq(names[2], "0010_b.sql");
	ck_assert_ptr_null(names[3]);
	pg_names_free(names);
	/* expand gives desired the checksums, in the same order. */
	desired = cJSON_CreateObject();
	cJSON_AddStringToObject(desired, "Directory", dir);
	ck_assert_int_eq(t->driver->expand(t, desired, &e), 0);
	ck_assert_str_eq(cJSON_GetObjectItemCaseSensitive(desired, "Migrations")->child->string,
			 "0001_z.sql");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(desired,
									      "Migrations")), 3);
	cJSON_Delete(desired);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(pg_migration_names(dir, &names, &e), -ENOENT);
	ck_assert_ptr_nonnull(strstr(e.message, dir));
}
END_TEST

START_TEST(checksum_is_sha256_in_hex)
{
	char hex[65];

	ck_assert_int_eq(pg_checksum("abc", 3, hex), 0);
	ck_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	ck_assert_int_eq(pg_checksum("", 0, hex), 0);
	ck_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

START_TEST(pending_and_edited_files_are_changes_extra_records_are_not)
{
	const char *desired = "{\"Host\":\"h\",\"DBName\":\"d\",\"Migrations\":"
		"{\"0001.sql\":\"aa\",\"0002.sql\":\"bb\"},\"Tables\":[\"t1\"]}";

	/* Everything applied (and a file since removed from the directory). */
	ck_assert_uint_eq(changes("postgres.migrations", desired,
		"{\"Host\":\"h\",\"DBName\":\"d\",\"Migrations\":{\"0001.sql\":\"aa\","
		"\"0002.sql\":\"bb\",\"0000_old.sql\":\"cc\"},\"Tables\":[\"t1\"]}"), 0);
	/* 0002 pending. */
	ck_assert_uint_eq(changes("postgres.migrations", desired,
		"{\"Host\":\"h\",\"DBName\":\"d\",\"Migrations\":{\"0001.sql\":\"aa\"},"
		"\"Tables\":[\"t1\"]}"), 1);
	/* 0001 edited after it was applied. */
	ck_assert_uint_eq(changes("postgres.migrations", desired,
		"{\"Host\":\"h\",\"DBName\":\"d\",\"Migrations\":{\"0001.sql\":\"xx\","
		"\"0002.sql\":\"bb\"},\"Tables\":[\"t1\"]}"), 1);
	/* An expected table missing. */
	ck_assert_uint_eq(changes("postgres.migrations", desired,
		"{\"Host\":\"h\",\"DBName\":\"d\",\"Migrations\":{\"0001.sql\":\"aa\","
		"\"0002.sql\":\"bb\"},\"Tables\":[]}"), 1);
}
END_TEST

START_TEST(migrations_cannot_be_set_in_config)
{
	const res_attr_t *a = res_type_attr(type("postgres.migrations"), "Migrations");
	cJSON *v = parse("{}");
	err_t e;

	ck_assert_int_eq(a->check(v, &e), -EINVAL);
	ck_assert_ptr_nonnull(strstr(e.message, "Directory"));
	cJSON_Delete(v);
}
END_TEST

/* The engine hands the driver the secret of PasswordSecretArn; a JSON
 * secret without "password" is refused before any connection, in a
 * message that holds nothing of it. */
START_TEST(the_password_comes_from_the_secret_reference)
{
	const res_type_t *t = res_table_find("postgres.migrations");
	const res_attr_t *a = res_type_attr(t, "PasswordSecretArn");
	cJSON *desired = cJSON_Parse("{\"Host\":\"127.0.0.1\",\"Port\":1,\"DBName\":\"app\","
				     "\"SSLMode\":\"disable\",\"PasswordSecretArn\":\"arn:s\"}");
	cJSON *secrets = cJSON_Parse("{\"PasswordSecretArn\":{\"username\":\"u-sentinel\","
				     "\"pass\":\"pw-sentinel\"}}");
	cJSON *live = NULL;
	err_t e;

	ck_assert_uint_eq(a->flags & (RES_SECRET_REF | RES_WRITE_ONLY),
			  RES_SECRET_REF | RES_WRITE_ONLY);
	ck_assert_int_eq(t->driver->read(t, desired, secrets, &live, &e), -EINVAL);
	ck_assert_ptr_null(live);
	ck_assert_str_eq(e.message, "the secret of PasswordSecretArn is a JSON object without "
			 "a \"password\" string");
	ck_assert_int_eq(t->driver->apply(t, desired, NULL, secrets, &e), -EINVAL);
	ck_assert_ptr_null(strstr(e.message, "sentinel"));
	cJSON_Delete(desired);
	cJSON_Delete(secrets);
}
END_TEST

/* verify-full by default, with the CA bundle; a mode that does not check
 * the server only with AllowUnverifiedServer, and then a notice for the
 * log. The connection's sslmode is the same pg_sslmode. */
START_TEST(migrations_verify_the_server_unless_explicitly_allowed)
{
	static const struct { const char *body; int ok, notice; const char *msg; } cases[] = {
		{ "{\"SSLRootCert\":\"/etc/ssl/rds.pem\"}", 1, 0, NULL },
		{ "{}", 0, 0, "SSLMode verify-full checks the server against SSLRootCert" },
		{ "{\"SSLMode\":\"verify-ca\"}", 0, 0, "SSLRootCert" },
		{ "{\"SSLMode\":\"require\",\"SSLRootCert\":\"/ca.pem\"}", 0, 0,
		  "SSLMode require does not check who the server is" },
		{ "{\"SSLMode\":\"disable\",\"AllowUnverifiedServer\":false}", 0, 0,
		  "set AllowUnverifiedServer to true" },
		{ "{\"SSLMode\":\"require\",\"AllowUnverifiedServer\":true,\"Host\":\"db\"}", 1, 1,
		  NULL },
	};
	const res_type_t *t = res_table_find("postgres.migrations");
	const cJSON *at;
	char text[256];
	cJSON *d;
	size_t i;
	err_t e;

	ck_assert_ptr_nonnull(t->hooks);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d = cJSON_Parse(cases[i].body);
		ck_assert_msg((t->hooks->check(t, NULL, d, &at, &e) == 0) == cases[i].ok,
			      "%s", cases[i].body);
		if (cases[i].msg)
			ck_assert_msg(strstr(e.message, cases[i].msg), "%s", e.message);
		ck_assert_int_eq(t->driver->notice(t, d, text, sizeof(text)), cases[i].notice);
		if (cases[i].notice)
			ck_assert_str_eq(text, "SSLMode require with AllowUnverifiedServer: the "
					 "PostgreSQL server's identity is not checked, and the "
					 "password goes to whichever server answers at db");
		cJSON_Delete(d);
	}
	d = cJSON_Parse("{}");
	ck_assert_str_eq(pg_sslmode(d), "verify-full");
	cJSON_Delete(d);
}
END_TEST

/* The SQL runs with the database's master password: a directory or file
 * of it that another user owns or can write is refused, as config is
 * (issue 14, item 5). */
START_TEST(a_migrations_directory_others_can_write_is_refused)
{
	char dir[] = "/tmp/driftd-pgtest-XXXXXX", **names = NULL, cmd[64];
	const res_type_t *t = type("postgres.migrations");
	cJSON *desired;
	err_t e;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	put(dir, "0001_a.sql", "SELECT 1;");
	ck_assert_int_eq(chmod(dir, 0777), 0);
	ck_assert_int_eq(pg_migration_names(dir, &names, &e), -EPERM);
	ck_assert_str_eq(e.file, dir);
	ck_assert_ptr_nonnull(strstr(e.message, "writable by group or others"));
	ck_assert_int_eq(chmod(dir, 0755), 0);
	snprintf(cmd, sizeof(cmd), "%s/0001_a.sql", dir);
	ck_assert_int_eq(chown(cmd, 4242, 4242), 0);
	desired = cJSON_CreateObject();
	cJSON_AddStringToObject(desired, "Directory", dir);
	ck_assert_int_eq(t->driver->expand(t, desired, &e), -EPERM);
	ck_assert_str_eq(e.file, cmd);
	ck_assert_ptr_nonnull(strstr(e.message, "owned by uid 4242"));
	cJSON_Delete(desired);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

TESTUTIL_MAIN("res_postgres",
	migrations_verify_the_server_unless_explicitly_allowed,
	a_migrations_directory_others_can_write_is_refused,
	only_visible_sql_files_are_migrations,
	migrations_are_applied_in_byte_order_of_names,
	checksum_is_sha256_in_hex,
	pending_and_edited_files_are_changes_extra_records_are_not,
	migrations_cannot_be_set_in_config,
	the_password_comes_from_the_secret_reference)
