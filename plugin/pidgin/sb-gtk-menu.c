/* sb-gtk-menu.c: Smile Back's entries in the buddy, contact and group menus.
 *
 * "Keep in touch every..." stores the user's own reminder interval on the node
 * (SB_NODE_KEEP_IN_TOUCH_DAYS, saved in blist.xml by libpurple), where the core
 * plugin's planner reads it: a buddy's own setting, else its contact's, else
 * its group's.  "Show history" opens the "Who smiles back" window on that
 * buddy.  "Don't track this buddy" and "Forget this buddy" belong to the core
 * plugin, whose menu works in every UI; these entries follow them.
 */
#include "sb-gtk-private.h"

#include <glib/gi18n-lib.h>

#include <signals.h>
#include <util.h>

typedef struct
{
  int days; /* SB_NODE_KEEP_IN_TOUCH_DAYS value; 0 removes the setting */
  const char *label;
} SbGtkKeepChoice;

/* A month counts as 30 days and three as 91: the planner compares whole days. */
static const SbGtkKeepChoice keep_choices[] = {
  { 7, N_("Every week") },
  { 14, N_("Every 2 weeks") },
  { 30, N_("Every month") },
  { 91, N_("Every 3 months") },
  { -1, N_("No reminders") },
  { 0, N_("Automatic (from your usual rhythm)") },
};

static void
keep_in_touch_cb (PurpleBlistNode *node, gpointer data)
{
  int days = GPOINTER_TO_INT (data);
  SbGtkContext *ctx = sb_gtk_context ();

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
    sb_gtk_window_queue_refresh (ctx);
}

static PurpleMenuAction *
keep_in_touch_menu (PurpleBlistNode *node)
{
  int current = purple_blist_node_get_int (node, SB_NODE_KEEP_IN_TOUCH_DAYS);
  GList *children = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (keep_choices); i++)
    {
      const SbGtkKeepChoice *choice = &keep_choices[i];
      g_autofree char *label = NULL;

      /* A check mark before the node's own choice: plain text, no colour. */
      label = g_strdup_printf ("%s%s", choice->days == current ? "\342\234\223 " : "",
                               _(choice->label));
      children = g_list_append (children,
                                purple_menu_action_new (label, PURPLE_CALLBACK (keep_in_touch_cb),
                                                        GINT_TO_POINTER (choice->days), NULL));
    }
  /* TRANSLATORS: buddy/group menu entry; a submenu lists the intervals */
  return purple_menu_action_new (_("Keep in touch every\342\200\246"), NULL, NULL, children);
}

static void
show_history_cb (PurpleBlistNode *node, gpointer data)
{
  SbGtkContext *ctx = sb_gtk_context ();

  if (ctx != NULL)
    sb_gtk_window_show (ctx, sb_gtk_node_buddy (node));
}

static void
extended_menu_cb (PurpleBlistNode *node, GList **menu, SbGtkContext *ctx)
{
  if (purple_blist_node_get_flags (node) & PURPLE_BLIST_NODE_FLAG_NO_SAVE)
    return; /* temporary buddies: a setting would not survive */

  if (PURPLE_BLIST_NODE_IS_BUDDY (node) || PURPLE_BLIST_NODE_IS_CONTACT (node))
    {
      /* Right after the core plugin's "Don't track" and "Forget", under the
       * separator it adds. */
      *menu = g_list_append (*menu, keep_in_touch_menu (node));
      /* TRANSLATORS: buddy menu entry opening the "Who smiles back" window on this buddy */
      *menu = g_list_append (*menu, purple_menu_action_new (_("Show history"),
                                                            PURPLE_CALLBACK (show_history_cb),
                                                            NULL, NULL));
    }
  else if (PURPLE_BLIST_NODE_IS_GROUP (node))
    {
      *menu = g_list_append (*menu, NULL); /* separator */
      *menu = g_list_append (*menu, keep_in_touch_menu (node));
    }
}

void
sb_gtk_menu_init (SbGtkContext *ctx)
{
  /* After the core plugin's handler (same priority, connected later), so the
   * Smile Back entries stay together. */
  purple_signal_connect (purple_blist_get_handle (), "blist-node-extended-menu", ctx->plugin,
                         PURPLE_CALLBACK (extended_menu_cb), ctx);
}

void
sb_gtk_menu_shutdown (SbGtkContext *ctx)
{
  purple_signal_disconnect (purple_blist_get_handle (), "blist-node-extended-menu",
                            ctx->plugin, PURPLE_CALLBACK (extended_menu_cb));
}
