#!/usr/bin/env bash
# Builds the suite, starts PostgreSQL (embedded unless --db-url is given) and the four services,
# plays the demo and keeps the services running until Ctrl-C.
#   bash deploy/local/run.sh [--db-url jdbc:postgresql://HOST:5432/postgres] [--db-user USER] [--db-password PASSWORD] [--no-demo]
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -DskipTests package
exec java -Djava.util.logging.manager=org.jboss.logmanager.LogManager -jar suite/target/suite.jar "$@"
