/*
 * Unit tests for plan.c and plan_decide.c: the status of a unit that
 * cannot be rendered or looked at, and the decisions (actions, findings,
 * status) from desired, recorded and observed data built by hand, so no
 * docker daemon is needed.
 */
#include "unit.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply_int.h"
#include "compose.h"
#include "context.h"
#include "findings.h"
#include "plan.h"
#include "plan_internal.h"
#include "policy.h"
#include "state.h"
#include "xalloc.h"

#define FIXTURES  TEST_RESOURCES "/plan"
#define MARK_FILE "/repo/stacks/api/compose.yaml"
#define IMG_OLD	  "sha256:1111"
#define IMG_NEW	  "sha256:2222"

static char *unit_files[] = {"compose.yaml"};

static const struct unit test_unit = {
    .name = "api",
    .path = "stacks/api",
    .files = unit_files,
    .nfiles = 1,
    .project = "api",
    .owner = "team-api",
    .environment = "production",
    .risk_tier = "standard",
};

static struct ynode *load(const char *yaml)
{
	struct ynode *n = NULL;

	if (ynode_load_buffer(&n, yaml, strlen(yaml), MARK_FILE, NULL) < 0)
		fail_msg("load failed: %s", err_last());
	return n;
}

/* The canonical model as render would give it, with spec hashes. */
static struct compose_project *desired_of(const char *yaml)
{
	struct compose_project *p = xcalloc(1, sizeof(*p));
	const struct ynode *services;

	p->name = xstrdup("api");
	p->working_dir = xstrdup("/repo/stacks/api");
	p->model = load(yaml);
	ynode_map_sort(p->model, true);
	strmap_init(&p->spec_hashes);
	strmap_init(&p->environment);
	services = ynode_map_get(p->model, "services");
	for (size_t i = 0; services && i < services->u.map.n; i++) {
		char hash[65];

		assert_int_equal(
		    compose_service_hash(hash, services->u.map.items[i].value),
		    0);
		strmap_set(&p->spec_hashes, services->u.map.items[i].key, hash,
			   NULL);
	}
	return p;
}

/* A recorded plane made from a model: what apply would have written. */
static struct ynode *recorded_of(const char *yaml)
{
	struct compose_project *p = desired_of(yaml);
	struct ynode *doc = ynode_new_map(NULL),
		     *services = ynode_new_map(NULL);
	const struct ynode *svcs = ynode_map_get(p->model, "services");

	for (size_t i = 0; i < svcs->u.map.n; i++) {
		const char *name = svcs->u.map.items[i].key;
		struct ynode *e = ynode_new_map(NULL);

		ynode_map_put(
		    e, "spec_hash", NULL,
		    ynode_new_str(strmap_get(&p->spec_hashes, name), NULL));
		ynode_map_put(e, "spec", NULL,
			      ynode_clone(svcs->u.map.items[i].value));
		ynode_map_put(services, name, NULL, e);
	}
	ynode_map_put(doc, "unit", NULL, ynode_new_str("api", NULL));
	ynode_map_put(doc, "services", NULL, services);
	compose_project_free(p);
	return doc;
}

static const char *hash_of(const struct unit_plan *p, const char *service)
{
	return strmap_get(&p->desired->spec_hashes, service);
}

/* The spec hash the recorded plane keeps for service. */
static const char *recorded_hash_of(const struct unit_plan *p,
				    const char *service)
{
	return ynode_map_get(
		   ynode_map_get(ynode_map_get(p->recorded, "services"),
				 service),
		   "spec_hash")
	    ->text;
}

/* A container; observed_yaml is its canonical service (NULL: none). */
static struct plan_container *
add_container(struct unit_plan *p, const char *name, const char *service,
	      const char *hash, bool running, const char *observed_yaml)
{
	struct plan_container *c;

	p->containers = xreallocarray(p->containers, p->ncontainers + 1,
				      sizeof(*p->containers));
	c = &p->containers[p->ncontainers++];
	memset(c, 0, sizeof(*c));
	c->id = xasprintf("id-%s", name);
	c->name = xstrdup(name);
	c->service = service ? xstrdup(service) : NULL;
	c->spec_hash = hash ? xstrdup(hash) : NULL;
	c->image_id = xstrdup(IMG_OLD);
	c->ours = true;
	c->running = running;
	c->observed = observed_yaml ? load(observed_yaml) : NULL;
	if (c->observed)
		ynode_map_sort(c->observed, true);
	return c;
}

static void plan_init(struct unit_plan *p, const char *desired,
		      const char *recorded)
{
	memset(p, 0, sizeof(*p));
	p->unit = &test_unit;
	p->project = xstrdup("api");
	p->desired = desired_of(desired);
	p->recorded = recorded ? recorded_of(recorded) : NULL;
}

static void decide_with(struct unit_plan *p, const struct strmap *resolved,
			const struct plan_options *opts,
			const struct policy *pol)
{
	struct plan_facts f;

	memset(&f, 0, sizeof(f));
	f.resolved = resolved;
	f.policy = pol;
	f.finding.unit = &test_unit;
	f.finding.source = "/repo";
	f.finding.root = "/repo";
	f.finding.now = 1795342951;
	assert_int_equal(plan_decide(p, &f, opts), 0);
}

static void decide(struct unit_plan *p, const struct strmap *resolved,
		   const struct plan_options *opts)
{
	decide_with(p, resolved, opts, NULL);
}

static void assert_action(const struct unit_plan *p, size_t i,
			  const char *service, enum plan_action_kind k,
			  enum plan_reason r)
{
	assert_true(i < p->nactions);
	assert_string_equal(p->actions[i].service, service);
	assert_string_equal(plan_action_name(p->actions[i].kind),
			    plan_action_name(k));
	assert_string_equal(plan_reason_name(p->actions[i].reason),
			    plan_reason_name(r));
}

