/*
 * plan_observe.c - read a unit's part of the host for plan (reads only):
 * the containers of its compose project, their inspect output and images,
 * the canonical service each of ours runs, and what each desired image
 * reference resolves to now.
 */
#include "plan_internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "err.h"
#include "xalloc.h"

#include "banned.h"

/* Image inspect results by image id: containers of one unit mostly share
 * a few images. Shared by the read workers under `lock`; a document, once
 * cached, is only read. */
struct plan_images {
	char **ids;
	json_t **docs; /* NULL: the image is gone */
	size_t n;
	pthread_mutex_t lock;
	/* service -> id of our container for it: what a "container:<id>"
	 * namespace reference of another service must point at (set before
	 * the workers start, then only read). */
	struct strmap service_ids;
};

static void plan_images_release(struct plan_images *im)
{
	for (size_t i = 0; i < im->n; i++) {
		free(im->ids[i]);
		json_decref(im->docs[i]);
	}
	free(im->ids);
	free(im->docs);
	strmap_release(&im->service_ids);
	pthread_mutex_destroy(&im->lock);
}

/* Borrowed reference to the image's inspect output, NULL when the image
 * is not on the host any more. */
static int plan_image_get(const json_t **out, struct plan_images *im,
			  struct engine *e, const char *id)
{
	json_t *doc = NULL;
	int error = 0;

	pthread_mutex_lock(&im->lock);
	for (size_t i = 0; i < im->n; i++)
		if (!strcmp(im->ids[i], id)) {
			*out = im->docs[i];
			goto out;
		}
	error = engine_image_inspect(e, &doc, id);
	if (error == MOOR_ENOTFOUND) {
		err_clear();
		error = 0;
		doc = NULL;
	} else if (error < 0) {
		goto out;
	}
	im->ids = xreallocarray(im->ids, im->n + 1, sizeof(*im->ids));
	im->docs = xreallocarray(im->docs, im->n + 1, sizeof(*im->docs));
	im->ids[im->n] = xstrdup(id);
	im->docs[im->n] = doc;
	im->n++;
	*out = doc;
out:
	pthread_mutex_unlock(&im->lock);
	return error;
}

void plan_container_release(struct plan_container *c)
{
	free(c->id);
	free(c->name);
	free(c->service);
	free(c->spec_hash);
	free(c->image_id);
	json_decref(c->inspect);
	ynode_free(c->observed);
	memset(c, 0, sizeof(*c));
}

/*
 * A recreate's replacement is unfinished while it has its temporary name
 * (apply_recreate.c; the suffix must stay the same as APPLY_TEMP_SUFFIX).
 * Labels cannot be removed, so io.mooring.replaces stays on a finished
 * replacement for life and alone says nothing.
 */
#define PLAN_TEMP_SUFFIX "-mooring-new"

static bool plan_is_temporary(const json_t *labels, const char *name)
{
	size_t len = strlen(name), slen = strlen(PLAN_TEMP_SUFFIX);

	return json_object_get(labels, LABEL_REPLACES) && len > slen &&
	       !strcmp(name + len - slen, PLAN_TEMP_SUFFIX);
}

static char *plan_label(const json_t *labels, const char *key)
{
	const char *v = json_string_value(json_object_get(labels, key));

	return v ? xstrdup(v) : NULL;
}

/* Fill a plan_container from one entry of GET /containers/json. */
static void plan_container_from_list(struct plan_container *c,
				     const json_t *item, const char *unit)
{
	const json_t *labels = json_object_get(item, "Labels");
	const char *id = json_string_value(json_object_get(item, "Id"));
	const char *name = json_string_value(
	    json_array_get(json_object_get(item, "Names"), 0));
	const char *state = json_string_value(json_object_get(item, "State"));
	const char *image = json_string_value(json_object_get(item, "ImageID"));
	const char *owner =
	    json_string_value(json_object_get(labels, LABEL_UNIT));

	memset(c, 0, sizeof(*c));
	c->id = xstrdup(id ? id : "");
	c->name = xstrdup(name ? (name[0] == '/' ? name + 1 : name) : "");
	c->service = plan_label(labels, LABEL_SERVICE);
	c->ours = owner && !strcmp(owner, unit);
	c->spec_hash = c->ours ? plan_label(labels, LABEL_SPEC_HASH) : NULL;
	c->temporary = plan_is_temporary(labels, c->name);
	c->running = state && !strcmp(state, "running");
	c->image_id = image ? xstrdup(image) : NULL;
}

