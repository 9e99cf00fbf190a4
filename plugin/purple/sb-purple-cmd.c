/* sb-purple-cmd.c: the /smileback conversation command.
 *
 * Typed in an IM, it shows this buddy's figures (the whole contact's when the
 * buddy is in the list) in the conversation as a local system line: written
 * with purple_conversation_write(), never sent, not logged.  The figures are
 * the tooltip's (sb_hint_tooltip_full), so both say the same thing.
 */
#include "sb-purple-private.h"

#include <glib/gi18n-lib.h>
#include <smileback/sb-hint.h>

char *
sb_purple_cmd_summary (SbPurple *ctx, PurpleAccount *account, const char *who)
{
  PurpleBuddy *buddy;
  g_autofree char *escaped = NULL;
  g_autofree char *figures = NULL;
  g_auto(GStrv) lines = NULL;
  const char *label;

  g_return_val_if_fail (ctx != NULL && account != NULL && who != NULL, NULL);
  buddy = purple_find_buddy (account, who);
  gint64 now = sb_purple_now ();
  SbStats stats;

  escaped = g_markup_escape_text (buddy != NULL ? purple_buddy_get_contact_alias (buddy) : who,
                                  -1);
  if (!sb_purple_stats_for_name (ctx, account, who, &stats))
    /* TRANSLATORS: %s is the buddy's name */
    return g_strdup_printf (_("Smile Back has no conversations with %s yet."), escaped);

  label = sb_hint_label (sb_hint_classify (&stats, now));
  figures = sb_hint_tooltip_full (&stats, now,
                                  sb_purple_keep_in_touch_days ((PurpleBlistNode *) buddy));
  lines = g_strsplit (figures != NULL ? figures : "", "\n", -1);
  {
    g_autofree char *body = g_strjoinv ("<br>", lines);
    /* TRANSLATORS: %u is how many conversations (episodes) there were */
    g_autofree char *count = g_strdup_printf (ngettext ("%u conversation", "%u conversations",
                                                        stats.all.episodes),
                                              stats.all.episodes);

    /* TRANSLATORS: "Smile Back: <buddy> (<hint>, <n conversations>)" then the figures */
    return g_strdup_printf (_("<b>Smile Back: %s</b> (%s, %s)<br>%s"), escaped,
                            label != NULL ? label : "", count, body);
  }
}

static PurpleCmdRet
smileback_cmd_cb (PurpleConversation *conv, const char *cmd, char **args, char **error,
                  gpointer data)
{
  g_autofree char *text = NULL;

  if (purple_conversation_get_type (conv) != PURPLE_CONV_TYPE_IM)
    return PURPLE_CMD_RET_FAILED;
  text = sb_purple_cmd_summary (data, purple_conversation_get_account (conv),
                                purple_conversation_get_name (conv));
  purple_conversation_write (conv, NULL, text, PURPLE_MESSAGE_SYSTEM | PURPLE_MESSAGE_NO_LOG,
                             time (NULL));
  return PURPLE_CMD_RET_OK;
}

void
sb_purple_cmd_init (SbPurple *ctx)
{
  ctx->cmd_id = purple_cmd_register ("smileback", "", PURPLE_CMD_P_PLUGIN,
                                     PURPLE_CMD_FLAG_IM | PURPLE_CMD_FLAG_ALLOW_WRONG_ARGS,
                                     NULL, smileback_cmd_cb,
                                     _("smileback: show who starts your conversations with "
                                       "this buddy and who answers."),
                                     ctx);
}

void
sb_purple_cmd_shutdown (SbPurple *ctx)
{
  if (ctx->cmd_id != 0)
    purple_cmd_unregister (ctx->cmd_id);
  ctx->cmd_id = 0;
}
