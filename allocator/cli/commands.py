"""The commands: each loads its inputs through shared options and calls the public API."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click
import pandas as pd
from pydantic import BaseModel

from allocator.analysis.frontier import frontier as solve_frontier
from allocator.analysis.frontier import plot_frontier
from allocator.analysis.robustness import robustness as robustness_table
from allocator.analysis.sweep import load_grid
from allocator.analysis.sweep import sweep as run_sweep
from allocator.analysis.variants import load_variants
from allocator.analysis.whatif import run_whatifs
from allocator.check import check_plan
from allocator.cli.errors import AllocatorGroup
from allocator.cli.options import (
    Problem,
    diagnosis_options,
    instance_argument,
    load_inputs,
    mandate_option,
    output_options,
    problem_inputs,
    progress_option,
    resolve_file,
    resolve_instance,
    scenarios_option,
    solver_options,
    writable_file,
)
from allocator.cli.output import (
    emit,
    load_json,
    load_plan,
    show,
    table_csv,
    write_plan,
    write_table,
)
from allocator.cli.progress import progress_bar, solve_progress
from allocator.cli.render import (
    alternatives_renderables,
    comparison_renderables,
    explain_renderables,
    frame_table,
    whatif_renderables,
)
from allocator.errors import EXIT_INFEASIBLE, EXIT_INPUT, EXIT_OK, InputError
from allocator.inputs.instance import Instance
from allocator.inputs.load import load_instance
from allocator.inputs.mandate import Mandate
from allocator.inputs.scenario_file import save_scenarios
from allocator.io import read_yaml
from allocator.report import ReportInputs, write_report
from allocator.report.document import report_format
from allocator.resources import BUNDLED_KINDS, bundled, bundled_names, is_bundled
from allocator.results.alternatives import Alternatives
from allocator.results.plan import Plan
from allocator.results.status import EXIT_CODES, Status
from allocator.solving.alternatives import alternatives as find_alternatives
from allocator.solving.explain import key_marginal_values, marginal_values, verify_marginal_values
from allocator.solving.rationale import rationale as deal_rationale
from allocator.solving.solve import solve as solve_plan
from allocator.synthetic.generate import generate as generate_instance
from allocator.synthetic.generate import write_generated
from allocator.synthetic.sampling import sample_scenarios


@click.group(cls=AllocatorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="allocator")
def main() -> None:
    """Allocate a strategic direct-investment pool with a mixed-integer program (Pyomo + HiGHS)."""


@main.command()
@problem_inputs
@solver_options
@diagnosis_options
@progress_option
@click.option(
    "--csv-table",
    type=click.Choice(["investments", "cash-flows"]),
    default="investments",
    show_default=True,
    help="What --format csv writes: one row per investment, or per year of cash flows.",
)
@output_options
@click.pass_context
def solve(
    ctx: click.Context,
    problem: Problem,
    time_limit: float | None,
    gap: float | None,
    keep: tuple[str, ...],
    relax: tuple[str, ...],
    progress: bool | None,
    csv_table: str,
    fmt: str,
    output: Path | None,
) -> None:
    """Solve INSTANCE (default: bundled sri-2025) under a mandate and report the plan.

    An infeasible mandate is diagnosed: which limits to relax, by how much (--keep KEY pins a
    limit, --relax KEY asks for a repair in terms of that key only)."""
    with solve_progress(progress) as log:
        plan = solve_plan(
            problem.instance,
            problem.mandate,
            time_limit=time_limit,
            gap=gap,
            log=log,
            keep=keep,
            relax=relax or None,
        )
    write_plan(plan, fmt, output, csv_table.replace("-", "_"), problem.mandate)
    if plan.status == Status.INFEASIBLE and fmt != "table":
        click.echo("error: the mandate is infeasible", err=True)
    ctx.exit(EXIT_CODES[plan.status])


def _summary(inst: Instance, mand: Mandate) -> str:
    per_pillar = {p: 0 for p in inst.pillars}
    for c in inst.candidates:
        per_pillar[inst.pillar_of(c)] += 1
    lines = [
        f"instance {inst.name}: {len(inst.pillars)} pillars, {len(inst.taxonomy)} sub-areas, "
        f"{len(inst.candidates)} candidates, attributes: {', '.join(inst.attributes) or 'none'}",
        "candidates per pillar: " + ", ".join(f"{p} {n}" for p, n in per_pillar.items()),
        f"ticket_max total: {sum(c.ticket_max for c in inst.candidates):,.0f} USD M",
        f"mandate {mand.name}: budget {mand.budget:,.0f} USD M, horizon "
        f"{mand.horizon.start}-{mand.horizon.end}, {len(mand.force_in)} forced in, "
        f"{len(mand.force_out)} forced out",
        "valid",
    ]
    return "\n".join(lines)


@main.command()
@problem_inputs
def validate(problem: Problem) -> None:
    """Check the instance and mandate files and print a summary (exit 0 valid, 2 invalid)."""
    click.echo(_summary(problem.instance, problem.mandate))


@main.command()
@click.argument("what", type=click.Choice(["instance", "mandate", "plan"]))
def schema(what: str) -> None:
    """Print the JSON Schema of an instance, a mandate or a plan."""
    models: dict[str, type[BaseModel]] = {"instance": Instance, "mandate": Mandate, "plan": Plan}
    model = models[what]
    click.echo(json.dumps(model.model_json_schema(by_alias=True), indent=2))


@main.command()
@click.argument("plan_file", type=click.Path(path_type=Path))
@problem_inputs
@click.option(
    "--ignore-edits",
    is_flag=True,
    help="Check against the mandate file as it is, not with the edits the plan records.",
)
@click.pass_context
def check(ctx: click.Context, plan_file: Path, problem: Problem, ignore_edits: bool) -> None:
    """Recompute every limit of a plan from the input files (exit 0 ok, 1 a limit is broken).

    The edits the plan records (its --set, --force-in/out) are applied to the mandate file
    first, by the checker itself; edits given here are applied after them.
    """
    try:
        plan = json.loads(plan_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise InputError(f"not a readable plan JSON ({err})", file=str(plan_file)) from None
    if not isinstance(plan, dict) or not isinstance(plan.get("investments"), list):
        raise InputError("not a plan: no 'investments' list", file=str(plan_file))
    recorded = (plan.get("provenance") or {}).get("scenarios")
    scenarios = problem.scenarios or (Path(recorded) if recorded else None)
    report = check_plan(
        plan,
        problem.instance_path,
        problem.mandate_path,
        scenarios=scenarios,
        edits=problem.changes,
        recorded_edits=not ignore_edits,
    )
    for v in report.violations:
        click.echo(f"{v.key}: {v.message}")
    click.echo("ok: every limit holds" if report.ok else f"{len(report.violations)} violation(s)")
    ctx.exit(EXIT_OK if report.ok else EXIT_INFEASIBLE)


def split_paths(paths: tuple[Path, ...], last: str) -> tuple[Path | None, Path]:
    """[INSTANCE] FILE arguments: the instance is optional, the file is not."""
    if len(paths) > 2:
        raise InputError(f"expected [INSTANCE] {last}", column="arguments")
    return (None, paths[0]) if len(paths) == 1 else (paths[0], paths[1])


@main.command()
@click.argument("base_file", type=click.Path(path_type=Path))
@click.argument("plan_file", type=click.Path(path_type=Path))
@output_options
def compare(base_file: Path, plan_file: Path, fmt: str, output: Path | None) -> None:
    """Show how PLAN_FILE differs from BASE_FILE: investments, totals and metrics."""
    comparison = load_plan(plan_file).compare(load_plan(base_file))
    if comparison.plan == comparison.base:  # e.g. the same mandate with --set edits
        labels = {"base": str(base_file), "plan": str(plan_file)}
        comparison = comparison.model_copy(update=labels)
    if fmt == "json":
        emit(comparison.model_dump_json(indent=2) + "\n", output)
    elif fmt == "csv":
        emit(comparison.long_frame().to_csv(index=False), output)
    else:
        show(comparison_renderables(comparison), output)


@main.command()
@problem_inputs
@solver_options
@diagnosis_options
@click.option(
    "--verify",
    is_flag=True,
    help="Re-solve the full model with each key relaxed and tightened by a step (and, with "
    "--rationale, each deal forced the other way).",
)
@click.option("--step", type=float, help="Step of the verifying re-solves (default per key).")
@click.option(
    "--rationale",
    is_flag=True,
    help="For every candidate, the cost of forcing it out (chosen) or in (not chosen).",
)
@output_options
@click.pass_context
def explain(
    ctx: click.Context,
    problem: Problem,
    time_limit: float | None,
    gap: float | None,
    keep: tuple[str, ...],
    relax: tuple[str, ...],
    verify: bool,
    step: float | None,
    rationale: bool,
    fmt: str,
    output: Path | None,
) -> None:
    """Marginal values of the mandate's keys, and why each deal is in or out (--rationale);
    for an infeasible mandate, which limits to relax by how much.

    With --format csv: the marginal values (with --rationale: the per-deal table)."""
    inst, mand = problem.instance, problem.mandate
    plan = solve_plan(inst, mand, time_limit=time_limit, gap=gap, keep=keep, relax=relax or None)
    values = key_marginal_values(inst, mand, plan)
    if verify:
        values = verify_marginal_values(
            inst, mand, values, step=step, time_limit=time_limit, gap=gap
        )
    update: dict[str, object] = {
        "binding": marginal_values(inst, mand, plan),
        "marginal_values": values,
    }
    if rationale:
        update["rationale"] = deal_rationale(
            inst, mand, plan, verify=verify, time_limit=time_limit, gap=gap
        )
    plan = plan.model_copy(update=update)
    if fmt == "table":
        show(explain_renderables(plan), output)
    elif fmt == "csv":
        rows = plan.rationale if rationale else plan.marginal_values
        emit(pd.DataFrame([r.model_dump() for r in rows]).to_csv(index=False), output)
    else:
        write_plan(plan, fmt, output)
    ctx.exit(EXIT_CODES[plan.status])


def failures(table: pd.DataFrame) -> int:
    """Report the variants that failed, one line each on stderr; the exit code to end with
    (2 when any failed: the table still holds every other variant)."""
    failed = table[table["status"] == "failed"] if "status" in table else table.iloc[0:0]
    for row in failed.itertuples():
        click.echo(f"error: {row.error}", err=True)
    return EXIT_INPUT if len(failed) else EXIT_OK


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@mandate_option
@scenarios_option
@solver_options
@progress_option
@output_options
@click.pass_context
def whatif(
    ctx: click.Context,
    paths: tuple[Path, ...],
    mandate: Path | None,
    scenarios: Path | None,
    time_limit: float | None,
    gap: float | None,
    progress: bool | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Solve the named edits of a what-if YAML file one after another, each against the base.

    PATHS is [INSTANCE] WHATIFS.yaml; WHATIFS may name a bundled file (ten-questions). A
    what-if that fails is reported with its error (exit 2) and the others are still solved.
    """
    instance, whatifs = split_paths(paths, "WHATIFS.yaml")
    inst, mand = load_inputs(instance, mandate, scenarios=scenarios)
    variants = load_variants(resolve_file(whatifs, "whatif"))
    with progress_bar("what-ifs", len(variants) + 1, progress) as advance:
        table, plans = run_whatifs(
            inst, mand, variants, time_limit=time_limit, gap=gap, progress=advance
        )
    if fmt == "json":
        data = {name: plan.to_dict() for name, plan in plans.items()}
        summary = json.loads(table.to_json(orient="records"))  # NaN of failed rows: null
        emit(json.dumps({"summary": summary, "plans": data}, indent=2) + "\n", output)
    elif fmt == "csv":
        emit(table_csv(table), output)
    else:
        show(whatif_renderables(table, f"What-ifs on {inst.name} under {mand.name}"), output)
    ctx.exit(failures(table))


