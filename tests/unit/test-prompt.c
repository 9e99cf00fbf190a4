/* test-prompt.c: a prompt's copy and its words (sb-prompt.c).  Every kind is
 * worded, names go in as given (plain text), and the two markup helpers
 * escape them.
 */
#include <string.h>

#include "smileback/sb-prompt.h"

#define NOW (G_GINT64_CONSTANT (1700000000))
#define DAY (G_GINT64_CONSTANT (86400))

/* A prompt of @kind about bob (and, for an introduction, carol). */
static SbPrompt *
make_prompt (SbPromptKind kind)
{
  SbPrompt *prompt = g_new0 (SbPrompt, 1);

  prompt->id = 42;
  prompt->kind = kind;
  prompt->key = sb_buddy_key_new ("prpl-jabber", "alice@example.org", "bob@example.org");
  prompt->since = NOW - 3 * DAY;
  if (kind == SB_PROMPT_INTRODUCE)
    prompt->other = sb_buddy_key_new ("prpl-jabber", "alice@example.org", "carol@example.org");
  if (kind == SB_PROMPT_ROOM_QUESTION)
    prompt->room = g_strdup ("lounge@conference.example.org");
  if (kind == SB_PROMPT_INVITE)
    {
      prompt->room = g_strdup ("lounge@conference.example.org");
      prompt->invitees = g_ptr_array_new_with_free_func ((GDestroyNotify) sb_buddy_key_free);
      g_ptr_array_add (prompt->invitees,
                       sb_buddy_key_new ("prpl-jabber", "alice@example.org", "dave@example.org"));
    }
  return prompt;
}

static void
test_copy (void)
{
  g_autoptr (SbPrompt) prompt = make_prompt (SB_PROMPT_INVITE);
  g_autoptr (SbPrompt) copy = sb_prompt_copy (prompt);

  g_assert_cmpint (copy->id, ==, 42);
  g_assert_cmpint (copy->kind, ==, SB_PROMPT_INVITE);
  g_assert_true (copy->key != prompt->key);
  g_assert_true (sb_buddy_key_equal (copy->key, prompt->key));
  g_assert_cmpstr (copy->room, ==, prompt->room);
  g_assert_true (copy->room != prompt->room);
  g_assert_cmpuint (copy->invitees->len, ==, 1);
  g_assert_true (copy->invitees != prompt->invitees);
  g_assert_true (sb_buddy_key_equal (copy->invitees->pdata[0], prompt->invitees->pdata[0]));
  g_assert_null (copy->other);
  sb_prompt_free (NULL);
}

/* Every kind has a title, a text and a primary button; only the prompts
 * about one buddy can be muted for that buddy. */
static void
test_every_kind_worded (void)
{
  for (SbPromptKind kind = SB_PROMPT_REACH_OUT; kind < SB_PROMPT_KIND_LAST; kind++)
    {
      g_autoptr (SbPrompt) prompt = make_prompt (kind);
      SbPromptScene scene = { .name = "Bob", .other_name = "Carol", .now = NOW };
      g_autoptr (SbPromptWording) words = sb_prompt_wording_new (prompt, &scene);
      gboolean about_one = kind != SB_PROMPT_INTRODUCE && kind != SB_PROMPT_INVITE;

      g_assert_nonnull (words);
      g_assert_cmpuint (strlen (words->title), >, 0);
      g_assert_cmpuint (strlen (words->text), >, 0);
      g_assert_cmpuint (strlen (words->primary), >, 0);
      if (about_one)
        {
          g_assert_cmpstr (words->mute, ==, "Not for Bob");
          g_assert_nonnull (strstr (words->title, "Bob"));
        }
      else
        g_assert_null (words->mute);
    }
}

static void
test_invalid_kind (void)
{
  g_autoptr (SbPrompt) prompt = make_prompt (SB_PROMPT_REACH_OUT);
  SbPromptScene scene = { .now = NOW };

  prompt->kind = SB_PROMPT_KIND_LAST;
  g_assert_null (sb_prompt_wording_new (prompt, &scene));
  g_assert_false (sb_prompt_kind_is_valid (SB_PROMPT_KIND_LAST));
  g_assert_true (sb_prompt_kind_is_valid (SB_PROMPT_INVITE));
}

