"""The nginx server block in docs/deploy.md is one nginx accepts, checked with `nginx -t`
where nginx is installed (the certificate paths pointed at a throwaway certificate)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"


def test_the_nginx_configuration_in_the_deployment_guide_passes_nginx_t(tmp_path: Path) -> None:
    nginx, openssl = shutil.which("nginx") or "/usr/sbin/nginx", shutil.which("openssl")
    if not Path(nginx).exists() or openssl is None:
        pytest.skip("nginx or openssl is not installed here: the guide's block is not checked")
    (block,) = re.findall(r"```nginx\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    making = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=t"]
    subprocess.run(
        [openssl, *making, "-keyout", str(key), "-out", str(certificate)],
        check=True,
        capture_output=True,
    )
    block = re.sub(r"(ssl_certificate\s+)\S+;", rf"\g<1>{certificate};", block)
    block = re.sub(r"(ssl_certificate_key\s+)\S+;", rf"\g<1>{key};", block)
    (tmp_path / "site.conf").write_text(block, encoding="utf-8")
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n    include {tmp_path}/site.conf;\n}}\n",
        encoding="utf-8",
    )
    checked = subprocess.run(
        [nginx, "-t", "-c", str(tmp_path / "nginx.conf")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
