/* test-prompts: core-smileback's prompts, invitations and log import in
 * headless libpurple.
 *
 * Each test starts from a fresh database seeded through the core's ledger
 * (the plugin unloaded meanwhile), then loads the built plugin.  The user
 * "me" on the in-process test protocol has:
 *   carol: 6 conversations, every 10 days, the last 40 days ago: overdue;
 *   frank: started the latest conversation 13 hours ago, unanswered: a nudge;
 *   hank, ivy: 8 conversations each, every 3 days, the last yesterday, both
 *     sides starting: strong ties, never seen together: an introduction
 *     (frank, 3 conversations this month, is a strong tie too).
 * A "UI plugin" is played by handlers of the plugin's signals that return
 * TRUE; without them, the questions arrive at this file's request UI ops,
 * which record them and pick the configured choice.  Every message the
 * protocol is asked to send, and every "sending-*-msg" signal, is counted: the
 * plugin itself must never send one.
 */
#include <string.h>

#include <glib/gstdio.h>

#include <smileback-purple/sb-ipc.h>
#include <smileback/smileback.h>

#include "sb-test-purple.h"

#define PLUGIN_PATH "plugin/purple/core-smileback.so"
#define PREFS "/plugins/core/smileback"
#define WAIT_MS 30000

static struct
{
  PurpleAccount *me;
  PurplePlugin *plugin;

  gboolean ui;            /* the "UI plugin" shows prompts and the import offer */
  GPtrArray *prompts;     /* SbPrompt * received through the signal */
  GArray *withdrawn;      /* gint64 ids */
  guint offers;
  guint progress;         /* progress signals, finished or not */
  guint finished;
  SbIpcImportProgress last;  /* the last progress reported */
  gboolean cancel_on_progress;

  GPtrArray *requests;    /* "primary|label|label..." of every request */
  int choice;             /* the action picked; -1: leave the request open */
  const char *const *tick; /* the boxes ticked in a fields request */
  guint closes;
  GPtrArray *notes;       /* "primary|text" of every notification */

  guint sending;          /* "sending-im-msg" and "sending-chat-msg" */
  GPtrArray *invited;     /* names in "chat-invited-user" */
  GPtrArray *presented;   /* names of the conversations presented */
} world;

/* ---- request UI ops: record, then answer with world.choice ------------------ */

static void *
request_action (const char *title, const char *primary, const char *secondary,
                int default_action, PurpleAccount *account, const char *who,
                PurpleConversation *conv, void *user_data, size_t action_count, va_list actions)
{
  GString *line = g_string_new (primary);
  PurpleRequestActionCb chosen = NULL;

  for (size_t i = 0; i < action_count; i++)
    {
      const char *label = va_arg (actions, const char *);
      PurpleRequestActionCb cb = va_arg (actions, PurpleRequestActionCb);

      g_string_append_printf (line, "|%s", label);
      if ((int) i == world.choice)
        chosen = cb;
    }
  g_ptr_array_add (world.requests, g_string_free (line, FALSE));
  if (chosen != NULL)
    chosen (user_data, world.choice);
  return &world;
}

static void *
request_fields (const char *title, const char *primary, const char *secondary,
                PurpleRequestFields *fields, const char *ok_text, GCallback ok_cb,
                const char *cancel_text, GCallback cancel_cb, PurpleAccount *account,
                const char *who, PurpleConversation *conv, void *user_data)
{
  GString *line = g_string_new (primary);

  for (GList *g = purple_request_fields_get_groups (fields); g != NULL; g = g->next)
    for (GList *f = purple_request_field_group_get_fields (g->data); f != NULL; f = f->next)
      {
        const char *id = purple_request_field_get_id (f->data);
        gboolean tick = world.tick != NULL && g_strv_contains (world.tick, id);

        g_string_append_printf (line, "|check %s", id);
        purple_request_field_bool_set_value (f->data, tick);
      }
  g_ptr_array_add (world.requests, g_string_free (line, FALSE));
  if (world.choice == 0)
    ((PurpleRequestFieldsCb) ok_cb) (user_data, fields);
  else if (world.choice > 0)
    ((PurpleRequestFieldsCb) cancel_cb) (user_data, fields);
  purple_request_fields_destroy (fields);
  return &world;
}

static void
request_close (PurpleRequestType type, void *ui_handle)
{
  world.closes++;
}

static void *
notify_formatted (const char *title, const char *primary, const char *secondary,
                  const char *text)
{
  g_ptr_array_add (world.notes, g_strdup_printf ("%s|%s", primary, text));
  return &world;
}

static void *
notify_message (PurpleNotifyMsgType type, const char *title, const char *primary,
                const char *secondary)
{
  g_ptr_array_add (world.notes, g_strdup (primary));
  return &world;
}

static PurpleNotifyUiOps notify_ops = {
  .notify_message = notify_message,
  .notify_formatted = notify_formatted,
};

static void
conversation_present (PurpleConversation *conv)
{
  g_ptr_array_add (world.presented, g_strdup (purple_conversation_get_name (conv)));
}

