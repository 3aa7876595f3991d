/*
 * source_git_child.c - a fetch in a child process, killed at its deadline.
 *
 * libgit2 1.5 has no timeout on its transports: a server that accepts a
 * connection and never answers would hold the caller forever. So the
 * network part of a fetch (and of the first clone) runs in a child, this
 * same executable started again as "<exe> __git-fetch", which is killed
 * when the fetch timeout passes or the caller is cancelled (SIGTERM of the
 * controller). The parent keeps everything else: opening the clone,
 * resolving and pinning the commit, the signature gate, reading trees.
 *
 * The child gets its options as JSON on stdin (paths only: it reads the
 * password and the key from their files itself, so no secret is ever on
 * a command line or in a pipe), writes one error line on stderr, and
 * exits with the error code's magnitude, plus 64 when the failure was the
 * clone's own (source_git_error's local_failure: the parent clones again).
 *
 * A killed fetch leaves lock files (libgit2 writes a ref by locking it)
 * and a temporary pack ("objects/pack/pack_git2_*") behind. Fetches into
 * one clone are serialised by a flock on "<clone>/mooring-fetch.lock"
 * (`mooring plan` may fetch while `mooring run` does); under it nobody
 * else is fetching, so whatever such files are there are leftovers and
 * are removed before the child starts and after it was killed: a timeout
 * neither wedges later fetches nor grows the disk.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "err.h"
#include "log.h"
#include "path.h"
#include "source_git_int.h"
#include "xalloc.h"

#include "banned.h"

#define SOURCE_GIT_CHILD_INPUT_MAX (64 * 1024)
#define SOURCE_GIT_CHILD_ERR_MAX   2048
#define SOURCE_GIT_LOCAL_FLAG	   64

static char *source_git_child_exe;
static bool (*source_git_cancel_cb)(void *);
static void *source_git_cancel_data;

void source_git_use_child(const char *exe)
{
	free(source_git_child_exe);
	source_git_child_exe = exe ? xstrdup(exe) : NULL;
}

bool source_git_child_enabled(void)
{
	return source_git_child_exe != NULL;
}

void source_git_set_cancel(bool (*cancelled)(void *), void *data)
{
	source_git_cancel_cb = cancelled;
	source_git_cancel_data = data;
}

static long long source_git_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void source_git_json_put(json_t *o, const char *k, const char *v)
{
	if (v)
		json_object_set_new(o, k, json_string(v));
}

static char *source_git_child_input(const struct source_git *g,
				    const char *repo_path)
{
	json_t *o = json_object();
	char *s;

	source_git_json_put(o, "repo", repo_path);
	source_git_json_put(o, "url", g->url);
	source_git_json_put(o, "branch", g->branch);
	source_git_json_put(o, "username", g->username);
	source_git_json_put(o, "password_file", g->password_file);
	source_git_json_put(o, "ssh_key_file", g->ssh_key_file);
	source_git_json_put(o, "known_hosts_file", g->known_hosts_file);
	source_git_json_put(o, "ca_file", g->ca_file);
	s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return s;
}

/* What a killed fetch into repo_path leaves; only with the fetch lock. */
void source_git_clear_locks(const struct source_git *g, const char *repo_path)
{
	static const char *const fixed[] = {"packed-refs.lock", "config.lock",
					    "FETCH_HEAD.lock", "HEAD.lock"};
	char *p, *ref, *packs;
	struct dirent *de;
	DIR *d;

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		p = path_join(repo_path, fixed[i]);
		if (unlink(p) == 0)
			log_info("removed '%s' left by a killed fetch", p);
		free(p);
	}
	ref = xasprintf("%s.lock", g->refname);
	p = path_join(repo_path, ref);
	if (unlink(p) == 0)
		log_info("removed '%s' left by a killed fetch", p);
	free(p);
	free(ref);
	packs = path_join(repo_path, "objects/pack");
	if ((d = opendir(packs))) {
		while ((de = readdir(d))) {
			if (strncmp(de->d_name, "pack_git2_", 10))
				continue;
			p = path_join(packs, de->d_name);
			if (unlink(p) == 0)
				log_info("removed '%s' left by a killed fetch",
					 p);
			free(p);
		}
		closedir(d);
	}
	free(packs);
}

