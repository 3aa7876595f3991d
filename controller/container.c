/*
 * container.c - a canonical service -> the body of POST /containers/create
 * (Engine API 1.41). The reverse is observe.c/observe_host.c; every rule
 * here has its inverse there (docs/internals/DIFF-NORMALISATION.md).
 *
 * container_keys.c decides first whether mooring can deploy the service at
 * all; container_map.c holds the mappings shared with observe.
 */
#include "container.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "container_int.h"
#include "err.h"
#include "xalloc.h"

#include "banned.h"

struct build {
	const struct ynode *svc;
	const struct container_ctx *ctx;
	json_t *body, *host, *extra;
};

static json_t *jstr(const char *s)
{
	json_t *j = json_string(s);

	/* The loader checked UTF-8; a string jansson refuses is a bug. */
	return j ? j : json_string("");
}

static void set(json_t *obj, const char *key, json_t *v)
{
	json_object_set_new(obj, key, v);
}

static const char *str_of(const struct ynode *svc, const char *key)
{
	const struct ynode *n = cont_get(svc, key);

	return n && n->kind == YNODE_STR ? n->text : NULL;
}

static json_t *str_list(const struct ynode *seq)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; seq && seq->kind == YNODE_SEQ && i < seq->u.seq.n; i++) {
		const struct ynode *it = seq->u.seq.items[i];

		json_array_append_new(a, jstr(it->text ? it->text : ""));
	}
	return a;
}

static json_t *str_map(const struct ynode *map)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; map && map->kind == YNODE_MAP && i < map->u.map.n; i++) {
		const struct ypair *p = &map->u.map.items[i];

		set(o, p->key, jstr(p->value->text ? p->value->text : ""));
	}
	return o;
}

static void set_str_key(struct build *b, json_t *obj, const char *jkey,
			const char *ykey)
{
	const char *s = str_of(b->svc, ykey);

	if (s)
		set(obj, jkey, jstr(s));
}

static void set_list_key(struct build *b, json_t *obj, const char *jkey,
			 const char *ykey)
{
	const struct ynode *n = cont_get(b->svc, ykey);

	if (n && n->kind == YNODE_SEQ)
		set(obj, jkey, str_list(n));
}

static void set_int_key(struct build *b, json_t *obj, const char *jkey,
			const char *ykey)
{
	const struct ynode *n = cont_get(b->svc, ykey);

	if (n && n->kind == YNODE_INT)
		set(obj, jkey, json_integer(n->u.i));
}

static void set_bool_key(struct build *b, json_t *obj, const char *jkey,
			 const char *ykey)
{
	const struct ynode *n = cont_get(b->svc, ykey);

	if (n && n->kind == YNODE_BOOL)
		set(obj, jkey, json_boolean(n->u.b));
}

static int add_env(struct build *b)
{
	const struct ynode *env = cont_get(b->svc, "environment");
	json_t *a = json_array();
	char *kv;
	size_t i;

	/* Canonical maps are sorted, so Env comes out sorted by key. */
	for (i = 0; env && env->kind == YNODE_MAP && i < env->u.map.n; i++) {
		const struct ypair *p = &env->u.map.items[i];

		/* null: "pass through unset", the variable is not set. */
		if (p->value->kind == YNODE_NULL)
			continue;
		kv = xasprintf("%s=%s", p->key, p->value->text);
		json_array_append_new(a, jstr(kv));
		free(kv);
	}
	set(b->body, "Env", a);
	return 0;
}