static const char *fstr(const json_t *f, const char *key)
{
	return json_string_value(json_object_get(f, key));
}

static const json_t *fchange(const json_t *f, size_t i)
{
	return json_array_get(json_object_get(f, "changes"), i);
}

#define API_V1                                                                 \
	"services:\n  api:\n    image: x:1\n    mem_limit: 536870912\n"        \
	"    environment: {LOG_LEVEL: info}\n"
#define API_V2                                                                 \
	"services:\n  api:\n    image: x:1\n    mem_limit: 1073741824\n"       \
	"    environment: {LOG_LEVEL: debug}\n"
#define API_V1_DEBUG                                                           \
	"services:\n  api:\n    image: x:1\n    mem_limit: 536870912\n"        \
	"    environment: {LOG_LEVEL: debug}\n"
#define API_V1_SVC                                                             \
	"image: x:1\nmem_limit: 536870912\nenvironment: {LOG_LEVEL: info}\n"

/* The running container of "api", made from the desired spec, on image. */
static struct plan_container *api_on_image(struct unit_plan *p,
					   const char *image)
{
	struct plan_container *c = add_container(
	    p, "api-api-1", "api", hash_of(p, "api"), true, API_V1_SVC);

	free(c->image_id);
	c->image_id = xstrdup(image);
	return c;
}

/* ---- whole pass: status without a look --------------------------------- */

static void test_plan__no_engine_is_unknown(void **s)
{
	struct context ctx;
	const char *names[] = {"ok"};
	struct unit_plan p;

	(void)s;
	assert_int_equal(
	    context_open(&ctx, FIXTURES "/mooring.yaml", names, 1, false), 0);
	assert_null(ctx.engine);
	assert_int_equal(plan_unit(&p, ctx.selected[0], &ctx, NULL), 0);
	assert_string_equal(unit_status_name(p.status), "unknown");
	assert_non_null(p.error);
	/* It rendered: only the look at the host is missing. */
	assert_non_null(p.desired);
	assert_int_equal(p.nactions, 0);
	assert_int_equal(json_array_size(p.findings), 0);
	unit_plan_release(&p);
	context_release(&ctx);
}

static void test_plan__render_error_is_error(void **s)
{
	struct context ctx;
	const char *names[] = {"broken"};
	struct unit_plan p;
	json_t *j;

	(void)s;
	assert_int_equal(
	    context_open(&ctx, FIXTURES "/mooring.yaml", names, 1, false), 0);
	assert_int_equal(plan_unit(&p, ctx.selected[0], &ctx, NULL), 0);
	assert_string_equal(unit_status_name(p.status), "error");
	assert_non_null(strstr(p.error, "mem_limitt"));
	assert_non_null(strstr(p.error, "stacks/broken/compose.yaml:4"));
	assert_null(p.desired);
	j = plan_unit_json(&p);
	assert_string_equal(fstr(j, "status"), "error");
	assert_string_equal(fstr(j, "unit"), "broken");
	assert_non_null(strstr(fstr(j, "error"), "mem_limitt"));
	json_decref(j);
	unit_plan_release(&p);
	context_release(&ctx);
}

/* ---- decisions ---------------------------------------------------------- */

static void test_plan__in_sync(void **s)
{
	struct unit_plan p;
	json_t *j;

	(void)s;
	plan_init(&p, API_V1, API_V1);
	add_container(&p, "api-api-1", "api", hash_of(&p, "api"), true,
		      API_V1_SVC);
	decide(&p, NULL, NULL);
	assert_string_equal(unit_status_name(p.status), "in_sync");
	assert_int_equal(p.nactions, 0);
	assert_int_equal(json_array_size(p.findings), 0);
	j = plan_unit_json(&p);
	assert_int_equal(json_array_size(json_object_get(j, "actions")), 0);
	assert_true(json_is_null(json_object_get(j, "error")));
	assert_string_equal(fstr(j, "project"), "api");
	json_decref(j);
	unit_plan_release(&p);
}

static void test_plan__new_service_is_created(void **s)
{
	struct unit_plan p;
	json_t *j, *a;

	(void)s;
	plan_init(&p, API_V1, NULL);
	decide(&p, NULL, NULL);
	assert_int_equal(p.nactions, 1);
	assert_action(&p, 0, "api", ACTION_CREATE, REASON_NEW);
	assert_null(p.actions[0].container_id);
	/* Never deployed: nothing is missing, nothing drifted. */
	assert_int_equal(json_array_size(p.findings), 0);
	assert_string_equal(unit_status_name(p.status), "pending");
	j = plan_unit_json(&p);
	a = json_array_get(json_object_get(j, "actions"), 0);
	assert_string_equal(fstr(a, "action"), "create");
	assert_string_equal(fstr(a, "reason"), "new");
	assert_true(json_is_array(json_object_get(a, "paths")));
	json_decref(j);
	unit_plan_release(&p);
}

static void test_plan__removed_container_is_missing(void **s)
{
	struct unit_plan p;
	const json_t *f;

	(void)s;
	plan_init(&p, API_V1, API_V1);
	decide(&p, NULL, NULL);
	assert_action(&p, 0, "api", ACTION_CREATE, REASON_MISSING);
	assert_int_equal(json_array_size(p.findings), 1);
	f = json_array_get(p.findings, 0);
	assert_string_equal(fstr(f, "class"), "missing");
	assert_string_equal(fstr(f, "recommended_action"), "revert");
	assert_string_equal(fstr(fchange(f, 0), "path"), "/services/api");
	assert_string_equal(fstr(fchange(f, 0), "actual"), "absent");
	assert_string_equal(fstr(fchange(f, 0), "file"),
			    "stacks/api/compose.yaml");
	assert_string_equal(unit_status_name(p.status), "drift");
	unit_plan_release(&p);
}

