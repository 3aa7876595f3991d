/*
 * source_git.c - the git source: one bare clone per repository in the
 * state dir, a fetch per poll of the tracked branch only, the branch
 * resolved to ONE commit that is pinned until the next fetch, and files
 * read from that commit's tree (see source_git.h).
 *
 * The clone holds one remote, "origin", and one ref,
 * refs/remotes/origin/<branch>, updated by a forced refspec so that a
 * force-push is followed. A clone whose origin URL differs from the
 * configured one, that libgit2 cannot open, or whose tip cannot be read
 * whole, is removed and cloned again.
 *
 * With a signature gate the fetched ref may hold a commit the gate
 * refused; the last commit pinned is kept in refs/mooring/pinned so that
 * opening the clone again pins it rather than failing on the refused tip.
 */
#include "source_git.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "path.h"
#include "source_git_int.h"
#include "xalloc.h"

#include "banned.h"

/* The last commit pinned (the gate passed it), for source_git_open(). */
#define SOURCE_GIT_PINNED_REF "refs/mooring/pinned"

static int source_git_set_ca(struct source_git *g)
{
	int rc;

	if (!g->ca_file)
		return 0;
	rc = git_libgit2_opts(GIT_OPT_SET_SSL_CERT_LOCATIONS, g->ca_file, NULL);
	if (rc < 0)
		return source_git_error(g, rc, "cannot load ca_file for");
	return 0;
}

/* Fetch the branch from the remote into repo; the branch must exist. */
static int source_git_fetch_into(struct source_git *g, git_repository *repo)
{
	git_fetch_options fo;
	git_remote_create_options ro;
	git_remote *remote = NULL;
	const git_remote_head **heads = NULL;
	char *specv[1];
	git_strarray specs;
	size_t nheads = 0, i;
	char *want = NULL;
	bool found = false;
	int rc, error = -1;

	if (source_git_child_enabled())
		return source_git_fetch_child(g, git_repository_path(repo));
	/* The _init functions: the INIT macros leave fields to -Wextra. */
	git_fetch_options_init(&fo, GIT_FETCH_OPTIONS_VERSION);
	git_remote_create_options_init(&ro, GIT_REMOTE_CREATE_OPTIONS_VERSION);
	specv[0] = g->refspec;
	specs.strings = specv;
	specs.count = 1;
	if ((error = source_git_set_ca(g)) < 0)
		goto cleanup;
	source_git_callbacks(g, &fo.callbacks);
	fo.update_fetchhead = 0;
	fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
	/* A redirect could hand our credentials to another host. */
	fo.follow_redirects = GIT_REMOTE_REDIRECT_NONE;
	/* An anonymous remote without url.*.insteadOf rewriting: libgit2
	 * 1.5's config regex matching (git_remote_lookup, insteadOf) leaks
	 * pcre2 match data on every call, which a poll loop cannot afford;
	 * the URL is ours to give anyway. */
	ro.repository = repo;
	ro.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF |
		   GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC;
	if ((rc = git_remote_create_with_opts(&remote, g->url, &ro)) < 0 ||
	    (rc = git_remote_fetch(remote, &specs, &fo, NULL)) < 0) {
		error = source_git_error(g, rc, "cannot fetch");
		goto cleanup;
	}
	/* The advertised refs stay available after the fetch disconnected;
	 * a branch missing on the remote is an error, not "no change". */
	if ((rc = git_remote_ls(&heads, &nheads, remote)) < 0) {
		error = source_git_error(g, rc, "cannot list refs of");
		goto cleanup;
	}
	want = xasprintf("refs/heads/%s", g->branch);
	for (i = 0; i < nheads && !found; i++)
		found = !strcmp(heads[i]->name, want);
	if (!found) {
		error = err_set(MOOR_ENOTFOUND, "branch '%s' not found in '%s'",
				g->branch, g->url);
		goto cleanup;
	}
	error = 0;
cleanup:
	free(want);
	git_remote_free(remote);
	return error;
}

/* Clone into a temporary directory next to cache_dir, renamed into place
 * when complete; the temporary directory is gone on every path. */
