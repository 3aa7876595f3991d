/*
 * policy.h - policy as code (DESIGN 4.2 `mooring/policies/<name>.yaml`): the
 * rules that say who owns a field, which domain it is in, which
 * divergences may be healed automatically, how old a finding may grow,
 * which desired states violate policy on their own, and which emergency
 * windows are open.
 *
 * Sources, in order of precedence: the infra repo's mooring/policies/
 * (every *.yaml file, sorted by name), then the defaults shipped in the
 * project's policies/ (MOORING_POLICY_DIR, compiled in; overridable with
 * the MOORING_POLICY_DIR environment variable for tests). For the ordered
 * lists (domains, auto_heal, budgets, checks) the first matching entry
 * wins, so a repo entry overrides a default one; ownership rules and
 * exceptions are a union (any matching one applies); `flapping` is taken
 * from the first file that sets it.
 *
 * One file may hold any of these top-level keys:
 *
 *   ownership:            # fields git does not own
 *     - path: /services/ * /deploy/replicas  # pattern, see policy_path_match
 *       unit: api           # glob (fnmatch), default "*"
 *       service: worker     # glob, default "*"
 *       owner: autoscaler   # who owns it instead (required)
 *       reason: "..."       # required
 *       expires: 2026-12-31 # optional; RFC 3339 time or date (UTC)
 *   domains:              # the domain of a path, before the built-in table
 *     - path: /services/ * /labels/traefik.*
 *       domain: metadata    # image identity network capacity secret
 *                           # storage runtime metadata
 *   exceptions:           # emergency windows
 *     - incident: INC-123   # required
 *       unit: api           # required (a name, not a glob)
 *       services: [api]     # optional, default all
 *       fields: [/services/api/mem_limit]  # patterns, default all
 *       expires: 2026-11-23T06:00:00Z      # required
 *       reason: "..."       # optional
 *   auto_heal:            # what may happen to a finding without a human
 *     - class: unauthorized          # optional: a class or a list
 *       domain: [metadata, runtime]  # optional: a domain or a list
 *       tier: [low, standard]        # optional: risk tiers
 *       unit: "*"                    # optional glob
 *       mode: revert                 # off | report | revert (required)
 *       allow_paths: [...]           # optional: only these may be reverted
 *       deny_paths: [...]            # optional: never these
 *       max_objects: 3               # containers per pass, default 5
 *       require_healthy: true        # default true
 *   budgets:              # maximum age of an open finding
 *     - domain: capacity             # and/or class:
 *       max_age: 24h
 *   flapping:             # auto-heal suspension
 *     max_reverts: 3                 # reverts of one field ...
 *     window: 1h                     # ... within this window
 *   checks:               # desired-state policy (no runtime change needed)
 *     - check: mutable_tag           # mutable_tag | privileged |
 *                                    # docker_socket | host_network
 *       unit: "*"                    # globs, default "*"
 *       service: "*"
 *       mode: report                 # report | off
 *       reason: "..."                # optional (why a service is exempt)
 *
 * A key not listed above, a wrong type, an unknown class, domain, tier,
 * mode or check, a missing required field, a bad duration or time, or a
 * bad pattern is an error reported with file:line:col (log_errorx as it
 * is found, then MOOR_EINVAL "N errors in 'policies'"), like units.yaml.
 * As there, top-level keys starting with "x-" are left alone (anchors);
 * an empty file, or a list key with no value, holds no rules. A file
 * that is not YAML fails the load at once with its own position.
 *
 * Values: classes are those of DESIGN 4.4 (unauthorized, emergency,
 * controller_owned, dependency, failed_reconciliation, policy, unmanaged,
 * missing); tiers are the units' risk tiers (critical, high, standard,
 * low), not a finding's risk; an exception's services are exact names;
 * max_objects is 1 to 1000; a check with no matching entry is off; a
 * budget with neither domain nor class applies to every finding.
 *
 * Narrow rules for dangerous fields: an ownership or domain rule whose
 * pattern would match an image, identity, network or command field
 * through a wildcard ("/services/api/ *", "/services/ * / **") is an
 * error; such a field must be named by its key ("/services/ * /image" is
 * accepted: the wildcard is only in the service segment). The keys
 * concerned: every key finding.c puts in the image, identity or network
 * domain (image, pull_policy, user, privileged, cap_add, userns_mode,
 * hostname, dns, extra_hosts, ports, networks, ...: finding_guarded_key),
 * and command, entrypoint, volumes.
 * A pattern that can match a whole service or /services itself (which
 * hold those fields) is refused too ("/services/ *", "/services/api").
 *
 * Expiry: a rule or exception whose time has passed no longer matches;
 * policy_expired() lists them so that they can be reported.
 *
 * Pure: no I/O except policy_load() reading the files it is given.
 */
