/** Model lifecycle over the registry: aliases, lineage, promotion, rollback, gc, decision records and the event log. */
package io.crossmodal.lifecycle;
