/*
 * source_git_sign.c - the optional signature gate: a commit is deployed
 * only when its ssh signature verifies against the allowed signers file,
 * as `git verify-commit` does with gpg.format=ssh: ssh-keygen finds the
 * principal allowed for the signing key, then verifies the signed data
 * for that principal in the "git" namespace. GPG signatures are refused
 * as unsupported, never silently accepted.
 *
 * The signature and the signed data go to files in a temporary directory
 * next to the clone (removed on every path, and after a crash by
 * source_git_clean_temps()).
 */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "path.h"
#include "source_git_int.h"
#include "xalloc.h"

#include "banned.h"

#define SSH_SIG_BEGIN "-----BEGIN SSH SIGNATURE-----"

static int source_git_put(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	ssize_t w;

	if (fd < 0)
		return err_set_errno(MOOR_EIO, "cannot create '%s'", path);
	while (len) {
		w = write(fd, data, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			close(fd);
			return err_set_errno(MOOR_EIO, "cannot write '%s'",
					     path);
		}
		data += w;
		len -= (size_t)w;
	}
	close(fd);
	return 0;
}

#define SOURCE_GIT_RUN_TIMEOUT_MS 30000

/* Run argv with stdin from in_path, stdout and stderr to files; the exit
 * status (or -1 when it could not run) goes to *status_out. */
static int source_git_run(int *status_out, char *const argv[],
			  const char *in_path, const char *out_path,
			  const char *err_path)
{
	pid_t pid;
	int status = 0;

	pid = fork();
	if (pid < 0)
		return err_set_errno(MOOR_EIO, "cannot run '%s'", argv[0]);
	if (pid == 0) {
		int in = open(in_path, O_RDONLY);
		int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int er = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		sigset_t none;

		/* The controller blocks its signals for its signal thread and
		 * ignores SIGPIPE; a child starts from the defaults. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (in < 0 || out < 0 || er < 0 || dup2(in, 0) < 0 ||
		    dup2(out, 1) < 0 || dup2(er, 2) < 0)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	/* A verification takes milliseconds; one that hangs must not hold
	 * the controller loop: killed after SOURCE_GIT_RUN_TIMEOUT_MS. */
	for (long waited = 0;; waited += 10) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return err_set_errno(MOOR_EIO, "cannot wait for '%s'",
					     argv[0]);
		if (waited >= SOURCE_GIT_RUN_TIMEOUT_MS) {
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
				;
			return err_set(
			    MOOR_ETIMEOUT, "'%s' did not finish within %d s",
			    argv[0], SOURCE_GIT_RUN_TIMEOUT_MS / 1000);
		}
		usleep(10000);
	}
	*status_out = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	if (*status_out == 127)
		return err_set(MOOR_EIO, "cannot run '%s'", argv[0]);
	return 0;
}

/* The first line of a small file, for a reason ("" when none). */
static void source_git_first_line(char *out, size_t size, const char *path)
{
	struct buf b = BUF_INIT(4096);

	out[0] = '\0';
	if (buf_read_file(&b, path) == 0)
		snprintf(out, size, "%.*s", (int)strcspn(buf_cstr(&b), "\r\n"),
			 buf_cstr(&b));
	buf_release(&b);
	err_clear();
}

int source_git_verify_signature(struct source_git *g, git_commit *commit)
{
	git_buf sig = GIT_BUF_INIT, data = GIT_BUF_INIT;
	char hex[GIT_OID_HEXSZ + 1];
	char *tmp = NULL, *sig_path = NULL, *data_path = NULL;
	char *out_path = NULL, *err_path = NULL, *principal = NULL;
	char reason[256];
	struct buf out = BUF_INIT(65536);
	int rc, status = 0, error = -1;

	git_oid_tostr(hex, sizeof(hex), git_commit_id(commit));
	rc = git_commit_extract_signature(
	    &sig, &data, g->repo, (git_oid *)git_commit_id(commit), NULL);
	if (rc == GIT_ENOTFOUND) {
		error = err_set(MOOR_EINVAL,
				"commit %s of '%s' is not signed: refused by "
				"the signature gate",
				hex, g->url);
		goto cleanup;
	}
	if (rc < 0) {
		error = source_git_error(g, rc, "cannot read the signature of");
		goto cleanup;
	}
	if (strncmp(sig.ptr, SSH_SIG_BEGIN, strlen(SSH_SIG_BEGIN))) {
		error = err_set(MOOR_EINVAL,
				"commit %s of '%s' is not ssh-signed (only ssh "
				"signatures are supported): refused by the "
				"signature gate",
				hex, g->url);
		goto cleanup;
	}
	if ((error = source_git_mktemp(&tmp, g->cache_dir)) < 0)
		goto cleanup;
	sig_path = path_join(tmp, "sig");
	data_path = path_join(tmp, "data");
	out_path = path_join(tmp, "out");
	err_path = path_join(tmp, "err");
	if ((error = source_git_put(sig_path, sig.ptr, sig.size)) < 0 ||
	    (error = source_git_put(data_path, data.ptr, data.size)) < 0)
		goto cleanup;
	{
		char *argv[] = {"ssh-keygen",
				"-Y",
				"find-principals",
				"-f",
				g->allowed_signers_file,
				"-s",
				sig_path,
				NULL};

		if ((error = source_git_run(&status, argv, "/dev/null",
					    out_path, err_path)) < 0)
			goto cleanup;
	}
	if (status != 0 || buf_read_file(&out, out_path) < 0 || !out.len) {
		error = err_set(MOOR_EINVAL,
				"commit %s of '%s' is signed by a key that is "
				"not in allowed signers '%s': refused by the "
				"signature gate",
				hex, g->url, g->allowed_signers_file);
		goto cleanup;
	}
	principal = xstrndup(out.data, strcspn(out.data, "\r\n"));
	{
		char *argv[] = {"ssh-keygen",
				"-Y",
				"verify",
				"-f",
				g->allowed_signers_file,
				"-I",
				principal,
				"-n",
				"git",
				"-s",
				sig_path,
				NULL};

		if ((error = source_git_run(&status, argv, data_path, out_path,
					    err_path)) < 0)
			goto cleanup;
	}
	if (status != 0) {
		source_git_first_line(reason, sizeof(reason), err_path);
		error = err_set(
		    MOOR_EINVAL,
		    "signature of commit %s of '%s' does not verify "
		    "for '%s'%s%s: refused by the signature gate",
		    hex, g->url, principal, reason[0] ? ": " : "", reason);
		goto cleanup;
	}
	error = 0;
cleanup:
	if (tmp)
		source_git_rmtree(tmp);
	free(principal);
	free(err_path);
	free(out_path);
	free(data_path);
	free(sig_path);
	free(tmp);
	buf_release(&out);
	git_buf_dispose(&sig);
	git_buf_dispose(&data);
	return error;
}
