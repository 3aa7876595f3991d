/*
 * observe_host.c - the HostConfig and network half of container_observe():
 * ports, volumes and mounts, networks and namespaces, resources, restart,
 * logging and the other host settings, read back into the canonical
 * forms that normalize produces (docs/internals/DIFF-NORMALISATION.md).
 *
 * Configuration, not runtime state, is read: HostConfig.PortBindings (not
 * NetworkSettings.Ports, which lists one binding per address family),
 * HostConfig.Binds and HostConfig.Mounts (not .Mounts, which also holds
 * the image's anonymous volumes).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container_int.h"
#include "xalloc.h"

#include "banned.h"

void observe_order_like(struct ynode *seq, const struct ynode *desired)
{
	struct ynode **items, **sorted;
	size_t i, j, n, k = 0;
	bool *used;

	if (!seq || seq->kind != YNODE_SEQ || !desired ||
	    desired->kind != YNODE_SEQ || seq->u.seq.n < 2)
		return;
	n = seq->u.seq.n;
	items = seq->u.seq.items;
	sorted = xcalloc(n, sizeof(*sorted));
	used = xcalloc(n, sizeof(*used));
	for (i = 0; i < desired->u.seq.n; i++)
		for (j = 0; j < n; j++)
			if (!used[j] &&
			    ynode_equal(items[j], desired->u.seq.items[i])) {
				used[j] = true;
				sorted[k++] = items[j];
				break;
			}
	for (j = 0; j < n; j++)
		if (!used[j])
			sorted[k++] = items[j];
	memcpy(items, sorted, n * sizeof(*items));
	free(sorted);
	free(used);
}

static void put_str(struct ynode *map, const char *key, const char *s)
{
	if (s && *s)
		ynode_map_put(map, key, NULL, ynode_new_str(s, NULL));
}

static void put_true(struct ynode *map, const char *key, const json_t *v)
{
	if (json_is_true(v))
		ynode_map_put(map, key, NULL, ynode_new_bool(true, NULL));
}

/* An integer setting whose zero (or null) means "not set". */
static void put_int(struct ynode *svc, const char *key, const json_t *v,
		    const struct ynode *desired)
{
	if (json_is_integer(v) &&
	    (json_integer_value(v) || cont_get(desired, key)))
		ynode_map_put(svc, key, NULL,
			      ynode_new_int(json_integer_value(v), NULL));
}

/* A mapping of strings (Sysctls, StorageOpt, LogConfig.Config). */
static struct ynode *str_map(const json_t *obj)
{
	struct ynode *m = ynode_new_map(NULL);
	const char *key;
	const json_t *v;

	json_object_foreach((json_t *)obj, key, v)
	{
		ynode_map_put(
		    m, key, NULL,
		    ynode_new_str(json_is_string(v) ? json_string_value(v) : "",
				  NULL));
	}
	return m;
}

/* The desired port this observed one is, for what the engine does not
 * keep (mode, name, app_protocol). */
static const struct ynode *desired_port(const struct ynode *desired,
					const struct ynode *p)
{
	static const char *const keys[] = {"target", "protocol", "published",
					   "host_ip"};
	const struct ynode *ports = cont_get(desired, "ports");
	size_t i, k;

	for (i = 0; ports && ports->kind == YNODE_SEQ && i < ports->u.seq.n;
	     i++) {
		const struct ynode *d = ports->u.seq.items[i];

		for (k = 0; k < 4; k++) {
			const struct ynode *a = ynode_map_get(d, keys[k]);
			const struct ynode *b = ynode_map_get(p, keys[k]);

			if (!a != !b || (a && !ynode_equal(a, b)))
				break;
		}
		if (k == 4)
			return d;
	}
	return NULL;
}

