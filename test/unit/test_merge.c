/* Unit tests for merge.c and merge_unicity.c: the Compose merge rules. */
#include "unit.h"

#include "buf.h"
#include "emit.h"
#include "merge.h"
#include "ynode.h"

static struct ynode *load(const char *yaml, const char *name)
{
	struct ynode *n = NULL;

	if (ynode_load_buffer(&n, yaml, strlen(yaml), name, NULL) < 0)
		fail_msg("loading %s: %s", name, err_last());
	return n;
}

static char *dump(const struct ynode *n)
{
	struct buf b = BUF_INIT(BUF_UNBOUNDED);

	if (emit_json(&b, n, EMIT_SORTED | EMIT_COMPACT) < 0)
		buf_adds(&b, "(unprintable)");
	return buf_detach(&b, NULL);
}

static void assert_tree(const struct ynode *got, const char *want_yaml)
{
	struct ynode *want = load(want_yaml, "want.yaml");

	if (!ynode_equal(got, want)) {
		char *g = dump(got), *w = dump(want);

		print_error("got  %s\nwant %s\n", g, w);
		free(g);
		free(w);
		ynode_free(want);
		fail();
	}
	ynode_free(want);
}

/* base + override (merge_documents), compared with want. */
static void assert_merge(const char *base_yaml, const char *over_yaml,
			 const char *want_yaml)
{
	struct ynode *base = load(base_yaml, "base.yaml");
	struct ynode *over = load(over_yaml, "override.yaml");

	if (merge_documents(base, over) < 0)
		fail_msg("merge: %s", err_last());
	assert_tree(base, want_yaml);
	ynode_free(base);
}

/* The node at services.<svc>.<key>. */
static const struct ynode *svc_get(const struct ynode *doc, const char *svc,
				   const char *key)
{
	const struct ynode *n = ynode_map_get(doc, "services");

	n = n ? ynode_map_get(n, svc) : NULL;
	n = n ? ynode_map_get(n, key) : NULL;
	assert_non_null(n);
	return n;
}

static void test_merge__mappings_merge_scalars_replace(void **state)
{
	(void)state;
	assert_merge("services:\n"
		     "  web:\n"
		     "    image: a\n"
		     "    scale: 1\n"
		     "    deploy: {resources: {limits: {cpus: '1'}}}\n",
		     "services:\n"
		     "  web:\n"
		     "    image: b\n"
		     "    deploy: {resources: {limits: {memory: 1g}}}\n"
		     "  db:\n"
		     "    image: pg\n",
		     "services:\n"
		     "  web:\n"
		     "    image: b\n"
		     "    scale: 1\n"
		     "    deploy: {resources: {limits: {cpus: '1', memory: "
		     "1g}}}\n"
		     "  db:\n"
		     "    image: pg\n");
}

static void test_merge__scalar_types_follow_the_override(void **state)
{
	(void)state;
	assert_merge("services: {a: {mem_limit: 256m}}\n",
		     "services: {a: {mem_limit: 1}}\n",
		     "services: {a: {mem_limit: 1}}\n");
	assert_merge("services: {a: {mem_limit: 1}}\n",
		     "services: {a: {mem_limit: '256m'}}\n",
		     "services: {a: {mem_limit: 256m}}\n");
}

static void test_merge__null_override_keeps_base(void **state)
{
	(void)state;
	assert_merge("services: {a: {image: x, labels: {A: b}}}\n",
		     "services: {a: {image: null}}\n",
		     "services: {a: {image: x, labels: {A: b}}}\n");
}

static void test_merge__sequences_append(void **state)
{
	(void)state;
	assert_merge("services: {a: {DNS: [1.1.1.1], security_opt: [x]}}\n",
		     "services: {a: {DNS: [8.8.8.8], security_opt: [x]}}\n",
		     "services: {a: {DNS: [1.1.1.1, 8.8.8.8], security_opt: "
		     "[x, x]}}\n");
}

