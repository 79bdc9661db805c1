"""What every test starts from: no web app opened by a bot the test starts, unless it asks.

`baocao run` serves the web app on 127.0.0.1:8080 by default; a test that starts a runtime for
its chat platforms must not take that port (nor fail on it when something else holds it).
"""

from __future__ import annotations

import os

os.environ.setdefault("BAOCAO_WEB", "false")