static void observe_ports(struct ynode *svc, const json_t *host,
			  const struct ynode *desired)
{
	static const char *const copied[] = {"mode", "name", "app_protocol"};
	struct ynode *out = ynode_new_seq(NULL), *p;
	const struct ynode *d;
	const char *key, *slash;
	const json_t *list;
	size_t i, k, j;
	char *end;
	long long target;

	json_object_foreach(json_object_get(host, "PortBindings"), key, list)
	{
		target = strtoll(key, &end, 10);
		slash = strchr(key, '/');
		for (i = 0; i < json_array_size(list); i++) {
			const json_t *b = json_array_get(list, i);

			p = ynode_new_map(NULL);
			ynode_map_put(p, "target", NULL,
				      ynode_new_int(target, NULL));
			ynode_map_put(
			    p, "protocol", NULL,
			    ynode_new_str(slash ? slash + 1 : "tcp", NULL));
			put_str(p, "published", obs_str(b, "HostPort"));
			put_str(p, "host_ip", obs_str(b, "HostIp"));
			d = desired_port(desired, p);
			ynode_map_put(p, "mode", NULL,
				      ynode_new_str("ingress", NULL));
			for (k = 0; d && k < 3; k++)
				if (ynode_map_get(d, copied[k]))
					ynode_map_put(p, copied[k], NULL,
						      ynode_clone(ynode_map_get(
							  d, copied[k])));
			ynode_map_sort(p, false);
			/* One binding per address family collapses. */
			for (j = 0; j < out->u.seq.n; j++)
				if (ynode_equal(out->u.seq.items[j], p))
					break;
			if (j < out->u.seq.n)
				ynode_free(p);
			else
				ynode_seq_push(out, p);
		}
	}
	observe_order_like(out, cont_get(desired, "ports"));
	obs_put_coll(svc, "ports", out, desired);
}

static bool is_opt(const char *opt, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(opt, *set))
			return true;
	return false;
}

static struct ynode *submap(struct ynode *v, const char *key)
{
	struct ynode *m = ynode_map_get(v, key);

	if (!m) {
		m = ynode_new_map(NULL);
		ynode_map_put(v, key, NULL, m);
	}
	return m;
}

/* "src:dst[:opts]" from HostConfig.Binds -> a canonical volume. */
static struct ynode *bind_volume(const char *spec, const struct ynode *model)
{
	static const char *const props[] = {"shared", "rshared", "slave",
					    "rslave", "private", "rprivate",
					    NULL};
	static const char *const cons[] = {"cached", "delegated", "consistent",
					   NULL};
	struct ynode *v = ynode_new_map(NULL);
	char *copy = xstrdup(spec), *dst, *opts, *opt, *next;
	const char *key;
	bool bind;

	dst = strchr(copy, ':');
	if (dst)
		*dst++ = '\0';
	opts = dst ? strchr(dst, ':') : NULL;
	if (opts)
		*opts++ = '\0';
	if (!dst) { /* "/path" alone: an anonymous volume */
		ynode_map_put(v, "type", NULL, ynode_new_str("volume", NULL));
		ynode_map_put(v, "target", NULL, ynode_new_str(copy, NULL));
		ynode_map_put(v, "volume", NULL, ynode_new_map(NULL));
		free(copy);
		return v;
	}
	bind = copy[0] == '/';
	key = bind ? NULL : cont_resource_key(model, "volumes", copy);
	ynode_map_put(v, "type", NULL,
		      ynode_new_str(bind ? "bind" : "volume", NULL));
	ynode_map_put(v, "source", NULL, ynode_new_str(key ? key : copy, NULL));
	ynode_map_put(v, "target", NULL, ynode_new_str(dst, NULL));
	submap(v, bind ? "bind" : "volume");
	for (opt = opts; opt && *opt; opt = next) {
		next = strchr(opt, ',');
		if (next)
			*next++ = '\0';
		if (!strcmp(opt, "ro"))
			ynode_map_put(v, "read_only", NULL,
				      ynode_new_bool(true, NULL));
		else if (!strcmp(opt, "z") || !strcmp(opt, "Z"))
			ynode_map_put(submap(v, "bind"), "selinux", NULL,
				      ynode_new_str(opt, NULL));
		else if (!strcmp(opt, "nocopy"))
			ynode_map_put(submap(v, "volume"), "nocopy", NULL,
				      ynode_new_bool(true, NULL));
		else if (is_opt(opt, props))
			ynode_map_put(submap(v, "bind"), "propagation", NULL,
				      ynode_new_str(opt, NULL));
		else if (is_opt(opt, cons))
			ynode_map_put(v, "consistency", NULL,
				      ynode_new_str(opt, NULL));
	}
	free(copy);
	return v;
}

