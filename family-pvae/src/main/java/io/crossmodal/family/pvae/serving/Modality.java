package io.crossmodal.family.pvae.serving;

/** The two modalities of the family, as the serving code names them in messages and batch keys. */
public enum Modality {
    SPEECH, IMAGE;

    String word() {
        return this == SPEECH ? "speech" : "image";
    }

    static Modality of(io.crossmodal.proto.common.v1.Modality m) {
        return switch (m) {
            case MODALITY_SPEECH -> SPEECH;
            case MODALITY_IMAGE -> IMAGE;
            default -> null;
        };
    }
}
