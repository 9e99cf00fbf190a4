/* sb-gtk-menu.c: Smile Back's Pidgin-only entry in the buddy and contact menus.
 *
 * "Show history" opens the "Who smiles back" window on that buddy.  "Don't
 * track this buddy", "Forget this buddy" and "Keep in touch every..." belong
 * to the core plugin, whose menu works in every UI (sb-purple-menu.c); this
 * entry follows them.
 */
#include "sb-gtk-private.h"

#include <glib/gi18n-lib.h>

#include <signals.h>

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
    return; /* temporary buddies */
  if (!PURPLE_BLIST_NODE_IS_BUDDY (node) && !PURPLE_BLIST_NODE_IS_CONTACT (node))
    return;
  /* Right after the core plugin's entries, under the separator it adds. */
  /* TRANSLATORS: buddy menu entry opening the "Who smiles back" window on this buddy */
  *menu = g_list_append (*menu, purple_menu_action_new (_("Show history"),
                                                        PURPLE_CALLBACK (show_history_cb),
                                                        NULL, NULL));
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
