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

struct journal {
	char            *path;
	journal_entry_t *entries;
	size_t           n;
	journal_entry_t *made;     /* what this environment created: the
				      ownership proof pruning needs */
	size_t           n_made;
};

static void entry_clear(journal_entry_t *e)
{
	free(e->address);
	free(e->type);
	free(e->token);
	free(e->id);
	memset(e, 0, sizeof(*e));
}

static char *dup_or_null(const cJSON *s)
{
	return cJSON_IsString(s) ? strdup(s->valuestring) : NULL;
}

/* "created": [{address, type, id}], absent in journals of older versions. */
static int load_made(journal_t *j, const cJSON *arr, err_t *err)
{
	const cJSON *it;
	journal_entry_t *e;

	j->made = calloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof(*j->made));
	if (!j->made)
		return err_set(err, -ENOMEM, "out of memory");
	cJSON_ArrayForEach(it, arr) {
		e = &j->made[j->n_made];
		e->address = dup_or_null(cJSON_GetObjectItemCaseSensitive(it, "address"));
		e->type = dup_or_null(cJSON_GetObjectItemCaseSensitive(it, "type"));
		e->id = dup_or_null(cJSON_GetObjectItemCaseSensitive(it, "id"));
		if (!e->address || !e->type || !e->id) {
			entry_clear(e);
			return err_set(err, -EINVAL, "%s: created entry %zu lacks "
				       "address, type or id", j->path,
				       j->n_made + 1);
		}
		j->n_made++;
	}
	return 0;
}

static int load(journal_t *j, err_t *err)
{
	cJSON *doc = NULL, *arr, *it;
	char *text = NULL;
	size_t i = 0;
	int rc;

	rc = readfile(j->path, JOURNAL_MAX_SIZE, &text, NULL, NULL);
	if (rc == -ENOENT)
		return 0;
	if (rc == -EINVAL || rc == -EFBIG)
		return err_set(err, -EINVAL, "%s: not a regular file of at most "
			       "16 MiB", j->path);
	if (rc == -ENOMEM)
		return err_set(err, rc, "out of memory");
	if (rc)
		return err_set(err, rc, "%s: %s", j->path, strerror(-rc));
	doc = cJSON_ParseWithOpts(text, NULL, 1);
	arr = cJSON_GetObjectItemCaseSensitive(doc, "entries");
	if (!cJSON_IsArray(arr)) {
		rc = err_set(err, -EINVAL, "%s: not a driftd journal (no "
			     "\"entries\" array); move it away to start over",
			     j->path);
		goto out;
	}
	j->entries = calloc((size_t)cJSON_GetArraySize(arr) + 1,
			    sizeof(*j->entries));
	if (!j->entries) {
		rc = err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	cJSON_ArrayForEach(it, arr) {
		journal_entry_t *e = &j->entries[i];
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(it, "started");

		e->address = dup_or_null(cJSON_GetObjectItemCaseSensitive(it, "address"));
		e->type = dup_or_null(cJSON_GetObjectItemCaseSensitive(it, "type"));
		e->token = dup_or_null(cJSON_GetObjectItemCaseSensitive(it, "token"));
		e->id = dup_or_null(cJSON_GetObjectItemCaseSensitive(it, "id"));
		e->started = cJSON_IsNumber(t) ? (time_t)t->valuedouble : 0;
		if (!e->address || !e->type || !e->token) {
			entry_clear(e);
			rc = err_set(err, -EINVAL, "%s: entry %zu lacks address, "
				     "type or token", j->path, i + 1);
			goto out;
		}
		i++;
	}
	j->n = i;
	rc = load_made(j, cJSON_GetObjectItemCaseSensitive(doc, "created"), err);
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
	free(j->entries);
	free(j->made);
	free(j->path);
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

/* temp file, fsync, rename, fsync of the directory: see the header. */
static int save(journal_t *j, err_t *err)
{
	cJSON *doc = cJSON_CreateObject(), *arr, *it;
	char *text = NULL, *tmp = NULL, *dir = NULL;
	int fd = -1, dfd = -1, rc = -ENOMEM;
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
	text = cJSON_Print(doc);
	if (!text || asprintf(&tmp, "%s.tmp", j->path) < 0) {
		tmp = NULL;
		goto fail;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write_all(fd, text, strlen(text)) ||
	    write_all(fd, "\n", 1) || fsync(fd) < 0 || close(fd) < 0) {
		rc = -errno;
		fd = -1;
		err_set(err, rc, "cannot write %s: %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	fd = -1;
	if (rename(tmp, j->path) < 0) {
		rc = -errno;
		err_set(err, rc, "cannot rename %s to %s: %s", tmp, j->path,
			strerror(errno));
		unlink(tmp);
		goto out;
	}
	dir = strdup(j->path);
	if (dir && (dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
		fsync(dfd);
	rc = 0;
	goto out;
fail:
	err_set(err, rc, "out of memory");
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	free(dir);
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
