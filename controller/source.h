/*
 * source.h - where the desired state comes from: one tree of files at one
 * commit. This issue has the plain-directory source; the git source
 * (clone, fetch, resolve the branch to ONE commit, read blobs from that
 * commit's tree) plugs in behind the same functions, so nothing after it
 * cares where the files came from.
 *
 * Paths given to source_read() are relative to the repository root and
 * must not escape it ("..", absolute): MOOR_EINVAL.
 */
#ifndef MOORING_SOURCE_H
#define MOORING_SOURCE_H

#include <stdbool.h>

#include "buf.h"

struct source;

struct config;

/* A plain directory (or file:// URL). */
int source_open_dir(struct source **out, const char *dir);
/* The config's repository: a plain directory, or a git remote cloned
 * under <state_dir>/repo with the pinned tree in <state_dir>/tree. Opening
 * touches the network only to make the first clone. */
int source_open(struct source **out, const struct config *c);
/*
 * A reload to another repository or branch must not touch the clone and
 * tree the running units use before the new registry is known to be
 * good: source_open_aside() clones into "<state_dir>/repo.next" (tree in
 * "tree.next"; leftovers of an earlier attempt removed first); once the
 * new registry loaded, source_aside_promote() makes that clone the clone
 * (the sources opened on the old one must be freed first, and the tree
 * is brought to the new commit in place by the next source_open());
 * source_aside_remove() drops an aside clone that failed.
 */
#define SOURCE_ASIDE_SUFFIX ".next"
int source_open_aside(struct source **out, const struct config *c);
int source_aside_promote(const struct config *c);
void source_aside_remove(const struct config *c);
/* Fetch the tracked branch and pin its tip (git; nothing for a
 * directory). *changed_out: the pinned commit moved. On error the last
 * pinned commit stays. */
int source_fetch(struct source *s, bool *changed_out);
void source_free(struct source *s);
/* The commit id the tree was resolved to; NULL for a plain directory. */
const char *source_commit(const struct source *s);
/* A description for messages and findings: "<url>@<commit>" or the dir. */
const char *source_describe(const struct source *s);
/* Read a file of the tree (bounded by out->max). MOOR_ENOTFOUND if absent. */
int source_read(struct source *s, const char *relpath, struct buf *out);
/* Absolute path of the tree root on disk (for a git source, the checkout
 * used for rendering relative bind mounts). */
const char *source_root(const struct source *s);

/* A norm_read_fn/compose read_file adapter: data is a struct source *,
 * path is absolute under source_root() or relative to it. */
int source_read_cb(void *data, const char *path, struct buf *out);

#endif
