/*
 * norm_service.c - one service to the canonical model: the driver of the
 * per-service rules (environment, labels, ports and volumes live in
 * their own files) and the small rules that need no file of their own:
 * extra_hosts, ulimits, healthcheck, command/entrypoint, depends_on,
 * networks, secrets/configs references, build, and the resource keys
 * that Compose accepts in two places.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "norm_internal.h"
#include "xalloc.h"
#include "banned.h"

static bool is_ext(const char *key)
{
	return key[0] == 'x' && key[1] == '-';
}

/* Drop x-* keys and null values of a spec object (keep: keys whose null
 * means something). */
static void drop_ext_null(struct ynode *map, const char *const *keep)
{
	size_t i = 0;

	if (!map || map->kind != YNODE_MAP)
		return;
	while (i < map->u.map.n) {
		const struct ypair *p = &map->u.map.items[i];
		bool kept = false;
		const char *const *k;

		for (k = keep; k && *k; k++)
			kept = kept || !strcmp(*k, p->key);
		if (is_ext(p->key) || (p->value->kind == YNODE_NULL && !kept))
			ynode_map_del(map, p->key);
		else
			i++;
	}
}

/* Drop x-* keys in a spec object and every spec object below it; the
 * free-key mappings named in `free_keys` are left alone. */
static void drop_ext_deep(struct ynode *n, const char *const *free_keys)
{
	size_t i;

	if (n->kind == YNODE_SEQ) {
		for (i = 0; i < n->u.seq.n; i++)
			drop_ext_deep(n->u.seq.items[i], free_keys);
		return;
	}
	if (n->kind != YNODE_MAP)
		return;
	drop_ext_null(n, NULL);
	for (i = 0; i < n->u.map.n; i++) {
		const char *const *k;
		bool free_map = false;

		for (k = free_keys; *k; k++)
			free_map =
			    free_map || !strcmp(*k, n->u.map.items[i].key);
		if (!free_map)
			drop_ext_deep(n->u.map.items[i].value, free_keys);
	}
}

static void drop_false(struct ynode *map, const char *key)
{
	struct ynode *v = ynode_map_get(map, key);

	if (v && v->kind == YNODE_BOOL && !v->u.b)
		ynode_map_del(map, key);
}

/* extra_hosts: list "host:ip" / "host=ip" or mapping host -> ip | [ip] ->
 * a list of "host=ip", sorted by host (stable), brackets of IPv6
 * addresses removed. */
static void push_host(struct ynode *out, const char *host, size_t hlen,
		      const char *ip, const struct ymark *m)
{
	size_t iplen = strlen(ip);
	char *s;

	if (iplen >= 2 && ip[0] == '[' && ip[iplen - 1] == ']') {
		ip++;
		iplen -= 2;
	}
	s = xasprintf("%.*s=%.*s", (int)hlen, host, (int)iplen, ip);
	ynode_seq_push(out, ynode_new_str(s, m));
	free(s);
}

static size_t host_len(const char *entry)
{
	return strcspn(entry, "=");
}

