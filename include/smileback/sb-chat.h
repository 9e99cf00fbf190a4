/* sb-chat.h: what Smile Back records of group chats.
 *
 * Group chats are not two-party episodes.  They feed "seen together" (for
 * introductions) and invitations: who was present with the user in which room,
 * who invited whom.  As everywhere, no text.
 */
#pragma once

#include <glib.h>
#include "sb-event.h"

G_BEGIN_DECLS

typedef enum
{
  SB_CHAT_JOINED = 0,      /* the user joined @room */
  SB_CHAT_PRESENT = 1,     /* @member was in @room with the user */
  SB_CHAT_INVITE_SENT = 2, /* the user invited @member to @room */
  SB_CHAT_INVITE_RECEIVED = 3, /* @member invited the user to @room */
} SbChatKind;

typedef struct
{
  const char *protocol;
  const char *account; /* normalized, without resource */
  const char *room;    /* normalized room name */
  const char *member;  /* normalized buddy name, NULL for SB_CHAT_JOINED */
  SbChatKind kind;
  SbSource source;
  gint64 time;
} SbChatEvent;

G_END_DECLS
