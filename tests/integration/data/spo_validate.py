# SPDX-License-Identifier: Apache-2.0
"""Validates Kubernetes SeccompProfile objects (security-profiles-operator).

usage: spo_validate.py [--spec-json OUT] FILE

FILE is YAML (`tinyjail compile --spo`).  It must be one object of kind
SeccompProfile, apiVersion security-profiles-operator.x-k8s.io/v1beta1,
whose metadata.name is a DNS subdomain and whose spec satisfies the
operator's CRD (deploy/base-crds/crds/seccompprofile.yaml, v1beta1): the
enums of actions, architectures, flags and operators, integer values
within int64, at most 6 arguments, errnoRet an integer, and no key the CRD
does not define (the API server would prune it).  --spec-json writes the
spec as JSON, which tinyjail loads as a seccomp profile, for round trips.
Prints "ok FILE" or "invalid FILE: where: why" and exits 1.
"""
import json
import re
import sys

import jsonschema
import yaml

ACTIONS = ["SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
           "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW", "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY"]
ARCHES = ["SCMP_ARCH_NATIVE", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM",
          "SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
          "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
          "SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
          "SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64"]
FLAGS = ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
         "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"]
OPS = ["SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
       "SCMP_CMP_MASKED_EQ"]
INT64 = {"type": "integer", "minimum": 0, "maximum": 2**63 - 1}

SPEC = {
    "type": "object",
    "additionalProperties": False,
    "required": ["defaultAction"],
    "properties": {
        "defaultAction": {"enum": ACTIONS},
        "architectures": {"type": "array", "items": {"enum": ARCHES}},
        "flags": {"type": "array", "items": {"enum": FLAGS}},
        "listenerPath": {"type": "string"},
        "listenerMetadata": {"type": "string"},
        "baseProfileName": {"type": "string"},
        "syscalls": {"type": "array", "items": {
            "type": "object",
            "additionalProperties": False,
            "required": ["action", "names"],
            "properties": {
                "action": {"enum": ACTIONS},
                "errnoRet": INT64,
                "names": {"type": "array", "items": {"type": "string"}},
                "args": {"type": "array", "maxItems": 6, "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["index", "op"],
                    "properties": {"index": INT64, "value": INT64, "valueTwo": INT64, "op": {"enum": OPS}},
                }},
            },
        }},
    },
}

DNS = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def main():
    args = sys.argv[1:]
    spec_out = None
    if args and args[0] == "--spec-json":
        spec_out, args = args[1], args[2:]
    path = args[0]
    with open(path) as f:
        docs = list(yaml.safe_load_all(f))
    if len(docs) != 1 or not isinstance(docs[0], dict):
        print("invalid %s: expected one YAML object" % path)
        return 1
    obj = docs[0]
    problems = []
    if obj.get("apiVersion") != "security-profiles-operator.x-k8s.io/v1beta1":
        problems.append("apiVersion: %r" % obj.get("apiVersion"))
    if obj.get("kind") != "SeccompProfile":
        problems.append("kind: %r" % obj.get("kind"))
    name = (obj.get("metadata") or {}).get("name", "")
    if not isinstance(name, str) or not DNS.match(name) or len(name) > 253:
        problems.append("metadata.name: %r is not a DNS subdomain" % name)
    if set(obj) - {"apiVersion", "kind", "metadata", "spec"}:
        problems.append("unexpected keys %s" % sorted(set(obj) - {"apiVersion", "kind", "metadata", "spec"}))
    errors = sorted(jsonschema.Draft7Validator(SPEC).iter_errors(obj.get("spec")), key=lambda e: list(e.path))
    for e in errors[:1]:
        problems.append("spec/%s: %s" % ("/".join(str(p) for p in e.path), e.message))
    if problems:
        print("invalid %s: %s" % (path, problems[0]))
        return 1
    if spec_out:
        with open(spec_out, "w") as f:
            json.dump(obj["spec"], f, indent=1)
    print("ok", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
