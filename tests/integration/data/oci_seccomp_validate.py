# SPDX-License-Identifier: Apache-2.0
"""Validates seccomp objects against the OCI runtime-spec JSON schema.

usage: oci_seccomp_validate.py [--allow-comment] SCHEMA_DIR FILE...

Each file must be an object valid under config-linux.json's linux.seccomp
schema, with its $refs (defs-linux.json, defs.json) resolved from SCHEMA_DIR.
The spec's schema lets unknown keys through; an export that claims to be
plain OCI must not carry dialect keys (comment, includes, archMap, ...), so
the object, its rules and their arguments are also closed to keys the spec
does not define.  --allow-comment lets a string "comment" through at the top
and in rules (Docker's key, which the spec's open schema accepts): the
profiles tinyjail learn writes keep their provenance there.  Prints "ok FILE" for each valid file; exits 1 at the first
invalid one, naming the offending place.
"""
import copy
import json
import os
import sys

import jsonschema


def closed(schema):
    s = copy.deepcopy(schema)
    s["additionalProperties"] = False
    return s


def load_schema(schema_dir, allow_comment=False):
    config_linux = os.path.join(schema_dir, "config-linux.json")
    with open(config_linux) as f:
        base = json.load(f)
    with open(os.path.join(schema_dir, "defs-linux.json")) as f:
        defs = json.load(f)["definitions"]
    seccomp = closed(base["linux"]["properties"]["seccomp"])
    rule = closed(defs["Syscall"])
    arg = closed(defs["SyscallArg"])
    # The copies leave defs-linux.json, so their local "#/definitions/..."
    # references must name that file.
    for props in (rule["properties"], arg["properties"]):
        for name, sub in props.items():
            ref = sub.get("$ref", "")
            if ref.startswith("#/"):
                props[name] = {"$ref": "defs-linux.json" + ref}
    rule["properties"]["args"]["items"] = arg
    if allow_comment:
        seccomp["properties"]["comment"] = {"type": "string"}
        rule["properties"]["comment"] = {"type": "string"}
    seccomp["properties"]["syscalls"]["items"] = rule
    resolver = jsonschema.RefResolver(base_uri="file://" + config_linux, referrer=base)
    return jsonschema.Draft4Validator(seccomp, resolver=resolver)


def main():
    args = sys.argv[1:]
    allow_comment = bool(args) and args[0] == "--allow-comment"
    if allow_comment:
        args = args[1:]
    validator = load_schema(os.path.abspath(args[0]), allow_comment)
    for path in args[1:]:
        with open(path) as f:
            obj = json.load(f)
        errors = sorted(validator.iter_errors(obj), key=lambda e: list(e.absolute_path))
        if errors:
            e = errors[0]
            where = "/".join(str(p) for p in e.absolute_path) or "(top)"
            print("invalid %s: at %s: %s" % (path, where, e.message))
            return 1
        print("ok", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
