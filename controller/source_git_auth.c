/*
 * source_git_auth.c - talking to a remote safely: libgit2's credential
 * callback (password or ssh key read from their files when asked, wiped
 * after use, one attempt per operation), its certificate callback (ssh
 * host keys pinned by a known_hosts file, which libgit2 1.5 does not check
 * by itself; https left to the TLS library with the configured CA file,
 * with a second opinion from source_git_tls.c when it refuses),
 * and libgit2's errors turned into ours without secrets.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "buf.h"
#include "err.h"
#include "log.h"
#include "source_git_int.h"
#include "xalloc.h"

#include "banned.h"

#define SOURCE_GIT_CB_FAIL(g, ...)                                             \
	(snprintf((g)->cb_error, sizeof((g)->cb_error), __VA_ARGS__), GIT_EUSER)

/* Read a secret file into b (no trailing newline). */
static int source_git_read_secret(struct buf *b, const char *path)
{
	int error = buf_read_file(b, path);

	while (error == 0 && b->len &&
	       (b->data[b->len - 1] == '\n' || b->data[b->len - 1] == '\r'))
		b->data[--b->len] = '\0';
	return error;
}

static void source_git_wipe(struct buf *b)
{
	if (b->data)
		explicit_bzero(b->data, b->cap);
	buf_release(b);
}

static int source_git_credentials(git_credential **out, const char *url,
				  const char *username_from_url,
				  unsigned int allowed_types, void *payload)
{
	struct source_git *g = payload;
	const char *user = username_from_url && *username_from_url
			       ? username_from_url
			       : g->username;
	struct buf secret = BUF_INIT(SOURCE_GIT_SECRET_MAX);
	int rc;

	(void)url;
	/* libgit2 asks for the user name on its own (ssh) before the
	 * method; that is not an attempt. */
	if (!(allowed_types &
	      (GIT_CREDENTIAL_SSH_KEY | GIT_CREDENTIAL_USERPASS_PLAINTEXT)) &&
	    (allowed_types & GIT_CREDENTIAL_USERNAME))
		return git_credential_username_new(out, user ? user : "git");
	/* libgit2 asks again after a refusal; the same answer would only
	 * be refused again (and lock accounts). */
	if (++g->auth_attempts > 1)
		return SOURCE_GIT_CB_FAIL(g, "authentication failed%s%s%s",
					  user ? " for user '" : "",
					  user ? user : "", user ? "'" : "");
	if (allowed_types & GIT_CREDENTIAL_SSH_KEY) {
		if (!g->ssh_key_file)
			return SOURCE_GIT_CB_FAIL(
			    g, "the remote asks for an ssh key and no "
			       "ssh_key_file is configured");
		rc = git_credential_ssh_key_new(out, user ? user : "git", NULL,
						g->ssh_key_file, NULL);
		if (rc < 0)
			return SOURCE_GIT_CB_FAIL(
			    g, "cannot use ssh_key_file '%s'", g->ssh_key_file);
		return 0;
	}
	if (allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT) {
		if (!g->password_file)
			return SOURCE_GIT_CB_FAIL(
			    g, "the remote asks for a password and no "
			       "password_file is configured");
		if (source_git_read_secret(&secret, g->password_file) < 0) {
			/* err.h names the file and errno, never content. */
			snprintf(g->cb_error, sizeof(g->cb_error), "%s",
				 err_last());
			source_git_wipe(&secret);
			return GIT_EUSER;
		}
		rc = git_credential_userpass_plaintext_new(
		    out, user ? user : "git", buf_cstr(&secret));
		source_git_wipe(&secret);
		return rc < 0 ? SOURCE_GIT_CB_FAIL(g, "cannot make credentials")
			      : 0;
	}
	return SOURCE_GIT_CB_FAIL(g, "the remote asks for an unsupported "
				     "kind of authentication");
}

/* --- known_hosts --------------------------------------------------------- */

static int source_git_b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode base64 (padding optional) into out; false on a bad character. */
static bool source_git_b64decode(struct buf *out, const char *s, size_t n)
{
	unsigned acc = 0, bits = 0;
	size_t i;
	int v;

	for (i = 0; i < n && s[i] != '='; i++) {
		if ((v = source_git_b64val((unsigned char)s[i])) < 0)
			return false;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (buf_addc(out, (char)((acc >> bits) & 0xff)) < 0)
				return false;
		}
	}
	return true;
}

