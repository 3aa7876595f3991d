/*
 * norm_ports.c - ports to the long form, expose to plain strings, both
 * with ranges expanded to one entry per port.
 *
 * Short syntax, as Docker's nat.ParsePortSpec reads it:
 *   [IP:][HOST:]CONTAINER[/PROTO]   HOST and CONTAINER may be ranges
 *   "3000" "3000-3005" "8000:8000" "9090-9091:8080-8081"
 *   "127.0.0.1:5000-5010:5000-5010" "127.0.0.1::80" "[::1]:80:80"
 *   "6060:6060/udp"
 * A container range needs a host range of the same length (or none); a
 * host range with one container port is kept as published "8000-8010"
 * (Docker picks one port of the range).
 *
 * Each entry: {mode: "ingress", host_ip?, target: int, published:
 * "string"?, protocol: "tcp"|"udp"|"sctp", app_protocol?, name?}.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "norm_internal.h"
#include "xalloc.h"
#include "banned.h"

struct port_range {
	long long start, end;
};

/* "80" or "80-90"; false on anything else or a port out of 0..65535. */
static bool parse_range(const char *s, size_t len, struct port_range *out)
{
	char buf[32];
	const char *dash;
	long long a = 0, b = 0;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	dash = strchr(buf, '-');
	if (dash) {
		buf[dash - buf] = '\0';
		if (!units_parse_int(buf, &a) ||
		    !units_parse_int(dash + 1, &b) || buf[0] == '-' ||
		    buf[0] == '+' || dash[1] == '-' || dash[1] == '+')
			return false;
	} else {
		if (!units_parse_int(buf, &a) || buf[0] == '-' || buf[0] == '+')
			return false;
		b = a;
	}
	if (a < 0 || b > 65535 || a > b)
		return false;
	out->start = a;
	out->end = b;
	return true;
}

