/*
 * compose.c - load a Compose project (the pipeline of compose.h).
 *
 * This file orchestrates: it finds the files, builds the project
 * environment, settles the project name, and hands the trees to interp,
 * extends, merge, profiles, schema/normalize and consistency in turn.
 * Nothing here is kept on error: every intermediate tree belongs to the
 * loader until compose_load() hands the finished project over.
 */
#include "compose.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "consistency.h"
#include "digest.h"
#include "dotenv.h"
#include "emit.h"
#include "err.h"
#include "extends.h"
#include "interp.h"
#include "log.h"
#include "merge.h"
#include "path.h"
#include "profiles.h"
#include "xalloc.h"

#include "banned.h"

extern char **environ;

/* In Compose's order of preference (compose-go cli/options.go). */
static const char *const compose_default_files[] = {
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
};
static const char *const compose_override_files[] = {
    "compose.override.yml",
    "compose.override.yaml",
    "docker-compose.override.yml",
    "docker-compose.override.yaml",
};

#define COMPOSE_NELEM(a) (sizeof(a) / sizeof((a)[0]))

struct compose_loader {
	const struct compose_options *opts;
	const struct ylimits *limits;
	/* Main files as the user spelled them (messages name them so). */
	char **files;
	size_t nfiles;
	char *dir;     /* project directory as spelled */
	char *workdir; /* the same, absolute */
	struct ynode **docs;
	struct strmap env;	/* the project environment */
	struct strmap warned;	/* unset variables already reported */
	struct strmap disabled; /* services profiles turned off */
	struct interp_env ienv;
	char *name;
	bool name_from_file; /* the model's `name:` is the one used */
	struct ynode *model;
};

static const char *compose_env_lookup(void *data, const char *name)
{
	return strmap_get(data, name);
}

static const char *compose_loader_lookup(void *data, const char *name)
{
	const struct compose_loader *l = data;

	return strmap_get(&l->env, name);
}

/* One warning per variable and load, as docker compose prints it. */
static void compose_on_unset(void *data, const char *name,
			     const struct ymark *mark)
{
	struct compose_loader *l = data;

	(void)mark;
	if (strmap_has(&l->warned, name))
		return;
	strmap_set(&l->warned, name, NULL, NULL);
	log_warnx(
	    "the \"%s\" variable is not set, defaulting to a blank string",
	    name);
}

static int compose_read(const struct compose_loader *l, struct buf *out,
			const char *path)
{
	if (l->opts->read_file)
		return l->opts->read_file(l->opts->read_data, path, out);
	return buf_read_file(out, path);
}

/* 1 when path exists, 0 when it does not, < 0 on another error. */
static int compose_exists(const struct compose_loader *l, const char *path)
{
	struct buf b = BUF_INIT(l->limits->max_file_size);
	int error = compose_read(l, &b, path);

	buf_release(&b);
	if (error == MOOR_ENOTFOUND) {
		err_clear();
		return 0;
	}
	return error < 0 ? error : 1;
}

/* The first existing name of names[] in dir, or NULL; warns when more
 * than one exists, as Compose does. */
static int compose_find_one(char **out, const struct compose_loader *l,
			    const char *dir, const char *const *names, size_t n)
{
	char *found = NULL;
	int error = 0;

	for (size_t i = 0; i < n; i++) {
		char *p = path_join(dir, names[i]);
		int rc = compose_exists(l, p);

		if (rc < 0) {
			error = rc;
			free(p);
			break;
		}
		if (rc == 0) {
			free(p);
		} else if (!found) {
			found = p;
		} else {
			log_warnx("found several compose files in '%s', "
				  "using '%s' and ignoring '%s'",
				  dir, found, p);
			free(p);
		}
	}
	if (error < 0) {
		free(found);
		return error;
	}
	*out = found;
	return 0;
}

static void compose_add_file(struct compose_loader *l, char *path)
{
	l->files = xreallocarray(l->files, l->nfiles + 1, sizeof(*l->files));
	l->files[l->nfiles++] = path;
}

