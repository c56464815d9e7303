// What the page can see of its host: the preload's window.parley (or, in the web GUI, the
// browser client that implements the same interface).
import type { ParleyApi } from '../../shared/api';

declare global {
  interface Window {
    /** Undefined only when the page is opened outside a Parley host. */
    readonly parley: ParleyApi | undefined;
  }
}

export {};
