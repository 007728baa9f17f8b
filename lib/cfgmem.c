#include "cfgmem.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#endif
#endif
#ifndef VALGRIND_MALLOCLIKE_BLOCK
#define VALGRIND_MALLOCLIKE_BLOCK(p, size, rz, zeroed) ((void)0)
#define VALGRIND_FREELIKE_BLOCK(p, rz) ((void)0)
#define VALGRIND_MAKE_MEM_NOACCESS(p, size) ((void)0)
#endif

#define NBLOCKS    (CFGMEM_RESERVE / CFGMEM_BLOCK)
#define STRING_MAX 1024   /* longer strings stay in malloc: a block's
			   * tail left unused stays small */
#define NONE       SIZE_MAX

static pthread_once_t once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *base;            /* the reservation; NULL: none */
static size_t committed;      /* blocks made writable, from base */
static uint32_t *live;        /* allocations live, per committed block */
static uint32_t *emptied;     /* blocks given back to the kernel, to reuse */
static size_t nemptied;
static size_t cur = NONE;     /* the block allocations are cut from */
static size_t cur_used;       /* bytes of it cut */
static size_t total_live, blocks_used;
static __thread unsigned depth;

static void *hook_malloc(size_t size);
static void hook_free(void *p);

static void reserve(void)
{
	cJSON_Hooks hooks = { hook_malloc, hook_free };
	void *p = mmap(NULL, CFGMEM_RESERVE, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return;
	/* two arrays of 65,536 entries; their pages are touched only as
	 * blocks are committed */
	live = calloc(NBLOCKS, sizeof(*live));
	emptied = calloc(NBLOCKS, sizeof(*emptied));
	if (!live || !emptied) {
		free(live);
		free(emptied);
		munmap(p, CFGMEM_RESERVE);
		return;
	}
	cJSON_InitHooks(&hooks);
	__atomic_store_n(&base, (char *)p, __ATOMIC_RELEASE);
}

int cfgmem_owns(const void *p)
{
	const char *b = __atomic_load_n(&base, __ATOMIC_ACQUIRE);

	return b && (uintptr_t)p >= (uintptr_t)b &&
	       (uintptr_t)p - (uintptr_t)b < CFGMEM_RESERVE;
}

/* Under lock: a block to cut from, an emptied one first; -1 when the
 * reservation is used up or the kernel refuses. */
static int take_block(void)
{
	if (nemptied) {
		cur = emptied[--nemptied];
	} else {
		if (committed == NBLOCKS ||
		    mprotect(base + committed * CFGMEM_BLOCK, CFGMEM_BLOCK,
			     PROT_READ | PROT_WRITE))
			return -1;
		VALGRIND_MAKE_MEM_NOACCESS(base + committed * CFGMEM_BLOCK,
					   CFGMEM_BLOCK);
		cur = committed++;
	}
	cur_used = 0;
	blocks_used++;
	return 0;
}

static void *arena_alloc(size_t size, size_t align)
{
	size_t off;
	void *p = NULL;

	if (!__atomic_load_n(&base, __ATOMIC_ACQUIRE) || !size || size > CFGMEM_BLOCK)
		return NULL;
	pthread_mutex_lock(&lock);
	off = (cur_used + align - 1) & ~(align - 1);
	if (cur == NONE || off + size > CFGMEM_BLOCK) {
		if (take_block())
			goto out;
		off = 0;
	}
	p = base + cur * CFGMEM_BLOCK + off;
	cur_used = off + size;
	live[cur]++;
	total_live++;
	VALGRIND_MALLOCLIKE_BLOCK(p, size, 0, 0);
out:
	pthread_mutex_unlock(&lock);
	return p;
}

static void arena_free(void *p)
{
	size_t b = (size_t)((uintptr_t)p - (uintptr_t)base) / CFGMEM_BLOCK;

	pthread_mutex_lock(&lock);
	VALGRIND_FREELIKE_BLOCK(p, 0);
	total_live--;
	if (!--live[b]) {
		/* its last allocation: the pages go back to the kernel, and
		 * read as zeros when the block is taken again */
		madvise(base + b * CFGMEM_BLOCK, CFGMEM_BLOCK, MADV_DONTNEED);
		VALGRIND_MAKE_MEM_NOACCESS(base + b * CFGMEM_BLOCK, CFGMEM_BLOCK);
		emptied[nemptied++] = (uint32_t)b;
		blocks_used--;
		if (b == cur)
			cur = NONE;
	}
	pthread_mutex_unlock(&lock);
}

static void *hook_malloc(size_t size)
{
	void *p;

	if (depth && size == sizeof(cJSON) && (p = arena_alloc(size, sizeof(void *))))
		return p;
	return malloc(size);
}

static void hook_free(void *p)
{
	if (cfgmem_owns(p))
		arena_free(p);
	else
		free(p);
}

void cfgmem_begin(void)
{
	pthread_once(&once, reserve);
	depth++;
}

void cfgmem_end(void)
{
	if (depth)
		depth--;
}

static char *move_string(char *s)
{
	size_t n = strlen(s) + 1;
	char *p;

	if (n > STRING_MAX || cfgmem_owns(s) || !(p = arena_alloc(n, 1)))
		return s;
	memcpy(p, s, n);
	cJSON_free(s);
	return p;
}

void cfgmem_strings(cJSON *node)
{
	cJSON *child;

	if (!node)
		return;
	if (node->valuestring && !(node->type & cJSON_IsReference))
		node->valuestring = move_string(node->valuestring);
	if (node->string && !(node->type & cJSON_StringIsConst))
		node->string = move_string(node->string);
	/* a reference's children are another tree's */
	if (!(node->type & cJSON_IsReference))
		for (child = node->child; child; child = child->next)
			cfgmem_strings(child);
}

static size_t read_locked(const size_t *counter)
{
	size_t n;

	pthread_mutex_lock(&lock);
	n = *counter;
	pthread_mutex_unlock(&lock);
	return n;
}

size_t cfgmem_live(void)
{
	return read_locked(&total_live);
}

size_t cfgmem_blocks(void)
{
	return read_locked(&blocks_used);
}
