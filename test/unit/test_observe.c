/*
 * Unit tests for observe.c/observe_host.c: container_observe() of REAL
 * `docker inspect` output (test/resources/inspect, made by
 * test/tools/capture-inspect.py from the *.compose.yaml there) gives back
 * the desired service exactly - no false positives - and a changed
 * container gives exactly the changed path.
 */
#include "unit.h"

#include <jansson.h>

#include "container.h"
#include "diff.h"
#include "strmap.h"
#include "xalloc.h"
#include "ynode.h"

struct fixture {
	json_t *root;
	json_t *inspect; /* borrowed from root */
	const json_t *image;
	struct ynode *model;
	const struct ynode *desired;
	struct strmap ids;
	struct container_ctx ctx;
};

static json_t *load_json(const char *case_name, const char *service)
{
	char path[512];
	json_error_t jerr;

	snprintf(path, sizeof(path), "%s/inspect/%s.%s.json", TEST_RESOURCES,
		 case_name, service);
	return json_load_file(path, 0, &jerr);
}

static void fixture_load(struct fixture *f, const char *case_name,
			 const char *service)
{
	const struct ynode *services;
	char *text;
	size_t i;

	memset(f, 0, sizeof(*f));
	f->root = load_json(case_name, service);
	assert_non_null(f->root);
	f->inspect = json_object_get(f->root, "inspect");
	f->image = json_object_get(f->root, "image");
	text = json_dumps(json_object_get(f->root, "model"), JSON_COMPACT);
	assert_int_equal(ynode_load_buffer(&f->model, text, strlen(text),
					   "model.json", NULL),
			 0);
	free(text);
	services = ynode_map_get(f->model, "services");
	f->desired = ynode_map_get(services, service);
	assert_non_null(f->desired);
	/* The ids of the case's other containers (network_mode service:). */
	strmap_init(&f->ids);
	for (i = 0; i < services->u.map.n; i++) {
		json_t *other =
		    load_json(case_name, services->u.map.items[i].key);

		if (!other)
			continue;
		strmap_set(&f->ids, services->u.map.items[i].key,
			   json_string_value(json_object_get(
			       json_object_get(other, "inspect"), "Id")),
			   NULL);
		json_decref(other);
	}
	f->ctx.project = json_string_value(json_object_get(f->root, "project"));
	f->ctx.unit = f->ctx.project;
	f->ctx.service = service;
	f->ctx.number = 1;
	f->ctx.model = f->model;
	f->ctx.service_ids = &f->ids;
}

static void fixture_release(struct fixture *f)
{
	json_decref(f->root);
	ynode_free(f->model);
	strmap_release(&f->ids);
}

static struct ynode *observe(struct fixture *f)
{
	struct ynode *actual = NULL;

	if (container_observe(&actual, f->inspect, f->image, f->desired,
			      &f->ctx))
		fail_msg("observe: %s", err_last());
	return actual;
}

/* The diff of desired vs actual, as "path path ..." (empty: in sync). */
static char *diff_paths(const struct fixture *f, const struct ynode *actual)
{
	struct changes c;
	char *s = xstrdup(""), *t;
	size_t i;

	changes_init(&c);
	assert_int_equal(
	    diff_service(&c, f->ctx.service, f->desired, NULL, actual, false),
	    0);
	for (i = 0; i < c.n; i++) {
		t = xasprintf("%s%s%s", s, *s ? " " : "", c.items[i].path);
		free(s);
		s = t;
	}
	changes_release(&c);
	return s;
}

/* Observed equals desired key by key, and diff finds nothing. */
static void assert_round_trip(const char *case_name, const char *service)
{
	struct fixture f;
	struct ynode *actual;
	const struct ynode *d = NULL, *a;
	char *paths;
	size_t i;
	int bad = 0;

	fixture_load(&f, case_name, service);
	actual = observe(&f);
	for (i = 0; i < f.desired->u.map.n + actual->u.map.n; i++) {
		const char *key =
		    i < f.desired->u.map.n
			? f.desired->u.map.items[i].key
			: actual->u.map.items[i - f.desired->u.map.n].key;

		d = ynode_map_get(f.desired, key);
		a = ynode_map_get(actual, key);
		if (!d || !a || !ynode_equal(d, a)) {
			print_message("%s.%s: key '%s' differs (%s)\n",
				      case_name, service, key,
				      !d   ? "not desired"
				      : !a ? "not observed"
					   : "values");
			bad++;
		}
	}
	paths = diff_paths(&f, actual);
	if (*paths)
		print_message("%s.%s: diff: %s\n", case_name, service, paths);
	assert_string_equal(paths, "");
	assert_int_equal(bad, 0);
	free(paths);
	ynode_free(actual);
	fixture_release(&f);
}

