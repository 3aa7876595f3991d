/*
 * Unit tests for the known_hosts matcher of source_git_auth.c
 * (source_git_known_hosts_check): keys are made-up blobs with the
 * layout of real ones (type name, then key bytes), so no ssh is needed.
 */
#include "unit.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "source_git_int.h"

#define HOST "[127.0.0.1]:2222"

struct key {
	unsigned char blob[64];
	size_t len;
	char b64[128];
};

/* A key blob of the given type whose key bytes are all fill. */
static void key_make(struct key *k, const char *type, unsigned char fill)
{
	size_t n = strlen(type);

	k->blob[0] = k->blob[1] = k->blob[2] = 0;
	k->blob[3] = (unsigned char)n;
	memcpy(k->blob + 4, type, n);
	k->blob[4 + n] = k->blob[5 + n] = k->blob[6 + n] = 0;
	k->blob[7 + n] = 32;
	memset(k->blob + 8 + n, fill, 32);
	k->len = 8 + n + 32;
	EVP_EncodeBlock((unsigned char *)k->b64, k->blob, (int)k->len);
}

static int check(const char *text, const char *host, const struct key *k)
{
	return source_git_known_hosts_check(text, host, k->blob, k->len);
}

static void test_known_hosts__good_line_accepts(void **state)
{
	struct key a;
	char text[512];

	(void)state;
	key_make(&a, "ssh-ed25519", 1);
	snprintf(text, sizeof(text), "# comment\n%s ssh-ed25519 %s c\n", HOST,
		 a.b64);
	assert_int_equal(check(text, HOST, &a), SOURCE_GIT_HOSTKEY_OK);
}

static void test_known_hosts__revoked_after_good_line(void **state)
{
	struct key a;
	char text[512];

	(void)state;
	key_make(&a, "ssh-ed25519", 1);
	snprintf(text, sizeof(text),
		 "%s ssh-ed25519 %s\n@revoked %s ssh-ed25519 %s\n", HOST, a.b64,
		 HOST, a.b64);
	assert_int_equal(check(text, HOST, &a), SOURCE_GIT_HOSTKEY_REVOKED);
}

static void test_known_hosts__revoked_with_star(void **state)
{
	struct key a, b;
	char text[512];

	(void)state;
	key_make(&a, "ssh-ed25519", 1);
	key_make(&b, "ssh-ed25519", 2);
	snprintf(text, sizeof(text),
		 "%s ssh-ed25519 %s\n%s ssh-ed25519 %s\n"
		 "@revoked * ssh-ed25519 %s\n",
		 HOST, a.b64, HOST, b.b64, a.b64);
	assert_int_equal(check(text, HOST, &a), SOURCE_GIT_HOSTKEY_REVOKED);
	/* The other key of the host is still good. */
	assert_int_equal(check(text, HOST, &b), SOURCE_GIT_HOSTKEY_OK);
}

static void test_known_hosts__wildcard_host_match(void **state)
{
	struct key a;
	char text[512];

	(void)state;
	key_make(&a, "ssh-ed25519", 1);
	snprintf(text, sizeof(text), "other,[127.0.0.?]:22*,x ssh-ed25519 %s\n",
		 a.b64);
	assert_int_equal(check(text, HOST, &a), SOURCE_GIT_HOSTKEY_OK);
	snprintf(text, sizeof(text), "*.Example.ORG ssh-ed25519 %s\n", a.b64);
	assert_int_equal(check(text, "git.example.org", &a),
			 SOURCE_GIT_HOSTKEY_OK);
	assert_int_equal(check(text, "example.org", &a),
			 SOURCE_GIT_HOSTKEY_UNKNOWN);
	/* A matching negation refuses the whole line. */
	snprintf(text, sizeof(text), "*,!%s ssh-ed25519 %s\n", HOST, a.b64);
	assert_int_equal(check(text, HOST, &a), SOURCE_GIT_HOSTKEY_UNKNOWN);
	assert_int_equal(check(text, "elsewhere", &a), SOURCE_GIT_HOSTKEY_OK);
}

static void test_known_hosts__non_matching_host(void **state)
{
	struct key a;
	char text[512];

	(void)state;
	key_make(&a, "ssh-ed25519", 1);
	/* Port 22 is not port 2222, and a prefix is not the name. */
	snprintf(text, sizeof(text),
		 "127.0.0.1 ssh-ed25519 %s\n[127.0.0.1]:22 ssh-ed25519 %s\n"
		 "@revoked [127.0.0.1]:22 ssh-ed25519 %s\n",
		 a.b64, a.b64, a.b64);
	assert_int_equal(check(text, HOST, &a), SOURCE_GIT_HOSTKEY_UNKNOWN);
}

static void test_known_hosts__key_type_mismatch(void **state)
{
	struct key a, r;
	char text[512];

	(void)state;
	key_make(&a, "ssh-ed25519", 1);
	key_make(&r, "ssh-rsa", 1);
	/* The host is known with a key of another type only. */
	snprintf(text, sizeof(text), "%s ssh-rsa %s\n", HOST, r.b64);
	assert_int_equal(check(text, HOST, &a), SOURCE_GIT_HOSTKEY_MISMATCH);
	/* A line whose declared type is not its key's is malformed. */
	snprintf(text, sizeof(text), "%s ssh-rsa %s\n", HOST, a.b64);
	assert_int_equal(check(text, HOST, &a), SOURCE_GIT_HOSTKEY_UNKNOWN);
}

static void test_known_hosts__cert_authority_ignored(void **state)
{
	struct key a;
	char text[512];

	(void)state;
	key_make(&a, "ssh-ed25519", 1);
	snprintf(text, sizeof(text), "@cert-authority * ssh-ed25519 %s\n",
		 a.b64);
	assert_int_equal(check(text, HOST, &a), SOURCE_GIT_HOSTKEY_UNKNOWN);
}

static void test_known_hosts__hashed_host(void **state)
{
	static const unsigned char salt[20] = "0123456789abcdefghij";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char s64[64], h64[64], text[512];
	struct key a;

	(void)state;
	key_make(&a, "ssh-ed25519", 1);
	assert_non_null(HMAC(EVP_sha1(), salt, sizeof(salt),
			     (const unsigned char *)HOST, strlen(HOST), md,
			     &mdlen));
	EVP_EncodeBlock((unsigned char *)s64, salt, sizeof(salt));
	EVP_EncodeBlock((unsigned char *)h64, md, (int)mdlen);
	snprintf(text, sizeof(text), "|1|%s|%s ssh-ed25519 %s\n", s64, h64,
		 a.b64);
	assert_int_equal(check(text, HOST, &a), SOURCE_GIT_HOSTKEY_OK);
	assert_int_equal(check(text, "[127.0.0.1]:2223", &a),
			 SOURCE_GIT_HOSTKEY_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_known_hosts__good_line_accepts),
	    cmocka_unit_test(test_known_hosts__revoked_after_good_line),
	    cmocka_unit_test(test_known_hosts__revoked_with_star),
	    cmocka_unit_test(test_known_hosts__wildcard_host_match),
	    cmocka_unit_test(test_known_hosts__non_matching_host),
	    cmocka_unit_test(test_known_hosts__key_type_mismatch),
	    cmocka_unit_test(test_known_hosts__cert_authority_ignored),
	    cmocka_unit_test(test_known_hosts__hashed_host),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
