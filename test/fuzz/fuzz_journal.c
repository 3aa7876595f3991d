/*
 * fuzz_journal.c - libFuzzer target for the journal's line reader and
 * its recovery on open (journal_read.c, journal.c).
 *
 * The input is read as journal lines (every record handed out must be an
 * object with a positive integer seq and a string kind), then written as
 * a journal file that is opened (a torn or garbage last line recovered),
 * appended to and read back: the file must then end in a newline, its
 * last line must be the record just appended, with a seq above every
 * other, and `mooring audit`'s read must succeed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "err.h"
#include "journal.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dir[64];
static char file[128];

struct walk {
	long long max_seq;
	long long last_seq;
	const char *last_kind;
	size_t n;
};

static int check_record(void *arg, json_t *rec)
{
	struct walk *w = arg;
	json_t *seq = json_object_get(rec, "seq");
	const char *kind = json_string_value(json_object_get(rec, "kind"));

	if (!json_is_object(rec) || !json_is_integer(seq) ||
	    json_integer_value(seq) < 1 || !kind)
		abort();
	if (json_integer_value(seq) > w->max_seq)
		w->max_seq = json_integer_value(seq);
	w->last_seq = json_integer_value(seq);
	w->n++;
	return 0;
}

static void fuzz_setup(void)
{
	char sub[160];

	if (dir[0])
		return;
	snprintf(dir, sizeof(dir), "/tmp/fuzz-journal.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	snprintf(sub, sizeof(sub), "%s/journal", dir);
	mkdir(sub, 0700);
	snprintf(file, sizeof(file), "%s/journal.jsonl", sub);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct walk before = {0, 0, NULL, 0}, after = {0, 0, NULL, 0};
	struct buf b = BUF_INIT(64u << 20);
	struct journal *j = NULL;
	json_t *changes = NULL;
	FILE *f;

	log_set_level(LOG_LEVEL_ERROR);
	fuzz_setup();
	journal_parse((const char *)data, size, check_record, &before);

	f = fopen(file, "wb");
	if (!f)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
	if (journal_open(&j, dir) < 0)
		abort();
	if (journal_action(j, "u", "s", "c", "start", NULL) < 0)
		abort();
	journal_close(j);

	if (buf_read_file(&b, file) < 0)
		abort();
	if (!b.len || b.data[b.len - 1] != '\n')
		abort();
	journal_parse(b.data, b.len, check_record, &after);
	/* (A seq at the reader's bound, 2^53, cannot be followed.) */
	if (after.n < 1 || (before.max_seq < (1LL << 53) &&
			    (after.last_seq != after.max_seq ||
			     after.last_seq <= before.max_seq)))
		abort();
	buf_release(&b);

	if (journal_outside_changes(&changes, dir, 0, NULL) < 0)
		abort();
	json_decref(changes);
	unlink(file);
	err_clear();
	return 0;
}
