/*
 * test_apply_order.c - dependency levels, parallel groups and depends_on
 * conditions of apply (apply_order.h). Pure: no daemon.
 */
#include "unit.h"

#include "apply_order.h"
#include "ynode.h"

static struct ynode *services_of(const char *yaml)
{
	struct ynode *root = NULL;

	if (ynode_load_buffer(&root, yaml, strlen(yaml), "compose.yaml", NULL) <
	    0)
		fail_msg("load: %s", err_last());
	return root;
}

static unsigned level_of(const struct apply_graph *g, const char *name)
{
	long i = apply_graph_find(g, name);

	assert_true(i >= 0);
	return g->nodes[i].level;
}

static const struct apply_dep *dep_of(const struct apply_graph *g,
				      const char *svc, const char *dep)
{
	long i = apply_graph_find(g, svc);
	long d = apply_graph_find(g, dep);

	assert_true(i >= 0 && d >= 0);
	for (size_t k = 0; k < g->nodes[i].ndeps; k++)
		if (g->nodes[i].deps[k].index == (size_t)d)
			return &g->nodes[i].deps[k];
	fail_msg("'%s' does not depend on '%s'", svc, dep);
	return NULL;
}

static void test_apply_order__empty(void **state)
{
	struct apply_graph g = {0};
	struct ynode *empty = services_of("{}");

	(void)state;
	assert_int_equal(apply_graph_build(&g, NULL), 0);
	assert_int_equal(g.n, 0);
	assert_int_equal(g.nlevels, 0);
	apply_graph_release(&g);
	assert_int_equal(apply_graph_build(&g, empty), 0);
	assert_int_equal(g.n, 0);
	apply_graph_release(&g);
	ynode_free(empty);
}

static void
test_apply_order__independent_services_share_level_zero(void **state)
{
	struct apply_graph g = {0};
	struct ynode *s = services_of("a: {image: x}\n"
				      "b: {image: x}\n"
				      "c: {image: x}\n");
	size_t group[3];

	(void)state;
	assert_int_equal(apply_graph_build(&g, s), 0);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.nlevels, 1);
	assert_int_equal(apply_graph_level(group, &g, 0, NULL), 3);
	assert_string_equal(g.nodes[group[0]].name, "a");
	assert_string_equal(g.nodes[group[2]].name, "c");
	assert_int_equal(apply_graph_level(group, &g, 1, NULL), 0);
	apply_graph_release(&g);
	ynode_free(s);
}

static void test_apply_order__chain_levels(void **state)
{
	struct apply_graph g = {0};
	struct ynode *s = services_of(
	    "web:\n"
	    "  depends_on:\n"
	    "    api: {condition: service_healthy, required: true}\n"
	    "api:\n"
	    "  depends_on:\n"
	    "    db: {condition: service_started, required: true}\n"
	    "db: {image: postgres}\n");

	(void)state;
	assert_int_equal(apply_graph_build(&g, s), 0);
	assert_int_equal(level_of(&g, "db"), 0);
	assert_int_equal(level_of(&g, "api"), 1);
	assert_int_equal(level_of(&g, "web"), 2);
	assert_int_equal(g.nlevels, 3);
	apply_graph_release(&g);
	ynode_free(s);
}

/* web needs api and cache; api needs db; cache needs nothing. The level is
 * the longest path, so web waits for api (level 1), not just cache. */
