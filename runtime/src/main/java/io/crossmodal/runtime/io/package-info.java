/** The one atomic-file helper (one fsync policy) and the one JSON mapper configuration. */
package io.crossmodal.runtime.io;
