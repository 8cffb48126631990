#!/usr/bin/python3
"""End-to-end check of running crossmodal services from Python (grpcio), i.e. from outside Java.

Generates the client code from proto/ (generate.py), then against each service given:

* grpc.health.v1 Check: SERVING for the server ("") and for the service's name, not SERVING for an
  unknown service name (NOT_FOUND by the spec; Quarkus answers status UNKNOWN);
* ModelInfo: the resolved model, component and vocabularies;
* Encode (encoder) / Decode (decoder: beam, greedy, seeded sampling): hypotheses over the target
  vocabulary, sorted by log-probability, request id and model echoed;
* errors: NOT_FOUND for an unknown model, INVALID_ARGUMENT for an empty input and for an unknown symbol.

The input symbols are taken from the model's own vocabulary (ModelInfo), so any model works.
Prints one line per check and a closing "N passed, M failed"; exits 1 if any check failed, 2 on a
usage or setup problem (no grpcio, no protoc).

  /usr/bin/python3 clients/python/client_test.py --encoder localhost:9101 --decoder localhost:9102 --model quickstart
  /usr/bin/python3 clients/python/client_test.py --target localhost:9101 --model tiny   # whichever services it serves

Secured services (docs/SECURITY.md): --tls-ca CA.pem (TLS), --tls-cert / --tls-key (mutual TLS), --token-file FILE or
--token TOKEN (env CROSSMODAL_TOKEN; sent as "authorization: Bearer <token>" metadata with every call).
"""

import argparse
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree

try:
    import grpc
except ImportError:
    print("client_test.py: the grpcio package is missing (Debian: apt-get install -y python3-grpcio)", file=sys.stderr)
    sys.exit(2)

import generate  # noqa: E402

ENCODER = "crossmodal.encoder.v1.Encoder"
DECODER = "crossmodal.decoder.v1.Decoder"
RESERVED = {"<pad>", "<s>", "</s>", "<unk>"}


class _BearerToken(grpc.UnaryUnaryClientInterceptor, grpc.UnaryStreamClientInterceptor):
    """Adds "authorization: Bearer <token>" to every call (works on plaintext channels too, unlike call credentials)."""

    def __init__(self, token):
        self._header = ("authorization", "Bearer " + token)

    def _details(self, details):
        metadata = list(details.metadata or []) + [self._header]
        return details._replace(metadata=metadata) if hasattr(details, "_replace") else _CallDetails(
            details.method, details.timeout, metadata, details.credentials, getattr(details, "wait_for_ready", None),
            getattr(details, "compression", None))

    def intercept_unary_unary(self, continuation, details, request):
        return continuation(self._details(details), request)

    def intercept_unary_stream(self, continuation, details, request):
        return continuation(self._details(details), request)


class _CallDetails(grpc.ClientCallDetails):
    def __init__(self, method, timeout, metadata, credentials, wait_for_ready, compression):
        self.method = method
        self.timeout = timeout
        self.metadata = metadata
        self.credentials = credentials
        self.wait_for_ready = wait_for_ready
        self.compression = compression


class Connection:
    """How to reach the services: plaintext or TLS (CA file), optional client certificate, optional bearer token."""

    def __init__(self, tls_ca=None, tls_cert=None, tls_key=None, token=None):
        if bool(tls_cert) != bool(tls_key):
            raise ValueError("--tls-cert and --tls-key go together")
        self.tls = bool(tls_ca or tls_cert)
        self.tls_ca, self.tls_cert, self.tls_key, self.token = tls_ca, tls_cert, tls_key, token

    def channel(self, target):
        if self.tls:
            def read(path):
                return Path(path).read_bytes() if path else None
            credentials = grpc.ssl_channel_credentials(root_certificates=read(self.tls_ca),
                                                       private_key=read(self.tls_key),
                                                       certificate_chain=read(self.tls_cert))
            channel = grpc.secure_channel(target, credentials)
        else:
            channel = grpc.insecure_channel(target)
        if self.token:
            channel = grpc.intercept_channel(channel, _BearerToken(self.token))
        return channel


CONNECTION = Connection()


