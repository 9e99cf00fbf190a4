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
static void
emit (GString *out, gunichar c, gboolean *pending_space)
{
  if (g_unichar_isspace (c))
    {
      *pending_space = out->len > 0;
      return;
    }
  if (*pending_space)
    g_string_append_c (out, ' ');
  *pending_space = FALSE;
  if (c < 0x80)
    g_string_append_c (out, g_ascii_tolower ((char) c));
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
      c = g_utf8_get_char (p);
      non_ascii |= c >= 0x80;
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

guint64
sb_text_digest (const guint8 *key, gsize key_len, const char *text)
{
  g_return_val_if_fail (key != NULL && key_len > 0, 0);

  g_autofree char *normal = sb_text_normalize (text);
  if (*normal == '\0')
    return 0;

  /* A keyed hash: SHA-256 over the profile's secret, then the text.  Only
   * equality is ever asked of it, so the secret prefix is enough and costs half
   * of an HMAC on the message path. */
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (checksum, key, (gssize) key_len);
  g_checksum_update (checksum, (const guchar *) normal, (gssize) strlen (normal));
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_checksum_get_digest (checksum, digest, &digest_len);

  guint64 value = 0;
  for (int i = 0; i < 8; i++)
    value = (value << 8) | digest[i];
  /* 0 means "no text"; a real digest that happens to be 0 moves aside. */
  return value != 0 ? value : 1;
}
