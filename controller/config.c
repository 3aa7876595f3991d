/*
 * config.c - the local controller config (`-c mooring.yaml`).
 *
 * Every option is described once in config_options[] (as redis'
 * static_configs[]): its dotted YAML path, its type, whether it is
 * required or its default, and where it lands in struct config. Parsing,
 * defaults, checking and freeing all walk that table.
 *
 * Problems are logged as they are found, each with file:line:col, so one
 * run shows them all; config_load() then fails with "N errors in 'path'".
 * Secrets never appear in messages: inline password/token keys are named
 * by key only, and a URL with credentials is refused without echoing it.
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "diag.h"
#include "err.h"
#include "log.h"
#include "path.h"
#include "xalloc.h"

#include "banned.h"

enum config_type {
	CONFIG_STRING,
	CONFIG_PATH,	 /* made absolute against the config file's dir */
	CONFIG_URL,	 /* a repository URL, or a directory (as PATH) */
	CONFIG_DURATION, /* "500ms", "60s", "5m", "1h30m" -> milliseconds */
	CONFIG_ADDRESS,	 /* host:port, the host may be empty */
	CONFIG_BOOL,	 /* true/false -> bool */
};

struct config_option {
	const char *name; /* dotted YAML path */
	enum config_type type;
	bool required;
	const char *def; /* parsed as a value would be; NULL: none */
	/* char * (long for durations, bool for booleans) in struct config */
	size_t offset;
};

#define CONFIG_OPT(name, type, required, def, field)                           \
	{                                                                      \
		name, type, required, def, offsetof(struct config, field)      \
	}

static const struct config_option config_options[] = {
    CONFIG_OPT("repository.url", CONFIG_URL, true, NULL, repository.url),
    CONFIG_OPT("repository.branch", CONFIG_STRING, false, "main",
	       repository.branch),
    CONFIG_OPT("repository.poll_interval", CONFIG_DURATION, false, "60s",
	       repository.poll_interval_ms),
    /* A fetch (or the first clone) that has not finished by then is
     * killed: a server that accepts and never answers must not hold the
     * loop. */
    CONFIG_OPT("repository.fetch_timeout", CONFIG_DURATION, false, "120s",
	       repository.fetch_timeout_ms),
    CONFIG_OPT("repository.username", CONFIG_STRING, false, NULL,
	       repository.username),
    CONFIG_OPT("repository.password_file", CONFIG_PATH, false, NULL,
	       repository.password_file),
    CONFIG_OPT("repository.ssh_key_file", CONFIG_PATH, false, NULL,
	       repository.ssh_key_file),
    CONFIG_OPT("repository.known_hosts_file", CONFIG_PATH, false, NULL,
	       repository.known_hosts_file),
    CONFIG_OPT("repository.ca_file", CONFIG_PATH, false, NULL,
	       repository.ca_file),
    CONFIG_OPT("repository.allowed_signers_file", CONFIG_PATH, false, NULL,
	       repository.allowed_signers_file),
    CONFIG_OPT("state_dir", CONFIG_PATH, false, "/var/lib/mooring", state_dir),
    CONFIG_OPT("docker_socket", CONFIG_PATH, false, "/var/run/docker.sock",
	       docker_socket),
    CONFIG_OPT("listen", CONFIG_ADDRESS, false, "127.0.0.1:9797", listen),
    CONFIG_OPT("webhook_secret_file", CONFIG_PATH, false, NULL,
	       webhook_secret_file),
    CONFIG_OPT("allow_insecure_webhooks", CONFIG_BOOL, false, "false",
	       allow_insecure_webhooks),
    /* Default: 3 x repository.poll_interval, filled in after the table's
     * defaults. */
    CONFIG_OPT("stale_after", CONFIG_DURATION, false, NULL, stale_after_ms),
    /* Default: gethostname(), filled in after the table's defaults. */
    CONFIG_OPT("host", CONFIG_STRING, false, NULL, host),
};

#define CONFIG_NOPTIONS (sizeof(config_options) / sizeof(config_options[0]))

/* A config file is small; these keep a hostile one from costing much. */
static const struct ylimits config_limits = {
    .max_file_size = 1u << 20,
    .max_depth = 16,
    .max_alias_nodes = 10000,
    .max_nodes = 100000,
    .max_scalar_size = 64u << 10,
};

/* Key words that mark an inline secret (compared case-insensitively). */
static const char *const config_secret_words[] = {
    "password", "passwd",  "token",	  "secret",
    "ssh_key",	"api_key", "private_key",
};