static void test_plan__stopped_container_is_started(void **s)
{
	struct unit_plan p;

	(void)s;
	plan_init(&p, API_V1, API_V1);
	add_container(&p, "api-api-1", "api", hash_of(&p, "api"), false,
		      API_V1_SVC);
	decide(&p, NULL, NULL);
	assert_int_equal(p.nactions, 1);
	assert_action(&p, 0, "api", ACTION_START, REASON_MISSING);
	assert_string_equal(p.actions[0].container_id, "id-api-api-1");
	assert_int_equal(json_array_size(p.findings), 1);
	assert_string_equal(
	    fstr(fchange(json_array_get(p.findings, 0), 0), "actual"),
	    "stopped");
	unit_plan_release(&p);
}

static void test_plan__new_commit_is_pending_with_paths(void **s)
{
	struct unit_plan p;

	(void)s;
	plan_init(&p, API_V2, API_V1);
	add_container(&p, "api-api-1", "api", recorded_hash_of(&p, "api"), true,
		      API_V1_SVC);
	decide(&p, NULL, NULL);
	assert_int_equal(p.nactions, 1);
	assert_action(&p, 0, "api", ACTION_RECREATE, REASON_SPEC_CHANGED);
	assert_int_equal(p.actions[0].npaths, 2);
	assert_string_equal(p.actions[0].paths[0],
			    "/services/api/environment/LOG_LEVEL");
	assert_string_equal(p.actions[0].paths[1], "/services/api/mem_limit");
	/* actual == recorded: a deploy waiting, not drift. */
	assert_int_equal(json_array_size(p.findings), 0);
	assert_string_equal(unit_status_name(p.status), "pending");
	unit_plan_release(&p);
}

static void test_plan__runtime_change_is_drift(void **s)
{
	struct unit_plan p;
	const json_t *f, *c;

	(void)s;
	plan_init(&p, API_V1, API_V1);
	add_container(&p, "api-api-1", "api", hash_of(&p, "api"), true,
		      "image: x:1\nmem_limit: 2147483648\n"
		      "environment: {LOG_LEVEL: info}\n");
	decide(&p, NULL, NULL);
	/* apply converges: it recreates the container from its spec. */
	assert_int_equal(p.nactions, 1);
	assert_action(&p, 0, "api", ACTION_RECREATE, REASON_DRIFT);
	assert_int_equal(p.actions[0].npaths, 1);
	assert_string_equal(p.actions[0].paths[0], "/services/api/mem_limit");
	assert_int_equal(json_array_size(p.findings), 1);
	f = json_array_get(p.findings, 0);
	assert_string_equal(fstr(f, "relationship"), "actual_vs_recorded");
	assert_string_equal(fstr(f, "class"), "unauthorized");
	assert_string_equal(fstr(f, "domain"), "capacity");
	assert_string_equal(fstr(f, "risk"), "medium");
	assert_string_equal(fstr(f, "service"), "api");
	assert_string_equal(fstr(f, "container"), "id-api-api-1");
	assert_string_equal(fstr(f, "environment"), "production");
	assert_string_equal(fstr(f, "recommended_action"), "reconcile_to_git");
	c = fchange(f, 0);
	assert_string_equal(fstr(c, "path"), "/services/api/mem_limit");
	assert_int_equal(json_integer_value(json_object_get(c, "desired")),
			 536870912);
	assert_int_equal(json_integer_value(json_object_get(c, "recorded")),
			 536870912);
	assert_int_equal(json_integer_value(json_object_get(c, "actual")),
			 2147483648LL);
	assert_string_equal(fstr(c, "file"), "stacks/api/compose.yaml");
	assert_int_equal(json_integer_value(json_object_get(c, "line")), 4);
	assert_string_equal(unit_status_name(p.status), "drift");
	unit_plan_release(&p);
}

static void test_plan__drift_without_recorded_plane(void **s)
{
	struct unit_plan p;
	const json_t *f;

	(void)s;
	plan_init(&p, API_V1, NULL);
	add_container(&p, "api-api-1", "api", hash_of(&p, "api"), true,
		      "image: x:1\nmem_limit: 536870912\n"
		      "environment: {LOG_LEVEL: trace}\n");
	decide(&p, NULL, NULL);
	assert_action(&p, 0, "api", ACTION_RECREATE, REASON_DRIFT);
	f = json_array_get(p.findings, 0);
	assert_non_null(f);
	assert_string_equal(fstr(f, "relationship"), "actual_vs_desired");
	assert_string_equal(fstr(fchange(f, 0), "path"),
			    "/services/api/environment/LOG_LEVEL");
	assert_true(json_is_null(json_object_get(fchange(f, 0), "recorded")));
	assert_string_equal(fstr(fchange(f, 0), "actual"), "trace");
	unit_plan_release(&p);
}

