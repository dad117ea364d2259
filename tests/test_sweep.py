"""Frontiers, parallel sweeps on Dask and the robustness of a selection."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml
from helpers import cand, instance, invoke, write_case

from allocator import Mandate
from allocator.analysis.frontier import frontier
from allocator.analysis.robustness import robustness
from allocator.analysis.sweep import load_grid, sweep
from allocator.analysis.variants import Variant


def pipeline() -> list:
    return [
        cand(
            f"c{j}",
            ("s1", "s2", "s3")[j % 3],
            ticket=(10, 10 + 5 * j),
            r=0.2 + 0.1 * (j % 5),
            p=0.05 * (j % 8),
            years=(2026, 2028),
            lead=j % 6,
        )
        for j in range(12)
    ]


def base_mandate() -> Mandate:
    return Mandate.model_validate(
        {
            "budget": 200,
            "pacing": {"annual_max": 120},
            "pillars": {"p1": {"max_share": 0.6}},
            "risk": {"max_expected_loss_share": 0.15},
            "solver": {"mip_gap": 0},
        }
    )


def test_frontier_is_monotone_in_the_varied_limit():
    table = frontier(
        instance(pipeline()), base_mandate(), "risk.max_expected_loss_share", 0.02, 0.2, 6
    )
    assert list(table["status"]) == ["optimal"] * 6
    objectives = table["objective"].tolist()
    assert all(b >= a - 1e-6 for a, b in zip(objectives, objectives[1:], strict=False))
    assert objectives[-1] > objectives[0]
    assert (table["expected_loss"] <= table["risk.max_expected_loss_share"] * 200 + 1e-6).all()


VARIANTS = [
    Variant(name=f"cap {cap}", set={"pillars.p1.max_share": cap}) for cap in (0.3, 0.45, 0.6, 0.8)
]


def test_sweep_on_two_workers_equals_sequential():
    inst, mandate = instance(pipeline()), base_mandate()
    parallel = sweep(inst, mandate, VARIANTS, workers=2)
    sequential = sweep(inst, mandate, VARIANTS, workers=0)
    columns = ["name", "status", "objective", "committed", "deals", "investments"]
    pd.testing.assert_frame_equal(parallel[columns], sequential[columns])
    assert list(parallel["name"]) == [v.name for v in VARIANTS]


def test_broken_variant_is_reported_and_the_rest_complete():
    broken = [
        *VARIANTS[:2],
        Variant(name="broken", set={"pillars.nope.max_share": 0.2}),
        VARIANTS[2],
    ]
    table = sweep(instance(pipeline()), base_mandate(), broken, workers=2)
    assert list(table["status"]) == ["optimal", "optimal", "failed", "optimal"]
    assert "unknown pillar 'nope'" in table.loc[2, "error"]


def test_robustness_classes():
    inst = instance(pipeline())
    results = pd.DataFrame(
        {
            "status": ["optimal", "optimal", "failed", "optimal"],
            "investments": [{"c0": 10.0, "c1": 20.0}, {"c0": 30.0}, {}, {"c0": 20.0, "c2": 5.0}],
        }
    )
    table = robustness(results, inst, core=0.9).set_index("id")
    assert table.loc["c0", "class"] == "core" and table.loc["c0", "mean_amount"] == pytest.approx(
        20
    )
    assert table.loc["c1", "class"] == "contingent" and table.loc[
        "c1", "selected_share"
    ] == pytest.approx(1 / 3)
    assert table.loc["c5", "class"] == "never"
    assert list(table.index[:1]) == ["c0"]


def test_grid_file(tmp_path):
    grid = tmp_path / "grid.yaml"
    grid.write_text(
        yaml.safe_dump(
            {
                "grid": {"budget": [100, 200], "pillars.p1.max_share": [0.3, 0.5, 0.7]},
                "variants": [{"name": "x", "force_out": ["c0"]}],
            }
        )
    )
    variants = load_grid(grid)
    assert len(variants) == 7 and variants[0].name == "budget=100, pillars.p1.max_share=0.3"
    grid.write_text(yaml.safe_dump({"grid": {"budget": 5}}))
    with pytest.raises(Exception, match="non-empty list"):
        load_grid(grid)


def test_sweep_and_frontier_commands(tmp_path):
    folder, mandate_file = write_case(
        tmp_path, instance(pipeline()), base_mandate().model_dump(mode="json", exclude_none=True)
    )
    grid = tmp_path / "grid.yaml"
    grid.write_text(yaml.safe_dump({"grid": {"pillars.p1.max_share": [0.3, 0.6]}}))
    rows = json.loads(
        invoke(
            ["sweep", folder, grid, "-m", mandate_file, "--workers", "0", "--format", "json"], 0
        ).stdout
    )
    assert [r["status"] for r in rows] == ["optimal", "optimal"]
    robust = invoke(
        [
            "sweep",
            folder,
            grid,
            "-m",
            mandate_file,
            "--workers",
            "0",
            "--robustness",
            "--format",
            "csv",
        ],
        0,
    )
    assert (
        robust.stdout.splitlines()[0]
        == "id,name,pillar_id,sub_area_id,selected_share,mean_amount,class"
    )
    plot = tmp_path / "frontier.html"
    args = [
        "frontier",
        folder,
        "-m",
        mandate_file,
        "--vary",
        "budget",
        "--from",
        "50",
        "--to",
        "200",
        "--points",
        "3",
        "--plot",
        plot,
    ]
    assert "Frontier over budget" in invoke(args, 0).stdout
    assert "plotly" in plot.read_text()[:5000].lower()
    invoke(
        ["frontier", folder, "-m", mandate_file, "--vary", "budgetx", "--from", "1", "--to", "2"], 2
    )
