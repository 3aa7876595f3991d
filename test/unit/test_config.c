/* test_config.c - the local config: defaults, paths, every error found. */
#include "unit.h"

#include <limits.h>
#include <unistd.h>

#include "config.h"
#include "xalloc.h"

static char tmpdir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/mooring-test-config.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Write text to <tmpdir>/<name> and return its path (static storage). */
static const char *write_config(const char *name, const char *text)
{
	static char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* Load text as a config expected to fail; the logged lines land in w. */
static void load_bad(struct unit_warnings *w, const char *text)
{
	struct config *c = NULL;

	unit_capture_warnings(w);
	assert_int_equal(config_load(&c, write_config("bad.yaml", text)),
			 MOOR_EINVAL);
	unit_release_warnings();
	assert_null(c);
}

#define assert_logged(w, needle)                                               \
	do {                                                                   \
		if (!strstr((w)->text, (needle)))                              \
			fail_msg("log '%s' does not contain '%s'", (w)->text,  \
				 (needle));                                    \
	} while (0)

static void test_config__defaults(void **state)
{
	struct config *c = NULL;
	char host[256] = "";
	char want[PATH_MAX];

	(void)state;
	assert_int_equal(
	    config_load(&c, write_config("m.yaml", "repository:\n"
						   "  url: /srv/infra\n")),
	    0);
	assert_string_equal(c->repository.url, "/srv/infra");
	assert_string_equal(c->repository.branch, "main");
	assert_int_equal(c->repository.poll_interval_ms, 60000);
	assert_null(c->repository.username);
	assert_null(c->repository.password_file);
	assert_string_equal(c->state_dir, "/var/lib/mooring");
	assert_string_equal(c->docker_socket, "/var/run/docker.sock");
	assert_string_equal(c->listen, "127.0.0.1:9797");
	assert_null(c->webhook_secret_file);
	gethostname(host, sizeof(host));
	assert_string_equal(c->host, host);
	snprintf(want, sizeof(want), "%s/m.yaml", tmpdir);
	assert_string_equal(c->path, want);
	assert_true(config_repo_is_local(c));
	config_free(c);
	config_free(NULL);
}

static void test_config__every_option(void **state)
{
	struct config *c = NULL;

	(void)state;
	assert_int_equal(
	    config_load(&c, write_config(
				"m.yaml",
				"repository:\n"
				"  url: https://git.example.com/infra.git\n"
				"  branch: prod\n"
				"  poll_interval: 1h30m\n"
				"  username: deploy\n"
				"  password_file: /etc/mooring/token\n"
				"  ssh_key_file: /etc/mooring/id_ed25519\n"
				"  known_hosts_file: /etc/mooring/known_hosts\n"
				"  ca_file: /etc/mooring/ca.pem\n"
				"  allowed_signers_file: /etc/mooring/signers\n"
				"state_dir: /var/lib/m\n"
				"docker_socket: /run/docker.sock\n"
				"listen: '[::1]:9000'\n"
				"webhook_secret_file: /etc/mooring/hook\n"
				"host: web-01\n")),
	    0);
	assert_string_equal(c->repository.url,
			    "https://git.example.com/infra.git");
	assert_string_equal(c->repository.branch, "prod");
	assert_int_equal(c->repository.poll_interval_ms, 5400000);
	assert_string_equal(c->repository.username, "deploy");
	assert_string_equal(c->repository.password_file, "/etc/mooring/token");
	assert_string_equal(c->repository.ssh_key_file,
			    "/etc/mooring/id_ed25519");
	assert_string_equal(c->repository.known_hosts_file,
			    "/etc/mooring/known_hosts");
	assert_string_equal(c->repository.ca_file, "/etc/mooring/ca.pem");
	assert_string_equal(c->repository.allowed_signers_file,
			    "/etc/mooring/signers");
	assert_string_equal(c->state_dir, "/var/lib/m");
	assert_string_equal(c->docker_socket, "/run/docker.sock");
	assert_string_equal(c->listen, "[::1]:9000");
	assert_string_equal(c->webhook_secret_file, "/etc/mooring/hook");
	assert_string_equal(c->host, "web-01");
	assert_false(config_repo_is_local(c));
	config_free(c);
}

static void test_config__relative_paths_from_the_file(void **state)
{
	struct config *c = NULL;
	char want[PATH_MAX];

	(void)state;
	assert_int_equal(
	    config_load(&c,
			write_config("m.yaml",
				     "repository:\n"
				     "  url: ../infra\n"
				     "  password_file: secrets/token\n"
				     "state_dir: ./state\n"
				     "docker_socket: run/../docker.sock\n")),
	    0);
	/* Relative to the file's directory, not to the current one. */
	snprintf(want, sizeof(want), "%s/secrets/token", tmpdir);
	assert_string_equal(c->repository.password_file, want);
	snprintf(want, sizeof(want), "%s/state", tmpdir);
	assert_string_equal(c->state_dir, want);
	snprintf(want, sizeof(want), "%s/docker.sock", tmpdir);
	assert_string_equal(c->docker_socket, want);
	assert_string_equal(c->repository.url, "/tmp/infra");
	assert_true(config_repo_is_local(c));
	config_free(c);
}

static void test_config__durations(void **state)
{
	static const struct {
		const char *text;
		long ms;
	} cases[] = {
	    {"500ms", 500},  {"60s", 60000},   {"5m", 300000},
	    {"1h", 3600000}, {"1m30s", 90000}, {"2h0m1s500ms", 7201500},
	};
	struct config *c = NULL;
	char text[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text),
			 "repository:\n  url: /srv\n  poll_interval: %s\n",
			 cases[i].text);
		assert_int_equal(config_load(&c, write_config("d.yaml", text)),
				 0);
		assert_int_equal(c->repository.poll_interval_ms, cases[i].ms);
		config_free(c);
		c = NULL;
	}
}

