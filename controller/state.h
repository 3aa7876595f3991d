/*
 * state.h - the recorded plane and the state directory (DESIGN 4.2).
 *
 *   <state_dir>/state/<unit>.json   what mooring last applied to a unit:
 *       {"unit": "api", "project": "api", "commit": "<id or null>",
 *        "applied_at": "2026-11-22T10:22:31Z",
 *        "services": {"api": {"spec_hash": "...", "spec": {canonical},
 *                             "image_id": "sha256:..."}}}
 *       image_id: the image of the container mooring made for the service
 *       (kept while the spec is unchanged; apply_record.c).
 *   <state_dir>/lock                flock; holds the holder's pid
 *
 * Writes are atomic: temp file in the same directory, write, fsync,
 * rename, fsync the directory. A reader sees the old file or the new one,
 * never a torn one. Reading never creates anything.
 */
#ifndef MOORING_STATE_H
#define MOORING_STATE_H

#include <stddef.h>

#include "ynode.h"

/* Load state/<unit>.json as a tree; MOOR_ENOTFOUND when there is none. */
int state_load(struct ynode **out, const char *state_dir, const char *unit);
/* Write state/<unit>.json atomically (creating directories 0700). */
int state_save(const char *state_dir, const char *unit,
	       const struct ynode *doc);
/* Write any file atomically (used by state_save and later modules). */
int state_write_atomic(const char *path, const void *data, size_t len);
/* mkdir -p, mode 0700 for what it creates (used by later modules). */
int state_mkdirs(const char *dir);

/* Take the state dir lock (non-blocking): MOOR_ELOCKED with the holder's
 * pid in the message when another process has it. *fd_out stays open
 * until state_unlock(). */
int state_lock(int *fd_out, const char *state_dir);
void state_unlock(int fd);

#endif
