#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cJSON.h>

#include "readfile.h"

#define JOURNAL_MAX_SIZE (16 * 1024 * 1024)

typedef struct journal_secret {
	char *address, *attribute, *fingerprint;
} journal_secret_t;

/* 64 hex digits: what secret_fingerprint writes (HMAC-SHA256). */
#define FP_DIGITS 64

struct journal {
	char            *path;
	char            *name, *tmp; /* path's last component, and + ".tmp" */
	int              dirfd;      /* the state directory, opened once */
	journal_entry_t *entries;
	size_t           n;
	journal_entry_t *made;     /* what this environment created: the
				      ownership proof pruning needs */
	size_t           n_made;
	journal_secret_t *secrets; /* write-only secrets' fingerprints */
	size_t           n_secrets;
};

static void entry_clear(journal_entry_t *e)
{
	free(e->address);
	free(e->type);
	free(e->token);
	free(e->id);
	memset(e, 0, sizeof(*e));
}

static void secret_clear(journal_secret_t *s)
{
	free(s->address);
	free(s->attribute);
	free(s->fingerprint);
	memset(s, 0, sizeof(*s));
}

/* The state directory must be driftd's alone: another user who can write
 * it can plant a link where the journal or its temporary file goes, or
 * swap the journal. Its last component is opened without following a
 * link (a link there is someone else's choice of directory). */
static int open_state_dir(journal_t *j, err_t *err)
{
	char *copy = strdup(j->path), *base = strdup(j->path), *dir;
	struct stat st;
	int rc = 0;

	if (!copy || !base || !(j->name = strdup(basename(base))) ||
	    asprintf(&j->tmp, "%s.tmp", j->name) < 0) {
		j->tmp = NULL;
		free(copy);
		free(base);
		return err_set(err, -ENOMEM, "out of memory");
	}
	free(base);
	dir = dirname(copy);
	j->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (j->dirfd < 0)
		rc = err_set(err, -errno, "state directory %s: %s%s", dir,
			     strerror(errno), errno == ENOTDIR ||
			     errno == ELOOP ? " (a symbolic link or not a "
			     "directory; driftd does not follow it)" : "");
	else if (fstat(j->dirfd, &st) < 0)
		rc = err_set(err, -errno, "state directory %s: %s", dir,
			     strerror(errno));
	else if (st.st_uid != geteuid())
		rc = err_set(err, -EPERM, "state directory %s is owned by uid "
			     "%u, not by driftd's user (uid %u); driftd refuses "
			     "it", dir, (unsigned)st.st_uid, (unsigned)geteuid());
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		rc = err_set(err, -EPERM, "state directory %s is writable by "
			     "group or others (mode %04o); driftd refuses it "
			     "(chmod go-w)", dir, (unsigned)(st.st_mode & 07777));
	free(copy);
	return rc;
}

/* One entry of the journal, every member checked: a journal is only ever
 * written by driftd, so anything else in it is damage, reported with the
 * entry's number rather than guessed around. */
static int load_entry(journal_t *j, const cJSON *it, size_t n,
		      journal_entry_t *e, err_t *err)
{
	static const char *const strings[] = { "address", "type", "token", "id" };
	char **dst[] = { &e->address, &e->type, &e->token, &e->id };
	const cJSON *v;
	size_t k;

	if (!cJSON_IsObject(it))
		return err_set(err, -EINVAL, "%s: entry %zu is not an object; "
			       "move the journal away to start over", j->path, n);
	for (k = 0; k < sizeof(strings) / sizeof(strings[0]); k++) {
		v = cJSON_GetObjectItemCaseSensitive(it, strings[k]);
		if (!v && k == 3)
			continue;
		if (!cJSON_IsString(v) || !v->valuestring[0])
			return err_set(err, -EINVAL, "%s: entry %zu: \"%s\" %s; "
				       "move the journal away to start over",
				       j->path, n, strings[k], v ? "is not a "
				       "non-empty string" : "is missing");
		if (!(*dst[k] = strdup(v->valuestring)))
			return err_set(err, -ENOMEM, "out of memory");
	}
	v = cJSON_GetObjectItemCaseSensitive(it, "started");
	/* a time_t from the epoch to year 9999, whole seconds */
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 &&
	    v->valuedouble < 253402300800.0) ||
	    v->valuedouble != (double)(long long)v->valuedouble)
		return err_set(err, -EINVAL, "%s: entry %zu: \"started\" %s; "
			       "move the journal away to start over", j->path, n,
			       v ? "is not a time in seconds" : "is missing");
	e->started = (time_t)v->valuedouble;
	if (journal_find(j, e->address))
		return err_set(err, -EINVAL, "%s: entry %zu repeats %s; move "
			       "the journal away to start over", j->path, n,
			       e->address);
	return 0;
}

