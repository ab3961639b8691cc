/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bus connection and D-Bus value decoding for corralctl; see ctl-bus.h. */

#include <arpa/inet.h>
#include <stdarg.h>
#include <string.h>

#include "ctl-bus.h"
#include "string-util.h"


int ctl_bus_connect(const char *address, sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        if (!address)
                address = getenv("CORRAL_BUS_ADDRESS");
        if (isempty(address)) {
                r = sd_bus_open_system(&bus);
                if (r < 0)
                        return r;
        } else {
                r = sd_bus_new(&bus);
                if (r < 0)
                        return r;
                r = sd_bus_set_address(bus, address);
                if (r < 0)
                        return r;
                r = sd_bus_set_bus_client(bus, true);
                if (r < 0)
                        return r;
                r = sd_bus_negotiate_fds(bus, true);
                if (r < 0)
                        return r;
                r = sd_bus_start(bus);
                if (r < 0)
                        return r;
        }
        *ret = TAKE_PTR(bus);
        return 0;
}

int ctl_call_manager(sd_bus *bus, const char *method, sd_bus_error *error, sd_bus_message **reply,
                     const char *types, ...) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        va_list ap;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, CORRAL_BUS_NAME, CORRAL_BUS_PATH, CORRAL_MANAGER_IFACE,
                                           method);
        if (r < 0)
                return r;
        if (types) {
                va_start(ap, types);
                r = sd_bus_message_appendv(m, types, ap);
                va_end(ap);
                if (r < 0)
                        return r;
        }
        return sd_bus_call(bus, m, 0, error, reply);
}

typedef struct CallEach {
        sd_bus_error *error;
        size_t *in_flight;
} CallEach;

static int on_call_each_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        CallEach *c = userdata;

        if (sd_bus_message_is_method_error(m, NULL))
                (void) sd_bus_error_copy(c->error, sd_bus_message_get_error(m));
        (*c->in_flight)--;
        return 0;
}

int ctl_call_manager_each(sd_bus *bus, const char *method, char **names, sd_bus_error *errors) {
        size_t n = strv_length(names), next = 0, in_flight = 0;
        _cleanup_free_ CallEach *calls = calloc(n ?: 1, sizeof(CallEach));
        _cleanup_free_ sd_bus_slot **slots = calloc(n ?: 1, sizeof(sd_bus_slot *));
        int r = 0;

        if (!calls || !slots)
                return -ENOMEM;
        while (next < n || in_flight > 0) {
                while (next < n && in_flight < CTL_BUS_MAX_IN_FLIGHT) {
                        calls[next] = (CallEach) { &errors[next], &in_flight };
                        r = sd_bus_call_method_async(bus, &slots[next], CORRAL_BUS_NAME, CORRAL_BUS_PATH,
                                                     CORRAL_MANAGER_IFACE, method, on_call_each_reply,
                                                     &calls[next], "s", names[next]);
                        if (r < 0)
                                (void) sd_bus_error_set_errno(&errors[next], r);
                        else
                                in_flight++;
                        next++;
                }
                r = sd_bus_process(bus, NULL);
                if (r < 0)
                        break;
                if (r > 0)
                        continue;
                r = sd_bus_wait(bus, UINT64_MAX);
                if (r < 0 && r != -EINTR)
                        break;
        }
        /* A slot still pending when the bus failed: its callback must not run later. */
        for (size_t i = 0; i < n; i++)
                sd_bus_slot_unref(slots[i]);
        return r < 0 && r != -EINTR ? r : 0;
}

static int read_address(sd_bus_message *m, json_object **ret) {
        const void *bytes;
        size_t n;
        int32_t family;
        char buf[INET6_ADDRSTRLEN];
        int r;

        r = sd_bus_message_read(m, "i", &family);
        if (r < 0)
                return r;
        r = sd_bus_message_read_array(m, 'y', &bytes, &n);
        if (r < 0)
                return r;
        if (!((family == AF_INET && n == 4) || (family == AF_INET6 && n == 16)) ||
            !inet_ntop(family, bytes, buf, sizeof buf))
                return -EBADMSG;
        *ret = json_object_new_string(buf);
        return *ret ? 0 : -ENOMEM;
}

static int read_container(sd_bus_message *m, char type, const char *contents, json_object **ret) {
        _cleanup_(json_object_putp) json_object *o = NULL;
        bool dict = type == SD_BUS_TYPE_ARRAY && contents[0] == SD_BUS_TYPE_DICT_ENTRY_BEGIN;
        int r;

        r = sd_bus_message_enter_container(m, type, contents);
        if (r < 0)
                return r;

        if (type == SD_BUS_TYPE_VARIANT) {
                r = ctl_bus_read_value(m, &o);
                if (r < 0)
                        return r;
        } else if (type == SD_BUS_TYPE_STRUCT && streq(contents, "iay")) {
                r = read_address(m, &o);
                if (r < 0)
                        return r;
        } else {
                o = dict ? json_object_new_object() : json_object_new_array();
                if (!o)
                        return -ENOMEM;
                for (;;) {
                        _cleanup_(json_object_putp) json_object *k = NULL, *v = NULL;
                        if (dict) {
                                char t;
                                const char *c;
                                r = sd_bus_message_peek_type(m, &t, &c);
                                if (r < 0)
                                        return r;
                                if (r == 0)
                                        break;
                                r = sd_bus_message_enter_container(m, SD_BUS_TYPE_DICT_ENTRY, c);
                                if (r < 0)
                                        return r;
                                r = ctl_bus_read_value(m, &k);
                                if (r < 0)
                                        return r;
                                r = ctl_bus_read_value(m, &v);
                                if (r < 0)
                                        return r;
                                r = sd_bus_message_exit_container(m);
                                if (r < 0)
                                        return r;
                                /* Keys are basic types; their text form is the JSON key. */
                                const char *key = json_object_get_string(k);
                                json_object_object_add(o, key ?: "", TAKE_PTR(v));
                        } else {
                                r = ctl_bus_read_value(m, &v);
                                if (r < 0)
                                        return r;
                                if (r == 0)
                                        break;
                                json_object_array_add(o, TAKE_PTR(v));
                        }
                }
        }

        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 1;
}

