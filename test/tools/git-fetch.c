/*
 * git-fetch - drive the git source from the shell, for the transport
 * tests (test/integration/t2000-git-transports.sh):
 *
 *   git-fetch --url URL --cache-dir DIR [--branch B] [--username U]
 *             [--password-file F] [--ssh-key-file F] [--known-hosts-file F]
 *             [--ca-file F] [--allowed-signers-file F] [--read PATH]
 *             [--materialize DIR] [--fetches N] [--no-fetch]
 *             [--fetch-timeout MS] [--in-process]
 *
 * Opens (cloning when needed), fetches N times (default 1), then prints
 *   commit <hex>
 *   changed <0|1>       (whether the last fetch moved the pinned commit)
 *   rewritten <0|1>
 * and, with --read, the file's content after a line "--- PATH".
 * Fetches run in a child process as `mooring` runs them (the tool starts
 * itself again with SOURCE_GIT_CHILD_ARG), killed after --fetch-timeout;
 * --in-process fetches in this process instead.
 * On error: "git-fetch: <message>" on stderr, exit 1.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "log.h"
#include "source_git.h"

static void usage(void)
{
	fprintf(stderr, "usage: git-fetch --url URL --cache-dir DIR "
			"[options] (see the source)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"url", required_argument, NULL, 'u'},
	    {"cache-dir", required_argument, NULL, 'c'},
	    {"branch", required_argument, NULL, 'b'},
	    {"username", required_argument, NULL, 'U'},
	    {"password-file", required_argument, NULL, 'p'},
	    {"ssh-key-file", required_argument, NULL, 'k'},
	    {"known-hosts-file", required_argument, NULL, 'K'},
	    {"ca-file", required_argument, NULL, 'C'},
	    {"allowed-signers-file", required_argument, NULL, 's'},
	    {"read", required_argument, NULL, 'r'},
	    {"materialize", required_argument, NULL, 'm'},
	    {"fetches", required_argument, NULL, 'n'},
	    {"no-fetch", no_argument, NULL, 'N'},
	    {"fetch-timeout", required_argument, NULL, 'T'},
	    {"in-process", no_argument, NULL, 'I'},
	    {NULL, 0, NULL, 0},
	};
	struct source_git_options o = {0};
	struct source_git *g = NULL;
	struct buf content = BUF_INIT(16 * 1024 * 1024);
	const char *readpath = NULL, *matdir = NULL;
	long fetches = 1, i;
	bool changed = false, in_process = false;
	int c, rc = 1;

	if (argc == 2 && !strcmp(argv[1], SOURCE_GIT_CHILD_ARG))
		return source_git_child_main();
	log_init("git-fetch", LOG_LEVEL_INFO);
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'u':
			o.url = optarg;
			break;
		case 'c':
			o.cache_dir = optarg;
			break;
		case 'b':
			o.branch = optarg;
			break;
		case 'U':
			o.username = optarg;
			break;
		case 'p':
			o.password_file = optarg;
			break;
		case 'k':
			o.ssh_key_file = optarg;
			break;
		case 'K':
			o.known_hosts_file = optarg;
			break;
		case 'C':
			o.ca_file = optarg;
			break;
		case 's':
			o.allowed_signers_file = optarg;
			break;
		case 'r':
			readpath = optarg;
			break;
		case 'm':
			matdir = optarg;
			break;
		case 'n':
			fetches = strtol(optarg, NULL, 10);
			break;
		case 'N':
			fetches = 0;
			break;
		case 'T':
			o.fetch_timeout_ms = strtoll(optarg, NULL, 10);
			break;
		case 'I':
			in_process = true;
			break;
		default:
			usage();
		}
	}
	if (!o.url || !o.cache_dir || optind != argc)
		usage();
	if (!in_process)
		source_git_use_child("/proc/self/exe");
	if (source_git_open(&g, &o) < 0)
		goto fail;
	for (i = 0; i < fetches; i++)
		if (source_git_fetch(g, &changed) < 0)
			goto fail;
	printf("commit %s\nchanged %d\nrewritten %d\n",
	       source_git_commit(g) ? source_git_commit(g) : "none",
	       changed ? 1 : 0, source_git_rewritten(g) ? 1 : 0);
	if (matdir && source_git_materialize(g, matdir) < 0)
		goto fail;
	if (readpath) {
		if (source_git_read(g, readpath, &content) < 0)
			goto fail;
		printf("--- %s\n", readpath);
		fwrite(content.data, 1, content.len, stdout);
	}
	rc = 0;
	goto done;
fail:
	fprintf(stderr, "git-fetch: %s\n", err_last());
done:
	buf_release(&content);
	source_git_free(g);
	return rc;
}