static int add_labels(struct build *b)
{
	const struct container_ctx *ctx = b->ctx;
	const struct ynode *labels = cont_get(b->svc, "labels");
	const struct ynode *deps = cont_get(b->svc, "depends_on");
	json_t *o = json_object();
	struct buf dep = BUF_INIT(BUF_UNBOUNDED);
	char num[32];
	size_t i;

	for (i = 0; labels && labels->kind == YNODE_MAP && i < labels->u.map.n;
	     i++) {
		const struct ypair *p = &labels->u.map.items[i];

		if (cont_label_is_ours(p->key)) {
			json_decref(o);
			return err_set_at(
			    MOOR_EINVAL, p->key_mark.file, p->key_mark.line,
			    p->key_mark.col,
			    "label '%s' is reserved for compose and mooring "
			    "(service '%s')",
			    p->key, ctx->service);
		}
		set(o, p->key, jstr(p->value->text ? p->value->text : ""));
	}
	/* Compose v2's form: "svc:condition:restart", comma-separated. */
	for (i = 0; deps && deps->kind == YNODE_MAP && i < deps->u.map.n; i++) {
		const struct ypair *p = &deps->u.map.items[i];
		const struct ynode *cond = ynode_map_get(p->value, "condition");
		const struct ynode *rs = ynode_map_get(p->value, "restart");

		buf_printf(&dep, "%s%s:%s:%s", i ? "," : "", p->key,
			   cond && cond->text ? cond->text : "service_started",
			   rs && rs->kind == YNODE_BOOL && rs->u.b ? "true"
								   : "false");
	}
	snprintf(num, sizeof(num), "%d", ctx->number > 0 ? ctx->number : 1);
	set(o, LABEL_PROJECT, jstr(ctx->project));
	set(o, LABEL_SERVICE, jstr(ctx->service));
	set(o, LABEL_NUMBER, jstr(num));
	set(o, LABEL_ONEOFF, jstr("False"));
	set(o, LABEL_CONFIG_HASH, jstr(ctx->spec_hash ? ctx->spec_hash : ""));
	set(o, LABEL_WORKING_DIR,
	    jstr(ctx->working_dir ? ctx->working_dir : ""));
	set(o, LABEL_CONFIG_FILES,
	    jstr(ctx->config_files ? ctx->config_files : ""));
	set(o, LABEL_DEPENDS_ON, jstr(buf_cstr(&dep)));
	set(o, LABEL_UNIT, jstr(ctx->unit ? ctx->unit : ""));
	if (ctx->commit)
		set(o, LABEL_COMMIT, jstr(ctx->commit));
	set(o, LABEL_SPEC_HASH, jstr(ctx->spec_hash ? ctx->spec_hash : ""));
	buf_release(&dep);
	set(b->body, "Labels", o);
	return 0;
}

/* "80", "53/udp" -> "80/tcp", "53/udp" (the engine's port keys). */
static char *port_key(const char *port, const char *proto)
{
	if (strchr(port, '/'))
		return xstrdup(port);
	return xasprintf("%s/%s", port, proto ? proto : "tcp");
}

static int add_ports(struct build *b)
{
	const struct ynode *ports = cont_get(b->svc, "ports");
	const struct ynode *expose = cont_get(b->svc, "expose");
	json_t *exposed = json_object(), *bindings = json_object(), *list;
	char num[32], *key;
	size_t i;

	for (i = 0; ports && ports->kind == YNODE_SEQ && i < ports->u.seq.n;
	     i++) {
		const struct ynode *p = ports->u.seq.items[i];
		const struct ynode *target = ynode_map_get(p, "target");
		const struct ynode *ip = ynode_map_get(p, "host_ip");
		const struct ynode *pub = ynode_map_get(p, "published");
		const struct ynode *proto = ynode_map_get(p, "protocol");

		if (!target || target->kind != YNODE_INT)
			continue;
		snprintf(num, sizeof(num), "%lld", target->u.i);
		key = port_key(num, proto ? proto->text : NULL);
		set(exposed, key, json_object());
		list = json_object_get(bindings, key);
		if (!list) {
			list = json_array();
			set(bindings, key, list);
		}
		json_array_append_new(
		    list, json_pack("{s:s,s:s}", "HostIp", ip ? ip->text : "",
				    "HostPort", pub ? pub->text : ""));
		free(key);
	}
	for (i = 0; expose && expose->kind == YNODE_SEQ && i < expose->u.seq.n;
	     i++) {
		key = port_key(expose->u.seq.items[i]->text, NULL);
		set(exposed, key, json_object());
		free(key);
	}
	set(b->body, "ExposedPorts", exposed);
	set(b->host, "PortBindings", bindings);
	return 0;
}

