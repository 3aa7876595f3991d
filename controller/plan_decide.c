/*
 * plan_decide.c - from what was read to what it means: the actions apply
 * would take and the findings to report (plan.h, plan_internal.h). Pure:
 * no daemon, no disk.
 *
 * A container's labels say which spec it was created from (its spec
 * hash). That spec is the baseline runtime drift is measured against:
 * the recorded one when the hashes match, else the desired one when
 * those match; a container made from neither is simply recreated.
 */
#include "plan_internal.h"

#include "classify.h"

#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "xalloc.h"

#include "banned.h"

bool plan_selected(const struct plan_options *opts, const char *service)
{
	if (!opts || !opts->nservices)
		return true;
	if (!service)
		return false;
	for (size_t i = 0; i < opts->nservices; i++)
		if (!strcmp(opts->services[i], service))
			return true;
	return false;
}

struct plan_container *plan_find_container(const struct unit_plan *p,
					   const char *service)
{
	struct plan_container *best = NULL;

	for (size_t i = 0; i < p->ncontainers; i++) {
		struct plan_container *c = &p->containers[i];

		if (!c->ours || c->temporary || !c->service ||
		    strcmp(c->service, service) != 0)
			continue;
		if (!best || (c->running && !best->running))
			best = c;
	}
	return best;
}

static struct plan_action *plan_add_action(struct unit_plan *p,
					   const char *service,
					   enum plan_action_kind kind,
					   enum plan_reason reason,
					   const struct plan_container *c)
{
	struct plan_action *a;

	p->actions =
	    xreallocarray(p->actions, p->nactions + 1, sizeof(*p->actions));
	a = &p->actions[p->nactions++];
	memset(a, 0, sizeof(*a));
	a->service = xstrdup(service);
	a->kind = kind;
	a->reason = reason;
	a->container_id = c && c->id ? xstrdup(c->id) : NULL;
	return a;
}

static void plan_action_path(struct plan_action *a, const char *path)
{
	a->paths = xreallocarray(a->paths, a->npaths + 1, sizeof(*a->paths));
	a->paths[a->npaths++] = xstrdup(path);
}

/* The recorded entry of a service: its spec and spec hash. */
struct plan_recorded {
	const struct ynode *spec; /* NULL: never recorded */
	const char *hash;
	const char *image_id; /* the image mooring made the container from */
};

static void plan_recorded_of(struct plan_recorded *out,
			     const struct unit_plan *p, const char *service)
{
	const struct ynode *services, *entry, *hash;

	memset(out, 0, sizeof(*out));
	if (!p->recorded)
		return;
	services = ynode_map_get(p->recorded, "services");
	entry = services && services->kind == YNODE_MAP
		    ? ynode_map_get(services, service)
		    : NULL;
	if (!entry || entry->kind != YNODE_MAP)
		return;
	out->spec = ynode_map_get(entry, "spec");
	hash = ynode_map_get(entry, "spec_hash");
	out->hash = hash && hash->kind == YNODE_STR ? hash->text : NULL;
	hash = ynode_map_get(entry, "image_id");
	out->image_id = hash && hash->kind == YNODE_STR ? hash->text : NULL;
	if (out->spec && out->spec->kind != YNODE_MAP)
		out->spec = NULL;
}

static bool plan_same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* Paths that make a spec_changed recreate: desired vs recorded, or vs
 * what runs when nothing was recorded. */
static int plan_spec_paths(struct plan_action *a, const char *service,
			   const struct ynode *desired,
			   const struct plan_recorded *rec,
			   const struct plan_container *c)
{
	const struct ynode *other = rec->spec ? rec->spec : c->observed;
	struct changes ch;
	int error;

	if (!other)
		return 0;
	changes_init(&ch);
	error = diff_service(&ch, service, desired, NULL, other, false);
	for (size_t i = 0; !error && i < ch.n; i++)
		plan_action_path(a, ch.items[i].path);
	changes_release(&ch);
	return error;
}

