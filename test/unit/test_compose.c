/*
 * Unit tests for compose.c (with extends.c, profiles.c, consistency.c):
 * end-to-end loads of the fixture projects in test/resources/compose/.
 */
#include "unit.h"

#include <limits.h>
#include <unistd.h>

#include "buf.h"
#include "compose.h"
#include "path.h"
#include "xalloc.h"

#define FIXTURES TEST_RESOURCES "/compose"

/* Every test passes its own environment: the one running the tests must
 * not leak in. */
static char *base_env[] = {"HOME=/home/test", NULL};

static const char *fixture(const char *rel)
{
	static char paths[8][PATH_MAX];
	static unsigned next;
	char *p = paths[next++ % 8];

	snprintf(p, PATH_MAX, "%s/%s", FIXTURES, rel);
	return p;
}

static void opts_init(struct compose_options *o, const char **files,
		      size_t nfiles)
{
	memset(o, 0, sizeof(*o));
	o->files = files;
	o->nfiles = nfiles;
	o->environ = base_env;
}

/* The node at a '/'-separated path of map keys and sequence indexes. */
static const struct ynode *at(const struct ynode *n, const char *path)
{
	char *pointer = xasprintf("/%s", path);
	const struct ynode *found = ynode_pointer(n, pointer);

	free(pointer);
	return found;
}

static void assert_str_at(const struct ynode *root, const char *path,
			  const char *want)
{
	const struct ynode *n = at(root, path);

	if (!n)
		fail_msg("no node at '%s'", path);
	if (!n->text || strcmp(n->text, want) != 0)
		fail_msg("'%s' is '%s', want '%s'", path,
			 n->text ? n->text : "(collection)", want);
}

static struct compose_project *load_ok(const struct compose_options *o)
{
	struct compose_project *p = NULL;

	if (compose_load(&p, o) < 0)
		fail_msg("compose_load: %s", err_last());
	assert_non_null(p);
	return p;
}

static void load_fails(const struct compose_options *o, const char *needle)
{
	struct compose_project *p = (struct compose_project *)&p;
	struct compose_project *const sentinel = p;

	assert_true(compose_load(&p, o) < 0);
	/* Nothing half-done: *out is left alone. */
	assert_ptr_equal(p, sentinel);
	assert_err_contains(needle);
}

static void test_compose__override_file_merges(void **state)
{
	struct compose_options o;
	struct compose_project *p;

	(void)state;
	opts_init(&o, NULL, 0);
	o.project_dir = fixture("override");
	p = load_ok(&o);
	assert_string_equal(p->name, "override");
	assert_str_at(p->model, "name", "override");
	assert_str_at(p->model, "services/web/image",
		      "mooring-example/busybox:2");
	assert_str_at(p->model, "services/web/environment/LOG_LEVEL", "debug");
	assert_str_at(p->model, "services/web/environment/REGION", "eu");
	assert_int_equal(ynode_len(at(p->model, "services/web/ports")), 2);
	assert_string_equal(p->working_dir, fixture("override"));
	compose_project_free(p);
}

static void test_compose__process_env_wins_over_dotenv(void **state)
{
	char *env[] = {"BOTH=from-process", "FROM_PROC=proc", NULL};
	const char *files[] = {fixture("env/compose.yaml")};
	struct compose_options o;
	struct compose_project *p;

	(void)state;
	opts_init(&o, files, 1);
	o.environ = env;
	p = load_ok(&o);
	assert_str_at(p->model, "services/app/image",
		      "mooring-example/busybox:1");
	assert_str_at(p->model, "services/app/environment/FROM_DOTENV", "dot");
	assert_str_at(p->model, "services/app/environment/BOTH",
		      "from-process");
	assert_str_at(p->model, "services/app/environment/FROM_PROC", "proc");
	/* .env values expand against the process environment. */
	assert_str_at(p->model, "services/app/environment/DERIVED",
		      "proc-derived");
	assert_str_at(p->model, "services/app/environment/DEFAULTED",
		      "fallback");
	assert_string_equal(strmap_get(&p->environment, "FROM_DOTENV"), "dot");
	assert_string_equal(strmap_get(&p->environment, "BOTH"),
			    "from-process");
	assert_string_equal(strmap_get(&p->environment, "COMPOSE_PROJECT_NAME"),
			    "env");
	compose_project_free(p);
}

