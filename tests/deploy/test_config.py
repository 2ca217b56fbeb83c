"""What `make deploy-check` validates of the shipped deployment files: nginx accepts its site
file, systemd accepts every unit, and the environment template names only real settings."""

import re
import shutil
import subprocess
from pathlib import Path

from petition import config
from tests.conftest import service_missing
from tests.helpers.nginx import check

ROOT = Path(__file__).resolve().parents[2]
SYSTEMD = ROOT / "deploy" / "systemd"
ENVIRONMENT = ROOT / "deploy" / "petition.env.example"


def test_nginx_accepts_the_shipped_site_file(tmp_path: Path) -> None:
    result = check(tmp_path)
    assert result.returncode == 0 and "test is successful" in result.stderr, result.stderr


def test_systemd_accepts_every_shipped_unit_without_a_warning(tmp_path: Path) -> None:
    program = shutil.which("systemd-analyze")
    if program is None:
        service_missing("systemd-analyze (Debian: systemd)")
    assert program is not None
    units = sorted(SYSTEMD.iterdir())
    assert {unit.suffix for unit in units} == {".service", ".timer"}
    for unit in units:  # the checkout stands in for /srv/petition, so the programs exist
        (tmp_path / unit.name).write_text(unit.read_text().replace("/srv/petition", str(ROOT)))
    for timer in SYSTEMD.glob("*.timer"):
        assert (SYSTEMD / f"{timer.stem}.service").exists(), f"{timer.name} starts no service"
    result = subprocess.run(
        [program, "verify", *(str(tmp_path / unit.name) for unit in units)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stderr.strip() == "", result.stderr


def test_the_environment_template_names_only_settings_that_exist() -> None:
    names = re.findall(r"^#?(FLASK_[A-Z_]+|WEB_CONCURRENCY)=", ENVIRONMENT.read_text(), re.M)
    assert "FLASK_SECRET_KEY" in names and "FLASK_CLIENT_HASH_KEY" in names
    for name in names:
        if name.startswith("FLASK_"):
            assert hasattr(config, name.removeprefix("FLASK_")), f"{name} is no setting"
