#include "graph.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

typedef struct int_vec {
	size_t *v;
	size_t n, cap;
} int_vec_t;

typedef struct node {
	char *name;
	int_vec_t deps;          /* nodes this one depends on */
	int_vec_t dependants;
	graph_state_t state;
	size_t waiting;          /* deps not yet done */
} node_t;

struct graph {
	node_t *nodes;
	size_t n, cap;
	size_t *slots;           /* open-addressing hash: index + 1, 0 empty */
	size_t nslots;
	size_t *rank;            /* node indices sorted by name */
	size_t *pos;             /* pos[node] = place in rank */
	int sorted;              /* rank and dep lists are current */
};

static uint64_t hash_name(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int vec_push(int_vec_t *v, size_t x)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 4;
		size_t *p = realloc(v->v, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		v->v = p;
		v->cap = cap;
	}
	v->v[v->n++] = x;
	return 0;
}

graph_t *graph_new(void)
{
	return calloc(1, sizeof(graph_t));
}

void graph_free(graph_t *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->n; i++) {
		free(g->nodes[i].name);
		free(g->nodes[i].deps.v);
		free(g->nodes[i].dependants.v);
	}
	free(g->nodes);
	free(g->slots);
	free(g->rank);
	free(g->pos);
	free(g);
}

static long find(const graph_t *g, const char *name)
{
	size_t i;

	if (!g->nslots)
		return -1;
	for (i = hash_name(name) & (g->nslots - 1); g->slots[i];
	     i = (i + 1) & (g->nslots - 1))
		if (!strcmp(g->nodes[g->slots[i] - 1].name, name))
			return (long)(g->slots[i] - 1);
	return -1;
}

static int rehash(graph_t *g)
{
	size_t nslots = g->nslots ? g->nslots * 2 : 64;
	size_t *slots = calloc(nslots, sizeof(*slots));
	size_t k, i;

	if (!slots)
		return -ENOMEM;
	for (k = 0; k < g->n; k++) {
		for (i = hash_name(g->nodes[k].name) & (nslots - 1); slots[i];
		     i = (i + 1) & (nslots - 1))
			;
		slots[i] = k + 1;
	}
	free(g->slots);
	g->slots = slots;
	g->nslots = nslots;
	return 0;
}

int graph_reserve(graph_t *g, size_t n)
{
	node_t *nodes;

	if (n <= g->cap)
		return 0;
	if (!(nodes = realloc(g->nodes, n * sizeof(*nodes))))
		return -ENOMEM;
	g->nodes = nodes;
	g->cap = n;
	return 0;
}

static long intern(graph_t *g, const char *name)
{
	long found = find(g, name);
	node_t *nodes;

	if (found >= 0)
		return found;
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 16;

		nodes = realloc(g->nodes, cap * sizeof(*nodes));
		if (!nodes)
			return -ENOMEM;
		g->nodes = nodes;
		g->cap = cap;
	}
	memset(&g->nodes[g->n], 0, sizeof(node_t));
	if (!(g->nodes[g->n].name = strdup(name)))
		return -ENOMEM;
	g->n++;
	if (g->n * 2 > g->nslots) {
		if (rehash(g)) {
			free(g->nodes[--g->n].name);
			return -ENOMEM;
		}
	} else {
		size_t i;

		for (i = hash_name(name) & (g->nslots - 1); g->slots[i];
		     i = (i + 1) & (g->nslots - 1))
			;
		g->slots[i] = g->n;
	}
	g->sorted = 0;
	return (long)(g->n - 1);
}

int graph_add_node(graph_t *g, const char *name)
{
	long k = intern(g, name);

	return k < 0 ? (int)k : 0;
}

int graph_add_edge(graph_t *g, const char *from, const char *to)
{
	long a = intern(g, from), b;
	size_t i;

	if (a < 0)
		return (int)a;
	if ((b = intern(g, to)) < 0)
		return (int)b;
	for (i = 0; i < g->nodes[a].deps.n; i++)
		if (g->nodes[a].deps.v[i] == (size_t)b)
			return 0;
	if (vec_push(&g->nodes[a].deps, (size_t)b) ||
	    vec_push(&g->nodes[b].dependants, (size_t)a))
		return -ENOMEM;
	if (g->nodes[b].state != GRAPH_DONE)
		g->nodes[a].waiting++;
	g->sorted = 0;
	return 0;
}

size_t graph_node_count(const graph_t *g)
{
	return g ? g->n : 0;
}

int graph_has_node(const graph_t *g, const char *name)
{
	return find(g, name) >= 0;
}

static int cmp_by_name(const void *x, const void *y, void *arg)
{
	const graph_t *g = arg;

	return strcmp(g->nodes[*(const size_t *)x].name,
		      g->nodes[*(const size_t *)y].name);
}

