package io.crossmodal.family.pvae.serving;

import com.google.protobuf.Message;
import io.crossmodal.proto.common.v1.FrameSequence;
import io.crossmodal.proto.common.v1.Image;
import io.crossmodal.proto.common.v1.LatentPartition;
import io.crossmodal.proto.decoder.v1.CrossModal;
import io.crossmodal.proto.decoder.v1.DecodeRequest;
import io.crossmodal.proto.decoder.v1.DecodeResponse;
import io.crossmodal.runtime.bundle.ServingSpec;
import io.crossmodal.runtime.control.RunControl;
import io.crossmodal.runtime.family.ComponentServedModel;
import io.crossmodal.runtime.family.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A PVAE as the Decoder serves it: latent partitions in, an image or filterbank frames out; or, in
 * one call, cross-modal generation: the shared latent from a content input by its modality's encoder,
 * the style latent from a style reference by the other modality's encoder, decoded into the style
 * reference's modality. Requests of one kind, content modality and output modality run as one batch.
 */
final class PvaeDecoderModel extends ComponentServedModel<PvaeModel, PvaeDecoderModel.Input, PvaeDecoderModel.Generated> {

    /** An admitted request: latents ({@code shared}, {@code style}) or a cross-modal pair ({@code content}, {@code reference}). */
    record Input(Modality output, float[] shared, float[] style, Features content, Features reference) {
        boolean crossModal() {
            return content != null;
        }
    }

    /** What runs together: same kind, same output, same content modality. */
    record Key(boolean crossModal, Modality output, Modality content) {}

    /** One generated output: an image's 784 grey levels, or frames [frames][melBins]. */
    record Generated(float[] image, float[][] frames) {}

    PvaeDecoderModel(PvaeModel model, ServingSpec spec) {
        super(PvaeBundleLayout.COMPONENT, model, spec, model::close);
    }

    @Override
    public Input admit(Message request) {
        if (!(request instanceof DecodeRequest r)) {
            throw new InvalidInputException("a PVAE decoder takes Decode requests, got " + request.getDescriptorForType().getName());
        }
        return switch (r.getInputCase()) {
            case PARTITIONS -> latents(r);
            case CROSS_MODAL -> crossModal(r.getCrossModal());
            case INPUT_NOT_SET -> throw new InvalidInputException("input is required: set partitions (with output_modality) or"
                    + " cross_modal (model " + model.name + ", a partitioned VAE)");
            default -> throw new InvalidInputException("model " + model.name + " (a partitioned VAE) takes partitions or"
                    + " cross_modal; " + r.getInputCase().name().toLowerCase(Locale.ROOT) + " input is not supported");
        };
    }

    private Input latents(DecodeRequest r) {
        Modality output = Modality.of(r.getOutputModality());
        if (output == null) {
            throw new InvalidInputException("output_modality is required with partitions (MODALITY_SPEECH or MODALITY_IMAGE)");
        }
        model.requireDecoder(output, "output_modality");
        float[] shared = null;
        float[] style = null;
        for (LatentPartition p : r.getPartitions().getPartitionsList()) {
            switch (p.getName()) {
                case "shared" -> {
                    if (shared != null) {
                        throw new InvalidInputException("partition 'shared' is given twice");
                    }
                    shared = vector(p, model.sharedDim);
                }
                case "style" -> {
                    if (style != null) {
                        throw new InvalidInputException("partition 'style' is given twice");
                    }
                    if (model.styleDim == 0) {
                        throw new InvalidInputException("model " + model.name + " has no style partition; send only 'shared'");
                    }
                    style = vector(p, model.styleDim);
                }
                default -> throw new InvalidInputException("unknown partition '" + p.getName() + "' (expected 'shared'"
                        + (model.styleDim > 0 ? " and 'style')" : ")"));
            }
        }
        if (shared == null) {
            throw new InvalidInputException("partition 'shared' is required");
        }
        if (style == null && model.styleDim > 0) {
            throw new InvalidInputException("partition 'style' is required (model " + model.name + " has a style latent of size "
                    + model.styleDim + ")");
        }
        return new Input(output, shared, style, null, null);
    }