static bool valid_protocol(char *proto)
{
	char *p;

	for (p = proto; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return !strcmp(proto, "tcp") || !strcmp(proto, "udp") ||
	       !strcmp(proto, "sctp");
}

static bool valid_ip(const char *ip)
{
	unsigned char addr[16];

	return inet_pton(AF_INET, ip, addr) == 1 ||
	       inet_pton(AF_INET6, ip, addr) == 1;
}

static struct ynode *port_entry(const struct ymark *m, const char *host_ip,
				long long target, const char *published,
				const char *protocol)
{
	struct ynode *e = ynode_new_map(m);

	ynode_map_put(e, "mode", m, ynode_new_str("ingress", m));
	if (host_ip && *host_ip)
		ynode_map_put(e, "host_ip", m, ynode_new_str(host_ip, m));
	ynode_map_put(e, "target", m, ynode_new_int(target, m));
	if (published && *published)
		ynode_map_put(e, "published", m, ynode_new_str(published, m));
	ynode_map_put(e, "protocol", m, ynode_new_str(protocol, m));
	return e;
}

/* Expand one short-syntax port into out. */
static int parse_short_port(struct ynode *out, const struct ynode *item,
			    const char *service)
{
	char *spec = units_scalar_text(item);
	char *proto = NULL, *slash, *ip = NULL;
	const char *host = "", *container;
	struct port_range cr, hr = {0, 0};
	char *colon_last, *colon_prev = NULL;
	bool have_host = false;
	long long i;
	int error = -1;

	slash = strrchr(spec, '/');
	proto = xstrdup(slash ? slash + 1 : "tcp");
	if (slash)
		*slash = '\0';
	if (!valid_protocol(proto)) {
		error = norm_error(item,
				   "invalid protocol '%s' in port '%s' "
				   "of service '%s'",
				   proto, item->text, service);
		goto cleanup;
	}
	colon_last = strrchr(spec, ':');
	container = colon_last ? colon_last + 1 : spec;
	if (colon_last) {
		*colon_last = '\0';
		colon_prev = strrchr(spec, ':');
		if (colon_prev) {
			*colon_prev = '\0';
			ip = xstrdup(spec);
			host = colon_prev + 1;
		} else {
			host = spec;
		}
		have_host = *host != '\0';
	}
	if (ip) {
		size_t l = strlen(ip);

		if (l >= 2 && ip[0] == '[' && ip[l - 1] == ']') {
			memmove(ip, ip + 1, l - 2);
			ip[l - 2] = '\0';
		}
		if (*ip && !valid_ip(ip)) {
			error = norm_error(item,
					   "invalid host ip '%s' in port '%s' "
					   "of service '%s'",
					   ip, item->text, service);
			goto cleanup;
		}
	}
	if (!parse_range(container, strlen(container), &cr) ||
	    (have_host && !parse_range(host, strlen(host), &hr))) {
		error = norm_error(item, "invalid port '%s' in service '%s'",
				   item->text, service);
		goto cleanup;
	}
	if (have_host && cr.end != cr.start &&
	    hr.end - hr.start != cr.end - cr.start) {
		error = norm_error(item,
				   "port ranges of '%s' in service '%s' do "
				   "not have the same length",
				   item->text, service);
		goto cleanup;
	}
	for (i = 0; i <= cr.end - cr.start; i++) {
		char pub[32] = "";

		if (have_host && cr.end == cr.start && hr.end != hr.start)
			snprintf(pub, sizeof(pub), "%lld-%lld", hr.start,
				 hr.end);
		else if (have_host)
			snprintf(pub, sizeof(pub), "%lld", hr.start + i);
		ynode_seq_push(
		    out, port_entry(&item->mark, ip, cr.start + i, pub, proto));
	}
	error = 0;
cleanup:
	free(spec);
	free(proto);
	free(ip);
	return error;
}

static int norm_long_port(struct ynode *p, const char *service)
{
	struct ynode *target = ynode_map_get(p, "target");
	struct ynode *proto = ynode_map_get(p, "protocol");
	size_t i = 0;

	while (i < p->u.map.n) {
		const char *k = p->u.map.items[i].key;

		if ((k[0] == 'x' && k[1] == '-') ||
		    p->u.map.items[i].value->kind == YNODE_NULL)
			ynode_map_del(p, k);
		else
			i++;
	}
	if (!target)
		return norm_error(p,
				  "a port of service '%s' is missing "
				  "'target'",
				  service);
	if (target->u.i < 0 || target->u.i > 65535)
		return norm_error(target, "invalid port '%lld' in service '%s'",
				  target->u.i, service);
	if (!ynode_map_get(p, "mode"))
		ynode_map_put(p, "mode", NULL,
			      ynode_new_str("ingress", &p->mark));
	if (!proto) {
		ynode_map_put(p, "protocol", NULL,
			      ynode_new_str("tcp", &p->mark));
	} else {
		char *s = xstrdup(proto->text);

		if (!valid_protocol(s)) {
			int error = norm_error(proto,
					       "invalid protocol '%s' in "
					       "service '%s'",
					       proto->text, service);
			free(s);
			return error;
		}
		ynode_set_str(proto, s);
		free(s);
	}
	return 0;
}

int norm_ports(struct ynode *service, const char *name)
{
	struct ynode *ports = ynode_map_get(service, "ports");
	struct ynode *out;
	size_t i;
	int error = 0;

	if (!ports || ports->kind != YNODE_SEQ)
		return 0;
	out = ynode_new_seq(&ports->mark);
	for (i = 0; i < ports->u.seq.n && !error; i++) {
		struct ynode *item = ports->u.seq.items[i];

		if (item->kind == YNODE_MAP) {
			error = norm_long_port(item, name);
			if (!error) {
				ports->u.seq.items[i] = ynode_new_null(NULL);
				ynode_seq_push(out, item);
			}
		} else {
			error = parse_short_port(out, item, name);
		}
	}
	ynode_swap(ports, out);
	ynode_free(out);
	return error;
}

int norm_expose(struct ynode *service, const char *name)
{
	struct ynode *expose = ynode_map_get(service, "expose");
	struct ynode *out;
	size_t i;
	int error = 0;

	if (!expose || expose->kind != YNODE_SEQ)
		return 0;
	out = ynode_new_seq(&expose->mark);
	for (i = 0; i < expose->u.seq.n; i++) {
		struct ynode *item = expose->u.seq.items[i];
		const char *slash = strchr(item->text, '/');
		size_t len =
		    slash ? (size_t)(slash - item->text) : item->text_len;
		char *proto = xstrdup(slash ? slash + 1 : "tcp");
		struct port_range r;
		long long p;

		if (!valid_protocol(proto) ||
		    !parse_range(item->text, len, &r)) {
			free(proto);
			error = norm_error(item,
					   "invalid port '%s' in 'expose' of "
					   "service '%s'",
					   item->text, name);
			break;
		}
		for (p = r.start; p <= r.end; p++) {
			char *s = strcmp(proto, "tcp")
				      ? xasprintf("%lld/%s", p, proto)
				      : xasprintf("%lld", p);

			ynode_seq_push(out, ynode_new_str(s, &item->mark));
			free(s);
		}
		free(proto);
	}
	ynode_swap(expose, out);
	ynode_free(out);
	return error;
}
