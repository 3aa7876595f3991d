/*
 * norm_units.c - byte sizes, durations and scalar spellings, as Compose
 * reads and writes them.
 *
 * Byte sizes follow docker/go-units RAMInBytes, which compose-go uses:
 * a decimal number (fraction allowed), an optional space, an optional
 * unit k/m/g/t/p (any case) with an optional "i" and "b"; units are
 * binary (1k = 1024) and the product is truncated. "100b" and "100" are
 * 100 bytes. Integers in the YAML are bytes as they are.
 *
 * Durations follow Go's time.ParseDuration ("1m30s", "1.5s", "500ms",
 * "2h", "-1s", "0"), and are written back as time.Duration.String() does
 * ("1m30s", "1h0m0s", "1.5s", "500ms", "0s"), so one duration has one
 * spelling in the canonical model.
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "norm_internal.h"
#include "xalloc.h"
#include "banned.h"

#define NS_US 1000LL
#define NS_MS 1000000LL
#define NS_S  1000000000LL
#define NS_M  (60 * NS_S)
#define NS_H  (60 * NS_M)

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool units_parse_int(const char *s, long long *out)
{
	char *end = NULL;
	long long v;

	if (!s || !*s || (!is_digit(*s) && *s != '-' && *s != '+'))
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

bool units_parse_float(const char *s, double *out)
{
	char *end = NULL;
	double v;

	if (!s || !*s || strchr(s, 'x') || strchr(s, 'X'))
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || isnan(v))
		return false;
	*out = v;
	return true;
}

bool units_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"1",	  "t",	  "T",
					  "TRUE", "true", "True"};
	static const char *const no[] = {"0",	  "f",	   "F",
					 "FALSE", "false", "False"};
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i])) {
			*out = true;
			return true;
		}
		if (!strcmp(s, no[i])) {
			*out = false;
			return true;
		}
	}
	return false;
}

bool units_parse_bytes(const char *s, long long *out)
{
	const char *p = s;
	const char *num_end;
	long long mult = 1;
	double v, total;
	char *end = NULL;

	if (!s || !*s)
		return false;
	/* A plain integer, possibly negative: memswap_limit: "-1" arrives
	 * as a string when it was interpolated. */
	if (units_parse_int(s, out))
		return true;
	if (!is_digit(*p))
		return false;
	while (is_digit(*p))
		p++;
	if (*p == '.') {
		p++;
		if (!is_digit(*p))
			return false;
		while (is_digit(*p))
			p++;
	}
	num_end = p;
	if (*p == ' ')
		p++;
	switch (*p) {
	case 'k':
	case 'K':
		mult = 1LL << 10;
		break;
	case 'm':
	case 'M':
		mult = 1LL << 20;
		break;
	case 'g':
	case 'G':
		mult = 1LL << 30;
		break;
	case 't':
	case 'T':
		mult = 1LL << 40;
		break;
	case 'p':
	case 'P':
		mult = 1LL << 50;
		break;
	default:
		break;
	}
	if (mult != 1)
		p++;
	if (mult != 1 && (*p == 'i' || *p == 'I'))
		p++;
	if (*p == 'b' || *p == 'B')
		p++;
	if (*p)
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || end != num_end)
		return false;
	total = v * (double)mult;
	if (total >= 9223372036854775807.0)
		return false;
	*out = (long long)total;
	return true;
}

int normalize_bytes(long long *out, const struct ynode *n)
{
	long long v = 0;

	if (n->kind == YNODE_INT) {
		*out = n->u.i;
		return 0;
	}
	if (n->kind == YNODE_FLOAT && isfinite(n->u.f) &&
	    fabs(n->u.f) < 9.2e18) {
		*out = (long long)n->u.f;
		return 0;
	}
	if (n->kind == YNODE_STR && units_parse_bytes(n->text, &v)) {
		*out = v;
		return 0;
	}
	return err_set_at(MOOR_EINVAL, n->mark.file, n->mark.line, n->mark.col,
			  "invalid byte size '%s'", n->text ? n->text : "");
}

/* The unit at p (longest match first); its length in *len. */
static long long duration_unit(const char *p, size_t *len)
{
	static const struct {
		const char *name;
		long long ns;
	} units[] = {
	    {"ns", 1},
	    {"us", NS_US},
	    {"\xc2\xb5s", NS_US},
	    {"\xce\xbcs", NS_US},
	    {"ms", NS_MS},
	    {"s", NS_S},
	    {"m", NS_M},
	    {"h", NS_H},
	};
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t l = strlen(units[i].name);

		if (!strncmp(p, units[i].name, l) &&
		    (p[l] == '\0' || is_digit(p[l]) || p[l] == '.')) {
			*len = l;
			return units[i].ns;
		}
	}
	return 0;
}

