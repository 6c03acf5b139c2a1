"""Find or provide PostgreSQL + PostGIS and write the URL settled on to `.env`.

Tried in order, the first that works wins, and it says which (issue #2):
1. GEOPORTAL_DATABASE_URL already set (environment or .env) and reachable;
2. the local PostgreSQL server (installing postgresql-NN-postgis-3 with apt-get when root);
3. a private cluster under var/pgdata, started with the system's PostgreSQL binaries;
4. `docker compose up -d db`;
5. otherwise stop, and say exactly what to install.
Run as `python -m geoportal.setup.provision` (what `make setup` does).
"""

from __future__ import annotations

import getpass
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from geoportal.setup.certificates import DEMO_AGENCY, DEMO_UNIT, write_self_signed

DATABASE = "geoportal"
PRIVATE_PORT = 54329
ENV_FILE = Path(".env")
DEMO_CERT = Path("var/signing/agence-demo-cert.pem")
DEMO_KEY = Path("var/signing/agence-demo-key.pem")


class ProvisionError(RuntimeError):
    """No PostGIS could be found or provided."""


def say(message: str) -> None:
    """Print a setup message (stderr keeps stdout clean for scripts)."""
    print(f"[setup] {message}", file=sys.stderr, flush=True)


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL (postgresql+psycopg://...) as a libpq URL psycopg understands."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def sqlalchemy_url(user: str, host: str, port: int, database: str, password: str = "") -> str:
    """Build the SQLAlchemy URL written to .env."""
    secret = f":{password}" if password else ""
    return f"postgresql+psycopg://{user}{secret}@{host}:{port}/{database}"


def can_connect(url: str, timeout: int = 3) -> bool:
    """Whether a server answers at this URL."""
    try:
        with psycopg.connect(libpq_url(url), connect_timeout=timeout):
            return True
    except psycopg.Error:
        return False


def ensure_postgis(url: str) -> str:
    """Create the database if needed and the postgis extension in it; return the PostGIS version."""
    target = make_url(url)
    admin = target.set(database="postgres")
    with psycopg.connect(libpq_url(admin.render_as_string(False)), autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (target.database,)
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{target.database}"')
            say(f"created database {target.database}")
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        row = conn.execute("SELECT postgis_full_version()").fetchone()
    return str(row[0]).split('"')[1] if row else "?"


def postgis_available(url: str) -> bool:
    """Whether the server at `url` can create the postgis extension."""
    admin = make_url(url).set(database="postgres").render_as_string(False)
    with psycopg.connect(libpq_url(admin)) as conn:
        row = conn.execute(
            "SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'"
        ).fetchone()
    return row is not None


def server_major(url: str) -> int:
    """Major version of the server at `url`."""
    admin = make_url(url).set(database="postgres").render_as_string(False)
    with psycopg.connect(libpq_url(admin)) as conn:
        return int(conn.info.server_version) // 10000


def apt_install_postgis(major: int) -> bool:
    """Install Debian's postgresql-NN-postgis-3 when root with apt-get; True when it worked."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return False
    package = f"postgresql-{major}-postgis-3"
    say(f"installing {package} with apt-get (about 20 s)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", package]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True)
        if subprocess.run(install, env=env, capture_output=True).returncode != 0:
            return False
    return True


def from_environment() -> str | None:
    """Path 1: a GEOPORTAL_DATABASE_URL already set and reachable."""
    url = os.environ.get("GEOPORTAL_DATABASE_URL") or read_env_file().get("GEOPORTAL_DATABASE_URL")
    if url and can_connect(url):
        say(f"using GEOPORTAL_DATABASE_URL already set: {make_url(url)!r}")
        return url
    if url:
        say(f"GEOPORTAL_DATABASE_URL is set but not reachable ({make_url(url)!r}); looking further")
    return None


def from_local_server() -> str | None:
    """Path 2: the PostgreSQL server on 127.0.0.1:5432 (trust or peer auth for this user)."""
    for user in dict.fromkeys([getpass.getuser(), "postgres"]):
        url = sqlalchemy_url(user, "127.0.0.1", 5432, DATABASE)
        if can_connect(make_url(url).set(database="postgres").render_as_string(False)):
            if not postgis_available(url) and not apt_install_postgis(server_major(url)):
                say("local server at 127.0.0.1:5432 has no PostGIS and it cannot be installed")
                return None
            say(f"using the local PostgreSQL server at 127.0.0.1:5432 as {user}")
            return url
    return None


def postgres_bindir() -> Path | None:
    """The directory of the system's initdb/pg_ctl, newest version first."""
    pg_config = shutil.which("pg_config")
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout
        candidates.insert(0, Path(out.strip()))
    return next((d for d in candidates if (d / "initdb").exists()), None)


def from_private_cluster(root: Path) -> str | None:
    """Path 3: a cluster under var/pgdata, started with the system's binaries."""
    bindir = postgres_bindir()
    if bindir is None:
        return None
    url = sqlalchemy_url("geoportal", "127.0.0.1", PRIVATE_PORT, DATABASE)
    if not can_connect(make_url(url).set(database="postgres").render_as_string(False)):
        start_private_cluster(bindir, root / "var")
    if not postgis_available(url):
        major = int(bindir.parent.name) if bindir.parent.name.isdigit() else 0
        if not (major and apt_install_postgis(major)):
            return None
    say(f"using a private cluster under var/pgdata on port {PRIVATE_PORT} ({bindir})")
    return url


def start_private_cluster(bindir: Path, var: Path, port: int = PRIVATE_PORT) -> None:
    """initdb (once) and start a cluster under `var` listening on 127.0.0.1:`port` only."""
    data, sockets = var / "pgdata", var / "run"
    sockets.mkdir(parents=True, exist_ok=True)
    as_user = _unprivileged_prefix(var)
    if not (data / "PG_VERSION").exists():
        say(f"initialising a private cluster in {data}")
        run([*as_user, str(bindir / "initdb"), "-D", str(data), "-U", "geoportal", "-A", "trust"])
    options = f"-p {port} -k {sockets.resolve()} -c listen_addresses=127.0.0.1"
    log = var / "postgresql.log"
    run(
        [
            *as_user,
            str(bindir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(log),
            "-w",
            "start",
        ]
    )


def stop_private_cluster(bindir: Path, var: Path) -> None:
    """Stop the cluster under `var` in fast mode: sessions are cut, as in a server restart."""
    pg_ctl = [str(bindir / "pg_ctl"), "-D", str(var / "pgdata")]
    run([*_unprivileged_prefix(var), *pg_ctl, "-m", "fast", "-w", "stop"])


def _unprivileged_prefix(var: Path) -> list[str]:
    """initdb refuses root: run the cluster as the `postgres` user when we are root."""
    if os.geteuid() != 0:
        return []
    if not shutil.which("runuser"):
        raise ProvisionError("running as root without runuser: cannot start a private cluster")
    shutil.chown(var, "postgres")
    for path in var.rglob("*"):
        shutil.chown(path, "postgres")
    return ["runuser", "-u", "postgres", "--"]


def from_docker(root: Path) -> str | None:
    """Path 4: `docker compose up -d db` when a Docker engine answers."""
    docker = shutil.which("docker")
    if not docker or subprocess.run([docker, "info"], capture_output=True).returncode != 0:
        return None
    password = read_env_file().get("GEOPORTAL_DB_PASSWORD") or secrets.token_urlsafe(18)
    write_env_file({"GEOPORTAL_DB_PASSWORD": password})
    say("starting PostGIS with `docker compose up -d --wait db`")
    run([docker, "compose", "up", "-d", "--wait", "db"], cwd=root)
    url = sqlalchemy_url("geoportal", "127.0.0.1", 5432, DATABASE, password)
    wait_for(lambda: can_connect(url), "the db container")
    say("using PostGIS in the docker compose service `db` on 127.0.0.1:5432")
    return url


def run(command: list[str], cwd: Path | None = None) -> None:
    """Run a command, failing with its output."""
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise ProvisionError(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")


def wait_for(ready: Callable[[], bool], what: str, seconds: float = 60) -> None:
    """Poll until `ready()` or fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise ProvisionError(f"{what} did not answer within {seconds:.0f} s")
        time.sleep(0.5)


def read_env_file(path: Path = ENV_FILE) -> dict[str, str]:
    """KEY=VALUE lines of .env (comments and blanks ignored)."""
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {k.strip(): v.strip() for k, v in pairs if not k.lstrip().startswith("#")}


def write_env_file(values: dict[str, str], path: Path = ENV_FILE) -> None:
    """Set keys in .env, keeping the other lines."""
    current = read_env_file(path)
    current.update(values)
    lines = ["# written by `make setup` (geoportal.setup.provision); edit freely"]
    lines += [f"{k}={v}" for k, v in current.items()]
    path.write_text("\n".join(lines) + "\n")


def demo_signing_certificate(root: Path = Path("."), env_file: Path = ENV_FILE) -> None:
    """Without an agency certificate configured, a self-signed one for the demo (made once)."""
    cert, key = root / DEMO_CERT, root / DEMO_KEY
    configured = os.environ.get("GEOPORTAL_SIGNING_CERT") or read_env_file(env_file).get(
        "GEOPORTAL_SIGNING_CERT"
    )
    # the agency's own certificate is never replaced; the demo one is remade if var/ was cleaned
    if configured and Path(configured) != cert:
        say(f"NRU PDFs signed with GEOPORTAL_SIGNING_CERT already set: {configured}")
        return
    if cert.exists() and key.exists():
        say(f"NRU PDFs signed with the self-signed demo certificate {cert}")
    else:
        write_self_signed(cert, key, DEMO_AGENCY, organization=DEMO_AGENCY, unit=DEMO_UNIT)
        say(
            f"self-signed demo certificate generated: {cert} (replace with the agency's "
            "certificate for production: GEOPORTAL_SIGNING_CERT, GEOPORTAL_SIGNING_KEY)"
        )
    write_env_file(
        {"GEOPORTAL_SIGNING_CERT": str(cert), "GEOPORTAL_SIGNING_KEY": str(key)}, env_file
    )


def ensure_public_reader(url: str) -> str:
    """The public reads' role (zoning.roles) created on the database settled on; its name."""
    from sqlalchemy import create_engine

    from geoportal.settings import Settings
    from zoning.roles import ensure_public_role

    settings = Settings(database_url=url)
    password = make_url(settings.public_database()).password
    engine = create_engine(url)
    with engine.begin() as conn:
        ensure_public_role(conn, settings.public_role(), str(password) if password else None)
    engine.dispose()
    return settings.public_role()


NOTHING_FOUND = """No PostgreSQL + PostGIS could be found or started. Do one of:
  - set GEOPORTAL_DATABASE_URL=postgresql+psycopg://USER:PASSWORD@HOST:PORT/DB (PostGIS 3);
  - install PostgreSQL 15+ and PostGIS 3
    (Debian/Ubuntu: apt-get install postgresql postgresql-15-postgis-3);
  - install Docker and run `docker compose up -d db`.
Then run `make setup` again."""


def provision(root: Path = Path(".")) -> str:
    """Settle on a PostGIS database, make sure the extension exists, write .env; return the URL."""
    url = from_environment() or from_local_server() or from_private_cluster(root)
    url = url or from_docker(root)
    if url is None:
        raise ProvisionError(NOTHING_FOUND)
    version = ensure_postgis(url)
    write_env_file({"GEOPORTAL_DATABASE_URL": url})
    say(f"PostGIS {version} ready; GEOPORTAL_DATABASE_URL written to {ENV_FILE}")
    say(f"public reads as the read-only role {ensure_public_reader(url)}")
    demo_signing_certificate(root)
    return url


def main() -> None:
    """Entry point of `python -m geoportal.setup.provision`."""
    try:
        provision()
    except ProvisionError as exc:
        say(str(exc))
        sys.exit(1)


if __name__ == "__main__":
    main()