static int norm_extra_hosts(struct ynode *parent, const char *service)
{
	struct ynode *hosts = ynode_map_get(parent, "extra_hosts");
	struct ynode *out;
	size_t i, j;

	if (!hosts)
		return 0;
	out = ynode_new_seq(&hosts->mark);
	if (hosts->kind == YNODE_MAP) {
		for (i = 0; i < hosts->u.map.n; i++) {
			const struct ypair *p = &hosts->u.map.items[i];
			const struct ynode *v = p->value;

			if (v->kind == YNODE_SEQ)
				for (j = 0; j < v->u.seq.n; j++)
					push_host(out, p->key, strlen(p->key),
						  v->u.seq.items[j]->text,
						  &v->u.seq.items[j]->mark);
			else if (v->kind == YNODE_STR)
				push_host(out, p->key, strlen(p->key), v->text,
					  &v->mark);
		}
	} else {
		for (i = 0; i < hosts->u.seq.n; i++) {
			const struct ynode *e = hosts->u.seq.items[i];
			const char *sep = strchr(e->text, '=');

			if (!sep)
				sep = strchr(e->text, ':');
			if (!sep || sep == e->text || !sep[1]) {
				ynode_free(out);
				return norm_error(e,
						  "invalid extra host '%s' in "
						  "service '%s' (expected "
						  "host=ip)",
						  e->text, service);
			}
			push_host(out, e->text, (size_t)(sep - e->text),
				  sep + 1, &e->mark);
		}
	}
	/* Insertion sort: stable, and the lists are short. */
	for (i = 1; i < out->u.seq.n; i++) {
		struct ynode *cur = out->u.seq.items[i];

		for (j = i; j > 0; j--) {
			struct ynode *prev = out->u.seq.items[j - 1];
			size_t lp = host_len(prev->text),
			       lc = host_len(cur->text);
			int c =
			    strncmp(prev->text, cur->text, lp < lc ? lp : lc);

			if (c < 0 || (c == 0 && lp <= lc))
				break;
			out->u.seq.items[j] = prev;
		}
		out->u.seq.items[j] = cur;
	}
	ynode_swap(hosts, out);
	ynode_free(out);
	return 0;
}

/* nproc: {soft: n, hard: n} is nproc: n. */
static void norm_ulimits(struct ynode *parent)
{
	struct ynode *ul = ynode_map_get(parent, "ulimits");
	size_t i;

	if (!ul || ul->kind != YNODE_MAP)
		return;
	for (i = 0; i < ul->u.map.n; i++) {
		struct ynode *v = ul->u.map.items[i].value;
		struct ynode *soft, *hard;

		if (v->kind != YNODE_MAP)
			continue;
		drop_ext_null(v, NULL);
		soft = ynode_map_get(v, "soft");
		hard = ynode_map_get(v, "hard");
		if (soft && hard && soft->u.i == hard->u.i) {
			struct ynode *one = ynode_new_int(soft->u.i, &v->mark);

			ynode_swap(v, one);
			ynode_free(one);
		}
	}
}

/* Split a command line into words as compose-go does (go-shellwords):
 * blanks separate words; '...' is literal; "..." and bare text take
 * backslash escapes. */
static int shell_split(struct ynode **out, const struct ynode *n,
		       const char *key)
{
	struct ynode *list = ynode_new_seq(&n->mark);
	struct buf word = BUF_INIT(BUF_UNBOUNDED);
	const char *p = n->text;
	bool got = false, sq = false, dq = false, esc = false;

	for (; *p; p++) {
		char c = *p;

		if (esc) {
			buf_addc(&word, c);
			esc = false;
			got = true;
		} else if (c == '\\' && !sq) {
			esc = true;
		} else if (c == '\'' && !dq) {
			sq = !sq;
			got = true;
		} else if (c == '"' && !sq) {
			dq = !dq;
			got = true;
		} else if ((c == ' ' || c == '\t' || c == '\n' || c == '\r') &&
			   !sq && !dq) {
			if (got)
				ynode_seq_push(
				    list,
				    ynode_new_strn(word.data ? word.data : "",
						   word.len, &n->mark));
			buf_reset(&word);
			got = false;
		} else {
			buf_addc(&word, c);
			got = true;
		}
	}
	if (sq || dq || esc) {
		buf_release(&word);
		ynode_free(list);
		return norm_error(n,
				  "invalid command line '%s' for '%s' "
				  "(unterminated quote or escape)",
				  n->text, key);
	}
	if (got)
		ynode_seq_push(list, ynode_new_strn(word.data ? word.data : "",
						    word.len, &n->mark));
	buf_release(&word);
	*out = list;
	return 0;
}

static int norm_command(struct ynode *parent, const char *key)
{
	struct ypair *p = ynode_map_pair(parent, key);
	struct ynode *list = NULL;
	int error;

	if (!p || p->value->kind != YNODE_STR)
		return 0;
	if ((error = shell_split(&list, p->value, key)) < 0)
		return error;
	ynode_swap(p->value, list);
	ynode_free(list);
	return 0;
}

