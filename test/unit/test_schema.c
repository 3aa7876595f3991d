/*
 * Unit tests for schema.c: every class of error, with its exact position
 * and message, and the type conversions of schema_coerce (through
 * normalize_project).
 */
#include "unit.h"

#include "normalize.h"
#include "ynode.h"

static struct ynode *load(const char *yaml)
{
	struct ynode *root = NULL;

	if (ynode_load_buffer(&root, yaml, strlen(yaml), "compose.yaml", NULL) <
	    0)
		fail_msg("load: %s", err_last());
	return root;
}

/* schema_check must fail with exactly `want`. */
static void assert_schema_error(const char *yaml, const char *want)
{
	struct ynode *root = load(yaml);
	int rc = schema_check(root);

	if (rc != MOOR_EINVAL)
		fail_msg("schema_check returned %d for:\n%s", rc, yaml);
	if (strcmp(err_last(), want) != 0)
		fail_msg("error '%s', want '%s'", err_last(), want);
	ynode_free(root);
}

static void assert_schema_ok(const char *yaml)
{
	struct ynode *root = load(yaml);

	if (schema_check(root) < 0)
		fail_msg("schema_check: %s", err_last());
	ynode_free(root);
}

static void test_schema__unknown_service_key(void **state)
{
	(void)state;
	assert_schema_error("services:\n"
			    "  api:\n"
			    "    image: nginx\n"
			    "    mem_limitt: 1g\n",
			    "compose.yaml:4:5: unknown key 'mem_limitt' in "
			    "service 'api'");
}

static void test_schema__unknown_top_level_key(void **state)
{
	(void)state;
	assert_schema_error("servicess: {}\n",
			    "compose.yaml:1:1: unknown top-level key "
			    "'servicess'");
}

static void test_schema__unknown_nested_key(void **state)
{
	(void)state;
	assert_schema_error("services:\n"
			    "  api:\n"
			    "    deploy:\n"
			    "      resources:\n"
			    "        limits:\n"
			    "          memoryy: 1g\n",
			    "compose.yaml:6:11: unknown key 'memoryy' in "
			    "'deploy.resources.limits' of service 'api'");
	assert_schema_error("networks:\n"
			    "  front:\n"
			    "    drivr: bridge\n",
			    "compose.yaml:3:5: unknown key 'drivr' in network "
			    "'front'");
	assert_schema_error("services:\n"
			    "  api:\n"
			    "    volumes:\n"
			    "      - type: bind\n"
			    "        source: .\n"
			    "        target: /x\n"
			    "        bind: {propagaton: shared}\n",
			    "compose.yaml:7:16: unknown key 'propagaton' in "
			    "'volumes[0].bind' of service 'api'");
}

static void test_schema__wrong_type(void **state)
{
	(void)state;
	assert_schema_error("services:\n"
			    "  api:\n"
			    "    ports:\n"
			    "      web: 80\n",
			    "compose.yaml:4:7: 'ports' must be a list, not a "
			    "mapping");
	assert_schema_error("services:\n"
			    "  api:\n"
			    "    image: [nginx]\n",
			    "compose.yaml:3:12: 'image' must be a string, not "
			    "a list");
	assert_schema_error("services:\n"
			    "  api:\n"
			    "    volumes:\n"
			    "      - [a, b]\n",
			    "compose.yaml:4:9: 'volumes[0]' must be a string "
			    "or a mapping, not a list");
	assert_schema_error("services:\n"
			    "  api:\n"
			    "    environment:\n"
			    "      A: [1]\n",
			    "compose.yaml:4:10: 'environment.A' must be a "
			    "scalar, not a list");
	assert_schema_error("services:\n"
			    "  api: [nginx]\n",
			    "compose.yaml:2:8: service 'api' must be a "
			    "mapping, not a list");
	assert_schema_error("services:\n"
			    "  api:\n"
			    "    cap_add: [null]\n",
			    "compose.yaml:3:15: 'cap_add[0]' must be a "
			    "string, not null");
}

