/*
 * finding.c - Finding objects (finding.h): domains, placeholder risk,
 * secret masking, ids.
 */
#include "finding.h"

#include <ctype.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "buf.h"
#include "digest.h"
#include "emit.h"
#include "err.h"
#include "path.h"
#include "state.h"
#include "xalloc.h"

#include "banned.h"

#define FINDING_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Substrings of a variable name that make its value a secret (PASS
 * covers PASSWORD, PASSWD, PASSPHRASE; over-masking is the safe error). */
static const char *const finding_secret_words[] = {
    "PASS",    "PWD",  "SECRET", "TOKEN", "KEY",  "CREDENTIAL",
    "PRIVATE", "AUTH", "DSN",	 "CERT",  "SALT", "COOKIE",
};

/* Service keys by domain (DESIGN 4.4). Keys not listed are runtime. */
static const struct finding_domain_entry {
	const char *key;
	const char *domain;
} finding_domains[] = {
    {"annotations", "metadata"},
    {"blkio_config", "capacity"},
    {"cap_add", "identity"},
    {"cap_drop", "identity"},
    {"cgroup", "identity"},
    {"cgroup_parent", "identity"},
    {"configs", "storage"},
    {"container_name", "metadata"},
    {"cpu_count", "capacity"},
    {"cpu_percent", "capacity"},
    {"cpu_period", "capacity"},
    {"cpu_quota", "capacity"},
    {"cpu_rt_period", "capacity"},
    {"cpu_rt_runtime", "capacity"},
    {"cpu_shares", "capacity"},
    {"cpus", "capacity"},
    {"cpuset", "capacity"},
    {"device_cgroup_rules", "identity"},
    {"devices", "identity"},
    {"dns", "network"},
    {"dns_opt", "network"},
    {"dns_search", "network"},
    {"domainname", "network"},
    {"expose", "network"},
    {"external_links", "network"},
    {"extra_hosts", "network"},
    {"group_add", "identity"},
    {"hostname", "network"},
    {"image", "image"},
    {"ipc", "identity"},
    {"label_file", "metadata"},
    {"labels", "metadata"},
    {"links", "network"},
    {"mac_address", "network"},
    {"mem_limit", "capacity"},
    {"mem_reservation", "capacity"},
    {"mem_swappiness", "capacity"},
    {"memswap_limit", "capacity"},
    {"network_mode", "network"},
    {"networks", "network"},
    {"oom_kill_disable", "capacity"},
    {"oom_score_adj", "capacity"},
    {"pid", "identity"},
    {"pids_limit", "capacity"},
    {"ports", "network"},
    {"privileged", "identity"},
    {"pull_policy", "image"},
    {"read_only", "storage"},
    {"runtime", "identity"},
    {"secrets", "secret"},
    {"security_opt", "identity"},
    {"shm_size", "capacity"},
    {"storage_opt", "storage"},
    {"tmpfs", "storage"},
    {"ulimits", "capacity"},
    {"user", "identity"},
    {"userns_mode", "identity"},
    {"volumes", "storage"},
    {"volumes_from", "storage"},
};

/* Service keys outside those domains that a rule must name all the same:
 * what the container runs, and the mounts (the docker socket). */
static const char *const finding_guarded_extra[] = {"command", "entrypoint",
						    "volumes"};

const char *finding_guarded_key(size_t i)
{
	static const char *const domains[] = {"image", "identity", "network"};

	for (size_t d = 0; d < FINDING_NELEM(domains); d++)
		for (size_t k = 0; k < FINDING_NELEM(finding_domains); k++)
			if (!strcmp(finding_domains[k].domain, domains[d]) &&
			    i-- == 0)
				return finding_domains[k].key;
	return i < FINDING_NELEM(finding_guarded_extra)
		   ? finding_guarded_extra[i]
		   : NULL;
}

/* Most important first: a finding takes the first domain any change hits. */
static const char *const finding_domain_order[] = {
    "identity", "secret",  "image",   "network",
    "capacity", "storage", "runtime", "metadata",
};

static const char *const finding_risks[] = {"low", "medium", "high",
					    "critical"};