/* Refresh state and image from the inspect output, which is newer than
 * the list entry. */
static void plan_container_from_inspect(struct plan_container *c)
{
	const json_t *state = json_object_get(c->inspect, "State");
	const char *image =
	    json_string_value(json_object_get(c->inspect, "Image"));

	const char *started =
	    json_string_value(json_object_get(state, "StartedAt"));
	const char *health = json_string_value(
	    json_object_get(json_object_get(state, "Health"), "Status"));

	/* Only a healthcheck's verdict counts; no healthcheck is healthy. */
	c->unhealthy = health && (!strcmp(health, "unhealthy") ||
				  !strcmp(health, "starting"));
	if (json_is_boolean(json_object_get(state, "Running")))
		c->running = json_is_true(json_object_get(state, "Running"));
	/* The daemon's zero time: created, never started. */
	c->never_started = started && !strncmp(started, "0001-01-01", 10);
	if (image) {
		free(c->image_id);
		c->image_id = xstrdup(image);
	}
}

static int plan_observe_one(struct unit_plan *p, struct plan_container *c,
			    struct plan_images *im, struct engine *e)
{
	const struct ynode *services =
	    p->desired ? ynode_map_get(p->desired->model, "services") : NULL;
	const struct ynode *desired =
	    services && c->service ? ynode_map_get(services, c->service) : NULL;
	const json_t *image = NULL;
	json_t *empty = NULL;
	struct container_ctx cc;
	int error;

	if (!c->image_id || !*c->image_id)
		image = empty = json_object();
	else if ((error = plan_image_get(&image, im, e, c->image_id)) < 0)
		return error;
	if (!image)
		image = empty = json_object(); /* deleted under the container */
	memset(&cc, 0, sizeof(cc));
	cc.project = p->project;
	cc.unit = p->unit->name;
	cc.service = c->service;
	cc.commit = p->commit;
	cc.spec_hash = p->desired
			   ? strmap_get(&p->desired->spec_hashes, c->service)
			   : NULL;
	cc.working_dir = p->desired ? p->desired->working_dir : NULL;
	cc.number = 1;
	cc.model = p->desired ? p->desired->model : NULL;
	cc.service_ids = &im->service_ids;
	error =
	    container_observe(&c->observed, c->inspect, image, desired, &cc);
	json_decref(empty);
	return error;
}

