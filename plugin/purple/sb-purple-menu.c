/* sb-purple-menu.c: Smile Back's entries in the buddy menu.
 *
 * Through "blist-node-extended-menu", so Pidgin and Finch both show them, on a
 * buddy (that buddy) or a contact (all its buddies): "Don't track this buddy"
 * (or "Track this buddy again") and "Forget this buddy", which asks first and
 * then deletes every row about them.  A pending question holds copies of the
 * keys, never the node; questions still open at unload are closed and their
 * keys freed.
 */
#include "sb-purple-private.h"

#include <glib/gi18n-lib.h>

static gboolean
all_tracked (SbPurple *ctx, GPtrArray *keys)
{
  for (guint i = 0; i < keys->len; i++)
    if (!sb_ledger_is_tracked (ctx->ledger, keys->pdata[i]))
      return FALSE;
  return TRUE;
}

static void
set_tracked (PurpleBlistNode *node, gboolean tracked)
{
  SbPurple *ctx = sb_purple_get ();
  g_autoptr (GPtrArray) keys = sb_purple_keys_for_node (node);

  if (ctx == NULL)
    return;
  for (guint i = 0; i < keys->len; i++)
    {
      g_autoptr (GError) error = NULL;

      if (!sb_ledger_set_tracked (ctx->ledger, keys->pdata[i], tracked, &error))
        purple_notify_error (ctx->plugin, _("Smile Back"), _("Cannot change tracking"),
                             error->message);
    }
}

static void
untrack_cb (PurpleBlistNode *node, gpointer data)
{
  set_tracked (node, FALSE);
}

static void
track_cb (PurpleBlistNode *node, gpointer data)
{
  set_tracked (node, TRUE);
}

/* Answers arrive while the plugin is loaded (unload closes open questions
 * without answering), and each question is answered once. */
static void
forget_answered (GPtrArray *keys, gboolean forget)
{
  SbPurple *ctx = sb_purple_get ();

  if (ctx == NULL || g_list_find (ctx->pending_forgets, keys) == NULL)
    return;
  ctx->pending_forgets = g_list_remove (ctx->pending_forgets, keys);
  for (guint i = 0; forget && i < keys->len; i++)
    {
      g_autoptr (GError) error = NULL;

      if (!sb_ledger_forget_buddy (ctx->ledger, keys->pdata[i], &error))
        purple_notify_error (ctx->plugin, _("Smile Back"), _("Cannot forget this buddy"),
                             error->message);
    }
  g_ptr_array_unref (keys);
}

static void
forget_confirmed_cb (gpointer data, int action)
{
  forget_answered (data, TRUE);
}

static void
forget_cancelled_cb (gpointer data, int action)
{
  forget_answered (data, FALSE);
}

static void
forget_cb (PurpleBlistNode *node, gpointer data)
{
  SbPurple *ctx = sb_purple_get ();
  GPtrArray *keys = sb_purple_keys_for_node (node);
  PurpleBuddy *buddy = PURPLE_BLIST_NODE_IS_CONTACT (node)
                         ? purple_contact_get_priority_buddy ((PurpleContact *) node)
                         : (PurpleBuddy *) node;
  g_autofree char *primary = NULL;

  if (ctx == NULL || keys->len == 0 || buddy == NULL)
    {
      g_ptr_array_unref (keys);
      return;
    }
  ctx->pending_forgets = g_list_prepend (ctx->pending_forgets, keys);
  /* TRANSLATORS: %s is the buddy's alias */
  primary = g_strdup_printf (_("Forget everything about %s?"), purple_buddy_get_contact_alias (buddy));
  purple_request_action (ctx->plugin, _("Smile Back"), primary,
                         _("Smile Back deletes who started each conversation with them and "
                           "whether it was answered.  This cannot be undone."),
                         1, purple_buddy_get_account (buddy), purple_buddy_get_name (buddy), NULL,
                         keys, 2, _("_Forget"), PURPLE_CALLBACK (forget_confirmed_cb),
                         _("_Cancel"), PURPLE_CALLBACK (forget_cancelled_cb));
}

static void
extended_menu_cb (PurpleBlistNode *node, GList **menu, gpointer data)
{
  SbPurple *ctx = data;
  g_autoptr (GPtrArray) keys = NULL;
  gboolean tracked;

  if (!PURPLE_BLIST_NODE_IS_BUDDY (node) && !PURPLE_BLIST_NODE_IS_CONTACT (node))
    return;
  keys = sb_purple_keys_for_node (node);
  if (keys->len == 0)
    return;
  tracked = all_tracked (ctx, keys);
  *menu = g_list_append (*menu, NULL); /* separator */
  *menu = g_list_append (*menu,
                         purple_menu_action_new (tracked ? _("Don't track this buddy")
                                                         : _("Track this buddy again"),
                                                 tracked ? PURPLE_CALLBACK (untrack_cb)
                                                         : PURPLE_CALLBACK (track_cb),
                                                 NULL, NULL));
  *menu = g_list_append (*menu, purple_menu_action_new (_("Forget this buddy"),
                                                        PURPLE_CALLBACK (forget_cb), NULL, NULL));
}

void
sb_purple_menu_init (SbPurple *ctx)
{
  purple_signal_connect (purple_blist_get_handle (), "blist-node-extended-menu", ctx->plugin,
                         PURPLE_CALLBACK (extended_menu_cb), ctx);
}

void
sb_purple_menu_shutdown (SbPurple *ctx)
{
  purple_signal_disconnect (purple_blist_get_handle (), "blist-node-extended-menu", ctx->plugin,
                            PURPLE_CALLBACK (extended_menu_cb));
  /* Close open questions without answering them, then free what they held. */
  purple_request_close_with_handle (ctx->plugin);
  g_list_free_full (g_steal_pointer (&ctx->pending_forgets), (GDestroyNotify) g_ptr_array_unref);
}
