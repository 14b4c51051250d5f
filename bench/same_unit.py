"""Whether an embedded store (an SQLite file) and a PostgreSQL database hold the same unit:
the rows of every table (but those left out), each flight's manifest by role and status, each
booking's version count and latest version, the messages by state. Used by bench/engines.sh and
bench/two-nodes.sh."""
import sqlite3
import subprocess


def psql(url, sql):
    out = subprocess.run(["psql", url, "-AtF", "\t", "-c", sql], check=True,
                         capture_output=True, text=True).stdout
    return [tuple(l.split("\t")) for l in out.splitlines() if l]


def compare(sqlite_path, url, leave_out=()):
    """(checks, names of the checks that differ, {name: (only embedded, only PostgreSQL)})."""
    lite = sqlite3.connect(sqlite_path)
    tables = [r[0] for r in lite.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite%' "
        "AND name <> '_sqlx_migrations'") if r[0] not in leave_out]
    checks = {f"rows of {t}": f"SELECT COUNT(*) FROM {t}" for t in tables}
    checks["manifests"] = ("SELECT f.key, m.role, m.status, COUNT(*) FROM manifest m "
                           "JOIN flights f ON f.id = m.flight_id GROUP BY f.key, m.role, m.status")
    checks["booking versions"] = ("SELECT f.key, v.locator, COUNT(*), MAX(v.version) "
                                  "FROM pnr_versions v JOIN flights f ON f.id = v.flight_id "
                                  "GROUP BY f.key, v.locator")
    checks["message states"] = "SELECT state, COUNT(*) FROM messages GROUP BY state"
    differ = {}
    for name, sql in checks.items():
        a = {tuple(str(v) for v in r) for r in lite.execute(sql)}
        b = set(psql(url, sql))
        if a != b:
            differ[name] = (sorted(a - b), sorted(b - a))
    return checks, tables, differ
