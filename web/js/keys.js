// keys.js: owns keyboard shortcuts: the current page's keys, the global "?" key, and the overlay listing them.

let pageKeys = [];
let helpExtra = null;

/**
 * Sets the current page's shortcuts: a list of { key, label, run }, where `key` is what
 * KeyboardEvent.key gives (letters in lower case) and `show` is how the overlay writes it.
 */
export function setKeys(list) {
  pageKeys = list;
}

/** Sets what the "?" overlay shows above the keys on this page (e.g. the eligibility criteria): a function returning a node. */
export function setHelpExtra(fn) {
  helpExtra = fn;
}

export function clearKeys() {
  pageKeys = [];
  helpExtra = null;
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
  const hit = pageKeys.find((k) => k.key === key && !k.passive && (!k.when || k.when()));
  if (hit) {
    // Holding a decision key down must not decide record after record.
    if (e.repeat && !hit.repeat) {
      e.preventDefault();
      return;
    }
    e.preventDefault();
    hit.run(e);
  }
});

/** Opens the overlay listing the page's shortcuts and the global ones. */
export function showHelp() {
  const dialog = document.getElementById('help');
  const list = document.getElementById('help-keys');
  const rows = [
    ...pageKeys.filter((k) => !k.hidden).map((k) => [k.show ?? k.key.toUpperCase(), k.label]),
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
  const extra = document.getElementById('help-extra');
  const more = helpExtra ? helpExtra() : null;
  extra.replaceChildren(...(more ? [more] : []));
  dialog.classList.toggle('wide', Boolean(more));
  if (!dialog.open) dialog.showModal();
  // Opening focuses the Close button at the bottom; the criteria start at the top.
  dialog.scrollTop = 0;
}
