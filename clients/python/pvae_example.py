#!/usr/bin/python3
"""Sends a spoken digit (a WAV file) to the crossmodal services and writes the generated handwritten digit as a PNG.

With --style-pgm (a 28x28 binary PGM, "P5", of a handwritten digit) it is one Decode call: cross-modal generation,
content from the WAV, writing style from the image. Without it, it is two calls: Encode (the WAV's latent
partitions, printed) and Decode of the speech's shared latent with the style latent at the prior mean (zeros).

  /usr/bin/python3 clients/python/pvae_example.py --encoder localhost:9101 --decoder localhost:9102 \\
      --model digits --wav ../shared/data/fsdd/recordings/7_jackson_0.wav --out seven.png
  /usr/bin/python3 clients/python/pvae_example.py --decoder localhost:9102 --model digits \\
      --wav seven.wav --style-pgm style.pgm --out seven.png

With --encode-pgm (and --encoder only) it encodes a handwritten digit instead and prints its latent partitions:

  /usr/bin/python3 clients/python/pvae_example.py --encoder localhost:9101 --model digits --encode-pgm four.pgm

The client code is generated from proto/ by generate.py (grpcio, Debian python3-grpcio python3-grpc-tools).
The PNG is written with the standard library (zlib), 8-bit grey, each pixel --scale times larger.
"""

import argparse
import struct
import sys
import tempfile
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True

import grpc  # noqa: E402

import generate  # noqa: E402


def read_pgm(path):
    """A binary PGM (P5, max value <= 255) as grey levels in [0, 1], with its size."""
    data = Path(path).read_bytes()
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    if fields[0] != b"P5":
        raise ValueError("%s is not a binary PGM (P5)" % path)
    width, height, maxval = int(fields[1]), int(fields[2]), int(fields[3])
    pixels = data[pos + 1:pos + 1 + width * height]
    return height, width, [p / maxval for p in pixels]


def write_png(path, height, width, pixels, scale):
    """Grey levels in [0, 1] as an 8-bit greyscale PNG, each pixel scale x scale."""
    rows = []
    for y in range(height):
        row = bytes(max(0, min(255, round(pixels[y * width + x] * 255))) for x in range(width) for _ in range(scale))
        rows.extend([b"\x00" + row] * scale)

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xffffffff)

    header = struct.pack(">IIBBBBB", width * scale, height * scale, 8, 0, 0, 0, 0)
    Path(path).write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows)))
                           + chunk(b"IEND", b""))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--decoder", help="host:port of the Decoder (needed unless --encode-pgm)")
    p.add_argument("--encoder", help="host:port of the Encoder (needed without --style-pgm)")
    p.add_argument("--model", required=True)
    p.add_argument("--wav", help="a spoken digit, PCM WAV (8 or 16 kHz); needed unless --encode-pgm")
    p.add_argument("--encode-pgm", help="only Encode this 28x28 PGM handwritten digit and print its partitions")
    p.add_argument("--style-pgm", help="a 28x28 PGM handwritten digit whose writing style the output takes")
    p.add_argument("--out", help="the PNG to write (needed unless --encode-pgm)")
    p.add_argument("--scale", type=int, default=4)
    p.add_argument("--generated", help="where the generated client code goes (default: a temp dir)")
    p.add_argument("--timeout", type=float, default=30.0)
    a = p.parse_args(argv)
    if a.encode_pgm is not None:
        if a.encoder is None:
            p.error("--encode-pgm needs --encoder")
    else:
        if a.decoder is None or a.wav is None or a.out is None:
            p.error("--decoder, --wav and --out are required (or --encode-pgm with --encoder)")
        if a.style_pgm is None and a.encoder is None:
            p.error("give --style-pgm (one cross-modal call) or --encoder (Encode, then Decode)")

    out_dir = generate.generate(a.generated or tempfile.mkdtemp(prefix="crossmodal-py-"))
    sys.path.insert(0, str(out_dir))
    from crossmodal.common.v1 import common_pb2
    from crossmodal.decoder.v1 import decoder_pb2, decoder_pb2_grpc
    from crossmodal.encoder.v1 import encoder_pb2, encoder_pb2_grpc

    model = common_pb2.ModelRef(name=a.model)
    if a.encode_pgm is not None:
        return encode_image(a, model, common_pb2, encoder_pb2, encoder_pb2_grpc)
    wav = Path(a.wav).read_bytes()
    try:
        with grpc.insecure_channel(a.decoder) as channel:
            decoder = decoder_pb2_grpc.DecoderStub(channel)
            if a.style_pgm:
                h, w, style = read_pgm(a.style_pgm)
                request = decoder_pb2.DecodeRequest(request_id="pvae-example", model=model, cross_modal=decoder_pb2.CrossModal(
                    content_wav=wav, style_image=common_pb2.Image(height=h, width=w, channels=1, pixels=style)))
            else:
                with grpc.insecure_channel(a.encoder) as enc_channel:
                    encoded = encoder_pb2_grpc.EncoderStub(enc_channel).Encode(
                        encoder_pb2.EncodeRequest(request_id="pvae-example", model=model, wav=wav), timeout=a.timeout)
                parts = {q.name: q.latent for q in encoded.partitions.partitions}
                for name, latent in parts.items():
                    print("encoder %s/%s: %s mean = [%s]" % (encoded.model_name, encoded.model_version, name,
                                                             ", ".join("%.3f" % v for v in latent.mean)))
                partitions = [common_pb2.LatentPartition(name="shared", latent=common_pb2.Latent(mean=parts["shared"].mean))]
                if "style" in parts:
                    zeros = [0.0] * len(parts["style"].mean)
                    partitions.append(common_pb2.LatentPartition(name="style", latent=common_pb2.Latent(mean=zeros)))
                request = decoder_pb2.DecodeRequest(request_id="pvae-example", model=model,
                                                    partitions=common_pb2.LatentPartitions(partitions=partitions),
                                                    output_modality=common_pb2.MODALITY_IMAGE)
            r = decoder.Decode(request, timeout=a.timeout)
    except grpc.RpcError as e:
        print("pvae_example.py: %s: %s" % (e.code().name, e.details()), file=sys.stderr)
        return 1
    write_png(a.out, r.image.height, r.image.width, list(r.image.pixels), a.scale)
    print("decoder %s/%s: %dx%d image -> %s" % (r.model_name, r.model_version, r.image.height, r.image.width, a.out))
    return 0


def print_partitions(encoded):
    for q in encoded.partitions.partitions:
        print("encoder %s/%s: %s mean = [%s]" % (encoded.model_name, encoded.model_version, q.name,
                                                 ", ".join("%.3f" % v for v in q.latent.mean)))


def encode_image(a, model, common_pb2, encoder_pb2, encoder_pb2_grpc):
    """One Encode call with a handwritten digit; prints its partitions."""
    h, w, pixels = read_pgm(a.encode_pgm)
    try:
        with grpc.insecure_channel(a.encoder) as channel:
            encoded = encoder_pb2_grpc.EncoderStub(channel).Encode(encoder_pb2.EncodeRequest(
                request_id="pvae-example", model=model, image=common_pb2.Image(height=h, width=w, channels=1, pixels=pixels)),
                timeout=a.timeout)
    except grpc.RpcError as e:
        print("pvae_example.py: %s: %s" % (e.code().name, e.details()), file=sys.stderr)
        return 1
    print_partitions(encoded)
    return 0


if __name__ == "__main__":
    sys.exit(main())