/* Orders nodes and every adjacency list by name so that searches and
 * hand-outs are deterministic. */
static int prepare(graph_t *g)
{
	size_t i, *rank, *pos;

	if (g->sorted)
		return 0;
	rank = malloc((g->n ? g->n : 1) * sizeof(*rank));
	pos = malloc((g->n ? g->n : 1) * sizeof(*pos));
	if (!rank || !pos) {
		free(rank);
		free(pos);
		return -ENOMEM;
	}
	for (i = 0; i < g->n; i++)
		rank[i] = i;
	if (g->n > 1)
		qsort_r(rank, g->n, sizeof(*rank), cmp_by_name, g);
	for (i = 0; i < g->n; i++) {
		pos[rank[i]] = i;
		if (g->nodes[i].deps.n > 1)
			qsort_r(g->nodes[i].deps.v, g->nodes[i].deps.n,
				sizeof(size_t), cmp_by_name, g);
		if (g->nodes[i].dependants.n > 1)
			qsort_r(g->nodes[i].dependants.v, g->nodes[i].dependants.n,
				sizeof(size_t), cmp_by_name, g);
	}
	free(g->rank);
	free(g->pos);
	g->rank = rank;
	g->pos = pos;
	g->sorted = 1;
	return 0;
}

enum { WHITE, GRAY, BLACK };

int graph_find_cycles(graph_t *g, graph_cycle_fn found, void *ctx)
{
	unsigned char *color = NULL;
	size_t *stack = NULL, *edge = NULL;
	const char **path = NULL;
	size_t r, depth, k;
	int count = 0, rc;

	if ((rc = prepare(g)))
		return rc;
	color = calloc(g->n + 1, 1);
	stack = malloc((g->n + 1) * sizeof(*stack));
	edge = malloc((g->n + 1) * sizeof(*edge));
	path = malloc((g->n + 2) * sizeof(*path));
	if (!color || !stack || !edge || !path) {
		count = -ENOMEM;
		goto out;
	}
	for (r = 0; r < g->n; r++) {
		if (color[g->rank[r]] != WHITE)
			continue;
		depth = 0;
		stack[depth] = g->rank[r];
		edge[depth++] = 0;
		color[g->rank[r]] = GRAY;
		while (depth) {
			node_t *nd = &g->nodes[stack[depth - 1]];
			size_t w;

			if (edge[depth - 1] >= nd->deps.n) {
				color[stack[--depth]] = BLACK;
				continue;
			}
			w = nd->deps.v[edge[depth - 1]++];
			if (color[w] == WHITE) {
				color[w] = GRAY;
				stack[depth] = w;
				edge[depth++] = 0;
			} else if (color[w] == GRAY) {
				size_t start = depth, n = 0;

				while (start > 0 && stack[start - 1] != w)
					start--;
				for (k = start - 1; k < depth; k++)
					path[n++] = g->nodes[stack[k]].name;
				path[n++] = g->nodes[w].name;
				count++;
				if (found)
					found(path, n, ctx);
			}
		}
	}
out:
	free(color);
	free(stack);
	free(edge);
	free(path);
	return count;
}

typedef struct first_cycle {
	char text[ERR_MSG_MAX];
	int have;
} first_cycle_t;

static void keep_first(const char *const *path, size_t n, void *ctx)
{
	first_cycle_t *fc = ctx;
	size_t i, len = 0;

	if (fc->have++)
		return;
	for (i = 0; i < n && len < sizeof(fc->text); i++)
		len += (size_t)snprintf(fc->text + len, sizeof(fc->text) - len,
					"%s%s", i ? " -> " : "", path[i]);
}

/* Binary min-heap of node indices keyed by their place in name order. */
static void heap_push(size_t *heap, size_t *n, size_t x, const size_t *key)
{
	size_t i = (*n)++;

	while (i > 0 && key[heap[(i - 1) / 2]] > key[x]) {
		heap[i] = heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	heap[i] = x;
}

static size_t heap_pop(size_t *heap, size_t *n, const size_t *key)
{
	size_t top = heap[0], x = heap[--(*n)], i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= *n)
			break;
		if (c + 1 < *n && key[heap[c + 1]] < key[heap[c]])
			c++;
		if (key[heap[c]] >= key[x])
			break;
		heap[i] = heap[c];
		i = c;
	}
	if (*n)
		heap[i] = x;
	return top;
}

