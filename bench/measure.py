"""What the benchmarks measure the same way: travellers in a folder of messages, CPU seconds of
the PostgreSQL server and of a process. Used by bench/engines.sh and bench/nodes-ingest.sh; as
a command: `python3 bench/measure.py travellers DIR` or `python3 bench/measure.py pg-cpu`."""
import os
import pathlib
import sys

TICK = os.sysconf("SC_CLK_TCK")


def travellers(messages):
    """API persons and PNR travellers in every file under `messages` (NAD+FL/FM, TIF)."""
    n = 0
    for p in pathlib.Path(messages).rglob("*"):
        if p.is_file():
            b = p.read_bytes()
            n += b.count(b"NAD+FL+") + b.count(b"NAD+FM+") + b.count(b"TIF+")
    return n


def _stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def process_cpu(pid):
    """CPU seconds (user + system) a live process has used."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / TICK


def pg_cpu():
    """CPU seconds (user + system) of the PostgreSQL server: every live server process, and
    the postmaster's reaped children (backends of closed connections end before we look)."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/comm") as f:
                if f.read().strip() not in ("postgres", "postmaster"):
                    continue
            fields = _stat(pid)
            total += int(fields[11]) + int(fields[12])
            with open(f"/proc/{fields[1]}/comm") as f:
                parent_is_server = f.read().strip() in ("postgres", "postmaster")
            if not parent_is_server:
                total += int(fields[13]) + int(fields[14])
        except OSError:
            pass
    return total / TICK


if __name__ == "__main__":
    if sys.argv[1:2] == ["travellers"]:
        print(travellers(sys.argv[2]))
    elif sys.argv[1:2] == ["pg-cpu"]:
        print(pg_cpu())
    else:
        sys.exit(__doc__)