static int add_healthcheck(struct build *b)
{
	static const char *const durations[][2] = {
	    {"interval", "Interval"},
	    {"timeout", "Timeout"},
	    {"start_period", "StartPeriod"}};
	const struct ynode *hc = cont_get(b->svc, "healthcheck");
	const struct ynode *n;
	json_t *o;
	long long ns;
	size_t i;

	if (!hc)
		return 0;
	o = json_object();
	if ((n = ynode_map_get(hc, "test")))
		set(o, "Test", str_list(n));
	for (i = 0; i < 3; i++) {
		if (!(n = ynode_map_get(hc, durations[i][0])))
			continue;
		if (n->kind != YNODE_STR ||
		    !cont_parse_duration(n->text, &ns)) {
			json_decref(o);
			return err_set_at(MOOR_EINVAL, n->mark.file,
					  n->mark.line, n->mark.col,
					  "invalid duration '%s'",
					  n->text ? n->text : "");
		}
		set(o, durations[i][1], json_integer(ns));
	}
	if ((n = ynode_map_get(hc, "retries")) && n->kind == YNODE_INT)
		set(o, "Retries", json_integer(n->u.i));
	set(b->body, "Healthcheck", o);
	return 0;
}

static int add_stop(struct build *b)
{
	const struct ynode *n = cont_get(b->svc, "stop_grace_period");
	long long ns;

	set_str_key(b, b->body, "StopSignal", "stop_signal");
	if (!n)
		return 0;
	if (n->kind != YNODE_STR || !cont_parse_duration(n->text, &ns))
		return err_set_at(MOOR_EINVAL, n->mark.file, n->mark.line,
				  n->mark.col, "invalid duration '%s'",
				  n->text ? n->text : "");
	/* The engine counts whole seconds; Compose truncates too. */
	set(b->body, "StopTimeout", json_integer(ns / 1000000000LL));
	return 0;
}

/* A bind that may create its host path must use Binds: a Mounts bind
 * fails when the source is missing (create_host_path: false). */
static char *bind_spec(const struct ynode *v)
{
	const struct ynode *src = ynode_map_get(v, "source");
	const struct ynode *dst = ynode_map_get(v, "target");
	const struct ynode *ro = ynode_map_get(v, "read_only");
	const struct ynode *prop = cont_path(v, "bind.propagation");
	const struct ynode *se = cont_path(v, "bind.selinux");
	const struct ynode *cons = ynode_map_get(v, "consistency");
	struct buf s = BUF_INIT(BUF_UNBOUNDED);
	const char *sep = ":";

	buf_printf(&s, "%s:%s", src ? src->text : "", dst ? dst->text : "");
	if (ro && ro->kind == YNODE_BOOL && ro->u.b) {
		buf_printf(&s, "%sro", sep);
		sep = ",";
	}
	if (se && se->kind == YNODE_STR) {
		buf_printf(&s, "%s%s", sep, se->text);
		sep = ",";
	}
	if (prop && prop->kind == YNODE_STR) {
		buf_printf(&s, "%s%s", sep, prop->text);
		sep = ",";
	}
	if (cons && cons->kind == YNODE_STR)
		buf_printf(&s, "%s%s", sep, cons->text);
	return buf_detach(&s, NULL);
}

static json_t *mount_of(struct build *b, const struct ynode *v)
{
	const char *type = str_of(v, "type");
	const char *src = str_of(v, "source");
	const struct ynode *ro = ynode_map_get(v, "read_only");
	const struct ynode *n;
	json_t *m = json_object(), *opt;

	set(m, "Type", jstr(type));
	if (src && !strcmp(type, "volume"))
		src = cont_resource_name(b->ctx->model, "volumes", src);
	if (src)
		set(m, "Source", jstr(src));
	set(m, "Target", jstr(str_of(v, "target") ? str_of(v, "target") : ""));
	if (ro && ro->kind == YNODE_BOOL && ro->u.b)
		set(m, "ReadOnly", json_true());
	if (str_of(v, "consistency"))
		set(m, "Consistency", jstr(str_of(v, "consistency")));
	if (!strcmp(type, "bind")) {
		opt = json_object();
		if ((n = cont_path(v, "bind.propagation")))
			set(opt, "Propagation", jstr(n->text));
		set(m, "BindOptions", opt);
	} else if (!strcmp(type, "volume")) {
		n = cont_path(v, "volume.nocopy");
		if (n && n->kind == YNODE_BOOL && n->u.b)
			set(m, "VolumeOptions",
			    json_pack("{s:b}", "NoCopy", 1));
	} else if (!strcmp(type, "tmpfs")) {
		opt = json_object();
		if ((n = cont_path(v, "tmpfs.size")) && n->kind == YNODE_INT)
			set(opt, "SizeBytes", json_integer(n->u.i));
		if ((n = cont_path(v, "tmpfs.mode")) && n->kind == YNODE_INT)
			set(opt, "Mode", json_integer(n->u.i));
		set(m, "TmpfsOptions", opt);
	}
	return m;
}

