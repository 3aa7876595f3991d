/*
 * context.c - open what commands on units need: config, source, unit
 * registry, the selected units and (when asked) the Docker Engine.
 */
#include "context.h"

#include <time.h>

#include "findings.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "xalloc.h"

#include "banned.h"

#define CONTEXT_LOCAL_CONFIG  "mooring.yaml"
#define CONTEXT_SYSTEM_CONFIG "/etc/mooring/mooring.yaml"

int context_config_path(char **out, const char *given)
{
	const char *env = getenv("MOORING_CONFIG");

	if (given) {
		*out = xstrdup(given);
		return 0;
	}
	if (env && *env) {
		*out = xstrdup(env);
		return 0;
	}
	if (access(CONTEXT_LOCAL_CONFIG, F_OK) == 0) {
		*out = xstrdup(CONTEXT_LOCAL_CONFIG);
		return 0;
	}
	if (access(CONTEXT_SYSTEM_CONFIG, F_OK) == 0) {
		*out = xstrdup(CONTEXT_SYSTEM_CONFIG);
		return 0;
	}
	return err_set(MOOR_ENOTFOUND,
		       "no config file: give -c CONFIG, set MOORING_CONFIG, or "
		       "create './" CONTEXT_LOCAL_CONFIG
		       "' or '" CONTEXT_SYSTEM_CONFIG "'");
}

static void context_select_push(struct context *ctx, struct unit *u)
{
	for (size_t i = 0; i < ctx->nselected; i++)
		if (ctx->selected[i] == u)
			return;
	ctx->selected = xreallocarray(ctx->selected, ctx->nselected + 1,
				      sizeof(*ctx->selected));
	ctx->selected[ctx->nselected++] = u;
}

static int context_unknown_unit(const struct context *ctx, const char *name)
{
	struct buf known = BUF_INIT(BUF_UNBOUNDED);
	int error;

	for (size_t i = 0; i < ctx->units.n; i++)
		buf_printf(&known, "%s%s", i ? ", " : "",
			   ctx->units.items[i].name);
	error = err_set(MOOR_ENOTFOUND, "unknown unit '%s' (known: %s)", name,
			known.len ? buf_cstr(&known) : "none");
	buf_release(&known);
	return error;
}

static int context_select(struct context *ctx, const char *const *names,
			  size_t nnames)
{
	if (nnames == 0) {
		for (size_t i = 0; i < ctx->units.n; i++)
			if (unit_on_host(&ctx->units.items[i],
					 ctx->config->host))
				context_select_push(ctx, &ctx->units.items[i]);
		return 0;
	}
	for (size_t i = 0; i < nnames; i++) {
		struct unit *u = units_find(&ctx->units, names[i]);

		if (!u)
			return context_unknown_unit(ctx, names[i]);
		context_select_push(ctx, u);
	}
	return 0;
}

static void context_open_engine(struct context *ctx)
{
	struct engine_options opts;

	memset(&opts, 0, sizeof(opts));
	opts.socket_path = ctx->config->docker_socket;
	/* An unreachable daemon makes units UNKNOWN, not the command fail:
	 * keep the reason for whoever reports them. */
	if (engine_open(&ctx->engine, &opts) < 0) {
		ctx->engine = NULL;
		ctx->engine_error =
		    xstrdup(err_last()[0] ? err_last() : "cannot open docker");
		err_clear();
	}
}

int context_open(struct context *out, const char *config_path,
		 const char *const *unit_names, size_t nunit_names,
		 unsigned flags)
{
	struct context ctx;
	char *path = NULL;
	int error = -1;

	memset(&ctx, 0, sizeof(ctx));
	if ((error = context_config_path(&path, config_path)) < 0)
		goto cleanup;
	if ((error = config_load(&ctx.config, path)) < 0)
		goto cleanup;
	error = (flags & CONTEXT_ASIDE)
		    ? source_open_aside(&ctx.source, ctx.config)
		    : source_open(&ctx.source, ctx.config);
	if (error < 0)
		goto cleanup;
	if (!(flags & CONTEXT_NO_FETCH) &&
	    (error = source_fetch(ctx.source, NULL)) < 0)
		goto cleanup;
	if ((error = units_load(&ctx.units, ctx.source)) < 0 ||
	    (error = context_load_policy(&ctx)) < 0)
		goto cleanup;
	if ((error = context_select(&ctx, unit_names, nunit_names)) < 0)
		goto cleanup;
	if (flags & CONTEXT_ENGINE)
		context_open_engine(&ctx);
	*out = ctx;
	memset(&ctx, 0, sizeof(ctx));
	error = 0;
cleanup:
	context_release(&ctx);
	free(path);
	return error;
}

void context_release(struct context *ctx)
{
	if (!ctx)
		return;
	engine_free(ctx->engine);
	units_release(&ctx->units);
	policy_release(&ctx->policy);
	source_free(ctx->source);
	config_free(ctx->config);
	free(ctx->selected);
	free(ctx->engine_error);
	memset(ctx, 0, sizeof(*ctx));
}

int context_load_policy(struct context *ctx)
{
	struct policy np;
	json_t *cli = NULL, *e;
	size_t i;
	int error;

	memset(&np, 0, sizeof(np));
	if ((error = policy_load(&np, ctx->source)) < 0)
		return error;
	/* Every one, expired ones too (the time 0): matching checks the
	 * expiry, and an expired window is reported (policy_expired) and
	 * explains drift seen while it was open (classify_budgets). */
	if ((error = findings_exceptions_load(&cli, ctx->config->state_dir,
					      (time_t)0)) < 0) {
		policy_release(&np);
		return error;
	}
	json_array_foreach(cli, i, e)
	{
		struct policy_exception pe;
		json_t *list;
		size_t j;

		memset(&pe, 0, sizeof(pe));
		pe.incident =
		    (char *)json_string_value(json_object_get(e, "incident"));
		pe.unit = (char *)json_string_value(json_object_get(e, "unit"));
		pe.reason =
		    (char *)json_string_value(json_object_get(e, "reason"));
		pe.expires = policy_parse_time(
		    json_string_value(json_object_get(e, "expires")));
		pe.origin = "cli";
		if (!pe.incident || !pe.unit || pe.expires == (time_t)-1)
			continue;
		list = json_object_get(e, "services");
		pe.nservices = json_array_size(list);
		pe.services =
		    pe.nservices ? xcalloc(pe.nservices, sizeof(char *)) : NULL;
		for (j = 0; j < pe.nservices; j++)
			pe.services[j] =
			    (char *)json_string_value(json_array_get(list, j));
		list = json_object_get(e, "fields");
		pe.nfields = json_array_size(list);
		pe.fields =
		    pe.nfields ? xcalloc(pe.nfields, sizeof(char *)) : NULL;
		for (j = 0; j < pe.nfields; j++)
			pe.fields[j] =
			    (char *)json_string_value(json_array_get(list, j));
		policy_add_exception(&np, &pe);
		free(pe.services);
		free(pe.fields);
	}
	json_decref(cli);
	policy_release(&ctx->policy);
	ctx->policy = np;
	return 0;
}

const char *context_engine_error(const struct context *ctx)
{
	return ctx->engine_error ? ctx->engine_error : "";
}
