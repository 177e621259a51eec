/*
 * config_internal.h: the app.yaml loader's entry point below
 * pg_app_config_load, for the fuzz target (tests/fuzz/config), which feeds
 * bytes from memory through fmemopen instead of a file on disk.
 */
#ifndef PG_KERNEL_CONFIG_INTERNAL_H
#define PG_KERNEL_CONFIG_INTERNAL_H

#include <stdio.h>

#include "kernel/config.h"

/* As pg_app_config_load, reading the YAML from `f` (borrowed; not
 * closed). `path` names the file in messages and locates relative paths. */
int pg__app_config_load_stream(const char *path, FILE *f, pg_app_config **out,
                               char *err, size_t errlen);

#endif /* PG_KERNEL_CONFIG_INTERNAL_H */
