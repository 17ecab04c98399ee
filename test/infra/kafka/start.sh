#!/bin/sh
# Starts a single-node Kafka broker on 127.0.0.1 that outlives this script and prints its
# bootstrap address. Options: --version 3.9.1|4.1.2|..., --state FILE. Stop it with stop.sh.
set -eu
cd "$(dirname "$0")/../../.."
exec node --import tsx test/infra/kafka/cli.ts start "$@"
