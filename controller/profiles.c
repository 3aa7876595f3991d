/* profiles.c - enable services by profile (see profiles.h). */
#include "profiles.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#include "banned.h"

static bool profiles_is_active(const char *profile, const char *const *active,
			       size_t nactive)
{
	for (size_t i = 0; i < nactive; i++)
		if (strcmp(active[i], "*") == 0 ||
		    strcmp(active[i], profile) == 0)
			return true;
	return false;
}

static bool profiles_enabled(const struct ynode *svc, const char *const *active,
			     size_t nactive)
{
	const struct ynode *profiles;

	if (!svc || svc->kind != YNODE_MAP)
		return true;
	profiles = ynode_map_get(svc, "profiles");
	/* A malformed list is left for schema_check to report. */
	if (!profiles || profiles->kind != YNODE_SEQ || !profiles->u.seq.n)
		return true;
	for (size_t i = 0; i < profiles->u.seq.n; i++) {
		const struct ynode *p = profiles->u.seq.items[i];

		if (p->kind != YNODE_STR ||
		    profiles_is_active(p->text, active, nactive))
			return true;
	}
	return false;
}

void profiles_apply(struct ynode *root, const char *const *active,
		    size_t nactive, struct strmap *disabled)
{
	struct ynode *services = ynode_map_get(root, "services");
	size_t i = 0;
	char *key;

	if (!services || services->kind != YNODE_MAP)
		return;
	while (i < services->u.map.n) {
		struct ypair *p = &services->u.map.items[i];

		if (profiles_enabled(p->value, active, nactive)) {
			i++;
			continue;
		}
		strmap_set(disabled, p->key, NULL, &p->key_mark);
		/* The pair's own key is freed by the removal: pass a copy. */
		key = xstrdup(p->key);
		ynode_map_del(services, key);
		free(key);
	}
}