/* One entry of HostConfig.Mounts -> a canonical volume. */
static struct ynode *mount_volume(const json_t *m, const struct ynode *model)
{
	const char *type = obs_str(m, "Type");
	const char *src = obs_str(m, "Source");
	const json_t *o;
	struct ynode *v = ynode_new_map(NULL), *sub;
	const char *key;

	type = type ? type : "volume";
	ynode_map_put(v, "type", NULL, ynode_new_str(type, NULL));
	if (src && *src) {
		key = strcmp(type, "volume")
			  ? NULL
			  : cont_resource_key(model, "volumes", src);
		ynode_map_put(v, "source", NULL,
			      ynode_new_str(key ? key : src, NULL));
	}
	put_str(v, "target", obs_str(m, "Target"));
	put_true(v, "read_only", json_object_get(m, "ReadOnly"));
	put_str(v, "consistency", obs_str(m, "Consistency"));
	if (!strcmp(type, "bind")) {
		/* Mounts are only used for binds that must not create
		 * their host path (container.c). */
		sub = submap(v, "bind");
		o = json_object_get(m, "BindOptions");
		put_str(sub, "propagation", obs_str(o, "Propagation"));
		ynode_map_put(sub, "create_host_path", NULL,
			      ynode_new_bool(false, NULL));
	} else if (!strcmp(type, "volume")) {
		sub = submap(v, "volume");
		o = json_object_get(m, "VolumeOptions");
		put_true(sub, "nocopy", json_object_get(o, "NoCopy"));
	} else if (!strcmp(type, "tmpfs")) {
		sub = ynode_new_map(NULL);
		o = json_object_get(m, "TmpfsOptions");
		if (obs_int(o, "SizeBytes"))
			ynode_map_put(
			    sub, "size", NULL,
			    ynode_new_int(obs_int(o, "SizeBytes"), NULL));
		if (obs_int(o, "Mode"))
			ynode_map_put(sub, "mode", NULL,
				      ynode_new_int(obs_int(o, "Mode"), NULL));
		if (ynode_len(sub))
			ynode_map_put(v, "tmpfs", NULL, sub);
		else
			ynode_free(sub);
	}
	return v;
}

static void observe_volumes(struct ynode *svc, const json_t *host,
			    const struct ynode *desired,
			    const struct container_ctx *ctx)
{
	const json_t *binds = json_object_get(host, "Binds");
	const json_t *mounts = json_object_get(host, "Mounts");
	struct ynode *out = ynode_new_seq(NULL), *t;
	const char *key;
	const json_t *v;
	size_t i;

	for (i = 0; i < json_array_size(binds); i++)
		if (json_is_string(json_array_get(binds, i)))
			ynode_seq_push(
			    out, bind_volume(json_string_value(
						 json_array_get(binds, i)),
					     ctx->model));
	for (i = 0; i < json_array_size(mounts); i++)
		ynode_seq_push(
		    out, mount_volume(json_array_get(mounts, i), ctx->model));
	for (i = 0; i < out->u.seq.n; i++)
		ynode_map_sort(out->u.seq.items[i], true);
	observe_order_like(out, cont_get(desired, "volumes"));
	obs_put_coll(svc, "volumes", out, desired);

	t = ynode_new_seq(NULL);
	json_object_foreach(json_object_get(host, "Tmpfs"), key, v)
	{
		char *s = json_is_string(v) && *json_string_value(v)
			      ? xasprintf("%s:%s", key, json_string_value(v))
			      : xstrdup(key);

		ynode_seq_push(t, ynode_new_str(s, NULL));
		free(s);
	}
	observe_order_like(t, cont_get(desired, "tmpfs"));
	obs_put_coll(svc, "tmpfs", t, desired);
}

/* Is this alias one the daemon or Compose adds (not the user's)? */
static bool alias_is_added(const char *alias, const json_t *inspect,
			   const struct ynode *daliases,
			   const struct container_ctx *ctx)
{
	const char *id = obs_str(inspect, "Id");
	const char *h = obs_str(json_object_get(inspect, "Config"), "Hostname");
	size_t i;

	for (i = 0;
	     daliases && daliases->kind == YNODE_SEQ && i < daliases->u.seq.n;
	     i++)
		if (!strcmp(daliases->u.seq.items[i]->text, alias))
			return false;
	return (ctx->service && !strcmp(alias, ctx->service)) ||
	       (id && strlen(alias) == 12 && !strncmp(alias, id, 12)) ||
	       (h && !strcmp(alias, h));
}

