/** The promotion gate: thresholds on whatever metrics a family reports and the paired bootstrap on per-example scores. */
package io.crossmodal.lifecycle.gate;