static int norm_healthcheck(struct ynode *service, const char *name)
{
	struct ynode *hc = ynode_map_get(service, "healthcheck");
	struct ynode *test, *disable, *list;
	bool none;

	if (!hc || hc->kind != YNODE_MAP)
		return 0;
	drop_ext_null(hc, NULL);
	test = ynode_map_get(hc, "test");
	disable = ynode_map_get(hc, "disable");
	if (test && test->kind == YNODE_STR) {
		list = ynode_new_seq(&test->mark);
		ynode_seq_push(list, ynode_new_str("CMD-SHELL", &test->mark));
		ynode_seq_push(list, ynode_new_str(test->text, &test->mark));
		ynode_swap(test, list);
		ynode_free(list);
	}
	if (test && test->u.seq.n > 0) {
		const char *first = test->u.seq.items[0]->text;

		if (strcmp(first, "NONE") && strcmp(first, "CMD") &&
		    strcmp(first, "CMD-SHELL"))
			return norm_error(test,
					  "'healthcheck.test' of service '%s' "
					  "must start with NONE, CMD or "
					  "CMD-SHELL, not '%s'",
					  name, first);
	}
	none = test && test->u.seq.n > 0 &&
	       !strcmp(test->u.seq.items[0]->text, "NONE");
	if (disable && disable->u.b) {
		if (test && !none)
			return norm_error(disable,
					  "'healthcheck.disable' and "
					  "'healthcheck.test' of service '%s' "
					  "contradict each other",
					  name);
		none = true;
	}
	if (none) {
		/* Disabled: nothing else of the healthcheck means anything. */
		struct ynode *m = ynode_new_map(&hc->mark);
		struct ynode *t =
		    ynode_new_seq(disable ? &disable->mark : &test->mark);

		ynode_seq_push(t, ynode_new_str("NONE", &t->mark));
		ynode_map_put(m, "test", NULL, t);
		ynode_swap(hc, m);
		ynode_free(m);
		return 0;
	}
	if (disable)
		ynode_map_del(hc, "disable");
	return 0;
}

static struct ynode *dependency(const struct ymark *m, bool restart)
{
	struct ynode *d = ynode_new_map(m);

	ynode_map_put(d, "condition", m, ynode_new_str("service_started", m));
	ynode_map_put(d, "required", m, ynode_new_bool(true, m));
	if (restart)
		ynode_map_put(d, "restart", m, ynode_new_bool(true, m));
	return d;
}

static void add_implicit(struct ynode *deps, const char *svc, size_t len,
			 const struct ymark *m)
{
	char *name = xstrndup(svc, len);

	if (*name && !ynode_map_pair(deps, name))
		ynode_map_put(deps, name, m, dependency(m, true));
	free(name);
}

static void add_service_mode_dep(struct ynode *deps, struct ynode *service,
				 const char *key)
{
	const struct ynode *v = ynode_map_get(service, key);

	if (v && v->kind == YNODE_STR && !strncmp(v->text, "service:", 8))
		add_implicit(deps, v->text + 8, strlen(v->text + 8), &v->mark);
}