static int plan_compare_containers(const void *a, const void *b)
{
	const struct plan_container *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int plan_list(struct unit_plan *p, struct engine *e)
{
	json_t *filters = NULL, *list = NULL, *item;
	char *label = xasprintf("%s=%s", LABEL_PROJECT, p->project);
	size_t i;
	int error = -1;

	filters = json_pack("{s:[s]}", "label", label);
	if ((error = engine_containers_list(e, &list, filters, true)) < 0)
		goto cleanup;
	if (!json_is_array(list)) {
		error = err_set(MOOR_EIO, "docker: GET /containers/json: "
					  "expected a json array");
		goto cleanup;
	}
	p->containers =
	    xcalloc(json_array_size(list) + 1, sizeof(*p->containers));
	json_array_foreach(list, i, item)
	{
		plan_container_from_list(&p->containers[p->ncontainers++], item,
					 p->unit->name);
	}
	if (p->ncontainers)
		qsort(p->containers, p->ncontainers, sizeof(*p->containers),
		      plan_compare_containers);
	error = 0;
cleanup:
	json_decref(filters);
	json_decref(list);
	free(label);
	return error;
}

/* Drop containers that went away between the list and the inspect. */
static void plan_drop_gone(struct unit_plan *p)
{
	size_t w = 0;

	for (size_t r = 0; r < p->ncontainers; r++) {
		struct plan_container *c = &p->containers[r];

		if (c->gone) {
			plan_container_release(c);
			continue;
		}
		if (w != r)
			p->containers[w] = *c;
		w++;
	}
	p->ncontainers = w;
}

static int plan_resolve_images(struct strmap *resolved, struct unit_plan *p,
			       struct engine *e)
{
	const struct ynode *services =
	    p->desired ? ynode_map_get(p->desired->model, "services") : NULL;
	struct strmap seen = STRMAP_INIT; /* reference -> id, or NULL */
	int error = 0;

	if (!services || services->kind != YNODE_MAP)
		return 0;
	for (size_t i = 0; !error && i < services->u.map.n; i++) {
		const struct ypair *s = &services->u.map.items[i];
		const struct ynode *ref = ynode_map_get(s->value, "image");
		const char *id;
		json_t *doc = NULL;

		if (!ref || ref->kind != YNODE_STR)
			continue;
		/* Many services share an image: one request per reference. */
		if (strmap_has(&seen, ref->text)) {
			id = strmap_get(&seen, ref->text);
			if (id)
				strmap_set(resolved, s->key, id, NULL);
			continue;
		}
		error = engine_image_inspect(e, &doc, ref->text);
		if (error == MOOR_ENOTFOUND) {
			/* Not on the host: apply_check() reports it. */
			err_clear();
			error = 0;
			strmap_set(&seen, ref->text, NULL, NULL);
			continue;
		}
		id = json_string_value(json_object_get(doc, "Id"));
		if (!error) {
			strmap_set(&seen, ref->text, id, NULL);
			if (id)
				strmap_set(resolved, s->key, id, NULL);
		}
		json_decref(doc);
	}
	strmap_release(&seen);
	return error;
}

/*
 * Inspecting is most of a plan's wall time, and the daemon answers
 * several connections at once: the containers of a large unit are shared
 * by a few workers, each with a connection of its own (an engine handle
 * is not thread-safe). Each container is inspected, observed and its
 * inspect document released at once, so that memory holds a few daemon
 * documents at a time, not one per container. Small units stay on the
 * caller's connection.
 */
#define PLAN_INSPECT_WORKERS	4
#define PLAN_INSPECT_PER_WORKER 16

struct plan_read_job {
	struct unit_plan *p;
	struct plan_images *im;
	size_t next;
	const char *socket;
	pthread_mutex_t lock;
	int error;    /* first failure */
	char *errmsg; /* its message: the error slot is per thread */
};

/* Inspect and observe one of our containers; one that went away between
 * the list and the inspect is marked gone. */
static int plan_read_one(struct unit_plan *p, struct plan_container *c,
			 struct plan_images *im, struct engine *e)
{
	int error = engine_container_inspect(e, &c->inspect, c->id);

	if (error == MOOR_ENOTFOUND) {
		err_clear();
		c->gone = true;
		return 0;
	}
	if (error < 0)
		return error;
	plan_container_from_inspect(c);
	/* Without a service label there is nothing to compare it with: the
	 * decision step treats it as an orphan. */
	if (!c->temporary && c->service)
		error = plan_observe_one(p, c, im, e);
	/* 200 inspect documents are megabytes; the canonical form is what
	 * the rest of plan and apply read. */
	json_decref(c->inspect);
	c->inspect = NULL;
	return error;
}

static void plan_read_fail(struct plan_read_job *job, int error)
{
	pthread_mutex_lock(&job->lock);
	if (!job->error) {
		job->error = error;
		job->errmsg = xstrdup(err_last());
	}
	job->next = job->p->ncontainers; /* the others stop too */
	pthread_mutex_unlock(&job->lock);
}

static void *plan_read_worker(void *arg)
{
	struct plan_read_job *job = arg;
	struct unit_plan *p = job->p;
	struct engine_options eo = {0};
	struct engine *e = NULL;
	int error;

	eo.socket_path = job->socket;
	if ((error = engine_open(&e, &eo)) < 0) {
		plan_read_fail(job, error);
		return NULL;
	}
	for (;;) {
		size_t i;

		pthread_mutex_lock(&job->lock);
		i = job->next < p->ncontainers ? job->next++ : p->ncontainers;
		pthread_mutex_unlock(&job->lock);
		if (i >= p->ncontainers)
			break;
		if (p->containers[i].ours &&
		    (error = plan_read_one(p, &p->containers[i], job->im, e)) <
			0) {
			plan_read_fail(job, error);
			break;
		}
	}
	engine_free(e);
	return NULL;
}

static int plan_read_all(struct unit_plan *p, struct plan_images *im,
			 struct engine *e)
{
	pthread_t threads[PLAN_INSPECT_WORKERS];
	struct plan_read_job job;
	size_t nours = 0, nthreads, started = 0;
	int error = 0;

	for (size_t i = 0; i < p->ncontainers; i++)
		nours += p->containers[i].ours;
	nthreads = nours / PLAN_INSPECT_PER_WORKER;
	if (nthreads > PLAN_INSPECT_WORKERS)
		nthreads = PLAN_INSPECT_WORKERS;
	if (nthreads < 2) {
		for (size_t i = 0; i < p->ncontainers && !error; i++)
			if (p->containers[i].ours)
				error =
				    plan_read_one(p, &p->containers[i], im, e);
		return error;
	}
	memset(&job, 0, sizeof(job));
	job.p = p;
	job.im = im;
	job.socket = engine_socket_path(e);
	pthread_mutex_init(&job.lock, NULL);
	for (; started < nthreads; started++)
		if (pthread_create(&threads[started], NULL, plan_read_worker,
				   &job))
			break;
	if (!started) /* no thread could start: do it all here */
		plan_read_worker(&job);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&job.lock);
	if (job.error)
		error = err_set(job.error, "%s", job.errmsg);
	free(job.errmsg);
	return error;
}

