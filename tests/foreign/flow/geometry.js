/* @flow strict */

'use strict';

/*::
export type Point = { +x: number, +y: number };
export type Box = { +min: Point, +max: Point };
*/

/**
 * Flow comment syntax keeps this file runnable by plain Node, no build step.
 * @param {Point} a
 * @param {Point} b
 * @returns {number}
 */
function distance(a /*: Point */, b /*: Point */) /*: number */ {
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/**
 * The smallest box around `points`.
 * @param {Array<Point>} points
 * @returns {Box | null}
 */
function bounds(points /*: $ReadOnlyArray<Point> */) /*: Box | null */ {
  if (points.length === 0) return null;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const { x, y } of points) {
    minX = Math.min(minX, x); // @flow strict: no implicit any here
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  return { min: { x: minX, y: minY }, max: { x: maxX, y: maxY } };
}

// @flow strict-local would allow importing the untyped helpers below.
// @noflow on legacy/geometry.js keeps Flow from reporting them.

module.exports = { distance, bounds };
