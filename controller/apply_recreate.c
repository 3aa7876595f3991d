/*
 * apply_recreate.c - creating one container, replacing one crash-safely,
 * and finishing a replacement a crash interrupted (docs/internals/
 * APPLY.md has the protocol and what each crash point leaves).
 *
 * The invariant: at every instant the service has the old container, the
 * new one, or both, and a container named "<name>-mooring-new" that carries
 * io.mooring.replaces=<old id> is the only kind of leftover. Whoever
 * finds one (apply_recover) can tell from the old one's existence and the
 * new one's state which way to finish.
 */
#include "apply_int.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container.h"
#include "err.h"
#include "journal.h"
#include "log.h"
#include "xalloc.h"

#include "banned.h"

void apply_crashpoint(const char *step)
{
	const char *at = getenv(APPLY_CRASH_ENV);

	if (!at || strcmp(at, step))
		return;
	/* What was printed so far is part of what the test looks at. */
	fflush(stdout);
	fflush(stderr);
	raise(SIGKILL);
}

/*
 * Undo a step after a failure without losing the failure's message: the
 * undo's own error (if any) is logged, the original one stays in the slot.
 */
struct apply_saved_err {
	int code;
	char *msg;
};

static void err_save(struct apply_saved_err *s)
{
	s->code = err_last_code();
	s->msg = xstrdup(err_last());
}

static int err_restore(struct apply_saved_err *s)
{
	int code = s->code ? s->code : MOOR_ERR;

	err_set(code, "%s", s->msg);
	free(s->msg);
	s->msg = NULL;
	return code;
}

static void undo_remove(struct engine *e, const char *id)
{
	struct apply_saved_err s;

	err_save(&s);
	journal_action(journal_default(), NULL, NULL, id, "remove", "undo");
	if (engine_container_remove(e, id, true, false) < 0)
		log_warnx("cannot remove container '%.12s' after a failure: "
			  "%s",
			  id, err_last());
	err_restore(&s);
}

static void undo_start(struct engine *e, const char *id)
{
	struct apply_saved_err s;

	err_save(&s);
	journal_action(journal_default(), NULL, NULL, id, "start", "undo");
	if (engine_container_start(e, id) < 0)
		log_warnx("cannot restart container '%.12s' after a failure: "
			  "%s",
			  id, err_last());
	err_restore(&s);
}

static void undo_stop(struct engine *e, const char *id)
{
	struct apply_saved_err s;

	err_save(&s);
	journal_action(journal_default(), NULL, NULL, id, "stop", "undo");
	if (engine_container_stop(e, id, -1) < 0)
		log_warnx("cannot stop container '%.12s' after a failure: %s",
			  id, err_last());
	err_restore(&s);
}

static int connect_extra(struct engine *e, const char *id, const json_t *extra)
{
	const char *net;
	json_t *endpoint;

	/* json_object_foreach wants a non-const object; it only reads. */
	json_object_foreach((json_t *)extra, net, endpoint)
	{
		int error;

		journal_action(journal_default(), NULL, NULL, id, "connect",
			       net);
		error = engine_network_connect(e, net, id, endpoint);
		if (error < 0)
			return error;
	}
	return 0;
}

int apply_create(char **id_out, struct engine *e, const struct apply_target *t)
{
	char *id = NULL;
	int error = -1;

	journal_action(journal_default(),
		       json_string_value(json_object_get(
			   json_object_get(t->body, "Labels"), LABEL_UNIT)),
		       json_string_value(json_object_get(
			   json_object_get(t->body, "Labels"), LABEL_SERVICE)),
		       t->name, "create", NULL);
	if ((error = engine_container_create(e, &id, t->name, t->body)) < 0)
		goto cleanup;
	/* API 1.41 attaches one network at create; the others now, before
	 * the first start, so the process never runs half-connected. */
	if (t->extra && (error = connect_extra(e, id, t->extra)) < 0) {
		undo_remove(e, id);
		goto cleanup;
	}
	*id_out = id;
	id = NULL;
	error = 0;
cleanup:
	free(id);
	return error;
}

