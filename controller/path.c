/* path.c - lexical path helpers (see path.h). */
#include "path.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "xalloc.h"

#include "banned.h"

bool path_is_abs(const char *p)
{
	return p[0] == '/';
}

char *path_clean(const char *p)
{
	size_t n = strlen(p);
	bool rooted = path_is_abs(p);
	char *out = xmalloc(n + 2);
	size_t w = 0, r = 0, dotdot = 0;

	/* w: write position; dotdot: how far ".." may backtrack. */
	if (rooted) {
		out[w++] = '/';
		r = 1;
		dotdot = 1;
	}
	while (r < n) {
		if (p[r] == '/') {
			r++;
		} else if (p[r] == '.' && (r + 1 == n || p[r + 1] == '/')) {
			r++;
		} else if (p[r] == '.' && p[r + 1] == '.' &&
			   (r + 2 == n || p[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				/* Drop the last element. */
				w--;
				while (w > dotdot && out[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					out[w++] = '/';
				out[w++] = '.';
				out[w++] = '.';
				dotdot = w;
			}
		} else {
			if ((rooted && w != 1) || (!rooted && w != 0))
				out[w++] = '/';
			for (; r < n && p[r] != '/'; r++)
				out[w++] = p[r];
		}
	}
	if (w == 0)
		out[w++] = '.';
	out[w] = '\0';
	return out;
}

char *path_join(const char *dir, const char *rel)
{
	char *tmp, *out;

	if (path_is_abs(rel) || !*dir)
		return path_clean(rel);
	if (!*rel)
		return path_clean(dir);
	tmp = xasprintf("%s/%s", dir, rel);
	out = path_clean(tmp);
	free(tmp);
	return out;
}

char *path_dirname(const char *p)
{
	const char *slash = strrchr(p, '/');
	char *tmp, *out;

	if (!slash)
		return xstrdup(".");
	if (slash == p)
		return xstrdup("/");
	tmp = xstrndup(p, (size_t)(slash - p));
	out = path_clean(tmp);
	free(tmp);
	return out;
}

char *path_basename(const char *p)
{
	char *clean = path_clean(p);
	const char *slash = strrchr(clean, '/');
	char *out;

	if (!slash || !slash[1]) {
		/* "/" or a single element. */
		return clean;
	}
	out = xstrdup(slash + 1);
	free(clean);
	return out;
}

int path_absolute(char **out, const char *p)
{
	char cwd[PATH_MAX];

	if (path_is_abs(p)) {
		*out = path_clean(p);
		return 0;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		return err_set_errno(MOOR_EIO,
				     "cannot get the current directory");
	*out = path_join(cwd, p);
	return 0;
}
