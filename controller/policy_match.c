/*
 * policy_match.c - the questions asked of a loaded policy (policy.h):
 * path patterns, the narrow-rule check, who owns a field, which domain,
 * exception, auto-heal rule, budget and check apply, what expired; and
 * the duration and time spellings policy files use.
 *
 * Nothing here does I/O or keeps state: the loader (policy.c) validates
 * every pattern with policy_pattern_invalid() first, so matching never
 * meets a malformed one from a file (and treats one it is handed as
 * matching nothing).
 */
#include "policy.h"

#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "finding.h"
#include "xalloc.h"

#include "banned.h"

#define POLICY_NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- JSON pointers as segments -------------------------------------- */

/* A pointer or pattern cut into unescaped segments ("~1" is "/", "~0" is
 * "~"); the strings point into one copy. */
struct policy_segs {
	char *copy;
	char **items;
	size_t n;
};

static void policy_unescape(char *s)
{
	char *w = s;

	for (const char *r = s; *r; r++) {
		if (r[0] == '~' && r[1] == '1') {
			*w++ = '/';
			r++;
		} else if (r[0] == '~' && r[1] == '0') {
			*w++ = '~';
			r++;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

/* s must be "" (no segment) or start with "/". */
static void policy_split(struct policy_segs *out, const char *s)
{
	size_t n = 0;
	char *seg;

	memset(out, 0, sizeof(*out));
	if (!*s)
		return;
	for (const char *p = s; *p; p++)
		n += *p == '/';
	out->copy = xstrdup(s + 1);
	out->items = xcalloc(n, sizeof(*out->items));
	seg = out->copy;
	for (;;) {
		char *slash = strchr(seg, '/');

		if (slash)
			*slash = '\0';
		policy_unescape(seg);
		out->items[out->n++] = seg;
		if (!slash)
			break;
		seg = slash + 1;
	}
}

static void policy_segs_release(struct policy_segs *s)
{
	free(s->items);
	free(s->copy);
}

static bool policy_is_globstar(const char *seg)
{
	return seg[0] == '*' && seg[1] == '*' && seg[2] == '\0';
}

/*
 * Segments against segments, "**" matching any run of them: the usual
 * wildcard walk, backtracking only to the last "**" (each other segment
 * matches exactly one segment, so that is enough).
 */
static bool policy_match_segs(const struct policy_segs *pat,
			      const struct policy_segs *path)
{
	size_t pi = 0, si = 0, star = SIZE_MAX, star_si = 0;

	while (si < path->n) {
		if (pi < pat->n && policy_is_globstar(pat->items[pi])) {
			star = pi++;
			star_si = si;
		} else if (pi < pat->n &&
			   fnmatch(pat->items[pi], path->items[si], 0) == 0) {
			pi++;
			si++;
		} else if (star != SIZE_MAX) {
			pi = star + 1;
			si = ++star_si;
		} else {
			return false;
		}
	}
	while (pi < pat->n && policy_is_globstar(pat->items[pi]))
		pi++;
	return pi == pat->n;
}

bool policy_path_match(const char *pattern, const char *path)
{
	struct policy_segs pat, p;
	bool ok;

	if (!pattern || !path || pattern[0] != '/' ||
	    (path[0] && path[0] != '/'))
		return false;
	policy_split(&pat, pattern);
	policy_split(&p, path);
	ok = policy_match_segs(&pat, &p);
	policy_segs_release(&p);
	policy_segs_release(&pat);
	return ok;
}

/* Does the bracket expression opening at s ("[...") close? */
static bool policy_bracket_closes(const char *s)
{
	const char *p = s + 1;

	if (*p == '!' || *p == '^')
		p++;
	if (*p == ']')
		p++;
	for (; *p && *p != '/'; p++)
		if (*p == ']')
			return true;
	return false;
}

const char *policy_pattern_invalid(const char *pattern)
{
	const char *seg = pattern + 1;

	if (pattern[0] != '/')
		return "it must start with '/'";
	for (;;) {
		size_t len = strcspn(seg, "/");

		if (len == 0)
			return "it has an empty segment";
		for (size_t i = 0; i < len; i++) {
			if (len != 2 && seg[i] == '*' && seg[i + 1] == '*')
				return "'**' must be a segment of its own";
			if (seg[i] == '~' && seg[i + 1] != '0' &&
			    seg[i + 1] != '1')
				return "'~' must be followed by 0 or 1 (~0 "
				       "for '~', ~1 for '/')";
			if (seg[i] == '\\' && i + 1 == len)
				return "a segment ends with '\\'";
			if (seg[i] == '\\')
				i++;
			else if (seg[i] == '[' &&
				 !policy_bracket_closes(seg + i))
				return "'[' is not closed";
		}
		if (!seg[len])
			return NULL;
		seg += len + 1;
	}
}

/*
 * The paths an ownership rule could cover, seen from the dangerous keys:
 * /services/<any>/<key>/<anything>. The rule is too broad when it can
 * reach such a path with the key segment matched by anything other than
 * the key's own name (a glob, or a "**", which can always stretch over
 * it), or when it can end before the key (a whole service, /services).
 */
const char *policy_pattern_too_broad(const char *pattern)
{
	const char *covered = finding_guarded_key(0);
	struct policy_segs s;

	if (pattern[0] != '/')
		return NULL;
	policy_split(&s, pattern);
	if (s.n == 0 || policy_is_globstar(s.items[0]))
		goto cleanup;
	if (fnmatch(s.items[0], "services", 0) != 0) {
		covered = NULL;
		goto cleanup;
	}
	if (s.n < 3 || policy_is_globstar(s.items[1]) ||
	    policy_is_globstar(s.items[2]))
		goto cleanup;
	covered = NULL;
	for (size_t i = 0; finding_guarded_key(i); i++) {
		const char *key = finding_guarded_key(i);

		if (fnmatch(s.items[2], key, 0) == 0 &&
		    strcmp(s.items[2], key)) {
			covered = key;
			break;
		}
	}
cleanup:
	policy_segs_release(&s);
	return covered;
}

/* ---- queries --------------------------------------------------------- */

static bool policy_glob(const char *glob, const char *name)
{
	return !glob || fnmatch(glob, name ? name : "", 0) == 0;
}

/* Is s in list (NULL list: anything)? */
static bool policy_listed(char *const *list, size_t n, const char *s)
{
	if (!list)
		return true;
	for (size_t i = 0; s && i < n; i++)
		if (!strcmp(list[i], s))
			return true;
	return false;
}

/* Does path match one of the patterns (NULL list: anything)? */
static bool policy_any_path(char *const *list, size_t n, const char *path)
{
	if (!list)
		return true;
	for (size_t i = 0; path && i < n; i++)
		if (policy_path_match(list[i], path))
			return true;
	return false;
}

static bool policy_is_expired(time_t expires, time_t now)
{
	return expires != 0 && expires <= now;
}

const struct policy_ownership *policy_owner(const struct policy *p,
					    const char *unit,
					    const char *service,
					    const char *path, time_t now)
{
	for (size_t i = 0; i < p->nownership; i++) {
		const struct policy_ownership *o = &p->ownership[i];

		if (!policy_is_expired(o->expires, now) &&
		    policy_glob(o->unit, unit) &&
		    policy_glob(o->service, service) && path &&
		    policy_path_match(o->path, path))
			return o;
	}
	return NULL;
}

const char *policy_domain(const struct policy *p, const char *path)
{
	for (size_t i = 0; path && i < p->ndomains; i++)
		if (policy_path_match(p->domains[i].path, path))
			return p->domains[i].domain;
	return NULL;
}

/* Does e cover (unit, service, path), whatever its time? */
static bool policy_exception_covers(const struct policy_exception *e,
				    const char *unit, const char *service,
				    const char *path)
{
	return unit && !strcmp(e->unit, unit) &&
	       policy_listed(e->services, e->nservices, service) &&
	       policy_any_path(e->fields, e->nfields, path);
}

const struct policy_exception *policy_exception(const struct policy *p,
						const char *unit,
						const char *service,
						const char *path, time_t now)
{
	for (size_t i = 0; i < p->nexceptions; i++) {
		const struct policy_exception *e = &p->exceptions[i];

		if (e->expires > now &&
		    policy_exception_covers(e, unit, service, path))
			return e;
	}
	return NULL;
}

const struct policy_exception *
policy_exception_expired(const struct policy *p, const char *unit,
			 const char *service, const char *path, time_t now)
{
	const struct policy_exception *latest = NULL;

	for (size_t i = 0; i < p->nexceptions; i++) {
		const struct policy_exception *e = &p->exceptions[i];

		if (e->expires <= now &&
		    policy_exception_covers(e, unit, service, path) &&
		    (!latest || e->expires > latest->expires))
			latest = e;
	}
	return latest;
}

const struct policy_auto_heal *
policy_auto_heal(const struct policy *p, const char *klass, const char *domain,
		 const char *tier, const char *unit)
{
	for (size_t i = 0; i < p->nauto_heal; i++) {
		const struct policy_auto_heal *r = &p->auto_heal[i];

		if (policy_listed(r->classes, r->nclasses, klass) &&
		    policy_listed(r->domains, r->ndomains, domain) &&
		    policy_listed(r->tiers, r->ntiers, tier) &&
		    (!r->unit || (unit && policy_glob(r->unit, unit))))
			return r;
	}
	return NULL;
}

bool policy_auto_heal_path_allowed(const struct policy_auto_heal *r,
				   const char *path)
{
	if (!r || !path)
		return false;
	for (size_t i = 0; i < r->ndeny; i++)
		if (policy_path_match(r->deny_paths[i], path))
			return false;
	return policy_any_path(r->allow_paths, r->nallow, path);
}

long long policy_budget_ms(const struct policy *p, const char *domain,
			   const char *klass)
{
	for (size_t i = 0; i < p->nbudgets; i++) {
		const struct policy_budget *b = &p->budgets[i];

		if ((!b->domain || (domain && !strcmp(b->domain, domain))) &&
		    (!b->klass || (klass && !strcmp(b->klass, klass))))
			return b->max_age_ms;
	}
	return -1;
}

bool policy_check_on(const struct policy *p, const char *check,
		     const char *unit, const char *service)
{
	for (size_t i = 0; check && i < p->nchecks; i++) {
		const struct policy_check *c = &p->checks[i];

		if (!strcmp(c->check, check) && policy_glob(c->unit, unit) &&
		    policy_glob(c->service, service))
			return c->mode == POLICY_MODE_REPORT;
	}
	return false;
}

/* ---- expiry ---------------------------------------------------------- */

static void policy_format_time(char out[32], time_t t)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (!gmtime_r(&t, &tm) || !strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, 32, "@%lld", (long long)t);
}

/* "file:line:col: " for a mark with a position, else "". */
static char *policy_mark_prefix(const struct ymark *m)
{
	if (!m->file || !m->line)
		return xstrdup("");
	return xasprintf("%s:%u:%u: ", m->file, m->line, m->col);
}

size_t policy_expired(char ***out, const struct policy *p, time_t now)
{
	char **lines =
	    xcalloc(p->nownership + p->nexceptions + 1, sizeof(*lines));
	char when[32];
	size_t n = 0;

	for (size_t i = 0; i < p->nownership; i++) {
		const struct policy_ownership *o = &p->ownership[i];
		char *at;

		if (!policy_is_expired(o->expires, now))
			continue;
		at = policy_mark_prefix(&o->mark);
		policy_format_time(when, o->expires);
		lines[n++] = xasprintf("%sownership rule for '%s' (owner "
				       "'%s') expired %s",
				       at, o->path, o->owner, when);
		free(at);
	}
	for (size_t i = 0; i < p->nexceptions; i++) {
		const struct policy_exception *e = &p->exceptions[i];
		bool cli = e->origin && !strcmp(e->origin, "cli");
		char *at;

		if (e->expires > now)
			continue;
		at = policy_mark_prefix(&e->mark);
		policy_format_time(when, e->expires);
		lines[n++] =
		    xasprintf("%sexception '%s' for unit '%s'%s "
			      "expired %s",
			      at, e->incident, e->unit,
			      cli ? " (mooring exception add)" : "", when);
		free(at);
	}
	if (!n) {
		free(lines);
		lines = NULL;
	}
	*out = lines;
	return n;
}

/* ---- durations and times --------------------------------------------- */

long long policy_parse_duration(const char *s)
{
	static const struct {
		const char *unit;
		long long ms;
	} units[] = {
	    {"ms", 1},
	    {"s", 1000},
	    {"m", 60 * 1000},
	    {"h", 3600 * 1000},
	    {"d", 86400LL * 1000},
	    {"w", 7 * 86400LL * 1000},
	};
	const long long max = 100LL * 366 * 86400 * 1000;
	long long total = 0;

	if (!s || !*s)
		return -1;
	while (*s) {
		long long n = 0, unit = 0;
		size_t i;

		if (*s < '0' || *s > '9')
			return -1;
		for (; *s >= '0' && *s <= '9'; s++) {
			n = n * 10 + (*s - '0');
			if (n > max)
				return -1;
		}
		for (i = 0; i < POLICY_NELEM(units); i++) {
			size_t len = strlen(units[i].unit);

			/* "m" must not take the "m" of "ms". */
			if (!strncmp(s, units[i].unit, len)) {
				unit = units[i].ms;
				s += len;
				break;
			}
		}
		if (!unit || n > (max - total) / unit)
			return -1;
		total += n * unit;
	}
	return total;
}

/* n decimal digits at *s, advancing it; -1 if they are not there. */
static int policy_digits(const char **s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++, (*s)++) {
		if (**s < '0' || **s > '9')
			return -1;
		v = v * 10 + (**s - '0');
	}
	return v;
}

static int policy_days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; H. Hinnant's
 * days_from_civil), so that no time zone is ever consulted. */