int finding_key_load(struct finding_key *out, const char *state_dir)
{
	struct buf b = BUF_INIT(FINDING_KEY_MAX);
	char *path = NULL;
	size_t len = 0;
	int error = -1;

	path = path_join(state_dir, FINDING_KEY_FILE);
	error = buf_read_file(&b, path);
	if (error == MOOR_ENOTFOUND) {
		err_clear();
		memset(out, 0, sizeof(*out));
		error = 0;
		goto cleanup;
	}
	if (error < 0)
		goto cleanup;
	out->data = (unsigned char *)buf_detach(&b, &len);
	out->len = len;
	error = 0;
cleanup:
	buf_release(&b);
	free(path);
	return error;
}

int finding_key_ensure(const char *state_dir)
{
	unsigned char key[FINDING_KEY_NEW];
	char *path = path_join(state_dir, FINDING_KEY_FILE);
	struct stat st;
	int error = 0;

	if (stat(path, &st) == 0)
		goto cleanup;
	if (RAND_bytes(key, (int)sizeof(key)) != 1) {
		error = err_set(MOOR_ERR, "cannot make a key for '%s'", path);
		goto cleanup;
	}
	/* mkstemp's 0600, renamed into place whole. */
	error = state_write_atomic(path, key, sizeof(key));
	OPENSSL_cleanse(key, sizeof(key));
cleanup:
	free(path);
	return error;
}

void finding_key_release(struct finding_key *k)
{
	if (!k)
		return;
	if (k->data) {
		/* Do not leave the key in freed memory. */
		OPENSSL_cleanse(k->data, k->len);
		free(k->data);
	}
	memset(k, 0, sizeof(*k));
}

/* Case-insensitive substring search. */
static bool finding_contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++) {
		size_t i;

		for (i = 0; i < n && hay[i]; i++)
			if (toupper((unsigned char)hay[i]) != needle[i])
				break;
		if (i == n)
			return true;
	}
	return false;
}

/* "scheme://user:password@host...", "https://<token>@host/...": a URL
 * with user info carries credentials (a token is often the user part),
 * under whatever name (DATABASE_URL, a label). */
static bool finding_value_has_credentials(const struct ynode *v)
{
	const char *s, *end;

	if (!v || v->kind != YNODE_STR)
		return false;
	for (s = strstr(v->text, "://"); s; s = strstr(s + 3, "://")) {
		end = s + 3 + strcspn(s + 3, "/?# \t");
		if (memchr(s + 3, '@', (size_t)(end - s - 3)))
			return true;
	}
	return false;
}

bool finding_key_is_secret(const char *name)
{
	for (size_t i = 0; i < FINDING_NELEM(finding_secret_words); i++)
		if (finding_contains_ci(name, finding_secret_words[i]))
			return true;
	return false;
}

/*
 * Split a JSON pointer into its first tokens: tok[0..n), unescaped
 * (RFC 6901), at most max of them. Returns how many were found.
 */
static size_t finding_tokens(char **tok, size_t max, const char *path)
{
	size_t n = 0;

	if (*path != '/')
		return 0;
	while (*path == '/' && n < max) {
		const char *end = strchr(path + 1, '/');
		size_t len = end ? (size_t)(end - path - 1) : strlen(path + 1);
		char *t = xmalloc(len + 1);
		size_t j = 0;

		for (size_t i = 0; i < len; i++) {
			char c = path[1 + i];

			if (c == '~' && i + 1 < len &&
			    (path[2 + i] == '0' || path[2 + i] == '1')) {
				c = path[2 + i] == '0' ? '~' : '/';
				i++;
			}
			t[j++] = c;
		}
		t[j] = '\0';
		tok[n++] = t;
		if (!end)
			break;
		path = end;
	}
	return n;
}

static void finding_tokens_free(char **tok, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(tok[i]);
}

bool finding_path_is_secret(const char *path)
{
	char *tok[5] = {0};
	size_t n = finding_tokens(tok, 5, path);
	bool secret = false;

	if (n >= 1 && !strcmp(tok[0], "secrets"))
		secret = true;
	else if (n >= 4 && !strcmp(tok[0], "services") &&
		 !strcmp(tok[2], "environment"))
		secret = finding_key_is_secret(tok[3]);
	/* Logging drivers take tokens as options (splunk-token, ...). */
	else if (n >= 5 && !strcmp(tok[0], "services") &&
		 !strcmp(tok[2], "logging") && !strcmp(tok[3], "options"))
		secret = finding_key_is_secret(tok[4]);
	finding_tokens_free(tok, n);
	return secret;
}

/* Does a bind mount of this host path give the container the docker
 * socket: the socket itself (any *docker.sock, rootless ones under
 * /run/user too), or a directory that holds the daemon's socket? */
