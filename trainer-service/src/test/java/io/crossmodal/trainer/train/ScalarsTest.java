package io.crossmodal.trainer.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The gradient through a product or quotient with a Java number stays exact when the garbage
 * collector frees, between the forward and the backward pass, every Java buffer the forward pass
 * left behind. With DJL's own {@code x.mul(3.0)} / {@code div(4.0)} the backward pass then reads
 * the freed 0-d operands (see {@link Scalars}): run against them on the development machine
 * (2026-12-07, glibc 2.36), this procedure gave NaN gradients in 5 of 5 runs, after one
 * {@code System.gc()}.
 */
class ScalarsTest {

    /** Java direct buffers alive now (the JVM's "direct" pool). */
    private static long directBuffers() {
        return ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct"))
                .mapToLong(BufferPoolMXBean::getCount)
                .sum();
    }

    /** Runs the collector until at most {@code count} direct buffers are left (polling, generous limit). */
    private static void collectDownTo(long count) throws InterruptedException {
        for (int i = 0; i < 1_000 && directBuffers() > count; i++) {
            System.gc();
            Thread.sleep(10);
        }
        assertTrue(directBuffers() <= count, "the collector did not free the forward pass's buffers: "
                + directBuffers() + " direct buffers, " + count + " before the forward pass");
    }

    @Test
    void theGradientIsExactAfterTheCollectorFreedTheForwardPassesBuffers() throws InterruptedException {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = m.create(new float[] {1f, 2f, -4f});
            x.setRequiresGradient(true);
            long before = directBuffers();
            try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
                NDArray y = Scalars.div(Scalars.mul(x, 3.0), 4.0).sum();
                assertEquals(-0.75f, y.getFloat());
                collectDownTo(before);
                gc.backward(y);
            }
            assertArrayEquals(new float[] {0.75f, 0.75f, 0.75f}, x.getGradient().toFloatArray());
        }
    }

    @Test
    void theValuesAreDjlsForFloatAndDoubleFactors() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray x = m.randomNormal(new Shape(1_000));
            for (double c : new double[] {0.1, 0.5, 1.0 / 3, 7e-3, 123.456, -2.5}) {
                assertArrayEquals(x.mul(c).toFloatArray(), Scalars.mul(x, c).toFloatArray(), "mul " + c);
                assertArrayEquals(x.div(c).toFloatArray(), Scalars.div(x, c).toFloatArray(), "div " + c);
                assertArrayEquals(x.mul((float) c).toFloatArray(), Scalars.mul(x, (float) c).toFloatArray(), "mul float " + c);
                assertArrayEquals(x.div((float) c).toFloatArray(), Scalars.div(x, (float) c).toFloatArray(), "div float " + c);
            }
        }
    }
}
