#!/bin/sh
# Runs the admin panel's browser tests, installing what is missing:
# playwright-core (npm ci) and Debian's Chromium. Screenshots go to
# e2e/artifacts/.
set -eu
cd "$(dirname "$0")"
if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
	echo "installing chromium (apt)…"
	apt-get install -y chromium >/dev/null || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }
fi
# A CJK font, only so the zh-CN screenshots are legible; tests pass without it.
if ! fc-list 2>/dev/null | grep -qi 'wqy\|noto sans cjk'; then
	apt-get install -y fonts-wqy-microhei >/dev/null 2>&1 || echo "note: no CJK font; zh-CN screenshots will show boxes"
fi
if [ ! -d node_modules/playwright-core ]; then
	npm ci --no-audit --no-fund
fi
mkdir -p artifacts
exec node --test --test-concurrency=1 tests/