struct config_parse {
	struct config *c;
	struct diag diag; /* .file: for messages, as given */
	char *dir;	  /* absolute directory of the file */
	bool seen[CONFIG_NOPTIONS];
};

static const struct config_option *config_find(const char *name)
{
	for (size_t i = 0; i < CONFIG_NOPTIONS; i++)
		if (!strcmp(config_options[i].name, name))
			return &config_options[i];
	return NULL;
}

/* Is name a section (the prefix of some option, as "repository")? */
static bool config_is_section(const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < CONFIG_NOPTIONS; i++)
		if (!strncmp(config_options[i].name, name, n) &&
		    config_options[i].name[n] == '.')
			return true;
	return false;
}

static bool config_has_word(const char *key, const char *word)
{
	size_t n = strlen(word);

	for (const char *k = key; *k; k++)
		if (!strncasecmp(k, word, n))
			return true;
	return false;
}

static bool config_ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static bool config_is_secret_key(const char *key)
{
	if (config_ends_with(key, "_file"))
		return false;
	for (size_t i = 0;
	     i < sizeof(config_secret_words) / sizeof(config_secret_words[0]);
	     i++)
		if (config_has_word(key, config_secret_words[i]))
			return true;
	return false;
}

/* The option to name instead of an inline secret: "<name>_file" when
 * there is one, else the repository password file (a token is one). */
static const char *config_secret_hint(const char *name)
{
	char *file = xasprintf("%s_file", name);
	const struct config_option *o = config_find(file);

	free(file);
	return o ? o->name : "repository.password_file";
}

static void **config_slot(struct config *c, const struct config_option *o)
{
	return (void **)((char *)c + o->offset);
}

/* Parse a duration made of <digits><unit> parts (ms, s, m, h). */
static int config_parse_duration(long *out, const char *s)
{
	const long max = 30L * 24 * 3600 * 1000; /* a month is plenty */
	long total = 0;

	if (!*s)
		return -1;
	while (*s) {
		long n = 0, unit;

		if (*s < '0' || *s > '9')
			return -1;
		for (; *s >= '0' && *s <= '9'; s++) {
			n = n * 10 + (*s - '0');
			if (n > max)
				return -1;
		}
		if (!strncmp(s, "ms", 2)) {
			unit = 1;
			s += 2;
		} else if (*s == 's') {
			unit = 1000;
			s++;
		} else if (*s == 'm') {
			unit = 60 * 1000;
			s++;
		} else if (*s == 'h') {
			unit = 3600 * 1000;
			s++;
		} else {
			return -1;
		}
		if (n > (max - total) / unit)
			return -1;
		total += n * unit;
	}
	if (total <= 0)
		return -1;
	*out = total;
	return 0;
}

static bool config_valid_address(const char *s)
{
	const char *colon = strrchr(s, ':');
	long port = 0;

	if (!colon || !colon[1])
		return false;
	for (const char *d = colon + 1; *d; d++) {
		if (*d < '0' || *d > '9')
			return false;
		port = port * 10 + (*d - '0');
		if (port > 65535)
			return false;
	}
	return port > 0;
}

/* Scheme of a URL ("https" of "https://..."), or NULL for none. */
static char *config_url_scheme(const char *url)
{
	const char *sep = strstr(url, "://");

	if (!sep)
		return NULL;
	for (const char *c = url; c < sep; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '+' || *c == '-' ||
		      *c == '.'))
			return NULL;
	return xstrndup(url, (size_t)(sep - url));
}

/* scp-like git syntax, "git@host:org/repo.git": a colon before any '/'. */
static bool config_url_scp_like(const char *url)
{
	const char *colon = strchr(url, ':');
	const char *slash = strchr(url, '/');

	return colon && colon != url && (!slash || colon < slash) &&
	       !strstr(url, "://");
}

/*
 * Check a repository URL. Never echo it in a message: it may hold a
 * password. A plain directory becomes an absolute path.
 */
