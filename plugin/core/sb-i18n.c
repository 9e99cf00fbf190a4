/* sb-i18n.c: binds the "smileback" text domain (see sb-i18n.h). */
#include "smileback/sb-i18n.h"

#include <glib/gi18n-lib.h>

void
sb_i18n_bind (void)
{
  const char *dir = g_getenv (SB_I18N_LOCALEDIR_ENV);

  bindtextdomain (GETTEXT_PACKAGE, dir != NULL && *dir != '\0' ? dir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
}
