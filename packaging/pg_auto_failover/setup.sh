#!/bin/sh
# Sample pg_auto_failover setup for the hub's database: a monitor and two PostgreSQL nodes (primary and
# synchronous standby), each on its own machine. Debian packages: postgresql-15-auto-failover and
# pg-auto-failover-cli on all three. Run the step for the machine you are on, as root:
#   setup.sh monitor               on the monitor machine
#   setup.sh node MONITOR_HOST     on each database machine (the first becomes primary, the second standby)
#   setup.sh database              on the primary, once both nodes run: the hub's role and database
# docs/OPERATIONS.md "Three tiers" explains the choices; tests/support/hub/pg_auto_failover.cpp builds the
# same cluster on loopback for the failover test (with trust authentication and no TLS, for tests only).
set -eu

PGBIN=/usr/lib/postgresql/15/bin
PGDATA=/var/lib/postgresql/15/auto
HOST=$(hostname -f)
as_postgres() { runuser -u postgres -- env PGDATA="$PGDATA" "$@"; }

case "${1:-}" in
monitor)
    # --ssl-self-signed encrypts; for verified TLS give --ssl-ca-file, --server-cert and --server-key.
    as_postgres pg_autoctl create monitor --pgctl "$PGBIN/pg_ctl" --pgdata "$PGDATA" --pgport 5432 \
        --hostname "$HOST" --auth scram-sha-256 --ssl-self-signed
    # The nodes need the autoctl_node password (in ~postgres/.pgpass on each node).
    as_postgres pg_autoctl show systemd >/etc/systemd/system/pgautofailover.service
    systemctl daemon-reload
    systemctl enable --now pgautofailover
    ;;
node)
    monitor_host=${2:?monitor host}
    as_postgres pg_autoctl create postgres --pgctl "$PGBIN/pg_ctl" --pgdata "$PGDATA" --pgport 5432 \
        --hostname "$HOST" --auth scram-sha-256 --ssl-self-signed \
        --monitor "postgres://autoctl_node@$monitor_host:5432/pg_auto_failover?sslmode=require"
    as_postgres pg_autoctl show systemd >/etc/systemd/system/pgautofailover.service
    systemctl daemon-reload
    systemctl enable --now pgautofailover
    ;;
database)
    # The standby is synchronous (pg_auto_failover sets synchronous_standby_names when it joins): a commit
    # the hub acknowledged with a receipt is on both nodes, so a failover loses no receipted event.
    as_postgres psql -c "CREATE ROLE \"touchpoint-hub\" LOGIN PASSWORD NULL"
    as_postgres createdb --owner=touchpoint-hub touchpoint
    echo "Set a password: runuser -u postgres -- psql -c '\\password \"touchpoint-hub\"'"
    echo "Allow the hubs in pg_hba.conf on both nodes (pg_autoctl keeps its own lines), e.g."
    echo "  hostssl touchpoint touchpoint-hub 10.0.0.0/24 scram-sha-256"
    echo "Then in each hub's hub.toml:"
    echo '  [store]'
    echo '  url = "postgresql://touchpoint-hub@db1.example.com:5432,db2.example.com:5432/touchpoint?target_session_attrs=read-write&sslmode=require"'
    ;;
*)
    echo "usage: $0 monitor | node MONITOR_HOST | database" >&2
    exit 2
    ;;
esac