static void test_config__bad_durations(void **state)
{
	static const char *const bad[] = {"5x",	 "m5", "1.5s", "0s",
					  "-1s", "1d", "s",    "99999999999h"};
	struct unit_warnings w;
	char text[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text),
			 "repository:\n  url: /srv\n  poll_interval: %s\n",
			 bad[i]);
		load_bad(&w, text);
		assert_int_equal(w.count, 1);
		assert_logged(&w, "bad.yaml:3:18: 'repository.poll_interval' "
				  "is not a duration");
	}
	load_bad(&w, "repository:\n  url: /srv\n  poll_interval: 60\n");
	assert_logged(&w, "bad.yaml:3:18: 'repository.poll_interval' needs "
			  "a unit");
}

static void test_config__all_errors_with_positions(void **state)
{
	struct unit_warnings w;

	(void)state;
	load_bad(&w, "repository:\n"
		     "  url: /srv\n"
		     "  brnch: main\n"
		     "  branch: [main]\n"
		     "state_dir:\n"
		     "listen: localhost\n"
		     "bogus: 1\n"
		     "host: {a: b}\n"
		     "docker_socket: true\n");
	assert_int_equal(w.count, 7);
	assert_logged(&w, "bad.yaml:3:3: unknown option 'repository.brnch'");
	assert_logged(&w, "bad.yaml:4:11: 'repository.branch' must be a "
			  "string, not a sequence");
	assert_logged(&w, "bad.yaml:5:11: 'state_dir' needs a value");
	assert_logged(&w,
		      "bad.yaml:6:9: 'listen' is not an address: 'localhost'");
	assert_logged(&w, "bad.yaml:7:1: unknown option 'bogus'");
	assert_logged(&w, "bad.yaml:8:7: 'host' must be a string, not a map");
	assert_logged(&w, "bad.yaml:9:16: 'docker_socket' must be a string, "
			  "not a bool");
	assert_err_contains("7 errors in '");
	assert_err_contains("bad.yaml'");
}

static void test_config__missing_required(void **state)
{
	struct unit_warnings w;

	(void)state;
	load_bad(&w, "state_dir: /x\nrepository:\n  branch: main\n");
	assert_int_equal(w.count, 1);
	/* At the section it belongs in, when there is one. */
	assert_logged(&w, "bad.yaml:2:1: missing required option "
			  "'repository.url'");
	assert_err_contains("1 error in '");

	load_bad(&w, "state_dir: /x\n");
	assert_logged(&w, "bad.yaml:1:1: missing required option "
			  "'repository.url'");

	load_bad(&w, "");
	assert_logged(&w, "bad.yaml:1:1: missing required option "
			  "'repository.url'");
}

static void test_config__section_must_be_a_mapping(void **state)
{
	struct unit_warnings w;

	(void)state;
	load_bad(&w, "repository: https://git.example.com/x.git\n");
	assert_logged(&w, "bad.yaml:1:13: 'repository' must be a mapping, "
			  "not a string");
	assert_logged(&w, "missing required option 'repository.url'");
	assert_int_equal(w.count, 2);

	load_bad(&w, "- a\n- b\n");
	assert_logged(&w, "bad.yaml:1:1: the top level must be a mapping");
}