static int plan_push_finding(struct unit_plan *p, const struct plan_facts *f,
			     const char *service, const char *container,
			     const struct finding_kind *k,
			     const struct change *const *changes, size_t n)
{
	struct finding_ctx fc = f->finding;
	json_t *obj;

	fc.unit = p->unit;
	fc.service = service;
	fc.container = container;
	obj = finding_new(&fc, k, changes, n);
	if (!obj)
		return err_last_code() ? err_last_code() : MOOR_ERR;
	json_array_append_new(p->findings, obj);
	return 0;
}

/* A desired, recorded service with no running container: missing, or
 * emergency when an open exception covers the whole service (stopped on
 * purpose during an incident: left alone, like emergency drift). */
static int plan_missing(struct unit_plan *p, const struct plan_facts *f,
			const char *service, const struct ynode *desired,
			const struct plan_container *c)
{
	static const struct finding_kind missing = {"actual_vs_recorded",
						    "missing", "runtime", NULL};
	static const struct finding_kind emergency = {
	    "actual_vs_recorded", "emergency", "runtime", NULL};
	const struct finding_kind *k = &missing;
	struct change ch;
	const struct change *chs[] = {&ch};
	char *path = xasprintf("/services/%s", service);
	int error;

	memset(&ch, 0, sizeof(ch));
	ch.path = path;
	ch.desired = ynode_new_str("running", NULL);
	ch.recorded = ynode_new_str("running", NULL);
	ch.actual = ynode_new_str(c ? "stopped" : "absent", NULL);
	ch.mark = desired->mark;
	if (f->policy && policy_exception(f->policy, p->unit->name, service,
					  path, f->finding.now))
		k = &emergency;
	error = plan_push_finding(p, f, service, c ? c->id : NULL, k, chs, 1);
	ynode_free(ch.desired);
	ynode_free(ch.recorded);
	ynode_free(ch.actual);
	free(path);
	return error;
}

/* Has `mooring accept` accepted this runtime value (for this desired
 * value)? Compared in the form findings show (secrets masked). */
static bool plan_accepted(const struct plan_facts *f, const struct change *x)
{
	json_t *d, *a;
	bool yes;

	if (!f || !f->accepted)
		return false;
	/* Without the key every secret value shows the same: an accepted
	 * one would cover any later value. */
	if (finding_path_is_secret(x->path) &&
	    !(f->finding.key && f->finding.key->len))
		return false;
	d = finding_value(x->path, x->desired, f->finding.key);
	a = finding_value(x->path, x->actual, f->finding.key);
	yes = findings_accepted_covers(f->accepted, x->path, d, a);
	json_decref(d);
	json_decref(a);
	return yes;
}

/*
 * The container runs another image than the reference now resolves to
 * (the tag moved: apply recreates it), or, with the same spec, another
 * image than the one mooring made it from (it was recreated by hand after
 * the tag moved: nothing to recreate, but nobody deployed that image
 * through git). One dependency finding naming the image ids; the second
 * kind is no finding once `mooring accept` took the running image.
 */
static int plan_image_finding(struct unit_plan *p, const struct plan_facts *f,
			      const char *service, const struct ynode *desired,
			      const struct plan_container *c,
			      const char *resolved, const char *recorded)
{
	struct finding_kind k = {"actual_vs_desired", "dependency", "image",
				 NULL};
	const struct ynode *image = ynode_map_get(desired, "image");
	struct change ch;
	const struct change *chs[] = {&ch};
	char *path = xasprintf("/services/%s/image", service);
	int error = 0;

	memset(&ch, 0, sizeof(ch));
	ch.path = path;
	ch.desired = resolved ? ynode_new_str(resolved, NULL) : NULL;
	ch.recorded = recorded ? ynode_new_str(recorded, NULL) : NULL;
	ch.actual = ynode_new_str(c->image_id, NULL);
	ch.mark = image ? image->mark : desired->mark;
	if (!resolved || !strcmp(resolved, c->image_id)) {
		k.relationship = "actual_vs_recorded";
		if (plan_accepted(f, &ch))
			goto cleanup;
	}
	error = plan_push_finding(p, f, service, c->id, &k, chs, 1);
cleanup:
	ynode_free(ch.desired);
	ynode_free(ch.recorded);
	ynode_free(ch.actual);
	free(path);
	return error;
}

