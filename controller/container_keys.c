/*
 * container_keys.c - which keys of a canonical service mooring can deploy.
 *
 * One table (service_keys): keys that become container settings (and
 * that observe reads back), keys that are not container settings at all
 * (observe copies them from desired), and, by omission, keys mooring does
 * not support yet. A service using one of those fails before anything is
 * created, with the key's mark, rather than being deployed without it.
 * docs/internals/DIFF-NORMALISATION.md lists them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container_int.h"
#include "err.h"

#include "banned.h"

enum key_use {
	KEY_SET,  /* becomes a container setting, observe reads it back */
	KEY_COPY, /* no container setting; observe copies desired's value */
};

struct service_key {
	const char *name;
	enum key_use use;
};

/* Sorted for bsearch. Keys not listed are not supported yet. */
static const struct service_key service_keys[] = {
    {"attach", KEY_COPY},
    {"cap_add", KEY_SET},
    {"cap_drop", KEY_SET},
    {"cgroup_parent", KEY_SET},
    {"command", KEY_SET},
    {"container_name", KEY_SET},
    {"cpu_period", KEY_SET},
    {"cpu_quota", KEY_SET},
    {"cpu_shares", KEY_SET},
    {"cpus", KEY_SET},
    {"cpuset", KEY_SET},
    {"depends_on", KEY_SET},
    {"deploy", KEY_SET},
    {"device_cgroup_rules", KEY_SET},
    {"devices", KEY_SET},
    {"dns", KEY_SET},
    {"dns_opt", KEY_SET},
    {"dns_search", KEY_SET},
    {"domainname", KEY_SET},
    {"entrypoint", KEY_SET},
    {"env_file", KEY_COPY},
    {"environment", KEY_SET},
    {"expose", KEY_SET},
    {"extra_hosts", KEY_SET},
    {"group_add", KEY_SET},
    {"healthcheck", KEY_SET},
    {"hostname", KEY_SET},
    {"image", KEY_SET},
    {"init", KEY_SET},
    {"ipc", KEY_SET},
    {"label_file", KEY_COPY},
    {"labels", KEY_SET},
    {"logging", KEY_SET},
    {"mac_address", KEY_SET},
    {"mem_limit", KEY_SET},
    {"mem_reservation", KEY_SET},
    {"mem_swappiness", KEY_SET},
    {"memswap_limit", KEY_SET},
    {"network_mode", KEY_SET},
    {"networks", KEY_SET},
    {"oom_kill_disable", KEY_SET},
    {"oom_score_adj", KEY_SET},
    {"pid", KEY_SET},
    {"pids_limit", KEY_SET},
    {"ports", KEY_SET},
    {"privileged", KEY_SET},
    {"profiles", KEY_COPY},
    {"pull_policy", KEY_COPY},
    {"pull_refresh_after", KEY_COPY},
    {"read_only", KEY_SET},
    {"restart", KEY_SET},
    {"runtime", KEY_SET},
    {"scale", KEY_COPY},
    {"security_opt", KEY_SET},
    {"shm_size", KEY_SET},
    {"stdin_open", KEY_SET},
    {"stop_grace_period", KEY_SET},
    {"stop_signal", KEY_SET},
    {"storage_opt", KEY_SET},
    {"sysctls", KEY_SET},
    {"tmpfs", KEY_SET},
    {"tty", KEY_SET},
    {"ulimits", KEY_SET},
    {"user", KEY_SET},
    {"userns_mode", KEY_SET},
    {"uts", KEY_SET},
    {"volumes", KEY_SET},
    {"working_dir", KEY_SET},
};

static int key_cmp(const void *a, const void *b)
{
	return strcmp(a, ((const struct service_key *)b)->name);
}

static const struct service_key *service_key_find(const char *name)
{
	return bsearch(name, service_keys,
		       sizeof(service_keys) / sizeof(service_keys[0]),
		       sizeof(service_keys[0]), key_cmp);
}

static int unsupported(const struct ymark *m, const char *service,
		       const char *key)
{
	return err_set_at(MOOR_EINVAL, m ? m->file : NULL, m ? m->line : 0,
			  m ? m->col : 0,
			  "key '%s' is not supported by mooring yet (service "
			  "'%s')",
			  key, service);
}

/* Keys of map that are not in allowed (NULL-terminated); prefix names
 * the place in messages ("healthcheck", "networks.front"). */
static int check_subkeys(const struct ynode *map, const char *const *allowed,
			 const char *service, const char *prefix)
{
	size_t i;
	const char *const *a;
	char key[256];

	if (!map || map->kind != YNODE_MAP)
		return 0;
	for (i = 0; i < map->u.map.n; i++) {
		const struct ypair *p = &map->u.map.items[i];

		for (a = allowed; *a; a++)
			if (!strcmp(*a, p->key))
				break;
		if (*a)
			continue;
		snprintf(key, sizeof(key), "%s.%s", prefix, p->key);
		return unsupported(&p->key_mark, service, key);
	}
	return 0;
}

