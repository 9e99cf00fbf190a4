/* sb-test-purple.h: headless libpurple for the purple, e2e and ui suites.
 *
 * Shared test harness (tests/common, static library sb_test_common).
 *
 * libpurple is a process-wide singleton: call sb_test_purple_init() once per
 * test program (before g_test_run() or in main), sb_test_purple_shutdown() at
 * the end.  Init makes a fresh user directory in a temporary folder, installs
 * GLib event-loop ops, registers the in-process test protocol below, runs
 * purple_core_init() and loads an empty buddy list.  Nothing is read from the
 * real ~/.purple.  Message logging is off (/purple/logging/log_ims); set the
 * pref in a test that wants it.
 *
 * Built plugins are loaded from the build tree: SMILEBACK_BUILD_ROOT (set by
 * tests/meson.build in test_env) + a relative path such as
 * "plugin/purple/core-smileback.so".
 *
 * The test protocol "prpl-sbtest" (OPT_PROTO_NO_PASSWORD) connects at once,
 * normalizes names to lower case,
 * lets the test play the other side (sb_test_prpl_receive() = serv_got_im with
 * any timestamp), records what the user sends, can be told to fail sends, and
 * supports group chats (the user's lines are echoed back, as a real room
 * does) and invitations.
 *
 * XMPP accounts for the e2e suite: sb_test_purple_xmpp_account_new() points
 * prpl-jabber at a local server (see sb-test-prosody.h) without TLS.
 */
#pragma once

#include <glib.h>
#include <purple.h>

G_BEGIN_DECLS

#define SB_TEST_UI_ID "smileback-test"
#define SB_TEST_PRPL_ID "prpl-sbtest"

/* Sets up libpurple as described above.  Aborts the test program on failure.
 * Call once per process. */
void sb_test_purple_init (void);

/* purple_core_quit() and removes the user directory (kept when the environment
 * has SMILEBACK_TEST_KEEP).  Call once, after the last test. */
void sb_test_purple_shutdown (void);

/* The temporary user directory (purple_user_dir()).  Borrowed. */
const char *sb_test_purple_user_dir (void);

/* $SMILEBACK_BUILD_ROOT/@relative.  Caller frees.  Aborts when the variable is
 * unset (the test was not started by meson). */
char *sb_test_build_path (const char *relative);

/* Probes and loads the plugin file at $SMILEBACK_BUILD_ROOT/@relative.
 * Returns the plugin (owned by libpurple), NULL with a g_test message when it
 * does not load.  Loading an already-probed file again reuses it. */
PurplePlugin *sb_test_purple_load_plugin (const char *relative);

/* Which action the headless UI picks in every purple_request_action() (and
 * the accept/cancel questions built on it): @index counts from 0; -1, the
 * default, picks the last one (libpurple's "Cancel"/"Reject"). */
void sb_test_purple_set_request_choice (int index);

/* How many purple_request_action() questions were answered so far. */
guint sb_test_purple_get_request_count (void);

/* How many purple_notify_message() notices were shown so far, and the
 * primary text of the last (NULL when none; borrowed).  The headless UI
 * counts them and closes them at once. */
guint sb_test_purple_get_notice_count (void);
const char *sb_test_purple_get_last_notice (void);

typedef gboolean (*SbTestCondition) (gpointer data);

/* Runs the default main context until @cond (data) is TRUE or @timeout_ms
 * passed.  Returns the last value of @cond.  Use generous timeouts: they are
 * for a hung test, not a measurement. */
gboolean sb_test_purple_wait (SbTestCondition cond, gpointer data, guint timeout_ms);

/* Runs the default main context for @ms milliseconds. */
void sb_test_purple_run_for (guint ms);

/* Fails the test when any of @words (NULL-terminated) occurs in the bytes of
 * the profile's smileback.db or its -wal: what is stored is never text. */
void sb_test_purple_assert_not_stored (const char *const *words);

/* The test protocol. */

/* A new enabled, connected account "@username" on prpl-sbtest (status
 * available).  Owned by libpurple's account list. */
PurpleAccount *sb_test_prpl_account_new (const char *username);

/* The buddy @who on @account (in group "Buddies"), created when missing. */
PurpleBuddy *sb_test_prpl_add_buddy (PurpleAccount *account, const char *who);

/* @who sends @text (HTML) to @account's user, with @flags (usually
 * PURPLE_MESSAGE_RECV) and timestamp @mtime: serv_got_im(). */
void sb_test_prpl_receive (PurpleAccount *account, const char *who, const char *text,
                           PurpleMessageFlags flags, time_t mtime);

/* The user sends @text to @who through the conversation window's path:
 * purple_conv_im_send().  Creates the conversation when needed. */
void sb_test_prpl_send (PurpleAccount *account, const char *who, const char *text);

/* While @fail is TRUE, every send through the protocol fails (returns -EIO,
 * libpurple shows "Unable to send message"). */
void sb_test_prpl_set_fail_sends (gboolean fail);

/* How many messages the protocol accepted for sending since start. */
guint sb_test_prpl_get_sent_count (void);

/* The user is in room @room with @members (NULL-terminated, the initial
 * member list).  Returns the chat conversation. */
PurpleConversation *sb_test_prpl_join_chat (PurpleAccount *account, const char *room,
                                            const char *const *members);

/* @member joins the chat @conv after the user did. */
void sb_test_prpl_chat_member_joins (PurpleConversation *conv, const char *member);

/* @member leaves the chat @conv. */
void sb_test_prpl_chat_member_leaves (PurpleConversation *conv, const char *member);

/* @who says @text (HTML) in the chat @conv at @mtime: serv_got_chat_in(). */
void sb_test_prpl_chat_receive (PurpleConversation *conv, const char *who, const char *text,
                                time_t mtime);

/* The user says @text in the chat @conv through the window's path,
 * purple_conv_chat_send(); the protocol echoes it back under the user's nick
 * (shown as PURPLE_MESSAGE_SEND), as a real room does. */
void sb_test_prpl_chat_send (PurpleConversation *conv, const char *text);

/* @who invites the user to @room: serv_got_chat_invite(). */
void sb_test_prpl_receive_invite (PurpleAccount *account, const char *room, const char *who);

/* The user invites @who into the chat @conv: serv_chat_invite(). */
void sb_test_prpl_send_invite (PurpleConversation *conv, const char *who);

/* Lets core-smileback's prompts come at any hour, up to 20 a day, with no
 * quiet time after sign-on (its prefs, set before or after loading it). */
void sb_test_purple_allow_prompts (void);

/* XMPP on a local test server. */

/* A new account user@domain/smileback on prpl-jabber, connecting to
 * 127.0.0.1:@port without TLS, plain auth in clear, enabled for
 * SB_TEST_UI_ID.  Does not wait: see sb_test_purple_wait_connected(). */
PurpleAccount *sb_test_purple_xmpp_account_new (const char *user, const char *domain,
                                                guint16 port, const char *password);

/* Waits up to @timeout_ms for @account to be connected. */
gboolean sb_test_purple_wait_connected (PurpleAccount *account, guint timeout_ms);

G_END_DECLS