static void test_compose__env_file_option_replaces_dotenv(void **state)
{
	char *env[] = {"BOTH=from-process", "FROM_PROC=proc", NULL};
	const char *files[] = {fixture("env/compose.yaml")};
	struct compose_options o;
	struct compose_project *p;

	(void)state;
	opts_init(&o, files, 1);
	o.environ = env;
	o.env_file = fixture("env/alt.env");
	p = load_ok(&o);
	assert_str_at(p->model, "services/app/image",
		      "mooring-example/busybox:alt");
	assert_str_at(p->model, "services/app/environment/FROM_DOTENV", "alt");
	assert_str_at(p->model, "services/app/environment/DERIVED", "alt");
	assert_str_at(p->model, "services/app/environment/BOTH",
		      "from-process");
	compose_project_free(p);
}

static void test_compose__missing_env_file_is_error(void **state)
{
	const char *files[] = {fixture("env/compose.yaml")};
	struct compose_options o;

	(void)state;
	opts_init(&o, files, 1);
	o.env_file = fixture("env/missing.env");
	load_fails(&o, "missing.env");
}

static void test_compose__unset_variable_warns_once(void **state)
{
	const char *files[] = {fixture("unset/compose.yaml")};
	struct unit_warnings w;
	struct compose_options o;
	struct compose_project *p;

	(void)state;
	opts_init(&o, files, 1);
	unit_capture_warnings(&w);
	p = load_ok(&o);
	unit_release_warnings();
	assert_int_equal(w.count, 2);
	assert_non_null(strstr(w.text, "the \"NOPE\" variable is not set, "
				       "defaulting to a blank string"));
	assert_non_null(strstr(w.text, "\"ALSO_NOPE\""));
	assert_str_at(p->model, "services/app/environment/A", "");
	assert_str_at(p->model, "services/app/environment/B", "-");
	assert_str_at(p->model, "services/app/environment/D", "ok");
	compose_project_free(p);
}

static void test_compose__extends_same_file(void **state)
{
	const char *files[] = {fixture("extends/compose.yaml")};
	struct compose_options o;
	struct compose_project *p;

	(void)state;
	opts_init(&o, files, 1);
	p = load_ok(&o);
	assert_str_at(p->model, "services/web/image",
		      "mooring-example/busybox:1");
	assert_str_at(p->model, "services/web/environment/TZ", "utc");
	assert_str_at(p->model, "services/web/environment/PORT", "8080");
	assert_str_at(p->model, "services/web/labels/tier", "base");
	/* A chain: api extends web extends base. */
	assert_str_at(p->model, "services/api/environment/PORT", "8080");
	assert_str_at(p->model, "services/api/environment/TZ", "utc");
	assert_str_at(p->model, "services/api/labels/tier", "api");
	assert_null(at(p->model, "services/api/extends"));
	assert_null(at(p->model, "services/web/extends"));
	assert_non_null(at(p->model, "services/base"));
	compose_project_free(p);
}

static void test_compose__extends_other_file_keeps_its_paths(void **state)
{
	const char *files[] = {fixture("extends/compose.yaml")};
	struct compose_options o;
	struct compose_project *p;
	char want[PATH_MAX];

	(void)state;
	opts_init(&o, files, 1);
	p = load_ok(&o);
	assert_str_at(p->model, "services/worker/command/0", "sleep");
	assert_str_at(p->model, "services/worker/command/1", "3600");
	/* worker.env sits beside lib/common.yaml, not the project. */
	assert_str_at(p->model, "services/worker/environment/QUEUE", "jobs");
	snprintf(want, sizeof(want), "%s", fixture("extends/lib/data"));
	assert_str_at(p->model, "services/worker/volumes/0/source", want);
	snprintf(want, sizeof(want), "%s", fixture("extends/lib/cache"));
	assert_str_at(p->model, "services/worker/volumes/1/source", want);
	compose_project_free(p);
}