/* OpenSSH's fingerprint spelling: "SHA256:" + unpadded base64. */
static void source_git_fingerprint(char *out, size_t outsz,
				   const unsigned char *h, size_t n)
{
	static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"
				  "rstuvwxyz0123456789+/";
	size_t i, w = 0;
	unsigned acc = 0, bits = 0;

	w = (size_t)snprintf(out, outsz, "SHA256:");
	for (i = 0; i < n; i++) {
		acc = (acc << 8) | h[i];
		bits += 8;
		while (bits >= 6 && w + 1 < outsz) {
			bits -= 6;
			out[w++] = tbl[(acc >> bits) & 63];
		}
	}
	if (bits && w + 1 < outsz)
		out[w++] = tbl[(acc << (6 - bits)) & 63];
	out[w < outsz ? w : outsz - 1] = '\0';
}

/* Glob match of s against the pattern p (n bytes): '*' any run, '?' any
 * one character, case-insensitive as host names are. */
static bool source_git_glob(const char *p, size_t n, const char *s)
{
	size_t star_p = (size_t)-1;
	const char *star_s = NULL;
	size_t i = 0;

	while (*s) {
		if (i < n && p[i] == '*') {
			star_p = ++i;
			star_s = s;
		} else if (i < n &&
			   (p[i] == '?' || tolower((unsigned char)p[i]) ==
					       tolower((unsigned char)*s))) {
			i++;
			s++;
		} else if (star_s) {
			i = star_p;
			s = ++star_s;
		} else {
			return false;
		}
	}
	while (i < n && p[i] == '*')
		i++;
	return i == n;
}

/* "|1|<salt>|<hash>" (base64): HMAC-SHA1 of host keyed by the salt. */
static bool source_git_hashed_match(const char *f, size_t n, const char *host)
{
	struct buf salt = BUF_INIT(256), hash = BUF_INIT(256);
	const char *bar = n > 3 ? memchr(f + 3, '|', n - 3) : NULL;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	bool match = false;

	if (bar && source_git_b64decode(&salt, f + 3, (size_t)(bar - f - 3)) &&
	    source_git_b64decode(&hash, bar + 1, (size_t)(f + n - bar - 1)) &&
	    salt.len &&
	    HMAC(EVP_sha1(), salt.data, (int)salt.len,
		 (const unsigned char *)host, strlen(host), md, &mdlen) &&
	    hash.len == mdlen)
		match = CRYPTO_memcmp(md, hash.data, mdlen) == 0;
	buf_release(&salt);
	buf_release(&hash);
	return match;
}

/* Does the comma-separated host list name host? A matching negated
 * pattern ("!pat") refuses the whole line, as in OpenSSH. */
static bool source_git_hosts_match(const char *list, size_t n, const char *host)
{
	size_t i = 0, j;
	bool match = false;

	if (n > 3 && !memcmp(list, "|1|", 3))
		return source_git_hashed_match(list, n, host);
	while (i < n) {
		bool neg = list[i] == '!';

		j = i;
		while (j < n && list[j] != ',')
			j++;
		if (neg) {
			if (source_git_glob(list + i + 1, j - i - 1, host))
				return false;
		} else if (source_git_glob(list + i, j - i, host)) {
			match = true;
		}
		i = j + 1;
	}
	return match;
}

/* Does the key blob start with the type name the line declares? A line
 * whose declared type and key disagree is malformed (OpenSSH skips it). */
static bool source_git_blob_type_is(const struct buf *blob, const char *type,
				    size_t n)
{
	const unsigned char *b = (const unsigned char *)blob->data;
	size_t len;

	if (blob->len < 4)
		return false;
	len = ((size_t)b[0] << 24) | ((size_t)b[1] << 16) |
	      ((size_t)b[2] << 8) | b[3];
	return len == n && blob->len - 4 >= len && !memcmp(b + 4, type, n);
}

int source_git_known_hosts_check(const char *text, const char *host,
				 const void *key, size_t keylen)
{
	const char *line = text, *end, *p, *f[4];
	size_t flen[4];
	int found = SOURCE_GIT_HOSTKEY_UNKNOWN, nf;

	/* The whole file is read: a @revoked line wins wherever it is. */
	for (; *line; line = *end ? end + 1 : end) {
		struct buf blob = BUF_INIT(16384);
		bool revoked = false, same;

		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		for (p = line, nf = 0; p < end && nf < 4;) {
			while (p < end &&
			       (*p == ' ' || *p == '\t' || *p == '\r'))
				p++;
			if (p >= end || *p == '#')
				break;
			f[nf] = p;
			while (p < end && *p != ' ' && *p != '\t' && *p != '\r')
				p++;
			flen[nf] = (size_t)(p - f[nf]);
			nf++;
		}
		if (nf >= 1 && f[0][0] == '@') {
			revoked = flen[0] == 8 && !memcmp(f[0], "@revoked", 8);
			if (!revoked) {
				log_debug("known_hosts: ignoring a '%.*s' line "
					  "(not supported)",
					  (int)(flen[0] > 32 ? 32 : flen[0]),
					  f[0]);
				continue;
			}
			memmove(f, f + 1, sizeof(f[0]) * 3);
			memmove(flen, flen + 1, sizeof(flen[0]) * 3);
			nf--;
		}
		if (nf < 3 || !source_git_hosts_match(f[0], flen[0], host))
			continue;
		if (!source_git_b64decode(&blob, f[2], flen[2]) ||
		    !source_git_blob_type_is(&blob, f[1], flen[1])) {
			buf_release(&blob);
			continue;
		}
		same = blob.len == keylen && !memcmp(blob.data, key, keylen);
		buf_release(&blob);
		if (revoked && same)
			return SOURCE_GIT_HOSTKEY_REVOKED;
		if (revoked)
			continue;
		if (same)
			found = SOURCE_GIT_HOSTKEY_OK;
		else if (found != SOURCE_GIT_HOSTKEY_OK)
			found = SOURCE_GIT_HOSTKEY_MISMATCH;
	}
	return found;
}