static int source_git_clone(struct source_git *g)
{
	git_repository_init_options io;
	git_repository *repo = NULL;
	git_config *cfg = NULL;
	char *tmp = NULL;
	int rc, error = -1;

	git_repository_init_options_init(&io,
					 GIT_REPOSITORY_INIT_OPTIONS_VERSION);
	if ((error = source_git_mktemp(&tmp, g->cache_dir)) < 0)
		goto cleanup;
	io.flags = GIT_REPOSITORY_INIT_BARE | GIT_REPOSITORY_INIT_MKPATH;
	io.initial_head = g->branch;
	if ((rc = git_repository_init_ext(&repo, tmp, &io)) < 0 ||
	    (rc = git_repository_config(&cfg, repo)) < 0 ||
	    (rc = git_config_set_string(cfg, "remote.origin.url", g->url)) <
		0) {
		error = source_git_error(g, rc, "cannot create a clone of");
		goto cleanup;
	}
	if ((error = source_git_fetch_into(g, repo)) < 0)
		goto cleanup;
	git_config_free(cfg);
	cfg = NULL;
	git_repository_free(repo);
	repo = NULL;
	if ((error = source_git_rmtree(g->cache_dir)) < 0)
		goto cleanup;
	if (rename(tmp, g->cache_dir) < 0) {
		error = err_set_errno(MOOR_EIO, "cannot rename '%s' to '%s'",
				      tmp, g->cache_dir);
		goto cleanup;
	}
	if ((rc = git_repository_open_bare(&g->repo, g->cache_dir)) < 0) {
		error = source_git_error(g, rc, "cannot open the clone of");
		goto cleanup;
	}
	log_info("cloned '%s' into '%s'", g->url, g->cache_dir);
	error = 0;
cleanup:
	git_config_free(cfg);
	git_repository_free(repo);
	if (tmp) {
		/* After a successful rename there is nothing left to remove. */
		source_git_rmtree(tmp);
		free(tmp);
	}
	return error;
}

/* Open an existing clone; MOOR_ENOTFOUND when it is absent or not ours
 * (other URL, unreadable): the caller clones again. */
static int source_git_open_existing(struct source_git *g)
{
	git_repository *repo = NULL;
	git_config *cfg = NULL;
	const char *url = NULL;
	struct stat st;
	int error = MOOR_ENOTFOUND;

	if (stat(g->cache_dir, &st) < 0)
		return MOOR_ENOTFOUND;
	if (git_repository_open_bare(&repo, g->cache_dir) < 0 ||
	    git_repository_config_snapshot(&cfg, repo) < 0 ||
	    git_config_get_string(&url, cfg, "remote.origin.url") < 0) {
		log_warnx("clone '%s' cannot be opened (%s), cloning again",
			  g->cache_dir,
			  git_error_last() ? git_error_last()->message : "?");
		goto cleanup;
	}
	if (strcmp(url, g->url)) {
		log_info("clone '%s' is of another repository, cloning '%s'",
			 g->cache_dir, g->url);
		goto cleanup;
	}
	g->repo = repo;
	repo = NULL;
	error = 0;
cleanup:
	git_config_free(cfg);
	git_repository_free(repo);
	return error;
}

static int source_git_check_entry(const char *root, const git_tree_entry *entry,
				  void *payload)
{
	git_odb *odb = payload;

	(void)root;
	if (git_tree_entry_type(entry) == GIT_OBJECT_BLOB &&
	    !git_odb_exists(odb, git_tree_entry_id(entry))) {
		git_error_set_str(GIT_ERROR_ODB, "object missing from the "
						 "clone");
		return -1;
	}
	return 0;
}

/*
 * Load the commit at refname with its whole tree present (trees are read
 * by the walk, blobs looked up in the object index: cheap, and a clone
 * missing objects is caught here rather than halfway through a render).
 * MOOR_ENOTFOUND when the ref does not exist; other errors mean a
 * corrupt clone.
 */
static int source_git_load_tip(git_commit **commit_out, git_tree **tree_out,
			       struct source_git *g, const char *refname)
{
	git_oid oid;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_odb *odb = NULL;
	int rc, error = -1;

	rc = git_reference_name_to_id(&oid, g->repo, refname);
	if (rc == GIT_ENOTFOUND) {
		error = err_set(MOOR_ENOTFOUND, "branch '%s' not fetched yet",
				g->branch);
		goto cleanup;
	}
	if (rc < 0 || (rc = git_commit_lookup(&commit, g->repo, &oid)) < 0 ||
	    (rc = git_commit_tree(&tree, commit)) < 0 ||
	    (rc = git_repository_odb(&odb, g->repo)) < 0 ||
	    (rc = git_tree_walk(tree, GIT_TREEWALK_PRE, source_git_check_entry,
				odb)) < 0) {
		error = source_git_error(g, rc < 0 ? rc : -1,
					 "cannot read the fetched commit of");
		goto cleanup;
	}
	*commit_out = commit;
	*tree_out = tree;
	commit = NULL;
	tree = NULL;
	error = 0;
cleanup:
	git_odb_free(odb);
	git_tree_free(tree);
	git_commit_free(commit);
	return error;
}

