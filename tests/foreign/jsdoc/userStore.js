/**
 * @file A tiny user store with change subscriptions.
 * @module stores/user
 * @see https://jsdoc.app/tags-param
 */

'use strict';

/**
 * @typedef {Object} User
 * @property {string} id - Stable identifier.
 * @property {string} name - Display name.
 * @property {string} [email] - Optional contact address, e.g. jane@example.com.
 */

/**
 * @callback Listener
 * @param {User} user - The user that changed.
 * @param {string} field - The field that changed.
 * @returns {void}
 */

/** @type {import('./types').Clock} */
const clock = { now: () => Date.now() };

/** @type {Map<string, User>} */
const users = new Map();

/** @type {Set<Listener>} */
const listeners = new Set();

/**
 * Renames a user and notifies every listener.
 *
 * @param {string} id The user's id.
 * @param {string} name The new display name.
 * @returns {User} The updated user.
 * @throws {RangeError} When no user has that id.
 * @example
 * // @component instances call this when the name field blurs
 * rename('u1', 'Jane');
 */
function rename(id, name) {
  const user = users.get(id);
  if (!user) {
    throw new RangeError(`@param id: no user ${id}`);
  }
  user.name = name;
  listeners.forEach((listener) => listener(user, 'name')); // @see Listener
  return user;
}

/**
 * @deprecated since 2.0; use {@link rename} instead.
 * @param {string} id
 * @param {string} name
 * @returns {User}
 */
function setName(id, name) {
  return rename(id, name);
}

/**
 * Subscribes to changes.
 * @param {Listener} listener
 * @returns {() => void} A function that unsubscribes.
 */
function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * A Vue component documented for vue-styleguidist.
 * @component
 * @example
 * <user-badge :user="{ id: 'u1', name: 'Jane' }" />
 */
const UserBadge = {
  name: 'UserBadge',
  props: {
    /** @type {User} */
    user: { type: Object, required: true },
  },
  template: '<span class="badge">@component {{ user.name }}</span>',
  updated() {
    clock.now(); // @returns nothing useful here
  },
};

/* @component is the vue-styleguidist tag for a documented component. */

const docs = '@component @threat @mitigates are just text in a string';

module.exports = { rename, setName, subscribe, UserBadge, docs, users };
