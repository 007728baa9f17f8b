/* testenv — a fake environment and temp files for the config and
 * credentials suites, so no test mutates the process environment. */
#ifndef DRIFTD_TESTENV_H
#define DRIFTD_TESTENV_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile.h"

#define TESTENV_MAX 32

typedef struct testenv {
	const char *names[TESTENV_MAX];
	char        values[TESTENV_MAX][1024];
	int         n;
	char        dir[64];
} testenv_t;

static inline const char *testenv_get(void *ctx, const char *name)
{
	testenv_t *t = ctx;
	int i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->names[i], name))
			return t->values[i];
	return NULL;
}

static inline void testenv_set(testenv_t *t, const char *name,
			       const char *value)
{
	int i;

	for (i = 0; i < t->n && strcmp(t->names[i], name); i++)
		;
	ck_assert_int_lt(i, TESTENV_MAX);
	t->names[i] = name;
	snprintf(t->values[i], sizeof(t->values[i]), "%s", value);
	if (i == t->n)
		t->n++;
}

/* A fresh temp dir as HOME, with no AWS_* variables set. */
static inline void testenv_init(testenv_t *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->dir, sizeof(t->dir), "/tmp/driftd-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(t->dir));
	testenv_set(t, "HOME", t->dir);
}

/* Writes dir/name and returns its path in a static-per-call buffer. */
static inline const char *testenv_file(testenv_t *t, const char *name,
				       const char *text)
{
	static char path[8][256];
	static int slot;
	char *p = path[slot++ % 8];
	FILE *f;

	snprintf(p, 256, "%s/%s", t->dir, name);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	return p;
}

static inline void testenv_done(testenv_t *t)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	ck_assert_int_eq(system(cmd), 0);
}

static inline profile_t *testenv_profile(testenv_t *t)
{
	profile_env_t env = { testenv_get, t };
	profile_t *p = NULL;
	err_t e;

	ck_assert_int_eq(profile_load(&env, NULL, &p, &e), 0);
	return p;
}

#endif