static void observe_networks(struct ynode *svc, const json_t *inspect,
			     const json_t *host, const struct ynode *desired,
			     const struct container_ctx *ctx)
{
	const char *mode = obs_str(host, "NetworkMode");
	const struct ynode *dnets = cont_get(desired, "networks");
	const json_t *nets = json_object_get(
	    json_object_get(inspect, "NetworkSettings"), "Networks");
	const char *name, *key;
	const json_t *ep, *ipam, *aliases;
	struct ynode *out, *entry, *a, *ips;
	size_t i;

	if (mode && (!strcmp(mode, "host") || !strcmp(mode, "none") ||
		     !strcmp(mode, "bridge") || !strcmp(mode, "default") ||
		     !strncmp(mode, "container:", 10))) {
		const struct ynode *dm = cont_get(desired, "network_mode");
		char *v = obs_container_ref(
		    mode, dm && dm->kind == YNODE_STR ? dm->text : NULL, ctx);

		ynode_map_put(svc, "network_mode", NULL,
			      ynode_new_str(v, NULL));
		free(v);
		return;
	}
	out = ynode_new_map(NULL);
	json_object_foreach((json_t *)nets, name, ep)
	{
		key = cont_resource_key(ctx->model, "networks", name);
		key = key ? key : name;
		entry = ynode_new_map(NULL);
		a = ynode_new_seq(NULL);
		aliases = json_object_get(ep, "Aliases");
		for (i = 0; i < json_array_size(aliases); i++) {
			const char *al =
			    json_string_value(json_array_get(aliases, i));

			if (al &&
			    !alias_is_added(
				al, inspect,
				cont_path(cont_get(dnets, key), "aliases"),
				ctx))
				ynode_seq_push(a, ynode_new_str(al, NULL));
		}
		if (ynode_len(a))
			ynode_map_put(entry, "aliases", NULL, a);
		else
			ynode_free(a);
		ipam = json_object_get(ep, "IPAMConfig");
		put_str(entry, "ipv4_address", obs_str(ipam, "IPv4Address"));
		put_str(entry, "ipv6_address", obs_str(ipam, "IPv6Address"));
		ips = obs_str_list(json_object_get(ipam, "LinkLocalIPs"));
		if (ynode_len(ips))
			ynode_map_put(entry, "link_local_ips", NULL, ips);
		else
			ynode_free(ips);
		if (!ynode_len(entry)) {
			ynode_free(entry);
			entry = ynode_new_null(NULL);
		}
		ynode_map_put(out, key, NULL, entry);
	}
	obs_put_coll(svc, "networks", out, desired);
}

/* network_mode-like namespace settings: ipc, pid. */
static void observe_ns(struct ynode *svc, const char *key, const char *v,
		       const struct ynode *desired,
		       const struct container_ctx *ctx)
{
	const struct ynode *d = cont_get(desired, key);
	char *s;

	if (!v || !*v)
		return;
	/* The daemon's default IPC modes. */
	if (!d && !strcmp(key, "ipc") &&
	    (!strcmp(v, "private") || !strcmp(v, "shareable")))
		return;
	s = obs_container_ref(v, d && d->kind == YNODE_STR ? d->text : NULL,
			      ctx);
	ynode_map_put(svc, key, NULL, ynode_new_str(s, NULL));
	free(s);
}

