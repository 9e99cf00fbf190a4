/* sb-event.c: what is kept of a line of conversation, and what is not.
 *
 * The text of a message never reaches the store.  It is reduced to a size
 * bucket and a keyed digest of its visible text, so the same message seen live
 * and again in a log file (where libpurple wrote the same HTML) is recognised,
 * and so are automated texts, without the text being recoverable.
 */
#include "smileback/sb-event.h"
#include "sb-bytes-private.h"

#include <string.h>

gboolean
sb_event_is_counted (const SbEvent *event)
{
  return event->kind == SB_EVENT_MESSAGE && (event->flags & SB_EVENT_FLAG_AUTOMATED) == 0;
}

guint
sb_size_bucket (gsize text_length)
{
  /* Coarse on purpose: enough to tell "ok" from a letter, no more. */
  if (text_length == 0)
    return 0;
  if (text_length <= 16)
    return 1;
  if (text_length <= 64)
    return 2;
  if (text_length <= 256)
    return 3;
  return 4;
}

/* The named entities libpurple writes, plus the ones users paste most. */
static const struct
{
  const char *name;
  gunichar c;
} entities[] = {
  { "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' }, { "nbsp", ' ' },
};

/* Decodes the entity at @p (just after '&', before @end) into *@c; returns
 * the number of bytes consumed after '&', or 0 when it is no entity (the '&'
 * is text). */
static gsize
decode_entity (const char *p, const char *end, gunichar *c)
{
  gsize len = 0, avail = end - p;
  while (len <= 10 && len < avail && p[len] != ';' && p[len] != '\0')
    len++;
  if (len == 0 || len > 10 || len == avail || p[len] != ';')
    return 0;

  if (p[0] == '#')
    {
      gboolean hex = (p[1] == 'x' || p[1] == 'X');
      char digits[12] = { 0 };
      gsize skip = hex ? 2 : 1;
      if (len <= skip)
        return 0;
      memcpy (digits, p + skip, len - skip);
      char *end = NULL;
      guint64 cp = g_ascii_strtoull (digits, &end, hex ? 16 : 10);
      if (end == NULL || *end != '\0' || cp == 0 || cp > 0x10FFFF
          || !g_unichar_validate ((gunichar) cp))
        return 0;
      *c = (gunichar) cp;
      return len + 1;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (entities); i++)
    if (strlen (entities[i].name) == len && strncmp (p, entities[i].name, len) == 0)
      {
        *c = entities[i].c;
        return len + 1;
      }
  return 0;
}

/* Where normalized text is written: into a buffer known to be large enough
 * (the visible text is never longer than its source). */
typedef struct
{
  char *start;
  char *w;
  gboolean pending_space;
} Writer;

/* Appends @c, folding white space: a run of spaces becomes one space before
 * the next visible character, none at either end. */
static inline void
emit (Writer *wr, gunichar c)
{
  gboolean space = c < 0x80 ? (c == ' ' || (c >= '\t' && c <= '\r')) : g_unichar_isspace (c);
  if (space)
    {
      wr->pending_space = wr->w > wr->start;
      return;
    }
  if (wr->pending_space)
    *wr->w++ = ' ';
  wr->pending_space = FALSE;
  if (c < 0x80)
    *wr->w++ = (char) (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
  else
    wr->w += g_unichar_to_utf8 (c, wr->w);
}

/* Printable ASCII that is neither white space nor, in markup, the start of a
 * tag or an entity, lower-cased; 0 for any other byte.  One table for markup,
 * one for plain text. */
static const char *
plain_map (gboolean markup)
{
  static char maps[2][256];
  static gsize ready = 0;
  if (g_once_init_enter (&ready))
    {
      for (int c = '!'; c < 0x7f; c++)
        maps[0][c] = maps[1][c] = (char) (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
      maps[1]['<'] = maps[1]['&'] = 0;
      g_once_init_leave (&ready, 1);
    }
  return maps[markup ? 1 : 0];
}

/* Copies the run of plain characters at @p (the common case: words). */
static const char *
copy_plain_run (Writer *wr, const char *p, const char *end, const char *map)
{
  if (wr->pending_space)
    *wr->w++ = ' ';
  wr->pending_space = FALSE;
  char *w = wr->w;
  for (char m; p < end && (m = map[(guchar) *p]) != 0; p++)
    *w++ = m;
  wr->w = w;
  return p;
}

/* Reads the eight bytes at @p into *@x (byte 0 lowest) when they are words:
 * printable ASCII and single spaces, neither '<' nor '&' in markup; the top
 * bit of each space's byte into *@spaces.  FALSE for anything else (two
 * spaces in a row, tabs, controls, non-ASCII), left to the byte loop. */
static inline gboolean
plain_block (const char *p, gboolean markup, guint64 *x, guint64 *spaces)
{
  *x = sb_bytes_load (p);
  /* a byte of 0x80 or more, or below ' ' */
  if (((*x | ((*x - SB_BYTES_ONES * ' ') & ~*x)) & SB_BYTES_HIGH) != 0)
    return FALSE;
  *spaces = sb_bytes_equal_ascii (*x, ' ');
  guint64 bad = ((*x + SB_BYTES_ONES) & SB_BYTES_HIGH) /* DEL */ | (*spaces & (*spaces >> 8));
  if (markup)
    bad |= sb_bytes_equal_ascii (*x, '<') | sb_bytes_equal_ascii (*x, '&');
  return bad == 0;
}

/* Copies eight bytes of words at @p, lower-cased: what the byte loop would
 * write, a space at either end left to the rules of emit().  FALSE, with
 * nothing done, when they are not words (plain_block()). */
static inline gboolean
copy_plain_block (Writer *wr, const char *p, gboolean markup)
{
  guint64 x, spaces;
  if (!plain_block (p, markup, &x, &spaces))
    return FALSE;
  /* 'A'..'Z' (0x41..0x5A) get 0x20 */
  guint64 upper = (x + SB_BYTES_ONES * (0x80 - 'A')) & ~(x + SB_BYTES_ONES * (0x80 - 'Z' - 1))
                   & SB_BYTES_HIGH;
  x |= upper >> 2;
  gsize n = 8;
  if ((spaces & 0x80) != 0 && wr->w == wr->start)
    {
      x >>= 8; /* no space at the start */
      n--;
    }
  else if ((spaces & 0x80) == 0 && wr->pending_space)
    *wr->w++ = ' ';
  /* a leading space is the pending one, written as it is */
  wr->pending_space = (spaces >> 63) != 0;
  n -= wr->pending_space; /* a trailing one waits for the next character */
  x = GUINT64_TO_LE (x);
  memcpy (wr->w, &x, 8); /* room: nothing written is longer than what was read */
  wr->w += n;
  return TRUE;
}

/* Appends the visible text of [@p, @end) (valid UTF-8 without NULs, read no
 * further than @end) to @out, white space folded, ASCII lower-cased; tags and
 * entities are read as HTML when @markup.  TRUE when a non-ASCII character was seen: only
 * then is GLib's case folding needed. */
static gboolean
normalize_into (GString *out, const char *p, const char *end, gboolean markup)
{
  gsize base = out->len;
  /* an entity's character is never longer than the entity, a tag's space
   * than the tag */
  g_string_set_size (out, base + (end - p) + 1);
  Writer wr = { out->str + base, out->str + base, FALSE };
  const char *map = plain_map (markup);
  gboolean non_ascii = FALSE;
  while (p < end)
    {
      gunichar c;
      if (end - p >= 8 && copy_plain_block (&wr, p, markup))
        {
          p += 8;
          continue;
        }
      if (markup && *p == '<')
        {
          /* A tag is markup, not text; <br> and block tags separate words. */
          const char *close = memchr (p, '>', end - p);
          if (close != NULL)
            {
              emit (&wr, ' ');
              p = close + 1;
              continue;
            }
        }
      if (markup && *p == '&')
        {
          gsize used = decode_entity (p + 1, end, &c);
          if (used > 0)
            {
              non_ascii |= c >= 0x80;
              emit (&wr, c);
              p += used + 1;
              continue;
            }
        }
      if (map[(guchar) *p] != 0)
        {
          p = copy_plain_run (&wr, p, end, map);
          continue;
        }
      if ((guchar) *p < 0x80)
        {
          emit (&wr, (guchar) *p);
          p++;
          continue;
        }
      c = g_utf8_get_char (p);
      non_ascii = TRUE;
      emit (&wr, c);
      p = g_utf8_next_char (p);
    }
  g_string_truncate (out, wr.w - out->str);
  return non_ascii;
}

char *
sb_text_normalize (const char *text)
{
  if (text == NULL)
    return g_strdup ("");

  /* Invalid UTF-8 is replaced, never trusted; valid text is not copied. */
  g_autofree char *repaired = g_utf8_validate (text, -1, NULL) ? NULL : g_utf8_make_valid (text, -1);
  const char *p = repaired != NULL ? repaired : text;
  gsize len = strlen (p);

  GString *out = g_string_sized_new (len);
  if (!normalize_into (out, p, p + len, TRUE))
    return g_string_free (out, FALSE);
  /* Case folding beyond ASCII needs GLib's tables. */
  char *folded = g_utf8_casefold (out->str, (gssize) out->len);
  g_string_free (out, TRUE);
  return folded;
}

/* SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit hash made for
 * exactly this, short inputs under a secret key, at a few nanoseconds where a
 * SHA-256 costs a microsecond on the message path.  Neither GLib nor SQLite
 * offers a keyed hash this fast, so these few lines are written here, checked
 * against the paper's test vectors in tests/unit/test-buddy-key.c. */
#define ROTL(x, b) (guint64) (((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND                                                                                   \
  do                                                                                               \
    {                                                                                              \
      v0 += v1;                                                                                    \
      v1 = ROTL (v1, 13);                                                                          \
      v1 ^= v0;                                                                                    \
      v0 = ROTL (v0, 32);                                                                          \
      v2 += v3;                                                                                    \
      v3 = ROTL (v3, 16);                                                                          \
      v3 ^= v2;                                                                                    \
      v0 += v3;                                                                                    \
      v3 = ROTL (v3, 21);                                                                          \
      v3 ^= v0;                                                                                    \
      v2 += v1;                                                                                    \
      v1 = ROTL (v1, 17);                                                                          \
      v1 ^= v2;                                                                                    \
      v2 = ROTL (v2, 32);                                                                          \
    }                                                                                              \
  while (0)

static guint64
read_le64 (const guint8 *p)
{
  guint64 v;
  memcpy (&v, p, sizeof v);
  return GUINT64_FROM_LE (v);
}

guint64
sb_siphash24 (const guint8 key[16], const guint8 *data, gsize len)
{
  guint64 k0 = read_le64 (key), k1 = read_le64 (key + 8);
  guint64 v0 = k0 ^ G_GUINT64_CONSTANT (0x736f6d6570736575);
  guint64 v1 = k1 ^ G_GUINT64_CONSTANT (0x646f72616e646f6d);
  guint64 v2 = k0 ^ G_GUINT64_CONSTANT (0x6c7967656e657261);
  guint64 v3 = k1 ^ G_GUINT64_CONSTANT (0x7465646279746573);

  gsize whole = len - len % 8;
  for (gsize i = 0; i < whole; i += 8)
    {
      guint64 m = read_le64 (data + i);
      v3 ^= m;
      SIPROUND;
      SIPROUND;
      v0 ^= m;
    }
  /* The last 0..7 bytes, with the length in the top byte. */
  guint64 b = (guint64) len << 56;
  for (gsize i = 0; i < len % 8; i++)
    b |= (guint64) data[whole + i] << (8 * i);
  v3 ^= b;
  SIPROUND;
  SIPROUND;
  v0 ^= b;
  v2 ^= 0xff;
  SIPROUND;
  SIPROUND;
  SIPROUND;
  SIPROUND;
  return v0 ^ v1 ^ v2 ^ v3;
}

/* The digest of a normalized text: 0 only for nothing. */
static guint64
digest_normal (const guint8 *key, const char *normal, gsize len)
{
  if (len == 0)
    return 0;
  guint64 value = sb_siphash24 (key, (const guint8 *) normal, len);
  /* 0 means "no text"; a real digest that happens to be 0 moves aside. */
  return value != 0 ? value : 1;
}

guint64
sb_text_digest_len (const guint8 *key, gsize key_len, const char *text, gsize len,
                    gboolean markup, GString *scratch)
{
  g_return_val_if_fail (key != NULL && key_len >= 16, 0);
  g_return_val_if_fail (text != NULL && scratch != NULL, 0);
  g_string_truncate (scratch, 0);
  if (!normalize_into (scratch, text, text + len, markup))
    return digest_normal (key, scratch->str, scratch->len);
  g_autofree char *folded = g_utf8_casefold (scratch->str, (gssize) scratch->len);
  return digest_normal (key, folded, strlen (folded));
}

guint64
sb_text_digest (const guint8 *key, gsize key_len, const char *text)
{
  g_return_val_if_fail (key != NULL && key_len >= 16, 0);

  g_autofree char *normal = sb_text_normalize (text);
  return digest_normal (key, normal, strlen (normal));
}