bool units_parse_duration(const char *s, long long *out_ns)
{
	const char *p = s;
	bool neg = false;
	double total = 0;
	unsigned long long whole = 0;

	if (!s)
		return false;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (!strcmp(p, "0")) {
		*out_ns = 0;
		return true;
	}
	if (!*p)
		return false;
	while (*p) {
		unsigned long long ip = 0;
		double frac = 0, scale = 1;
		bool digits = false;
		long long unit;
		size_t ulen = 0;

		while (is_digit(*p)) {
			if (ip > (ULLONG_MAX - 9) / 10)
				return false;
			ip = ip * 10 + (unsigned)(*p++ - '0');
			digits = true;
		}
		if (*p == '.') {
			p++;
			while (is_digit(*p)) {
				if (scale < 1e18) {
					frac = frac * 10 + (*p - '0');
					scale *= 10;
				}
				p++;
				digits = true;
			}
		}
		if (!digits)
			return false;
		unit = duration_unit(p, &ulen);
		if (!unit)
			return false;
		p += ulen;
		if (ip >
		    (unsigned long long)INT64_MAX / (unsigned long long)unit)
			return false;
		whole += ip * (unsigned long long)unit;
		total += frac * ((double)unit / scale);
		if (whole > (unsigned long long)INT64_MAX)
			return false;
	}
	total += (double)whole;
	if (total > 9223372036854775807.0)
		return false;
	*out_ns = (long long)whole + (long long)(total - (double)whole);
	if (neg)
		*out_ns = -*out_ns;
	return true;
}

int normalize_duration(char **out, const struct ynode *n)
{
	long long ns = 0;

	if (n->kind == YNODE_STR && units_parse_duration(n->text, &ns)) {
		*out = normalize_format_duration(ns);
		return 0;
	}
	return err_set_at(MOOR_EINVAL, n->mark.file, n->mark.line, n->mark.col,
			  "invalid duration '%s'", n->text ? n->text : "");
}

/* Write v/10^prec into the end of buf (before *w) with trailing zeros of
 * the fraction left out, as Go's fmtFrac; returns v/10^prec. */
static unsigned long long fmt_frac(char *buf, size_t *w, unsigned long long v,
				   int prec)
{
	bool print = false;
	int i;

	for (i = 0; i < prec; i++) {
		unsigned digit = (unsigned)(v % 10);

		print = print || digit != 0;
		if (print)
			buf[--*w] = (char)('0' + digit);
		v /= 10;
	}
	if (print)
		buf[--*w] = '.';
	return v;
}

static void fmt_int(char *buf, size_t *w, unsigned long long v)
{
	if (v == 0) {
		buf[--*w] = '0';
		return;
	}
	while (v > 0) {
		buf[--*w] = (char)('0' + v % 10);
		v /= 10;
	}
}

char *normalize_format_duration(long long ns)
{
	char buf[40];
	size_t w = sizeof(buf) - 1;
	unsigned long long u;
	bool neg = ns < 0;

	buf[w] = '\0';
	u = neg ? 0ULL - (unsigned long long)ns : (unsigned long long)ns;
	if (u == 0)
		return xstrdup("0s");
	if (u < (unsigned long long)NS_S) {
		int prec;

		buf[--w] = 's';
		if (u < (unsigned long long)NS_US) {
			prec = 0;
			buf[--w] = 'n';
		} else if (u < (unsigned long long)NS_MS) {
			prec = 3;
			buf[--w] = '\xb5';
			buf[--w] = '\xc2';
		} else {
			prec = 6;
			buf[--w] = 'm';
		}
		u = fmt_frac(buf, &w, u, prec);
		fmt_int(buf, &w, u);
	} else {
		buf[--w] = 's';
		u = fmt_frac(buf, &w, u, 9);
		fmt_int(buf, &w, u % 60);
		u /= 60;
		if (u > 0) {
			buf[--w] = 'm';
			fmt_int(buf, &w, u % 60);
			u /= 60;
			if (u > 0) {
				buf[--w] = 'h';
				fmt_int(buf, &w, u);
			}
		}
	}
	if (neg)
		buf[--w] = '-';
	return xstrdup(buf + w);
}

/* As Go's fmt prints a float64 (%v: shortest 'g'): the fewest digits that
 * read back the same, in exponent form below 1e-4 and from 1e6 on. */
static char *format_float(double f)
{
	char tmp[64];
	int prec, exp;
	char *e;

	if (isnan(f))
		return xstrdup("NaN");
	if (isinf(f))
		return xstrdup(f > 0 ? "+Inf" : "-Inf");
	if (f == 0)
		return xstrdup(signbit(f) ? "-0" : "0");
	for (prec = 0; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec, f);
		if (strtod(tmp, NULL) == f)
			break;
	}
	e = strchr(tmp, 'e');
	exp = e ? (int)strtol(e + 1, NULL, 10) : 0;
	if (exp < -4 || exp >= 6)
		return xstrdup(tmp);
	snprintf(tmp, sizeof(tmp), "%.*f", prec - exp > 0 ? prec - exp : 0, f);
	return xstrdup(tmp);
}

char *units_scalar_text(const struct ynode *n)
{
	switch (n->kind) {
	case YNODE_NULL:
		return xstrdup("");
	case YNODE_BOOL:
		return xstrdup(n->u.b ? "true" : "false");
	case YNODE_INT:
		return xasprintf("%lld", n->u.i);
	case YNODE_FLOAT:
		return format_float(n->u.f);
	case YNODE_STR:
		return xstrndup(n->text, n->text_len);
	default:
		return xstrdup("");
	}
}
