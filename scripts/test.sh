#!/usr/bin/env bash
# The one test command (README "Run the tests"). On a fresh Debian machine it installs what is
# missing, builds everything with warnings as errors, and runs the whole xunit suite.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '== %s\n' "$*"; }

need_apt=()
# Packages later parts of the suite need (servers started by the tests themselves on loopback).
for pkg in $(cat scripts/apt-packages.txt 2>/dev/null | sed 's/#.*//'); do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null 2>&1; then
  echo "dotnet (SDK 10) is required: https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2
  exit 1
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if [ -f scripts/web-build.sh ]; then
  log "building web assets"
  bash scripts/web-build.sh
fi

log "restore"
dotnet restore Barometer.slnx --nologo -v q
log "build (warnings are errors)"
dotnet build Barometer.slnx --no-restore --nologo -v q -c Release
log "test"
dotnet test Barometer.slnx --no-build --nologo -c Release -v q \
  --logger "console;verbosity=minimal" --results-directory TestResults --blame-hang-timeout 8m "$@"
