/*
 * observe.c - `docker inspect` of a container (and of its image) -> a
 * canonical service node: the inverse of container_create_body().
 *
 * This file reads the container's Config (image, command, environment,
 * labels, healthcheck, ...) and puts the pieces together; observe_host.c
 * reads HostConfig and the network settings. Every rule that drops a value
 * the image or the daemon filled in is in docs/internals/DIFF-NORMALISATION.md,
 * with the reason it is not drift. The common shape of those rules: a
 * default is dropped only when desired does not set that key itself, so a
 * compose file that spells out a default still compares equal.
 */
#include "container.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container_int.h"
#include "err.h"
#include "normalize.h"
#include "xalloc.h"

#include "banned.h"

const char *obs_str(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

long long obs_int(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_integer(v) ? (long long)json_integer_value(v) : 0;
}

struct ynode *obs_str_list(const json_t *arr)
{
	struct ynode *seq;
	size_t i;

	if (!json_is_array(arr))
		return NULL;
	seq = ynode_new_seq(NULL);
	for (i = 0; i < json_array_size(arr); i++) {
		const json_t *it = json_array_get(arr, i);

		ynode_seq_push(seq, ynode_new_str(json_is_string(it)
						      ? json_string_value(it)
						      : "",
						  NULL));
	}
	return seq;
}

void obs_put(struct ynode *map, const char *key, struct ynode *value)
{
	if (value)
		ynode_map_put(map, key, NULL, value);
}

void obs_put_coll(struct ynode *map, const char *key, struct ynode *value,
		  const struct ynode *desired)
{
	const struct ynode *d = cont_get(desired, key);

	if (value && (ynode_len(value) ||
		      (d && !ynode_len(d) && d->kind == value->kind)))
		ynode_map_put(map, key, NULL, value);
	else
		ynode_free(value);
}

char *obs_container_ref(const char *value, const char *desired,
			const struct container_ctx *ctx)
{
	const char *id = value + 10;
	size_t i, len;

	if (strncmp(value, "container:", 10))
		return xstrdup(value);
	if (!ctx->service_ids)
		return xstrdup(desired && !strncmp(desired, "service:", 8)
				   ? desired
				   : value);
	len = strlen(id);
	for (i = 0; len && i < ctx->service_ids->n; i++) {
		const struct strmap_entry *e = &ctx->service_ids->items[i];

		if (e->value && !strncmp(e->value, id, len))
			return xasprintf("service:%s", e->key);
	}
	return xstrdup(value);
}

/* Is this KEY=VALUE entry one the image supplies? */
static bool image_has_env(const json_t *img, const char *entry)
{
	const json_t *env = json_object_get(img, "Env");
	size_t i;

	for (i = 0; i < json_array_size(env); i++) {
		const json_t *e = json_array_get(env, i);

		if (json_is_string(e) && !strcmp(json_string_value(e), entry))
			return true;
	}
	return false;
}

static void observe_env(struct ynode *svc, const json_t *cfg, const json_t *img,
			const struct ynode *desired)
{
	const struct ynode *denv = cont_get(desired, "environment");
	const json_t *env = json_object_get(cfg, "Env");
	struct ynode *out = ynode_new_map(NULL);
	const struct ynode *d;
	const char *e, *eq;
	char *key;
	size_t i;

	for (i = 0; i < json_array_size(env); i++) {
		if (!json_is_string(json_array_get(env, i)))
			continue;
		e = json_string_value(json_array_get(env, i));
		eq = strchr(e, '=');
		key = eq ? xstrndup(e, (size_t)(eq - e)) : xstrdup(e);
		d = cont_get(denv, key);
		/* The image's value of a variable desired leaves alone (or
		 * passes through unset) is not drift. */
		if ((!d || d->kind == YNODE_NULL) && image_has_env(img, e)) {
			free(key);
			continue;
		}
		ynode_map_put(out, key, NULL,
			      eq ? ynode_new_str(eq + 1, NULL)
				 : ynode_new_null(NULL));
		free(key);
	}
	/* Unset pass-through variables: absent on the container too. */
	for (i = 0; denv && denv->kind == YNODE_MAP && i < denv->u.map.n; i++) {
		const struct ypair *p = &denv->u.map.items[i];

		if (p->value->kind == YNODE_NULL && !ynode_map_get(out, p->key))
			ynode_map_put(out, p->key, NULL, ynode_new_null(NULL));
	}
	obs_put_coll(svc, "environment", out, desired);
}

/* "db:service_healthy:false,..." (the depends_on label) -> depends_on.
 * `required` is not in the label: desired's, else Compose's default. */
static void observe_depends_on(struct ynode *svc, const char *label,
			       const struct ynode *desired)
{
	const struct ynode *ddeps = cont_get(desired, "depends_on");
	struct ynode *out = ynode_new_map(NULL), *dep, *req;
	char *copy = xstrdup(label ? label : ""), *item, *next, *c1, *c2;

	for (item = copy; item && *item; item = next) {
		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		c1 = strchr(item, ':');
		c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c1)
			*c1++ = '\0';
		if (c2)
			*c2++ = '\0';
		dep = ynode_new_map(NULL);
		ynode_map_put(
		    dep, "condition", NULL,
		    ynode_new_str(c1 && *c1 ? c1 : "service_started", NULL));
		req = (struct ynode *)cont_path(cont_get(ddeps, item),
						"required");
		ynode_map_put(dep, "required", NULL,
			      req ? ynode_clone(req)
				  : ynode_new_bool(true, NULL));
		if (c2 && !strcmp(c2, "true"))
			ynode_map_put(dep, "restart", NULL,
				      ynode_new_bool(true, NULL));
		ynode_map_put(out, item, NULL, dep);
	}
	free(copy);
	obs_put_coll(svc, "depends_on", out, desired);
}

