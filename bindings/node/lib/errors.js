'use strict';
// The error classes: `KonaError`, and a subclass per error kind of the
// crate, named after it (`token_mismatch` is `TokenMismatch`), each with
// the kind's stable `code`, the `httpStatus` a server answers with and its
// `category`. The kinds come from the addon, so they are the crate's own.

const native = require('../native.js');

/** A failure of konaplate-crypto: branch on `instanceof` or on `code`. */
class KonaError extends Error {
  get name() {
    return this.constructor.name;
  }
}

/** `token_mismatch` as `TokenMismatch`. */
function className(code) {
  return code
    .split('_')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');
}

const byCode = new Map();
const classes = {};
for (const { code, httpStatus, category } of native.errorKinds()) {
  const name = className(code);
  // A class whose `name` is the kind's, made from the addon's table.
  const cls = { [name]: class extends KonaError {} }[name];
  const facts = {
    code: { value: code, enumerable: true },
    httpStatus: { value: httpStatus, enumerable: true },
    category: { value: category, enumerable: true },
  };
  Object.defineProperties(cls, facts);
  Object.defineProperties(cls.prototype, facts);
  byCode.set(code, cls);
  classes[name] = cls;
}

/** The code the addon gives a wrong argument (Node's own for it). */
const INVALID_ARG_TYPE = 'ERR_INVALID_ARG_TYPE';

/**
 * The error a call of the addon threw, as its class: a crate error as its
 * kind's class, a wrong argument as a `TypeError`; anything else as is.
 */
function convert(error) {
  if (error instanceof KonaError || error === null || typeof error !== 'object') {
    return error;
  }
  const cls = byCode.get(error.code);
  if (cls !== undefined) {
    return new cls(error.message);
  }
  if (error.code === INVALID_ARG_TYPE && !(error instanceof TypeError)) {
    const typeError = new TypeError(error.message);
    typeError.code = INVALID_ARG_TYPE;
    return typeError;
  }
  return error;
}

/**
 * `fn`, throwing (or rejecting with) its errors as their classes. An
 * `...Async` call rejects for a wrong argument too, rather than throwing.
 */
function guarded(fn, name = fn.name) {
  const rejects = name.endsWith('Async');
  return function guard(...args) {
    let result;
    try {
      result = fn.apply(this, args);
    } catch (error) {
      if (rejects) {
        return Promise.reject(convert(error));
      }
      throw convert(error);
    }
    if (result instanceof Promise) {
      return result.catch((error) => {
        throw convert(error);
      });
    }
    return result;
  };
}

/**
 * `cls` with every method and getter guarded (in place: they are the
 * addon's own, writable), and a constructor and statics that are guarded
 * too. The addon's statics cannot be replaced, so the class handed out is a
 * constructor of the same prototype: `instanceof` works with either.
 */
function guardedClass(cls) {
  for (const key of Object.getOwnPropertyNames(cls.prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(cls.prototype, key);
    if (key === 'constructor' || !descriptor.configurable) {
      continue;
    }
    if (typeof descriptor.value === 'function') {
      descriptor.value = guarded(descriptor.value, key);
    } else if (typeof descriptor.get === 'function') {
      descriptor.get = guarded(descriptor.get);
    } else {
      continue;
    }
    Object.defineProperty(cls.prototype, key, descriptor);
  }
  const constructor = {
    [cls.name]: function (...args) {
      if (new.target === undefined) {
        throw new TypeError(`Class constructor ${cls.name} cannot be invoked without 'new'`);
      }
      try {
        return Reflect.construct(cls, args, new.target === constructor ? cls : new.target);
      } catch (error) {
        throw convert(error);
      }
    },
  }[cls.name];
  constructor.prototype = cls.prototype;
  for (const key of Object.getOwnPropertyNames(cls)) {
    if (typeof cls[key] === 'function' && !['length', 'name', 'prototype'].includes(key)) {
      constructor[key] = guarded(cls[key], key);
    }
  }
  return constructor;
}

module.exports = { KonaError, classes, convert, guarded, guardedClass };
