/**
 * A whole number with commas between groups of three digits: 10000000 → "10,000,000", as
 * `toLocaleString('en-US')` writes it, but without ICU: the first locale-aware call loads
 * ICU's data into the process, about 9 MiB of an idle node's memory (issue 4's goal is 80 MiB),
 * and these texts are made when shared/api.ts loads.
 */
export function groupThousands(n: number): string {
  const [whole, fraction] = String(n).split('.');
  const grouped = whole!.replace(/\B(?=(\d{3})+$)/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}
