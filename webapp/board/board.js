// The Race's board: the race figure drawn by plotly.js, and the learning-rate scrubber.
//
// The server sends (as JSON bytes) the figure, the family of runs along each optimizer's
// learning-rate slider (``webapp/family.py``) and which optimizer's settings are open. Moving
// the scrubber swaps that optimizer's path, dot, × and legend entry for the family member at
// the new stop, with no round trip; releasing it (or a pause in arrow keys) sends the value,
// and the server's next figure, for that same value, replaces this one.

const SEND_AFTER_MS = 350; // a pause in arrow keys this long sends the value
const KEEP_LOCAL_MS = 1500; // a figure arriving this soon after a local move keeps the move
const NARROW_PX = 560; // a plot narrower than this (a phone): speed buttons on a row of their own
const SECOND_ROW_PX = 40;
const ROW_PX = 40; // a scrubber's row under the plot
const MIN_PLOT_PX = 480;

// Fit the figure to the hand and the screen it is on, before it is drawn.
// Touch: the page scrolls under a finger, the plot never pans or zooms (fixed axes, no drag
// mode, no mode bar), and a tap is a click (a new start). Narrow: the speed buttons move to a
// row of their own under ▶ Play, and a plot that is not presented is as tall as it is wide.
function fitted(figure, config, gd, present) {
  const layout = { ...figure.layout };
  const touch = window.matchMedia("(pointer: coarse)").matches;
  if (touch) {
    layout.dragmode = false;
    layout.xaxis = { ...layout.xaxis, fixedrange: true };
    layout.yaxis = { ...layout.yaxis, fixedrange: true };
    config = { ...config, displayModeBar: false, scrollZoom: false, doubleClick: false };
  }
  const width = gd.clientWidth || window.innerWidth;
  const menus = layout.updatemenus || [];
  if (width < NARROW_PX && menus.length > 1) {
    const speed = menus[1];
    layout.updatemenus = [
      menus[0],
      { ...speed, x: 0, xanchor: "left", pad: { ...speed.pad, t: speed.pad.t + SECOND_ROW_PX } },
      ...menus.slice(2),
    ];
    layout.sliders = (layout.sliders || []).map((s) => ({
      ...s,
      pad: { ...s.pad, t: s.pad.t + SECOND_ROW_PX },
    }));
    const margin = layout.margin || {};
    layout.margin = { ...margin, b: (margin.b || 0) + SECOND_ROW_PX };
    if (!present) {
      const m = layout.margin;
      layout.height = Math.round(width - (m.l || 0) - (m.r || 0) + (m.t || 0) + (m.b || 0));
    }
  } else if (!present && layout.height) {
    // A laptop: the step slider and the scrubbers in sight under the plot, on the first screen.
    const main = document.querySelector('[data-testid="stMain"]');
    const top = gd.getBoundingClientRect().top + (main ? main.scrollTop : window.scrollY);
    const last = window.__dlFamiliesLatest; // its rows: most likely as many as the last time
    const rows = Math.min(3, Math.max(1, (last && last.rows && last.rows.length) || 1));
    const room = window.innerHeight - top - rows * ROW_PX - 24;
    layout.height = Math.round(Math.max(MIN_PLOT_PX, Math.min(layout.height, room)));
  }
  return { layout, config, touch };
}


function floats(spec) {
  if (!spec || !spec.bdata) return spec || [];
  const raw = atob(spec.bdata);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return Array.from(new Float32Array(bytes.buffer));
}

function fmt(v) {
  return Number(v.toPrecision(6)).toString();
}

function traceIndex(gd, meta) {
  return gd.data.findIndex((t) => t.meta === meta);
}

// Every path whole: the last frame of the reveal (scrubbing is exploring, not predicting).

async function showWhole(Plotly, gd, board) {
  if (board.whole || !board.lastFrame) return;
  board.whole = true;
  gd.__dlWhole = true; // and on the figures that follow, until ▶ Play
  await Plotly.animate(gd, [board.lastFrame], INSTANT);
}

