/*
 * journal_int.h - what journal.c, journal_read.c and journal_match.c
 * share. Not for use outside them: the public contract is journal.h.
 *
 * Locking: j->lock (a mutex) serialises the threads of one process (the
 * events thread, apply's workers); the flock on journal/lock serialises
 * processes (`mooring apply` by hand next to `mooring run`). Every field
 * below is read and written with j->lock held.
 */
#ifndef MOORING_JOURNAL_INT_H
#define MOORING_JOURNAL_INT_H

#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "journal.h"

/* A record longer than this is never written (attributes are dropped
 * first) and a line longer than this is garbage to the reader. */
#define JOURNAL_MAX_LINE (64u << 10)
/* How much of a file's end is read to find the last seq, the recent
 * events (replays) and the recent own actions of another process. */
#define JOURNAL_TAIL (256u << 10)
/* Own actions kept in memory for matching, and event keys for replays. */
#define JOURNAL_OWN_MAX	 512
#define JOURNAL_SEEN_MAX 2048
/* An action is written before its engine call, so it precedes the event;
 * the slack only absorbs clock steps between the two processes' reads. */
#define JOURNAL_MATCH_SLACK_NS (2LL * 1000000000LL)
#define JOURNAL_NS	       1000000000LL
/* Bounds on what is read back, so that no arithmetic on a hostile file
 * overflows: seq up to 2^53, times up to the year 2096. */
#define JOURNAL_MAX_SEQ	 (1LL << 53)
#define JOURNAL_MAX_NANO 4000000000000000000LL

struct journal_own {
	long long nano;
	char *container; /* id or name */
	char *action;
};

struct journal {
	char *dir;
	char *path; /* dir/journal.jsonl */
	int fd;
	int lock_fd;
	ino_t ino;
	off_t size; /* of path after our last look at it */
	size_t rotate_size;
	long long seq;
	long long last_event_nano;
	pthread_mutex_t lock;
	struct journal_own own[JOURNAL_OWN_MAX];
	size_t own_next;
	uint64_t seen[JOURNAL_SEEN_MAX];
	size_t seen_next;
};

/* journal_read.c */
/* dir/journal.jsonl (n 0) or dir/journal.<n>.jsonl; the caller frees. */
char *journal_file(const char *dir, unsigned n);
/* The last max bytes of a file, starting at a line boundary (the first,
 * partial line is cut). *size_out: the file's size. MOOR_ENOTFOUND when
 * it does not exist. */
int journal_read_tail(struct buf *out, off_t *size_out, const char *path,
		      size_t max);
/* "2026-11-22T10:22:31.123Z" */
void journal_format_time(char out[32], long long nano);
long long journal_now_nano(void);
/* A record's integer field (0 when absent). */
long long journal_int(const json_t *rec, const char *key);
const char *journal_str(const json_t *rec, const char *key);
/* A record's time_nano, 0 when absent or out of bounds. */
long long journal_time(const json_t *rec);

/* journal_match.c */
/* Does mooring's action `own` explain a container event `action`? */
bool journal_explains(const char *own, const char *action);
/* Remember an own action (lock held). */
void journal_own_add(struct journal *j, long long nano, const char *container,
		     const char *action);
void journal_own_release(struct journal *j);
/* Is this container event mooring's? Looks in memory, then in the tail
 * of the files for actions another process wrote (lock held). */
bool journal_own_match(struct journal *j, long long nano, const char *id,
		       const char *name, const char *action);
/* Replay detection by (time, container, action) (lock held). */
uint64_t journal_event_key(long long nano, const char *id, const char *action);
bool journal_seen(const struct journal *j, uint64_t key);
void journal_seen_add(struct journal *j, uint64_t key);

#endif
