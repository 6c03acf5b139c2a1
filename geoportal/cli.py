"""The `geoportal` command line (Typer + Rich): a thin adapter over geoportal/ and zoning/."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from sqlalchemy.exc import DBAPIError
from typer.core import TyperGroup

from geoportal.accounts import AccountRole
from geoportal.db import database_refusal
from geoportal.settings import Settings
from zoning import wording
from zoning.package.report import Finding
from zoning.refusal import Refused


class _Refusing(TyperGroup):
    """The command line's one handler of refusals: one French line (or one per problem), exit
    1, never a traceback; a database not reachable or not migrated says what to run."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Refused as exc:
            _print_refusal(exc)
            raise typer.Exit(1) from exc
        except DBAPIError as exc:
            said = database_refusal(exc)
            if said is None:
                raise
            _print_refusal(said)
            raise typer.Exit(1) from exc


app = typer.Typer(
    help="Géoportail urbanisme Maroc: plans, NRU, conformité.", no_args_is_help=True, cls=_Refusing
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
plan_app = typer.Typer(help="Plans d'aménagement.", no_args_is_help=True)
user_app = typer.Typer(help="Accounts: agents, admins, petitioners.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(plan_app, name="plan")
app.add_typer(user_app, name="user")
console = Console(stderr=True)
KEEP_ALIVE_S = 75


def _settings() -> Settings:
    try:
        return Settings().check()
    except ValueError as exc:
        console.print(f"[red]configuration error:[/] {exc}")
        raise typer.Exit(2) from exc


def _engine(settings: Settings):  # type: ignore[no-untyped-def]
    from sqlalchemy.exc import OperationalError

    from geoportal.db import make_engine

    engine = make_engine(settings)
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        raise database_refusal(exc) or exc from None
    return engine


def _print_refusal(exc: Refused) -> None:
    """A refusal on stderr: its sentence, then each problem with its line or point."""
    from zoning.intake import ParcelInputError

    if isinstance(exc, ParcelInputError):
        for diagnostic in exc.diagnostics:
            where = f"ligne {diagnostic.line} : " if diagnostic.line else ""
            console.print(f"[red]•[/] {escape(where + diagnostic.message)}", highlight=False)
        return
    console.print(f"[red]refusé :[/] {escape(str(exc))}", highlight=False, soft_wrap=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the Alembic migrations (storage SRID from GEOPORTAL_STORAGE_SRID)."""
    from geoportal.db import migrate

    settings = _settings()
    migrate(_engine(settings), settings)
    console.print(f"schema up to date (storage SRID EPSG:{settings.storage_srid})")


@plan_app.command("import")
def plan_import(
    path: Annotated[Path, typer.Argument(help="a .gpkg, a .dxf, a folder or a .zip")],
    rules: Annotated[Path, typer.Option("--rules", help="the plan's reglement.yaml")],
    repair: Annotated[bool, typer.Option(help="repair invalid geometries (make_valid)")] = False,
    srid: Annotated[int | None, typer.Option(help="SRID of layers that declare none")] = None,
    dry_run: Annotated[bool, typer.Option(help="check only, write nothing")] = False,
    raster: Annotated[
        Path | None, typer.Option(help="GeoTIFF of the plan (same SRID), for NRU map extracts")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Import (or atomically replace) a plan; print the validation report."""
    from geoportal.plans import import_plan_files
    from zoning.package.load import ImportOptions
    from zoning.package.reglement import decode_reglement
    from zoning.package.report import ImportRefused

    settings = _settings()
    options = ImportOptions(
        storage_srid=settings.storage_srid, repair=repair, srid=srid, raster=raster
    )
    engine = _engine(settings)
    try:
        with _RichProgress() as callback, engine.begin() as conn:
            report = import_plan_files(
                conn,
                path,
                decode_reglement(rules.read_bytes(), source=str(rules)),
                options,
                rules_source=str(rules),
                progress=callback,
                dry_run=dry_run,
            )
    except ImportRefused as exc:
        _print_report(exc.report.to_dict(), as_json)
        console.print(f"[red]refusé :[/] {exc.detail}")
        raise typer.Exit(1) from exc
    except OSError as exc:
        console.print(f"[red]refusé :[/] {escape(str(exc))}")
        raise typer.Exit(1) from exc
    _print_report(report.to_dict(), as_json)
    verb = "checked (dry run)" if dry_run else "imported"
    console.print(
        f"[green]{report.plan!r} {verb}[/]: "
        + ", ".join(f"{n} {layer}" for layer, n in report.counts.items())
    )
    if not as_json:
        console.print(escape(report.extract_base_message), highlight=False)


@plan_app.command("list")
def plan_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Plans with status and counts."""
    from zoning.store import list_plans

    with _engine(_settings()).connect() as conn:
        plans = list_plans(conn)
    if as_json:
        print(json.dumps(plans, ensure_ascii=False, indent=2))
        return
    table = Table(
        "plan",
        "commune",
        "status",
        "valid until",
        "zones",
        "roads",
        "servitudes",
        "reservations",
        "sectors",
        title="Plans d'aménagement",
    )
    for p in plans:
        counts = p["counts"]
        table.add_row(
            p["name"],
            p["commune"],
            p["status"],
            p["valid_until"] or "",
            *(str(counts[k]) for k in ("zones", "roads", "servitudes", "reservations", "sectors")),
        )
    Console(width=max(Console().width, 120)).print(table)


@user_app.command("add")
def user_add(
    login: Annotated[str, typer.Argument(help="the account's login, e.g. agent.temara")],
    role: Annotated[
        AccountRole,
        typer.Option(help="petitioner, agent, admin, guichet, architecte, membre or president"),
    ],
    agency: Annotated[
        str | None, typer.Option(help="the agency an agent acts for (as in plan.agency)")
    ] = None,
    commune: Annotated[
        str | None, typer.Option(help="guichet, president, membre: the commune (plan.commune)")
    ] = None,
    prefecture: Annotated[
        str | None, typer.Option(help="guichet of a comité préfectoral ou provincial")
    ] = None,
    service: Annotated[
        str | None, typer.Option(help="membre: its commission member code (checks.commission)")
    ] = None,
    password: Annotated[
        bool, typer.Option("--password", help="also set a password (asked on the terminal)")
    ] = False,
    password_stdin: Annotated[
        bool,
        typer.Option("--password-stdin", help="also set a password, read as one line of stdin"),
    ] = False,
    days: Annotated[int, typer.Option(help="validity of the printed token; 0: no end")] = 365,
) -> None:
    """Create an account and print a bearer token for scripts (stdout: the token only)."""
    from geoportal.accounts import NewAccount, create_account, issue_token

    secret = _new_password(password, password_stdin)
    settings = _settings()
    with _engine(settings).begin() as conn:
        account = NewAccount(
            login=login,
            role=role,
            agency=agency,
            password=secret,
            commune=commune,
            prefecture=prefecture,
            service=service,
        )
        user_id = create_account(conn, account)
        token = issue_token(conn, user_id, hours=days * 24 or None, label="cli")
    scope = ", ".join(x for x in (agency, commune, prefecture, service) if x)
    console.print(f"[green]✓[/] account {login!r} ({role}{f', {scope}' if scope else ''})")
    print(token)


def _new_password(asked: bool, from_stdin: bool) -> str | None:
    """The password to set: asked twice (prompts on stderr: stdout is the token alone), or
    one line of stdin for scripts; None for a token-only account."""
    if asked and from_stdin:
        console.print("[red]refused:[/] --password or --password-stdin, not both")
        raise typer.Exit(2)
    if from_stdin:
        line = sys.stdin.readline()
        return line.removesuffix("\n").removesuffix("\r")
    if asked:
        return str(typer.prompt("password", hide_input=True, confirmation_prompt=True, err=True))
    return None


@user_app.command("token")
def user_token(
    login: Annotated[str, typer.Argument(help="an existing account")],
    days: Annotated[int, typer.Option(help="validity of the token; 0: no end")] = 365,
) -> None:
    """Print a new bearer token for an account (stdout: the token only)."""
    from geoportal.accounts import account_id, issue_token

    with _engine(_settings()).begin() as conn:
        user_id = account_id(conn, login)
        print(issue_token(conn, user_id, hours=days * 24 or None, label="cli"))


@user_app.command("list")
def user_list() -> None:
    """Accounts: login, role, agency, state (no personal data)."""
    from geoportal.accounts import list_accounts

    with _engine(_settings()).connect() as conn:
        accounts = list_accounts(conn)
    table = Table("id", "login", "role", "agency", "active", "created", title="Accounts")
    for a in accounts:
        table.add_row(
            str(a["id"]),
            a["login"],
            a["role"],
            a["agency"] or "",
            "yes" if a["active"] else "no",
            f"{a['created_at']:%Y-%m-%d}",
        )
    Console(width=max(Console().width, 120)).print(table)


@user_app.command("disable")
def user_disable(login: Annotated[str, typer.Argument(help="the account to close")]) -> None:
    """Close an account: its tokens stop working at once; its history stays."""
    from geoportal.accounts import deactivate_account

    with _engine(_settings()).begin() as conn:
        deactivate_account(conn, login)
    console.print(f"[green]✓[/] account {login!r} closed")


@app.command()
def nru(
    coords: Annotated[
        Path,
        typer.Argument(
            help="coordinates: .txt/.csv/.xlsx/.geojson/.dxf, or a scan of the surveyor's "
            "table (.jpg/.png/.tif/.pdf): its grid is printed and confirmed first"
        ),
    ],
    plan: Annotated[
        str | None,
        typer.Option(help="the plan to answer (default: the one holding most of the parcel)"),
    ] = None,
    srid: Annotated[int | None, typer.Option(help="Lambert SRID of the coordinates")] = None,
    land_reference: Annotated[str | None, typer.Option(help="TF 12345/R, Réquisition …")] = None,
    ownership_proof: Annotated[str | None, typer.Option(help="art. 6, plan en cours")] = None,
    declared_area: Annotated[str | None, typer.Option(help="m², or « 1 ha 23 a 45 ca »")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the note as JSON")] = False,
    pdf: Annotated[Path | None, typer.Option(help="write the PDF here")] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="a scan: accept the grid as read, unasked")
    ] = False,
) -> None:
    """Issue a note de renseignements urbanistiques for a parcel."""
    from geoportal.nru.document import nru_pdf
    from geoportal.nru.issue import NruRequest, issue_nru, settings_signatory
    from zoning.intake.scan import is_scan

    settings = _settings()
    raw = coords.read_bytes()
    data: bytes | str = raw
    filename: str | None = coords.name
    if is_scan(raw, filename):
        data = _confirmed_scan(raw, filename, srid, plan, declared_area, settings, yes)
        filename = None
    request = NruRequest(
        coordinates=data,
        filename=filename,
        srid=srid,
        plan=plan,
        declared_area=declared_area,
        land_reference=land_reference,
        ownership_proof=ownership_proof,
    )

    def issue() -> Any:
        with _engine(settings).begin() as conn:
            note = issue_nru(
                conn,
                request,
                storage_srid=settings.storage_srid,
                signatory=settings_signatory(settings),
            )
            if pdf is not None:
                pdf.write_bytes(nru_pdf(conn, note, settings))
            return note

    note = _refusing(issue)
    if as_json:
        print(note.model_dump_json(indent=2))
    else:
        print("\n\n".join([f"{note.number} — {note.plan.name}", *note.text]))
    if pdf is not None:
        console.print(f"PDF written to {pdf}")


def _confirmed_scan(
    data: bytes,
    filename: str | None,
    srid: int | None,
    plan: str | None,
    declared_area: str | None,
    settings: Any,
    yes: bool,
) -> str:
    """A scan read, its grid printed, and the points confirmed (or the command stops): the
    note is then asked with them as an ordinary coordinates text (issue 17)."""
    from geoportal.nru.issue import NruRequest
    from geoportal.nru.preview import ScanLimits, preview_scan

    request = NruRequest(
        coordinates=data, filename=filename, srid=srid, plan=plan, declared_area=declared_area
    )
    limits = ScanLimits(max_pixels=settings.scan_max_pixels, max_pages=settings.scan_max_pages)

    def read() -> Any:
        with _engine(settings).connect() as conn:
            return preview_scan(conn, request, storage_srid=settings.storage_srid, limits=limits)

    preview = _refusing(read)
    _print_grid(preview)
    if not yes and not typer.confirm("Ces bornes sont-elles celles du tableau ?", default=False):
        console.print(
            "Rien n'a été délivré : corrigez les bornes dans un fichier texte "
            "(Borne;X;Y) et relancez la commande avec ce fichier."
        )
        raise typer.Exit(1)
    lines = [f"{p['borne']};{p['x']:.2f};{p['y']:.2f}" for p in preview["points"]]
    return "\n".join(["Borne;X;Y", *lines]) + "\n"


def _print_grid(preview: dict[str, Any]) -> None:
    """The grid read from a scan, uncertain cells marked, and the intake's findings."""
    table = Table(title="Bornes lues sur le scan (? : lecture à vérifier)")
    for header in ("ligne", "borne", "X", "Y", "confiance", "à vérifier"):
        table.add_column(header)
    for point in preview["points"]:
        cells = point["cells"]
        marks = [
            f"{point[key] if key == 'borne' else format(point[key], '.2f')}"
            + (" ?" if cells[key]["uncertain"] else "")
            for key in ("borne", "x", "y")
        ]
        reasons = "; ".join(r for key in ("borne", "x", "y") for r in cells[key]["reasons"])
        table.add_row(str(point["line"]), *marks, f"{point['confidence']:.0%}", escape(reasons))
    console.print(table)
    for finding in [*preview["errors"], *preview["warnings"]]:
        colour = "red" if finding.get("severity") == "error" else "yellow"
        console.print(f"[{colour}]•[/] {escape(finding['message'])}", highlight=False)


@app.command()
def classify(
    project: Annotated[Path, typer.Argument(help="the project as JSON (docs/http.md)")],
    plan: Annotated[str | None, typer.Option(help="plan to read the sectors from")] = None,
    filed_on: Annotated[str | None, typer.Option(help="filing date YYYY-MM-DD")] = None,
) -> None:
    """Procedure (grands projets, petits projets, réfection), commission and deadlines (JSON)."""
    import datetime as dt

    from checks.project import Project
    from geoportal.projects.instruction import classify_on_plan, classify_project, load_calendar

    settings = _settings()
    parsed = _project(project, Project)
    calendar = load_calendar(settings.calendar_overrides)
    filed = dt.date.fromisoformat(filed_on) if filed_on else None
    if parsed.coordinates is None:
        result = classify_project(parsed, calendar, filed_on=filed)
    else:
        with _engine(settings).connect() as conn:
            result = _refusing(
                lambda: classify_on_plan(
                    conn,
                    parsed,
                    calendar,
                    storage_srid=settings.storage_srid,
                    plan=plan,
                    filed_on=filed,
                )
            )
    print(json.dumps(result, ensure_ascii=False, indent=2))


@app.command()
def check(
    coords: Annotated[Path, typer.Argument(help="parcel coordinates (.txt, .xlsx, .geojson…)")],
    project: Annotated[Path, typer.Option("--project", help="the project as JSON")],
    plan: Annotated[str | None, typer.Option(help="the plan to check against")] = None,
    srid: Annotated[int | None, typer.Option(help="Lambert SRID of the coordinates")] = None,
) -> None:
    """Compliance of a project on a parcel: verdict, checks, envelope (JSON)."""
    from checks.project import Project
    from geoportal.nru.issue import NruRequest
    from geoportal.projects.instruction import check_project, load_calendar

    settings = _settings()
    parsed = _project(project, Project)
    request = NruRequest(
        coordinates=coords.read_bytes(), filename=coords.name, srid=srid, plan=plan
    )
    calendar = load_calendar(settings.calendar_overrides)
    with _engine(settings).connect() as conn:
        result = _refusing(
            lambda: check_project(
                conn, request, parsed, calendar, storage_srid=settings.storage_srid
            )
        )
    print(json.dumps(result, ensure_ascii=False, indent=2))


def _project(path: Path, model: Any) -> Any:
    """Read and validate a project file; a bad field is named."""
    from pydantic import ValidationError

    try:
        return model.model_validate_json(path.read_bytes())
    except ValidationError as exc:
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"])
            console.print(f"[red]•[/] {escape(path.name)}: {escape(where)}: {escape(error['msg'])}")
        raise typer.Exit(1) from exc


def _refusing(action: Any) -> Any:
    """Run an action (its refusals go to the one handler, _Refusing)."""
    return action()


@app.command()
def batch(
    path: Annotated[Path, typer.Argument(help="parcels with project columns (.gpkg, .geojson…)")],
    out: Annotated[Path, typer.Option("--out", help="results (.csv, .gpkg or .geojson)")],
    plan: Annotated[str | None, typer.Option(help="check against this plan only")] = None,
    srid: Annotated[int | None, typer.Option(help="SRID when the file declares none")] = None,
    workers: Annotated[int, typer.Option(help="worker processes for the rules")] = 2,
) -> None:
    """Check many parcels and their projects at once: procedure and verdict per row."""
    import time

    from geoportal.projects.batch import (
        read_batch,
        run_batch,
        spatial_cases,
        summary,
        write_results,
    )

    settings = _settings()
    started = time.perf_counter()
    frame = read_batch(path, srid, settings.storage_srid)
    with _engine(settings).begin() as conn:
        cases = spatial_cases(conn, frame, settings.storage_srid, plan)
    with _RichProgress() as callback:
        results = run_batch(cases, workers, lambda done, total: callback("checking", done, total))
    write_results(frame, results, out)
    elapsed = time.perf_counter() - started
    counts = ", ".join(f"{n} {verdict}" for verdict, n in sorted(summary(results).items()))
    console.print(
        f"{wording.number(len(results), 0)} parcelles en {wording.number(elapsed, 1)} s "
        f"({wording.number(len(results) / elapsed, 0)}/s) : {counts} ; écrites dans {out}"
    )


@app.command()
def serve(
    host: str | None = None,
    port: int | None = None,
    workers: Annotated[int, typer.Option(help="processes serving (each with its pool)")] = 1,
    access_log: Annotated[
        bool, typer.Option(help="log every request (method, path, status)")
    ] = True,
) -> None:
    """Run the web service."""
    import os

    import uvicorn

    # Each worker builds its settings from the environment: the host and port given here
    # reach them there, and the NRU's QR code names this port (GEOPORTAL_PUBLIC_URL unset).
    os.environ.update(
        {k: str(v) for k, v in (("GEOPORTAL_HOST", host), ("GEOPORTAL_PORT", port)) if v}
    )
    settings = _settings()
    uvicorn.run(
        "api.app:create_app",  # each worker builds the app from the same environment
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        # longer than clients and proxies keep an idle connection, so that the server never
        # closes one while a request is on its way (the client would see it reset)
        timeout_keep_alive=KEEP_ALIVE_S,
        access_log=access_log,
    )


@app.command()
def demo(
    host: str | None = None,
    port: int | None = None,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve")] = True,
) -> None:
    """Database ready, migrations applied, demo commune loaded once, server on :8000."""
    from geoportal.db import migrate
    from geoportal.setup.demo import load_demo, load_demo_projects

    settings = _settings()
    engine = _engine(settings)
    migrate(engine, settings)
    console.print(f"[green]✓[/] database ready, schema migrated (EPSG:{settings.storage_srid})")
    with _RichProgress() as callback:
        message = load_demo(engine, settings.data_dir, settings.storage_srid, callback)
    console.print(f"[green]✓[/] {message}")
    console.print(
        f"[green]✓[/] {load_demo_projects(engine, settings.data_dir, settings.storage_srid)}"
    )
    if serve_after:
        url = f"http://{host or settings.host}:{port or settings.port}"
        console.print(
            f"[green]✓[/] serving on {url}: public map {url}/ , NRU {url}/nru , "
            f"projects {url}/projet , petitioners' space {url}/compte , API {url}/docs"
        )
        console.print(
            "  an agent's token for the demo agency: geoportal user add agent.demo --role agent "
            '--agency "Agence Urbaine de Skhirate-Temara"',
            highlight=False,
        )
        serve(host, port)


class _RichProgress:
    """A Rich progress bar fed by the importer's (step, done, total) callback."""

    def __enter__(self):  # type: ignore[no-untyped-def]
        self.bar = Progress(
            TextColumn("{task.description:<22}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not sys.stderr.isatty(),
        )
        self.bar.start()
        self.tasks: dict[str, TaskID] = {}
        return self.update

    def update(self, step: str, done: int, total: int) -> None:
        if step not in self.tasks:
            self.tasks[step] = self.bar.add_task(step, total=total)
        self.bar.update(self.tasks[step], completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()


def _print_report(report: dict[str, object], as_json: bool) -> None:
    """The validation report: JSON, or one line per finding (readable in logs too)."""
    if as_json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return
    findings = report["findings"]
    assert isinstance(findings, list)
    console.print(f"[bold]Validation report — {report['plan']}[/] ({len(findings)} finding(s))")
    colours = {"error": "red", "warning": "yellow", "info": "cyan"}
    for data in findings:
        finding = Finding(**{**data, "location": tuple(data["location"] or ()) or None})
        console.print(
            f"[{colours[finding.severity]}]•[/] {escape(finding.code)}: "
            f"{escape(finding.describe())}",
            highlight=False,
        )


if __name__ == "__main__":
    app()