// One optimizer's run at stop ``k`` of its family, swapped into its path, dot and ×.
function runUpdate(gd, board, opt, m, traces, data) {
  const path = traceIndex(gd, `path-${opt}`);
  const dot = traceIndex(gd, `dot-${opt}`);
  const mark = traceIndex(gd, `diverged-${opt}`);
  if (path < 0 || dot < 0) return null;
  if (!m.xs) {
    m.xs = floats(m.x);
    m.ys = floats(m.y);
  }
  const n = (gd._fullData[dot] && gd._fullData[dot].x.length) || 1; // decoded: data may be base64
  traces.push(path, dot);
  data.push({ x: m.xs, y: m.ys }, { x: Array(n).fill(m.end[0]), y: Array(n).fill(m.end[1]) });
  if (mark >= 0) {
    traces.push(mark);
    data.push(m.mark ? { x: [m.mark[0]], y: [m.mark[1]] } : { x: [], y: [] });
  }
  return [dot, board.crowded ? m.short : m.label];
}

// The surface at stop ``k`` of its parameter's family: its contour, the start and every run.
async function drawSurface(Plotly, gd, board, row, k) {
  const m = board.families[row.family].members[k];
  await showWhole(Plotly, gd, board);
  if (gd.layout.images && gd.layout.images[0] && gd.layout.images[0].source !== m.image) {
    await Plotly.relayout(gd, { "images[0].source": m.image });
  }
  const traces = [];
  const data = [];
  const labels = Object.entries(m.runs).map(([opt, run]) =>
    runUpdate(gd, board, opt, run, traces, data));
  const start = gd.data.findIndex((t) => t.name === "start");
  if (start >= 0) {
    traces.push(start);
    data.push({ x: [m.start[0]], y: [m.start[1]] });
  }
  await Plotly.animate(gd, { data, traces }, INSTANT);
  for (const label of labels) if (label) relabel(gd, label[0], label[1]);
}

async function draw(Plotly, gd, board, row, k) {
  const family = board.families[row.family];
  if (!family) return;
  if (row.kind === "surface") {
    await drawSurface(Plotly, gd, board, row, k);
    return;
  }
  await showWhole(Plotly, gd, board);
  const traces = [];
  const data = [];
  const label = runUpdate(gd, board, row.opt, family.members[k], traces, data);
  if (!label) return;
  // The traces' SVG redrawn in place (a few hundred microseconds); where that cannot be (an ×
  // appears or goes), an animation frame of zero duration, which redraws only these traces
  // (a restyle recomputes and redraws the whole figure: 4× slower with 14 optimizers).
  if (!redrawInPlace(gd, traces, data)) await Plotly.animate(gd, { data, traces }, INSTANT);
  relabel(gd, label[0], label[1]);
  gd.dispatchEvent(new CustomEvent("dl-drawn", { detail: { opt: row.opt, k } }));
}

// Set the drawn SVG of ``traces`` to ``data`` without plotly.js: a line trace's path, a marker
// trace's points (as many as it has). The figure's data take the same values, so any later
// redraw agrees. False, with nothing changed, where the drawing has not the shape to take them.
function redrawInPlace(gd, traces, data) {
  const layout = gd._fullLayout;
  const xa = layout && layout.xaxis;
  const ya = layout && layout.yaxis;
  if (!xa || !ya || typeof xa.l2p !== "function") return false;
  const edits = [];
  for (let j = 0; j < traces.length; j++) {
    const full = gd._fullData[traces[j]];
    const group = full && gd.querySelector(`.trace${full.uid}`);
    if (!group) return false;
    const { x, y } = data[j];
    if (full.mode === "lines") {
      const line = group.querySelector("path.js-line");
      if (!line || x.length < 2) return false;
      const points = [];
      for (let k = 0; k < x.length; k++) {
        const px = xa.l2p(x[k]);
        const py = ya.l2p(y[k]);
        if (Number.isFinite(px) && Number.isFinite(py)) points.push(`${px.toFixed(2)},${py.toFixed(2)}`);
      }
      edits.push(() => line.setAttribute("d", `M${points.join("L")}`));
    } else {
      const marks = group.querySelectorAll("path.point");
      if (marks.length !== x.length) return false;
      edits.push(() => marks.forEach((mark, k) => {
        mark.setAttribute("transform", `translate(${xa.l2p(x[k])},${ya.l2p(y[k])})`);
      }));
    }
  }
  for (const edit of edits) edit();
  traces.forEach((i, j) => {
    gd.data[i].x = data[j].x;
    gd.data[i].y = data[j].y;
  });
  return true;
}

