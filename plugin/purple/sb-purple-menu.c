/* sb-purple-menu.c: Smile Back's entries in the buddy and group menus.
 *
 * Through "blist-node-extended-menu", so Pidgin and Finch both show them, on a
 * buddy (that buddy) or a contact (all its buddies): "Don't track this buddy"
 * (or "Track this buddy again") and "Forget this buddy", which asks first and
 * then deletes every row about them.  A pending question holds copies of the
 * keys, never the node; questions still open at unload are closed and their
 * keys freed.
 *
 * "Keep in touch every...", on buddies, contacts and groups, stores the
 * user's own reminder interval on the node (SB_NODE_KEEP_IN_TOUCH_DAYS, saved
 * in blist.xml by libpurple), where the planner reads it: a buddy's own
 * setting, else its contact's, else its group's (sb_purple_keep_in_touch_days;
 * docs/design.md, "Prompts and their manners").
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

/* ---- keep in touch ------------------------------------------------------------ */

typedef struct
{
  int days; /* SB_NODE_KEEP_IN_TOUCH_DAYS value; 0 removes the setting */
  const char *label;
} KeepChoice;

/* A month counts as 30 days and three as 91: the planner compares whole days. */
static const KeepChoice keep_choices[] = {
  /* TRANSLATORS: "Keep in touch every..." submenu entry */
  { 7, N_("Every week") },
  /* TRANSLATORS: "Keep in touch every..." submenu entry */
  { 14, N_("Every 2 weeks") },
  /* TRANSLATORS: "Keep in touch every..." submenu entry */
  { 30, N_("Every month") },
  /* TRANSLATORS: "Keep in touch every..." submenu entry */
  { 91, N_("Every 3 months") },
  /* TRANSLATORS: "Keep in touch every..." submenu entry: never remind */
  { -1, N_("No reminders") },
  /* TRANSLATORS: "Keep in touch every..." submenu entry: the learned interval */
  { 0, N_("Automatic (from your usual rhythm)") },
};

/* Tells UI plugins that the figures shown for @node's buddies changed (the
 * reminder due). */
static void
announce_node (SbPurple *ctx, PurpleBlistNode *node)
{
  g_autoptr (GPtrArray) keys = sb_purple_keys_for_node (node);

  for (guint i = 0; i < keys->len; i++)
    sb_purple_ipc_emit_changed (ctx, keys->pdata[i]);
  if (PURPLE_BLIST_NODE_IS_GROUP (node))
    for (PurpleBlistNode *child = purple_blist_node_get_first_child (node); child != NULL;
         child = purple_blist_node_get_sibling_next (child))
      announce_node (ctx, child);
}

static void
keep_in_touch_cb (PurpleBlistNode *node, gpointer data)
{
  int days = GPOINTER_TO_INT (data);
  SbPurple *ctx = sb_purple_get ();

  if (days == 0)
    purple_blist_node_remove_setting (node, SB_NODE_KEEP_IN_TOUCH_DAYS);
  else
    purple_blist_node_set_int (node, SB_NODE_KEEP_IN_TOUCH_DAYS, days);

  /* A contact row speaks for all its buddies: their own older choices would
   * otherwise silently win over the one just made. */
  if (PURPLE_BLIST_NODE_IS_CONTACT (node))
    for (PurpleBlistNode *child = purple_blist_node_get_first_child (node); child != NULL;
         child = purple_blist_node_get_sibling_next (child))
      purple_blist_node_remove_setting (child, SB_NODE_KEEP_IN_TOUCH_DAYS);

  if (ctx != NULL)
    announce_node (ctx, node);
}

/* "Keep in touch every..." and its submenu, the node's own choice ticked. */
static PurpleMenuAction *
keep_in_touch_menu (PurpleBlistNode *node)
{
  int current = purple_blist_node_get_int (node, SB_NODE_KEEP_IN_TOUCH_DAYS);
  GList *children = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (keep_choices); i++)
    {
      const KeepChoice *choice = &keep_choices[i];
      /* A check mark before the node's own choice: plain text, no colour. */
      const char *mark = choice->days == current ? "\342\234\223 " : "";
      g_autofree char *label = g_strdup_printf ("%s%s", mark, _(choice->label));

      children = g_list_append (children,
                                purple_menu_action_new (label, PURPLE_CALLBACK (keep_in_touch_cb),
                                                        GINT_TO_POINTER (choice->days), NULL));
    }
  /* TRANSLATORS: buddy/group menu entry; a submenu lists the intervals */
  return purple_menu_action_new (_("Keep in touch every\342\200\246"), NULL, NULL, children);
}

/* Temporary buddies are not saved: a setting on them would not survive. */
static gboolean
keeps_settings (PurpleBlistNode *node)
{
  return !(purple_blist_node_get_flags (node) & PURPLE_BLIST_NODE_FLAG_NO_SAVE);
}

/* ---- the menus ------------------------------------------------------------------ */

/* "Don't track" (or "Track again") and "Forget" for the buddies of @node. */
static void
append_tracking (SbPurple *ctx, GPtrArray *keys, GList **menu)
{
  gboolean tracked = all_tracked (ctx, keys);

  *menu = g_list_append (*menu,
                         purple_menu_action_new (tracked ? _("Don't track this buddy")
                                                         : _("Track this buddy again"),
                                                 tracked ? PURPLE_CALLBACK (untrack_cb)
                                                         : PURPLE_CALLBACK (track_cb),
                                                 NULL, NULL));
  *menu = g_list_append (*menu, purple_menu_action_new (_("Forget this buddy"),
                                                        PURPLE_CALLBACK (forget_cb), NULL, NULL));
}

static void
extended_menu_cb (PurpleBlistNode *node, GList **menu, gpointer data)
{
  SbPurple *ctx = data;

  if (PURPLE_BLIST_NODE_IS_BUDDY (node) || PURPLE_BLIST_NODE_IS_CONTACT (node))
    {
      g_autoptr (GPtrArray) keys = sb_purple_keys_for_node (node);

      if (keys->len == 0)
        return;
      *menu = g_list_append (*menu, NULL); /* separator */
      append_tracking (ctx, keys, menu);
      if (keeps_settings (node))
        *menu = g_list_append (*menu, keep_in_touch_menu (node));
    }
  else if (PURPLE_BLIST_NODE_IS_GROUP (node) && keeps_settings (node))
    {
      *menu = g_list_append (*menu, NULL); /* separator */
      *menu = g_list_append (*menu, keep_in_touch_menu (node));
    }
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
