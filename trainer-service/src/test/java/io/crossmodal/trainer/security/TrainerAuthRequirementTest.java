package io.crossmodal.trainer.security;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** CROSSMODAL_AUTH_ENABLED=false cannot switch the Trainer API's authentication off outside the local profile. */
class TrainerAuthRequirementTest {

    @Test
    void authenticationOffIsRefusedOutsideTheLoopbackLocalProfile() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TrainerAuthRequirement.check(false, false, "0.0.0.0"));
        assertTrue(e.getMessage().contains("CROSSMODAL_AUTH_ENABLED"), e.getMessage());
        // allow-unauthenticated does not make a public address acceptable, nor does loopback without it
        assertThrows(IllegalStateException.class, () -> TrainerAuthRequirement.check(false, true, "0.0.0.0"));
        assertThrows(IllegalStateException.class, () -> TrainerAuthRequirement.check(false, false, "127.0.0.1"));
    }

    @Test
    void authenticationOnOrTheLocalProfileStart() {
        assertDoesNotThrow(() -> TrainerAuthRequirement.check(true, false, "0.0.0.0"));
        assertDoesNotThrow(() -> TrainerAuthRequirement.check(false, true, "127.0.0.1"));
    }
}
