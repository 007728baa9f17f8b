/* graph — the dependency graph over resource addresses.
 *
 * An edge "from -> to" means from depends on to: to must be applied first.
 * Everything that returns several nodes orders ties by name (strcmp), so
 * output is the same on every run. Names are copied. */
#ifndef DRIFTD_GRAPH_H
#define DRIFTD_GRAPH_H

#include <stddef.h>

#include "err.h"

typedef struct graph graph_t;

typedef enum graph_state {
	GRAPH_PENDING,     /* waiting for dependencies                       */
	GRAPH_RUNNING,     /* handed out by graph_next_ready                  */
	GRAPH_DONE,
	GRAPH_FAILED,
	GRAPH_BLOCKED,     /* a dependency (direct or not) failed or blocked  */
} graph_state_t;

graph_t *graph_new(void);
void graph_free(graph_t *g);

/* Makes room for n nodes in all, so that a graph of a known size is not
 * grown by doubling (a third of its node array unused on average).
 * 0 or -ENOMEM. */
int graph_reserve(graph_t *g, size_t n);

/* Adding an existing node or edge again is a no-op. add_edge adds missing
 * nodes. Return 0 or -ENOMEM. */
int graph_add_node(graph_t *g, const char *name);
int graph_add_edge(graph_t *g, const char *from, const char *to);

size_t graph_node_count(const graph_t *g);
int graph_has_node(const graph_t *g, const char *name);

/* Calls found(path, n, ctx) once per back edge of a depth-first search
 * (every cycle is reported at least once through one of its edges). path
 * runs in dependency direction and repeats its first node at the end:
 * {a, b, c, a}. It is valid only during the call. Returns the number of
 * cycles reported, or -ENOMEM. */
typedef void (*graph_cycle_fn)(const char *const *path, size_t n, void *ctx);
int graph_find_cycles(graph_t *g, graph_cycle_fn found, void *ctx);

/* Dependencies before dependants, ties by name. *order is a malloc'd array
 * of graph_node_count() names owned by the graph (free only the array).
 * -ELOOP if the graph has a cycle (err names it), -ENOMEM. */
int graph_topo_order(graph_t *g, const char ***order, err_t *err);

/* Parallel execution. next_ready hands out the smallest-named node whose
 * dependencies are all done and marks it running; NULL when none is ready
 * now. Marking a node failed blocks all its dependants transitively; other
 * branches go on. finished is true when nothing is pending or running. */
const char *graph_next_ready(graph_t *g);
int graph_mark_done(graph_t *g, const char *name);
int graph_mark_failed(graph_t *g, const char *name);
graph_state_t graph_state_of(const graph_t *g, const char *name);
int graph_finished(const graph_t *g);

/* Graphviz source, one edge per dependency, sorted; malloc'd, caller frees. */
char *graph_to_dot(graph_t *g);

#endif
