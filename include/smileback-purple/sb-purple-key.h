/* sb-purple-key.h: from libpurple's accounts and buddies to buddy keys.
 *
 * The one rule both plugins file history under (docs/design.md,
 * "Definitions"): the protocol id, the account name and the buddy name
 * normalized with purple_normalize(), the account's resource removed
 * (sb_buddy_key_new()).  Plugins share no code at run time (docs/design.md,
 * "Layers"), so sb-purple-key.c is a small static library linked into each,
 * with the other lookups both need: accounts, buddies, the name a person
 * knows a buddy by, the keep-in-touch setting.  libpurple and the core's pure
 * helpers only: no ledger, no UI.
 */
#pragma once

#include <glib.h>
#include <account.h>
#include <blist.h>
#include <conversation.h>

#include "smileback/sb-buddy-key.h"
#include "smileback/sb-prompt.h"

G_BEGIN_DECLS

/* @account's normalized name without its resource, as keys hold it.  NULL
 * when @account has no name.  Caller frees. */
char *sb_purple_key_account_name (PurpleAccount *account);

/* The key of @who on @account.  NULL when a part is empty or invalid.
 * Caller frees (sb_buddy_key_free). */
SbBuddyKey *sb_purple_key_new (PurpleAccount *account, const char *who);

/* The key of a buddy-list buddy.  Caller frees. */
SbBuddyKey *sb_purple_key_for_buddy (PurpleBuddy *buddy);

/* The keys behind a buddy-list node: one for a buddy, one per buddy for a
 * contact, none for anything else.  A new GPtrArray owning the keys. */
GPtrArray *sb_purple_keys_for_node (PurpleBlistNode *node);

/* The account whose key parts are @protocol and @account (normalized, no
 * resource), among every account, enabled or not; NULL when none.  Borrowed. */
PurpleAccount *sb_purple_key_find_account (const char *protocol, const char *account);

/* The same among the enabled accounts only: where a conversation can be
 * opened.  Borrowed. */
PurpleAccount *sb_purple_key_find_active_account (const char *protocol, const char *account);

/* The IM conversation with @key's buddy on its enabled account, found or
 * opened, and presented; NULL when no enabled account matches.  Nothing is
 * sent.  Borrowed. */
PurpleConversation *sb_purple_key_open_conversation (const SbBuddyKey *key);

/* Every buddy-list buddy of the key (@protocol, @account, @buddy) (one account
 * can list a buddy in several groups).  Free the list with g_slist_free();
 * the buddies are borrowed. */
GSList *sb_purple_key_find_buddies (const char *protocol, const char *account, const char *buddy);

/* The name a person knows the buddy (@protocol, @account, @buddy) by: its
 * contact alias in the buddy list, else @buddy.  Caller frees. */
char *sb_purple_buddy_display_name (const char *protocol, const char *account, const char *buddy);

/* The same for @key.  Caller frees. */
char *sb_purple_key_display_name (const SbBuddyKey *key);

/* The core's words for @prompt (sb_prompt_wording_new()) with the names the
 * buddy list knows; @audio: a call prompt offers "Call".  NULL for an invalid
 * kind.  Caller frees. */
SbPromptWording *sb_purple_prompt_wording (const SbPrompt *prompt, gboolean audio, gint64 now);

/* TRUE when the protocol of @key's enabled account reports audio for its
 * buddy: a call prompt then offers "Call". */
gboolean sb_purple_key_has_audio (const SbBuddyKey *key);

/* The keep-in-touch setting (SB_NODE_KEEP_IN_TOUCH_DAYS, sb-ipc.h) that
 * applies to @node: the buddy's own, else its contact's, else its group's;
 * 0 when none. */
int sb_purple_keep_in_touch_days (PurpleBlistNode *node);

G_END_DECLS