static int compose_find_files(struct compose_loader *l)
{
	const struct compose_options *o = l->opts;
	const char *dir = o->project_dir ? o->project_dir : ".";
	char *first = NULL, *override = NULL;
	int error;

	if (o->nfiles) {
		for (size_t i = 0; i < o->nfiles; i++)
			compose_add_file(l, xstrdup(o->files[i]));
		l->dir = o->project_dir ? xstrdup(o->project_dir)
					: path_dirname(o->files[0]);
		return 0;
	}
	error = compose_find_one(&first, l, dir, compose_default_files,
				 COMPOSE_NELEM(compose_default_files));
	if (error < 0)
		return error;
	if (!first)
		return err_set(MOOR_ENOTFOUND,
			       "no compose file found in '%s' (looked for "
			       "compose.yaml, compose.yml, docker-compose.yml "
			       "and docker-compose.yaml)",
			       dir);
	compose_add_file(l, first);
	error = compose_find_one(&override, l, dir, compose_override_files,
				 COMPOSE_NELEM(compose_override_files));
	if (error < 0)
		return error;
	if (override)
		compose_add_file(l, override);
	l->dir = xstrdup(dir);
	return 0;
}

/*
 * The project environment: the process environment, then what the .env
 * file adds (never overrides). .env values are expanded against the
 * process environment, with the dotenv rules.
 */
static int compose_load_env(struct compose_loader *l)
{
	const struct compose_options *o = l->opts;
	struct strmap dot = STRMAP_INIT;
	struct buf data = BUF_INIT(l->limits->max_file_size);
	struct interp_env penv = {compose_env_lookup, &l->env, NULL};
	char *path = NULL;
	int error = -1;

	strmap_load_environ(&l->env, o->environ ? o->environ : environ);
	path = o->env_file ? xstrdup(o->env_file) : path_join(l->dir, ".env");
	error = compose_read(l, &data, path);
	if (error == MOOR_ENOTFOUND && !o->env_file) {
		err_clear();
		error = 0;
		goto cleanup;
	}
	if (error < 0)
		goto cleanup;
	error = dotenv_parse(&dot, buf_cstr(&data), data.len, path, &penv);
	if (error < 0)
		goto cleanup;
	for (size_t i = 0; i < dot.n; i++)
		if (!strmap_has(&l->env, dot.items[i].key))
			strmap_set(&l->env, dot.items[i].key,
				   dot.items[i].value, &dot.items[i].mark);
	error = 0;
cleanup:
	strmap_release(&dot);
	buf_release(&data);
	free(path);
	return error;
}

/* Read and parse one compose file; the top level must be a mapping. */
static int compose_parse(struct compose_loader *l, struct ynode **out,
			 const char *path)
{
	struct buf data = BUF_INIT(l->limits->max_file_size);
	struct ynode *doc = NULL;
	int error = -1;

	if ((error = compose_read(l, &data, path)) < 0)
		goto cleanup;
	error =
	    ynode_load_buffer(&doc, buf_cstr(&data), data.len, path, l->limits);
	if (error < 0)
		goto cleanup;
	if (doc->kind != YNODE_MAP) {
		error =
		    err_set_at(MOOR_EINVAL, ymark_intern(path), doc->mark.line,
			       doc->mark.col, "top-level must be a mapping");
		goto cleanup;
	}
	*out = doc;
	doc = NULL;
	error = 0;
cleanup:
	ynode_free(doc);
	buf_release(&data);
	return error;
}

/* What every file goes through after parsing: interpolation of its
 * values, then its services' extends. */
static int compose_prepare(struct compose_loader *l, struct ynode *doc,
			   const char *path);

static int compose_extends_load(void *data, struct ynode **out,
				const char *path)
{
	struct compose_loader *l = data;
	struct ynode *doc = NULL;
	int error;

	if ((error = compose_parse(l, &doc, path)) < 0)
		return error;
	/* Only its services are used; `version` there is harmless. */
	ynode_map_del(doc, "version");
	if ((error = interp_tree(doc, &l->ienv)) < 0) {
		ynode_free(doc);
		return error;
	}
	*out = doc;
	return 0;
}

