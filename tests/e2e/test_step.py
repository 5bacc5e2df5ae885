"""The Step-by-step page in a real browser: Next moves the step, its arrow and the URL."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from tests.e2e.conftest import assert_no_exception, open_page, wait_idle

STEP_CHART = ".st-key-step_chart .js-plotly-plot"

# The step figure as plotly holds it: its title and the solid step arrow (the widest one).
STEP_SHOWN = """(selector) => {
    const gd = document.querySelector(selector);
    const arrows = (gd.layout.annotations || []).filter(a => a.showarrow);
    const step = arrows.reduce((a, b) => (b.arrowwidth > a.arrowwidth ? b : a));
    return {title: gd.layout.title.text, from: [step.ax, step.ay], to: [step.x, step.y]};
}"""


def shown(page) -> dict:
    page.wait_for_selector(STEP_CHART, timeout=30_000)
    return page.evaluate(STEP_SHOWN, STEP_CHART)


def test_next_and_previous_move_the_step_and_its_arrow(page, app_url):
    open_page(page, app_url)  # the entry page first: it sets up st.navigation for the server
    open_page(page, f"{app_url}/step?steps=50")
    assert_no_exception(page)
    assert "Step by step" in page.locator("h1").first.inner_text()
    first = shown(page)
    assert "Step 1 of 50" in first["title"]
    page.get_by_role("button", name="Next ▶").click()
    wait_idle(page)
    page.get_by_role("button", name="Next ▶").click()
    wait_idle(page)
    third = shown(page)
    assert "Step 3 of 50" in third["title"]
    assert third["from"] != first["from"] and third["to"] != first["to"]
    assert parse_qs(urlparse(page.url).query)["step_t"] == ["3"]
    assert "t = 3" in page.get_by_text("This step, t = 3").inner_text()
    page.get_by_role("button", name="◀ Previous").click()
    wait_idle(page)
    assert "Step 2 of 50" in shown(page)["title"]
    assert shown(page)["to"] == third["from"]  # θ₂ ends step 2 and starts step 3
    assert_no_exception(page)


COMPARE = ".st-key-step_compare"


def chosen_comparison(page) -> str:
    return page.locator(COMPARE).get_by_role("radio", checked=True).inner_text().strip()


def test_the_comparison_follows_the_optimizer_and_a_choice_lands_in_the_url(page, app_url):
    open_page(page, f"{app_url}/step?steps=50")
    assert_no_exception(page)
    # Adam (the default optimizer) opens on its own comparison.
    assert chosen_comparison(page) == "Adam: bias correction"
    assert parse_qs(urlparse(page.url).query).get("step_compare", ["bias_correction"]) == [
        "bias_correction"
    ]
    page.locator(COMPARE).get_by_role("radio", name="AdaGrad vs RMSProp: the cache").click()
    page.wait_for_function("() => location.search.includes('step_compare=cache')", timeout=15_000)
    wait_idle(page)
    assert chosen_comparison(page) == "AdaGrad vs RMSProp: the cache"
    assert_no_exception(page)
    # The link reopens the chosen comparison, not the optimizer's own.
    url = page.url
    open_page(page, url)
    assert chosen_comparison(page) == "AdaGrad vs RMSProp: the cache"
    # An optimizer with another comparison of its own opens on it.
    open_page(page, f"{app_url}/step?steps=50&step_opt=momentum")
    assert chosen_comparison(page) == "Nesterov: two forms"
    assert_no_exception(page)
