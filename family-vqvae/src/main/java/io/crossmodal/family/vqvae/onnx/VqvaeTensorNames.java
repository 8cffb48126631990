package io.crossmodal.family.vqvae.onnx;

/** Graph input and output names: the contract between the exported graphs and their runner. */
public final class VqvaeTensorNames {

    /** Raw log-mel frames [B, T, M] (T a multiple of the downsampling factor). */
    public static final String FRAMES = "frames";
    /** Continuous encoder output [B, L, D] (the VAE's posterior mean). */
    public static final String LATENTS = "latents";
    /** Code index per latent [B, L], int64 (VQ only). */
    public static final String UNIT_IDS = "unit_ids";
    /** The chosen codebook vectors [B, L, D] (VQ only). */
    public static final String UNITS = "units";
    public static final String PREV_FRAME = "prev_frame";
    public static final String LATENT = "latent";
    public static final String SPEAKER = "speaker";
    public static final String STATE = "state";
    /** Next frame, standardised [B, M] (fed back as {@link #PREV_FRAME}). */
    public static final String FRAME = "frame";
    /** The same frame as raw log-mel [B, M]. */
    public static final String FRAME_LOGMEL = "frame_logmel";
    public static final String STATE_OUT = "state_out";

    private VqvaeTensorNames() {
    }
}