static void observe_labels(struct ynode *svc, const json_t *cfg,
			   const json_t *img, const struct ynode *desired)
{
	const struct ynode *dl = cont_get(desired, "labels");
	const json_t *labels = json_object_get(cfg, "Labels");
	const json_t *ilabels = json_object_get(img, "Labels");
	struct ynode *out = ynode_new_map(NULL);
	const char *key, *iv;
	const json_t *v;

	json_object_foreach((json_t *)labels, key, v)
	{
		if (!json_is_string(v) || cont_label_is_ours(key))
			continue;
		iv = obs_str(ilabels, key);
		if (!cont_get(dl, key) && iv &&
		    !strcmp(iv, json_string_value(v)))
			continue;
		ynode_map_put(out, key, NULL,
			      ynode_new_str(json_string_value(v), NULL));
	}
	obs_put_coll(svc, "labels", out, desired);
	observe_depends_on(svc, obs_str(labels, LABEL_DEPENDS_ON), desired);
}

/* Cmd and Entrypoint: the image's value applies when desired has none. */
static void observe_command(struct ynode *svc, const char *key,
			    const json_t *cfg, const json_t *img,
			    const char *jkey, const struct ynode *desired)
{
	const struct ynode *d = cont_get(desired, key);
	const json_t *v = json_object_get(cfg, jkey);
	const json_t *iv = json_object_get(img, jkey);
	bool from_image = json_equal((json_t *)v, (json_t *)iv) ||
			  (json_is_null(v) && !iv) || (!v && json_is_null(iv));

	if (!d && from_image)
		return;
	/* `command: []` leaves the image's Cmd in place (the daemon takes
	 * it when Cmd and Entrypoint are both empty). */
	if (d && d->kind == YNODE_SEQ && !ynode_len(d) &&
	    (from_image || (json_is_array(v) && !json_array_size(v)))) {
		ynode_map_put(svc, key, NULL, ynode_new_seq(NULL));
		return;
	}
	obs_put(svc, key, obs_str_list(v));
}

/* A string the image may supply (User, WorkingDir, StopSignal). */
static void observe_image_str(struct ynode *svc, const char *key,
			      const json_t *cfg, const json_t *img,
			      const char *jkey, const struct ynode *desired)
{
	const char *v = obs_str(cfg, jkey), *iv = obs_str(img, jkey);

	if (!v || (!*v && !cont_get(desired, key)))
		return;
	if (!cont_get(desired, key) && iv && !strcmp(v, iv))
		return;
	ynode_map_put(svc, key, NULL, ynode_new_str(v, NULL));
}

/* A duration in ns -> desired's spelling when equal, else Go's. */
static struct ynode *duration_node(long long ns, const struct ynode *d)
{
	long long dns;
	char *s;
	struct ynode *n;

	if (d && d->kind == YNODE_STR && cont_parse_duration(d->text, &dns) &&
	    dns == ns)
		return ynode_new_str(d->text, NULL);
	s = normalize_format_duration(ns);
	n = ynode_new_str(s, NULL);
	free(s);
	return n;
}

