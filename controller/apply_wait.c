/*
 * apply_wait.c - depends_on conditions: before a service starts, each of
 * its dependencies must be started, healthy, or finished with exit code 0,
 * as the dependency says (apply_order.h). Healthy is polled (the Engine
 * API has no "wait until healthy"), with a deadline.
 */
#include "apply_int.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "err.h"

#include "banned.h"

#define APPLY_HEALTH_POLL_MS 250L

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* 1 healthy, 0 not yet, negative: never will be (message set). */
static int health_once(struct engine *e, const char *service, const char *dep,
		       const char *dep_id)
{
	json_t *info = NULL, *state, *health;
	const char *status;
	int error = -1;

	if ((error = engine_container_inspect(e, &info, dep_id)) < 0)
		goto cleanup;
	state = json_object_get(info, "State");
	health = json_object_get(state, "Health");
	status = json_string_value(json_object_get(health, "Status"));
	if (!status) {
		error = err_set(MOOR_EINVAL,
				"service '%s' waits for '%s' to be healthy, "
				"but '%s' has no healthcheck",
				service, dep, dep);
	} else if (!strcmp(status, "healthy")) {
		error = 1;
	} else if (!strcmp(status, "unhealthy")) {
		error = err_set(MOOR_ERR,
				"service '%s' is unhealthy (service '%s' "
				"waits for service_healthy)",
				dep, service);
	} else if (!json_is_true(json_object_get(state, "Running"))) {
		error =
		    err_set(MOOR_ERR,
			    "service '%s' exited with code %lld before it was "
			    "healthy (service '%s' waits for service_healthy)",
			    dep,
			    (long long)json_integer_value(
				json_object_get(state, "ExitCode")),
			    service);
	} else {
		error = 0;
	}
cleanup:
	json_decref(info);
	return error;
}

static int wait_healthy(struct engine *e, const char *service, const char *dep,
			const char *dep_id, long timeout_ms)
{
	long deadline = now_ms() + timeout_ms;

	for (;;) {
		int r = health_once(e, service, dep, dep_id);

		if (r != 0)
			return r < 0 ? r : 0;
		if (now_ms() >= deadline)
			return err_set(MOOR_ETIMEOUT,
				       "timed out after %ld s waiting for "
				       "service '%s' to be healthy (service "
				       "'%s' waits for service_healthy)",
				       timeout_ms / 1000, dep, service);
		sleep_ms(APPLY_HEALTH_POLL_MS);
	}
}

int apply_wait_condition(struct engine *e, const char *service, const char *dep,
			 const char *dep_id, enum apply_condition cond,
			 long timeout_ms)
{
	int code = 0;
	int error;

	switch (cond) {
	case APPLY_COND_STARTED:
		/* Dependencies are started a level earlier. */
		return 0;
	case APPLY_COND_HEALTHY:
		return wait_healthy(e, service, dep, dep_id, timeout_ms);
	case APPLY_COND_COMPLETED:
		if ((error = engine_container_wait(e, dep_id, &code)) < 0)
			return error;
		if (code != 0)
			return err_set(MOOR_ERR,
				       "service '%s' exited with code %d "
				       "(service '%s' waits for "
				       "service_completed_successfully)",
				       dep, code, service);
		return 0;
	}
	return err_set(MOOR_ERR, "unknown depends_on condition");
}
