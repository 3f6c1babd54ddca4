"""Packaging: the distribution's own name and metadata, the license, and the schemas read as
package data wherever netgraph is installed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import jsonschema
import pytest

import netgraph
from netgraph import NetworkFormatError, _document, _schemas

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_distribution_has_its_own_name_and_metadata():
    project = PYPROJECT["project"]
    # "netgraph" on PyPI is an unrelated project that also installs a `netgraph` package
    assert project["name"] == "netgraph-nn"
    assert project["scripts"] == {"netgraph": "netgraph._cli:main"}
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE"]
    assert project["urls"]
    classifiers = project["classifiers"]
    assert "Typing :: Typed" in classifiers
    # with an SPDX license expression, license classifiers are deprecated (PEP 639)
    assert not [c for c in classifiers if c.startswith("License ::")]
    # an extra that names "netgraph" would install the unrelated project
    for extra, requirements in project["optional-dependencies"].items():
        for requirement in requirements:
            assert not re.match(r"netgraph\b(?!-nn)", requirement), (extra, requirement)
    assert project["version"] == netgraph.__version__


def test_license_file_is_mit():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "THE SOFTWARE IS PROVIDED \"AS IS\"" in text


def test_no_file_tells_users_to_pip_install_netgraph():
    offenders = []
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True).stdout.decode().split("\0")
    for path in (ROOT / name for name in tracked if name):
        if path == Path(__file__).resolve():
            continue
        if path.suffix not in (".md", ".py", ".ipynb", ".toml", ".txt", ".cfg") and \
                path.name not in ("bootstrap", "test", "check", "xor", "run"):
            continue
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        # `pip install netgraph` alone (or with extras) installs the unrelated project
        for m in re.finditer(r"pip install[^\n`]*?\bnetgraph(\[[^\]]*\])?(?=[\s`'\"]|$)", text):
            offenders.append(f"{path.relative_to(ROOT)}: {m.group(0)}")
    assert offenders == [], offenders


def test_schema_matches_the_models_and_validates_a_saved_network():
    s = netgraph.schema()
    assert s == _document.json_schema()
    assert s["$id"] == f"urn:netgraph:schema:network:v{_document.VERSION}"
    assert netgraph.schema(1)["$id"] == "urn:netgraph:schema:network:v1"
    from netgraph.architect import Perceptron

    document = json.loads(Perceptron(2, 3, 1, seed=0).to_json())
    jsonschema.Draft202012Validator(s).validate(document)


@pytest.mark.parametrize("version", [0, _document.VERSION + 1, "1", True, 1.0])
def test_schema_of_an_unknown_version_is_an_error(version):
    with pytest.raises(NetworkFormatError, match="no JSON Schema for format version"):
        netgraph.schema(version)


def test_schemas_are_read_from_the_package_when_it_carries_them(tmp_path):
    # An installed netgraph has its schemas inside the package (netgraph/schemas/), with no
    # checkout beside it: lay out such a copy and read the schema through it.
    package = tmp_path / "site" / "netgraph"
    shutil.copytree(ROOT / "netgraph", package, ignore=shutil.ignore_patterns("__pycache__"))
    if not (package / "schemas").is_dir():
        shutil.copytree(ROOT / "schemas", package / "schemas")
    marker = {"$id": "packaged copy"}
    (package / "schemas" / "netgraph-network-v1.schema.json").write_text(json.dumps(marker))
    code = ("import json, netgraph, netgraph._schemas as s; "
            "print(json.dumps([str(s.schema_file(1)), netgraph.schema(1), netgraph.__file__]))")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    where, value, module = json.loads(out.stdout)
    assert Path(module).parent == package
    assert Path(where) == package / "schemas" / "netgraph-network-v1.schema.json"
    assert value == marker


def test_schemas_fall_back_to_a_checkouts_folder():
    where = _schemas.schema_file(1)
    packaged = ROOT / "netgraph" / "schemas" / "netgraph-network-v1.schema.json"
    assert Path(str(where)) in (packaged, ROOT / "schemas" / "netgraph-network-v1.schema.json")
    assert json.loads(where.read_text(encoding="utf-8")) == netgraph.schema(1)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Build from a copy of the tracked files, as a fresh clone would (no build/ left over,
    # no compiled core in the tree).
    src = tmp_path_factory.mktemp("src")
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        target = src / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if os.path.islink(ROOT / name):
            target.symlink_to(os.readlink(ROOT / name))
        elif (ROOT / name).exists():
            shutil.copy2(ROOT / name, target)
    out = tmp_path_factory.mktemp("dist")
    # --no-build-isolation: this environment has the build's requirements (the test
    # extra), so no isolated one is set up for each build
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q",
                    "--no-build-isolation", "--disable-pip-version-check", "-w", str(out)],
                   check=True, capture_output=True)
    (built,) = out.glob("*.whl")
    return built


def test_the_wheel_carries_the_compiled_core_the_schemas_the_types_and_the_license(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert any(n.startswith("netgraph/_core.") and n.endswith((".so", ".pyd")) for n in names)
    assert "netgraph/py.typed" in names and "netgraph/_core.pyi" in names
    assert "netgraph/schemas/netgraph-network-v1.schema.json" in names
    assert [n for n in names if n.startswith("netgraph/page/")]  # the HTML page's parts
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert not [n for n in names if n.endswith((".c", ".h"))]  # sources stay in the sdist
    # built for baseline x86-64, its hot loops cloned for AVX2 and picked at load time
    assert not wheel.name.endswith("any.whl")


def test_the_installed_wheel_works_without_the_source_tree(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q",
                    "--disable-pip-version-check", "--target", str(site), str(wheel)],
                   check=True, capture_output=True)
    script = (
        "import importlib.resources, json, netgraph\n"
        f"assert netgraph.__file__.startswith({str(site)!r}), netgraph.__file__\n"
        "from netgraph.architect import Perceptron\n"
        "net = Perceptron(2, 3, 1, seed=1)\n"
        "net.train([([0, 0], [0]), ([0, 1], [1]), ([1, 0], [1]), ([1, 1], [0])],"
        " rate=0.3, iterations=20000, error=0)\n"
        "schema = importlib.resources.files('netgraph') / 'schemas'"
        " / 'netgraph-network-v1.schema.json'\n"
        "assert json.loads(schema.read_text())['$schema'].startswith('https://json-schema.org')\n"
        "print(' '.join(str(round(float(net.activate(x)[0]))) for x in"
        " ([0, 0], [0, 1], [1, 0], [1, 1])))\n")
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env,
                         capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "1", "1", "0"]


def test_a_machine_without_a_c_compiler_is_told_what_to_install(tmp_path):
    env = {**os.environ, "CC": str(tmp_path / "no-such-cc")}
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps",
                          "--no-build-isolation", "--disable-pip-version-check", "-w",
                          str(tmp_path)], env=env, capture_output=True, text=True)
    assert out.returncode != 0
    text = out.stdout + out.stderr
    assert "no working C compiler was found" in text, text[-2000:]
    assert "no-such-cc" in text and "apt-get install build-essential" in text
