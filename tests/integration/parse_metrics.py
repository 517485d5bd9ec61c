#!/usr/bin/env python3
"""Reads a Prometheus text exposition (version 0.0.4) from the file named by argv[1] with
Prometheus's own parser (python3-prometheus-client) and prints its samples as one JSON object:
{"name{label=value,...}": value}, labels sorted. Exits 1 with the parser's message when the text
does not parse."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

try:
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    samples = {}
    types = {}
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        for s in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
            samples[f"{s.name}{{{labels}}}"] = s.value
    print(json.dumps({"samples": samples, "types": types}))
except Exception as e:  # the parser raises ValueError and others on bad text
    print(f"not a valid exposition: {e}", file=sys.stderr)
    sys.exit(1)