/* Which bucket a drifted field goes to (the policy's split). */
enum plan_bucket {
	PLAN_DRIFT,
	PLAN_CONFLICT,
	PLAN_OWNED,
	PLAN_EMERGENCY,
	PLAN_NBUCKETS,
};

/*
 * Runtime drift of a running container against the spec it was created
 * from, split by the policy: a field an ownership rule gives to someone
 * else is controller_owned, one an open exception covers is emergency
 * (both left alone: not in out->paths, so nothing reverts them), one
 * accepted with `mooring accept` is no finding at all unless a deploy is
 * waiting that recreates the container (redeploy: a new spec or a moved
 * tag), which would drop it; of the rest, fields that also changed in
 * git since the last apply are a conflict (a deploy would overwrite the
 * runtime change), the others unauthorized drift. An accepted value a
 * deploy would drop is a conflict too, its change marked accepted. One
 * finding per non-empty bucket; the drift and conflict paths are added
 * to out->paths.
 */
static int plan_drift(struct plan_action *out, struct unit_plan *p,
		      const struct plan_facts *f, const char *service,
		      const struct ynode *desired, const char *desired_hash,
		      const struct plan_recorded *rec,
		      const struct plan_container *c, bool redeploy)
{
	static const char *const klass[PLAN_NBUCKETS] = {
	    "unauthorized", "unauthorized", "controller_owned", "emergency"};
	const struct policy *pol = f ? f->policy : NULL;
	time_t now = f ? f->finding.now : 0;
	struct changes ch;
	const struct change **bucket[PLAN_NBUCKETS] = {NULL};
	size_t nb[PLAN_NBUCKETS] = {0};
	bool vs_recorded;
	int error = 0;

	if (plan_same(c->spec_hash, rec->hash) && rec->spec)
		vs_recorded = true;
	else if (plan_same(c->spec_hash, desired_hash))
		vs_recorded = false;
	else
		return 0; /* made from neither: apply recreates it */
	changes_init(&ch);
	if ((error = diff_service(&ch, service, desired,
				  vs_recorded ? rec->spec : NULL, c->observed,
				  vs_recorded)) < 0)
		goto cleanup;
	for (size_t b = 0; b < PLAN_NBUCKETS; b++)
		bucket[b] = xcalloc(ch.n + 1, sizeof(*bucket[b]));
	redeploy = redeploy || !plan_same(c->spec_hash, desired_hash);
	for (size_t i = 0; i < ch.n; i++) {
		struct change *x = &ch.items[i];
		const struct ynode *base =
		    vs_recorded ? x->recorded : x->desired;
		enum plan_bucket b;

		if (diff_values_equal(x->path, x->actual, base))
			continue; /* a pending deploy, not drift */
		/* Git caught up with the runtime value (the reconciliation
		 * was merged): the deploy changes nothing there. */
		if (vs_recorded &&
		    diff_values_equal(x->path, x->actual, x->desired))
			continue;
		/* A new commit that changes an emergency value is a
		 * conflict all the same: deploying it would end the
		 * emergency change silently. */
		if (pol &&
		    policy_owner(pol, p->unit->name, service, x->path, now))
			b = PLAN_OWNED;
		else if (vs_recorded &&
			 !diff_values_equal(x->path, x->desired, x->recorded))
			b = PLAN_CONFLICT;
		else if (pol && policy_exception(pol, p->unit->name, service,
						 x->path, now))
			b = PLAN_EMERGENCY;
		else if (plan_accepted(f, x)) {
			out->drops_accepted = true;
			if (!redeploy)
				continue;
			x->accepted = true;
			b = PLAN_CONFLICT;
		} else
			b = PLAN_DRIFT;
		bucket[b][nb[b]++] = x;
		if (b == PLAN_DRIFT || b == PLAN_CONFLICT)
			plan_action_path(out, x->path);
	}
	for (size_t b = 0; b < PLAN_NBUCKETS && !error; b++) {
		struct finding_kind k = {b == PLAN_CONFLICT ? "conflict"
					 : vs_recorded ? "actual_vs_recorded"
						       : "actual_vs_desired",
					 klass[b], NULL, NULL};

		if (nb[b])
			error = plan_push_finding(p, f, service, c->id, &k,
						  bucket[b], nb[b]);
	}
cleanup:
	for (size_t b = 0; b < PLAN_NBUCKETS; b++)
		free(bucket[b]);
	changes_release(&ch);
	return error;
}

