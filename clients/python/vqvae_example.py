#!/usr/bin/python3
"""Sends speech (a WAV file) to the crossmodal services serving a VQ-VAE model: units out, or voice conversion.

--encoder: one Encode call; prints the discrete units (run-length collapsed with --collapse), the codebook size
and the latent rate. --decoder with --voice-wav (a recording whose nearest training speaker gives the voice) or
--voice NAME (a training speaker): one Decode call, voice conversion, content from --wav; writes the WAV it
returns to --out.

  /usr/bin/python3 clients/python/vqvae_example.py --encoder localhost:9101 --model units \\
      --wav ../shared/data/fsdd/recordings/7_jackson_0.wav --collapse
  /usr/bin/python3 clients/python/vqvae_example.py --decoder localhost:9102 --model units \\
      --wav ../shared/data/fsdd/recordings/7_jackson_0.wav --voice-wav ../shared/data/fsdd/recordings/3_george_0.wav \\
      --out seven-as-george.wav

The client code is generated from proto/ by generate.py (grpcio, Debian python3-grpcio python3-grpc-tools).
"""

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True

import grpc  # noqa: E402

import generate  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--encoder", help="host:port of the Encoder (units out)")
    p.add_argument("--decoder", help="host:port of the Decoder (voice conversion)")
    p.add_argument("--model", required=True)
    p.add_argument("--wav", required=True, help="the speech, PCM WAV (8 or 16 kHz)")
    p.add_argument("--collapse", action="store_true", help="Encode: collapse runs of equal units")
    p.add_argument("--voice-wav", help="Decode: a recording whose voice (nearest training speaker) the output takes")
    p.add_argument("--voice", help="Decode: a training speaker's name")
    p.add_argument("--out", help="Decode: the WAV to write")
    p.add_argument("--generated", help="where the generated client code goes (default: a temp dir)")
    p.add_argument("--timeout", type=float, default=30.0)
    a = p.parse_args(argv)
    if (a.encoder is None) == (a.decoder is None):
        p.error("give --encoder (units out) or --decoder (voice conversion)")
    if a.decoder is not None and (a.out is None or (a.voice_wav is None) == (a.voice is None)):
        p.error("--decoder needs --out and one of --voice-wav, --voice")
    out_dir = generate.generate(a.generated or tempfile.mkdtemp(prefix="crossmodal-py-"))
    sys.path.insert(0, str(out_dir))
    from crossmodal.common.v1 import common_pb2
    from crossmodal.decoder.v1 import decoder_pb2, decoder_pb2_grpc
    from crossmodal.encoder.v1 import encoder_pb2, encoder_pb2_grpc
    model = common_pb2.ModelRef(name=a.model)
    wav = Path(a.wav).read_bytes()
    try:
        if a.encoder is not None:
            with grpc.insecure_channel(a.encoder) as channel:
                r = encoder_pb2_grpc.EncoderStub(channel).Encode(encoder_pb2.EncodeRequest(
                    request_id="vqvae-example", model=model, wav=wav, collapse_runs=a.collapse), timeout=a.timeout)
            u = r.units
            print("encoder %s/%s: %d units, codebook %d, %.1f latents/s" % (r.model_name, r.model_version, len(u.ids),
                                                                          u.codebook_size, u.latent_rate_hz))
            print("ids:         %s" % " ".join(str(i) for i in u.ids))
            if u.run_lengths:
                print("run lengths: %s" % " ".join(str(n) for n in u.run_lengths))
            return 0
        voice = common_pb2.SpeakerRef(name=a.voice) if a.voice else common_pb2.SpeakerRef(wav=Path(a.voice_wav).read_bytes())
        with grpc.insecure_channel(a.decoder) as channel:
            r = decoder_pb2_grpc.DecoderStub(channel).Decode(decoder_pb2.DecodeRequest(
                request_id="vqvae-example", model=model, wav_output=True,
                voice_conversion=decoder_pb2.VoiceConversion(content_wav=wav, voice=voice)), timeout=a.timeout)
    except grpc.RpcError as e:
        print("vqvae_example.py: %s: %s" % (e.code().name, e.details()), file=sys.stderr)
        return 1
    Path(a.out).write_bytes(r.wav)
    frames = len(r.frames.values) // max(1, r.frames.frame_dim)
    print("decoder %s/%s: voice of %s, %d frames x %d mel bins, WAV %d bytes -> %s" % (
        r.model_name, r.model_version, r.speaker, frames, r.frames.frame_dim, len(r.wav), a.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
