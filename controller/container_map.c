/*
 * container_map.c - the mappings between the canonical model and the
 * engine that container.c (create) and observe*.c (inspect) must share to
 * stay inverses: resource names, service references, the restart policy,
 * Go durations, and which labels are ours.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container_int.h"
#include "xalloc.h"

#include "banned.h"

const struct ynode *cont_get(const struct ynode *service, const char *key)
{
	if (!service || service->kind != YNODE_MAP)
		return NULL;
	return ynode_map_get(service, key);
}

const struct ynode *cont_path(const struct ynode *service, const char *path)
{
	const struct ynode *n = service;
	char part[128];
	const char *dot;

	while (n && *path) {
		dot = strchr(path, '.');
		snprintf(part, sizeof(part), "%.*s",
			 (int)(dot ? (size_t)(dot - path) : strlen(path)),
			 path);
		n = cont_get(n, part);
		path = dot ? dot + 1 : path + strlen(path);
	}
	return n;
}

bool cont_label_is_ours(const char *key)
{
	return !strncmp(key, "com.docker.compose.", 19) ||
	       !strncmp(key, "io.mooring.", 11);
}

const char *cont_resource_name(const struct ynode *model, const char *kind,
			       const char *key)
{
	const struct ynode *name =
	    cont_get(cont_get(cont_get(model, kind), key), "name");

	return name && name->kind == YNODE_STR ? name->text : key;
}

const char *cont_resource_key(const struct ynode *model, const char *kind,
			      const char *name)
{
	const struct ynode *all = cont_get(model, kind);
	size_t i;

	for (i = 0; all && all->kind == YNODE_MAP && i < all->u.map.n; i++) {
		const struct ypair *p = &all->u.map.items[i];

		if (!strcmp(cont_resource_name(model, kind, p->key), name))
			return p->key;
	}
	return NULL;
}

/* Compose v2 points at the other service's container by id; mooring
 * uses its name, which the daemon accepts and which stays the same when
 * that container is recreated under the same name. */
char *cont_service_ref(const struct container_ctx *ctx, const char *value)
{
	if (strncmp(value, "service:", 8))
		return NULL;
	return xasprintf("container:%s-%s-1", ctx->project, value + 8);
}

static void restart_set(struct cont_restart *out, const char *name,
			long long retries)
{
	snprintf(out->name, sizeof(out->name), "%s", name);
	out->retries = retries;
}

void cont_restart_of(struct cont_restart *out, const struct ynode *service)
{
	const struct ynode *r = cont_get(service, "restart");
	const struct ynode *rp = cont_path(service, "deploy.restart_policy");
	const struct ynode *cond = cont_get(rp, "condition");
	const struct ynode *max = cont_get(rp, "max_attempts");
	const char *c;
	char *end = NULL;
	long long n;

	restart_set(out, "no", 0);
	if (r && r->kind == YNODE_STR) {
		if (!strncmp(r->text, "on-failure:", 11)) {
			n = strtoll(r->text + 11, &end, 10);
			restart_set(out, "on-failure", end && !*end ? n : 0);
		} else {
			restart_set(out, r->text, 0);
		}
		return;
	}
	if (!rp)
		return;
	/* deploy's spellings, as Compose maps them to the engine's. */
	c = cond && cond->kind == YNODE_STR ? cond->text : "none";
	if (!strcmp(c, "none"))
		c = "no";
	else if (!strcmp(c, "any"))
		c = "always";
	restart_set(out, c,
		    max && max->kind == YNODE_INT && !strcmp(c, "on-failure")
			? max->u.i
			: 0);
}

bool cont_parse_duration(const char *s, long long *out_ns)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {{"ns", 1},		 {"us", 1e3},  {"\xc2\xb5s", 1e3},
		     {"\xce\xbcs", 1e3}, {"ms", 1e6},  {"s", 1e9},
		     {"m", 60e9},	 {"h", 3600e9}};
	double total = 0, v;
	bool neg = false;
	char *end;
	size_t i, len;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (!strcmp(s, "0")) {
		*out_ns = 0;
		return true;
	}
	if (!*s)
		return false;
	while (*s) {
		v = strtod(s, &end);
		if (end == s || *s == '-' || *s == '+')
			return false;
		s = end;
		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			len = strlen(units[i].unit);
			/* "ms" before "m": longest unit first among equals. */
			if (!strncmp(s, units[i].unit, len) &&
			    !(len == 1 && s[0] == 'm' && s[1] == 's'))
				break;
		}
		if (i == sizeof(units) / sizeof(units[0]))
			return false;
		total += v * units[i].ns;
		s += strlen(units[i].unit);
	}
	*out_ns = llround(neg ? -total : total);
	return true;
}