static void test_plan__same_field_in_git_and_runtime_is_conflict(void **s)
{
	struct unit_plan p;
	const json_t *f, *c;
	bool seen_conflict = false, seen_drift = false;
	size_t i;

	(void)s;
	plan_init(&p, API_V2, API_V1);
	/* Git moved mem_limit and LOG_LEVEL; someone changed mem_limit by
	 * hand, and added a label git never touched. */
	add_container(&p, "api-api-1", "api", recorded_hash_of(&p, "api"), true,
		      "image: x:1\nmem_limit: 2147483648\n"
		      "environment: {LOG_LEVEL: info}\nlabels: {hand: made}\n");
	decide(&p, NULL, NULL);
	assert_int_equal(p.nactions, 1);
	assert_action(&p, 0, "api", ACTION_RECREATE, REASON_SPEC_CHANGED);
	/* What git changed, then what drifted besides. */
	assert_int_equal(p.actions[0].npaths, 3);
	assert_string_equal(p.actions[0].paths[0],
			    "/services/api/environment/LOG_LEVEL");
	assert_string_equal(p.actions[0].paths[1], "/services/api/mem_limit");
	assert_string_equal(p.actions[0].paths[2], "/services/api/labels/hand");
	json_array_foreach(p.findings, i, f)
	{
		if (!strcmp(fstr(f, "relationship"), "conflict")) {
			seen_conflict = true;
			assert_int_equal(
			    json_array_size(json_object_get(f, "changes")), 1);
			c = fchange(f, 0);
			assert_string_equal(fstr(c, "path"),
					    "/services/api/mem_limit");
			assert_int_equal(
			    json_integer_value(json_object_get(c, "desired")),
			    1073741824);
		} else {
			seen_drift = true;
			assert_string_equal(fstr(f, "relationship"),
					    "actual_vs_recorded");
			assert_string_equal(fstr(fchange(f, 0), "path"),
					    "/services/api/labels/hand");
			assert_string_equal(fstr(f, "domain"), "metadata");
		}
	}
	assert_true(seen_conflict);
	assert_true(seen_drift);
	assert_string_equal(unit_status_name(p.status), "conflict");
	unit_plan_release(&p);
}

/* The runtime value reached git (the reconciliation was merged): the
 * new commit is a plain deploy, nothing of the host is overwritten. */
static void test_plan__git_catching_up_with_runtime_is_no_conflict(void **s)
{
	struct unit_plan p;

	(void)s;
	plan_init(&p, API_V2, API_V1);
	add_container(&p, "api-api-1", "api", recorded_hash_of(&p, "api"), true,
		      "image: x:1\nmem_limit: 1073741824\n"
		      "environment: {LOG_LEVEL: info}\n");
	decide(&p, NULL, NULL);
	assert_int_equal(json_array_size(p.findings), 0);
	assert_int_equal(p.nactions, 1);
	assert_action(&p, 0, "api", ACTION_RECREATE, REASON_SPEC_CHANGED);
	assert_string_equal(unit_status_name(p.status), "pending");
	unit_plan_release(&p);
}

static void test_plan__moved_tag_is_image_drift(void **s)
{
	struct unit_plan p;
	struct strmap resolved = STRMAP_INIT;
	const json_t *f, *c;

	(void)s;
	plan_init(&p, API_V1, API_V1);
	add_container(&p, "api-api-1", "api", hash_of(&p, "api"), true,
		      API_V1_SVC);
	strmap_set(&resolved, "api", IMG_NEW, NULL);
	decide(&p, &resolved, NULL);
	assert_int_equal(p.nactions, 1);
	assert_action(&p, 0, "api", ACTION_RECREATE, REASON_IMAGE_CHANGED);
	assert_string_equal(p.actions[0].paths[0], "/services/api/image");
	f = json_array_get(p.findings, 0);
	assert_string_equal(fstr(f, "class"), "dependency");
	assert_string_equal(fstr(f, "domain"), "image");
	c = fchange(f, 0);
	assert_string_equal(fstr(c, "path"), "/services/api/image");
	assert_string_equal(fstr(c, "desired"), IMG_NEW);
	assert_string_equal(fstr(c, "actual"), IMG_OLD);
	assert_int_equal(json_integer_value(json_object_get(c, "line")), 3);
	strmap_release(&resolved);
	unit_plan_release(&p);

	/* The same id: nothing. */
	plan_init(&p, API_V1, API_V1);
	add_container(&p, "api-api-1", "api", hash_of(&p, "api"), true,
		      API_V1_SVC);
	strmap_set(&resolved, "api", IMG_OLD, NULL);
	decide(&p, &resolved, NULL);
	assert_string_equal(unit_status_name(p.status), "in_sync");
	strmap_release(&resolved);
	unit_plan_release(&p);
}

/* Record the image mooring made a service's container from. */
static void record_image(struct unit_plan *p, const char *service,
			 const char *image)
{
	struct ynode *e =
	    ynode_map_get(ynode_map_get(p->recorded, "services"), service);

	ynode_map_put(e, "image_id", NULL, ynode_new_str(image, NULL));
}