static int config_check_url(struct config_parse *p, const struct ymark *m,
			    const char *name, const char *url, char **out)
{
	char *scheme = config_url_scheme(url);
	const char *auth, *end, *at;
	size_t authlen;
	bool http;
	int error = -1;

	if (!scheme && !config_url_scp_like(url)) {
		*out = path_join(p->dir, url);
		return 0;
	}
	if (scheme) {
		if (strcmp(scheme, "https") && strcmp(scheme, "http") &&
		    strcmp(scheme, "ssh") && strcmp(scheme, "git") &&
		    strcmp(scheme, "file")) {
			diag_error(&p->diag, m,
				   "'%s' has an unsupported scheme '%s' "
				   "(expected https, http, ssh, git, file "
				   "or a directory)",
				   name, scheme);
			goto cleanup;
		}
		auth = strstr(url, "://") + 3;
		end = strchr(auth, '/');
	} else {
		/* "user@host:path": the user part ends at the last '@'
		 * before any '/'. */
		auth = url;
		end = strchr(auth, '/');
	}
	authlen = end ? (size_t)(end - auth) : strlen(auth);
	at = NULL;
	for (size_t i = 0; i < authlen; i++)
		if (auth[i] == '@')
			at = auth + i;
	http = scheme && !strncmp(scheme, "http", 4);
	/* A user name alone is how ssh works; for https it is often a
	 * token, and a password is a secret everywhere. */
	if (at && (memchr(auth, ':', (size_t)(at - auth)) || http)) {
		diag_error(&p->diag, m,
			   "'%s' must not hold credentials: use "
			   "'repository.username' and "
			   "'repository.password_file'",
			   name);
		goto cleanup;
	}
	if (scheme && !strcmp(scheme, "file")) {
		if (*auth != '/' && strncmp(auth, "localhost/", 10)) {
			diag_error(&p->diag, m,
				   "'%s' is a file:// URL without an "
				   "absolute path",
				   name);
			goto cleanup;
		}
	} else if (authlen == 0 || (at && (at + 1 == auth + authlen ||
					   (!scheme && at[1] == ':')))) {
		diag_error(&p->diag, m, "'%s' has no host", name);
		goto cleanup;
	}
	*out = xstrdup(url);
	error = 0;
cleanup:
	free(scheme);
	return error;
}

/*
 * Turn text into the option's value in *c. m is NULL for defaults. An
 * invalid value is reported (and counted) here.
 */
static int config_set_text(struct config_parse *p,
			   const struct config_option *o, const char *text,
			   const struct ymark *m)
{
	void **slot = config_slot(p->c, o);
	char *value = NULL;
	long ms = 0;

	switch (o->type) {
	case CONFIG_STRING:
		value = xstrdup(text);
		break;
	case CONFIG_PATH:
		value = path_join(p->dir, text);
		break;
	case CONFIG_URL:
		if (config_check_url(p, m, o->name, text, &value) < 0)
			return -1;
		break;
	case CONFIG_DURATION:
		if (config_parse_duration(&ms, text) < 0) {
			diag_error(&p->diag, m,
				   "'%s' is not a duration: '%s' (expected "
				   "e.g. 500ms, 60s, 5m, 1h30m)",
				   o->name, text);
			return -1;
		}
		*(long *)slot = ms;
		return 0;
	case CONFIG_ADDRESS:
		if (!config_valid_address(text)) {
			diag_error(&p->diag, m,
				   "'%s' is not an address: '%s' (expected "
				   "host:port)",
				   o->name, text);
			return -1;
		}
		value = xstrdup(text);
		break;
	case CONFIG_BOOL:
		if (strcmp(text, "true") && strcmp(text, "false")) {
			diag_error(&p->diag, m,
				   "'%s' must be true or false, not '%s'",
				   o->name, text);
			return -1;
		}
		*(bool *)slot = !strcmp(text, "true");
		return 0;
	}
	free(*slot);
	*slot = value;
	return 0;
}

static void config_set_node(struct config_parse *p,
			    const struct config_option *o,
			    const struct ynode *v)
{
	if (o->type == CONFIG_BOOL) {
		if (v->kind != YNODE_BOOL)
			diag_error(&p->diag, &v->mark,
				   "'%s' must be true or false, not a %s",
				   o->name, ynode_kind_name(v->kind));
		else
			config_set_text(p, o, v->u.b ? "true" : "false",
					&v->mark);
		return;
	}
	switch (v->kind) {
	case YNODE_STR:
	case YNODE_INT:
	case YNODE_FLOAT:
		break;
	case YNODE_NULL:
		diag_error(&p->diag, &v->mark, "'%s' needs a value", o->name);
		return;
	default:
		diag_error(&p->diag, &v->mark, "'%s' must be a %s, not a %s",
			   o->name,
			   o->type == CONFIG_DURATION ? "duration" : "string",
			   ynode_kind_name(v->kind));
		return;
	}
	if (!v->text || !v->text[0]) {
		diag_error(&p->diag, &v->mark, "'%s' needs a value", o->name);
		return;
	}
	if (o->type == CONFIG_DURATION && v->kind != YNODE_STR) {
		diag_error(&p->diag, &v->mark,
			   "'%s' needs a unit: '%s' (e.g. %ss for seconds)",
			   o->name, v->text, v->text);
		return;
	}
	config_set_text(p, o, v->text, &v->mark);
}

