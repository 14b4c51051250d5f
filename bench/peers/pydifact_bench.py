"""Times pydifact parsing a file of synthetic PAXLST traffic (made by gen-paxlst).

Usage: pydifact_bench.py FILE [--repeat N] [--no-validate]

pydifact reads one interchange per call and refuses a second UNA in the same input
("There are not multiple UNA segments allowed"), so the file is cut into interchanges
before the clock starts (at every line that begins with UNA), and each is parsed with
`Interchange.from_str`. Every data element and component of every segment is then
visited, as the Rust benchmarks do. Throughput is in MB/s with MB = 10**6 bytes.

By default pydifact is used as it comes: its segment factory tries to validate every segment
against a directory file it does not ship for these segments (and warns). `--no-validate`
also times it with that per-segment validation switched off.
"""

import argparse
import re
import statistics
import sys
import time
import warnings

from pydifact.parser import Parser
from pydifact.segmentcollection import Interchange
from pydifact.segments import SegmentFactory


class NoValidationFactory(SegmentFactory):
    """pydifact's factory with its per-segment validation switched off."""

    @staticmethod
    def create_segment(name, *elements, validate=True, version="4", directory=""):
        return SegmentFactory.create_segment(
            name, *elements, validate=False, version=version, directory=directory
        )


def cut_interchanges(text: str) -> list[str]:
    """The interchanges of `text`, each starting with its UNA."""
    return [part for part in re.split(r"(?<=\n)(?=UNA)", text) if part]


def parse_all(interchanges: list[str], validate: bool) -> tuple[int, int, int, int]:
    """Parses every interchange and visits everything; returns
    (segments, elements, components, component characters)."""
    segments = elements = components = chars = 0
    for text in interchanges:
        parser = None if validate else Parser(factory=NoValidationFactory())
        x = Interchange.from_str(text, parser=parser)
        # UNA, UNB and UNZ are read into the Interchange itself, not kept as segments.
        segments += len(x.segments) + 2
        for segment in x.segments:
            for element in segment.elements:
                elements += 1
                if isinstance(element, list):
                    for component in element:
                        components += 1
                        chars += len(component)
                else:
                    components += 1
                    chars += len(element)
    return segments, elements, components, chars


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--no-validate", action="store_true")
    args = ap.parse_args()

    warnings.simplefilter("ignore")
    with open(args.file, "rb") as f:
        raw = f.read()
    text = raw.decode("ascii")
    interchanges = cut_interchanges(text)
    assert "".join(interchanges) == text
    # One segment per line: every line but the UNAs must come back as a segment.
    expected = sum(1 for line in text.splitlines() if line and not line.startswith("UNA"))
    size = len(raw)
    print(
        f"pydifact: {args.file}: {size} bytes, {len(interchanges)} interchanges, "
        f"{expected} segments besides UNA"
    )

    modes = [True] + ([False] if args.no_validate else [])
    for validate in modes:
        label = "default (per-segment validation on)" if validate else "validation off"
        rates = []
        for run in range(1, args.repeat + 1):
            start = time.perf_counter()
            counts = parse_all(interchanges, validate)
            elapsed = time.perf_counter() - start
            if counts[0] != expected:
                print(f"pydifact parsed {counts[0]} segments, expected {expected}", file=sys.stderr)
                return 1
            rate = size / elapsed / 1e6
            rates.append(rate)
            print(
                f"  {label}: run {run}: {elapsed:.3f} s, {rate:.3f} MB/s "
                f"(segments {counts[0]}, elements {counts[1]}, components {counts[2]})"
            )
        print(
            f"  {label}: median {statistics.median(rates):.3f} MB/s, "
            f"best {max(rates):.3f} MB/s over {len(rates)} runs"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
