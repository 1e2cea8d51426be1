"""The ``scidex`` command: a thin layer over the library.

Each command parses its arguments, opens the store named by ``--db`` (or
SCIDEX_DATABASE_URL), and calls one library function. Errors a person can fix
are printed as one line on stderr with exit code 2, never as a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.table import Table

from scidex.config import ConfigError, Settings, default_database_url
from scidex.ingest.sources.errors import SourceFormatError
from scidex.store import NoStoreError, Store, StoreError, redact_url
from scidex.wiki.content import ContentError

app = typer.Typer(
    help="SciDEX Atlas: a knowledge-graph wiki of citable artifacts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
token_app = typer.Typer(help="Create, list and revoke API tokens for agents and scripts.")
import_app = typer.Typer(help="Import a graph in an interchange format.")
export_app = typer.Typer(help="Export the graph in an interchange format.")
account_app = typer.Typer(help="Accounts for people who edit in the browser.")
app.add_typer(token_app, name="token")
app.add_typer(account_app, name="account")
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")

err = Console(stderr=True)
out = Console()


def fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def not_yet(what: str) -> NoReturn:
    """A command whose feature is not built yet says so and exits non-zero."""
    fail(f"{what} is not implemented yet in this version of scidex", code=3)


@app.callback()
def main_options(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Store URL: sqlite:///PATH or postgresql://USER@HOST:PORT/DB "
            "(env SCIDEX_DATABASE_URL; default: var/atlas.db of the source checkout, else "
            "$XDG_DATA_HOME/scidex/atlas.db). Every command prints the store it opens.",
            show_default=False,
        ),
    ] = None,
) -> None:
    try:
        ctx.obj = Settings.from_env(database_url=db)
    except ConfigError as exc:
        fail(str(exc))


# The commands that fill a store, and so may create it; every other command expects
# one and refuses to create an empty store in its place.
CREATING_COMMANDS = frozenset({"build", "import kgx", "restore", "token create", "account create"})


def command_name(ctx: typer.Context) -> str:
    """The command as typed after ``scidex`` (``"token list"``)."""
    return ctx.command_path[len(ctx.find_root().command_path) :].strip()


def open_store(ctx: typer.Context) -> Store:
    """Open the store named by --db, and say which (one line on stderr).

    Only the CREATING_COMMANDS may create it; the others refuse a store that is not
    there rather than show an empty one, and say how to build it.
    """
    settings: Settings = ctx.obj
    url = settings.database_url
    try:
        store = Store.open(url, must_exist=command_name(ctx) not in CREATING_COMMANDS)
    except NoStoreError as exc:
        where = "" if url == default_database_url() else f"--db {url} "
        fail(
            f"{exc}; build one with `scidex {where}build`, or import a graph with "
            f"`scidex {where}import kgx NODES EDGES`"
        )
    except StoreError as exc:
        fail(str(exc))
    err.print(f"store: {redact_url(url)}", highlight=False, soft_wrap=True)
    return store


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (use >1 with PostgreSQL).")] = 1,
    access_log: Annotated[
        bool | None,
        typer.Option(
            "--access-log/--no-access-log",
            help="One line per request on stdout, in the Combined Log Format plus the "
            "duration in seconds (env SCIDEX_ACCESS_LOG; default on).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the atlas over HTTP (pages, JSON API, OpenAPI at /openapi.json)."""
    import dataclasses

    import uvicorn

    settings: Settings = ctx.obj
    if access_log is not None:
        settings = dataclasses.replace(settings, access_log=access_log)
    store = open_store(ctx)  # fail fast, with a clear message, before binding the port
    out.print(f"SciDEX Atlas on [bold]http://{host}:{port}[/] (store: {store.dialect})")
    if workers > 1:
        from scidex.web.serving import BindError, run_workers

        store.close()
        os.environ["SCIDEX_DATABASE_URL"] = settings.database_url
        os.environ["SCIDEX_ACCESS_LOG"] = "1" if settings.access_log else "0"
        try:
            run_workers(host, port, workers)
        except BindError as exc:
            fail(str(exc.strerror))
        return
    from scidex.web import create_app
    from scidex.web.serving import HTTP_PROTOCOL

    uvicorn.run(
        create_app(settings, store),
        host=host,
        port=port,
        log_level="warning",
        http=HTTP_PROTOCOL,  # closes a connection whose request head does not arrive in time
    )