int graph_topo_order(graph_t *g, const char ***order, err_t *err)
{
	size_t *indeg = NULL, *heap = NULL, nheap = 0, nout = 0, i, k;
	const char **out = NULL;
	first_cycle_t fc = { .have = 0 };
	int rc;

	*order = NULL;
	if ((rc = prepare(g)))
		return err_set(err, rc, "out of memory");
	indeg = calloc(g->n + 1, sizeof(*indeg));
	heap = malloc((g->n + 1) * sizeof(*heap));
	out = malloc((g->n + 1) * sizeof(*out));
	if (!indeg || !heap || !out) {
		rc = err_set(err, -ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < g->n; i++) {
		indeg[i] = g->nodes[i].deps.n;
		if (!indeg[i])
			heap_push(heap, &nheap, i, g->pos);
	}
	while (nheap) {
		size_t x = heap_pop(heap, &nheap, g->pos);
		node_t *nd = &g->nodes[x];

		out[nout++] = nd->name;
		for (k = 0; k < nd->dependants.n; k++)
			if (--indeg[nd->dependants.v[k]] == 0)
				heap_push(heap, &nheap, nd->dependants.v[k], g->pos);
	}
	if (nout < g->n) {
		rc = graph_find_cycles(g, keep_first, &fc);
		rc = err_set(err, rc < 0 ? rc : -ELOOP, "cycle: %s", fc.text);
		goto out;
	}
	*order = out;
	out = NULL;
	rc = 0;
out:
	free(indeg);
	free(heap);
	free(out);
	return rc;
}

const char *graph_next_ready(graph_t *g)
{
	size_t r;

	if (prepare(g))
		return NULL;
	for (r = 0; r < g->n; r++) {
		node_t *nd = &g->nodes[g->rank[r]];

		if (nd->state == GRAPH_PENDING && nd->waiting == 0) {
			nd->state = GRAPH_RUNNING;
			return nd->name;
		}
	}
	return NULL;
}

int graph_mark_done(graph_t *g, const char *name)
{
	long k = find(g, name);
	node_t *nd;
	size_t i;

	if (k < 0)
		return -ENOENT;
	nd = &g->nodes[k];
	if (nd->state == GRAPH_DONE)
		return 0;
	if (nd->state == GRAPH_BLOCKED || nd->state == GRAPH_FAILED)
		return -EINVAL;
	nd->state = GRAPH_DONE;
	for (i = 0; i < nd->dependants.n; i++)
		g->nodes[nd->dependants.v[i]].waiting--;
	return 0;
}

int graph_mark_failed(graph_t *g, const char *name)
{
	long k = find(g, name);
	size_t *queue, head = 0, tail = 0, i;

	if (k < 0)
		return -ENOENT;
	if (g->nodes[k].state == GRAPH_DONE)
		return -EINVAL;
	if (!(queue = malloc((g->n + 1) * sizeof(*queue))))
		return -ENOMEM;
	g->nodes[k].state = GRAPH_FAILED;
	queue[tail++] = (size_t)k;
	while (head < tail) {
		node_t *nd = &g->nodes[queue[head++]];

		for (i = 0; i < nd->dependants.n; i++) {
			node_t *d = &g->nodes[nd->dependants.v[i]];

			if (d->state == GRAPH_PENDING) {
				d->state = GRAPH_BLOCKED;
				queue[tail++] = nd->dependants.v[i];
			}
		}
	}
	free(queue);
	return 0;
}

graph_state_t graph_state_of(const graph_t *g, const char *name)
{
	long k = find(g, name);

	return k < 0 ? GRAPH_BLOCKED : g->nodes[k].state;
}

int graph_finished(const graph_t *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->nodes[i].state == GRAPH_PENDING ||
		    g->nodes[i].state == GRAPH_RUNNING)
			return 0;
	return 1;
}

static void dot_quoted(strbuf_t *b, const char *name)
{
	strbuf_add(b, "\"");
	for (; *name; name++) {
		if (*name == '"' || *name == '\\')
			strbuf_add(b, "\\");
		strbuf_addn(b, name, 1);
	}
	strbuf_add(b, "\"");
}

char *graph_to_dot(graph_t *g)
{
	strbuf_t b = STRBUF_INIT;
	size_t r, k;

	if (prepare(g))
		return NULL;
	strbuf_add(&b, "digraph driftd {\n\trankdir=LR;\n\tnode [shape=box];\n");
	for (r = 0; r < g->n; r++) {
		node_t *nd = &g->nodes[g->rank[r]];

		strbuf_add(&b, "\t");
		dot_quoted(&b, nd->name);
		strbuf_add(&b, ";\n");
		for (k = 0; k < nd->deps.n; k++) {
			strbuf_add(&b, "\t");
			dot_quoted(&b, nd->name);
			strbuf_add(&b, " -> ");
			dot_quoted(&b, g->nodes[nd->deps.v[k]].name);
			strbuf_add(&b, ";\n");
		}
	}
	strbuf_add(&b, "}\n");
	return strbuf_take(&b);
}