static void source_git_pin(struct source_git *g, git_commit *commit,
			   git_tree *tree)
{
	git_tree_free(g->tree);
	git_commit_free(g->commit);
	g->commit = commit;
	g->tree = tree;
	git_oid_tostr(g->commit_hex, sizeof(g->commit_hex),
		      git_commit_id(commit));
	free(g->describe);
	g->describe = xasprintf("%s@%.12s", g->url, g->commit_hex);
}

static void source_git_unpin(struct source_git *g)
{
	git_tree_free(g->tree);
	git_commit_free(g->commit);
	g->tree = NULL;
	g->commit = NULL;
	g->commit_hex[0] = '\0';
}

static void source_git_close(struct source_git *g)
{
	source_git_unpin(g);
	git_repository_free(g->repo);
	g->repo = NULL;
}

/* Resolve refname and pin it (after the signature gate; *refused_out
 * tells a refusal of the gate from other errors). */
static int source_git_resolve(struct source_git *g, const char *refname,
			      bool *changed_out, bool *refused_out)
{
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	const git_oid *old = NULL, *new;
	bool changed;
	int error = -1, rc;

	if (refused_out)
		*refused_out = false;
	if ((error = source_git_load_tip(&commit, &tree, g, refname)) < 0)
		goto cleanup;
	new = git_commit_id(commit);
	if (g->commit)
		old = git_commit_id(g->commit);
	changed = !old || !git_oid_equal(old, new);
	if (changed && g->allowed_signers_file &&
	    (error = source_git_verify_signature(g, commit)) < 0) {
		if (refused_out)
			*refused_out = true;
		goto cleanup;
	}
	g->rewritten = false;
	if (changed && old) {
		rc = git_graph_descendant_of(g->repo, new, old);
		if (rc != 1) {
			char oldhex[GIT_OID_HEXSZ + 1],
			    newhex[GIT_OID_HEXSZ + 1];

			git_oid_tostr(oldhex, sizeof(oldhex), old);
			git_oid_tostr(newhex, sizeof(newhex), new);
			g->rewritten = true;
			log_info("branch '%s' of '%s' was rewritten: %s is not "
				 "a descendant of %s, following the remote",
				 g->branch, g->url, newhex, oldhex);
		}
	}
	if (changed) {
		git_reference *ref = NULL;

		source_git_pin(g, commit, tree);
		commit = NULL;
		tree = NULL;
		/* Not fatal: without it a later open falls back to nothing
		 * pinned and fetches, as for a new clone. */
		if (strcmp(refname, SOURCE_GIT_PINNED_REF) &&
		    git_reference_create(&ref, g->repo, SOURCE_GIT_PINNED_REF,
					 git_commit_id(g->commit), 1,
					 "mooring: pinned") < 0)
			log_warnx("cannot record the pinned commit in '%s': %s",
				  g->cache_dir,
				  git_error_last() ? git_error_last()->message
						   : "?");
		git_reference_free(ref);
	}
	if (changed_out)
		*changed_out = changed;
	error = 0;
cleanup:
	git_tree_free(tree);
	git_commit_free(commit);
	return error;
}