static int norm_depends_on(struct ynode *service, const struct norm_ctx *ctx)
{
	struct ynode *deps = ynode_map_get(service, "depends_on");
	const struct ynode *v;
	size_t i;

	if (deps && deps->kind == YNODE_SEQ) {
		struct ynode *map = ynode_new_map(&deps->mark);

		for (i = 0; i < deps->u.seq.n; i++) {
			const struct ynode *it = deps->u.seq.items[i];

			ynode_map_put(map, it->text, &it->mark,
				      dependency(&it->mark, false));
		}
		ynode_swap(deps, map);
		ynode_free(map);
	}
	for (i = 0; deps && i < deps->u.map.n; i++) {
		struct ypair *p = &deps->u.map.items[i];

		if (p->value->kind == YNODE_NULL) {
			struct ynode *d = dependency(&p->key_mark, false);

			ynode_swap(p->value, d);
			ynode_free(d);
			continue;
		}
		drop_ext_null(p->value, NULL);
		if (!ynode_map_get(p->value, "condition"))
			ynode_map_put(
			    p->value, "condition", NULL,
			    ynode_new_str("service_started", &p->value->mark));
		if (!ynode_map_get(p->value, "required"))
			ynode_map_put(p->value, "required", NULL,
				      ynode_new_bool(true, &p->value->mark));
		drop_false(p->value, "restart");
	}
	if (ctx->flags & NORM_F_SKIP_DEFAULTS)
		return 0;
	if (!deps) {
		deps = ynode_new_map(&service->mark);
		ynode_map_put(service, "depends_on", NULL, deps);
	}
	if ((v = ynode_map_get(service, "links")) && v->kind == YNODE_SEQ)
		for (i = 0; i < v->u.seq.n; i++) {
			const struct ynode *l = v->u.seq.items[i];

			add_implicit(deps, l->text, strcspn(l->text, ":"),
				     &l->mark);
		}
	add_service_mode_dep(deps, service, "network_mode");
	add_service_mode_dep(deps, service, "ipc");
	add_service_mode_dep(deps, service, "pid");
	if ((v = ynode_map_get(service, "volumes_from")) &&
	    v->kind == YNODE_SEQ)
		for (i = 0; i < v->u.seq.n; i++) {
			const struct ynode *f = v->u.seq.items[i];

			if (strncmp(f->text, "container:", 10))
				add_implicit(deps, f->text,
					     strcspn(f->text, ":"), &f->mark);
		}
	if (deps->u.map.n == 0)
		ynode_map_del(service, "depends_on");
	return 0;
}

static int norm_networks(struct ynode *service, const char *name,
			 const struct norm_ctx *ctx)
{
	struct ynode *nets = ynode_map_get(service, "networks");
	struct ynode *mode = ynode_map_get(service, "network_mode");
	size_t i;

	/* A contradiction for Compose too; the conformance full example
	 * (consistency check skipped upstream) has both. */
	if (nets && mode && !(ctx->flags & NORM_F_SKIP_DEFAULTS))
		return norm_error(mode,
				  "service '%s' declares both 'network_mode' "
				  "and 'networks'",
				  name);
	if (!nets) {
		if (mode || (ctx->flags & NORM_F_SKIP_DEFAULTS))
			return 0;
		nets = ynode_new_map(&service->mark);
		ynode_map_put(nets, "default", NULL,
			      ynode_new_null(&service->mark));
		ynode_map_put(service, "networks", NULL, nets);
		return 0;
	}
	if (nets->kind == YNODE_SEQ) {
		struct ynode *map = ynode_new_map(&nets->mark);

		for (i = 0; i < nets->u.seq.n; i++) {
			const struct ynode *it = nets->u.seq.items[i];

			ynode_map_put(map, it->text, &it->mark,
				      ynode_new_null(&it->mark));
		}
		ynode_swap(nets, map);
		ynode_free(map);
	}
	for (i = 0; i < nets->u.map.n; i++) {
		struct ynode *v = nets->u.map.items[i].value;

		if (v->kind != YNODE_MAP)
			continue;
		drop_ext_null(v, NULL);
		if (v->u.map.n == 0) {
			struct ynode *null = ynode_new_null(&v->mark);

			ynode_swap(v, null);
			ynode_free(null);
		}
	}
	return 0;
}

/* File modes are written in octal ("0440"), as compose-go prints them. A
 * YAML int written with a leading 0 is octal (go-yaml reads it so). */
