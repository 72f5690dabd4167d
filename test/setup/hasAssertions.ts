import { beforeEach, expect } from 'vitest';

// A test that ends without one expectation having run passes empty; this makes it fail instead (both projects).
beforeEach(() => {
  expect.hasAssertions();
});
