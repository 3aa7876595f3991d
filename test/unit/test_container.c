/*
 * Unit tests for container.c: the create bodies of representative
 * services (the models of test/resources/inspect, and small ones written
 * here), and the clear refusal of keys mooring does not deploy yet.
 */
#include "unit.h"

#include <jansson.h>

#include "container.h"
#include "xalloc.h"
#include "ynode.h"

struct built {
	struct ynode *model;
	json_t *root; /* the fixture, which owns ctx.project */
	json_t *body, *extra;
	struct container_ctx ctx;
};

static void ctx_init(struct built *b, const char *project, const char *svc)
{
	memset(&b->ctx, 0, sizeof(b->ctx));
	b->ctx.project = project;
	b->ctx.unit = "unit1";
	b->ctx.service = svc;
	b->ctx.spec_hash = "abc123";
	b->ctx.working_dir = "/srv/p";
	b->ctx.config_files = "/srv/p/compose.yaml";
	b->ctx.number = 1;
	b->ctx.model = b->model;
}

static const struct ynode *service_of(const struct built *b, const char *s)
{
	return ynode_map_get(ynode_map_get(b->model, "services"), s);
}

/* The model of an inspect fixture (as rendered by mooring). */
static void build_fixture(struct built *b, const char *case_name,
			  const char *svc)
{
	char path[512], *text;
	json_error_t jerr;
	json_t *root;

	memset(b, 0, sizeof(*b));
	snprintf(path, sizeof(path), "%s/inspect/%s.%s.json", TEST_RESOURCES,
		 case_name, svc);
	root = json_load_file(path, 0, &jerr);
	assert_non_null(root);
	text = json_dumps(json_object_get(root, "model"), JSON_COMPACT);
	assert_int_equal(ynode_load_buffer(&b->model, text, strlen(text),
					   "model.json", NULL),
			 0);
	free(text);
	ctx_init(b, json_string_value(json_object_get(root, "project")), svc);
	b->root = root;
	if (container_create_body(&b->body, &b->extra, service_of(b, svc),
				  &b->ctx))
		fail_msg("create body: %s", err_last());
}

/* A canonical model written inline (YAML, so errors carry marks). */
static int build_text(struct built *b, const char *yaml, const char *svc)
{
	memset(b, 0, sizeof(*b));
	assert_int_equal(ynode_load_buffer(&b->model, yaml, strlen(yaml),
					   "compose.yaml", NULL),
			 0);
	ctx_init(b, "proj", svc);
	return container_create_body(&b->body, &b->extra, service_of(b, svc),
				     &b->ctx);
}

static void built_release(struct built *b)
{
	json_decref(b->body);
	json_decref(b->extra);
	json_decref(b->root);
	ynode_free(b->model);
}

/* A value by a path of object keys ("HostConfig/Memory"). */
static json_t *at(json_t *j, const char *path)
{
	char *copy = xstrdup(path), *part, *next;

	for (part = copy; j && part; part = next) {
		next = strchr(part, '/');
		if (next)
			*next++ = '\0';
		j = json_object_get(j, part);
	}
	free(copy);
	return j;
}

static void assert_json(json_t *j, const char *expected)
{
	char *s =
	    json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

	if (!s)
		fail_msg("no value (expected %s)", expected);
	assert_string_equal(s, expected);
	free(s);
}

static void test_container__name(void **state)
{
	struct built b;
	char *name;

	assert_int_equal(
	    build_text(&b,
		       "services:\n"
		       "  api: {image: x}\n"
		       "  db: {image: x, container_name: the-db}\n",
		       "api"),
	    0);
	name = container_name(&b.ctx);
	assert_string_equal(name, "proj-api-1");
	free(name);
	b.ctx.service = "db";
	name = container_name(&b.ctx);
	assert_string_equal(name, "the-db");
	free(name);
	built_release(&b);
}

static void test_container__config(void **state)
{
	struct built b;

	build_fixture(&b, "full", "full");
	assert_json(at(b.body, "Image"), "\"mooring-example/busybox:1\"");
	assert_json(at(b.body, "Cmd"), "[\"sleep\",\"3600\"]");
	/* Sorted, and the null UNSET passes through unset (omitted). */
	assert_json(at(b.body, "Env"),
		    "[\"A=1\",\"B=two words\",\"FROMFILE=x\"]");
	assert_json(at(b.body, "User"), "\"1000:1000\"");
	assert_json(at(b.body, "StopSignal"), "\"SIGINT\"");
	assert_json(at(b.body, "StopTimeout"), "20");
	assert_json(at(b.body, "Tty"), "true");
	assert_json(at(b.body, "OpenStdin"), "true");
	built_release(&b);
}

