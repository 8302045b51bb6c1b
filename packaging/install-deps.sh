#!/usr/bin/env bash
# Installs every Debian package Touchpoint needs to build, test and run, and the npm tooling for the
# dashboard and browser tests. Safe to run again: apt-get and npm ci skip what is already there.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates openssl ccache
  libimgui-dev libglfw3-dev libgl-dev libgl1-mesa-dri mesa-utils
  libcurl4-openssl-dev libsqlite3-dev sqlite3 nlohmann-json3-dev libsimdjson-dev libcpp-httplib-dev libssl-dev zlib1g-dev
  libsodium-dev libphonenumber-dev libicu-dev libtomlplusplus-dev libstb-dev
  libpq-dev postgresql postgresql-contrib libjemalloc-dev
  libboost1.74-dev libboost-system1.74-dev libre2-dev libcli11-dev
  libespeak-ng-dev espeak-ng-data
  haproxy postgresql-15-auto-failover pg-auto-failover-cli python3-aiosmtpd
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  clang libclang-rt-14-dev
  xvfb xauth xdotool x11-utils
  fonts-dejavu-core fonts-noto-core
  chromium
  systemd dpkg-dev fakeroot file
  debootstrap systemd-container shellcheck
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing packages: ${missing[*]}; run this script as root" >&2
    exit 1
  fi
  echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "install-deps: all Debian packages present"
fi

# Node.js drives the dashboard build and the browser tests. Use the machine's node if it has one (a newer
# one may come with the image); otherwise Debian's.
if ! command -v npm >/dev/null 2>&1; then
  echo "install-deps: installing Debian's nodejs and npm"
  apt-get install -y -qq --no-install-recommends nodejs npm
fi