@app.command()
def build(
    ctx: typer.Context,
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            help="Rebuild only these sources (repeatable), keeping the rest of the store; "
            "default: all.",
        ),
    ] = None,
    unmapped: Annotated[
        Path | None,
        typer.Option(
            "--unmapped",
            help="Write every identifier behind an edge not loaded (TSV: source release, "
            "reason, identifier, edges) to this file.",
        ),
    ] = None,
) -> None:
    """Fetch the pinned public sources (verified by sha256) and build the default atlas.

    Sources that cannot be fetched are reported and skipped. Everything is
    written in one transaction, and running it twice leaves the same counts.
    """
    from scidex.cli.progress import BarProgress
    from scidex.cli.report import print_build_summary
    from scidex.ingest.build import BUILD_ORDER, build_default_atlas

    settings: Settings = ctx.obj
    chosen = tuple(source) if source else BUILD_ORDER
    unknown = [s for s in chosen if s not in BUILD_ORDER]
    if unknown:
        fail(f"unknown source(s) {', '.join(unknown)}; choose from {', '.join(BUILD_ORDER)}")
    store = open_store(ctx)
    try:
        result = build_default_atlas(
            store,
            cache_dir=settings.cache_dir,
            content_dir=settings.content_dir,
            sources=chosen,
            log=lambda line: err.print(line, highlight=False),
            progress=BarProgress(err),
        )
    except (SourceFormatError, ContentError) as exc:
        fail(f"{exc} (nothing was written)")
    print_build_summary(out, result)
    if unmapped is not None and result.report is not None:
        from scidex.ingest.write import write_unmapped

        n = write_unmapped(result.report, unmapped)
        err.print(f"{n:,} unmapped identifiers listed in {unmapped}", highlight=False)
    if len(result.failed) == len(chosen):
        fail("no source could be fetched; the store is unchanged")


@app.command()
def lint(
    ctx: typer.Context,
    content: Annotated[
        Path | None, typer.Option(help="Curated pages to check (default: SCIDEX_CONTENT_DIR).")
    ] = None,
    graph: Annotated[
        bool, typer.Option("--graph", help="Also list entities of one category sharing a name.")
    ] = False,
) -> None:
    """Check the curated pages: broken or ambiguous links, unknown or uncited references,
    empty sections, duplicate mentions, diagram errors, unknown predicates, raw HTML, and
    the reference policy (PMID or DOI on every reference, links only to PubMed, PMC,
    doi.org or the publisher, no retracted paper, species stated for non-human evidence,
    no sentence about the page itself).

    Prints one line per finding (file:line: kind: message) and exits 1 when
    there are any. Links and pages waiting for a vocabulary that is not built
    yet, and name clashes in the graph (--graph), are notes, not errors.
    """
    from scidex.registry.content_check import check_content, name_clashes

    settings: Settings = ctx.obj
    store = open_store(ctx)
    directory = content or settings.content_dir
    with store.read() as conn:
        report = check_content(conn, directory)
        clashes = name_clashes(conn) if graph else None
    findings = report.findings
    for f in findings:
        print(f)
    for w in report.waiting:
        print(f"note: {w}")
    if not report.retractions_known:
        print("note: no list of retracted papers in this store (build the retractions source)")
    if clashes is not None:
        total, listed = clashes
        for c in listed:
            print(f"note: {c.category}: {c.name!r} is the label of {', '.join(c.entities)}")
        out.print(
            f"{total:,} names are shared by several entities of one category", highlight=False
        )
    if findings:
        err.print(f"{len(findings)} finding(s) in {directory}", highlight=False)
        raise typer.Exit(1)
    out.print(f"no findings in {directory}", highlight=False)