static void test_merge__commands_replace(void **state)
{
	(void)state;
	assert_merge("services:\n"
		     "  a:\n"
		     "    command: [echo, foo]\n"
		     "    entrypoint: [sh, -c]\n"
		     "    healthcheck: {test: [CMD, a], retries: 3}\n",
		     "services:\n"
		     "  a:\n"
		     "    command: [echo, bar]\n"
		     "    entrypoint: /init\n"
		     "    healthcheck: {test: [CMD, b]}\n",
		     "services:\n"
		     "  a:\n"
		     "    command: [echo, bar]\n"
		     "    entrypoint: /init\n"
		     "    healthcheck: {test: [CMD, b], retries: 3}\n");
}

static void test_merge__environment_list_and_mapping(void **state)
{
	(void)state;
	/* A mapping becomes a sorted KEY=VALUE list; null is a bare KEY;
	 * a redefined key takes the place of the first one. */
	assert_merge("services:\n"
		     "  a:\n"
		     "    environment:\n"
		     "      ZED: 1\n"
		     "      FOO: bar\n",
		     "services:\n"
		     "  a:\n"
		     "    environment: [QIX=zot, ZED=2, EMPTY=, NIL]\n",
		     "services:\n"
		     "  a:\n"
		     "    environment: [FOO=bar, ZED=2, QIX=zot, EMPTY=, "
		     "NIL]\n");
	assert_merge("services: {a: {labels: [A=1]}}\n",
		     "services: {a: {labels: {C: '', B: null, A: true}}}\n",
		     "services: {a: {labels: [A=true, B, C=]}}\n");
	assert_merge("services: {a: {build: {args: {X: 1}}, deploy: "
		     "{labels: {Y: 1}}}}\n",
		     "services: {a: {build: {args: {X: 2}}, deploy: {labels: "
		     "[Y=2]}}}\n",
		     "services: {a: {build: {args: [X=2]}, deploy: {labels: "
		     "[Y=2]}}}\n");
}

static void test_merge__string_or_list_fields(void **state)
{
	(void)state;
	assert_merge("services: {a: {dns: [8.8.8.8, 9.9.9.9], tmpfs: /foo, "
		     "env_file: a.env}}\n",
		     "services: {a: {dns: 9.9.9.9, tmpfs: [/bar, /foo], "
		     "env_file: [{path: a.env, required: false}, b.env]}}\n",
		     "services: {a: {dns: [8.8.8.8, 9.9.9.9], tmpfs: [/foo, "
		     "/bar], env_file: [{path: a.env, required: false}, "
		     "b.env]}}\n");
}

static void test_merge__unique_strings(void **state)
{
	(void)state;
	assert_merge("services: {a: {cap_add: [A, B], profiles: [p1, p2], "
		     "links: [db, cache]}}\n",
		     "services: {a: {cap_add: [C, B], profiles: [p2, p3], "
		     "links: [db=database]}}\n",
		     "services: {a: {cap_add: [A, B, C], profiles: [p1, p2, "
		     "p3], links: [db=database, cache]}}\n");
}

static void test_merge__extra_hosts_drop_exact_repeats(void **state)
{
	(void)state;
	assert_merge("services: {a: {extra_hosts: {example.com: 1.2.3.4}}}\n",
		     "services: {a: {extra_hosts: {localhost: 127.0.0.1, "
		     "example.com: [1.2.3.4, 4.3.2.1]}}}\n",
		     "services: {a: {extra_hosts: [example.com=1.2.3.4, "
		     "example.com=4.3.2.1, localhost=127.0.0.1]}}\n");
}

static void test_merge__ports_by_key(void **state)
{
	(void)state;
	assert_merge("services:\n"
		     "  a:\n"
		     "    ports:\n"
		     "      - '8080:80'\n"
		     "      - {target: 81, published: '9000'}\n",
		     "services:\n"
		     "  a:\n"
		     "    ports:\n"
		     "      - '8080:80'\n"
		     "      - {target: 81, published: '9000', protocol: tcp, "
		     "host_ip: 0.0.0.0, mode: host}\n"
		     "      - {target: 81, published: '9000', protocol: udp}\n"
		     "      - 5000\n",
		     "services:\n"
		     "  a:\n"
		     "    ports:\n"
		     "      - '8080:80'\n"
		     "      - {target: 81, published: '9000', protocol: tcp, "
		     "host_ip: 0.0.0.0, mode: host}\n"
		     "      - {target: 81, published: '9000', protocol: udp}\n"
		     "      - 5000\n");
}