static PurpleConversationUiOps conversation_ops = {
  .present = conversation_present,
};

static PurpleRequestUiOps request_ops = {
  .request_action = request_action,
  .request_fields = request_fields,
  .close_request = request_close,
};

/* ---- the plugin's signals ---------------------------------------------------- */

static gboolean
prompt_cb (const SbPrompt *prompt, gpointer data)
{
  if (!world.ui)
    return FALSE;
  g_assert_cmpint (prompt->id, !=, 0); /* set before the emission */
  g_ptr_array_add (world.prompts, sb_prompt_copy (prompt));
  return TRUE;
}

static void
withdrawn_cb (const SbPrompt *prompt, gpointer data)
{
  g_array_append_val (world.withdrawn, prompt->id);
}

static gboolean
offer_cb (gpointer data)
{
  world.offers++;
  return world.ui;
}

static void
progress_cb (const SbIpcImportProgress *progress, gboolean finished, gpointer data)
{
  world.progress++;
  world.last = *progress;
  if (finished)
    world.finished++;
  else if (world.cancel_on_progress)
    {
      gboolean ok = FALSE;

      world.cancel_on_progress = FALSE;
      purple_plugin_ipc_call (world.plugin, SB_IPC_IMPORT_CANCEL, &ok);
      g_assert_true (ok);
    }
}

static void
sending_cb (void)
{
  world.sending++;
}

static void
invited_cb (PurpleConversation *conv, const char *name, const char *message, gpointer data)
{
  g_ptr_array_add (world.invited, g_strdup (name));
}

/* ---- the world ------------------------------------------------------------- */

static SbBuddyKey *
key_of (const char *who)
{
  return sb_buddy_key_new (SB_TEST_PRPL_ID, "me", who);
}

/* @n conversations with @who, one every @every seconds back from @last_ago
 * ago, started in turn as @starts says ('y' me, 't' them), each answered 10
 * minutes later except the latest when @latest_unanswered. */
static void
seed_buddy (SbLedger *ledger, const char *who, guint n, gint64 last_ago, gint64 every,
            const char *starts, gboolean latest_unanswered, gint64 now)
{
  g_autoptr (SbBuddyKey) key = key_of (who);
  guint64 digest = (guint64) g_str_hash (who) << 20;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GError) error = NULL;
      gboolean by_me = starts[i % strlen (starts)] == 'y';
      SbEvent first = { .time = now - last_ago - (gint64) i * every,
                        .direction = by_me ? SB_DIRECTION_OUT : SB_DIRECTION_IN,
                        .kind = SB_EVENT_MESSAGE,
                        .source = SB_SOURCE_IMPORT,
                        .size_bucket = 2,
                        .digest = digest + 2 * i };
      SbEvent answer = first;

      answer.time += 600;
      answer.direction = by_me ? SB_DIRECTION_IN : SB_DIRECTION_OUT;
      answer.digest++;
      g_assert_true (sb_ledger_add_event (ledger, key, &first, now, NULL, &error));
      g_assert_no_error (error);
      if (i == 0 && latest_unanswered)
        continue;
      g_assert_true (sb_ledger_add_event (ledger, key, &answer, now, NULL, &error));
      g_assert_no_error (error);
    }
}

static void
reset_records (void)
{
  g_ptr_array_set_size (world.prompts, 0);
  g_array_set_size (world.withdrawn, 0);
  g_ptr_array_set_size (world.requests, 0);
  g_ptr_array_set_size (world.invited, 0);
  g_ptr_array_set_size (world.notes, 0);
  g_ptr_array_set_size (world.presented, 0);
  world.offers = world.progress = world.finished = world.closes = 0;
  world.choice = -1;
  world.tick = NULL;
}

static void
connect_signals (void)
{
  static int handle;

  purple_signal_connect (world.plugin, SB_SIGNAL_PROMPT, &handle, PURPLE_CALLBACK (prompt_cb),
                         NULL);
  purple_signal_connect (world.plugin, SB_SIGNAL_PROMPT_WITHDRAWN, &handle,
                         PURPLE_CALLBACK (withdrawn_cb), NULL);
  purple_signal_connect (world.plugin, SB_SIGNAL_IMPORT_OFFER, &handle, PURPLE_CALLBACK (offer_cb),
                         NULL);
  purple_signal_connect (world.plugin, SB_SIGNAL_IMPORT_PROGRESS, &handle,
                         PURPLE_CALLBACK (progress_cb), NULL);
}

/* Unloads the plugin, replaces its database with the seeded history (when
 * @fresh), loads it again and connects to its signals. */