static void test_container__labels(void **state)
{
	struct built b;
	json_t *l;

	build_fixture(&b, "full", "full");
	l = at(b.body, "Labels");
	assert_json(json_object_get(l, "com.example.team"), "\"web\"");
	assert_json(json_object_get(l, LABEL_PROJECT),
		    "\"mtest-container-full\"");
	assert_json(json_object_get(l, LABEL_SERVICE), "\"full\"");
	assert_json(json_object_get(l, LABEL_NUMBER), "\"1\"");
	assert_json(json_object_get(l, LABEL_ONEOFF), "\"False\"");
	assert_json(json_object_get(l, LABEL_CONFIG_HASH), "\"abc123\"");
	assert_json(json_object_get(l, LABEL_SPEC_HASH), "\"abc123\"");
	assert_json(json_object_get(l, LABEL_UNIT), "\"unit1\"");
	assert_json(json_object_get(l, LABEL_WORKING_DIR), "\"/srv/p\"");
	assert_json(json_object_get(l, LABEL_CONFIG_FILES),
		    "\"/srv/p/compose.yaml\"");
	assert_json(json_object_get(l, LABEL_DEPENDS_ON),
		    "\"other:service_started:true\"");
	/* No commit (not from git): no commit label. */
	assert_null(json_object_get(l, LABEL_COMMIT));
	built_release(&b);
}

static void test_container__ports(void **state)
{
	struct built b;

	build_fixture(&b, "full", "full");
	assert_json(at(b.body, "ExposedPorts"),
		    "{\"8080/tcp\":{},\"8081/udp\":{},\"8082/tcp\":{},"
		    "\"8083/tcp\":{},\"9000/tcp\":{},\"9001/udp\":{}}");
	assert_json(
	    at(b.body, "HostConfig/PortBindings"),
	    "{\"8080/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"18081\"}],"
	    "\"8081/udp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":"
	    "\"18082\"}],"
	    "\"8082/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"\"}],"
	    "\"8083/tcp\":[{\"HostIp\":\"::1\",\"HostPort\":\"18083\"}]}");
	built_release(&b);
}

static void test_container__healthcheck_in_ns(void **state)
{
	struct built b;

	build_fixture(&b, "full", "full");
	assert_json(at(b.body, "Healthcheck"),
		    "{\"Interval\":10000000000,\"Retries\":3,"
		    "\"StartPeriod\":90000000000,\"Test\":[\"CMD\",\"true\"],"
		    "\"Timeout\":2000000000}");
	built_release(&b);
	build_fixture(&b, "modes", "hostnet");
	assert_json(at(b.body, "Healthcheck"), "{\"Test\":[\"NONE\"]}");
	/* 1500ms: the engine counts whole seconds. */
	assert_json(at(b.body, "StopTimeout"), "1");
	assert_json(at(b.body, "Entrypoint"), "[]");
	built_release(&b);
}

static void test_container__volumes(void **state)
{
	struct built b;

	build_fixture(&b, "full", "full");
	/* Binds for binds that may create their host path... */
	assert_json(at(b.body, "HostConfig/Binds"),
		    "[\"/tmp/mtest-container-data:/data:ro\"]");
	/* ...Mounts for the rest, named volumes by resource name. */
	assert_json(
	    at(b.body, "HostConfig/Mounts"),
	    "[{\"Source\":\"mtest-container-full_appvol\",\"Target\":"
	    "\"/var/lib/app\",\"Type\":\"volume\"},"
	    "{\"Target\":\"/scratch\",\"TmpfsOptions\":{\"Mode\":1777,"
	    "\"SizeBytes\":10485760},\"Type\":\"tmpfs\"},"
	    "{\"BindOptions\":{\"Propagation\":\"rprivate\"},\"Source\":"
	    "\"/tmp\",\"Target\":\"/hosttmp\",\"Type\":\"bind\"},"
	    "{\"Source\":\"mtest-container-full_appvol\",\"Target\":"
	    "\"/nocopy\",\"Type\":\"volume\",\"VolumeOptions\":{"
	    "\"NoCopy\":true}},"
	    "{\"Target\":\"/anon\",\"Type\":\"volume\"}]");
	assert_json(at(b.body, "HostConfig/Tmpfs"),
		    "{\"/run\":\"\",\"/tmp2\":\"size=1m\"}");
	built_release(&b);
}

static void test_container__networks_and_extra(void **state)
{
	struct built b;

	build_fixture(&b, "full", "full");
	assert_json(at(b.body, "HostConfig/NetworkMode"),
		    "\"mtest-container-full_back\"");
	assert_json(at(b.body, "NetworkingConfig"),
		    "{\"EndpointsConfig\":{\"mtest-container-full_back\":{"
		    "\"Aliases\":[\"full\"]}}}");
	assert_json(b.extra, "{\"mtest-container-full_front\":{\"Aliases\":"
			     "[\"full\",\"web\",\"www\"]}}");
	built_release(&b);
	build_fixture(&b, "modes", "sidecar");
	assert_json(at(b.body, "HostConfig/NetworkMode"),
		    "\"container:mtest-container-modes-base-1\"");
	assert_json(at(b.body, "HostConfig/IpcMode"),
		    "\"container:mtest-container-modes-base-1\"");
	assert_null(at(b.body, "NetworkingConfig"));
	assert_json(b.extra, "{}");
	built_release(&b);
}

