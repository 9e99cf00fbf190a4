#!/usr/bin/env bash
# plugin/demo/demo.sh: the small world of `./run demo`, on 127.0.0.1 only.
#
#   demo.sh BUILD_DIR [--keep] [--for SECONDS] [--pids FILE]
#
# In a fresh temporary folder: a Prosody server run as the calling user with
# its own config and data (on a free port; the system's Prosody service is
# neither started nor changed), the user "sam" and six buddies registered with
# prosodyctl, rosters making them buddies, months of Pidgin logs imported
# through `smileback import`, and a throwaway Pidgin profile with both plugins
# from BUILD_DIR.  Then the buddies (sb-demo-buddies, headless libpurple) sign
# on and Pidgin opens on that profile; without a display ($DISPLAY empty),
# Finch runs in the terminal instead.
#
# Closing the client, Ctrl-C, or the end of --for SECONDS stops everything
# started here, by PID, and removes the folder unless --keep.  --pids FILE
# also appends "PID NAME" of every process started to FILE (for tests).
# SB_DEMO_EXTRA_PLUGINS (paths, space-separated) are loaded into Pidgin
# beside ours (for tests).
set -euo pipefail

build=${1:?usage: demo.sh BUILD_DIR [--keep] [--for SECONDS] [--pids FILE]}
shift
keep=0 run_for="" pids_file=""
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep=1 ;;
    --for) run_for=${2:?--for needs SECONDS}; shift ;;
    --pids) pids_file=${2:?--pids needs FILE}; shift ;;
    *) echo "demo: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

me=sam
host=localhost
password=smileback-demo
buddies_bin=$build/plugin/demo/sb-demo-buddies
cli=$build/plugin/cli/smileback
core_plugin=$build/plugin/purple/core-smileback.so
gtk_plugin=$build/plugin/pidgin/gtk-smileback.so

dir=$(mktemp -d "${TMPDIR:-/tmp}/smileback-demo-XXXXXX")
profile=$dir/profile
mkdir -p "$profile" "$dir/data" "$dir/certs"

# ---- processes: started here, stopped here, by PID ----------------------------

started=()

record() { # PID NAME
  started+=("$1")
  echo "$1 $2" >>"$dir/pids"
  if [ -n "$pids_file" ]; then echo "$1 $2" >>"$pids_file"; fi
}