static void
reload (gboolean fresh)
{
  g_autofree char *path = g_build_filename (sb_test_purple_user_dir (), "smileback.db", NULL);

  if (world.plugin != NULL && purple_plugin_is_loaded (world.plugin))
    g_assert_true (purple_plugin_unload (world.plugin));
  if (fresh)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (SbLedger) ledger = NULL;
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;
      SbParams params;

      for (const char *const *suffix = (const char *[]){ "", "-wal", "-shm", "-journal", NULL };
           *suffix != NULL; suffix++)
        {
          g_autofree char *file = g_strconcat (path, *suffix, NULL);

          g_unlink (file);
        }
      sb_params_init (&params);
      ledger = sb_ledger_open (path, &params, now, &error);
      g_assert_no_error (error);
      seed_buddy (ledger, "carol", 6, 40 * SB_DAY, 10 * SB_DAY, "yt", FALSE, now);
      seed_buddy (ledger, "frank", 4, 13 * SB_HOUR, 6 * SB_DAY, "ty", TRUE, now);
      seed_buddy (ledger, "hank", 8, SB_DAY, 3 * SB_DAY, "yt", FALSE, now);
      seed_buddy (ledger, "ivy", 8, SB_DAY + 3600, 3 * SB_DAY, "ty", FALSE, now);
      g_assert_true (sb_ledger_flush (ledger, &error));
      g_assert_no_error (error);
    }
  reset_records ();
  world.plugin = sb_test_purple_load_plugin (PLUGIN_PATH);
  g_assert_nonnull (world.plugin);
  connect_signals ();
}

static void
plan_now (void)
{
  gboolean ok = FALSE;

  purple_plugin_ipc_call (world.plugin, SB_IPC_PLAN_NOW, &ok);
  g_assert_true (ok);
}

static gboolean
answer (gint64 id, SbPromptAnswer what, const char *const *chosen)
{
  SbIpcAnswer ipc = { .id = id, .answer = what, .chosen = chosen };
  gboolean ok = FALSE;
  gboolean taken = GPOINTER_TO_INT (
    purple_plugin_ipc_call (world.plugin, SB_IPC_ANSWER_PROMPT, &ok, &ipc));

  g_assert_true (ok);
  return taken;
}

/* The prompt received of @kind for @who, NULL when none. */
static const SbPrompt *
received (SbPromptKind kind, const char *who)
{
  for (guint i = 0; i < world.prompts->len; i++)
    {
      const SbPrompt *prompt = world.prompts->pdata[i];

      if (prompt->kind == kind && g_strcmp0 (prompt->key->buddy, who) == 0)
        return prompt;
    }
  return NULL;
}

static guint
sends (void)
{
  return sb_test_prpl_get_sent_count () + world.sending;
}

static PurpleConversation *
im_with (const char *who)
{
  return purple_find_conversation_with_account (PURPLE_CONV_TYPE_IM, who, world.me);
}

static void
close_conversations (void)
{
  while (purple_get_conversations () != NULL)
    purple_conversation_destroy (purple_get_conversations ()->data);
}

/* The user available, the four buddies online. */
static void
everyone_online (void)
{
  purple_account_set_status (world.me, "available", TRUE, NULL);
  for (const char *const *who = (const char *[]){ "carol", "frank", "hank", "ivy", NULL };
       *who != NULL; who++)
    {
      sb_test_prpl_add_buddy (world.me, *who);
      purple_prpl_got_user_status (world.me, *who, "available", NULL);
    }
}

/* ---- tests ------------------------------------------------------------------ */

/* A connected UI gets the prompts through the signal, nothing goes to the
 * request ops; "Say hi" opens the conversation and sends nothing; a nudge
 * is withdrawn once the user answers the buddy. */
static void
test_signal_reaches_ui (void)
{
  const SbPrompt *carol, *frank;
  guint before;

  reload (TRUE);
  world.ui = TRUE;
  before = sends ();
  plan_now ();
  carol = received (SB_PROMPT_REACH_OUT, "carol");
  frank = received (SB_PROMPT_REPLY_NUDGE, "frank");
  g_assert_nonnull (carol);
  g_assert_nonnull (frank);
  g_assert_cmpuint (world.requests->len, ==, 0);
  /* One open prompt per buddy: planning again adds nothing. */
  {
    guint n = world.prompts->len;

    plan_now ();
    g_assert_cmpuint (world.prompts->len, ==, n);
  }

  g_assert_null (im_with ("carol"));
  g_assert_true (answer (carol->id, SB_ANSWER_DONE, NULL));
  g_assert_nonnull (im_with ("carol"));
  g_assert_false (answer (carol->id, SB_ANSWER_DONE, NULL)); /* no longer open */
  g_assert_false (answer (987654321, SB_ANSWER_DONE, NULL));

  /* The user answers frank: the nudge no longer stands. */
  g_assert_cmpuint (world.withdrawn->len, ==, 0);
  sb_test_prpl_send (world.me, "frank", "sorry, here I am");
  g_assert_cmpuint (world.withdrawn->len, ==, 1);
  g_assert_cmpint (g_array_index (world.withdrawn, gint64, 0), ==, frank->id);
  g_assert_false (answer (frank->id, SB_ANSWER_DONE, NULL));

  /* Only the user's own message went out. */
  g_assert_cmpuint (sends () - before, ==, 2); /* protocol + sending-im-msg */
  close_conversations ();
}

