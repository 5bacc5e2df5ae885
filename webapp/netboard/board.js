// The Network page's board: four plotly figures (boundary, plane, loss, sharpness) whose frames
// have the same names, played together by one step scrubber and one ▶ Play; one legend that
// hides an optimizer in all four. Everything after the first draw happens here, in the browser,
// never a round trip to the server.
//
// A step sets, in each figure, what its frame of that name sets (the dots, the step lines, a line
// of text, the boundary's line and picture) straight into the drawn SVG, from plotly's own axes
// (``inPlace``: a millisecond or two for the four), as the Race's board redraws a path; the
// figure's data, full data and calcdata take the same values, so plotly's next redraw agrees.
// Where the drawing has not the shape to take them (a trace drawn otherwise, a count that
// changed), ``Plotly.animate`` to that frame does it instead.
//
// The board opens at the last frame (the trained network); ▶ Play replays from step 0. Each
// figure is drawn once, with the shown frame's values already in its data. (Drawing the figures
// without their frames and adding these when idle saves 2–5 ms of about 300: not worth a step.)

// Plotly's marker symbols as characters, for the legend (anything else: a circle).
const SYMBOLS = {
  circle: "●", square: "■", diamond: "◆", cross: "✚", x: "✖", "triangle-up": "▲",
  "triangle-down": "▼", "triangle-left": "◀", "triangle-right": "▶", pentagon: "⬟",
  hexagon: "⬢", hexagram: "✶", bowtie: "⋈", hourglass: "⧗",
};
const XLINK = "http://www.w3.org/1999/xlink";
const SYNC_AFTER_MS = 300; // a figure redrawn in place but for its calcdata: plotly's own redraw
const TYPED = {
  f4: Float32Array, f8: Float64Array, i1: Int8Array, u1: Uint8Array, u1c: Uint8ClampedArray,
  i2: Int16Array, u2: Uint16Array, i4: Int32Array, u4: Uint32Array,
};
const IMAGE_SOURCE = /^images\[(\d+)\]\.source$/;

// ---------------------------------------------------------------------------- the values

// A value as the server sent it, plain (plotly's base64 arrays decoded, once per object).
const decoded = new WeakMap();
function plain(value) {
  if (!value || typeof value !== "object" || typeof value.bdata !== "string") return value;
  if (!decoded.has(value)) {
    const Typed = TYPED[value.dtype];
    if (!Typed) return null;
    const raw = atob(value.bdata);
    const bytes = new Uint8Array(raw.length);
    for (let k = 0; k < raw.length; k++) bytes[k] = raw.charCodeAt(k);
    decoded.set(value, new Typed(bytes.buffer));
  }
  return decoded.get(value);
}

// A copy of a frame's value for a figure's data to own: Plotly.animate merges a frame into the
// data's objects in place (a base64 array's too), which must not reach the frame's own.
function owned(value) {
  return value && typeof value === "object" ? structuredClone(value) : value;
}

// ``obj`` with the value at ``path`` ("images[0].source", "marker.color") set, copying each
// object and array on the way (the figure the server sent stays as it was).
function withPath(obj, path, value) {
  const keys = path.split(/[.[\]]+/).filter(Boolean);
  const top = Array.isArray(obj) ? [...obj] : { ...obj };
  let node = top;
  keys.forEach((key, depth) => {
    if (depth === keys.length - 1) {
      node[key] = value;
      return;
    }
    const next = node[key];
    node[key] = Array.isArray(next) ? [...next] : { ...(next || {}) };
    node = node[key];
  });
  return top;
}

// A figure's data and layout at ``frame`` (what Plotly.animate to it would leave).
function atFrame(figure, frame) {
  const data = figure.data.map((t) => ({ ...t }));
  let { layout } = figure;
  if (frame) {
    frame.traces.forEach((i, j) => {
      for (const [key, value] of Object.entries(frame.data[j] || {})) {
        data[i] = withPath(data[i], key, owned(value));
      }
    });
    for (const [key, value] of Object.entries(frame.layout || {})) {
      layout = withPath(layout, key, value);
    }
  }
  return { data, layout };
}

// ---------------------------------------------------------------------------- in place

function fmtPx(v) {
  return Number.isFinite(v) ? v.toFixed(2) : null;
}

// The ``d`` of a lines trace through (x, y): a subpath per run of finite points (plotly leaves a
// gap at a missing one).
function linePath(xa, ya, x, y) {
  let d = "";
  let open = false;
  for (let k = 0; k < x.length; k++) {
    const px = fmtPx(xa.c2p(x[k]));
    const py = fmtPx(ya.c2p(y[k]));
    if (px === null || py === null) {
      open = false;
      continue;
    }
    d += `${open ? "L" : "M"}${px},${py}`;
    open = true;
  }
  return d;
}

