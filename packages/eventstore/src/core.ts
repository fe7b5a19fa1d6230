/**
 * The port, its errors and canonical JSON, without any adapter: what code that
 * works with any store imports, so that loading it does not load a store client.
 */
export * from './port.js';
export * from './errors.js';
export * from './canonical-json.js';