static void observe_resources(struct ynode *svc, const json_t *host,
			      const struct ynode *desired)
{
	const json_t *swap = json_object_get(host, "MemorySwap");
	const json_t *shm = json_object_get(host, "ShmSize");
	long long mem = obs_int(host, "Memory"),
		  ncpu = obs_int(host, "NanoCpus");

	put_int(svc, "mem_limit", json_object_get(host, "Memory"), desired);
	put_int(svc, "mem_reservation",
		json_object_get(host, "MemoryReservation"), desired);
	/* The daemon sets swap to twice the memory limit when not given. */
	if (cont_get(desired, "memswap_limit") ||
	    (json_is_integer(swap) && json_integer_value(swap) &&
	     json_integer_value(swap) != 2 * mem))
		put_int(svc, "memswap_limit", swap, desired);
	if (ncpu || cont_get(desired, "cpus"))
		ynode_map_put(svc, "cpus", NULL,
			      ynode_new_float((double)ncpu / 1e9, NULL));
	put_int(svc, "cpu_shares", json_object_get(host, "CpuShares"), desired);
	put_int(svc, "cpu_quota", json_object_get(host, "CpuQuota"), desired);
	put_int(svc, "cpu_period", json_object_get(host, "CpuPeriod"), desired);
	put_str(svc, "cpuset", obs_str(host, "CpusetCpus"));
	put_int(svc, "pids_limit", json_object_get(host, "PidsLimit"), desired);
	put_int(svc, "oom_score_adj", json_object_get(host, "OomScoreAdj"),
		desired);
	put_true(svc, "oom_kill_disable",
		 json_object_get(host, "OomKillDisable"));
	if (json_is_integer(json_object_get(host, "MemorySwappiness")) &&
	    (cont_get(desired, "mem_swappiness") ||
	     obs_int(host, "MemorySwappiness") != -1))
		put_int(svc, "mem_swappiness",
			json_object_get(host, "MemorySwappiness"), desired);
	/* 64 MiB is the daemon's /dev/shm. */
	if (cont_get(desired, "shm_size") ||
	    (json_is_integer(shm) && json_integer_value(shm) != 67108864LL))
		put_int(svc, "shm_size", shm, desired);
}

static void observe_restart(struct ynode *svc, const json_t *host,
			    const struct ynode *desired)
{
	const json_t *rp = json_object_get(host, "RestartPolicy");
	const char *name = obs_str(rp, "Name");
	long long n = obs_int(rp, "MaximumRetryCount");
	const struct ynode *ddeploy = cont_get(desired, "deploy");
	const struct ynode *dpol = cont_get(ddeploy, "restart_policy");
	struct ynode *deploy = ddeploy ? ynode_clone(ddeploy) : NULL, *pol;
	struct cont_restart want = {"", 0};
	const char *cond;
	char *s;

	if (!name || !*name)
		name = "no";
	cont_restart_of(&want, desired);
	if (deploy)
		ynode_map_del(deploy, "restart_policy");
	if (!strcmp(want.name, name) && want.retries == n) {
		/* Equal to what desired means: keep desired's spelling. */
		if (cont_get(desired, "restart"))
			ynode_map_put(
			    svc, "restart", NULL,
			    ynode_clone(cont_get(desired, "restart")));
		if (dpol)
			ynode_map_put(deploy, "restart_policy", NULL,
				      ynode_clone(dpol));
	} else if (dpol && !cont_get(desired, "restart")) {
		pol = ynode_clone(dpol);
		cond = !strcmp(name, "no")	 ? "none"
		       : !strcmp(name, "always") ? "any"
						 : name;
		ynode_map_put(pol, "condition", NULL,
			      ynode_new_str(cond, NULL));
		ynode_map_del(pol, "max_attempts");
		if (n)
			ynode_map_put(pol, "max_attempts", NULL,
				      ynode_new_int(n, NULL));
		ynode_map_put(deploy, "restart_policy", NULL, pol);
	} else {
		if (strcmp(name, "no") || cont_get(desired, "restart")) {
			s = n ? xasprintf("%s:%lld", name, n) : xstrdup(name);
			ynode_map_put(svc, "restart", NULL,
				      ynode_new_str(s, NULL));
			free(s);
		}
		/* With `restart` set, deploy's policy has no effect. */
		if (dpol)
			ynode_map_put(deploy, "restart_policy", NULL,
				      ynode_clone(dpol));
	}
	if (deploy && ynode_len(deploy))
		ynode_map_put(svc, "deploy", NULL, deploy);
	else
		ynode_free(deploy);
}