static long long source_git_now_ms(void);

/* Take the clone's fetch lock by deadline; the fd, or -1 (error set). */
static int source_git_fetch_lock(const struct source_git *g,
				 const char *repo_path, long long deadline)
{
	char *p = path_join(repo_path, "mooring-fetch.lock");
	int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		err_set_errno(MOOR_EIO, "cannot open '%s'", p);
		goto done;
	}
	while (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if ((errno != EWOULDBLOCK && errno != EINTR) ||
		    source_git_now_ms() >= deadline) {
			err_set(MOOR_ELOCKED,
				"cannot fetch '%s': another fetch into '%s' "
				"did not finish",
				g->url, repo_path);
			close(fd);
			fd = -1;
			break;
		}
		usleep(20000);
	}
done:
	free(p);
	return fd;
}

/* In the child, between fork and exec: only what is safe there. */
static void source_git_child_exec(int in_fd, int err_fd, const char *exe)
{
	sigset_t none;
	int devnull = open("/dev/null", O_WRONLY);

	/* The controller blocks its signals for its signal thread and
	 * ignores SIGPIPE; the child starts from the defaults. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (devnull < 0 || dup2(in_fd, 0) < 0 || dup2(devnull, 1) < 0 ||
	    dup2(err_fd, 2) < 0)
		_exit(127);
	/* Nothing else of the parent's: not the lock of the state dir, not
	 * docker's connection, not the HTTP server's socket. */
	close_range(3, ~0U, 0);
	execl(exe, exe, SOURCE_GIT_CHILD_ARG, (char *)NULL);
	_exit(127);
}

static int source_git_write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t w = write(fd, s, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		s += w;
		len -= (size_t)w;
	}
	return 0;
}

static void source_git_fmt_ms(char *out, size_t size, long long ms)
{
	if (ms % 1000)
		snprintf(out, size, "%lld ms", ms);
	else
		snprintf(out, size, "%lld s", ms / 1000);
}

/* The last line of what the child wrote: its error. */
static char *source_git_last_line(const struct buf *err)
{
	const char *s = buf_cstr(err), *end = s + strlen(s), *start;

	while (end > s && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	start = end;
	while (start > s && start[-1] != '\n')
		start--;
	return xstrndup(start, (size_t)(end - start));
}

/* The child's status into our error (and g->local_failure). */
static int source_git_child_status(struct source_git *g, int status,
				   struct buf *err)
{
	char *line = source_git_last_line(err);
	int code, error;

	if (WIFSIGNALED(status)) {
		error = err_set(MOOR_ERR, "fetch of '%s' died of signal %d",
				g->url, WTERMSIG(status));
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) == 127) {
		error = err_set(MOOR_EIO, "cannot run '%s' to fetch '%s'",
				source_git_child_exe, g->url);
	} else if (WEXITSTATUS(status) == 0) {
		error = 0;
	} else {
		code = WEXITSTATUS(status) & ~SOURCE_GIT_LOCAL_FLAG;
		g->local_failure =
		    (WEXITSTATUS(status) & SOURCE_GIT_LOCAL_FLAG) != 0;
		if (code < 1 || code > 16)
			code = 1;
		error =
		    err_set(-code, "%s",
			    line[0] ? line : "fetch failed without a reason");
	}
	free(line);
	return error;
}