static int source_git_copy_options(struct source_git *g,
				   const struct source_git_options *o)
{
	if (!o->url || !*o->url)
		return err_set(MOOR_EINVAL, "repository url is empty");
	if (!o->cache_dir || !*o->cache_dir)
		return err_set(MOOR_EINVAL,
			       "no directory for the clone of '%s'", o->url);
	/* Secrets never travel in URLs (config refuses them too). */
	{
		const char *s = strstr(o->url, "://"), *at, *slash;

		if (s) {
			s += 3;
			slash = strchr(s, '/');
			at = strchr(s, '@');
			if (at && (!slash || at < slash) &&
			    memchr(s, ':', (size_t)(at - s)))
				return err_set(MOOR_EINVAL,
					       "repository url has a password "
					       "in it: use password_file");
		}
	}
	g->url = xstrdup(o->url);
	g->branch = xstrdup(o->branch && *o->branch ? o->branch : "main");
	{
		char *ref = xasprintf("refs/heads/%s", g->branch);
		int valid = 0;

		git_reference_name_is_valid(&valid, ref);
		free(ref);
		if (!valid)
			return err_set(MOOR_EINVAL, "invalid branch name '%s'",
				       g->branch);
	}
	g->cache_dir = path_clean(o->cache_dir);
	g->username = o->username ? xstrdup(o->username) : NULL;
	g->password_file = o->password_file ? xstrdup(o->password_file) : NULL;
	g->ssh_key_file = o->ssh_key_file ? xstrdup(o->ssh_key_file) : NULL;
	g->known_hosts_file =
	    o->known_hosts_file ? xstrdup(o->known_hosts_file) : NULL;
	g->ca_file = o->ca_file ? xstrdup(o->ca_file) : NULL;
	g->allowed_signers_file =
	    o->allowed_signers_file ? xstrdup(o->allowed_signers_file) : NULL;
	g->fetch_timeout_ms = o->fetch_timeout_ms;
	g->refname = xasprintf("refs/remotes/origin/%s", g->branch);
	g->refspec = xasprintf("+refs/heads/%s:%s", g->branch, g->refname);
	g->ssh_host = source_git_ssh_host(g->url);
	g->describe = xstrdup(g->url);
	return 0;
}

int source_git_open(struct source_git **out, const struct source_git_options *o)
{
	struct source_git *g = xcalloc(1, sizeof(*g));
	bool refused = false;
	int error = -1;

	git_libgit2_init();
	if ((error = source_git_copy_options(g, o)) < 0)
		goto cleanup;
	source_git_clean_temps(g->cache_dir);
	error = source_git_open_existing(g);
	if (error == MOOR_ENOTFOUND)
		error = source_git_clone(g);
	if (error < 0)
		goto cleanup;
	g->local_failure = false;
	error = source_git_resolve(g, g->refname, NULL, &refused);
	if (error < 0 && g->local_failure) {
		/* The tip cannot be read whole: a corrupt clone. */
		log_warnx("clone '%s' is corrupt (%s), cloning again",
			  g->cache_dir, err_last());
		source_git_close(g);
		if ((error = source_git_clone(g)) < 0)
			goto cleanup;
		error = source_git_resolve(g, g->refname, NULL, &refused);
	}
	if (error < 0 && refused) {
		/* The fetched tip was refused last time: open with the last
		 * commit that passed, or none; the next fetch may bring a
		 * commit that passes. A refusal must not wedge the open. */
		log_warnx("%s; keeping the last pinned commit", err_last());
		/* Only a fallback: without it, nothing is pinned and the
		 * fetch goes on (and deals with a corrupt clone). */
		if (source_git_resolve(g, SOURCE_GIT_PINNED_REF, NULL, NULL) <
		    0)
			err_clear();
		g->local_failure = false;
		error = 0;
	}
	if (error == MOOR_ENOTFOUND && !g->local_failure)
		error = 0; /* no ref: the next fetch makes it */
	if (error < 0)
		goto cleanup;
	*out = g;
	g = NULL;
	error = 0;
cleanup:
	source_git_free(g);
	return error;
}

int source_git_fetch_path(bool *local_out, const struct source_git_options *o)
{
	struct source_git *g = xcalloc(1, sizeof(*g));
	git_repository *repo = NULL;
	int rc, error = -1;

	*local_out = false;
	git_libgit2_init();
	/* In the child: fetch here, whatever the parent's setting. */
	source_git_use_child(NULL);
	if ((error = source_git_copy_options(g, o)) < 0)
		goto cleanup;
	if ((rc = git_repository_open_bare(&repo, g->cache_dir)) < 0) {
		error = source_git_error(g, rc, "cannot open the clone of");
		goto cleanup;
	}
	error = source_git_fetch_into(g, repo);
	*local_out = g->local_failure;
cleanup:
	git_repository_free(repo);
	source_git_free(g);
	return error;
}

