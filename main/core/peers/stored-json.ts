/**
 * JSON kept in the store's settings table (manual peers, security alerts): parsed, or undefined
 * when it is not JSON, so that the caller's schema check decides and a damaged value never
 * stops start-up.
 */
export function parseStoredJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
