#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Validates tinyjail --log files against notes/events.schema.json.

usage: validate_events.py SCHEMA LOG...   exit 0 when every line of every LOG
is a JSON object the schema accepts; otherwise prints each bad line and why.
"""
import json
import sys

import jsonschema


def main():
    schema = json.load(open(sys.argv[1]))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    bad = 0
    lines = 0
    for path in sys.argv[2:]:
        with open(path) as f:
            for n, line in enumerate(f, 1):
                lines += 1
                try:
                    event = json.loads(line)
                except ValueError as e:
                    print("%s:%d: not JSON: %s" % (path, n, e))
                    bad += 1
                    continue
                errors = sorted(validator.iter_errors(event), key=lambda e: list(e.path))
                for e in errors:
                    print("%s:%d: %s: %s" % (path, n, "/".join(str(p) for p in e.path) or "(event)", e.message))
                bad += bool(errors)
    if lines == 0:
        print("no events to validate")
        return 1
    print("%d events, %d invalid" % (lines, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