int ctl_bus_read_value(sd_bus_message *m, json_object **ret) {
        json_object *o;
        const char *contents;
        char type;
        int r;

        r = sd_bus_message_peek_type(m, &type, &contents);
        if (r <= 0)
                return r; /* 0: end of the container */

        union {
                uint8_t u8;
                int16_t s16;
                uint16_t u16;
                int32_t s32;
                uint32_t u32;
                int64_t s64;
                uint64_t u64;
                double d;
                int b;
                const char *s;
        } v;

        switch (type) {
        case SD_BUS_TYPE_ARRAY:
        case SD_BUS_TYPE_STRUCT:
        case SD_BUS_TYPE_VARIANT:
                return read_container(m, type, contents, ret);
        default:
                break;
        }

        r = sd_bus_message_read_basic(m, type, &v);
        if (r < 0)
                return r;
        switch (type) {
        case SD_BUS_TYPE_BYTE:
                o = json_object_new_int(v.u8);
                break;
        case SD_BUS_TYPE_INT16:
                o = json_object_new_int(v.s16);
                break;
        case SD_BUS_TYPE_UINT16:
                o = json_object_new_int(v.u16);
                break;
        case SD_BUS_TYPE_INT32:
        case SD_BUS_TYPE_UNIX_FD:
                o = json_object_new_int(v.s32);
                break;
        case SD_BUS_TYPE_UINT32:
                o = json_object_new_int64(v.u32);
                break;
        case SD_BUS_TYPE_INT64:
                o = json_object_new_int64(v.s64);
                break;
        case SD_BUS_TYPE_UINT64:
                o = json_object_new_uint64(v.u64);
                break;
        case SD_BUS_TYPE_DOUBLE:
                o = json_object_new_double(v.d);
                break;
        case SD_BUS_TYPE_BOOLEAN:
                o = json_object_new_boolean(v.b);
                break;
        default: /* s, o, g */
                o = json_object_new_string(v.s);
                break;
        }
        if (!o)
                return -ENOMEM;
        *ret = o;
        return 1;
}

int ctl_bus_get_all(sd_bus *bus, const char *path, const char *interface, sd_bus_error *error,
                    json_object **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(json_object_putp) json_object *o = NULL;
        int r;

        r = sd_bus_call_method(bus, CORRAL_BUS_NAME, path, "org.freedesktop.DBus.Properties", "GetAll", error,
                               &reply, "s", interface);
        if (r < 0)
                return r;
        r = ctl_bus_read_value(reply, &o);
        if (r < 0)
                return r;
        if (r == 0 || !json_object_is_type(o, json_type_object))
                return -EBADMSG;
        *ret = TAKE_PTR(o);
        return 0;
}

int ctl_list_machines_with_properties(sd_bus *bus, const char *const *properties, sd_bus_error *error,
                                      ctl_machine_func_t f, void *userdata) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *call = NULL, *reply = NULL;
        const char *name, *path;
        int r;

        r = sd_bus_message_new_method_call(bus, &call, CORRAL_BUS_NAME, CORRAL_BUS_PATH, CORRAL_MANAGER_IFACE,
                                           "ListMachinesWithProperties");
        if (r < 0)
                return r;
        r = sd_bus_message_append_strv(call, (char **) properties);
        if (r < 0)
                return r;
        r = sd_bus_call(bus, call, 0, error, &reply);
        if (r < 0)
                return r;

        r = sd_bus_message_enter_container(reply, 'a', "(soa{sv})");
        if (r < 0)
                return -EBADMSG;
        while ((r = sd_bus_message_enter_container(reply, 'r', "soa{sv}")) > 0) {
                _cleanup_(json_object_putp) json_object *props = NULL;

                if (sd_bus_message_read(reply, "so", &name, &path) < 0 ||
                    ctl_bus_read_value(reply, &props) <= 0 || !json_object_is_type(props, json_type_object) ||
                    sd_bus_message_exit_container(reply) < 0)
                        return -EBADMSG;
                r = f(name, path, props, userdata);
                if (r < 0)
                        return r;
        }
        return r < 0 ? -EBADMSG : 0;
}

int ctl_machine_path(sd_bus *bus, const char *name, sd_bus_error *error, char **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        const char *path;
        int r;

        r = ctl_call_manager(bus, "GetMachine", error, &reply, "s", name);
        if (r < 0)
                return r;
        r = sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;
        char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        *ret = p;
        return 0;
}
