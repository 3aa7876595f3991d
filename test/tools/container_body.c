/*
 * container_body - print the create body mooring would send for one
 * service of a rendered model: {"name", "body", "extra"}.
 *
 *   mooring render --format json > model.json
 *   container_body model.json SERVICE
 *
 * Used by capture-inspect.sh to make the fixtures of test/resources/inspect
 * from real containers.
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "compose.h"
#include "container.h"
#include "err.h"
#include "ynode.h"

int main(int argc, char **argv)
{
	struct ynode *model = NULL;
	const struct ynode *svc, *name;
	struct container_ctx ctx = {0};
	json_t *body = NULL, *extra = NULL, *out;
	char hash[65], *cname;

	if (argc != 3) {
		fprintf(stderr, "usage: container_body MODEL.json SERVICE\n");
		return 2;
	}
	if (ynode_load_file(&model, argv[1], NULL)) {
		fprintf(stderr, "container_body: %s\n", err_last());
		return 1;
	}
	svc = ynode_map_get(ynode_map_get(model, "services"), argv[2]);
	name = ynode_map_get(model, "name");
	if (!svc || !name || compose_service_hash(hash, svc)) {
		fprintf(stderr, "container_body: no service '%s'\n", argv[2]);
		return 1;
	}
	ctx.project = name->text;
	ctx.unit = name->text;
	ctx.service = argv[2];
	ctx.spec_hash = hash;
	ctx.working_dir = "/srv/test";
	ctx.config_files = "/srv/test/compose.yaml";
	ctx.number = 1;
	ctx.model = model;
	if (container_create_body(&body, &extra, svc, &ctx)) {
		fprintf(stderr, "container_body: %s\n", err_last());
		return 1;
	}
	cname = container_name(&ctx);
	out = json_pack("{s:s,s:o,s:o}", "name", cname, "body", body, "extra",
			extra);
	json_dumpf(out, stdout, JSON_COMPACT);
	fputc('\n', stdout);
	json_decref(out);
	free(cname);
	ynode_free(model);
	return 0;
}