int source_git_fetch(struct source_git *g, bool *changed_out)
{
	int error;

	if (changed_out)
		*changed_out = false;
	g->rewritten = false;
	g->local_failure = false;
	/* A clone that could not be made again last time. */
	if (!g->repo) {
		error = source_git_open_existing(g);
		if (error == MOOR_ENOTFOUND)
			error = source_git_clone(g);
		if (error < 0)
			return error;
	}
	error = source_git_fetch_into(g, g->repo);
	if (error == 0)
		error = source_git_resolve(g, g->refname, changed_out, NULL);
	if (error == 0 || !g->local_failure)
		return error;
	/* Not the remote's fault: the clone is damaged. Clone it again,
	 * keeping the pinned commit's id to tell whether it changed. */
	log_warnx("clone '%s' is corrupt (%s), cloning again", g->cache_dir,
		  err_last());
	{
		git_oid old;
		bool had = g->commit != NULL;

		if (had)
			git_oid_cpy(&old, git_commit_id(g->commit));
		/* The pinned objects belong to the old repository. */
		source_git_close(g);
		if ((error = source_git_clone(g)) < 0)
			return error;
		if ((error = source_git_resolve(g, g->refname, changed_out,
						NULL)) < 0)
			return error;
		if (had && changed_out)
			*changed_out =
			    !git_oid_equal(&old, git_commit_id(g->commit));
	}
	return 0;
}

bool source_git_rewritten(const struct source_git *g)
{
	return g->rewritten;
}

const char *source_git_commit(const struct source_git *g)
{
	return g->commit ? g->commit_hex : NULL;
}

const char *source_git_describe(const struct source_git *g)
{
	return g->describe;
}

/* Symbolic links inside the tree are followed (as the plain directory
 * source follows them), as long as they stay inside it. */

int source_git_read(struct source_git *g, const char *relpath, struct buf *out)
{
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	char *clean = NULL, *dir = NULL, *target = NULL;
	unsigned links = 0;
	int rc, error = -1;

	if (!g->tree) {
		error = err_set(MOOR_ENOTFOUND, "'%s' has no fetched commit",
				g->url);
		goto cleanup;
	}
	if (!relpath[0] || path_is_abs(relpath)) {
		error = err_set(MOOR_EINVAL,
				"'%s' is not a path inside the repository",
				relpath);
		goto cleanup;
	}
	clean = path_clean(relpath);
	for (;;) {
		if (!strcmp(clean, "..") || !strncmp(clean, "../", 3) ||
		    !strcmp(clean, ".")) {
			error =
			    err_set(MOOR_EINVAL,
				    "'%s' is outside the repository", relpath);
			goto cleanup;
		}
		git_tree_entry_free(entry);
		entry = NULL;
		git_blob_free(blob);
		blob = NULL;
		rc = git_tree_entry_bypath(&entry, g->tree, clean);
		if (rc == GIT_ENOTFOUND) {
			error = err_set(MOOR_ENOTFOUND,
					"cannot open '%s': no such file in "
					"commit %.12s",
					relpath, g->commit_hex);
			goto cleanup;
		}
		if (rc < 0) {
			error = source_git_error(g, rc, "cannot read tree of");
			goto cleanup;
		}
		if (git_tree_entry_type(entry) != GIT_OBJECT_BLOB) {
			error =
			    err_set(MOOR_EINVAL, "'%s' is not a file", relpath);
			goto cleanup;
		}
		if ((rc = git_blob_lookup(&blob, g->repo,
					  git_tree_entry_id(entry))) < 0) {
			error = source_git_error(g, rc, "cannot read blob of");
			goto cleanup;
		}
		if (git_tree_entry_filemode(entry) != GIT_FILEMODE_LINK)
			break;
		if (++links > SOURCE_GIT_MAX_LINKS ||
		    git_blob_rawsize(blob) > 4096) {
			error = err_set(MOOR_EINVAL,
					"'%s': too many levels of symbolic "
					"links",
					relpath);
			goto cleanup;
		}
		target = xstrndup(git_blob_rawcontent(blob),
				  (size_t)git_blob_rawsize(blob));
		if (path_is_abs(target)) {
			error = err_set(MOOR_EINVAL,
					"'%s' resolves outside the repository",
					relpath);
			goto cleanup;
		}
		dir = path_dirname(clean);
		free(clean);
		clean = path_join(dir, target);
		free(dir);
		dir = NULL;
		free(target);
		target = NULL;
	}
	error = buf_add(out, git_blob_rawcontent(blob),
			(size_t)git_blob_rawsize(blob));
cleanup:
	free(target);
	free(dir);
	free(clean);
	git_blob_free(blob);
	git_tree_entry_free(entry);
	return error;
}

/* The commit dir holds per its marker, or "" when unknown. */
static void source_git_marker_read(char hex[GIT_OID_HEXSZ + 1],
				   const char *marker)
{
	struct buf b = BUF_INIT(GIT_OID_HEXSZ + 2);
	git_oid oid;

	hex[0] = '\0';
	if (buf_read_file(&b, marker) == 0 && b.len >= GIT_OID_HEXSZ &&
	    git_oid_fromstrn(&oid, b.data, GIT_OID_HEXSZ) == 0)
		git_oid_tostr(hex, GIT_OID_HEXSZ + 1, &oid);
	buf_release(&b);
}