static void test_compose__extends_rebases_build_contexts(void **state)
{
	const char *files[] = {fixture("extends/build.yaml")};
	struct compose_options o;
	struct compose_project *p;

	(void)state;
	opts_init(&o, files, 1);
	o.norm_flags = NORM_F_ALLOW_BUILD;
	p = load_ok(&o);
	assert_str_at(p->model, "services/packer/build/context",
		      fixture("extends/lib/app"));
	assert_str_at(p->model,
		      "services/packer/build/additional_contexts/assets",
		      fixture("extends/assets"));
	assert_str_at(p->model,
		      "services/packer/build/additional_contexts/base",
		      "docker-image://mooring-example/busybox:1");
	compose_project_free(p);
}

static void test_compose__extends_undefined_base_is_error(void **state)
{
	const char *files[] = {fixture("extends/missing.yaml")};
	struct compose_options o;

	(void)state;
	opts_init(&o, files, 1);
	load_fails(&o, "missing.yaml:5:7: service 'web' extends undefined "
		       "service 'nope' in '");
}

static void test_compose__extends_cycle_is_error(void **state)
{
	const char *files[] = {fixture("extends-cycle/compose.yaml")};
	struct compose_options o;

	(void)state;
	opts_init(&o, files, 1);
	load_fails(&o, "compose.yaml:4:14: circular extends: a -> b -> a");
}

static void test_compose__profile_disabled_dependency_is_error(void **state)
{
	const char *files[] = {fixture("profiles/compose.yaml")};
	struct compose_options o;

	(void)state;
	opts_init(&o, files, 1);
	load_fails(&o, "compose.yaml:5:9: service 'web' depends on 'db', "
		       "which is disabled by profiles");
}

static void test_compose__profiles_enable_services(void **state)
{
	const char *files[] = {fixture("profiles/compose.yaml")};
	const char *profiles[] = {"db"};
	struct compose_options o;
	struct compose_project *p;

	(void)state;
	opts_init(&o, files, 1);
	o.profiles = profiles;
	o.nprofiles = 1;
	p = load_ok(&o);
	assert_non_null(at(p->model, "services/web"));
	assert_non_null(at(p->model, "services/db"));
	assert_null(at(p->model, "services/debug"));
	assert_int_equal(p->spec_hashes.n, 2);
	compose_project_free(p);
}

static void test_compose__profiles_star_and_environment(void **state)
{
	char *env[] = {"COMPOSE_PROFILES=db,tools", NULL};
	char *env_tools[] = {"COMPOSE_PROFILES=tools", NULL};
	const char *files[] = {fixture("profiles/compose.yaml")};
	const char *star[] = {"*"};
	const char *db[] = {"db"};
	struct compose_options o;
	struct compose_project *p;

	(void)state;
	opts_init(&o, files, 1);
	o.profiles = star;
	o.nprofiles = 1;
	p = load_ok(&o);
	assert_int_equal(ynode_len(at(p->model, "services")), 3);
	compose_project_free(p);

	opts_init(&o, files, 1);
	o.environ = env;
	p = load_ok(&o);
	assert_int_equal(ynode_len(at(p->model, "services")), 3);
	compose_project_free(p);

	/* --profile wins over COMPOSE_PROFILES. */
	opts_init(&o, files, 1);
	o.environ = env_tools;
	o.profiles = db;
	o.nprofiles = 1;
	p = load_ok(&o);
	assert_int_equal(ynode_len(at(p->model, "services")), 2);
	assert_null(at(p->model, "services/debug"));
	compose_project_free(p);
}

static void test_compose__optional_dependency_on_disabled_dropped(void **state)
{
	const char *files[] = {fixture("profiles-optional/compose.yaml")};
	struct compose_options o;
	struct compose_project *p;

	(void)state;
	opts_init(&o, files, 1);
	p = load_ok(&o);
	assert_null(at(p->model, "services/db"));
	assert_null(at(p->model, "services/web/depends_on/db"));
	compose_project_free(p);
}