/* The words a person reads for each kind, names inserted. */
static void
test_wording (void)
{
  static const struct
  {
    SbPromptKind kind;
    gboolean audio;
    const char *title;
    const char *text_has;
    const char *primary;
  } cases[] = {
    { SB_PROMPT_REACH_OUT, FALSE, "Reach out to Bob?", "3 days ago", "Say hi" },
    { SB_PROMPT_REPLY_NUDGE, FALSE, "Bob is waiting for an answer", "3 days ago", "Reply" },
    { SB_PROMPT_FOLLOW_UP, FALSE, "No answer from Bob yet", "3 days ago", "Follow up" },
    { SB_PROMPT_CALL, FALSE, "Take it to a call with Bob?", "long conversation", "Plan a call" },
    { SB_PROMPT_CALL, TRUE, "Take it to a call with Bob?", "long conversation", "Call" },
    { SB_PROMPT_INTRODUCE, FALSE, "Introduce Bob and Carol?", "never met", "Introduce" },
    { SB_PROMPT_INVITE, FALSE, "Invite friends to lounge@conference.example.org?", "tick",
      "Invite" },
    { SB_PROMPT_ROOM_QUESTION, FALSE,
      "Bob's question in lounge@conference.example.org has no answer yet", "3 days ago",
      "Go to the room" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (SbPrompt) prompt = make_prompt (cases[i].kind);
      SbPromptScene scene = {
        .name = "Bob", .other_name = "Carol", .audio = cases[i].audio, .now = NOW
      };
      g_autoptr (SbPromptWording) words = sb_prompt_wording_new (prompt, &scene);

      g_assert_cmpstr (words->title, ==, cases[i].title);
      g_assert_nonnull (strstr (words->text, cases[i].text_has));
      g_assert_cmpstr (words->primary, ==, cases[i].primary);
    }
}

/* Without aliases the buddy names are used. */
static void
test_names_default_to_keys (void)
{
  g_autoptr (SbPrompt) prompt = make_prompt (SB_PROMPT_INTRODUCE);
  SbPromptScene scene = { .now = NOW };
  g_autoptr (SbPromptWording) words = sb_prompt_wording_new (prompt, &scene);

  g_assert_cmpstr (words->title, ==, "Introduce bob@example.org and carol@example.org?");
}

/* The words are plain text: a name with markup characters goes in as it is,
 * and the markup line escapes it. */
static void
test_plain_and_markup (void)
{
  g_autoptr (SbPrompt) prompt = make_prompt (SB_PROMPT_REACH_OUT);
  SbPromptScene scene = { .name = "<b>Bob</b> & _co", .now = NOW };
  g_autoptr (SbPromptWording) words = sb_prompt_wording_new (prompt, &scene);
  g_autofree char *markup = NULL;
  g_autofree char *draft = NULL;

  g_assert_cmpstr (words->title, ==, "Reach out to <b>Bob</b> & _co?");
  g_assert_cmpstr (words->mute, ==, "Not for <b>Bob</b> & _co");
  markup = sb_prompt_wording_markup (words);
  g_assert_true (g_str_has_prefix (markup, "<b>Reach out to &lt;b&gt;Bob&lt;/b&gt; &amp; _co?</b> "));
  g_assert_null (strstr (markup, "<b>Bob"));
  draft = sb_prompt_introduction_draft ("<i>Ann</i>", "Bob & Co");
  g_assert_nonnull (strstr (draft, "&lt;i&gt;Ann&lt;/i&gt;"));
  g_assert_nonnull (strstr (draft, "Bob &amp; Co"));
  g_assert_null (strstr (draft, "<i>"));
}

static void
test_buttons (void)
{
  for (SbPromptButton b = SB_PROMPT_BUTTON_LATER; b < SB_PROMPT_BUTTON_LAST; b++)
    g_assert_cmpuint (strlen (sb_prompt_button_label (b)), >, 0);
  g_assert_cmpstr (sb_prompt_button_label (SB_PROMPT_BUTTON_LATER), ==, "Later");
  g_assert_cmpstr (sb_prompt_button_label (SB_PROMPT_BUTTON_NOT_NOW), ==, "Not now");
  g_assert_cmpstr (sb_prompt_button_label (SB_PROMPT_BUTTON_LAST), ==, "");
  g_assert_cmpint (sb_prompt_button_snooze_days (SB_PROMPT_BUTTON_TOMORROW), ==, 1);
  g_assert_cmpint (sb_prompt_button_snooze_days (SB_PROMPT_BUTTON_NEXT_WEEK), ==, 7);
  g_assert_cmpint (sb_prompt_button_snooze_days (SB_PROMPT_BUTTON_LATER), ==, 0);
  g_assert_true (g_str_has_prefix (sb_prompt_snooze_title (), "Remind me again"));
}

static void
test_invitee_label (void)
{
  g_autofree char *same = sb_prompt_invitee_label ("hank", "hank");
  g_autofree char *alias = sb_prompt_invitee_label ("Hank", "hank@example.org");

  g_assert_cmpstr (same, ==, "hank");
  g_assert_cmpstr (alias, ==, "Hank (hank@example.org)");
}

/* The due list names a reason for the prompts about one buddy only. */
static void
test_due_reason (void)
{
  g_assert_cmpstr (sb_prompt_due_reason (SB_PROMPT_REACH_OUT), ==, "reach out");
  g_assert_cmpstr (sb_prompt_due_reason (SB_PROMPT_REPLY_NUDGE), ==, "waiting for your reply");
  g_assert_cmpstr (sb_prompt_due_reason (SB_PROMPT_FOLLOW_UP), ==, "no answer yet");
  g_assert_cmpstr (sb_prompt_due_reason (SB_PROMPT_CALL), ==, "a call?");
  g_assert_null (sb_prompt_due_reason (SB_PROMPT_INTRODUCE));
  g_assert_null (sb_prompt_due_reason (SB_PROMPT_INVITE));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/prompt/copy", test_copy);
  g_test_add_func ("/prompt/every-kind-worded", test_every_kind_worded);
  g_test_add_func ("/prompt/invalid-kind", test_invalid_kind);
  g_test_add_func ("/prompt/wording", test_wording);
  g_test_add_func ("/prompt/names-default-to-keys", test_names_default_to_keys);
  g_test_add_func ("/prompt/plain-and-markup", test_plain_and_markup);
  g_test_add_func ("/prompt/buttons", test_buttons);
  g_test_add_func ("/prompt/due-reason", test_due_reason);
  g_test_add_func ("/prompt/invitee-label", test_invitee_label);
  return g_test_run ();
}
