package io.crossmodal.family.pvae.serving;

import com.google.protobuf.Message;
import io.crossmodal.family.pvae.onnx.Latents;
import io.crossmodal.proto.common.v1.Latent;
import io.crossmodal.proto.common.v1.LatentPartition;
import io.crossmodal.proto.common.v1.LatentPartitions;
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
 * A PVAE as the Encoder serves it: audio samples, WAV bytes, filterbank frames or an image in, the
 * posterior of each latent partition ({@code shared}, and {@code style} when the model has one) out.
 * Inputs of one modality run as one batch through that modality's encoder graph.
 */
final class PvaeEncoderModel extends ComponentServedModel<PvaeModel, Features, PvaeEncoderModel.Posterior> {

    /** The posterior of one input: mean and log-variance of each partition (style null when the model has none). */
    record Posterior(float[] sharedMean, float[] sharedLogVar, float[] styleMean, float[] styleLogVar) {}

    PvaeEncoderModel(PvaeModel model, ServingSpec spec) {
        super(PvaeBundleLayout.COMPONENT, model, spec, model::close);
    }

    @Override
    public Features admit(Message request) {
        if (!(request instanceof EncodeRequest r)) {
            throw new InvalidInputException("a PVAE encoder takes Encode requests, got " + request.getDescriptorForType().getName());
        }
        return switch (r.getInputCase()) {
            case AUDIO -> model.audio(r.getAudio(), "audio");
            case WAV -> model.wav(r.getWav(), "wav");
            case FRAMES -> model.frames(r.getFrames(), "frames");
            case IMAGE -> model.image(r.getImage(), "image");
            case INPUT_NOT_SET -> throw new InvalidInputException("input is required: set audio, wav, frames or image"
                    + " (model " + model.name + ", a partitioned VAE)");
            default -> throw new InvalidInputException("model " + model.name + " (a partitioned VAE) takes audio, wav, frames or"
                    + " image; " + r.getInputCase().name().toLowerCase(Locale.ROOT) + " input is not supported");
        };
    }

    @Override
    public Object batchKey(Features input) {
        return input.modality();
    }

    @Override
    public List<Posterior> run(List<Features> batch, RunControl control) {
        Latents lat = model.encode(batch.get(0).modality(), batch);
        List<Posterior> out = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            out.add(new Posterior(lat.sharedMean()[i], lat.sharedLogVar()[i], lat.hasStyle() ? lat.styleMean()[i] : null,
                    lat.hasStyle() ? lat.styleLogVar()[i] : null));
        }
        return out;
    }

    @Override
    public void respond(Features input, Posterior output, Message.Builder response) {
        if (!(response instanceof EncodeResponse.Builder b)) {
            throw new IllegalArgumentException("a PVAE encoder answers Encode responses, got "
                    + response.getDescriptorForType().getName());
        }
        b.setPartitions(partitions(output));
    }

    static LatentPartitions partitions(Posterior p) {
        LatentPartitions.Builder b = LatentPartitions.newBuilder().addPartitions(partition("shared", p.sharedMean(), p.sharedLogVar()));
        if (p.styleMean() != null) {
            b.addPartitions(partition("style", p.styleMean(), p.styleLogVar()));
        }
        return b.build();
    }

    private static LatentPartition partition(String name, float[] mean, float[] logVar) {
        Latent.Builder l = Latent.newBuilder();
        for (int i = 0; i < mean.length; i++) {
            l.addMean(mean[i]);
            l.addLogVariance(logVar[i]);
        }
        return LatentPartition.newBuilder().setName(name).setLatent(l).build();
    }

    @Override
    public void warmUp() {
        for (Modality m : Modality.values()) {
            if (model.hasEncoder(m)) {
                model.encode(m, List.of(m == Modality.SPEECH
                        ? Features.speech(new float[model.speech.fixedFrames()][model.speech.melBins()])
                        : Features.image(new float[784])));
            }
        }
    }

    @Override
    public String describe(Features input, Posterior output) {
        return input.modality().word() + " -> shared " + output.sharedMean().length
                + (output.styleMean() == null ? "" : ", style " + output.styleMean().length);
    }
}
