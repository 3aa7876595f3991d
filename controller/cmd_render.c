/*
 * cmd_render.c - `mooring render`: Compose files in, the canonical desired
 * state out (YAML for people, JSON for programs), with --explain adding
 * where every value was set and each service's spec hash.
 */
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "compose.h"
#include "emit.h"
#include "err.h"
#include "xalloc.h"

#include "banned.h"

struct render_args {
	const char **files;
	size_t nfiles;
	const char **profiles;
	size_t nprofiles;
	const char *env_file;
	const char *project_name;
	const char *project_dir;
	bool json;
	bool explain;
};

static void render_push(const char ***list, size_t *n, const char *item)
{
	*list = xreallocarray(*list, *n + 1, sizeof(**list));
	(*list)[(*n)++] = item;
}

static int render_parse_args(struct render_args *a, int argc, char **argv)
{
	enum {
		OPT_ENV_FILE = 256,
		OPT_PROFILE,
		OPT_FORMAT,
		OPT_EXPLAIN,
		OPT_PROJECT_DIR
	};
	static const struct option longopts[] = {
	    {"file", required_argument, NULL, 'f'},
	    {"project-name", required_argument, NULL, 'p'},
	    {"env-file", required_argument, NULL, OPT_ENV_FILE},
	    {"profile", required_argument, NULL, OPT_PROFILE},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"explain", no_argument, NULL, OPT_EXPLAIN},
	    {"project-directory", required_argument, NULL, OPT_PROJECT_DIR},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":f:p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			render_push(&a->files, &a->nfiles, optarg);
			break;
		case 'p':
			a->project_name = optarg;
			break;
		case OPT_ENV_FILE:
			a->env_file = optarg;
			break;
		case OPT_PROFILE:
			render_push(&a->profiles, &a->nprofiles, optarg);
			break;
		case OPT_FORMAT:
			if (cli_format(&a->json, optarg, "yaml") < 0)
				return MOOR_EINVAL;
			break;
		case OPT_EXPLAIN:
			a->explain = true;
			break;
		case OPT_PROJECT_DIR:
			a->project_dir = optarg;
			break;
		case 'h':
			return 1;
		default:
			return cli_option_error(c, argv);
		}
	}
	return cli_no_operands(argc, argv);
}

static struct ynode *render_hashes(const struct compose_project *p)
{
	struct ynode *h = ynode_new_map(NULL);

	for (size_t i = 0; i < p->spec_hashes.n; i++)
		ynode_map_put(
		    h, p->spec_hashes.items[i].key, NULL,
		    ynode_new_str(p->spec_hashes.items[i].value, NULL));
	return h;
}

static int render_output(struct buf *out, const struct render_args *a,
			 const struct compose_project *p)
{
	struct ynode *hashes = NULL;
	int error;

	if (!a->explain)
		return a->json ? emit_json(out, p->model, 0)
			       : emit_yaml(out, p->model, false);
	hashes = render_hashes(p);
	if (a->json) {
		error = emit_explain_json(out, p->model, hashes, 0);
	} else {
		error = emit_yaml(out, p->model, true);
		buf_adds(out, "# spec hashes (sha-256 of each service's "
			      "canonical json):\n");
		for (size_t i = 0; !error && i < p->spec_hashes.n; i++)
			buf_printf(out, "#   %s: %s\n",
				   p->spec_hashes.items[i].key,
				   p->spec_hashes.items[i].value);
	}
	ynode_free(hashes);
	return error;
}

int cmd_render(int argc, char **argv)
{
	struct render_args a = {0};
	struct compose_options opts = {0};
	struct compose_project *project = NULL;
	struct buf out = BUF_INIT(BUF_UNBOUNDED);
	int rc = EXIT_ERROR;
	int parsed;

	parsed = render_parse_args(&a, argc, argv);
	if (parsed > 0) {
		puts("usage: mooring render [-f FILE]... [--env-file F] "
		     "[-p NAME] [--profile P]...\n"
		     "                      [--project-directory DIR] "
		     "[--format yaml|json] [--explain]");
		rc = EXIT_OK;
		goto cleanup;
	}
	if (parsed < 0) {
		rc = cli_fail();
		goto cleanup;
	}
	opts.files = a.files;
	opts.nfiles = a.nfiles;
	opts.profiles = a.profiles;
	opts.nprofiles = a.nprofiles;
	opts.env_file = a.env_file;
	opts.project_name = a.project_name;
	opts.project_dir = a.project_dir;
	if (compose_load(&project, &opts) < 0 ||
	    render_output(&out, &a, project) < 0) {
		rc = cli_fail();
		goto cleanup;
	}
	rc = cli_write_stdout(buf_cstr(&out), out.len);
cleanup:
	compose_project_free(project);
	buf_release(&out);
	free(a.files);
	free(a.profiles);
	return rc;
}