@app.command()
def bench(
    ctx: typer.Context,
    quick: Annotated[
        bool,
        typer.Option(
            "--quick", help="Fewer repetitions, a 100,000-edge import, no build (under 2 min)."
        ),
    ] = False,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            help="Run only this suite (repeatable): page, search, neighbourhood, import, "
            "build, http, scale.",
        ),
    ] = None,
    out_dir: Annotated[
        Path, typer.Option("--out", help="Directory for the JSON results file.")
    ] = Path("bench/results"),
    requests: Annotated[
        int | None,
        typer.Option(help="Requests per page render (default 500; 100 with --quick).", min=5),
    ] = None,
    edges: Annotated[
        int | None,
        typer.Option(
            help="Edges in the KGX import (default 1,000,000; 100,000 with --quick).", min=1000
        ),
    ] = None,
    rounds: Annotated[
        int | None,
        typer.Option(help="Fresh-store rounds of the import (default 3; 1 with --quick).", min=1),
    ] = None,
    scale_edges: Annotated[
        list[int] | None,
        typer.Option(
            "--scale-edges",
            help="Synthetic graph size for the scale suite (repeatable; default 1,000,000).",
        ),
    ] = None,
    http_workers: Annotated[
        list[int] | None,
        typer.Option(
            "--http-workers",
            help="Server processes for the http suite (repeatable; default 1 and 2).",
            min=1,
        ),
    ] = None,
    profile: Annotated[
        bool, typer.Option("--profile", help="Add each page's top cProfile frames to the JSON.")
    ] = False,
) -> None:
    """Measure page, search, neighbourhood, import, build and HTTP speed, each against a
    baseline measured in the same run (median and 99th percentile), on the store named by --db.

    Prints a table and writes bench/results/<UTC time>-<backend>.json. A store that
    lacks the data a suite needs is refused, with how to build it, before anything runs.
    """
    from scidex.bench import BenchConfig, MissingData, choose_suites, run_bench
    from scidex.bench.report import print_table

    settings: Settings = ctx.obj
    try:
        suites, skipped = choose_suites(only, quick)
    except ValueError as exc:
        fail(str(exc))
    config = BenchConfig.make(
        quick=quick,
        requests=requests,
        edges=edges,
        rounds=rounds,
        profile=profile,
        scale_edges=tuple(scale_edges) if scale_edges else None,
        http_workers=tuple(http_workers) if http_workers else None,
        log=lambda line: err.print(f"[dim]{line}[/]", highlight=False),
    )
    store = open_store(ctx)
    try:
        run = run_bench(store, settings, config, suites, out_dir=out_dir)
    except MissingData as exc:
        fail(f"cannot benchmark: {exc}")
    finally:
        store.close()
    doc = run.document
    title = (
        f"scidex bench on {doc['backend']} ({doc['dataset']['entities']:,} entities, "
        f"{doc['dataset']['edges']:,} edges), commit {doc['git_commit'][:10]}"
    )
    print_table(out, run.figures, title)
    if skipped:
        out.print(f"not run: {'; '.join(skipped)}", highlight=False)
    out.print(f"results written to {run.path}", highlight=False)


@app.command()
def backup(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The backup file to write.")],
    force: Annotated[bool, typer.Option("--force", help="Replace PATH if it exists.")] = False,
) -> None:
    """Copy the store, while it serves and is written to, as one consistent snapshot.

    SQLite: the online backup API, giving one self-contained database file, checked
    (integrity, schema version) before it is put at PATH. PostgreSQL: pg_dump in its
    custom format (needs the PostgreSQL client tools), checked by listing it.
    Bring it back with `scidex restore PATH`.
    """
    from scidex.store.backup import backup as run_backup

    store = open_store(ctx)
    try:
        result = run_backup(store, path, force=force)
    except StoreError as exc:
        fail(f"{exc} (no backup was written)")
    finally:
        store.close()
    out.print(
        f"backed up the {result.backend} store (schema version {result.schema_version}) to "
        f"{result.path}: {result.bytes / 1e6:,.1f} MB in {result.seconds:.1f} s",
        highlight=False,
        soft_wrap=True,
    )