static void test_schema__bad_values(void **state)
{
	(void)state;
	assert_schema_error("services:\n"
			    "  api:\n"
			    "    restart: sometimes\n",
			    "compose.yaml:3:14: invalid value 'sometimes' for "
			    "'restart' (expected no, always, on-failure[:N], "
			    "unless-stopped)");
	assert_schema_error("services:\n"
			    "  api:\n"
			    "    mem_limit: 12q\n",
			    "compose.yaml:3:16: invalid byte size '12q' for "
			    "'mem_limit'");
	assert_schema_error("services:\n"
			    "  api:\n"
			    "    healthcheck:\n"
			    "      interval: 10\n",
			    "compose.yaml:4:17: 'healthcheck.interval' must be "
			    "a duration, not a number");
	assert_schema_error("services:\n"
			    "  api:\n"
			    "    stop_grace_period: 10x\n",
			    "compose.yaml:3:24: invalid duration '10x' for "
			    "'stop_grace_period'");
	assert_schema_error("services:\n"
			    "  api:\n"
			    "    privileged: maybe\n",
			    "compose.yaml:3:17: invalid value 'maybe' for "
			    "'privileged' (expected true or false)");
	assert_schema_error("services:\n"
			    "  api:\n"
			    "    cpu_shares: lots\n",
			    "compose.yaml:3:17: invalid value 'lots' for "
			    "'cpu_shares' (expected an integer)");
	assert_schema_error("services:\n"
			    "  api:\n"
			    "    depends_on:\n"
			    "      db: {condition: service_up}\n",
			    "compose.yaml:4:23: invalid value 'service_up' for "
			    "'depends_on.db.condition' (expected "
			    "service_started, service_healthy, "
			    "service_completed_successfully)");
	assert_schema_error("services:\n"
			    "  api:\n"
			    "    volumes:\n"
			    "      - type: disk\n"
			    "        target: /x\n",
			    "compose.yaml:4:15: invalid value 'disk' for "
			    "'volumes[0].type' (expected bind, volume, tmpfs, "
			    "cluster, npipe, image)");
}

static void test_schema__missing_required(void **state)
{
	(void)state;
	assert_schema_error("services:\n"
			    "  api:\n"
			    "    volumes:\n"
			    "      - source: x\n"
			    "        target: /x\n",
			    "compose.yaml:4:9: 'volumes[0]' is missing 'type'");
	assert_schema_error("services:\n"
			    "  api:\n"
			    "    ulimits:\n"
			    "      nofile: {soft: 1}\n",
			    "compose.yaml:4:15: 'ulimits.nofile' is missing "
			    "'hard'");
}

static void test_schema__names_and_unsupported(void **state)
{
	(void)state;
	assert_schema_error("services:\n"
			    "  'a b':\n"
			    "    image: x\n",
			    "compose.yaml:2:3: invalid service name 'a b'");
	assert_schema_error("include:\n"
			    "  - other.yaml\n",
			    "compose.yaml:1:1: 'include' is not supported yet");
	assert_schema_error("- a\n",
			    "compose.yaml:1:1: a compose file must be a "
			    "mapping, not a list");
}

static void test_schema__version_warns(void **state)
{
	struct unit_warnings w;

	(void)state;
	unit_capture_warnings(&w);
	assert_schema_ok("version: '3.8'\nservices: {}\n");
	unit_release_warnings();
	assert_int_equal(w.count, 1);
	assert_non_null(strstr(w.text, "compose.yaml:1:1: 'version' is "
				       "obsolete"));
}

static void test_schema__extensions_allowed(void **state)
{
	(void)state;
	assert_schema_ok("x-common: &c {image: nginx}\n"
			 "services:\n"
			 "  api:\n"
			 "    x-team: web\n"
			 "    image: nginx\n"
			 "    deploy:\n"
			 "      x-note: 1\n"
			 "      resources: {x-a: 1}\n"
			 "    healthcheck: {x-b: 2}\n"
			 "networks:\n"
			 "  n: {x-c: 3}\n");
	/* Not in free-key mappings that are not spec objects: there an
	 * x- key is just a key (a label, a variable). */
	assert_schema_ok("services:\n"
			 "  api:\n"
			 "    labels: {x-label: a}\n"
			 "    environment: {x-var: b}\n");
}

