/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The image methods of org.corral.machine1.Manager (ListImages, GetImage,
 * ImportImage, RemoveImage, as a second vtable on the manager object) and
 * the import jobs, org.corral.machine1.Job at /org/corral/machine1/job/N,
 * which corralctl's import-* verbs drive. */

#include <systemd/sd-bus.h>

#include "manager.h"

#define CORRAL_JOB_IFACE "org.corral.machine1.Job"
#define CORRAL_BUS_JOB_PREFIX "/org/corral/machine1/job"
#define CORRAL_BUS_IMAGE_PREFIX "/org/corral/machine1/image"

#define BUS_ERROR_NO_SUCH_IMAGE "org.corral.machine1.NoSuchImage"
#define BUS_ERROR_IMAGE_EXISTS "org.corral.machine1.ImageExists"
#define BUS_ERROR_IMAGE_IN_USE "org.corral.machine1.ImageInUse"

/* Adds the image methods and job objects for m's --root to bus. Their
 * state lives as long as the bus connection (freed with its slot). */
int image_bus_attach(Manager *m, sd_bus *bus);