/* Walk one mapping; prefix is "" at the top, "repository." below. */
static void config_walk(struct config_parse *p, const struct ynode *map,
			const char *prefix)
{
	for (size_t i = 0; i < map->u.map.n; i++) {
		const struct ypair *kv = &map->u.map.items[i];
		char *name = xasprintf("%s%s", prefix, kv->key);
		const struct config_option *o = config_find(name);

		if (o) {
			p->seen[o - config_options] = true;
			config_set_node(p, o, kv->value);
		} else if (config_is_section(name)) {
			if (kv->value->kind == YNODE_MAP) {
				char *sub = xasprintf("%s.", name);

				config_walk(p, kv->value, sub);
				free(sub);
			} else {
				diag_error(&p->diag, &kv->value->mark,
					   "'%s' must be a mapping, not a %s",
					   name,
					   ynode_kind_name(kv->value->kind));
			}
		} else if (config_is_secret_key(kv->key)) {
			/* Name the key only: the value is the secret. */
			diag_error(&p->diag, &kv->key_mark,
				   "'%s' must not be inline: put it in a "
				   "file and name the file with '%s'",
				   name, config_secret_hint(name));
		} else {
			diag_error(&p->diag, &kv->key_mark,
				   "unknown option '%s'", name);
		}
		free(name);
	}
}

/* Where a missing "a.b" would go: the `a:` mapping, else the top. */
static const struct ymark *config_missing_mark(const struct ynode *root,
					       const char *name)
{
	const char *dot = strchr(name, '.');
	const struct ypair *kv;
	char *section;

	if (!dot || root->kind != YNODE_MAP)
		return &root->mark;
	section = xstrndup(name, (size_t)(dot - name));
	kv = ynode_map_pair(root, section);
	free(section);
	return kv ? &kv->key_mark : &root->mark;
}

static void config_finish(struct config_parse *p, const struct ynode *root)
{
	char host[HOST_NAME_MAX + 1];

	for (size_t i = 0; i < CONFIG_NOPTIONS; i++) {
		const struct config_option *o = &config_options[i];

		if (p->seen[i])
			continue;
		if (o->required)
			diag_error(&p->diag, config_missing_mark(root, o->name),
				   "missing required option '%s'", o->name);
		else if (o->def)
			config_set_text(p, o, o->def, NULL);
	}
	if (!p->seen[config_find("stale_after") - config_options])
		p->c->stale_after_ms = 3 * p->c->repository.poll_interval_ms;
	if (!p->c->host) {
		if (gethostname(host, sizeof(host)) < 0 || !host[0]) {
			diag_error(&p->diag, &root->mark,
				   "cannot get the host name: set 'host'");
			return;
		}
		host[sizeof(host) - 1] = '\0';
		p->c->host = xstrdup(host);
	}
}

int config_load(struct config **out, const char *path)
{
	struct config_parse p;
	struct ynode *root = NULL;
	char *abs = NULL;
	int error = -1;

	memset(&p, 0, sizeof(p));
	p.diag.file = path;
	p.c = xcalloc(1, sizeof(*p.c));
	p.c->path = xstrdup(path);
	if ((error = path_absolute(&abs, path)) < 0)
		goto cleanup;
	p.dir = path_dirname(abs);
	if ((error = ynode_load_file(&root, path, &config_limits)) < 0)
		goto cleanup;
	if (root->kind == YNODE_MAP)
		config_walk(&p, root, "");
	else if (root->kind != YNODE_NULL)
		diag_error(&p.diag, &root->mark,
			   "the top level must be a mapping, not a %s",
			   ynode_kind_name(root->kind));
	config_finish(&p, root);
	if ((error = diag_finish(&p.diag, path)) < 0)
		goto cleanup;
	*out = p.c;
	p.c = NULL;
	error = 0;
cleanup:
	config_free(p.c);
	ynode_free(root);
	free(abs);
	free(p.dir);
	return error;
}

void config_free(struct config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < CONFIG_NOPTIONS; i++)
		if (config_options[i].type != CONFIG_DURATION &&
		    config_options[i].type != CONFIG_BOOL)
			free(*config_slot(c, &config_options[i]));
	free(c->path);
	free(c);
}

int config_repo_is_local(const struct config *c)
{
	const char *url = c->repository.url;

	if (!url)
		return 0;
	if (!strncmp(url, "file://", 7))
		return 1;
	return !strstr(url, "://") && !config_url_scp_like(url);
}