static void observe_healthcheck(struct ynode *svc, const json_t *cfg,
				const json_t *img, const struct ynode *desired)
{
	static const char *const durations[][2] = {
	    {"interval", "Interval"},
	    {"timeout", "Timeout"},
	    {"start_period", "StartPeriod"}};
	const struct ynode *dh = cont_get(desired, "healthcheck");
	const json_t *hc = json_object_get(cfg, "Healthcheck");
	const json_t *ihc = json_object_get(img, "Healthcheck");
	const json_t *test = json_object_get(hc, "Test");
	struct ynode *out;
	long long v;
	size_t i;

	if (!json_is_object(hc))
		return;
	out = ynode_new_map(NULL);
	if (json_array_size(test) &&
	    (cont_get(dh, "test") ||
	     !json_equal((json_t *)test, json_object_get(ihc, "Test"))))
		ynode_map_put(out, "test", NULL, obs_str_list(test));
	/* A disabled check is exactly {test: [NONE]} (CANONICAL-MODEL.md). */
	if (json_array_size(test) == 1 &&
	    json_is_string(json_array_get(test, 0)) &&
	    !strcmp(json_string_value(json_array_get(test, 0)), "NONE")) {
		ynode_map_put(svc, "healthcheck", NULL, out);
		return;
	}
	for (i = 0; i < 3; i++) {
		v = obs_int(hc, durations[i][1]);
		if (!v || (!cont_get(dh, durations[i][0]) &&
			   v == obs_int(ihc, durations[i][1])))
			continue;
		ynode_map_put(out, durations[i][0], NULL,
			      duration_node(v, cont_get(dh, durations[i][0])));
	}
	v = obs_int(hc, "Retries");
	if (v && (cont_get(dh, "retries") || v != obs_int(ihc, "Retries")))
		ynode_map_put(out, "retries", NULL, ynode_new_int(v, NULL));
	obs_put_coll(svc, "healthcheck", out, desired);
}

static void observe_stop(struct ynode *svc, const json_t *cfg,
			 const json_t *img, const struct ynode *desired)
{
	const struct ynode *d = cont_get(desired, "stop_grace_period");
	const json_t *t = json_object_get(cfg, "StopTimeout");
	long long dns;

	observe_image_str(svc, "stop_signal", cfg, img, "StopSignal", desired);
	if (!json_is_integer(t))
		return;
	/* The engine keeps whole seconds: "1500ms" was sent as 1. */
	if (d && d->kind == YNODE_STR && cont_parse_duration(d->text, &dns) &&
	    dns / 1000000000LL == json_integer_value(t)) {
		ynode_map_put(svc, "stop_grace_period", NULL,
			      ynode_new_str(d->text, NULL));
		return;
	}
	ynode_map_put(svc, "stop_grace_period", NULL,
		      duration_node(json_integer_value(t) * 1000000000LL, d));
}

static void observe_hostname(struct ynode *svc, const json_t *inspect,
			     const json_t *cfg, const struct ynode *desired)
{
	const char *h = obs_str(cfg, "Hostname");
	const char *id = obs_str(inspect, "Id");
	const char *mode =
	    obs_str(json_object_get(inspect, "HostConfig"), "NetworkMode");

	if (!h || !*h)
		return;
	/* The daemon names a container after its short id, or the host's
	 * or the other container's name when it shares their network. */
	if (!cont_get(desired, "hostname") &&
	    ((id && strlen(h) == 12 && !strncmp(h, id, 12)) ||
	     (mode &&
	      (!strcmp(mode, "host") || !strncmp(mode, "container:", 10)))))
		return;
	ynode_map_put(svc, "hostname", NULL, ynode_new_str(h, NULL));
}

/* "80/tcp" -> "80", "53/udp" stays (the canonical expose spelling). */
static char *expose_text(const char *key)
{
	size_t len = strlen(key);

	if (len > 4 && !strcmp(key + len - 4, "/tcp"))
		return xstrndup(key, len - 4);
	return xstrdup(key);
}

bool obs_seq_has(const struct ynode *seq, const char *s)
{
	size_t i;

	for (i = 0; seq && seq->kind == YNODE_SEQ && i < seq->u.seq.n; i++)
		if (seq->u.seq.items[i]->kind == YNODE_STR &&
		    !strcmp(seq->u.seq.items[i]->text, s))
			return true;
	return false;
}

