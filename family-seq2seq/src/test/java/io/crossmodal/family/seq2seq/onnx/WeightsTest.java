package io.crossmodal.family.seq2seq.onnx;

import io.crossmodal.runtime.onnx.FloatTensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class WeightsTest {

    @Test
    void floatTensorValidatesShape() {
        assertThrows(IllegalArgumentException.class, () -> FloatTensor.of(new float[5], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> FloatTensor.of(new float[0], 0));
        FloatTensor t = FloatTensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        assertArrayEquals(new float[] {4, 5, 6}, t.row(1));
        assertArrayEquals(new int[] {3, 2}, t.transpose().shape());
        assertEquals(2f, t.transpose().get(1, 0));
    }

    @Test
    void seq2seqWeightsCrossCheckSizes() {
        Seq2SeqWeights w = Seq2SeqWeights.random(10, 12, 4, 3, 5, 1);
        assertEquals(6, w.memorySize());
        assertEquals(12, w.sizes().get("tgt_vocab"));
        assertThrows(IllegalArgumentException.class, () -> new Seq2SeqWeights(w.srcEmbed(), w.tgtEmbed(), w.encFwd(),
                w.encBwd(), w.bridgeH(), w.bridgeC(), w.keyProj(), w.dec(), w.bridgeH() /* wrong in-size */, w.logits()));
        assertThrows(IllegalArgumentException.class, () -> new LstmWeights(FloatTensor.zeros(8, 3),
                FloatTensor.zeros(8, 3), FloatTensor.zeros(8), FloatTensor.zeros(8)));
    }
}
