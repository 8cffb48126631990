package io.crossmodal.trainer.family.vqvae;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.crossmodal.trainer.family.vqvae.train.CodebookUpkeep;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CodebookUpkeepTest {

    @Test
    void emaMovesAChosenCodeToTheMeanOfItsLatents() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] init = {0, 0, 5, 5};
            NDArray cb = m.create(init.clone(), new Shape(2, 2));
            CodebookUpkeep up = new CodebookUpkeep(init, 2, 2, true, 0.5, 0);
            for (int i = 0; i < 40; i++) {
                up.update(new long[] {0, 0}, new float[] {1, 2, 3, 4}, cb, new Random(1));
            }
            float[] v = cb.toFloatArray();
            assertEquals(2f, v[0], 1e-3);
            assertEquals(3f, v[1], 1e-3);
            assertEquals(0, up.reinitialised());
        }
    }

    @Test
    void aCodeUnusedForTheConfiguredStepsIsReinitialisedToABatchLatent() {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] init = {0, 0, 50, 50};
            NDArray cb = m.create(init.clone(), new Shape(2, 2));
            CodebookUpkeep up = new CodebookUpkeep(init, 2, 2, false, 0.9, 3);
            float[] latents = {1, 1, 1.2f, 0.8f};
            up.update(new long[] {0, 0}, latents, cb, new Random(1));
            up.update(new long[] {0, 0}, latents, cb, new Random(1));
            assertArrayEquals(init, cb.toFloatArray(), 0f, "not yet dead after 2 steps");
            up.update(new long[] {0, 0}, latents, cb, new Random(1));
            float[] v = cb.toFloatArray();
            assertEquals(1, up.reinitialised());
            assertTrue(Math.abs(v[2] - 1) < 0.3 && Math.abs(v[3] - 1) < 0.3, "code 1 now sits among the latents: " + v[2] + "," + v[3]);
            assertArrayEquals(new float[] {0, 0}, new float[] {v[0], v[1]}, 0f, "the live code is untouched");
        }
    }
}