/* Append the paths of src that dst does not name yet. */
static void plan_merge_paths(struct plan_action *dst,
			     const struct plan_action *src)
{
	for (size_t i = 0; i < src->npaths; i++) {
		size_t j;

		for (j = 0; j < dst->npaths; j++)
			if (!strcmp(dst->paths[j], src->paths[i]))
				break;
		if (j == dst->npaths)
			plan_action_path(dst, src->paths[i]);
	}
}

/*
 * What apply does to one desired service, first match wins: create what
 * has no container; recreate what was made from another spec, what
 * drifted from its own (apply converges: the drift is also a finding),
 * what runs an image its reference no longer names, and everything with
 * --force-recreate; start what is stopped.
 */
static int plan_decide_service(struct unit_plan *p, const struct plan_facts *f,
			       const struct plan_options *opts,
			       const char *service, const struct ynode *desired)
{
	const char *hash = strmap_get(&p->desired->spec_hashes, service);
	const char *resolved =
	    f->resolved ? strmap_get(f->resolved, service) : NULL;
	struct plan_container *c = plan_find_container(p, service);
	struct plan_action drifted;
	struct plan_recorded rec;
	struct plan_action *a;
	char *path;
	bool moved, swapped;
	int error = 0;

	memset(&drifted, 0, sizeof(drifted));
	plan_recorded_of(&rec, p, service);
	moved = c && c->image_id && resolved && strcmp(resolved, c->image_id);
	swapped = c && c->running && c->image_id && rec.image_id &&
		  plan_same(c->spec_hash, rec.hash) &&
		  strcmp(rec.image_id, c->image_id);
	if (rec.spec && (!c || !c->running))
		error = plan_missing(p, f, service, desired, c);
	if (!error && (moved || swapped))
		error = plan_image_finding(p, f, service, desired, c, resolved,
					   rec.image_id);
	if (!error && c && c->running && c->observed)
		error = plan_drift(&drifted, p, f, service, desired, hash, &rec,
				   c, moved);
	if (error < 0)
		goto cleanup;
	if (!c) {
		plan_add_action(p, service, ACTION_CREATE,
				rec.spec ? REASON_MISSING : REASON_NEW, NULL);
	} else if (!plan_same(c->spec_hash, hash) || drifted.npaths) {
		/* A new spec wins over drift as the reason: the recreate
		 * would happen for it alone. */
		a = plan_add_action(p, service, ACTION_RECREATE,
				    plan_same(c->spec_hash, hash)
					? REASON_DRIFT
					: REASON_SPEC_CHANGED,
				    c);
		if (!plan_same(c->spec_hash, hash))
			error = plan_spec_paths(a, service, desired, &rec, c);
		plan_merge_paths(a, &drifted);
		a->drops_accepted = drifted.drops_accepted;
	} else if (moved) {
		a = plan_add_action(p, service, ACTION_RECREATE,
				    REASON_IMAGE_CHANGED, c);
		path = xasprintf("/services/%s/image", service);
		plan_action_path(a, path);
		free(path);
	} else if (opts && opts->force_recreate) {
		plan_add_action(p, service, ACTION_RECREATE, REASON_FORCED, c);
	} else if (!c->running) {
		plan_add_action(p, service,
				c->never_started ? ACTION_RECREATE
						 : ACTION_START,
				REASON_MISSING, c);
	}
cleanup:
	for (size_t i = 0; i < drifted.npaths; i++)
		free(drifted.paths[i]);
	free(drifted.paths);
	return error;
}

