/**
 * How the compat clients print a RESP3 double as the server prints it on RESP2 (lib/compat/doubles.ts).
 * `%.17g` is checked against the real server (Redis 7.0) in backends.test.ts; here, its rounding
 * and layout, and the Redis >= 7.2 form (fpconv_dtoa's layout over shortest digits), which no
 * server installed here prints.
 */
import { expect } from 'chai';
import { doubleTextFor, percent17g, shortestText } from '../../lib/compat/doubles.js';

describe('compat: doubles as RESP2 text', () => {
  it("%.17g: 17 significant digits, rounded half to even, trailing zeros dropped, exponent of two digits at least", () => {
    const cases: [number, string][] = [
      [0.1, '0.10000000000000001'], [1 / 3, '0.33333333333333331'], [1e-7, '9.9999999999999995e-08'],
      [1e21, '1e+21'], [1e16, '10000000000000000'], [1e17, '1e+17'], [3, '3'], [-42, '-42'], [1.5, '1.5'],
      [0.0001, '0.0001'], [0.00001, '1.0000000000000001e-05'], [-0, '-0'], [0, '0'],
      // Exactly halfway at the 18th digit: to even (down here, up in the next).
      [2251799813685246.25, '2251799813685246.2'], [2251799813685247.75, '2251799813685247.8'],
      [123456789012345678, '1.2345678901234568e+17'], [5e-324, '4.9406564584124654e-324'],
      [1.7976931348623157e308, '1.7976931348623157e+308'], [Infinity, 'inf'], [-Infinity, '-inf'],
    ];
    for (const [x, text] of cases) expect(percent17g(x), String(x)).to.equal(text);
  });

  it('Redis >= 7.2: integers up to 2^62 whole, else shortest digits in fpconv_dtoa layout', () => {
    const cases: [number, string][] = [
      [0.1, '0.1'], [1 / 3, '0.3333333333333333'], [3, '3'], [-42, '-42'], [-0, '-0'], [0, '0'],
      [2 ** 62, '4611686018427387904'], [2 ** 62 + 1024, '4611686018427389000'],
      [5e18, '5e+18'], [1e21, '1e+21'], [1e-7, '1e-7'], [0.000001, '0.000001'], [0.000015, '0.000015'],
      [1234.5678901, '1234.5678901'], [12345.67890123, '1.234567890123e+4'], [123.456, '123.456'],
      [5e-324, '5e-324'], [1.7976931348623157e308, '1.7976931348623157e+308'], [-1.5e-10, '-1.5e-10'],
      [Infinity, 'inf'], [-Infinity, '-inf'],
    ];
    for (const [x, text] of cases) expect(shortestText(x), String(x)).to.equal(text);
  });

  it('the form follows the server version: %.17g before 7.2', () => {
    expect(doubleTextFor('7.0.15')).to.equal(percent17g);
    expect(doubleTextFor('6.2.14')).to.equal(percent17g);
    expect(doubleTextFor('7.2.0')).to.equal(shortestText);
    expect(doubleTextFor('8.0.1')).to.equal(shortestText);
    expect(doubleTextFor('')).to.equal(shortestText);
  });
});
