"""The repository stands on its own: its documents point only at files it holds."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def test_the_design_and_style_guide_are_in_the_repository():
    design = (ROOT / "docs" / "DESIGN.md").read_text()
    for heading in ("## Who uses it", "## Glossary", "## Rules that must hold", "## Architecture"):
        assert heading in design
    assert (ROOT / "docs" / "STYLE.md").exists()


def test_documents_link_only_to_files_in_the_repository():
    for document in DOCUMENTS:
        text = document.read_text()
        assert "../shared" not in text and "seeds/" not in text, document.name
        for target in re.findall(r"\]\(([^)#]+)\)", text):
            if not target.startswith(("http://", "https://")):
                assert (document.parent / target).resolve().is_relative_to(ROOT), target
                assert (document.parent / target).exists(), (document.name, target)


def test_the_readme_documents_where_make_run_serves():
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"^\| `HOST`, `PORT` \|", readme, re.M)
    assert "Kanban board of stages" not in readme
