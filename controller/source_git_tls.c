/*
 * source_git_tls.c - a second opinion on an https server certificate,
 * against the configured CA file, with OpenSSL.
 *
 * Debian's libgit2 1.5 does TLS with mbedTLS 2.28, which does not match
 * iPAddress subjectAltNames: a private CA's certificate for
 * https://127.0.0.1/ (SAN IP:127.0.0.1) is reported invalid even with the
 * right CA file. When libgit2 says "invalid", the certificate callback
 * asks here: the leaf certificate (whose key the TLS handshake has
 * already proven the server holds) must chain to ca_file for the server
 * purpose and name the host (an IP address as such, else a DNS name).
 * Only the leaf is available, so a chain needing intermediates must have
 * them in ca_file.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "source_git_int.h"

#include "banned.h"

bool source_git_x509_trusted(const void *der, size_t len, const char *host,
			     const char *ca_file, char *why, size_t whysz)
{
	const unsigned char *p = der;
	X509 *cert = NULL;
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	X509_VERIFY_PARAM *param;
	unsigned char addr[16];
	bool ok = false;

	snprintf(why, whysz, "cannot check it");
	if (len > 1024 * 1024 || !(cert = d2i_X509(NULL, &p, (long)len)))
		goto cleanup;
	if (!(store = X509_STORE_new()) ||
	    X509_STORE_load_file(store, ca_file) != 1) {
		snprintf(why, whysz, "cannot load ca_file '%s'", ca_file);
		goto cleanup;
	}
	if (!(ctx = X509_STORE_CTX_new()) ||
	    X509_STORE_CTX_init(ctx, store, cert, NULL) != 1)
		goto cleanup;
	param = X509_STORE_CTX_get0_param(ctx);
	X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
	if (inet_pton(AF_INET, host, addr) == 1 ||
	    inet_pton(AF_INET6, host, addr) == 1) {
		if (X509_VERIFY_PARAM_set1_ip_asc(param, host) != 1)
			goto cleanup;
	} else if (X509_VERIFY_PARAM_set1_host(param, host, 0) != 1) {
		goto cleanup;
	}
	ok = X509_verify_cert(ctx) == 1;
	if (!ok)
		snprintf(why, whysz, "%s",
			 X509_verify_cert_error_string(
			     X509_STORE_CTX_get_error(ctx)));
cleanup:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	X509_free(cert);
	return ok;
}
