"""``netgraph evolve`` and ``netgraph render CHECKPOINT``: a NEAT run from the command
line, its files read back (checkpoint loads and continues, champion JSON loads and
computes what the champion genome computes, SVG parses, the page embeds the run)."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

import netgraph.neat as neat
from netgraph import Network

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "tests" / "fixtures" / "neat" / "xor-config-feedforward"


def netgraph(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "netgraph", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600, check=False)


def test_evolve_writes_the_run_and_render_draws_it(tmp_path):
    run = netgraph("evolve", "--config", str(CONFIG), "--task", "xor", "--generations", "30",
                   "--seed", "3", "-o", "run/", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    folder = tmp_path / "run"
    assert {p.name for p in folder.iterdir()} == {"checkpoint.json", "champion.json",
                                                  "champion.svg", "evolution.html"}
    pop = neat.Population.load(folder / "checkpoint.json")
    assert 1 <= len(pop.history) <= 30
    # the champion file computes what the run's best genome computes
    champion = Network.load(folder / "champion.json")
    for x in ([0, 0], [0, 1], [1, 0], [1, 1]):
        assert np.allclose(champion.activate(x), pop.best.network.activate(x), atol=1e-12)
    svg = ET.parse(folder / "champion.svg").getroot()
    assert svg.tag.endswith("svg")
    page = (folder / "evolution.html").read_text()
    data = json.loads(page.split('id="netgraph-data">', 1)[1].split("</script>", 1)[0])
    assert data["evolution"]["generations"] == [r.generation for r in pop.history]

    drawn = netgraph("render", "run/checkpoint.json", "-o", "evolution.html", cwd=tmp_path)
    assert drawn.returncode == 0, drawn.stderr
    again = (tmp_path / "evolution.html").read_text()
    assert json.loads(again.split('id="netgraph-data">', 1)[1].split("</script>", 1)[0])[
        "evolution"] == data["evolution"]
    picture = netgraph("render", "run/checkpoint.json", "-o", "champion.dot", cwd=tmp_path)
    assert picture.returncode == 0, picture.stderr
    assert "digraph" in (tmp_path / "champion.dot").read_text()


def test_evolve_refuses_a_config_for_another_task(tmp_path):
    run = netgraph("evolve", "--config", str(CONFIG), "--task", "multiplexer",
                   "--generations", "2", "-o", "run", cwd=tmp_path)
    assert run.returncode == 1
    assert "num_inputs = 2" in run.stderr and "multiplexer has 11 inputs" in run.stderr
    assert not (tmp_path / "run").exists()


def test_render_names_a_broken_checkpoint(tmp_path):
    bad = tmp_path / "checkpoint.json"
    bad.write_text('{"format": "netgraph-neat-checkpoint", "version": 99}')
    run = netgraph("render", str(bad), "-o", str(tmp_path / "x.html"), cwd=tmp_path)
    assert run.returncode == 1
    assert run.stderr.startswith(f"netgraph: error: {bad}")
    assert not (tmp_path / "x.html").exists()


def test_evolve_without_a_config_runs_the_papers_settings_for_the_task(tmp_path):
    # the double pole feeds the bias input itself: its preset gives nodes no bias, which
    # plain Config.paper (XOR's settings) would
    run = netgraph("evolve", "--task", "doublepole", "--generations", "1", "--seed", "1",
                   "-o", "run", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    pop = neat.Population.load(tmp_path / "run" / "checkpoint.json")
    assert pop.config == neat.tasks.DoublePole.config(True)
    assert pop.config != neat.Config.paper(7, 1)
