#!/bin/bash
# Copied from ../shared/tools/install-code-server.sh (the machines' shared tools), so that CI needs nothing outside the repo.
# Offline-ish install of code-server from the npm registry on Debian 12 / Node 20 (root).
# Usage: install-code-server.sh DIR [VERSION]
set -euo pipefail
DIR=$1; VER=${2:-4.100.3}
apt-get install -y --no-install-recommends build-essential pkg-config libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev ripgrep >/dev/null
mkdir -p "$DIR" && cd "$DIR"
[ -f package.json ] || npm init -y >/dev/null
# 1. fetch code-server without running its postinstall (it refuses root w/o unsafe-perm and would fetch ripgrep from GitHub)
npm install --ignore-scripts "code-server@$VER"
npm rebuild argon2 --foreground-scripts            # top-level native dep (node-pre-gyp falls back to a source build)
V=node_modules/code-server/lib/vscode
# 2. what postinstall.sh does, by hand
( cd $V && npm install --omit=dev --ignore-scripts )
mkdir -p $V/node_modules/@vscode/ripgrep/bin && cp /usr/bin/rg $V/node_modules/@vscode/ripgrep/bin/rg   # its postinstall skips when bin/ exists
( cd $V && npm_config_yes=true npm rebuild --foreground-scripts )   # node-gyp builds; node-pty runs `npx node-gyp`, needs yes=true
( cd $V && ln -sfn node_modules node_modules.asar && cd bin/remote-cli && ln -sf code-linux.sh code-server && cd ../helpers && ln -sf browser-linux.sh browser.sh )
( cd $V/extensions && npm install --omit=dev )
node_modules/.bin/code-server --version
