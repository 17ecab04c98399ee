#!/bin/sh
# Stops the broker started by start.sh (by the PID in its state file) and removes its folder.
set -eu
cd "$(dirname "$0")/../../.."
exec node --import tsx test/infra/kafka/cli.ts stop "$@"
