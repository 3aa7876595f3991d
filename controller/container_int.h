/*
 * container_int.h - what container.c (create body) and observe*.c
 * (inspect -> canonical service) share: the mappings that must be the
 * same both ways, so the two stay inverses. Not for use outside them: the
 * public contract is container.h.
 */
#ifndef MOORING_CONTAINER_INT_H
#define MOORING_CONTAINER_INT_H

#include <stdbool.h>

#include <jansson.h>

#include "container.h"
#include "ynode.h"

/* container_keys.c: every key of the service is one mooring deploys;
 * else MOOR_EINVAL "key 'x' is not supported by mooring yet" at its mark. */
int cont_check_service(const struct ynode *svc, const char *service);

/* The engine's restart policy of a canonical service: `restart` wins
 * over `deploy.restart_policy` (CANONICAL-MODEL.md); none is "no". */
struct cont_restart {
	char name[32]; /* no, always, on-failure, unless-stopped, or other */
	long long retries;
};
void cont_restart_of(struct cont_restart *out, const struct ynode *service);

/* Top-level networks/volumes: key -> resource name (`name:`, else the
 * key), and back (NULL when no key has that name). */
const char *cont_resource_name(const struct ynode *model, const char *kind,
			       const char *key);
const char *cont_resource_key(const struct ynode *model, const char *kind,
			      const char *name);

/* "service:x" -> "container:<project>-x-1" (NULL for other values). */
char *cont_service_ref(const struct container_ctx *ctx, const char *value);

/* A Go duration string ("1m30s", "1.5s", "500ms") in nanoseconds. */
bool cont_parse_duration(const char *s, long long *out_ns);

/* Labels mooring and Compose set themselves (never user labels). */
bool cont_label_is_ours(const char *key);

/* The first-level value of a service, or NULL. */
const struct ynode *cont_get(const struct ynode *service, const char *key);
/* A nested value by a dotted path ("deploy.restart_policy"), or NULL. */
const struct ynode *cont_path(const struct ynode *service, const char *path);

/* observe.c: small readers of inspect JSON, shared with observe_host.c. */
const char *obs_str(const json_t *obj, const char *key); /* NULL: absent */
long long obs_int(const json_t *obj, const char *key);	 /* 0: absent */
/* A list of strings as a SEQ node; NULL when not an array. */
struct ynode *obs_str_list(const json_t *arr);
/* Does a sequence hold the string s? */
bool obs_seq_has(const struct ynode *seq, const char *s);
/* Put value (may be NULL: nothing) under key. */
void obs_put(struct ynode *map, const char *key, struct ynode *value);
/* Put a collection if it has items, or if desired has the key with an
 * empty collection too; otherwise free it. */
void obs_put_coll(struct ynode *map, const char *key, struct ynode *value,
		  const struct ynode *desired);
/* "container:<id>" -> "service:<name>" when the id is a service's;
 * desired's value when it cannot tell; else the value itself. New string. */
char *obs_container_ref(const char *value, const char *desired,
			const struct container_ctx *ctx);

/* observe_host.c: the HostConfig half of container_observe(). */
int observe_host(struct ynode *out, const json_t *inspect,
		 const struct ynode *desired, const struct container_ctx *ctx);
/* Reorder the items of a set-like list to follow the order of the same
 * items in desired (unmatched items last, in their own order), so that an
 * observed list equal as a multiset is also equal item by item. */
void observe_order_like(struct ynode *seq, const struct ynode *desired);

#endif
