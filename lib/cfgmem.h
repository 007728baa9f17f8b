/* cfgmem — where a large config's cJSON tree lives.
 *
 * A config's tree is kept from load to the config's end, and at 100,000
 * resources it is about a million cJSON nodes and half a million short
 * strings. Through malloc each node costs 80 bytes (64 and malloc's
 * header, rounded to 16) and each string at least 32; here, in blocks of
 * an arena, a node costs its 64 bytes and a string its length and NUL.
 *
 * jsonc parses a large file (JSONC_ARENA_MIN bytes or more) between
 * cfgmem_begin and cfgmem_end: while that runs, cJSON's allocations of a
 * node's size on that thread come from the arena. The config loader
 * then moves a resource body's strings in (cfgmem_strings) once its keys
 * are interned and its variables applied; nodes stay where they are, as
 * positions and references are keyed by node.
 *
 * Anything may still free any of these through cJSON (cJSON_Delete,
 * cJSON_SetValuestring, node_become): the first cfgmem_begin sets cJSON's
 * hooks (cJSON_InitHooks) to malloc and a free that recognises the
 * arena's pointers by address and gives the rest to free(). Nobody may
 * set cJSON's hooks after that, nor free() a config's node or string
 * directly (cJSON_free is the way). The arena counts each block's live
 * allocations; a block whose last one is freed goes back to the kernel
 * (MADV_DONTNEED) and is reused, so a freed config leaves no memory
 * behind. The arena is one reservation of address space, made on first
 * use (PROT_NONE, and committed a block at a time); past it, or when the
 * kernel refuses, allocations fall back to malloc. Thread-safe.
 *
 * Under valgrind each allocation is reported as a heap block
 * (VALGRIND_MALLOCLIKE_BLOCK), so uses after free and of unallocated
 * arena are found; its leak check does not find the arena's leaks (it
 * scans the arena's blocks as roots): cfgmem_live counts them, and
 * test_config checks that a freed config leaves none. AddressSanitizer
 * sees none of the arena. */
#ifndef DRIFTD_CFGMEM_H
#define DRIFTD_CFGMEM_H

#include <stddef.h>
#include <cJSON.h>

#define CFGMEM_BLOCK   (64u * 1024)        /* bytes */
#define CFGMEM_RESERVE ((size_t)4 << 30)   /* address space, not memory */

/* While begun (on this thread; they nest), cJSON's node allocations come
 * from the arena. */
void cfgmem_begin(void);
void cfgmem_end(void);

/* Whether p is an allocation of the arena's. */
int cfgmem_owns(const void *p);

/* Moves the value strings and keys (not the shared ones, marked
 * cJSON_StringIsConst) of node and everything under it into the arena;
 * a string that cannot be moved stays where it is. For a tree whose
 * strings will not change often: each one freed leaves its bytes unused
 * until its whole block is. */
void cfgmem_strings(cJSON *node);

/* For tests: allocations live, and blocks holding any. */
size_t cfgmem_live(void);
size_t cfgmem_blocks(void);

#endif
