/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JSON printing and builders; see ctl-json.h. */

#include <errno.h>

#include "ctl-json.h"
#include "string-util.h"

int ctl_json_print(json_object *o, CtlJsonMode mode, FILE *f) {
        int flags = JSON_C_TO_STRING_NOSLASHESCAPE |
                    (mode == CTL_JSON_PRETTY ? JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED
                                             : JSON_C_TO_STRING_PLAIN);
        const char *s = json_object_to_json_string_ext(o, flags);
        if (!s)
                return -ENOMEM;
        fprintf(f, "%s\n", s);
        return ferror(f) ? -EIO : 0;
}

static int add(json_object *obj, const char *key, json_object *v, bool want) {
        if (want && !v)
                return -ENOMEM;
        return json_object_object_add(obj, key, v) < 0 ? -ENOMEM : 0;
}

int ctl_json_add_string(json_object *obj, const char *key, const char *s) {
        return add(obj, key, isempty(s) ? NULL : json_object_new_string(s), !isempty(s));
}

int ctl_json_add_uint64(json_object *obj, const char *key, uint64_t v) {
        return add(obj, key, json_object_new_uint64(v), true);
}

int ctl_json_add_uint64_or_null(json_object *obj, const char *key, uint64_t v) {
        if (v == UINT64_MAX)
                return add(obj, key, NULL, false);
        return ctl_json_add_uint64(obj, key, v);
}

int ctl_json_add_int64(json_object *obj, const char *key, int64_t v) {
        return add(obj, key, json_object_new_int64(v), true);
}

int ctl_json_add_bool(json_object *obj, const char *key, bool b) {
        return add(obj, key, json_object_new_boolean(b), true);
}

int ctl_json_add_ref(json_object *obj, const char *key, json_object *v) {
        return add(obj, key, v ? json_object_get(v) : NULL, false);
}

const char *ctl_prop_string(json_object *props, const char *key) {
        json_object *v;
        if (!json_object_object_get_ex(props, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

uint64_t ctl_prop_uint64(json_object *props, const char *key, uint64_t fallback) {
        json_object *v;
        if (!json_object_object_get_ex(props, key, &v) || !json_object_is_type(v, json_type_int))
                return fallback;
        return json_object_get_uint64(v);
}

int64_t ctl_prop_int64(json_object *props, const char *key, int64_t fallback) {
        json_object *v;
        if (!json_object_object_get_ex(props, key, &v) || !json_object_is_type(v, json_type_int))
                return fallback;
        return json_object_get_int64(v);
}