static void test_plan__hand_recreate_on_moved_tag_is_image_drift(void **s)
{
	struct unit_plan p;
	struct strmap resolved = STRMAP_INIT;
	struct plan_container *ct;
	const json_t *f, *c;

	(void)s;
	/* The tag moved to IMG_NEW and someone recreated the container on
	 * it with our labels: the reference resolves to what runs, only the
	 * recorded id says mooring deployed IMG_OLD. */
	plan_init(&p, API_V1, API_V1);
	record_image(&p, "api", IMG_OLD);
	api_on_image(&p, IMG_NEW);
	strmap_set(&resolved, "api", IMG_NEW, NULL);
	decide(&p, &resolved, NULL);
	assert_int_equal(p.nactions, 0); /* recreating changes nothing */
	assert_int_equal(json_array_size(p.findings), 1);
	f = json_array_get(p.findings, 0);
	assert_string_equal(fstr(f, "class"), "dependency");
	assert_string_equal(fstr(f, "domain"), "image");
	assert_string_equal(fstr(f, "relationship"), "actual_vs_recorded");
	c = fchange(f, 0);
	assert_string_equal(fstr(c, "path"), "/services/api/image");
	assert_string_equal(fstr(c, "recorded"), IMG_OLD);
	assert_string_equal(fstr(c, "actual"), IMG_NEW);
	assert_string_equal(fstr(c, "desired"), IMG_NEW);
	assert_string_equal(unit_status_name(p.status), "drift");
	strmap_release(&resolved);
	unit_plan_release(&p);

	/* The tag moved, the container still runs what mooring deployed:
	 * the moved-tag finding names all three, apply recreates. */
	plan_init(&p, API_V1, API_V1);
	record_image(&p, "api", IMG_OLD);
	add_container(&p, "api-api-1", "api", hash_of(&p, "api"), true,
		      API_V1_SVC);
	strmap_set(&resolved, "api", IMG_NEW, NULL);
	decide(&p, &resolved, NULL);
	assert_action(&p, 0, "api", ACTION_RECREATE, REASON_IMAGE_CHANGED);
	assert_int_equal(json_array_size(p.findings), 1);
	f = json_array_get(p.findings, 0);
	assert_string_equal(fstr(f, "relationship"), "actual_vs_desired");
	c = fchange(f, 0);
	assert_string_equal(fstr(c, "recorded"), IMG_OLD);
	assert_string_equal(fstr(c, "actual"), IMG_OLD);
	assert_string_equal(fstr(c, "desired"), IMG_NEW);
	strmap_release(&resolved);
	unit_plan_release(&p);

	/* Made from another spec (a new commit is waiting): apply recreates
	 * it anyway; the image is no finding of its own. */
	plan_init(&p, API_V2, API_V1);
	record_image(&p, "api", IMG_OLD);
	ct = add_container(&p, "api-api-1", "api", "other-hash", true,
			   API_V1_SVC);
	free(ct->image_id);
	ct->image_id = xstrdup(IMG_NEW);
	strmap_set(&resolved, "api", IMG_NEW, NULL);
	decide(&p, &resolved, NULL);
	assert_int_equal(json_array_size(p.findings), 0);
	strmap_release(&resolved);
	unit_plan_release(&p);
}

/* apply_record() for the one service "api" whose container is id; the
 * state doc is read back into a fresh recorded plane. */
static struct ynode *record_and_reload(const struct unit_plan *p,
				       const char *dir, char *id, bool created)
{
	char *ids[] = {id};
	bool made[] = {created};
	struct apply_recorded_input in = {ids, made};
	struct ynode *doc = NULL;

	assert_int_equal(apply_record(p, NULL, dir, &in), 0);
	assert_int_equal(state_load(&doc, dir, "api"), 0);
	return doc;
}

static const char *recorded_image_of(const struct ynode *doc)
{
	const struct ynode *n = ynode_map_get(
	    ynode_map_get(ynode_map_get(doc, "services"), "api"), "image_id");

	return n ? n->text : NULL;
}

/* The image id apply records, as plan reads it: taken from the running
 * container the first time, kept while the spec is unchanged (a hand
 * recreate does not move it), taken again when the spec changed. */