// The legend entry of trace ``index`` renamed in place (an animation does not redraw the
// legend); the figure's data say the same, so a later redraw keeps it.
function relabel(gd, index, label) {
  const old = gd.data[index].name;
  if (old === label) return;
  gd.data[index].name = label;
  if (gd._fullData[index]) gd._fullData[index].name = label;
  for (const text of gd.querySelectorAll(".legend .legendtext")) {
    if (text.textContent === old) text.textContent = label;
  }
}

// One scrubber row: "● Adam: learning rate α [range] 0.05 [Use suggested α 0.02]".
function scrubRow(row, family, send) {
  const values = family ? family.values : row.values;
  const div = document.createElement("div");
  div.className = "dl-row";
  const dot = document.createElement("span");
  dot.className = "dl-dot";
  dot.setAttribute("aria-hidden", "true");
  dot.textContent = "●";
  dot.style.color = row.color;
  const id = `dl-${row.family.replace(/[^a-z0-9]/gi, "-")}`;
  const label = document.createElement("label");
  label.htmlFor = id;
  label.append(dot, `${row.name}: ${row.label}`);
  const range = document.createElement("input");
  range.type = "range";
  range.id = id;
  range.min = 0;
  range.max = values.length - 1;
  range.step = 1;
  range.style.accentColor = row.color;
  range.setAttribute("aria-label", `${row.name} ${row.label}`);
  const output = document.createElement("output");
  output.htmlFor = id;
  const slot = document.createElement("span"); // "use suggested", when it applies
  slot.className = "dl-slot";
  div.append(label, range, output, slot);
  if (row.suggested !== null && row.suggested !== undefined) {
    const list = document.createElement("datalist");
    list.id = `${id}-suggested`;
    const option = document.createElement("option");
    option.value = row.suggested;
    list.appendChild(option);
    range.setAttribute("list", list.id);
    div.appendChild(list);
    if (row.suggested !== row.index) {
      const suggest = document.createElement("button");
      suggest.type = "button";
      suggest.className = "dl-suggest";
      suggest.textContent = `Use suggested ${row.symbol} ${fmt(values[row.suggested])}`;
      suggest.onclick = () => send("suggest", row.opt);
      slot.appendChild(suggest);
    }
  }
  const show = (k) => {
    range.value = k;
    output.textContent = fmt(values[k]);
    range.setAttribute("aria-valuetext", `${row.symbol} ${fmt(values[k])}`);
  };
  show(row.index);
  return { div, range, show, family, values, row };
}

