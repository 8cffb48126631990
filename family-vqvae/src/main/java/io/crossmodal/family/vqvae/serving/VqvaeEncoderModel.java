package io.crossmodal.family.vqvae.serving;

import com.google.protobuf.Message;
import io.crossmodal.family.vqvae.onnx.OrtVqvae;
import io.crossmodal.proto.common.v1.FrameSequence;
import io.crossmodal.proto.common.v1.UnitSequence;
import io.crossmodal.proto.encoder.v1.EncodeRequest;
import io.crossmodal.proto.encoder.v1.EncodeResponse;
import io.crossmodal.runtime.bundle.ServingSpec;
import io.crossmodal.runtime.control.RunControl;
import io.crossmodal.runtime.family.ComponentServedModel;
import io.crossmodal.runtime.family.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A VQ-VAE as the Encoder serves it: audio, WAV or log-mel frames in, the unit sequence out (ids,
 * optionally run-length collapsed, optionally with the continuous latents). All inputs have the
 * model's fixed frame count, so any of them run as one batch.
 */
final class VqvaeEncoderModel extends ComponentServedModel<VqvaeModel, VqvaeEncoderModel.Input, VqvaeEncoderModel.Units> {

    record Input(Speech speech, boolean latents, boolean collapse) {}

    record Units(long[] ids, float[][] latents) {}

    VqvaeEncoderModel(VqvaeModel model, ServingSpec spec) {
        super(VqvaeBundleLayout.COMPONENT, model, spec, model::close);
    }

    @Override
    public Input admit(Message request) {
        if (!(request instanceof EncodeRequest r)) {
            throw new InvalidInputException("a VQ-VAE encoder takes Encode requests, got " + request.getDescriptorForType().getName());
        }
        Speech s = switch (r.getInputCase()) {
            case AUDIO -> model.audio(r.getAudio(), "audio");
            case WAV -> model.wav(r.getWav(), "wav");
            case FRAMES -> model.frames(r.getFrames(), "frames");
            case INPUT_NOT_SET -> throw new InvalidInputException("input is required: set audio, wav or frames (model "
                    + model.name + ", a VQ-VAE speech autoencoder)");
            default -> throw new InvalidInputException("model " + model.name + " (a VQ-VAE speech autoencoder) takes audio, wav"
                    + " or frames; " + r.getInputCase().name().toLowerCase(Locale.ROOT) + " input is not supported");
        };
        return new Input(s, r.getIncludeLatents(), r.getCollapseRuns());
    }

    @Override
    public Object batchKey(Input input) {
        return "speech";
    }

    @Override
    public List<Units> run(List<Input> batch, RunControl control) {
        float[][][] x = new float[batch.size()][][];
        for (int i = 0; i < x.length; i++) {
            x[i] = batch.get(i).speech().frames();
        }
        OrtVqvae.Encoded e = model.ort.encode(x);
        List<Units> out = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            out.add(new Units(e.ids() == null ? null : e.ids()[i], e.latents()[i]));
        }
        return out;
    }

    @Override
    public void respond(Input input, Units output, Message.Builder response) {
        if (!(response instanceof EncodeResponse.Builder b)) {
            throw new IllegalArgumentException("a VQ-VAE encoder answers Encode responses, got "
                    + response.getDescriptorForType().getName());
        }
        UnitSequence.Builder u = UnitSequence.newBuilder().setCodebookSize(model.codes)
                .setLatentRateHz((float) (output.latents().length / input.speech().seconds()));
        if (output.ids() != null) {
            long[] ids = output.ids();
            for (int i = 0; i < ids.length; ) {
                int j = i;
                while (input.collapse() && j + 1 < ids.length && ids[j + 1] == ids[i]) {
                    j++;
                }
                u.addIds(ids[i]);
                if (input.collapse()) {
                    u.addRunLengths(j - i + 1);
                }
                i = j + 1;
            }
        }
        if (input.latents() || output.ids() == null) {
            FrameSequence.Builder f = FrameSequence.newBuilder().setFrameDim(model.latentDim);
            for (float[] row : output.latents()) {
                for (float v : row) {
                    f.addValues(v);
                }
            }
            u.setLatents(f);
        }
        b.setUnits(u);
    }

    @Override
    public void warmUp() {
        model.ort.encode(new float[][][] {new float[model.frames][model.melBins]});
    }

    @Override
    public String describe(Input input, Units output) {
        return input.speech().seconds() + " s -> " + output.latents().length + " units" + (input.collapse() ? " (collapsed)" : "");
    }
}