static void test_observe__full_round_trip(void **state)
{
	assert_round_trip("full", "full");
	assert_round_trip("full", "other");
}

static void test_observe__minimal_round_trip(void **state)
{
	assert_round_trip("minimal", "app");
}

static void test_observe__image_defaults_are_not_drift(void **state)
{
	assert_round_trip("image", "plain");
	assert_round_trip("image", "override");
}

static void test_observe__modes_round_trip(void **state)
{
	assert_round_trip("modes", "base");
	assert_round_trip("modes", "sidecar");
	assert_round_trip("modes", "hostnet");
	assert_round_trip("modes", "pidhost");
}

/* Change the fixture's inspect with edit(), observe, and expect exactly
 * the given diff paths. */
static void assert_drift(const char *case_name, const char *service,
			 void (*edit)(json_t *inspect), const char *expected)
{
	struct fixture f;
	struct ynode *actual;
	char *paths;

	fixture_load(&f, case_name, service);
	edit(f.inspect);
	actual = observe(&f);
	paths = diff_paths(&f, actual);
	assert_string_equal(paths, expected);
	free(paths);
	ynode_free(actual);
	fixture_release(&f);
}

static json_t *host(json_t *inspect)
{
	return json_object_get(inspect, "HostConfig");
}

static json_t *config(json_t *inspect)
{
	return json_object_get(inspect, "Config");
}

static void edit_memory(json_t *i)
{
	/* docker update --memory 2g --memory-swap 4g */
	json_object_set_new(host(i), "Memory", json_integer(2147483648LL));
	json_object_set_new(host(i), "MemorySwap", json_integer(4294967296LL));
}

static void test_observe__memory_changed(void **state)
{
	/* full sets memswap_limit itself: the new swap is drift too. */
	assert_drift("full", "full", edit_memory,
		     "/services/full/mem_limit /services/full/memswap_limit");
	assert_drift("modes", "base", edit_memory, "/services/base/mem_limit");
}

static void edit_env(json_t *i)
{
	json_t *env = json_object_get(config(i), "Env");

	json_array_set_new(env, 0, json_string("A=changed"));
	json_array_append_new(env, json_string("EXTRA=1"));
}

static void test_observe__env_changed(void **state)
{
	assert_drift("full", "full", edit_env,
		     "/services/full/environment/A "
		     "/services/full/environment/EXTRA");
}

static void edit_image_env(json_t *i)
{
	json_t *env = json_object_get(config(i), "Env");
	size_t k;

	/* The image's IMG_VAR with another value is drift after all. */
	for (k = 0; k < json_array_size(env); k++)
		if (!strncmp(json_string_value(json_array_get(env, k)),
			     "IMG_VAR=", 8))
			json_array_set_new(env, k, json_string("IMG_VAR=hand"));
}

static void test_observe__image_env_overridden(void **state)
{
	assert_drift("image", "plain", edit_image_env,
		     "/services/plain/environment/IMG_VAR");
}

static void edit_cap_add(json_t *i)
{
	json_array_append_new(json_object_get(host(i), "CapAdd"),
			      json_string("SYS_ADMIN"));
}

static void edit_cap_add_new(json_t *i)
{
	json_object_set_new(host(i), "CapAdd", json_pack("[s]", "NET_ADMIN"));
}

static void test_observe__cap_add_added(void **state)
{
	assert_drift("full", "full", edit_cap_add, "/services/full/cap_add");
	assert_drift("minimal", "app", edit_cap_add_new,
		     "/services/app/cap_add");
}

static void edit_privileged(json_t *i)
{
	json_object_set_new(host(i), "Privileged", json_true());
	json_object_set_new(host(i), "SecurityOpt",
			    json_pack("[s]", "label=disable"));
}

static void test_observe__privileged(void **state)
{
	assert_drift("minimal", "app", edit_privileged,
		     "/services/app/privileged");
}

static void edit_port(json_t *i)
{
	json_t *b = json_object_get(json_object_get(host(i), "PortBindings"),
				    "8080/tcp");

	json_object_set_new(json_array_get(b, 0), "HostPort",
			    json_string("18099"));
}

static void edit_port_v6_twin(json_t *i)
{
	json_t *b = json_object_get(json_object_get(host(i), "PortBindings"),
				    "8080/tcp");

	/* A second identical binding is the same port, not a new one. */
	json_array_append_new(b, json_deep_copy(json_array_get(b, 0)));
}

static void test_observe__port_changed(void **state)
{
	assert_drift("full", "full", edit_port, "/services/full/ports");
	assert_drift("full", "full", edit_port_v6_twin, "");
}

static void edit_user(json_t *i)
{
	json_object_set_new(config(i), "User", json_string("0"));
}

