#!/usr/bin/env bash
# Installs the Debian packages a target needs when they are missing and we may (root + apt).
# The browser tests need chromium; the benchmarks need wrk; docs screenshots an emoji font.
set -euo pipefail
need=()
case "${1:-test}" in
  test)  command -v chromium >/dev/null || need+=(chromium)
         command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light) ;;
  bench) command -v wrk >/dev/null || need+=(wrk)
         command -v chromium >/dev/null || need+=(chromium) ;;
  # Screenshots for docs/: emoji as visitors' browsers draw them, not as empty boxes.
  screenshots) command -v chromium >/dev/null || need+=(chromium)
         [ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || need+=(fonts-noto-color-emoji) ;;
esac
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${need[*]} (Debian packages)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${need[@]}" >/dev/null 2>&1 || {
    apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "${need[@]}" >/dev/null; }
else
  echo "missing ${need[*]}: install them (e.g. sudo apt-get install ${need[*]});" \
       "the tests that need them will say they were skipped" >&2
fi
