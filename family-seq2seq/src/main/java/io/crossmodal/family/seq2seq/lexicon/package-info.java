/** The pronunciation lexicon a seq2seq bundle may carry: its file format, lookups in both directions, and user overrides. */
package io.crossmodal.family.seq2seq.lexicon;
