/* smileback.h: the whole core API of Smile Back (GLib + SQLite only). */
#pragma once

#include "sb-buddy-key.h"
#include "sb-chat-log.h"
#include "sb-chat.h"
#include "sb-episode.h"
#include "sb-event.h"
#include "sb-ledger.h"
#include "sb-params.h"
#include "sb-planner.h"
#include "sb-prompt.h"
#include "sb-reply.h"
#include "sb-room.h"
#include "sb-stats.h"
#include "sb-store.h"