static long long policy_days_from_civil(int y, int m, int d)
{
	long long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

time_t policy_parse_time(const char *s)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;
	long long t;

	if (!s)
		return -1;
	y = policy_digits(&s, 4);
	if (y < 0 || *s++ != '-' || (mo = policy_digits(&s, 2)) < 1 ||
	    mo > 12 || *s++ != '-' || (d = policy_digits(&s, 2)) < 1 ||
	    d > policy_days_in_month(y, mo))
		return -1;
	if (*s) {
		int oh, om;

		if (*s != 'T' && *s != 't')
			return -1;
		s++;
		if ((h = policy_digits(&s, 2)) < 0 || h > 23 || *s++ != ':' ||
		    (mi = policy_digits(&s, 2)) < 0 || mi > 59 || *s++ != ':' ||
		    (sec = policy_digits(&s, 2)) < 0 || sec > 60)
			return -1;
		if (*s == '.') {
			if (s[1] < '0' || s[1] > '9')
				return -1;
			for (s++; *s >= '0' && *s <= '9'; s++)
				;
		}
		if ((*s == 'Z' || *s == 'z') && !s[1]) {
			off = 0;
		} else if (*s == '+' || *s == '-') {
			int sign = *s++ == '-' ? -1 : 1;

			if ((oh = policy_digits(&s, 2)) < 0 || oh > 23 ||
			    *s++ != ':' || (om = policy_digits(&s, 2)) < 0 ||
			    om > 59 || *s)
				return -1;
			off = sign * (oh * 3600 + om * 60);
		} else {
			return -1;
		}
	}
	t = policy_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
	    sec - off;
	if (t < 0 || (long long)(time_t)t != t)
		return -1;
	return (time_t)t;
}

const char *policy_mode_name(enum policy_mode m)
{
	switch (m) {
	case POLICY_MODE_OFF:
		return "off";
	case POLICY_MODE_REPORT:
		return "report";
	case POLICY_MODE_REVERT:
		return "revert";
	}
	return "?";
}
