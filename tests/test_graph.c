#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "testutil.h"

static graph_t *diamond(void)
{
	graph_t *g = graph_new();

	/* app depends on db and cache; both depend on vpc */
	ck_assert_int_eq(graph_add_edge(g, "ec2.instance.app", "rds.db_instance.main"), 0);
	ck_assert_int_eq(graph_add_edge(g, "ec2.instance.app", "elasticache.cluster.c"), 0);
	ck_assert_int_eq(graph_add_edge(g, "rds.db_instance.main", "ec2.vpc.main"), 0);
	ck_assert_int_eq(graph_add_edge(g, "elasticache.cluster.c", "ec2.vpc.main"), 0);
	ck_assert_int_eq(graph_add_node(g, "sns.topic.alerts"), 0);
	return g;
}

START_TEST(topo_order_puts_dependencies_first_and_breaks_ties_by_name)
{
	graph_t *g = diamond();
	const char **order;
	err_t e;

	ck_assert_int_eq(graph_topo_order(g, &order, &e), 0);
	ck_assert_uint_eq(graph_node_count(g), 5);
	ck_assert_str_eq(order[0], "ec2.vpc.main");
	ck_assert_str_eq(order[1], "elasticache.cluster.c");
	ck_assert_str_eq(order[2], "rds.db_instance.main");
	ck_assert_str_eq(order[3], "ec2.instance.app");
	ck_assert_str_eq(order[4], "sns.topic.alerts");
	free(order);
	graph_free(g);
}
END_TEST

START_TEST(adding_an_edge_twice_is_a_no_op)
{
	graph_t *g = graph_new();
	char *dot;

	graph_add_edge(g, "a.b.c", "d.e.f");
	graph_add_edge(g, "a.b.c", "d.e.f");
	graph_add_node(g, "a.b.c");
	ck_assert_uint_eq(graph_node_count(g), 2);
	dot = graph_to_dot(g);
	ck_assert_str_eq(dot, "digraph driftd {\n\trankdir=LR;\n\tnode [shape=box];\n"
			 "\t\"a.b.c\";\n\t\"a.b.c\" -> \"d.e.f\";\n\t\"d.e.f\";\n}\n");
	free(dot);
	graph_free(g);
}
END_TEST

typedef struct cycles {
	char text[8][256];
	int n;
} cycles_t;

static void collect(const char *const *path, size_t n, void *ctx)
{
	cycles_t *c = ctx;
	size_t i;

	if (c->n >= 8)
		return;
	c->text[c->n][0] = 0;
	for (i = 0; i < n; i++) {
		if (i)
			strcat(c->text[c->n], " -> ");
		strcat(c->text[c->n], path[i]);
	}
	c->n++;
}

START_TEST(cycle_is_reported_with_its_whole_path)
{
	graph_t *g = graph_new();
	cycles_t c = { .n = 0 };
	const char **order = NULL;
	err_t e;

	graph_add_edge(g, "x.x.a", "x.x.b");
	graph_add_edge(g, "x.x.b", "x.x.c");
	graph_add_edge(g, "x.x.c", "x.x.a");
	graph_add_edge(g, "x.x.d", "x.x.a");
	ck_assert_int_eq(graph_find_cycles(g, collect, &c), 1);
	ck_assert_str_eq(c.text[0], "x.x.a -> x.x.b -> x.x.c -> x.x.a");
	ck_assert_int_eq(graph_topo_order(g, &order, &e), -ELOOP);
	ck_assert_ptr_null(order);
	ck_assert_str_eq(e.message, "cycle: x.x.a -> x.x.b -> x.x.c -> x.x.a");
	graph_free(g);
}
END_TEST

START_TEST(self_dependency_is_a_cycle)
{
	graph_t *g = graph_new();
	cycles_t c = { .n = 0 };

	graph_add_edge(g, "s.t.n", "s.t.n");
	ck_assert_int_eq(graph_find_cycles(g, collect, &c), 1);
	ck_assert_str_eq(c.text[0], "s.t.n -> s.t.n");
	graph_free(g);
}
END_TEST

START_TEST(two_separate_cycles_are_both_reported)
{
	graph_t *g = graph_new();
	cycles_t c = { .n = 0 };

	graph_add_edge(g, "a.a.a", "a.a.b");
	graph_add_edge(g, "a.a.b", "a.a.a");
	graph_add_edge(g, "z.z.y", "z.z.z");
	graph_add_edge(g, "z.z.z", "z.z.y");
	ck_assert_int_eq(graph_find_cycles(g, collect, &c), 2);
	ck_assert_str_eq(c.text[0], "a.a.a -> a.a.b -> a.a.a");
	ck_assert_str_eq(c.text[1], "z.z.y -> z.z.z -> z.z.y");
	graph_free(g);
}
END_TEST