alive() { # PID: running (a zombie, exited but not yet reaped, is not)
  local state
  state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

stop() { # PID: SIGTERM, SIGKILL after 5 s, then reap
  local pid=$1 i
  if alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do alive "$pid" || break; sleep 0.1; done
    if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  trap - EXIT INT TERM
  local i
  # The client first, so it signs off from a live server; the server last.
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do stop "${started[i]}"; done
  if [ "$keep" = 1 ]; then
    echo "demo: kept $dir"
  else
    rm -rf "$dir"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---- Prosody ------------------------------------------------------------------

write_prosody_config() { # PORT
  cat >"$dir/prosody.cfg.lua" <<EOF
-- Smile Back's demo: loopback only, no TLS, data in this folder.
daemonize = false
run_as_root = true
pidfile = "$dir/prosody.pid"
data_path = "$dir/data"
certificates = "$dir/certs"
log = { info = "$dir/prosody.log" }
interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { $1 }
c2s_direct_tls_ports = { }
legacy_ssl_ports = { }
s2s_ports = { }
component_ports = { }
http_ports = { }
https_ports = { }
modules_enabled = { "roster"; "saslauth"; "disco"; "ping"; "private"; "vcard"; "offline"; "version"; "time" }
modules_disabled = { "s2s"; "tls"; "posix" }
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
authentication = "internal_plain"
storage = "internal"
allow_registration = false
VirtualHost "$host"
Component "conference.$host" "muc"
  restrict_room_creation = false
  -- The buddy who opens the room has no one to answer Prosody's
  -- configuration form: the room is open at once.
  muc_room_locking = false
EOF
}

# Prosody's internal roster store for USER: the users after it, subscription
# both, in group "Friends" (the names are plain: no escaping needed).
write_roster() { # USER OTHER...
  local user=$1 other
  shift
  mkdir -p "$dir/data/$host/roster"
  {
    echo 'return {'
    echo '  [false] = { ["version"] = 1; };'
    for other in "$@"; do
      printf '  ["%s@%s"] = { ["subscription"] = "both"; ["name"] = "%s"; ["groups"] = { ["Friends"] = true; }; };\n' \
        "$other" "$host" "${other^}"
    done
    echo '};'
  } >"$dir/data/$host/roster/$user.dat"
}

start_prosody() {
  local attempt port i
  for attempt in 1 2 3; do
    # A free port: nothing answers there (Prosody retries with another if
    # something takes it first).
    port=$((20000 + RANDOM % 40000))
    port_open "$port" && continue
    write_prosody_config "$port"
    prosody --config "$dir/prosody.cfg.lua" >"$dir/prosody.out" 2>&1 &
    local pid=$!
    for ((i = 0; i < 300; i++)); do
      if port_open "$port"; then
        record "$pid" prosody
        server_port=$port
        return 0
      fi
      alive "$pid" || break
      sleep 0.1
    done
    stop "$pid"
  done
  echo "demo: Prosody did not start; its log:" >&2
  cat "$dir/prosody.log" "$dir/prosody.out" >&2 2>/dev/null || true
  return 1
}

# ---- the Pidgin (or Finch) profile ---------------------------------------------

write_profile() { # PORT
  local ui extra plugin items=""
  for plugin in "$core_plugin" "$gtk_plugin" ${SB_DEMO_EXTRA_PLUGINS:-}; do
    items+="    <item value='$plugin'/>"$'\n'
  done
  cat >"$profile/accounts.xml" <<EOF
<?xml version='1.0' encoding='UTF-8' ?>
<account version='1.0'>
 <account>
  <protocol>prpl-jabber</protocol>
  <name>$me@$host/Home</name>
  <password>$password</password>
  <alias>Sam</alias>
  <statuses>
   <status type='available' name='Available' active='true'><attributes/></status>
  </statuses>
  <settings>
   <setting name='connect_server' type='string'>127.0.0.1</setting>
   <setting name='port' type='int'>$1</setting>
   <setting name='connection_security' type='string'>none</setting>
   <setting name='auth_plain_in_clear' type='bool'>1</setting>
   <setting name='ft_proxies' type='string'></setting>
  </settings>
  <settings ui='gtk-gaim'><setting name='auto-login' type='bool'>1</setting></settings>
  <settings ui='gnt-purple'><setting name='auto-login' type='bool'>1</setting></settings>
 </account>
</account>
EOF
  # Both UIs' plugin lists (Finch loads only the core), the buddy list on the
  # right so conversation windows do not cover it, and Smile Back's prompts
  # without quiet hours (any time of day), a short sign-on quiet time and
  # frequent planning runs, the logs marked as imported.
  cat >"$profile/prefs.xml" <<EOF
<?xml version='1.0' encoding='UTF-8' ?>
<pref version='1' name='/'>
 <pref name='pidgin'>
  <pref name='plugins'>
   <pref name='loaded' type='pathlist'>
$items   </pref>
  </pref>
  <pref name='blist'>
   <pref name='show_offline_buddies' type='bool' value='1'/>
   <pref name='show_empty_groups' type='bool' value='0'/>
   <pref name='list_visible' type='bool' value='1'/>
   <pref name='list_maximized' type='bool' value='0'/>
   <pref name='x' type='int' value='600'/>
   <pref name='y' type='int' value='16'/>
   <pref name='width' type='int' value='400'/>
   <pref name='height' type='int' value='600'/>
  </pref>
  <pref name='sound'>
   <pref name='method' type='string' value='none'/>
  </pref>
  <pref name='docklet'>
   <pref name='show' type='string' value='never'/>
  </pref>
 </pref>
 <pref name='finch'>
  <pref name='plugins'>
   <pref name='loaded' type='pathlist'>
    <item value='$core_plugin'/>
   </pref>
  </pref>
 </pref>
 <pref name='plugins'>
  <pref name='core'>
   <pref name='smileback'>
    <pref name='import_state' type='int' value='2'/>
    <pref name='prompts'>
     <pref name='max_per_day' type='int' value='5'/>
     <pref name='quiet_start_minute' type='int' value='0'/>
     <pref name='quiet_end_minute' type='int' value='0'/>
     <pref name='signon_quiet_s' type='int' value='10'/>
     <pref name='plan_every_s' type='int' value='20'/>
    </pref>
   </pref>
  </pref>
 </pref>
</pref>
EOF
  # The room, one double-click away in the buddy list.
  cat >"$profile/blist.xml" <<EOF
<?xml version='1.0' encoding='UTF-8' ?>
<purple version='1.0'>
 <blist>
  <group name='Rooms'>
   <chat proto='prpl-jabber' account='$me@$host/Home'>
    <component name='handle'>$me</component>
    <component name='room'>lounge</component>
    <component name='server'>conference.$host</component>
    <alias>lounge</alias>
   </chat>
  </group>
 </blist>
</purple>
EOF
}

# ---- the world ------------------------------------------------------------------

for f in "$buddies_bin" "$cli" "$core_plugin"; do
  [ -e "$f" ] || { echo "demo: $f is missing: build first" >&2; exit 1; }
done

mapfile -t buddies < <("$buddies_bin" users)

write_prosody_config 0
for user in "$me" "${buddies[@]}"; do
  if ! prosodyctl --config "$dir/prosody.cfg.lua" register "$user" "$host" "$password" \
    >>"$dir/prosodyctl.log" 2>&1; then
    echo "demo: prosodyctl could not register $user:" >&2
    cat "$dir/prosodyctl.log" >&2
    exit 1
  fi
done
# The user has every buddy; the buddies have the user and each other, except
# eve and finn, close friends of the user who never met.
write_roster "$me" "${buddies[@]}"
for user in "${buddies[@]}"; do
  others=("$me")
  for other in "${buddies[@]}"; do
    case "$user:$other" in "$other:$other" | eve:finn | finn:eve) ;; *) others+=("$other") ;; esac
  done
  write_roster "$user" "${others[@]}"
