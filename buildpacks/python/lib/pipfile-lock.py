"""Prints the packages Pipfile.lock pins ("default" section) as requirements.txt lines."""
import json
import sys

with open(sys.argv[1], encoding="utf-8") as handle:
    lock = json.load(handle)
for name, spec in sorted((lock.get("default") or {}).items()):
    if isinstance(spec, dict) and isinstance(spec.get("version"), str):
        print(f"{name}{spec['version']}")
    elif isinstance(spec, dict) and isinstance(spec.get("path"), str):
        print(spec["path"])
    else:
        print(name)
