/* sb-e2e.h: what the e2e programs share: reading `smileback report --json`,
 * comparing it with expected figures, and waiting for XMPP deliveries.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include <purple.h>

G_BEGIN_DECLS

/* Exact figures expected in one report row (the names of docs/design.md, "Definitions"). */
typedef struct
{
  gint64 episodes;
  gint64 started_by_you;
  gint64 started_by_them;
  gint64 answered_by_them;
  gint64 answered_by_you;
  gint64 messages_sent;
  gint64 messages_received;
} SbE2eExpect;

/* Runs the built `smileback report --json --db @db_path` and returns its
 * parsed output (an array of rows).  NULL with @error when it failed. */
JsonNode *sb_e2e_report (const char *db_path, GError **error);

/* The row of (@protocol, @account, @buddy) in @report, NULL when absent. */
JsonObject *sb_e2e_report_find (JsonNode *report, const char *protocol, const char *account,
                                const char *buddy);

/* Asserts that @row has exactly the figures of @expect. */
void sb_e2e_assert_row (JsonObject *row, const SbE2eExpect *expect);

/* Counting the lines each account received (RECV lines written into its
 * conversations), to wait for a delivery instead of sleeping. */
void sb_e2e_inbox_start (void);
void sb_e2e_inbox_stop (void);
guint sb_e2e_inbox_count (PurpleAccount *account);

/* Waits (up to 30 s) until @account received more than @before lines.  */
gboolean sb_e2e_wait_received (PurpleAccount *account, guint before);

/* Waits (up to 30 s) until @account sees @buddy online. */
gboolean sb_e2e_wait_online (PurpleAccount *account, const char *buddy);

/* Joins the MUC @room ("name@service") as @nick.  A new room stays locked
 * until its owner has accepted the configuration, and a join before that is
 * answered "item-not-found": so a guest tries again, a bounded number of
 * times.  Asserts the chat conversation opened. */
void sb_e2e_join_room (PurpleAccount *account, const char *room, const char *nick);

/* Waits (up to 30 s) until @account's chat @room shows a line containing @text. */
gboolean sb_e2e_wait_chat_text (PurpleAccount *account, const char *room, const char *text);

G_END_DECLS