static void observe_logging(struct ynode *svc, const json_t *host,
			    const struct ynode *desired)
{
	const struct ynode *dl = cont_get(desired, "logging");
	const json_t *lc = json_object_get(host, "LogConfig");
	const char *type = obs_str(lc, "Type");
	struct ynode *out, *opts;

	opts = str_map(json_object_get(lc, "Config"));
	/* json-file is the daemon's default driver (DIFF-NORMALISATION.md). */
	if (!dl && (!type || !strcmp(type, "json-file")) && !ynode_len(opts)) {
		ynode_free(opts);
		return;
	}
	out = ynode_new_map(NULL);
	if (type && *type &&
	    (cont_get(dl, "driver") || !dl || strcmp(type, "json-file")))
		ynode_map_put(out, "driver", NULL, ynode_new_str(type, NULL));
	obs_put_coll(out, "options", opts, dl);
	ynode_map_put(svc, "logging", NULL, out);
}

static void observe_lists(struct ynode *svc, const json_t *host,
			  const struct ynode *desired)
{
	static const char *const lists[][2] = {
	    {"cap_add", "CapAdd"},
	    {"cap_drop", "CapDrop"},
	    {"dns", "Dns"},
	    {"dns_search", "DnsSearch"},
	    {"dns_opt", "DnsOptions"},
	    {"security_opt", "SecurityOpt"},
	    {"group_add", "GroupAdd"},
	    {"device_cgroup_rules", "DeviceCgroupRules"},
	};
	const char *pm = obs_str(host, "PidMode"),
		   *im = obs_str(host, "IpcMode");
	struct ynode *l, *it;
	const struct ynode *d;
	size_t i, j;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		l = obs_str_list(json_object_get(host, lists[i][1]));
		d = cont_get(desired, lists[i][0]);
		for (j = 0; l && j < l->u.seq.n; j++) {
			it = l->u.seq.items[j];
			/* The daemon may spell capabilities CAP_X. */
			if (!strncmp(lists[i][0], "cap_", 4) &&
			    !strncmp(it->text, "CAP_", 4) &&
			    !obs_seq_has(d, it->text)) {
				char *s = xstrdup(it->text + 4);

				ynode_set_str(it, s);
				free(s);
			}
			/* Added by the daemon with privileged or a host
			 * PID/IPC namespace (SELinux labels off). */
			if (!strcmp(lists[i][0], "security_opt") &&
			    !strcmp(it->text, "label=disable") &&
			    !obs_seq_has(d, it->text) &&
			    (json_is_true(
				 json_object_get(host, "Privileged")) ||
			     (pm && !strcmp(pm, "host")) ||
			     (im && !strcmp(im, "host")))) {
				ynode_free(ynode_seq_take(l, j--));
				continue;
			}
		}
		if (strcmp(lists[i][0], "dns") &&
		    strcmp(lists[i][0], "dns_search"))
			observe_order_like(l, d);
		obs_put_coll(svc, lists[i][0], l, desired);
	}
}

static void observe_ulimits(struct ynode *svc, const json_t *host,
			    const struct ynode *desired)
{
	const json_t *ul = json_object_get(host, "Ulimits");
	struct ynode *out = ynode_new_map(NULL), *v;
	const char *name;
	long long soft, hard;
	size_t i;

	for (i = 0; i < json_array_size(ul); i++) {
		const json_t *u = json_array_get(ul, i);

		if (!(name = obs_str(u, "Name")))
			continue;
		soft = obs_int(u, "Soft");
		hard = obs_int(u, "Hard");
		if (soft == hard) {
			v = ynode_new_int(soft, NULL);
		} else {
			v = ynode_new_map(NULL);
			ynode_map_put(v, "hard", NULL,
				      ynode_new_int(hard, NULL));
			ynode_map_put(v, "soft", NULL,
				      ynode_new_int(soft, NULL));
		}
		ynode_map_put(out, name, NULL, v);
	}
	obs_put_coll(svc, "ulimits", out, desired);
}

static void observe_devices(struct ynode *svc, const json_t *host,
			    const struct ynode *desired)
{
	const json_t *devs = json_object_get(host, "Devices");
	struct ynode *out = ynode_new_seq(NULL), *d;
	const char *perm;
	size_t i;

	for (i = 0; i < json_array_size(devs); i++) {
		const json_t *j = json_array_get(devs, i);

		d = ynode_new_map(NULL);
		perm = obs_str(j, "CgroupPermissions");
		ynode_map_put(
		    d, "permissions", NULL,
		    ynode_new_str(perm && *perm ? perm : "rwm", NULL));
		put_str(d, "source", obs_str(j, "PathOnHost"));
		put_str(d, "target", obs_str(j, "PathInContainer"));
		ynode_seq_push(out, d);
	}
	observe_order_like(out, cont_get(desired, "devices"));
	obs_put_coll(svc, "devices", out, desired);
}

