/*
 * container.h - a canonical service and a Docker container, both ways.
 *
 * container_create_body() turns one service of the canonical model
 * (docs/internals/CANONICAL-MODEL.md) into the body of
 * POST /containers/create (Engine API 1.41), with the labels of
 * DESIGN 4.3. container_observe() turns `docker inspect` of a container
 * (and of its image) back into a canonical service node, dropping what the
 * image and the daemon filled in that the compose file did not say
 * (docs/internals/DIFF-NORMALISATION.md lists every rule).
 *
 * The two are inverses on every key mooring supports: for a service S,
 * container_observe(inspect(create(container_create_body(S)))) equals S
 * under diff_service() - that is the "no false positives" property that
 * the integration tests check key by key.
 */
#ifndef MOORING_CONTAINER_H
#define MOORING_CONTAINER_H

#include <jansson.h>

#include "strmap.h"
#include "ynode.h"

/* Labels on containers mooring creates (DESIGN 4.3). */
#define LABEL_PROJECT	   "com.docker.compose.project"
#define LABEL_SERVICE	   "com.docker.compose.service"
#define LABEL_NUMBER	   "com.docker.compose.container-number"
#define LABEL_ONEOFF	   "com.docker.compose.oneoff"
#define LABEL_CONFIG_HASH  "com.docker.compose.config-hash"
#define LABEL_WORKING_DIR  "com.docker.compose.project.working_dir"
#define LABEL_CONFIG_FILES "com.docker.compose.project.config_files"
#define LABEL_DEPENDS_ON   "com.docker.compose.depends_on"
#define LABEL_UNIT	   "io.mooring.unit"
#define LABEL_COMMIT	   "io.mooring.commit"
#define LABEL_SPEC_HASH	   "io.mooring.spec-hash"
/* Set on the temporary container of a recreate (apply protocol). */
#define LABEL_REPLACES "io.mooring.replaces"

struct container_ctx {
	const char *project;	  /* compose project name */
	const char *unit;	  /* mooring unit name */
	const char *service;	  /* service key */
	const char *commit;	  /* NULL: not from git */
	const char *spec_hash;	  /* compose_service_hash() of the service */
	const char *working_dir;  /* project directory */
	const char *config_files; /* comma-separated compose files */
	int number;		  /* container-number, 1 */
	/* The whole canonical project: resource names of networks and
	 * volumes (`name:`), and the other services (network_mode service:). */
	const struct ynode *model;
	/* Observe only: service -> id of its container in this project, to
	 * read network_mode/ipc/pid "container:<id>" (the daemon stores the
	 * id) back as "service:<name>". NULL: such a reference is taken to
	 * be the desired one (DIFF-NORMALISATION.md). */
	const struct strmap *service_ids;
};

/* "<project>-<service>-<number>", as Compose v2 names containers. */
char *container_name(const struct container_ctx *ctx);

/*
 * The create body (new reference in *body_out) and the networks to connect
 * before start (API 1.41 takes only one network at create): *extra_out is
 * an object {"<network name>": <EndpointSettings>}, possibly empty.
 */
int container_create_body(json_t **body_out, json_t **extra_out,
			  const struct ynode *service,
			  const struct container_ctx *ctx);

/*
 * A canonical service node from `GET /containers/{id}/json` and
 * `GET /images/{image}/json`. desired (may be NULL) is the service as
 * rendered: a value the image or the daemon supplies is dropped only when
 * desired does not set that key itself, so setting a field to its default
 * value explicitly is not reported as drift either way.
 * Marks of observed nodes are {NULL, 0, 0}.
 */
int container_observe(struct ynode **out, const json_t *inspect,
		      const json_t *image, const struct ynode *desired,
		      const struct container_ctx *ctx);

#endif
