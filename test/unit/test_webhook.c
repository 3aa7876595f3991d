/*
 * test_webhook.c - push webhook signatures (GitHub, Gitea, GitLab), the
 * replay memory and burst coalescing.
 *
 * The HMACs were computed with `openssl dgst -sha256 -hmac SECRET`; the
 * first is GitHub's documented example.
 */
#include "unit.h"

#include "server.h"
#include "webhook.h"

#define DOC_SECRET "It's a Secret to Everybody"
#define DOC_BODY   "Hello, World!"
#define DOC_MAC                                                                \
	"757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

#define SECRET "s3cr3t"
#define BODY   "{\"ref\":\"refs/heads/main\"}"
#define MAC    "8588fd50c04ac2c191575340c4c0fe284157898def8e4d10af822f05dd7c9bb5"
#define EMPTY_MAC                                                              \
	"3c81cc9496e1c25250f6ccb85f697c1bb623e3480d6538ad8cb6a6648142777d"

static int verify(const char *secret, const char *body, const char *gh,
		  const char *gt, const char *gl)
{
	err_clear();
	return webhook_verify(secret, secret ? strlen(secret) : 0, body,
			      body ? strlen(body) : 0, gh, gt, gl);
}

static void test_webhook__github_documented_vector(void **state)
{
	(void)state;
	assert_int_equal(
	    verify(DOC_SECRET, DOC_BODY, "sha256=" DOC_MAC, NULL, NULL), 0);
	assert_int_equal(verify(SECRET, BODY, "sha256=" MAC, NULL, NULL), 0);
}

static void test_webhook__github_needs_prefix(void **state)
{
	(void)state;
	assert_int_equal(verify(SECRET, BODY, MAC, NULL, NULL), MOOR_EINVAL);
	assert_int_equal(verify(SECRET, BODY, "sha1=" MAC, NULL, NULL),
			 MOOR_EINVAL);
	assert_int_equal(verify(SECRET, BODY, "sha256:" MAC, NULL, NULL),
			 MOOR_EINVAL);
	assert_err_contains("X-Hub-Signature-256");
}

static void test_webhook__gitea_plain_hex(void **state)
{
	(void)state;
	assert_int_equal(verify(SECRET, BODY, NULL, MAC, NULL), 0);
	assert_int_equal(verify(SECRET, BODY, NULL, "sha256=" MAC, NULL),
			 MOOR_EINVAL);
	assert_err_contains("X-Gitea-Signature");
}

static void test_webhook__gitlab_token(void **state)
{
	(void)state;
	assert_int_equal(verify(SECRET, BODY, NULL, NULL, SECRET), 0);
	assert_int_equal(verify(SECRET, BODY, NULL, NULL, "s3cr3"),
			 MOOR_EINVAL);
	assert_int_equal(verify(SECRET, BODY, NULL, NULL, "s3cr3tt"),
			 MOOR_EINVAL);
	assert_int_equal(verify(SECRET, BODY, NULL, NULL, ""), MOOR_EINVAL);
	assert_int_equal(verify(SECRET, BODY, NULL, NULL, "S3CR3T"),
			 MOOR_EINVAL);
	assert_err_contains("X-Gitlab-Token");
}

static void test_webhook__secret_with_nul_byte(void **state)
{
	static const char secret[] = {'a', '\0', 'b'};

	(void)state;
	/* The secret is bytes as read: a token is a C string and cannot
	 * hold the NUL, so it never matches. */
	assert_int_equal(
	    webhook_verify(secret, sizeof(secret), "", 0, NULL, NULL, "a"),
	    MOOR_EINVAL);
}

static void test_webhook__wrong_secret(void **state)
{
	(void)state;
	assert_int_equal(verify("s3cr3u", BODY, "sha256=" MAC, NULL, NULL),
			 MOOR_EINVAL);
	assert_int_equal(verify("s3cr3u", BODY, NULL, MAC, NULL), MOOR_EINVAL);
	assert_int_equal(verify(SECRET "x", BODY, NULL, MAC, NULL),
			 MOOR_EINVAL);
}

static void test_webhook__body_changed(void **state)
{
	(void)state;
	assert_int_equal(verify(SECRET, "{\"ref\":\"refs/heads/mainx\"}",
				"sha256=" MAC, NULL, NULL),
			 MOOR_EINVAL);
	assert_int_equal(verify(SECRET, "", "sha256=" EMPTY_MAC, NULL, NULL),
			 0);
	assert_int_equal(verify(SECRET, NULL, NULL, EMPTY_MAC, NULL), 0);
}