int plan_observe(struct unit_plan *p, struct strmap *resolved, struct engine *e)
{
	struct plan_images im = {0};
	int error = -1;

	pthread_mutex_init(&im.lock, NULL);
	if ((error = plan_list(p, e)) < 0)
		goto cleanup;
	for (size_t i = 0; i < p->ncontainers; i++) {
		const struct plan_container *c = &p->containers[i];

		if (c->ours && !c->temporary && c->service)
			strmap_set(&im.service_ids, c->service, c->id, NULL);
	}
	if ((error = plan_read_all(p, &im, e)) < 0)
		goto cleanup;
	plan_drop_gone(p);
	if ((error = plan_resolve_images(resolved, p, e)) < 0)
		goto cleanup;
	error = 0;
cleanup:
	plan_images_release(&im);
	return error;
}

/* {"driver": d} of one network or volume, NULL when absent. */
static int plan_resource_one(struct ynode **out, struct engine *e, bool network,
			     const char *name)
{
	json_t *doc = NULL;
	const char *driver;
	int error = network ? engine_network_inspect(e, &doc, name)
			    : engine_volume_inspect(e, &doc, name);

	*out = NULL;
	if (error == MOOR_ENOTFOUND) {
		err_clear();
		return 0;
	}
	if (error < 0)
		return error;
	*out = ynode_new_map(NULL);
	driver = json_string_value(json_object_get(doc, "Driver"));
	if (driver)
		ynode_map_put(*out, "driver", NULL,
			      ynode_new_str(driver, NULL));
	json_decref(doc);
	return 0;
}

int plan_observe_resources(struct ynode **out, const struct unit_plan *p,
			   struct engine *e)
{
	static const char *const kinds[] = {"networks", "volumes"};
	struct ynode *all = ynode_new_map(NULL);
	int error = 0;

	for (size_t k = 0; k < 2 && !error; k++) {
		const struct ynode *defs =
		    ynode_map_get(p->desired->model, kinds[k]);
		struct ynode *seen = ynode_new_map(NULL);

		for (size_t i = 0; defs && defs->kind == YNODE_MAP &&
				   i < defs->u.map.n && !error;
		     i++) {
			const struct ypair *d = &defs->u.map.items[i];
			const struct ynode *ext =
			    ynode_map_get(d->value, "external");
			const struct ynode *name =
			    ynode_map_get(d->value, "name");
			struct ynode *actual = NULL;

			if (ext && ext->kind == YNODE_BOOL && ext->u.b)
				continue; /* not the project's to compare */
			error = plan_resource_one(
			    &actual, e, k == 0,
			    name && name->kind == YNODE_STR ? name->text
							    : d->key);
			if (!error)
				ynode_map_put(seen, d->key, NULL,
					      actual ? actual
						     : ynode_new_null(NULL));
		}
		ynode_map_put(all, kinds[k], NULL, seen);
	}
	if (error < 0) {
		ynode_free(all);
		return error;
	}
	*out = all;
	return 0;
}
