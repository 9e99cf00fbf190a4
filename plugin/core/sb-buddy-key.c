/* sb-buddy-key.c: the (protocol, account, buddy) triple a history belongs to. */
#include "smileback/sb-buddy-key.h"

#include <string.h>

static gboolean
part_is_valid (const char *part)
{
  return part != NULL && *part != '\0' && g_utf8_validate (part, -1, NULL);
}

SbBuddyKey *
sb_buddy_key_new (const char *protocol, const char *account, const char *buddy)
{
  if (!part_is_valid (protocol) || !part_is_valid (account) || !part_is_valid (buddy))
    return NULL;

  /* XMPP and others append "/resource" to the account name; the key is the
   * account itself, whichever resource it connected with. */
  const char *slash = strchr (account, '/');
  gsize account_len = slash != NULL ? (gsize) (slash - account) : strlen (account);
  if (account_len == 0)
    return NULL;

  SbBuddyKey *key = g_new0 (SbBuddyKey, 1);
  key->protocol = g_strdup (protocol);
  key->account = g_strndup (account, account_len);
  key->buddy = g_strdup (buddy);
  return key;
}

SbBuddyKey *
sb_buddy_key_copy (const SbBuddyKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  return sb_buddy_key_new (key->protocol, key->account, key->buddy);
}

void
sb_buddy_key_free (SbBuddyKey *key)
{
  if (key == NULL)
    return;
  g_free (key->protocol);
  g_free (key->account);
  g_free (key->buddy);
  g_free (key);
}

guint
sb_buddy_key_hash (gconstpointer p)
{
  const SbBuddyKey *key = p;
  guint h = g_str_hash (key->protocol);
  h = h * 31 + g_str_hash (key->account);
  h = h * 31 + g_str_hash (key->buddy);
  return h;
}

gboolean
sb_buddy_key_equal (gconstpointer pa, gconstpointer pb)
{
  const SbBuddyKey *a = pa;
  const SbBuddyKey *b = pb;
  return g_str_equal (a->protocol, b->protocol) && g_str_equal (a->account, b->account)
         && g_str_equal (a->buddy, b->buddy);
}

char *
sb_buddy_key_to_string (const SbBuddyKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  return g_strdup_printf ("%s/%s/%s", key->protocol, key->account, key->buddy);
}
