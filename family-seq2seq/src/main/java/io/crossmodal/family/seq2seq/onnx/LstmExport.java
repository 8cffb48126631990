package io.crossmodal.family.seq2seq.onnx;

import io.crossmodal.runtime.onnx.FloatTensor;

/**
 * Converts PyTorch LSTM weights to the ONNX LSTM operator layout. PyTorch stacks the gate blocks
 * as (i, f, g, o); ONNX expects (i, o, f, c). Forgetting this reorder is the classic export bug:
 * the graph still runs and produces plausible numbers, which is why the tests compare numerically.
 */
final class LstmExport {

    /** For each ONNX block position, the PyTorch block it takes: i<-i, o<-o, f<-f, c<-g. */
    private static final int[] ONNX_FROM_TORCH = {0, 3, 1, 2};

    private LstmExport() {
    }

    /** W [D, 4H, I] for the given directions (forward first). */
    static FloatTensor w(LstmWeights... dirs) {
        return stack(dirs, true);
    }

    /** R [D, 4H, H]. */
    static FloatTensor r(LstmWeights... dirs) {
        return stack(dirs, false);
    }

    /** B [D, 8H]: reordered input bias followed by reordered recurrent bias, per direction. */
    static FloatTensor b(LstmWeights... dirs) {
        int h = dirs[0].hiddenSize();
        float[] out = new float[dirs.length * 8 * h];
        for (int d = 0; d < dirs.length; d++) {
            int base = d * 8 * h;
            reorderRows(dirs[d].bIh().data(), h, 1, out, base);
            reorderRows(dirs[d].bHh().data(), h, 1, out, base + 4 * h);
        }
        return new FloatTensor(out, new int[] {dirs.length, 8 * h});
    }

    private static FloatTensor stack(LstmWeights[] dirs, boolean input) {
        int h = dirs[0].hiddenSize();
        int cols = input ? dirs[0].inputSize() : h;
        float[] out = new float[dirs.length * 4 * h * cols];
        for (int d = 0; d < dirs.length; d++) {
            FloatTensor src = input ? dirs[d].wIh() : dirs[d].wHh();
            reorderRows(src.data(), h, cols, out, d * 4 * h * cols);
        }
        return new FloatTensor(out, new int[] {dirs.length, 4 * h, cols});
    }

    /** Copies the four [h, cols] gate blocks of {@code src} into {@code dst} in ONNX order. */
    private static void reorderRows(float[] src, int h, int cols, float[] dst, int dstOffset) {
        int block = h * cols;
        for (int k = 0; k < 4; k++) {
            System.arraycopy(src, ONNX_FROM_TORCH[k] * block, dst, dstOffset + k * block, block);
        }
    }
}
