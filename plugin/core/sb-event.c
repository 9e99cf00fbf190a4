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
  const char *text;
} entities[] = {
  { "amp", "&" }, { "lt", "<" }, { "gt", ">" }, { "quot", "\"" }, { "apos", "'" }, { "nbsp", " " },
};

/* Decodes the entity at @p (just after '&') into @out; returns the number of
 * bytes consumed after '&', or 0 when it is no entity (the '&' is kept). */
static gsize
decode_entity (const char *p, GString *out)
{
  const char *semi = strchr (p, ';');
  if (semi == NULL || semi - p > 10 || semi == p)
    return 0;

  gsize len = (gsize) (semi - p);
  if (p[0] == '#')
    {
      gboolean hex = (p[1] == 'x' || p[1] == 'X');
      g_autofree char *digits = g_strndup (p + (hex ? 2 : 1), len - (hex ? 2 : 1));
      char *end = NULL;
      guint64 cp = g_ascii_strtoull (digits, &end, hex ? 16 : 10);
      if (*digits == '\0' || end == NULL || *end != '\0' || !g_unichar_validate ((gunichar) cp)
          || cp == 0)
        return 0;
      g_string_append_unichar (out, (gunichar) cp);
      return len + 1;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (entities); i++)
    if (strlen (entities[i].name) == len && strncmp (p, entities[i].name, len) == 0)
      {
        g_string_append (out, entities[i].text);
        return len + 1;
      }
  return 0;
}

char *
sb_text_normalize (const char *text)
{
  if (text == NULL)
    return g_strdup ("");

  g_autofree char *valid = g_utf8_make_valid (text, -1);
  g_autoptr (GString) visible = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p != '\0'; p++)
    {
      if (*p == '<')
        {
          /* A tag is markup, not text; <br> and block tags separate words. */
          const char *close = strchr (p, '>');
          if (close != NULL)
            {
              g_string_append_c (visible, ' ');
              p = close;
              continue;
            }
        }
      else if (*p == '&')
        {
          gsize used = decode_entity (p + 1, visible);
          if (used > 0)
            {
              p += used;
              continue;
            }
        }
      g_string_append_c (visible, *p);
    }

  /* Fold every run of white space to one space and trim. */
  g_autoptr (GString) folded = g_string_sized_new (visible->len);
  gboolean in_space = TRUE;
  for (const char *p = visible->str; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      if (g_unichar_isspace (c))
        {
          in_space = TRUE;
          continue;
        }
      if (in_space && folded->len > 0)
        g_string_append_c (folded, ' ');
      in_space = FALSE;
      g_string_append_unichar (folded, c);
    }

  return g_utf8_casefold (folded->str, (gssize) folded->len);
}

guint64
sb_text_digest (const guint8 *key, gsize key_len, const char *text)
{
  g_return_val_if_fail (key != NULL && key_len > 0, 0);

  g_autofree char *normal = sb_text_normalize (text);
  if (*normal == '\0')
    return 0;

  g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, key, key_len);
  g_hmac_update (hmac, (const guchar *) normal, (gssize) strlen (normal));
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_hmac_get_digest (hmac, digest, &digest_len);

  guint64 value = 0;
  for (int i = 0; i < 8; i++)
    value = (value << 8) | digest[i];
  /* 0 means "no text"; a real digest that happens to be 0 moves aside. */
  return value != 0 ? value : 1;
}
