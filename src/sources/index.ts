/** The sources' public face: the contract a source implements, the router, and the registry source. */
export { createRouter, type RouteEntry, type RoutedAnswer, type RouterOptions, type SourceRouter } from './router.ts';
export { registrySource } from './registry.ts';
export { SourceFailure, type Source, type SourceAnswer, type SourceCall } from './types.ts';
