/**
 * A double as the server prints it on RESP2, for the compat clients on a RESP3 pool. RESP3
 * sends a score as a double, which the decoder reads as a number; RESP2 sends the server's
 * text, and the text depends on the server's version:
 *
 * - Redis < 7.2 prints `%.17g` (`ZADD z 0.1 m` then `ZSCORE z m` is '0.10000000000000001');
 * - Redis >= 7.2 (and Valkey) prints integers up to 2^62 as integers and other values with
 *   fpconv_dtoa, a Grisu2 shortest form ('0.1'), laid out its own way ('1e-7', '5e+18',
 *   '1.234567890123e+4').
 *
 * Both texts parse back to the very double RESP3 sent, so printing that double again the
 * server's way gives the server's RESP2 text. One exception: Grisu2 without a correctness
 * check gives a longer-than-shortest string for a small share of doubles; for those the text
 * here (JavaScript's shortest digits, in fpconv's layout) is shorter than the server's, and
 * denotes the same double.
 */

/** Prints a finite or infinite double (never NaN: no reshaped command answers one). */
export type DoubleText = (x: number) => string;

/** `%.17g`, as glibc's printf prints it: the exact value rounded half to even, to 17 digits. */
export function percent17g(x: number): string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const sign = x < 0 ? '-' : '';
  // 100 significant digits: the exact value's first 100 (rounded at the 100th), enough to see
  // whether the 17-digit cut falls exactly halfway.
  const exact = Math.abs(x).toExponential(99);
  const e = exact.indexOf('e');
  let exp = Number(exact.slice(e + 1));
  const all = exact[0]! + exact.slice(2, e);
  let digits = all.slice(0, 17);
  const next = all.charCodeAt(17) - 0x30;
  const beyond = next > 5 || (next === 5 && /[1-9]/.test(all.slice(18)));
  const half = next === 5 && !beyond;
  if (beyond || (half && (digits.charCodeAt(16) & 1) === 1)) {
    const up = (BigInt(digits) + 1n).toString();
    if (up.length > 17) {
      digits = up.slice(0, 17);
      exp++;
    } else digits = up;
  }
  digits = digits.replace(/0+$/, '');
  // %g: fixed notation when -4 <= exponent < precision, else d.ddde±XX (two digits at least).
  if (exp >= -4 && exp < 17) {
    if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
    const whole = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
    const fraction = digits.slice(exp + 1);
    return fraction === '' ? sign + whole : `${sign}${whole}.${fraction}`;
  }
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** 2^62: the server's d2string prints a whole double up to this (LLONG_MAX / 2) as an integer. */
const LONG_LIMIT = 2 ** 62;

/**
 * Redis >= 7.2's d2string: '0' / '-0'; a whole number up to 2^62 as an integer; otherwise
 * shortest digits laid out as fpconv_dtoa lays them out (plain up to 7 zeros past the digits,
 * `0.000001` but `1e-7`, an exponent without padding or a `+` when positive: `1e+21`).
 */
export function shortestText(x: number): string {
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  if (Number.isInteger(x) && Math.abs(x) <= LONG_LIMIT) return BigInt(x).toString();
  const sign = x < 0 ? '-' : '';
  const shortest = Math.abs(x).toExponential(); // shortest digits that read back as x
  const e = shortest.indexOf('e');
  const exp = Number(shortest.slice(e + 1));
  const digits = shortest[0]! + shortest.slice(2, e);
  const n = digits.length;
  const k = exp - n + 1; // x = digits * 10^k
  const size = Math.abs(exp);
  if (k >= 0 && size < n + 7) return sign + digits + '0'.repeat(k);
  if (k < 0 && (k > -7 || size < 4)) {
    const point = n + k;
    if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
    return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  const mantissa = n > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${mantissa}e${exp < 0 ? '-' : '+'}${size}`;
}

/**
 * The server's way of printing doubles, from its version (HELLO's `version`, INFO's
 * `redis_version`): `%.17g` before 7.2, the shortest form since. Valkey answers 7.2.4 or later.
 */
export function doubleTextFor(version: string): DoubleText {
  const parts = /^(\d+)\.(\d+)/.exec(version);
  if (parts === null) return shortestText;
  const major = Number(parts[1]);
  return major < 7 || (major === 7 && Number(parts[2]) < 2) ? percent17g : shortestText;
}
