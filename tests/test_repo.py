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
