/*
 * apply_resources.c - the project's networks and named volumes: created
 * when absent, left alone when present (mooring never changes or deletes
 * a network or volume that exists: a volume holds data, and a network may
 * have other containers on it), and external ones only checked.
 *
 * Names and labels are Compose's, so `docker-compose -p NAME` and
 * `docker compose` see them as the project's own.
 */
#include "apply_int.h"

#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "err.h"
#include "log.h"

#include "banned.h"

#define LABEL_NETWORK "com.docker.compose.network"
#define LABEL_VOLUME  "com.docker.compose.volume"

enum resource_kind { RES_NETWORK, RES_VOLUME };

static const char *kind_name(enum resource_kind k)
{
	return k == RES_NETWORK ? "network" : "volume";
}

static bool is_true(const struct ynode *n)
{
	return n && n->kind == YNODE_BOOL && n->u.b;
}

/* The resource name: `name:` (always filled by normalisation), else the
 * key as written. */
static const char *resource_name(const struct ypair *p)
{
	const struct ynode *name = ynode_map_get(p->value, "name");

	return name && name->kind == YNODE_STR ? name->text : p->key;
}

static int resource_exists(struct engine *e, enum resource_kind k,
			   const char *name)
{
	int error = k == RES_NETWORK ? engine_network_inspect(e, NULL, name)
				     : engine_volume_inspect(e, NULL, name);

	if (error == MOOR_ENOTFOUND) {
		err_clear();
		return 0;
	}
	return error < 0 ? error : 1;
}

/* User labels plus Compose's and ours. */
static json_t *resource_labels(const struct unit_plan *plan,
			       enum resource_kind k, const struct ypair *p)
{
	json_t *labels = apply_ynode_json(ynode_map_get(p->value, "labels"));

	if (!json_is_object(labels)) {
		json_decref(labels);
		labels = json_object();
	}
	json_object_set_new(labels, LABEL_PROJECT, json_string(plan->project));
	json_object_set_new(labels,
			    k == RES_NETWORK ? LABEL_NETWORK : LABEL_VOLUME,
			    json_string(p->key));
	json_object_set_new(labels, LABEL_UNIT, json_string(plan->unit->name));
	return labels;
}

static void set_ynode(json_t *obj, const char *key, const struct ynode *n)
{
	if (n)
		json_object_set_new(obj, key, apply_ynode_json(n));
}

/* compose ipam {driver, config: [{subnet, ip_range, gateway,
 * aux_addresses}], options} -> Engine IPAM. */
static json_t *network_ipam(const struct ynode *ipam)
{
	json_t *out = json_object();
	const struct ynode *config = ynode_map_get(ipam, "config");
	static const char *const keys[][2] = {
	    {"subnet", "Subnet"},
	    {"ip_range", "IPRange"},
	    {"gateway", "Gateway"},
	    {"aux_addresses", "AuxiliaryAddresses"},
	};

	set_ynode(out, "Driver", ynode_map_get(ipam, "driver"));
	set_ynode(out, "Options", ynode_map_get(ipam, "options"));
	if (config && config->kind == YNODE_SEQ) {
		json_t *list = json_array();

		for (size_t i = 0; i < config->u.seq.n; i++) {
			json_t *item = json_object();

			for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]);
			     k++)
				set_ynode(item, keys[k][1],
					  ynode_map_get(config->u.seq.items[i],
							keys[k][0]));
			json_array_append_new(list, item);
		}
		json_object_set_new(out, "Config", list);
	}
	return out;
}

static json_t *network_body(const struct unit_plan *plan, const struct ypair *p)
{
	const struct ynode *def = p->value;
	json_t *body = json_object();
	const struct ynode *ipam = ynode_map_get(def, "ipam");

	json_object_set_new(body, "Name", json_string(resource_name(p)));
	json_object_set_new(body, "CheckDuplicate", json_true());
	set_ynode(body, "Driver", ynode_map_get(def, "driver"));
	set_ynode(body, "Options", ynode_map_get(def, "driver_opts"));
	if (is_true(ynode_map_get(def, "internal")))
		json_object_set_new(body, "Internal", json_true());
	if (is_true(ynode_map_get(def, "attachable")))
		json_object_set_new(body, "Attachable", json_true());
	if (is_true(ynode_map_get(def, "enable_ipv6")))
		json_object_set_new(body, "EnableIPv6", json_true());
	if (ipam && ipam->kind == YNODE_MAP && ynode_len(ipam))
		json_object_set_new(body, "IPAM", network_ipam(ipam));
	json_object_set_new(body, "Labels",
			    resource_labels(plan, RES_NETWORK, p));
	return body;
}