static int source_git_check_hostkey(struct source_git *g,
				    const git_cert_hostkey *hk)
{
	struct buf text = BUF_INIT(SOURCE_GIT_KNOWN_HOSTS_MAX);
	char fp[64] = "";
	int known;

	if (!g->known_hosts_file)
		return SOURCE_GIT_CB_FAIL(g,
					  "no known_hosts_file is "
					  "configured to check the host key "
					  "of '%s'",
					  g->ssh_host ? g->ssh_host : "?");
	if (!(hk->type & GIT_CERT_SSH_RAW) || !g->ssh_host)
		return SOURCE_GIT_CB_FAIL(g,
					  "cannot check the host key of '%s'",
					  g->ssh_host ? g->ssh_host : "?");
	if (hk->type & GIT_CERT_SSH_SHA256)
		source_git_fingerprint(fp, sizeof(fp), hk->hash_sha256,
				       sizeof(hk->hash_sha256));
	if (buf_read_file(&text, g->known_hosts_file) < 0) {
		snprintf(g->cb_error, sizeof(g->cb_error), "%s", err_last());
		buf_release(&text);
		return GIT_EUSER;
	}
	known = source_git_known_hosts_check(buf_cstr(&text), g->ssh_host,
					     hk->hostkey, hk->hostkey_len);
	buf_release(&text);
	if (known == SOURCE_GIT_HOSTKEY_OK)
		return 0;
	if (known == SOURCE_GIT_HOSTKEY_REVOKED)
		return SOURCE_GIT_CB_FAIL(g,
					  "host key of '%s' (%s) is revoked "
					  "in '%s'",
					  g->ssh_host, fp, g->known_hosts_file);
	if (known == SOURCE_GIT_HOSTKEY_MISMATCH)
		return SOURCE_GIT_CB_FAIL(
		    g,
		    "host key of '%s' does not match known_hosts file '%s' "
		    "(offered %s): refusing to connect",
		    g->ssh_host, g->known_hosts_file, fp);
	return SOURCE_GIT_CB_FAIL(g,
				  "host '%s' is not in known_hosts file '%s' "
				  "(offered %s)",
				  g->ssh_host, g->known_hosts_file, fp);
}

static int source_git_certificate(git_cert *cert, int valid, const char *host,
				  void *payload)
{
	struct source_git *g = payload;
	const git_cert_x509 *x;
	char why[160];

	if (cert->cert_type == GIT_CERT_HOSTKEY_LIBSSH2)
		return source_git_check_hostkey(g, (git_cert_hostkey *)cert);
	if (valid)
		return 0;
	if (cert->cert_type != GIT_CERT_X509 || !g->ca_file)
		return SOURCE_GIT_CB_FAIL(g,
					  "certificate of '%s' is not trusted "
					  "(set ca_file for a private CA)",
					  host);
	/* mbedTLS may have refused it for an IP address SAN it cannot
	 * match: ask OpenSSL (source_git_tls.c). */
	x = (const git_cert_x509 *)cert;
	if (source_git_x509_trusted(x->data, x->len, host, g->ca_file, why,
				    sizeof(why)))
		return 0;
	return SOURCE_GIT_CB_FAIL(
	    g,
	    "certificate of '%s' is not trusted by ca_file "
	    "'%s': %s",
	    host, g->ca_file, why);
}

void source_git_callbacks(struct source_git *g, git_remote_callbacks *cb)
{
	g->auth_attempts = 0;
	g->cb_error[0] = '\0';
	cb->credentials = source_git_credentials;
	cb->certificate_check = source_git_certificate;
	cb->payload = g;
}

/* --- URLs ------------------------------------------------------------------ */

