#!/bin/sh
# Installs and starts what the test suite drives besides Python packages: Debian postfix's
# smtp-sink (SMTP fault injection), LibreOffice with UNO (opens encrypted workbooks), Debian's
# chromium (the web mailbox's browser tests; Playwright drives it, no browser is downloaded), and
# a running PostgreSQL on 127.0.0.1. Idempotent and quick when all is in place. Without root or
# apt the tests that need these tools skip and say why.
set -u
need=""
command -v smtp-sink >/dev/null 2>&1 || need="$need postfix"
{ command -v soffice >/dev/null 2>&1 && /usr/bin/python3 -c "import uno" >/dev/null 2>&1; } \
  || need="$need libreoffice-calc-nogui python3-uno"
[ -x /usr/bin/chromium ] || need="$need chromium"
if [ -n "$need" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "system-deps: installing$need"
    echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections 2>/dev/null || true
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends $need; } >/tmp/bob-apt.log 2>&1 \
      || echo "system-deps: apt-get failed (see /tmp/bob-apt.log); tests that need$need will skip"
  else
    echo "system-deps: not root or no apt-get; tests that need$need will skip"
  fi
fi
# smtp-sink lives in /usr/sbin, which a non-login PATH may lack.
[ -x /usr/sbin/smtp-sink ] || true
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "system-deps: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  fi
fi
exit 0