static int compose_prepare(struct compose_loader *l, struct ynode *doc,
			   const char *path)
{
	struct extends_ctx ext = {compose_extends_load, l};
	int error;

	if (ynode_map_del(doc, "version"))
		log_warnx("%s: the attribute `version` is obsolete, it will be "
			  "ignored, please remove it to avoid potential "
			  "confusion",
			  path);
	if ((error = interp_tree(doc, &l->ienv)) < 0)
		return error;
	return extends_resolve(doc, path, &ext);
}

char *compose_normalize_project_name(const char *name)
{
	size_t n = strlen(name), w = 0;
	char *out = xmalloc(n + 1);

	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			continue;
		/* It must start with a letter or a digit. */
		if (w == 0 && (c == '_' || c == '-'))
			continue;
		out[w++] = c;
	}
	out[w] = '\0';
	if (!w) {
		free(out);
		return NULL;
	}
	return out;
}

/*
 * -p, else COMPOSE_PROJECT_NAME: taken as given, so they must already be
 * valid; else the last `name:` of the files (interpolated), else the
 * project directory's base name: both normalised, as compose-go does.
 */
static int compose_project_name(struct compose_loader *l)
{
	const char *given = l->opts->project_name;
	char *norm = NULL, *base = NULL;
	int error;

	if (!given || !*given)
		given = strmap_get(&l->env, "COMPOSE_PROJECT_NAME");
	if (given && *given) {
		norm = compose_normalize_project_name(given);
		if (!norm || strcmp(norm, given) != 0) {
			free(norm);
			return err_set(MOOR_EINVAL,
				       "invalid project name '%s': must "
				       "consist only of lowercase alphanumeric "
				       "characters, hyphens, and underscores "
				       "as well as start with a letter or "
				       "number",
				       given);
		}
		l->name = norm;
		return 0;
	}
	for (size_t i = 0; i < l->nfiles; i++) {
		const struct ynode *n = ynode_map_get(l->docs[i], "name");
		char *s = NULL;

		if (!n || !ynode_is_scalar(n) || n->kind == YNODE_NULL)
			continue;
		if ((error = interp_string(&s, n->text, &l->ienv, &n->mark)) <
		    0)
			return error;
		norm = compose_normalize_project_name(s);
		free(s);
		if (!norm)
			continue;
		free(l->name);
		l->name = norm;
		l->name_from_file = true;
	}
	if (l->name)
		return 0;
	base = path_basename(l->workdir);
	l->name = compose_normalize_project_name(base);
	free(base);
	if (!l->name)
		return err_set(MOOR_EINVAL, "project name must not be empty");
	return 0;
}

static void compose_active_profiles(const struct compose_loader *l,
				    const char ***out, size_t *nout,
				    char **storage)
{
	const char *env;
	char *s, *p;

	*out = NULL;
	*nout = 0;
	*storage = NULL;
	if (l->opts->nprofiles) {
		*out = xreallocarray(NULL, l->opts->nprofiles, sizeof(**out));
		for (size_t i = 0; i < l->opts->nprofiles; i++)
			(*out)[i] = l->opts->profiles[i];
		*nout = l->opts->nprofiles;
		return;
	}
	env = strmap_get(&l->env, "COMPOSE_PROFILES");
	if (!env || !*env)
		return;
	*storage = s = xstrdup(env);
	for (;;) {
		p = strchr(s, ',');
		if (p)
			*p = '\0';
		if (*s) {
			*out = xreallocarray(*out, *nout + 1, sizeof(**out));
			(*out)[(*nout)++] = s;
		}
		if (!p)
			break;
		s = p + 1;
	}
}