done

start_prosody
write_profile "$server_port"
"$buddies_bin" history --logs "$profile/logs" --me "$me" --host "$host"
"$cli" import --db "$profile/smileback.db" "$profile/logs" </dev/null

# The buddies say what they do on the terminal beside Pidgin; Finch needs the
# terminal for itself.
client=pidgin
[ -n "${DISPLAY:-}" ] || client=finch
mkdir -p "$dir/buddies"
buddies_run=("$buddies_bin" run --dir "$dir/buddies" --port "$server_port" --me "$me"
  --password "$password" --host "$host")
if [ "$client" = pidgin ]; then
  "${buddies_run[@]}" &
else
  "${buddies_run[@]}" >"$dir/buddies.log" 2>&1 &
fi
record $! sb-demo-buddies

cat <<EOF

Smile Back demo: you are sam@$host, with months of history already imported.
  Beside each buddy a hint: ana "mutual", ben "you always start", cleo "you owe
  a reply", dan "owes you a reply" (his auto-replies never count as one), eve
  and finn "mutual".  Hover a buddy for the figures behind it.
  Within a minute, prompts in the buddy list: reach out to ana (a month
  without a word), cleo is waiting for an answer, introduce eve and finn.
  Write to someone: ana answers within seconds, ben never, dan auto-replies,
  eve and finn in a while; cleo writes to you now and then.  Join the room
  "lounge" (ana, cleo and dan chat there) to be offered to invite friends.
  Close $client or press Ctrl-C to stop everything.

EOF

if [ "$client" = pidgin ]; then
  pidgin -m -c "$profile" >"$dir/pidgin.log" 2>&1 &
else
  finch -c "$profile" <&0 2>"$dir/finch.log" &
fi
client_pid=$!
record "$client_pid" "$client"

if [ -n "$run_for" ]; then
  end=$((SECONDS + run_for))
  while alive "$client_pid" && [ "$SECONDS" -lt "$end" ]; do sleep 1; done
else
  wait "$client_pid" || true
fi
