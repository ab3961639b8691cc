/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Resolving a table of symbols from a dlopen()ed library; see dlopen-util.h. */

#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>

#include "dlopen-util.h"
#include "string-util.h"

static void set_error(char **ret_error, char *message) {
        if (ret_error)
                *ret_error = message;
        else
                free(message);
}

int dlopen_library(DlopenLibrary *lib, char **ret_error) {
        const DlopenSymbol *s;
        void *h;

        if (lib->handle)
                return 0;

        /* RTLD_NOW: a missing symbol of the library's own dependencies
         * shows up here, not as a crash at the first call. */
        h = dlopen(lib->soname, RTLD_NOW);
        if (!h) {
                const char *e = dlerror();
                set_error(ret_error, strprintf("%s is not available (%s).", lib->soname, strempty(e)));
                return -EOPNOTSUPP;
        }

        for (s = lib->symbols; s->name; s++) {
                (void) dlerror();
                *s->ptr = dlsym(h, s->name);
                if (!*s->ptr) {
                        set_error(ret_error, strprintf("%s has no symbol '%s'.", lib->soname, s->name));
                        for (const DlopenSymbol *t = lib->symbols; t <= s; t++)
                                *t->ptr = NULL;
                        (void) dlclose(h);
                        return -ENXIO;
                }
        }
        lib->handle = h;
        return 0;
}