static void test_compose__project_name_from_directory(void **state)
{
	const char *files[] = {fixture("name/My_Project.Dir/compose.yaml")};
	struct compose_options o;
	struct compose_project *p;

	(void)state;
	opts_init(&o, files, 1);
	p = load_ok(&o);
	assert_string_equal(p->name, "my_projectdir");
	assert_str_at(p->model, "name", "my_projectdir");
	compose_project_free(p);
}

static void test_compose__project_name_from_file(void **state)
{
	char *env[] = {"STACK=Blog", NULL};
	const char *files[] = {fixture("name/fromfile/compose.yaml")};
	struct compose_options o;
	struct compose_project *p;

	(void)state;
	opts_init(&o, files, 1);
	p = load_ok(&o);
	assert_string_equal(p->name, "shop_front");
	/* The files see the final name as COMPOSE_PROJECT_NAME. */
	assert_str_at(p->model, "services/app/labels/project", "shop_front");
	compose_project_free(p);

	opts_init(&o, files, 1);
	o.environ = env;
	p = load_ok(&o);
	assert_string_equal(p->name, "blog_front");
	compose_project_free(p);
}

static void test_compose__project_name_precedence(void **state)
{
	char *env[] = {"COMPOSE_PROJECT_NAME=from-env", NULL};
	const char *files[] = {fixture("name/fromfile/compose.yaml")};
	struct compose_options o;
	struct compose_project *p;

	(void)state;
	opts_init(&o, files, 1);
	o.environ = env;
	p = load_ok(&o);
	assert_string_equal(p->name, "from-env");
	assert_str_at(p->model, "name", "from-env");
	compose_project_free(p);

	o.project_name = "cli_name";
	p = load_ok(&o);
	assert_string_equal(p->name, "cli_name");
	assert_str_at(p->model, "services/app/labels/project", "cli_name");
	compose_project_free(p);
}

static void test_compose__project_name_must_be_valid(void **state)
{
	char *env[] = {"COMPOSE_PROJECT_NAME=Not Valid", NULL};
	const char *files[] = {fixture("name/fromfile/compose.yaml")};
	struct compose_options o;

	(void)state;
	opts_init(&o, files, 1);
	o.project_name = "Bad Name";
	load_fails(&o, "invalid project name 'Bad Name'");
	opts_init(&o, files, 1);
	o.environ = env;
	load_fails(&o, "invalid project name 'Not Valid'");
}

static void test_compose__normalize_project_name(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
	    {"My_Project.Dir", "my_projectdir"},
	    {"__-x", "x"},
	    {"-_9-lives", "9-lives"},
	    {"ABC def", "abcdef"},
	    {"caf\xc3\xa9", "caf"},
	    {"---", NULL},
	    {"", NULL},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = compose_normalize_project_name(cases[i].in);

		if (!cases[i].want)
			assert_null(got);
		else
			assert_string_equal(got, cases[i].want);
		free(got);
	}
}

static void test_compose__hash_same_model_same_hash(void **state)
{
	const char *fa[] = {fixture("hash/a/compose.yaml")};
	const char *fb[] = {fixture("hash/b/compose.yaml"),
			    fixture("hash/b/compose.extra.yaml")};
	const char *fc[] = {fixture("hash/c/compose.yaml")};
	struct compose_project *a, *b, *c;
	struct compose_options o;

	(void)state;
	opts_init(&o, fa, 1);
	a = load_ok(&o);
	opts_init(&o, fb, 2);
	b = load_ok(&o);
	opts_init(&o, fc, 1);
	c = load_ok(&o);
	assert_int_equal(strlen(strmap_get(&a->spec_hashes, "web")), 64);
	assert_string_equal(strmap_get(&a->spec_hashes, "web"),
			    strmap_get(&b->spec_hashes, "web"));
	assert_string_equal(strmap_get(&a->spec_hashes, "worker"),
			    strmap_get(&b->spec_hashes, "worker"));
	/* One changed value changes that service's hash only. */
	assert_string_not_equal(strmap_get(&a->spec_hashes, "web"),
				strmap_get(&c->spec_hashes, "web"));
	assert_string_equal(strmap_get(&a->spec_hashes, "worker"),
			    strmap_get(&c->spec_hashes, "worker"));
	compose_project_free(a);
	compose_project_free(b);
	compose_project_free(c);
}

