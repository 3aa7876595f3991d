/*
 * config.h - the local controller config (`-c mooring.yaml`, DESIGN 4.2).
 *
 * One table in config.c describes each option once (name, type, default,
 * where it lands, as redis' static_configs[]); parsing, checking and
 * printing come from it. Secrets are never inline: tokens and keys are
 * named by file path. Every problem is reported with file:line:col
 * (through log_errorx, as it is found) before config_load() fails with
 * MOOR_EINVAL and "N errors in 'mooring.yaml'".
 */
#ifndef MOORING_CONFIG_H
#define MOORING_CONFIG_H

#include <stdbool.h>

#include "ynode.h"

struct config {
	char *path; /* the file it was loaded from */
	struct {
		char
		    *url; /* https://, ssh://, git://, file:// or a directory */
		char *branch;	       /* default "main" */
		long poll_interval_ms; /* default 60 s */
		long fetch_timeout_ms; /* default 120 s */
		char *username;
		char *password_file;
		char *ssh_key_file;
		char *known_hosts_file;
		char *ca_file;
		char *allowed_signers_file;
	} repository;
	char *state_dir;     /* default /var/lib/mooring */
	char *docker_socket; /* default /var/run/docker.sock */
	char *listen;	     /* default 127.0.0.1:9797 */
	char *webhook_secret_file;
	/* Start the HTTP server without a webhook secret (/hooks/git then
	 * answers 403). Default false. */
	bool allow_insecure_webhooks;
	/* A unit whose last successful check is older than this is reported
	 * unknown ("stale: ...") by `mooring run`; default 3 x
	 * poll_interval. */
	long stale_after_ms;
	char *host; /* default: gethostname() */
};

/* Relative paths in the file are resolved against the file's directory. */
int config_load(struct config **out, const char *path);
void config_free(struct config *c);
/* Is repository.url a plain directory (or file:// URL) rather than a remote? */
int config_repo_is_local(const struct config *c);

#endif
