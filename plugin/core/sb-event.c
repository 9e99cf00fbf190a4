/* sb-event.c: what is kept of a line of conversation, and what is not.
 *
 * The text of a message never reaches the store.  It is reduced to a size
 * bucket and a keyed digest of its visible text, so the same message seen live
 * and again in a log file (where libpurple wrote the same HTML) is recognised,
 * and so are automated texts, without the text being recoverable.
 */
#include "smileback/sb-event.h"

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

/* Decodes the entity at @p (just after '&') into *@c; returns the number of
 * bytes consumed after '&', or 0 when it is no entity (the '&' is text). */
static gsize
decode_entity (const char *p, gunichar *c)
{
  gsize len = 0;
  while (len <= 10 && p[len] != ';' && p[len] != '\0')
    len++;
  if (len == 0 || len > 10 || p[len] != ';')
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

/* Appends @c to @out, folding white space: a run of spaces becomes one space
 * before the next visible character, none at either end. */
static inline void
emit (GString *out, gunichar c, gboolean *pending_space)
{
  gboolean space = c < 0x80 ? (c == ' ' || (c >= '\t' && c <= '\r')) : g_unichar_isspace (c);
  if (space)
    {
      *pending_space = out->len > 0;
      return;
    }
  if (*pending_space)
    g_string_append_c (out, ' ');
  *pending_space = FALSE;
  if (c < 0x80)
    g_string_append_c (out, (char) (c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c));
  else
    g_string_append_unichar (out, c);
}

char *
sb_text_normalize (const char *text)
{
  if (text == NULL)
    return g_strdup ("");

  /* Invalid UTF-8 is replaced, never trusted; valid text is not copied. */
  g_autofree char *repaired = g_utf8_validate (text, -1, NULL) ? NULL : g_utf8_make_valid (text, -1);
  const char *p = repaired != NULL ? repaired : text;

  GString *out = g_string_sized_new (strlen (p));
  gboolean pending_space = FALSE, non_ascii = FALSE;
  while (*p != '\0')
    {
      gunichar c;
      if (*p == '<')
        {
          /* A tag is markup, not text; <br> and block tags separate words. */
          const char *close = strchr (p, '>');
          if (close != NULL)
            {
              emit (out, ' ', &pending_space);
              p = close + 1;
              continue;
            }
        }
      if (*p == '&')
        {
          gsize used = decode_entity (p + 1, &c);
          if (used > 0)
            {
              non_ascii |= c >= 0x80;
              emit (out, c, &pending_space);
              p += used + 1;
              continue;
            }
        }
      if ((guchar) *p < 0x80)
        {
          emit (out, (guchar) *p, &pending_space);
          p++;
          continue;
        }
      c = g_utf8_get_char (p);
      non_ascii = TRUE;
      emit (out, c, &pending_space);
      p = g_utf8_next_char (p);
    }

  if (!non_ascii)
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
  guint64 v = 0;
  for (int i = 7; i >= 0; i--)
    v = (v << 8) | p[i];
  return v;
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

guint64
sb_text_digest (const guint8 *key, gsize key_len, const char *text)
{
  g_return_val_if_fail (key != NULL && key_len >= 16, 0);

  g_autofree char *normal = sb_text_normalize (text);
  if (*normal == '\0')
    return 0;
  guint64 value = sb_siphash24 (key, (const guint8 *) normal, strlen (normal));
  /* 0 means "no text"; a real digest that happens to be 0 moves aside. */
  return value != 0 ? value : 1;
}
