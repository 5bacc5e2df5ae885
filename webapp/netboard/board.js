// The Network page's board: four plotly figures (boundary, plane, loss, sharpness) whose frames
// have the same names, played together by one step scrubber and one ▶ Play; one legend that
// hides an optimizer in all four. Everything after the first draw happens here, in the browser:
// a step is ``Plotly.animate`` of each figure to the frame of that name (only the moving traces
// and the boundary image change), never a round trip to the server.

// Plotly's marker symbols as characters, for the legend (anything else: a circle).
const SYMBOLS = {
  circle: "●", square: "■", diamond: "◆", cross: "✚", x: "✖", "triangle-up": "▲",
  "triangle-down": "▼", "triangle-left": "◀", "triangle-right": "▶", pentagon: "⬟",
  hexagon: "⬢", hexagram: "✶", bowtie: "⋈", hourglass: "⧗",
};


function groupTraces(gd, group) {
  return gd.data.map((t, i) => (t.legendgroup === group ? i : -1)).filter((i) => i >= 0);
}

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

function drawLegend(root, board, Plotly, plots) {
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
      applyHidden(Plotly, plots, hidden);
    };
    return button;
  });
  root.querySelector(".dl-net-legend").replaceChildren(...buttons);
  return applyHidden(Plotly, plots, hidden);
}

export default function (component) {
  const { parentElement, data } = component;
  const root = parentElement.querySelector(".dl-net");
  const board = parse(data);
  const note = root.querySelector(".dl-net-note");
  root.classList.toggle("dl-net--present", Boolean(board.present));
  let stale = false;

  const stop = () => {
    clearInterval(root.__dlTimer);
    root.__dlTimer = null;
    root.querySelector(".dl-net-play").textContent = "▶ Play";
  };

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
    await Promise.all(board.panels.map((figure, i) => Plotly.react(plots[i], {
      data: figure.data,
      layout: figure.layout,
      frames: figure.frames || [],
      config: { ...config, responsive: true },
    })));
    if (stale) return;
    await drawLegend(root, board, Plotly, plots);

    const steps = board.steps;
    const range = root.querySelector(".dl-net-step");
    const output = root.querySelector(".dl-net-value");
    const play = root.querySelector(".dl-net-play");
    range.max = String(steps.length - 1);
    const show = (k) => {
      const name = String(steps[k]);
      range.value = String(k);
      output.textContent = `step ${name}`;
      range.setAttribute("aria-valuetext", `step ${name} of ${steps[steps.length - 1]}`);
      root.__dlIndex = k;
      return Promise.all(plots.map((gd) => Plotly.animate(gd, [name], INSTANT)));
    };
    // A new figure (another setting) keeps the step the hand was at, if it still has it.
    const kept = Math.min(root.__dlIndex || 0, steps.length - 1);
    await show(kept);
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
      if (k >= steps.length - 1) k = -1; // at the end: from the start again
      play.textContent = "❚❚ Pause";
      root.__dlTimer = setInterval(() => {
        k += 1;
        if (k >= steps.length - 1) stop();
        show(Math.min(k, steps.length - 1));
      }, board.frame_ms);
    };
  })();

  return () => {
    stale = true;
    stop();
  };
}