START_TEST(ready_set_hands_out_only_nodes_whose_dependencies_are_done)
{
	graph_t *g = diamond();

	ck_assert_str_eq(graph_next_ready(g), "ec2.vpc.main");
	ck_assert_str_eq(graph_next_ready(g), "sns.topic.alerts");
	ck_assert_ptr_null(graph_next_ready(g));
	ck_assert_int_eq(graph_state_of(g, "ec2.vpc.main"), GRAPH_RUNNING);
	ck_assert_int_eq(graph_mark_done(g, "ec2.vpc.main"), 0);
	ck_assert_str_eq(graph_next_ready(g), "elasticache.cluster.c");
	ck_assert_str_eq(graph_next_ready(g), "rds.db_instance.main");
	ck_assert_ptr_null(graph_next_ready(g));
	graph_mark_done(g, "elasticache.cluster.c");
	ck_assert_ptr_null(graph_next_ready(g));
	graph_mark_done(g, "rds.db_instance.main");
	ck_assert_str_eq(graph_next_ready(g), "ec2.instance.app");
	ck_assert(!graph_finished(g));
	graph_mark_done(g, "ec2.instance.app");
	graph_mark_done(g, "sns.topic.alerts");
	ck_assert(graph_finished(g));
	graph_free(g);
}
END_TEST

START_TEST(failure_blocks_dependants_but_not_independent_branches)
{
	graph_t *g = graph_new();

	graph_add_edge(g, "a.a.app", "a.a.db");
	graph_add_edge(g, "a.a.web", "a.a.app");
	graph_add_edge(g, "b.b.other", "b.b.base");
	ck_assert_str_eq(graph_next_ready(g), "a.a.db");
	ck_assert_str_eq(graph_next_ready(g), "b.b.base");
	ck_assert_int_eq(graph_mark_failed(g, "a.a.db"), 0);
	ck_assert_int_eq(graph_state_of(g, "a.a.app"), GRAPH_BLOCKED);
	ck_assert_int_eq(graph_state_of(g, "a.a.web"), GRAPH_BLOCKED);
	ck_assert_int_eq(graph_mark_done(g, "a.a.app"), -EINVAL);
	ck_assert_int_eq(graph_mark_done(g, "b.b.base"), 0);
	ck_assert_str_eq(graph_next_ready(g), "b.b.other");
	graph_mark_done(g, "b.b.other");
	ck_assert(graph_finished(g));
	ck_assert_int_eq(graph_mark_done(g, "no.such.node"), -ENOENT);
	graph_free(g);
}
END_TEST

START_TEST(many_nodes_in_a_chain_need_no_deep_recursion)
{
	graph_t *g = graph_new();
	char a[32], b[32];
	const char **order;
	err_t e;
	int i;

	for (i = 0; i < 20000; i++) {
		snprintf(a, sizeof(a), "n.n.n%05d", i + 1);
		snprintf(b, sizeof(b), "n.n.n%05d", i);
		ck_assert_int_eq(graph_add_edge(g, a, b), 0);
	}
	ck_assert_int_eq(graph_find_cycles(g, NULL, NULL), 0);
	ck_assert_int_eq(graph_topo_order(g, &order, &e), 0);
	ck_assert_str_eq(order[0], "n.n.n00000");
	ck_assert_str_eq(order[20000], "n.n.n20000");
	ck_assert(graph_has_node(g, "n.n.n12345"));
	free(order);
	graph_free(g);
}
END_TEST

/* Room reserved up front (config_graph: one node per resource), then
 * nodes past it: the graph grows on as before. */
START_TEST(reserved_room_then_more_nodes)
{
	graph_t *g = graph_new();
	const char **order;
	char name[32];
	err_t e;
	int i;

	ck_assert_int_eq(graph_reserve(g, 3), 0);
	ck_assert_int_eq(graph_reserve(g, 1), 0);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "sns.topic.t%02d", i);
		ck_assert_int_eq(graph_add_edge(g, name, "ec2.vpc.main"), 0);
	}
	ck_assert_uint_eq(graph_node_count(g), 41);
	ck_assert_int_eq(graph_topo_order(g, &order, &e), 0);
	ck_assert_str_eq(order[0], "ec2.vpc.main");
	ck_assert_str_eq(order[40], "sns.topic.t39");
	free(order);
	graph_free(g);
}
END_TEST

START_TEST(free_null_is_a_no_op)
{
	graph_free(NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("graph");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, topo_order_puts_dependencies_first_and_breaks_ties_by_name);
	tcase_add_test(tc, adding_an_edge_twice_is_a_no_op);
	tcase_add_test(tc, cycle_is_reported_with_its_whole_path);
	tcase_add_test(tc, self_dependency_is_a_cycle);
	tcase_add_test(tc, two_separate_cycles_are_both_reported);
	tcase_add_test(tc, ready_set_hands_out_only_nodes_whose_dependencies_are_done);
	tcase_add_test(tc, failure_blocks_dependants_but_not_independent_branches);
	tcase_add_test(tc, many_nodes_in_a_chain_need_no_deep_recursion);
	tcase_add_test(tc, free_null_is_a_no_op);
	tcase_add_test(tc, reserved_room_then_more_nodes);
	suite_add_tcase(s, tc);
	return testutil_run(s);
}
