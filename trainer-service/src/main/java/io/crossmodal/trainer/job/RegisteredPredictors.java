package io.crossmodal.trainer.job;

import io.crossmodal.family.seq2seq.serving.Seq2SeqPredictor;
import io.crossmodal.runtime.bundle.Bundle;
import io.crossmodal.runtime.bundle.ModelRegistry;
import io.crossmodal.runtime.onnx.SessionFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Registered seq2seq bundles named {@code NAME/VERSION} (or {@code NAME/alias}) opened as one predictor: one bundle
 * as itself, several as an ensemble ({@link Seq2SeqPredictor#ensemble}). Each must have been trained on the given
 * split (its fingerprint), so that neither a score nor a distillation label can come from a model that saw dev or
 * test words. Used by {@code evaluate --ensemble-with} and by distillation's teachers.
 */
public final class RegisteredPredictors {

    private RegisteredPredictors() {}

    /**
     * @param option what named the bundles, for messages ({@code --ensemble-with}, {@code train.distill.teachers})
     */
    public static Seq2SeqPredictor open(ModelRegistry registry, List<String> refs, String component, String splitFingerprint,
            String option) {
        List<Seq2SeqPredictor> members = new ArrayList<>();
        try {
            for (String ref : refs) {
                members.add(Seq2SeqPredictor.create(bundle(registry, ref, splitFingerprint, option), component,
                        SessionFactory.cpu()));
            }
            return members.size() == 1 ? members.get(0) : Seq2SeqPredictor.ensemble(members);
        } catch (RuntimeException e) {
            members.forEach(Seq2SeqPredictor::close);
            throw e;
        }
    }

    /** The registered bundle {@code ref} ({@code NAME/VERSION} or {@code NAME/alias}), refused unless trained on the split. */
    public static Bundle bundle(ModelRegistry registry, String ref, String splitFingerprint, String option) {
        Bundle b = load(registry, ref, option);
        String theirs = b.manifest().dataFingerprint().get("split");
        if (!splitFingerprint.equals(theirs)) {
            throw new IllegalArgumentException(option + ": " + ref + " was trained on another split (" + theirs
                    + ", not " + splitFingerprint + "): it may have seen dev or test words");
        }
        return b;
    }

    private static Bundle load(ModelRegistry registry, String ref, String option) {
        int slash = ref.lastIndexOf('/');
        if (slash <= 0 || slash == ref.length() - 1) {
            throw new IllegalArgumentException(option + " wants NAME/VERSION (or NAME/alias), got '" + ref + "'");
        }
        return registry.load(ref.substring(0, slash), ref.substring(slash + 1));
    }
}