char *source_git_ssh_host(const char *url)
{
	const char *p, *end, *at, *colon, *slash;
	char *host = NULL, *out;
	long port = 22;

	if (!strncmp(url, "ssh://", 6) || !strncmp(url, "ssh+git://", 10) ||
	    !strncmp(url, "git+ssh://", 10)) {
		p = strstr(url, "://") + 3;
		slash = strchr(p, '/');
		end = slash ? slash : p + strlen(p);
		at = memchr(p, '@', (size_t)(end - p));
		if (at)
			p = at + 1;
		if (*p == '[') {
			const char *rb = memchr(p, ']', (size_t)(end - p));

			if (!rb)
				return NULL;
			host = xstrndup(p + 1, (size_t)(rb - p - 1));
			colon = rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
		} else {
			colon = memchr(p, ':', (size_t)(end - p));
			host = xstrndup(p, (size_t)((colon ? colon : end) - p));
		}
		if (colon) {
			char *e = NULL;

			port = strtol(colon + 1, &e, 10);
			if (e != end || port <= 0 || port > 65535) {
				free(host);
				return NULL;
			}
		}
	} else if (!strstr(url, "://") && url[0] != '/' && url[0] != '.' &&
		   (colon = strchr(url, ':')) &&
		   (!(slash = strchr(url, '/')) || colon < slash)) {
		/* scp-like: [user@]host:path */
		at = memchr(url, '@', (size_t)(colon - url));
		p = at ? at + 1 : url;
		host = xstrndup(p, (size_t)(colon - p));
	} else {
		return NULL;
	}
	if (port == 22)
		return host;
	out = xasprintf("[%s]:%ld", host, port);
	free(host);
	return out;
}

/* Replace every occurrence of needle (len n) in s with "***" (with as
 * many stars as it has characters when shorter, so s never grows). */
static void source_git_redact(char *s, const char *needle, size_t n)
{
	size_t stars = n < 3 ? n : 3;
	char *p = s, *hit;

	if (!n)
		return;
	while ((hit = strstr(p, needle))) {
		memmove(hit + stars, hit + n, strlen(hit + n) + 1);
		memset(hit, '*', stars);
		p = hit + stars;
	}
}

/* "scheme://user:secret@host" -> "scheme://user:***@host". */
static void source_git_redact_userinfo(char *s)
{
	char *p = s, *at, *colon, *stop;

	while ((p = strstr(p, "://"))) {
		p += 3;
		stop = p + strcspn(p, "/ \t'\"");
		at = memchr(p, '@', (size_t)(stop - p));
		if (!at)
			continue;
		colon = memchr(p, ':', (size_t)(at - p));
		if (!colon || at - colon - 1 < 3)
			continue;
		memmove(colon + 4, at, strlen(at) + 1);
		memcpy(colon + 1, "***", 3);
	}
}

int source_git_error(struct source_git *g, int gitcode, const char *what)
{
	const git_error *e = git_error_last();
	char msg[768];
	int code = MOOR_ERR;

	if (g->cb_error[0]) {
		snprintf(msg, sizeof(msg), "%s", g->cb_error);
	} else {
		snprintf(msg, sizeof(msg), "%s",
			 e && e->message ? e->message : "unknown error");
		if (e) {
			switch (e->klass) {
			case GIT_ERROR_ODB:
			case GIT_ERROR_OBJECT:
			case GIT_ERROR_REPOSITORY:
			case GIT_ERROR_REFERENCE:
			case GIT_ERROR_ZLIB:
			case GIT_ERROR_CONFIG:
				g->local_failure = true;
				break;
			case GIT_ERROR_OS:
			case GIT_ERROR_FILESYSTEM:
				/* Files of the clone itself (the remote may be
				 * a path too, and its failures are not ours). */
				g->local_failure =
				    e->message &&
				    strstr(e->message, g->cache_dir) != NULL;
				break;
			default:
				break;
			}
		}
	}
	/* libgit2 has no reason to quote the password, but one message
	 * that did would be one too many. */
	if (g->password_file) {
		struct buf secret = BUF_INIT(SOURCE_GIT_SECRET_MAX);

		if (source_git_read_secret(&secret, g->password_file) == 0)
			source_git_redact(msg, buf_cstr(&secret), secret.len);
		source_git_wipe(&secret);
	}
	source_git_redact_userinfo(msg);
	if (gitcode == GIT_ENOTFOUND)
		code = MOOR_ENOTFOUND;
	else if (gitcode == GIT_ELOCKED)
		code = MOOR_ELOCKED;
	else if (e && (e->klass == GIT_ERROR_NET || e->klass == GIT_ERROR_OS ||
		       e->klass == GIT_ERROR_SSL || e->klass == GIT_ERROR_SSH ||
		       e->klass == GIT_ERROR_HTTP))
		code = MOOR_EIO;
	err_set(code, "%s '%s': %s", what, g->url, msg);
	return code;
}