static void test_merge__volumes_secrets_devices_by_target(void **state)
{
	(void)state;
	assert_merge("services:\n"
		     "  a:\n"
		     "    volumes: [foo:/work, 'C:\\data:/data', /anon, "
		     "./x:/x:ro]\n"
		     "    secrets: [s1, s2]\n"
		     "    configs: [c1]\n"
		     "    devices: ['/dev/sda:/dev/xvda:rwm', /dev/sdb]\n",
		     "services:\n"
		     "  a:\n"
		     "    volumes:\n"
		     "      - bar:/work\n"
		     "      - {type: bind, source: ./d, target: /data}\n"
		     "      - {type: volume, target: /anon}\n"
		     "      - ./y:/x\n"
		     "    secrets: [{source: other, target: "
		     "/run/secrets/s2}, {source: s1}]\n"
		     "    configs: [{source: c2, target: /c1}]\n"
		     "    devices: ['/dev/nvme0:/dev/xvda', /dev/sdb]\n",
		     "services:\n"
		     "  a:\n"
		     "    volumes:\n"
		     "      - bar:/work\n"
		     "      - {type: bind, source: ./d, target: /data}\n"
		     "      - {type: volume, target: /anon}\n"
		     "      - ./y:/x\n"
		     "    secrets: [{source: s1}, {source: other, target: "
		     "/run/secrets/s2}]\n"
		     "    configs: [{source: c2, target: /c1}]\n"
		     "    devices: ['/dev/nvme0:/dev/xvda', /dev/sdb]\n");
}

static void test_merge__networks_and_models_become_mappings(void **state)
{
	(void)state;
	assert_merge(
	    "services: {a: {networks: [front, back], models: [llm]}}\n",
	    "services: {a: {networks: {back: {aliases: [x]}}, models: "
	    "[vision]}}\n",
	    "services: {a: {networks: {front: null, back: {aliases: "
	    "[x]}}, models: {llm: null, vision: null}}}\n");
	assert_merge("services: {a: {networks: {n: {aliases: [a1, a2]}}}}\n",
		     "services: {a: {networks: {n: {aliases: [a3, a1]}}}}\n",
		     "services: {a: {networks: {n: {aliases: [a1, a2, "
		     "a3]}}}}\n");
}

static void test_merge__depends_on_long_form(void **state)
{
	(void)state;
	assert_merge("services: {a: {depends_on: [db, cache]}}\n",
		     "services: {a: {depends_on: {db: {required: false}}}}\n",
		     "services:\n"
		     "  a:\n"
		     "    depends_on:\n"
		     "      db: {condition: service_started, required: false}\n"
		     "      cache: {condition: service_started, required: "
		     "true}\n");
}

static void test_merge__build_short_form(void **state)
{
	(void)state;
	assert_merge("services: {a: {build: .}}\n",
		     "services: {a: {build: {dockerfile: X.Dockerfile}}}\n",
		     "services: {a: {build: {context: ., dockerfile: "
		     "X.Dockerfile}}}\n");
	assert_merge("services: {a: {build: {context: ., target: t}}}\n",
		     "services: {a: {build: src}}\n",
		     "services: {a: {build: {context: src, target: t}}}\n");
}

static void test_merge__logging_driver_change_drops_options(void **state)
{
	(void)state;
	assert_merge("services: {a: {logging: {driver: local, options: "
		     "{max-size: 10m}}}}\n",
		     "services: {a: {logging: {driver: syslog, options: "
		     "{tag: x}}}}\n",
		     "services: {a: {logging: {driver: syslog, options: "
		     "{tag: x}}}}\n");
	assert_merge("services: {a: {logging: {driver: local, options: "
		     "{max-size: 10m}}}}\n",
		     "services: {a: {logging: {options: {max-file: 3}}}}\n",
		     "services: {a: {logging: {driver: local, options: "
		     "{max-size: 10m, max-file: 3}}}}\n");
}

static void test_merge__ulimits_replace(void **state)
{
	(void)state;
	assert_merge("services: {a: {ulimits: {nofile: {soft: 1, hard: 2}, "
		     "nproc: 5}}}\n",
		     "services: {a: {ulimits: {nofile: {hard: 3}}}}\n",
		     "services: {a: {ulimits: {nofile: {hard: 3}, nproc: "
		     "5}}}\n");
}

