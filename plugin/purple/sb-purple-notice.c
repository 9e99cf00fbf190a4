/* sb-purple-notice.c: telling the user, once, that something went wrong with
 * the history (the database is locked, the disk is full, a damaged file was
 * moved aside).
 *
 * The debug log says it every time; the user is told once per kind of
 * trouble per session, through libpurple's notify UI ops, so Pidgin, Finch and
 * any other client show it their own way.  A notice says what was kept and
 * what to do; it never asks anything and never blocks.
 */
#include "sb-purple-private.h"

#include <glib/gi18n-lib.h>

void
sb_purple_notice_init (SbPurple *ctx)
{
  ctx->told = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

void
sb_purple_notice_shutdown (SbPurple *ctx)
{
  g_clear_pointer (&ctx->told, g_hash_table_unref);
}

gboolean
sb_purple_notice_once (SbPurple *ctx, const char *kind, const char *primary,
                       const char *secondary)
{
  g_return_val_if_fail (ctx != NULL && kind != NULL && primary != NULL, FALSE);

  purple_debug_warning ("smileback", "%s: %s %s\n", kind, primary,
                        secondary != NULL ? secondary : "");
  if (ctx->told == NULL || g_hash_table_contains (ctx->told, kind))
    return FALSE;
  g_hash_table_add (ctx->told, g_strdup (kind));
  purple_notify_message (ctx->plugin, PURPLE_NOTIFY_MSG_WARNING, _("Smile Back"), primary,
                         secondary, NULL, NULL);
  return TRUE;
}

void
sb_purple_notice_forget (SbPurple *ctx, const char *kind)
{
  g_return_if_fail (ctx != NULL && kind != NULL);

  if (ctx->told != NULL)
    g_hash_table_remove (ctx->told, kind);
}