@main.command()
@instance_argument
@click.option("--count", type=int, default=1000, show_default=True, help="Number of scenarios.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option("--pillar-correlation", type=float, default=0.3, show_default=True)
@click.option("--sub-area-correlation", type=float, default=0.2, show_default=True)
@click.option(
    "--total-loss-only",
    is_flag=True,
    help="Write 1 on failure and 0 otherwise, without the survivors' realised multiples.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    callback=writable_file,
    help="Default: INSTANCE/scenarios.csv (required for a bundled instance).",
)
def scenarios(
    instance: Path | None,
    count: int,
    seed: int,
    pillar_correlation: float,
    sub_area_correlation: float,
    total_loss_only: bool,
    output: Path | None,
) -> None:
    """Sample correlated outcome scenarios (one-factor Gaussian copula per pillar and sub-area):
    each candidate fails with its loss probability, else returns a lognormal multiple with mean
    expected_multiple and log-sd multiple_sigma; written as loss fractions 1 − multiple.

    They are written to -o, or into the INSTANCE folder given; never into a bundled instance
    (later solves would pick them up silently): give -o and pass them with --scenarios."""
    instance_path = resolve_instance(instance)
    if output is None and is_bundled(instance_path):
        raise InputError(
            f"{instance_path.name} is a bundled instance and is not written to: give -o PATH, "
            "then solve with --scenarios PATH",
            column="-o",
        )
    inst = load_instance(instance_path, scenarios=None)
    sampled = sample_scenarios(
        inst,
        count,
        seed,
        pillar_correlation,
        sub_area_correlation,
        total_loss_only=total_loss_only,
    )
    target = output or instance_path / "scenarios.csv"
    save_scenarios(sampled, inst, target)
    click.echo(f"wrote {count} scenarios x {len(inst.candidates)} candidates to {target}", err=True)


@main.command()
@click.option("--candidates", type=int, required=True, help="Number of candidates.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed.")
@click.option("--years", type=int, default=10, show_default=True, help="Horizon length.")
@click.option("--start", type=int, default=2026, show_default=True, help="First horizon year.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True, help="Folder.")
@click.option("--force", is_flag=True, help="Write into an existing folder that is not empty.")
def generate(candidates: int, seed: int, years: int, start: int, output: Path, force: bool) -> None:
    """Write a synthetic instance (and a matching mandate.yaml) resampled from sri-2025."""
    if output.exists() and not output.is_dir():
        raise InputError("exists and is not a folder", file=str(output), column="-o")
    if output.is_dir() and any(output.iterdir()) and not force:
        raise InputError(
            "folder exists and is not empty (--force writes into it)", file=str(output), column="-o"
        )
    if not output.parent.is_dir():
        raise InputError("output folder does not exist", file=str(output.parent), column="-o")
    inst, mand = generate_instance(candidates=candidates, seed=seed, years=years, start=start)
    write_generated(output, inst, mand)
    click.echo(f"wrote {candidates} candidates and mandate.yaml to {output}", err=True)


@main.command()
@instance_argument
@mandate_option
@scenarios_option
@click.option("--vary", "key", required=True, help="Dotted mandate key to vary.")
@click.option("--from", "start", type=float, required=True, help="First value.")
@click.option("--to", "stop", type=float, required=True, help="Last value.")
@click.option("--points", type=int, default=5, show_default=True, help="Number of points.")
@click.option(
    "--plot",
    type=click.Path(path_type=Path),
    callback=writable_file,
    help="Write an interactive HTML chart.",
)
@click.option("--robustness", is_flag=True, help="Show how often each candidate is chosen.")
@solver_options
@progress_option
@output_options
def frontier(
    instance: Path | None,
    mandate: Path | None,
    scenarios: Path | None,
    key: str,
    start: float,
    stop: float,
    points: int,
    plot: Path | None,
    robustness: bool,
    time_limit: float | None,
    gap: float | None,
    progress: bool | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Trade-off curve: solve with KEY at POINTS values from --from to --to, in one warm Session.

    Each point's change from the previous one is marked significant only when it exceeds what
    the two plans' MIP gaps leave open."""
    inst, mand = load_inputs(instance, mandate, scenarios=scenarios)
    with progress_bar(f"frontier over {key}", points, progress) as advance:
        table = solve_frontier(
            inst, mand, key, start, stop, points, time_limit=time_limit, gap=gap, progress=advance
        )
    if plot is not None:
        plot_frontier(table, key, str(plot))
    if robustness:
        table = robustness_table(table, inst)
    write_table(table, f"Frontier over {key}", fmt, output)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@mandate_option
@scenarios_option
@click.option(
    "--workers", type=int, default=2, show_default=True, help="Local Dask workers (0: in process)."
)
@click.option("--scheduler", help="Address of a running dask.distributed scheduler.")
@click.option("--robustness", is_flag=True, help="Show how often each candidate is chosen.")
@progress_option
@output_options
@click.pass_context
def sweep(
    ctx: click.Context,
    paths: tuple[Path, ...],
    mandate: Path | None,
    scenarios: Path | None,
    workers: int,
    scheduler: str | None,
    robustness: bool,
    progress: bool | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Solve every variant of a grid file in parallel on Dask. PATHS is [INSTANCE] GRID.yaml.

    A variant that fails is reported with its error (exit 2) and the others are still solved."""
    instance, grid = split_paths(paths, "GRID.yaml")
    inst, mand = load_inputs(instance, mandate, scenarios=scenarios)
    variants = load_grid(resolve_file(grid, "whatif"))
    with progress_bar("sweep", len(variants), progress) as advance:
        table = run_sweep(
            inst, mand, variants, workers=workers, scheduler=scheduler, progress=advance
        )
    exit_code = failures(table)
    if robustness:
        table = robustness_table(table, inst)
    write_table(table, f"Sweep of {len(variants)} variants", fmt, output)
    ctx.exit(exit_code)


@main.command(name="list")
def list_bundled() -> None:
    """The bundled instances, mandates and what-if files, by the names commands take."""
    rows = []
    for kind, (folder, suffix) in BUNDLED_KINDS.items():
        for name in bundled_names(kind):
            path = bundled(f"{folder}/{name}{suffix}")
            rows.append({"kind": kind, "name": name, "what": _headline(path)})
    show(
        [frame_table(pd.DataFrame(rows), "Bundled inputs (use the name, e.g. -m defense-first)")],
        None,
    )


def _headline(path: Path) -> str:
    """The first line a bundled input says about itself: an instance's description, a file's
    first comment line."""
    if path.is_dir():
        description = str((read_yaml(path / "instance.yaml") or {}).get("description", ""))
        first = description.strip().split(". ")[0]
        return first if len(first) <= 100 else first[:99] + "…"
    for line in path.read_text(encoding="utf-8").splitlines():
        text = line.strip()
        if text.startswith("#") and text.strip("# "):
            return text.lstrip("# ").strip()
    return ""


@main.command()
@problem_inputs
@click.option(
    "--count", type=int, default=3, show_default=True, help="Number of alternatives to find."
)
@click.option(
    "--slack",
    type=float,
    default=0.01,
    show_default=True,
    help="Share of the optimum's objective an alternative may give up.",
)
@click.option(
    "--toward",
    default="",
    metavar="IDS",
    help="Comma-separated sub-area ids whose capital the alternatives also raise.",
)
@solver_options
@output_options
@click.pass_context
def alternatives(
    ctx: click.Context,
    problem: Problem,
    count: int,
    slack: float,
    toward: str,
    time_limit: float | None,
    gap: float | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Near-optimal plans: COUNT plans within SLACK of the optimum, each as different as possible
    from the optimum and from one another, with what each changes and costs."""
    sub_areas = [s.strip() for s in toward.split(",") if s.strip()]
    with progress_bar("alternatives", count + 1) as advance:
        found = find_alternatives(
            problem.instance,
            problem.mandate,
            count=count,
            slack=slack,
            toward=sub_areas,
            time_limit=time_limit,
            gap=gap,
            progress=advance,
        )
    if fmt == "json":
        emit(found.to_json() + "\n", output)
    elif fmt == "csv":
        emit(found.to_frame().to_csv(index=False), output)
    else:
        show(alternatives_renderables(found, count), output)
    ctx.exit(EXIT_CODES[found.optimum.status])


@main.command()
@click.argument("plan_file", type=click.Path(path_type=Path))
@problem_inputs
@click.option(
    "--compare",
    "compare_file",
    type=click.Path(path_type=Path),
    help="Another plan JSON: the report shows how it differs from PLAN_FILE.",
)
@click.option(
    "--alternatives",
    "alternatives_file",
    type=click.Path(path_type=Path),
    help="Near-optimal alternatives JSON (`allocator alternatives --format json`).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "pdf"]),
    help="html, or pdf through headless Chromium [default: from the -o suffix, else html].",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    callback=writable_file,
    help="Report file [default: PLAN_FILE with .html or .pdf].",
)
def report(
    plan_file: Path,
    problem: Problem,
    compare_file: Path | None,
    alternatives_file: Path | None,
    fmt: str | None,
    output: Path | None,
) -> None:
    """Write the committee report of PLAN_FILE: one self-contained HTML file, or its PDF.

    Marginal values of the binding limits are computed when the plan has none.
    """
    plan = load_plan(plan_file)
    inputs = ReportInputs(
        plan,
        problem.instance,
        problem.mandate,
        compare=load_plan(compare_file) if compare_file else None,
        compare_label=compare_file.stem if compare_file else "",
        alternatives=(
            load_json(alternatives_file, Alternatives, "an alternatives")
            if alternatives_file
            else None
        ),
    )  # checks every plan's investments against the instance before any solve
    if plan.found and plan.binding and all(b.dual is None for b in plan.binding):
        binding = marginal_values(problem.instance, problem.mandate, plan)
        inputs = dataclasses.replace(inputs, plan=plan.model_copy(update={"binding": binding}))
    target = output or plan_file.with_suffix("." + (fmt or "html"))
    written = write_report(inputs, target, report_format(target, fmt))
    click.echo(f"wrote {written}", err=True)
