/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* JSON output of corralctl (json-c): printing in the --json mode and the
 * small builders the verbs use. Field names of list/status/images are
 * snake_case and stable; show keeps the D-Bus property names. */

#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>

#include "ctl-args.h"

int ctl_json_print(json_object *o, CtlJsonMode mode, FILE *f);

/* Each adds key to obj; a NULL or empty string adds null, and so does
 * UINT64_MAX for the _or_null variant ("no limit", "not known"). */
int ctl_json_add_string(json_object *obj, const char *key, const char *s);
int ctl_json_add_uint64(json_object *obj, const char *key, uint64_t v);
int ctl_json_add_uint64_or_null(json_object *obj, const char *key, uint64_t v);
int ctl_json_add_int64(json_object *obj, const char *key, int64_t v);
int ctl_json_add_bool(json_object *obj, const char *key, bool b);
/* Adds a copy (a new reference) of v, or null when v is NULL. */
int ctl_json_add_ref(json_object *obj, const char *key, json_object *v);

/* Property helpers for objects from ctl_bus_get_all(): the value, or the
 * fallback when the property is missing or of another type. */
const char *ctl_prop_string(json_object *props, const char *key);
uint64_t ctl_prop_uint64(json_object *props, const char *key, uint64_t fallback);
int64_t ctl_prop_int64(json_object *props, const char *key, int64_t fallback);