static void test_container__resources_and_host(void **state)
{
	struct built b;
	json_t *h;

	build_fixture(&b, "full", "full");
	h = at(b.body, "HostConfig");
	assert_json(json_object_get(h, "Memory"), "67108864");
	assert_json(json_object_get(h, "MemoryReservation"), "33554432");
	assert_json(json_object_get(h, "MemorySwap"), "134217728");
	assert_json(json_object_get(h, "NanoCpus"), "500000000");
	assert_json(json_object_get(h, "CpuShares"), "512");
	assert_json(json_object_get(h, "PidsLimit"), "100");
	assert_json(json_object_get(h, "ShmSize"), "134217728");
	/* restart wins over deploy.restart_policy. */
	assert_json(json_object_get(h, "RestartPolicy"),
		    "{\"MaximumRetryCount\":3,\"Name\":\"on-failure\"}");
	assert_json(json_object_get(h, "ExtraHosts"),
		    "[\"cache:10.0.0.3\",\"db:10.0.0.2\",\"v6:::1\"]");
	assert_json(json_object_get(h, "Ulimits"),
		    "[{\"Hard\":2048,\"Name\":\"nofile\",\"Soft\":1024},"
		    "{\"Hard\":512,\"Name\":\"nproc\",\"Soft\":512}]");
	assert_json(json_object_get(h, "Devices"),
		    "[{\"CgroupPermissions\":\"rw\",\"PathInContainer\":"
		    "\"/dev/mynull\",\"PathOnHost\":\"/dev/null\"}]");
	assert_json(json_object_get(h, "LogConfig"),
		    "{\"Config\":{\"max-file\":\"3\",\"max-size\":\"10m\"},"
		    "\"Type\":\"json-file\"}");
	assert_json(json_object_get(h, "Init"), "true");
	assert_json(json_object_get(h, "ReadonlyRootfs"), "true");
	assert_json(json_object_get(h, "Sysctls"),
		    "{\"net.core.somaxconn\":\"1024\"}");
	built_release(&b);
	build_fixture(&b, "modes", "hostnet");
	assert_json(at(b.body, "HostConfig/RestartPolicy"),
		    "{\"MaximumRetryCount\":0,\"Name\":\"always\"}");
	assert_json(at(b.body, "HostConfig/Privileged"), "true");
	assert_json(at(b.body, "HostConfig/Init"), "false");
	built_release(&b);
}

static void test_container__commit_label(void **state)
{
	struct built b;

	memset(&b, 0, sizeof(b));
	assert_int_equal(
	    build_text(&b, "services:\n  api: {image: x}\n", "api"), 0);
	json_decref(b.body);
	json_decref(b.extra);
	b.ctx.commit = "0123abcd";
	assert_int_equal(container_create_body(&b.body, &b.extra,
					       service_of(&b, "api"), &b.ctx),
			 0);
	assert_json(at(b.body, "Labels/" LABEL_COMMIT), "\"0123abcd\"");
	assert_json(at(b.body, "Labels/" LABEL_DEPENDS_ON), "\"\"");
	built_release(&b);
}

static void assert_refused(const char *yaml, const char *message)
{
	struct built b;

	assert_int_equal(build_text(&b, yaml, "api"), MOOR_EINVAL);
	assert_null(b.body);
	assert_err_contains(message);
	built_release(&b);
}

static void test_container__unsupported_keys(void **state)
{
	assert_refused("services:\n  api:\n    image: x\n    links: [db]\n",
		       "compose.yaml:4:5: key 'links' is not supported by "
		       "mooring yet (service 'api')");
	assert_refused("services:\n  api:\n    image: x\n"
		       "    healthcheck: {test: [CMD, 'true'], "
		       "start_interval: 1s}\n",
		       "key 'healthcheck.start_interval' is not supported");
	assert_refused("services:\n  api:\n    image: x\n"
		       "    deploy: {replicas: 3}\n",
		       "key 'deploy.replicas' is not supported");
	assert_refused("services:\n  api:\n    image: x\n"
		       "    networks: {front: {priority: 3}}\n",
		       "key 'networks.front.priority' is not supported");
	assert_refused("services:\n  api:\n    image: x\n"
		       "    volumes: [{type: npipe, target: /x}]\n",
		       "key 'volumes[0].type' is not supported");
	assert_refused("services:\n  api:\n    image: x\n"
		       "    secrets: [{source: s}]\n",
		       "key 'secrets' is not supported");
	assert_refused("services:\n  api:\n    image: x\n"
		       "    labels: {com.docker.compose.project: other}\n",
		       "label 'com.docker.compose.project' is reserved");
	assert_refused("services:\n  api:\n    command: [x]\n",
		       "service 'api' has no image");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_container__name),
	    cmocka_unit_test(test_container__config),
	    cmocka_unit_test(test_container__labels),
	    cmocka_unit_test(test_container__ports),
	    cmocka_unit_test(test_container__healthcheck_in_ns),
	    cmocka_unit_test(test_container__volumes),
	    cmocka_unit_test(test_container__networks_and_extra),
	    cmocka_unit_test(test_container__resources_and_host),
	    cmocka_unit_test(test_container__commit_label),
	    cmocka_unit_test(test_container__unsupported_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