/* No UI connected: the same prompts arrive as purple_request_action()
 * questions with the same choices; "Tomorrow" snoozes, across a reload. */
static void
test_request_fallback (void)
{
  gboolean carol = FALSE;

  reload (TRUE);
  world.ui = FALSE;
  world.choice = 1; /* "Tomorrow" */
  plan_now ();
  g_assert_cmpuint (world.prompts->len, ==, 0);
  g_assert_cmpuint (world.requests->len, >=, 2);
  for (guint i = 0; i < world.requests->len; i++)
    {
      const char *line = world.requests->pdata[i];

      g_test_message ("request: %s", line);
      if (g_str_has_prefix (line, "Reach out to carol?|"))
        {
          g_assert_cmpstr (line, ==,
                           "Reach out to carol?|Say hi|Tomorrow|Next week|Not for carol|Not now");
          carol = TRUE;
        }
    }
  g_assert_true (carol);
  g_assert_null (im_with ("carol"));

  /* Snoozed: nothing more today, nor after a restart. */
  g_ptr_array_set_size (world.requests, 0);
  plan_now ();
  reload (FALSE);
  plan_now ();
  for (guint i = 0; i < world.requests->len; i++)
    g_assert_false (g_str_has_prefix (world.requests->pdata[i], "Reach out to carol?"));
}

/* Nothing while the user is away, nor during the sign-on flood. */
static void
test_manners (void)
{
  reload (TRUE);
  world.ui = TRUE;
  purple_account_set_status (world.me, "away", TRUE, NULL);
  plan_now ();
  g_assert_cmpuint (world.prompts->len, ==, 0);
  purple_account_set_status (world.me, "available", TRUE, NULL);

  purple_prefs_set_int (PREFS "/prompts/signon_quiet_s", 3600);
  purple_account_disconnect (world.me);
  purple_account_connect (world.me);
  g_assert_true (purple_account_is_connected (world.me));
  plan_now ();
  g_assert_cmpuint (world.prompts->len, ==, 0);
  g_assert_cmpuint (world.requests->len, ==, 0);
  purple_prefs_set_int (PREFS "/prompts/signon_quiet_s", 0);
  everyone_online ();

  reload (FALSE); /* the quiet time belongs to the loaded plugin */
  plan_now ();
  g_assert_nonnull (received (SB_PROMPT_REACH_OUT, "carol"));
}

static gboolean
have_invitation (gpointer data)
{
  for (guint i = 0; i < world.prompts->len; i++)
    if (((SbPrompt *) world.prompts->pdata[i])->kind == SB_PROMPT_INVITE)
      return TRUE;
  return world.requests->len > 0;
}

static const SbPrompt *
invitation (void)
{
  for (guint i = 0; i < world.prompts->len; i++)
    if (((SbPrompt *) world.prompts->pdata[i])->kind == SB_PROMPT_INVITE)
      return world.prompts->pdata[i];
  return NULL;
}

/* Joining a room offers the online strong ties not in it; nothing is sent
 * without the click, exactly the ticked names after it; an invited friend is
 * not suggested again for that room. */
static void
test_invitation (void)
{
  static const char *const members[] = { "zed", NULL };
  static const char *const ivy[] = { "ivy", NULL };
  static const char *const hank[] = { "hank", NULL };
  const SbPrompt *prompt;
  PurpleConversation *room;
  guint before;

  reload (TRUE);
  world.ui = TRUE;
  before = sends ();
  room = sb_test_prpl_join_chat (world.me, "lounge", members);
  g_assert_true (sb_test_purple_wait (have_invitation, NULL, WAIT_MS));
  prompt = invitation ();
  g_assert_nonnull (prompt);
  g_assert_cmpstr (prompt->room, ==, "lounge");
  /* Closest first: hank and ivy (8 conversations this month), frank (3);
   * carol is not close any more. */
  g_assert_cmpuint (prompt->invitees->len, ==, 3);
  g_assert_cmpstr (((SbBuddyKey *) prompt->invitees->pdata[0])->buddy, ==, "hank");
  g_assert_cmpstr (((SbBuddyKey *) prompt->invitees->pdata[1])->buddy, ==, "ivy");
  g_assert_cmpstr (((SbBuddyKey *) prompt->invitees->pdata[2])->buddy, ==, "frank");

  /* No click, no invitation. */
  sb_test_purple_run_for (300);
  g_assert_cmpuint (world.invited->len, ==, 0);
  g_assert_true (answer (prompt->id, SB_ANSWER_DONE, ivy));
  g_assert_cmpuint (world.invited->len, ==, 1);
  g_assert_cmpstr (world.invited->pdata[0], ==, "ivy");
  g_assert_cmpuint (sends (), ==, before);

  /* Again in the same room: ivy was invited, hank and frank are; with no
   * UI connected, as check boxes, none ticked by default; ticking hank
   * invites hank only. */
  purple_conversation_destroy (room);
  g_ptr_array_set_size (world.prompts, 0);
  world.ui = FALSE;
  world.choice = 0;
  world.tick = hank;
  room = sb_test_prpl_join_chat (world.me, "lounge", members);
  g_assert_true (sb_test_purple_wait (have_invitation, NULL, WAIT_MS));
  g_assert_cmpuint (world.requests->len, ==, 1);
  g_assert_cmpstr (world.requests->pdata[0], ==, "Invite friends to lounge?|check hank|check frank");
  g_assert_cmpuint (world.invited->len, ==, 2);
  g_assert_cmpstr (world.invited->pdata[1], ==, "hank");

  /* A room where everyone is present offers nothing. */
  {
    static const char *const everyone[] = { "hank", "ivy", "frank", NULL };

    g_ptr_array_set_size (world.requests, 0);
    sb_test_prpl_join_chat (world.me, "full", everyone);
    sb_test_purple_run_for (500);
    g_assert_cmpuint (world.requests->len, ==, 0);
  }
  g_assert_cmpuint (sends (), ==, before);
  close_conversations ();
}

