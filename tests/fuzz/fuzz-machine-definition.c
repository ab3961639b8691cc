/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzz target for the machine definition parser (config.c and
 * machine-definition.c): any bytes, as a .machine or (odd sizes) as a
 * .nspawn file. Built for libFuzzer with clang, and run over the corpus
 * by fuzz-driver.c in the unit suite. */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "machine-definition.h"
#include "string-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        MachineDefinition *d = NULL;
        char *error = NULL;

        /* Bigger inputs only find slowness in the fuzzer, not in us. */
        if (size > 64 * 1024)
                return 0;

        int r = machine_definition_parse_buffer("fuzz", "fuzz.machine", size % 2, (const char *) data, size, &d,
                                                &error);
        /* Exactly one of the two results, and an error always says where. */
        if (r >= 0 && (!d || error))
                __builtin_trap();
        if (r == -EINVAL && (d || !error || !startswith(error, "fuzz.machine")))
                __builtin_trap();
        machine_definition_unref(d);
        free(error);
        return 0;
}
