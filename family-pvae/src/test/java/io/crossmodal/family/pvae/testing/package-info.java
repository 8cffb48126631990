/** Test fixtures of the PVAE family shared through the test-jar: tiny random-weight bundles and synthetic audio. */
package io.crossmodal.family.pvae.testing;
