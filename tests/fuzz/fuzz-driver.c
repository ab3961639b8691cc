/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs a fuzz target's LLVMFuzzerTestOneInput() over every file given,
 * or every file in the directories given, printing TAP: the regression
 * run of a corpus in the unit suite, without libFuzzer. */

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fileio.h"
#include "string-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path, unsigned *n) {
        _cleanup_free_ char *data = NULL;
        size_t size;

        int r = read_full_file_at(AT_FDCWD, path, 0, &data, &size);
        if (r < 0) {
                printf("not ok %u - %s: %s\n", ++*n, path, strerror(-r));
                return r;
        }
        /* A crash ends the program: TAP then misses the plan and fails. */
        LLVMFuzzerTestOneInput((const uint8_t *) data, size);
        printf("ok %u - %s\n", ++*n, path);
        return 0;
}

static int cmp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

int main(int argc, char *argv[]) {
        _cleanup_strv_free_ char **files = NULL;
        unsigned n = 0;
        int failed = 0;

        for (int i = 1; i < argc; i++) {
                DIR *d = opendir(argv[i]);
                if (!d) {
                        if (strv_extend(&files, argv[i]) < 0)
                                return 1;
                        continue;
                }
                struct dirent *de;
                while ((de = readdir(d)))
                        if (de->d_name[0] != '.' &&
                            strv_consume(&files, strprintf("%s/%s", argv[i], de->d_name)) < 0) {
                                closedir(d);
                                return 1;
                        }
                closedir(d);
        }
        size_t count = strv_length(files);
        if (count == 0) {
                printf("1..0 # SKIP no input\n");
                return 1; /* an empty corpus is a broken test, not a pass */
        }
        qsort(files, count, sizeof(char *), cmp);
        printf("1..%zu\n", count);
        STRV_FOREACH(f, files)
                if (run_file(*f, &n) < 0)
                        failed = 1;
        return failed;
}
