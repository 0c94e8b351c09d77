// The page's elements by id, typed for the checker by what index.html makes them (an input's
// value, a button's disabled): the lookups themselves are plain getElementById.

/** @param {string} id */
export const $ = (id) => document.getElementById(id);
/** @param {string} id */
export const $input = (id) => /** @type {HTMLInputElement} */ ($(id));
/** @param {string} id */
export const $select = (id) => /** @type {HTMLSelectElement} */ ($(id));
/** @param {string} id */
export const $button = (id) => /** @type {HTMLButtonElement} */ ($(id));
/** @param {string} id */
export const $output = (id) => /** @type {HTMLOutputElement} */ ($(id));
/** @param {string} id */
export const $canvas = (id) => /** @type {HTMLCanvasElement} */ ($(id));
/** @param {string} id */
export const $progress = (id) => /** @type {HTMLProgressElement} */ ($(id));
