#!/bin/sh
# The replica's pg_basebackup and stream connect as the service's user, with its password.
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