const SIMPLE_TEXT = /^[^<>&\n]*$/; // drawn by plotly as the string itself (no tspans)

// How trace ``i`` of ``gd`` takes ``patch`` ({x, y, text}) in place: the SVG edit and the new
// values, or null where its drawing cannot take it so.
function traceEdit(gd, i, patch) {
  const full = gd._fullData && gd._fullData[i];
  const xa = gd._fullLayout.xaxis;
  const ya = gd._fullLayout.yaxis;
  if (!full || !xa || !ya || typeof xa.c2p !== "function") return null;
  const values = {};
  for (const [key, raw] of Object.entries(patch)) {
    if (key !== "x" && key !== "y" && key !== "text") return null;
    values[key] = plain(raw);
    if (!values[key]) return null;
  }
  const x = values.x || full.x;
  const y = values.y || full.y;
  const moved = "x" in values || "y" in values;
  const edit = { i, patch, values, draw: () => {}, x, y };
  if (moved && (!x || !y || x.length !== y.length)) return null;
  if (full.visible !== true) return edit; // hidden: its values only, drawn when shown
  const group = gd.querySelector(`.trace${CSS.escape(full.uid)}`);
  if (!group) return null;
  const modes = String(full.mode || "").split("+");
  if (moved) {
    if (modes.length !== 1) return null; // lines+markers, markers+text …: plotly's own
    if (modes[0] === "lines") {
      const lines = [...group.querySelectorAll("path.js-line")];
      if (!lines.length) return null;
      const d = linePath(xa, ya, x, y);
      edit.draw = () => lines.forEach((line, k) => line.setAttribute("d", k ? "" : d));
    } else if (modes[0] === "markers") {
      const marks = group.querySelectorAll("path.point");
      if (marks.length !== x.length) return null;
      const at = [];
      for (let k = 0; k < x.length; k++) {
        const px = fmtPx(xa.c2p(x[k]));
        const py = fmtPx(ya.c2p(y[k]));
        if (px === null || py === null) return null;
        at.push(`translate(${px},${py})`);
      }
      edit.draw = () => marks.forEach((mark, k) => mark.setAttribute("transform", at[k]));
    } else {
      return null;
    }
  }
  if ("text" in values) {
    const text = values.text;
    if (!Array.isArray(text) || !text.every((s) => SIMPLE_TEXT.test(String(s)))) return null;
    if (modes.includes("text")) {
      const nodes = group.querySelectorAll("g.textpoint text");
      if (nodes.length !== text.length) return null;
      const draw = edit.draw;
      edit.draw = () => {
        draw();
        nodes.forEach((node, k) => {
          node.textContent = String(text[k]);
          node.setAttribute("data-unformatted", String(text[k]));
        });
      };
    }
  }
  return edit;
}

// The figure's values after an edit: its data as the frame gives them (as Plotly.animate leaves
// them), its full data and calcdata as plotly would compute them. False where the calcdata could
// not follow (a trace with another number of points): plotly's own redraw is then due.
function keep(gd, edit) {
  const { i, patch, values } = edit;
  const full = gd._fullData[i];
  for (const [key, value] of Object.entries(patch)) gd.data[i][key] = owned(value);
  Object.assign(full, values);
  const cd = gd.calcdata && gd.calcdata[i];
  if (full.visible !== true || !cd) return full.visible !== true;
  let exact = true;
  if ("x" in values || "y" in values) {
    if (cd.length === edit.x.length) {
      cd.forEach((point, k) => {
        point.x = Number.isFinite(edit.x[k]) ? edit.x[k] : undefined;
        point.y = Number.isFinite(edit.y[k]) ? edit.y[k] : undefined;
      });
    } else {
      exact = false;
    }
  }
  if ("text" in values) {
    if (cd.length === values.text.length) cd.forEach((point, k) => { point.tx = values.text[k]; });
    else exact = false;
  }
  return exact;
}

// A layout image's new source, in place: its <image> (plotly binds it to the full layout's
// entry) and the layout's values.
function imageEdit(gd, key, source) {
  const found = IMAGE_SOURCE.exec(key);
  const entry = found && gd._fullLayout.images && gd._fullLayout.images[Number(found[1])];
  if (!entry || typeof source !== "string") return null;
  const image = [...gd.querySelectorAll("image")].find((el) => el.__data__ === entry);
  if (!image) return null;
  return () => {
    if (image._imgSrc !== source) {
      image.setAttributeNS(XLINK, "href", source);
      image._imgSrc = source; // what plotly compares with on its next draw
    }
    entry.source = source;
    gd.layout.images[Number(found[1])].source = source;
  };
}