static int add_volumes(struct build *b)
{
	const struct ynode *vols = cont_get(b->svc, "volumes");
	const struct ynode *tmpfs = cont_get(b->svc, "tmpfs");
	json_t *binds = json_array(), *mounts = json_array(), *t;
	const struct ynode *chp;
	const char *colon;
	size_t i;

	for (i = 0; vols && vols->kind == YNODE_SEQ && i < vols->u.seq.n; i++) {
		const struct ynode *v = vols->u.seq.items[i];
		const char *type = str_of(v, "type");

		chp = cont_path(v, "bind.create_host_path");
		if (!strcmp(type, "bind") &&
		    !(chp && chp->kind == YNODE_BOOL && !chp->u.b)) {
			char *spec = bind_spec(v);

			json_array_append_new(binds, jstr(spec));
			free(spec);
			continue;
		}
		json_array_append_new(mounts, mount_of(b, v));
	}
	if (json_array_size(binds))
		set(b->host, "Binds", binds);
	else
		json_decref(binds);
	if (json_array_size(mounts))
		set(b->host, "Mounts", mounts);
	else
		json_decref(mounts);
	if (!tmpfs || tmpfs->kind != YNODE_SEQ)
		return 0;
	t = json_object();
	for (i = 0; i < tmpfs->u.seq.n; i++) {
		const char *s = tmpfs->u.seq.items[i]->text;
		char *path;

		colon = strchr(s, ':');
		path = colon ? xstrndup(s, (size_t)(colon - s)) : xstrdup(s);
		set(t, path, jstr(colon ? colon + 1 : ""));
		free(path);
	}
	set(b->host, "Tmpfs", t);
	return 0;
}

static json_t *endpoint_of(struct build *b, const struct ynode *net,
			   bool with_service)
{
	const struct ynode *aliases = ynode_map_get(net, "aliases");
	const struct ynode *n;
	json_t *ep = json_object(), *a = json_array(), *ipam = json_object();
	size_t i;
	bool listed = false;

	for (i = 0;
	     aliases && aliases->kind == YNODE_SEQ && i < aliases->u.seq.n; i++)
		listed |=
		    !strcmp(aliases->u.seq.items[i]->text, b->ctx->service);
	/* Compose makes every container reachable by its service name. */
	if (with_service && !listed)
		json_array_append_new(a, jstr(b->ctx->service));
	for (i = 0;
	     aliases && aliases->kind == YNODE_SEQ && i < aliases->u.seq.n; i++)
		json_array_append_new(a, jstr(aliases->u.seq.items[i]->text));
	set(ep, "Aliases", a);
	if ((n = ynode_map_get(net, "ipv4_address")))
		set(ipam, "IPv4Address", jstr(n->text));
	if ((n = ynode_map_get(net, "ipv6_address")))
		set(ipam, "IPv6Address", jstr(n->text));
	if ((n = ynode_map_get(net, "link_local_ips")))
		set(ipam, "LinkLocalIPs", str_list(n));
	if (json_object_size(ipam))
		set(ep, "IPAMConfig", ipam);
	else
		json_decref(ipam);
	return ep;
}

static int add_network(struct build *b)
{
	const struct ynode *nets = cont_get(b->svc, "networks");
	const char *mode = str_of(b->svc, "network_mode");
	json_t *endpoints = json_object();
	const char *name;
	char *ref;
	size_t i;

	if (mode) {
		ref = cont_service_ref(b->ctx, mode);
		set(b->host, "NetworkMode", jstr(ref ? ref : mode));
		free(ref);
		json_decref(endpoints);
		return 0;
	}
	/* The first network (by key) at create, the others connected
	 * before start: API 1.41 takes one endpoint at create. */
	for (i = 0; nets && nets->kind == YNODE_MAP && i < nets->u.map.n; i++) {
		const struct ypair *p = &nets->u.map.items[i];

		name = cont_resource_name(b->ctx->model, "networks", p->key);
		if (i == 0) {
			set(b->host, "NetworkMode", jstr(name));
			set(endpoints, name, endpoint_of(b, p->value, true));
		} else {
			set(b->extra, name, endpoint_of(b, p->value, true));
		}
	}
	set(b->body, "NetworkingConfig",
	    json_pack("{s:o}", "EndpointsConfig", endpoints));
	return 0;
}

