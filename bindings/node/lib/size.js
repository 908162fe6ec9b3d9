'use strict';
// Which of a call's two forms takes a body: the `...Async` one, on the
// libuv pool, from `LARGE_BODY` bytes up, so that the event loop does not
// wait on a large body; below that, the pool's round trip costs more than
// the work. The Python package releases the GIL from the same size.

const LARGE_BODY = 64 * 1024;

/**
 * `object[method](...args)` for a body of `size` bytes, or its `...Async`
 * twin for a large one: a value or a promise of it, for `await`.
 */
function bySize(size, object, method, ...args) {
  return size >= LARGE_BODY ? object[`${method}Async`](...args) : object[method](...args);
}

module.exports = { LARGE_BODY, bySize };