static void test_webhook__truncated_or_long_signature(void **state)
{
	char sig[200];

	(void)state;
	snprintf(sig, sizeof(sig), "sha256=%.63s", MAC);
	assert_int_equal(verify(SECRET, BODY, sig, NULL, NULL), MOOR_EINVAL);
	snprintf(sig, sizeof(sig), "sha256=%s0", MAC);
	assert_int_equal(verify(SECRET, BODY, sig, NULL, NULL), MOOR_EINVAL);
	snprintf(sig, sizeof(sig), "sha256=%s00", MAC);
	assert_int_equal(verify(SECRET, BODY, sig, NULL, NULL), MOOR_EINVAL);
	assert_int_equal(verify(SECRET, BODY, "sha256=", NULL, NULL),
			 MOOR_EINVAL);
	assert_int_equal(verify(SECRET, BODY, "", NULL, NULL), MOOR_EINVAL);
	assert_int_equal(verify(SECRET, BODY, NULL, "", NULL), MOOR_EINVAL);
	/* Not hex, right length. */
	snprintf(sig, sizeof(sig), "%.62szz", MAC);
	assert_int_equal(verify(SECRET, BODY, NULL, sig, NULL), MOOR_EINVAL);
}

static void test_webhook__uppercase_hex_accepted(void **state)
{
	char sig[80];

	(void)state;
	snprintf(sig, sizeof(sig), "%s", MAC);
	for (char *p = sig; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	assert_int_equal(verify(SECRET, BODY, NULL, sig, NULL), 0);
}

static void test_webhook__missing_headers(void **state)
{
	(void)state;
	assert_int_equal(verify(SECRET, BODY, NULL, NULL, NULL), MOOR_EINVAL);
	assert_err_contains("no signature header");
}

static void test_webhook__no_secret_never_verifies(void **state)
{
	(void)state;
	assert_int_equal(verify(NULL, BODY, "sha256=" MAC, NULL, NULL),
			 MOOR_EINVAL);
	assert_int_equal(verify("", "", NULL, NULL, ""), MOOR_EINVAL);
}

static void test_webhook__every_header_must_verify(void **state)
{
	(void)state;
	assert_int_equal(verify(SECRET, BODY, "sha256=" MAC, MAC, SECRET), 0);
	assert_int_equal(verify(SECRET, BODY, "sha256=" MAC, EMPTY_MAC, NULL),
			 MOOR_EINVAL);
	assert_int_equal(verify(SECRET, BODY, "sha256=" EMPTY_MAC, MAC, NULL),
			 MOOR_EINVAL);
	assert_int_equal(verify(SECRET, BODY, "sha256=" MAC, MAC, "nope"),
			 MOOR_EINVAL);
	assert_int_equal(verify(SECRET, BODY, NULL, MAC, "nope"), MOOR_EINVAL);
}

static void test_webhook__message_never_holds_secret(void **state)
{
	(void)state;
	assert_int_equal(verify(SECRET, BODY, NULL, NULL, "guess-" SECRET),
			 MOOR_EINVAL);
	assert_null(strstr(err_last(), SECRET));
	assert_null(strstr(err_last(), "guess"));
	assert_int_equal(verify(SECRET, BODY, "sha256=" EMPTY_MAC, NULL, NULL),
			 MOOR_EINVAL);
	assert_null(strstr(err_last(), EMPTY_MAC));
	assert_null(strstr(err_last(), MAC));
}

static void test_webhook__replay_memory(void **state)
{
	struct webhook_replay *r = malloc(sizeof(*r));

	(void)state;
	assert_non_null(r);
	webhook_replay_init(r);
	assert_false(webhook_replay_seen(r, "a", 1));
	assert_true(webhook_replay_seen(r, "a", 1));
	assert_false(webhook_replay_seen(r, "b", 1));
	assert_true(webhook_replay_seen(r, "a", 1));
	assert_true(webhook_replay_seen(r, "b", 1));
	/* Length matters, not only the prefix. */
	assert_false(webhook_replay_seen(r, "ab", 2));
	assert_true(webhook_replay_seen(r, "ab", 2));
	free(r);
}

static void test_webhook__replay_forgets_the_oldest(void **state)
{
	struct webhook_replay *r = malloc(sizeof(*r));
	char id[64];

	(void)state;
	assert_non_null(r);
	webhook_replay_init(r);
	for (int i = 0; i < WEBHOOK_REPLAY_SLOTS; i++) {
		snprintf(id, sizeof(id), "delivery-%d", i);
		assert_false(webhook_replay_seen(r, id, strlen(id)));
	}
	/* All 1024 remembered. */
	for (int i = 0; i < WEBHOOK_REPLAY_SLOTS; i++) {
		snprintf(id, sizeof(id), "delivery-%d", i);
		assert_true(webhook_replay_seen(r, id, strlen(id)));
	}
	/* One more pushes out delivery-0, and only it. */
	assert_false(webhook_replay_seen(r, "delivery-new", 12));
	assert_true(webhook_replay_seen(r, "delivery-1", 10));
	assert_true(webhook_replay_seen(r, "delivery-1023", 13));
	assert_false(webhook_replay_seen(r, "delivery-0", 10));
	/* Which pushed out delivery-1. */
	assert_false(webhook_replay_seen(r, "delivery-1", 10));
	/* Many rounds later the structure still holds exactly 1024. */
	for (int i = 0; i < 10 * WEBHOOK_REPLAY_SLOTS; i++) {
		snprintf(id, sizeof(id), "round-%d", i);
		assert_false(webhook_replay_seen(r, id, strlen(id)));
	}
	for (int i = 9 * WEBHOOK_REPLAY_SLOTS; i < 10 * WEBHOOK_REPLAY_SLOTS;
	     i++) {
		snprintf(id, sizeof(id), "round-%d", i);
		assert_true(webhook_replay_seen(r, id, strlen(id)));
	}
	snprintf(id, sizeof(id), "round-%d", 9 * WEBHOOK_REPLAY_SLOTS - 1);
	assert_false(webhook_replay_seen(r, id, strlen(id)));
	free(r);
}

static void test_webhook__coalesce_first_push_fires_at_once(void **state)
{
	struct webhook_coalesce c;
	double wait = 0;

	(void)state;
	webhook_coalesce_init(&c, 1.0);
	assert_false(webhook_coalesce_take(&c, 100.0, &wait));
	assert_true(wait < 0);
	webhook_coalesce_push(&c);
	assert_true(webhook_coalesce_take(&c, 100.0, &wait));
	assert_false(webhook_coalesce_take(&c, 100.0, &wait));
	assert_true(wait < 0);
}

static void test_webhook__coalesce_burst_into_two_polls(void **state)
{
	struct webhook_coalesce c;
	double wait = 0;
	unsigned fired = 0;

	(void)state;
	webhook_coalesce_init(&c, 1.0);
	/* Ten pushes within 0.9 s: one poll at once, one after the window,
	 * none lost. */
	for (int i = 0; i < 10; i++) {
		double now = 50.0 + i * 0.1;

		webhook_coalesce_push(&c);
		if (webhook_coalesce_take(&c, now, &wait))
			fired++;
	}
	assert_int_equal(fired, 1);
	assert_false(webhook_coalesce_take(&c, 50.95, &wait));
	assert_true(wait > 0.04 && wait < 0.06);
	assert_true(webhook_coalesce_take(&c, 51.0, &wait));
	assert_false(webhook_coalesce_take(&c, 51.5, &wait));
	assert_true(wait < 0);
	/* A quiet window later, a push fires at once again. */
	webhook_coalesce_push(&c);
	assert_true(webhook_coalesce_take(&c, 52.0, &wait));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_webhook__github_documented_vector),
	    cmocka_unit_test(test_webhook__github_needs_prefix),
	    cmocka_unit_test(test_webhook__gitea_plain_hex),
	    cmocka_unit_test(test_webhook__gitlab_token),
	    cmocka_unit_test(test_webhook__secret_with_nul_byte),
	    cmocka_unit_test(test_webhook__wrong_secret),
	    cmocka_unit_test(test_webhook__body_changed),
	    cmocka_unit_test(test_webhook__truncated_or_long_signature),
	    cmocka_unit_test(test_webhook__uppercase_hex_accepted),
	    cmocka_unit_test(test_webhook__missing_headers),
	    cmocka_unit_test(test_webhook__no_secret_never_verifies),
	    cmocka_unit_test(test_webhook__every_header_must_verify),
	    cmocka_unit_test(test_webhook__message_never_holds_secret),
	    cmocka_unit_test(test_webhook__replay_memory),
	    cmocka_unit_test(test_webhook__replay_forgets_the_oldest),
	    cmocka_unit_test(test_webhook__coalesce_first_push_fires_at_once),
	    cmocka_unit_test(test_webhook__coalesce_burst_into_two_polls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
