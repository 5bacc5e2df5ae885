"""The repository's promises: CI runs the README's test command, and the layers stay apart."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _bash_blocks(text: str) -> list[str]:
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def test_readme_has_exactly_two_setup_commands_and_ci_runs_the_test_one():
    setup = ROOT.joinpath("README.md").read_text().split("## Set up", 1)[1].split("\n## ", 1)[0]
    blocks = _bash_blocks(setup)
    assert len(blocks) == 2, blocks
    run_app, run_tests = blocks
    assert run_app.endswith("streamlit run app.py")
    assert "pytest" in run_tests
    assert run_tests in ROOT.joinpath(".ci/run").read_text()


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_layers_import_only_what_they_may():
    forbidden = {
        "optim_core": {"streamlit", "plotly", "torch"},
        "surfaces": {"streamlit", "plotly", "torch"},
        "viz": {"streamlit", "torch"},
    }
    for package, banned in forbidden.items():
        files = list(ROOT.joinpath(package).rglob("*.py"))
        assert files, package
        for f in files:
            assert not (_imports(f) & banned), f"{f} imports {_imports(f) & banned}"


def test_no_eval_of_user_text():
    for f in ROOT.joinpath("surfaces").rglob("*.py"):
        tree = ast.parse(f.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute):
                name = node.func.id if isinstance(node.func, ast.Name) else node.func.attr
                assert name not in {"eval", "exec", "sympify", "parse_expr"}, f"{f}: {name}"


def test_torch_is_not_a_dependency():
    for req in ("requirements.txt", "requirements-dev.txt"):
        lines = ROOT.joinpath(req).read_text().lower().splitlines()
        assert not [ln for ln in lines if ln.split("#")[0].strip().startswith("torch")]


# The floors, bottom up: a package imports only the packages below it (pages: everything).
FLOORS = ("surfaces", "optim_core", "teach", "viz", "webapp", "lessons", "app_pages")


def _imported_modules(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names imported from it) for each absolute import of ``path``."""
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out += [(a.name, []) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.module, [a.name for a in node.names]))
    return out


def test_every_arrow_points_down_and_no_package_imports_another_ones_private_names():
    for floor, package in enumerate(FLOORS):
        for f in ROOT.joinpath(package).rglob("*.py"):
            for module, names in _imported_modules(f):
                top, *rest = module.split(".")
                if top not in FLOORS or top == package:
                    continue
                assert FLOORS.index(top) < floor, f"{f} imports {module}, a floor above"
                private = [n for n in [*rest, *names] if n.startswith("_")]
                assert not private, f"{f} imports {module}: {private}, private to {top}"


def test_app_pages_holds_pages_only_and_every_page_is_registered():
    from webapp.pages import PAGES

    scripts = {p.script for p in PAGES}
    on_disk = {f"app_pages/{f.name}" for f in ROOT.joinpath("app_pages").glob("*.py")}
    assert on_disk - {"app_pages/__init__.py"} == scripts


def test_no_module_of_the_app_is_over_500_lines():
    """A file that grows past this is doing two jobs: split it by what each part does."""
    for package in (*FLOORS, "bench"):
        for f in ROOT.joinpath(package).rglob("*.py"):
            lines = len(f.read_text().splitlines())
            assert lines <= 500, f"{f.relative_to(ROOT)} has {lines} lines"