/* "created": [{address, type, id}], absent in journals of older versions;
 * checked as strictly as the entries, since pruning deletes on its word. */
static int load_made(journal_t *j, const cJSON *arr, err_t *err)
{
	static const char *const names[] = { "address", "type", "id" };
	const cJSON *it, *v;
	journal_entry_t *e;
	size_t k;

	if (!arr)
		return 0;
	if (!cJSON_IsArray(arr))
		return err_set(err, -EINVAL, "%s: \"created\" is not an array; "
			       "move the journal away to start over", j->path);
	j->made = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*j->made));
	if (!j->made)
		return err_set(err, -ENOMEM, "out of memory");
	cJSON_ArrayForEach(it, arr) {
		e = &j->made[j->n_made];
		char **dst[] = { &e->address, &e->type, &e->id };
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			v = cJSON_GetObjectItemCaseSensitive(it, names[k]);
			if (!cJSON_IsString(v) || !v->valuestring[0]) {
				entry_clear(e);
				return err_set(err, -EINVAL, "%s: created entry "
					       "%zu: \"%s\" %s; move the journal "
					       "away to start over", j->path,
					       j->n_made + 1, names[k], v ? "is "
					       "not a non-empty string" :
					       "is missing");
			}
			if (!(*dst[k] = strdup(v->valuestring))) {
				entry_clear(e);
				return err_set(err, -ENOMEM, "out of memory");
			}
		}
		j->n_made++;
	}
	return 0;
}

static int is_fingerprint(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return n == FP_DIGITS && !s[n];
}

/* "secrets": [{address, attribute, fingerprint}], absent in journals of
 * older versions; a damaged one would send (or keep) a secret on a false
 * word, so it is refused as the entries are. */
static int load_secrets(journal_t *j, const cJSON *arr, err_t *err)
{
	static const char *const names[] = { "address", "attribute",
					     "fingerprint" };
	const cJSON *it, *v;
	journal_secret_t *s;
	size_t k;

	if (!arr)
		return 0;
	if (!cJSON_IsArray(arr))
		return err_set(err, -EINVAL, "%s: \"secrets\" is not an array; "
			       "move the journal away to start over", j->path);
	j->secrets = calloc((size_t)cJSON_GetArraySize(arr) + 1,
			    sizeof(*j->secrets));
	if (!j->secrets)
		return err_set(err, -ENOMEM, "out of memory");
	cJSON_ArrayForEach(it, arr) {
		s = &j->secrets[j->n_secrets];
		char **dst[] = { &s->address, &s->attribute, &s->fingerprint };
		if (!cJSON_IsObject(it))
			return err_set(err, -EINVAL, "%s: secret %zu is not an "
				       "object; move the journal away to start "
				       "over", j->path, j->n_secrets + 1);
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			v = cJSON_GetObjectItemCaseSensitive(it, names[k]);
			if (!cJSON_IsString(v) || !v->valuestring[0] ||
			    (k == 2 && !is_fingerprint(v->valuestring))) {
				secret_clear(s);
				return err_set(err, -EINVAL, "%s: secret %zu: "
					       "\"%s\" %s; move the journal away "
					       "to start over", j->path,
					       j->n_secrets + 1, names[k], !v ?
					       "is missing" : k == 2 ? "is not "
					       "64 lower-case hex digits" : "is "
					       "not a non-empty string");
			}
			if (!(*dst[k] = strdup(v->valuestring))) {
				secret_clear(s);
				return err_set(err, -ENOMEM, "out of memory");
			}
		}
		if (journal_secret(j, s->address, s->attribute)) {
			err_set(err, -EINVAL, "%s: secret %zu repeats %s %s; "
				"move the journal away to start over", j->path,
				j->n_secrets + 1, s->address, s->attribute);
			secret_clear(s);
			return -EINVAL;
		}
		j->n_secrets++;
	}
	return 0;
}