static size_t host_len(const struct ynode *n)
{
	return strcspn(n->text, "=");
}

/* Sort by host as normalize does, stably: one host's IPs keep the
 * engine's order (insertion sort; these lists are short). */
static void sort_hosts(struct ynode *l)
{
	struct ynode *it;
	size_t i, j, li, lj;
	int c;

	for (i = 1; i < l->u.seq.n; i++) {
		it = l->u.seq.items[i];
		li = host_len(it);
		for (j = i; j > 0; j--) {
			lj = host_len(l->u.seq.items[j - 1]);
			c = strncmp(l->u.seq.items[j - 1]->text, it->text,
				    li < lj ? li : lj);

			if (c < 0 || (!c && lj <= li))
				break;
			l->u.seq.items[j] = l->u.seq.items[j - 1];
		}
		l->u.seq.items[j] = it;
	}
}

static void observe_extra_hosts(struct ynode *svc, const json_t *host,
				const struct ynode *desired)
{
	struct ynode *l = obs_str_list(json_object_get(host, "ExtraHosts"));
	size_t i, sep;
	char *s;

	for (i = 0; l && i < l->u.seq.n; i++) {
		/* "host:ip" (the engine's) -> "host=ip" (canonical). */
		s = xstrdup(l->u.seq.items[i]->text);
		sep = strcspn(s, ":=");
		if (s[sep])
			s[sep] = '=';
		ynode_set_str(l->u.seq.items[i], s);
		free(s);
	}
	if (l)
		sort_hosts(l);
	obs_put_coll(svc, "extra_hosts", l, desired);
}

static void observe_misc(struct ynode *svc, const json_t *host,
			 const struct ynode *desired,
			 const struct container_ctx *ctx)
{
	const json_t *init = json_object_get(host, "Init");
	const char *runtime = obs_str(host, "Runtime");

	put_true(svc, "privileged", json_object_get(host, "Privileged"));
	put_true(svc, "read_only", json_object_get(host, "ReadonlyRootfs"));
	if (json_is_boolean(init))
		ynode_map_put(svc, "init", NULL,
			      ynode_new_bool(json_is_true(init), NULL));
	if (json_object_size(json_object_get(host, "Sysctls")) ||
	    cont_get(desired, "sysctls"))
		obs_put_coll(svc, "sysctls",
			     str_map(json_object_get(host, "Sysctls")),
			     desired);
	if (json_object_size(json_object_get(host, "StorageOpt")) ||
	    cont_get(desired, "storage_opt"))
		obs_put_coll(svc, "storage_opt",
			     str_map(json_object_get(host, "StorageOpt")),
			     desired);
	/* runc is the daemon's default runtime. */
	if (runtime &&
	    (cont_get(desired, "runtime") || strcmp(runtime, "runc")))
		put_str(svc, "runtime", runtime);
	put_str(svc, "userns_mode", obs_str(host, "UsernsMode"));
	put_str(svc, "uts", obs_str(host, "UTSMode"));
	put_str(svc, "cgroup_parent", obs_str(host, "CgroupParent"));
	observe_ns(svc, "ipc", obs_str(host, "IpcMode"), desired, ctx);
	observe_ns(svc, "pid", obs_str(host, "PidMode"), desired, ctx);
}

int observe_host(struct ynode *out, const json_t *inspect,
		 const struct ynode *desired, const struct container_ctx *ctx)
{
	const json_t *host = json_object_get(inspect, "HostConfig");

	observe_ports(out, host, desired);
	observe_volumes(out, host, desired, ctx);
	observe_networks(out, inspect, host, desired, ctx);
	observe_resources(out, host, desired);
	observe_restart(out, host, desired);
	observe_logging(out, host, desired);
	observe_lists(out, host, desired);
	observe_ulimits(out, host, desired);
	observe_devices(out, host, desired);
	observe_extra_hosts(out, host, desired);
	observe_misc(out, host, desired, ctx);
	return 0;
}
