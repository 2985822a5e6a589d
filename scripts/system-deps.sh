#!/usr/bin/env bash
# Installs the Debian packages a target needs when they are missing and we may (root + apt).
# The browser tests need chromium; the benchmarks need wrk; docs screenshots an emoji font.
# The WordPress plugin's test needs WordPress, PHP's command line with its MySQL driver, and
# phpcs (MariaDB itself is the machine's, or CI's service).
set -euo pipefail
need=()
case "${1:-test}" in
  test)  command -v chromium >/dev/null || need+=(chromium)
         command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || need+=(nginx-light)
         [ -e /usr/share/wordpress/wp-settings.php ] || need+=(wordpress)
         [ -e /usr/share/wordpress/wp-content/themes/twentytwentyone/style.css ] ||
           need+=(wordpress-theme-twentytwentyone)
         command -v php >/dev/null || need+=(php-cli)
         command -v mariadb >/dev/null || need+=(mariadb-client)
         for ext in mysql curl xml mbstring; do
           php -m 2>/dev/null | grep -ix "${ext/mysql/mysqli}" >/dev/null || need+=("php-$ext")
         done
         command -v phpcs >/dev/null || need+=(php-codesniffer) ;;
  bench) command -v wrk >/dev/null || need+=(wrk)
         command -v chromium >/dev/null || need+=(chromium) ;;
  # Screenshots for docs/: emoji as visitors' browsers draw them, not as empty boxes.
  screenshots) command -v chromium >/dev/null || need+=(chromium)
         [ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || need+=(fonts-noto-color-emoji) ;;
esac
# axe-core (the accessibility checker the browser tests run in pages), from the npm registry
# into a folder of the checkout that only tests read: AXE_DIR.
if [ "${1:-test}" = test ]; then
  axe_dir=${AXE_DIR:-$(dirname "$0")/../.test-deps}
  if [ ! -f "$axe_dir/node_modules/axe-core/axe.min.js" ]; then
    command -v npm >/dev/null || need+=(npm)
  fi
fi
install_axe() {
  [ "${1:-test}" = test ] || return 0
  [ -f "$axe_dir/node_modules/axe-core/axe.min.js" ] && return 0
  if command -v npm >/dev/null; then
    echo "installing axe-core@$AXE_VERSION into $axe_dir (npm)" >&2
    npm install --silent --no-audit --no-fund --prefix "$axe_dir" "axe-core@$AXE_VERSION" >/dev/null
  else
    echo "missing npm: the accessibility tests will say axe-core is missing" >&2
  fi
}
AXE_VERSION=4.14.1
[ ${#need[@]} -eq 0 ] && { install_axe "${1:-test}"; exit 0; }
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing ${need[*]} (Debian packages)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${need[@]}" >/dev/null 2>&1 || {
    apt-get update -q >/dev/null 2>&1 && apt-get install -y -q "${need[@]}" >/dev/null; }
else
  echo "missing ${need[*]}: install them (e.g. sudo apt-get install ${need[*]});" \
       "the tests that need them will say they were skipped" >&2
fi
install_axe "${1:-test}"