/* A whole prompt cycle, every kind answered "done", sends nothing: the
 * introduction opens two conversations and writes only inside them. */
static void
test_never_sends (void)
{
  static const char *const nobody[] = { NULL };
  const SbPrompt *introduction = NULL;
  guint before;

  reload (TRUE);
  world.ui = TRUE;
  before = sends ();
  plan_now ();
  for (guint i = 0; i < world.prompts->len; i++)
    if (((SbPrompt *) world.prompts->pdata[i])->kind == SB_PROMPT_INTRODUCE)
      introduction = world.prompts->pdata[i];
  g_assert_nonnull (introduction);
  g_assert_nonnull (introduction->other);
  for (guint i = 0; i < world.prompts->len; i++)
    g_assert_true (answer (((SbPrompt *) world.prompts->pdata[i])->id, SB_ANSWER_DONE, NULL));
  g_assert_nonnull (im_with ("hank"));
  g_assert_nonnull (im_with ("ivy"));
  g_assert_nonnull (im_with ("carol"));
  g_assert_nonnull (im_with ("frank"));

  /* An invitation answered without names, and the fallback dialogs chosen
   * "done" too. */
  g_ptr_array_set_size (world.prompts, 0);
  sb_test_prpl_join_chat (world.me, "quiet", nobody);
  g_assert_true (sb_test_purple_wait (have_invitation, NULL, WAIT_MS));
  g_assert_true (answer (invitation ()->id, SB_ANSWER_DONE, nobody));
  close_conversations ();
  reload (TRUE);
  world.ui = FALSE;
  world.choice = 0;
  plan_now ();
  g_assert_cmpuint (world.requests->len, >=, 3);
  sb_test_purple_run_for (300);

  g_assert_cmpuint (sends (), ==, before);
  g_assert_cmpuint (world.invited->len, ==, 0);
  close_conversations ();
}

/* After a long live chat, "take it to a call": the test protocol reports
 * no audio, so the choice is "Plan a call", which opens the conversation. */
static void
test_call_without_audio (void)
{
  gboolean found = FALSE;

  reload (TRUE);
  world.ui = FALSE;
  sb_test_prpl_add_buddy (world.me, "dora");
  purple_prpl_got_user_status (world.me, "dora", "available", NULL);
  /* Different texts: the same text twice in a second is one message. */
  for (int i = 0; i < 16; i++)
    {
      g_autofree char *question = g_strdup_printf ("and then? (%d)", i);
      g_autofree char *reply = g_strdup_printf ("well, you know (%d)", i);

      sb_test_prpl_receive (world.me, "dora", question, PURPLE_MESSAGE_RECV, time (NULL));
      sb_test_prpl_send (world.me, "dora", reply);
    }
  close_conversations ();
  world.choice = 0;
  plan_now ();
  for (guint i = 0; i < world.requests->len; i++)
    if (g_str_has_prefix (world.requests->pdata[i], "Take it to a call with dora?|"))
      {
        g_assert_cmpstr (world.requests->pdata[i], ==,
                         "Take it to a call with dora?|Plan a call|Tomorrow|Next week|"
                         "Not for dora|Not now");
        found = TRUE;
      }
  g_assert_true (found);
  g_assert_nonnull (im_with ("dora"));
  close_conversations ();
}

/* ---- unanswered in a room ---------------------------------------------------- */

/* The plugin's clock runs @offset_s seconds ahead of the wall clock. */
static void
set_clock (gint64 offset_s)
{
  purple_prefs_set_int (PREFS "/clock_offset_s", (int) offset_s);
}

/* @who says @text in @conv now, by the plugin's clock. */
static void
say_in_room (PurpleConversation *conv, const char *who, const char *text)
{
  sb_test_prpl_chat_receive (conv, who, text,
                             time (NULL) + purple_prefs_get_int (PREFS "/clock_offset_s"));
}

static gboolean
have_withdrawn (gpointer id)
{
  for (guint i = 0; i < world.withdrawn->len; i++)
    if (g_array_index (world.withdrawn, gint64, i) == *(gint64 *) id)
      return TRUE;
  return FALSE;
}

