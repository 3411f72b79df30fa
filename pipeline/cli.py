"""`baocao` command line.

Each query command lives next to the feature it serves and registers itself here via
`register(subparsers)` (see COMMAND_MODULES), so features stay in their own modules.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sqlite3
import sys

from pipeline.commands import exitcodes

DEFAULT_DB = os.environ.get("BAOCAO_DB", "output/corpus.db")

COMMAND_MODULES = [
    "pipeline.commands.citations",   # cited-by, cites
    "pipeline.commands.status",      # status
    "pipeline.commands.review",      # review (an auditor's verdict on a check)
    "pipeline.commands.figures",     # figures, audit
    "pipeline.commands.findings",    # findings, show
    "pipeline.store.search",          # search
    "pipeline.web",             # serve
]


def cmd_ingest(args) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from pipeline.ingest import discover, ingest
    from pipeline.commands.output import markup_safe
    from pipeline.executors_ray import ExecutorUnavailable  # (Ray itself is not imported)

    executor = _executor(args)
    if isinstance(executor, str):
        print(f"baocao: {executor}", file=sys.stderr)
        return exitcodes.USAGE
    console = Console(stderr=True)
    total = len(discover(args.paths, args.follow_links))
    with Progress(TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), TextColumn("{task.description}"), console=console,
                  transient=True, disable=args.quiet) as bar:
        task = bar.add_task("", total=total)

        def progress(outcome):
            bar.update(task, advance=1, description=markup_safe(os.path.basename(outcome.path)[:40]))

        try:
            summary = ingest(args.paths, args.db, force=args.force, jobs=args.jobs,
                             progress=progress, follow_links=args.follow_links,
                             limits=_limits(args), executor=executor)
        except ExecutorUnavailable as exc:  # the cluster could not be started or reached
            print(f"baocao: {_one_line(exc)}", file=sys.stderr)
            return exitcodes.USAGE
    out = Console(soft_wrap=True)
    for o in summary.outcomes:  # paths and reasons are data, never markup
        if o.status == "failed":
            out.print(f"[red]failed[/red]    {markup_safe(o.path)}: {markup_safe(o.reason)}", highlight=False)
        elif o.status == "partial":
            out.print(f"[yellow]partial[/yellow]   {markup_safe(o.path)}: {markup_safe(o.reason)}",
                      highlight=False)
    n_ok = summary.count("ingested") + summary.count("partial")
    out.print(
        f"{n_ok} ingested, {summary.count('unchanged')} unchanged, "
        f"{summary.count('failed')} failed in {summary.seconds:.1f}s → {markup_safe(args.db)}",
        highlight=False,
    )
    return exitcodes.FILES_FAILED if summary.failed else exitcodes.OK


def _executor(args):
    """None (local worker processes, the default), a Ray executor, or why it cannot run.
    Ray is imported only when asked for."""
    if args.executor != "ray":
        if args.ray_address:
            return "--ray-address goes with --executor ray"
        return None
    from pipeline import executors_ray
    from pipeline.ingest import process_file, warm_up

    try:
        executor = executors_ray.RayCluster(process_file, _limits(args), address=args.ray_address,
                                            cpus=args.jobs, setup=warm_up)
        executor.preflight()
        return executor
    except executors_ray.ExecutorUnavailable as exc:
        return str(exc)


def _limits(args):
    from pipeline.ingest import Limits

    limits = Limits()
    for name in ("max_text_mb", "timeout", "max_memory_mb"):
        value = getattr(args, name, None)
        if value is not None:
            if name == "timeout":
                limits.timeout_s = limits.analysis_timeout_s = value
            else:
                setattr(limits, name, value)
    return limits


def build_parser() -> argparse.ArgumentParser:
    from pipeline.commands.output import count_arg

    parser = argparse.ArgumentParser(
        prog="baocao",
        description="Vietnamese government reports → a queryable SQLite corpus.",
    )
    parser.add_argument("--db", default=DEFAULT_DB, help=f"corpus database (default {DEFAULT_DB})")
    parser.add_argument("--version", action="version", version=f"baocao {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="ingest files or folders (recursive) into the corpus")
    p.add_argument("paths", nargs="+", help="files or folders")
    p.add_argument("--db", default=argparse.SUPPRESS, help="corpus database")
    p.add_argument("--force", action="store_true", help="re-ingest unchanged files too")
    p.add_argument("--jobs", "-j", type=count_arg, default=None,
                   help="worker processes that read and analyse files (default: the usable cores)")
    p.add_argument("--executor", choices=("local", "ray"), default="local",
                   help="where files are read and analysed: local worker processes (default) or "
                        "a Ray cluster (needs `pip install 'baocao[cluster]'`)")
    p.add_argument("--ray-address", default=None, metavar="ADDR",
                   help="Ray cluster to join (host:port, or auto for the one on this machine); "
                        "default: a local instance started for the batch")
    p.add_argument("--follow-links", action="store_true",
                   help="follow symbolic links inside the folders (never to outside them)")
    p.add_argument("--max-text-mb", type=float, default=None,
                   help="a text file larger than this fails as too large (default 50)")
    p.add_argument("--timeout", type=float, default=None,
                   help="seconds allowed per file, extraction and analysis each (default 300)")
    p.add_argument("--max-memory-mb", type=float, default=None,
                   help="memory allowed to one extraction worker (default 1536)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_ingest)

    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(sub)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("baocao")
    except PackageNotFoundError:  # run from a source tree that was not installed
        return "(not installed)"


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """Let `--db` also follow the subcommand (`baocao cites X --db f.db`)."""
    parser.add_argument("--db", default=argparse.SUPPRESS, help="corpus database")


def main(argv: list[str] | None = None) -> int:
    """Run one command; the exit code says what happened (pipeline/commands/exitcodes.py)."""
    from pipeline.commands.output import AmbiguousDocument, DocumentNotFound, UnsafeOutput
    from pipeline.store.db import StoreError

    parser = build_parser()
    args = parser.parse_args(argv)  # a usage error exits 2 here (argparse)
    if args.command != "ingest" and not os.path.exists(args.db):
        print(f"baocao: no corpus database at {args.db} (run `make ingest` or `baocao ingest`)",
              file=sys.stderr)
        return exitcodes.NO_DATA
    try:
        if args.command != "ingest":
            from pipeline.store.db import check_readable

            check_readable(args.db)
        return args.func(args) or exitcodes.OK
    except BrokenPipeError:
        return exitcodes.OK
    except AmbiguousDocument as exc:
        print("\n".join([f"baocao: {_one_line(exc)}:"] + exc.candidates()), file=sys.stderr)
        return exitcodes.USAGE
    except UnsafeOutput as exc:
        print(f"baocao: {_one_line(exc)}", file=sys.stderr)
        return exitcodes.USAGE
    except (DocumentNotFound, StoreError) as exc:
        print(f"baocao: {_one_line(exc)}", file=sys.stderr)  # (clean: no control characters)
        return exitcodes.NO_DATA
    except sqlite3.Error as exc:  # read-only, locked, corrupt: a message, not a traceback
        print(f"baocao: {args.db}: {_one_line(exc)}", file=sys.stderr)
        return exitcodes.NO_DATA


def _one_line(exc) -> str:
    from pipeline.commands.output import clean

    return clean(" ".join(str(exc).split()))


if __name__ == "__main__":
    sys.exit(main())