static void add_ref_mode(struct build *b, const char *jkey, const char *ykey)
{
	const char *v = str_of(b->svc, ykey);
	char *ref;

	if (!v)
		return;
	ref = cont_service_ref(b->ctx, v);
	set(b->host, jkey, jstr(ref ? ref : v));
	free(ref);
}

static void add_resources(struct build *b)
{
	const struct ynode *cpus = cont_get(b->svc, "cpus");
	const struct ynode *oom = cont_get(b->svc, "oom_kill_disable");

	set_int_key(b, b->host, "Memory", "mem_limit");
	set_int_key(b, b->host, "MemoryReservation", "mem_reservation");
	set_int_key(b, b->host, "MemorySwap", "memswap_limit");
	set_int_key(b, b->host, "MemorySwappiness", "mem_swappiness");
	if (cpus && cpus->kind == YNODE_FLOAT)
		set(b->host, "NanoCpus",
		    json_integer(llround(cpus->u.f * 1e9)));
	set_int_key(b, b->host, "CpuShares", "cpu_shares");
	set_int_key(b, b->host, "CpuQuota", "cpu_quota");
	set_int_key(b, b->host, "CpuPeriod", "cpu_period");
	set_str_key(b, b->host, "CpusetCpus", "cpuset");
	set_int_key(b, b->host, "PidsLimit", "pids_limit");
	set_int_key(b, b->host, "OomScoreAdj", "oom_score_adj");
	if (oom && oom->kind == YNODE_BOOL)
		set(b->host, "OomKillDisable", json_boolean(oom->u.b));
	set_int_key(b, b->host, "ShmSize", "shm_size");
}

static void add_host_misc(struct build *b)
{
	const struct ynode *n;
	struct cont_restart r = {"", 0};
	json_t *a;
	size_t i;
	char *s;

	cont_restart_of(&r, b->svc);
	set(b->host, "RestartPolicy",
	    json_pack("{s:s,s:I}", "Name", r.name, "MaximumRetryCount",
		      (json_int_t)r.retries));
	set_list_key(b, b->host, "CapAdd", "cap_add");
	set_list_key(b, b->host, "CapDrop", "cap_drop");
	set_bool_key(b, b->host, "Privileged", "privileged");
	set_bool_key(b, b->host, "ReadonlyRootfs", "read_only");
	set_bool_key(b, b->host, "Init", "init");
	set_list_key(b, b->host, "Dns", "dns");
	set_list_key(b, b->host, "DnsSearch", "dns_search");
	set_list_key(b, b->host, "DnsOptions", "dns_opt");
	set_list_key(b, b->host, "SecurityOpt", "security_opt");
	set_list_key(b, b->host, "GroupAdd", "group_add");
	set_list_key(b, b->host, "DeviceCgroupRules", "device_cgroup_rules");
	set_str_key(b, b->host, "Runtime", "runtime");
	set_str_key(b, b->host, "UsernsMode", "userns_mode");
	set_str_key(b, b->host, "UTSMode", "uts");
	set_str_key(b, b->host, "CgroupParent", "cgroup_parent");
	add_ref_mode(b, "IpcMode", "ipc");
	add_ref_mode(b, "PidMode", "pid");
	if ((n = cont_get(b->svc, "sysctls")))
		set(b->host, "Sysctls", str_map(n));
	if ((n = cont_get(b->svc, "storage_opt")))
		set(b->host, "StorageOpt", str_map(n));
	if ((n = cont_get(b->svc, "logging")))
		set(b->host, "LogConfig",
		    json_pack("{s:s,s:o}", "Type",
			      str_of(n, "driver") ? str_of(n, "driver") : "",
			      "Config", str_map(ynode_map_get(n, "options"))));
	if ((n = cont_get(b->svc, "extra_hosts")) && n->kind == YNODE_SEQ) {
		a = json_array();
		for (i = 0; i < n->u.seq.n; i++) {
			/* "host=ip" -> the engine's "host:ip" (first '='). */
			s = xstrdup(n->u.seq.items[i]->text);
			if (strchr(s, '='))
				*strchr(s, '=') = ':';
			json_array_append_new(a, jstr(s));
			free(s);
		}
		set(b->host, "ExtraHosts", a);
	}
	if ((n = cont_get(b->svc, "ulimits")) && n->kind == YNODE_MAP) {
		a = json_array();
		for (i = 0; i < n->u.map.n; i++) {
			const struct ypair *p = &n->u.map.items[i];
			const struct ynode *soft =
			    ynode_map_get(p->value, "soft");
			const struct ynode *hard =
			    ynode_map_get(p->value, "hard");
			long long sv = soft ? soft->u.i : p->value->u.i;
			long long hv = hard ? hard->u.i : p->value->u.i;

			json_array_append_new(
			    a,
			    json_pack("{s:s,s:I,s:I}", "Name", p->key, "Soft",
				      (json_int_t)sv, "Hard", (json_int_t)hv));
		}
		set(b->host, "Ulimits", a);
	}
	if ((n = cont_get(b->svc, "devices")) && n->kind == YNODE_SEQ) {
		a = json_array();
		for (i = 0; i < n->u.seq.n; i++) {
			const struct ynode *d = n->u.seq.items[i];

			json_array_append_new(
			    a,
			    json_pack(
				"{s:s,s:s,s:s}", "PathOnHost",
				str_of(d, "source") ? str_of(d, "source") : "",
				"PathInContainer",
				str_of(d, "target") ? str_of(d, "target") : "",
				"CgroupPermissions",
				str_of(d, "permissions")
				    ? str_of(d, "permissions")
				    : "rwm"));
		}
		set(b->host, "Devices", a);
	}
}

