package io.crossmodal.family.pvae.onnx;

/** Tensor names of the PVAE graphs: the contract between the exported bundle and the services. */
public final class PvaeTensorNames {

    private PvaeTensorNames() {
    }

    /** Speech encoder input [B, T, mel] (raw log-mel, fixed frame count); speech decoder output. */
    public static final String FRAMES = "frames";
    /** Image encoder input [B, 28, 28] (grey levels in [0, 1]); image decoder output. */
    public static final String IMAGE = "image";
    public static final String SHARED_MEAN = "shared_mean";
    public static final String SHARED_LOGVAR = "shared_logvar";
    public static final String STYLE_MEAN = "style_mean";
    public static final String STYLE_LOGVAR = "style_logvar";
    /** Decoder inputs: a shared latent [B, S] and (when the model has one) a style latent [B, D]. */
    public static final String SHARED = "shared";
    public static final String STYLE = "style";
}