static bool finding_reaches_socket(const char *src)
{
	static const char *const dirs[] = {"/", "/var", "/var/run", "/run"};
	size_t len = strlen(src);

	while (len > 1 && src[len - 1] == '/')
		len--;
	if (len >= 11 && !strncmp(src + len - 11, "docker.sock", 11))
		return true;
	for (size_t i = 0; i < FINDING_NELEM(dirs); i++)
		if (strlen(dirs[i]) == len && !strncmp(src, dirs[i], len))
			return true;
	return false;
}

static bool finding_mount_reaches_socket(const struct ynode *m)
{
	const struct ynode *src = ynode_map_get(m, "source");

	return src && src->kind == YNODE_STR &&
	       finding_reaches_socket(src->text);
}

bool finding_mounts_docker_socket(const struct ynode *vols)
{
	if (vols && vols->kind == YNODE_MAP)
		return finding_mount_reaches_socket(vols);
	for (size_t i = 0; vols && vols->kind == YNODE_SEQ && i < vols->u.seq.n;
	     i++)
		if (finding_mount_reaches_socket(vols->u.seq.items[i]))
			return true;
	return false;
}

const char *finding_domain(const struct change *ch)
{
	char *tok[4] = {0};
	size_t n = finding_tokens(tok, 4, ch->path);
	const char *domain = "runtime";

	if (n >= 1 && !strcmp(tok[0], "secrets")) {
		domain = "secret";
	} else if (n >= 1 && strcmp(tok[0], "services") != 0) {
		/* Top-level networks and volumes. */
		if (!strcmp(tok[0], "networks"))
			domain = "network";
		else if (!strcmp(tok[0], "volumes"))
			domain = "storage";
	} else if (n >= 3) {
		const char *key = tok[2];

		for (size_t i = 0; i < FINDING_NELEM(finding_domains); i++)
			if (!strcmp(key, finding_domains[i].key))
				domain = finding_domains[i].domain;
		if (!strcmp(key, "deploy") && n >= 4 &&
		    !strcmp(tok[3], "resources"))
			domain = "capacity";
		if (finding_path_is_secret(ch->path))
			domain = "secret";
		if (!strcmp(key, "volumes") &&
		    (finding_mounts_docker_socket(ch->desired) ||
		     finding_mounts_docker_socket(ch->recorded) ||
		     finding_mounts_docker_socket(ch->actual)))
			domain = "identity";
	}
	finding_tokens_free(tok, n);
	return domain;
}

const char *finding_domain_top(const char *a, const char *b)
{
	for (size_t j = 0; j < FINDING_NELEM(finding_domain_order); j++)
		if ((a && !strcmp(a, finding_domain_order[j])) ||
		    (b && !strcmp(b, finding_domain_order[j])))
			return finding_domain_order[j];
	return a ? a : b;
}

const char *finding_domain_of(const struct change *const *changes, size_t n)
{
	const char *best = NULL;

	for (size_t i = 0; i < n; i++)
		best = finding_domain_top(best, finding_domain(changes[i]));
	return best ? best : "runtime";
}

const char *finding_risk(const char *risk_tier, const char *domain)
{
	int level = 1; /* standard */

	if (risk_tier && !strcmp(risk_tier, "critical"))
		level = 3;
	else if (risk_tier && !strcmp(risk_tier, "high"))
		level = 2;
	else if (risk_tier && !strcmp(risk_tier, "low"))
		level = 0;
	if (domain &&
	    (!strcmp(domain, "identity") || !strcmp(domain, "secret")))
		level++;
	else if (domain && !strcmp(domain, "metadata"))
		level--;
	if (level < 0)
		level = 0;
	if (level > 3)
		level = 3;
	return finding_risks[level];
}

/* ---- values ---------------------------------------------------------- */

static json_t *finding_mask(const struct ynode *v,
			    const struct finding_key *key)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	struct buf text = BUF_INIT(BUF_UNBOUNDED);
	char out[2 * EVP_MAX_MD_SIZE + 1];
	json_t *j = NULL;

	if (v->kind == YNODE_NULL)
		return json_null(); /* unset is not a secret */
	j = json_pack("{s:b}", "changed", 1);
	if (!key || !key->len)
		return j;
	if (ynode_is_scalar(v)) {
		if (buf_add(&text, v->text ? v->text : "", v->text_len) < 0)
			goto fail;
	} else if (emit_json(&text, v, EMIT_SORTED | EMIT_COMPACT) < 0) {
		goto fail;
	}
	if (!HMAC(EVP_sha256(), key->data, (int)key->len,
		  (const unsigned char *)buf_cstr(&text), text.len, md,
		  &mdlen)) {
		err_set(MOOR_ERR, "hmac-sha256 failed");
		goto fail;
	}
	for (unsigned int i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * mdlen] = '\0';
	json_object_set_new(j, "hmac", json_string(out));
	OPENSSL_cleanse(text.data, text.len);
	buf_release(&text);
	return j;
