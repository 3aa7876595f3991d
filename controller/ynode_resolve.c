/*
 * ynode_resolve.c - the type of a plain scalar, as Compose's YAML library
 * (go-yaml v3) decides it.
 *
 * go-yaml v3 keeps some YAML 1.1 habits, and Compose files depend on
 * them (`mode: 0440` is octal), so this follows go-yaml rather than the
 * letter of the 1.2 core schema:
 *  - null: "", ~, null, Null, NULL; bool: true/false in three casings;
 *  - .inf/.nan forms (with +/- for inf) are floats;
 *  - otherwise, when the text starts with a digit or a sign, underscores
 *    are dropped and it is an int if Go's ParseInt(s, 0, 64) accepts it:
 *    decimal, 0x, 0o, 0b, and a leading 0 meaning octal ("0755");
 *  - else a float if it matches [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)
 *    ([eE][-+]?[0-9]+)? and does not overflow ("08" is the float 8);
 *  - text starting with '.' is a float if it reads as one (".5");
 *  - everything else is a string.
 * Differences: values only a uint64 can hold stay strings (no such type
 * here); timestamps stay strings (go-yaml makes time.Time of them).
 */
#include "ynode.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"
#include "banned.h"

static bool is_one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return 99;
}

/*
 * Go's strconv.ParseInt(s, 0, 64), underscores already removed: 1 when it
 * accepts s, 2 when only ParseUint(s, 0, 64) would, 0 otherwise.
 */
static int parse_int(const char *s, long long *out)
{
	unsigned long long mag = 0, limit = ULLONG_MAX;
	unsigned base = 10;
	bool neg = false;
	int d;

	if (*s == '+' || *s == '-') {
		neg = *s == '-';
		limit = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
		s++;
	}
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	} else if (s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
		base = 8;
		s += 2;
	} else if (s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
		base = 2;
		s += 2;
	} else if (s[0] == '0' && s[1]) {
		base = 8;
		s++;
	}
	if (!*s)
		return 0;
	for (; *s; s++) {
		d = digit_value(*s);
		if (d >= (int)base)
			return 0;
		if (mag > (limit - (unsigned)d) / base)
			return 0;
		mag = mag * base + (unsigned)d;
	}
	if (!neg && mag > (unsigned long long)LLONG_MAX)
		return 2;
	if (neg)
		*out = mag == (unsigned long long)LLONG_MAX + 1
			   ? LLONG_MIN
			   : -(long long)mag;
	else
		*out = (long long)mag;
	return 1;
}

static bool all_digits(const char **s)
{
	const char *p = *s;

	while (**s >= '0' && **s <= '9')
		(*s)++;
	return *s > p;
}

/* go-yaml's yamlStyleFloat pattern, anchored at both ends. */
static bool float_syntax(const char *s)
{
	if (*s == '+' || *s == '-')
		s++;
	if (*s == '.') {
		s++;
		if (!all_digits(&s))
			return false;
	} else {
		if (!all_digits(&s))
			return false;
		if (*s == '.') {
			s++;
			all_digits(&s);
		}
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!all_digits(&s))
			return false;
	}
	return !*s;
}

/* Go's ParseFloat fails on overflow; underflow to 0 is fine. */
static bool parse_float(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (*end || (errno == ERANGE && isinf(v)))
		return false;
	*out = v;
	return true;
}

static void resolve_number(struct ynode *n)
{
	char small[64], *plain = small;
	const char *p;
	size_t j = 0;
	long long i;
	double f;
	int r;

	if (n->text_len >= sizeof(small))
		plain = xmalloc(n->text_len + 1);
	for (p = n->text; *p; p++)
		if (*p != '_')
			plain[j++] = *p;
	plain[j] = '\0';
	r = parse_int(plain, &i);
	if (r == 1) {
		n->kind = YNODE_INT;
		n->u.i = i;
	} else if (r == 0 && float_syntax(plain) && parse_float(plain, &f)) {
		n->kind = YNODE_FLOAT;
		n->u.f = f;
	}
	if (plain != small)
		free(plain);
}

void ynode_resolve_plain(struct ynode *n)
{
	static const char *const nulls[] = {"",	    "~",    "null",
					    "Null", "NULL", NULL};
	static const char *const trues[] = {"true", "True", "TRUE", NULL};
	static const char *const falses[] = {"false", "False", "FALSE", NULL};
	static const char *const nans[] = {".nan", ".NaN", ".NAN", NULL};
	static const char *const infs[] = {".inf",  ".Inf",  ".INF", "+.inf",
					   "+.Inf", "+.INF", NULL};
	static const char *const neginfs[] = {"-.inf", "-.Inf", "-.INF", NULL};
	const char *s = n->text;
	double f;

	if (!ynode_is_scalar(n))
		return;
	n->kind = YNODE_STR;
	memset(&n->u, 0, sizeof(n->u));
	if (is_one_of(s, nulls)) {
		n->kind = YNODE_NULL;
	} else if (is_one_of(s, trues) || is_one_of(s, falses)) {
		n->kind = YNODE_BOOL;
		n->u.b = s[0] == 't' || s[0] == 'T';
	} else if (is_one_of(s, nans)) {
		n->kind = YNODE_FLOAT;
		n->u.f = NAN;
	} else if (is_one_of(s, infs) || is_one_of(s, neginfs)) {
		n->kind = YNODE_FLOAT;
		n->u.f = s[0] == '-' ? -INFINITY : INFINITY;
	} else if (s[0] == '.') {
		/* go-yaml hands these to ParseFloat without its pattern;
		 * for text starting with '.', the pattern is what it accepts. */
		if (float_syntax(s) && parse_float(s, &f)) {
			n->kind = YNODE_FLOAT;
			n->u.f = f;
		}
	} else if ((s[0] >= '0' && s[0] <= '9') || s[0] == '+' || s[0] == '-') {
		resolve_number(n);
	}
}