static int norm_mode(struct ynode *mode)
{
	unsigned long long v = 0;
	const char *t = mode->text;
	char *end = NULL, *s;

	if (mode->kind == YNODE_INT && !(t[0] == '0' && t[1])) {
		v = (unsigned long long)mode->u.i;
	} else {
		if (t[0] == '0' && (t[1] == 'o' || t[1] == 'O'))
			t += 2;
		v = strtoull(t, &end, 8);
		if (!*t || *end)
			return norm_error(mode, "invalid file mode '%s'",
					  mode->text);
	}
	s = xasprintf("0%llo", v);
	ynode_set_str(mode, s);
	free(s);
	return 0;
}

static int norm_file_refs(struct ynode *parent, const char *key)
{
	struct ynode *refs = ynode_map_get(parent, key);
	size_t i;
	int error;

	if (!refs || refs->kind != YNODE_SEQ)
		return 0;
	for (i = 0; i < refs->u.seq.n; i++) {
		struct ynode *r = refs->u.seq.items[i];
		struct ynode *mode;

		if (r->kind == YNODE_STR) {
			struct ynode *map = ynode_new_map(&r->mark);

			ynode_map_put(map, "source", &r->mark, ynode_clone(r));
			ynode_swap(r, map);
			ynode_free(map);
		}
		drop_ext_null(r, NULL);
		if ((mode = ynode_map_get(r, "mode")) &&
		    (error = norm_mode(mode)) < 0)
			return error;
	}
	return 0;
}

static bool is_remote_context(const char *s)
{
	return strstr(s, "://") || !strncmp(s, "git@", 4) ||
	       !strncmp(s, "github.com/", 11) ||
	       !strncmp(s, "docker-image:", 13) || !strncmp(s, "target:", 7) ||
	       !strncmp(s, "service:", 8);
}

static void abs_context(struct ynode *v, const struct norm_ctx *ctx)
{
	char *abs;

	if (v->kind != YNODE_STR || is_remote_context(v->text))
		return;
	abs = norm_abs_path(ctx, v->text);
	ynode_set_str(v, abs);
	free(abs);
}

static int norm_build(struct ynode *service, const struct norm_ctx *ctx)
{
	static const char *const free_keys[] = {
	    "args",	   "labels", "additional_contexts",
	    "extra_hosts", "ssh",    NULL};
	struct ynode *b = ynode_map_get(service, "build");
	struct ynode *v;
	size_t i;
	int error;

	if (!b)
		return 0;
	if (!(ctx->flags & NORM_F_ALLOW_BUILD)) {
		ynode_map_del(service, "build");
		return 0;
	}
	if (b->kind == YNODE_STR) {
		struct ynode *map = ynode_new_map(&b->mark);

		ynode_map_put(map, "context", &b->mark, ynode_clone(b));
		ynode_swap(b, map);
		ynode_free(map);
	}
	drop_ext_deep(b, free_keys);
	if (!(v = ynode_map_get(b, "context"))) {
		v = ynode_new_str(".", &b->mark);
		ynode_map_put(b, "context", NULL, v);
	}
	abs_context(v, ctx);
	if ((v = ynode_map_get(b, "additional_contexts"))) {
		norm_list_or_dict(v, false);
		for (i = 0; i < v->u.map.n; i++)
			abs_context(v->u.map.items[i].value, ctx);
	}
	if ((v = ynode_map_get(b, "args")))
		norm_list_or_dict(v, true);
	if ((v = ynode_map_get(b, "labels")))
		norm_list_or_dict(v, false);
	if ((error = norm_extra_hosts(b, "build")) < 0)
		return error;
	norm_ulimits(b);
	return norm_file_refs(b, "secrets");
}

/* Compose accepts some limits both on the service and under
 * deploy.resources; the canonical model keeps the service key (the one
 * `docker inspect` maps to one to one) and errors when both are set to
 * different values. */