static void test_compose__hash_leaves_out_extensions(void **state)
{
	struct ynode *s1 = ynode_new_map(NULL), *s2 = ynode_new_map(NULL);
	char h1[65], h2[65];

	(void)state;
	ynode_map_put(s1, "image", NULL, ynode_new_str("x:1", NULL));
	ynode_map_put(s1, "x-note", NULL, ynode_new_str("hello", NULL));
	ynode_map_put(s1, "env_file", NULL, ynode_new_seq(NULL));
	ynode_map_put(s2, "image", NULL, ynode_new_str("x:1", NULL));
	assert_int_equal(compose_service_hash(h1, s1), 0);
	assert_int_equal(compose_service_hash(h2, s2), 0);
	assert_string_equal(h1, h2);
	/* The node given is not changed. */
	assert_non_null(ynode_map_get(s1, "x-note"));
	ynode_map_put(s2, "user", NULL, ynode_new_str("nobody", NULL));
	assert_int_equal(compose_service_hash(h2, s2), 0);
	assert_string_not_equal(h1, h2);
	ynode_free(s1);
	ynode_free(s2);
}

static void test_compose__build_without_image_is_error(void **state)
{
	const char *files[] = {fixture("build-only/compose.yaml")};
	struct compose_options o;

	(void)state;
	opts_init(&o, files, 1);
	load_fails(&o, "compose.yaml:5:5: service 'builder' has 'build' but "
		       "no 'image': mooring deploys prebuilt images");
}

static void test_compose__build_with_image_warns_and_is_dropped(void **state)
{
	const char *files[] = {fixture("build-image/compose.yaml")};
	struct unit_warnings w;
	struct compose_options o;
	struct compose_project *p;

	(void)state;
	opts_init(&o, files, 1);
	unit_capture_warnings(&w);
	p = load_ok(&o);
	unit_release_warnings();
	assert_int_equal(w.count, 1);
	assert_non_null(strstr(w.text, "compose.yaml:4:5: service 'app' "
				       "has both 'build' and 'image'"));
	assert_null(at(p->model, "services/app/build"));
	assert_str_at(p->model, "services/app/image", "mooring-example/app:1");
	compose_project_free(p);
}

static void test_compose__unknown_network_is_error(void **state)
{
	const char *files[] = {fixture("unknown-network/compose.yaml")};
	struct compose_options o;

	(void)state;
	opts_init(&o, files, 1);
	load_fails(&o, "compose.yaml:6:9: service 'api' refers to undefined "
		       "network 'back'");
}

static void test_compose__dependency_cycle_is_error(void **state)
{
	const char *files[] = {fixture("cycle/compose.yaml")};
	struct compose_options o;

	(void)state;
	opts_init(&o, files, 1);
	load_fails(&o, "compose.yaml:13:9: dependency cycle detected: "
		       "a -> b -> c -> a");
}

static void test_compose__undefined_dependency_is_error(void **state)
{
	const char *files[] = {fixture("undefined-dep/compose.yaml")};
	struct compose_options o;

	(void)state;
	opts_init(&o, files, 1);
	load_fails(&o, "compose.yaml:5:9: service 'web' depends on "
		       "undefined service 'cache'");
}

static void test_compose__top_level_must_be_mapping(void **state)
{
	const char *files[] = {fixture("toplevel/compose.yaml")};
	struct compose_options o;

	(void)state;
	opts_init(&o, files, 1);
	load_fails(&o, "compose.yaml:1:1: top-level must be a mapping");
}

static void test_compose__messages_name_files_as_given(void **state)
{
	const char *files[] = {"stacks/api/compose.yaml"};
	struct compose_options o;
	char cwd[PATH_MAX];

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(fixture("relative")), 0);
	opts_init(&o, files, 1);
	load_fails(&o, "stacks/api/compose.yaml:4:5:");
	assert_int_equal(chdir(cwd), 0);
	assert_true(strncmp(err_last(), "stacks/api/compose.yaml:4:5:", 28) ==
		    0);
}