fail:
	if (text.data)
		OPENSSL_cleanse(text.data, text.len);
	buf_release(&text);
	json_decref(j);
	return NULL;
}

/* Is path exactly /services/<s>/environment or .../logging/options (a
 * mapping whose keys say which values are secret)? */
static bool finding_is_environment(const char *path)
{
	char *tok[5] = {0};
	size_t n = finding_tokens(tok, 5, path);
	bool yes = n >= 3 && !strcmp(tok[0], "services") &&
		   ((n == 3 && !strcmp(tok[2], "environment")) ||
		    (n == 4 && !strcmp(tok[2], "logging") &&
		     !strcmp(tok[3], "options")));

	finding_tokens_free(tok, n);
	return yes;
}

json_t *finding_value(const char *path, const struct ynode *v,
		      const struct finding_key *key)
{
	json_t *j = NULL, *child;

	if (!v)
		return json_null();
	if (finding_path_is_secret(path) || finding_value_has_credentials(v))
		return finding_mask(v, key);
	if (v->kind != YNODE_MAP || !finding_is_environment(path))
		return emit_to_json(v);
	/* A whole environment mapping (present in one plane only). */
	j = json_object();
	for (size_t i = 0; i < v->u.map.n; i++) {
		const struct ypair *p = &v->u.map.items[i];

		child = finding_key_is_secret(p->key) ||
				finding_value_has_credentials(p->value)
			    ? finding_mask(p->value, key)
			    : emit_to_json(p->value);
		if (!child || json_object_set_new(j, p->key, child)) {
			json_decref(j);
			return NULL;
		}
	}
	return j;
}

/* ---- findings -------------------------------------------------------- */

void finding_format_time(char out[32], time_t t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

char *finding_relative_file(const char *root, const char *file)
{
	size_t n;

	if (!file)
		return NULL;
	if (!root || !*root)
		return xstrdup(file);
	n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	if (!strncmp(file, root, n) && file[n] == '/')
		return xstrdup(file + n + 1);
	return xstrdup(file);
}

static int finding_id(char out[64], const struct finding_ctx *fc,
		      const struct change *const *changes, size_t n)
{
	struct buf b = BUF_INIT(BUF_UNBOUNDED);
	char hex[65], day[16];
	struct tm tm;
	int error = -1;

	memset(&tm, 0, sizeof(tm));
	gmtime_r(&fc->now, &tm);
	strftime(day, sizeof(day), "%Y%m%d", &tm);
	buf_printf(&b, "%s/%s", fc->unit->name, fc->service ? fc->service : "");
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "/%s", changes[i]->path);
	if (n == 0 && fc->container)
		buf_printf(&b, "/%s", fc->container);
	if ((error = digest_sha256_hex(hex, buf_cstr(&b), b.len)) < 0)
		goto cleanup;
	snprintf(out, 64, "drift-%s-%.12s", day, hex);
	error = 0;
cleanup:
	buf_release(&b);
	return error;
}

static json_t *finding_change(const struct finding_ctx *fc,
			      const struct change *ch)
{
	json_t *j = json_object(), *d, *r, *a, *absent = NULL;
	char *file = finding_relative_file(fc->root, ch->mark.file);

	d = finding_value(ch->path, ch->desired, fc->key);
	r = finding_value(ch->path, ch->recorded, fc->key);
	a = finding_value(ch->path, ch->actual, fc->key);
	if (!d || !r || !a) {
		json_decref(d);
		json_decref(r);
		json_decref(a);
		json_decref(j);
		free(file);
		return NULL;
	}
	/* JSON null is both "absent" and a null value (an environment
	 * variable passed through unset, a network joined with no options):
	 * name the planes where the key is absent. */
	if (!ch->desired || !ch->recorded || !ch->actual) {
		absent = json_array();
		if (!ch->desired)
			json_array_append_new(absent, json_string("desired"));
		if (!ch->recorded)
			json_array_append_new(absent, json_string("recorded"));
		if (!ch->actual)
			json_array_append_new(absent, json_string("actual"));
	}
	json_object_set_new(j, "path", json_string(ch->path));
	json_object_set_new(j, "domain", json_string(finding_domain(ch)));
	json_object_set_new(j, "desired", d);
	json_object_set_new(j, "recorded", r);
	json_object_set_new(j, "actual", a);
	json_object_set_new(j, "file", file ? json_string(file) : json_null());
	json_object_set_new(j, "line",
			    ch->mark.file && ch->mark.line
				? json_integer(ch->mark.line)
				: json_null());
	if (absent)
		json_object_set_new(j, "absent", absent);
	if (ch->accepted)
		json_object_set_new(j, "accepted", json_true());
	free(file);
	return j;
}