/* hank, a strong tie, asks in a room the user is active in: an answer within
 * 10 minutes means no prompt; unanswered, the prompt comes after 10 minutes,
 * once, worded by the core; "Go to the room" presents the chat and sends
 * nothing; an answer, or closing the room, withdraws an open one. */
static void
test_room_question (void)
{
  static const char *const members[] = { "hank", "zed", NULL };
  PurpleConversation *tea, *garden;
  const SbPrompt *prompt;
  guint before;
  gint64 id;

  reload (TRUE);
  world.ui = TRUE;
  /* The day's other prompts out of the way: snoozed. */
  plan_now ();
  for (guint i = 0; i < world.prompts->len; i++)
    g_assert_true (answer (((SbPrompt *) world.prompts->pdata[i])->id, SB_ANSWER_LATER, NULL));
  reset_records ();

  /* Answered within 10 minutes (zed addresses hank): no prompt. */
  tea = sb_test_prpl_join_chat (world.me, "tea", members);
  sb_test_prpl_chat_send (tea, "morning all");
  say_in_room (tea, "hank", "has anyone been to the new tea place on the corner?");
  say_in_room (tea, "zed", "hank: yes, their green tea is lovely");
  /* Not questions, and a question from zed, who is no buddy. */
  say_in_room (tea, "hank", "good to know, thanks");
  say_in_room (tea, "zed", "is anyone up for a walk later?");
  set_clock (11 * 60);
  plan_now ();
  g_assert_null (received (SB_PROMPT_ROOM_QUESTION, "hank"));
  g_assert_null (received (SB_PROMPT_ROOM_QUESTION, "zed"));

  /* Unanswered: nothing at 9 minutes, the prompt at 10. */
  set_clock (0);
  sb_test_prpl_chat_send (tea, "I might join");
  say_in_room (tea, "hank", "does anyone know when the market opens on Sundays? ");
  set_clock (9 * 60);
  plan_now ();
  g_assert_null (received (SB_PROMPT_ROOM_QUESTION, "hank"));
  set_clock (10 * 60 + 1);
  plan_now ();
  prompt = received (SB_PROMPT_ROOM_QUESTION, "hank");
  g_assert_nonnull (prompt);
  g_assert_cmpstr (prompt->room, ==, "tea");
  {
    SbPromptScene scene = { .now = g_get_real_time () / G_USEC_PER_SEC + 10 * 60 + 1 };
    g_autoptr (SbPromptWording) words = sb_prompt_wording_new (prompt, &scene);

    g_assert_cmpstr (words->title, ==, "hank's question in tea has no answer yet");
    g_assert_nonnull (strstr (words->text, "10 minutes ago"));
    g_assert_cmpstr (words->primary, ==, "Go to the room");
    g_assert_cmpstr (words->mute, ==, "Not for hank");
  }
  /* Offered once. */
  {
    guint n = world.prompts->len;

    plan_now ();
    g_assert_cmpuint (world.prompts->len, ==, n);
  }

  /* "Go to the room": the chat is presented, nothing is sent. */
  before = sends ();
  g_assert_true (answer (prompt->id, SB_ANSWER_DONE, NULL));
  g_assert_cmpuint (world.presented->len, ==, 1);
  g_assert_cmpstr (world.presented->pdata[0], ==, "tea");
  g_assert_cmpuint (sends (), ==, before);

  /* Another question, in another room: its prompt is withdrawn once zed
   * answers it. */
  garden = sb_test_prpl_join_chat (world.me, "garden", members);
  sb_test_prpl_chat_send (garden, "the roses are out");
  say_in_room (garden, "hank", "which fertiliser do you use?");
  set_clock (21 * 60);
  plan_now ();
  prompt = received (SB_PROMPT_ROOM_QUESTION, "hank");
  g_assert_nonnull (prompt);
  prompt = world.prompts->pdata[world.prompts->len - 1];
  g_assert_cmpint (prompt->kind, ==, SB_PROMPT_ROOM_QUESTION);
  g_assert_cmpstr (prompt->room, ==, "garden");
  id = prompt->id;
  say_in_room (garden, "zed", "hank: the one with seaweed, it works wonders");
  g_assert_true (have_withdrawn (&id));
  g_assert_false (answer (id, SB_ANSWER_DONE, NULL));

  /* And closing the room withdraws a waiting one.  Without a UI (Finch), it
   * is a purple_request_action() question with the same words, closed with
   * the room. */
  world.ui = FALSE;
  sb_test_prpl_chat_send (garden, "thanks zed");
  say_in_room (garden, "hank", "shall we meet there on Saturday?");
  set_clock (32 * 60);
  plan_now ();
  g_assert_cmpuint (world.requests->len, ==, 1);
  g_assert_cmpstr (world.requests->pdata[0], ==,
                   "hank's question in garden has no answer yet|Go to the room|Tomorrow|"
                   "Next week|Not for hank|Not now");
  g_assert_cmpuint (world.closes, ==, 0);
  purple_conversation_destroy (garden);
  g_assert_cmpuint (world.withdrawn->len, ==, 2);
  g_assert_cmpuint (world.closes, ==, 1);

  g_assert_cmpuint (world.presented->len, ==, 1);
  set_clock (0);
  close_conversations ();
}

