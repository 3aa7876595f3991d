/*
 * server.h - the HTTP side of `mooring run` (libmicrohttpd), on the
 * configured listen address:
 *   GET  /healthz             200 "ok" while the process runs
 *   GET  /readyz              200 once the first pass of every unit ran,
 *                             503 before (body says what is missing)
 *   GET  /metrics             Prometheus text format
 *   GET  /api/v1/units        [unit status objects]
 *   GET  /api/v1/units/{name} one, 404 when unknown
 *   GET  /api/v1/findings     [open findings of every unit]
 *   POST /hooks/git           push webhook, see below
 *
 * Webhooks: the signature is checked on the raw body, in constant time,
 * before anything is parsed: GitHub X-Hub-Signature-256 ("sha256=" hex
 * HMAC-SHA256), Gitea X-Gitea-Signature (hex HMAC-SHA256), GitLab
 * X-Gitlab-Token (the secret itself). 401 on a missing or bad signature,
 * 413 over the body limit (1 MiB), 202 and one triggered poll otherwise;
 * a delivery id seen before (X-GitHub-Delivery, X-Gitea-Delivery,
 * X-Gitlab-Event-UUID), or a body seen before under any id (the id is not
 * signed, the body is), is answered 202 without a new trigger (replay),
 * and bursts coalesce into one poll. The server refuses to start without
 * a webhook secret unless allow_insecure_webhooks is set (then /hooks/git
 * answers 403).
 */
#ifndef MOORING_SERVER_H
#define MOORING_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

struct server;

struct server_hooks {
	/* Append the body of each GET endpoint; return the HTTP status.
	 * Called on server threads: must be thread-safe. */
	int (*metrics)(void *data, struct buf *out);
	int (*units)(void *data, struct buf *out);
	int (*unit)(void *data, const char *name, struct buf *out);
	int (*findings)(void *data, struct buf *out);
	/* NULL when ready, else why not (static or owned by the hook). */
	const char *(*not_ready)(void *data);
	/* A verified push: request one poll (coalesced by the callee). */
	void (*trigger_poll)(void *data, const char *delivery);
	void *data;
};

struct server_options {
	const char *listen; /* "127.0.0.1:9797", "[::1]:9797" */
	const char *secret; /* webhook secret (bytes as read), or NULL */
	size_t secret_len;
	bool allow_insecure_webhooks;
	size_t max_body;      /* 0: 1 MiB */
	unsigned coalesce_ms; /* at most one trigger per window; 0: 1000 */
	struct server_hooks hooks;
};

/* The strings of o are copied (the secret too); hooks are called from the
 * server's threads from now until server_stop() returns. */
int server_start(struct server **out, const struct server_options *o);
/* Stop listening, finish the requests in flight, wipe the secret. No hook
 * is called after it returns; server_stop(NULL) is a no-op. */
void server_stop(struct server *s);
/* The port actually bound (useful with port 0 in tests). */
unsigned server_port(const struct server *s);

/* The webhook check alone, for tests and fuzzing: 0 when the request is
 * authentic, MOOR_EINVAL (401) otherwise. Header values may be NULL. */
int webhook_verify(const char *secret, size_t secret_len, const char *body,
		   size_t body_len, const char *github_sig,
		   const char *gitea_sig, const char *gitlab_token);

#endif