static int check_deploy(const struct ynode *deploy, const char *service)
{
	static const char *const deploy_ok[] = {
	    "endpoint_mode", "labels",	  "mode",	    "placement",
	    "replicas",	     "resources", "restart_policy", "rollback_config",
	    "update_config", NULL};
	static const char *const none[] = {NULL};
	const struct ynode *replicas = ynode_map_get(deploy, "replicas");
	const struct ynode *res = ynode_map_get(deploy, "resources");
	int error;

	if ((error = check_subkeys(deploy, deploy_ok, service, "deploy")))
		return error;
	/* One container per service: more replicas is not supported. */
	if (replicas && replicas->kind == YNODE_INT && replicas->u.i != 1)
		return unsupported(&replicas->mark, service, "deploy.replicas");
	/* What normalisation did not fold into mem_limit/cpus/... */
	if ((error = check_subkeys(res, none, service, "deploy.resources")))
		return error;
	return 0;
}

static int check_volume(const struct ynode *v, size_t i, const char *service)
{
	static const char *const vol_ok[] = {
	    "bind",  "consistency", "read_only", "source", "target",
	    "tmpfs", "type",	    "volume",	 NULL};
	static const char *const bind_ok[] = {"create_host_path", "propagation",
					      "selinux", NULL};
	static const char *const volume_ok[] = {"nocopy", NULL};
	static const char *const tmpfs_ok[] = {"mode", "size", NULL};
	const struct ynode *type = ynode_map_get(v, "type");
	const struct ynode *mode = cont_path(v, "tmpfs.mode");
	char prefix[64];
	int error;

	snprintf(prefix, sizeof(prefix), "volumes[%zu]", i);
	if ((error = check_subkeys(v, vol_ok, service, prefix)))
		return error;
	if (!type || type->kind != YNODE_STR ||
	    (strcmp(type->text, "bind") && strcmp(type->text, "volume") &&
	     strcmp(type->text, "tmpfs"))) {
		snprintf(prefix, sizeof(prefix), "volumes[%zu].type", i);
		return unsupported(type ? &type->mark : &v->mark, service,
				   prefix);
	}
	snprintf(prefix, sizeof(prefix), "volumes[%zu].bind", i);
	if ((error = check_subkeys(ynode_map_get(v, "bind"), bind_ok, service,
				   prefix)))
		return error;
	snprintf(prefix, sizeof(prefix), "volumes[%zu].volume", i);
	if ((error = check_subkeys(ynode_map_get(v, "volume"), volume_ok,
				   service, prefix)))
		return error;
	snprintf(prefix, sizeof(prefix), "volumes[%zu].tmpfs", i);
	if ((error = check_subkeys(ynode_map_get(v, "tmpfs"), tmpfs_ok, service,
				   prefix)))
		return error;
	if (mode && mode->kind != YNODE_INT) {
		snprintf(prefix, sizeof(prefix), "volumes[%zu].tmpfs.mode", i);
		return err_set_at(MOOR_EINVAL, mode->mark.file, mode->mark.line,
				  mode->mark.col,
				  "'%s' must be an integer (service '%s')",
				  prefix, service);
	}
	return 0;
}

/* Every key the service uses is one mooring knows how to deploy. */
int cont_check_service(const struct ynode *svc, const char *service)
{
	static const char *const hc_ok[] = {
	    "interval", "retries", "start_period", "test", "timeout", NULL};
	static const char *const net_ok[] = {
	    "aliases", "ipv4_address", "ipv6_address", "link_local_ips", NULL};
	const struct ynode *nets = cont_get(svc, "networks");
	const struct ynode *vols = cont_get(svc, "volumes");
	const struct ynode *scale = cont_get(svc, "scale");
	char prefix[300];
	size_t i;
	int error;

	for (i = 0; i < svc->u.map.n; i++) {
		const struct ypair *p = &svc->u.map.items[i];

		if (!service_key_find(p->key))
			return unsupported(&p->key_mark, service, p->key);
	}
	if (scale && scale->kind == YNODE_INT && scale->u.i != 1)
		return unsupported(&scale->mark, service, "scale");
	if ((error = check_deploy(cont_get(svc, "deploy"), service)) ||
	    (error = check_subkeys(cont_get(svc, "healthcheck"), hc_ok, service,
				   "healthcheck")))
		return error;
	for (i = 0; nets && nets->kind == YNODE_MAP && i < nets->u.map.n; i++) {
		const struct ypair *p = &nets->u.map.items[i];

		snprintf(prefix, sizeof(prefix), "networks.%s", p->key);
		if ((error = check_subkeys(p->value, net_ok, service, prefix)))
			return error;
	}
	for (i = 0; vols && vols->kind == YNODE_SEQ && i < vols->u.seq.n; i++)
		if ((error = check_volume(vols->u.seq.items[i], i, service)))
			return error;
	return 0;
}
