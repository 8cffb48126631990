#!/usr/bin/python3
"""Generates the Python gRPC client code of the crossmodal contracts.

Compiles every .proto under proto/src/main/proto (crossmodal.common / encoder / decoder / trainer v1)
and the grpc.health.v1 API (clients/python/proto/health_v1/health.proto) into OUT, as *_pb2.py
(messages) and *_pb2_grpc.py (stubs); put OUT on sys.path, then e.g.
``from crossmodal.encoder.v1 import encoder_pb2, encoder_pb2_grpc``.

The compiler is grpc_tools.protoc (pip's grpcio-tools, or Debian's python3-grpc-tools) when its protoc
understands proto3 ``optional`` fields (protoc >= 3.15); Debian 12's python3-grpc-tools bundles protoc
3.5.1, which does not, so then it is the system ``protoc`` (Debian: protobuf-compiler) with the
``grpc_python_plugin`` (Debian: protobuf-compiler-grpc). Generated code needs the ``protobuf`` and
``grpcio`` runtimes of about the same release as the compiler (Debian 12: python3-protobuf 3.21 and
python3-grpcio 1.51 match protoc 3.21 and grpc_python_plugin 1.51).

Usage: /usr/bin/python3 clients/python/generate.py --out DIR [--compiler auto|grpc_tools|protoc]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
PROTO_ROOT = REPO / "proto" / "src" / "main" / "proto"
CLIENT_PROTO_ROOT = HERE / "proto"


class GenerationError(RuntimeError):
    pass


def _proto_files(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.proto"))


def _version(text):
    m = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", text)
    return tuple(int(g or 0) for g in m.groups()) if m else (0, 0, 0)


def _grpc_tools_protoc_version():
    """The version of the protoc inside grpc_tools, or None if grpc_tools is missing."""
    try:
        import grpc_tools  # noqa: F401
    except ImportError:
        return None
    out = subprocess.run([sys.executable, "-m", "grpc_tools.protoc", "--version"], capture_output=True, text=True)
    return _version(out.stdout + out.stderr)


def _well_known_include():
    """The directory holding google/protobuf/*.proto (timestamp.proto is imported by common.proto)."""
    try:
        import grpc_tools

        d = Path(grpc_tools.__file__).parent / "_proto"
        if (d / "google" / "protobuf" / "timestamp.proto").exists():
            return d
    except ImportError:
        pass
    for d in (Path("/usr/include"), Path("/usr/local/include")):
        if (d / "google" / "protobuf" / "timestamp.proto").exists():
            return d
    return None


def choose_compiler(preference="auto"):
    """'grpc_tools' or 'protoc', whichever can compile proto3 optional fields; GenerationError if none."""
    gt = _grpc_tools_protoc_version() if preference in ("auto", "grpc_tools") else None
    if gt is not None and gt >= (3, 15, 0):
        return "grpc_tools"
    if preference == "grpc_tools":
        raise GenerationError("grpc_tools.protoc is %s; proto3 optional fields need protoc >= 3.15"
                              % (".".join(map(str, gt)) if gt else "not installed"))
    protoc = shutil.which("protoc")
    plugin = shutil.which("grpc_python_plugin")
    if protoc and plugin:
        out = subprocess.run([protoc, "--version"], capture_output=True, text=True)
        if _version(out.stdout) >= (3, 15, 0):
            return "protoc"
    raise GenerationError(
        "no protoc that compiles proto3 optional fields: grpc_tools.protoc is %s, system protoc %s, "
        "grpc_python_plugin %s (Debian: apt-get install -y python3-grpcio python3-grpc-tools "
        "protobuf-compiler protobuf-compiler-grpc)"
        % (".".join(map(str, gt)) if gt else "missing", "found" if protoc else "missing",
           "found" if plugin else "missing"))


def generate(out_dir, compiler="auto", proto_root=PROTO_ROOT):
    """Generates the client code into out_dir (created if needed); returns out_dir as a Path."""
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    proto_root = Path(proto_root).resolve()
    if not proto_root.is_dir():
        raise GenerationError("no proto sources at %s" % proto_root)
    which = choose_compiler(compiler)
    includes = [proto_root, CLIENT_PROTO_ROOT]
    wk = _well_known_include()
    if wk is not None:
        includes.append(wk)
    for root in (proto_root, CLIENT_PROTO_ROOT):
        files = _proto_files(root)
        if which == "grpc_tools":
            cmd = [sys.executable, "-m", "grpc_tools.protoc"]
            grpc_out = ["--grpc_python_out=%s" % out]
        else:
            cmd = [shutil.which("protoc")]
            grpc_out = ["--plugin=protoc-gen-grpc_python=%s" % shutil.which("grpc_python_plugin"),
                        "--grpc_python_out=%s" % out]
        cmd += ["-I%s" % i for i in includes] + ["--python_out=%s" % out] + grpc_out + files
        done = subprocess.run(cmd, cwd=root, capture_output=True, text=True)
        if done.returncode != 0:
            raise GenerationError("%s failed (%d): %s" % (" ".join(cmd[:3]), done.returncode, done.stderr.strip()))
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, help="output directory for the generated modules")
    p.add_argument("--compiler", default="auto", choices=["auto", "grpc_tools", "protoc"])
    p.add_argument("--proto-root", default=str(PROTO_ROOT), help="root of the crossmodal .proto files")
    args = p.parse_args(argv)
    try:
        out = generate(args.out, args.compiler, args.proto_root)
    except GenerationError as e:
        print("generate.py: %s" % e, file=sys.stderr)
        return 2
    print("generated %d modules into %s" % (sum(1 for _ in out.rglob("*_pb2*.py")), out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
