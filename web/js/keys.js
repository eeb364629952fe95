// keys.js: owns keyboard shortcuts: the current page's keys, the global "?" key, and the overlay listing them.

let pageKeys = [];

/**
 * Sets the current page's shortcuts: a list of { key, label, run }, where `key` is what
 * KeyboardEvent.key gives (letters in lower case) and `show` is how the overlay writes it.
 */
export function setKeys(list) {
  pageKeys = list;
}

export function clearKeys() {
  pageKeys = [];
}

function typing(target) {
  return target instanceof Element && target.closest('input, textarea, select, [contenteditable="true"], dialog');
}

document.addEventListener('keydown', (e) => {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
  if (typing(e.target)) return;
  if (e.key === '?') {
    e.preventDefault();
    showHelp();
    return;
  }
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  const hit = pageKeys.find((k) => k.key === key && !k.passive);
  if (hit) {
    e.preventDefault();
    hit.run(e);
  }
});

/** Opens the overlay listing the page's shortcuts and the global ones. */
export function showHelp() {
  const dialog = document.getElementById('help');
  const list = document.getElementById('help-keys');
  const rows = [
    ...pageKeys.map((k) => [k.show ?? k.key.toUpperCase(), k.label]),
    ['?', 'Show this list'],
    ['Tab', 'Move to the next control (Shift+Tab: back)'],
    ['Esc', 'Close this list'],
  ];
  list.replaceChildren(
    ...rows.flatMap(([key, label]) => {
      const dt = document.createElement('dt');
      const kbd = document.createElement('kbd');
      kbd.textContent = key;
      dt.append(kbd);
      const dd = document.createElement('dd');
      dd.textContent = label;
      return [dt, dd];
    }),
  );
  if (!dialog.open) dialog.showModal();
}