/* Is "8080/tcp" the target of a published port? */
static bool port_is_published(const struct ynode *ports, const char *key)
{
	char buf[64];
	size_t i;

	for (i = 0; ports && i < ports->u.seq.n; i++) {
		const struct ynode *p = ports->u.seq.items[i];
		const struct ynode *t = ynode_map_get(p, "target");
		const struct ynode *pr = ynode_map_get(p, "protocol");

		snprintf(buf, sizeof(buf), "%lld/%s", t ? t->u.i : 0,
			 pr ? pr->text : "tcp");
		if (!strcmp(buf, key))
			return true;
	}
	return false;
}

static void observe_expose(struct ynode *svc, const json_t *cfg,
			   const json_t *img, const struct ynode *desired)
{
	const struct ynode *dex = cont_get(desired, "expose");
	const struct ynode *ports = cont_get(svc, "ports");
	const json_t *iexp = json_object_get(img, "ExposedPorts");
	struct ynode *out = ynode_new_seq(NULL);
	const char *key;
	const json_t *v;
	char *text;

	json_object_foreach(json_object_get(cfg, "ExposedPorts"), key, v)
	{
		text = expose_text(key);
		/* Ports are exposed by their bindings and by the image too;
		 * only what neither explains is an `expose` entry. */
		if (obs_seq_has(dex, text) || (!port_is_published(ports, key) &&
					       !json_object_get(iexp, key)))
			ynode_seq_push(out, ynode_new_str(text, NULL));
		free(text);
	}
	observe_order_like(out, dex);
	obs_put_coll(svc, "expose", out, desired);
}

/* What has no container setting is taken from desired as it is. */
static void observe_copied(struct ynode *svc, const json_t *inspect,
			   const struct ynode *desired)
{
	static const char *const copied[] = {
	    "attach",	   "env_file",		 "label_file", "profiles",
	    "pull_policy", "pull_refresh_after", "scale",      NULL};
	const char *const *k;
	const char *name = obs_str(inspect, "Name");

	for (k = copied; *k; k++)
		if (cont_get(desired, *k))
			ynode_map_put(svc, *k, NULL,
				      ynode_clone(cont_get(desired, *k)));
	if (cont_get(desired, "container_name") && name)
		ynode_map_put(svc, "container_name", NULL,
			      ynode_new_str(name + (*name == '/'), NULL));
}

int container_observe(struct ynode **out, const json_t *inspect,
		      const json_t *image, const struct ynode *desired,
		      const struct container_ctx *ctx)
{
	const json_t *cfg = json_object_get(inspect, "Config");
	const json_t *img = json_object_get(image, "Config");
	struct ynode *svc = NULL;
	const char *s;
	int error = -1;

	if (!json_is_object(cfg) ||
	    !json_is_object(json_object_get(inspect, "HostConfig"))) {
		error = err_set(
		    MOOR_EINVAL,
		    "inspect of container '%s' has no Config or HostConfig",
		    obs_str(inspect, "Id") ? obs_str(inspect, "Id") : "?");
		goto cleanup;
	}
	svc = ynode_new_map(NULL);
	if ((s = obs_str(cfg, "Image")))
		ynode_map_put(svc, "image", NULL, ynode_new_str(s, NULL));
	observe_command(svc, "command", cfg, img, "Cmd", desired);
	observe_command(svc, "entrypoint", cfg, img, "Entrypoint", desired);
	observe_env(svc, cfg, img, desired);
	observe_labels(svc, cfg, img, desired);
	observe_image_str(svc, "user", cfg, img, "User", desired);
	observe_image_str(svc, "working_dir", cfg, img, "WorkingDir", desired);
	observe_hostname(svc, inspect, cfg, desired);
	observe_image_str(svc, "domainname", cfg, NULL, "Domainname", desired);
	observe_image_str(svc, "mac_address", cfg, NULL, "MacAddress", desired);
	if (json_is_true(json_object_get(cfg, "Tty")))
		ynode_map_put(svc, "tty", NULL, ynode_new_bool(true, NULL));
	if (json_is_true(json_object_get(cfg, "OpenStdin")))
		ynode_map_put(svc, "stdin_open", NULL,
			      ynode_new_bool(true, NULL));
	observe_healthcheck(svc, cfg, img, desired);
	observe_stop(svc, cfg, img, desired);
	if ((error = observe_host(svc, inspect, desired, ctx)))
		goto cleanup;
	observe_expose(svc, cfg, img, desired);
	observe_copied(svc, inspect, desired);
	ynode_map_sort(svc, true);
	*out = svc;
	svc = NULL;
	error = 0;
cleanup:
	ynode_free(svc);
	return error;
}