static const char *finding_recommended(const struct finding_kind *k,
				       const char *domain)
{
	if (k->recommended_action)
		return k->recommended_action;
	if (!strcmp(domain, "identity"))
		return "incident";
	/* classify.c gives the final word; these only keep a finding made
	 * without it within the same vocabulary. */
	if (!strcmp(k->klass, "missing"))
		return "revert";
	if (!strcmp(k->klass, "unmanaged"))
		return "incident";
	return "reconcile_to_git";
}

/* "<source>@<commit or dir>:<file>" without repeating a commit that the
 * description already carries. */
static char *finding_source_of_truth(const struct finding_ctx *fc,
				     const struct change *const *changes,
				     size_t n)
{
	const struct unit *u = fc->unit;
	char *file = NULL, *out;
	const char *src = fc->source ? fc->source : "";

	for (size_t i = 0; i < n && !file; i++)
		if (changes[i]->mark.file)
			file = finding_relative_file(fc->root,
						     changes[i]->mark.file);
	if (!file)
		file = u->nfiles ? path_join(u->path, u->files[0])
				 : path_join(u->path, "compose.yaml");
	if (fc->commit && strstr(src, fc->commit))
		out = xasprintf("%s:%s", src, file);
	else
		out = xasprintf("%s@%s:%s", src,
				fc->commit ? fc->commit : "dir", file);
	free(file);
	return out;
}

static json_t *finding_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *finding_new(const struct finding_ctx *fc, const struct finding_kind *k,
		    const struct change *const *changes, size_t n)
{
	const struct unit *u = fc->unit;
	const char *domain =
	    k->domain ? k->domain : finding_domain_of(changes, n);
	json_t *f = NULL, *arr = NULL, *audit = NULL;
	char id[64], when[32];
	char *sot = NULL;

	if (finding_id(id, fc, changes, n) < 0)
		return NULL;
	finding_format_time(when, fc->now);
	arr = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *c = finding_change(fc, changes[i]);

		if (!c) {
			json_decref(arr);
			return NULL;
		}
		json_array_append_new(arr, c);
	}
	sot = finding_source_of_truth(fc, changes, n);
	/* No journal yet (a later issue): what changed it is unknown, but
	 * it was not mooring, which would have recorded it. */
	audit = json_pack("{s:[],s:b}", "events", "outside_mooring", 1);
	f = json_object();
	json_object_set_new(f, "id", json_string(id));
	json_object_set_new(f, "detected_at", json_string(when));
	json_object_set_new(f, "unit", json_string(u->name));
	json_object_set_new(f, "service", finding_str_or_null(fc->service));
	json_object_set_new(f, "container", finding_str_or_null(fc->container));
	json_object_set_new(f, "environment",
			    finding_str_or_null(u->environment));
	json_object_set_new(f, "owner", finding_str_or_null(u->owner));
	json_object_set_new(f, "source_of_truth", json_string(sot));
	json_object_set_new(f, "relationship", json_string(k->relationship));
	json_object_set_new(f, "class", json_string(k->klass));
	json_object_set_new(f, "domain", json_string(domain));
	json_object_set_new(f, "risk",
			    json_string(finding_risk(u->risk_tier, domain)));
	json_object_set_new(f, "changes", arr);
	json_object_set_new(f, "audit", audit);
	json_object_set_new(f, "recommended_action",
			    json_string(finding_recommended(k, domain)));
	json_object_set_new(f, "auto_heal_allowed", json_false());
	json_object_set_new(f, "evidence_seq", json_null());
	free(sot);
	return f;
}
