/*
 * events-watch - run the Docker events watcher (events.h) with a journal,
 * for test/integration/t3100-events-audit.sh:
 *
 *   events-watch --state-dir DIR [--socket PATH] [--seconds N]
 *                [--unit PROJECT=UNIT]...
 *
 * Prints "connected" once the stream is up, then one line per call of
 * on_unit: "unit <unit> <action> <outside|own>". Runs for N seconds
 * (default 60) or until SIGTERM/SIGINT, then stops the watcher and
 * prints "stopped <ms>" (how long events_stop took). Exit 1 on error.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "err.h"
#include "events.h"
#include "journal.h"
#include "log.h"

#define MAX_UNITS 16

static struct {
	const char *project[MAX_UNITS];
	const char *unit[MAX_UNITS];
	size_t n;
} map;

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *unit_of_project(void *data, const char *project)
{
	(void)data;
	for (size_t i = 0; i < map.n; i++)
		if (!strcmp(map.project[i], project))
			return map.unit[i];
	return NULL;
}

static void on_unit(void *data, const char *unit, const char *action,
		    bool outside)
{
	(void)data;
	pthread_mutex_lock(&out_lock);
	printf("unit %s %s %s\n", unit, action, outside ? "outside" : "own");
	fflush(stdout);
	pthread_mutex_unlock(&out_lock);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"state-dir", required_argument, NULL, 'd'},
	    {"socket", required_argument, NULL, 's'},
	    {"seconds", required_argument, NULL, 't'},
	    {"unit", required_argument, NULL, 'u'},
	    {NULL, 0, NULL, 0},
	};
	struct events_options o = {0};
	struct journal *j = NULL;
	struct events *ev = NULL;
	const char *state_dir = NULL;
	long seconds = 60;
	long long deadline, t0;
	bool said = false;
	sigset_t set;
	int c;

	log_init("events-watch", LOG_LEVEL_WARN);
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		char *eq;

		switch (c) {
		case 'd':
			state_dir = optarg;
			break;
		case 's':
			o.socket_path = optarg;
			break;
		case 't':
			seconds = strtol(optarg, NULL, 10);
			break;
		case 'u':
			eq = strchr(optarg, '=');
			if (!eq || map.n == MAX_UNITS) {
				fprintf(stderr, "events-watch: bad --unit\n");
				return 2;
			}
			*eq = '\0';
			map.project[map.n] = optarg;
			map.unit[map.n++] = eq + 1;
			break;
		default:
			fprintf(stderr, "usage: events-watch --state-dir DIR "
					"[options] (see the source)\n");
			return 2;
		}
	}
	if (!state_dir) {
		fprintf(stderr, "events-watch: --state-dir is required\n");
		return 2;
	}
	/* Signals are waited for here, never delivered to the watcher. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	if (journal_open(&j, state_dir) < 0)
		goto fail;
	o.journal = j;
	o.unit_of_project = unit_of_project;
	o.on_unit = on_unit;
	if (events_start(&ev, &o) < 0)
		goto fail;
	deadline = now_ms() + seconds * 1000;
	while (now_ms() < deadline) {
		struct timespec tick = {0, 50 * 1000000};

		if (sigtimedwait(&set, NULL, &tick) > 0)
			break;
		if (!said && events_connected(ev)) {
			pthread_mutex_lock(&out_lock);
			puts("connected");
			fflush(stdout);
			pthread_mutex_unlock(&out_lock);
			said = true;
		}
	}
	t0 = now_ms();
	events_stop(ev);
	printf("stopped %lld\n", now_ms() - t0);
	journal_close(j);
	return 0;
fail:
	fprintf(stderr, "events-watch: %s\n", err_last());
	journal_close(j);
	return 1;
}
