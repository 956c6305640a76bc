"""Print this process's environment as one JSON line: run under `lake env` to learn the
environment lake gives a program (see `server.lake_environment`)."""

import json
import os

print(json.dumps(dict(os.environ)))