static int fold_resource(struct ynode *service, const char *svc_key,
			 const char *section, const char *key)
{
	struct ynode *deploy = ynode_map_get(service, "deploy");
	struct ynode *res = deploy ? ynode_map_get(deploy, "resources") : NULL;
	struct ynode *sec = res ? ynode_map_get(res, section) : NULL;
	struct ypair *dp = sec ? ynode_map_pair(sec, key) : NULL;
	struct ynode *sv = ynode_map_get(service, svc_key);
	struct ymark km;
	struct ynode *dv;

	if (!dp)
		return 0;
	if (sv && !ynode_equal(sv, dp->value)) {
		const struct ymark *sm = &sv->mark;

		return norm_error(dp->value,
				  "'deploy.resources.%s.%s' differs from "
				  "'%s' set at %s:%u:%u",
				  section, key, svc_key,
				  sm->file ? sm->file : "", sm->line, sm->col);
	}
	km = dp->key_mark;
	dv = ynode_map_take(sec, key);
	if (sv)
		ynode_free(dv);
	else
		ynode_map_put(service, svc_key, &km, dv);
	return 0;
}

static void drop_empty(struct ynode *map, const char *key)
{
	struct ynode *v = ynode_map_get(map, key);

	if (v && v->kind == YNODE_MAP && v->u.map.n == 0)
		ynode_map_del(map, key);
}

static int norm_deploy(struct ynode *service)
{
	static const char *const free_keys[] = {"labels", "options", NULL};
	struct ynode *deploy = ynode_map_get(service, "deploy");
	struct ynode *res, *v;
	int error;

	if (!deploy)
		return 0;
	drop_ext_deep(deploy, free_keys);
	if ((v = ynode_map_get(deploy, "labels")))
		norm_list_or_dict(v, false);
	if ((error = fold_resource(service, "mem_limit", "limits", "memory")) <
		0 ||
	    (error = fold_resource(service, "cpus", "limits", "cpus")) < 0 ||
	    (error = fold_resource(service, "pids_limit", "limits", "pids")) <
		0 ||
	    (error = fold_resource(service, "mem_reservation", "reservations",
				   "memory")) < 0)
		return error;
	if ((res = ynode_map_get(deploy, "resources"))) {
		drop_empty(res, "limits");
		drop_empty(res, "reservations");
	}
	drop_empty(deploy, "resources");
	drop_empty(service, "deploy");
	return 0;
}

int norm_service(struct ynode *service, const char *name,
		 const struct norm_ctx *ctx)
{
	static const char *const bool_defaults[] = {
	    "privileged", "read_only",	      "tty",
	    "stdin_open", "oom_kill_disable", NULL};
	const char *const *k;
	struct ynode *v;
	int error;

	drop_ext_null(service, NULL);
	if ((error = norm_environment(service, name, ctx)) < 0 ||
	    (error = norm_labels(service, name, ctx)) < 0)
		return error;
	if ((v = ynode_map_get(service, "annotations")))
		norm_list_or_dict(v, false);
	if ((v = ynode_map_get(service, "sysctls")))
		norm_list_or_dict(v, false);
	if ((v = ynode_map_get(service, "logging")))
		drop_ext_null(v, NULL);
	if ((v = ynode_map_get(service, "credential_spec")))
		drop_ext_null(v, NULL);
	if ((error = norm_extra_hosts(service, name)) < 0 ||
	    (error = norm_ports(service, name)) < 0 ||
	    (error = norm_expose(service, name)) < 0 ||
	    (error = norm_volumes(service, name, ctx)) < 0 ||
	    (error = norm_healthcheck(service, name)) < 0 ||
	    (error = norm_command(service, "command")) < 0 ||
	    (error = norm_command(service, "entrypoint")) < 0 ||
	    (error = norm_networks(service, name, ctx)) < 0 ||
	    (error = norm_depends_on(service, ctx)) < 0 ||
	    (error = norm_file_refs(service, "secrets")) < 0 ||
	    (error = norm_file_refs(service, "configs")) < 0 ||
	    (error = norm_build(service, ctx)) < 0 ||
	    (error = norm_deploy(service)) < 0)
		return error;
	norm_ulimits(service);
	for (k = bool_defaults; *k; k++)
		drop_false(service, *k);
	return 0;
}
