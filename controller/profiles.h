/*
 * profiles.h - service profiles (compose-spec 15-profiles.md).
 *
 * A service without `profiles` is always enabled; one with profiles is
 * enabled when one of them is active. The profile "*" enables every
 * service.
 */
#ifndef MOORING_PROFILES_H
#define MOORING_PROFILES_H

#include <stddef.h>

#include "strmap.h"
#include "ynode.h"

/* Remove the disabled services from root's `services`, recording each
 * one's name (and the mark of its definition) in disabled. */
void profiles_apply(struct ynode *root, const char *const *active,
		    size_t nactive, struct strmap *disabled);

#endif
