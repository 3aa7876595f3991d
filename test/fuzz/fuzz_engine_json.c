/*
 * fuzz_engine_json.c - libFuzzer target for engine_decode.c: what the
 * Docker daemon sends back.
 *
 * Byte 0 picks the piece size the event stream is cut into (as curl hands
 * over whatever arrived), byte 1 after how many events the callback stops
 * it and byte 2 the HTTP status; the rest is fed as an event stream, then
 * decoded as a response body with and without a parsed result, and its
 * start parsed as an API version. Every failure must come with its code
 * and a message of one line.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine_decode.h"
#include "err.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_seen {
	unsigned n;
	unsigned stop_at;
};

static int fuzz_event(void *d, json_t *event)
{
	struct fuzz_seen *s = d;

	if (!json_is_object(event))
		abort();
	return ++s->n == s->stop_at ? (s->n & 1 ? 1 : -9) : 0;
}

static void fuzz_check(int rc)
{
	if (rc >= 0)
		return;
	if (err_last_code() != rc || !*err_last() || strchr(err_last(), '\n'))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = {200, 201, 204, 304, 400,
					404, 409, 500, 503, 418};
	static const int ok[] = {304, 0};
	struct fuzz_seen seen = {0, 0};
	struct engine_lines l;
	const char *body;
	size_t piece, len, off;
	long status;
	json_t *out = NULL;
	char version[16];
	int major = 0, minor = 0;
	int rc = 0;

	if (size < 3)
		return 0;
	log_set_level(LOG_LEVEL_ERROR);
	piece = (size_t)data[0] % 64 + 1;
	seen.stop_at = data[1] % 8;
	status = statuses[data[2] % (sizeof(statuses) / sizeof(statuses[0]))];
	body = (const char *)data + 3;
	len = size - 3;

	err_clear();
	engine_lines_init(&l, 256, fuzz_event, &seen);
	for (off = 0; off < len && rc == 0; off += piece) {
		rc = engine_lines_feed(&l, body + off,
				       len - off < piece ? len - off : piece);
		fuzz_check(rc);
	}
	if (rc == 0)
		fuzz_check(engine_lines_finish(&l));
	if (rc > 0 && !l.stopped)
		abort();
	engine_lines_release(&l);

	err_clear();
	rc = engine_decode_response(&out, "GET", "/containers/x/json?y=1",
				    status, body, len, ok);
	fuzz_check(rc);
	if (rc == 0 && out && status != 200 && status != 201 && status != 204)
		abort();
	json_decref(out);
	err_clear();
	fuzz_check(engine_decode_response(NULL, "POST", "/x", status, body, len,
					  NULL));

	snprintf(version, sizeof(version), "%.*s",
		 (int)(len < sizeof(version) - 1 ? len : sizeof(version) - 1),
		 body);
	if (engine_api_version_parse(&major, &minor, version) == 0 &&
	    (major < 0 || minor < 0 || major > 9999 || minor > 9999))
		abort();
	return 0;
}