static int compose_apply_profiles(struct compose_loader *l)
{
	const char **active = NULL;
	size_t nactive = 0;
	char *storage = NULL;

	compose_active_profiles(l, &active, &nactive, &storage);
	profiles_apply(l->model, active, nactive, &l->disabled);
	free(active);
	free(storage);
	return 0;
}

/* mooring deploys images; it never builds them. */
static int compose_check_build(struct compose_loader *l)
{
	struct ynode *services = ynode_map_get(l->model, "services");

	if (!services || services->kind != YNODE_MAP ||
	    (l->opts->norm_flags & NORM_F_ALLOW_BUILD))
		return 0;
	for (size_t i = 0; i < services->u.map.n; i++) {
		const char *name = services->u.map.items[i].key;
		struct ynode *svc = services->u.map.items[i].value;
		struct ypair *build;
		struct ynode *image;
		struct ymark m;

		if (svc->kind != YNODE_MAP ||
		    !(build = ynode_map_pair(svc, "build")))
			continue;
		m = build->key_mark;
		image = ynode_map_get(svc, "image");
		if (!image || image->kind == YNODE_NULL ||
		    (image->kind == YNODE_STR && !image->text[0]))
			return err_set_at(MOOR_EINVAL, m.file, m.line, m.col,
					  "service '%s' has 'build' but no "
					  "'image': mooring deploys prebuilt "
					  "images, build and push the image "
					  "first",
					  name);
		log_warnx("%s:%u:%u: service '%s' has both 'build' and "
			  "'image': 'build' is ignored, mooring deploys the "
			  "prebuilt image '%s'",
			  m.file ? m.file : "-", m.line, m.col, name,
			  image->text ? image->text : "");
		ynode_map_del(svc, "build");
	}
	return 0;
}

/* Set the model's `name` to the project name, keeping the mark of the
 * `name:` it came from. */
static void compose_set_name(struct compose_loader *l)
{
	struct ypair *p = ynode_map_pair(l->model, "name");

	if (p && l->name_from_file) {
		ynode_set_str(p->value, l->name);
		return;
	}
	ynode_map_put(l->model, "name", NULL, ynode_new_str(l->name, NULL));
}

static int compose_merge(struct compose_loader *l)
{
	int error;

	l->model = l->docs[0];
	l->docs[0] = NULL;
	for (size_t i = 1; i < l->nfiles; i++) {
		struct ynode *doc = l->docs[i];

		l->docs[i] = NULL;
		if ((error = merge_documents(l->model, doc)) < 0)
			return error;
	}
	merge_strip_tags(l->model);
	return merge_unicity(l->model);
}

int compose_service_hash(char out[65], const struct ynode *service)
{
	struct buf json = BUF_INIT(BUF_UNBOUNDED);
	struct ynode *copy = ynode_clone(service);
	size_t i = 0;
	int error = -1;

	/* What the hash leaves out is either metadata for people (x-*) or
	 * already folded into environment and labels. */
	while (copy->kind == YNODE_MAP && i < copy->u.map.n) {
		const char *k = copy->u.map.items[i].key;
		char *key;

		if (strncmp(k, "x-", 2) != 0 && strcmp(k, "env_file") != 0 &&
		    strcmp(k, "label_file") != 0) {
			i++;
			continue;
		}
		key = xstrdup(k);
		ynode_map_del(copy, key);
		free(key);
	}
	if ((error = emit_json(&json, copy, EMIT_SORTED | EMIT_COMPACT)) < 0)
		goto cleanup;
	error = digest_sha256_hex(out, buf_cstr(&json), json.len);
cleanup:
	ynode_free(copy);
	buf_release(&json);
	return error;
}

static int compose_hashes(struct strmap *out, const struct ynode *model)
{
	const struct ynode *services = ynode_map_get(model, "services");
	char hex[65];
	int error;

	if (!services || services->kind != YNODE_MAP)
		return 0;
	for (size_t i = 0; i < services->u.map.n; i++) {
		const struct ypair *p = &services->u.map.items[i];

		if ((error = compose_service_hash(hex, p->value)) < 0)
			return error;
		strmap_set(out, p->key, hex, &p->value->mark);
	}
	return 0;
}

