package io.crossmodal.family.seq2seq.onnx;

/** Graph input/output names fixed by DESIGN.md; they are part of the bundle contract. */
public final class TensorNames {

    // encoder
    public static final String TOKENS = "tokens";
    public static final String LENGTHS = "lengths";
    public static final String MEMORY = "memory";
    public static final String KEYS = "keys";
    public static final String INIT_H = "init_h";
    public static final String INIT_C = "init_c";

    // decoder step and prior step
    public static final String PREV_TOKEN = "prev_token";
    public static final String H = "h";
    public static final String C = "c";
    public static final String MASK = "mask";
    public static final String LOGITS = "logits";
    public static final String LOG_PROBS = "log_probs";
    public static final String H_OUT = "h_out";
    public static final String C_OUT = "c_out";
    public static final String ATTENTION = "attention";

    private TensorNames() {
    }
}