static void test_merge__ipam_config_by_subnet(void **state)
{
	(void)state;
	assert_merge("networks:\n"
		     "  n:\n"
		     "    labels: {b: '1'}\n"
		     "    ipam:\n"
		     "      config:\n"
		     "        - {subnet: 10.0.0.0/8, gateway: 10.0.0.1, "
		     "aux_addresses: {h1: 10.0.0.5}}\n",
		     "networks:\n"
		     "  n:\n"
		     "    labels: [a=2, b=3]\n"
		     "    ipam:\n"
		     "      config:\n"
		     "        - {subnet: 10.0.0.0/8, aux_addresses: {h2: "
		     "10.0.0.6}}\n"
		     "        - {subnet: 11.0.0.0/8}\n",
		     "networks:\n"
		     "  n:\n"
		     "    labels: [b=3, a=2]\n"
		     "    ipam:\n"
		     "      config:\n"
		     "        - {subnet: 10.0.0.0/8, gateway: 10.0.0.1, "
		     "aux_addresses: {h1: 10.0.0.5, h2: 10.0.0.6}}\n"
		     "        - {subnet: 11.0.0.0/8}\n");
}

static void test_merge__top_level_models_runtime_flags_replace(void **state)
{
	(void)state;
	assert_merge("models: {llm: {model: a, runtime_flags: [--gpu]}}\n",
		     "models: {llm: {runtime_flags: [--cpu]}, e: {model: b}}\n",
		     "models: {llm: {model: a, runtime_flags: [--cpu]}, e: "
		     "{model: b}}\n");
}

static void test_merge__reset_removes(void **state)
{
	(void)state;
	assert_merge("services:\n"
		     "  a:\n"
		     "    image: x\n"
		     "    build: {context: .}\n"
		     "    ports: ['80:80']\n"
		     "    environment: {FOO: bar, KEEP: 1}\n"
		     "networks: {n: {external: true}}\n",
		     "services:\n"
		     "  a:\n"
		     "    build: !reset\n"
		     "    ports: !reset []\n"
		     "    environment: {FOO: !reset null}\n"
		     "networks: {n: !reset {}}\n",
		     "services:\n"
		     "  a:\n"
		     "    image: x\n"
		     "    environment: [KEEP=1]\n"
		     "networks: {}\n");
}

static void test_merge__override_replaces_whole(void **state)
{
	(void)state;
	assert_merge("services:\n"
		     "  a:\n"
		     "    ports: ['80:80']\n"
		     "    environment: {A: 1}\n"
		     "networks: {n: {name: x, external: true}}\n",
		     "services:\n"
		     "  a:\n"
		     "    ports: !override ['81:81']\n"
		     "    environment: !override {B: 2}\n"
		     "networks: {n: !override {}}\n",
		     "services:\n"
		     "  a:\n"
		     "    ports: ['81:81']\n"
		     "    environment: {B: 2}\n"
		     "networks: {n: {}}\n");
}

static void test_merge__tags_with_nothing_to_act_on_go(void **state)
{
	struct ynode *base = load("services: {a: {image: x}}\n", "b.yaml");
	struct ynode *over = load("services:\n"
				  "  b:\n"
				  "    image: !override y\n"
				  "    ports: !reset ['1:1']\n"
				  "    dns: [a, !reset b]\n",
				  "o.yaml");
	const struct ynode *n;

	(void)state;
	assert_int_equal(merge_documents(base, over), 0);
	assert_tree(base, "services: {a: {image: x}, b: {image: y, dns: "
			  "[a]}}\n");
	n = svc_get(base, "b", "image");
	assert_int_equal(n->flags & (YNODE_F_RESET | YNODE_F_OVERRIDE), 0);
	ynode_free(base);
}

static void test_merge__strip_tags_single_document(void **state)
{
	struct ynode *doc = load("services:\n"
				 "  a:\n"
				 "    image: x\n"
				 "    build: !reset {context: .}\n"
				 "    environment: !override {A: 1}\n"
				 "    dns: [!reset a, b]\n",
				 "c.yaml");

	(void)state;
	merge_strip_tags(doc);
	assert_tree(doc, "services: {a: {image: x, environment: {A: 1}, dns: "
			 "[b]}}\n");
	assert_int_equal(
	    svc_get(doc, "a", "environment")->flags & YNODE_F_OVERRIDE, 0);
	ynode_free(doc);
}

