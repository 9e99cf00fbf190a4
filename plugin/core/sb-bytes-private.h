/* sb-bytes-private.h: tests on eight bytes of text at once, in a 64-bit
 * word, for the loops that read message text (the digest's normalizer in
 * sb-event.c, the log reader).
 *
 * Plain C, no vector instructions: the bytes are loaded little-endian (byte 0
 * lowest) whatever the machine, and each test sets the top bit of the bytes
 * it found (the "has a zero byte" technique of Hacker's Delight, 6-1).
 */
#pragma once

#include <glib.h>
#include <string.h>

G_BEGIN_DECLS

#define SB_BYTES_ONES G_GUINT64_CONSTANT (0x0101010101010101)
#define SB_BYTES_HIGH (SB_BYTES_ONES * 0x80)

/* The eight bytes at @p, byte 0 lowest. */
static inline guint64
sb_bytes_load (const char *p)
{
  guint64 x;
  memcpy (&x, p, sizeof x);
  return GUINT64_FROM_LE (x);
}

/* The top bit of each byte of @x that is @c, exactly (any byte values). */
static inline guint64
sb_bytes_equal (guint64 x, guchar c)
{
  guint64 t = x ^ (SB_BYTES_ONES * c);
  /* a byte's top bit stays clear only when all its bits are clear; no
   * carry crosses bytes: (t & 0x7F) + 0x7F < 0x100 */
  return ~(((t & ~SB_BYTES_HIGH) + ~SB_BYTES_HIGH) | t) & SB_BYTES_HIGH;
}

/* The same for @x whose bytes are all below 0x80: one step fewer. */
static inline guint64
sb_bytes_equal_ascii (guint64 x, guchar c)
{
  guint64 t = x ^ (SB_BYTES_ONES * c);
  return ~(t + ~SB_BYTES_HIGH) & SB_BYTES_HIGH;
}

/* How many bytes at @p are ASCII without NUL (1 to 0x7F): eight at a time. */
static inline gsize
sb_bytes_ascii_prefix (const char *p, gsize len)
{
  gsize i = 0;
  for (; i + 8 <= len; i += 8)
    {
      guint64 x = sb_bytes_load (p + i);
      if (((x | ((x - SB_BYTES_ONES) & ~x)) & SB_BYTES_HIGH) != 0)
        break;
    }
  while (i < len && (guchar) p[i] - 1u < 0x7fu)
    i++;
  return i;
}

/* TRUE when the @len bytes at @p are all ASCII without NUL: eight at a time,
 * the last eight read again rather than a byte loop for the tail. */
static inline gboolean
sb_bytes_is_ascii (const char *p, gsize len)
{
  if (len < 8)
    return sb_bytes_ascii_prefix (p, len) == len;
  guint64 bad = 0;
  for (gsize i = 0; i + 8 <= len; i += 8)
    {
      guint64 x = sb_bytes_load (p + i);
      bad |= x | ((x - SB_BYTES_ONES) & ~x);
    }
  guint64 x = sb_bytes_load (p + len - 8);
  bad |= x | ((x - SB_BYTES_ONES) & ~x);
  return (bad & SB_BYTES_HIGH) == 0;
}

G_END_DECLS
