#!/usr/bin/env bash
# Installs what the test suite needs beyond Go, from Debian's packages:
# curl, jq, openssl, Node.js/npm, and Debian's azure-cli (2.45, for the Azure
# CLI interop suite). Does nothing when everything is there.
set -euo pipefail
need=()
command -v curl >/dev/null || need+=(curl)
command -v jq >/dev/null || need+=(jq)
command -v openssl >/dev/null || need+=(openssl)
command -v node >/dev/null || need+=(nodejs npm)
command -v az >/dev/null || need+=(azure-cli)
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo=sudo
echo "== installing ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
