// The Race's families, delivered after the page (``webapp/board/__init__.py``): each payload
// arrives once per browser tab and is kept by its key; the board (``board.js``) takes the latest
// message whose token is its figure's, and builds its scrubbers from it.
export default function ({ data }) {
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : data;
  const message = typeof data === "string" ? JSON.parse(data) : JSON.parse(new TextDecoder().decode(bytes));
  const store = (window.__dlFamilyStore ||= new Map());
  for (const [key, payload] of Object.entries(message.payloads || {})) store.set(key, payload);
  message.families = Object.fromEntries(
    Object.entries(message.keys || {}).map(([family, key]) => [family, store.get(key)]),
  );
  window.__dlFamiliesLatest = message;
  window.dispatchEvent(new CustomEvent("descent-lab-families", { detail: message }));
}