static void test_config__inline_secrets_refused(void **state)
{
	struct unit_warnings w;

	(void)state;
	load_bad(&w, "repository:\n"
		     "  url: /srv\n"
		     "  password: hunter2\n"
		     "  token: tok-123\n"
		     "  ssh_key: tok-789\n"
		     "webhook_secret: s3cr3t\n"
		     "api_token: tok-456\n");
	assert_int_equal(w.count, 5);
	assert_logged(&w, "bad.yaml:3:3: 'repository.password' must not be "
			  "inline: put it in a file and name the file with "
			  "'repository.password_file'");
	assert_logged(&w, "bad.yaml:4:3: 'repository.token' must not be "
			  "inline");
	assert_logged(&w, "bad.yaml:6:1: 'webhook_secret' must not be inline: "
			  "put it in a file and name the file with "
			  "'webhook_secret_file'");
	assert_logged(&w, "bad.yaml:7:1: 'api_token' must not be inline");
	assert_logged(&w, "'repository.ssh_key' must not be inline: put it in "
			  "a file and name the file with "
			  "'repository.ssh_key_file'");
	/* The values never show. */
	assert_null(strstr(w.text, "hunter2"));
	assert_null(strstr(w.text, "tok-"));
	assert_null(strstr(w.text, "s3cr3t"));
}

static void test_config__credentials_in_url_refused_unechoed(void **state)
{
	static const char *const urls[] = {
	    "https://bob:hunter2@git.example.com/infra.git",
	    "https://ghp_hunter2@git.example.com/infra.git",
	    "ssh://git:hunter2@git.example.com/infra.git",
	    "git:hunter2@git.example.com:infra.git",
	};
	struct unit_warnings w;
	char text[512];

	(void)state;
	for (size_t i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		snprintf(text, sizeof(text), "repository:\n  url: %s\n",
			 urls[i]);
		load_bad(&w, text);
		assert_int_equal(w.count, 1);
		assert_logged(&w, "bad.yaml:2:8: 'repository.url' must not "
				  "hold credentials");
		assert_null(strstr(w.text, "hunter2"));
		assert_null(strstr(err_last(), "hunter2"));
	}
}

static void test_config__urls(void **state)
{
	static const char *const good[] = {
	    "ssh://git@git.example.com/infra.git",
	    "git://git.example.com/infra.git",
	    "git@git.example.com:org/infra.git",
	    "http://git.example.com:8080/infra.git",
	};
	struct unit_warnings w;
	struct config *c = NULL;
	char text[512];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		snprintf(text, sizeof(text), "repository:\n  url: %s\n",
			 good[i]);
		assert_int_equal(config_load(&c, write_config("u.yaml", text)),
				 0);
		assert_string_equal(c->repository.url, good[i]);
		assert_false(config_repo_is_local(c));
		config_free(c);
		c = NULL;
	}
	assert_int_equal(
	    config_load(&c, write_config("u.yaml", "repository:\n  url: "
						   "file:///srv/infra\n")),
	    0);
	assert_true(config_repo_is_local(c));
	config_free(c);

	load_bad(&w, "repository:\n  url: ftp://example.com/x\n");
	assert_logged(&w, "bad.yaml:2:8: 'repository.url' has an unsupported "
			  "scheme 'ftp'");
	load_bad(&w, "repository:\n  url: https:///x\n");
	assert_logged(&w, "bad.yaml:2:8: 'repository.url' has no host");
	load_bad(&w, "repository:\n  url: file://relative/dir\n");
	assert_logged(&w, "'repository.url' is a file:// URL without an "
			  "absolute path");
}

static void test_config__syntax_error_names_the_file(void **state)
{
	struct config *c = NULL;

	(void)state;
	assert_int_equal(
	    config_load(&c, write_config("s.yaml", "repository:\n"
						   "  url: \"/srv\n")),
	    MOOR_EINVAL);
	assert_err_contains("s.yaml:");
	assert_null(c);
	assert_int_equal(config_load(&c, "/nonexistent/mooring.yaml"),
			 MOOR_ENOTFOUND);
	assert_err_contains("/nonexistent/mooring.yaml");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_config__defaults),
	    cmocka_unit_test(test_config__every_option),
	    cmocka_unit_test(test_config__relative_paths_from_the_file),
	    cmocka_unit_test(test_config__durations),
	    cmocka_unit_test(test_config__bad_durations),
	    cmocka_unit_test(test_config__all_errors_with_positions),
	    cmocka_unit_test(test_config__missing_required),
	    cmocka_unit_test(test_config__section_must_be_a_mapping),
	    cmocka_unit_test(test_config__inline_secrets_refused),
	    cmocka_unit_test(test_config__credentials_in_url_refused_unechoed),
	    cmocka_unit_test(test_config__urls),
	    cmocka_unit_test(test_config__syntax_error_names_the_file),
	};
	return cmocka_run_group_tests_name("config", tests, setup, teardown);
}
