// Arrow-key movement between the items of a list (ArrowUp/ArrowDown, Home/End), as in the
// room lists of Slack and Element; Tab still leaves the list. Items carry data-nav-item.
import type { KeyboardEvent } from 'react';

export function onListKeyDown(event: KeyboardEvent<HTMLElement>): void {
  const keys = ['ArrowDown', 'ArrowUp', 'Home', 'End'];
  if (!keys.includes(event.key)) return;
  const items = [...event.currentTarget.querySelectorAll<HTMLElement>('[data-nav-item]')];
  if (items.length === 0) return;
  const current = items.indexOf(document.activeElement as HTMLElement);
  let next = current;
  if (event.key === 'ArrowDown') next = Math.min(items.length - 1, current + 1);
  if (event.key === 'ArrowUp') next = Math.max(0, current - 1);
  if (event.key === 'Home') next = 0;
  if (event.key === 'End') next = items.length - 1;
  event.preventDefault();
  items[next]?.focus();
}