static void test_merge__marks_follow_the_winner(void **state)
{
	struct ynode *base = load("services:\n"
				  "  a:\n"
				  "    image: x\n"
				  "    user: root\n"
				  "    environment: {A: 1}\n",
				  "base.yaml");
	struct ynode *over = load("services:\n"
				  "  a:\n"
				  "    image: y\n"
				  "    environment:\n"
				  "      - B=2\n",
				  "override.yaml");
	const struct ynode *n, *env;

	(void)state;
	assert_int_equal(merge_documents(base, over), 0);
	n = svc_get(base, "a", "image");
	assert_string_equal(n->text, "y");
	assert_string_equal(n->mark.file, "override.yaml");
	assert_int_equal(n->mark.line, 3);
	assert_int_equal(n->mark.col, 12);
	n = svc_get(base, "a", "user");
	assert_string_equal(n->mark.file, "base.yaml");
	assert_int_equal(n->mark.line, 4);
	env = svc_get(base, "a", "environment");
	assert_int_equal(ynode_len(env), 2);
	/* A=1 was converted from base's mapping: it points at the value. */
	n = env->u.seq.items[0];
	assert_string_equal(n->text, "A=1");
	assert_string_equal(n->mark.file, "base.yaml");
	assert_int_equal(n->mark.line, 5);
	assert_int_equal(n->mark.col, 22);
	n = env->u.seq.items[1];
	assert_string_equal(n->text, "B=2");
	assert_string_equal(n->mark.file, "override.yaml");
	assert_int_equal(n->mark.line, 5);
	ynode_free(base);
}

static void test_merge__unicity_later_wins_in_place(void **state)
{
	struct ynode *doc =
	    load("services:\n"
		 "  a:\n"
		 "    environment: [FOO=BAR, BAR=QIX, QIX=, ZOT, "
		 "FOO=ZOT, QIX, ZOT=]\n"
		 "    volumes: [.:/foo, foo:/bar, src:/foo]\n"
		 "    ports: ['9080:80', '9081:81', '9080:80', "
		 "'5000', '6060:6060/udp', '9080:6060/udp']\n"
		 "    expose: [80, '80', 81]\n"
		 "x-other: {environment: [A=1, A=2]}\n",
		 "u.yaml");
	const struct ynode *n;

	(void)state;
	assert_int_equal(merge_unicity(doc), 0);
	assert_tree(doc, "services:\n"
			 "  a:\n"
			 "    environment: [FOO=ZOT, BAR=QIX, QIX, ZOT=]\n"
			 "    volumes: [src:/foo, foo:/bar]\n"
			 "    ports: ['9080:80', '9081:81', '5000', "
			 "'6060:6060/udp', '9080:6060/udp']\n"
			 "    expose: ['80', 81]\n"
			 "x-other: {environment: [A=1, A=2]}\n");
	/* The winner keeps its own mark, at the loser's place. */
	n = svc_get(doc, "a", "volumes")->u.seq.items[0];
	assert_int_equal(n->mark.line, 4);
	assert_int_equal(n->mark.col, 33);
	ynode_free(doc);
}

static void test_merge__unicity_errors_name_the_entry(void **state)
{
	struct ynode *doc = load("services:\n"
				 "  a:\n"
				 "    ports:\n"
				 "      - {published: 80}\n",
				 "e.yaml");

	(void)state;
	assert_int_equal(merge_unicity(doc), MOOR_EINVAL);
	assert_err_contains("e.yaml:4:9");
	assert_err_contains("services.a.ports");
	ynode_free(doc);
}

static void test_merge__mapping_over_scalar_is_an_error(void **state)
{
	struct ynode *base =
	    load("services: {a: {deploy: {replicas: 1}}}\n", "base.yaml");
	struct ynode *over = load("services:\n"
				  "  a:\n"
				  "    deploy: two\n",
				  "override.yaml");

	(void)state;
	assert_int_equal(merge_documents(base, over), MOOR_EINVAL);
	assert_err_contains("override.yaml:3:13");
	assert_err_contains("'services.a.deploy'");
	ynode_free(base);
}

