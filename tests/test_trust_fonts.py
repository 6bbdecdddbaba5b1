"""Issue 25, item 4: figures draw labels in any script the machine has fonts for (a fallback list) and
name once, without a matplotlib warning, the characters no installed font has. No extra font is needed
to run these: they test the fallback logic, not a particular font. Only what matplotlib draws needs this (the
decision boundary, the compare overlays): the run's curves and confusion matrix are SVG text, which the browser
draws with whatever font it has for each character."""

from minimlp.report import fonts


def test_the_fallback_list_is_the_installed_fallbacks_in_order(monkeypatch):
    monkeypatch.setattr(fonts, "installed_families",
                        lambda: {"WenQuanYi Zen Hei", "DejaVu Sans", "Noto Sans CJK JP", "Comic Sans"})
    fonts.families.cache_clear()
    try:
        assert fonts.families() == ["DejaVu Sans", "Noto Sans CJK JP", "WenQuanYi Zen Hei"]
    finally:
        fonts.families.cache_clear()


def test_a_character_is_drawable_when_any_family_in_the_list_has_it(monkeypatch):
    charmaps = {"DejaVu Sans": frozenset(map(ord, "abc")), "Noto Sans CJK JP": frozenset(map(ord, "猫"))}
    monkeypatch.setattr(fonts, "families", lambda: ["DejaVu Sans", "Noto Sans CJK JP"])
    monkeypatch.setattr(fonts, "_charmap", lambda family: charmaps[family])
    assert fonts.drawable("a") and fonts.drawable("猫") and not fonts.drawable("犬")


def test_a_label_no_font_has_is_noted_once_without_a_matplotlib_warning(monkeypatch):
    from minimlp.report import figures

    # pretend the machine has no font for these two, whatever is installed (pytest turns warnings into errors)
    real = fonts.drawable
    monkeypatch.setattr(fonts, "drawable", lambda c: c not in "猫犬" and real(c))
    fonts.MISSING.clear()
    curve = {"epoch": [1, 2], "train_loss": [1.0, 0.5], "val_loss": [1.1, 0.6]}
    svg = figures.save(figures.overlay({"猫": curve, "犬": curve}, "loss"))  # matplotlib draws the legend's glyphs
    assert svg.startswith(b"<?xml") or b"<svg" in svg
    assert {"猫", "犬"} <= fonts.MISSING
    note = fonts.missing_note()
    assert note.startswith("note: no font on this machine has") and "猫" in note and "fonts-noto-cjk" in note
    assert fonts.missing_note() is None  # said once


def test_a_run_with_labels_no_font_has_says_so_once_on_stderr(tmp_path):
    import subprocess
    import sys

    rows = "".join(f"{i % 7},{(i * 3) % 5},{'ねこ' if i % 2 else 'いぬ'}\n" for i in range(60))
    (tmp_path / "t.csv").write_text("u,v,y\n" + rows, encoding="utf-8")
    (tmp_path / "c.yaml").write_text("data:\n  dataset: csv\n  path: t.csv\nmodel:\n  hidden: [4]\n"
                                     "train:\n  epochs: 2\n")
    if all(fonts.drawable(c) for c in "ねこいぬ"):
        import pytest

        pytest.skip("this machine has a font with these characters: nothing is missing")
    done = subprocess.run([sys.executable, "-W", "error::UserWarning", "-m", "minimlp", "train", "c.yaml",
                           "--out", "run", "-q"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("note: no font on this machine has") == 1
    assert "Glyph" not in done.stderr and "Warning" not in done.stderr