#ifndef MOORING_POLICY_H
#define MOORING_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "source.h"
#include "ynode.h" /* struct ymark: file names interned (ymark_intern) */

#ifndef MOORING_POLICY_DIR
#define MOORING_POLICY_DIR "/usr/share/mooring/policies"
#endif
#define POLICY_REPO_DIR "mooring/policies"

enum policy_mode {
	POLICY_MODE_OFF,
	POLICY_MODE_REPORT,
	POLICY_MODE_REVERT,
};

struct policy_ownership {
	char *path, *unit, *service, *owner, *reason;
	time_t expires; /* 0: never */
	struct ymark mark;
};

struct policy_exception {
	char *incident, *unit, *reason;
	char **services; /* NULL: all */
	size_t nservices;
	char **fields; /* patterns; NULL: all */
	size_t nfields;
	time_t expires;
	/* "repo" for a file entry, "cli" for one added by `mooring
	 * exception add` (policy_add_exception). */
	const char *origin;
	struct ymark mark; /* file entries only */
};

struct policy_auto_heal {
	char **classes, **domains, **tiers; /* NULL: any */
	size_t nclasses, ndomains, ntiers;
	char *unit; /* glob; NULL: any */
	enum policy_mode mode;
	char **allow_paths, **deny_paths;
	size_t nallow, ndeny;
	int max_objects;
	bool require_healthy;
	struct ymark mark;
};

struct policy_budget {
	char *domain, *klass; /* NULL: any */
	long long max_age_ms;
	struct ymark mark;
};

struct policy_check {
	char *check, *unit, *service, *reason;
	enum policy_mode mode; /* REPORT or OFF */
	struct ymark mark;
};

struct policy_domain {
	char *path, *domain;
	struct ymark mark;
};

struct policy {
	struct policy_ownership *ownership;
	size_t nownership;
	struct policy_domain *domains;
	size_t ndomains;
	struct policy_exception *exceptions;
	size_t nexceptions;
	struct policy_auto_heal *auto_heal;
	size_t nauto_heal;
	struct policy_budget *budgets;
	size_t nbudgets;
	struct policy_check *checks;
	size_t nchecks;
	int flap_max_reverts;	  /* default 3 */
	long long flap_window_ms; /* default 1 h */
};

/*
 * Load the repo's POLICY_REPO_DIR files from src (none is fine; src NULL:
 * defaults only), then the default files from the default directory
 * (MOORING_POLICY_DIR or the environment variable of that name; a missing
 * default directory is an error: the defaults are part of the install).
 * Only *.yaml and *.yml files are read (not hidden ones), sorted by name;
 * repo files through source_read(), so they cannot reach outside the
 * tree. Marks name repo files "mooring/policies/<name>", defaults by
 * their full path. *out is set only on success.
 */
int policy_load(struct policy *out, struct source *src);
/* Load from explicit files (tests, fuzzing): repo files first. */
int policy_load_files(struct policy *out, const char *const *paths, size_t n);
void policy_release(struct policy *p);

