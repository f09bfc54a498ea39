# Shared by the benchmark scripts that start a portal of their own; sourced, not run:
#   source bench/lib/portal.sh
#   work=$(mktemp -d ...); port=$(free_port); export ...settings...
#   start_portal "$web"
# start_portal sets $portal (the portal's process id, which some benchmarks measure); on exit the portal is stopped and
# $work removed.

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

portal=""
work=""
stop_portal() { [[ -n $portal ]] && kill "$portal" 2>/dev/null; wait 2>/dev/null; [[ -n $work ]] && rm -rf "$work"; return 0; }
trap stop_portal EXIT

# start_portal WEB_DLL: the portal's own process (not `dotnet run`, whose child it would be) on $port, logging to
# $work/portal.log, waited for until /health answers (up to a minute).
start_portal() {
  local web=$1 up=""
  dotnet "$web" --urls "http://127.0.0.1:$port" >"$work/portal.log" 2>&1 &
  portal=$!
  for _ in $(seq 120); do
    curl -fs "http://127.0.0.1:$port/health" >/dev/null && { up=1; break; }
    kill -0 "$portal" 2>/dev/null || break
    sleep 0.5
  done
  [[ -n $up ]] || { echo "the portal did not start:" >&2; tail -20 "$work/portal.log" >&2; exit 1; }
}
