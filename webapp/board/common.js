// What both boards (the Race's, webapp/board/board.js, and the Network page's,
// webapp/netboard/board.js) need first, written once: the server prepends this file to each
// board's script (webapp.board.board_script).

const INSTANT = { mode: "immediate", frame: { duration: 0, redraw: false }, transition: { duration: 0 } };

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