/* Runs the plugin action labelled @label. */
static void
run_action (const char *label)
{
  PurplePluginInfo *info = world.plugin->info;
  GList *actions;
  gboolean found = FALSE;

  g_assert_nonnull (info->actions);
  actions = info->actions (world.plugin, NULL);
  for (GList *l = actions; l != NULL; l = l->next)
    {
      PurplePluginAction *action = l->data;

      if (g_strcmp0 (action->label, label) == 0)
        {
          action->plugin = world.plugin;
          action->callback (action);
          found = TRUE;
        }
    }
  g_list_free_full (actions, (GDestroyNotify) purple_plugin_action_free);
  g_assert_true (found);
}

/* "Who should I reach out to?" lists what is due, manners aside (even while
 * away), and shows nothing else. */
static void
test_who_action (void)
{
  const char *note;

  reload (TRUE);
  world.ui = TRUE;
  purple_account_set_status (world.me, "away", TRUE, NULL);
  run_action ("Who should I reach out to?");
  purple_account_set_status (world.me, "available", TRUE, NULL);
  g_assert_cmpuint (world.notes->len, ==, 1);
  note = world.notes->pdata[0];
  g_test_message ("due: %s", note);
  g_assert_true (g_str_has_prefix (note, "Who should I reach out to?|"));
  g_assert_nonnull (strstr (note, "<b>Reach out to carol?</b>"));
  g_assert_nonnull (strstr (note, "<b>frank is waiting for an answer</b>"));
  g_assert_null (strstr (note, "hank"));
  g_assert_cmpuint (world.prompts->len, ==, 0);
  g_assert_cmpuint (world.requests->len, ==, 0);
}

/* ---- import ----------------------------------------------------------------- */

#define LOG_BUDDIES 100
#define LOG_FILES 3
#define LOG_LINES 200

/* Pidgin's TXT logs of the user "me" with LOG_BUDDIES buddies. */
static guint
write_logs (void)
{
  g_autofree char *root = g_build_filename (sb_test_purple_user_dir (), "logs", "sbtest", "me",
                                            NULL);
  guint lines = 0;

  for (int b = 0; b < LOG_BUDDIES; b++)
    {
      g_autofree char *buddy = g_strdup_printf ("pal%03d", b);
      g_autofree char *dir = g_build_filename (root, buddy, NULL);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      for (int f = 0; f < LOG_FILES; f++)
        {
          g_autofree char *name = g_strdup_printf ("2024-0%d-1%d.100000+0000UTC.txt", f + 1, f);
          g_autofree char *path = g_build_filename (dir, name, NULL);
          g_autoptr (GString) text = g_string_new (NULL);
          g_autoptr (GError) error = NULL;

          g_string_append_printf (text, "Conversation with %s at 2024-0%d-1%d 10:00:00 on me "
                                  "(sbtest)\n", buddy, f + 1, f);
          for (int l = 0; l < LOG_LINES; l++)
            g_string_append_printf (text, "(%02d:%02d:%02d) %s: line %d of file %d with %s\n",
                                    10 + l * 10 / 3600, (l * 10 / 60) % 60, (l * 10) % 60,
                                    l % 2 == 0 ? buddy : "me", l, f, buddy);
          g_assert_true (g_file_set_contents (path, text->str, -1, &error));
          g_assert_no_error (error);
          lines += LOG_LINES;
        }
    }
  return lines;
}

static gboolean
have_offer (gpointer data)
{
  return world.offers > 0 || world.requests->len > 0;
}

static gboolean
import_finished (gpointer data)
{
  return world.finished > 0;
}

/* The first load with logs offers the import; it runs in idle slices with
 * progress, can be cancelled, and resumes where it stopped. */