@app.command()
def restore(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A backup written by `scidex backup`.")],
    force: Annotated[
        bool, typer.Option("--force", help="Replace a store that holds data.")
    ] = False,
) -> None:
    """Bring a backup back into the store named by --db (of the same backend).

    The store may be new or empty; one that holds data is replaced only with --force.
    A backup made by an older scidex is migrated; one made by a newer scidex is refused.
    """
    from scidex.store.backup import restore as run_restore

    settings: Settings = ctx.obj
    if not path.is_file():
        fail(f"{path}: no such file")
    # Opened by the restore itself, once the backup is known to fit it (nothing is
    # created for a backup of the other backend).
    err.print(f"store: {redact_url(settings.database_url)}", highlight=False, soft_wrap=True)
    try:
        result = run_restore(settings.database_url, path, force=force)
    except StoreError as exc:
        fail(f"{exc} (the store was left as it was)")
    out.print(
        f"restored {path} into the {result.backend} store (schema version "
        f"{result.schema_version}) in {result.seconds:.1f} s",
        highlight=False,
        soft_wrap=True,
    )


@app.command()
def rankings(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Argument(help="Rankings file (query, expected CURIE, why; tab-separated)."),
    ] = None,
) -> None:
    """How well search ranks on this store: hit@1 and hit@5 over a file of queries and the
    result a researcher expects first (default: the project's tests/data/search-rankings.tsv)."""
    from scidex.queries.rankings import RankingFileError, evaluate, load_rankings

    path = file or Path(__file__).resolve().parents[3] / "tests" / "data" / "search-rankings.tsv"
    if not path.is_file():
        fail(f"{path}: no such file")
    try:
        expectations = load_rankings(path)
    except RankingFileError as exc:
        fail(str(exc))
    store = open_store(ctx)
    with store.read() as conn:
        report = evaluate(conn, expectations)
    for o in report.misses:
        where = f"rank {o.rank}" if o.rank else "not in the first 10"
        out.print(
            f"{o.expectation.query!r}: {o.expectation.expected} {where}; first: "
            f"{', '.join(o.first) or 'nothing'}",
            highlight=False,
        )
    n = len(report.outcomes)
    out.print(
        f"hit@1 {report.hit_at(1):.2f}, hit@5 {report.hit_at(5):.2f} over {n} queries",
        highlight=False,
    )


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    role: Annotated[str, typer.Option(help="reader, editor, curator or admin.")],
    label: Annotated[str, typer.Option(help="Who or what uses the token.")],
) -> None:
    """Create a token and print it once; only its hash is stored."""
    from scidex.registry.tokens import TokenError, create_token

    store = open_store(ctx)
    try:
        info, secret = create_token(store, role=role, label=label)
    except TokenError as exc:
        fail(str(exc))
    err.print(f"token {info.id} ({info.role}, {info.label}); it is shown only this once:")
    print(secret)


@token_app.command("list")
def token_list(ctx: typer.Context) -> None:
    """List tokens (never their secrets)."""
    from scidex.registry.tokens import list_tokens

    table = Table("id", "role", "label", "created", "revoked")
    for t in list_tokens(open_store(ctx)):
        table.add_row(t.id, t.role, t.label, t.created_at, t.revoked_at or "")
    out.print(table)


@token_app.command("revoke")
def token_revoke(ctx: typer.Context, token_id: str) -> None:
    """Revoke a token by its id; it stops working at once."""
    from scidex.registry.tokens import TokenError, revoke_token

    try:
        revoke_token(open_store(ctx), token_id)
    except TokenError as exc:
        fail(str(exc))
    out.print(f"revoked {token_id}")


@account_app.command("create")
def account_create(
    ctx: typer.Context,
    username: Annotated[str, typer.Option(help="Login name.")],
    role: Annotated[str, typer.Option(help="reader, editor, curator or admin.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create an account; the password is asked for (or read from stdin) and stored hashed.

    A username is 1-100 letters, digits, '-', '_' or '.'.

    A password needs at least 10 characters; the sign-in form takes up to 500.
    """
    from scidex.registry.accounts import AccountError, create_account

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        info = create_account(open_store(ctx), username=username, password=password, role=role)
    except AccountError as exc:
        fail(str(exc))
    out.print(f"created {info.username} ({info.role})", highlight=False)


@account_app.command("list")
def account_list(ctx: typer.Context) -> None:
    """List accounts and their roles."""
    from scidex.registry.accounts import list_accounts

    table = Table("username", "role", "created")
    for a in list_accounts(open_store(ctx)):
        table.add_row(a.username, a.role, a.created_at)
    out.print(table)


# The commands in modules of their own register on the apps above when imported.
from scidex.cli import kgx as _kgx  # noqa: E402, F401


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
