"""Service settings, from the environment (prefix GEOPORTAL_) and the `.env` setup writes."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from zoning.crs import MOROCCAN_LAMBERT
from zoning.roles import PUBLIC_ROLE

#: the languages the documents can be printed in (geoportal.i18n.LANGUAGES)
DOCUMENT_LANGUAGES = ("fr", "ar")


class Settings(BaseSettings):
    """Everything the service needs from its environment; built explicitly and passed down."""

    model_config = SettingsConfigDict(env_prefix="GEOPORTAL_", env_file=".env", extra="ignore")

    database_url: str = Field(
        "postgresql+psycopg:///geoportal",
        description="SQLAlchemy URL of the PostGIS database (written to .env by `make setup`)",
    )
    public_database_url: str | None = Field(
        None,
        description="URL of the public reads (map, open data, OGC API and tiles, indicators, "
        "tracking pages), as the read-only role `geoportal_public`; by default the primary's "
        "URL with that user and no password",
    )
    direct_database_url: str | None = Field(
        None,
        description="the primary reached directly, for what a transaction pooler cannot carry: "
        "LISTEN (the live feed), migrations, and the OGC/tile pool's session functions. Set it "
        "when GEOPORTAL_DATABASE_URL goes through PgBouncer in transaction mode: the service's "
        "queries then use no prepared statements and no startup options (docs/scale.md)",
    )
    read_database_url: str | None = Field(
        None,
        description="streaming replicas for the reads that tolerate a little lag (map, open "
        "data, tiles, indicators, plan listings), comma-separated; unset: all on the primary",
    )
    max_replica_lag_s: float = Field(
        5.0, gt=0, description="a replica further behind the primary than this serves no read"
    )
    cache_max_age_s: int = Field(
        5,
        ge=0,
        description="Cache-Control max-age of open data, tiles and plan zones (then revalidated "
        "by ETag)",
    )
    public_statement_timeout_ms: int = Field(
        5_000, ge=100, description="statement_timeout of the public reads (a few seconds)"
    )
    storage_srid: int = Field(
        26191, description="the one SRID geometries are stored in (a Moroccan Lambert zone)"
    )
    public_url: str = Field(
        "",
        description="base URL printed in the NRU's QR code; by default the serving host and "
        "port, http://HOST:PORT (127.0.0.1 when serving on every interface)",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    token_hours: int = Field(12, description="lifetime of a token obtained by logging in")
    nru_rate_limit: str = Field(
        "30/minute", description="NRUs a client (account, else address) may ask for (limits)"
    )
    login_rate_limit: str = Field(
        "10/minute", description="logins and account creations per address (brute force)"
    )
    rate_limit_storage: str = Field(
        "memory://",
        description="where the rate limits count (a `limits` storage URI, used asynchronously: "
        "memory://, or redis://… shared when several processes serve)",
    )
    signing_cert: Path | None = Field(
        None, description="the agency's certificate (PEM): NRU PDFs are signed (PAdES) with it"
    )
    signing_key: Path | None = Field(None, description="its private key (PEM)")
    signing_key_passphrase: SecretStr | None = Field(None, description="the key's passphrase")
    signatory_name: str | None = Field(
        None, description="who signs the NRU letter (Annexe 1 « Signature et cachet »)"
    )
    signatory_title: str | None = Field(
        None, description="their title, e.g. « Le Directeur de l'Agence Urbaine »"
    )
    nru_attachment_max_kb: int = Field(
        2048, gt=0, description="largest file attached to an NRU request (each), in kB"
    )
    data_dir: Path = Field(Path("data"), description="where the demo commune lives")
    raster_dir: Path = Field(
        Path("var/rasters"),
        description="where the scanned plans (GeoTIFF) uploaded with a plan import are kept",
    )
    max_upload_mb: int = Field(10, description="largest request body accepted, in MB")
    piece_max_mb: int = Field(8, description="largest piece of a dossier, in MB (RGC art. 37)")
    scan_max_pixels: int = Field(
        60_000_000,
        gt=0,
        description="largest scanned page read (pixels, from the image's header, before decoding)",
    )
    scan_max_pages: int = Field(20, gt=0, description="most pages of a scanned PDF or TIFF read")
    db_pool_size: int = Field(
        10,
        ge=1,
        description="requests a process serves at once against the database (its pool keeps "
        "this many connections, and as many more at peaks)",
    )
    statement_timeout_ms: int = Field(
        60_000, description="PostgreSQL statement_timeout of the service's queries"
    )
    # A total bound, not an idle one: a client trickling a byte just under an idle timeout
    # would keep its body open for ever. 30 s carries the largest body (10 MB) at 2.8 Mbit/s;
    # the usual ones (coordinates, a règlement, a project) are a few kB.
    body_timeout_s: float = Field(
        30, gt=0, description="seconds a request body may take to arrive whole (else 408)"
    )
    uploads_per_client: int = Field(
        8,
        ge=1,
        description="slow request bodies (still arriving after 1 s) one client address may send "
        "at once (else 429)",
    )
    document_languages: str = Field(
        "fr,ar",
        description="languages of the agency's documents, in print order, comma-separated: "
        "fr (the Annexe 1 letter, always printed) and ar (the Arabic part, issue 16)",
    )
    calendar_overrides: Path | None = Field(
        Path("data/jours_feries.yaml"),
        description="the agency's table of public holidays as observed (checks.calendar)",
    )

    @model_validator(mode="after")
    def _served_public_url(self) -> Settings:
        """No GEOPORTAL_PUBLIC_URL: the URL this service is served at (its host and port)."""
        if not self.public_url:
            self.public_url = served_url(self.host, self.port)
        self.public_url = self.public_url.rstrip("/")
        return self

    def public_database(self) -> str:
        """The public reads' URL: the setting, else the primary's with the public role (the
        direct one: tipg's pool keeps session functions, which no transaction pooler carries)."""
        if self.public_database_url:
            return self.public_database_url
        url = make_url(self.direct_database()).set(username=PUBLIC_ROLE, password=None)
        return url.render_as_string(hide_password=False)

    def direct_database(self) -> str:
        """The primary without a pooler between: the direct URL, else the service's."""
        return self.direct_database_url or self.database_url

    def pooled(self) -> bool:
        """Whether the service's URL goes through a transaction pooler (a direct one is set)."""
        return bool(self.direct_database_url)

    def read_replicas(self) -> list[str]:
        """The replicas' URLs for the public reads: each with the public role and its password."""
        public = make_url(self.public_database())
        urls = [u.strip() for u in (self.read_database_url or "").split(",") if u.strip()]
        return [
            make_url(u)
            .set(username=public.username, password=public.password)
            .render_as_string(hide_password=False)
            for u in urls
        ]

    def public_role(self) -> str:
        """The database role of the public reads (the user of their URL)."""
        return make_url(self.public_database()).username or PUBLIC_ROLE

    def languages(self) -> tuple[str, ...]:
        """GEOPORTAL_DOCUMENT_LANGUAGES as a tuple, French added last when it was left out:
        the Annexe 1 letter is the note's text (décret 2-18-577), the Arabic goes beside it."""
        chosen = tuple(dict.fromkeys(p.strip().lower() for p in self.document_languages.split(",")))
        chosen = tuple(p for p in chosen if p)
        return chosen if "fr" in chosen else (*chosen, "fr")

    def check(self) -> Settings:
        """Refuse a storage SRID that is not a Moroccan Lambert zone, an unknown language."""
        if self.storage_srid not in MOROCCAN_LAMBERT:
            known = ", ".join(str(s) for s in MOROCCAN_LAMBERT)
            raise ValueError(f"GEOPORTAL_STORAGE_SRID={self.storage_srid} is not one of {known}")
        unknown = [lang for lang in self.languages() if lang not in DOCUMENT_LANGUAGES]
        if unknown:
            raise ValueError(
                f"GEOPORTAL_DOCUMENT_LANGUAGES={self.document_languages!r}: unknown "
                f"{', '.join(unknown)} (known: {', '.join(DOCUMENT_LANGUAGES)})"
            )
        return self


#: addresses that mean "every interface": a browser cannot open them, the machine itself can
WILDCARD_HOSTS = {"0.0.0.0", "::", ""}


def served_url(host: str, port: int) -> str:
    """http://host:port, as a browser on this machine reaches a server bound to `host`."""
    host = "127.0.0.1" if host in WILDCARD_HOSTS else host
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return f"http://{host}:{port}"