// ``gd`` set to ``frame`` in place; false, with nothing changed, where it cannot be, and
// "inexact" where plotly's calcdata could not follow.
function inPlace(gd, frame) {
  if (!gd._fullLayout || !gd.calcdata || gd._transitioning) return false;
  const edits = [];
  for (let j = 0; j < frame.traces.length; j++) {
    const edit = traceEdit(gd, frame.traces[j], frame.data[j] || {});
    if (!edit) return false;
    edits.push(edit);
  }
  const layout = [];
  for (const [key, value] of Object.entries(frame.layout || {})) {
    const edit = imageEdit(gd, key, value);
    if (!edit) return false;
    layout.push(edit);
  }
  edits.forEach((edit) => edit.draw());
  layout.forEach((edit) => edit());
  const exact = edits.map((edit) => keep(gd, edit)).every(Boolean);
  return exact ? true : "inexact";
}

// ---------------------------------------------------------------------------- the legend

function applyHidden(Plotly, plots, hidden) {
  return Promise.all(plots.flatMap((gd) => {
    const shown = [];
    const gone = [];
    gd.data.forEach((t, i) => {
      if (!t.legendgroup || t.legendgroup.startsWith("data-")) return;
      (hidden.has(t.legendgroup) ? gone : shown).push(i);
    });
    return [
      gone.length ? Plotly.restyle(gd, { visible: false }, gone) : null,
      shown.length ? Plotly.restyle(gd, { visible: true }, shown) : null,
    ].filter(Boolean);
  }));
}

// The legend's buttons (drawn at once, before the figures, so that the views' top stays where
// it is); ``apply(hidden)`` hides and shows the optimizers' traces once the figures are drawn.
function drawLegend(root, board, apply) {
  const hidden = root.__dlHidden || (root.__dlHidden = new Set());
  const buttons = board.legend.map((entry) => {
    const button = document.createElement("button");
    button.type = "button";
    const mark = document.createElement("span");
    mark.className = "dl-net-mark";
    mark.style.color = entry.color;
    mark.textContent = SYMBOLS[entry.symbol] || "●";
    button.append(mark, document.createTextNode(entry.name));
    button.setAttribute("aria-pressed", String(!hidden.has(entry.group)));
    button.title = "Show or hide this optimizer in every view";
    button.onclick = () => {
      if (hidden.has(entry.group)) hidden.delete(entry.group);
      else hidden.add(entry.group);
      button.setAttribute("aria-pressed", String(!hidden.has(entry.group)));
      apply(hidden);
    };
    return button;
  });
  root.querySelector(".dl-net-legend").replaceChildren(...buttons);
  return hidden;
}

// ---------------------------------------------------------------------------- the room

// A laptop's two columns: the views share the height of the screen below the board's top with
// the bar (CSS ``--dl-net-room``), so that all four are in sight when the board is.
function fitRoom(root) {
  const grid = root.querySelector(".dl-net-grid");
  const main = document.querySelector('[data-testid="stMain"]');
  const top = grid.getBoundingClientRect().top + (main ? main.scrollTop : window.scrollY);
  const room = Math.round(window.innerHeight - top - 12);
  root.style.setProperty("--dl-net-room", `${Math.max(room, 0)}px`);
}

// ---------------------------------------------------------------------------- the board

