/*
 * run_units.c - the controller's table of units (run_int.h): one entry per
 * unit of this host in the loaded registry, with its schedule, its last
 * status and findings. Rebuilt when the registry changes (a new commit,
 * SIGHUP); a unit that stays keeps its schedule and history, a new one
 * starts from the status file a previous run left (so a restart knows
 * when each unit was last checked), a unit gone from the registry loses
 * its status file.
 *
 * Names and projects are interned: the events thread may hold a name
 * returned by unit_of_project while the table is rebuilt, so those
 * strings live as long as the controller.
 */
#include "run_int.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "findings.h"
#include "log.h"
#include "xalloc.h"

#include "banned.h"

/* mu held (or the only thread). */
const char *run_intern(struct controller *c, const char *s)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < c->nnames; i++)
		if (!strcmp(c->names[i], s))
			return c->names[i];
	c->names = xreallocarray(c->names, c->nnames + 1, sizeof(*c->names));
	c->names[c->nnames] = xstrdup(s);
	return c->names[c->nnames++];
}

/* mu held, or on the loop thread (the only writer). */
struct run_unit *run_unit_find(struct controller *c, const char *name)
{
	for (size_t i = 0; i < c->nunits; i++)
		if (!strcmp(c->units[i].name, name))
			return &c->units[i];
	return NULL;
}

static void run_unit_release(struct run_unit *ru)
{
	status_record_release(&ru->st);
	json_decref(ru->findings);
	memset(ru, 0, sizeof(*ru));
}

/* A unit seen for the first time by this process: what a previous run
 * recorded, due now. */
static void run_unit_new(struct controller *c, struct run_unit *out,
			 const char *name, const char *project,
			 long long now_ms)
{
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&c->mu);
	out->name = run_intern(c, name);
	out->project = run_intern(c, project);
	pthread_mutex_unlock(&c->mu);
	out->next_due_ms = now_ms;
	if (status_load(&out->st, c->state_dir, name) < 0) {
		err_clear();
		memset(&out->st, 0, sizeof(out->st));
		out->st.unit = xstrdup(name);
		out->st.status = UNIT_UNKNOWN;
		out->st.error = xstrdup("not checked yet");
	}
	if (project && (!out->st.project || strcmp(out->st.project, project))) {
		free(out->st.project);
		out->st.project = xstrdup(project);
	}
	out->findings = json_array();
}

/* The table for the loaded registry. */
static void run_units_from_ctx(struct controller *c, struct run_unit **out,
			       size_t *nout, bool *taken)
{
	struct context *ctx = &c->ctx;
	struct run_unit *list =
	    xcalloc(ctx->nselected ? ctx->nselected : 1, sizeof(*list));
	long long now = run_now_ms();

	for (size_t i = 0; i < ctx->nselected; i++) {
		const struct unit *u = ctx->selected[i];
		const char *project = u->project ? u->project : u->name;
		struct run_unit *old = NULL;

		for (size_t k = 0; k < c->nunits && !old; k++) {
			if (!taken[k] && !strcmp(c->units[k].name, u->name)) {
				old = &c->units[k];
				taken[k] = true;
			}
		}
		if (old) {
			list[i] = *old;
			pthread_mutex_lock(&c->mu);
			list[i].project = run_intern(c, project);
			pthread_mutex_unlock(&c->mu);
		} else {
			run_unit_new(c, &list[i], u->name, project, now);
		}
		list[i].unit = u;
	}
	*out = list;
	*nout = ctx->nselected;
}

/* No registry (the repository could not be opened): the units a previous
 * run recorded, so that their status still tells, and goes stale. */
static void run_units_from_disk(struct controller *c, struct run_unit **out,
				size_t *nout, bool *taken)
{
	struct status_record *recs = NULL;
	struct run_unit *list = NULL;
	size_t nrecs = 0, n = 0;
	long long now = run_now_ms();

	if (status_load_all(&recs, &nrecs, c->state_dir) < 0) {
		log_warnx("%s", err_last());
		err_clear();
	}
	list = xcalloc(nrecs + c->nunits + 1, sizeof(*list));
	for (size_t k = 0; k < c->nunits; k++) {
		list[n] = c->units[k];
		list[n++].unit = NULL;
		taken[k] = true;
	}
	for (size_t i = 0; i < nrecs; i++) {
		bool known = false;

		for (size_t k = 0; k < n; k++)
			known = known || !strcmp(list[k].name, recs[i].unit);
		if (known)
			continue;
		run_unit_new(c, &list[n], recs[i].unit, recs[i].project, now);
		n++;
	}
	status_records_free(recs, nrecs);
	*out = list;
	*nout = n;
}

/* A unit no longer managed here has no open findings: nothing checks
 * them any more (`mooring findings` would report them open forever). */
static void run_units_close_findings(struct controller *c, const char *unit)
{
	json_t *none = json_array(), *resolved = NULL;
	time_t now = time(NULL);

	if (findings_update_at(none, c->state_dir, unit, now, now, NULL,
			       &resolved) < 0) {
		log_warnx("%s", err_last());
		err_clear();
	} else if (json_array_size(resolved)) {
		log_info("unit '%s': %zu open finding%s resolved with it", unit,
			 json_array_size(resolved),
			 json_array_size(resolved) == 1 ? "" : "s");
	}
	json_decref(resolved);
	json_decref(none);
}

void run_units_sync(struct controller *c)
{
	struct run_unit *list = NULL, *old;
	bool *taken = xcalloc(c->nunits ? c->nunits : 1, sizeof(*taken));
	size_t n = 0, nold;

	if (c->have_ctx)
		run_units_from_ctx(c, &list, &n, taken);
	else
		run_units_from_disk(c, &list, &n, taken);
	pthread_mutex_lock(&c->mu);
	old = c->units;
	nold = c->nunits;
	c->units = list;
	c->nunits = n;
	pthread_mutex_unlock(&c->mu);
	for (size_t k = 0; k < nold; k++) {
		if (taken[k])
			continue;
		/* Gone from the registry (or from this host): its containers
		 * stay as they are; its status would only mislead. */
		log_info("unit '%s' is no longer in the registry for this "
			 "host; its containers are left alone",
			 old[k].name);
		if (status_remove(c->state_dir, old[k].name) < 0) {
			log_warnx("%s", err_last());
			err_clear();
		}
		run_units_close_findings(c, old[k].name);
		run_unit_release(&old[k]);
	}
	free(old);
	free(taken);
}

void run_units_free(struct controller *c)
{
	for (size_t i = 0; i < c->nunits; i++)
		run_unit_release(&c->units[i]);
	free(c->units);
	c->units = NULL;
	c->nunits = 0;
	for (size_t i = 0; i < c->nnames; i++)
		free(c->names[i]);
	free(c->names);
	c->names = NULL;
	c->nnames = 0;
}