static void test_merge__scalar_over_mapping_is_not(void **state)
{
	(void)state;
	/* compose-go lets an override replace a scalar by anything. */
	assert_merge("services: {a: {x-foo: 1}}\n",
		     "services: {a: {x-foo: {b: 2}}}\n",
		     "services: {a: {x-foo: {b: 2}}}\n");
}

static void test_merge__documents_must_be_mappings(void **state)
{
	struct ynode *base = load("services: {}\n", "base.yaml");
	struct ynode *over = load("- a\n", "override.yaml");

	(void)state;
	assert_int_equal(merge_documents(base, over), MOOR_EINVAL);
	assert_err_contains("override.yaml:1:1");
	ynode_free(base);
	base = load("services: {a: {image: x}}\n", "base.yaml");
	over = load("", "empty.yaml");
	assert_int_equal(merge_documents(base, over), 0);
	assert_tree(base, "services: {a: {image: x}}\n");
	ynode_free(base);
}

static void test_merge__service_rules_for_extends(void **state)
{
	struct ynode *base = load("image: x\n"
				  "command: [a, b]\n"
				  "environment: {A: 1, B: 2}\n"
				  "ports: ['80:80']\n"
				  "volumes: [data:/data]\n",
				  "common.yaml");
	struct ynode *own = load("command: [c]\n"
				 "environment: [B=3]\n"
				 "ports: !reset []\n"
				 "volumes: [other:/data]\n",
				 "compose.yaml");

	(void)state;
	assert_int_equal(merge_service(base, own), 0);
	assert_tree(base, "image: x\n"
			  "command: [c]\n"
			  "environment: [A=1, B=3]\n"
			  "volumes: [other:/data]\n");
	ynode_free(base);
}

static void test_merge__base_tags_do_not_eat_later_files(void **state)
{
	struct ynode *base =
	    load("services: {a: {ports: !reset []}}\n", "one.yaml");
	struct ynode *over =
	    load("services: {a: {ports: ['80:80']}}\n", "two.yaml");

	(void)state;
	assert_int_equal(merge_documents(base, over), 0);
	merge_strip_tags(base);
	assert_tree(base, "services: {a: {ports: ['80:80']}}\n");
	ynode_free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_merge__mappings_merge_scalars_replace),
	    cmocka_unit_test(test_merge__scalar_types_follow_the_override),
	    cmocka_unit_test(test_merge__null_override_keeps_base),
	    cmocka_unit_test(test_merge__sequences_append),
	    cmocka_unit_test(test_merge__commands_replace),
	    cmocka_unit_test(test_merge__environment_list_and_mapping),
	    cmocka_unit_test(test_merge__string_or_list_fields),
	    cmocka_unit_test(test_merge__unique_strings),
	    cmocka_unit_test(test_merge__extra_hosts_drop_exact_repeats),
	    cmocka_unit_test(test_merge__ports_by_key),
	    cmocka_unit_test(test_merge__volumes_secrets_devices_by_target),
	    cmocka_unit_test(test_merge__networks_and_models_become_mappings),
	    cmocka_unit_test(test_merge__depends_on_long_form),
	    cmocka_unit_test(test_merge__build_short_form),
	    cmocka_unit_test(test_merge__logging_driver_change_drops_options),
	    cmocka_unit_test(test_merge__ulimits_replace),
	    cmocka_unit_test(test_merge__ipam_config_by_subnet),
	    cmocka_unit_test(
		test_merge__top_level_models_runtime_flags_replace),
	    cmocka_unit_test(test_merge__reset_removes),
	    cmocka_unit_test(test_merge__override_replaces_whole),
	    cmocka_unit_test(test_merge__tags_with_nothing_to_act_on_go),
	    cmocka_unit_test(test_merge__strip_tags_single_document),
	    cmocka_unit_test(test_merge__marks_follow_the_winner),
	    cmocka_unit_test(test_merge__unicity_later_wins_in_place),
	    cmocka_unit_test(test_merge__unicity_errors_name_the_entry),
	    cmocka_unit_test(test_merge__mapping_over_scalar_is_an_error),
	    cmocka_unit_test(test_merge__scalar_over_mapping_is_not),
	    cmocka_unit_test(test_merge__documents_must_be_mappings),
	    cmocka_unit_test(test_merge__service_rules_for_extends),
	    cmocka_unit_test(test_merge__base_tags_do_not_eat_later_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
