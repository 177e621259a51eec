/*
 * utf8.h: one UTF-8 decoder for the kernel's text handling — the JSON
 * reader and writer (json.c) and the unified log's escaping (log.c) both
 * need to know where a valid sequence ends. Static inline: log.c calls it
 * once per character of every line it formats.
 */
#ifndef PG_KERNEL_UTF8_H
#define PG_KERNEL_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length (1-4) of the valid UTF-8 sequence at p (n >= 1 bytes left, p
 * borrowed) with its code point in *cp, or 0 when the bytes there are not
 * UTF-8 (overlong forms, surrogates and code points above U+10FFFF are
 * not); *cp is unchanged then. */
static inline size_t pg__utf8_decode(const uint8_t *p, size_t n,
                                     uint32_t *cp) {
  uint8_t c = p[0];
  size_t len;
  uint32_t v, min;
  if (c < 0x80) {
    *cp = c;
    return 1;
  } else if (c >= 0xc2 && c <= 0xdf) {
    len = 2, v = c & 0x1f, min = 0x80;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3, v = c & 0x0f, min = 0x800;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4, v = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (n < len)
    return 0;
  for (size_t i = 1; i < len; i++) {
    if ((p[i] & 0xc0) != 0x80)
      return 0;
    v = v << 6 | (p[i] & 0x3f);
  }
  if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
    return 0;
  *cp = v;
  return len;
}

#endif /* PG_KERNEL_UTF8_H */
