/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Placeholder for the root tests' payload program. */
int main(void) {
        return 0;
}