static const char *str_at(const json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

bool apply_can_start_first(const struct ynode *service)
{
	const struct ynode *order = NULL, *v;

	/* The compose file may say it (deploy.update_config.order). */
	v = ynode_map_get(service, "deploy");
	if (v && v->kind == YNODE_MAP)
		v = ynode_map_get(v, "update_config");
	if (v && v->kind == YNODE_MAP)
		order = ynode_map_get(v, "order");
	if (order && order->kind == YNODE_STR)
		return !strcmp(order->text, "start-first");

	/* Two copies would fight over a host port... */
	v = ynode_map_get(service, "ports");
	for (size_t i = 0; v && v->kind == YNODE_SEQ && i < v->u.seq.n; i++)
		if (ynode_map_get(v->u.seq.items[i], "published"))
			return false;
	v = ynode_map_get(service, "network_mode");
	if (v && v->kind == YNODE_STR && !strcmp(v->text, "host"))
		return false;
	/* ...or over data: two databases on one volume corrupt it. */
	v = ynode_map_get(service, "volumes");
	for (size_t i = 0; v && v->kind == YNODE_SEQ && i < v->u.seq.n; i++) {
		const struct ynode *type =
		    ynode_map_get(v->u.seq.items[i], "type");

		if (!type || type->kind != YNODE_STR ||
		    strcmp(type->text, "tmpfs"))
			return false;
	}
	if (ynode_map_get(service, "volumes_from"))
		return false;
	return true;
}

/* Stop-first: the old one's port or data is free before the new starts;
 * on a failed start the old one is brought back. */
static int swap_stop_first(struct engine *e, const char *old_id,
			   const char *new_id)
{
	int error;

	journal_action(journal_default(), NULL, NULL, old_id, "stop",
		       "recreate");
	if ((error = engine_container_stop(e, old_id, -1)) < 0) {
		/* It may have stopped part-way: make sure it serves again. */
		undo_start(e, old_id);
		undo_remove(e, new_id);
		return error;
	}
	apply_crashpoint("recreate:old-stopped");
	journal_action(journal_default(), NULL, NULL, new_id, "start",
		       "recreate");
	if ((error = engine_container_start(e, new_id)) < 0) {
		undo_start(e, old_id);
		undo_remove(e, new_id);
		return error;
	}
	apply_crashpoint("recreate:new-started");
	return 0;
}

/* Start-first: there is no instant without a running copy. */
static int swap_start_first(struct engine *e, const char *old_id,
			    const char *new_id)
{
	int error;

	journal_action(journal_default(), NULL, NULL, new_id, "start",
		       "recreate");
	if ((error = engine_container_start(e, new_id)) < 0) {
		undo_remove(e, new_id);
		return error;
	}
	apply_crashpoint("recreate:new-started");
	journal_action(journal_default(), NULL, NULL, old_id, "stop",
		       "recreate");
	if ((error = engine_container_stop(e, old_id, -1)) < 0) {
		undo_start(e, old_id);
		undo_stop(e, new_id);
		undo_remove(e, new_id);
		return error;
	}
	apply_crashpoint("recreate:old-stopped");
	return 0;
}

int apply_recreate(char **id_out, struct engine *e,
		   const struct apply_target *t)
{
	struct apply_target temp = *t;
	char *temp_name = NULL;
	char *new_id = NULL;
	json_t *labels;
	int error = -1;

	temp_name = xasprintf("%s%s", t->name, APPLY_TEMP_SUFFIX);
	temp.name = temp_name;
	labels = json_object_get(t->body, "Labels");
	if (!json_is_object(labels)) {
		labels = json_object();
		json_object_set_new(t->body, "Labels", labels);
	}
	json_object_set_new(labels, LABEL_REPLACES, json_string(t->old_id));

	/* 1. the new one exists, stopped, under a name that says what it is */
	if ((error = apply_create(&new_id, e, &temp)) < 0)
		goto cleanup;
	apply_crashpoint("recreate:created");

	/* 2-3. swap which one runs */
	error = t->start_first ? swap_start_first(e, t->old_id, new_id)
			       : swap_stop_first(e, t->old_id, new_id);
	if (error < 0)
		goto cleanup;

	/* 4. from here on the new one serves; a failure leaves work that the
	 * next apply_recover() finishes, never a service without a copy. */
	journal_action(journal_default(), NULL, NULL, t->old_id, "remove",
		       "recreate");
	if ((error = engine_container_remove(e, t->old_id, true, false)) < 0)
		goto cleanup;
	apply_crashpoint("recreate:old-removed");

	/* 5. the final name, free since step 4 */
	journal_action(journal_default(), NULL, NULL, new_id, "rename",
		       t->name);
	if ((error = engine_container_rename(e, new_id, t->name)) < 0)
		goto cleanup;
	apply_crashpoint("recreate:renamed");

	*id_out = new_id;
	new_id = NULL;
	error = 0;
cleanup:
	free(new_id);
	free(temp_name);
	return error;
}

/* ---- recovery -------------------------------------------------------- */

struct leftover {
	const char *temp_id;
	const char *temp_name; /* without the leading '/' */
	const char *old_id;
	const char *service;
	const char *project;
	bool temp_running;
	char *final_name;
};

/* Does a container exist? 1 yes (running or not in *running), 0 no.
 * *labels_out (may be NULL) gets its labels (a new reference). */
static int container_probe(struct engine *e, const char *id_or_name,
			   char **id_out, bool *running_out,
			   json_t **labels_out)
{
	json_t *info = NULL;
	int error;

	error = engine_container_inspect(e, &info, id_or_name);
	if (error == MOOR_ENOTFOUND) {
		err_clear();
		return 0;
	}
	if (error < 0)
		return error;
	if (running_out)
		*running_out = json_is_true(
		    json_object_get(json_object_get(info, "State"), "Running"));
	if (id_out)
		*id_out = xstrdup(str_at(info, "Id") ? str_at(info, "Id") : "");
	if (labels_out) {
		*labels_out =
		    json_object_get(json_object_get(info, "Config"), "Labels");
		json_incref(*labels_out);
	}
	json_decref(info);
	return 1;
}

/* Is the container that a leftover names as the one it replaces really the
 * same unit's, project's and service's? Its label is only a label: a
 * container that is not ours is never stopped or removed because of it. */
static bool recover_old_is_ours(const json_t *labels, const char *unit,
				const char *project, const char *service)
{
	const char *u = str_at(labels, LABEL_UNIT);
	const char *p = str_at(labels, LABEL_PROJECT);
	const char *s = str_at(labels, LABEL_SERVICE);

	return u && p && s && !strcmp(u, unit) && !strcmp(p, project) &&
	       !strcmp(s, service);
}

static int recover_one(bool *changed, struct engine *e, const char *unit,
		       const struct leftover *l,
		       const struct apply_options *opts)
{
	const char *dry = opts->dry_run ? "would " : "";
	char *holder = NULL, *old_full = NULL;
	json_t *old_labels = NULL;
	bool old_running = false;
	int old_exists, held;
	int error = -1;

	old_exists =
	    container_probe(e, l->old_id, &old_full, &old_running, &old_labels);
	if (old_exists < 0)
		return old_exists;
	if (old_exists &&
	    !recover_old_is_ours(old_labels, unit, l->project, l->service)) {
		error = err_set(MOOR_ECONFLICT,
				"'%s' names container '%.12s' as the one it "
				"replaces, but that is not service '%s' of "
				"unit '%s': leaving both alone",
				l->temp_name, l->old_id, l->service, unit);
		goto cleanup;
	}

	if (old_exists && !l->temp_running) {
		/* The swap never happened: the old one is the service (and the
		 * plan, made again, decides whether to start or redo it). */
		apply_say(opts,
			  "%s/%s: %sremove unfinished replacement '%s' "
			  "(interrupted recreate)",
			  unit, l->service, dry, l->temp_name);
		if (!opts->dry_run)
			journal_action(journal_default(), unit, l->service,
				       l->temp_id, "remove", "recover");
		error = 0;
		if (!opts->dry_run)
			error =
			    engine_container_remove(e, l->temp_id, true, false);
		*changed = !opts->dry_run && !error;
		goto cleanup;
	}

	apply_say(opts,
		  old_exists ? "%s/%s: %sfinish interrupted recreate (remove "
			       "the old container, rename '%s')"
			     : "%s/%s: %sfinish interrupted recreate (rename "
			       "'%s')",
		  unit, l->service, dry, l->temp_name);
	if (opts->dry_run) {
		error = 0;
		goto cleanup;
	}
	/* Who holds the final name? Only the old container (about to go)
	 * or the replacement itself may: checked before removing anything. */
	held = container_probe(e, l->final_name, &holder, NULL, NULL);
	if (held < 0) {
		error = held;
		goto cleanup;
	}
	if (held && strcmp(holder, l->temp_id) &&
	    !(old_full && !strcmp(holder, old_full))) {
		error = err_set(MOOR_ECONFLICT,
				"cannot finish the recreate of service '%s': "
				"the name '%s' is taken by container '%.12s'",
				l->service, l->final_name, holder);
		goto cleanup;
	}
	if (old_exists) {
		/* The new one has been serving: roll forward. */
		if (old_running)
			journal_action(journal_default(), unit, l->service,
				       l->old_id, "stop", "recover");
		if (old_running &&
		    (error = engine_container_stop(e, l->old_id, -1)) < 0)
			goto cleanup;
		journal_action(journal_default(), unit, l->service, l->old_id,
			       "remove", "recover");
		if ((error = engine_container_remove(e, l->old_id, true,
						     false)) < 0)
			goto cleanup;
		held = 0; /* the old one held it, if anyone did */
	}
	if (held && strcmp(holder, l->temp_id))
		held = 0;
	if (!held)
		journal_action(journal_default(), unit, l->service, l->temp_id,
			       "rename", l->final_name);
	if (!held &&
	    (error = engine_container_rename(e, l->temp_id, l->final_name)) < 0)
		goto cleanup;
	if (!l->temp_running)
		journal_action(journal_default(), unit, l->service, l->temp_id,
			       "start", "recover");
	if (!l->temp_running &&
	    (error = engine_container_start(e, l->temp_id)) < 0)
		goto cleanup;
	*changed = true;
	error = 0;
cleanup:
	json_decref(old_labels);
	free(old_full);
	free(holder);
	return error;
}

/* A leftover from the list summary (GET /containers/json), or false when
 * the container is not one: the label alone stays on a finished
 * replacement for life, only the temporary name marks an unfinished one. */
static bool leftover_of(struct leftover *out, json_t *c)
{
	json_t *labels = json_object_get(c, "Labels");
	const char *name =
	    json_string_value(json_array_get(json_object_get(c, "Names"), 0));
	size_t len, slen = strlen(APPLY_TEMP_SUFFIX);

	memset(out, 0, sizeof(*out));
	if (!name || !str_at(c, "Id") || !str_at(labels, LABEL_REPLACES))
		return false;
	if (name[0] == '/')
		name++;
	len = strlen(name);
	if (len <= slen || strcmp(name + len - slen, APPLY_TEMP_SUFFIX))
		return false;
	out->temp_id = str_at(c, "Id");
	out->temp_name = name;
	out->old_id = str_at(labels, LABEL_REPLACES);
	out->service =
	    str_at(labels, LABEL_SERVICE) ? str_at(labels, LABEL_SERVICE) : "?";
	out->project =
	    str_at(labels, LABEL_PROJECT) ? str_at(labels, LABEL_PROJECT) : "?";
	out->temp_running =
	    str_at(c, "State") && !strcmp(str_at(c, "State"), "running");
	out->final_name = xstrndup(name, len - slen);
	return true;
}

int apply_recover(bool *changed_out, const struct unit *u, struct context *ctx,
		  const struct apply_options *opts)
{
	json_t *filters = NULL, *list = NULL, *c;
	bool changed = false;
	size_t i;
	int error = -1;

	if (!ctx->engine)
		return err_set(MOOR_EIO, "%s", context_engine_error(ctx));
	/* The project too: another mooring (another repo) on this host may
	 * have a unit of the same name. */
	filters = json_pack("{s:[s+,s+,s]}", "label", LABEL_UNIT "=", u->name,
			    LABEL_PROJECT "=",
			    u->project ? u->project : u->name, LABEL_REPLACES);
	if (!filters)
		return err_set(MOOR_ERR, "cannot build a label filter");
	if ((error =
		 engine_containers_list(ctx->engine, &list, filters, true)) < 0)
		goto cleanup;
	json_array_foreach(list, i, c)
	{
		struct leftover l;

		if (!leftover_of(&l, c))
			continue;
		error = recover_one(&changed, ctx->engine, u->name, &l, opts);
		free(l.final_name);
		if (error < 0)
			goto cleanup;
	}
	*changed_out = changed;
	error = 0;
cleanup:
	json_decref(filters);
	json_decref(list);
	return error;
}
