/* journal — driftd's record of creates in progress, so that an interrupted
 * run never makes a resource twice.
 *
 * Before a create, an intent (address, type, idempotency token) is written;
 * after AWS answers, the new id; when the resource is ready, the entry is
 * removed. Every change rewrites the whole file atomically: written to a
 * temporary file in the same directory, fsynced, renamed over the journal,
 * and the directory fsynced, so a crash leaves either the old or the new
 * journal, never half of one. The file also keeps, under "created", each
 * item this environment made (address, type, id) until it is deleted.
 * Only addresses, ids, tokens and the keyed fingerprints of write-only
 * secrets are written: no attribute values, so nothing secret. Losing the journal loses no resource: the ownership tags
 * on every resource driftd creates still match it to its config; only the
 * proof that pruning needs is gone, so nothing made before is pruned. */
#ifndef DRIFTD_JOURNAL_H
#define DRIFTD_JOURNAL_H

#include <stddef.h>
#include <time.h>

#include "err.h"

typedef struct journal journal_t;

typedef struct journal_entry {
	char  *address;
	char  *type;
	char  *token;      /* the create's idempotency token */
	char  *id;         /* NULL until AWS returned it     */
	time_t started;
} journal_entry_t;

/* Opens (and reads, when it exists) the journal at path. Its directory
 * (the state directory) must be owned by driftd's user (geteuid) and not
 * writable by group or others, and is not followed when a symbolic link;
 * the journal and its temporary file are opened under that directory's
 * descriptor without following links (-EPERM / -ELOOP otherwise). A
 * journal that does not parse, or any entry lacking a member or with one
 * of the wrong type, is -EINVAL with a message naming the file (and the
 * entry): driftd does not guess. */
int journal_open(const char *path, journal_t **out, err_t *err);
void journal_free(journal_t *j);

int journal_intent(journal_t *j, const char *address, const char *type,
		   const char *token, err_t *err);
int journal_created(journal_t *j, const char *address, const char *id,
		    err_t *err);
int journal_done(journal_t *j, const char *address, err_t *err);

size_t journal_count(const journal_t *j);
const journal_entry_t *journal_at(const journal_t *j, size_t i);
const journal_entry_t *journal_find(const journal_t *j, const char *address);
const char *journal_path(const journal_t *j);

/* The record of what this environment created, kept after the create is
 * done: the proof of ownership that pruning needs (driftd's ownership tags
 * alone are no proof: anyone may write them). Entries carry address, type
 * and id (token NULL); one per (type, id). journal_forget drops one after
 * its item is deleted. */
int journal_record_created(journal_t *j, const char *address,
			   const char *type, const char *id, err_t *err);
const journal_entry_t *journal_made_find(const journal_t *j, const char *type,
					 const char *id);
size_t journal_made_count(const journal_t *j);
const journal_entry_t *journal_made_at(const journal_t *j, size_t i);
int journal_forget(journal_t *j, const char *type, const char *id, err_t *err);

/* Write-only secrets (secret.h): under "secrets", per (address,
 * attribute), the keyed fingerprint (SECRET_FP_HEX - 1 lower-case hex
 * digits) of the secret members last written successfully. Setting the
 * fingerprint already recorded writes nothing; journal_secret_forget
 * drops attribute's record, or every attribute's of address when
 * attribute is NULL (its item was deleted). */
int journal_secret_set(journal_t *j, const char *address,
		       const char *attribute, const char *fingerprint,
		       err_t *err);
const char *journal_secret(const journal_t *j, const char *address,
			   const char *attribute);
int journal_secret_forget(journal_t *j, const char *address,
			  const char *attribute, err_t *err);

#endif