def read_token(path):
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            if line.lower().startswith("sha256:"):
                raise ValueError("token file %s starts with a hashed entry (sha256:...), the server's form: a client"
                                 " needs the token itself" % path)
            return line
    raise ValueError("token file %s holds no token" % path)


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def run(self, name, fn):
        start = time.monotonic()
        try:
            fn()
        except Exception as e:  # noqa: BLE001 - every failure is reported, then the next check runs
            self.failed += 1
            detail = e.details() if isinstance(e, grpc.RpcError) and hasattr(e, "details") else e
            code = " %s" % e.code().name if isinstance(e, grpc.RpcError) and hasattr(e, "code") else ""
            print("FAIL %s:%s %s" % (name, code, detail))
            if not isinstance(e, (AssertionError, grpc.RpcError)):
                traceback.print_exc()
        else:
            self.passed += 1
            print("ok   %s (%.0f ms)" % (name, (time.monotonic() - start) * 1000))


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def expect_code(code, call):
    try:
        call()
    except grpc.RpcError as e:
        check(e.code() == code, "expected %s, got %s: %s" % (code.name, e.code().name, e.details()))
        return e
    raise AssertionError("expected %s, but the call succeeded" % code.name)


def check_sequences(seqs, target_symbols, at_most):
    check(1 <= len(seqs) <= at_most, "expected 1..%d hypotheses, got %d" % (at_most, len(seqs)))
    previous = None
    for s in seqs:
        check(s.log_prob <= 0, "log_prob %f > 0" % s.log_prob)
        unknown = [t for t in s.tokens if t not in target_symbols]
        check(not unknown, "symbols outside the target vocabulary: %s" % unknown)
        if previous is not None:
            check(previous >= s.log_prob, "not sorted best first: %f then %f" % (previous, s.log_prob))
        previous = s.log_prob


def health_checks(checks, channel, service, timeout):
    from health_v1 import health_pb2, health_pb2_grpc

    health = health_pb2_grpc.HealthStub(channel)
    serving = health_pb2.HealthCheckResponse.SERVING

    def server():
        r = health.Check(health_pb2.HealthCheckRequest(service=""), timeout=timeout)
        check(r.status == serving, "server status %s" % health_pb2.HealthCheckResponse.ServingStatus.Name(r.status))

    def named():
        r = health.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout)
        check(r.status == serving, "%s status %s" % (service, health_pb2.HealthCheckResponse.ServingStatus.Name(r.status)))

    def unknown():
        # the gRPC health spec says NOT_FOUND; Quarkus answers status UNKNOWN: either way, not SERVING
        try:
            r = health.Check(health_pb2.HealthCheckRequest(service="no.such.v1.Service"), timeout=timeout)
        except grpc.RpcError as e:
            check(e.code() == grpc.StatusCode.NOT_FOUND, "expected NOT_FOUND, got %s" % e.code().name)
        else:
            check(r.status != serving, "an unknown service is SERVING")

    checks.run("%s health: server SERVING" % service, server)
    checks.run("%s health: service SERVING" % service, named)
    checks.run("%s health: unknown service not SERVING" % service, unknown)


def model_info(checks, stub, service, model, component, timeout):
    from crossmodal.common.v1 import common_pb2

    info = {}

    def call():
        r = stub.ModelInfo(common_pb2.ModelInfoRequest(request_id="py-info", model=common_pb2.ModelRef(name=model)),
                           timeout=timeout)
        check(r.request_id == "py-info", "request_id not echoed: %r" % r.request_id)
        check(r.resolved.name == model, "resolved %r" % r.resolved.name)
        check(r.resolved.version.isdigit(), "resolved version %r" % r.resolved.version)
        check(r.component == component, "component %r, expected %r" % (r.component, component))
        check(r.execution_provider in ("cpu", "cuda"), "execution provider %r" % r.execution_provider)
        source = [s for s in r.source_vocabulary.symbols if s not in RESERVED]
        target = set(s for s in r.target_vocabulary.symbols if s not in RESERVED)
        check(source and target, "empty vocabularies")
        info.update(version=r.resolved.version, source=source, target=target)

    checks.run("%s ModelInfo(%s)" % (service, model), call)
    return info