static void test_plan__recorded_image_round_trip(void **s)
{
	char dir[] = "/tmp/mooring-test-plan.XXXXXX";
	char cmd[64];
	struct unit_plan p;
	struct strmap resolved = STRMAP_INIT;
	struct ynode *doc;
	struct stat st1, st2;
	char path[128];

	(void)s;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state/api.json", dir);

	plan_init(&p, API_V1, NULL);
	add_container(&p, "api-api-1", "api", hash_of(&p, "api"), true,
		      API_V1_SVC);
	doc = record_and_reload(&p, dir, "id-api-api-1", false);
	assert_string_equal(recorded_image_of(doc), IMG_OLD);
	unit_plan_release(&p);

	/* Recreated by hand on the moved tag: plan sees it, and a later
	 * apply with nothing to do neither forgets nor rewrites it. */
	plan_init(&p, API_V1, NULL);
	p.recorded = doc;
	api_on_image(&p, IMG_NEW);
	strmap_set(&resolved, "api", IMG_NEW, NULL);
	decide(&p, &resolved, NULL);
	assert_int_equal(json_array_size(p.findings), 1);
	assert_int_equal(stat(path, &st1), 0);
	doc = record_and_reload(&p, dir, "id-api-api-1", false);
	assert_int_equal(stat(path, &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino); /* not rewritten */
	assert_string_equal(recorded_image_of(doc), IMG_OLD);
	unit_plan_release(&p);

	/* A new spec: the container's image is recorded again. */
	plan_init(&p, API_V2, NULL);
	p.recorded = doc;
	api_on_image(&p, IMG_NEW);
	doc = record_and_reload(&p, dir, "id-api-api-1", false);
	assert_string_equal(recorded_image_of(doc), IMG_NEW);
	ynode_free(doc);
	unit_plan_release(&p);
	strmap_release(&resolved);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* One field accepted with `mooring accept`, another drifted: the drift
 * is reported and reverting it would recreate the container, dropping
 * the accepted value, which the action says (run_heal.c holds it). */
static void test_plan__revert_would_drop_an_accepted_value(void **s)
{
	char dir[] = "/tmp/mooring-test-plan.XXXXXX";
	char cmd[64], actual[65], desired[65], path[128];
	struct findings_accepted *acc = NULL;
	struct unit_plan p;
	struct plan_facts f;
	json_t *a = json_integer(2147483648), *d = json_integer(536870912);
	FILE *fp;

	(void)s;
	assert_non_null(mkdtemp(dir));
	findings_value_hash(actual, a);
	findings_value_hash(desired, d);
	snprintf(path, sizeof(path), "%s/accepted", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/accepted/api.json", dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp,
		"{\"unit\": \"api\", \"accepted\": [{\"finding\": \"x\", "
		"\"service\": \"api\", \"path\": \"/services/api/mem_limit\", "
		"\"actual\": 2147483648, \"actual_hash\": \"%s\", "
		"\"desired_hash\": \"%s\"}]}",
		actual, desired);
	fclose(fp);
	assert_int_equal(findings_accepted_load(&acc, dir, "api"), 0);

	plan_init(&p, API_V1, API_V1);
	add_container(&p, "api-api-1", "api", hash_of(&p, "api"), true,
		      "image: x:1\nmem_limit: 2147483648\n"
		      "environment: {LOG_LEVEL: debug}\n");
	memset(&f, 0, sizeof(f));
	f.accepted = acc;
	f.finding.unit = &test_unit;
	f.finding.source = "/repo";
	f.finding.root = "/repo";
	f.finding.now = 1795342951;
	assert_int_equal(plan_decide(&p, &f, NULL), 0);
	assert_int_equal(json_array_size(p.findings), 1);
	assert_string_equal(
	    fstr(fchange(json_array_get(p.findings, 0), 0), "path"),
	    "/services/api/environment/LOG_LEVEL");
	assert_action(&p, 0, "api", ACTION_RECREATE, REASON_DRIFT);
	assert_true(p.actions[0].drops_accepted);
	unit_plan_release(&p);

	/* A commit that changes another field of the service: its deploy
	 * would recreate the container and drop the accepted value, a
	 * conflict that names it, not a silent overwrite. */
	plan_init(&p, API_V1_DEBUG, API_V1);
	add_container(&p, "api-api-1", "api", recorded_hash_of(&p, "api"), true,
		      "image: x:1\nmem_limit: 2147483648\n"
		      "environment: {LOG_LEVEL: info}\n");
	assert_int_equal(plan_decide(&p, &f, NULL), 0);
	assert_int_equal(json_array_size(p.findings), 1);
	assert_string_equal(fstr(json_array_get(p.findings, 0), "relationship"),
			    "conflict");
	assert_string_equal(
	    fstr(fchange(json_array_get(p.findings, 0), 0), "path"),
	    "/services/api/mem_limit");
	assert_true(json_is_true(json_object_get(
	    fchange(json_array_get(p.findings, 0), 0), "accepted")));
	assert_string_equal(unit_status_name(p.status), "conflict");
	assert_action(&p, 0, "api", ACTION_RECREATE, REASON_SPEC_CHANGED);
	unit_plan_release(&p);

	findings_accepted_free(acc);
	json_decref(a);
	json_decref(d);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* decide() with a policy holding one open exception for unit api. */
static void decide_under_exception(struct unit_plan *p, char **fields,
				   size_t nfields)
{
	struct policy pol;
	struct policy_exception e;

	memset(&pol, 0, sizeof(pol));
	memset(&e, 0, sizeof(e));
	e.incident = "INC-9";
	e.unit = "api";
	e.fields = fields;
	e.nfields = nfields;
	e.expires = 1795342951 + 3600;
	e.origin = "cli";
	policy_add_exception(&pol, &e);
	decide_with(p, NULL, NULL, &pol);
	policy_release(&pol);
}

static void test_plan__emergency_windows(void **s)
{
	char *mem[] = {"/services/api/mem_limit"};
	struct unit_plan p;
	const json_t *f;
	bool conflict = false;
	size_t i;

	(void)s;
	/* Inside the window, the runtime value is emergency, left alone. */
	plan_init(&p, API_V1, API_V1);
	add_container(&p, "api-api-1", "api", hash_of(&p, "api"), true,
		      "image: x:1\nmem_limit: 2147483648\n"
		      "environment: {LOG_LEVEL: info}\n");
	decide_under_exception(&p, mem, 1);
	assert_int_equal(p.nactions, 0);
	assert_string_equal(fstr(json_array_get(p.findings, 0), "class"),
			    "emergency");
	unit_plan_release(&p);

	/* A commit that changes the same field: a conflict with both
	 * values, not a silent deploy over the emergency value. */
	plan_init(&p, API_V2, API_V1);
	add_container(&p, "api-api-1", "api", recorded_hash_of(&p, "api"), true,
		      "image: x:1\nmem_limit: 2147483648\n"
		      "environment: {LOG_LEVEL: info}\n");
	decide_under_exception(&p, mem, 1);
	json_array_foreach(p.findings, i, f)
	{
		if (!strcmp(fstr(f, "relationship"), "conflict") &&
		    !strcmp(fstr(fchange(f, 0), "path"),
			    "/services/api/mem_limit"))
			conflict = true;
	}
	assert_true(conflict);
	assert_string_equal(unit_status_name(p.status), "conflict");
	unit_plan_release(&p);

	/* A service stopped under a window for the whole unit: emergency
	 * (left stopped by the loop), not missing. */
	plan_init(&p, API_V1, API_V1);
	add_container(&p, "api-api-1", "api", hash_of(&p, "api"), false,
		      API_V1_SVC);
	decide_under_exception(&p, NULL, 0);
	assert_string_equal(fstr(json_array_get(p.findings, 0), "class"),
			    "emergency");
	unit_plan_release(&p);
	/* A window for other fields leaves it missing. */
	plan_init(&p, API_V1, API_V1);
	add_container(&p, "api-api-1", "api", hash_of(&p, "api"), false,
		      API_V1_SVC);
	decide_under_exception(&p, mem, 1);
	assert_string_equal(fstr(json_array_get(p.findings, 0), "class"),
			    "missing");
	unit_plan_release(&p);
}

/* A service in another's network namespace follows it to a new
 * container: the daemon bound it to the old container's id. */
static void test_plan__namespace_joiner_follows_its_target(void **s)
{
	static const char *desired =
	    "services:\n  app:\n    image: x:1\n"
	    "    environment: {V: '2'}\n"
	    "  side:\n    image: x:1\n    network_mode: 'service:app'\n";
	struct unit_plan p;
	struct plan_options o;

	(void)s;
	memset(&o, 0, sizeof(o));
	plan_init(&p, desired, NULL);
	add_container(&p, "api-app-1", "app", "old-hash", true, NULL);
	add_container(&p, "api-side-1", "side", hash_of(&p, "side"), true,
		      NULL);
	decide(&p, NULL, &o);
	assert_int_equal(p.nactions, 2);
	assert_action(&p, 0, "app", ACTION_RECREATE, REASON_SPEC_CHANGED);
	assert_action(&p, 1, "side", ACTION_RECREATE, REASON_DEPENDENCY);
	assert_string_equal(p.actions[1].paths[0],
			    "/services/side/network_mode");
	unit_plan_release(&p);
}

/* Created but never started (an apply killed before start, maybe before
 * its extra networks were connected): recreated, not started half-wired. */
static void test_plan__never_started_is_recreated(void **s)
{
	struct unit_plan p;
	struct plan_options o;
	struct plan_container *c;

	(void)s;
	memset(&o, 0, sizeof(o));
	plan_init(&p, API_V1, API_V1);
	c = add_container(&p, "api-api-1", "api", hash_of(&p, "api"), false,
			  NULL);
	c->never_started = true;
	decide(&p, NULL, &o);
	assert_int_equal(p.nactions, 1);
	assert_action(&p, 0, "api", ACTION_RECREATE, REASON_MISSING);
	unit_plan_release(&p);
}

static void test_plan__force_recreate(void **s)
{
	struct unit_plan p;
	struct plan_options o;

	(void)s;
	memset(&o, 0, sizeof(o));
	o.force_recreate = true;
	plan_init(&p, API_V1 "  db:\n    image: x:1\n", API_V1);
	add_container(&p, "api-api-1", "api", hash_of(&p, "api"), true,
		      API_V1_SVC);
	decide(&p, NULL, &o);
	assert_int_equal(p.nactions, 2);
	assert_action(&p, 0, "api", ACTION_RECREATE, REASON_FORCED);
	/* No container to recreate: created. */
	assert_action(&p, 1, "db", ACTION_CREATE, REASON_NEW);
	unit_plan_release(&p);
}

static void test_plan__orphans_only_with_remove_orphans(void **s)
{
	struct unit_plan p;
	struct plan_options o;

	(void)s;
	memset(&o, 0, sizeof(o));
	plan_init(&p, API_V1, API_V1);
	add_container(&p, "api-api-1", "api", hash_of(&p, "api"), true,
		      API_V1_SVC);
	add_container(&p, "api-old-1", "old", "abc", true, "image: x:1\n");
	decide(&p, NULL, &o);
	assert_int_equal(p.nactions, 0);
	unit_plan_release(&p);

	o.remove_orphans = true;
	plan_init(&p, API_V1, API_V1);
	add_container(&p, "api-api-1", "api", hash_of(&p, "api"), true,
		      API_V1_SVC);
	add_container(&p, "api-old-1", "old", "abc", true, "image: x:1\n");
	decide(&p, NULL, &o);
	assert_int_equal(p.nactions, 1);
	assert_action(&p, 0, "old", ACTION_REMOVE, REASON_ORPHAN);
	assert_string_equal(p.actions[0].container_id, "id-api-old-1");
	assert_string_equal(p.actions[0].paths[0], "/services/old");
	assert_int_equal(json_array_size(p.findings), 0);
	assert_string_equal(unit_status_name(p.status), "pending");
	unit_plan_release(&p);
}

/* Our unit label but no service label: an orphan named by its container,
 * not a crash and not a path into the model. */
static void test_plan__orphan_without_service_label(void **s)
{
	struct unit_plan p;
	struct plan_options o;

	(void)s;
	memset(&o, 0, sizeof(o));
	o.remove_orphans = true;
	plan_init(&p, API_V1, API_V1);
	add_container(&p, "api-api-1", "api", hash_of(&p, "api"), true,
		      API_V1_SVC);
	add_container(&p, "stray", NULL, NULL, true, NULL);
	decide(&p, NULL, &o);
	assert_int_equal(p.nactions, 1);
	assert_action(&p, 0, "stray", ACTION_REMOVE, REASON_ORPHAN);
	assert_int_equal(p.actions[0].npaths, 0);
	unit_plan_release(&p);
}

static void test_plan__unmanaged_is_reported_not_acted_on(void **s)
{
	struct unit_plan p;
	struct plan_options o;
	struct plan_container *c;
	const json_t *f;

	(void)s;
	memset(&o, 0, sizeof(o));
	o.remove_orphans = true;
	plan_init(&p, API_V1, API_V1);
	add_container(&p, "api-api-1", "api", hash_of(&p, "api"), true,
		      API_V1_SVC);
	c = add_container(&p, "api-x-1", "x", NULL, true, NULL);
	c->ours = false;
	decide(&p, NULL, &o);
	assert_int_equal(p.nactions, 0);
	assert_int_equal(json_array_size(p.findings), 1);
	f = json_array_get(p.findings, 0);
	assert_string_equal(fstr(f, "class"), "unmanaged");
	assert_string_equal(fstr(f, "container"), "id-api-x-1");
	assert_string_equal(unit_status_name(p.status), "drift");
	unit_plan_release(&p);
}

static void test_plan__second_container_of_a_service(void **s)
{
	struct unit_plan p;
	struct plan_options o;

	(void)s;
	memset(&o, 0, sizeof(o));
	o.remove_orphans = true;
	plan_init(&p, API_V1, API_V1);
	add_container(&p, "api-api-1", "api", hash_of(&p, "api"), true,
		      API_V1_SVC);
	add_container(&p, "api-api-2", "api", hash_of(&p, "api"), true,
		      API_V1_SVC);
	decide(&p, NULL, &o);
	assert_int_equal(p.nactions, 1);
	assert_action(&p, 0, "api", ACTION_REMOVE, REASON_ORPHAN);
	assert_string_equal(p.actions[0].container_id, "id-api-api-2");
	assert_string_equal(fstr(json_array_get(p.findings, 0), "class"),
			    "unmanaged");
	unit_plan_release(&p);
}

static void test_plan__temporary_containers_are_left_to_apply(void **s)
{
	struct unit_plan p;
	struct plan_container *c;

	(void)s;
	plan_init(&p, API_V1, API_V1);
	add_container(&p, "api-api-1", "api", hash_of(&p, "api"), true,
		      API_V1_SVC);
	c = add_container(&p, "api-api-1-tmp", "api", hash_of(&p, "api"), true,
			  NULL);
	c->temporary = true;
	decide(&p, NULL, NULL);
	assert_string_equal(unit_status_name(p.status), "in_sync");
	assert_ptr_equal(plan_find_container(&p, "api"), &p.containers[0]);
	unit_plan_release(&p);
}

static void test_plan__services_restrict(void **s)
{
	struct unit_plan p;
	struct plan_options o;
	const char *only[] = {"db"};

	(void)s;
	memset(&o, 0, sizeof(o));
	o.services = only;
	o.nservices = 1;
	plan_init(&p, API_V1 "  db:\n    image: x:1\n", NULL);
	decide(&p, NULL, &o);
	assert_int_equal(p.nactions, 1);
	assert_action(&p, 0, "db", ACTION_CREATE, REASON_NEW);
	unit_plan_release(&p);
}

static void test_plan__secret_drift_is_masked(void **s)
{
	struct unit_plan p;
	char *text;

	(void)s;
	plan_init(&p,
		  "services:\n  api:\n    image: x:1\n"
		  "    environment: {DB_PASSWORD: hunter2}\n",
		  "services:\n  api:\n    image: x:1\n"
		  "    environment: {DB_PASSWORD: hunter2}\n");
	add_container(&p, "api-api-1", "api", hash_of(&p, "api"), true,
		      "image: x:1\nenvironment: {DB_PASSWORD: swordfish}\n");
	decide(&p, NULL, NULL);
	assert_int_equal(json_array_size(p.findings), 1);
	text = json_dumps(p.findings, 0);
	assert_null(strstr(text, "hunter2"));
	assert_null(strstr(text, "swordfish"));
	assert_non_null(strstr(text, "/services/api/environment/DB_PASSWORD"));
	assert_string_equal(fstr(json_array_get(p.findings, 0), "domain"),
			    "secret");
	free(text);
	unit_plan_release(&p);
}

static void test_plan__status_order(void **s)
{
	struct unit_plan p;

	(void)s;
	memset(&p, 0, sizeof(p));
	p.findings = json_array();
	assert_string_equal(unit_status_name(plan_status(&p)), "in_sync");
	p.nactions = 1;
	assert_string_equal(unit_status_name(plan_status(&p)), "pending");
	json_array_append_new(p.findings, json_pack("{s:s}", "relationship",
						    "actual_vs_recorded"));
	assert_string_equal(unit_status_name(plan_status(&p)), "drift");
	json_array_append_new(p.findings,
			      json_pack("{s:s}", "relationship", "conflict"));
	assert_string_equal(unit_status_name(plan_status(&p)), "conflict");
	p.status = UNIT_UNKNOWN;
	assert_string_equal(unit_status_name(plan_status(&p)), "unknown");
	json_decref(p.findings);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plan__no_engine_is_unknown),
	    cmocka_unit_test(test_plan__render_error_is_error),
	    cmocka_unit_test(test_plan__in_sync),
	    cmocka_unit_test(test_plan__new_service_is_created),
	    cmocka_unit_test(test_plan__removed_container_is_missing),
	    cmocka_unit_test(test_plan__stopped_container_is_started),
	    cmocka_unit_test(test_plan__new_commit_is_pending_with_paths),
	    cmocka_unit_test(test_plan__runtime_change_is_drift),
	    cmocka_unit_test(test_plan__drift_without_recorded_plane),
	    cmocka_unit_test(
		test_plan__same_field_in_git_and_runtime_is_conflict),
	    cmocka_unit_test(
		test_plan__git_catching_up_with_runtime_is_no_conflict),
	    cmocka_unit_test(test_plan__moved_tag_is_image_drift),
	    cmocka_unit_test(
		test_plan__hand_recreate_on_moved_tag_is_image_drift),
	    cmocka_unit_test(test_plan__recorded_image_round_trip),
	    cmocka_unit_test(test_plan__emergency_windows),
	    cmocka_unit_test(test_plan__revert_would_drop_an_accepted_value),
	    cmocka_unit_test(test_plan__namespace_joiner_follows_its_target),
	    cmocka_unit_test(test_plan__never_started_is_recreated),
	    cmocka_unit_test(test_plan__force_recreate),
	    cmocka_unit_test(test_plan__orphans_only_with_remove_orphans),
	    cmocka_unit_test(test_plan__orphan_without_service_label),
	    cmocka_unit_test(test_plan__unmanaged_is_reported_not_acted_on),
	    cmocka_unit_test(test_plan__second_container_of_a_service),
	    cmocka_unit_test(test_plan__temporary_containers_are_left_to_apply),
	    cmocka_unit_test(test_plan__services_restrict),
	    cmocka_unit_test(test_plan__secret_drift_is_masked),
	    cmocka_unit_test(test_plan__status_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