/*
 * A path pattern against a canonical-model path (JSON pointer, "~1" for
 * "/" in a key). Segments are compared one by one with fnmatch(3) (no
 * FNM_PATHNAME needed: a segment holds no "/"); a "**" segment matches
 * zero or more segments. The pattern must start with "/". "~1" and "~0"
 * are decoded in both before comparing, so "a~1*" matches the key "a/b"
 * and "*" matches any one key, a "/" in it or not.
 */
bool policy_path_match(const char *pattern, const char *path);
/* Why pattern is not a valid path pattern (a static string: no leading
 * "/", an empty segment, "**" not alone in its segment, "~" not followed
 * by 0 or 1, an unterminated "[", a trailing "\\"), or NULL: valid. */
const char *policy_pattern_invalid(const char *pattern);
/* For an ownership rule: a dangerous service key (see above) that a valid
 * pattern covers without naming it, or NULL: narrow enough. */
const char *policy_pattern_too_broad(const char *pattern);

/* The ownership rule covering (unit, service, path) at now; NULL: git
 * owns it. */
const struct policy_ownership *policy_owner(const struct policy *p,
					    const char *unit,
					    const char *service,
					    const char *path, time_t now);
/* The policy's domain for path (first match), or NULL: use the built-in
 * table (finding_domain). */
const char *policy_domain(const struct policy *p, const char *path);
/* The open exception covering (unit, service, path) at now, or NULL. */
const struct policy_exception *policy_exception(const struct policy *p,
						const char *unit,
						const char *service,
						const char *path, time_t now);
/* The exception that covered (unit, service, path) but expired at or
 * before now (the latest such), or NULL: "overdue" reporting. */
const struct policy_exception *
policy_exception_expired(const struct policy *p, const char *unit,
			 const char *service, const char *path, time_t now);
/* The first auto_heal rule for (class, domain, tier, unit); never NULL
 * when the defaults are loaded (they end with a catch-all); NULL if none
 * matches. A NULL argument matches only a rule that does not filter on
 * it. tier is the unit's risk_tier. */
const struct policy_auto_heal *
policy_auto_heal(const struct policy *p, const char *klass, const char *domain,
		 const char *tier, const char *unit);
/* May path be reverted under rule r (allow_paths/deny_paths)? */
bool policy_auto_heal_path_allowed(const struct policy_auto_heal *r,
				   const char *path);
/* The budget for (domain, class) in ms, or -1: none. */
long long policy_budget_ms(const struct policy *p, const char *domain,
			   const char *klass);
/* Is the desired-state check on for (unit, service)? The first entry
 * for the check whose globs match decides; none: off. */
bool policy_check_on(const struct policy *p, const char *check,
		     const char *unit, const char *service);

/* Rules and exceptions that expired at or before now: log-ready lines
 * ("mooring/policies/x.yaml:12:5: ownership rule for '/services/...'
 * expired 2026-11-20T00:00:00Z"), new strings in *out (free each and the
 * array). Returns the count. */
size_t policy_expired(char ***out, const struct policy *p, time_t now);

/* Append an exception that did not come from a file (`mooring exception
 * add`, kept in the state dir): copies every string; origin becomes "cli"
 * unless e->origin is "repo" (origin is always a static string). */
void policy_add_exception(struct policy *p, const struct policy_exception *e);

/* "30s", "5m", "1h30m", "2d" -> ms; -1 when malformed. Parts are
 * <digits><unit> with unit ms, s, m, h, d or w; no sign, no fraction, no
 * space; at most 100 years. "0s" is 0 (the loader wants more). */
long long policy_parse_duration(const char *s);
/* RFC 3339 "2026-11-23T06:00:00Z" (or with an offset, or fractional
 * seconds, which are dropped) or a date "2026-11-23" (midnight UTC) ->
 * time_t; -1 when malformed or before 1970. */
time_t policy_parse_time(const char *s);

const char *policy_mode_name(enum policy_mode m);

#endif