char *container_name(const struct container_ctx *ctx)
{
	const struct ynode *svc =
	    cont_get(cont_get(ctx->model, "services"), ctx->service);
	const char *fixed = str_of(svc, "container_name");

	if (fixed)
		return xstrdup(fixed);
	return xasprintf("%s-%s-%d", ctx->project, ctx->service,
			 ctx->number > 0 ? ctx->number : 1);
}

int container_create_body(json_t **body_out, json_t **extra_out,
			  const struct ynode *service,
			  const struct container_ctx *ctx)
{
	struct build b = {service, ctx, NULL, NULL, NULL};
	const struct ynode *n;
	int error = -1;

	if (!service || service->kind != YNODE_MAP) {
		err_set(MOOR_EINVAL, "service '%s' is not a mapping",
			ctx->service);
		goto cleanup;
	}
	if ((error = cont_check_service(service, ctx->service)))
		goto cleanup;
	if (!str_of(service, "image")) {
		error = err_set(MOOR_EINVAL, "service '%s' has no image",
				ctx->service);
		goto cleanup;
	}
	b.body = json_object();
	b.host = json_object();
	b.extra = json_object();
	set_str_key(&b, b.body, "Image", "image");
	if ((n = cont_get(service, "command")) && n->kind == YNODE_SEQ)
		set(b.body, "Cmd", str_list(n));
	if ((n = cont_get(service, "entrypoint")) && n->kind == YNODE_SEQ)
		set(b.body, "Entrypoint", str_list(n));
	set_str_key(&b, b.body, "User", "user");
	set_str_key(&b, b.body, "WorkingDir", "working_dir");
	set_str_key(&b, b.body, "Hostname", "hostname");
	set_str_key(&b, b.body, "Domainname", "domainname");
	set_str_key(&b, b.body, "MacAddress", "mac_address");
	set_bool_key(&b, b.body, "Tty", "tty");
	set_bool_key(&b, b.body, "OpenStdin", "stdin_open");
	if ((error = add_env(&b)) || (error = add_labels(&b)) ||
	    (error = add_ports(&b)) || (error = add_healthcheck(&b)) ||
	    (error = add_stop(&b)) || (error = add_volumes(&b)) ||
	    (error = add_network(&b)))
		goto cleanup;
	add_resources(&b);
	add_host_misc(&b);
	set(b.body, "HostConfig", b.host);
	b.host = NULL;
	*body_out = b.body;
	*extra_out = b.extra;
	b.body = b.extra = NULL;
	error = 0;
cleanup:
	json_decref(b.body);
	json_decref(b.host);
	json_decref(b.extra);
	return error;
}