// The scrubbers of the board's figure, from the latest families message carrying its token
// (``families.js``); none until it has come.
function attach(root) {
  const board = root.__dlBoard;
  const Plotly = root.__dlPlotly;
  const message = window.__dlFamiliesLatest;
  const bar = root.querySelector(".dl-scrub");
  const note = root.querySelector(".dl-note");
  if (!board || !Plotly || !message || message.token !== board.token) {
    bar.hidden = true;
    return;
  }
  if (root.__dlAttached === message && root.__dlAttachedTo === board) return;
  root.__dlAttached = message;
  root.__dlAttachedTo = board;
  const gd = root.querySelector(".dl-plot");
  board.families = message.families;
  board.crowded = message.crowded;
  note.textContent = message.why || "";
  note.hidden = !message.why;
  const send = (event, value) => root.__dlSend(event, value);
  const rows = (message.rows || [])
    .filter((row) => board.families[row.family] || row.values)
    .map((row) => scrubRow(row, board.families[row.family], send));
  const focused = document.activeElement && bar.contains(document.activeElement)
    ? document.activeElement.id
    : null;
  bar.querySelector(".dl-rows").replaceChildren(...rows.map((r) => r.div));
  if (focused) {
    // The hand stays on its slider when the rows are rebuilt (a new figure, a family arrived).
    const again = rows.find((r) => r.range.id === focused);
    if (again) again.range.focus({ preventScroll: true });
  }
  bar.hidden = rows.length === 0;
  bar.querySelector(".dl-tune").onclick = () => send("tune", true);
  for (const scrub of rows) {
    const local = root.__dlLocal;
    if (local && local.family === scrub.row.family && Date.now() - local.at < KEEP_LOCAL_MS &&
        local.k !== scrub.row.index) {
      scrub.show(local.k);
      draw(Plotly, gd, board, scrub.row, local.k);
    }
    let timer = null;
    scrub.range.oninput = () => {
      const k = Number(scrub.range.value);
      root.__dlLocal = { family: scrub.row.family, k, at: Date.now() };
      scrub.show(k);
      draw(Plotly, gd, root.__dlBoard, scrub.row, k);
    };
    // Whole paths as soon as the hand reaches for the slider, so a key or a drag only swaps one;
    // a family sent only on demand (the surface's) is asked for then, once.
    scrub.range.onfocus = () => {
      showWhole(Plotly, gd, root.__dlBoard);
      if (!scrub.family && !root.__dlWanted) {
        root.__dlWanted = true;
        send("want", scrub.row.family);
      }
    };
    scrub.range.onpointerdown = scrub.range.onfocus;
    scrub.range.onchange = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const value = scrub.values[Number(scrub.range.value)];
        const { kind, opt, param } = scrub.row;
        send("release", { kind: kind || "optimizer", opt, param, value });
      }, SEND_AFTER_MS);
    };
  }
}

export default function (component) {
  const { parentElement, data, setTriggerValue } = component;
  const root = parentElement.querySelector(".dl-board");
  const gd = root.querySelector(".dl-plot");
  const board = parse(data);
  root.__dlSend = setTriggerValue;
  let stale = false;

  (async () => {
    let Plotly;
    try {
      Plotly = await loadPlotly(board.plotly_src);
    } catch (error) {
      root.querySelector(".dl-note").textContent = String(error);
      root.querySelector(".dl-note").hidden = false;
      return;
    }
    if (stale) return;
    const figure = board.figure;
    const fit = fitted(figure, board.config, gd, board.present);
    gd.style.height = fit.layout.height ? `${fit.layout.height}px` : board.height;
    board.lastFrame = figure.frames && figure.frames.length
      ? figure.frames[figure.frames.length - 1].name
      : null;
    board.whole = false;
    await Plotly.react(gd, {
      data: figure.data,
      layout: fit.layout,
      frames: figure.frames || [],
      config: fit.config,
    });
    if (stale) return;
    root.__dlBoard = board;
    if (gd.__dlWhole) await showWhole(Plotly, gd, board);
    if (!gd.__dlClicks) {
      gd.__dlClicks = true;
      gd.on("plotly_buttonclicked", () => {
        gd.__dlWhole = false;
      });
      gd.on("plotly_click", (event) => {
        const point = (event.points || []).find((p) => p.curveNumber === 0);
        if (point) root.__dlSend("click", { x: point.x, y: point.y });
      });
    }
    root.__dlPlotly = Plotly;
    if (!root.__dlListening) {
      root.__dlListening = true;
      window.addEventListener("descent-lab-families", () => attach(root));
    }
    attach(root);
  })();

  return () => {
    stale = true;
  };
}
