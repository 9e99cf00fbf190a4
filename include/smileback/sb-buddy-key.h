/* sb-buddy-key.h: who a history belongs to.
 *
 * A buddy key is (protocol id, account name, buddy name), all three already
 * normalized by the caller (purple_normalize() live, the log folder names on
 * import) and with the account's resource removed.  Statistics are kept per key;
 * a Pidgin contact sums several keys for display.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  char *protocol; /* "prpl-jabber" */
  char *account;  /* "alice@example.org" (no resource) */
  char *buddy;    /* "bob@example.org" */
} SbBuddyKey;

/* A new key holding copies of the three strings.  Strips a "/resource" from
 * @account.  Returns NULL (and sets nothing) if any part is NULL or empty or not
 * valid UTF-8.  Caller frees with sb_buddy_key_free(). */
SbBuddyKey *sb_buddy_key_new (const char *protocol, const char *account, const char *buddy);
SbBuddyKey *sb_buddy_key_copy (const SbBuddyKey *key);
void sb_buddy_key_free (SbBuddyKey *key);

/* GHashTable helpers: keys compare by all three strings. */
guint sb_buddy_key_hash (gconstpointer key);
gboolean sb_buddy_key_equal (gconstpointer a, gconstpointer b);

/* "protocol/account/buddy", for messages and debugging.  Caller frees. */
char *sb_buddy_key_to_string (const SbBuddyKey *key);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SbBuddyKey, sb_buddy_key_free)

G_END_DECLS