static int load(journal_t *j, err_t *err)
{
	cJSON *doc = NULL, *arr, *it, *ver;
	char *text = NULL;
	size_t len = 0;
	int rc;

	rc = readfile_at(j->dirfd, j->name, j->path, JOURNAL_MAX_SIZE, &text,
			 &len, NULL);
	if (rc == -ENOENT)
		return 0;
	if (rc == -ELOOP)
		return err_set(err, rc, "%s: a symbolic link; driftd does not "
			       "follow it (move it away)", j->path);
	if (rc == -EINVAL || rc == -EFBIG)
		return err_set(err, -EINVAL, "%s: not a regular file of at most "
			       "16 MiB", j->path);
	if (rc == -ENOMEM)
		return err_set(err, rc, "out of memory");
	if (rc)
		return err_set(err, rc, "%s: %s", j->path, strerror(-rc));
	if (strlen(text) != len) {
		rc = err_set(err, -EINVAL, "%s: not a driftd journal (holds a "
			     "NUL byte); move it away to start over", j->path);
		goto out;
	}
	doc = cJSON_ParseWithOpts(text, NULL, 1);
	arr = cJSON_GetObjectItemCaseSensitive(doc, "entries");
	if (!cJSON_IsArray(arr)) {
		rc = err_set(err, -EINVAL, "%s: not a driftd journal (no "
			     "\"entries\" array); move it away to start over",
			     j->path);
		goto out;
	}
	ver = cJSON_GetObjectItemCaseSensitive(doc, "version");
	if (!cJSON_IsNumber(ver) || ver->valuedouble != 1) {
		rc = err_set(err, -EINVAL, "%s: journal version is not 1; move "
			     "it away to start over", j->path);
		goto out;
	}
	j->entries = calloc((size_t)cJSON_GetArraySize(arr) + 1,
			    sizeof(*j->entries));
	if (!j->entries) {
		rc = err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	cJSON_ArrayForEach(it, arr) {
		if ((rc = load_entry(j, it, j->n + 1, &j->entries[j->n], err))) {
			entry_clear(&j->entries[j->n]);
			goto out;
		}
		j->n++;
	}
	rc = load_made(j, cJSON_GetObjectItemCaseSensitive(doc, "created"), err);
	if (!rc)
		rc = load_secrets(j, cJSON_GetObjectItemCaseSensitive(doc,
								      "secrets"),
				  err);
out:
	cJSON_Delete(doc);
	free(text);
	return rc;
}

int journal_open(const char *path, journal_t **out, err_t *err)
{
	journal_t *j = calloc(1, sizeof(*j));
	int rc;

	*out = NULL;
	if (!j || !(j->path = strdup(path))) {
		free(j);
		return err_set(err, -ENOMEM, "out of memory");
	}
	j->dirfd = -1;
	rc = open_state_dir(j, err);
	if (!rc)
		rc = load(j, err);
	if (rc) {
		journal_free(j);
		return rc;
	}
	*out = j;
	return 0;
}

void journal_free(journal_t *j)
{
	size_t i;

	if (!j)
		return;
	for (i = 0; i < j->n; i++)
		entry_clear(&j->entries[i]);
	for (i = 0; i < j->n_made; i++)
		entry_clear(&j->made[i]);
	for (i = 0; i < j->n_secrets; i++)
		secret_clear(&j->secrets[i]);
	free(j->entries);
	free(j->made);
	free(j->secrets);
	free(j->path);
	free(j->name);
	free(j->tmp);
	if (j->dirfd >= 0)
		close(j->dirfd);
	free(j);
}

static int write_all(int fd, const char *s, size_t len)
{
	ssize_t w;

	while (len) {
		w = write(fd, s, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		len -= (size_t)w;
	}
	return 0;
}

/* temp file, fsync, rename, fsync of the directory: see the header. All
 * under the directory's descriptor, and the temp file made new (O_EXCL,
 * O_NOFOLLOW, after removing what a crash left): nothing another process
 * put at either name is followed or written through. */
static int save(journal_t *j, err_t *err)
{
	cJSON *doc = cJSON_CreateObject(), *arr, *it;
	char *text = NULL, *tmp = NULL;
	int fd = -1, rc = -ENOMEM;
	size_t i;

	arr = cJSON_AddArrayToObject(doc, "entries");
	if (!arr || !cJSON_AddNumberToObject(doc, "version", 1))
		goto fail;
	for (i = 0; i < j->n; i++) {
		it = cJSON_CreateObject();
		if (!it)
			goto fail;
		cJSON_AddItemToArray(arr, it);
		cJSON_AddStringToObject(it, "address", j->entries[i].address);
		cJSON_AddStringToObject(it, "type", j->entries[i].type);
		cJSON_AddStringToObject(it, "token", j->entries[i].token);
		if (j->entries[i].id)
			cJSON_AddStringToObject(it, "id", j->entries[i].id);
		cJSON_AddNumberToObject(it, "started",
					(double)j->entries[i].started);
	}
	arr = cJSON_AddArrayToObject(doc, "created");
	for (i = 0; arr && i < j->n_made; i++) {
		it = cJSON_CreateObject();
		if (!it)
			goto fail;
		cJSON_AddItemToArray(arr, it);
		cJSON_AddStringToObject(it, "address", j->made[i].address);
		cJSON_AddStringToObject(it, "type", j->made[i].type);
		cJSON_AddStringToObject(it, "id", j->made[i].id);
	}
	if (!arr)
		goto fail;
	arr = cJSON_AddArrayToObject(doc, "secrets");
	for (i = 0; arr && i < j->n_secrets; i++) {
		it = cJSON_CreateObject();
		if (!it)
			goto fail;
		cJSON_AddItemToArray(arr, it);
		cJSON_AddStringToObject(it, "address", j->secrets[i].address);
		cJSON_AddStringToObject(it, "attribute", j->secrets[i].attribute);
		cJSON_AddStringToObject(it, "fingerprint",
					j->secrets[i].fingerprint);
	}
	if (!arr)
		goto fail;
	text = cJSON_Print(doc);
	if (!text || asprintf(&tmp, "%s.tmp", j->path) < 0) {
		tmp = NULL;
		goto fail;
	}
	if (unlinkat(j->dirfd, j->tmp, 0) < 0 && errno != ENOENT) {
		rc = err_set(err, -errno, "cannot remove %s: %s", tmp,
			     strerror(errno));
		goto out;
	}
	fd = openat(j->dirfd, j->tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, text, strlen(text)) ||
	    write_all(fd, "\n", 1) || fsync(fd) < 0 || close(fd) < 0) {
		rc = -errno;
		fd = -1;
		err_set(err, rc, "cannot write %s: %s", tmp, strerror(errno));
		unlinkat(j->dirfd, j->tmp, 0);
		goto out;
	}
	fd = -1;
	if (renameat(j->dirfd, j->tmp, j->dirfd, j->name) < 0) {
		rc = -errno;
		err_set(err, rc, "cannot rename %s to %s: %s", tmp, j->path,
			strerror(errno));
		unlinkat(j->dirfd, j->tmp, 0);
		goto out;
	}
	fsync(j->dirfd);
	rc = 0;
	goto out;
fail:
	err_set(err, rc, "out of memory");
out:
	if (fd >= 0)
		close(fd);
	free(tmp);
	free(text);
	cJSON_Delete(doc);
	return rc;
}

static journal_entry_t *find(const journal_t *j, const char *address)
{
	size_t i;

	for (i = 0; i < j->n; i++)
		if (!strcmp(j->entries[i].address, address))
			return &j->entries[i];
	return NULL;
}

int journal_intent(journal_t *j, const char *address, const char *type,
		   const char *token, err_t *err)
{
	journal_entry_t *e = find(j, address), *grown;

	if (!e) {
		grown = realloc(j->entries, (j->n + 1) * sizeof(*grown));
		if (!grown)
			return err_set(err, -ENOMEM, "out of memory");
		j->entries = grown;
		e = &j->entries[j->n++];
		memset(e, 0, sizeof(*e));
	} else {
		entry_clear(e);
	}
	e->address = strdup(address);
	e->type = strdup(type);
	e->token = strdup(token);
	e->started = time(NULL);
	if (!e->address || !e->type || !e->token)
		return err_set(err, -ENOMEM, "out of memory");
	return save(j, err);
}

int journal_created(journal_t *j, const char *address, const char *id,
		    err_t *err)
{
	journal_entry_t *e = find(j, address);

	if (!e)
		return err_set(err, -ENOENT, "no journal intent for %s", address);
	free(e->id);
	e->id = strdup(id);
	if (!e->id)
		return err_set(err, -ENOMEM, "out of memory");
	return save(j, err);
}

int journal_done(journal_t *j, const char *address, err_t *err)
{
	journal_entry_t *e = find(j, address);

	if (!e)
		return 0;
	entry_clear(e);
	*e = j->entries[--j->n];
	return save(j, err);
}

size_t journal_count(const journal_t *j)
{
	return j->n;
}

const journal_entry_t *journal_at(const journal_t *j, size_t i)
{
	return i < j->n ? &j->entries[i] : NULL;
}

const journal_entry_t *journal_find(const journal_t *j, const char *address)
{
	return find(j, address);
}

const char *journal_path(const journal_t *j)
{
	return j->path;
}

static journal_entry_t *find_made(const journal_t *j, const char *type,
				  const char *id)
{
	size_t i;

	for (i = 0; i < j->n_made; i++)
		if (!strcmp(j->made[i].type, type) && !strcmp(j->made[i].id, id))
			return &j->made[i];
	return NULL;
}

int journal_record_created(journal_t *j, const char *address,
			   const char *type, const char *id, err_t *err)
{
	journal_entry_t *e = find_made(j, type, id), *grown;

	if (e && !strcmp(e->address, address))
		return 0;
	if (!e) {
		grown = realloc(j->made, (j->n_made + 1) * sizeof(*grown));
		if (!grown)
			return err_set(err, -ENOMEM, "out of memory");
		j->made = grown;
		e = &j->made[j->n_made++];
		memset(e, 0, sizeof(*e));
	} else {
		entry_clear(e);
	}
	e->address = strdup(address);
	e->type = strdup(type);
	e->id = strdup(id);
	e->started = time(NULL);
	if (!e->address || !e->type || !e->id)
		return err_set(err, -ENOMEM, "out of memory");
	return save(j, err);
}

const journal_entry_t *journal_made_find(const journal_t *j, const char *type,
					 const char *id)
{
	return j && type && id ? find_made(j, type, id) : NULL;
}

size_t journal_made_count(const journal_t *j)
{
	return j ? j->n_made : 0;
}

const journal_entry_t *journal_made_at(const journal_t *j, size_t i)
{
	return j && i < j->n_made ? &j->made[i] : NULL;
}

int journal_forget(journal_t *j, const char *type, const char *id, err_t *err)
{
	journal_entry_t *e = find_made(j, type, id);

	if (!e)
		return 0;
	entry_clear(e);
	*e = j->made[--j->n_made];
	return save(j, err);
}

static journal_secret_t *find_secret(const journal_t *j, const char *address,
				     const char *attribute)
{
	size_t i;

	for (i = 0; i < j->n_secrets; i++)
		if (!strcmp(j->secrets[i].address, address) &&
		    !strcmp(j->secrets[i].attribute, attribute))
			return &j->secrets[i];
	return NULL;
}

const char *journal_secret(const journal_t *j, const char *address,
			   const char *attribute)
{
	const journal_secret_t *s = j && address && attribute ?
				    find_secret(j, address, attribute) : NULL;

	return s ? s->fingerprint : NULL;
}

int journal_secret_set(journal_t *j, const char *address,
		       const char *attribute, const char *fingerprint,
		       err_t *err)
{
	journal_secret_t *s = find_secret(j, address, attribute), *grown;
	char *fp;

	if (!is_fingerprint(fingerprint))
		return err_set(err, -EINVAL, "%s %s: not a fingerprint",
			       address, attribute);
	if (s && !strcmp(s->fingerprint, fingerprint))
		return 0;
	if (!(fp = strdup(fingerprint)))
		return err_set(err, -ENOMEM, "out of memory");
	if (!s) {
		grown = realloc(j->secrets, (j->n_secrets + 1) * sizeof(*grown));
		if (!grown) {
			free(fp);
			return err_set(err, -ENOMEM, "out of memory");
		}
		j->secrets = grown;
		s = &j->secrets[j->n_secrets];
		memset(s, 0, sizeof(*s));
		if (!(s->address = strdup(address)) ||
		    !(s->attribute = strdup(attribute))) {
			secret_clear(s);
			free(fp);
			return err_set(err, -ENOMEM, "out of memory");
		}
		j->n_secrets++;
	}
	free(s->fingerprint);
	s->fingerprint = fp;
	return save(j, err);
}

int journal_secret_forget(journal_t *j, const char *address,
			  const char *attribute, err_t *err)
{
	size_t i = 0, dropped = 0;

	while (i < j->n_secrets) {
		if (strcmp(j->secrets[i].address, address) || (attribute &&
		    strcmp(j->secrets[i].attribute, attribute))) {
			i++;
			continue;
		}
		secret_clear(&j->secrets[i]);
		j->secrets[i] = j->secrets[--j->n_secrets];
		dropped++;
	}
	return dropped ? save(j, err) : 0;
}