    private static float[] vector(LatentPartition p, int size) {
        int n = p.getLatent().getMeanCount();
        if (n != size) {
            throw new InvalidInputException("partition '" + p.getName() + "' has " + n + " values, the model's is of size " + size);
        }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = p.getLatent().getMean(i);
            if (!Float.isFinite(v[i])) {
                throw new InvalidInputException("partition '" + p.getName() + "' value " + i + " is " + v[i] + " (values must be finite)");
            }
        }
        return v;
    }

    private Input crossModal(CrossModal c) {
        Features content = switch (c.getContentCase()) {
            case CONTENT_AUDIO -> model.audio(c.getContentAudio(), "content_audio");
            case CONTENT_WAV -> model.wav(c.getContentWav(), "content_wav");
            case CONTENT_FRAMES -> model.frames(c.getContentFrames(), "content_frames");
            case CONTENT_IMAGE -> model.image(c.getContentImage(), "content_image");
            case CONTENT_NOT_SET -> throw new InvalidInputException("cross_modal needs a content input (content_audio,"
                    + " content_wav, content_frames or content_image)");
        };
        Features reference = switch (c.getStyleReferenceCase()) {
            case STYLE_AUDIO -> model.audio(c.getStyleAudio(), "style_audio");
            case STYLE_WAV -> model.wav(c.getStyleWav(), "style_wav");
            case STYLE_FRAMES -> model.frames(c.getStyleFrames(), "style_frames");
            case STYLE_IMAGE -> model.image(c.getStyleImage(), "style_image");
            case STYLEREFERENCE_NOT_SET -> throw new InvalidInputException("cross_modal needs a style reference (style_audio,"
                    + " style_wav, style_frames or style_image) in the output modality");
        };
        if (content.modality() == reference.modality()) {
            throw new InvalidInputException("cross_modal content and style reference are both " + content.modality().word()
                    + "; the style reference must be of the other modality (the output's)");
        }
        model.requireDecoder(reference.modality(), "cross_modal");
        return new Input(reference.modality(), null, null, content, reference);
    }

    @Override
    public Object batchKey(Input input) {
        return new Key(input.crossModal(), input.output(), input.crossModal() ? input.content().modality() : null);
    }

    @Override
    public List<Generated> run(List<Input> batch, RunControl control) {
        int n = batch.size();
        Input first = batch.get(0);
        float[][] shared = new float[n][];
        float[][] style = model.styleDim > 0 ? new float[n][] : null;
        if (first.crossModal()) {
            List<Features> contents = new ArrayList<>(n);
            List<Features> references = new ArrayList<>(n);
            batch.forEach(i -> {
                contents.add(i.content());
                references.add(i.reference());
            });
            shared = model.encode(first.content().modality(), contents).sharedMean();
            if (style != null) {
                style = model.encode(first.output(), references).styleMean();
            }
        } else {
            for (int i = 0; i < n; i++) {
                shared[i] = batch.get(i).shared();
                if (style != null) {
                    style[i] = batch.get(i).style();
                }
            }
        }
        List<Generated> out = new ArrayList<>(n);
        if (first.output() == Modality.IMAGE) {
            for (float[] image : model.ort.decodeImages(shared, style)) {
                out.add(new Generated(image, null));
            }
        } else {
            for (float[][] frames : model.ort.decodeSpeech(shared, style)) {
                out.add(new Generated(null, frames));
            }
        }
        return out;
    }

    @Override
    public void respond(Input input, Generated output, Message.Builder response) {
        if (!(response instanceof DecodeResponse.Builder b)) {
            throw new IllegalArgumentException("a PVAE decoder answers Decode responses, got "
                    + response.getDescriptorForType().getName());
        }
        if (output.image() != null) {
            Image.Builder image = Image.newBuilder().setHeight(28).setWidth(28).setChannels(1);
            for (float p : output.image()) {
                image.addPixels(p);
            }
            b.setImage(image);
        } else {
            FrameSequence.Builder frames = FrameSequence.newBuilder().setFrameDim(model.speech.melBins());
            for (float[] f : output.frames()) {
                for (float v : f) {
                    frames.addValues(v);
                }
            }
            b.setFrames(frames);
        }
    }

    @Override
    public void warmUp() {
        for (Modality m : Modality.values()) {
            if (model.hasDecoder(m)) {
                run(List.of(new Input(m, new float[model.sharedDim], model.styleDim > 0 ? new float[model.styleDim] : null,
                        null, null)), null);
            }
        }
    }

    @Override
    public String describe(Input input, Generated output) {
        return (input.crossModal() ? "cross-modal " + input.content().modality().word() + " content" : "latents") + " -> "
                + input.output().word();
    }
}