static void test_apply_order__diamond_takes_longest_path(void **state)
{
	struct apply_graph g = {0};
	struct ynode *s = services_of(
	    "web:\n"
	    "  depends_on:\n"
	    "    api: {condition: service_started, required: true}\n"
	    "    cache: {condition: service_started, required: true}\n"
	    "api:\n"
	    "  depends_on:\n"
	    "    db: {condition: service_started, required: true}\n"
	    "db: {}\n"
	    "cache: {}\n"
	    "worker:\n"
	    "  depends_on:\n"
	    "    db: {condition: service_started, required: true}\n");
	size_t group[5];
	size_t n;

	(void)state;
	assert_int_equal(apply_graph_build(&g, s), 0);
	assert_int_equal(level_of(&g, "db"), 0);
	assert_int_equal(level_of(&g, "cache"), 0);
	assert_int_equal(level_of(&g, "api"), 1);
	assert_int_equal(level_of(&g, "worker"), 1);
	assert_int_equal(level_of(&g, "web"), 2);

	/* Parallel groups: level 0 = {db, cache}, level 1 = {api, worker}. */
	n = apply_graph_level(group, &g, 0, NULL);
	assert_int_equal(n, 2);
	assert_string_equal(g.nodes[group[0]].name, "db");
	assert_string_equal(g.nodes[group[1]].name, "cache");
	n = apply_graph_level(group, &g, 1, NULL);
	assert_int_equal(n, 2);
	assert_string_equal(g.nodes[group[0]].name, "api");
	assert_string_equal(g.nodes[group[1]].name, "worker");
	n = apply_graph_level(group, &g, 2, NULL);
	assert_int_equal(n, 1);
	assert_string_equal(g.nodes[group[0]].name, "web");
	apply_graph_release(&g);
	ynode_free(s);
}

static void test_apply_order__group_keeps_only_selected(void **state)
{
	struct apply_graph g = {0};
	struct ynode *s = services_of("a: {}\nb: {}\nc: {}\n");
	bool selected[3] = {false, true, false};
	size_t group[3];

	(void)state;
	assert_int_equal(apply_graph_build(&g, s), 0);
	assert_int_equal(apply_graph_level(group, &g, 0, selected), 1);
	assert_string_equal(g.nodes[group[0]].name, "b");
	apply_graph_release(&g);
	ynode_free(s);
}

static void test_apply_order__conditions(void **state)
{
	struct apply_graph g = {0};
	struct ynode *s = services_of(
	    "app:\n"
	    "  depends_on:\n"
	    "    db: {condition: service_healthy, required: true}\n"
	    "    migrate: {condition: service_completed_successfully, "
	    "required: true}\n"
	    "    cache: {condition: service_started, required: false}\n"
	    "    legacy: null\n"
	    "db: {}\n"
	    "migrate: {}\n"
	    "cache: {}\n"
	    "legacy: {}\n");
	const struct apply_dep *d;

	(void)state;
	assert_int_equal(apply_graph_build(&g, s), 0);
	d = dep_of(&g, "app", "db");
	assert_int_equal(d->condition, APPLY_COND_HEALTHY);
	assert_true(d->required);
	d = dep_of(&g, "app", "migrate");
	assert_int_equal(d->condition, APPLY_COND_COMPLETED);
	d = dep_of(&g, "app", "cache");
	assert_int_equal(d->condition, APPLY_COND_STARTED);
	assert_false(d->required);
	/* A bare entry means what a list item means: started, required. */
	d = dep_of(&g, "app", "legacy");
	assert_int_equal(d->condition, APPLY_COND_STARTED);
	assert_true(d->required);
	assert_int_equal(level_of(&g, "app"), 1);
	apply_graph_release(&g);
	ynode_free(s);
}

static void test_apply_order__condition_names_round_trip(void **state)
{
	enum apply_condition c = APPLY_COND_STARTED;
	const char *names[] = {"service_started", "service_healthy",
			       "service_completed_successfully"};

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(apply_condition_parse(&c, names[i]), 0);
		assert_string_equal(apply_condition_name(c), names[i]);
	}
	assert_int_equal(apply_condition_parse(&c, "service_ready"),
			 MOOR_EINVAL);
	assert_err_contains("unknown depends_on condition 'service_ready'");
}

static void test_apply_order__unknown_condition_is_an_error(void **state)
{
	struct apply_graph g = {0};
	struct ynode *s =
	    services_of("app:\n"
			"  depends_on:\n"
			"    db: {condition: whenever, required: true}\n"
			"db: {}\n");

	(void)state;
	assert_int_equal(apply_graph_build(&g, s), MOOR_EINVAL);
	assert_err_contains("compose.yaml:3:21: unknown depends_on condition "
			    "'whenever' in service 'app'");
	assert_null(g.nodes);
	ynode_free(s);
}