/* Written whole (temp + rename) once the tree matches hex. The temp is a
 * "<dir>.tmp-*" name, so a crash's leftover is cleaned like the others. */
static int source_git_marker_write(const char *marker, const char *dir,
				   const char *hex)
{
	char *tmp = xasprintf("%s.tmp-XXXXXX", dir);
	char line[GIT_OID_HEXSZ + 2];
	int fd = mkstemp(tmp), error = -1;
	size_t n = (size_t)snprintf(line, sizeof(line), "%s\n", hex);

	if (fd < 0) {
		error = err_set_errno(MOOR_EIO, "cannot create '%s'", marker);
		free(tmp);
		return error;
	}
	if (write(fd, line, n) != (ssize_t)n) {
		error = err_set_errno(MOOR_EIO, "cannot write '%s'", marker);
		close(fd);
		goto cleanup;
	}
	if (close(fd) < 0) {
		error = err_set_errno(MOOR_EIO, "cannot write '%s'", marker);
		goto cleanup;
	}
	if (rename(tmp, marker) < 0) {
		error = err_set_errno(MOOR_EIO, "cannot rename '%s' to '%s'",
				      tmp, marker);
		goto cleanup;
	}
	error = 0;
cleanup:
	if (error < 0)
		unlink(tmp);
	free(tmp);
	return error;
}

int source_git_materialize(struct source_git *g, const char *dir)
{
	char *marker = NULL, *parent = NULL;
	char held[GIT_OID_HEXSZ + 1];
	git_commit *commit = NULL;
	git_tree *old = NULL;
	git_oid oid;
	struct stat st;
	bool isdir;
	int error = -1;

	if (!g->tree)
		return err_set(MOOR_ENOTFOUND, "'%s' has no fetched commit",
			       g->url);
	marker = xasprintf("%s.commit", dir);
	source_git_marker_read(held, marker);
	isdir = lstat(dir, &st) == 0 && S_ISDIR(st.st_mode);
	if (isdir && !strcmp(held, g->commit_hex)) {
		error = 0;
		goto done;
	}
	source_git_clean_temps(dir);
	/* What the tree holds, for an incremental update; unknown (no
	 * marker, or its commit gone from the clone): a full pass. */
	if (isdir && held[0] && git_oid_fromstr(&oid, held) == 0 &&
	    git_commit_lookup(&commit, g->repo, &oid) == 0 &&
	    git_commit_tree(&old, commit) < 0)
		old = NULL;
	/* Gone while the update runs: a crash midway means a full pass. */
	if (unlink(marker) < 0 && errno != ENOENT) {
		error = err_set_errno(MOOR_EIO, "cannot remove '%s'", marker);
		goto cleanup;
	}
	if (!isdir) {
		parent = path_dirname(dir);
		if ((error = source_git_rmtree(dir)) < 0)
			goto cleanup;
		if ((mkdir(parent, 0700) < 0 && errno != EEXIST) ||
		    mkdir(dir, 0700) < 0) {
			error =
			    err_set_errno(MOOR_EIO, "cannot create '%s'", dir);
			goto cleanup;
		}
	}
	if ((error = source_git_sync_tree(g->repo, old, g->tree, dir)) < 0 ||
	    (error = source_git_marker_write(marker, dir, g->commit_hex)) < 0)
		goto cleanup;
done:
	free(g->materialized_dir);
	g->materialized_dir = xstrdup(dir);
	memcpy(g->materialized_hex, g->commit_hex, sizeof(g->commit_hex));
	error = 0;
cleanup:
	git_tree_free(old);
	git_commit_free(commit);
	free(parent);
	free(marker);
	return error;
}

void source_git_free(struct source_git *g)
{
	if (!g)
		return;
	source_git_close(g);
	free(g->url);
	free(g->branch);
	free(g->cache_dir);
	free(g->username);
	free(g->password_file);
	free(g->ssh_key_file);
	free(g->known_hosts_file);
	free(g->ca_file);
	free(g->allowed_signers_file);
	free(g->refname);
	free(g->refspec);
	free(g->ssh_host);
	free(g->describe);
	free(g->materialized_dir);
	free(g);
	git_libgit2_shutdown();
}
