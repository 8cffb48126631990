/** What the trainer adds to the shared security module: its authentication cannot be switched off outside the local profile. */
package io.crossmodal.trainer.security;