static void test_apply_order__unknown_dependency_is_ignored(void **state)
{
	struct apply_graph g = {0};
	struct ynode *s = services_of(
	    "app:\n"
	    "  depends_on:\n"
	    "    disabled: {condition: service_started, required: false}\n");

	(void)state;
	assert_int_equal(apply_graph_build(&g, s), 0);
	assert_int_equal(g.nodes[0].ndeps, 0);
	assert_int_equal(level_of(&g, "app"), 0);
	apply_graph_release(&g);
	ynode_free(s);
}

static void test_apply_order__cycle_is_an_error(void **state)
{
	struct apply_graph g = {0};
	struct ynode *s =
	    services_of("a:\n"
			"  depends_on:\n"
			"    b: {condition: service_started, required: true}\n"
			"b:\n"
			"  depends_on:\n"
			"    c: {condition: service_started, required: true}\n"
			"c:\n"
			"  depends_on:\n"
			"    a: {condition: service_started, required: true}\n"
			"d: {}\n");
	struct ynode *self = services_of(
	    "a:\n"
	    "  depends_on:\n"
	    "    a: {condition: service_started, required: true}\n");

	(void)state;
	assert_int_equal(apply_graph_build(&g, s), MOOR_EINVAL);
	assert_err_contains("dependency cycle through service 'a'");
	assert_int_equal(apply_graph_build(&g, self), MOOR_EINVAL);
	assert_err_contains("service 'a' depends on itself");
	ynode_free(s);
	ynode_free(self);
}

/* A long chain is levelled without recursion. */
static void test_apply_order__long_chain(void **state)
{
	struct apply_graph g = {0};
	struct ynode *s = ynode_new_map(NULL);
	char name[32], prev[32];

	(void)state;
	for (int i = 0; i < 2000; i++) {
		struct ynode *svc = ynode_new_map(NULL);

		snprintf(name, sizeof(name), "s%d", i);
		if (i > 0) {
			struct ynode *deps = ynode_new_map(NULL);

			ynode_map_put(deps, prev, NULL, ynode_new_null(NULL));
			ynode_map_put(svc, "depends_on", NULL, deps);
		}
		ynode_map_put(s, name, NULL, svc);
		snprintf(prev, sizeof(prev), "%s", name);
	}
	assert_int_equal(apply_graph_build(&g, s), 0);
	assert_int_equal(g.nlevels, 2000);
	assert_int_equal(level_of(&g, "s1999"), 1999);
	apply_graph_release(&g);
	ynode_free(s);
}

static void test_apply_order__workers_are_bounded(void **state)
{
	(void)state;
	assert_int_equal(apply_workers(0, 0), 0);
	assert_int_equal(apply_workers(3, 0), 3);
	assert_int_equal(apply_workers(50, 0), APPLY_DEFAULT_PARALLEL);
	assert_int_equal(apply_workers(50, 2), 2);
	assert_int_equal(apply_workers(1, 16), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_apply_order__empty),
	    cmocka_unit_test(
		test_apply_order__independent_services_share_level_zero),
	    cmocka_unit_test(test_apply_order__chain_levels),
	    cmocka_unit_test(test_apply_order__diamond_takes_longest_path),
	    cmocka_unit_test(test_apply_order__group_keeps_only_selected),
	    cmocka_unit_test(test_apply_order__conditions),
	    cmocka_unit_test(test_apply_order__condition_names_round_trip),
	    cmocka_unit_test(test_apply_order__unknown_condition_is_an_error),
	    cmocka_unit_test(test_apply_order__unknown_dependency_is_ignored),
	    cmocka_unit_test(test_apply_order__cycle_is_an_error),
	    cmocka_unit_test(test_apply_order__long_chain),
	    cmocka_unit_test(test_apply_order__workers_are_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
