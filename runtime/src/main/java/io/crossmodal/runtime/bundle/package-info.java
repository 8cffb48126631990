/** The model bundle format (manifest, components, per-model serving settings) and the registry that reads and writes it. */
package io.crossmodal.runtime.bundle;
