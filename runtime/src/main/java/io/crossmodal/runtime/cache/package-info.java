/**
 * Serving-side model cache shared by the encoder and decoder services: resolving a model reference
 * (version, alias, or the default "production, else latest") against the registry, loading each
 * (model, version) once, lazily, and closing what it loaded when it is evicted or the cache closes,
 * never while a request still uses it. Plain Java, no framework: the services wrap it in beans.
 */
package io.crossmodal.runtime.cache;