export default function (component) {
  const { parentElement, data } = component;
  const root = parentElement.querySelector(".dl-net");
  const board = parse(data);
  const note = root.querySelector(".dl-net-note");
  root.classList.toggle("dl-net--present", Boolean(board.present));
  let stale = false;
  const range = root.querySelector(".dl-net-step");
  const output = root.querySelector(".dl-net-value");
  const play = root.querySelector(".dl-net-play");
  const steps = board.steps;
  const last = steps.length - 1;

  const describePlay = () => {
    const playing = Boolean(root.__dlTimer);
    const from = Number(range.value) >= last ? 0 : Number(range.value);
    const label = playing
      ? "Pause"
      : from === 0
        ? `Play the training from step 0 to ${steps[last]}`
        : `Play on from step ${steps[from]} to ${steps[last]}`;
    play.textContent = playing ? "❚❚ Pause" : "▶ Play";
    play.title = playing ? "Pause" : `${label} (at the last step, Play replays from step 0)`;
    play.setAttribute("aria-label", label);
  };
  const stop = () => {
    clearInterval(root.__dlTimer);
    root.__dlTimer = null;
    describePlay();
  };

  // A new figure (another setting) keeps the step the hand was at, if it still has it; the
  // first, and one whose hand was at the end, opens at the end: the trained network.
  const kept = root.__dlIndex != null && !root.__dlAtEnd ? Math.min(root.__dlIndex, last) : last;
  const name = String(steps[kept]);
  range.max = String(last);
  range.value = String(kept);
  root.__dlIndex = kept;
  root.__dlAtEnd = kept === last;
  output.textContent = `step ${name}`;
  range.setAttribute("aria-valuetext", `step ${name} of ${steps[last]}`);
  describePlay();
  const shown = {}; // plotly.js and the four plots, once drawn
  const hidden = drawLegend(root, board, (which) =>
    shown.Plotly && applyHidden(shown.Plotly, shown.plots, which));
  if (!board.present) fitRoom(root);

  (async () => {
    let Plotly;
    try {
      Plotly = await loadPlotly(board.plotly_src);
    } catch (error) {
      note.textContent = String(error);
      note.hidden = false;
      return;
    }
    if (stale) return;
    const plots = [...root.querySelectorAll(".dl-net-plot")];
    const touch = window.matchMedia("(pointer: coarse)").matches;
    const config = touch
      ? { ...board.config, displayModeBar: false, scrollZoom: false, doubleClick: false }
      : board.config;
    stop();
    // The frames of each figure by name (the same names in all four).
    const frames = board.panels.map((figure) =>
      new Map((figure.frames || []).map((frame) => [String(frame.name), frame])));
    if (!board.present) fitRoom(root);
    await Promise.all(board.panels.map((figure, i) => Plotly.react(plots[i], {
      ...atFrame(figure, frames[i].get(name)),
      frames: figure.frames || [],
      config: { ...config, responsive: true },
    })));
    if (stale) return;
    shown.Plotly = Plotly;
    shown.plots = plots;
    if (hidden.size) await applyHidden(Plotly, plots, hidden);
    if (stale) return;

    // Every view at step index ``k``: in place where it can be, else by Plotly.animate.
    const drawn = (gd, k) => {
      if (typeof gd.emit === "function") gd.emit("plotly_animated"); // as an animation ends
      gd.dispatchEvent(new CustomEvent("dl-drawn", { detail: { index: k } }));
    };
    const animate = (gd, k) => {
      gd.__dlAnimating = (gd.__dlAnimating || 0) + 1;
      return Promise.resolve(stale || root.__dlIndex !== k ? null
        : Plotly.animate(gd, [String(steps[k])], INSTANT))
        .finally(() => { gd.__dlAnimating -= 1; });
    };
    const syncLater = (gd) => {
      clearTimeout(gd.__dlSync);
      gd.__dlSync = setTimeout(() => {
        if (stale) return;
        if (root.__dlTimer) syncLater(gd);
        else animate(gd, root.__dlIndex);
      }, SYNC_AFTER_MS);
    };
    const show = (k) => {
      const at = String(steps[k]);
      range.value = String(k);
      output.textContent = `step ${at}`;
      range.setAttribute("aria-valuetext", `step ${at} of ${steps[last]}`);
      root.__dlIndex = k;
      root.__dlAtEnd = k === last;
      if (!root.__dlTimer) describePlay();
      plots.forEach((gd, i) => {
        const frame = frames[i].get(at);
        if (!frame) return;
        const done = gd.__dlAnimating ? false : inPlace(gd, frame);
        if (!done) {
          animate(gd, k).then(() => {
            if (!stale && root.__dlIndex === k) {
              gd.dispatchEvent(new CustomEvent("dl-drawn", { detail: { index: k } }));
            }
          });
          return;
        }
        if (done === "inexact") syncLater(gd);
        drawn(gd, k);
      });
    };
    range.oninput = () => {
      stop();
      show(Number(range.value));
    };
    play.onclick = () => {
      if (root.__dlTimer) {
        stop();
        return;
      }
      let k = Number(range.value);
      if (k >= last) k = -1; // at the end: from the start again
      root.__dlTimer = setInterval(() => {
        k += 1;
        if (k >= last) stop();
        show(Math.min(k, last));
      }, board.frame_ms);
      describePlay();
    };
    if (!root.__dlResize) {
      root.__dlResize = () => {
        if (!root.classList.contains("dl-net--present")) fitRoom(root);
      };
      window.addEventListener("resize", root.__dlResize);
    }
  })();

  return () => {
    stale = true;
    stop();
    range.oninput = null;
    play.onclick = null;
  };
}
