package io.crossmodal.family.vqvae.serving;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.crossmodal.features.audio.GriffinLim;
import io.crossmodal.family.vqvae.onnx.OrtVqvae;
import io.crossmodal.proto.common.v1.FrameSequence;
import io.crossmodal.proto.common.v1.UnitSequence;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.proto.decoder.v1.VoiceConversion;
import io.crossmodal.runtime.bundle.ServingSpec;
import io.crossmodal.runtime.control.RunControl;
import io.crossmodal.runtime.family.ComponentServedModel;
import io.crossmodal.runtime.family.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A VQ-VAE as the Decoder serves it: unit ids in a chosen voice, or voice conversion in one call
 * (the units of one recording in the voice of another speaker or recording), to log-mel frames and,
 * on request, a WAV (Griffin-Lim, 8 kHz, the filterbank's band). Inputs with the same number of
 * latents run as one batch of free-running generation.
 */
final class VqvaeDecoderModel extends ComponentServedModel<VqvaeModel, VqvaeDecoderModel.Input, VqvaeDecoderModel.Output> {

    /** The Griffin-Lim output rate: the filterbank's band ends at 4 kHz. */
    static final int WAV_RATE = 8000;
    static final int GRIFFIN_LIM_ITERATIONS = 32;

    /** Either unit ids or a content recording, and the voice. */
    record Input(long[] ids, Speech content, VqvaeModel.Voice voice, boolean wav) {
        int latents(int downsample, int frames) {
            return ids != null ? ids.length : frames / downsample;
        }
    }

    record Output(float[][] frames, String speaker) {}

    VqvaeDecoderModel(VqvaeModel model, ServingSpec spec) {
        super(VqvaeBundleLayout.COMPONENT, model, spec, model::close);
    }

    @Override
    public Input admit(Message request) {
        if (!(request instanceof DecodeRequest r)) {
            throw new InvalidInputException("a VQ-VAE decoder takes Decode requests, got " + request.getDescriptorForType().getName());
        }
        return switch (r.getInputCase()) {
            case UNITS -> {
                if (!r.hasSpeaker()) {
                    throw new InvalidInputException("speaker is required with units: a speaker name (one of " + model.speakers
                            + ") or a reference recording");
                }
                yield new Input(ids(r.getUnits()), null, model.voice(r.getSpeaker(), "speaker"), r.getWavOutput());
            }
            case VOICE_CONVERSION -> {
                VoiceConversion vc = r.getVoiceConversion();
                Speech content = switch (vc.getContentCase()) {
                    case CONTENT_AUDIO -> model.audio(vc.getContentAudio(), "voice_conversion.content_audio");
                    case CONTENT_WAV -> model.wav(vc.getContentWav(), "voice_conversion.content_wav");
                    case CONTENT_FRAMES -> model.frames(vc.getContentFrames(), "voice_conversion.content_frames");
                    case CONTENT_NOT_SET -> throw new InvalidInputException(
                            "voice_conversion.content is required: content_audio, content_wav or content_frames");
                };
                if (!vc.hasVoice()) {
                    throw new InvalidInputException("voice_conversion.voice is required: a speaker name (one of " + model.speakers
                            + ") or a reference recording");
                }
                yield new Input(null, content, model.voice(vc.getVoice(), "voice_conversion.voice"), r.getWavOutput());
            }
            case INPUT_NOT_SET -> throw new InvalidInputException("input is required: set units or voice_conversion (model "
                    + model.name + ", a VQ-VAE speech autoencoder)");
            default -> throw new InvalidInputException("model " + model.name + " (a VQ-VAE speech autoencoder) takes units or"
                    + " voice_conversion; " + r.getInputCase().name().toLowerCase(Locale.ROOT) + " input is not supported");
        };
    }

    private long[] ids(UnitSequence u) {
        if (!model.ort.quantised()) {
            throw new InvalidInputException("units: model " + model.name + " has no codebook (its bottleneck is not VQ); use"
                    + " voice_conversion");
        }
        if (u.getIdsCount() == 0) {
            throw new InvalidInputException("units: no ids given");
        }
        if (u.getRunLengthsCount() != 0 && u.getRunLengthsCount() != u.getIdsCount()) {
            throw new InvalidInputException("units: " + u.getRunLengthsCount() + " run_lengths for " + u.getIdsCount()
                    + " ids (give one per id, or none)");
        }
        long total = 0;
        for (int i = 0; i < u.getIdsCount(); i++) {
            long id = u.getIds(i);
            if (id < 0 || id >= model.codes) {
                throw new InvalidInputException("units: id " + i + " is " + id + ", outside [0, " + model.codes + ")");
            }
            int run = u.getRunLengthsCount() == 0 ? 1 : u.getRunLengths(i);
            if (run < 1) {
                throw new InvalidInputException("units: run_lengths " + i + " is " + run + " (each must be >= 1)");
            }
            total += run;
            if (total > model.maxUnits()) {
                throw new InvalidInputException("units: more than " + model.maxUnits() + " units after expanding runs (the limit:"
                        + " at most 1000 generated frames)");
            }
        }
        long[] out = new long[(int) total];
        int k = 0;
        for (int i = 0; i < u.getIdsCount(); i++) {
            int run = u.getRunLengthsCount() == 0 ? 1 : u.getRunLengths(i);
            for (int r = 0; r < run; r++) {
                out[k++] = u.getIds(i);
            }
        }
        return out;
    }

    @Override
    public Object batchKey(Input input) {
        return input.latents(model.downsample, model.frames);
    }

    @Override
    public List<Output> run(List<Input> batch, RunControl control) {
        int n = batch.size();
        float[][][] latents = new float[n][][];
        long[] speakers = new long[n];
        for (int i = 0; i < n; i++) {
            Input in = batch.get(i);
            if (in.ids() != null) {
                latents[i] = model.ort.lookup(new long[][] {in.ids()})[0];
            } else {
                OrtVqvae.Encoded e = model.ort.encode(new float[][][] {in.content().frames()});
                latents[i] = e.units() != null ? e.units()[0] : e.latents()[0];
            }
            speakers[i] = in.voice().reference() == null ? in.voice().speaker()
                    : model.ort.identifySpeakers(new float[][][] {in.voice().reference().frames()})[0];
        }
        float[][][] frames = model.ort.generate(latents, speakers);
        List<Output> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Output(frames[i], model.speakers.get((int) speakers[i])));
        }
        return out;
    }

    @Override
    public void respond(Input input, Output output, Message.Builder response) {
        if (!(response instanceof DecodeResponse.Builder b)) {
            throw new IllegalArgumentException("a VQ-VAE decoder answers Decode responses, got "
                    + response.getDescriptorForType().getName());
        }
        FrameSequence.Builder f = FrameSequence.newBuilder().setFrameDim(model.melBins);
        for (float[] row : output.frames()) {
            for (float v : row) {
                f.addValues(v);
            }
        }
        b.setFrames(f).setSpeaker(output.speaker());
        if (input.wav()) {
            float[] samples = new GriffinLim(model.fbank, WAV_RATE, GRIFFIN_LIM_ITERATIONS).invert(output.frames());
            b.setWav(ByteString.copyFrom(GriffinLim.wav(samples, WAV_RATE)));
        }
    }

    @Override
    public void warmUp() {
        model.ort.generate(new float[][][] {new float[1][model.latentDim]}, new long[] {0});
    }

    @Override
    public String describe(Input input, Output output) {
        return (input.ids() != null ? input.ids().length + " units" : "voice conversion") + " -> " + output.frames().length
                + " frames, voice " + output.speaker() + (input.wav() ? ", wav" : "");
    }
}
