// The Race's board: the race figure drawn by plotly.js, and the learning-rate scrubber.
//
// The server sends (as JSON bytes) the figure, the family of runs along each optimizer's
// learning-rate slider (``webapp/family.py``) and which optimizer's settings are open. Moving
// the scrubber swaps that optimizer's path, dot, × and legend entry for the family member at
// the new stop, with no round trip; releasing it (or a pause in arrow keys) sends the value,
// and the server's next figure, for that same value, replaces this one.

const SEND_AFTER_MS = 350; // a pause in arrow keys this long sends the value
const KEEP_LOCAL_MS = 1500; // a figure arriving this soon after a local move keeps the move

function loadPlotly(src) {
  if (!window.__descentLabPlotly) {
    window.__descentLabPlotly = new Promise((resolve, reject) => {
      if (window.Plotly) {
        resolve(window.Plotly);
        return;
      }
      const script = document.createElement("script");
      script.src = src;
      script.async = true;
      script.onload = () => resolve(window.Plotly);
      script.onerror = () => {
        window.__descentLabPlotly = null;
        reject(new Error(`plotly.js did not load from ${src}`));
      };
      document.head.appendChild(script);
    });
  }
  return window.__descentLabPlotly;
}

function parse(data) {
  if (data instanceof ArrayBuffer || ArrayBuffer.isView(data)) {
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    return JSON.parse(new TextDecoder().decode(bytes));
  }
  return typeof data === "string" ? JSON.parse(data) : data;
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

function member(family, k) {
  const m = family.members[k];
  if (!m.xs) {
    m.xs = floats(m.x);
    m.ys = floats(m.y);
  }
  return m;
}

// Every path whole: the last frame of the reveal (scrubbing is exploring, not predicting).
async function showWhole(Plotly, gd, board) {
  if (board.whole || !board.lastFrame) return;
  board.whole = true;
  gd.__dlWhole = true; // and on the figures that follow, until ▶ Play
  await Plotly.animate(gd, [board.lastFrame], {
    mode: "immediate",
    frame: { duration: 0, redraw: false },
    transition: { duration: 0 },
  });
}

async function draw(Plotly, gd, board, row, k) {
  const family = board.families[row.family];
  if (!family) return;
  const m = member(family, k);
  const opt = row.opt;
  await showWhole(Plotly, gd, board);
  const path = traceIndex(gd, `path-${opt}`);
  const dot = traceIndex(gd, `dot-${opt}`);
  const mark = traceIndex(gd, `diverged-${opt}`);
  if (path < 0 || dot < 0) return;
  const n = gd.data[dot].x.length;
  const label = board.crowded ? m.short : m.label;
  const traces = [path, dot];
  const update = {
    x: [m.xs, Array(n).fill(m.end[0])],
    y: [m.ys, Array(n).fill(m.end[1])],
    name: [label, label],
  };
  if (mark >= 0) {
    traces.push(mark);
    update.x.push(m.mark ? [m.mark[0]] : []);
    update.y.push(m.mark ? [m.mark[1]] : []);
    update.name.push("diverged");
  }
  await Plotly.restyle(gd, update, traces);
}

// One scrubber row: "● Adam: learning rate α [range] 0.05 [Use suggested α 0.02]".
function scrubRow(row, family, send) {
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
  range.max = family.values.length - 1;
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
      suggest.textContent = `Use suggested ${row.symbol} ${fmt(family.values[row.suggested])}`;
      suggest.onclick = () => send("suggest", row.opt);
      slot.appendChild(suggest);
    }
  }
  const show = (k) => {
    range.value = k;
    output.textContent = fmt(family.values[k]);
    range.setAttribute("aria-valuetext", `${row.symbol} ${fmt(family.values[k])}`);
  };
  show(row.index);
  return { div, range, show, family, row };
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
    gd.style.height = board.height;
    board.lastFrame = figure.frames && figure.frames.length
      ? figure.frames[figure.frames.length - 1].name
      : null;
    board.whole = false;
    await Plotly.react(gd, {
      data: figure.data,
      layout: figure.layout,
      frames: figure.frames || [],
      config: board.config,
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
    const bar = root.querySelector(".dl-scrub");
    const note = root.querySelector(".dl-note");
    note.textContent = board.why || "";
    note.hidden = !board.why;
    const send = (event, value) => root.__dlSend(event, value);
    const rows = (board.scrub || [])
      .filter((row) => board.families[row.family])
      .map((row) => scrubRow(row, board.families[row.family], send));
    bar.querySelector(".dl-rows").replaceChildren(...rows.map((r) => r.div));
    bar.hidden = rows.length === 0;
    bar.querySelector(".dl-tune").onclick = () => send("tune", true);
    for (const scrub of rows) {
      const local = root.__dlLocal;
      if (local && local.family === scrub.row.family && Date.now() - local.at < KEEP_LOCAL_MS &&
          local.k !== scrub.row.index) {
        scrub.show(local.k);
        await draw(Plotly, gd, board, scrub.row, local.k);
      }
      let timer = null;
      scrub.range.oninput = () => {
        const k = Number(scrub.range.value);
        root.__dlLocal = { family: scrub.row.family, k, at: Date.now() };
        scrub.show(k);
        draw(Plotly, gd, root.__dlBoard, scrub.row, k);
      };
      scrub.range.onchange = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          const value = scrub.family.values[Number(scrub.range.value)];
          send("release", { opt: scrub.row.opt, param: scrub.row.param, value });
        }, SEND_AFTER_MS);
      };
    }
  })();

  return () => {
    stale = true;
  };
}