static void test_observe__user_changed(void **state)
{
	assert_drift("full", "full", edit_user, "/services/full/user");
	assert_drift("minimal", "app", edit_user, "/services/app/user");
	/* The image's USER is 1234: root is drift there too. */
	assert_drift("image", "plain", edit_user, "/services/plain/user");
}

static void edit_restart(json_t *i)
{
	json_object_set_new(
	    host(i), "RestartPolicy",
	    json_pack("{s:s,s:i}", "Name", "always", "MaximumRetryCount", 0));
}

static void test_observe__restart_changed(void **state)
{
	assert_drift("minimal", "app", edit_restart, "/services/app/restart");
	assert_drift("full", "full", edit_restart, "/services/full/restart");
}

static void edit_network_disconnect(json_t *i)
{
	json_object_del(
	    json_object_get(json_object_get(i, "NetworkSettings"), "Networks"),
	    "mtest-container-full_front");
}

static void test_observe__network_disconnected(void **state)
{
	assert_drift("full", "full", edit_network_disconnect,
		     "/services/full/networks/front/aliases");
}

static void edit_cpus_pids(json_t *i)
{
	json_object_set_new(host(i), "NanoCpus", json_integer(1500000000));
	json_object_set_new(host(i), "PidsLimit", json_integer(200));
}

static void test_observe__capacity_changed(void **state)
{
	assert_drift("full", "full", edit_cpus_pids,
		     "/services/full/cpus /services/full/pids_limit");
}

static void edit_label(json_t *i)
{
	json_object_set_new(json_object_get(config(i), "Labels"),
			    "com.example.team", json_string("ops"));
	/* Our own labels changing is not a label of the service. */
	json_object_set_new(json_object_get(config(i), "Labels"),
			    "io.mooring.commit", json_string("abc"));
}

static void test_observe__label_changed(void **state)
{
	assert_drift("full", "full", edit_label,
		     "/services/full/labels/com.example.team");
}

static void edit_healthcheck(json_t *i)
{
	json_object_set_new(json_object_get(config(i), "Healthcheck"),
			    "Interval", json_integer(60000000000LL));
}

static void test_observe__healthcheck_changed(void **state)
{
	assert_drift("full", "full", edit_healthcheck,
		     "/services/full/healthcheck/interval");
}

static void edit_image(json_t *i)
{
	json_object_set_new(config(i), "Image",
			    json_string("mooring-example/busybox:2"));
}

static void test_observe__image_changed(void **state)
{
	assert_drift("minimal", "app", edit_image, "/services/app/image");
}

static void test_observe__no_config_is_an_error(void **state)
{
	struct fixture f;
	struct ynode *actual = NULL;

	fixture_load(&f, "minimal", "app");
	json_object_del(f.inspect, "Config");
	assert_int_equal(
	    container_observe(&actual, f.inspect, f.image, f.desired, &f.ctx),
	    MOOR_EINVAL);
	assert_null(actual);
	assert_err_contains("has no Config");
	fixture_release(&f);
}

/* An orphan or unmanaged container: nothing desired, no model. */
static void test_observe__without_desired(void **state)
{
	struct fixture f;
	struct ynode *actual = NULL;

	fixture_load(&f, "full", "full");
	f.ctx.model = NULL;
	f.ctx.service = NULL;
	f.ctx.service_ids = NULL;
	assert_int_equal(
	    container_observe(&actual, f.inspect, f.image, NULL, &f.ctx), 0);
	assert_string_equal(ynode_map_get(actual, "image")->text,
			    "mooring-example/busybox:1");
	assert_non_null(ynode_map_get(ynode_map_get(actual, "networks"),
				      "mtest-container-full_front"));
	assert_non_null(ynode_map_get(actual, "depends_on"));
	ynode_free(actual);
	fixture_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_observe__full_round_trip),
	    cmocka_unit_test(test_observe__minimal_round_trip),
	    cmocka_unit_test(test_observe__image_defaults_are_not_drift),
	    cmocka_unit_test(test_observe__modes_round_trip),
	    cmocka_unit_test(test_observe__memory_changed),
	    cmocka_unit_test(test_observe__env_changed),
	    cmocka_unit_test(test_observe__image_env_overridden),
	    cmocka_unit_test(test_observe__cap_add_added),
	    cmocka_unit_test(test_observe__privileged),
	    cmocka_unit_test(test_observe__port_changed),
	    cmocka_unit_test(test_observe__user_changed),
	    cmocka_unit_test(test_observe__restart_changed),
	    cmocka_unit_test(test_observe__network_disconnected),
	    cmocka_unit_test(test_observe__capacity_changed),
	    cmocka_unit_test(test_observe__label_changed),
	    cmocka_unit_test(test_observe__healthcheck_changed),
	    cmocka_unit_test(test_observe__image_changed),
	    cmocka_unit_test(test_observe__no_config_is_an_error),
	    cmocka_unit_test(test_observe__without_desired),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