static void test_schema__strings_accepted_for_numbers_and_bools(void **state)
{
	(void)state;
	/* What interpolation produces. */
	assert_schema_ok("services:\n"
			 "  api:\n"
			 "    cpus: '1.5'\n"
			 "    cpu_shares: '512'\n"
			 "    privileged: 'true'\n"
			 "    read_only: 'False'\n"
			 "    mem_limit: '512m'\n"
			 "    scale: '2'\n"
			 "    restart: on-failure:3\n"
			 "    pull_policy: every_12h\n");
}

static void test_schema__all_service_keys(void **state)
{
	(void)state;
	/* Keys mooring will not deploy are accepted all the same. */
	assert_schema_ok(
	    "services:\n"
	    "  api:\n"
	    "    image: nginx\n"
	    "    build: {context: ., dockerfile: Dockerfile, args: [A=1],\n"
	    "            secrets: [s], ulimits: {nofile: 1},\n"
	    "            extra_hosts: {h: 1.2.3.4}}\n"
	    "    deploy:\n"
	    "      mode: replicated\n"
	    "      replicas: 2\n"
	    "      placement: {constraints: [a], max_replicas_per_node: 1,\n"
	    "                  preferences: [{spread: b}]}\n"
	    "      resources:\n"
	    "        reservations:\n"
	    "          devices: [{capabilities: [gpu], count: all}]\n"
	    "          generic_resources:\n"
	    "            - discrete_resource_spec: {kind: gpu, value: 2}\n"
	    "      restart_policy: {condition: any, delay: 5s}\n"
	    "      update_config: {parallelism: 2, order: start-first}\n"
	    "    blkio_config:\n"
	    "      weight: 300\n"
	    "      device_read_bps: [{path: /dev/sda, rate: 12mb}]\n"
	    "      device_write_iops: [{path: /dev/sda, rate: 30}]\n"
	    "      weight_device: [{path: /dev/sda, weight: 400}]\n"
	    "    develop: {watch: [{path: ., action: sync}]}\n"
	    "    gpus: all\n"
	    "    logging: {driver: json-file, options: {max-size: 10m}}\n"
	    "    credential_spec: {file: x}\n"
	    "    post_start: [{command: [a]}]\n"
	    "    cgroup: host\n"
	    "    dns: 8.8.8.8\n"
	    "    tmpfs: /run\n"
	    "    label_file: a.label\n"
	    "    env_file: [{path: a.env, required: false, format: raw}]\n"
	    "    networks: {front: {aliases: [a], priority: 1}, back: null}\n"
	    "    extends: {service: base}\n"
	    "    oom_score_adj: -500\n"
	    "    use_api_socket: true\n"
	    "    storage_opt: {size: 20G}\n"
	    "    provider: {type: x}\n"
	    "    models: [m]\n"
	    "    attach: false\n"
	    "networks:\n"
	    "  front:\n"
	    "    ipam: {config: [{subnet: 10.0.0.0/24}]}\n"
	    "    external: {name: x}\n"
	    "volumes:\n"
	    "  data: {driver_opts: {a: 1}}\n"
	    "secrets:\n"
	    "  s: {file: ./s}\n"
	    "configs:\n"
	    "  c: {content: x}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_schema__unknown_service_key),
	    cmocka_unit_test(test_schema__unknown_top_level_key),
	    cmocka_unit_test(test_schema__unknown_nested_key),
	    cmocka_unit_test(test_schema__wrong_type),
	    cmocka_unit_test(test_schema__bad_values),
	    cmocka_unit_test(test_schema__missing_required),
	    cmocka_unit_test(test_schema__names_and_unsupported),
	    cmocka_unit_test(test_schema__version_warns),
	    cmocka_unit_test(test_schema__extensions_allowed),
	    cmocka_unit_test(
		test_schema__strings_accepted_for_numbers_and_bools),
	    cmocka_unit_test(test_schema__all_service_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
