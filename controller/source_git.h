/*
 * source_git.h - the git source: a bare clone of one remote branch in the
 * state dir, fetched on every poll, resolved to ONE commit whose tree is
 * read blob by blob (never through a work tree). source.h's functions
 * dispatch here for remote URLs.
 *
 * Lifecycle: source_git_open() clones when there is no usable clone yet
 * (into "<cache_dir>.tmp-XXXXXX", renamed into place when complete; a
 * corrupt clone is removed and cloned again) and resolves the branch
 * recorded by the last fetch, if any. source_git_fetch() talks to the
 * remote and pins the new tip; source_git_read() and
 * source_git_materialize() read only the pinned commit, so a push that
 * lands between fetch and read is not seen until the next fetch.
 *
 * Secrets: the password and the ssh key are read from their files inside
 * libgit2's credential callback, handed to libgit2 and wiped; they never
 * appear in the URL, a log line or an error message (libgit2's messages
 * are scrubbed of the password before they reach err.h).
 *
 * The CA file is process-wide in libgit2 (GIT_OPT_SET_SSL_CERT_LOCATIONS):
 * it is set before every network operation of a source that names one.
 *
 * Not thread-safe per object: one thread uses one struct source_git.
 */
#ifndef MOORING_SOURCE_GIT_H
#define MOORING_SOURCE_GIT_H

#include <stdbool.h>

#include "buf.h"

struct source_git;

struct source_git_options {
	const char *url;       /* https://, ssh://, git://, file:// or a path */
	const char *branch;    /* NULL: "main" */
	const char *cache_dir; /* the clone: <state_dir>/repo */
	const char *username;  /* https basic auth / ssh user (else URL's) */
	const char *password_file;	  /* https password or token */
	const char *ssh_key_file;	  /* private key, no passphrase */
	const char *known_hosts_file;	  /* required for ssh:// */
	const char *ca_file;		  /* PEM bundle for https */
	const char *allowed_signers_file; /* optional signature gate */
	/* With source_git_use_child(): a fetch not done by then is killed
	 * (MOOR_ETIMEOUT). 0: 120 s. */
	long long fetch_timeout_ms;
};

/*
 * Run the network part of every fetch and clone in a child process, exe
 * started again with the single argument SOURCE_GIT_CHILD_ARG (its main
 * must then call source_git_child_main()), killed at the fetch timeout or
 * when cancelled (libgit2 1.5 has no timeout of its own). Process-wide;
 * exe NULL: fetch in this process (no timeout). "/proc/self/exe" names
 * this executable even when it was replaced on disk since.
 */
#define SOURCE_GIT_CHILD_ARG "__git-fetch"
void source_git_use_child(const char *exe);
/* The child's main: options as JSON on stdin; returns the exit status. */
int source_git_child_main(void);
/* Polled (every 100 ms) while a child fetches: true kills it and the
 * fetch fails with MOOR_ETIMEOUT. Process-wide; NULL: none. */
void source_git_set_cancel(bool (*cancelled)(void *), void *data);

/* Clone if needed, else open; resolve the last fetched tip if there is one
 * (source_git_commit() is NULL until a commit was resolved). No network
 * access when a usable clone exists. */
int source_git_open(struct source_git **out,
		    const struct source_git_options *o);

/*
 * Fetch the branch and pin its tip. *changed_out (may be NULL) says
 * whether the pinned commit moved. A tip that does not descend from the
 * previous one (force-push, history rewrite) is followed and logged, and
 * source_git_rewritten() is true until the next fetch. On any error the
 * previously pinned commit stays pinned (except when the clone was found
 * corrupt and could not be made again: then nothing is). With an allowed signers file, a
 * tip whose signature does not verify is refused (MOOR_EINVAL, with the
 * reason) and not pinned.
 */
int source_git_fetch(struct source_git *g, bool *changed_out);
bool source_git_rewritten(const struct source_git *g);

/* Hex id of the pinned commit; NULL before the first resolution. */
const char *source_git_commit(const struct source_git *g);
/* "<url>@<short commit>" (or the URL alone), for messages. */
const char *source_git_describe(const struct source_git *g);

/*
 * Read a file of the pinned commit's tree, appended to out (bounded by
 * out->max). relpath is relative to the repository root; "..", absolute
 * paths and symbolic links leading outside the tree: MOOR_EINVAL; no such
 * file: MOOR_ENOTFOUND.
 */
int source_git_read(struct source_git *g, const char *relpath, struct buf *out);

/*
 * Bring dir up to the pinned commit's tree, for rendering relative bind
 * mounts. Updated in place, as a pull in a checkout would: containers
 * bind-mount its directories, so a directory in both commits keeps its
 * inode, a changed file is renamed over whole, removed entries go.
 * "<dir>.commit" records the commit dir holds (written last): with it
 * only the difference is applied, without it (first time, or a crash
 * mid-update) a full pass also removes whatever the commit does not hold.
 * A no-op when dir already holds the commit, so it can be called on
 * every poll and a failed update is retried. "<dir>.tmp-*" leftovers are
 * removed.
 */
int source_git_materialize(struct source_git *g, const char *dir);

void source_git_free(struct source_git *g);

/* Remove a directory tree (no error when it does not exist). */
int source_git_rmtree(const char *dir);

#endif