static void test_compose__no_compose_file_found(void **state)
{
	struct compose_options o;

	(void)state;
	opts_init(&o, NULL, 0);
	o.project_dir = fixture("extends/lib");
	load_fails(&o, "no compose file found in");
	assert_int_equal(err_last_code(), MOOR_ENOTFOUND);
}

/* The read_file seam: files served from memory, as a git tree will. */
static int memory_read(void *data, const char *path, struct buf *out)
{
	static const struct {
		const char *path, *text;
	} files[] = {
	    {"repo/stacks/api/compose.yaml",
	     "services:\n  api:\n    image: mooring-example/busybox:1\n"
	     "    env_file: api.env\n"
	     "    environment:\n      TAG: ${TAG}\n"},
	    {"repo/stacks/api/.env", "TAG=from-tree\n"},
	    {"repo/stacks/api/api.env", "FROM_ENV_FILE=yes\n"},
	};
	unsigned *reads = data;
	char *want;

	(*reads)++;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		/* env_file paths arrive absolute: compare the tail. */
		want = strstr(path, files[i].path);
		if (want && strcmp(want, files[i].path) == 0)
			return buf_adds(out, files[i].text);
	}
	return err_set(MOOR_ENOTFOUND, "no file '%s' in the tree", path);
}

static void test_compose__read_file_seam(void **state)
{
	const char *files[] = {"repo/stacks/api/compose.yaml"};
	struct compose_options o;
	struct compose_project *p;
	unsigned reads = 0;

	(void)state;
	opts_init(&o, files, 1);
	o.read_file = memory_read;
	o.read_data = &reads;
	p = load_ok(&o);
	assert_string_equal(p->name, "api");
	assert_str_at(p->model, "services/api/environment/TAG", "from-tree");
	assert_str_at(p->model, "services/api/environment/FROM_ENV_FILE",
		      "yes");
	assert_true(reads >= 3);
	compose_project_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_compose__override_file_merges),
	    cmocka_unit_test(test_compose__process_env_wins_over_dotenv),
	    cmocka_unit_test(test_compose__env_file_option_replaces_dotenv),
	    cmocka_unit_test(test_compose__missing_env_file_is_error),
	    cmocka_unit_test(test_compose__unset_variable_warns_once),
	    cmocka_unit_test(test_compose__extends_same_file),
	    cmocka_unit_test(test_compose__extends_other_file_keeps_its_paths),
	    cmocka_unit_test(test_compose__extends_rebases_build_contexts),
	    cmocka_unit_test(test_compose__extends_undefined_base_is_error),
	    cmocka_unit_test(test_compose__extends_cycle_is_error),
	    cmocka_unit_test(
		test_compose__profile_disabled_dependency_is_error),
	    cmocka_unit_test(test_compose__profiles_enable_services),
	    cmocka_unit_test(test_compose__profiles_star_and_environment),
	    cmocka_unit_test(
		test_compose__optional_dependency_on_disabled_dropped),
	    cmocka_unit_test(test_compose__project_name_from_directory),
	    cmocka_unit_test(test_compose__project_name_from_file),
	    cmocka_unit_test(test_compose__project_name_precedence),
	    cmocka_unit_test(test_compose__project_name_must_be_valid),
	    cmocka_unit_test(test_compose__normalize_project_name),
	    cmocka_unit_test(test_compose__hash_same_model_same_hash),
	    cmocka_unit_test(test_compose__hash_leaves_out_extensions),
	    cmocka_unit_test(test_compose__build_without_image_is_error),
	    cmocka_unit_test(
		test_compose__build_with_image_warns_and_is_dropped),
	    cmocka_unit_test(test_compose__unknown_network_is_error),
	    cmocka_unit_test(test_compose__dependency_cycle_is_error),
	    cmocka_unit_test(test_compose__undefined_dependency_is_error),
	    cmocka_unit_test(test_compose__top_level_must_be_mapping),
	    cmocka_unit_test(test_compose__messages_name_files_as_given),
	    cmocka_unit_test(test_compose__no_compose_file_found),
	    cmocka_unit_test(test_compose__read_file_seam),
	};

	log_set_level(LOG_LEVEL_WARN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
