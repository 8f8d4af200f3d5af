// AP.flag needs AUI (AJS.flag) or a registered provider (atlassian-connect-js
// src/host/modules/flag.js asks the framework adaptor for a 'flag' provider first). The
// emulator registers this one: flags stacked bottom-left as in Confluence, announced to
// screen readers, closed with their button or after a few seconds when `close` is 'auto'.
import type { FlagProvider } from './connect-host-types';

const AUTO_CLOSE_MS = 8000;

function flagGroup(): HTMLElement {
  let group = document.getElementById('emulator-flags');
  if (!group) {
    group = document.createElement('div');
    group.id = 'emulator-flags';
    group.className = 'emulator-flags';
    group.setAttribute('aria-live', 'polite');
    document.body.appendChild(group);
  }
  return group;
}

export const flagProvider: FlagProvider = {
  create(options) {
    const flag = document.createElement('div');
    flag.className = `emulator-flag emulator-flag-${options.type}`;
    flag.id = `flag-${options.id}`;
    flag.setAttribute('role', options.type === 'error' || options.type === 'warning' ? 'alert' : 'status');
    const title = document.createElement('p');
    title.className = 'emulator-flag-title';
    title.textContent = options.title ?? '';
    const body = document.createElement('p');
    body.className = 'emulator-flag-body';
    body.textContent = options.body ?? '';
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'emulator-flag-close';
    close.setAttribute('aria-label', 'Dismiss');
    close.textContent = '×';
    flag.append(title, body, close);
    const handle = {
      close() {
        if (!flag.isConnected) return;
        flag.remove();
        options.onClose(options.id);
      },
    };
    close.addEventListener('click', () => handle.close());
    if (options.close === 'auto') setTimeout(() => handle.close(), AUTO_CLOSE_MS);
    flagGroup().appendChild(flag);
    return handle;
  },
};