def common_errors(checks, service, call, request_type, model, source, timeout):
    from crossmodal.common.v1 import common_pb2

    def unknown_model():
        expect_code(grpc.StatusCode.NOT_FOUND, lambda: call(request_type(
            model=common_pb2.ModelRef(name="no-such-model-py"), tokens=common_pb2.TokenSequence(tokens=source[:1])),
            timeout=timeout))

    def empty_input():
        expect_code(grpc.StatusCode.INVALID_ARGUMENT, lambda: call(request_type(
            model=common_pb2.ModelRef(name=model), tokens=common_pb2.TokenSequence(tokens=[])), timeout=timeout))

    def unknown_symbol():
        e = expect_code(grpc.StatusCode.INVALID_ARGUMENT, lambda: call(request_type(
            model=common_pb2.ModelRef(name=model), tokens=common_pb2.TokenSequence(tokens=[source[0], "\u00a7?"])),
            timeout=timeout))
        check("position 1" in (e.details() or ""), "message does not name the position: %r" % e.details())

    checks.run("%s unknown model -> NOT_FOUND" % service, unknown_model)
    checks.run("%s empty input -> INVALID_ARGUMENT" % service, empty_input)
    checks.run("%s unknown symbol -> INVALID_ARGUMENT" % service, unknown_symbol)


def check_encoder(checks, target, model, timeout):
    from crossmodal.common.v1 import common_pb2
    from crossmodal.encoder.v1 import encoder_pb2, encoder_pb2_grpc

    with CONNECTION.channel(target) as channel:
        health_checks(checks, channel, ENCODER, timeout)
        stub = encoder_pb2_grpc.EncoderStub(channel)
        info = model_info(checks, stub, ENCODER, model, "p2g", timeout)
        if not info:
            return
        source = info["source"]

        def encode():
            tokens = [source[i % len(source)] for i in range(3)]
            r = stub.Encode(encoder_pb2.EncodeRequest(request_id="py-1", model=common_pb2.ModelRef(name=model),
                                                      tokens=common_pb2.TokenSequence(tokens=tokens), n_best=2),
                            timeout=timeout)
            check(r.request_id == "py-1", "request_id not echoed")
            check(r.model_name == model and r.model_version == info["version"],
                  "served %s/%s" % (r.model_name, r.model_version))
            check(r.WhichOneof("output") == "hypotheses", "output %s" % r.WhichOneof("output"))
            check_sequences(r.hypotheses.sequences, info["target"], 2)

        checks.run("%s Encode n_best 2" % ENCODER, encode)
        common_errors(checks, ENCODER, stub.Encode, encoder_pb2.EncodeRequest, model, source, timeout)


def check_decoder(checks, target, model, timeout):
    from crossmodal.common.v1 import common_pb2
    from crossmodal.decoder.v1 import decoder_pb2, decoder_pb2_grpc

    with CONNECTION.channel(target) as channel:
        health_checks(checks, channel, DECODER, timeout)
        stub = decoder_pb2_grpc.DecoderStub(channel)
        info = model_info(checks, stub, DECODER, model, "g2p", timeout)
        if not info:
            return
        source = info["source"]
        tokens = [source[i % len(source)] for i in range(3)]

        def request(**kw):
            return decoder_pb2.DecodeRequest(request_id="py-2", model=common_pb2.ModelRef(name=model),
                                             tokens=common_pb2.TokenSequence(tokens=tokens), **kw)

        def beam():
            r = stub.Decode(request(n_best=3, beam=decoder_pb2.Beam(width=4)), timeout=timeout)
            check(r.request_id == "py-2", "request_id not echoed")
            check(r.model_name == model and r.model_version == info["version"],
                  "served %s/%s" % (r.model_name, r.model_version))
            check_sequences(r.sequences.sequences, info["target"], 3)

        def greedy():
            r = stub.Decode(request(greedy=decoder_pb2.Greedy()), timeout=timeout)
            check_sequences(r.sequences.sequences, info["target"], 1)

        def sampling():
            req = request(n_best=4, sampling=decoder_pb2.Sampling(temperature=1.5, seed=7))
            a = stub.Decode(req, timeout=timeout)
            b = stub.Decode(req, timeout=timeout)
            check(len(a.sequences.sequences) == 4, "expected 4 samples, got %d" % len(a.sequences.sequences))
            check_sequences(a.sequences.sequences, info["target"], 4)
            check(a.sequences == b.sequences, "same seed, different samples")

        def bad_temperature():
            expect_code(grpc.StatusCode.INVALID_ARGUMENT,
                        lambda: stub.Decode(request(sampling=decoder_pb2.Sampling(temperature=float("nan"))),
                                            timeout=timeout))

        checks.run("%s Decode beam n_best 3" % DECODER, beam)
        checks.run("%s Decode greedy" % DECODER, greedy)
        checks.run("%s Decode sampling (seeded, reproducible)" % DECODER, sampling)
        checks.run("%s temperature NaN -> INVALID_ARGUMENT" % DECODER, bad_temperature)
        common_errors(checks, DECODER, stub.Decode, decoder_pb2.DecodeRequest, model, source, timeout)