static json_t *volume_body(const struct unit_plan *plan, const struct ypair *p)
{
	json_t *body = json_object();

	json_object_set_new(body, "Name", json_string(resource_name(p)));
	set_ynode(body, "Driver", ynode_map_get(p->value, "driver"));
	set_ynode(body, "DriverOpts", ynode_map_get(p->value, "driver_opts"));
	json_object_set_new(body, "Labels",
			    resource_labels(plan, RES_VOLUME, p));
	return body;
}

static int resource_create(struct engine *e, enum resource_kind k,
			   const json_t *body)
{
	char *id = NULL;
	int error;

	if (k == RES_NETWORK) {
		error = engine_network_create(e, &id, body);
		free(id);
		return error;
	}
	return engine_volume_create(e, NULL, body);
}

static const struct ynode *section(const struct unit_plan *plan,
				   enum resource_kind k)
{
	const struct ynode *s;

	if (!plan->desired)
		return NULL;
	s = ynode_map_get(plan->desired->model,
			  k == RES_NETWORK ? "networks" : "volumes");
	return s && s->kind == YNODE_MAP ? s : NULL;
}

static int ensure_kind(const struct unit_plan *plan, struct engine *e,
		       const struct apply_options *opts, enum resource_kind k,
		       bool *changed)
{
	const struct ynode *defs = section(plan, k);

	for (size_t i = 0; defs && i < defs->u.map.n; i++) {
		const struct ypair *p = &defs->u.map.items[i];
		const char *name = resource_name(p);
		json_t *body;
		int exists, error;

		if (is_true(ynode_map_get(p->value, "external")))
			continue; /* apply_check made sure it exists */
		exists = resource_exists(e, k, name);
		if (exists < 0)
			return exists;
		if (exists)
			continue;
		if (opts->dry_run) {
			apply_say(opts, "%s: would create %s '%s'",
				  plan->unit->name, kind_name(k), name);
			*changed = true;
			continue;
		}
		body = k == RES_NETWORK ? network_body(plan, p)
					: volume_body(plan, p);
		error = resource_create(e, k, body);
		json_decref(body);
		if (error < 0)
			return error;
		apply_crashpoint(k == RES_NETWORK ? "network:created"
						  : "volume:created");
		apply_say(opts, "%s: %s '%s' created", plan->unit->name,
			  kind_name(k), name);
		*changed = true;
	}
	return 0;
}

int apply_resources(const struct unit_plan *plan, struct engine *e,
		    const struct apply_options *opts, bool *changed_out)
{
	bool changed = false;
	int error;

	if ((error = ensure_kind(plan, e, opts, RES_NETWORK, &changed)) < 0)
		return error;
	if ((error = ensure_kind(plan, e, opts, RES_VOLUME, &changed)) < 0)
		return error;
	if (changed)
		*changed_out = true;
	return 0;
}

void apply_check_resources(struct apply_problems *out,
			   const struct unit_plan *plan, struct engine *e)
{
	for (int k = RES_NETWORK; k <= RES_VOLUME; k++) {
		const struct ynode *defs = section(plan, (enum resource_kind)k);

		for (size_t i = 0; defs && i < defs->u.map.n; i++) {
			const struct ypair *p = &defs->u.map.items[i];
			int exists;

			if (!is_true(ynode_map_get(p->value, "external")))
				continue;
			exists = resource_exists(e, (enum resource_kind)k,
						 resource_name(p));
			if (exists < 0)
				apply_problem_add(out, "unit '%s': %s",
						  plan->unit->name, err_last());
			else if (!exists)
				apply_problem_add(
				    out,
				    "unit '%s': external %s '%s' does not "
				    "exist on this host",
				    plan->unit->name,
				    kind_name((enum resource_kind)k),
				    resource_name(p));
		}
	}
}