static void plan_add_orphan(struct unit_plan *p, const struct plan_container *c)
{
	struct plan_action *a;
	char *path;

	/* Ours but without a service label: named by the container, with
	 * no path into the model (it has no service there). */
	if (!c->service) {
		plan_add_action(p, c->name, ACTION_REMOVE, REASON_ORPHAN, c);
		return;
	}
	a = plan_add_action(p, c->service, ACTION_REMOVE, REASON_ORPHAN, c);
	path = xasprintf("/services/%s", c->service);
	plan_action_path(a, path);
	free(path);
}

static const struct plan_action *plan_action_of(const struct unit_plan *p,
						const char *service)
{
	for (size_t i = 0; i < p->nactions; i++)
		if (!strcmp(p->actions[i].service, service))
			return &p->actions[i];
	return NULL;
}

/*
 * A service joined to another's namespaces (network_mode, ipc or pid
 * "service:x") is bound to that container by id: when x gets a new
 * container, the joiner must get one too (as Compose does), or it keeps
 * pointing at a container that is gone.
 */
static void plan_add_namespace_followers(struct unit_plan *p,
					 const struct ynode *services,
					 const struct plan_options *opts)
{
	static const char *const keys[] = {"network_mode", "ipc", "pid"};

	for (size_t i = 0; i < services->u.map.n; i++) {
		const struct ypair *s = &services->u.map.items[i];
		const struct plan_container *c;

		if (!plan_selected(opts, s->key) || plan_action_of(p, s->key))
			continue;
		c = plan_find_container(p, s->key);
		if (!c || !c->running)
			continue;
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			const struct ynode *v =
			    ynode_map_get(s->value, keys[k]);
			const struct plan_action *a;
			struct plan_action *mine;
			char *path;

			if (!v || v->kind != YNODE_STR ||
			    strncmp(v->text, "service:", 8))
				continue;
			a = plan_action_of(p, v->text + 8);
			if (!a || (a->kind != ACTION_CREATE &&
				   a->kind != ACTION_RECREATE))
				continue;
			mine = plan_add_action(p, s->key, ACTION_RECREATE,
					       REASON_DEPENDENCY, c);
			path = xasprintf("/services/%s/%s", s->key, keys[k]);
			plan_action_path(mine, path);
			free(path);
			break;
		}
	}
}

/*
 * The project's networks and named volumes: one that is absent is
 * missing (apply creates it again), one with another driver drifted
 * (apply never changes or deletes an existing one: it is reported).
 */
static int plan_resource_findings(struct unit_plan *p,
				  const struct plan_facts *f)
{
	static const struct finding_kind missing = {"actual_vs_desired",
						    "missing", NULL, NULL};
	static const struct finding_kind drift = {"actual_vs_desired",
						  "unauthorized", NULL, NULL};
	static const char *const kinds[] = {"networks", "volumes"};
	static const char *const defaults[] = {"bridge", "local"};
	int error = 0;

	for (size_t k = 0; k < 2 && !error; k++) {
		const struct ynode *seen =
		    ynode_map_get(f->resources, kinds[k]);
		const struct ynode *defs =
		    ynode_map_get(p->desired->model, kinds[k]);

		for (size_t i = 0; seen && i < seen->u.map.n && !error; i++) {
			const struct ypair *a = &seen->u.map.items[i];
			const struct ynode *def = ynode_map_get(defs, a->key);
			const struct ynode *want =
			    def ? ynode_map_get(def, "driver") : NULL;
			const struct ynode *got =
			    ynode_map_get(a->value, "driver");
			const char *wd = want && want->kind == YNODE_STR
					     ? want->text
					     : defaults[k];
			struct change ch;
			const struct change *chs[] = {&ch};

			memset(&ch, 0, sizeof(ch));
			ch.mark = def ? def->mark : p->desired->model->mark;
			if (a->value->kind == YNODE_NULL) {
				ch.path = xasprintf("/%s/%s", kinds[k], a->key);
				ch.desired = ynode_new_str("present", NULL);
				ch.actual = ynode_new_str("absent", NULL);
				error = plan_push_finding(p, f, NULL, NULL,
							  &missing, chs, 1);
			} else if (got && strcmp(got->text, wd)) {
				ch.path = xasprintf("/%s/%s/driver", kinds[k],
						    a->key);
				ch.desired = ynode_new_str(wd, NULL);
				ch.actual = ynode_new_str(got->text, NULL);
				error = plan_push_finding(p, f, NULL, NULL,
							  &drift, chs, 1);
			}
			free(ch.path);
			ynode_free(ch.desired);
			ynode_free(ch.actual);
		}
	}
	return error;
}

