/*
 * source_git_int.h - what the source_git*.c files share: the object, the
 * libgit2 callbacks (source_git_auth.c), error translation with secret
 * scrubbing, the certificate check (source_git_tls.c), the directory
 * helpers (source_git_fs.c) and the signature gate (source_git_sign.c). Not for use outside the git source.
 */
#ifndef MOORING_SOURCE_GIT_INT_H
#define MOORING_SOURCE_GIT_INT_H

#include <stdbool.h>

#include <git2.h>

#include "source_git.h"

/* Bounds on files we read for the remote's sake. */
#define SOURCE_GIT_SECRET_MAX	   4096
#define SOURCE_GIT_KNOWN_HOSTS_MAX (1024 * 1024)

struct source_git {
	char *url;
	char *branch;
	char *cache_dir;
	char *username;
	char *password_file;
	char *ssh_key_file;
	char *known_hosts_file;
	char *ca_file;
	char *allowed_signers_file;
	long long fetch_timeout_ms; /* 0: SOURCE_GIT_FETCH_TIMEOUT_MS */
	char *refname;		    /* refs/remotes/origin/<branch> */
	char *refspec;		    /* +refs/heads/<branch>:<refname> */
	/* ssh:// and scp-like URLs: the known_hosts name, "host" for port 22
	 * else "[host]:port"; NULL for other transports. */
	char *ssh_host;

	git_repository *repo;
	git_commit *commit; /* the pinned commit, NULL before one */
	git_tree *tree;	    /* its tree */
	char commit_hex[GIT_OID_HEXSZ + 1];
	char *describe;
	bool rewritten;
	char *materialized_dir; /* what source_git_materialize() last wrote */
	char materialized_hex[GIT_OID_HEXSZ + 1];

	/* Per network operation (reset by source_git_callbacks()). */
	unsigned auth_attempts;
	char cb_error[512]; /* our reason when a callback refused */
	/* Set by source_git_error(): the failure was the local clone's
	 * (object database, refs, config), which is then presumed corrupt
	 * and cloned again; the remote's failures never cause that. */
	bool local_failure;
};

#define SOURCE_GIT_FETCH_TIMEOUT_MS (120 * 1000)

/* source_git_child.c: is a child set up (source_git_use_child)? */
bool source_git_child_enabled(void);
/* Fetch g's branch into the bare repository at repo_path in a child,
 * killed at g's fetch timeout or when the cancel hook says so
 * (MOOR_ETIMEOUT). Errors as the in-process fetch gives them. */
int source_git_fetch_child(struct source_git *g, const char *repo_path);
/* Remove the lock files a killed fetch into repo_path may have left. */
void source_git_clear_locks(const struct source_git *g, const char *repo_path);
/* source_git.c, in the child: fetch o's branch into o->cache_dir (an
 * existing bare repository); *local_out: the clone's own failure. */
int source_git_fetch_path(bool *local_out, const struct source_git_options *o);

/* Fill callbacks for one network operation on g and reset its state. */
void source_git_callbacks(struct source_git *g, git_remote_callbacks *cb);

/*
 * Turn a failed libgit2 call into our error: "<what> '<url>': <reason>",
 * the reason being a callback's own message when one refused, else
 * libgit2's, with the password (re-read from its file) and any
 * "user:password@" in a URL replaced by "***". Returns our code.
 */
int source_git_error(struct source_git *g, int gitcode, const char *what);

/* What a known_hosts file says of a host key. */
enum source_git_hostkey {
	SOURCE_GIT_HOSTKEY_UNKNOWN = -1, /* no line names the host */
	SOURCE_GIT_HOSTKEY_MISMATCH = 0, /* the host has other keys only */
	SOURCE_GIT_HOSTKEY_OK = 1,	 /* a line pins this key */
	SOURCE_GIT_HOSTKEY_REVOKED = 2,	 /* a @revoked line names it */
};

/*
 * Check key (the raw ssh key blob) for host ("name" or "[name]:port")
 * against the known_hosts text: host patterns with '*', '?' and '!',
 * hashed "|1|" names, @revoked anywhere in the file wins; @cert-authority
 * lines are ignored. Returns an enum source_git_hostkey.
 */
int source_git_known_hosts_check(const char *text, const char *host,
				 const void *key, size_t keylen);

/* ssh URL -> known_hosts host name (NULL for other transports). */
char *source_git_ssh_host(const char *url);

/* Symbolic links followed in one resolution, as ELOOP would stop them. */
#define SOURCE_GIT_MAX_LINKS 8

/* mkdtemp("<path>.tmp-XXXXXX"); the result is freed by the caller. */
int source_git_mktemp(char **out, const char *path);
/* Remove "<path>.tmp-*" left by a crash. */
void source_git_clean_temps(const char *path);
/* Make the existing directory dir hold tree, in place. old is the tree dir
 * holds now (only what changed is touched, old's removed entries are
 * removed), or NULL when unknown (every entry is checked, anything not in
 * tree is removed). */
int source_git_sync_tree(git_repository *repo, git_tree *old, git_tree *tree,
			 const char *dir);

/* source_git_tls.c: does the leaf certificate (DER) chain to ca_file
 * and name host? When not, why says so. */
bool source_git_x509_trusted(const void *der, size_t len, const char *host,
			     const char *ca_file, char *why, size_t whysz);

/* The signature gate: 0 when commit's ssh signature verifies against
 * allowed_signers, MOOR_EINVAL with the reason otherwise. */
int source_git_verify_signature(struct source_git *g, git_commit *commit);

#endif