int source_git_fetch_child(struct source_git *g, const char *repo_path)
{
	int inp[2] = {-1, -1}, errp[2] = {-1, -1};
	char *input = source_git_child_input(g, repo_path);
	struct buf err = BUF_INIT(SOURCE_GIT_CHILD_ERR_MAX);
	long long timeout = g->fetch_timeout_ms > 0
				? g->fetch_timeout_ms
				: SOURCE_GIT_FETCH_TIMEOUT_MS;
	long long deadline = source_git_now_ms() + timeout;
	bool eof = false, killed = false, cancelled = false;
	pid_t pid = -1;
	int lock = -1, status = 0, error = -1;

	if ((lock = source_git_fetch_lock(g, repo_path, deadline)) < 0) {
		error = err_last_code();
		goto cleanup;
	}
	if (pipe2(inp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
		error = err_set_errno(MOOR_EIO, "cannot fetch '%s'", g->url);
		goto cleanup;
	}
	source_git_clear_locks(g, repo_path);
	if ((pid = fork()) < 0) {
		error = err_set_errno(MOOR_EIO, "cannot fetch '%s'", g->url);
		goto cleanup;
	}
	if (pid == 0)
		source_git_child_exec(inp[0], errp[1], source_git_child_exe);
	close(inp[0]);
	close(errp[1]);
	inp[0] = errp[1] = -1;
	/* A few hundred bytes: the pipe takes them whole. */
	if (source_git_write_all(inp[1], input, strlen(input)) < 0)
		log_warnx("cannot hand the fetch its options: %s",
			  strerror(errno));
	close(inp[1]);
	inp[1] = -1;
	while (!eof) {
		struct pollfd pfd = {errp[0], POLLIN, 0};
		long long left = deadline - source_git_now_ms();
		char chunk[512];
		ssize_t n;

		if (source_git_cancel_cb &&
		    source_git_cancel_cb(source_git_cancel_data)) {
			cancelled = true;
			break;
		}
		if (left <= 0) {
			killed = true;
			break;
		}
		if (poll(&pfd, 1, left < 100 ? (int)left : 100) <= 0)
			continue;
		n = read(errp[0], chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			eof = true;
		else if (err.len + (size_t)n < err.max)
			buf_add(&err, chunk, (size_t)n);
	}
	if (killed || cancelled)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (killed || cancelled) {
		char t[32];

		source_git_clear_locks(g, repo_path);
		source_git_fmt_ms(t, sizeof(t), timeout);
		if (cancelled)
			error = err_set(MOOR_ETIMEOUT,
					"fetch of '%s' cancelled: mooring is "
					"stopping",
					g->url);
		else
			error = err_set(MOOR_ETIMEOUT,
					"cannot fetch '%s': no answer within "
					"%s (repository.fetch_timeout)",
					g->url, t);
		goto cleanup;
	}
	error = source_git_child_status(g, status, &err);
cleanup:
	if (inp[0] >= 0)
		close(inp[0]);
	if (inp[1] >= 0)
		close(inp[1]);
	if (errp[0] >= 0)
		close(errp[0]);
	if (errp[1] >= 0)
		close(errp[1]);
	if (lock >= 0)
		close(lock);
	buf_release(&err);
	free(input);
	return error;
}

static const char *source_git_json_str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

int source_git_child_main(void)
{
	struct source_git_options o;
	struct buf in = BUF_INIT(SOURCE_GIT_CHILD_INPUT_MAX);
	json_t *root = NULL;
	bool local = false;
	int error = -1;

	/* stderr carries the one error line the parent reports. */
	log_set_level(LOG_LEVEL_ERROR);
	if (buf_read_file(&in, "/dev/stdin") < 0 ||
	    !(root = json_loadb(in.data, in.len, 0, NULL)) ||
	    !source_git_json_str(root, "repo")) {
		fprintf(stderr, "the fetch child needs its options on stdin\n");
		error = MOOR_EINVAL;
		goto cleanup;
	}
	memset(&o, 0, sizeof(o));
	o.url = source_git_json_str(root, "url");
	o.branch = source_git_json_str(root, "branch");
	o.cache_dir = source_git_json_str(root, "repo");
	o.username = source_git_json_str(root, "username");
	o.password_file = source_git_json_str(root, "password_file");
	o.ssh_key_file = source_git_json_str(root, "ssh_key_file");
	o.known_hosts_file = source_git_json_str(root, "known_hosts_file");
	o.ca_file = source_git_json_str(root, "ca_file");
	if ((error = source_git_fetch_path(&local, &o)) < 0)
		fprintf(stderr, "%s\n", err_last());
cleanup:
	json_decref(root);
	buf_release(&in);
	if (error >= 0)
		return 0;
	return (-error & 0x3f) | (local ? SOURCE_GIT_LOCAL_FLAG : 0);
}
