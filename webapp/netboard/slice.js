// The Network page's random slice (one static plotly figure), drawn by the board's plotly.js
// (``loadPlotly``: one copy of plotly.js on the page, not Streamlit's own chart too), and only
// once it is in sight: it sits in a folded expander, and a plot drawn while hidden has no size.

export default function (component) {
  const { parentElement, data } = component;
  const root = parentElement.querySelector(".dl-net-slice");
  const gd = root.querySelector(".dl-net-slice-plot");
  const note = root.querySelector(".dl-net-note");
  const spec = parse(data);
  let stale = false;
  gd.style.height = `${spec.figure.layout.height || 420}px`;

  const draw = async () => {
    let Plotly;
    try {
      Plotly = await loadPlotly(spec.plotly_src);
    } catch (error) {
      note.textContent = String(error);
      note.hidden = false;
      return;
    }
    if (stale) return;
    const touch = window.matchMedia("(pointer: coarse)").matches;
    const config = touch
      ? { ...spec.config, displayModeBar: false, scrollZoom: false, doubleClick: false }
      : spec.config;
    const layout = { ...spec.figure.layout, autosize: true };
    delete layout.width;
    await Plotly.react(gd, { data: spec.figure.data, layout, config: { ...config, responsive: true } });
  };

  const seen = new IntersectionObserver((entries) => {
    if (!entries.some((entry) => entry.isIntersecting)) return;
    seen.disconnect();
    draw();
  });
  seen.observe(root);
  return () => {
    stale = true;
    seen.disconnect();
  };
}