def served_services(target, timeout):
    """The crossmodal services the server at target serves, by grpc.health.v1 Check of each name."""
    from health_v1 import health_pb2, health_pb2_grpc

    found = []
    with CONNECTION.channel(target) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for name in (ENCODER, DECODER):
            try:
                r = health.Check(health_pb2.HealthCheckRequest(service=name), timeout=timeout)
            except grpc.RpcError as e:
                if e.code() != grpc.StatusCode.NOT_FOUND:
                    raise
            else:
                # a service the server lacks: NOT_FOUND by the spec, status UNKNOWN from Quarkus
                if r.status != health_pb2.HealthCheckResponse.UNKNOWN:
                    found.append(name)
    return found


def main(argv=None):
    p = argparse.ArgumentParser(description="End-to-end check of running crossmodal services from Python.")
    p.add_argument("--encoder", metavar="HOST:PORT", help="an Encoder service to check")
    p.add_argument("--decoder", metavar="HOST:PORT", help="a Decoder service to check")
    p.add_argument("--target", metavar="HOST:PORT", action="append", default=[],
                   help="a server to check every crossmodal service of (found through grpc.health.v1); repeatable")
    p.add_argument("--model", default="tiny", help="model name (default: tiny, the test registry's)")
    p.add_argument("--generated", metavar="DIR", help="where to generate the client code (default: a temp dir)")
    p.add_argument("--timeout", type=float, default=30.0, help="deadline of each call, seconds")
    p.add_argument("--tls-ca", metavar="PEM", help="TLS: CA certificate(s) to trust")
    p.add_argument("--tls-cert", metavar="PEM", help="mutual TLS: client certificate chain")
    p.add_argument("--tls-key", metavar="PEM", help="mutual TLS: client private key")
    p.add_argument("--token-file", metavar="FILE", help="bearer token: first non-comment line of FILE")
    p.add_argument("--token", help="bearer token (visible in the process list: prefer --token-file or CROSSMODAL_TOKEN)")
    args = p.parse_args(argv)
    if not (args.encoder or args.decoder or args.target):
        p.error("give --encoder, --decoder or --target")
    if args.token and args.token_file:
        p.error("give --token or --token-file, not both")
    if bool(args.tls_cert) != bool(args.tls_key):
        p.error("--tls-cert and --tls-key go together")
    token = args.token or (read_token(args.token_file) if args.token_file else os.environ.get("CROSSMODAL_TOKEN") or None)
    global CONNECTION
    CONNECTION = Connection(args.tls_ca, args.tls_cert, args.tls_key, token)

    out = Path(args.generated).resolve() if args.generated else Path(tempfile.mkdtemp(prefix="crossmodal-py-"))
    try:
        generate.generate(out)
    except generate.GenerationError as e:
        print("client_test.py: %s" % e, file=sys.stderr)
        return 2
    sys.path.insert(0, str(out))

    checks = Checks()
    encoders = [args.encoder] if args.encoder else []
    decoders = [args.decoder] if args.decoder else []
    for target in args.target:
        def discover(target=target):
            services = served_services(target, args.timeout)
            check(services, "%s serves no crossmodal service" % target)
            if ENCODER in services:
                encoders.append(target)
            if DECODER in services:
                decoders.append(target)
        checks.run("discover services at %s" % target, discover)
    for target in encoders:
        check_encoder(checks, target, args.model, args.timeout)
    for target in decoders:
        check_decoder(checks, target, args.model, args.timeout)
    print("%d passed, %d failed" % (checks.passed, checks.failed))
    return 1 if checks.failed or checks.passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