static bool plan_is_desired(const struct ynode *services, const char *name)
{
	return services && name && ynode_map_get(services, name);
}

int plan_decide(struct unit_plan *p, const struct plan_facts *facts,
		const struct plan_options *opts)
{
	static const struct finding_kind unmanaged = {
	    "actual_vs_desired", "unmanaged", "runtime", NULL};
	static const struct finding_kind duplicate = {
	    "actual_vs_recorded", "unmanaged", "runtime", NULL};
	const struct ynode *services = NULL;
	int error = 0;

	if (!p->findings)
		p->findings = json_array();
	if (p->desired)
		services = ynode_map_get(p->desired->model, "services");
	if (services && services->kind == YNODE_MAP) {
		for (size_t i = 0; !error && i < services->u.map.n; i++) {
			const struct ypair *s = &services->u.map.items[i];

			if (plan_selected(opts, s->key))
				error = plan_decide_service(p, facts, opts,
							    s->key, s->value);
		}
		if (!error)
			plan_add_namespace_followers(p, services, opts);
	}
	for (size_t i = 0; !error && i < p->ncontainers; i++) {
		struct plan_container *c = &p->containers[i];

		if (c->service ? !plan_selected(opts, c->service)
			       : opts && opts->nservices)
			continue;
		if (!c->ours) {
			/* Reported, never acted upon (DESIGN 4.3). */
			error = plan_push_finding(p, facts, c->service, c->id,
						  &unmanaged, NULL, 0);
		} else if (c->temporary) {
			continue; /* apply_recover() finishes its recreate */
		} else if (plan_is_desired(services, c->service) &&
			   c != plan_find_container(p, c->service)) {
			/* A second container of one service: not the one
			 * apply manages, whoever made it. */
			error = plan_push_finding(p, facts, c->service, c->id,
						  &duplicate, NULL, 0);
			if (!error && opts && opts->remove_orphans)
				plan_add_orphan(p, c);
		} else if (!plan_is_desired(services, c->service) && opts &&
			   opts->remove_orphans) {
			plan_add_orphan(p, c);
		}
	}
	if (!error && facts && facts->resources && p->desired)
		error = plan_resource_findings(p, facts);
	if (!error && facts && p->desired)
		error = classify_desired(p->findings, &facts->finding,
					 p->desired->model, facts->policy);
	if (error < 0)
		return error;
	if (facts) {
		struct classify_ctx cx = {facts->policy, p->unit,
					  facts->journal, facts->finding.now};

		classify_findings(p->findings, &cx);
	}
	p->status = plan_status(p);
	return 0;
}

enum unit_status plan_status(const struct unit_plan *p)
{
	size_t i;
	json_t *f;

	if (p->status == UNIT_ERROR || p->status == UNIT_UNKNOWN)
		return p->status;
	json_array_foreach(p->findings, i, f)
	{
		const char *rel =
		    json_string_value(json_object_get(f, "relationship"));

		if (rel && !strcmp(rel, "conflict"))
			return UNIT_CONFLICT;
	}
	json_array_foreach(p->findings, i, f)
	{
		if (classify_counts_as_drift(f))
			return UNIT_DRIFT;
	}
	if (p->nactions)
		return UNIT_PENDING;
	return UNIT_IN_SYNC;
}
