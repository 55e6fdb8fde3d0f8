import { describe, expect, it } from 'vitest';
import { chromiumPresent } from './harness.ts';

describe('browser test harness', () => {
  it('skips without Chromium, unless HC_REQUIRE_BROWSER=1 (CI), where it fails', () => {
    expect(chromiumPresent('/nonexistent/chromium', {})).toBe(false);
    expect(() => chromiumPresent('/nonexistent/chromium', { HC_REQUIRE_BROWSER: '1' })).toThrow(
      /HC_REQUIRE_BROWSER=1 but there is no Chromium/,
    );
    expect(chromiumPresent(process.execPath, { HC_REQUIRE_BROWSER: '1' })).toBe(true);
  });
});