static void
test_import (void)
{
  guint lines = write_logs ();
  gboolean ok = FALSE;
  gboolean started;
  SbIpcImportProgress first;
  guint intermediate;

  purple_prefs_set_int (PREFS "/import_state", 0);
  world.ui = TRUE;
  reload (TRUE);
  g_assert_cmpuint (world.offers, ==, 0); /* from the main loop, not inside load */
  g_assert_true (sb_test_purple_wait (have_offer, NULL, WAIT_MS));
  g_assert_cmpuint (world.offers, ==, 1);
  g_assert_cmpuint (world.requests->len, ==, 0);

  world.cancel_on_progress = TRUE;
  started = GPOINTER_TO_INT (purple_plugin_ipc_call (world.plugin, SB_IPC_IMPORT_START, &ok, NULL));
  g_assert_true (ok && started);
  /* Nothing done inside the call: the work happens in the main loop. */
  g_assert_cmpuint (world.progress, ==, 0);
  g_assert_false (GPOINTER_TO_INT (
    purple_plugin_ipc_call (world.plugin, SB_IPC_IMPORT_START, &ok, NULL))); /* one at a time */
  g_assert_true (sb_test_purple_wait (import_finished, NULL, WAIT_MS));
  first = world.last;
  g_test_message ("cancelled after %u of %u files, %u messages", first.files_done,
                  first.files_total, first.messages);
  g_assert_cmpuint (first.files_total, ==, LOG_BUDDIES * LOG_FILES);
  g_assert_cmpuint (first.files_done, <, first.files_total);
  g_assert_cmpint (purple_prefs_get_int (PREFS "/import_state"), ==, 0);

  /* Resume: the files done are unchanged, every message counts once. */
  world.finished = world.progress = 0;
  started = GPOINTER_TO_INT (purple_plugin_ipc_call (world.plugin, SB_IPC_IMPORT_START, &ok, NULL));
  g_assert_true (started);
  g_assert_true (sb_test_purple_wait (import_finished, NULL, WAIT_MS));
  intermediate = world.progress - 1;
  g_test_message ("resumed: %u slices, %u messages, %u unchanged files", intermediate + 1,
                  world.last.messages, world.last.files_unchanged);
  g_assert_cmpuint (world.last.files_unchanged, ==, first.files_imported);
  g_assert_cmpuint (world.last.files_imported + first.files_imported, ==,
                    LOG_BUDDIES * LOG_FILES);
  g_assert_cmpuint (world.last.messages + first.messages, ==, lines);
  g_assert_cmpint (purple_prefs_get_int (PREFS "/import_state"), ==, 2);

  /* Done: no offer any more. */
  reload (FALSE);
  sb_test_purple_run_for (300);
  g_assert_cmpuint (world.offers, ==, 0);

  /* Never imported and no UI: the offer is a question; "Not now" is kept. */
  purple_prefs_set_int (PREFS "/import_state", 0);
  world.ui = FALSE;
  reload (FALSE);
  world.choice = 1;
  g_assert_true (sb_test_purple_wait (have_offer, NULL, WAIT_MS));
  g_assert_cmpuint (world.requests->len, ==, 1);
  g_assert_cmpstr (world.requests->pdata[0], ==, "Import your chat history?|Import|Not now");
  g_assert_cmpint (purple_prefs_get_int (PREFS "/import_state"), ==, 1);
}

int
main (int argc, char **argv)
{
  static int handle;
  int status;

  g_test_init (&argc, &argv, NULL);
  sb_test_purple_init ();
  purple_request_set_ui_ops (&request_ops);
  world.prompts = g_ptr_array_new_with_free_func ((GDestroyNotify) sb_prompt_free);
  world.withdrawn = g_array_new (FALSE, FALSE, sizeof (gint64));
  world.requests = g_ptr_array_new_with_free_func (g_free);
  world.invited = g_ptr_array_new_with_free_func (g_free);
  world.notes = g_ptr_array_new_with_free_func (g_free);
  world.presented = g_ptr_array_new_with_free_func (g_free);
  purple_notify_set_ui_ops (&notify_ops);
  purple_conversations_set_ui_ops (&conversation_ops);
  purple_signal_connect (purple_conversations_get_handle (), "sending-im-msg", &handle,
                         PURPLE_CALLBACK (sending_cb), NULL);
  purple_signal_connect (purple_conversations_get_handle (), "sending-chat-msg", &handle,
                         PURPLE_CALLBACK (sending_cb), NULL);
  purple_signal_connect (purple_conversations_get_handle (), "chat-invited-user", &handle,
                         PURPLE_CALLBACK (invited_cb), NULL);

  /* Prompts at any hour, several a day, no waiting after sign-on or join. */
  sb_test_purple_allow_prompts ();
  purple_prefs_set_int (PREFS "/prompts/invite_delay_ms", 0);
  purple_prefs_set_int (PREFS "/import_state", 1); /* no offer until the import test */

  world.me = sb_test_prpl_account_new ("me");
  everyone_online ();

  g_test_add_func ("/prompts/signal-reaches-ui", test_signal_reaches_ui);
  g_test_add_func ("/prompts/request-fallback", test_request_fallback);
  g_test_add_func ("/prompts/manners", test_manners);
  g_test_add_func ("/prompts/invitation/ticked-only", test_invitation);
  g_test_add_func ("/prompts/never-sends", test_never_sends);
  g_test_add_func ("/prompts/who-action", test_who_action);
  g_test_add_func ("/prompts/call-without-audio", test_call_without_audio);
  g_test_add_func ("/prompts/room-question", test_room_question);
  g_test_add_func ("/import/offer-slices-cancel-resume", test_import);
  status = g_test_run ();

  if (world.plugin != NULL && purple_plugin_is_loaded (world.plugin))
    purple_plugin_unload (world.plugin);
  g_ptr_array_unref (world.prompts);
  g_array_unref (world.withdrawn);
  g_ptr_array_unref (world.requests);
  g_ptr_array_unref (world.invited);
  g_ptr_array_unref (world.notes);
  g_ptr_array_unref (world.presented);
  sb_test_purple_shutdown ();
  return status;
}
