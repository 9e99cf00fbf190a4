/* sb-purple-key.c: the buddy-key rule on libpurple's objects.
 *
 * Linked into both plugins (a static library, plugin/purple/meson.build), so
 * the rule that files a buddy's history is written once.  purple_normalize()
 * returns a static buffer: every result is copied before the next call.  See
 * sb-purple-key.h.
 */
#include "smileback-purple/sb-purple-key.h"
#include "smileback-purple/sb-ipc.h"

#include <string.h>

#include <prpl.h>

char *
sb_purple_key_account_name (PurpleAccount *account)
{
  const char *normalized;
  const char *slash;

  g_return_val_if_fail (account != NULL, NULL);
  normalized = purple_normalize (account, purple_account_get_username (account));
  if (normalized == NULL)
    return NULL;
  /* As sb_buddy_key_new(): the account without its resource. */
  slash = strchr (normalized, '/');
  return slash != NULL ? g_strndup (normalized, slash - normalized) : g_strdup (normalized);
}

SbBuddyKey *
sb_purple_key_new (PurpleAccount *account, const char *who)
{
  g_autofree char *account_name = NULL;
  g_autofree char *buddy_name = NULL;

  if (account == NULL || who == NULL)
    return NULL;
  account_name = sb_purple_key_account_name (account);
  buddy_name = g_strdup (purple_normalize (account, who));
  return sb_buddy_key_new (purple_account_get_protocol_id (account), account_name, buddy_name);
}

SbBuddyKey *
sb_purple_key_for_buddy (PurpleBuddy *buddy)
{
  g_return_val_if_fail (buddy != NULL, NULL);
  return sb_purple_key_new (purple_buddy_get_account (buddy), purple_buddy_get_name (buddy));
}

static void
add_buddy_key (GPtrArray *keys, PurpleBuddy *buddy)
{
  SbBuddyKey *key = sb_purple_key_for_buddy (buddy);

  if (key != NULL)
    g_ptr_array_add (keys, key);
}

GPtrArray *
sb_purple_keys_for_node (PurpleBlistNode *node)
{
  GPtrArray *keys = g_ptr_array_new_with_free_func ((GDestroyNotify) sb_buddy_key_free);

  if (node == NULL)
    return keys;
  if (PURPLE_BLIST_NODE_IS_BUDDY (node))
    add_buddy_key (keys, (PurpleBuddy *) node);
  else if (PURPLE_BLIST_NODE_IS_CONTACT (node))
    {
      for (PurpleBlistNode *child = purple_blist_node_get_first_child (node); child != NULL;
           child = purple_blist_node_get_sibling_next (child))
        if (PURPLE_BLIST_NODE_IS_BUDDY (child))
          add_buddy_key (keys, (PurpleBuddy *) child);
    }
  return keys;
}

/* TRUE when @candidate is the account the key parts name. */
static gboolean
account_matches (PurpleAccount *candidate, const char *protocol, const char *account)
{
  g_autofree char *name = NULL;

  if (g_strcmp0 (purple_account_get_protocol_id (candidate), protocol) != 0)
    return FALSE;
  name = sb_purple_key_account_name (candidate);
  return g_strcmp0 (name, account) == 0;
}

PurpleAccount *
sb_purple_key_find_account (const char *protocol, const char *account)
{
  g_return_val_if_fail (protocol != NULL && account != NULL, NULL);
  for (GList *l = purple_accounts_get_all (); l != NULL; l = l->next)
    if (account_matches (l->data, protocol, account))
      return l->data;
  return NULL;
}

PurpleAccount *
sb_purple_key_find_active_account (const char *protocol, const char *account)
{
  g_autoptr (GList) active = NULL;

  g_return_val_if_fail (protocol != NULL && account != NULL, NULL);
  active = purple_accounts_get_all_active ();
  for (GList *l = active; l != NULL; l = l->next)
    if (account_matches (l->data, protocol, account))
      return l->data;
  return NULL;
}

PurpleConversation *
sb_purple_key_open_conversation (const SbBuddyKey *key)
{
  PurpleAccount *account;
  PurpleConversation *conv;

  g_return_val_if_fail (key != NULL, NULL);
  account = sb_purple_key_find_active_account (key->protocol, key->account);
  if (account == NULL)
    return NULL;
  conv = purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, key->buddy, account);
  if (conv == NULL)
    conv = purple_conversation_new (PURPLE_CONV_TYPE_IM, account, key->buddy);
  if (conv != NULL)
    purple_conversation_present (conv);
  return conv;
}

GSList *
sb_purple_key_find_buddies (const char *protocol, const char *account, const char *buddy)
{
  PurpleAccount *found;

  g_return_val_if_fail (buddy != NULL, NULL);
  found = sb_purple_key_find_account (protocol, account);
  return found != NULL ? purple_find_buddies (found, buddy) : NULL;
}

char *
sb_purple_buddy_display_name (const char *protocol, const char *account, const char *buddy)
{
  GSList *buddies;
  char *name;

  g_return_val_if_fail (buddy != NULL, NULL);
  buddies = sb_purple_key_find_buddies (protocol, account, buddy);
  name = g_strdup (buddies != NULL ? purple_buddy_get_contact_alias (buddies->data) : buddy);
  g_slist_free (buddies);
  return name;
}

char *
sb_purple_key_display_name (const SbBuddyKey *key)
{
  g_return_val_if_fail (key != NULL, NULL);
  return sb_purple_buddy_display_name (key->protocol, key->account, key->buddy);
}

SbPromptWording *
sb_purple_prompt_wording (const SbPrompt *prompt, gboolean audio, gint64 now)
{
  g_autofree char *name = NULL;
  g_autofree char *other = NULL;
  SbPromptScene scene = { .audio = audio, .now = now };

  g_return_val_if_fail (prompt != NULL && prompt->key != NULL, NULL);
  name = sb_purple_key_display_name (prompt->key);
  other = prompt->other != NULL ? sb_purple_key_display_name (prompt->other) : NULL;
  scene.name = name;
  scene.other_name = other;
  return sb_prompt_wording_new (prompt, &scene);
}

gboolean
sb_purple_key_has_audio (const SbBuddyKey *key)
{
  PurpleAccount *account;

  g_return_val_if_fail (key != NULL, FALSE);
  account = sb_purple_key_find_active_account (key->protocol, key->account);
  return account != NULL
         && (purple_prpl_get_media_caps (account, key->buddy) & PURPLE_MEDIA_CAPS_AUDIO) != 0;
}

int
sb_purple_keep_in_touch_days (PurpleBlistNode *node)
{
  /* The most specific setting wins: buddy, then contact, then group. */
  for (; node != NULL; node = purple_blist_node_get_parent (node))
    {
      int days = purple_blist_node_get_int (node, SB_NODE_KEEP_IN_TOUCH_DAYS);

      if (days != 0)
        return days;
    }
  return 0;
}
