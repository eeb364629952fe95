// toast.js: owns the fading confirmation line at the bottom of the screen.

let timer = null;

/** Shows a short line that fades after a few seconds; `problem` lines stay longer and look different. */
export function toast(text, { problem = false } = {}) {
  const el = document.getElementById('toast');
  el.textContent = text;
  el.classList.toggle('problem', problem);
  el.classList.add('show');
  clearTimeout(timer);
  timer = setTimeout(() => el.classList.remove('show'), problem ? 8000 : 3500);
}
