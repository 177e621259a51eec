/*
 * teleport.c: a program of the broken app unknown_import.yaml. It imports
 * a syscall the kernel does not have (`parigot.teleport`), as a program
 * built for a newer ABI would: the kernel must refuse to start it with a
 * message naming the file and the import (docs/abi.md, "Versioning").
 */
#include <stdint.h>

__attribute__((import_module("parigot"), import_name("teleport")))
int32_t sys_teleport(int32_t where);

int main(void) { return sys_teleport(1); }