static int compose_normalize(struct compose_loader *l)
{
	struct interp_env nenv = {compose_env_lookup, &l->env, NULL};
	struct norm_ctx ctx;
	int error;

	memset(&ctx, 0, sizeof(ctx));
	ctx.project = l->name;
	ctx.working_dir = l->workdir;
	ctx.home_dir = strmap_get(&l->env, "HOME");
	ctx.flags = l->opts->norm_flags;
	ctx.env = &nenv;
	ctx.read_file = l->opts->read_file;
	ctx.read_data = l->opts->read_data;
	if ((error = schema_check(l->model)) < 0)
		return error;
	if ((error = compose_apply_profiles(l)) < 0)
		return error;
	if ((error = compose_check_build(l)) < 0)
		return error;
	return normalize_project(l->model, &ctx);
}

static void compose_loader_release(struct compose_loader *l)
{
	for (size_t i = 0; i < l->nfiles; i++) {
		free(l->files[i]);
		if (l->docs)
			ynode_free(l->docs[i]);
	}
	free(l->files);
	free(l->docs);
	free(l->dir);
	free(l->workdir);
	free(l->name);
	strmap_release(&l->env);
	strmap_release(&l->warned);
	strmap_release(&l->disabled);
	ynode_free(l->model);
}

int compose_load(struct compose_project **out,
		 const struct compose_options *opts)
{
	struct compose_loader l;
	struct compose_project *p = NULL;
	int error = -1;

	memset(&l, 0, sizeof(l));
	l.opts = opts;
	l.limits = opts->limits ? opts->limits : &ylimits_default;
	l.ienv.lookup = compose_loader_lookup;
	l.ienv.data = &l;
	l.ienv.on_unset = compose_on_unset;

	if ((error = compose_find_files(&l)) < 0)
		goto cleanup;
	if ((error = path_absolute(&l.workdir, l.dir)) < 0)
		goto cleanup;
	if ((error = compose_load_env(&l)) < 0)
		goto cleanup;
	l.docs = xcalloc(l.nfiles, sizeof(*l.docs));
	for (size_t i = 0; i < l.nfiles; i++)
		if ((error = compose_parse(&l, &l.docs[i], l.files[i])) < 0)
			goto cleanup;
	if ((error = compose_project_name(&l)) < 0)
		goto cleanup;
	/* Files may use it, as in `image: ${COMPOSE_PROJECT_NAME}-api`. */
	strmap_set(&l.env, "COMPOSE_PROJECT_NAME", l.name, NULL);
	for (size_t i = 0; i < l.nfiles; i++)
		if ((error = compose_prepare(&l, l.docs[i], l.files[i])) < 0)
			goto cleanup;
	if ((error = compose_merge(&l)) < 0)
		goto cleanup;
	compose_set_name(&l);
	if ((error = compose_normalize(&l)) < 0)
		goto cleanup;
	ynode_map_sort(l.model, true);
	if (!(opts->flags & COMPOSE_F_SKIP_CONSISTENCY) &&
	    (error = consistency_check(l.model, &l.disabled)) < 0)
		goto cleanup;

	p = xcalloc(1, sizeof(*p));
	strmap_init(&p->spec_hashes);
	if ((error = compose_hashes(&p->spec_hashes, l.model)) < 0)
		goto cleanup;
	p->name = l.name;
	l.name = NULL;
	p->working_dir = l.workdir;
	l.workdir = NULL;
	p->model = l.model;
	l.model = NULL;
	p->environment = l.env;
	strmap_init(&l.env);
	*out = p;
	p = NULL;
	error = 0;
cleanup:
	compose_project_free(p);
	compose_loader_release(&l);
	return error;
}

void compose_project_free(struct compose_project *p)
{
	if (!p)
		return;
	free(p->name);
	free(p->working_dir);
	ynode_free(p->model);
	strmap_release(&p->spec_hashes);
	strmap_release(&p->environment);
	free(p);
}
