/*
 * apply_record.c - the recorded plane apply writes (state.h): per
 * service the spec hash, the canonical spec and the id of the image the
 * service's container was made from by mooring.
 *
 * The image id is what lets plan tell "the tag moved and someone
 * recreated the container by hand on the new image" from "in sync": the
 * desired reference then resolves to what runs, and only the recorded id
 * still names the image mooring deployed. So the id is taken from the
 * container this apply created (inspected), and otherwise kept from the
 * previous record while the service's spec is unchanged; only a service
 * recorded for the first time takes the image its running container has.
 */
#include "apply_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "state.h"
#include "xalloc.h"

#include "banned.h"

static const char *str_of(const struct ynode *n)
{
	return n && n->kind == YNODE_STR ? n->text : NULL;
}

static const struct ynode *services_of(const struct ynode *doc)
{
	const struct ynode *s = doc ? ynode_map_get(doc, "services") : NULL;

	return s && s->kind == YNODE_MAP ? s : NULL;
}

bool apply_recorded_current(const struct unit_plan *plan)
{
	const struct ynode *rec = plan->recorded, *rs, *ds;
	const char *rc;

	if (!plan->desired)
		return true; /* nothing to record */
	if (!rec || rec->kind != YNODE_MAP)
		return false;
	rc = str_of(ynode_map_get(rec, "commit"));
	if ((rc == NULL) != (plan->commit == NULL) ||
	    (rc && strcmp(rc, plan->commit)))
		return false;
	rs = services_of(rec);
	ds = services_of(plan->desired->model);
	if (!rs || !ds || rs->u.map.n != ds->u.map.n)
		return false;
	for (size_t i = 0; i < ds->u.map.n; i++) {
		const char *name = ds->u.map.items[i].key;
		const char *want =
		    strmap_get(&plan->desired->spec_hashes, name);
		const char *have =
		    str_of(ynode_map_get(ynode_map_get(rs, name), "spec_hash"));

		if (!want || !have || strcmp(want, have))
			return false;
	}
	return true;
}

/* The image id recorded for a service, or NULL. */
static const char *recorded_image(const struct ynode *recorded,
				  const char *service)
{
	const struct ynode *e = ynode_map_get(services_of(recorded), service);

	return e && e->kind == YNODE_MAP ? str_of(ynode_map_get(e, "image_id"))
					 : NULL;
}

/* The image the container of one service was made from, as .Image of
 * its inspect; NULL when it cannot be read (the record then has none and
 * plan compares nothing). */
static char *inspect_image(struct engine *e, const char *id)
{
	json_t *j = NULL;
	char *image = NULL;
	const char *s;

	if (engine_container_inspect(e, &j, id) < 0)
		return NULL;
	s = json_string_value(json_object_get(j, "Image"));
	if (s && *s)
		image = xstrdup(s);
	json_decref(j);
	return image;
}

/* The running container of ours a service has in the plan, by id. */
static const struct plan_container *
plan_container_of(const struct unit_plan *plan, const char *id)
{
	for (size_t i = 0; id && i < plan->ncontainers; i++)
		if (plan->containers[i].ours &&
		    !strcmp(plan->containers[i].id, id))
			return &plan->containers[i];
	return NULL;
}

/* The image id to record for one service (owned, or NULL). */
static char *image_to_record(const struct unit_plan *plan, struct engine *e,
			     const struct apply_recorded_input *in, size_t i,
			     const char *service)
{
	const struct ynode *rec =
	    ynode_map_get(services_of(plan->recorded), service);
	const char *want = strmap_get(&plan->desired->spec_hashes, service);
	const char *kept = recorded_image(plan->recorded, service);
	const struct plan_container *c;
	const char *had = str_of(ynode_map_get(rec, "spec_hash"));

	if (in->created[i])
		return inspect_image(e, in->ids[i]);
	if (kept && want && had && !strcmp(want, had))
		return xstrdup(kept);
	c = plan_container_of(plan, in->ids[i]);
	return c && c->image_id ? xstrdup(c->image_id) : NULL;
}

static void now_utc(char out[32])
{
	struct tm tm;
	time_t t = time(NULL);

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The document to write; *images_moved: an image id differs from the
 * previous record's (a recreate onto another image, same spec). */
static struct ynode *state_doc(bool *images_moved, const struct unit_plan *plan,
			       struct engine *e,
			       const struct apply_recorded_input *in)
{
	struct ynode *doc = ynode_new_map(NULL);
	struct ynode *services = ynode_new_map(NULL);
	const struct ynode *svcs = services_of(plan->desired->model);
	char when[32];

	*images_moved = false;
	now_utc(when);
	ynode_map_put(doc, "unit", NULL, ynode_new_str(plan->unit->name, NULL));
	ynode_map_put(doc, "project", NULL, ynode_new_str(plan->project, NULL));
	ynode_map_put(doc, "commit", NULL,
		      plan->commit ? ynode_new_str(plan->commit, NULL)
				   : ynode_new_null(NULL));
	ynode_map_put(doc, "applied_at", NULL, ynode_new_str(when, NULL));
	for (size_t i = 0; svcs && i < svcs->u.map.n; i++) {
		const struct ypair *p = &svcs->u.map.items[i];
		struct ynode *entry = ynode_new_map(NULL);
		const char *hash =
		    strmap_get(&plan->desired->spec_hashes, p->key);
		const char *was = recorded_image(plan->recorded, p->key);
		char *image = image_to_record(plan, e, in, i, p->key);

		ynode_map_put(entry, "spec_hash", NULL,
			      ynode_new_str(hash ? hash : "", NULL));
		ynode_map_put(entry, "spec", NULL, ynode_clone(p->value));
		if (image)
			ynode_map_put(entry, "image_id", NULL,
				      ynode_new_str(image, NULL));
		if (image && (!was || strcmp(was, image)))
			*images_moved = true;
		free(image);
		ynode_map_put(services, p->key, NULL, entry);
	}
	ynode_map_put(doc, "services", NULL, services);
	ynode_map_sort(doc, false);
	return doc;
}

int apply_record(const struct unit_plan *plan, struct engine *e,
		 const char *state_dir, const struct apply_recorded_input *in)
{
	bool images_moved;
	struct ynode *doc;
	int error = 0;

	if (!plan->desired)
		return 0;
	doc = state_doc(&images_moved, plan, e, in);
	/* Same commit, same spec hashes, same images: rewriting it would
	 * only move applied_at. */
	if (images_moved || !apply_recorded_current(plan))
		error = state_save(state_dir, plan->unit->name, doc);
	ynode_free(doc);
	return error;
}
