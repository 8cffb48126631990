package io.crossmodal.runtime.bundle;

import java.io.IOException;
import java.io.OutputStream;

/** Writes one bundle file's bytes; lets large files stream straight into the staging directory. */
@FunctionalInterface
public interface FileContent {

    void writeTo(OutputStream out) throws IOException;

    static FileContent of(byte[] bytes) {
        return out -> out.write(bytes);
    }
}
